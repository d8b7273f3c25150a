#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Strings: immutable byte sequences (normally UTF-8) with a cached hash.

extension VM {
    /// FNV-1a over the bytes; stored with the string so map look-ups never rehash.
    @inline(__always)
    static func hashBytes(_ p: UnsafeRawPointer, _ n: Int) -> UInt32 {
        var h: UInt32 = 2166136261
        for i in 0..<n {
            h ^= UInt32(p.load(fromByteOffset: i, as: UInt8.self))
            h = h &* 16777619
        }
        return h
    }

    /// Allocates an uninitialised string of `length` bytes; the caller fills it
    /// and then calls `finishString`.
    func allocateString(length: Int) -> ObjRef {
        let r = heap.allocate(.string, cls: stringClass, size: StringLayout.bytesOffset + length + 1)
        heap.setWord(r, 0, length)
        return r
    }

    func finishString(_ r: ObjRef) {
        let n = stringLength(r)
        let h = VM.hashBytes(stringBytes(r), n)
        heap.setWord(r, 0, n | Int(h) << 32)
    }

    func newString(bytes: UnsafeRawBufferPointer) -> ObjRef {
        let r = allocateString(length: bytes.count)
        if bytes.count > 0 { memcpy(heap.pointer(r) + StringLayout.bytesOffset, bytes.baseAddress!, bytes.count) }
        finishString(r)
        return r
    }

    func newString(_ s: String) -> ObjRef {
        var s = s
        return s.withUTF8 { newString(bytes: UnsafeRawBufferPointer($0)) }
    }

    func newString(bytes: [UInt8]) -> ObjRef {
        bytes.withUnsafeBytes { newString(bytes: $0) }
    }

    @inline(__always) func stringLength(_ r: ObjRef) -> Int { heap.word(r, 0) & 0xffff_ffff }
    @inline(__always) func stringHash(_ r: ObjRef) -> UInt32 { UInt32(truncatingIfNeeded: heap.word(r, 0) >> 32) }
    @inline(__always) func stringBytes(_ r: ObjRef) -> UnsafeMutableRawPointer { heap.pointer(r) + StringLayout.bytesOffset }
    func stringBuffer(_ r: ObjRef) -> UnsafeRawBufferPointer {
        // Never past the object: a length from an unchecked image (verify=header)
        // must not size a copy of gigabytes or read beyond the string.
        UnsafeRawBufferPointer(start: stringBytes(r), count: min(stringLength(r), max(0, heap.size(r) - StringLayout.bytesOffset)))
    }

    /// The Swift text of a string value (invalid UTF-8 is repaired).
    func string(_ v: Value) -> String {
        String(decoding: stringBuffer(v.ref), as: UTF8.self)
    }

    func isString(_ v: Value) -> Bool { v.isObject && heap.kind(v.ref) == .string }

    @inline(__always)
    func stringsEqual(_ a: ObjRef, _ b: ObjRef) -> Bool {
        if a == b { return true }
        let wa = heap.word(a, 0), wb = heap.word(b, 0)
        if wa != wb { return false }  // length and hash together
        return memcmp(stringBytes(a), stringBytes(b), wa & 0xffff_ffff) == 0
    }

    /// Concatenates two strings into a new one. (Made from a string read
    /// from the environment, it is marked as derived from it: EnvironmentStrings.swift.)
    func concat(_ a: ObjRef, _ b: ObjRef) -> ObjRef? {
        let la = stringLength(a), lb = stringLength(b)
        if heap.flags(a) | heap.flags(b) != 0, let name = derivedMark(a, b) {
            let joined = Array(stringBuffer(a)) + Array(stringBuffer(b))
            return joined.withUnsafeBytes { newMarkedString($0, name: name, mark: EnvironmentMark.derived) }
        }
        guard heap.canAllocate(la + lb + 32) else { return nil }
        let r = allocateString(length: la + lb)
        memcpy(stringBytes(r), stringBytes(a), la)
        memcpy(stringBytes(r) + la, stringBytes(b), lb)
        finishString(r)
        return r
    }

    /// A string of `count` bytes starting at `start` of `s`.
    func substring(_ s: ObjRef, _ start: Int, _ count: Int) -> ObjRef {
        if heap.flags(s) != 0, let name = derivedMark(s),
           let r = newMarkedString(UnsafeRawBufferPointer(start: stringBytes(s) + start, count: count), name: name,
                                   mark: EnvironmentMark.derived) {
            return r
        }
        let r = allocateString(length: count)
        memcpy(stringBytes(r), stringBytes(s) + start, count)
        finishString(r)
        return r
    }
}
