@_spi(AmberInternals) import AmberObjects

// The card table's readers (the writers are the barrier in Heap.swift).
//
// A young collection reads the old space only through dirty cards. To parse a
// card it must know where an object starts at or before the card's first
// byte: the crossing map (`Heap.crossing`, one UInt32 per card) says which
// object covers that byte. The collector fills it as objects are promoted
// (`slide`). An image's objects were never promoted in the restoring process,
// so the snapshot writer puts the map for the image's cards into the image
// itself, as a Bytes object in `Root.cardStarts`: a restore then reads it
// where it is mapped, shared like the rest of the image, instead of walking
// a gigabyte of headers before the first young collection can run.
//
// Which slots of an object count, card by card (`forEachOldReference`):
//
//   array                    the elements in the card
//   list, map                the storage slot, if in the card
//   instance, class, fn,     every slot in the card
//   closure, upvalue, module
//   fiber                    its Value slots in the card; and when its header
//                            is in the card, its live stack and frames (the
//                            header card is dirtied when the fiber runs:
//                            `Heap.rememberFiber`)
//   any object               the header's class, when the header is in the card
//
// Slots are disjoint between cards and stacks belong to one fiber, so each
// reference is found once per collection; that matters, as its update is
// applied where it was found.

/// The kinds of slot a young collection records in the old space, as the low
/// bits of the slot's offset (Value slots are 8-aligned, class fields at +4).
enum OldSlot {
    static let value = 0     // a Value
    static let raw = 1       // a raw offset (a frame's closure)
    static let classWord = 4 // the header's class field (offset + 4: a word index)
}

extension VM {
    /// The offset of the object covering the first byte of old-space card `c`.
    @inline(__always) func cardFirstObject(_ c: Int) -> Int {
        if c == 0 { return Heap.firstObject }
        if c < imageCrossingCards {
            let table = (heap.base + imageCrossingOffset + BytesLayout.dataOffset).assumingMemoryBound(to: UInt32.self)
            return Int(table[c]) << 3
        }
        return Int(heap.crossing[c]) << 3
    }

    /// Calls `body` for every dirty card below `limit`, cleaning it first;
    /// returns how many there were. Reads the table a word at a time: the
    /// cards of 1 GB are 2 MB, and nearly all clean.
    @discardableResult
    func forEachDirtyCard(below limit: Int, _ body: (Int) -> Void) -> Int {
        let n = (limit + Heap.cardSize - 1) >> Heap.cardShift
        let cards = heap.cards
        let words = UnsafeMutableRawPointer(cards)
        var dirty = 0
        var c = 0
        while c + 8 <= n {
            if words.load(fromByteOffset: c, as: UInt64.self) == 0 { c += 8; continue }
            for i in c..<(c + 8) where cards[i] != 0 {
                cards[i] = 0
                dirty += 1
                body(i)
            }
            c += 8
        }
        while c < n {
            if cards[c] != 0 { cards[c] = 0; dirty += 1; body(c) }
            c += 1
        }
        return dirty
    }

    /// Cleans the cards of [from, to).
    func clearCards(from: Int, to: Int) {
        guard to > from else { return }
        let first = from >> Heap.cardShift
        let last = (to - 1) >> Heap.cardShift
        (heap.cards + first).update(repeating: 0, count: last - first + 1)
    }

    /// Calls `value` for every Value slot and `raw` for every raw offset of
    /// old-space card `c` (see the table above); `classWord` with the offset
    /// of a header's class field. `oldTop` bounds the old space.
    @inline(__always)
    func forEachOldReference(card c: Int, oldTop: Int, value: (UnsafeMutablePointer<Value>) -> Void,
                             raw: (UnsafeMutablePointer<Int>) -> Void, classWord: (Int) -> Void,
                             container: (ObjRef) -> Void) {
        let lo = c << Heap.cardShift
        let hi = min(lo + Heap.cardSize, oldTop)
        let base = heap.base
        var o = cardFirstObject(c)
        if _slowPath(o > max(lo, Heap.firstObject) || o < Heap.firstObject) { corruptOldSpace(card: c, at: o) }
        while o < hi {
            let r = ObjRef(offset: UInt(o))
            let size = heap.size(r)
            if _slowPath(size < Heap.headerSize) { corruptOldSpace(card: c, at: o) }
            if o >= lo { classWord(o + 4) }
            // The object's slot bytes that lie in this card.
            let from = max(lo, o + Heap.headerSize), to = min(hi, o + size)
            @inline(__always) func slots(_ first: Int, _ end: Int) {
                var a = max(from, first)
                let b = min(to, end)
                while a < b {
                    value((base + a).assumingMemoryBound(to: Value.self))
                    a += 8
                }
            }
            @inline(__always) func slot(_ i: Int) {
                let a = o + Heap.headerSize + 8 * i
                if a >= from && a < to { value((base + a).assumingMemoryBound(to: Value.self)) }
            }
            switch heap.kind(r) {
            case .string, .bytes, .range, .stack, .frames, .foreign:
                break
            case .array:
                let first = o + Heap.headerSize + 8 * ArrayLayout.first
                slots(first, first + 8 * heap.word(r, ArrayLayout.capacity))
            case .list:
                slot(ListLayout.elements)
            case .map:
                slot(MapLayout.entries)
            case .instance, .classObj, .fn, .closure, .upvalue, .module:
                slots(o + Heap.headerSize, o + size)
            case .fiber:
                slot(FiberLayout.stack); slot(FiberLayout.frames); slot(FiberLayout.openUpvalues)
                slot(FiberLayout.caller); slot(FiberLayout.error); slot(FiberLayout.function)
                if o >= lo { forEachStackReference(of: r, value, raw: raw, container: container) }
            }
            o += size
        }
    }

    /// The live stack slots and frame closures of fiber `f`, and its stack
    /// and frame arrays (as containers).
    @inline(__always)
    func forEachStackReference(of f: ObjRef, _ value: (UnsafeMutablePointer<Value>) -> Void,
                               raw: (UnsafeMutablePointer<Int>) -> Void, container: (ObjRef) -> Void) {
        let stack = heap[f, FiberLayout.stack]
        if stack.isObject {
            container(stack.ref)
            let sp = arrayElements(stack.ref)
            for i in 0..<heap.word(f, FiberLayout.stackTop) { value(sp + i) }
        }
        let frames = heap[f, FiberLayout.frames]
        if frames.isObject {
            container(frames.ref)
            let fp = (heap.pointer(frames.ref) + 24).assumingMemoryBound(to: Int.self)
            for i in 0..<heap.word(f, FiberLayout.frameCount) { raw(fp + i * FrameLayout.words) }
        }
    }

    /// A crossing map or header that cannot be: only a damaged image does
    /// this (the launcher's guard reports it as a corrupt image).
    @inline(never)
    func corruptOldSpace(card c: Int, at o: Int) -> Never {
        fatalError("amber: old space unparsable at card \(c) (object at \(o)); a damaged image?")
    }

    /// Dirties the cards of every module's variables, done at the start of
    /// each collection: `storeModuleVar` stores without a barrier. NOTE: the
    /// store of top-level code, where every variable is a module variable; its
    /// barrier cost string_equals 2.8% of its instructions, and remembering
    /// all module variables costs a few cards per module per collection.
    func rememberModuleVariables() {
        func remember(_ m: Value) {
            guard m.isObject, heap.isKind(m.ref, .module) else { return }
            let variables = heap[m.ref, ModuleLayout.variables]
            guard variables.isObject else { return }
            heap.remember(listElements(variables.ref), count: listCount(variables.ref))
        }
        remember(root(.coreModule))
        // Loaded modules, and the preloaded ones no program imported: a
        // module imported by a loaded one (scheduler by io) runs its code
        // before any program imports it.
        for table in [root(.modules), root(.preloadedModules)] where table.isObject && heap.isKind(table.ref, .map) {
            for i in 0..<mapCapacity(table.ref) {
                if let (_, m) = mapEntry(table.ref, i) { remember(m) }
            }
        }
    }

    // MARK: The crossing map in images

    /// After the full collection that precedes writing an image: puts the
    /// crossing map of the whole heap, its own cards included, into the heap
    /// as a Bytes object (`Root.cardStarts`). 4 bytes per 512: 0.8% of the image.
    func attachCrossingMapForImage() {
        let start = heap.top
        // What was allocated since the full collection (the list of
        // environment strings) is young: give its cards their crossing entries.
        var o = heap.oldTop
        while o < start {
            let size = heap.size(ObjRef(offset: UInt(o)))
            if size < Heap.headerSize { break }
            heap.recordCrossing(o, size: size)
            o += size
        }
        var cards = (start + Heap.cardSize - 1) >> Heap.cardShift
        var size = 0
        while true {
            size = (BytesLayout.dataOffset + 4 * cards + 7) & ~7
            let n = (start + size + Heap.cardSize - 1) >> Heap.cardShift
            if n <= cards { break }
            cards = n
        }
        guard heap.canAllocate(size) else { return }
        let table = heap.allocate(.bytes, cls: .none, size: size)
        heap.setWord(table, BytesLayout.length, 4 * cards)
        let p = bytesPointer(table).assumingMemoryBound(to: UInt32.self)
        p[0] = UInt32(Heap.firstObject >> 3)
        let oldCards = (start + Heap.cardSize - 1) >> Heap.cardShift
        for c in 1..<max(1, oldCards) { p[c] = UInt32(cardFirstObject(c) >> 3) }
        for c in max(1, oldCards)..<cards { p[c] = UInt32(start >> 3) }
        setRoot(.cardStarts, table.value)
    }

    /// After a restore: uses the image's crossing map where it is mapped,
    /// or, for an image without one, walks the image once to build it.
    func adoptImageCrossingMap() {
        let top = heap.oldTop
        let cards = (top + Heap.cardSize - 1) >> Heap.cardShift
        let t = root(.cardStarts)
        if isValidObject(t, .bytes) && Int(t.ref.offset) + heap.size(t.ref) == top
            && bytesLength(t.ref) >= 4 * cards && heap.size(t.ref) >= BytesLayout.dataOffset + 4 * cards {
            imageCrossingOffset = Int(t.ref.offset)
            imageCrossingCards = cards
            return
        }
        var o = Heap.firstObject
        while o < top {
            let size = heap.size(ObjRef(offset: UInt(o)))
            if size < Heap.headerSize { break }
            heap.recordCrossing(o, size: size)
            o += size
        }
    }

    /// Forgets the image's crossing map (a full collection moves everything).
    func dropImageCrossingMap() {
        imageCrossingCards = 0
        imageCrossingOffset = 0
        setRoot(.cardStarts, .null)
    }
}
