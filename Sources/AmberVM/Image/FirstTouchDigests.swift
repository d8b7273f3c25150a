@_spi(AmberInternals) import AmberObjects
import Synchronization

// Signed images checked as the program first touches their pages
// (ARCHITECTURE.md, "The image"), so that a restore with a key stays flat in
// heap size.
//
// Restoring a signed image with `verifyHeap: false` in a process that asks
// for it (`VMConfiguration.heapDigestsOnFirstTouch`: the `amber` launcher),
// the signature is checked over the header, the metadata and the table of
// per-chunk digests as always, and then the mapped heap is made inaccessible
// (`mprotect`, PROT_NONE) instead of being hashed. The first access to a
// chunk faults; the process's SIGSEGV handler (the launcher's,
// CorruptImageGuard.swift: the library installs no signal handler) calls
// `handleFault`, which opens the chunk, hashes it against its digest and
// returns; the access is then made again and succeeds. A chunk that does not
// match ends the process with exit 74 and a message naming the bytes: a
// check on first touch cannot report an error to code that only read memory.
//
//     heap: [ chunk 0 | chunk 1 | chunk 2 | ... ]   64 KiB each (ImageSigning.chunkShift)
//             checked   no access  checked          one byte per chunk in `checked`
//
// What makes this sound: a chunk is readable only once it matched, and
// nothing writes the heap before reading it (the pages start inaccessible).
// One VM is used by one thread at a time, so a chunk opened for hashing is
// not read by another thread meanwhile. System calls given heap memory
// (writing a file from a string) fail with EFAULT instead of faulting, so
// those paths touch the bytes first (`touch`); a snapshot reads every byte
// before writing it anyway.

/// One registered heap: `end` is published last and cleared first; the rest
/// sits behind a pointer, so the handler's reads pay no exclusivity check.
final class FirstTouchRegion: Sendable {
    let end = Atomic<UInt>(0)
    nonisolated(unsafe) let fields = UnsafeMutablePointer<Fields>.allocate(capacity: 1)

    struct Fields {
        var start: UInt = 0           // 0: the slot is free
        var heapBytes = 0
        var chunkShift = 0
        var digests: UnsafeMutablePointer<UInt8>? = nil
        var checked: UnsafeMutablePointer<UInt8>? = nil   // one byte per chunk, 1 once it matched
        var path: UnsafeMutableBufferPointer<UInt8>? = nil
    }

    init() { fields.initialize(to: Fields()) }
}

package enum FirstTouchDigests {
    /// Heaps being checked on first touch (a slot is free while its `start` is 0).
    static let regions: [FirstTouchRegion] = (0..<64).map { _ in FirstTouchRegion() }
    static let registration = Mutex<Void>(())
    /// Where the message for a changed chunk is put together (no allocation in a handler).
    nonisolated(unsafe) static let messageBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)

    package enum Fault {
        /// Not an address of a heap being checked, or a chunk already checked: a real fault.
        case notOurs
        /// The chunk matched its digest and is open now: the access may be made again.
        case checked
        /// The chunk does not match: `message(region:chunk:)` says so.
        case changed(region: Int, chunk: Int)
    }

    /// Initializes the globals `handleFault` and `message` read, so that a
    /// handler never runs a lazy initializer (which allocates). The process's
    /// handler calls this when it is installed.
    package static func prepare() {
        SHA256.prepare()
        _ = regions.count
        _ = messageBuffer
    }

    /// Makes the `heapBytes` mapped at `start` inaccessible until each chunk is
    /// checked against `table` (32 bytes per chunk of `1 << chunkShift`).
    /// The slot, or nil when none is free or the pages cannot be protected
    /// (then the caller checks every chunk now).
    static func register(start: UnsafeMutableRawPointer, heapBytes: Int, mappedBytes: Int, chunkShift: Int,
                         table: [UInt8], path: String) -> Int? {
        SHA256.prepare()
        let chunks = (heapBytes + (1 << chunkShift) - 1) >> chunkShift
        guard table.count >= chunks * SHA256.digestSize else { return nil }
        return registration.withLock { _ -> Int? in
            guard let slot = regions.firstIndex(where: { $0.fields.pointee.start == 0 }) else { return nil }
            let f = regions[slot].fields
            f.pointee.start = UInt(bitPattern: start)
            f.pointee.heapBytes = heapBytes
            f.pointee.chunkShift = chunkShift
            let digests = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, table.count))
            table.withUnsafeBufferPointer { digests.initialize(from: $0.baseAddress!, count: table.count) }
            f.pointee.digests = digests
            let checked = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, chunks))
            checked.initialize(repeating: 0, count: max(1, chunks))
            f.pointee.checked = checked
            let name = Array(path.utf8.prefix(3000))
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: name.count)
            _ = copy.initialize(from: name)
            f.pointee.path = copy
            guard VirtualMemory.protect(start, mappedBytes, accessible: false) else {
                releaseSlot(slot)
                return nil
            }
            regions[slot].end.store(UInt(bitPattern: start) + UInt(mappedBytes), ordering: .releasing)
            return slot
        }
    }

    /// Forgets slot `slot` (its VM is going away; the pages go with its heap).
    static func unregister(_ slot: Int) {
        registration.withLock { _ in releaseSlot(slot) }
    }

    private static func releaseSlot(_ slot: Int) {
        regions[slot].end.store(0, ordering: .releasing)
        let f = regions[slot].fields
        f.pointee.digests?.deallocate()
        f.pointee.checked?.deallocate()
        f.pointee.path?.deallocate()
        f.pointee = FirstTouchRegion.Fields()
    }

    /// For the process's SIGSEGV handler: checks the chunk holding `address`
    /// if it is one of a registered heap's. Async-signal-safe: atomics,
    /// `mprotect` and arithmetic, no allocation, no lock.
    package static func handleFault(at address: UInt) -> Fault {
        for slot in 0..<regions.count {
            let end = regions[slot].end.load(ordering: .acquiring)
            let r = regions[slot].fields.pointee
            guard end != 0, address >= r.start, address < end, let checked = r.checked, let digests = r.digests else {
                continue
            }
            let chunk = Int(address - r.start) >> r.chunkShift
            if checked[chunk] != 0 { return .notOurs }
            let chunkStart = r.start + UInt(chunk << r.chunkShift)
            let chunkEnd = min(chunkStart + UInt(1 << r.chunkShift), end)
            let p = UnsafeMutableRawPointer(bitPattern: chunkStart)!
            guard VirtualMemory.protect(p, Int(chunkEnd - chunkStart), accessible: true) else { return .notOurs }
            let hashed = min(Int(chunkEnd - chunkStart), r.heapBytes - (chunk << r.chunkShift))
            guard SHA256.matches(p, count: hashed, digest: digests + chunk * SHA256.digestSize) else {
                // Closed again: nothing may read what does not match.
                VirtualMemory.protect(p, Int(chunkEnd - chunkStart), accessible: false)
                return .changed(region: slot, chunk: chunk)
            }
            checked[chunk] = 1
            return .checked
        }
        return .notOurs
    }

    /// The message for a changed chunk, as the eager check words it; valid
    /// until the next call. Async-signal-safe.
    package static func message(region slot: Int, chunk: Int) -> UnsafeRawBufferPointer {
        let r = regions[slot].fields.pointee
        var n = 0
        func put(_ text: StaticString) {
            text.withUTF8Buffer { for b in $0 where n < 4000 { messageBuffer[n] = b; n += 1 } }
        }
        func put(_ bytes: UnsafeBufferPointer<UInt8>) { for b in bytes where n < 4000 { messageBuffer[n] = b; n += 1 } }
        func put(_ value: Int) {
            var digits = 1, v = max(0, value)
            while v >= 10 { v /= 10; digits *= 10 }
            v = max(0, value)
            while digits > 0 { messageBuffer[n] = UInt8(48 + v / digits % 10); n += 1; digits /= 10 }
        }
        let size = 1 << r.chunkShift
        put("amber: Image '")
        if let path = r.path { put(UnsafeBufferPointer(path)) }
        put("' was changed after it was signed (heap bytes ")
        put(chunk * size)
        put("..<")
        put(min((chunk + 1) * size, r.heapBytes))
        put(" do not match their signed digest).\n")
        return UnsafeRawBufferPointer(start: messageBuffer, count: n)
    }

    /// Reads one byte of every page of `bytes`, so that their chunks are
    /// checked before a system call is given them (it would fail with EFAULT).
    static func touch(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        var sink: UInt8 = 0
        while offset < bytes.count {
            sink |= base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 4096 - (Int(bitPattern: base + offset) & 4095)
        }
        sink |= base.load(fromByteOffset: bytes.count - 1, as: UInt8.self)
        withExtendedLifetime(sink) {}
    }
}
