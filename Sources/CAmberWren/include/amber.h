/*
 * amber.h: what libAmberWren adds to Wren's C API: snapshots, signed or not.
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

/* Signed images. [keyFile] names a file of at least 16 bytes of key that
 * only its owner may read or write (mode 0600 or stricter), as the launcher's
 * key=KEYFILE; e.g. `head -c 32 /dev/urandom > k && chmod 600 k`. After
 * amberSetImageKey, every image [vm] writes carries an HMAC-SHA-256 over its
 * header and a table of its heap's digests (keyFile NULL: unsigned again).
 * amberRestoreSigned is amberRestore that refuses an unsigned image, one
 * signed with another key and one changed after it was signed, with the
 * reason in [error]. Both return false / NULL, with the reason, when the key
 * file cannot be read, is too short or is open to other users. */
bool amberSetImageKey(WrenVM* vm, const char* keyFile, char* error, size_t errorSize);
WrenVM* amberRestoreSigned(WrenConfiguration* config, const char* path, const char* keyFile,
                           char* error, size_t errorSize);

#ifdef __cplusplus
}
#endif

#endif
