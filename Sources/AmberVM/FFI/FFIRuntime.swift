#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI
@_spi(AmberInternals) import AmberObjects

// The FFI side table: everything native that the heap must never hold.
//
//   heap (in the image)                      side table (this file, per VM)
//   ---------------------------------------  ---------------------------------------
//   registry List, entry i = a description   entries[i] = what it was built into
//     ["library", path or null]                dlopen handle
//     ["struct", [names], [types]]             FFIStruct (ffi_type, offsets)
//     ["function", lib, symbol, ret, args, v]  symbol address, prepared ffi_cif,
//                                              argument buffers
//     ["callback", ret, args, closure]         FFICallback; C holds its trampoline
//                                              (ffi_closure, cif; never freed)
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
    /// The port's dlclose, for when the VM lets go of the library.
    let close: (UnsafeMutableRawPointer) -> Void
    init(path: String?, handle: UnsafeMutableRawPointer, close: @escaping (UnsafeMutableRawPointer) -> Void) {
        self.path = path
        self.handle = handle
        self.close = close
    }
    deinit {
        if path != nil { close(handle) }
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
    /// What the call path reads, in one place outside Swift's reference counting.
    let site: UnsafeMutablePointer<FFICallSite>

    init(name: String, address: UnsafeMutableRawPointer, ret: FFIType, args: [FFIType], variadic: Bool, keeps: Bool,
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
        let argList = UnsafeMutablePointer<FFIType>.allocate(capacity: max(1, args.count))
        argList.initialize(from: args, count: args.count)
        site = .allocate(capacity: 1)
        site.initialize(to: FFICallSite(cif: cif, address: address, argValues: argValues, argPointers: argPointers,
                                        retValue: retValue, argc: args.count, args: argList, ret: ret,
                                        variadic: variadic, keeps: keeps,
                                        direct: FFICallSite.directKind(ret: ret, args: args, variadic: variadic)))
        if !variadic {
            let status = ffi_prep_cif(cif, cffi_default_abi(), UInt32(types.count), retType, argTypes)
            guard status == FFI_OK else {
                throw FFIError("Cannot prepare a call to '\(name)' (libffi status \(status.rawValue)).")
            }
        }
    }

    deinit {
        site.pointee.args.deallocate()
        site.deallocate()
        cif.deallocate()
        argTypes.deallocate()
        argValues.deallocate()
        argPointers.deallocate()
        retValue.deallocate()
    }
}

/// The hot half of a bound function: plain pointers and values, so the call
/// path does no retain/release and no exclusivity check (see FFICall.swift).
struct FFICallSite {
    let cif: UnsafeMutablePointer<ffi_cif>
    let address: UnsafeMutableRawPointer
    let argValues: UnsafeMutableRawPointer
    let argPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let retValue: UnsafeMutableRawPointer
    let argc: Int
    let args: UnsafeMutablePointer<FFIType>
    let ret: FFIType
    let variadic: Bool
    /// The function frees, unmaps or keeps its pointer arguments: memory the
    /// VM owns is refused as one (`VM.ffiKeepingFunctions`).
    let keeps: Bool
    let direct: FFIDirect

    /// Signatures called without libffi (FFICall.swift): up to 6 integer-class
    /// arguments (integers, bool, pointer, string) with an integer-class or
    /// void result, or up to 4 doubles with a double or void result.
    static func directKind(ret: FFIType, args: [FFIType], variadic: Bool) -> FFIDirect {
        #if arch(x86_64) || arch(arm64)
        if variadic { return .none }
        func intClass(_ t: FFIType) -> Bool {
            switch t {
            case .bool, .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .pointer, .string: return true
            default: return false
            }
        }
        if args.count <= 6, args.allSatisfy(intClass), ret == .void || intClass(ret) { return .integers }
        if args.count <= 4, args.allSatisfy({ $0 == .double }), ret == .void || ret == .double { return .doubles }
        #endif
        return .none
    }
}

/// How a call site is called: through libffi, or straight through a C function type.
enum FFIDirect: UInt8 {
    case none, integers, doubles
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

/// A script function C can call: what the VM knows of a callback. What C
/// holds is its trampoline (FFITrampoline.swift), which outlives it.
final class FFICallback {
    let index: Int
    let ret: FFIType
    let args: [FFIType]
    unowned(unsafe) let vm: VM
    /// The VM's call state, for the handler's thread check (see FFICallState).
    let callState: FFICallState
    let trampoline: FFITrampoline
    /// The address C calls.
    var code: UnsafeMutableRawPointer? { trampoline.code }

    init(index: Int, ret: FFIType, args: [FFIType], vm: VM, trampoline: FFITrampoline) {
        self.index = index
        self.ret = ret
        self.args = args
        self.vm = vm
        self.callState = vm.ffi.callState
        self.trampoline = trampoline
    }
}

/// An error building a side-table entry (a message for the script, or for restore).
struct FFIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The state the call path reads and writes on every call.
/// NOTE: behind a `let` pointer, as VM.HotState is: stored `var`s of a class
/// cost a dynamic exclusivity check per access; on a strlen call those were
/// about 170 instructions of ~700 (callgrind).
struct FFIHotState {
    var callDepth = 0
    var callbackDepth = 0
    var callbackRuns = 0
    var arenaTop = 0
    var hasSpills = false
    /// The VM's generation, for marking a Memory lent to C without the
    /// exclusivity check of reading `VM.generation` (about 60 instructions
    /// of a memset call's 1,300; callgrind). Kept by `VM.ffiTrackGeneration`;
    /// were it ever behind, lent Memories would look older than they are:
    /// pointers read from them stale, never the reverse.
    var generation = 0
    /// The byte ranges of the last `FFIRuntime.lentRangeSlots` owned
    /// Memories lent to C since the last collection (a ring), and how many
    /// were noted (FFILent.swift).
    var lentRanges: UnsafeMutablePointer<(start: UInt, end: UInt)> = .allocate(capacity: FFIRuntime.lentRangeSlots)
    var lentRangeCount = 0
    /// Pointers and views made since the last collection that address
    /// memory the VM lent to C, with the field that expires them when the
    /// next collection starts (FFILent.swift). Plain references are safe
    /// here: nothing in the heap moves until then.
    var lentObjects: UnsafeMutablePointer<(object: ObjRef, field: Int)>? = nil
    var lentObjectCount = 0
    var lentObjectCapacity = 0
    /// Whether the collection listener of FFILent.swift is registered.
    var collectionHooked = false
    var callThread: pthread_t? = nil
    /// Call sites by registry index (nil for entries that are not functions).
    var sites: UnsafeMutablePointer<UnsafeMutablePointer<FFICallSite>?>? = nil
    var siteCapacity = 0
}

/// Owns a VM's FFIHotState. The runtime and every FFICallback hold it
/// strongly, so a callback's handler can read the call state on any thread
/// even while the VM is going away, without a weak reference to the runtime
/// (an object with a weak reference takes the slow path on every release,
/// and the runtime is retained on the call path).
final class FFICallState {
    let hot: UnsafeMutablePointer<FFIHotState> = {
        let p = UnsafeMutablePointer<FFIHotState>.allocate(capacity: 1)
        p.initialize(to: FFIHotState())
        return p
    }()

    deinit {
        hot.pointee.lentRanges.deallocate()
        hot.pointee.lentObjects?.deallocate()
        hot.pointee.sites?.deallocate()
        hot.deallocate()
    }
}

/// The per-VM side table (see the top of this file).
final class FFIRuntime {
    var entries: [FFIEntry] = [] {
        didSet { syncSites() }
    }
    let callState = FFICallState()
    let hot: UnsafeMutablePointer<FFIHotState>

    private var synced = 0

    /// Keeps `hot.sites` in step with `entries` (entries are only appended, or all removed).
    private func syncSites() {
        var h = hot.pointee
        if entries.count > h.siteCapacity {
            let cap = max(16, entries.count * 2)
            let bigger = UnsafeMutablePointer<UnsafeMutablePointer<FFICallSite>?>.allocate(capacity: cap)
            bigger.initialize(repeating: nil, count: cap)
            if let old = h.sites {
                bigger.update(from: old, count: h.siteCapacity)
                old.deallocate()
            }
            h.sites = bigger
            h.siteCapacity = cap
        }
        if let sites = h.sites {
            if entries.count < synced { for i in 0..<h.siteCapacity { sites[i] = nil }; synced = 0 }
            for i in synced..<entries.count {
                if case .function(let f) = entries[i] { sites[i] = f.site } else { sites[i] = nil }
            }
            synced = entries.count
        }
        hot.pointee = h
    }

    /// The call site of entry `i`, if it is a function.
    @inline(__always) func site(_ i: Int) -> UnsafeMutablePointer<FFICallSite>? {
        let h = hot
        guard i >= 0, i < h.pointee.siteCapacity else { return nil }
        return h.pointee.sites.unsafelyUnwrapped[i]
    }

    var callDepth: Int { @inline(__always) get { hot.pointee.callDepth } set { hot.pointee.callDepth = newValue } }
    var callbackDepth: Int { @inline(__always) get { hot.pointee.callbackDepth } set { hot.pointee.callbackDepth = newValue } }
    var callbackRuns: Int { @inline(__always) get { hot.pointee.callbackRuns } set { hot.pointee.callbackRuns = newValue } }
    var arenaTop: Int { @inline(__always) get { hot.pointee.arenaTop } set { hot.pointee.arenaTop = newValue } }
    var callThread: pthread_t? { @inline(__always) get { hot.pointee.callThread } set { hot.pointee.callThread = newValue } }
    /// Entry index by description key (libraries by path, functions by
    /// library, symbol and signature), so binding twice reuses one entry.
    var indexByKey: [String: Int] = [:]
    // In `hot`: callDepth and callThread (foreign calls in progress on this
    // VM's thread, and the thread); callbackDepth (script callbacks running
    // nested inside a foreign call: while positive the collector does not
    // move objects, as C may hold addresses of heap bytes); callbackRuns
    // (incremented by every callback run: a foreign call that sees it change
    // returns its result through the fiber).
    /// The first error raised by a callback during the current foreign call.
    var callbackError: String?
    /// Exit code requested (Process.exit) inside a callback.
    var callbackExit: Int32?

    /// Scratch bytes for string arguments: a stack, marked at call entry and
    /// reset at exit, so nested calls (from callbacks) stack above.
    let arena: UnsafeMutableRawPointer
    static let arenaSize = 1 << 16
    /// Blocks for strings that did not fit the arena, freed when the outermost call ends.
    var spills: [UnsafeMutableRawPointer] = []
    static let lentRangeSlots = 256
    /// The gcStart listener of FFILent.swift, while it is registered.
    var collectionHook: HookToken?

    init() {
        arena = .allocate(byteCount: FFIRuntime.arenaSize, alignment: 16)
        hot = callState.hot
    }

    deinit {
        entries.removeAll()
        for p in spills { free(p) }
        arena.deallocate()
    }

    /// Room for `count` bytes, valid until the current call ends.
    @inline(__always)
    func scratch(_ count: Int) -> UnsafeMutableRawPointer {
        let h = hot
        let top = h.pointee.arenaTop
        if _fastPath(top + count <= FFIRuntime.arenaSize) {
            h.pointee.arenaTop = top + ((count + 7) & ~7)
            return arena + top
        }
        return spill(count)
    }

    @inline(never)
    func spill(_ count: Int) -> UnsafeMutableRawPointer {
        let p = malloc(max(1, count))!
        spills.append(p)
        hot.pointee.hasSpills = true
        return p
    }

    // NOTE: the look-ups below stay out of line: inlined into the call path,
    // their read of `entries` got hoisted to the top of the argument loop as
    // a dynamic exclusivity check on every call (callgrind: swift_beginAccess
    // once per strlen call), even when no argument needs them.
    @inline(never)
    func library(_ i: Int) -> FFILibrary? {
        guard i >= 0, i < entries.count, case .library(let l) = entries[i] else { return nil }
        return l
    }
    @inline(never)
    func structure(_ i: Int) -> FFIStruct? {
        guard i >= 0, i < entries.count, case .structure(let s) = entries[i] else { return nil }
        return s
    }
    @inline(never)
    func function(_ i: Int) -> FFIFunction? {
        guard i >= 0, i < entries.count, case .function(let f) = entries[i] else { return nil }
        return f
    }
    @inline(never)
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

    /// Bytes of structs that one signature may pass and return by value, together.
    /// NOTE: libffi copies struct arguments onto the calling thread's C stack
    /// (alloca in ffi_call; for a callback, its C caller's frame) with no
    /// check: a 64 MiB struct by value overflowed the stack, and a 2^40-byte
    /// result could not be allocated. 64 KiB is a small part of any thread's
    /// stack (secondary threads get 512 KiB on macOS) and more than C APIs
    /// pass by value; bigger structs go by pointer, in a Memory.
    static let maxByValueBytes = 1 << 16

    /// Refuses a signature over `maxByValueBytes`; `who` names it ("'div'", "A callback").
    func checkByValue(ret: FFIType, args: [FFIType], _ who: String) throws(FFIError) {
        // Each struct is at most FFIStruct.maxSize and there are at most 65 of them: no overflow.
        var total = 0
        for t in args + [ret] { if case .structure = t { total += size(t) } }
        guard total <= FFIRuntime.maxByValueBytes else {
            throw FFIError("\(who) passes or returns \(total) bytes of structs by value; the limit is \(FFIRuntime.maxByValueBytes) (pass a pointer to a Memory instead).")
        }
    }
}
