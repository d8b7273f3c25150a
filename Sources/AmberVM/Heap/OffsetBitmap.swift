// A set of heap offsets, one bit per 8-byte word: where objects start, which
// were seen, which may go unchecked. The heap verifiers and the restore's
// trusted-core check keep theirs in one (the collector's mark bits live
// beside the heap instead, in Heap.markBits).

/// Heap offsets (multiples of 8) below the limit given at creation.
struct OffsetBitmap {
    private var words: [UInt64]

    init(below limit: Int) {
        words = [UInt64](repeating: 0, count: (max(0, limit) >> 3) / 64 + 1)
    }

    @inline(__always) mutating func insert(_ offset: Int) {
        let w = offset >> 3
        words[w >> 6] |= 1 << UInt64(w & 63)
    }

    @inline(__always) func contains(_ offset: Int) -> Bool {
        let w = offset >> 3
        return words[w >> 6] & (1 << UInt64(w & 63)) != 0
    }
}
