// wrenInterpret, writeFn, errorFn, modules (resolveModuleFn, loadModuleFn
// with onComplete), configuration defaults, user data and the version.
#include "host.h"

static int loads = 0;
static int completions = 0;
static int resolves = 0;

static void loadComplete(WrenVM* vm, const char* name, WrenLoadModuleResult result)
{
  (void)vm;
  // The source is still ours, unchanged, and the name is the resolved one.
  if (strcmp(name, "lib/util") == 0 && result.userData == (void*)&loads) completions++;
  free((void*)result.source);
}

static WrenLoadModuleResult loadModule(WrenVM* vm, const char* name)
{
  (void)vm;
  WrenLoadModuleResult result = {0};
  loads++;
  if (strcmp(name, "lib/util") == 0)
  {
    const char* text = "var Answer = 42\nclass Util { static twice(x) { x * 2 } }\n";
    char* source = malloc(strlen(text) + 1);
    strcpy(source, text);
    result.source = source;
    result.onComplete = loadComplete;
    result.userData = &loads;
  }
  else if (strcmp(name, "lib/broken") == 0)
  {
    result.source = "var = 1\n";
  }
  return result;
}

// "util" from any module means "lib/util"; "nowhere" cannot be resolved;
// anything else is passed through unchanged (the very same pointer).
static const char* resolveModule(WrenVM* vm, const char* importer, const char* name)
{
  (void)vm; (void)importer;
  resolves++;
  if (strcmp(name, "nowhere") == 0) return NULL;
  if (strcmp(name, "util") == 0 || strcmp(name, "broken") == 0)
  {
    char* resolved = malloc(64);
    snprintf(resolved, 64, "lib/%s", name);
    return resolved;   // freed by the VM
  }
  return name;
}

int main(void)
{
  CHECK(wrenGetVersionNumber() == 4000);
  CHECK(WREN_VERSION_NUMBER == 4000);

  WrenConfiguration defaults;
  memset(&defaults, 0xff, sizeof(defaults));
  wrenInitConfiguration(&defaults);
  CHECK(defaults.reallocateFn == NULL && defaults.resolveModuleFn == NULL && defaults.loadModuleFn == NULL);
  CHECK(defaults.bindForeignMethodFn == NULL && defaults.bindForeignClassFn == NULL);
  CHECK(defaults.writeFn == NULL && defaults.errorFn == NULL && defaults.userData == NULL);
  CHECK(defaults.initialHeapSize == 0 && defaults.minHeapSize == 0 && defaults.heapGrowthPercent == 0);

  // A VM with no configuration runs code and drops its output.
  WrenVM* bare = wrenNewVM(NULL);
  CHECK(bare != NULL);
  CHECK(wrenInterpret(bare, "main", "System.print(1 + 2)") == WREN_RESULT_SUCCESS);
  wrenFreeVM(bare);

  WrenConfiguration config = recordingConfig();
  config.loadModuleFn = loadModule;
  config.resolveModuleFn = resolveModule;
  int data = 7;
  config.userData = &data;
  WrenVM* vm = wrenNewVM(&config);
  CHECK(wrenGetUserData(vm) == &data);
  int other = 8;
  wrenSetUserData(vm, &other);
  CHECK(wrenGetUserData(vm) == &other);

  // Output, piece by piece as the script writes it.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "System.write(\"a\")\nSystem.print([1, \"b\", null])\nvar x = 3") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "a[1, b, null]\n");
  CHECK(errorCount == 0);
  CHECK(wrenHasModule(vm, "main"));
  CHECK(wrenHasVariable(vm, "main", "x"));
  CHECK(!wrenHasVariable(vm, "main", "y"));
  CHECK(!wrenHasModule(vm, "nothing"));

  // Compile errors: one report each, module and line apart from the message.
  resetRecords();
  CHECK(wrenInterpret(vm, "bad", "var a = 1\nvar b = )\nvar c = (\n") == WREN_RESULT_COMPILE_ERROR);
  CHECK_STR(errors, "compile bad 2 Error at ')': Expected expression.\n"
                    "compile bad 3 Error at newline: Expected expression.\n"
                    "compile bad 4 Error at end of file: Expect ')' after expression.\n");

  // A runtime error: the message, then the trace, innermost first.
  resetRecords();
  CHECK(wrenInterpret(vm, "main",
      "class Game {\n"
      "  static run() { step(2) }\n"
      "  static step(n) {\n"
      "    Fiber.abort(\"boom %(n)\")\n"
      "  }\n"
      "}\n"
      "Game.run()\n") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 boom 2\n"
                    "trace main 4 step(_)\n"
                    "trace main 2 run()\n"
                    "trace main 7 (script)\n");

  // An error that is not a string is reported as Wren reports it.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "Fiber.abort(123)") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 [error object]\ntrace main 1 (script)\n");

  // A caught error is not reported.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "System.print(Fiber.new { Fiber.abort(\"x\") }.try())") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "x\n");
  CHECK(errorCount == 0);

  // Modules: resolved, loaded once, completed once, then shared.
  resetRecords();
  CHECK(wrenInterpret(vm, "main",
      "import \"util\" for Util, Answer\n"
      "import \"lib/util\" for Util as U2\n"
      "System.print(Util.twice(Answer))\n"
      "System.print(Util == U2)\n") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "84\ntrue\n");
  CHECK(loads == 1);
  CHECK(completions == 1);
  CHECK(resolves == 2);
  CHECK(wrenHasModule(vm, "lib/util"));
  CHECK(wrenHasVariable(vm, "lib/util", "Answer"));

  // Wren's own optional modules come after the host's.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "import \"random\" for Random\nSystem.print(Random.new(1).int(10) < 10)") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "true\n");

  // A name the resolver refuses, a module nobody has, a module that does not compile.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "import \"nowhere\"") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 Could not resolve module 'nowhere' imported from 'main'.\ntrace main 1 (script)\n");
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "import \"io\"") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 Could not load module 'io'.\ntrace main 1 (script)\n");
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "import \"broken\"") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "compile lib/broken 1 Error at '=': Expect variable name.\n"
                    "compile lib/broken 1 Error at '1': Expect end of file.\n"
                    "runtime - -1 Could not compile module 'lib/broken'.\n"
                    "trace main 1 (script)\n");

  // Collecting between calls is allowed at any time.
  wrenCollectGarbage(vm);
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "System.print(x)") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "3\n");

  // A NULL source is an error, reported, not a crash.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", NULL) == WREN_RESULT_COMPILE_ERROR);
  CHECK_CONTAINS(errors, "wrenInterpret: the source is NULL.");

  wrenFreeVM(vm);
  return finish();
}
