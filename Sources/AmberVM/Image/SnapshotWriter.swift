#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Taking a snapshot, step by step (DESIGN.md section 7):
//   reach a safe point (the caller guarantees it: a method entry, or the
//   Snapshot.take native, both called from the dispatch loop with its state
//   saved in the fiber); run pre-snapshot hooks (script ones low to high
//   priority, then the VM's own); flush output; collect and compact; write the
//   image to a temporary file beside the target, flush it, rename it; run
//   post-snapshot hooks.

/// What the launcher asked for with `-snapshot:`.
public struct SnapshotRequest {
    public var path: String
    /// "Class.method" or "Class.method(_,_)".
    public var trigger: String
    /// End the process (status 0) right after writing.
    public var exitAfter = false
    /// Run the hooks and compensations as if writing and restoring, but write nothing.
    public var dryRun = false
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
        if m.contains("(") || m.contains("=") { return signature == m }
        if signature == m { return true }
        guard signature.hasPrefix(m) else { return false }
        let rest = signature.dropFirst(m.count)
        return rest.first == "("
    }
}

extension VM {
    /// Writes `message` to stderr when `-verbose:snapshot` is on.
    func verbose(_ message: @autoclosure () -> String) {
        if verboseSnapshot { config.writeError("[snapshot] \(message())\n") }
    }

    /// Takes a snapshot into `path`. The running fiber's state must be saved
    /// in the heap. Returns nil on success, or why it failed (nothing is written then).
    func takeSnapshot(path: String, resume: ResumeKind) -> String? {
        if ffi.callbackDepth > 0 {
            return "Cannot take a snapshot while an FFI callback runs (C code is on the stack); take it after the foreign call returns."
        }
        if snapshotInProgress || nestedRuns > 0 {
            return "Cannot take a snapshot here: a native frame (a snapshot hook) is on the stack."
        }
        snapshotInProgress = true
        defer { snapshotInProgress = false }
        let t0 = port.rawMonotonic()

        // Pre-snapshot hooks: scripts' from low to high priority, then the VM's own.
        let failures = runScriptHooks(kind: 0)
        if !failures.isEmpty {
            return "Pre-snapshot hook failed: " + failures.joined(separator: "; ")
        }
        hooks.fire(.preSnapshot, self)
        let t1 = port.rawMonotonic()
        verbose("pre-snapshot hooks: \(ms(t1 - t0))")

        captureImmutableEnvironment()
        flushOutput()
        let before = heap.used
        collectGarbage()
        let t2 = port.rawMonotonic()
        verbose("collect and compact: \(before) -> \(heap.used) bytes, \(countObjects()) objects, \(ms(t2 - t1))")

        if let err = writeImage(to: path, resume: resume) { return err }
        let t3 = port.rawMonotonic()
        verbose("write \(path): header \(ImageFormat.headerSize) bytes, metadata \(lastMetadataSize) bytes (\(nativeNames.count) native names, \(ImageFormat.portSlots.count) port slots), heap \(heap.used) bytes, \(ms(t3 - t2))")
        hooks.fire(.postSnapshot, self)
        verbose("total: \(ms(port.rawMonotonic() - t0))")
        return nil
    }

    /// `-snapshot:...,dryrun`: pre-snapshot hooks, then everything a restore
    /// does (a new generation, so unseeded generators reseed; env files and
    /// immutable variables; post-restore hooks), without writing a file.
    func dryRunSnapshot() -> String? {
        if snapshotInProgress || nestedRuns > 0 {
            return "Cannot take a snapshot here: a native frame (a snapshot hook) is on the stack."
        }
        snapshotInProgress = true
        defer { snapshotInProgress = false }
        let pre = runScriptHooks(kind: 0)
        if !pre.isEmpty { return "Pre-snapshot hook failed: " + pre.joined(separator: "; ") }
        hooks.fire(.preSnapshot, self)
        captureImmutableEnvironment()
        flushOutput()
        collectGarbage()
        verbose("dry run: image of \(heap.used) heap bytes not written")
        hooks.fire(.postSnapshot, self)
        generation += 1
        restored = true
        if let error = applyRestoreEnvironment() { return error }
        hooks.fire(.postRestore, self, reversed: true)
        let post = runScriptHooks(kind: 1)
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

    /// Runs the script hooks of `kind` (0 pre-snapshot, 1 post-restore) each in
    /// its own fiber to completion; returns the error messages of those that failed.
    /// Pre-snapshot hooks run from low to high priority, post-restore from high
    /// to low; equal priorities keep their registration order.
    func runScriptHooks(kind: Int) -> [String] {
        let registry = root(.hooks)
        guard registry.isObject else { return [] }
        var entries: [(priority: Double, order: Int, fn: Value)] = []
        let list = registry.ref
        for i in 0..<listCount(list) {
            let e = listGet(list, i).ref
            if Int(listGet(e, 0).number) == kind {
                entries.append((listGet(e, 1).number, i, listGet(e, 2)))
            }
        }
        entries.sort { a, b in
            if a.priority != b.priority { return kind == 0 ? a.priority < b.priority : a.priority > b.priority }
            return a.order < b.order
        }
        // Keep the hook closures in a rooted list: a hook may trigger a collection.
        let pendingHooks = newList(entries.map(\.fn))
        setRoot(.savedFiber, newList([fiber.isNone ? .null : fiber.value, pendingHooks.value]).value)
        var failures: [String] = []
        for i in 0..<entries.count {
            let saved = root(.savedFiber).ref
            let closure = listGet(listGet(saved, 1).ref, i).ref
            let hookFiber = newFiber(closure)
            heap.setWord(hookFiber, FiberLayout.state, FiberState.root.rawValue)
            fiber = hookFiber
            setRoot(.currentFiber, hookFiber.value)
            nestedRuns += 1
            let outcome = run()
            nestedRuns -= 1
            if case .runtimeError(let message) = outcome { failures.append(message) }
            if case .exit(let code) = outcome { exitCode = code; failures.append("exit(\(code))") }
        }
        let saved = root(.savedFiber).ref
        let original = listGet(saved, 0)
        fiber = original.isObject ? original.ref : .none
        setRoot(.currentFiber, original)
        setRoot(.savedFiber, .null)
        return failures
    }

    /// Writes the current heap (already collected) and metadata to `path`.
    func writeImage(to path: String, resume: ResumeKind) -> String? {
        let page = ImageFormat.pageSize
        var options = [UInt8]()
        options += Array(config.classpath.joined(separator: ":").utf8)
        let meta = ImageFormat.encodeSections([
            ("natives", Array(nativeNames.joined(separator: "\n").utf8)),
            ("port", Array(ImageFormat.portSlots.joined(separator: "\n").utf8)),
            ("classpath", options),
            ("trigger", Array((snapshotRequest?.trigger ?? "").utf8)),
        ])
        let metaOffset = ImageFormat.headerSize
        lastMetadataSize = meta.count
        let heapOffset = (metaOffset + meta.count + page - 1) / page * page
        let heapBytes = heap.top

        var h = HeaderBuffer()
        for (i, b) in ImageFormat.magic.enumerated() { h.bytes[i] = b }
        h.set(16, ImageFormat.version)
        h.set(20, UInt32(ImageFormat.headerSize))
        h.set(24, ImageFormat.sampleInteger)
        h.setDouble(32, ImageFormat.sampleDouble)
        h.set(40, ImageFormat.fingerprint(nativeNames: nativeNames))
        h.setDouble(48, port.wallClock())
        h.setDouble(56, port.monotonicSeconds())
        h.set(64, UInt64(heapOffset))
        h.set(72, UInt64(heapBytes))
        h.set(80, UInt64(heap.maxHeap))
        h.set(88, UInt64(rootBlock.offset))
        h.set(96, ImageFormat.checksum(heap.base, heapBytes))
        h.set(104, UInt64(metaOffset))
        h.set(112, UInt64(meta.count))
        h.set(120, ImageFormat.checksum(meta))
        h.set(128, resume.rawValue)
        h.set(132, UInt32(generation))
        h.set(136, ImageFormat.checksum(Array(h.bytes[0..<ImageFormat.headerChecksumOffset])))

        // Write beside the target, then rename: a failed snapshot leaves nothing behind.
        let dir = VM.directory(of: path)
        let temp = (dir.isEmpty ? "" : dir + "/") + ".amber-image-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return "Cannot write image '\(path)': \(String(cString: strerror(errno)))." }
        func fail(_ what: String) -> String {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temp)
            return "Cannot write image '\(path)': \(what): \(reason)."
        }
        func writeAll(_ p: UnsafeRawPointer, _ n: Int, at offset: Int) -> Bool {
            var done = 0
            while done < n {
                let w = pwrite(fd, p + done, n - done, off_t(offset + done))
                if w < 0 { if errno == EINTR { continue }; return false }
                if w == 0 { errno = ENOSPC; return false }
                done += w
            }
            return true
        }
        if !h.bytes.withUnsafeBytes({ writeAll($0.baseAddress!, $0.count, at: 0) }) { return fail("header") }
        if !meta.isEmpty, !meta.withUnsafeBytes({ writeAll($0.baseAddress!, $0.count, at: metaOffset) }) {
            return fail("metadata")
        }
        if !writeAll(heap.base, heapBytes, at: heapOffset) { return fail("heap") }
        // Pad to whole pages so the last heap page maps completely.
        let end = heapOffset + (heapBytes + page - 1) / page * page
        if ftruncate(fd, off_t(end)) != 0 { return fail("size") }
        if fsync(fd) != 0 { return fail("flush") }
        if close(fd) != 0 { unlink(temp); return "Cannot write image '\(path)': \(String(cString: strerror(errno)))." }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            return "Cannot write image '\(path)': \(reason)."
        }
        return nil
    }
}
