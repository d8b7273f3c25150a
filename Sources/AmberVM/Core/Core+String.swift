#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// String natives. Strings are byte arrays, normally UTF-8; indexes are byte
// offsets, iteration is by code point, and invalid bytes come out one by one.

extension VM {
    /// Validates an index argument against `count` (negative counts from the end).
    @inline(__always)
    func indexArg(_ v: Value, _ count: Int, _ what: @autoclosure () -> String) -> Int? {
        // The common case, an integer already in range, without the checks
        // in their error-reporting order (and without building `what`).
        if v.isNumber {
            let d = v.number
            if d >= 0 && d < Double(count) {
                let i = Int(d)
                if Double(i) == d { return i }
            }
        }
        return indexArgChecked(v, count, what())
    }

    @inline(never)
    func indexArgChecked(_ v: Value, _ count: Int, _ what: String) -> Int? {
        guard v.isNumber else { _ = fail("\(what) must be a number."); return nil }
        let d = v.number
        guard d == trunc(d), d.isFinite else { _ = fail("\(what) must be an integer."); return nil }
        var i = d
        if i < 0 { i += Double(count) }
        guard i >= 0 && i < Double(count) else { _ = fail("\(what) out of bounds."); return nil }
        return Int(i)
    }

    /// Resolves a range subscript over `count` elements: (start, length, step).
    func rangeArg(_ r: ObjRef, _ count: Int) -> (Int, Int, Int)? {
        let from = heap[r, RangeLayout.from].number
        var to = heap[r, RangeLayout.to].number
        let inclusive = heap[r, RangeLayout.inclusive] == .true
        if from == Double(count) && to == (inclusive ? -1.0 : Double(count)) { return (0, 0, 1) }
        guard let start = indexArg(Value(from), count, "Range start") else { return nil }
        guard to == trunc(to), to.isFinite else { _ = fail("Range end must be an integer."); return nil }
        if to < 0 { to += Double(count) }
        if !inclusive {
            if Int(to) == start && to == trunc(to) { return (start, 0, 1) }
            to += to >= Double(start) ? -1 : 1
        }
        guard to >= 0 && to < Double(count) else { _ = fail("Range end out of bounds."); return nil }
        let end = Int(to)
        return (start, abs(start - end) + 1, start <= end ? 1 : -1)
    }

    /// Decodes the UTF-8 code point at byte `i`: (code point or -1 if invalid, byte length).
    func decodeUTF8(_ p: UnsafeRawPointer, _ n: Int, _ i: Int) -> (Int, Int) {
        let b0 = Int(p.load(fromByteOffset: i, as: UInt8.self))
        if b0 < 0x80 { return (b0, 1) }
        var len = 0, cp = 0
        if b0 & 0xE0 == 0xC0 { len = 2; cp = b0 & 0x1F }
        else if b0 & 0xF0 == 0xE0 { len = 3; cp = b0 & 0x0F }
        else if b0 & 0xF8 == 0xF0 { len = 4; cp = b0 & 0x07 }
        else { return (-1, 1) }
        if i + len > n { return (-1, 1) }
        for j in 1..<len {
            let b = Int(p.load(fromByteOffset: i + j, as: UInt8.self))
            if b & 0xC0 != 0x80 { return (-1, 1) }
            cp = cp << 6 | (b & 0x3F)
        }
        return (cp, len)
    }

    /// The string for the code point starting at byte `i` (or the lone byte).
    func codePointString(_ s: ObjRef, _ i: Int) -> ObjRef {
        let (_, len) = decodeUTF8(stringBytes(s), stringLength(s), i)
        return substring(s, i, len)
    }

    func stringFind(_ hay: ObjRef, _ needle: ObjRef, from start: Int) -> Int {
        let n = stringLength(hay), m = stringLength(needle)
        if m == 0 { return start }
        if m > n - start { return -1 }
        let h = stringBytes(hay), nd = stringBytes(needle)
        let first = nd.load(as: UInt8.self)
        var i = start
        while i <= n - m {
            if h.load(fromByteOffset: i, as: UInt8.self) == first && memcmp(h + i, nd, m) == 0 { return i }
            i += 1
        }
        return -1
    }

    func stringArg(_ a: UnsafeMutablePointer<Value>, _ i: Int, _ what: String = "Argument") -> ObjRef? {
        if isString(a[i]) { return a[i].ref }
        _ = fail("\(what) must be a string.")
        return nil
    }

    func registerStringNatives() {
        let str = "String"
        native(str, "+(_)") { vm, a in
            guard let b = vm.stringArg(a, 1, "Right operand") else { return false }
            guard let r = vm.concat(a[0].ref, b) else { return vm.fail("Out of memory.") }
            return vm.ret(a, r.value)
        }
        native(str, "==(_)") { vm, a in vm.ret(a, Value(vm.isString(a[1]) && vm.stringsEqual(a[0].ref, a[1].ref))) }
        native(str, "!=(_)") { vm, a in vm.ret(a, Value(!(vm.isString(a[1]) && vm.stringsEqual(a[0].ref, a[1].ref)))) }
        native(str, "toString") { vm, a in true }
        native(str, "byteCount_") { vm, a in vm.ret(a, Value(vm.stringLength(a[0].ref))) }
        native(str, "byteAt_(_)") { vm, a in
            let s = a[0].ref
            guard let i = vm.indexArg(a[1], vm.stringLength(s), "Index") else { return false }
            return vm.ret(a, Value(Int(vm.stringBytes(s).load(fromByteOffset: i, as: UInt8.self))))
        }
        native(str, "codePointAt_(_)") { vm, a in
            let s = a[0].ref
            guard let i = vm.indexArg(a[1], vm.stringLength(s), "Index") else { return false }
            let (cp, _) = vm.decodeUTF8(vm.stringBytes(s), vm.stringLength(s), i)
            let b = Int(vm.stringBytes(s).load(fromByteOffset: i, as: UInt8.self))
            // A continuation byte is not the start of a code point.
            return vm.ret(a, Value(b & 0xC0 == 0x80 ? -1 : cp))
        }
        native(str, "count") { vm, a in
            let s = a[0].ref
            let n = vm.stringLength(s)
            var i = 0, c = 0
            while i < n { i += vm.decodeUTF8(vm.stringBytes(s), n, i).1; c += 1 }
            return vm.ret(a, Value(c))
        }
        native(str, "contains(_)") { vm, a in
            guard let n = vm.stringArg(a, 1) else { return false }
            return vm.ret(a, Value(vm.stringFind(a[0].ref, n, from: 0) >= 0))
        }
        native(str, "startsWith(_)") { vm, a in
            guard let n = vm.stringArg(a, 1) else { return false }
            let s = a[0].ref
            let m = vm.stringLength(n)
            return vm.ret(a, Value(m <= vm.stringLength(s) && memcmp(vm.stringBytes(s), vm.stringBytes(n), m) == 0))
        }
        native(str, "endsWith(_)") { vm, a in
            guard let n = vm.stringArg(a, 1) else { return false }
            let s = a[0].ref
            let m = vm.stringLength(n), len = vm.stringLength(s)
            return vm.ret(a, Value(m <= len && memcmp(vm.stringBytes(s) + (len - m), vm.stringBytes(n), m) == 0))
        }
        native(str, "indexOf(_)") { vm, a in
            guard let n = vm.stringArg(a, 1) else { return false }
            return vm.ret(a, Value(vm.stringFind(a[0].ref, n, from: 0)))
        }
        native(str, "indexOf(_,_)") { vm, a in
            guard let n = vm.stringArg(a, 1) else { return false }
            let s = a[0].ref
            let len = vm.stringLength(s)
            guard a[2].isNumber else { return vm.fail("Start must be a number.") }
            guard let start = vm.indexArg(a[2], len, "Start") else { return false }
            return vm.ret(a, Value(vm.stringFind(s, n, from: start)))
        }
        native(str, "iterate(_)") { vm, a in
            let s = a[0].ref
            let n = vm.stringLength(s)
            if a[1].isNull { return vm.ret(a, n == 0 ? .false : Value(0)) }
            guard a[1].isNumber else { return vm.fail("Iterator must be a number.") }
            guard a[1].number == trunc(a[1].number) else { return vm.fail("Iterator must be an integer.") }
            var i = VM.clampedInt(a[1].number)
            if i < 0 || i >= n { return vm.ret(a, .false) }
            i += vm.decodeUTF8(vm.stringBytes(s), n, i).1
            return vm.ret(a, i >= n ? .false : Value(i))
        }
        native(str, "iterateByte_(_)") { vm, a in
            let n = vm.stringLength(a[0].ref)
            if a[1].isNull { return vm.ret(a, n == 0 ? .false : Value(0)) }
            guard a[1].isNumber else { return vm.fail("Iterator must be a number.") }
            guard a[1].number == trunc(a[1].number) else { return vm.fail("Iterator must be an integer.") }
            let i = VM.clampedInt(a[1].number)
            if i < 0 || i + 1 >= n { return vm.ret(a, .false) }
            return vm.ret(a, Value(i + 1))
        }
        native(str, "iteratorValue(_)") { vm, a in
            let s = a[0].ref
            guard let i = vm.indexArg(a[1], vm.stringLength(s), "Iterator") else { return false }
            return vm.ret(a, vm.codePointString(s, i).value)
        }
        native(str, "[_]") { vm, a in
            let s = a[0].ref
            if a[1].isObject && vm.heap.kind(a[1].ref) == .range {
                let length = vm.stringLength(s)
                guard let (start, count, step) = vm.rangeArg(a[1].ref, length) else { return false }
                // Indexes are bytes, but a range takes whole code points: each
                // one whose first byte is in the range, in the range's order.
                let p = vm.stringBytes(s)
                func isContinuation(_ i: Int) -> Bool { p.load(fromByteOffset: i, as: UInt8.self) & 0xC0 == 0x80 }
                if step == 1 && (count == 0 || !isContinuation(start))
                    && (start + count == length || !isContinuation(start + count)) {
                    return vm.ret(a, vm.substring(s, start, count).value)
                }
                var bytes: [UInt8] = []
                for j in 0..<count {
                    let i = start + j * step
                    if isContinuation(i) { continue }
                    var end = i + 1
                    while end < length && isContinuation(end) { end += 1 }
                    for k in i..<end { bytes.append(p.load(fromByteOffset: k, as: UInt8.self)) }
                }
                return vm.ret(a, vm.newString(bytes: bytes).value)
            }
            guard a[1].isNumber else { return vm.fail("Subscript must be a number or a range.") }
            guard let i = vm.indexArg(a[1], vm.stringLength(s), "Subscript") else { return false }
            return vm.ret(a, vm.codePointString(s, i).value)
        }
        staticNative(str, "fromCodePoint(_)") { vm, a in
            guard let cp = vm.intArg(a, 1, "Code point") else { return false }
            if cp < 0 { return vm.fail("Code point cannot be negative.") }
            if cp > 0x10ffff { return vm.fail("Code point cannot be greater than 0x10ffff.") }
            var out: [UInt8] = []
            Lexer.appendUTF8(UInt32(cp), to: &out)
            return vm.ret(a, vm.newString(bytes: out).value)
        }
        staticNative(str, "fromByte(_)") { vm, a in
            guard let b = vm.intArg(a, 1, "Byte") else { return false }
            if b < 0 { return vm.fail("Byte cannot be negative.") }
            if b > 0xff { return vm.fail("Byte cannot be greater than 0xff.") }
            return vm.ret(a, vm.newString(bytes: [UInt8(b)]).value)
        }
    }
}
