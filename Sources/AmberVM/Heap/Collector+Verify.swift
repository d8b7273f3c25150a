@_spi(AmberInternals) import AmberObjects

// The heap verifier (a debug aid: `VMConfiguration.verifyHeapAfterGC`,
// AMBER_GC_VERIFY=1; see Collector+Debug.swift).
//
// It walks the heap twice, with its own bitmaps (never the collector's):
//
//   1. headers  from the first object to `top`, in address order: every
//               kind known, every size a multiple of 8, at least a header and
//               inside the heap. This finds every object start.
//   2. graph    from the root block (and the pending error), through every
//               reference the collector follows (slots, header classes, raw
//               frame closures, fiber stacks and frame arrays): each must be
//               the start of an object of a kind that fits where it was found.
//
//   3. cards    every object of the old space, dead ones included (a young
//               collection parses dead objects in dirty cards too): each
//               reference into the young space must be the start of an
//               object and lie in a dirty card (a fiber's stack and frames:
//               the fiber's header card). A missed write barrier shows here.
//
// Outside a collection no mark bit may be set (the collector clears them as
// it goes). Module variables are stored without a barrier and remembered at
// the start of each collection (CardTable.swift): the verifier remembers them
// first too, so a check between collections does not report their cards.

extension VM {
    /// Checks the heap's shape; returns what is wrong (at most `limit`
    /// problems), nothing when it is sound.
    func verifyHeap(limit: Int = 20) -> [String] {
        var problems: [String] = []
        func problem(_ s: String) { if problems.count < limit { problems.append(s) } }
        rememberModuleVariables()
        let base = heap.base
        let top = heap.top
        var starts = OffsetBitmap(below: top)
        var seen = OffsetBitmap(below: top)

        // 1. Headers.
        var at = Heap.firstObject
        let kinds = UInt8(ObjKind.allCases.count)
        while at < top {
            let k = base.load(fromByteOffset: at, as: UInt8.self)
            let size = Int(base.load(fromByteOffset: at + 8, as: UInt32.self))
            guard k >= 1 && k <= kinds, size >= Heap.headerSize, size & 7 == 0, at + size <= top else {
                problem("object at \(at): bad header (kind byte \(k), size \(size), heap top \(top))")
                return problems  // the walk cannot go on past a broken header
            }
            starts.insert(at)
            if isMarked(at) { problem("object at \(at) (\(heap.kind(ObjRef(offset: UInt(at))))): mark bit left set") }
            at += size
        }

        // 2. The graph from the roots.
        var work: [Int] = []
        func check(_ target: Int, from holder: Int, _ what: Where, _ fits: (ObjKind) -> Bool) {
            guard target >= Heap.firstObject, target < top, target & 7 == 0, starts.contains(target) else {
                problem("object at \(holder) (\(describe(holder))) \(what): \(target) is not the start of an object")
                return
            }
            let k = heap.kind(ObjRef(offset: UInt(target)))
            if !fits(k) { problem("object at \(holder) (\(describe(holder))) \(what): refers to a \(k) at \(target)") }
            if !seen.contains(target) {
                seen.insert(target)
                work.append(target)
            }
        }
        let rootAt = Int(rootBlock.offset)
        check(rootAt, from: 0, .root("root block"), { $0 == .array })
        if error.isObject { check(Int(error.ref.offset), from: 0, .root("pending error"), { _ in true }) }
        if !fiber.isNone { check(Int(fiber.offset), from: 0, .root("current fiber"), { $0 == .fiber }) }
        while let o = work.popLast() {
            let r = ObjRef(offset: UInt(o))
            let holderKind = heap.kind(r)
            let cls = heap.classOf(r)
            if !cls.isNone { check(Int(cls.offset), from: o, .classWord, { $0 == .classObj }) }
            let slots = heap.slotPointer(r)
            forEachReference(r, { p in
                let v = p.pointee
                guard v.isObject else { return }
                let slot = p - slots
                check(Int(v.ref.offset), from: o, slot >= 0 && slot < heap.slotCount(r) ? .slot(slot) : .stackSlot,
                      { VM.plausible($0, in: holderKind, slot: slot) })
            }, raw: { p in
                check(p.pointee, from: o, .frameClosure, { $0 == .closure })
            }, container: { c in
                check(Int(c.offset), from: o, .container, { $0 == .stack || $0 == .frames })
            })
        }
        // 3. The remembered set.
        let oldTop = heap.oldTop
        @inline(__always) func dirty(_ offset: Int) -> Bool { heap.cards[offset >> Heap.cardShift] != 0 }
        func young(_ target: Int, from holder: Int, _ what: Where, card: Int) {
            guard target >= oldTop else { return }
            if !(target < top && target & 7 == 0 && starts.contains(target)) {
                problem("old object at \(holder) (\(describe(holder))) \(what): \(target) is not the start of a young object")
            } else if !dirty(card) {
                problem("old object at \(holder) (\(describe(holder))) \(what) refers to a young \(heap.kind(ObjRef(offset: UInt(target)))) "
                        + "at \(target), but its card is clean (a missed write barrier)")
            }
        }
        at = Heap.firstObject
        while at < oldTop {
            let r = ObjRef(offset: UInt(at))
            let slots = heap.slotPointer(r)
            let count = heap.slotCount(r)
            young(Int(heap.classOf(r).offset), from: at, .classWord, card: at)
            forEachReference(r, { p in
                let v = p.pointee
                guard v.isObject else { return }
                let slot = p - slots
                let own = slot >= 0 && slot < count
                young(Int(v.ref.offset), from: at, own ? .slot(slot) : .stackSlot,
                      card: own ? UnsafeMutableRawPointer(p) - base : at)
            }, raw: { p in
                young(p.pointee, from: at, .frameClosure, card: at)
            }, container: { c in
                young(Int(c.offset), from: at, .container, card: at)
            })
            at += heap.size(r)
        }
        return problems
    }

    /// Where a reference was found (described only when it is wrong).
    enum Where: CustomStringConvertible {
        case root(String), classWord, slot(Int), stackSlot, frameClosure, container
        var description: String {
            switch self {
            case .root(let s): return s
            case .classWord: return "class"
            case .slot(let i): return "slot \(i)"
            case .stackSlot: return "stack slot"
            case .frameClosure: return "frame closure"
            case .container: return "stack or frames"
            }
        }
    }

    private func describe(_ o: Int) -> String {
        o == 0 ? "root" : "\(heap.kind(ObjRef(offset: UInt(o))))"
    }

    /// Whether an object of kind `target` may be referred to from slot `slot`
    /// of an object of kind `holder` (a slot number outside the holder: a
    /// fiber's stack). Stacks and frame arrays belong to their fiber only.
    static func plausible(_ target: ObjKind, in holder: ObjKind, slot: Int) -> Bool {
        switch (holder, slot) {
        case (.list, ListLayout.elements), (.map, MapLayout.entries): return target == .array
        case (.fiber, FiberLayout.stack): return target == .stack
        case (.fiber, FiberLayout.frames): return target == .frames
        case (.fiber, FiberLayout.openUpvalues), (.upvalue, UpvalueLayout.next): return target == .upvalue
        case (.fiber, FiberLayout.caller), (.upvalue, UpvalueLayout.fiber): return target == .fiber
        case (.fiber, FiberLayout.function): return target == .closure
        case (.closure, ClosureLayout.fn): return target == .fn
        case (.closure, _): return target == .upvalue
        case (.fn, FnLayout.code), (.fn, FnLayout.lines): return target == .bytes
        case (.fn, FnLayout.constants), (.classObj, ClassLayout.methods): return target == .array
        case (.fn, FnLayout.module): return target == .module
        case (.fn, FnLayout.name), (.classObj, ClassLayout.name), (.module, ModuleLayout.name): return target == .string
        case (.classObj, ClassLayout.superclass): return target == .classObj
        case (.module, ModuleLayout.variableNames), (.module, ModuleLayout.variables): return target == .list
        default: return target != .stack && target != .frames
        }
    }
}
