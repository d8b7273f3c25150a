/*
 * wren.h: Wren 0.4's C API, as Amber implements it (libAmberWren).
 *
 * Every type, enum value, struct layout and function signature here is the one
 * Wren 0.4.0 publishes, so a host compiled against Wren's own header links
 * against libAmberWren unchanged, and the reverse. Written for Amber from Wren's
 * documented API; see ARCHITECTURE.md, "Embedding".
 *
 * Where Wren leaves behaviour undefined (it only asserts in debug builds),
 * Amber checks and reports an error instead, and never touches memory it does
 * not own. "An error" below means:
 *   - inside a foreign method or a foreign class's allocate function: the
 *     running fiber is aborted with a message that names the API function
 *     ("wrenGetSlotDouble: slot 1 holds a String, not a Num."), exactly as if
 *     the method had called wrenAbortFiber; Fiber.try can catch it. The first
 *     error of a call wins; the function returns as described and the host's
 *     code goes on until the foreign method returns.
 *   - anywhere else (between calls, from a writeFn or errorFn callback): the
 *     message goes to errorFn as a WREN_ERROR_RUNTIME report with no module
 *     and line -1, and nothing else happens.
 * Getters that fail return a neutral value: false, 0, NULL handles, "" for
 * strings (length 0), WREN_TYPE_UNKNOWN for types. Pointers to foreign data
 * that cannot be given (wrong slot type, wrong class) point to a zeroed
 * scratch area owned by the VM, never into the heap.
 *
 * Errors of this kind: a slot index below 0 or at or past wrenGetSlotCount();
 * a slot holding another type than the function needs; a list index out of
 * bounds; a handle that was released, belongs to another VM or to a VM this
 * one was restored from, or is NULL; a value handle given to wrenCall; a call
 * handle given fewer slots than its signature needs; wrenCall, wrenInterpret
 * or wrenFreeVM from inside a foreign method or a callback of the same VM
 * (Wren forbids re-entry); any VM function from a finalizer.
 */
#ifndef wren_h
#define wren_h

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the API this library implements. */
#define WREN_VERSION_MAJOR 0
#define WREN_VERSION_MINOR 4
#define WREN_VERSION_PATCH 0
#define WREN_VERSION_STRING "0.4.0"
/* major * 1000000 + minor * 1000 + patch: 4000 for 0.4.0. */
#define WREN_VERSION_NUMBER (WREN_VERSION_MAJOR * 1000000 + \
                             WREN_VERSION_MINOR * 1000 +    \
                             WREN_VERSION_PATCH)

#ifndef WREN_API
  #if defined(_MSC_VER) && defined(WREN_API_DLLEXPORT)
    #define WREN_API __declspec( dllexport )
  #else
    #define WREN_API
  #endif
#endif

/* A virtual machine. Amber keeps no global state: each VM owns its heap (a
 * reserved address range), and any number of VMs may live in one process, each
 * used by one thread at a time. */
typedef struct WrenVM WrenVM;

/* A value the host keeps alive across calls (wrenGetSlotHandle) or a method
 * to call (wrenMakeCallHandle). Opaque: Amber's handles are checked tokens,
 * not pointers, so a released or foreign one is detected, never followed. */
typedef struct WrenHandle WrenHandle;

/* Wren's allocator hook. Amber ignores it for its heap, which is memory the VM
 * maps and compacts itself; it is only used to free the strings a
 * resolveModuleFn returns (with newSize 0), as Wren does. */
typedef void* (*WrenReallocateFn)(void* memory, size_t newSize, void* userData);

/* A foreign method: reads its receiver and arguments from slots 0..n and
 * leaves its result in slot 0. */
typedef void (*WrenForeignMethodFn)(WrenVM* vm);

/* Called with an instance's bytes when the collector frees it (and for every
 * live instance when the VM is freed). It must not call the VM. */
typedef void (*WrenFinalizerFn)(void* data);

/* Turns an import string into a module name, given the importing module's
 * name. Return NULL to fail the import ("Could not resolve module ..."). A
 * string other than [name] itself is freed by the VM (reallocateFn with size
 * 0 when the configuration has one, else free()). */
typedef const char* (*WrenResolveModuleFn)(WrenVM* vm,
    const char* importer, const char* name);

struct WrenLoadModuleResult;

/* Called once the VM is done with a loadModuleFn result (after compiling it),
 * so the host can free the source. */
typedef void (*WrenLoadModuleCompleteFn)(WrenVM* vm, const char* name,
    struct WrenLoadModuleResult result);

/* What loadModuleFn returns: the module's source (NULL: not found), an
 * optional completion callback and data for it. */
typedef struct WrenLoadModuleResult
{
  const char* source;
  WrenLoadModuleCompleteFn onComplete;
  void* userData;
} WrenLoadModuleResult;

/* Source for module [name], asked once per module. The host comes first:
 * Amber's own "meta" and "random" modules are only used when it returns no
 * source for them. Nothing else is looked up (no file system search). */
typedef WrenLoadModuleResult (*WrenLoadModuleFn)(WrenVM* vm, const char* name);

/* The C function behind `foreign [static] signature` of [className] in
 * [module], asked when the class is defined, and again by amberRestore.
 * NULL: not bound (a runtime error when the class is defined). */
typedef WrenForeignMethodFn (*WrenBindForeignMethodFn)(WrenVM* vm,
    const char* module, const char* className, bool isStatic,
    const char* signature);

/* Output of System.print and System.write, one piece at a time. */
typedef void (*WrenWriteFn)(WrenVM* vm, const char* text);

typedef enum
{
  /* A compile error: [module] and [line] say where, [message] is
   * "Error at 'token': what" (the form Wren's compiler uses). */
  WREN_ERROR_COMPILE,

  /* An uncaught runtime error: [module] is NULL, [line] -1, [message] the
   * error string ("[error object]" for an error that is not a string). */
  WREN_ERROR_RUNTIME,

  /* One frame of that error's stack trace, innermost first: the function's
   * [module], the [line] being run and the function's name as [message]. */
  WREN_ERROR_STACK_TRACE
} WrenErrorType;

/* Receives every error report (see WrenErrorType). */
typedef void (*WrenErrorFn)(
    WrenVM* vm, WrenErrorType type, const char* module, int line,
    const char* message);

typedef struct
{
  /* Makes an instance: called with the class in slot 0 and the constructor's
   * arguments after it; must call wrenSetSlotNewForeign(vm, 0, 0, size).
   * An allocate function that leaves no instance in slot 0 is an error. */
  WrenForeignMethodFn allocate;

  /* Optional: see WrenFinalizerFn. */
  WrenFinalizerFn finalize;
} WrenForeignClassMethods;

/* The allocate and finalize functions of `foreign class [className]` in
 * [module], asked when the class is defined, and again by amberRestore. An
 * allocate of NULL means not bound (a runtime error when the class is defined). */
typedef WrenForeignClassMethods (*WrenBindForeignClassFn)(
    WrenVM* vm, const char* module, const char* className);

typedef struct
{
  /* Ignored for the heap (see WrenReallocateFn). */
  WrenReallocateFn reallocateFn;

  /* NULL: an import string is the module's name as it is. */
  WrenResolveModuleFn resolveModuleFn;

  /* NULL: only "meta" and "random" can be imported. */
  WrenLoadModuleFn loadModuleFn;

  /* NULL: no foreign methods (beyond those of "meta" and "random"). */
  WrenBindForeignMethodFn bindForeignMethodFn;

  /* NULL: no foreign classes. */
  WrenBindForeignClassFn bindForeignClassFn;

  /* NULL: output is dropped. */
  WrenWriteFn writeFn;

  /* NULL: errors are not reported (the results still say what happened). */
  WrenErrorFn errorFn;

  /* Bytes allocated before the first collection (0: Amber's default, 16 MiB).
   * After that, Amber collects when the heap has doubled since the last
   * collection, at least every 16 MiB. */
  size_t initialHeapSize;

  /* Accepted for compatibility; Amber's collector uses the policy above. */
  size_t minHeapSize;

  /* Accepted for compatibility; Amber's collector uses the policy above. */
  int heapGrowthPercent;

  /* The host's pointer, returned by wrenGetUserData. */
  void* userData;

} WrenConfiguration;

typedef enum
{
  WREN_RESULT_SUCCESS,
  WREN_RESULT_COMPILE_ERROR,
  WREN_RESULT_RUNTIME_ERROR
} WrenInterpretResult;

/* What a slot holds, by representation rather than by class. */
typedef enum
{
  WREN_TYPE_BOOL,
  WREN_TYPE_NUM,
  WREN_TYPE_FOREIGN,
  WREN_TYPE_LIST,
  WREN_TYPE_MAP,
  WREN_TYPE_NULL,
  WREN_TYPE_STRING,

  /* Anything else: an instance, a class, a function, a range, a fiber. */
  WREN_TYPE_UNKNOWN
} WrenType;

/* WREN_VERSION_NUMBER of the library. */
WREN_API int wrenGetVersionNumber();

/* Fills [configuration] with the defaults: every callback NULL, sizes 0,
 * userData NULL. Call it first, then set what you need. */
WREN_API void wrenInitConfiguration(WrenConfiguration* configuration);

/* A new VM with the core library loaded. The configuration is copied; NULL
 * means the defaults. Returns NULL if the heap's address space cannot be
 * reserved. */
WREN_API WrenVM* wrenNewVM(WrenConfiguration* configuration);

/* Runs the finalizers of every remaining foreign instance, then frees the VM,
 * its heap and its handles. From a foreign method or callback of the same VM
 * it is an error, and the VM stays. */
WREN_API void wrenFreeVM(WrenVM* vm);

/* Collects now (between calls). Inside a foreign method the collection is
 * made at the next safe point instead: objects never move under a running
 * foreign method. */
WREN_API void wrenCollectGarbage(WrenVM* vm);

/* Compiles [source] as module [module] (created, or added to when it exists;
 * NULL means "main") and runs it in a new fiber. Errors go to errorFn.
 * Afterwards no slots are set up (wrenGetSlotCount is 0). A NULL [source] is
 * an error (WREN_RESULT_COMPILE_ERROR). */
WREN_API WrenInterpretResult wrenInterpret(WrenVM* vm, const char* module,
                                           const char* source);

/* A handle to call the method [signature] ("update(_,_)", "name", "[_]=(_)",
 * "-(_)") with wrenCall. Its arity is the number of "_" in it. NULL (and an
 * error) for a NULL or empty signature. Release it with wrenReleaseHandle. */
WREN_API WrenHandle* wrenMakeCallHandle(WrenVM* vm, const char* signature);

/* Calls [method] on the receiver in slot 0 with the arguments in the slots
 * after it (wrenEnsureSlots, then the wrenSetSlot* functions). Slots past the
 * arguments are dropped. Afterwards slot 0 holds the result and it is the only
 * slot; after a runtime error there are no slots. */
WREN_API WrenInterpretResult wrenCall(WrenVM* vm, WrenHandle* method);

/* Lets the value go (or the call handle). Using [handle] afterwards is an
 * error, never a use of freed memory. Releasing NULL or a released handle is
 * an error too. */
WREN_API void wrenReleaseHandle(WrenVM* vm, WrenHandle* handle);

/*
 * Slots.
 *
 * Values cross the API through numbered slots. In a foreign method, slot 0 is
 * the receiver and slots 1..n its arguments; slot 0 on return is the result
 * (the receiver when left alone). Between calls, the host makes slots with
 * wrenEnsureSlots to set up a wrenCall. Slots live in the running fiber's
 * stack in the VM's heap, so the collector sees and updates them.
 *
 * Strings and foreign data returned by getters point into the heap. They stay
 * valid until the foreign method returns, or, between calls, until the next
 * call into the VM that runs code or collects (wrenCall, wrenInterpret,
 * wrenCollectGarbage, wrenFreeVM): objects move only then.
 */

/* Slots available: in a foreign method, its receiver and arguments plus any
 * added; between calls, those made by wrenEnsureSlots or left by wrenCall. */
WREN_API int wrenGetSlotCount(WrenVM* vm);

/* Makes at least [numSlots] slots available (new ones hold null). Never
 * shrinks. */
WREN_API void wrenEnsureSlots(WrenVM* vm, int numSlots);

WREN_API WrenType wrenGetSlotType(WrenVM* vm, int slot);

/* The Bool in [slot]; another type is an error (false). */
WREN_API bool wrenGetSlotBool(WrenVM* vm, int slot);

/* The bytes of the String in [slot] and their count in *length (which may
 * be NULL). They are followed by a NUL byte. Another type is an error. */
WREN_API const char* wrenGetSlotBytes(WrenVM* vm, int slot, int* length);

/* The Num in [slot]; another type is an error (0). */
WREN_API double wrenGetSlotDouble(WrenVM* vm, int slot);

/* The bytes of the foreign instance in [slot]. Another type is an error
 * (the pointer is to zeroed scratch memory). */
WREN_API void* wrenGetSlotForeign(WrenVM* vm, int slot);

/* The String in [slot], NUL-terminated; another type is an error (""). */
WREN_API const char* wrenGetSlotString(WrenVM* vm, int slot);

/* A handle that keeps the value in [slot] alive until released. */
WREN_API WrenHandle* wrenGetSlotHandle(WrenVM* vm, int slot);

WREN_API void wrenSetSlotBool(WrenVM* vm, int slot, bool value);

/* A new String of [length] bytes copied from [bytes] (NUL bytes allowed). */
WREN_API void wrenSetSlotBytes(WrenVM* vm, int slot, const char* bytes,
                               size_t length);

WREN_API void wrenSetSlotDouble(WrenVM* vm, int slot, double value);

/* A new instance of the foreign class in [classSlot] with [size] zeroed bytes,
 * stored in [slot]; returns its bytes (valid as for getters). The constructor
 * does not run: call it from Wren to get one. A [classSlot] that holds no
 * foreign class, or a [size] the heap cannot hold, is an error (the pointer
 * is to zeroed scratch memory of [size] bytes, or NULL when even that cannot
 * be had). The bytes are part of the heap, and so of a snapshot. */
WREN_API void* wrenSetSlotNewForeign(WrenVM* vm, int slot, int classSlot,
                                     size_t size);

WREN_API void wrenSetSlotNewList(WrenVM* vm, int slot);

WREN_API void wrenSetSlotNewMap(WrenVM* vm, int slot);

WREN_API void wrenSetSlotNull(WrenVM* vm, int slot);

/* A new String copied from the NUL-terminated [text]. */
WREN_API void wrenSetSlotString(WrenVM* vm, int slot, const char* text);

/* The value [handle] holds (a call handle holds its method's stub function).
 * The handle stays alive. */
WREN_API void wrenSetSlotHandle(WrenVM* vm, int slot, WrenHandle* handle);

/* Lists. An [index] below 0 counts from the end (-1 is the last element).
 * An index out of bounds is an error. */
WREN_API int wrenGetListCount(WrenVM* vm, int slot);

WREN_API void wrenGetListElement(WrenVM* vm, int listSlot, int index,
                                 int elementSlot);

WREN_API void wrenSetListElement(WrenVM* vm, int listSlot, int index,
                                 int elementSlot);

/* Inserts before [index]; -1 appends (one past the end is allowed). */
WREN_API void wrenInsertInList(WrenVM* vm, int listSlot, int index,
                               int elementSlot);

/* Maps. Keys must be value types (null, Bool, Num, String, Range, Class):
 * another key is the error "Key must be a value type.", as in Wren. */
WREN_API int wrenGetMapCount(WrenVM* vm, int slot);

WREN_API bool wrenGetMapContainsKey(WrenVM* vm, int mapSlot, int keySlot);

/* The value for the key, or null when there is none. */
WREN_API void wrenGetMapValue(WrenVM* vm, int mapSlot, int keySlot,
                              int valueSlot);

WREN_API void wrenSetMapValue(WrenVM* vm, int mapSlot, int keySlot,
                              int valueSlot);

/* Removes the key; its value (or null) goes to [removedValueSlot]. */
WREN_API void wrenRemoveMapValue(WrenVM* vm, int mapSlot, int keySlot,
                                 int removedValueSlot);

/* The value of top-level variable [name] of the loaded module [module]
 * (null while it is declared but not yet assigned). A module that is not
 * loaded, or a name it does not have, is an error (the slot gets null). */
WREN_API void wrenGetVariable(WrenVM* vm, const char* module,
                              const char* name, int slot);

/* Whether the loaded module [module] has a top-level variable [name]
 * (false for a module that is not loaded). */
WREN_API bool wrenHasVariable(WrenVM* vm, const char* module, const char* name);

/* Whether a module of that name has been loaded (imported or interpreted). */
WREN_API bool wrenHasModule(WrenVM* vm, const char* module);

/* From a foreign method: makes the running fiber fail with the value in
 * [slot] as its error once the method returns (null: no error). Anywhere else
 * it is an error. */
WREN_API void wrenAbortFiber(WrenVM* vm, int slot);

WREN_API void* wrenGetUserData(WrenVM* vm);

WREN_API void wrenSetUserData(WrenVM* vm, void* userData);

#ifdef __cplusplus
}
#endif

#endif
