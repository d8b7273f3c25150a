#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI
@_spi(AmberInternals) import AmberObjects

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

    /// The call site behind a Function object, or nil (error set).
    @inline(__always)
    func ffiSite(_ receiver: Value) -> UnsafeMutablePointer<FFICallSite>? {
        let i = heap[receiver.ref, FFIField.index]
        if _fastPath(i.isNumber && i.number >= 0 && i.number < 1e9), let site = ffi.site(Int(i.number)) { return site }
        _ = fail("Function is not bound.")
        return nil
    }

    /// The C name of the function at a call site (for messages).
    @inline(never)
    func ffiName(_ site: UnsafeMutablePointer<FFICallSite>) -> String {
        for case .function(let f) in ffi.entries where f.site == site { return f.name }
        return "?"
    }

    func ffiCall(_ a: UnsafeMutablePointer<Value>, argc: Int) -> Bool {
        guard let site = ffiSite(a[0]) else { return false }
        let s = site.pointee
        if _slowPath(s.variadic) {
            guard argc == 3 else {
                return fail("'\(ffiName(site))' is variadic: call it as call(fixedArgs, variadicTypes, variadicArgs).")
            }
            return ffiCallVariadic(a, site)
        }
        guard _fastPath(argc == s.argc) else {
            return fail("'\(ffiName(site))' expects \(s.argc) argument(s), got \(argc).")
        }
        let rt = ffi
        let mark = rt.arenaTop
        // Direct calls take every integer widened to a full register.
        let widen = s.direct != .none
        for i in 0..<argc {
            guard ffiStoreArg(a[i + 1], s.args[i], s.argValues + 16 * i, s.argPointers + i, site, i + 1, widen: widen) else {
                rt.arenaTop = mark
                return false
            }
        }
        return ffiInvoke(a, site, cif: s.cif, argPointers: s.argPointers, mark: mark)
    }

    /// Converts one argument into `slot` (or points libffi at a struct's bytes).
    @inline(__always)
    func ffiStoreArg(_ v: Value, _ t: FFIType, _ slot: UnsafeMutableRawPointer,
                     _ pointerSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                     _ site: UnsafeMutablePointer<FFICallSite>, _ n: Int, widen: Bool) -> Bool {
        switch t {
        case .string:
            guard isString(v) else {
                return fail("Argument \(n) of '\(ffiName(site))' must be a String, not \(ffiDescribe(v)).")
            }
            let len = stringLength(v.ref)
            let p = ffi.scratch(len + 1)
            memcpy(p, stringBytes(v.ref), len + 1)  // heap strings are NUL-terminated
            slot.storeBytes(of: p, as: UnsafeMutableRawPointer.self)
            return true
        case .pointer:
            guard let p = ffiPointerArg(v, "Argument \(n) of '\(ffiName(site))'") else { return false }
            if _slowPath(site.pointee.keeps), ffiIs(v, .callback) || ffiOwnsAddress(p) {
                let name = ffiName(site)
                return fail("Argument \(n) of '\(name)' is memory the VM owns, and '\(name)' frees, unmaps or keeps what it is given: pass memory from malloc instead.")
            }
            slot.storeBytes(of: p, as: UnsafeMutableRawPointer?.self)
            return true
        case .structure(let si):
            guard ffiIs(v, .memory), let (p, size) = ffiMemoryBytes(v), let p else {
                if hasError { return false }
                return fail("Argument \(n) of '\(ffiName(site))' must be a Memory holding the struct, not \(ffiDescribe(v)).")
            }
            let need = ffi.structure(si)?.size ?? 0
            guard size >= need else {
                return fail("Argument \(n) of '\(ffiName(site))' is a Memory of \(size) bytes; the struct needs \(need).")
            }
            if heap[v.ref, FFIField.memoryBytes].isObject {
                if let stale = ffiStaleStoredPointer(v.ref) {
                    return fail(ffiStaleStoredPointerMessage("Argument \(n) of '\(ffiName(site))'", stale))
                }
            }
            pointerSlot.pointee = p
            return true
        default:
            return ffiStoreScalar(v, t, slot, widen: widen, "Argument \(n) of '\(ffiName(site))'")
        }
    }

    /// Calls the function with prepared arguments and delivers its result.
    @inline(__always)
    func ffiInvoke(_ a: UnsafeMutablePointer<Value>, _ site: UnsafeMutablePointer<FFICallSite>, cif: UnsafeMutablePointer<ffi_cif>,
                   argPointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>, mark: Int) -> Bool {
        let h = ffi.hot
        let runs = h.pointee.callbackRuns
        let base = stackIndex(a)
        if h.pointee.callDepth == 0 { h.pointee.callThread = pthread_self() }
        h.pointee.callDepth += 1
        let s = site.pointee
        switch s.direct {
        case .integers: ffiCallIntegers(s)
        case .doubles: ffiCallDoubles(s)
        case .none: ffi_call(cif, unsafeBitCast(s.address, to: (@convention(c) () -> Void).self), s.retValue, argPointers)
        }
        h.pointee.callDepth -= 1
        h.pointee.arenaTop = mark
        if _slowPath(h.pointee.hasSpills) && h.pointee.callDepth == 0 {
            for p in ffi.spills { free(p) }
            ffi.spills.removeAll()
            h.pointee.hasSpills = false
        }
        if _fastPath(runs == h.pointee.callbackRuns) {
            guard let v = ffiResult(s.ret, s.retValue) else { return false }
            return ret(a, v)
        }
        return ffiFinishAfterCallbacks(site, base: base)
    }

    // MARK: Direct calls
    //
    // NOTE: libffi's ffi_call classifies every argument again on each call:
    // about 290 instructions of a strlen call's ~700 (callgrind, release
    // build), where the call itself is a handful. For the commonest shapes
    // the C calling convention needs no classification: on x86-64 (System V)
    // and arm64, integer-class arguments go in integer registers in order and
    // doubles in vector registers in order, so a function of only such
    // arguments can be called through a plain C function type, with every
    // integer widened to 64 bits as the caller must (narrower results are
    // read from the low bytes). Everything else, and variadic functions, go
    // through the prepared cif.

    @inline(__always)
    func ffiCallIntegers(_ s: FFICallSite) {
        let v = s.argValues
        @inline(__always) func x(_ i: Int) -> Int { v.load(fromByteOffset: 16 * i, as: Int.self) }
        let r: Int
        switch s.argc {
        case 0: r = unsafeBitCast(s.address, to: (@convention(c) () -> Int).self)()
        case 1: r = unsafeBitCast(s.address, to: (@convention(c) (Int) -> Int).self)(x(0))
        case 2: r = unsafeBitCast(s.address, to: (@convention(c) (Int, Int) -> Int).self)(x(0), x(1))
        case 3: r = unsafeBitCast(s.address, to: (@convention(c) (Int, Int, Int) -> Int).self)(x(0), x(1), x(2))
        case 4: r = unsafeBitCast(s.address, to: (@convention(c) (Int, Int, Int, Int) -> Int).self)(x(0), x(1), x(2), x(3))
        case 5: r = unsafeBitCast(s.address, to: (@convention(c) (Int, Int, Int, Int, Int) -> Int).self)(x(0), x(1), x(2), x(3), x(4))
        default: r = unsafeBitCast(s.address, to: (@convention(c) (Int, Int, Int, Int, Int, Int) -> Int).self)(x(0), x(1), x(2), x(3), x(4), x(5))
        }
        s.retValue.storeBytes(of: r, as: Int.self)
    }

    @inline(__always)
    func ffiCallDoubles(_ s: FFICallSite) {
        let v = s.argValues
        @inline(__always) func x(_ i: Int) -> Double { v.load(fromByteOffset: 16 * i, as: Double.self) }
        let r: Double
        switch s.argc {
        case 0: r = unsafeBitCast(s.address, to: (@convention(c) () -> Double).self)()
        case 1: r = unsafeBitCast(s.address, to: (@convention(c) (Double) -> Double).self)(x(0))
        case 2: r = unsafeBitCast(s.address, to: (@convention(c) (Double, Double) -> Double).self)(x(0), x(1))
        case 3: r = unsafeBitCast(s.address, to: (@convention(c) (Double, Double, Double) -> Double).self)(x(0), x(1), x(2))
        default: r = unsafeBitCast(s.address, to: (@convention(c) (Double, Double, Double, Double) -> Double).self)(x(0), x(1), x(2), x(3))
        }
        s.retValue.storeBytes(of: r, as: Double.self)
    }

    /// The C result as a Wren value; nil (error set) when out of memory.
    @inline(__always)
    func ffiResult(_ type: FFIType, _ r: UnsafeMutableRawPointer) -> Value? {
        switch type {
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
            return ffiLoadScalar(type, r)
        }
    }

    /// After callbacks ran inside a call: report their error, or write the
    /// result into the caller's stack slot `base` and let the loop reload.
    @inline(never)
    func ffiFinishAfterCallbacks(_ site: UnsafeMutablePointer<FFICallSite>, base: Int) -> Bool {
        let rt = ffi
        let name = ffiName(site)
        if rt.callDepth == 0 {
            if let code = rt.callbackExit {
                rt.callbackExit = nil
                rt.callbackError = nil
                exitCode = code
                return fail("exit")
            }
            if let message = rt.callbackError {
                rt.callbackError = nil
                return fail("Error in a callback called by '\(name)': \(message)")
            }
        } else if rt.callbackError != nil || rt.callbackExit != nil {
            // An outer foreign call reports it when it returns.
            return fail("Error in a callback called by '\(name)'.")
        }
        guard let v = ffiResult(site.pointee.ret, site.pointee.retValue) else { return false }
        let f = fiber
        arrayElements(heap[f, FiberLayout.stack].ref)[base] = v
        heap.setWord(f, FiberLayout.stackTop, base + 1)
        return false
    }

    // MARK: Variadic functions

    /// `fn.call(fixedArgs, variadicTypes, variadicArgs)`: the cif is built once
    /// per list of variadic types, then cached on the function.
    func ffiCallVariadic(_ a: UnsafeMutablePointer<Value>, _ site: UnsafeMutablePointer<FFICallSite>) -> Bool {
        guard let fn = ffi.function(Int(heap[a[0].ref, FFIField.index].number)) else { return fail("Function is not bound.") }
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
            do throws(FFIError) { try ffi.checkByValue(ret: fn.ret, args: all, "'\(fn.name)'") } catch { return fail(error.message) }
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
            guard ffiStoreArg(v, t, values + 16 * i, pointers + i, site, i + 1, widen: false) else {
                rt.arenaTop = mark
                return false
            }
        }
        return ffiInvoke(a, site, cif: vc.cif, argPointers: pointers, mark: mark)
    }
}
