@_spi(AmberInternals) import AmberObjects

// Memory the VM lends to C, and what C hands back of it (ARCHITECTURE.md,
// "Foreign functions").
//
// A Memory the VM owns is passed to C as the address of its bytes in the
// heap, and a string argument as a copy in the scratch arena. C may hand
// such addresses back: bsearch's and memcpy's results, qsort's arguments
// to a comparator. The bytes stay where they are until the next collection
// (none runs during a foreign call, and the allocator never reuses space
// between collections), then may move. So:
//   - a Pointer or view into that memory is good until the next collection,
//     which expires it first (`ffiLend`, `ffiBeforeCollection`): viewing it
//     or passing it to C after that is an error, not a write over whatever
//     the collector moved there;
//   - a view into the heap must lie within one Memory lent to C since the
//     last collection (`lentRanges`, the last 256 of them), and a view into
//     the arena within the arena: a view's size is the caller's claim, but
//     a claim over the VM's own objects would let a script corrupt them.
// The collection is seen through a gcStart listener (the hook interface),
// registered only while there is something to expire.
//
// NOTE: what this costs (callgrind, release, against the build before these
// checks): a call with a Memory argument +28 instructions of ~1,090
// (memset); one whose pointer result lands in lent memory +114 of ~1,350;
// a qsort comparator that views both arguments +5.5%; strlen +4 of ~540.

extension VM {
    /// `o` (a Pointer or a view) addresses memory the VM lent to C: it
    /// expires when the next collection starts.
    func ffiLend(_ o: ObjRef, _ field: Int) {
        // A plain buffer in `hot`, not a Swift array in the runtime: no
        // exclusivity check or retain per lent object (qsort's comparator
        // makes four per comparison).
        let h = ffi.hot
        if _slowPath(h.pointee.lentObjectCount == h.pointee.lentObjectCapacity) { ffiGrowLent() }
        h.pointee.lentObjects.unsafelyUnwrapped[h.pointee.lentObjectCount] = (o, field)
        h.pointee.lentObjectCount += 1
        if _slowPath(!h.pointee.collectionHooked) { ffiHookCollection() }
    }

    @inline(never)
    func ffiGrowLent() {
        let h = ffi.hot
        let capacity = max(64, h.pointee.lentObjectCapacity * 2)
        let bigger = UnsafeMutablePointer<(object: ObjRef, field: Int)>.allocate(capacity: capacity)
        if let old = h.pointee.lentObjects {
            bigger.initialize(from: old, count: h.pointee.lentObjectCount)
            old.deallocate()
        }
        h.pointee.lentObjects = bigger
        h.pointee.lentObjectCapacity = capacity
    }

    /// Owned Memory bytes at `p`, `size` long, are lent to C for a call.
    @inline(__always)
    func ffiNoteLent(_ h: UnsafeMutablePointer<FFIHotState>, _ p: UnsafeMutableRawPointer?, _ size: Int) {
        let start = UInt(bitPattern: p)
        h.pointee.lentRanges[h.pointee.lentRangeCount & (FFIRuntime.lentRangeSlots - 1)] = (start, start + UInt(size))
        h.pointee.lentRangeCount &+= 1
        if _slowPath(!h.pointee.collectionHooked) { ffiHookCollection() }
    }

    @inline(never)
    func ffiHookCollection() {
        let rt = ffi
        rt.hot.pointee.collectionHooked = true
        if rt.collectionHook == nil {
            rt.collectionHook = hooks.register(.gcStart, priority: Int.min) { vm, _ in vm.ffiBeforeCollection() }
        }
    }

    /// A collection is about to move objects: every lent Pointer and view
    /// expires, and no Memory counts as lent any more.
    func ffiBeforeCollection() {
        let rt = ffi, h = rt.hot
        if let lent = h.pointee.lentObjects {
            for i in 0..<h.pointee.lentObjectCount { heap[lent[i].object, lent[i].field] = Value(FFIField.expired) }
            // A burst of callbacks may have grown it large: start small again.
            lent.deallocate()
        }
        h.pointee.lentObjects = nil
        h.pointee.lentObjectCount = 0
        h.pointee.lentObjectCapacity = 0
        h.pointee.lentRangeCount = 0
        rt.hot.pointee.collectionHooked = false
        if let token = rt.collectionHook { hooks.unregister(token) }
        rt.collectionHook = nil
    }

    /// The message for a Pointer (or view) into lent memory used after a collection.
    func ffiExpiredMessage(_ address: Double) -> String {
        "Pointer 0x\(String(UInt(address), radix: 16)) is into memory the VM lent to C, which the collector has moved since; use the Memory itself."
    }

    /// Whether `p` is in memory the VM owns: its heap (Memory bytes lent to a
    /// call) or the scratch arena (string arguments).
    func ffiOwnsAddress(_ p: UnsafeMutableRawPointer?) -> Bool {
        guard let p else { return false }
        let a = UInt(bitPattern: p)
        let h = UInt(bitPattern: heap.base), s = UInt(bitPattern: ffi.arena)
        return (a >= h && a - h < UInt(heap.reserved)) || (a >= s && a - s < UInt(FFIRuntime.arenaSize))
    }

    /// Why a view of `address ..< address + count` may not be made, or nil.
    /// A range in the VM's own memory must lie within memory lent to C (it
    /// is mapped: no system call); any other must be mapped (`ffiIsMapped`).
    func ffiViewRefusal(_ address: UInt, _ count: Int) -> String? {
        guard count > 0 else { return nil }
        func at() -> String { "Memory.view of \(count) bytes at 0x\(String(address, radix: 16))" }
        func unmapped() -> String { at() + ": not all of them are mapped in this process." }
        func own() -> String { at() + ": that is the VM's own memory, beyond any Memory lent to C since the last collection." }
        let (end, overflow) = address.addingReportingOverflow(UInt(count))
        if overflow { return unmapped() }
        let h = UInt(bitPattern: heap.base), hEnd = h + UInt(heap.reserved)
        if address < hEnd && end > h {
            let hot = ffi.hot
            let n = min(hot.pointee.lentRangeCount, FFIRuntime.lentRangeSlots)
            let ranges = hot.pointee.lentRanges
            for i in 0..<n where ranges[i].start <= address && end <= ranges[i].end { return nil }
            return own()
        }
        let s = UInt(bitPattern: ffi.arena), sEnd = s + UInt(FFIRuntime.arenaSize)
        if address < sEnd && end > s { return address >= s && end <= sEnd ? nil : own() }
        return ffiIsMapped(address, count) ? nil : unmapped()
    }
}
