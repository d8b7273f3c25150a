#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Runs a full collection. Returns false if live data still exceeds `-Xmx`.
    @discardableResult
    func collectGarbage() -> Bool {
        // C code below a running FFI callback may hold heap addresses: move nothing now.
        if ffi.callbackDepth > 0 { return ffiDeferCollection() }
        hooks.fire(.gcStart, self)
        setRoot(.currentFiber, fiber.isNone ? .null : fiber.value)
        let errorHolder = newList(capacity: 1)
        listAppend(errorHolder, error)
        setRoot(.pending, errorHolder.value)

        // 1. Mark.
        var work: [Int] = []
        work.reserveCapacity(1024)
        func markValue(_ v: Value) {
            guard v.isObject else { return }
            let o = Int(v.ref.offset)
            if o == 0 || isMarked(o) { return }
            setMark(o)
            work.append(o)
        }
        setMark(Int(rootBlock.offset))
        work.append(Int(rootBlock.offset))
        while let o = work.popLast() {
            // The class in the header is a reference too (metaclasses have no other).
            let cls = heap.classOf(ObjRef(offset: UInt(o)))
            if !cls.isNone { markValue(cls.value) }
            forEachReference(ObjRef(offset: UInt(o)), { markValue($0.pointee) },
                             raw: { p in if p.pointee != 0 { markValue(ObjRef(offset: UInt(p.pointee)).value) } },
                             container: { c in setMark(Int(c.offset)) })
        }

        // 2. Plan new offsets.
        let base = heap.base
        var scan = Heap.firstObject
        var free = Heap.firstObject
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
            Int(base.load(fromByteOffset: o + 12, as: UInt32.self)) << 3
        }

        // 3. Update references (objects are still at their old offsets).
        scan = Heap.firstObject
        while scan < top {
            let size = Int(base.load(fromByteOffset: scan + 8, as: UInt32.self))
            if isMarked(scan) {
                let r = ObjRef(offset: UInt(scan))
                // The class pointer in the header is a reference too.
                let cls = Int(base.load(fromByteOffset: scan + 4, as: UInt32.self)) << 3
                if cls != 0 { base.storeBytes(of: UInt32(forward(cls) >> 3), toByteOffset: scan + 4, as: UInt32.self) }
                forEachReference(r, { p in
                    let v = p.pointee
                    if v.isObject && v.ref.offset != 0 {
                        p.pointee = Value(object: ObjRef(offset: UInt(forward(Int(v.ref.offset)))))
                    }
                }, raw: { p in if p.pointee != 0 { p.pointee = forward(p.pointee) } }, container: { _ in })
            }
            scan += size
        }

        // 4. Slide.
        scan = Heap.firstObject
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
        heap.gcRequested = false
        collections += 1

        rootBlock = ObjRef(offset: UInt(forward(Int(rootBlock.offset))))
        reloadRoots()
        let holder = root(.pending).ref
        error = listGet(holder, 0)
        setRoot(.pending, .null)

        let live = heap.used
        heap.nextGC = min(max(live * 2, 16 << 20), max(heap.maxHeap, live + (1 << 20)))
        hooks.fire(.gcEnd, self)
        return live <= heap.maxHeap
    }
}
