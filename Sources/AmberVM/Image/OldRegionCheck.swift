@_spi(AmberInternals) import AmberObjects

// The object headers of a restored heap, checked before the first full
// collection walks them (ARCHITECTURE.md, "The image" and "The collector").
//
// With verify=header the image's pages are mapped unread, and a young
// collection never walks the old region by object sizes: it only follows
// references into it. A full collection (one that reclaims the old region,
// and the one before every snapshot) walks every object from the first to
// `top` by the size in its header and reads what `forEachReference` reads. A
// size of zero there loops for ever; a size past `top`, a capacity past its
// object or a fiber whose counts pass its stack send it outside the heap.
// So once per restored heap, before that first full walk, this walk checks
// exactly those fields: the collection costs the same order of time anyway
// (it reads every header), and a heap that fails is never collected: the
// collection reports the problem instead ("Image ... is corrupt").

extension VM {
    /// Whether the old region's headers (and the counts the collector reads)
    /// are sound. On the first failure, sets `heapCorruption` and returns false.
    /// Once checked (or after a full collection) there is nothing to check.
    func oldRegionHeadersAreSound() -> Bool {
        if heapCorruption != nil { return false }
        let end = uncheckedOldEnd
        guard end > Heap.firstObject else { return true }
        if let problem = oldRegionProblem(end: end) {
            heapCorruption = "The heap restored from an image is corrupt (\(problem)); it was changed after it was written. "
                + "Restore with verify=full to check every object before it runs."
            return false
        }
        uncheckedOldEnd = Heap.firstObject
        return true
    }

    /// The first object in [firstObject, end) the collector could not walk safely, or nil.
    private func oldRegionProblem(end: Int) -> String? {
        let top = heap.top
        var scan = Heap.firstObject
        /// An object of `kind` that starts in the heap and fits before `top`.
        func fits(_ v: Value, _ kind: ObjKind) -> Bool {
            guard v.isObject else { return false }
            let o = Int(v.ref.offset)
            guard o >= Heap.firstObject, o & 7 == 0, o <= top - Heap.headerSize, heap.hasKnownKind(v.ref),
                  heap.isKind(v.ref, kind) else { return false }
            let size = heap.size(v.ref)
            return size >= Heap.headerSize && size <= top - o
        }
        while scan < end {
            let r = ObjRef(offset: UInt(scan))
            guard end - scan >= Heap.headerSize else { return "a partial object at heap offset \(scan)" }
            guard heap.hasKnownKind(r) else {
                return "an unknown object kind \(heap.base.load(fromByteOffset: scan, as: UInt8.self)) at heap offset \(scan)"
            }
            let size = heap.size(r)
            guard size >= Heap.headerSize, size & 7 == 0, size <= end - scan else {
                return "an object of \(size) bytes at heap offset \(scan)"
            }
            let slots = (size - Heap.headerSize) / 8
            switch heap.kind(r) {
            case .array:
                let capacity = heap.word(r, ArrayLayout.capacity)
                guard slots >= 1, capacity >= 0, capacity <= slots - 1 else { return "a capacity past its end at heap offset \(scan)" }
            case .list, .map:
                guard slots >= 2 else { return "a short \(heap.kind(r)) at heap offset \(scan)" }
            case .fiber:
                guard slots >= 9 else { return "a short fiber at heap offset \(scan)" }
                let stack = heap[r, FiberLayout.stack], frames = heap[r, FiberLayout.frames]
                let stackTop = heap.word(r, FiberLayout.stackTop), frameCount = heap.word(r, FiberLayout.frameCount)
                if stack.isObject {
                    guard fits(stack, .stack), stackTop >= 0,
                          stackTop <= (heap.size(stack.ref) - Heap.headerSize) / 8 - 1 else {
                        return "a stack top past its stack at heap offset \(scan)"
                    }
                }
                if frames.isObject {
                    guard fits(frames, .frames), frameCount >= 0,
                          frameCount <= (heap.size(frames.ref) - 24) / (8 * FrameLayout.words) else {
                        return "a frame count past its frames at heap offset \(scan)"
                    }
                }
            default:
                break
            }
            scan += size
        }
        return nil
    }
}
