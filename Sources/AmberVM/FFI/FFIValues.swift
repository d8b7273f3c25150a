#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Moving single values between Wren and C memory: checked on the way in
// (a wrong type or an integer out of range is an error, never a silent
// truncation), exact on the way out.
//
// Script objects' field layouts, read and written by the natives. Each class
// in the ffi module's source pins its layout with a constructor that assigns
// the fields in this order (fields are numbered by first appearance).
enum FFIField {
    // Library, Function, Struct, Callback: 0 = registry index (Num), 1 = name/path/names/fn
    static let index = 0
    static let name = 1
    // Memory: the bytes object (owned) or null (a view of C memory)
    static let memoryBytes = 0
    static let memoryAddress = 1     // view: Num, its address
    static let memoryPointers = 1    // owned: Map, offset -> generation of each setPointer store; or null
    static let memorySize = 2        // Num
    /// view: its pointer's restore generation; owned: the last generation
    /// C had the bytes (made from C's bytes, or lent to a call)
    static let memoryGeneration = 3
    // Pointer
    static let pointerAddress = 0    // Num (user-space addresses are below 2^53)
    static let pointerGeneration = 1 // Num
    /// The generation of a Pointer or view into memory the VM lent to C,
    /// after a collection (`VM.ffiLend`).
    static let expired = -1.0
}

/// Where the ffi module's classes sit in the FFI state's class list.
enum FFIClass: Int {
    case library = 0, function, callback, memory, pointer, structure, callbackEntry
}

extension VM {
    /// Wren type name of a value, for messages.
    func ffiDescribe(_ v: Value) -> String {
        if v.isNumber { return "a Num" }
        if v.isNull { return "null" }
        if v.isBool { return "a Bool" }
        if isString(v) { return "a String" }
        return "an instance of \(className(classOf(v)))"
    }

    /// An integer argument checked against `t`'s range; nil (error set) when
    /// not an integer or out of range. `what` names the argument.
    @inline(__always)
    func ffiInteger(_ v: Value, _ t: FFIType, _ what: @autoclosure () -> String) -> Double? {
        guard v.isNumber else {
            _ = fail("\(what()) must be a Num (\(t.displayName)), not \(ffiDescribe(v)).")
            return nil
        }
        let d = v.number
        let (lo, hi) = t.integerRange!
        guard d == d.rounded(.towardZero), d >= lo, d < hi else {
            if d != d.rounded(.towardZero) { _ = fail("\(what()) must be an integer (\(t.displayName)), not \(formatNumber(d)).") }
            else { _ = fail("\(what()) is out of range for \(t.displayName): \(formatNumber(d)).") }
            return nil
        }
        return d
    }

    /// Writes scalar `v` as C type `t` at `p` (a full register for integers,
    /// as libffi wants return values). Pointers and strings are not handled
    /// here (see ffiPointerArg). False with an error set on bad input.
    @inline(__always)
    func ffiStoreScalar(_ v: Value, _ t: FFIType, _ p: UnsafeMutableRawPointer, widen: Bool,
                        _ what: @autoclosure () -> String) -> Bool {
        switch t {
        case .double:
            guard v.isNumber else { return fail("\(what()) must be a Num (double), not \(ffiDescribe(v)).") }
            p.storeBytes(of: v.number, as: Double.self)
        case .float:
            guard v.isNumber else { return fail("\(what()) must be a Num (float), not \(ffiDescribe(v)).") }
            p.storeBytes(of: Float(v.number), as: Float.self)
        case .bool:
            guard v.isBool else { return fail("\(what()) must be a Bool, not \(ffiDescribe(v)).") }
            if widen { p.storeBytes(of: v == .true ? 1 : 0, as: UInt64.self) }
            else { p.storeBytes(of: v == .true ? 1 : 0, as: UInt8.self) }
        case .int8, .int16, .int32, .int64:
            guard let d = ffiInteger(v, t, what()) else { return false }
            let i = Int64(d)
            if widen { p.storeBytes(of: i, as: Int64.self); return true }
            switch t {
            case .int8: p.storeBytes(of: Int8(i), as: Int8.self)
            case .int16: p.storeBytes(of: Int16(i), as: Int16.self)
            case .int32: p.storeBytes(of: Int32(i), as: Int32.self)
            default: p.storeBytes(of: i, as: Int64.self)
            }
        case .uint8, .uint16, .uint32, .uint64:
            guard let d = ffiInteger(v, t, what()) else { return false }
            let u = UInt64(d)
            if widen { p.storeBytes(of: u, as: UInt64.self); return true }
            switch t {
            case .uint8: p.storeBytes(of: UInt8(u), as: UInt8.self)
            case .uint16: p.storeBytes(of: UInt16(u), as: UInt16.self)
            case .uint32: p.storeBytes(of: UInt32(u), as: UInt32.self)
            default: p.storeBytes(of: u, as: UInt64.self)
            }
        default:
            return fail("\(what()) has a type that cannot be stored here.")
        }
        return true
    }

    /// Reads scalar C type `t` at `p` as a Wren value (numbers, bools). `p`
    /// need not be aligned: Memory offsets are the script's.
    @inline(__always)
    func ffiLoadScalar(_ t: FFIType, _ p: UnsafeRawPointer) -> Value {
        switch t {
        case .void: return .null
        case .bool: return Value(p.load(as: UInt8.self) != 0)
        case .int8: return Value(Double(p.load(as: Int8.self)))
        case .uint8: return Value(Double(p.load(as: UInt8.self)))
        case .int16: return Value(Double(p.loadUnaligned(as: Int16.self)))
        case .uint16: return Value(Double(p.loadUnaligned(as: UInt16.self)))
        case .int32: return Value(Double(p.loadUnaligned(as: Int32.self)))
        case .uint32: return Value(Double(p.loadUnaligned(as: UInt32.self)))
        case .int64: return Value(Double(p.loadUnaligned(as: Int64.self)))
        case .uint64: return Value(Double(p.loadUnaligned(as: UInt64.self)))
        case .float: return Value(Double(p.loadUnaligned(as: Float.self)))
        case .double: return Value(p.loadUnaligned(as: Double.self))
        default: return .null
        }
    }

    // MARK: Script objects

    /// The FFI state list in the root block: [registry, saved fibers, classes, callback result].
    func ffiState() -> ObjRef? {
        let s = root(.ffi)
        return s.isObject ? s.ref : nil
    }

    func ffiClass(_ c: FFIClass) -> ObjRef {
        listGet(listGet(ffiState()!, 2).ref, c.rawValue).ref
    }

    /// Whether `v` is an instance of the ffi class `c` (or a subclass).
    func ffiIs(_ v: Value, _ c: FFIClass) -> Bool {
        guard v.isObject, heap.kind(v.ref) == .instance, let _ = ffiState() else { return false }
        let target = ffiClass(c)
        var k = heap.classOf(v.ref)
        while !k.isNone {
            if k == target { return true }
            k = superclass(k)
        }
        return false
    }

    /// A new Pointer for `address`, made in this generation.
    func ffiNewPointer(_ address: UInt) -> Value {
        let p = newInstance(ffiClass(.pointer))
        heap[p, FFIField.pointerAddress] = Value(Double(address))
        heap[p, FFIField.pointerGeneration] = Value(generation)
        if _slowPath(ffiOwnsAddress(UnsafeMutableRawPointer(bitPattern: address))) { ffiLend(p, FFIField.pointerGeneration) }
        return p.value
    }

    /// A registry index from a script object's field; nil when it is not one.
    func ffiIndexValue(_ v: Value) -> Int? {
        guard v.isNumber, v.number >= 0, v.number < 1e9 else { return nil }
        return Int(v.number)
    }

    /// A new Memory owning a copy of `count` bytes at `from` (or zeros).
    func ffiNewMemory(count: Int, from: UnsafeRawPointer?) -> Value? {
        guard count >= 0, count <= 1 << 40, heap.canAllocate(count + 256) else { return nil }
        let bytes = heap.allocate(.bytes, cls: .none, size: BytesLayout.dataOffset + count)
        heap.setWord(bytes, BytesLayout.length, count)
        if let from, count > 0 { memcpy(bytesPointer(bytes), from, count) }
        let m = newInstance(ffiClass(.memory))
        heap[m, FFIField.memoryBytes] = bytes.value
        heap[m, FFIField.memoryPointers] = .null
        heap[m, FFIField.memorySize] = Value(count)
        heap[m, FFIField.memoryGeneration] = Value(generation)
        return m.value
    }

    /// The message for a Pointer (or view) used after a restore.
    func ffiStaleMessage(_ made: Int) -> String {
        "Pointer from before the restore (generation \(made)) used in generation \(generation)"
    }

    /// The address of a Pointer; nil (error set) when it is stale, or, for
    /// an `access` (viewing it, passing it to C), expired.
    func ffiPointerAddress(_ v: Value, access: Bool = true) -> UInt? {
        let gv = heap[v.ref, FFIField.pointerGeneration], a = heap[v.ref, FFIField.pointerAddress]
        // Only the natives make Pointers; one made with `new_()` (or a subclass) has no address.
        guard gv.isNumber, a.isNumber, a.number >= 0, a.number < 18446744073709551616.0 else {
            _ = fail("Pointer has no address (Pointers come from foreign calls).")
            return nil
        }
        if gv.number == FFIField.expired {
            if access { _ = fail(ffiExpiredMessage(a.number)); return nil }
            return UInt(a.number)
        }
        let g = ffiGenerationValue(gv)
        guard g == generation else { _ = fail(ffiStaleMessage(g)); return nil }
        return UInt(a.number)
    }

    /// Start and size of a Memory's bytes right now (owned bytes move with
    /// the heap: valid until the next safe point). Nil (error set) for a
    /// stale view.
    func ffiMemoryBytes(_ v: Value) -> (UnsafeMutableRawPointer?, Int)? {
        let o = heap.slotPointer(v.ref)
        let sv = o[FFIField.memorySize]
        let size = sv.isNumber && sv.number >= 0 && sv.number < 1e18 ? Int(sv.number) : 0
        let b = o[FFIField.memoryBytes]
        if b.isObject, heap.kind(b.ref) == .bytes {
            return (bytesPointer(b.ref), min(size, bytesLength(b.ref)))
        }
        let gv = o[FFIField.memoryGeneration], a = o[FFIField.memoryAddress]
        guard gv.isNumber, a.isNumber, a.number >= 0, a.number < 18446744073709551616.0 else {
            _ = fail("Memory has no bytes (make one with Memory.alloc, Memory.fromString or Memory.view).")
            return nil
        }
        if gv.number == FFIField.expired { _ = fail(ffiExpiredMessage(a.number)); return nil }
        let g = ffiGenerationValue(gv)
        guard g == generation else { _ = fail(ffiStaleMessage(g)); return nil }
        return (UnsafeMutableRawPointer(bitPattern: UInt(a.number)), size)
    }

    /// A value passed as a C pointer: a Pointer, a Memory (its bytes, for the
    /// call), a Callback (its code) or null. Nil (error set) otherwise.
    func ffiPointerArg(_ v: Value, _ what: @autoclosure () -> String) -> UnsafeMutableRawPointer?? {
        if v.isNull { return .some(nil) }
        if ffiIs(v, .pointer) {
            guard let a = ffiPointerAddress(v) else { return nil }
            return .some(UnsafeMutableRawPointer(bitPattern: a))
        }
        if ffiIs(v, .memory) {
            guard let (p, size) = ffiMemoryBytes(v) else { return nil }
            if heap[v.ref, FFIField.memoryBytes].isObject {
                // Lent to C, which may write pointers anywhere in it (FFIStoredPointers.swift).
                if _slowPath(heap[v.ref, FFIField.memoryPointers].isObject), let stale = ffiStaleStoredPointer(v.ref) {
                    _ = fail(ffiStaleStoredPointerMessage(what(), stale))
                    return nil
                }
                let h = ffi.hot
                heap[v.ref, FFIField.memoryGeneration] = Value(h.pointee.generation)
                ffiNoteLent(h, p, size)
            }
            return .some(p)
        }
        if ffiIs(v, .callback) {
            let i = heap[v.ref, FFIField.index]
            guard let k = ffiIndexValue(i), let cb = ffi.callback(k) else {
                _ = fail("\(what()): the callback is not bound.")
                return nil
            }
            return .some(cb.code)
        }
        _ = fail("\(what()) must be a Pointer, Memory, Callback or null, not \(ffiDescribe(v)).")
        return nil
    }
}
