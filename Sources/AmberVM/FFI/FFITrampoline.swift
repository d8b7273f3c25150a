#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI

// What C holds of a Callback (ARCHITECTURE.md, "Foreign functions").
//
// C may keep a function pointer as long as it likes: `__cxa_atexit`, signal
// handlers, a library's registry of listeners. It may call it after the
// Callback is gone and after its VM is gone. So the closure C calls, and
// everything libffi reads when it is called (the cif, the argument types,
// struct type descriptions), belong to an FFITrampoline that is never freed,
// and the closure's user data is that trampoline, not the VM. The
// trampoline reaches its Callback through a weak reference: when the VM has
// been destroyed the reference is nil, and the handler (FFICallback+Run.swift)
// returns zero and writes a message without touching anything freed.
//
// NOTE: no process-global table. A trampoline is reachable only through
// its closure's user data (retained once, never released), and nothing in it
// changes after the closure is handed out: `callback` is set before the
// Callback reaches the script, and a weak reference turns nil by itself,
// safely against loads on other threads. The cost is the trampoline's bytes
// (about 200, plus struct types) for the life of the process, per
// Callback.new and per callback rebuilt by a restore.

/// A libffi closure and everything libffi reads when C calls it; never freed.
final class FFITrampoline {
    /// The Callback this trampoline runs; nil once the Callback (and so its VM) is gone.
    weak var callback: FFICallback?
    /// Bytes of the result to zero when the call is refused (a struct's size, else a register).
    let retSize: Int
    let cif: UnsafeMutablePointer<ffi_cif>
    let argTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    /// The address C calls.
    private(set) var code: UnsafeMutableRawPointer?

    /// Prepares the call interface and the closure. `argTypes` and `retType`
    /// must live as long as the process (see `FFIRuntime.permanentType`).
    init(argTypes types: [UnsafeMutablePointer<ffi_type>], retType: UnsafeMutablePointer<ffi_type>, retSize: Int) throws(FFIError) {
        self.retSize = retSize
        cif = .allocate(capacity: 1)
        cif.initialize(to: ffi_cif())
        argTypes = .allocate(capacity: max(1, types.count))
        for (i, t) in types.enumerated() { argTypes[i] = t }
        guard ffi_prep_cif(cif, cffi_default_abi(), UInt32(types.count), retType, argTypes) == FFI_OK else {
            throw FFIError("Cannot prepare the callback's call interface.")
        }
        var code: UnsafeMutableRawPointer? = nil
        guard let raw = ffi_closure_alloc(MemoryLayout<ffi_closure>.size, &code), let code else {
            throw FFIError("Cannot allocate a callback (ffi_closure_alloc failed).")
        }
        let closure = raw.assumingMemoryBound(to: ffi_closure.self)
        // The closure keeps the trampoline for ever: released never, as C may call at any time.
        let user = Unmanaged.passRetained(self).toOpaque()
        let status = ffi_prep_closure_loc(closure, cif, ffiCallbackHandler, user, code)
        guard status == FFI_OK else {
            Unmanaged<FFITrampoline>.fromOpaque(user).release()
            ffi_closure_free(raw)
            throw FFIError("Cannot prepare a callback (libffi status \(status.rawValue)).")
        }
        self.code = code
    }

    /// Only a trampoline that failed to build is ever freed.
    deinit {
        cif.deallocate()
        argTypes.deallocate()
    }
}

extension FFIRuntime {
    /// libffi's type for `t`, made to live as long as the process: scalars
    /// are libffi's own static types; a struct's type (and its nested
    /// structs', shared where they repeat) is copied, as the Struct's own
    /// goes when its VM does. For trampolines only.
    func permanentType(_ t: FFIType, _ made: inout [Int: UnsafeMutablePointer<ffi_type>]) -> UnsafeMutablePointer<ffi_type> {
        guard case .structure(let i) = t, let s = structure(i) else { return ffiScalarType(t) }
        if let done = made[i] { return done }
        let elements = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: s.types.count + 1)
        // Nesting is at most FFIStruct.maxDepth, so this recursion is shallow.
        for (k, field) in s.types.enumerated() { elements[k] = permanentType(field, &made) }
        elements[s.types.count] = nil
        let type = UnsafeMutablePointer<ffi_type>.allocate(capacity: 1)
        type.initialize(to: s.ffiType.pointee)
        type.pointee.elements = elements
        made[i] = type
        return type
    }
}

/// Writes `text` to the process's standard error, touching no VM (a refused
/// callback may find its VM gone, or running on another thread).
func ffiWriteStandardError(_ text: String) {
    var text = text
    text.withUTF8 { b in
        var done = 0
        while done < b.count {
            let n = write(2, b.baseAddress! + done, b.count - done)
            if n <= 0 { return }
            done += n
        }
    }
}
