#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The young collection (ARCHITECTURE.md, "The collector").
//
//   heap:  [ old space: image + promoted | young space: allocated since ]
//                                       oldTop                          top
//
//   1. mark     from the roots into the side bitmap, young objects only:
//               the root block (while it is young), every dirty card of the
//               old space (CardTable.swift), and through what they reach,
//               never into an old object. Old slots that refer to young
//               objects are recorded as they are found.
//   2. plan     the marked young objects in address order (from the
//               bitmap, dead ones are never read): new offsets, packed from oldTop.
//   3. update   the recorded old slots, then every marked young object.
//   4. slide    move the young survivors down; they become old (promotion
//               of every survivor: oldTop = the new top), and the crossing
//               map learns where they start. Every card is clean after.
//
// Work: roots + dirty cards (a scan of the card table, 2 MB per GB, then 512
// bytes per dirty card) + the young space's mark bitmap (1/64 of it, read
// three times) + survivors. Nothing in the old space is read outside a dirty card, and only
// recorded slots are written: an image's pages stay shared.

/// What a young collection did (for -verbose:gc).
struct YoungStats {
    var promoted = 0
    var dirtyCards = 0
}

extension VM {
    func collectYoung() -> YoungStats {
        var stats = YoungStats()
        let old = heap.oldTop
        let top = heap.top
        let base = heap.base
        // The writer's crossing map for its last image is not needed here.
        if root(.cardStarts).isObject && Int(root(.cardStarts).ref.offset) >= old { setRoot(.cardStarts, .null) }

        // 1. Mark.
        var work: [Int] = []
        work.reserveCapacity(1024)
        var recorded: [Int] = []
        @inline(__always) func markValue(_ v: Value) {
            guard v.isObject else { return }
            let o = Int(v.ref.offset)
            // Not followed: an old object, or a reference outside the heap (an unchecked image).
            if o < old || o >= top || o & 7 != 0 || isMarked(o) { return }
            setMark(o)
            work.append(o)
        }
        @inline(__always) func markContainer(_ c: ObjRef) {
            if Int(c.offset) >= old { setMark(Int(c.offset)) }
        }
        if Int(rootBlock.offset) >= old { markValue(rootBlock.value) }
        forEachDirtyCard(below: old) { c in
            stats.dirtyCards += 1
            forEachOldReference(card: c, oldTop: old, value: { p in
                let v = p.pointee
                if v.isObject && Int(v.ref.offset) >= old {
                    markValue(v)
                    recorded.append(UnsafeMutableRawPointer(p) - base)
                }
            }, raw: { p in
                if p.pointee >= old {
                    markValue(ObjRef(offset: UInt(p.pointee)).value)
                    recorded.append((UnsafeMutableRawPointer(p) - base) | OldSlot.raw)
                }
            }, classWord: { at in
                let cls = Int(base.load(fromByteOffset: at, as: UInt32.self)) << 3
                if cls >= old {
                    markValue(ObjRef(offset: UInt(cls)).value)
                    recorded.append(at)
                }
            }, container: markContainer)
        }
        // Through the young objects. Big arrays a chunk at a time (see collectFull).
        var arrays: [(offset: Int, next: Int)] = []
        let chunk = 512
        while true {
            if let o = work.popLast() {
                let r = ObjRef(offset: UInt(o))
                let cls = heap.classOf(r)
                if !cls.isNone { markValue(cls.value) }
                if heap.isKind(r, .array) && heap.word(r, 0) > chunk {
                    arrays.append((o, 0))
                    continue
                }
                forEachReference(r, { markValue($0.pointee) },
                                 raw: { p in if p.pointee != 0 { markValue(ObjRef(offset: UInt(p.pointee)).value) } },
                                 container: markContainer)
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

        // 2. Plan (dead young foreign instances with a host finalizer are finalized first;
        // an old one at the next full collection).
        finalizeDeadForeign(from: old, to: top)
        let free = planSlide(from: old, to: top)
        @inline(__always) func forward(_ o: Int) -> Int {
            o < old ? o : Int(base.load(fromByteOffset: o + 12, as: UInt32.self)) << 3
        }

        // 3. Update: the recorded old slots (each found once), then the young survivors.
        for entry in recorded {
            switch entry & 7 {
            case OldSlot.classWord:
                let cls = Int(base.load(fromByteOffset: entry, as: UInt32.self)) << 3
                base.storeBytes(of: UInt32(forward(cls) >> 3), toByteOffset: entry, as: UInt32.self)
            case OldSlot.raw:
                let p = (base + (entry & ~7)).assumingMemoryBound(to: Int.self)
                p.pointee = forward(p.pointee)
            default:
                let p = (base + entry).assumingMemoryBound(to: Value.self)
                p.pointee = Value(object: ObjRef(offset: UInt(forward(Int(p.pointee.ref.offset)))))
            }
        }
        forEachMarked(from: old, to: top) { scan in
            let cls = Int(base.load(fromByteOffset: scan + 4, as: UInt32.self)) << 3
            if cls >= old { base.storeBytes(of: UInt32(forward(cls) >> 3), toByteOffset: scan + 4, as: UInt32.self) }
            forEachReference(ObjRef(offset: UInt(scan)), { p in
                let v = p.pointee
                if v.isObject && Int(v.ref.offset) >= old {
                    p.pointee = Value(object: ObjRef(offset: UInt(forward(Int(v.ref.offset)))))
                }
            }, raw: { p in if p.pointee >= old { p.pointee = forward(p.pointee) } }, container: { _ in })
        }
        rootBlock = ObjRef(offset: UInt(forward(Int(rootBlock.offset))))

        // 4. Slide and promote.
        slide(from: old, to: top)
        clearCards(from: old, to: top)
        heap.top = free
        heap.oldTop = free
        stats.promoted = free - old
        return stats
    }
}
