// A map from non-negative integers (heap offsets, or keys made of them) to
// integers, for the image verifier's memories (HeapVerifier.swift).
//
// NOTE: the verifier used Dictionary and Set. Each distinct generic
// instantiation makes the Swift runtime build its metadata on first use, by
// mangled name (30 to 100 thousand instructions each), and SipHash hashing was
// another 224 thousand: together about a tenth of a small restore's 5 million
// instructions. Open addressing over two flat buffers, a multiplicative hash.

/// Non-negative `Int` keys to `Int` values; also a set (`insert`).
final class OffsetMap {
    private var keys: UnsafeMutablePointer<Int>
    private var values: UnsafeMutablePointer<Int>
    private var capacity: Int      // a power of two
    private(set) var count = 0

    init(capacity: Int = 64) {
        var c = 16
        while c < capacity { c <<= 1 }
        self.capacity = c
        keys = .allocate(capacity: c)
        keys.initialize(repeating: -1, count: c)
        values = .allocate(capacity: c)
        values.initialize(repeating: 0, count: c)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always) private func slot(_ key: Int) -> Int {
        Int(truncatingIfNeeded: (UInt(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 20) & (capacity - 1)
    }

    /// The value for `key`, or nil.
    subscript(key: Int) -> Int? {
        precondition(key >= 0)
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == -1 { return nil }
            i = (i + 1) & (capacity - 1)
        }
    }

    /// Sets `key` to `value`.
    func set(_ key: Int, _ value: Int) {
        precondition(key >= 0)
        if 2 * (count + 1) > capacity { grow() }
        var i = slot(key)
        while keys[i] != -1 && keys[i] != key { i = (i + 1) & (capacity - 1) }
        if keys[i] == -1 { count += 1 }
        keys[i] = key
        values[i] = value
    }

    /// Adds `key` as a set member; false if it was there.
    func insert(_ key: Int) -> Bool {
        if self[key] != nil { return false }
        set(key, 1)
        return true
    }

    /// Empties the map, keeping its room.
    func removeAll() {
        if count == 0 { return }
        keys.update(repeating: -1, count: capacity)
        count = 0
    }

    private func grow() {
        let oldKeys = keys, oldValues = values, oldCapacity = capacity
        capacity <<= 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: -1, count: capacity)
        values = .allocate(capacity: capacity)
        values.initialize(repeating: 0, count: capacity)
        count = 0
        for i in 0..<oldCapacity where oldKeys[i] != -1 { set(oldKeys[i], oldValues[i]) }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}
