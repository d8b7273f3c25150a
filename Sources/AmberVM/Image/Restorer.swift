#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Restoring an image, step by step (DESIGN.md section 7):
//   validate the header (magic, byte order, float format, version, checksum,
//   fingerprint) and the metadata; reserve a range and map the heap pages
//   copy-on-write at its base (any address will do: references are offsets);
//   verify the heap checksum; bind the roots; find every native and port
//   implementation again by name; run the VM's post-restore hooks,
//   then the scripts' (high to low priority); resume the snapshotting fiber.
//
// The file is opened read-only and mapped MAP_PRIVATE: a restore never writes
// the image, and any number of processes may restore it at once.

extension VM {
    /// Creates a VM from an image. Configuration values other than the heap
    /// cap and classpath (arguments, output sinks, port) are this process's.
    ///
    /// `maxHeap` caps the restored heap (`-Xmx` on restore); nil keeps the cap
    /// the image was written with. A cap below the image's live data is an error.
    public static func restore(from path: String, configuration: VMConfiguration,
                               verbose: Bool = false, verifyHeap: Bool = true,
                               maxHeap: Int? = nil) throws(ImageError) -> VM {
        try restore(from: path, configuration: configuration, verbose: verbose, verifyHeap: verifyHeap,
                    maxHeap: maxHeap, bindingNames: true)
    }

    /// With `bindingNames: false` (the inspector) the heap is mapped and
    /// validated but nothing is resolved: no natives, port slots or FFI, so
    /// an image needing another host's bindings can still be looked at.
    static func restore(from path: String, configuration: VMConfiguration, verbose: Bool, verifyHeap: Bool,
                        maxHeap: Int?, bindingNames: Bool) throws(ImageError) -> VM {
        let t0 = configuration.port.monotonicClock()
        let file = try ImageFileReader(path: path)
        let fileSize = file.size
        func readAt(_ offset: Int, _ count: Int) -> [UInt8]? { file.read(at: offset, count: count) }
        /// A header word as an Int; values past Int.max (a crafted header) become -1 and fail the checks.
        func field(_ offset: Int) -> Int { Int(exactly: h.get(offset, UInt64.self)) ?? -1 }

        // 1. Header.
        guard fileSize >= ImageFormat.headerSize, let headerBytes = readAt(0, ImageFormat.headerSize) else {
            throw ImageError("'\(path)' is not an Amber image (too short).")
        }
        let h = HeaderBuffer(headerBytes)
        guard Array(headerBytes[0..<ImageFormat.magic.count]) == ImageFormat.magic else {
            throw ImageError("'\(path)' is not an Amber image (bad magic bytes).")
        }
        guard h.get(24, UInt64.self) == ImageFormat.sampleInteger, h.double(32) == ImageFormat.sampleDouble else {
            throw ImageError("Image '\(path)' was written on a machine with another byte order or number format.")
        }
        let version = h.get(16, UInt32.self)
        guard version == ImageFormat.version else {
            throw ImageError("Image '\(path)' has format version \(version); this amber reads version \(ImageFormat.version).")
        }
        guard h.get(136, UInt64.self) == ImageFormat.checksum(Array(headerBytes[0..<ImageFormat.headerChecksumOffset])) else {
            throw ImageError("Image '\(path)' is corrupted (header checksum mismatch).")
        }
        let heapOffset = field(64)
        let heapBytes = field(72)
        let imageMaxHeap = field(80)
        let rootOffset = field(88)
        let metaOffset = field(104)
        let metaLength = field(112)
        let page = ImageFormat.pageSize
        let limit = 1 << 40
        guard heapOffset >= 0, heapOffset < limit, heapOffset % page == 0, heapBytes >= Heap.firstObject,
              heapBytes < limit, rootOffset >= Heap.firstObject, rootOffset < heapBytes, rootOffset % 8 == 0,
              metaLength >= 0, metaLength < limit, metaOffset >= ImageFormat.headerSize, metaOffset < limit,
              metaOffset + metaLength <= heapOffset, imageMaxHeap >= heapBytes - Heap.firstObject,
              imageMaxHeap <= 1 << 35 else {
            throw ImageError("Image '\(path)' is corrupted (inconsistent sizes).")
        }
        guard heapOffset + heapBytes <= fileSize else {
            throw ImageError("Image '\(path)' is truncated: \(fileSize) bytes, expected at least \(heapOffset + heapBytes).")
        }

        // 2. Metadata: names this binary must have.
        guard let meta = readAt(metaOffset, metaLength),
              ImageFormat.checksum(meta) == h.get(120, UInt64.self),
              let sections = ImageFormat.decodeSections(meta) else {
            throw ImageError("Image '\(path)' is corrupted (metadata checksum mismatch).")
        }
        var config = configuration
        if let cap = maxHeap {
            guard cap >= heapBytes - Heap.firstObject else {
                throw ImageError("Image '\(path)' holds \(heapBytes - Heap.firstObject) bytes of live data, more than "
                                 + "the heap cap of \(cap) bytes asked for (-Xmx); raise the cap.")
            }
            config.maxHeap = cap
        } else {
            config.maxHeap = imageMaxHeap
        }
        // Relative module names ("./main") keep meaning the files next to the
        // writer's working directory.
        let recordedCwd = String(decoding: sections["cwd"] ?? [], as: UTF8.self)
        // The image's classpath (absolute since the snapshot), unless this process names its own.
        if config.classpath.isEmpty, let recorded = sections["classpath"], !recorded.isEmpty {
            config.classpath = String(decoding: recorded, as: UTF8.self).split(separator: ":").map(String.init)
        }
        // A VM with an empty heap: the image provides everything the bootstrap would make.
        let vm: VM
        do { vm = try VM(configuration: config, bootstrap: false) } catch {
            throw ImageError("Cannot start a VM for image '\(path)': \(error).")
        }
        vm.verboseSnapshot = verbose
        if recordedCwd.hasPrefix("/") { vm.moduleBaseDirectory = recordedCwd }

        // 3. Map the heap copy-on-write over the new VM's reserved range.
        let mapped = (heapBytes + page - 1) / page * page
        guard mapped <= vm.heap.reserved else { throw ImageError("Image '\(path)' needs a larger heap.") }
        try file.mapCopyOnWrite(at: vm.heap.base, length: mapped, offset: heapOffset)
        let t1 = vm.port.monotonicClock()
        // The integrity check is the one step that reads every page.
        guard !verifyHeap || ImageFormat.checksum(vm.heap.base, heapBytes) == h.get(96, UInt64.self) else {
            throw ImageError("Image '\(path)' is corrupted (heap checksum mismatch).")
        }
        let t2 = vm.port.monotonicClock()
        vm.heap.top = heapBytes
        vm.heap.oldTop = heapBytes
        vm.rootBlock = ObjRef(offset: UInt(rootOffset))
        try vm.validateRestoredRoots(path: path)
        vm.rebuildSymbolIndex()
        vm.reloadRoots()

        guard h.get(40, UInt64.self) == ImageFormat.fingerprint else {
            throw ImageError("Image '\(path)' was written by a different build of amber (fingerprint mismatch: "
                             + "object layouts, opcodes or root slots differ).")
        }
        if !bindingNames { return vm }
        // Native code pointers and port slots, found again by name in this
        // process: built-in natives plus the host's bindings.
        vm.registerNativesForImage()
        let fixedUp = try vm.bindNativesFromImage(path: path)
        let rebound = try vm.rebindPortSlots(path: path)
        vm.clearHostHandles()
        let t3 = vm.port.monotonicClock()
        // FFI libraries, symbols and callbacks, found again by name before any script code runs.
        try vm.ffiRebuildAfterRestore(imagePath: path)

        // 4. Bind the roots and the Swift-side caches derived from the heap.
        // The image is the old space; a young space starts above it.
        vm.startGenerationsAfterRestore()
        vm.restored = true
        vm.generation = Int(h.get(132, UInt32.self)) + 1
        vm.resumeKind = ResumeKind(rawValue: h.get(128, UInt32.self)) ?? .methodEntry
        // The monotonic clock goes on from where the image left it: frozen time does not count.
        let frozenAt = h.double(56)
        vm.clockStart = vm.port.monotonicClock() - frozenAt
        vm.downtime = max(0, vm.port.wallClock() - h.double(48))
        vm.verbose("validate header, map \(heapBytes) heap bytes at \(vm.heap.base): \(vm.ms(t1 - t0))")
        vm.verbose("heap checksum: \(verifyHeap ? vm.ms(t2 - t1) : "skipped (verify=header)")")
        vm.verbose("code pointers fixed up by name: \(fixedUp) native methods, \(rebound.count) port slots re-bound "
                   + "(\(rebound.joined(separator: ", "))), \(vm.ms(t3 - t2))")
        return vm
    }

    /// Continues the program of a restored VM: post-restore hooks, then the
    /// snapshotting fiber from where it stopped, then any waiting timers.
    public func resumeFromImage() -> InterpretResult {
        do { try enter() } catch { return .runtimeError(error.message) }
        defer { leave() }
        let t0 = port.monotonicClock()
        // The VM's own compensations first (the clock was set when mapping), then
        // Swift listeners from high to low priority, then the scripts' hooks.
        if let error = applyRestoreEnvironment() {
            config.writeError("amber: " + error + "\n")
            return .runtimeError(error)
        }
        hooks.fire(.postRestore, self, reversed: true)
        let failures = runScriptHooks(kind: 1)
        if !failures.isEmpty {
            let message = "Post-restore hook failed: " + failures.joined(separator: "; ")
            config.writeError("amber: " + message + "\n")
            return .runtimeError(message)
        }
        verbose("post-restore hooks: \(ms(port.monotonicClock() - t0))")
        let current = root(.currentFiber)
        guard current.isObject else { return .success }
        fiber = current.ref
        if resumeKind == .snapshotTake { resume(current.ref, with: .true) }
        return continueRunning()
    }
}
