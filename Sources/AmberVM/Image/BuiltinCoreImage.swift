#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberCoreImageHook
@_spi(AmberInternals) import AmberObjects

// The built-in core image (ARCHITECTURE.md, "The built-in core image").
//
// A fresh VM needs the core library: Object, Class, the classes the Wren
// prelude declares (CorePrelude.swift) and their natives. Compiling the
// prelude at every start cost 6.1 of the 10.5 million instructions of
// `amber hello.wren`. Instead, the build bootstraps the core once and keeps
// the result as an image inside the program:
//
//   build time   amber-core-image (Sources/amber-core-image, links AmberVM)
//                  VM(coreImage: .none): compile the prelude, bind natives
//                  a full collection; `coreImageBytes()`: an image in memory,
//                  its referrer index after it (BuiltinCoreCheck.swift)
//                  -> CoreImage.swift, the words as integer literals (on
//                     Linux in the section "amber_core_image", which the
//                     `amber` link puts on a page boundary), compiled into
//                     the AmberCoreImage target
//                     (Plugins/CoreImagePlugin runs the tool, and again
//                     whenever the tool, so AmberVM, changes)
//   start        `bootCore`: the bytes found through a weak symbol
//                  (AmberCoreImageHook); the restore path's steps on them:
//                  header decoded and checked (magic, format, fingerprint,
//                  checksum, sizes: ImageHeader.swift), heap mapped from the
//                  program's file at the base of this VM's range where the
//                  section is page-aligned, else copied; roots validated and bound
//                  (Restorer.swift), natives bound by name (Natives.swift)
//                any failure: the heap is emptied and the prelude compiled,
//                  as before; `coreLibrary` says which happened and why.
//
// The image holds no address and no process state: heap offsets, native
// names and symbol names only, so it is valid in any process that has the
// same fingerprint. Its port slot table is written again for this VM.
// A VM booted from it keeps its objects in place (`Root.bootEnd`, pinned by
// full collections), so a restore can trust what an image holds unchanged.

/// How a VM got its core library (`VM.coreLibrary`).
package enum CoreLibrarySource: Equatable, Sendable {
    /// From the image built into the program: `heapBytes` bytes, `natives`
    /// natives bound by name; `mapped` from the program's file, else copied.
    case builtinImage(heapBytes: Int, natives: Int, mapped: Bool)
    /// The prelude was compiled, because of `reason`.
    case compiled(reason: String)
    /// The VM was restored from an image, which carries its own core library.
    case restoredImage
}

/// Which built-in image a new VM boots from. Tests inject other bytes.
enum CoreImageChoice {
    /// The image linked into this program, if any.
    case linked
    /// These bytes, as if they were the linked image (tests: a stale or damaged one).
    case bytes([UInt8])
    /// None: compile the prelude (the tool that makes the image).
    case none
}

extension VM {
    /// What the errors of a built-in image call it.
    static let builtinImageName = "<built-in core>"

    /// Where the linked image's heap section lies in the program's file, and
    /// the heap base offset that lets it be mapped there; nil: copy it.
    static func mappableCoreImage(_ choice: CoreImageChoice) -> (file: ProgramFileRange, baseOffset: Int)? {
        guard case .linked = choice else { return nil }
        var count = 0
        guard let p = amber_core_image_bytes(&count), count >= ImageFormat.headerSize else { return nil }
        // The heap section's offset, read raw: the header is checked when the image is used.
        let heapOffset = Int(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: 64, as: UInt64.self))
        let heapBytes = Int(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: 72, as: UInt64.self))
        guard heapOffset >= ImageFormat.headerSize, heapBytes > 0, heapOffset + heapBytes <= count,
              let file = ProgramFile.locate(p + heapOffset, count: heapBytes) else { return nil }
        let page = ImageFormat.pageSize
        let baseOffset = file.offset % page
        // The card table's write barrier indexes cards by address (Heap.biasedCards),
        // which agrees with the collector's offsets only at a card-aligned base;
        // elsewhere the image is copied. NOTE: where the linker puts the image
        // decides; only a card-aligned file offset can be mapped.
        guard baseOffset % Heap.cardSize == 0, Int(bitPattern: p + heapOffset) % page == baseOffset else { return nil }
        return (file, baseOffset)
    }

    /// Fills an empty heap with the core library: from the built-in image
    /// when there is one this build can use, else by compiling the prelude.
    func bootCore(from choice: CoreImageChoice, mapping: (file: ProgramFileRange, baseOffset: Int)? = nil) throws {
        let t0 = port.monotonicClock()
        var reason = "no built-in core image is linked into this program"
        do throws(ImageError) {
            let booted: Int?
            switch choice {
            case .linked:
                var count = 0
                if let p = amber_core_image_bytes(&count) {
                    booted = try mapCoreImage(UnsafeRawBufferPointer(start: p, count: count), from: mapping?.file)
                } else {
                    booted = nil
                }
            case .bytes(let bytes):
                var result = Result<Int, ImageError>.success(0)
                bytes.withUnsafeBytes { b in result = Result { () throws(ImageError) in try mapCoreImage(b) } }
                booted = try result.get()
            case .none:
                booted = nil
                reason = "asked to compile it"
            }
            if let natives = booted {
                // The core is the old space, as a restored image is: young
                // collections neither move nor read it, so mapped pages stay shared.
                heap.oldTop = heap.top
                adoptImageCrossingMap()
                coreLibrary = .builtinImage(heapBytes: heap.top, natives: natives, mapped: coreImageMapping != nil)
                coreBootSeconds = port.monotonicClock() - t0
                return
            }
        } catch {
            reason = error.message
            emptyHeap()
        }
        rootBlock = newArray(capacity: Root.allCases.count)
        setRoot(.symbols, newList().value)
        setRoot(.modules, newMap().value)
        setRoot(.handles, newList().value)
        setRoot(.schedulerQueue, newList().value)
        setRoot(.pending, newList().value)
        setRoot(.nativeNames, newList().value)
        setRoot(.hostCalls, newList().value)
        try bootstrapCore()
        coreLibrary = .compiled(reason: reason)
        coreBootSeconds = port.monotonicClock() - t0
    }

    /// The restore path's steps on an image in memory: header, heap mapped
    /// from the program's file at `file` (or copied) to this VM's base, roots,
    /// natives by name. Returns the number of natives bound. Throws (and may
    /// leave the heap half filled) when the image is not one this build can use.
    private func mapCoreImage(_ bytes: UnsafeRawBufferPointer, from file: ProgramFileRange? = nil) throws(ImageError) -> Int {
        let name = VM.builtinImageName
        guard let base = bytes.baseAddress, bytes.count >= ImageFormat.headerSize else {
            throw ImageError("'\(name)' is not an Amber image (too short).")
        }
        // Magic, byte order, format version, fingerprint, checksum, sizes.
        let header = try ImageHeader.decode(from: Array(UnsafeRawBufferPointer(start: base, count: ImageFormat.headerSize)),
                                            path: name, fileSize: bytes.count)
        let (offset, heapBytes) = header.heapSection
        guard heapBytes <= heap.reserved - 4096 else { throw ImageError("Image '\(name)' needs a larger heap.") }
        if let file, mapFromProgramFile(file, heapBytes) {
        } else {
            // The range is fresh from mmap: zero above the copy, as a bootstrap leaves it.
            memcpy(heap.base, base + offset, heapBytes)
        }
        heap.top = heapBytes
        try bindRoots(header, path: name)
        guard root(.currentFiber).isNull, listCount(root(.hostCalls).ref) == 0 else {
            throw ImageError("Image '\(name)' is not a core image (a fiber was running).")
        }
        return try bindNativesFromImage(path: name)
    }

    /// Maps the heap section from the program's own file over the start of
    /// the heap's range, copy-on-write: no page is read or zeroed until
    /// touched, and processes share the unwritten ones. The heap's base sits
    /// at the file's page offset (`mappableCoreImage`), so the mapping starts
    /// that far below it, inside the reservation.
    /// NOTE: copying the 207 KB into fresh pages cost 210 thousand
    /// instructions and 50 to 100 µs of page faults at every start.
    private func mapFromProgramFile(_ file: ProgramFileRange, _ heapBytes: Int) -> Bool {
        let page = ImageFormat.pageSize
        let below = Int(bitPattern: heap.base) % page
        guard file.offset % page == below else { return false }
        let length = (below + heapBytes + page - 1) / page * page
        guard ProgramFile.map(offset: file.offset - below, length: length, at: heap.base - below) else { return false }
        coreImageMapping = (heap.base - below, length)
        return true
    }

    /// Back to an empty heap, forgetting what a failed image left behind.
    private func emptyHeap() {
        heap.top = Heap.firstObject
        heap.oldTop = Heap.firstObject
        if let (at, length) = coreImageMapping {
            // Fresh zero pages again over the mapped file, as a bootstrap expects.
            ProgramFile.replaceWithZeroPages(at: at, length: length)
            coreImageMapping = nil
        }
        rootBlock = .none
        symbolIndex = SymbolIndex()
        natives.ids = nil
        nativeTable = []
        pendingNatives = []
        objectEqualityIDs = nil
        reloadCachesToNone()
    }

    private func reloadCachesToNone() {
        objectClass = .none; classClass = .none; boolClass = .none; nullClass = .none
        numClass = .none; stringClass = .none; listClass = .none; mapClass = .none
        rangeClass = .none; fnClass = .none; fiberClass = .none; systemClass = .none
        fiber = .none
    }

    /// Build time: every class's method table cut after its last method.
    /// A table is indexed by symbol and every look-up checks the capacity,
    /// so what lies beyond the last method is null either way; but a class
    /// gets a table as long as all the symbols known when it was made. NOTE:
    /// 77 classes' tables were 130 of the image's 230 KB, copied at every start.
    func trimMethodTables() {
        let end = heap.top
        var scan = Heap.firstObject
        while scan < end {
            let c = ObjRef(offset: UInt(scan))
            scan += heap.size(c)
            guard heap.kind(c) == .classObj, heap[c, ClassLayout.methods].isObject else { continue }
            let table = heap[c, ClassLayout.methods].ref
            let entries = arrayElements(table)
            var used = arrayCapacity(table)
            while used > 0 && entries[used - 1].isNull { used -= 1 }
            guard used < arrayCapacity(table) else { continue }
            let trimmed = newArray(capacity: used)
            arrayElements(trimmed).update(from: arrayElements(table), count: used)
            heap[c, ClassLayout.methods] = trimmed.value
        }
    }

    /// The core library as an image: a VM that compiled the prelude, collected,
    /// written as header, no metadata, and the heap. Deterministic (no clock,
    /// no path), so the same build gives the same bytes. For amber-core-image.
    package static func coreImageBytes() throws -> [UInt8] {
        let vm = try VM(configuration: VMConfiguration(), bootstrap: true, coreImage: .none)
        try vm.preloadBuiltinModules()
        vm.trimMethodTables()
        _ = vm.collectGarbage(full: true)
        // Its crossing map travels with it, as in any image (CardTable.swift).
        vm.attachCrossingMapForImage()
        // A VM booted from it pins these objects (Root.bootEnd).
        vm.setRoot(.bootEnd, Value(Double(vm.heap.top)))
        // 16 KiB: a multiple of the page size of 4 and 16 KiB machines, so
        // the image passes the header's alignment check on both.
        let heapOffset = max(16384, ImageFormat.pageSize)
        var header = ImageHeader()
        header.heapOffset = UInt64(heapOffset)
        header.heapBytes = UInt64(vm.heap.top)
        header.maxHeap = UInt64(vm.heap.maxHeap)
        header.rootOffset = UInt64(vm.rootBlock.offset)
        header.metaOffset = UInt64(ImageFormat.headerSize)
        header.metaLength = 0
        header.metaChecksum = ImageFormat.checksum([])
        header.heapChecksum = ImageFormat.checksum(vm.heap.base, vm.heap.top)
        var bytes = header.encode()
        bytes += [UInt8](repeating: 0, count: heapOffset - bytes.count)
        bytes += Array(UnsafeRawBufferPointer(start: vm.heap.base, count: vm.heap.top))
        // Who refers to whom, for restores that skip checking the unchanged core (BuiltinCoreCheck.swift).
        bytes += [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
        bytes += CoreReferrerIndex.make(vm)
        return bytes
    }
}
