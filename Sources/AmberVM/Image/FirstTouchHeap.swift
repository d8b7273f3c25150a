@_spi(AmberInternals) import AmberObjects

// Signed images checked as the program first touches their pages
// (ARCHITECTURE.md, "The image"), so that a restore with a key stays flat in
// heap size.
//
// Restoring a signed image with `verifyHeap: false` for a process that offers
// it (`VMConfiguration.firstTouchRegistry`: the `amber` launcher), the
// signature is checked over the header, the metadata and the table of
// per-chunk digests as always, and then the mapped heap is made inaccessible
// (`mprotect`, PROT_NONE) instead of being hashed. The first access to a
// chunk faults; the process's SIGSEGV handler (the launcher's,
// FirstTouchHeaps.swift: the library installs no signal handler and keeps no
// process-wide table) finds the VM's `FirstTouchHeap` and calls
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

/// One VM's restored heap while its chunks are checked on first touch. Owned
/// by the VM; everything a fault handler reads is a `let` or behind a pointer
/// (no allocation, no lock, no exclusivity check there).
package final class FirstTouchHeap: @unchecked Sendable {
    package let start: UInt
    package let end: UInt
    let heapBytes: Int
    let chunkShift: Int
    let digests: UnsafeMutablePointer<UInt8>
    /// One byte per chunk, 1 once it matched.
    let checked: UnsafeMutablePointer<UInt8>
    let path: UnsafeMutableBufferPointer<UInt8>
    /// Where the message for a changed chunk is put together.
    let messageBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)

    package enum Fault {
        /// Not an address of this heap, or a chunk already checked: a real fault.
        case notOurs
        /// The chunk matched its digest and is open now: the access may be made again.
        case checked
        /// The chunk does not match; the message names its bytes.
        case changed(message: UnsafeRawBufferPointer)
    }

    /// The `heapBytes` mapped at `start`, to be checked against `table`
    /// (32 bytes per chunk of `1 << chunkShift`); nil if the table is short.
    init?(start: UnsafeMutableRawPointer, heapBytes: Int, mappedBytes: Int, chunkShift: Int, table: [UInt8],
          path: String) {
        let chunks = (heapBytes + (1 << chunkShift) - 1) >> chunkShift
        guard table.count >= chunks * SHA256.digestSize else { return nil }
        SHA256.prepare()
        self.start = UInt(bitPattern: start)
        end = self.start + UInt(mappedBytes)
        self.heapBytes = heapBytes
        self.chunkShift = chunkShift
        let digests = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, table.count))
        table.withUnsafeBufferPointer { digests.initialize(from: $0.baseAddress!, count: table.count) }
        self.digests = digests
        checked = .allocate(capacity: max(1, chunks))
        checked.initialize(repeating: 0, count: max(1, chunks))
        let name = Array(path.utf8.prefix(3000))
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: name.count)
        _ = copy.initialize(from: name)
        self.path = copy
    }

    deinit {
        digests.deallocate()
        checked.deallocate()
        path.deallocate()
        messageBuffer.deallocate()
    }

    /// Makes the heap inaccessible until each chunk is touched. False on failure.
    func protect() -> Bool {
        VirtualMemory.protect(UnsafeMutableRawPointer(bitPattern: start)!, Int(end - start), accessible: false)
    }

    /// For the process's SIGSEGV handler: checks the chunk holding `address`
    /// if it is one of this heap's. Async-signal-safe: `mprotect` and
    /// arithmetic, no allocation, no lock.
    package func handleFault(at address: UInt) -> Fault {
        guard address >= start, address < end else { return .notOurs }
        let chunk = Int(address - start) >> chunkShift
        if checked[chunk] != 0 { return .notOurs }
        let chunkStart = start + UInt(chunk << chunkShift)
        let chunkEnd = min(chunkStart + UInt(1 << chunkShift), end)
        let p = UnsafeMutableRawPointer(bitPattern: chunkStart)!
        guard VirtualMemory.protect(p, Int(chunkEnd - chunkStart), accessible: true) else { return .notOurs }
        let hashed = min(Int(chunkEnd - chunkStart), heapBytes - (chunk << chunkShift))
        guard SHA256.matches(p, count: hashed, digest: digests + chunk * SHA256.digestSize) else {
            // Closed again: nothing may read what does not match.
            VirtualMemory.protect(p, Int(chunkEnd - chunkStart), accessible: false)
            return .changed(message: message(chunk: chunk))
        }
        checked[chunk] = 1
        return .checked
    }

    /// The message for a changed chunk, as the eager check words it.
    private func message(chunk: Int) -> UnsafeRawBufferPointer {
        var n = 0
        func put(_ bytes: UnsafeBufferPointer<UInt8>) { for b in bytes where n < 4000 { messageBuffer[n] = b; n += 1 } }
        func put(_ text: StaticString) { text.withUTF8Buffer { put($0) } }
        func put(_ value: Int) {
            var digits = 1, v = max(0, value)
            while v >= 10 { v /= 10; digits *= 10 }
            v = max(0, value)
            while digits > 0 { messageBuffer[n] = UInt8(48 + v / digits % 10); n += 1; digits /= 10 }
        }
        let size = 1 << chunkShift
        put("amber: Image '")
        put(UnsafeBufferPointer(path))
        put("' was changed after it was signed (heap bytes ")
        put(chunk * size)
        put("..<")
        put(min((chunk + 1) * size, heapBytes))
        put(" do not match their signed digest).\n")
        return UnsafeRawBufferPointer(start: messageBuffer, count: n)
    }

    /// Initializes what `handleFault` reads of globals (SHA-256's constants),
    /// so that a handler never runs a lazy initializer. The process's handler
    /// calls this when it is installed.
    package static func prepare() { SHA256.prepare() }

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

/// Where a process's fault handler finds the heaps it checks (the launcher's
/// table): a heap is added before it is protected and removed before its VM goes.
package struct FirstTouchRegistry: Sendable {
    package var add: @Sendable (FirstTouchHeap) -> Bool
    package var remove: @Sendable (FirstTouchHeap) -> Void

    package init(add: @escaping @Sendable (FirstTouchHeap) -> Bool, remove: @escaping @Sendable (FirstTouchHeap) -> Void) {
        self.add = add
        self.remove = remove
    }
}
