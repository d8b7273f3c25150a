#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Taking a snapshot, step by step (ARCHITECTURE.md, "The image"):
//   reach a safe point (the caller guarantees it: a method entry, or the
//   Snapshot.take native, both called from the dispatch loop with its state
//   saved in the fiber); run pre-snapshot hooks (script ones low to high
//   priority, then the VM's own); flush output; collect and compact; write the
//   image to a temporary file beside the target, flush it, rename it; run
//   post-snapshot hooks.

/// What the launcher asked for with `-snapshot:`.
public struct SnapshotRequest {
    /// Where the image goes.
    public var path: String
    /// `Class.method` or `Class.method(_,_)`.
    public var trigger: String
    /// End the process (status 0) right after writing.
    public var exitAfter = false
    /// Run the hooks and compensations as if writing and restoring, but write nothing.
    public var dryRun = false
    /// A request to write `path` when `trigger` is entered.
    public init(path: String, trigger: String, exitAfter: Bool = false, dryRun: Bool = false) {
        self.path = path
        self.trigger = trigger
        self.exitAfter = exitAfter
        self.dryRun = dryRun
    }

    var triggerClass: String { String(trigger.prefix { $0 != "." }) }
    var triggerMethod: String {
        guard let dot = trigger.firstIndex(of: ".") else { return "" }
        return String(trigger[trigger.index(after: dot)...])
    }

    /// Whether a method signature is the one the trigger names (any arity when none is given).
    func matches(signature: String) -> Bool {
        let m = triggerMethod
        if m.contains("(") || m.contains("=") || m.hasPrefix("[") { return signature == m }
        if signature == m { return true }
        guard signature.hasPrefix(m) else { return false }
        let rest = signature.dropFirst(m.count)
        return rest.first == "("
    }
}

extension VM {
    static let swiftFrameOnStack =
        "Cannot take a snapshot here: a Swift frame (a host call, a foreign method or a snapshot hook) is on the stack."

    /// Writes `message` to stderr when `-verbose:snapshot` is on.
    func verbose(_ message: @autoclosure () -> String) {
        if verboseSnapshot { config.writeError("amber: [snapshot] \(message())\n") }
    }

    /// Takes a snapshot into `path`. The running fiber's state must be saved
    /// in the heap. Returns nil on success, or why it failed (nothing is written then).
    func takeSnapshot(path: String, resume: ResumeKind) -> String? {
        if ffi.callbackDepth > 0 {
            return "Cannot take a snapshot while an FFI callback runs (C code is on the stack); take it after the foreign call returns."
        }
        if snapshotInProgress || nestedRuns > 0 {
            return VM.swiftFrameOnStack
        }
        snapshotInProgress = true
        defer { snapshotInProgress = false }
        let t0 = port.monotonicClock()

        // Pre-snapshot hooks: scripts' from low to high priority, then the VM's own.
        let failures = runScriptHooks(.preSnapshot)
        if !failures.isEmpty {
            return "Pre-snapshot hook failed: " + failures.joined(separator: "; ")
        }
        hooks.fire(.preSnapshot, self)
        let t1 = port.monotonicClock()
        verbose("pre-snapshot hooks: \(ms(t1 - t0))")

        captureImmutableEnvironment()
        recordPortSlots()
        flushOutput()
        // Transient boxes are empty in the image; this process gets their values back.
        let transients = emptyTransients()
        defer { refillTransients(transients) }
        let before = heap.used
        collectGarbage(full: true)
        if let problem = heapCorruption { return problem }
        // Values read from the environment are left out; one derived from them stops the snapshot.
        let environmentValues: [(ObjRef, [UInt8])]
        switch prepareEnvironmentStrings() {
        case .failure(let e): return e.message
        case .success(let values): environmentValues = values
        }
        defer { restoreEnvironmentStrings(environmentValues) }
        if !environmentValues.isEmpty { verbose("\(environmentValues.count) environment values left out of the image") }
        attachCrossingMapForImage()
        let t2 = port.monotonicClock()
        verbose("collect and compact: \(before) -> \(heap.used) bytes, \(countObjects()) objects, \(ms(t2 - t1))")

        var copied = t2
        if let err = writeImage(to: path, resume: resume, copied: &copied) { return err }
        let t3 = port.monotonicClock()
        // The rate is the heap's bytes (the image's heap section) over the whole write.
        let rate = t3 > t2 ? "\(Int((Double(heap.top) / 1e6 / (t3 - t2)).rounded())) MB/s" : "- MB/s"
        verbose("write \(path): header \(ImageFormat.headerSize) bytes, metadata \(lastMetadataSize) bytes (\(nativeTable.count) native names, \(PortLibrary.slotNames.count) port slots in the root block), heap \(heap.top) bytes, \(ms(t3 - t2)), \(rate) (checksum and copy \(ms(copied - t2)), flush and rename \(ms(t3 - copied)))")
        hooks.fire(.postSnapshot, self)
        verbose("total: \(ms(port.monotonicClock() - t0))")
        return nil
    }

    /// `-snapshot:...,dryrun`: pre-snapshot hooks, then everything a restore
    /// does (a new generation, so unseeded generators reseed; env files and
    /// immutable variables; post-restore hooks), without writing a file.
    func dryRunSnapshot() -> String? {
        if snapshotInProgress || nestedRuns > 0 {
            return VM.swiftFrameOnStack
        }
        snapshotInProgress = true
        defer { snapshotInProgress = false }
        let pre = runScriptHooks(.preSnapshot)
        if !pre.isEmpty { return "Pre-snapshot hook failed: " + pre.joined(separator: "; ") }
        hooks.fire(.preSnapshot, self)
        captureImmutableEnvironment()
        flushOutput()
        collectGarbage(full: true)
        if let problem = heapCorruption { return problem }
        switch prepareEnvironmentStrings() {
        case .failure(let e): return e.message
        case .success(let values): restoreEnvironmentStrings(values)
        }
        verbose("dry run: image of \(heap.used) heap bytes not written")
        hooks.fire(.postSnapshot, self)
        generation += 1
        restored = true
        if let error = runVMPostRestoreHooks() { return error }
        let post = runScriptHooks(.postRestore)
        if !post.isEmpty { return "Post-restore hook failed: " + post.joined(separator: "; ") }
        return nil
    }

    func ms(_ seconds: Double) -> String {
        let v = (seconds * 1e6).rounded() / 1e3
        return "\(v) ms"
    }

    func countObjects() -> Int {
        var n = 0
        var scan = Heap.firstObject
        while scan < heap.top {
            scan += heap.size(ObjRef(offset: UInt(scan)))
            n += 1
        }
        return n
    }

    /// Writes the current heap (already collected) and metadata to `path`.
    /// `copied` is set to the monotonic clock when the last byte was handed
    /// to the kernel (what follows is the flush to the device and the rename).
    func writeImage(to path: String, resume: ResumeKind, copied: inout Double) -> String? {
        let page = ImageFormat.pageSize
        var options = [UInt8]()
        // Paths the restored program will use are made absolute here, so a
        // restore from another working directory finds the same files.
        let cwd = moduleBaseDirectory ?? port.workingDirectory().map { String(decoding: $0, as: UTF8.self) } ?? ""
        let classpath = config.classpath.map { $0.hasPrefix("/") || cwd.isEmpty ? $0 : VM.normalize(cwd + "/" + $0) }
        options += Array(classpath.joined(separator: ":").utf8)
        let meta = ImageFormat.encodeSections([
            ("classpath", options),
            ("cwd", Array(cwd.utf8)),
            ("trigger", Array((snapshotRequest?.trigger ?? "").utf8)),
            ("foreignClasses", foreignClassSizesSection()),
        ])
        let metaOffset = ImageFormat.headerSize
        lastMetadataSize = meta.count
        let heapBytes = heap.top
        // With a key, the digest table goes between the metadata and the heap (ImageSigning.swift).
        let key = config.imageKey
        let chunk = 1 << Int(ImageSigning.chunkShift)
        let chunks = (heapBytes + chunk - 1) / chunk
        let digestOffset = (metaOffset + meta.count + 7) & ~7
        let tableEnd = key == nil ? metaOffset + meta.count : digestOffset + chunks * ImageSigning.digestSize
        let heapOffset = (tableEnd + page - 1) / page * page

        var header = ImageHeader()
        header.createdWallClock = port.wallClock()
        header.monotonicAtSnapshot = monotonicSeconds()
        header.heapOffset = UInt64(heapOffset)
        header.heapBytes = UInt64(heapBytes)
        header.maxHeap = UInt64(heap.maxHeap)
        header.rootOffset = UInt64(rootBlock.offset)
        header.metaOffset = UInt64(metaOffset)
        header.metaLength = UInt64(meta.count)
        header.metaChecksum = ImageFormat.checksum(meta)
        header.resumeKind = resume.rawValue
        header.generation = UInt32(clamping: generation)
        if key != nil {
            header.digestOffset = UInt64(digestOffset)
            header.digestCount = UInt32(chunks)
            header.chunkShift = ImageSigning.chunkShift
        }

        // One pass over the heap: each slice is summed while it is in cache,
        // then written from the heap's own mapping. The header, which holds
        // the sum, goes last. Into a file beside the target, then renamed: a
        // failed snapshot leaves nothing behind.
        let end = heapOffset + (heapBytes + page - 1) / page * page
        var sum = HeapChecksum()
        var digests = key.map { _ in ImageSigning.ChunkDigester(chunk: chunk) }
        return AtomicFileWriter.write(path, size: end) { file in
            let wrote = meta.withUnsafeBytes { file.write($0, at: metaOffset) }
                && file.write(UnsafeRawPointer(heap.base), count: heapBytes, at: heapOffset) {
                    sum.add($0, $1)
                    digests?.add($0, $1)
                }
            guard wrote else { return false }
            header.heapChecksum = sum.value
            if let key, var d = digests {
                let table = d.finish()
                guard table.withUnsafeBytes({ file.write($0, at: digestOffset) }) else { return false }
                header.signature = ImageSigning.signature(key, header: header, meta: meta, table: table)
            }
            defer { copied = port.monotonicClock() }
            return header.encode().withUnsafeBytes { file.write($0, at: 0) }
        }
    }
}
