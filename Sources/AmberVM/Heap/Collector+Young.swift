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
        let work = OffsetStack()
        let recorded = OffsetStack()
        defer { work.release(); recorded.release() }
        markAbove(old, rootBlock.value, work)
        stats.dirtyCards = forEachDirtyCard(below: old) { c in
            forEachOldReference(card: c, oldTop: old, value: { p in
                let v = p.pointee
                if v.isObject && Int(v.ref.offset) >= old {
                    markAbove(old, v, work)
                    recorded.push(UnsafeMutableRawPointer(p) - base)
                }
            }, raw: { p in
                if p.pointee >= old {
                    markAbove(old, ObjRef(offset: UInt(p.pointee)).value, work)
                    recorded.push((UnsafeMutableRawPointer(p) - base) | OldSlot.raw)
                }
            }, classWord: { at in
                let cls = Int(base.load(fromByteOffset: at, as: UInt32.self)) << 3
                if cls >= old {
                    markAbove(old, ObjRef(offset: UInt(cls)).value, work)
                    recorded.push(at)
                }
            }, container: { c in if Int(c.offset) >= old { setMark(Int(c.offset)) } })
        }
        // Through the young objects.
        traceAbove(old, work)

        // 2. Plan (dead young foreign instances with a host finalizer are finalized first;
        // an old one at the next full collection).
        finalizeDeadForeign(from: old, to: top)
        let free = planSlide(from: old, to: top, pinnedBelow: old).free
        @inline(__always) func forward(_ o: Int) -> Int {
            o < old ? o : Int(base.load(fromByteOffset: o + 12, as: UInt32.self)) << 3
        }

        // 3. Update: the recorded old slots (each found once), then the young survivors.
        for i in 0..<recorded.count {
            let entry = recorded[i]
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
