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
    /// The end of the old region: objects below it were mapped from an image
    /// and stay where they are (see Collector.swift), so a collection after a
    /// restore leaves the image's pages shared unless their objects change.
    /// `firstObject` when there is none (a fresh heap, or after a full collection).
    public var oldTop = Heap.firstObject
    /// Bytes of the old region found unreachable by the last collection: when
    /// they are many, the next collection is a full one that reclaims them.
    public var oldGarbage = 0

    /// The first object lives here; offsets below are never objects.
    @inlinable public static var firstObject: Int { 64 }
    @inlinable public static var headerSize: Int { 16 }

    /// `baseOffset` (a multiple of 8, below a page) puts `base` that far
    /// past a page boundary: a VM mapping the built-in core image from the
    /// program's own file needs the file's page offset there (AmberVM's
    /// Image/BuiltinCoreImage.swift). Every reference is an offset from
    /// `base`, so nothing else depends on its alignment.
    public init(maxHeap: Int, baseOffset: Int = 0) throws(HeapError) {
        precondition(baseOffset >= 0 && baseOffset % 8 == 0 && baseOffset < 65536, "Heap: bad base offset")
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
        state = .allocate(capacity: 1)
        state.initialize(to: AllocState(maxHeap: maxHeap, top: Heap.firstObject, nextGC: min(16 << 20, maxHeap)))
    }

    deinit {
        state.deallocate()
        VirtualMemory.release(reservation, reserved + Int(bitPattern: base) - Int(bitPattern: reservation))
        VirtualMemory.release(UnsafeMutableRawPointer(markBits), markWords * 8)
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
    /// test) and every header holds a valid kind.
    @inlinable @inline(__always) public func kind(_ r: ObjRef) -> ObjKind {
        unsafeBitCast(base.load(fromByteOffset: Int(r.offset), as: UInt8.self) &- 1, to: ObjKind.self)
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
    @inlinable @inline(__always) public subscript(r: ObjRef, i: Int) -> Value {
        get { base.load(fromByteOffset: Int(r.offset) + 16 + i &* 8, as: Value.self) }
        set { base.storeBytes(of: newValue, toByteOffset: Int(r.offset) + 16 + i &* 8, as: Value.self) }
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
