import Synchronization

// Why the interpreter loop stops at its next safe point (a call, a loop
// back-edge): a collection is due, or some thread asked for an interrupt.
//
//     allocator (VM's thread)   -- top passes nextGC -->  pending = true
//     InterruptHandle (any)     -- interrupt()       -->  interrupt = true, then pending = true
//     loop, at each safe point  -- loads pending; when set, VM.safePoint() takes
//                                  the interrupt (an error) or collects, then clears it
//
// `pending` is the only flag the loop reads, so the hot path stays one load:
// a relaxed atomic load is the same instruction as the plain Bool it replaced,
// yet a store from another thread is no longer a data race.
//
// Clearing `pending` must not swallow an interrupt that lands meanwhile. The
// interrupter stores `interrupt` then `pending`; the clearer stores `pending`
// then loads `interrupt` (and sets `pending` again when it is still up). With
// all four sequentially consistent, either the clearer's store comes after the
// interrupter's (and the clearer sees `interrupt`), or before it (and `pending`
// ends up set): the interrupt is taken at the next safe point either way.
//
// A final class shared by the heap, the VM and every InterruptHandle: a handle
// keeps it alive, so interrupting a VM that is gone writes to live memory that
// nobody reads any more.

/// The reasons for the interpreter loop to stop at its next safe point.
@_spi(AmberInternals) public final class SafePointRequests: Sendable {
    @usableFromInline let pending = Atomic<Bool>(false)
    @usableFromInline let interrupt = Atomic<Bool>(false)

    public init() {}

    /// Whether the loop should do a safe point's work: the one load on the hot path.
    @inlinable @inline(__always) public var isPending: Bool { pending.load(ordering: .relaxed) }

    /// A collection is due (the allocator, `System.gc()`). Only the VM's thread calls this.
    @inlinable @inline(__always) public func requestCollection() { pending.store(true, ordering: .relaxed) }

    /// Nothing more to do at safe points, unless an interrupt is waiting.
    public func clear() {
        pending.store(false, ordering: .sequentiallyConsistent)
        if interrupt.load(ordering: .sequentiallyConsistent) { pending.store(true, ordering: .sequentiallyConsistent) }
    }

    /// Asks the loop to stop with "Interrupted.". Any thread may call it.
    public func requestInterrupt() {
        interrupt.store(true, ordering: .sequentiallyConsistent)
        pending.store(true, ordering: .sequentiallyConsistent)
    }

    /// Whether an interrupt was asked for, forgetting it.
    public func takeInterrupt() -> Bool {
        interrupt.exchange(false, ordering: .sequentiallyConsistent)
    }
}
