#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The VM-owned heap.
//
// One range of address space is reserved per VM with mmap. Objects are bump
// allocated inside it and referred to by their byte offset from the base (see
// Value.swift), so the whole range can later be written to an image and mapped
// back at any address with no pointer rewriting.
//
// Every object starts with a 16-byte header:
//
//    +0        +1       +2..3    +4 .......... +8 ............. +12 ........ +16
//   +---------+--------+--------+--------------+-----------------+-----------+
//   | kind    | flags  | spare  | class (word) | size in bytes   | forward   |
//   +---------+--------+--------+--------------+-----------------+-----------+
//
// `class` and `forward` are word indices (offset / 8), so 32 bits reach 32 GiB.
// `forward` is scratch space for the compacting collector. Mark bits do not live
// in the header but in a side bitmap (one bit per 8-byte word), so collecting a
// heap restored from an image does not dirty its copy-on-write pages.
//
// After the header come 8-byte slots; `slot(i)` is at +16 + 8*i.
//
// Beside the heap, like the mark bits, and never in the image:
//
//   cards     one byte per 512-byte card of the heap; the write barrier sets
//             it when a slot in the card is stored to (`remember`), so a young
//             collection finds old objects that may refer to young ones
//             without reading the old space (see ARCHITECTURE.md, "The collector").
//   crossing  one UInt32 per card: the word index of the object that covers
//             the card's first byte, so a dirty card can be parsed from there.
//             Filled for the old space as objects are promoted or compacted.

/// What an object is; decides its layout and which slots hold references.
@_spi(AmberInternals) public enum ObjKind: UInt8, CaseIterable {
    case string = 1, list, map, range, instance, classObj, fn, closure, upvalue,
         fiber, module, array, bytes, stack, frames, foreign
}

/// The heap: a reserved range, a bump pointer and the collector's bitmap.
@_spi(AmberInternals) public final class Heap {
    /// Where the range is mapped in this process. Never stored in the heap.
    public let base: UnsafeMutableRawPointer
    /// `base` less the offset asked for at init: where the reservation starts.
    private let reservation: UnsafeMutableRawPointer
    /// Bytes of address space reserved (the hard ceiling).
    public let reserved: Int
    /// The allocator's mutable state. It lives behind a `let` pointer rather
    /// than in stored `var`s because every access to a stored `var` of a class
    /// costs a dynamic exclusivity check (a runtime call), and these are read
    /// on every allocation and at every safe point of the interpreter loop.
    public struct AllocState {
        public var maxHeap: Int
        public var top: Int
        public var nextGC: Int
    }
    public let state: UnsafeMutablePointer<AllocState>
    /// Why the loop should stop at its next safe point; shared with the VM's
    /// interrupt handles, which may set it from other threads (SafePointRequests.swift).
    public let safePoints = SafePointRequests()

    /// `-Xmx`: live data may not exceed this.
    @inlinable public var maxHeap: Int {
        @inline(__always) get { state.pointee.maxHeap }
        @inline(__always) set { state.pointee.maxHeap = newValue }
    }
    /// Next free byte offset.
    @inlinable public var top: Int {
        @inline(__always) get { state.pointee.top }
        @inline(__always) set { state.pointee.top = newValue }
    }
    /// When `top` passes this, the next safe point collects.
    @inlinable public var nextGC: Int {
        @inline(__always) get { state.pointee.nextGC }
        @inline(__always) set { state.pointee.nextGC = newValue }
    }
    /// Set by the allocator, read by the interpreter at safe points. It also
    /// reads true while an interrupt waits, and clearing it leaves it so.
    @inlinable public var gcRequested: Bool {
        @inline(__always) get { safePoints.isPending }
        @inline(__always) set { if newValue { safePoints.requestCollection() } else { safePoints.clear() } }
    }
    public let markBits: UnsafeMutablePointer<UInt64>
    public let markWords: Int
    /// The card table: one byte per `cardSize` bytes of the heap, 1 = dirty.
    public let cards: UnsafeMutablePointer<UInt8>
    public let cardCount: Int
    /// `cards` biased by the heap's base: the card of heap address `a` is
    /// `biasedCards[a >> cardShift]` (the base is card-aligned), so a barrier
    /// on a raw pointer needs no subtraction and no second load.
    public let biasedCards: UnsafeMutablePointer<UInt8>
    /// Per card, the word index (offset / 8) of the object covering its first
    /// byte; valid for cards of the old space (below `oldTop`).
    public let crossing: UnsafeMutablePointer<UInt32>

    /// Records the object of `size` bytes at `offset` as the one covering the
    /// first byte of every card that byte lies in.
    @inlinable @inline(__always) public func recordCrossing(_ offset: Int, size: Int) {
        var c = (offset + Heap.cardSize - 1) >> Heap.cardShift
        let last = (offset + size - 1) >> Heap.cardShift
        while c <= last { crossing[c] = UInt32(offset >> 3); c += 1 }
    }
    /// Bytes per card. NOTE: 512 as in HotSpot: a dirty card costs a scan of
    /// 64 slots, and the table of a 1 GB heap is 2 MB to look through.
    @inlinable public static var cardShift: Int { 9 }
    @inlinable public static var cardSize: Int { 1 << cardShift }
    /// The end of the old space: objects below it were promoted by a
    /// collection or mapped from an image, and a young collection neither
    /// moves them nor reads them (except in dirty cards), so it leaves an
    /// image's pages shared unless their objects change. Everything above is
    /// young (see Collector.swift).
    public var oldTop = Heap.firstObject
    /// Bytes the young space may fill before the next young collection (`-Xmn`).
    public var youngSize = 4 << 20
    /// When the heap's used bytes pass this, the next collection is a full one.
    public var fullThreshold = 16 << 20

    /// The first object lives here; offsets below are never objects.
    @inlinable public static var firstObject: Int { 64 }
    @inlinable public static var headerSize: Int { 16 }

    /// `baseOffset` (a multiple of the card size, below a page) puts `base` that far
    /// past a page boundary: a VM mapping the built-in core image from the
    /// program's own file needs the file's page offset there (AmberVM's
    /// Image/BuiltinCoreImage.swift). Every reference is an offset from
    /// `base`, so nothing else depends on its alignment.
    public init(maxHeap: Int, baseOffset: Int = 0) throws(HeapError) {
        precondition(baseOffset >= 0 && baseOffset % Heap.cardSize == 0 && baseOffset < 65536, "Heap: bad base offset")
        // Room above the cap so that what is allocated between two safe points
        // never runs off the reservation; the cap itself is checked at safe points.
        let slack = 256 << 20
        reserved = (maxHeap + slack + 0xffff) & ~0xffff
        guard let p = VirtualMemory.reserve(reserved + baseOffset) else { throw HeapError.reservationFailed }
        reservation = p
        base = p + baseOffset
        markWords = reserved / 8 / 64 + 1
        guard let mb = VirtualMemory.reserve(markWords * 8) else {
            VirtualMemory.release(p, reserved + baseOffset)
            throw HeapError.reservationFailed
        }
        markBits = mb.bindMemory(to: UInt64.self, capacity: markWords)
        cardCount = reserved >> Heap.cardShift
        guard let c = VirtualMemory.reserve(cardCount), let x = VirtualMemory.reserve(cardCount * 4) else {
            VirtualMemory.release(p, reserved)
            VirtualMemory.release(mb, markWords * 8)
            throw HeapError.reservationFailed
        }
        cards = c.bindMemory(to: UInt8.self, capacity: cardCount)
        biasedCards = cards - (Int(bitPattern: base) >> Heap.cardShift)
        crossing = x.bindMemory(to: UInt32.self, capacity: cardCount)
        state = .allocate(capacity: 1)
        state.initialize(to: AllocState(maxHeap: maxHeap, top: Heap.firstObject, nextGC: min(16 << 20, maxHeap)))
    }

    deinit {
        state.deallocate()
        VirtualMemory.release(reservation, reserved + Int(bitPattern: base) - Int(bitPattern: reservation))
        VirtualMemory.release(UnsafeMutableRawPointer(markBits), markWords * 8)
        VirtualMemory.release(UnsafeMutableRawPointer(cards), cardCount)
        VirtualMemory.release(UnsafeMutableRawPointer(crossing), cardCount * 4)
    }

    // MARK: Allocation

    /// The largest object: its size must fit the header's 32-bit size field.
    @inlinable public static var maxObjectBytes: Int { Int(UInt32.max) & ~7 }

    /// Whether `bytes` more can be allocated without passing the hard ceiling
    /// (and as one object: at most `maxObjectBytes`).
    @inlinable @inline(__always) public func canAllocate(_ bytes: Int) -> Bool {
        bytes >= 0 && bytes <= Heap.maxObjectBytes - 8 && top + bytes <= reserved - 4096
            && top + bytes - Heap.firstObject <= maxHeap + (64 << 20)
    }

    /// Allocates an object of `size` bytes (header included), zero-filled.
    /// Callers with sizes computed from user input check `canAllocate` first.
    @inlinable @inline(__always)
    public func allocate(_ kind: ObjKind, cls: ObjRef, size: Int) -> ObjRef {
        let size = (size + 7) & ~7
        let at = top
        precondition(at + size <= reserved - 4096, "Amber heap reservation exhausted")
        top = at + size
        if top > nextGC { gcRequested = true }
        let p = base + at
        p.storeBytes(of: UInt64(kind.rawValue) | (UInt64(cls.offset >> 3) << 32), as: UInt64.self)
        p.storeBytes(of: UInt64(UInt32(truncatingIfNeeded: size)), toByteOffset: 8, as: UInt64.self)
        // Fresh pages from mmap are zero, but compaction leaves old bytes above top.
        memset(p + 16, 0, size - 16)
        return ObjRef(offset: UInt(at))
    }

    // MARK: Header access

    @inlinable @inline(__always) public func pointer(_ r: ObjRef) -> UnsafeMutableRawPointer { base + Int(r.offset) }
    /// NOTE: a bitcast, not `ObjKind(rawValue:)`, which compiled to an
    /// out-of-line call. Raw values are case index + 1 (pinned by a unit
    /// test). The byte may come from an image that nothing has checked
    /// (verify=header maps pages unread), and a bit pattern outside the enum
    /// is undefined behaviour in a `switch`: an unknown kind reads as the last
    /// one, `foreign`, a leaf with no references (one compare and a
    /// conditional move; ARCHITECTURE.md, "The image").
    @inlinable @inline(__always) public func kind(_ r: ObjRef) -> ObjKind {
        let index = base.load(fromByteOffset: Int(r.offset), as: UInt8.self) &- 1
        return unsafeBitCast(index < Heap.kindCount ? index : Heap.kindCount - 1, to: ObjKind.self)
    }
    /// How many kinds there are (`ObjKind`'s raw values are 1...kindCount).
    @inlinable public static var kindCount: UInt8 { 16 }
    /// Whether the byte at `r` is a kind at all (what `kind` cannot tell).
    @inlinable @inline(__always) public func hasKnownKind(_ r: ObjRef) -> Bool {
        base.load(fromByteOffset: Int(r.offset), as: UInt8.self) &- 1 < Heap.kindCount
    }
    /// Whether the object at `r` is of kind `k` (one byte compare).
    @inlinable @inline(__always) public func isKind(_ r: ObjRef, _ k: ObjKind) -> Bool {
        base.load(fromByteOffset: Int(r.offset), as: UInt8.self) == k.rawValue
    }
    @inlinable @inline(__always) public func classOf(_ r: ObjRef) -> ObjRef {
        ObjRef(offset: UInt(base.load(fromByteOffset: Int(r.offset) + 4, as: UInt32.self)) << 3)
    }
    @inlinable @inline(__always) public func setClass(_ r: ObjRef, _ c: ObjRef) {
        base.storeBytes(of: UInt32(c.offset >> 3), toByteOffset: Int(r.offset) + 4, as: UInt32.self)
        cards[Int(r.offset) >> Heap.cardShift] = 1
    }
    @inlinable @inline(__always) public func size(_ r: ObjRef) -> Int {
        Int(base.load(fromByteOffset: Int(r.offset) + 8, as: UInt32.self))
    }
    @inlinable @inline(__always) public func flags(_ r: ObjRef) -> UInt8 {
        base.load(fromByteOffset: Int(r.offset) + 1, as: UInt8.self)
    }
    @inlinable @inline(__always) public func setFlags(_ r: ObjRef, _ f: UInt8) {
        base.storeBytes(of: f, toByteOffset: Int(r.offset) + 1, as: UInt8.self)
    }
    /// Number of 8-byte slots after the header.
    @inlinable @inline(__always) public func slotCount(_ r: ObjRef) -> Int { (size(r) - 16) >> 3 }

    // MARK: Slots

    @inlinable @inline(__always) public func slotPointer(_ r: ObjRef) -> UnsafeMutablePointer<Value> {
        (base + Int(r.offset) + 16).assumingMemoryBound(to: Value.self)
    }
    /// Slot `i` of the object at `r`. Storing goes through the write barrier.
    @inlinable @inline(__always) public subscript(r: ObjRef, i: Int) -> Value {
        get { base.load(fromByteOffset: Int(r.offset) + 16 + i &* 8, as: Value.self) }
        set {
            let at = Int(r.offset) + 16 + i &* 8
            base.storeBytes(of: newValue, toByteOffset: at, as: Value.self)
            cards[at >> Heap.cardShift] = 1
        }
    }

    // MARK: The write barrier
    //
    // Every store of a Value into a heap object goes through one of these
    // (or the subscript above), unless the object was allocated since the
    // last safe point (it is young: nothing can have collected in between).
    // The barrier does not look at the value or the object: one shift and one
    // byte store, the card marked whatever was stored. NOTE: filtering on
    // old object / young value would cost two loads and two branches on every
    // store to spare a card scan at the next young collection.

    /// Marks the card holding the heap address `p` (a slot just written).
    @inlinable @inline(__always) public func remember(_ p: UnsafeMutableRawPointer) {
        biasedCards[Int(bitPattern: p) >> Heap.cardShift] = 1
    }
    /// Stores `v` at `p`, a slot inside the heap, through the write barrier.
    @inlinable @inline(__always) public func store(_ v: Value, at p: UnsafeMutablePointer<Value>) {
        p.pointee = v
        remember(UnsafeMutableRawPointer(p))
    }
    /// Marks the cards of `count` slots from `p` (a block copied or shifted).
    @inlinable public func remember(_ p: UnsafeMutablePointer<Value>, count: Int) {
        guard count > 0 else { return }
        let first = (UnsafeMutableRawPointer(p) - base) >> Heap.cardShift
        let last = (UnsafeMutableRawPointer(p + count - 1) - base) >> Heap.cardShift
        for c in first...last { cards[c] = 1 }
    }
    /// Marks the card of the header of fiber `f`: a young collection scans
    /// the live stack and frames of a fiber whose header card is dirty. Done
    /// when a fiber starts running (`VM.fiber`) and when a fiber's stack or
    /// frames are written other than by itself, rather than on every push.
    @inlinable @inline(__always) public func rememberFiber(_ f: ObjRef) {
        cards[Int(f.offset) >> Heap.cardShift] = 1
    }
    @inlinable @inline(__always) public func word(_ r: ObjRef, _ i: Int) -> Int {
        base.load(fromByteOffset: Int(r.offset) + 16 + i &* 8, as: Int.self)
    }
    @inlinable @inline(__always) public func setWord(_ r: ObjRef, _ i: Int, _ v: Int) {
        base.storeBytes(of: v, toByteOffset: Int(r.offset) + 16 + i &* 8, as: Int.self)
    }

    /// Bytes of live data (everything allocated; garbage included until a collection).
    public var used: Int { top - Heap.firstObject }
}

/// Why a heap could not be made: the address space could not be reserved.
@_spi(AmberInternals) public enum HeapError: Error {
    case reservationFailed
}
