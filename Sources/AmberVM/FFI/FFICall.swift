#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI

// Calling a bound C function: `fn.call(a, b)`.
//
// The fast path (fixed arity, scalar arguments) converts each argument into
// the function's preallocated slots, calls through the cif prepared at bind
// time and converts the result: no allocation. Strings are copied, NUL
// terminated, into the runtime's scratch arena; a Memory passes the address
// of its heap bytes, valid for the call (no collection runs during a C call,
// and none moves objects while a callback runs inside one).
//
// When C called back into script code during the call (callbackRuns
// changed), the interpreter ran nested: the result goes into the caller's
// stack slot (found again by index) and the native returns false with no
// error, so the loop reloads its registers from the fiber.

extension VM {
    func registerFFICallNatives() {
        for argc in 0...16 {
            let sig = "call(" + Array(repeating: "_", count: argc).joined(separator: ",") + ")"
            foreign("ffi.Function.\(sig)") { vm, a in vm.ffiCall(a, argc: argc) }
        }
    }

    /// The bound function behind a Function object, or nil (error set).
    @inline(__always)
    func ffiFunction(_ receiver: Value) -> FFIFunction? {
        let i = heap[receiver.ref, FFIField.index]
        if _fastPath(i.isNumber), let fn = ffi.function(Int(i.number)) { return fn }
        _ = fail("Function is not bound.")
        return nil
    }

    func ffiCall(_ a: UnsafeMutablePointer<Value>, argc: Int) -> Bool {
        guard let fn = ffiFunction(a[0]) else { return false }
        if _slowPath(fn.variadic) {
            guard argc == 3 else {
                return fail("'\(fn.name)' is variadic: call it as call(fixedArgs, variadicTypes, variadicArgs).")
            }
            return ffiCallVariadic(a, fn)
        }
        guard _fastPath(argc == fn.args.count) else {
            return fail("'\(fn.name)' expects \(fn.args.count) argument(s), got \(argc).")
        }
        let rt = ffi
        let mark = rt.arenaTop
        for i in 0..<argc {
            let slot = fn.argValues + 16 * i
            guard ffiStoreArg(a[i + 1], fn.args[i], slot, fn.argPointers + i, fn.name, i + 1) else {
                rt.arenaTop = mark
                return false
            }
        }
        return ffiInvoke(a, fn, cif: fn.cif, argPointers: fn.argPointers, mark: mark)
    }

    /// Converts one argument into `slot` (or points libffi at a struct's bytes).
    @inline(__always)
    func ffiStoreArg(_ v: Value, _ t: FFIType, _ slot: UnsafeMutableRawPointer,
                     _ pointerSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                     _ name: String, _ n: Int) -> Bool {
        switch t {
        case .string:
            guard isString(v) else {
                return fail("Argument \(n) of '\(name)' must be a String, not \(ffiDescribe(v)).")
            }
            let len = stringLength(v.ref)
            let p = ffi.scratch(len + 1)
            memcpy(p, stringBytes(v.ref), len + 1)  // heap strings are NUL-terminated
            slot.storeBytes(of: p, as: UnsafeMutableRawPointer.self)
            return true
        case .pointer:
            guard let p = ffiPointerArg(v, "Argument \(n) of '\(name)'") else { return false }
            slot.storeBytes(of: p, as: UnsafeMutableRawPointer?.self)
            return true
        case .structure(let si):
            guard ffiIs(v, .memory), let (p, size) = ffiMemoryBytes(v), let p else {
                if hasError { return false }
                return fail("Argument \(n) of '\(name)' must be a Memory holding the struct, not \(ffiDescribe(v)).")
            }
            let need = ffi.structure(si)?.size ?? 0
            guard size >= need else {
                return fail("Argument \(n) of '\(name)' is a Memory of \(size) bytes; the struct needs \(need).")
            }
            pointerSlot.pointee = p
            return true
        default:
            pointerSlot.pointee = slot
            return ffiStoreScalar(v, t, slot, widen: false, "Argument \(n) of '\(name)'")
        }
    }

    /// Calls `fn` with prepared arguments and delivers its result.
    @inline(__always)
    func ffiInvoke(_ a: UnsafeMutablePointer<Value>, _ fn: FFIFunction, cif: UnsafeMutablePointer<ffi_cif>,
                   argPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>, mark: Int) -> Bool {
        let rt = ffi
        let runs = rt.callbackRuns
        let base = stackIndex(a)
        if rt.callDepth == 0 { rt.callThread = pthread_self() }
        rt.callDepth += 1
        ffi_call(cif, unsafeBitCast(fn.address, to: (@convention(c) () -> Void).self), fn.retValue, argPointers)
        rt.callDepth -= 1
        rt.arenaTop = mark
        if rt.callDepth == 0 {
            if _slowPath(!rt.spills.isEmpty) {
                for p in rt.spills { free(p) }
                rt.spills.removeAll()
            }
        }
        if _fastPath(runs == rt.callbackRuns) {
            guard let v = ffiResult(fn) else { return false }
            return ret(a, v)
        }
        return ffiFinishAfterCallbacks(fn, base: base)
    }

    /// The C result as a Wren value; nil (error set) when out of memory.
    @inline(__always)
    func ffiResult(_ fn: FFIFunction) -> Value? {
        let r = fn.retValue
        switch fn.ret {
        case .pointer:
            return ffiNewPointer(UInt(bitPattern: r.load(as: Int.self)))
        case .string:
            guard let s = r.load(as: UnsafeMutablePointer<CChar>?.self) else { return .null }
            let len = strlen(s)
            guard heap.canAllocate(len + 64) else { _ = fail("Out of memory."); return nil }
            return newString(bytes: UnsafeRawBufferPointer(start: s, count: len)).value
        case .structure(let si):
            guard let v = ffiNewMemory(count: ffi.structure(si)?.size ?? 0, from: r) else {
                _ = fail("Out of memory.")
                return nil
            }
            return v
        default:
            return ffiLoadScalar(fn.ret, r)
        }
    }

    /// After callbacks ran inside a call: report their error, or write the
    /// result into the caller's stack slot `base` and let the loop reload.
    @inline(never)
    func ffiFinishAfterCallbacks(_ fn: FFIFunction, base: Int) -> Bool {
        let rt = ffi
        if rt.callDepth == 0 {
            if let code = rt.callbackExit {
                rt.callbackExit = nil
                rt.callbackError = nil
                exitCode = code
                return fail("exit")
            }
            if let message = rt.callbackError {
                rt.callbackError = nil
                return fail("Error in a callback called by '\(fn.name)': \(message)")
            }
        } else if rt.callbackError != nil || rt.callbackExit != nil {
            // An outer foreign call reports it when it returns.
            return fail("Error in a callback called by '\(fn.name)'.")
        }
        guard let v = ffiResult(fn) else { return false }
        let f = fiber
        arrayElements(heap[f, FiberLayout.stack].ref)[base] = v
        heap.setWord(f, FiberLayout.stackTop, base + 1)
        return false
    }

    // MARK: Variadic functions

    /// `fn.call(fixedArgs, variadicTypes, variadicArgs)`: the cif is built once
    /// per list of variadic types, then cached on the function.
    func ffiCallVariadic(_ a: UnsafeMutablePointer<Value>, _ fn: FFIFunction) -> Bool {
        func list(_ v: Value, _ what: String) -> ObjRef? {
            guard v.isObject, heap.kind(v.ref) == .list else {
                _ = fail("The \(what) of variadic '\(fn.name)' must be a List, not \(ffiDescribe(v)).")
                return nil
            }
            return v.ref
        }
        guard let fixed = list(a[1], "fixed arguments"), list(a[2], "variadic types") != nil,
              let vargs = list(a[3], "variadic arguments") else { return false }
        guard listCount(fixed) == fn.args.count else {
            return fail("'\(fn.name)' expects \(fn.args.count) fixed argument(s), got \(listCount(fixed)).")
        }
        var variadicTypes: [FFIType] = []
        do throws(FFIError) { variadicTypes = try ffiParseTypes(a[2], "variadic argument", function: fn.name) } catch { return fail(error.message) }
        guard listCount(vargs) == variadicTypes.count else {
            return fail("'\(fn.name)' got \(variadicTypes.count) variadic type(s) but \(listCount(vargs)) variadic argument(s).")
        }
        // C's default argument promotions.
        variadicTypes = variadicTypes.map { t in
            switch t {
            case .float: return .double
            case .bool, .int8, .int16: return .int32
            case .uint8, .uint16: return .uint32
            default: return t
            }
        }
        let all = fn.args + variadicTypes
        guard all.count <= 64 else { return fail("'\(fn.name)' takes at most 64 arguments in all.") }
        let key = "\(variadicTypes)"
        let vc: FFIVariadicCif
        if let cached = fn.variadicCifs[key] { vc = cached } else {
            let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
            cif.initialize(to: ffi_cif())
            let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: all.count)
            for (i, t) in all.enumerated() { types[i] = ffi.ffiType(t) }
            let made = FFIVariadicCif(cif: cif, types: types, all: all)
            let status = ffi_prep_cif_var(cif, cffi_default_abi(), UInt32(fn.args.count), UInt32(all.count),
                                          ffi.ffiType(fn.ret), types)
            guard status == FFI_OK else {
                return fail("Cannot prepare a call to '\(fn.name)' with variadic types \(key) (libffi status \(status.rawValue)).")
            }
            fn.variadicCifs[key] = made
            vc = made
        }
        let rt = ffi
        let mark = rt.arenaTop
        let values = rt.scratch(16 * all.count)
        let pointers = rt.scratch(8 * all.count).bindMemory(to: UnsafeMutableRawPointer?.self, capacity: all.count)
        for (i, t) in all.enumerated() {
            let v = i < fn.args.count ? listGet(fixed, i) : listGet(vargs, i - fn.args.count)
            pointers[i] = values + 16 * i
            guard ffiStoreArg(v, t, values + 16 * i, pointers + i, fn.name, i + 1) else {
                rt.arenaTop = mark
                return false
            }
        }
        return ffiInvoke(a, fn, cif: vc.cif, argPointers: pointers, mark: mark)
    }
}
