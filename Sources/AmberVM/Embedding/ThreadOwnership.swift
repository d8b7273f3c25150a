#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// One thread inside a VM at a time, enforced.
//
// A VM's heap, fibers and caches are plain memory with no locks, so two threads
// inside one VM corrupt it (two threads calling one VM died with SIGSEGV in 8 runs
// of 8). Every public entry point (interpret, call, variable, snapshot,
// resumeFromImage, shutdown) claims the VM for the calling thread with one
// compare-and-swap on an atomic owner word, and gives it back on the way out.
// The same thread may enter again while inside (a foreign method calling
// `vm.call`), so entries nest; another thread gets a `ScriptError` ("VM used
// from two threads at once.") instead of a crash. Handing a VM from one thread
// to another between calls is fine.
//
// Handles are released from `deinit`, on whatever thread drops the last
// reference. A release that finds another thread inside the VM is queued (under
// a mutex) and done by the next entry, so a handle is never dropped into a
// running VM's handle list from outside.

/// The owner word and the queue of releases that arrived while the VM was busy.
final class VMOwnership: Sendable {
    /// The thread inside the VM (its pthread id), or 0.
    let owner = Atomic<UInt>(0)
    /// Handle slots released by other threads while the VM was in use.
    let pendingReleases = Mutex<[(slot: Int, epoch: Int)]>([])
    /// How many are queued: an entry takes the mutex only when this is not
    /// 0 (a C host's wrenCall enters once per call).
    let pendingCount = Atomic<Int>(0)

    /// Queues a release for the next entry.
    func queueRelease(slot: Int, epoch: Int) {
        pendingReleases.withLock { $0.append((slot: slot, epoch: epoch)) }
        pendingCount.add(1, ordering: .releasing)
    }

    /// The queued releases, taken out of the queue.
    func takeReleases() -> [(slot: Int, epoch: Int)] {
        guard pendingCount.load(ordering: .acquiring) > 0 else { return [] }
        let taken = pendingReleases.withLock { q in
            defer { q = [] }
            return q
        }
        pendingCount.subtract(taken.count, ordering: .relaxed)
        return taken
    }

    /// This thread's id as the owner word holds it (never 0).
    static var currentThread: UInt {
        #if canImport(Glibc)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }
}

extension VM {
    /// Claims the VM for this thread (nesting if it already holds it); throws
    /// when another thread is inside. Pair with `leave()`.
    func enter() throws(ScriptError) {
        let me = VMOwnership.currentThread
        if ownership.owner.load(ordering: .acquiring) == me {
            // A finalizer runs inside a collection, on the owning thread.
            if slotAPI.finalizing { throw ScriptError("A foreign class's finalizer may not use the VM.") }
            entryDepth += 1
            return
        }
        guard ownership.owner.compareExchange(expected: 0, desired: me, ordering: .acquiringAndReleasing).exchanged else {
            throw ScriptError("VM used from two threads at once.")
        }
        entryDepth = 1
        // (Checked here first: the array's type is built at run time on first use.)
        if ownership.pendingCount.load(ordering: .acquiring) > 0 {
            for r in ownership.takeReleases() { releaseHandleSlot(r.slot, epoch: r.epoch) }
        }
    }

    /// Gives the VM back when the outermost entry of this thread ends.
    func leave() {
        entryDepth -= 1
        if entryDepth == 0 { ownership.owner.store(0, ordering: .releasing) }
    }

    /// Runs `body` as an entry into the VM (see `enter()`).
    func entered<R>(_ body: () throws -> R) throws -> R {
        try enter()
        defer { leave() }
        return try body()
    }
}
