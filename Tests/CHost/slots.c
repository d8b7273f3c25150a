// Slots of every type (in foreign methods and between calls), lists, maps,
// handles across collections, call handles, variables, wrenAbortFiber, and
// the errors wren.h promises where Wren's behaviour is undefined.
#include "host.h"

static WrenHandle* kept = NULL;

// Api.types(_,_,_,_,_,_,_,_): the type of each argument, as a string.
static void apiTypes(WrenVM* vm)
{
  static const char* names[] = { "bool", "num", "foreign", "list", "map", "null", "string", "unknown" };
  char text[256] = "";
  for (int i = 1; i < wrenGetSlotCount(vm); i++)
  {
    strcat(text, names[wrenGetSlotType(vm, i)]);
    if (i + 1 < wrenGetSlotCount(vm)) strcat(text, " ");
  }
  wrenSetSlotString(vm, 0, text);
}

// Api.scalars(_,_,_,_): reads a Bool, a Num, bytes with NULs and a String,
// and returns a list made of them through new slots.
static void apiScalars(WrenVM* vm)
{
  bool b = wrenGetSlotBool(vm, 1);
  double d = wrenGetSlotDouble(vm, 2);
  int length = -1;
  const char* bytes = wrenGetSlotBytes(vm, 3, &length);
  CHECK(length == 5 && memcmp(bytes, "a\0b\0c", 5) == 0 && bytes[5] == '\0');
  CHECK_STR(wrenGetSlotString(vm, 4), "text");

  wrenEnsureSlots(vm, 8);
  CHECK(wrenGetSlotCount(vm) == 8);
  CHECK(wrenGetSlotType(vm, 7) == WREN_TYPE_NULL);
  wrenSetSlotNewList(vm, 5);
  wrenSetSlotBool(vm, 6, !b);
  wrenInsertInList(vm, 5, -1, 6);
  wrenSetSlotDouble(vm, 6, d * 2);
  wrenInsertInList(vm, 5, -1, 6);
  wrenSetSlotBytes(vm, 6, "x\0y", 3);
  wrenInsertInList(vm, 5, -1, 6);
  wrenSetSlotString(vm, 6, "str");
  wrenInsertInList(vm, 5, 0, 6);
  wrenSetSlotNull(vm, 6);
  wrenInsertInList(vm, 5, -1, 6);
  // The receiver is still in slot 0 until it is replaced.
  CHECK(wrenGetSlotType(vm, 0) == WREN_TYPE_UNKNOWN);
  wrenSetSlotHandle(vm, 0, kept);
  CHECK(wrenGetSlotType(vm, 0) == WREN_TYPE_LIST);
  // Move the list into the result slot with a handle.
  WrenHandle* list = wrenGetSlotHandle(vm, 5);
  wrenSetSlotHandle(vm, 0, list);
  wrenReleaseHandle(vm, list);
}

// Api.lists(_): element access with negative indexes, and a new list.
static void apiLists(WrenVM* vm)
{
  wrenEnsureSlots(vm, 4);
  CHECK(wrenGetListCount(vm, 1) == 3);
  wrenGetListElement(vm, 1, -1, 2);           // last
  CHECK(wrenGetSlotDouble(vm, 2) == 30);
  wrenSetSlotDouble(vm, 3, 99);
  wrenSetListElement(vm, 1, 0, 3);            // [99, 20, 30]
  wrenSetSlotDouble(vm, 3, 15);
  wrenInsertInList(vm, 1, -2, 3);             // [99, 20, 15, 30]
  wrenSetSlotDouble(vm, 3, 1);
  wrenInsertInList(vm, 1, 4, 3);              // one past the end: [99, 20, 15, 30, 1]
  wrenGetListElement(vm, 1, 2, 0);            // 15 is the result
}

// Api.maps(_): reads and writes a map the script made, and a new one.
static void apiMaps(WrenVM* vm)
{
  wrenEnsureSlots(vm, 5);
  CHECK(wrenGetMapCount(vm, 1) == 2);
  wrenSetSlotString(vm, 2, "one");
  CHECK(wrenGetMapContainsKey(vm, 1, 2));
  wrenGetMapValue(vm, 1, 2, 3);
  CHECK(wrenGetSlotDouble(vm, 3) == 1);
  wrenSetSlotString(vm, 2, "none");
  CHECK(!wrenGetMapContainsKey(vm, 1, 2));
  wrenGetMapValue(vm, 1, 2, 3);
  CHECK(wrenGetSlotType(vm, 3) == WREN_TYPE_NULL);
  wrenSetSlotDouble(vm, 2, 2);
  wrenRemoveMapValue(vm, 1, 2, 3);            // the key 2
  CHECK_STR(wrenGetSlotString(vm, 3), "two");
  wrenRemoveMapValue(vm, 1, 2, 3);            // gone: null
  CHECK(wrenGetSlotType(vm, 3) == WREN_TYPE_NULL);
  wrenSetSlotNewMap(vm, 0);
  wrenSetSlotBool(vm, 2, true);
  wrenSetSlotString(vm, 3, "yes");
  wrenSetMapValue(vm, 0, 2, 3);
  wrenSetSlotNull(vm, 2);
  wrenSetSlotDouble(vm, 3, 0);
  wrenSetMapValue(vm, 0, 2, 3);
  CHECK(wrenGetMapCount(vm, 0) == 2);
}

// Api.variable(_): a module variable by name (and what Has* say).
static void apiVariable(WrenVM* vm)
{
  const char* name = wrenGetSlotString(vm, 1);
  CHECK(wrenHasVariable(vm, "main", name));
  CHECK(wrenHasModule(vm, "main"));
  wrenGetVariable(vm, "main", name, 0);
}

// Api.keep(_) / Api.kept: a handle that outlives the call and collections.
static void apiKeep(WrenVM* vm)
{
  if (kept) wrenReleaseHandle(vm, kept);
  kept = wrenGetSlotHandle(vm, 1);
}

static void apiKept(WrenVM* vm) { wrenSetSlotHandle(vm, 0, kept); }

static void apiAbort(WrenVM* vm) { wrenAbortFiber(vm, 1); }

// Misuses, each of which must abort the calling fiber with a message.
static void apiBadSlot(WrenVM* vm) { wrenSetSlotDouble(vm, 0, wrenGetSlotDouble(vm, 5)); }
static void apiNegativeSlot(WrenVM* vm) { wrenSetSlotNull(vm, -1); }
static void apiWrongType(WrenVM* vm) { wrenSetSlotDouble(vm, 0, wrenGetSlotDouble(vm, 1)); }
static void apiWrongForeign(WrenVM* vm)
{
  // Scratch memory, never the string's bytes.
  int* p = wrenGetSlotForeign(vm, 1);
  p[0] = 1;
  p[100] = 2;
}
static void apiWrongClass(WrenVM* vm)
{
  char* p = wrenSetSlotNewForeign(vm, 0, 1, 16);
  memset(p, 0x55, 16);
}
static void apiBadIndex(WrenVM* vm) { wrenGetListElement(vm, 1, 3, 0); }
static void apiBadKey(WrenVM* vm) { wrenSetMapValue(vm, 1, 2, 2); }
static void apiReleased(WrenVM* vm)
{
  WrenHandle* h = wrenGetSlotHandle(vm, 1);
  wrenReleaseHandle(vm, h);
  wrenSetSlotHandle(vm, 0, h);
}
static void apiNoVariable(WrenVM* vm) { wrenGetVariable(vm, "main", "Nothing", 0); }
static void apiNoModule(WrenVM* vm) { wrenGetVariable(vm, "elsewhere", "X", 0); }
static void apiReenter(WrenVM* vm)
{
  WrenHandle* call = wrenMakeCallHandle(vm, "toString");
  CHECK(wrenCall(vm, call) == WREN_RESULT_RUNTIME_ERROR);
  CHECK(wrenInterpret(vm, "main", "1") == WREN_RESULT_RUNTIME_ERROR);
  wrenReleaseHandle(vm, call);
}
static void apiTwoErrors(WrenVM* vm)
{
  // The first error wins; the second changes nothing.
  wrenGetSlotBool(vm, 9);
  wrenGetSlotBool(vm, 8);
}

static WrenForeignMethodFn bindMethod(WrenVM* vm, const char* module, const char* className, bool isStatic,
                                      const char* signature)
{
  (void)vm; (void)module; (void)className; (void)isStatic;
  static const struct { const char* signature; WrenForeignMethodFn fn; } table[] = {
    { "types(_,_,_,_,_,_,_,_)", apiTypes }, { "scalars(_,_,_,_)", apiScalars }, { "lists(_)", apiLists },
    { "maps(_)", apiMaps }, { "variable(_)", apiVariable }, { "keep(_)", apiKeep }, { "kept", apiKept },
    { "abort(_)", apiAbort }, { "badSlot()", apiBadSlot }, { "negativeSlot()", apiNegativeSlot },
    { "wrongType(_)", apiWrongType }, { "wrongForeign(_)", apiWrongForeign }, { "wrongClass(_)", apiWrongClass },
    { "badIndex(_)", apiBadIndex }, { "badKey(_,_)", apiBadKey }, { "released(_)", apiReleased },
    { "noVariable()", apiNoVariable }, { "noModule()", apiNoModule }, { "reenter()", apiReenter },
    { "twoErrors()", apiTwoErrors },
  };
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
  {
    if (strcmp(signature, table[i].signature) == 0) return table[i].fn;
  }
  return NULL;
}

static void thingAllocate(WrenVM* vm) { wrenSetSlotNewForeign(vm, 0, 0, 8); }

static WrenForeignClassMethods bindClass(WrenVM* vm, const char* module, const char* className)
{
  (void)vm; (void)module; (void)className;
  WrenForeignClassMethods methods = { thingAllocate, NULL };
  return methods;
}

static const char* script =
  "class Api {\n"
  "  foreign static types(a, b, c, d, e, f, g, h)\n"
  "  foreign static scalars(a, b, c, d)\n"
  "  foreign static lists(l)\n"
  "  foreign static maps(m)\n"
  "  foreign static variable(name)\n"
  "  foreign static keep(x)\n"
  "  foreign static kept\n"
  "  foreign static abort(e)\n"
  "  foreign static badSlot()\n"
  "  foreign static negativeSlot()\n"
  "  foreign static wrongType(x)\n"
  "  foreign static wrongForeign(x)\n"
  "  foreign static wrongClass(x)\n"
  "  foreign static badIndex(l)\n"
  "  foreign static badKey(m, k)\n"
  "  foreign static released(x)\n"
  "  foreign static noVariable()\n"
  "  foreign static noModule()\n"
  "  foreign static reenter()\n"
  "  foreign static twoErrors()\n"
  "}\n"
  "foreign class Thing { construct new() {} }\n"
  "class Calc {\n"
  "  construct new(n) { _n = n }\n"
  "  n { _n }\n"
  "  n=(v) { _n = v }\n"
  "  - { Calc.new(-_n) }\n"
  "  -(o) { _n - o }\n"
  "  [i] { _n * i }\n"
  "  [i, j]=(v) { _n = i + j + v }\n"
  "  add(a, b) { _n + a + b }\n"
  "  fail() { Fiber.abort(\"calc failed\") }\n"
  "  toString { \"Calc(%(_n))\" }\n"
  "}\n"
  "var Greeting = \"hello\"\n"
  "var Later\n"
  "System.print(Api.types(true, 1.5, Thing.new(), [], {}, null, \"s\", 1..2))\n"
  "Api.keep([\"kept\"])\n"
  "System.print(Api.scalars(true, 21, \"a\\0b\\0c\", \"text\").map { |e| e is String ? e.bytes.toList : e }.toList)\n"
  "var l = [10, 20, 30]\n"
  "System.print(Api.lists(l))\n"
  "System.print(l)\n"
  "var m = {\"one\": 1, 2: \"two\"}\n"
  "var made = Api.maps(m)\n"
  "System.print([m.count, made[true], made[null], made.count])\n"
  "System.print(Api.variable(\"Greeting\"))\n"
  "System.print(Api.variable(\"Later\"))\n"
  "System.print(Fiber.new { Api.abort(\"stop\") }.try())\n"
  "System.print(Fiber.new { Api.abort(42) }.try())\n"
  "System.print(Fiber.new { Api.abort(null) }.try())\n";

// Runs `call` in a fiber and prints what it aborted with.
static void expectAbort(WrenVM* vm, const char* call, const char* message)
{
  char source[512];
  snprintf(source, sizeof(source), "System.print(Fiber.new { %s }.try())", call);
  resetRecords();
  CHECK(wrenInterpret(vm, "main", source) == WREN_RESULT_SUCCESS);
  char expected[512];
  snprintf(expected, sizeof(expected), "%s\n", message);
  CHECK_STR(output, expected);
  CHECK_STR(errors, "");
}

int main(void)
{
  WrenConfiguration config = recordingConfig();
  config.bindForeignMethodFn = bindMethod;
  config.bindForeignClassFn = bindClass;
  WrenVM* vm = wrenNewVM(&config);

  resetRecords();
  CHECK(wrenInterpret(vm, "main", script) == WREN_RESULT_SUCCESS);
  CHECK_STR(output,
      "bool num foreign list map null string unknown\n"
      "[[115, 116, 114], false, 42, [120, 0, 121], null]\n"
      "15\n"
      "[99, 20, 15, 30, 1]\n"
      "[1, yes, 0, 2]\n"
      "hello\n"
      "null\n"
      "stop\n"
      "42\n"
      "Api\n");                            // a null error aborts nothing: the receiver is returned
  CHECK_STR(errors, "");

  // A handle keeps its value through collections, in and out of the VM.
  CHECK(wrenInterpret(vm, "main", "for (i in 1..2000) { [i, i.toString] }\nSystem.gc()") == WREN_RESULT_SUCCESS);
  wrenCollectGarbage(vm);
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "System.print(Api.kept)") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "[kept]\n");

  // Misuse inside foreign methods: the fiber is aborted with a message.
  expectAbort(vm, "Api.badSlot()", "wrenGetSlotDouble: slot 5 is out of range (there is 1 slot; wrenEnsureSlots makes more).");
  expectAbort(vm, "Api.negativeSlot()", "wrenSetSlotNull: slot -1 is out of range (there is 1 slot; wrenEnsureSlots makes more).");
  expectAbort(vm, "Api.wrongType(\"1\")", "wrenGetSlotDouble: slot 1 holds a String, not a Num.");
  expectAbort(vm, "Api.wrongForeign(\"bytes\")", "wrenGetSlotForeign: slot 1 holds a String, not an instance of a foreign class.");
  expectAbort(vm, "Api.wrongClass(Calc)", "wrenSetSlotNewForeign: slot 1 holds the class Calc, not a foreign class.");
  expectAbort(vm, "Api.badIndex([1, 2, 3])", "wrenGetListElement: index 3 is out of bounds (the list has 3 elements).");
  expectAbort(vm, "Api.badKey({}, [])", "Key must be a value type.");
  expectAbort(vm, "Api.released([1])", "wrenSetSlotHandle: the handle was released.");
  expectAbort(vm, "Api.noVariable()", "wrenGetVariable: module 'main' has no variable 'Nothing'.");
  expectAbort(vm, "Api.noModule()", "wrenGetVariable: module 'elsewhere' is not loaded.");
  expectAbort(vm, "Api.reenter()", "wrenCall: the VM is running (a foreign method or a callback is on the stack); "
                                   "Wren's C API does not allow running it again from there.");
  expectAbort(vm, "Api.twoErrors()", "wrenGetSlotBool: slot 9 is out of range (there is 1 slot; wrenEnsureSlots makes more).");
  // The string's bytes were not touched by the misused foreign pointer.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "var s = \"bytes\"\nFiber.new { Api.wrongForeign(s) }.try()\nSystem.print(s)") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "bytes\n");

  // Between calls: slots made by the host.
  CHECK(wrenGetSlotCount(vm) == 0);
  wrenEnsureSlots(vm, 4);
  CHECK(wrenGetSlotCount(vm) == 4);
  wrenSetSlotDouble(vm, 0, 1.25);
  wrenSetSlotString(vm, 1, "two");
  wrenSetSlotBool(vm, 2, true);
  wrenSetSlotNewList(vm, 3);
  CHECK(wrenGetSlotDouble(vm, 0) == 1.25);
  CHECK_STR(wrenGetSlotString(vm, 1), "two");
  CHECK(wrenGetSlotBool(vm, 2));
  CHECK(wrenGetSlotType(vm, 3) == WREN_TYPE_LIST);
  wrenInsertInList(vm, 3, 0, 1);
  CHECK(wrenGetListCount(vm, 3) == 1);
  wrenEnsureSlots(vm, 2);                      // never shrinks
  CHECK(wrenGetSlotCount(vm) == 4);

  // Slots hold their values through a collection that moves them (garbage
  // made before them is reclaimed, so they slide down the heap).
  CHECK(wrenInterpret(vm, "main", "for (i in 1..3000) { [i, i.toString] }") == WREN_RESULT_SUCCESS);
  wrenEnsureSlots(vm, 3);
  wrenSetSlotString(vm, 0, "survivor");
  wrenSetSlotNewList(vm, 1);
  wrenSetSlotDouble(vm, 2, 7);
  wrenInsertInList(vm, 1, 0, 2);
  wrenSetSlotString(vm, 2, "also");
  wrenInsertInList(vm, 1, -1, 2);
  const char* before = wrenGetSlotString(vm, 0);
  wrenCollectGarbage(vm);
  CHECK(wrenGetSlotString(vm, 0) != before);   // it moved
  CHECK_STR(wrenGetSlotString(vm, 0), "survivor");
  CHECK(wrenGetListCount(vm, 1) == 2);
  wrenGetListElement(vm, 1, -1, 2);
  CHECK_STR(wrenGetSlotString(vm, 2), "also");

  // Call handles: the receiver in slot 0, the arguments after it.
  WrenHandle* calcNew = wrenMakeCallHandle(vm, "new(_)");
  WrenHandle* add = wrenMakeCallHandle(vm, "add(_,_)");
  WrenHandle* getter = wrenMakeCallHandle(vm, "n");
  WrenHandle* setter = wrenMakeCallHandle(vm, "n=(_)");
  WrenHandle* negate = wrenMakeCallHandle(vm, "-");
  WrenHandle* minus = wrenMakeCallHandle(vm, "-(_)");
  WrenHandle* subscript = wrenMakeCallHandle(vm, "[_]");
  WrenHandle* subscriptSet = wrenMakeCallHandle(vm, "[_,_]=(_)");
  WrenHandle* fail = wrenMakeCallHandle(vm, "fail()");
  WrenHandle* toString = wrenMakeCallHandle(vm, "toString");

  wrenEnsureSlots(vm, 2);
  wrenGetVariable(vm, "main", "Calc", 0);
  wrenSetSlotDouble(vm, 1, 10);
  CHECK(wrenCall(vm, calcNew) == WREN_RESULT_SUCCESS);
  CHECK(wrenGetSlotCount(vm) == 1);
  WrenHandle* calc = wrenGetSlotHandle(vm, 0);

  // A value handle and a call handle used, then moved by a collection, then
  // used again: the library remembers a handle's value only until the next
  // collection, so the second use sees where the objects are now.
  CHECK(wrenInterpret(vm, "main", "var Junk = []\nfor (i in 1..3000) Junk.add([i])\n"
                                  "var Moving = \"moving value\"\nJunk = null") == WREN_RESULT_SUCCESS);
  WrenHandle* moverCount = wrenMakeCallHandle(vm, "count");
  wrenEnsureSlots(vm, 1);
  wrenGetVariable(vm, "main", "Moving", 0);
  WrenHandle* moving = wrenGetSlotHandle(vm, 0);
  const char* movingBefore = wrenGetSlotString(vm, 0);
  wrenSetSlotHandle(vm, 0, moving);
  CHECK(wrenCall(vm, moverCount) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 12);
  wrenCollectGarbage(vm);
  wrenEnsureSlots(vm, 1);
  wrenSetSlotHandle(vm, 0, moving);
  CHECK(wrenGetSlotString(vm, 0) != movingBefore);   // it moved
  CHECK_STR(wrenGetSlotString(vm, 0), "moving value");
  CHECK(wrenCall(vm, moverCount) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 12);
  wrenReleaseHandle(vm, moving);
  wrenReleaseHandle(vm, moverCount);

  wrenEnsureSlots(vm, 6);                      // extra slots are dropped by the call
  wrenSetSlotHandle(vm, 0, calc);
  wrenSetSlotDouble(vm, 1, 1);
  wrenSetSlotDouble(vm, 2, 2);
  CHECK(wrenCall(vm, add) == WREN_RESULT_SUCCESS);
  CHECK(wrenGetSlotCount(vm) == 1);
  CHECK(wrenGetSlotDouble(vm, 0) == 13);

  wrenEnsureSlots(vm, 2);
  wrenSetSlotHandle(vm, 0, calc);
  wrenSetSlotDouble(vm, 1, 5);
  CHECK(wrenCall(vm, setter) == WREN_RESULT_SUCCESS);
  wrenSetSlotHandle(vm, 0, calc);
  CHECK(wrenCall(vm, getter) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 5);
  wrenSetSlotHandle(vm, 0, calc);
  CHECK(wrenCall(vm, negate) == WREN_RESULT_SUCCESS);
  CHECK(wrenCall(vm, toString) == WREN_RESULT_SUCCESS);   // on the result, still in slot 0
  CHECK_STR(wrenGetSlotString(vm, 0), "Calc(-5)");
  wrenEnsureSlots(vm, 2);
  wrenSetSlotHandle(vm, 0, calc);
  wrenSetSlotDouble(vm, 1, 2);
  CHECK(wrenCall(vm, minus) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 3);
  wrenEnsureSlots(vm, 2);
  wrenSetSlotHandle(vm, 0, calc);
  wrenSetSlotDouble(vm, 1, 4);
  CHECK(wrenCall(vm, subscript) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 20);
  wrenEnsureSlots(vm, 4);
  wrenSetSlotHandle(vm, 0, calc);
  wrenSetSlotDouble(vm, 1, 1);
  wrenSetSlotDouble(vm, 2, 2);
  wrenSetSlotDouble(vm, 3, 3);
  CHECK(wrenCall(vm, subscriptSet) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 6);
  wrenSetSlotHandle(vm, 0, calc);
  CHECK(wrenCall(vm, getter) == WREN_RESULT_SUCCESS && wrenGetSlotDouble(vm, 0) == 6);

  // A call that fails reports the error and its trace, and leaves no slots.
  resetRecords();
  wrenSetSlotHandle(vm, 0, calc);
  CHECK(wrenCall(vm, fail) == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 calc failed\ntrace main 33 fail()\n");
  CHECK(wrenGetSlotCount(vm) == 0);
  // A method the receiver lacks.
  resetRecords();
  wrenEnsureSlots(vm, 1);
  wrenSetSlotDouble(vm, 0, 1);
  CHECK(wrenCall(vm, fail) == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 Num does not implement 'fail()'.\n");

  // Misuse between calls: reported through errorFn, nothing else happens.
  resetRecords();
  wrenEnsureSlots(vm, 1);
  CHECK(wrenGetSlotDouble(vm, 3) == 0);
  CHECK_STR(errors, "runtime - -1 wrenGetSlotDouble: slot 3 is out of range (there is 1 slot; wrenEnsureSlots makes more).\n");
  resetRecords();
  wrenSetSlotString(vm, 0, "text");
  CHECK(!wrenGetSlotBool(vm, 0));
  CHECK_STR(wrenGetSlotString(vm, 0), "text");
  int length = -1;
  CHECK(wrenGetSlotBytes(vm, 0, &length) != NULL && length == 4);
  CHECK(wrenGetListCount(vm, 0) == 0);
  CHECK_STR(errors, "runtime - -1 wrenGetSlotBool: slot 0 holds a String, not a Bool.\n"
                    "runtime - -1 wrenGetListCount: slot 0 holds a String, not a List.\n");
  resetRecords();
  CHECK(wrenCall(vm, add) == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 wrenCall: 'add(_,_)' needs the receiver and 2 arguments in slots 0 to 2; "
                    "1 slot is set up (wrenEnsureSlots).\n");
  resetRecords();
  wrenEnsureSlots(vm, 1);
  CHECK(wrenCall(vm, calc) == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 wrenCall: the handle is a value handle, not a call handle (make one with wrenMakeCallHandle).\n");
  resetRecords();
  wrenReleaseHandle(vm, calc);
  wrenSetSlotHandle(vm, 0, calc);
  CHECK(wrenCall(vm, NULL) == WREN_RESULT_RUNTIME_ERROR);
  wrenReleaseHandle(vm, calc);
  CHECK_STR(errors, "runtime - -1 wrenSetSlotHandle: the handle was released.\n"
                    "runtime - -1 wrenCall: the handle is NULL.\n"
                    "runtime - -1 wrenReleaseHandle: the handle was released.\n");
  resetRecords();
  CHECK(wrenMakeCallHandle(vm, "") == NULL);
  CHECK(wrenMakeCallHandle(vm, NULL) == NULL);
  wrenAbortFiber(vm, 0);
  CHECK_STR(errors, "runtime - -1 wrenMakeCallHandle: the signature is empty.\n"
                    "runtime - -1 wrenMakeCallHandle: the signature is NULL.\n"
                    "runtime - -1 wrenAbortFiber: no foreign method is running, so there is no fiber to abort.\n");

  // A handle of another VM is caught, not followed.
  WrenVM* other = wrenNewVM(&config);
  resetRecords();
  wrenEnsureSlots(other, 1);
  wrenSetSlotHandle(other, 0, toString);
  CHECK_STR(errors, "runtime - -1 wrenSetSlotHandle: the handle belongs to another VM (or to the VM this one was restored from).\n");
  wrenFreeVM(other);

  // wrenInterpret leaves no slots.
  CHECK(wrenInterpret(vm, "main", "1") == WREN_RESULT_SUCCESS);
  CHECK(wrenGetSlotCount(vm) == 0);

  WrenHandle* handles[] = { calcNew, add, getter, setter, negate, minus, subscript, subscriptSet, fail, toString, kept };
  for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) wrenReleaseHandle(vm, handles[i]);
  wrenFreeVM(vm);
  return finish();
}
