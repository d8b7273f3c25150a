#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The collector: precise, sliding mark-compact (Lisp 2 style).
//
//   1. mark     trace from the root block (and the Swift-held pending error)
//               into the side bitmap;
//   2. plan     walk the heap in address order, giving every marked object
//               its new offset (stored in the header's forward field);
//   3. update   rewrite every reference in every live object to the new offset;
//   4. slide    move live objects down, in address order, and clear mark bits.
//
// Cycles are reclaimed like anything else unreachable. Because objects move,
// collections happen only at interpreter safe points, where every live value
// is in the heap (fiber stacks, frames, module variables) and the loop
// reloads its cached pointers afterwards. Compaction also leaves the heap
// dense, which is what an image wants.
//
// After a restore, the objects mapped from the image form an old region
// (below `heap.oldTop`) that an ordinary collection neither plans, forwards
// nor slides: it marks through it (in the side bitmap), compacts only what
// was allocated since, and writes to an old object only a reference that
// actually changed (one to a young object that moved). So the image's pages
// stay shared between the processes restored from it unless their objects
// were written to. The price is that old objects that die stay until a full
// collection: one runs when they pass half the old region, and before every
// snapshot (an image wants the heap dense); it ends the old region.

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

    /// Runs a collection: of the young objects only when there is an old
    /// region, unless `full` (or the old region has become mostly garbage).
    /// Returns false if live data still exceeds `-Xmx`.
    @discardableResult
    func collectGarbage(full requested: Bool = false) -> Bool {
        // C code below a running FFI callback may hold heap addresses: move nothing now.
        if ffi.callbackDepth > 0 { return ffiDeferCollection() }
        let startTime = verboseGC ? port.monotonicClock() : 0
        let before = heap.used
        let full = requested || heap.oldGarbage * 2 > heap.oldTop - Heap.firstObject
        // Objects below `old` stay in place.
        let old = full ? Heap.firstObject : heap.oldTop
        hooks.fire(.gcStart, self)
        verifyHeapIfAsked("before")
        setRoot(.currentFiber, fiber.isNone ? .null : fiber.value)
        let errorHolder = newList(capacity: 1)
        listAppend(errorHolder, error)
        setRoot(.pending, errorHolder.value)

        // 1. Mark.
        var work: [Int] = []
        work.reserveCapacity(1024)
        var oldLive = 0
        func markValue(_ v: Value) {
            guard v.isObject else { return }
            let o = Int(v.ref.offset)
            if o == 0 || isMarked(o) { return }
            setMark(o)
            work.append(o)
        }
        setMark(Int(rootBlock.offset))
        work.append(Int(rootBlock.offset))
        // Big arrays are scanned a chunk at a time, so the work stack holds
        // what one chunk adds rather than a whole million-element list.
        var arrays: [(offset: Int, next: Int)] = []
        let chunk = 512
        while true {
            if let o = work.popLast() {
                let r = ObjRef(offset: UInt(o))
                if o < old { oldLive += heap.size(r) }
                // The class in the header is a reference too (metaclasses have no other).
                let cls = heap.classOf(r)
                if !cls.isNone { markValue(cls.value) }
                if heap.isKind(r, .array) && heap.word(r, 0) > chunk {
                    arrays.append((o, 0))
                    continue
                }
                forEachReference(r, { markValue($0.pointee) },
                                 raw: { p in if p.pointee != 0 { markValue(ObjRef(offset: UInt(p.pointee)).value) } },
                                 container: { c in setMark(Int(c.offset)) })
            } else if let (o, next) = arrays.popLast() {
                let r = ObjRef(offset: UInt(o))
                let end = min(next + chunk, heap.word(r, 0))
                if end < heap.word(r, 0) { arrays.append((o, end)) }
                let slots = heap.slotPointer(r) + 1
                for i in next..<end { markValue(slots[i]) }
            } else {
                break
            }
        }

        // 2. Plan new offsets (young objects only).
        let base = heap.base
        var scan = old
        var free = old
        let top = heap.top
        while scan < top {
            let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
            if isMarked(scan) {
                base.storeBytes(of: UInt32(free >> 3), toByteOffset: scan + 12, as: UInt32.self)
                free += size
            }
            scan += size
        }
        @inline(__always) func forward(_ o: Int) -> Int {
            o < old ? o : Int(base.load(fromByteOffset: o + 12, as: UInt32.self)) << 3
        }

        // 3. Update references (objects are still at their old offsets).
        // Only what changes is written: an old object that refers to no
        // moved object keeps its page untouched.
        func update(_ at: Int) {
            let r = ObjRef(offset: UInt(at))
            // The class pointer in the header is a reference too.
            let cls = Int(base.load(fromByteOffset: at + 4, as: UInt32.self)) << 3
            if cls >= old { base.storeBytes(of: UInt32(forward(cls) >> 3), toByteOffset: at + 4, as: UInt32.self) }
            forEachReference(r, { p in
                let v = p.pointee
                if v.isObject && Int(v.ref.offset) >= old {
                    p.pointee = Value(object: ObjRef(offset: UInt(forward(Int(v.ref.offset)))))
                }
            }, raw: { p in if p.pointee >= old { p.pointee = forward(p.pointee) } }, container: { _ in })
        }
        // The old region's live objects are found from the bitmap (its dead
        // ones are never read), and their marks are cleared on the way.
        forEachMarked(below: old) { update($0) }
        scan = old
        while scan < top {
            let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
            if isMarked(scan) { update(scan) }
            scan += size
        }

        // 4. Slide the young objects.
        scan = old
        while scan < top {
            let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
            if isMarked(scan) {
                let to = forward(scan)
                if to != scan { memmove(base + to, base + scan, size) }
                clearMark(scan)
            }
            scan += size
        }
        heap.top = free
        collections += 1
        if full {
            heap.oldTop = Heap.firstObject
            heap.oldGarbage = 0
        } else {
            heap.oldGarbage = heap.oldTop - Heap.firstObject - oldLive
        }

        rootBlock = ObjRef(offset: UInt(forward(Int(rootBlock.offset))))
        reloadRoots()
        let holder = root(.pending).ref
        error = listGet(holder, 0)
        setRoot(.pending, .null)

        let live = heap.used
        heap.nextGC = min(max(live * 2, 16 << 20), max(heap.maxHeap, live + (1 << 20)))
        collectionAsked = false
        rearmCollectionRequest()
        verifyHeapIfAsked("after")
        hooks.fire(.gcEnd, self)
        if verboseGC {
            let kind = old > Heap.firstObject ? "young" : "full"
            let kept = old > Heap.firstObject ? ", old region \(heap.oldTop - Heap.firstObject) bytes kept in place" : ""
            config.writeError("amber: [gc] #\(collections) \(kind): \(before) -> \(live) bytes\(kept), "
                              + "pause \(ms(port.monotonicClock() - startTime))\n")
        }
        return live <= heap.maxHeap
    }

    /// Calls `body` with the offset of every marked object below `limit`,
    /// in address order, clearing its mark.
    func forEachMarked(below limit: Int, _ body: (Int) -> Void) {
        let words = min(((limit >> 3) + 63) >> 6, heap.markWords)
        for w in 0..<words {
            var bits = heap.markBits[w]
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                bits &= bits - 1
                let offset = (w << 6 | bit) << 3
                if offset >= limit { return }
                heap.markBits[w] &= ~(1 << UInt64(bit))
                body(offset)
            }
        }
    }
}
