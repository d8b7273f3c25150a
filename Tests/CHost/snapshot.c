// amberSnapshot and amberRestore: an image written between calls (not from a
// foreign method), restored in another process with the host's binders asked
// again, refused with every missing binding named, and restored twice.
//
//   snapshot write IMAGE     build the game, play a little, write IMAGE
//   snapshot restore IMAGE   restore it (bindings missing, then twice) and play on
#include "host.h"

static int methodsAsked = 0;
static int classesAsked = 0;
static int finalized = 0;

// Counter: a foreign class holding a count in its bytes.
static void counterAllocate(WrenVM* vm)
{
  double* count = wrenSetSlotNewForeign(vm, 0, 0, sizeof(double));
  *count = wrenGetSlotDouble(vm, 1);
}

static void counterFinalize(void* data) { (void)data; finalized++; }

static void counterIncrement(WrenVM* vm)
{
  double* count = wrenGetSlotForeign(vm, 0);
  *count += 1;
  wrenSetSlotDouble(vm, 0, *count);
}

static void hostAdd(WrenVM* vm)
{
  wrenSetSlotDouble(vm, 0, wrenGetSlotDouble(vm, 1) + wrenGetSlotDouble(vm, 2));
}

// A snapshot from inside a foreign method must fail, and say why.
static char insideError[512];
static void hostSnapshotHere(WrenVM* vm)
{
  bool ok = amberSnapshot(vm, "/nonexistent/never-written.img", insideError, sizeof(insideError));
  wrenSetSlotBool(vm, 0, ok);
}

static WrenForeignMethodFn bindMethod(WrenVM* vm, const char* module, const char* className, bool isStatic,
                                      const char* signature)
{
  (void)vm;
  if (strcmp(module, "main") != 0) return NULL;
  methodsAsked++;
  if (strcmp(className, "Host") == 0 && isStatic && strcmp(signature, "add(_,_)") == 0) return hostAdd;
  if (strcmp(className, "Host") == 0 && isStatic && strcmp(signature, "snapshotHere()") == 0) return hostSnapshotHere;
  if (strcmp(className, "Counter") == 0 && !isStatic && strcmp(signature, "increment()") == 0) return counterIncrement;
  return NULL;
}

static WrenForeignClassMethods bindClass(WrenVM* vm, const char* module, const char* className)
{
  (void)vm;
  WrenForeignClassMethods methods = { NULL, NULL };
  classesAsked++;
  if (strcmp(module, "main") == 0 && strcmp(className, "Counter") == 0)
  {
    methods.allocate = counterAllocate;
    methods.finalize = counterFinalize;
  }
  return methods;
}

static const char* game =
  "class Host {\n"
  "  foreign static add(a, b)\n"
  "  foreign static snapshotHere()\n"
  "}\n"
  "foreign class Counter {\n"
  "  construct new(start) {}\n"
  "  foreign increment()\n"
  "}\n"
  "class Game {\n"
  "  static start() {\n"
  "    __counter = Counter.new(40)\n"
  "    __log = []\n"
  "  }\n"
  "  static tick(n) {\n"
  "    var c = __counter.increment()\n"
  "    __log.add(Host.add(c, n))\n"
  "    return __log\n"
  "  }\n"
  "}\n"
  "Game.start()\n";

static WrenConfiguration gameConfig(void* userData)
{
  WrenConfiguration config = recordingConfig();
  config.bindForeignMethodFn = bindMethod;
  config.bindForeignClassFn = bindClass;
  config.userData = userData;
  return config;
}

// Calls Game.tick(n) and returns the log as text.
static const char* tick(WrenVM* vm, double n)
{
  static char text[256];
  WrenHandle* tickHandle = wrenMakeCallHandle(vm, "tick(_)");
  wrenEnsureSlots(vm, 2);
  wrenGetVariable(vm, "main", "Game", 0);
  wrenSetSlotDouble(vm, 1, n);
  CHECK(wrenCall(vm, tickHandle) == WREN_RESULT_SUCCESS);
  wrenReleaseHandle(vm, tickHandle);
  // The log, joined by the VM.
  WrenHandle* join = wrenMakeCallHandle(vm, "join(_)");
  wrenEnsureSlots(vm, 2);
  wrenSetSlotString(vm, 1, ",");
  CHECK(wrenCall(vm, join) == WREN_RESULT_SUCCESS);
  snprintf(text, sizeof(text), "%s", wrenGetSlotString(vm, 0));
  wrenReleaseHandle(vm, join);
  return text;
}

static int writeImage(const char* path)
{
  WrenConfiguration config = gameConfig(NULL);
  WrenVM* vm = wrenNewVM(&config);
  CHECK(wrenInterpret(vm, "main", game) == WREN_RESULT_SUCCESS);
  CHECK_STR(tick(vm, 100), "141");
  CHECK_STR(tick(vm, 200), "141,242");

  // Not from a foreign method.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "System.print(Host.snapshotHere())") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "false\n");
  CHECK_CONTAINS(insideError, "amberSnapshot: the VM is running");

  // A failure names the reason; a small buffer gets a truncated, terminated message.
  char error[512];
  CHECK(!amberSnapshot(vm, "/nonexistent-directory/game.img", error, sizeof(error)));
  CHECK(strlen(error) > 0);
  char tiny[8];
  CHECK(!amberSnapshot(vm, "/nonexistent-directory/game.img", tiny, sizeof(tiny)));
  CHECK(strlen(tiny) == 7);

  // A handle held across the snapshot is fine (handles are not in the image).
  WrenHandle* held = wrenMakeCallHandle(vm, "tick(_)");
  CHECK(amberSnapshot(vm, path, error, sizeof(error)));
  CHECK_STR(error, "");
  // The writer goes on as if nothing happened.
  CHECK_STR(tick(vm, 300), "141,242,343");
  wrenReleaseHandle(vm, held);
  wrenFreeVM(vm);
  return finish();
}

static int restoreImage(const char* path)
{
  char error[2048];

  // Without bindings: refused, every missing one named.
  WrenConfiguration bare = recordingConfig();
  CHECK(amberRestore(&bare, path, error, sizeof(error)) == NULL);
  CHECK_CONTAINS(error, "needs 4 foreign bindings the host does not provide");
  CHECK_CONTAINS(error, "foreign method 'static Host.snapshotHere()' of module 'main'");
  CHECK_CONTAINS(error, "foreign method 'static Host.add(_,_)' of module 'main'");
  CHECK_CONTAINS(error, "foreign method 'Counter.increment()' of module 'main'");
  CHECK_CONTAINS(error, "foreign class 'Counter' of module 'main'");
  // Not an image at all.
  CHECK(amberRestore(&bare, "/nonexistent-directory/none.img", error, sizeof(error)) == NULL);
  CHECK(strlen(error) > 0);

  // With them: twice from one image, each VM on its own.
  int dataA = 1, dataB = 2;
  WrenConfiguration configA = gameConfig(&dataA);
  WrenConfiguration configB = gameConfig(&dataB);
  methodsAsked = classesAsked = 0;
  WrenVM* a = amberRestore(&configA, path, error, sizeof(error));
  CHECK(a != NULL);
  CHECK_STR(error, "");
  // Asked again for each binding the image uses (Host.snapshotHere is one too).
  CHECK(methodsAsked == 3);
  CHECK(classesAsked == 1);
  WrenVM* b = amberRestore(&configB, path, error, sizeof(error));
  CHECK(b != NULL);
  if (a == NULL || b == NULL) return finish();
  CHECK(wrenGetUserData(a) == &dataA);
  CHECK(wrenGetUserData(b) == &dataB);

  // The state at the snapshot, the counter's bytes included.
  CHECK_STR(tick(a, 300), "141,242,343");
  CHECK_STR(tick(a, 400), "141,242,343,444");
  CHECK_STR(tick(b, 1000), "141,242,1043");
  CHECK(wrenHasModule(a, "main") && wrenHasVariable(b, "main", "Game"));

  // Output and errors go to the new configuration's callbacks.
  resetRecords();
  CHECK(wrenInterpret(b, "main", "System.print(\"restored\")\nFiber.abort(\"late\")") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(output, "restored\n");
  CHECK_STR(errors, "runtime - -1 late\ntrace main 2 (script)\n");

  // New code defines new foreign classes in a restored VM as usual.
  resetRecords();
  CHECK(wrenInterpret(a, "main", "System.print(Counter.new(7).increment())") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "8\n");

  // Finalizers are the restoring host's: freeing each VM finalizes its counters.
  finalized = 0;
  wrenFreeVM(a);
  CHECK(finalized >= 1);
  int afterA = finalized;
  wrenFreeVM(b);
  CHECK(finalized == afterA + 1);
  return finish();
}

int main(int argc, const char* argv[])
{
  if (argc == 3 && strcmp(argv[1], "write") == 0) return writeImage(argv[2]);
  if (argc == 3 && strcmp(argv[1], "restore") == 0) return restoreImage(argv[2]);
  fprintf(stderr, "usage: snapshot write|restore IMAGE\n");
  return 64;
}
