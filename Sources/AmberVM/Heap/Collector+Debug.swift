#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Debug aids for the collector (ARCHITECTURE.md, "The collector"):
//
//   stress   `VMConfiguration.gcStress = N` (default from AMBER_GC_STRESS=N):
//            a collection at every Nth safe point. Collections happen only at
//            safe points (loop back-edges, the slow path of a script call), so
//            that is the finest grain at which one can happen at all. While
//            stress is on, `gcRequested` stays set, so every call takes the
//            slow path and every back-edge asks `safePoint()`, which counts.
//   verify   `VMConfiguration.verifyHeapAfterGC` (default from
//            AMBER_GC_VERIFY=1): `verifyHeap()` before and after every
//            collection (Collector+Verify.swift); a problem is fatal.
//
// Both cost nothing when off: stress is a flag the loop tests anyway, and
// the verifier one branch per collection.

/// Defaults of the debug options, read once from the process environment
/// through the port library's `system` environment (debug aids, not
/// program state: nothing a script sees depends on them).
enum GCDebugDefaults {
    /// AMBER_GC_STRESS=N: collect at every Nth safe point (0 or unset: off).
    static let stress: Int = {
        guard let v = variable("AMBER_GC_STRESS"), let n = Int(v), n > 0 else { return 0 }
        return n
    }()
    /// AMBER_GC_VERIFY=1: verify the heap around every collection.
    static let verify: Bool = {
        guard let v = variable("AMBER_GC_VERIFY") else { return false }
        return !v.isEmpty && v != "0"
    }()

    private static func variable(_ name: String) -> String? {
        systemEnvironmentVariable(Array(name.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension VM {
    /// Re-arms `gcRequested` after anything that cleared it: set when the heap
    /// passed its threshold, and always under stress (so every safe point
    /// comes to `safePoint()` to be counted).
    @inline(__always) func rearmCollectionRequest() {
        heap.gcRequested = heap.top > heap.nextGC || gcStressInterval > 0
    }

    /// Asks for a collection at the next safe point, even under stress
    /// (`System.gc()`): it is not counted as a stress tick.
    func requestCollection() {
        collectionAsked = true
        heap.gcRequested = true
    }

    /// Whether the safe point now being taken should collect. Under stress,
    /// a request that is neither the heap's threshold nor `System.gc()` is a
    /// tick, and only every `gcStressInterval`th tick collects.
    func shouldCollectAtSafePoint() -> Bool {
        if gcStressInterval == 0 || collectionAsked || heap.top > heap.nextGC { return true }
        stressTicks += 1
        if stressTicks < gcStressInterval { return false }
        stressTicks = 0
        return true
    }

    /// Runs the verifier if asked to; stops the process on a broken heap
    /// (continuing would corrupt it further and hide the cause).
    func verifyHeapIfAsked(_ when: String) {
        guard config.verifyHeapAfterGC else { return }
        let problems = verifyHeap()
        if problems.isEmpty { return }
        let text = "amber: heap verification failed \(when) collection #\(collections + (when == "before" ? 1 : 0)):\n"
            + problems.map { "  " + $0 }.joined(separator: "\n") + "\n"
        config.writeError(text)
        fatalError(text)
    }
}
