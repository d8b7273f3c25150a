// libffi for Swift. Swift 6 rejects taking the address of libffi's global
// ffi_type variables ("not concurrency-safe"), so each one gets an accessor.
// Only Sources/AmberVM/FFI imports this module.
#ifndef AMBER_CFFI_SHIM_H
#define AMBER_CFFI_SHIM_H

#include <ffi.h>
#include <dlfcn.h>

static inline ffi_type *cffi_type_void(void) { return &ffi_type_void; }
static inline ffi_type *cffi_type_uint8(void) { return &ffi_type_uint8; }
static inline ffi_type *cffi_type_sint8(void) { return &ffi_type_sint8; }
static inline ffi_type *cffi_type_uint16(void) { return &ffi_type_uint16; }
static inline ffi_type *cffi_type_sint16(void) { return &ffi_type_sint16; }
static inline ffi_type *cffi_type_uint32(void) { return &ffi_type_uint32; }
static inline ffi_type *cffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *cffi_type_uint64(void) { return &ffi_type_uint64; }
static inline ffi_type *cffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *cffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *cffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *cffi_type_pointer(void) { return &ffi_type_pointer; }

static inline ffi_abi cffi_default_abi(void) { return FFI_DEFAULT_ABI; }
static inline unsigned short cffi_type_struct_tag(void) { return FFI_TYPE_STRUCT; }

#endif
