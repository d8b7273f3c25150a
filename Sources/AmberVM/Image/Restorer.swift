#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Restoring an image, as one straight path (ARCHITECTURE.md, "The image").
// Each step is a call into the file that owns it:
//
//   VM.restore(from:configuration:)                   restoreImage, below
//     1. header: magic, byte order, format version,
//        build fingerprint, then checksum and sizes       ImageHeader.swift
//     2. metadata sections: classpath, cwd, trigger       ImageFormat.swift
//     3. an empty VM; the heap mapped copy-on-write at
//        its base (verify=full: every page checksummed)   this file, Port/ImageFiles.swift
//     4. the roots, validated before they are walked      ImageValidation.swift
//        and the code and fibers they reach               ReachableCheck.swift
//        (verify=full: every object, before any runs)     HeapVerifier.swift
//     5. natives, port slots and FFI libraries, bound
//        again by name in this process                    Interpreter/Natives.swift, PortSlots.swift,
//                                                         FFI/FFIRestore.swift
//     6. the header's state: clock, generation, resume    this file
//   vm.resumeFromImage()
//     7. the VM's own post-restore hooks                  RestoreEnvironment.swift
//     8. the scripts' post-restore hooks                  Modules/Module+Snapshot.swift
//     9. the snapshotting fiber, then the event loop      Modules/Module+Timer.swift
//
// The natives need no step of their own: every VM, fresh or restored, builds
// its registry of names from Swift code when it is made (CoreBootstrap.swift).
//
// The file is opened read-only and mapped MAP_PRIVATE: a restore never writes
// the image, and any number of processes may restore it at once.

/// An image mapped into a new VM, and what its header and metadata said.
struct RestoredImage {
    let vm: VM
    let header: ImageHeader
    let sections: ImageSections
    let fileSize: Int
}

extension VM {
    /// Creates a VM from an image. Configuration values other than the heap
    /// cap and classpath (arguments, output sinks, port) are this process's.
    ///
    /// `verifyHeap` checksums every heap page first (`verify=full`; the
    /// launcher's default, `verify=header`, maps them unread).
    /// `maxHeap` caps the restored heap (`-Xmx` on restore); nil keeps the cap
    /// the image was written with. A cap below the image's live data is an error.
    public static func restore(from path: String, configuration: VMConfiguration,
                               verbose: Bool = false, verifyHeap: Bool = true,
                               maxHeap: Int? = nil) throws(ImageError) -> VM {
        try restoreImage(from: path, configuration: configuration, verbose: verbose, verifyHeap: verifyHeap,
                         maxHeap: maxHeap, resolvingNames: true).vm
    }

    /// Steps 1 to 6. With `resolvingNames: false` (the inspector) it stops
    /// after step 4: the heap is mapped and validated but nothing is bound,
    /// so an image needing another host's bindings can still be looked at.
    static func restoreImage(from path: String, configuration: VMConfiguration, verbose: Bool, verifyHeap: Bool,
                             maxHeap: Int?, resolvingNames: Bool) throws(ImageError) -> RestoredImage {
        let t0 = configuration.port.monotonicClock()
        let file = try ImageFileReader(path: path)

        // 1. The header; another build's image stops here.
        let header = try ImageHeader.decode(from: file.read(at: 0, count: ImageFormat.headerSize) ?? [],
                                            path: path, fileSize: file.size)
        // With a key, the signature: over the header, metadata and digest table, no heap page.
        let digests = try configuration.imageKey.map { key throws(ImageError) in
            try ImageSigning.checkSignature(file, header, key: key, path: path)
        }
        // 2. The metadata.
        let sections = try readMetadata(file, header, path: path)

        // 3. A VM with an empty heap, the image's heap mapped into it.
        let vm = try emptyVM(for: header, sections: sections, configuration: configuration, maxHeap: maxHeap, path: path)
        vm.verboseSnapshot = verbose
        try vm.mapHeap(of: file, header, verify: verifyHeap, path: path)
        let tMapped = vm.port.monotonicClock()
        // With a key: each chunk against its signed digest, now or (the
        // launcher, verify=header) when first touched (FirstTouchHeap.swift).
        var onFirstTouch = false
        if let digests {
            if let registry = configuration.firstTouchRegistry, !verifyHeap {
                onFirstTouch = vm.guardHeapUntilTouched(header, digests, registry, path: path)
            }
            if !onFirstTouch { try vm.checkHeapDigests(header, digests, path: path) }
        }
        let t1 = vm.port.monotonicClock()

        // 4. The roots, and the Swift-side caches derived from them; with
        // verify=full, every object of the heap.
        try vm.bindRoots(header, path: path)
        if verifyHeap { try vm.verifyHeapStructure(path: path) } else { try vm.verifyReachableCode(path: path) }
        let t2 = vm.port.monotonicClock()
        let image = RestoredImage(vm: vm, header: header, sections: sections, fileSize: file.size)
        if !resolvingNames { return image }

        // 5. Code pointers and OS access, found again by name in this process:
        // built-in natives plus the host's bindings, port implementations, FFI
        // libraries and symbols, all before any script code runs.
        let fixedUp = try vm.bindNativesFromImage(path: path)
        try vm.checkForeignClassSizes(sections["foreignClasses"], path: path)
        let rebound = try vm.rebindPortSlots(path: path)
        vm.clearHostHandles()
        try vm.ffiRebuildAfterRestore(imagePath: path)
        let t3 = vm.port.monotonicClock()

        // 6. What the header says about the process that wrote it.
        vm.adoptHeaderState(header)
        // The image is the old space; a young space starts above it.
        vm.startGenerationsAfterRestore()
        vm.verbose("validate header, map \(header.heapSection.bytes) heap bytes at \(vm.heap.base)"
                   + "\(verifyHeap ? ", checksum every page" : " (verify=header: pages not checksummed)"): \(vm.ms(tMapped - t0))")
        if onFirstTouch {
            vm.verbose("signature checked; each heap chunk is checked against its signed digest when first touched")
        } else if digests != nil {
            let seconds = t1 - tMapped
            let rate = seconds > 0 ? "\(Int((Double(header.heapSection.bytes) / 1e6 / seconds).rounded())) MB/s" : "- MB/s"
            vm.verbose("signature checked; every heap chunk checked against its signed digest: \(vm.ms(seconds)), \(rate)")
        } else {
            vm.verbose(header.isSigned ? "signed image, signature not checked (no key)" : "unsigned image")
        }
        vm.verbose("roots and \(verifyHeap ? "every object (verify=full)" : "the code and fibers they reach (verify=header)"): \(vm.ms(t2 - t1))")
        vm.verbose("code pointers fixed up by name: \(fixedUp) native methods, \(rebound.count) port slots re-bound "
                   + "(\(rebound.joined(separator: ", "))), \(vm.ms(t3 - t2))")
        return image
    }

    /// Continues the program of a restored VM (steps 7 to 9): post-restore
    /// hooks, then the snapshotting fiber from where it stopped, then any
    /// waiting timers.
    public func resumeFromImage() -> InterpretResult {
        do { try enter() } catch { return .runtimeError(error.message) }
        defer { leave() }
        let t0 = port.monotonicClock()
        // 7. The VM's own hooks (compensations, then Swift listeners).
        if let error = runVMPostRestoreHooks() {
            config.writeError("amber: " + error + "\n")
            return .runtimeError(error)
        }
        // 8. The scripts' hooks, from high to low priority.
        let failures = runScriptHooks(.postRestore)
        if !failures.isEmpty {
            let message = "Post-restore hook failed: " + failures.joined(separator: "; ")
            config.writeError("amber: " + message + "\n")
            return .runtimeError(message)
        }
        verbose("post-restore hooks: \(ms(port.monotonicClock() - t0))")
        // 9. The fiber that was running when the image was written.
        let current = root(.currentFiber)
        guard current.isObject else { return .success }
        fiber = current.ref
        if resumeKind == .snapshotTake { resume(current.ref, with: .true) }
        return continueRunning()
    }

    // MARK: The steps

    /// The metadata sections, checked against the header's checksum.
    private static func readMetadata(_ file: borrowing ImageFileReader, _ header: ImageHeader,
                                     path: String) throws(ImageError) -> ImageSections {
        let (offset, length) = header.metaSection
        guard let meta = file.read(at: offset, count: length), ImageFormat.checksum(meta) == header.metaChecksum,
              let sections = ImageFormat.decodeSections(meta) else {
            throw ImageError("Image '\(path)' is corrupted (metadata checksum mismatch).")
        }
        return sections
    }

    /// A VM with an empty heap (the image provides everything the bootstrap
    /// would make), its heap cap, classpath and module directory set from the
    /// image unless the caller chose them.
    private static func emptyVM(for header: ImageHeader, sections: ImageSections, configuration: VMConfiguration,
                                maxHeap: Int?, path: String) throws(ImageError) -> VM {
        var config = configuration
        let live = header.heapSection.bytes - Heap.firstObject
        if let cap = maxHeap {
            guard cap >= live else {
                throw ImageError("Image '\(path)' holds \(live) bytes of live data, more than "
                                 + "the heap cap of \(cap) bytes asked for (-Xmx); raise the cap.")
            }
            config.maxHeap = cap
        } else {
            config.maxHeap = header.writerMaxHeap
        }
        // The image's classpath (absolute since the snapshot), unless this process names its own.
        if config.classpath.isEmpty, let recorded = sections["classpath"], !recorded.isEmpty {
            config.classpath = String(decoding: recorded, as: UTF8.self).split(separator: ":").map(String.init)
        }
        let vm: VM
        do { vm = try VM(configuration: config, bootstrap: false) } catch {
            throw ImageError("Cannot start a VM for image '\(path)': \(error).")
        }
        // Relative module names ("./main") keep meaning the files next to the
        // writer's working directory.
        let recordedCwd = String(decoding: sections["cwd"] ?? [], as: UTF8.self)
        if recordedCwd.hasPrefix("/") { vm.moduleBaseDirectory = recordedCwd }
        return vm
    }

    /// Maps the heap section over this VM's reserved range, copy-on-write;
    /// with `verify`, checksums it (the one step that reads every page).
    private func mapHeap(of file: borrowing ImageFileReader, _ header: ImageHeader, verify: Bool,
                         path: String) throws(ImageError) {
        let (offset, bytes) = header.heapSection
        let page = ImageFormat.pageSize
        let mapped = (bytes + page - 1) / page * page
        guard mapped <= heap.reserved else { throw ImageError("Image '\(path)' needs a larger heap.") }
        try file.mapCopyOnWrite(at: heap.base, length: mapped, offset: offset)
        guard !verify || ImageFormat.checksum(heap.base, bytes) == header.heapChecksum else {
            throw ImageError("Image '\(path)' is corrupted (heap checksum mismatch).")
        }
        heap.top = bytes
        heap.oldTop = bytes
    }

    /// With a key: every chunk of the mapped heap against its signed digest,
    /// before anything reads the heap.
    private func checkHeapDigests(_ header: ImageHeader, _ table: [UInt8], path: String) throws(ImageError) {
        let (_, _, chunk) = header.digestTable
        if let bad = ImageSigning.firstChangedChunk(heap.base, bytes: header.heapSection.bytes, table: table, chunk: chunk) {
            throw ImageError("Image '\(path)' was changed after it was signed (heap bytes \(bad * chunk)..<"
                             + "\(min((bad + 1) * chunk, header.heapSection.bytes)) do not match their signed digest).")
        }
    }

    /// With a key, instead of `checkHeapDigests`: the mapped heap made
    /// inaccessible until each chunk is checked on first touch. False when
    /// that cannot be arranged (then every chunk is checked now).
    private func guardHeapUntilTouched(_ header: ImageHeader, _ table: [UInt8], _ registry: FirstTouchRegistry,
                                       path: String) -> Bool {
        let bytes = header.heapSection.bytes
        let page = ImageFormat.pageSize
        guard let touched = FirstTouchHeap(start: heap.base, heapBytes: bytes, mappedBytes: (bytes + page - 1) / page * page,
                                           chunkShift: Int(header.chunkShift), table: table, path: path),
              registry.add(touched) else { return false }
        guard touched.protect() else {
            registry.remove(touched)
            return false
        }
        firstTouchHeap = touched
        return true
    }

    /// Points the VM at the image's root block once it has been validated,
    /// and rebuilds what the VM caches from it. (Also the built-in core
    /// image's step, BuiltinCoreImage.swift.)
    func bindRoots(_ header: ImageHeader, path: String) throws(ImageError) {
        rootBlock = header.rootBlock
        try validateRestoredRoots(path: path)
        rebuildSymbolIndex()
        reloadRoots()
    }

    /// The state the header carries over from the writing process.
    private func adoptHeaderState(_ header: ImageHeader) {
        restored = true
        generation = Int(header.generation) + 1
        resumeKind = header.resume
        // The monotonic clock goes on from where the image left it: frozen time does not count.
        clockStart = port.monotonicClock() - header.monotonicAtSnapshot
        downtime = max(0, port.wallClock() - header.createdWallClock)
    }
}
