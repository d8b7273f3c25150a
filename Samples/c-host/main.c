// A C host on libAmberWren: a foreign class whose bytes live in the VM, a
// script called every "frame" through a call handle, and a snapshot that a
// second run resumes from (see README.md for the two commands).
//
//   c-host            play 3 frames from a cold start, write c-host.img
//   c-host resume     restore c-host.img and play 3 more frames
#include <stdio.h>
#include <string.h>

#include "wren.h"
#include "amber.h"

// Ship: position and speed, in the instance's bytes (so in the image).
typedef struct { double x, speed; } Ship;

static void shipAllocate(WrenVM* vm)
{
  Ship* ship = wrenSetSlotNewForeign(vm, 0, 0, sizeof(Ship));
  ship->x = 0;
  ship->speed = wrenGetSlotDouble(vm, 1);
}

static void shipMove(WrenVM* vm)
{
  Ship* ship = wrenGetSlotForeign(vm, 0);
  ship->x += ship->speed * wrenGetSlotDouble(vm, 1);
  wrenSetSlotDouble(vm, 0, ship->x);
}

static WrenForeignMethodFn bindMethod(WrenVM* vm, const char* module, const char* className,
                                      bool isStatic, const char* signature)
{
  (void)vm;
  if (strcmp(module, "main") == 0 && strcmp(className, "Ship") == 0 && !isStatic &&
      strcmp(signature, "move(_)") == 0) return shipMove;
  return NULL;
}

static WrenForeignClassMethods bindClass(WrenVM* vm, const char* module, const char* className)
{
  (void)vm;
  WrenForeignClassMethods methods = { NULL, NULL };
  if (strcmp(module, "main") == 0 && strcmp(className, "Ship") == 0) methods.allocate = shipAllocate;
  return methods;
}

static void writeText(WrenVM* vm, const char* text) { (void)vm; fputs(text, stdout); }

static void reportError(WrenVM* vm, WrenErrorType type, const char* module, int line, const char* message)
{
  (void)vm;
  if (type == WREN_ERROR_RUNTIME) fprintf(stderr, "%s\n", message);
  else fprintf(stderr, "[%s line %d] %s%s\n", module, line, type == WREN_ERROR_STACK_TRACE ? "in " : "", message);
}

static const char* script =
  "foreign class Ship {\n"
  "  construct new(speed) {}\n"
  "  foreign move(dt)\n"
  "}\n"
  "class Game {\n"
  "  static start() {\n"
  "    __ship = Ship.new(2.5)\n"
  "    __frame = 0\n"
  "  }\n"
  "  static frame(dt) {\n"
  "    __frame = __frame + 1\n"
  "    System.print(\"frame %(__frame): ship at %(__ship.move(dt))\")\n"
  "  }\n"
  "}\n"
  "Game.start()\n";

// Calls Game.frame(dt) through a call handle made once.
static void play(WrenVM* vm, int frames)
{
  WrenHandle* frame = wrenMakeCallHandle(vm, "frame(_)");
  wrenEnsureSlots(vm, 1);
  wrenGetVariable(vm, "main", "Game", 0);
  WrenHandle* game = wrenGetSlotHandle(vm, 0);
  for (int i = 0; i < frames; i++)
  {
    wrenEnsureSlots(vm, 2);
    wrenSetSlotHandle(vm, 0, game);
    wrenSetSlotDouble(vm, 1, 0.5);
    if (wrenCall(vm, frame) != WREN_RESULT_SUCCESS) break;
  }
  wrenReleaseHandle(vm, game);
  wrenReleaseHandle(vm, frame);
}

int main(int argc, const char* argv[])
{
  WrenConfiguration config;
  wrenInitConfiguration(&config);
  config.bindForeignMethodFn = bindMethod;
  config.bindForeignClassFn = bindClass;
  config.writeFn = writeText;
  config.errorFn = reportError;
  char error[1024];

  if (argc > 1 && strcmp(argv[1], "resume") == 0)
  {
    WrenVM* vm = amberRestore(&config, "c-host.img", error, sizeof(error));
    if (vm == NULL) { fprintf(stderr, "%s\n", error); return 1; }
    play(vm, 3);
    wrenFreeVM(vm);
    return 0;
  }

  WrenVM* vm = wrenNewVM(&config);
  if (wrenInterpret(vm, "main", script) != WREN_RESULT_SUCCESS) return 1;
  play(vm, 3);
  if (!amberSnapshot(vm, "c-host.img", error, sizeof(error))) { fprintf(stderr, "%s\n", error); return 1; }
  printf("wrote c-host.img\n");
  wrenFreeVM(vm);
  return 0;
}
