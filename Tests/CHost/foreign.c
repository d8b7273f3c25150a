// Foreign methods and foreign classes: what the binders are asked, allocate
// with the constructor's arguments, finalize, and the errors of each.
#include "host.h"

static char asked[8192];

static void noteAsked(const char* what)
{
  strncat(asked, what, sizeof(asked) - strlen(asked) - 1);
  strncat(asked, "\n", sizeof(asked) - strlen(asked) - 1);
}

// Host.add(_,_) and Host.greet(_): static methods.
static void hostAdd(WrenVM* vm)
{
  CHECK(wrenGetSlotCount(vm) == 3);
  wrenSetSlotDouble(vm, 0, wrenGetSlotDouble(vm, 1) + wrenGetSlotDouble(vm, 2));
}

static void hostGreet(WrenVM* vm)
{
  char text[256];
  snprintf(text, sizeof(text), "Hello, %s!", wrenGetSlotString(vm, 1));
  wrenSetSlotString(vm, 0, text);
}

// Vec: two doubles in the instance's bytes.
static void vecAllocate(WrenVM* vm)
{
  // Slot 0 is the class, then the constructor's arguments.
  CHECK(wrenGetSlotCount(vm) == 3);
  CHECK(wrenGetSlotType(vm, 0) == WREN_TYPE_UNKNOWN);
  double* v = wrenSetSlotNewForeign(vm, 0, 0, 2 * sizeof(double));
  v[0] = wrenGetSlotDouble(vm, 1);
  v[1] = wrenGetSlotDouble(vm, 2);
}

static void vecX(WrenVM* vm) { wrenSetSlotDouble(vm, 0, ((double*)wrenGetSlotForeign(vm, 0))[0]); }
static void vecY(WrenVM* vm) { wrenSetSlotDouble(vm, 0, ((double*)wrenGetSlotForeign(vm, 0))[1]); }

static void vecPlus(WrenVM* vm)
{
  double* a = wrenGetSlotForeign(vm, 0);
  double* b = wrenGetSlotForeign(vm, 1);
  double sum[2] = { a[0] + b[0], a[1] + b[1] };
  // A new instance of the receiver's class: the class comes from the module.
  wrenEnsureSlots(vm, 3);
  wrenGetVariable(vm, "main", "Vec", 2);
  double* v = wrenSetSlotNewForeign(vm, 0, 2, 2 * sizeof(double));
  v[0] = sum[0];
  v[1] = sum[1];
}

static void vecScale(WrenVM* vm)
{
  double* v = wrenGetSlotForeign(vm, 0);
  double k = wrenGetSlotDouble(vm, 1);
  v[0] *= k;
  v[1] *= k;
  // A setter's result is what it returns: leave the argument.
  wrenSetSlotDouble(vm, 0, k);
}

static void vecSubscript(WrenVM* vm)
{
  double* v = wrenGetSlotForeign(vm, 0);
  wrenSetSlotDouble(vm, 0, v[(int)wrenGetSlotDouble(vm, 1) & 1]);
}

static void vecToString(WrenVM* vm)
{
  double* v = wrenGetSlotForeign(vm, 0);
  char text[128];
  snprintf(text, sizeof(text), "(%g, %g)", v[0], v[1]);
  wrenSetSlotString(vm, 0, text);
}

// Res: finalized instances are counted, and must hold what allocate wrote.
static int finalized = 0;
static int badFinalize = 0;

static void resAllocate(WrenVM* vm)
{
  int* magic = wrenSetSlotNewForeign(vm, 0, 0, sizeof(int));
  *magic = 0xC0FFEE;
}

static void resFinalize(void* data)
{
  if (*(int*)data != 0xC0FFEE) badFinalize++;
  finalized++;
}

static void resFinalized(WrenVM* vm) { wrenSetSlotDouble(vm, 0, finalized); }

// Lazy's allocate forgets to make an instance; Grumpy's refuses.
static void lazyAllocate(WrenVM* vm) { (void)vm; }

static void grumpyAllocate(WrenVM* vm)
{
  wrenSetSlotString(vm, 0, "no instances today");
  wrenAbortFiber(vm, 0);
}

// Shape.area in the module "geometry", which the host loads.
static void shapeArea(WrenVM* vm) { wrenSetSlotDouble(vm, 0, 12); }

// Process.allArguments of the host's own module "os", as Wren's CLI has one:
// a built-in module of the same name must not take the binding over.
static void hostAllArguments(WrenVM* vm)
{
  wrenEnsureSlots(vm, 2);
  wrenSetSlotNewList(vm, 0);
  wrenSetSlotString(vm, 1, "from the host");
  wrenInsertInList(vm, 0, -1, 1);
}

static WrenForeignMethodFn bindMethod(WrenVM* vm, const char* module, const char* className, bool isStatic,
                                      const char* signature)
{
  (void)vm;
  char what[512];
  snprintf(what, sizeof(what), "method %s %s%s.%s", module, isStatic ? "static " : "", className, signature);
  noteAsked(what);
  if (strcmp(module, "main") == 0 && strcmp(className, "Host") == 0 && isStatic)
  {
    if (strcmp(signature, "add(_,_)") == 0) return hostAdd;
    if (strcmp(signature, "greet(_)") == 0) return hostGreet;
  }
  if (strcmp(module, "main") == 0 && strcmp(className, "Vec") == 0 && !isStatic)
  {
    if (strcmp(signature, "x") == 0) return vecX;
    if (strcmp(signature, "y") == 0) return vecY;
    if (strcmp(signature, "+(_)") == 0) return vecPlus;
    if (strcmp(signature, "scale=(_)") == 0) return vecScale;
    if (strcmp(signature, "[_]") == 0) return vecSubscript;
    if (strcmp(signature, "toString") == 0) return vecToString;
  }
  if (strcmp(className, "Res") == 0 && strcmp(signature, "finalized") == 0 && isStatic) return resFinalized;
  if (strcmp(module, "geometry") == 0 && strcmp(signature, "area") == 0) return shapeArea;
  if (strcmp(module, "os") == 0 && strcmp(className, "Process") == 0 && isStatic
      && strcmp(signature, "allArguments") == 0) return hostAllArguments;
  return NULL;
}

static WrenForeignClassMethods bindClass(WrenVM* vm, const char* module, const char* className)
{
  (void)vm;
  char what[512];
  snprintf(what, sizeof(what), "class %s %s", module, className);
  noteAsked(what);
  WrenForeignClassMethods methods = { NULL, NULL };
  if (strcmp(className, "Vec") == 0) methods.allocate = vecAllocate;
  if (strcmp(className, "Res") == 0) { methods.allocate = resAllocate; methods.finalize = resFinalize; }
  if (strcmp(className, "Lazy") == 0) methods.allocate = lazyAllocate;
  if (strcmp(className, "Grumpy") == 0) methods.allocate = grumpyAllocate;
  if (strcmp(className, "Shape") == 0) methods.allocate = resAllocate;
  return methods;
}

static WrenLoadModuleResult loadModule(WrenVM* vm, const char* name)
{
  (void)vm;
  WrenLoadModuleResult result = {0};
  if (strcmp(name, "geometry") == 0)
  {
    result.source = "foreign class Shape {\n  construct new() {}\n  foreign area\n}\n";
  }
  if (strcmp(name, "os") == 0)
  {
    result.source = "class Process {\n  foreign static allArguments\n}\n";
  }
  return result;
}

int main(void)
{
  WrenConfiguration config = recordingConfig();
  config.bindForeignMethodFn = bindMethod;
  config.bindForeignClassFn = bindClass;
  config.loadModuleFn = loadModule;
  WrenVM* vm = wrenNewVM(&config);

  resetRecords();
  CHECK(wrenInterpret(vm, "main",
      "class Host {\n"
      "  foreign static add(a, b)\n"
      "  foreign static greet(name)\n"
      "}\n"
      "foreign class Vec {\n"
      "  construct new(x, y) {}\n"
      "  foreign x\n"
      "  foreign y\n"
      "  foreign +(other)\n"
      "  foreign scale=(k)\n"
      "  foreign [i]\n"
      "  foreign toString\n"
      "}\n"
      "System.print(Host.add(2, 3))\n"
      "System.print(Host.greet(\"Wren\"))\n"
      "var v = Vec.new(1, 2) + Vec.new(10, 20)\n"
      "System.print(v)\n"
      "System.print([v.x, v.y, v[0], v[1]])\n"
      "System.print(v.scale = 2)\n"
      "System.print(v)\n"
      "System.print(v is Vec)\n") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "5\nHello, Wren!\n(11, 22)\n[11, 22, 11, 22]\n2\n(22, 44)\ntrue\n");
  CHECK_STR(errors, "");
  CHECK_STR(asked,
      "method main static Host.add(_,_)\n"
      "method main static Host.greet(_)\n"
      "class main Vec\n"
      "method main Vec.x\n"
      "method main Vec.y\n"
      "method main Vec.+(_)\n"
      "method main Vec.scale=(_)\n"
      "method main Vec.[_]\n"
      "method main Vec.toString\n");

  // Foreign classes from a module the host loads are asked with that module's name.
  resetRecords();
  asked[0] = '\0';
  CHECK(wrenInterpret(vm, "main", "import \"geometry\" for Shape\nSystem.print(Shape.new().area)") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "12\n");
  CHECK_STR(asked, "class geometry Shape\nmethod geometry Shape.area\n");

  // Finalizers run when instances die, with the bytes allocate wrote.
  resetRecords();
  CHECK(wrenInterpret(vm, "main",
      "foreign class Res {\n"
      "  construct new() {}\n"
      "  foreign static finalized\n"
      "}\n"
      "var keep = [Res.new(), Res.new(), Res.new()]\n"
      "System.gc()\n"
      "System.print(Res.finalized)\n"
      "keep.removeAt(0)\n"
      "System.gc()\n"
      "System.print(Res.finalized)\n") == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "0\n1\n");
  // Between calls, wrenCollectGarbage collects at once.
  CHECK(wrenInterpret(vm, "main", "keep.clear()") == WREN_RESULT_SUCCESS);
  wrenCollectGarbage(vm);
  CHECK(finalized == 3);

  // The errors of binding and allocating.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "class Nope {\n  foreign static missing(x)\n}\n") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_STR(errors, "runtime - -1 Could not find foreign method 'missing(_)' for class Nope in module 'main'.\n"
                    "trace main 2 (script)\n");
  resetRecords();
  CHECK(wrenInterpret(vm, "main",
      "foreign class Lazy { construct new() {} }\n"
      "foreign class Grumpy { construct new() {} }\n"
      "foreign class Unbound { construct new() {} }\n"
      "System.print(Fiber.new { Lazy.new() }.try())\n"
      "System.print(Fiber.new { Grumpy.new() }.try())\n"
      "System.print(Fiber.new { Unbound.new() }.try())\n") == WREN_RESULT_SUCCESS);
  CHECK_STR(output,
      "Foreign class 'Lazy': its allocate function did not create an instance (it must call wrenSetSlotNewForeign).\n"
      "no instances today\n"
      "Class 'Unbound' has no foreign allocator.\n");
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "class Sub is Vec {}") == WREN_RESULT_RUNTIME_ERROR);
  CHECK_CONTAINS(errors, "Class 'Sub' cannot inherit from foreign class 'Vec'.");

  // The host's "os" module and its binding, not Amber's built-in module of that name.
  resetRecords();
  CHECK(wrenInterpret(vm, "main", "import \"os\" for Process\nSystem.print(Process.allArguments)\n")
        == WREN_RESULT_SUCCESS);
  CHECK_STR(output, "[from the host]\n");
  CHECK_STR(errors, "");

  // Freeing the VM finalizes what is still alive.
  CHECK(wrenInterpret(vm, "main", "keep.add(Res.new())\nkeep.add(Res.new())") == WREN_RESULT_SUCCESS);
  int before = finalized;
  wrenFreeVM(vm);
  CHECK(finalized == before + 2);
  CHECK(badFinalize == 0);
  return finish();
}
