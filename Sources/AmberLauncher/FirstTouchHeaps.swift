import AmberVM
import Synchronization

/// The heaps this process checks on first touch (AmberVM's FirstTouchHeap.swift),
/// where the launcher's SIGSEGV handler (CorruptImageGuard.swift) looks for
/// the faulting address. Process-wide, as signal handlers are, so it lives in
/// the launcher, which owns its process. Each slot holds an unretained
/// pointer to a heap its VM owns; the VM takes it out before it goes.
enum FirstTouchHeaps {
    final class Slot: Sendable {
        let heap = Atomic<UInt>(0)
    }
    static let slots: [Slot] = (0..<64).map { _ in Slot() }

    /// What VMs are given (`VMConfiguration.firstTouchRegistry`).
    static let registry = FirstTouchRegistry(
        add: { heap in
            let p = UInt(bitPattern: Unmanaged.passUnretained(heap).toOpaque())
            return slots.contains { $0.heap.compareExchange(expected: 0, desired: p, ordering: .releasing).exchanged }
        },
        remove: { heap in
            let p = UInt(bitPattern: Unmanaged.passUnretained(heap).toOpaque())
            for slot in slots where slot.heap.compareExchange(expected: p, desired: 0, ordering: .releasing).exchanged {
                return
            }
        })

    /// Initializes the globals the handler reads, before any signal arrives.
    static func prepare() {
        _ = slots.count
        FirstTouchHeap.prepare()
    }

    /// The handler's question: checks the chunk of whichever heap holds `address`.
    /// Async-signal-safe: atomic loads and the heap's own `handleFault`.
    static func handleFault(at address: UInt) -> FirstTouchHeap.Fault {
        for slot in slots {
            let p = slot.heap.load(ordering: .acquiring)
            guard p != 0 else { continue }
            let fault = Unmanaged<FirstTouchHeap>.fromOpaque(UnsafeRawPointer(bitPattern: p)!)
                ._withUnsafeGuaranteedRef { $0.handleFault(at: address) }
            if case .notOurs = fault { continue }
            return fault
        }
        return .notOurs
    }
}
