#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI

// The FFI side table: everything native that the heap must never hold.
//
//   heap (in the image)                      side table (this file, per VM)
//   ---------------------------------------  ---------------------------------------
//   registry List, entry i = a description   entries[i] = what it was built into
//     ["library", path or null]                dlopen handle
//     ["struct", [names], [types]]             FFIStruct (ffi_type, offsets)
//     ["function", lib, symbol, ret, args, v]  symbol address, prepared ffi_cif,
//                                              argument buffers
//     ["callback", ret, args, closure]         ffi_closure and its code address
//
// Script objects (Library, Function, Struct, Callback) hold their entry's
// index i, a plain Num. A restore gets an empty side table and rebuilds
// entries[i] from description i, in order, before any script code runs
// (FFIRestore.swift). No process-global state: each VM has its own table.

/// One built registry entry.
enum FFIEntry {
    case library(FFILibrary)
    case structure(FFIStruct)
    case function(FFIFunction)
    case callback(FFICallback)
}

/// An open library (dlopen handle; `path` nil for the running program).
final class FFILibrary {
    let path: String?
    let handle: UnsafeMutableRawPointer
    init(path: String?, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }
    deinit {
        if path != nil { dlclose(handle) }
    }
}

/// A bound C function: its address and, for fixed-arity functions, one
/// prepared call interface with preallocated argument storage, so a call of
/// scalar arguments allocates nothing.
final class FFIFunction {
    let name: String
    let address: UnsafeMutableRawPointer
    let ret: FFIType
    let args: [FFIType]
    let variadic: Bool
    /// Fixed-arity functions: the cif and its type array. Variadic ones build
    /// a cif per list of variadic types, cached in `variadicCifs`.
    let cif: UnsafeMutablePointer<ffi_cif>
    let argTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    /// Storage for each fixed argument (16 bytes a slot) and libffi's pointers to them.
    let argValues: UnsafeMutableRawPointer
    let argPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Return value storage (at least a full register, or the struct's size).
    let retValue: UnsafeMutableRawPointer
    var variadicCifs: [String: FFIVariadicCif] = [:]

    init(name: String, address: UnsafeMutableRawPointer, ret: FFIType, args: [FFIType], variadic: Bool,
         retType: UnsafeMutablePointer<ffi_type>, argTypes types: [UnsafeMutablePointer<ffi_type>], retSize: Int) throws(FFIError) {
        self.name = name
        self.address = address
        self.ret = ret
        self.args = args
        self.variadic = variadic
        cif = .allocate(capacity: 1)
        cif.initialize(to: ffi_cif())
        argTypes = .allocate(capacity: max(1, types.count))
        for (i, t) in types.enumerated() { argTypes[i] = t }
        argValues = .allocate(byteCount: max(1, types.count) * 16, alignment: 16)
        argPointers = .allocate(capacity: max(1, types.count))
        for i in 0..<types.count { argPointers[i] = argValues + 16 * i }
        retValue = .allocate(byteCount: max(16, retSize), alignment: 16)
        if !variadic {
            let status = ffi_prep_cif(cif, cffi_default_abi(), UInt32(types.count), retType, argTypes)
            guard status == FFI_OK else {
                throw FFIError("Cannot prepare a call to '\(name)' (libffi status \(status.rawValue)).")
            }
        }
    }

    deinit {
        cif.deallocate()
        argTypes.deallocate()
        argValues.deallocate()
        argPointers.deallocate()
        retValue.deallocate()
    }
}

/// A call interface for one list of variadic argument types.
final class FFIVariadicCif {
    let cif: UnsafeMutablePointer<ffi_cif>
    let types: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    let all: [FFIType]
    init(cif: UnsafeMutablePointer<ffi_cif>, types: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>, all: [FFIType]) {
        self.cif = cif
        self.types = types
        self.all = all
    }
    deinit {
        cif.deallocate()
        types.deallocate()
    }
}

/// A libffi closure that runs a script function when C calls it (FFICallback+Run.swift).
final class FFICallback {
    let index: Int
    let ret: FFIType
    let args: [FFIType]
    unowned(unsafe) let vm: VM
    let cif: UnsafeMutablePointer<ffi_cif>
    let argTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    var closure: UnsafeMutablePointer<ffi_closure>?
    /// The address C calls.
    var code: UnsafeMutableRawPointer?

    init(index: Int, ret: FFIType, args: [FFIType], vm: VM) {
        self.index = index
        self.ret = ret
        self.args = args
        self.vm = vm
        cif = .allocate(capacity: 1)
        cif.initialize(to: ffi_cif())
        argTypes = .allocate(capacity: max(1, args.count))
    }

    deinit {
        if let closure { ffi_closure_free(closure) }
        cif.deallocate()
        argTypes.deallocate()
    }
}

/// An error building a side-table entry (a message for the script, or for restore).
struct FFIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The per-VM side table (see the top of this file).
final class FFIRuntime {
    var entries: [FFIEntry] = []
    /// Entry index by description key (libraries by path, functions by
    /// library, symbol and signature), so binding twice reuses one entry.
    var indexByKey: [String: Int] = [:]
    /// Foreign calls in progress on this VM's thread, and the thread.
    var callDepth = 0
    var callThread: pthread_t?
    /// Script callbacks running (nested runs of the interpreter inside a
    /// foreign call). While positive the collector does not move objects:
    /// C code may hold addresses of heap bytes (Memory, strings).
    var callbackDepth = 0
    /// Incremented by every callback run; a foreign call that sees it change
    /// returns its result through the fiber (objects and fibers may differ).
    var callbackRuns = 0
    /// The first error raised by a callback during the current foreign call.
    var callbackError: String?
    /// Exit code requested (Process.exit) inside a callback.
    var callbackExit: Int32?

    /// Scratch bytes for string arguments: a stack, marked at call entry and
    /// reset at exit, so nested calls (from callbacks) stack above.
    let arena: UnsafeMutableRawPointer
    static let arenaSize = 1 << 16
    var arenaTop = 0
    /// Blocks for strings that did not fit the arena, freed when the outermost call ends.
    var spills: [UnsafeMutableRawPointer] = []

    init() {
        arena = .allocate(byteCount: FFIRuntime.arenaSize, alignment: 16)
    }

    deinit {
        entries.removeAll()
        for p in spills { free(p) }
        arena.deallocate()
    }

    /// Room for `count` bytes, valid until the current call ends.
    @inline(__always)
    func scratch(_ count: Int) -> UnsafeMutableRawPointer {
        if arenaTop + count <= FFIRuntime.arenaSize {
            let p = arena + arenaTop
            arenaTop += (count + 7) & ~7
            return p
        }
        let p = malloc(max(1, count))!
        spills.append(p)
        return p
    }

    func library(_ i: Int) -> FFILibrary? {
        guard i >= 0, i < entries.count, case .library(let l) = entries[i] else { return nil }
        return l
    }
    func structure(_ i: Int) -> FFIStruct? {
        guard i >= 0, i < entries.count, case .structure(let s) = entries[i] else { return nil }
        return s
    }
    @inline(__always) func function(_ i: Int) -> FFIFunction? {
        guard i >= 0, i < entries.count, case .function(let f) = entries[i] else { return nil }
        return f
    }
    func callback(_ i: Int) -> FFICallback? {
        guard i >= 0, i < entries.count, case .callback(let c) = entries[i] else { return nil }
        return c
    }

    /// libffi's type for a signature type.
    func ffiType(_ t: FFIType) -> UnsafeMutablePointer<ffi_type> {
        if case .structure(let i) = t, let s = structure(i) { return s.ffiType }
        return ffiScalarType(t)
    }

    func size(_ t: FFIType) -> Int { t.sizeAndAlignment(structure).0 }
}
