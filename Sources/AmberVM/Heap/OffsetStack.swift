// The collectors' work lists: a stack of Ints (heap offsets) whose storage and
// count sit behind one pointer, so closures may capture it as a `let`.
//
// NOTE: Swift Arrays in captured `var`s were boxed, and every push and pop
// paid a dynamic exclusivity check: 3.7 million swift_beginAccess calls
// (250 million instructions, with endAccess and the thread-local lookups
// another 170 million) in build_shape's young collections, whose whole
// cost was 1.5 billion.

/// A growable stack of Ints with reference semantics; `release()` frees it.
struct OffsetStack {
    private struct Storage {
        var buffer: UnsafeMutablePointer<Int>
        var count: Int
        var capacity: Int
    }
    private let state: UnsafeMutablePointer<Storage>

    init(capacity: Int = 1024) {
        state = .allocate(capacity: 1)
        state.initialize(to: Storage(buffer: .allocate(capacity: capacity), count: 0, capacity: capacity))
    }

    func release() {
        state.pointee.buffer.deallocate()
        state.deallocate()
    }

    var isEmpty: Bool { @inline(__always) get { state.pointee.count == 0 } }
    var count: Int { @inline(__always) get { state.pointee.count } }

    @inline(__always) func push(_ x: Int) {
        let n = state.pointee.count
        if _slowPath(n == state.pointee.capacity) { grow() }
        state.pointee.buffer[n] = x
        state.pointee.count = n + 1
    }

    /// The top element, removed. The stack must not be empty.
    @inline(__always) func pop() -> Int {
        let n = state.pointee.count - 1
        state.pointee.count = n
        return state.pointee.buffer[n]
    }

    /// Element `i` from the bottom.
    @inline(__always) subscript(i: Int) -> Int { state.pointee.buffer[i] }

    @inline(never) private func grow() {
        let capacity = state.pointee.capacity * 2
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        bigger.update(from: state.pointee.buffer, count: state.pointee.count)
        state.pointee.buffer.deallocate()
        state.pointee.buffer = bigger
        state.pointee.capacity = capacity
    }
}
