#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Arrays, lists, ranges and maps: the heap-side containers.

extension VM {
    // MARK: Arrays (raw backing stores)

    func newArray(capacity: Int, kind: ObjKind = .array) -> ObjRef {
        let r = heap.allocate(kind, cls: .none, size: 16 + 8 * (1 + capacity))
        heap.setWord(r, ArrayLayout.capacity, capacity)
        // A fiber stack is only read below its top, which is written first:
        // the allocator's zeroes will do. Other arrays start out null.
        if kind != .stack {
            let p = heap.slotPointer(r) + 1
            for i in 0..<capacity { p[i] = .null }
        }
        return r
    }

    @inline(__always) func arrayCapacity(_ a: ObjRef) -> Int { heap.word(a, ArrayLayout.capacity) }
    /// Pointer to an array's first element; valid until the next collection.
    @inline(__always) func arrayElements(_ a: ObjRef) -> UnsafeMutablePointer<Value> { heap.slotPointer(a) + 1 }

    // MARK: Lists

    func newList(capacity: Int = 0) -> ObjRef {
        let l = heap.allocate(.list, cls: listClass, size: ListLayout.size)
        heap.setWord(l, ListLayout.count, 0)
        heap[l, ListLayout.elements] = capacity > 0 ? newArray(capacity: capacity).value : .null
        return l
    }

    /// A list holding `values`.
    func newList(_ values: [Value]) -> ObjRef {
        let l = newList(capacity: values.count)
        let p = listElements(l)
        for (i, v) in values.enumerated() { p[i] = v }
        heap.setWord(l, ListLayout.count, values.count)
        return l
    }

    @inline(__always) func listCount(_ l: ObjRef) -> Int { heap.word(l, ListLayout.count) }
    @inline(__always) func listCapacity(_ l: ObjRef) -> Int {
        let e = heap[l, ListLayout.elements]
        return e.isObject ? arrayCapacity(e.ref) : 0
    }
    /// Pointer to the list's elements; valid until the list grows or the heap is collected.
    @inline(__always) func listElements(_ l: ObjRef) -> UnsafeMutablePointer<Value> {
        let e = heap[l, ListLayout.elements]
        return e.isObject ? arrayElements(e.ref) : UnsafeMutablePointer(bitPattern: 8)!
    }
    @inline(__always) func listGet(_ l: ObjRef, _ i: Int) -> Value { listElements(l)[i] }
    @inline(__always) func listSet(_ l: ObjRef, _ i: Int, _ v: Value) { heap.store(v, at: listElements(l) + i) }

    /// Makes room for at least `needed` elements. False when the heap cannot grow.
    @discardableResult
    func listReserve(_ l: ObjRef, _ needed: Int) -> Bool {
        let cap = listCapacity(l)
        if needed <= cap { return true }
        var newCap = max(8, cap * 2)
        if newCap < needed { newCap = needed }
        guard heap.canAllocate(newCap * 8 + 64) else { return false }
        let count = listCount(l)
        let old = listElements(l)
        let arr = newArray(capacity: newCap)
        if count > 0 { arrayElements(arr).update(from: old, count: count) }
        heap[l, ListLayout.elements] = arr.value
        return true
    }

    @discardableResult
    func listAppend(_ l: ObjRef, _ v: Value) -> Bool {
        let n = listCount(l)
        if n >= listCapacity(l) { guard listReserve(l, n + 1) else { return false } }
        heap.store(v, at: listElements(l) + n)
        heap.setWord(l, ListLayout.count, n + 1)
        return true
    }

    @discardableResult
    func listInsert(_ l: ObjRef, _ at: Int, _ v: Value) -> Bool {
        let n = listCount(l)
        if n >= listCapacity(l) { guard listReserve(l, n + 1) else { return false } }
        let p = listElements(l)
        if at < n { (p + at + 1).update(from: p + at, count: n - at) }
        p[at] = v
        heap.remember(p + at, count: n - at + 1)
        heap.setWord(l, ListLayout.count, n + 1)
        return true
    }

    func listRemove(_ l: ObjRef, at: Int) -> Value {
        let n = listCount(l)
        let p = listElements(l)
        let v = p[at]
        if at < n - 1 {
            (p + at).update(from: p + at + 1, count: n - at - 1)
            heap.remember(p + at, count: n - at - 1)
        }
        p[n - 1] = .null
        heap.setWord(l, ListLayout.count, n - 1)
        return v
    }

    func listValues(_ l: ObjRef) -> [Value] {
        // Never more than the backing array holds: a count from an unchecked
        // image (verify=header) must not size a Swift allocation or read past it.
        let n = max(0, min(listCount(l), listCapacity(l)))
        return Array(UnsafeBufferPointer(start: listElements(l), count: n))
    }

    // MARK: Ranges

    func newRange(_ from: Double, _ to: Double, inclusive: Bool) -> ObjRef {
        let r = heap.allocate(.range, cls: rangeClass, size: RangeLayout.size)
        heap[r, RangeLayout.from] = Value(from)
        heap[r, RangeLayout.to] = Value(to)
        heap[r, RangeLayout.inclusive] = Value(inclusive)
        return r
    }

    // MARK: Maps

    func newMap() -> ObjRef {
        let m = heap.allocate(.map, cls: mapClass, size: MapLayout.size)
        heap[m, MapLayout.entries] = .null
        return m
    }

    @inline(__always) func mapCount(_ m: ObjRef) -> Int { heap.word(m, MapLayout.count) }

    /// Whether `v` may be a map key (Wren allows only value types).
    func isValidKey(_ v: Value) -> Bool {
        if v.isNumber || v.isNull || v.isBool { return true }
        guard v.isObject else { return false }
        switch heap.kind(v.ref) {
        case .string, .range, .classObj: return true
        default: return false
        }
    }

    /// A key's hash. These are Wren's, so that maps iterate in the order
    /// Wren's do (programs print maps): strings by FNV-1a of their bytes,
    /// classes by their name, ranges by their bounds, and every other value
    /// by its 64 bits (the same NaN-boxing as Wren's) through `hashBits`.
    func hashValue(_ v: Value) -> UInt32 {
        if v.isObject {
            let r = v.ref
            switch heap.kind(r) {
            case .string: return stringHash(r)
            case .range:
                return hashBits(heap[r, RangeLayout.from].bits) ^ hashBits(heap[r, RangeLayout.to].bits)
            case .classObj: return hashValue(heap[r, ClassLayout.name])
            // Never a key (`isValidKey`); an offset would change when the collector moves it.
            default: return 0
            }
        }
        return hashBits(v.bits)
    }

    /// Thomas Wang's 64-bit integer hash, kept to 30 bits.
    @inline(__always) func hashBits(_ x: UInt64) -> UInt32 {
        var h = ~x &+ (x << 18)
        h ^= h >> 31
        h = h &* 21
        h ^= h >> 11
        h = h &+ (h << 6)
        h ^= h >> 22
        return UInt32(truncatingIfNeeded: h & 0x3fff_ffff)
    }

    /// Wren's value equality (map keys, List.indexOf, Object.same): numbers
    /// by their bits (so NaN equals itself, and 0 and -0 are different keys),
    /// strings and ranges by value, everything else by identity.
    func valuesEqual(_ a: Value, _ b: Value) -> Bool {
        if a.bits == b.bits { return true }
        guard a.isObject && b.isObject else { return false }
        let ka = heap.kind(a.ref)
        guard ka == heap.kind(b.ref) else { return false }
        switch ka {
        case .string: return stringsEqual(a.ref, b.ref)
        case .range:
            return heap[a.ref, RangeLayout.from].number == heap[b.ref, RangeLayout.from].number
                && heap[a.ref, RangeLayout.to].number == heap[b.ref, RangeLayout.to].number
                && heap[a.ref, RangeLayout.inclusive] == heap[b.ref, RangeLayout.inclusive]
        default: return false
        }
    }

    // The table: open addressing with linear probing over a power-of-two
    // number of buckets (at least 16), grown ×2 when an insertion would make
    // it more than 75% full and shrunk ÷2 when a removal leaves it less than
    // 37.5% full, as Wren's; removed keys leave tombstones (undefined key,
    // true value) that an insertion reuses. The same sizes and probing as
    // Wren's give the same iteration order.

    static let minimumMapCapacity = 16

    /// The bucket holding `key`, or where to insert it (the first
    /// tombstone on its probe sequence, else the empty bucket that ends it).
    private func mapProbe(_ m: ObjRef, _ key: Value) -> (found: Bool, index: Int) {
        let e = heap[m, MapLayout.entries]
        guard e.isObject else { return (false, -1) }
        let cap = arrayCapacity(e.ref) / 2
        let p = arrayElements(e.ref)
        var i = Int(hashValue(key)) & (cap - 1)
        var tombstone = -1
        // At most one lap: a table may hold no empty bucket, only tombstones.
        for _ in 0..<cap {
            let k = p[2 * i]
            if k.isUndefined {
                if p[2 * i + 1].isFalsy { return (false, tombstone >= 0 ? tombstone : i) }
                if tombstone < 0 { tombstone = i }
            } else if valuesEqual(k, key) {
                return (true, i)
            }
            i = (i + 1) & (cap - 1)
        }
        return (false, tombstone)
    }

    /// Index of the bucket holding `key`, or -1.
    func mapFind(_ m: ObjRef, _ key: Value) -> Int {
        let (found, i) = mapProbe(m, key)
        return found ? i : -1
    }

    func mapGet(_ m: ObjRef, _ key: Value) -> Value? {
        let i = mapFind(m, key)
        if i < 0 { return nil }
        return arrayElements(heap[m, MapLayout.entries].ref)[2 * i + 1]
    }

    /// Sets `key` to `value`; false only when the table could not grow (out of memory).
    @discardableResult
    func mapSet(_ m: ObjRef, _ key: Value, _ value: Value) -> Bool {
        var (found, i) = mapProbe(m, key)
        if found {
            heap.store(value, at: arrayElements(heap[m, MapLayout.entries].ref) + 2 * i + 1)
            return true
        }
        let count = mapCount(m)
        let cap = mapCapacity(m)
        if count + 1 > cap * 3 / 4 {
            guard mapResize(m, max(VM.minimumMapCapacity, cap * 2)) else { return false }
            i = mapProbe(m, key).index
        }
        let p = arrayElements(heap[m, MapLayout.entries].ref)
        heap.store(key, at: p + 2 * i)
        heap.store(value, at: p + 2 * i + 1)
        heap.setWord(m, MapLayout.count, count + 1)
        return true
    }

    /// Rebuilds the table with `newCap` buckets, entries in the old order.
    private func mapResize(_ m: ObjRef, _ newCap: Int) -> Bool {
        guard heap.canAllocate(newCap * 16 + 64) else { return false }
        let old = heap[m, MapLayout.entries]
        let arr = newArray(capacity: newCap * 2)
        let p = arrayElements(arr)
        for i in 0..<newCap { p[2 * i] = .undefined; p[2 * i + 1] = .false }
        heap[m, MapLayout.entries] = arr.value
        guard old.isObject else { return true }
        let op = arrayElements(old.ref)
        for j in 0..<(arrayCapacity(old.ref) / 2) where !op[2 * j].isUndefined {
            // Fresh table: the probe ends at an empty bucket.
            let i = mapProbe(m, op[2 * j]).index
            p[2 * i] = op[2 * j]
            p[2 * i + 1] = op[2 * j + 1]
        }
        return true
    }

    /// Removes `key`; returns its value or null.
    func mapRemove(_ m: ObjRef, _ key: Value) -> Value {
        let i = mapFind(m, key)
        if i < 0 { return .null }
        let p = arrayElements(heap[m, MapLayout.entries].ref)
        let v = p[2 * i + 1]
        p[2 * i] = .undefined
        p[2 * i + 1] = .true
        let count = mapCount(m) - 1
        heap.setWord(m, MapLayout.count, count)
        let cap = mapCapacity(m)
        if count == 0 {
            mapClear(m)
        } else if cap > VM.minimumMapCapacity && count < cap / 2 * 3 / 4 {
            // Shrinking only when memory allows; a full-size table is still correct.
            _ = mapResize(m, max(VM.minimumMapCapacity, cap / 2))
        }
        return v
    }

    func mapClear(_ m: ObjRef) {
        heap[m, MapLayout.entries] = .null
        heap.setWord(m, MapLayout.count, 0)
    }

    /// Bucket count (for iteration).
    func mapCapacity(_ m: ObjRef) -> Int {
        let e = heap[m, MapLayout.entries]
        return e.isObject ? arrayCapacity(e.ref) / 2 : 0
    }

    /// The key and value of bucket `i`, or nil when empty.
    func mapEntry(_ m: ObjRef, _ i: Int) -> (Value, Value)? {
        let p = arrayElements(heap[m, MapLayout.entries].ref)
        if p[2 * i].isUndefined { return nil }
        return (p[2 * i], p[2 * i + 1])
    }
}
