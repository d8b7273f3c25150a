#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The collector: precise, generational, sliding mark-compact (Lisp 2 style).
// ARCHITECTURE.md, "The collector", has the whole picture; in brief:
//
//   heap:  [ old space: image + promoted | young space ]
//                                       oldTop          top
//
// New objects are bump-allocated above `oldTop`. A young collection
// (Collector+Young.swift) marks from the roots and the dirty cards of the old
// space only, slides the young survivors down to `oldTop` and promotes them
// all. The write barrier (Heap.swift) dirties the card of every slot stored
// to, so an old object that may refer to a young one is always in a dirty
// card; fibers that ran since the last collection have their stacks scanned
// (their header card is dirtied when they start running: VM.fiber).
//
// A full collection (below) marks everything, then:
//
//   1. mark     trace from the root block (and the Swift-held pending error)
//               into the side bitmap;
//   2. plan     walk the heap in address order, giving every marked object
//               its new offset (stored in the header's forward field);
//   3. update   rewrite every reference in every live object to the new offset;
//   4. slide    move live objects down, in address order, and clear mark bits.
//
// It runs when the old space has grown past `Heap.fullThreshold`, when live
// data is over -Xmx after a young collection, and before every snapshot (an
// image wants the heap dense). Cycles are reclaimed like anything else
// unreachable. Because objects move, collections happen only at interpreter
// safe points, where every live value is in the heap (fiber stacks, frames,
// module variables) and the loop reloads its cached pointers afterwards.
//
// After a restore the image is the old space: a young collection leaves its
// pages alone except where a slot in a dirty card referred to a young object
// that moved, so they stay shared between the processes restored from it.

extension VM {
    @inline(__always) func isMarked(_ offset: Int) -> Bool {
        let w = offset >> 3
        return heap.markBits[w >> 6] & (1 << UInt64(w & 63)) != 0
    }
    @inline(__always) func setMark(_ offset: Int) {
        let w = offset >> 3
        heap.markBits[w >> 6] |= (1 << UInt64(w & 63))
    }
    @inline(__always) func clearMark(_ offset: Int) {
        let w = offset >> 3
        heap.markBits[w >> 6] &= ~(1 << UInt64(w & 63))
    }

    /// Calls `body` for every reference slot of the object at `r` (Values), and
    /// `raw` for raw offsets (frame closures). Stack and frame arrays are
    /// visited through their fiber, and only their live part.
    @inline(__always)
    func forEachReference(_ r: ObjRef, _ body: (UnsafeMutablePointer<Value>) -> Void,
                          raw: (UnsafeMutablePointer<Int>) -> Void, container: (ObjRef) -> Void) {
        let slots = heap.slotPointer(r)
        switch heap.kind(r) {
        case .string, .bytes, .range, .stack, .frames, .foreign:
            return
        case .array:
            let n = heap.word(r, 0)
            for i in 0..<n { body(slots + 1 + i) }
        case .list:
            body(slots + ListLayout.elements)
        case .map:
            body(slots + MapLayout.entries)
        case .instance, .classObj, .fn, .closure, .upvalue, .module:
            for i in 0..<heap.slotCount(r) { body(slots + i) }
        case .fiber:
            let stack = slots[FiberLayout.stack]
            let top = heap.word(r, FiberLayout.stackTop)
            if stack.isObject {
                container(stack.ref)
                let sp = arrayElements(stack.ref)
                for i in 0..<top { body(sp + i) }
            }
            let frames = slots[FiberLayout.frames]
            if frames.isObject {
                container(frames.ref)
                let fp = (heap.pointer(frames.ref) + 24).assumingMemoryBound(to: Int.self)
                for i in 0..<heap.word(r, FiberLayout.frameCount) { raw(fp + i * FrameLayout.words) }
            }
            body(slots + FiberLayout.stack)
            body(slots + FiberLayout.frames)
            body(slots + FiberLayout.openUpvalues)
            body(slots + FiberLayout.caller)
            body(slots + FiberLayout.error)
            body(slots + FiberLayout.function)
        }
    }

    /// Runs a collection at a safe point: a young one, unless `full` is
    /// asked (snapshots), the old space has passed its threshold, or live
    /// data is over `-Xmx` after the young one. Returns false if live data
    /// still exceeds `-Xmx`.
    @discardableResult
    func collectGarbage(full requested: Bool = false) -> Bool {
        // C code below a running FFI callback may hold heap addresses: move nothing now.
        if ffi.callbackDepth > 0 { return ffiDeferCollection() }
        // A full collection walks a restored image's objects by their sizes
        // for the first time: their headers are checked first (OldRegionCheck.swift).
        if heapCorruption != nil { return false }
        var full = requested || heap.oldTop - Heap.firstObject > heap.fullThreshold
        if full && !oldRegionHeadersAreSound() { return false }
        rememberModuleVariables()
        hooks.fire(.gcStart, self)
        verifyHeapIfAsked("before")
        setRoot(.currentFiber, fiber.isNone ? .null : fiber.value)
        let errorHolder = newList(capacity: 1)
        listAppend(errorHolder, error)
        setRoot(.pending, errorHolder.value)

        if !full {
            let startTime = verboseGC ? port.monotonicClock() : 0
            let before = heap.used
            let stats = collectYoung()
            collections += 1
            if verboseGC {
                config.writeError("amber: [gc] #\(collections) young: \(before) -> \(heap.used) bytes, "
                                  + "promoted \(stats.promoted), old \(heap.oldTop - Heap.firstObject), "
                                  + "dirty cards \(stats.dirtyCards), pause \(ms(port.monotonicClock() - startTime))\n")
            }
            // Over the cap: what the old space holds may be garbage.
            full = heap.used > heap.maxHeap && oldRegionHeadersAreSound()
        }
        if full {
            let startTime = verboseGC ? port.monotonicClock() : 0
            let before = heap.used
            collectFull()
            collections += 1
            fullCollections += 1
            if verboseGC {
                config.writeError("amber: [gc] #\(collections) full: \(before) -> \(heap.used) bytes, "
                                  + "pause \(ms(port.monotonicClock() - startTime))\n")
            }
        }

        reloadRoots()
        // What the C library cached from the heap may have moved (SlotCache.collections).
        slotAPI.cache.pointee.collections &+= 1
        let holder = root(.pending).ref
        error = listGet(holder, 0)
        setRoot(.pending, .null)
        // The running fiber's stack is a root of the next young collection.
        if !fiber.isNone { heap.rememberFiber(fiber) }
        // So is the slot API's fiber: the host writes its slots between calls
        // (wrenSetSlot*, the C fast paths, wrenCall's results) with no barrier.
        if let f = apiFiber() { heap.rememberFiber(f) }

        let live = heap.used
        heap.nextGC = min(heap.oldTop + heap.youngSize, max(Heap.firstObject + heap.maxHeap, heap.oldTop + (1 << 20)))
        collectionAsked = false
        rearmCollectionRequest()
        verifyHeapIfAsked("after")
        hooks.fire(.gcEnd, self)
        return live <= heap.maxHeap
    }

    /// The full collection: mark from the roots through the whole heap,
    /// compact everything, and make all of it the old space. The card
    /// table is cleaned and the crossing map rebuilt as objects slide.
    func collectFull() {
        // The image's crossing map describes a layout about to change.
        dropImageCrossingMap()
        let old = Heap.firstObject

        // 1. Mark.
        let work = OffsetStack()
        defer { work.release() }
        markAbove(old, rootBlock.value, work)
        traceAbove(old, work)

        // 2. Plan new offsets. Dead foreign instances of classes with a host
        // finalizer are finalized first, while nothing has moved.
        let base = heap.base
        let top = heap.top
        finalizeDeadForeign(from: old, to: top)
        let (pinned, free) = planSlide(from: old, to: top, pinnedBelow: bootRegionEnd)
        @inline(__always) func forward(_ o: Int) -> Int {
            Int(base.load(fromByteOffset: o + 12, as: UInt32.self)) << 3
        }

        // 3. Update references (objects are still at their old offsets).
        forEachMarked(from: old, to: top) { scan in
            let r = ObjRef(offset: UInt(scan))
            let cls = Int(base.load(fromByteOffset: scan + 4, as: UInt32.self)) << 3
            if cls != 0 { base.storeBytes(of: UInt32(forward(cls) >> 3), toByteOffset: scan + 4, as: UInt32.self) }
            forEachReference(r, { p in
                let v = p.pointee
                if v.isObject && v.ref.offset != 0 {
                    p.pointee = Value(object: ObjRef(offset: UInt(forward(Int(v.ref.offset)))))
                }
            }, raw: { p in if p.pointee != 0 { p.pointee = forward(p.pointee) } }, container: { _ in })
        }
        rootBlock = ObjRef(offset: UInt(forward(Int(rootBlock.offset))))

        // 4. Slide, clean every card, and make everything old. Dead space
        // between the pinned objects becomes fillers.
        fillDeadSpace(from: old, to: pinned)
        slide(from: old, to: top)
        clearCards(from: 0, to: top)
        heap.top = free
        heap.oldTop = free
        uncheckedOldEnd = Heap.firstObject
        // The next full collection: when the old space has doubled while the
        // program builds its data (this one found under a quarter garbage),
        // else when it has grown by a quarter. NOTE: a restored server
        // promotes little; +25% keeps it near its image's size.
        let live = free - Heap.firstObject
        let growing = (top - old - live) * 4 < live
        heap.fullThreshold = max(live + max(growing ? live : live / 4, 2 * heap.youngSize), oldSpaceFloor)
    }

    /// The old space never triggers a full collection below this: 32 MiB, or
    /// half of `-Xmx` if that is less. NOTE: fibers.wren (100,000 live fibers,
    /// 41 MB) had full collections at 16 and 37 MB, 25 ms of its 65 (1.3x
    /// Wren's C VM); with the floor 1.2x. Wren's VM first collects at 10 MB,
    /// then at 1.5x the live data, but it has no young space keeping
    /// short-lived garbage out of its heap.
    var oldSpaceFloor: Int { min(32 << 20, heap.maxHeap / 2) }

    /// After a restore: the image is the old space, with its crossing map;
    /// the next young collection when the young space is full, the first
    /// full one when the old space has grown by a quarter. (What restore
    /// allocated so far was measured against the fresh VM's threshold:
    /// forget the request that made.)
    /// The restorer has set `oldTop` to the image's end; what restore
    /// allocated since (port slots, FFI state) is young.
    func startGenerationsAfterRestore() {
        uncheckedOldEnd = heap.oldTop
        adoptImageCrossingMap()
        let live = heap.oldTop - Heap.firstObject
        heap.fullThreshold = max(live + max(live / 4, 2 * heap.youngSize), oldSpaceFloor)
        heap.nextGC = min(heap.oldTop + heap.youngSize, max(Heap.firstObject + heap.maxHeap, heap.oldTop + (1 << 20)))
        rearmCollectionRequest()
    }

    /// Finalizes the dead foreign instances in [from, top) of classes with a
    /// host finalizer (C API), before anything moves. Walks headers, so only
    /// when the host has registered a finalizer.
    func finalizeDeadForeign(from: Int, to top: Int) {
        guard !slotAPI.finalizers.isEmpty else { return }
        let base = heap.base
        var scan = from
        while scan < top {
            let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
            if size < Heap.headerSize { break }
            if !isMarked(scan) && heap.isKind(ObjRef(offset: UInt(scan)), .foreign) {
                finalizeForeign(ObjRef(offset: UInt(scan)))
            }
            scan += size
        }
    }

    /// Marks `v` if it refers to an object at or above `old` not marked yet,
    /// and pushes it on the work list.
    @inline(__always) func markAbove(_ old: Int, _ v: Value, _ work: OffsetStack) {
        guard v.isObject else { return }
        let o = Int(v.ref.offset)
        // A reference outside the heap (from an image nothing has checked)
        // is not followed: its mark bit would lie outside the bitmap.
        if o < old || o >= heap.top || o & 7 != 0 || isMarked(o) { return }
        setMark(o)
        work.push(o)
    }

    /// Marks everything reachable from the work list at or above `old`,
    /// never reading an object below it. Big arrays are scanned a chunk at a
    /// time, so the work list holds what one chunk adds rather than a whole
    /// million-element list.
    func traceAbove(_ old: Int, _ work: OffsetStack) {
        let arrays = OffsetStack(capacity: 64)   // pairs: array offset, next index
        defer { arrays.release() }
        let chunk = 512
        while true {
            if !work.isEmpty {
                let o = work.pop()
                let r = ObjRef(offset: UInt(o))
                // The class in the header is a reference too (metaclasses have no other).
                let cls = heap.classOf(r)
                if !cls.isNone { markAbove(old, cls.value, work) }
                if heap.isKind(r, .array) && heap.word(r, 0) > chunk {
                    arrays.push(o)
                    arrays.push(0)
                    continue
                }
                forEachReference(r, { markAbove(old, $0.pointee, work) },
                                 raw: { p in markAbove(old, ObjRef(offset: UInt(p.pointee)).value, work) },
                                 container: { c in if Int(c.offset) >= old { setMark(Int(c.offset)) } })
            } else if !arrays.isEmpty {
                let next = arrays.pop(), o = arrays.pop()
                let r = ObjRef(offset: UInt(o))
                let n = heap.word(r, 0)
                let end = min(next + chunk, n)
                if end < n { arrays.push(o); arrays.push(end) }
                let slots = heap.slotPointer(r) + 1
                for i in next..<end { markAbove(old, slots[i], work) }
            } else {
                break
            }
        }
    }

    /// Gives every marked object in [from, top) its new offset (in its
    /// header's forward field): objects starting below `pinnedBelow` keep
    /// theirs, the others are packed after them in address order. Returns
    /// where the pinned objects end (at least `pinnedBelow`, more if the
    /// last one runs past it) and where the packed objects end.
    func planSlide(from: Int, to top: Int, pinnedBelow: Int) -> (pinned: Int, free: Int) {
        var pinned = max(from, min(pinnedBelow, top))
        guard top > from else { return (pinned, pinned) }
        let base = heap.base
        let bits = heap.markBits
        var free = pinned
        var pinnedLiveEnd = from   // where the last pinned object ends
        var packing = false
        /// The dead space before `pinned` becomes a filler, which needs a
        /// header's room: a `Root.bootEnd` that is not an object boundary
        /// (a crafted image) could leave 8 bytes. Packing then starts later.
        /// (Never past `next`, the first object to pack: objects only move down.)
        func settlePinned(next: Int) {
            packing = true
            if pinned > pinnedLiveEnd && pinned - pinnedLiveEnd < Heap.headerSize {
                pinned = min(pinnedLiveEnd + Heap.headerSize, next)
            }
            free = pinned
        }
        // forEachMarked, written out: a closure would box `free`.
        for w in (from >> 9)...((top - 1) >> 9) {
            var word = bits[w]
            while word != 0 {
                let scan = (w << 9) | (word.trailingZeroBitCount << 3)
                word &= word - 1
                if scan < from || scan >= top { continue }
                let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
                if scan < pinned && !packing {
                    base.storeBytes(of: UInt32(scan >> 3), toByteOffset: scan + 12, as: UInt32.self)
                    pinnedLiveEnd = scan + size
                    if pinnedLiveEnd > pinned { pinned = pinnedLiveEnd }
                } else {
                    if !packing { settlePinned(next: scan) }
                    base.storeBytes(of: UInt32(free >> 3), toByteOffset: scan + 12, as: UInt32.self)
                    free += size
                }
            }
        }
        if !packing { settlePinned(next: top) }
        return (pinned, free)
    }

    /// Where the objects of the built-in core image end, in a VM booted from
    /// it or restored from an image of one (`Root.bootEnd`); `firstObject`
    /// when there are none. Full collections never move the objects below:
    /// an image then holds the core where the built-in image has it, and a
    /// restore skips checking what is byte for byte the built-in image's own
    /// (Image/BuiltinCoreCheck.swift). A value that is not an offset inside
    /// the heap pins nothing.
    var bootRegionEnd: Int {
        let v = root(.bootEnd)
        guard v.isNumber, let end = Int(exactly: v.number), end >= Heap.firstObject, end <= heap.top, end & 7 == 0 else {
            return Heap.firstObject
        }
        return end
    }

    /// Turns the dead space in [from, to), between the marked objects that
    /// stay where they are, into fillers: Bytes objects (no references, no
    /// class) that heap walks step over and nothing refers to, with their
    /// cards' crossing entries. A dead object left as it was would keep
    /// references to objects that moved or died, and a young collection
    /// scanning its card would follow them.
    func fillDeadSpace(from: Int, to: Int) {
        guard to > from else { return }
        var cursor = from
        forEachMarked(from: from, to: to) { scan in
            // (Live objects never leave less than a header between them:
            // every dead object has one.)
            if scan >= cursor + Heap.headerSize { writeFiller(at: cursor, size: scan - cursor) }
            cursor = max(cursor, scan + heap.size(ObjRef(offset: UInt(scan))))
        }
        if to >= cursor + Heap.headerSize { writeFiller(at: cursor, size: to - cursor) }
    }

    /// A filler of `size` bytes (at least a header) at `at`: a Bytes object
    /// whose length covers it, or a bare header when it has no room for one.
    func writeFiller(at: Int, size: Int) {
        let p = heap.base + at
        p.storeBytes(of: UInt64(ObjKind.bytes.rawValue), as: UInt64.self)
        p.storeBytes(of: UInt64(UInt32(size)) | (UInt64(at >> 3) << 32), toByteOffset: 8, as: UInt64.self)
        if size >= BytesLayout.dataOffset {
            p.storeBytes(of: size - BytesLayout.dataOffset, toByteOffset: 16, as: Int.self)
        }
        heap.recordCrossing(at, size: size)
    }

    /// Calls `body` with the offset of every marked object in [from, to),
    /// in address order, from the bitmap. NOTE: walking headers instead
    /// visited every dead object three times: a young collection of the
    /// issue-16 request loop (4 MB young, ~50 KB surviving) took 6.3 million
    /// instructions, three quarters of them in those walks.
    @inline(__always)
    func forEachMarked(from: Int, to: Int, _ body: (Int) -> Void) {
        guard to > from else { return }
        let bits = heap.markBits
        var w = from >> 9
        let last = (to - 1) >> 9
        while w <= last {
            var word = bits[w]
            while word != 0 {
                let o = (w << 9) | (word.trailingZeroBitCount << 3)
                word &= word - 1
                if o >= from && o < to { body(o) }
            }
            w += 1
        }
    }

    /// Moves every marked object in [from, top) to its planned offset,
    /// clears its mark, and records it in the crossing map: it becomes old.
    func slide(from: Int, to top: Int) {
        let heap = self.heap
        let base = heap.base
        forEachMarked(from: from, to: top) { scan in
            let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
            let to = Int(base.load(fromByteOffset: scan + 12, as: UInt32.self)) << 3
            if to != scan { memmove(base + to, base + scan, size) }
            clearMark(scan)
            heap.recordCrossing(to, size: size)
        }
    }
}
