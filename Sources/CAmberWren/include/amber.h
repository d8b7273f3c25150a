/*
 * amber.h: what libAmberWren adds to Wren's C API: snapshots.
 *
 * A VM's whole state (heap, modules, classes, fibers, foreign instances' bytes)
 * can be written to an image between calls and a new VM built from the image,
 * in this process or another, any number of times. See ARCHITECTURE.md,
 * "Embedding", and the "Snapshot and restore" part of README.md.
 */
#ifndef amber_h
#define amber_h

#include <stdbool.h>
#include <stddef.h>

#include "wren.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes [vm] to an image file at [path] (a temporary file beside it, renamed
 * when complete, mode 0600). Call it between calls: from a foreign method or
 * a callback it fails. Handles are not part of an image. Returns true on
 * success; on failure false, with the reason in [error] (at most [errorSize]
 * bytes, NUL-terminated; [error] may be NULL). */
bool amberSnapshot(WrenVM* vm, const char* path, char* error, size_t errorSize);

/* A new VM from the image at [path], with [config]'s callbacks and userData
 * (NULL: the defaults). Every foreign method and foreign class the image uses
 * is asked of config->bindForeignMethodFn and config->bindForeignClassFn again,
 * by module, class name, static-ness and signature, as when the classes were
 * defined. If any is missing, or the image cannot be read, returns NULL and
 * [error] says why, naming every missing binding. The image file is only
 * read; many VMs may be restored from it, at once. */
WrenVM* amberRestore(WrenConfiguration* config, const char* path,
                     char* error, size_t errorSize);

#ifdef __cplusplus
}
#endif

#endif
