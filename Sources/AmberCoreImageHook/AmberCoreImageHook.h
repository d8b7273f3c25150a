// How AmberVM finds the built-in core image without depending on the target
// that holds it (ARCHITECTURE.md, "The built-in core image").
//
// The image is made at build time by a tool that links AmberVM, so AmberVM
// cannot depend on the target carrying it (a cycle). Instead that target,
// AmberCoreImage, defines `_amber_builtin_core_image_data`, and AmberVM refers
// to it weakly through this header: linked together (the `amber` executable,
// the AmberVM library product, the tests) the image is found; linked alone
// (the tool that makes the image) the symbol is null and the core is compiled.
//
// NOTE: a header-only system module, not a C target. Swift compiles the
// inline function into AmberVM itself; a C target compiled by clang added
// DWARF 5 debug information that valgrind 3.19 cannot read ("unhandled dwarf2
// abbrev form code 0x25"), which stopped every callgrind measurement.
#ifndef AMBER_CORE_IMAGE_HOOK_H
#define AMBER_CORE_IMAGE_HOOK_H

#include <stddef.h>

/// Defined by the generated source of the AmberCoreImage target. The leading
/// underscore keeps it out of the names C hosts of libAmberWren use (wren*, amber*).
extern const void *_amber_builtin_core_image_data(size_t *count) __attribute__((weak));

/// Where the linker put the section "amber_core_image" (the image's words
/// on Linux, written by the generated source) and its length; NULL when no
/// such section is linked. The linker defines __start_ and __stop_ symbols for
/// a section whose name is a C identifier.
#if defined(__linux__)
extern const unsigned char __start_amber_core_image[] __attribute__((weak));
extern const unsigned char __stop_amber_core_image[] __attribute__((weak));
#endif
static inline const void *amber_core_image_section(size_t *count) {
#if defined(__linux__)
    if (__start_amber_core_image && __stop_amber_core_image) {
        *count = (size_t)(__stop_amber_core_image - __start_amber_core_image);
        return __start_amber_core_image;
    }
#endif
    *count = 0;
    return 0;
}

/// The built-in core image's bytes, or NULL (then *count is 0) when no image
/// is linked into this program.
static inline const void *amber_core_image_bytes(size_t *count) {
    if (!_amber_builtin_core_image_data) {
        *count = 0;
        return 0;
    }
    return _amber_builtin_core_image_data(count);
}

/// The main program's program headers and their count (Linux: the auxiliary
/// vector's AT_PHDR and AT_PHNUM; elsewhere 0), so AmberVM can find where the
/// image lies in the program's file and map it from there (Port/ProgramFile.swift).
/// Swift's Glibc module does not export getauxval, hence this shim.
static inline unsigned long amber_program_headers(unsigned long *count) {
#if defined(__linux__)
    extern unsigned long getauxval(unsigned long type);
    *count = getauxval(5);      /* AT_PHNUM */
    return getauxval(3);        /* AT_PHDR */
#else
    *count = 0;
    return 0;
#endif
}

/// fallocate(2) and sync_file_range(2), which Swift's Glibc module does not
/// show (they need _GNU_SOURCE): declared here, so the image writer calls them
/// directly, in a static program too (Port/ImageFiles.swift). 0, or -1 with errno.
#if defined(__linux__)
extern int fallocate(int fd, int mode, long offset, long len);
extern int sync_file_range(int fd, long offset, long nbytes, unsigned int flags);
static inline int amber_fallocate(int fd, long size) { return fallocate(fd, 0, 0, size); }
static inline int amber_sync_file_range_write(int fd, long offset, long count) {
    return sync_file_range(fd, offset, count, 2 /* SYNC_FILE_RANGE_WRITE */);
}
#endif

#endif
