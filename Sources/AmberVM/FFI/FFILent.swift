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

extension VM {
    /// `o` (a Pointer or a view) addresses memory the VM lent to C: it
    /// expires when the next collection starts.
    func ffiLend(_ o: ObjRef, _ field: Int) {
        ffi.lent.append((o, field))
        if !ffi.hot.pointee.collectionHooked { ffiHookCollection() }
    }

    /// Owned Memory bytes at `p`, `size` long, are lent to C for a call.
    @inline(__always)
    func ffiNoteLent(_ p: UnsafeMutableRawPointer?, _ size: Int) {
        let rt = ffi, h = rt.hot
        let start = UInt(bitPattern: p)
        rt.lentRanges[h.pointee.lentRangeCount & (FFIRuntime.lentRangeSlots - 1)] = (start, start + UInt(size))
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
        let rt = ffi
        for (o, field) in rt.lent { heap[o, field] = Value(FFIField.expired) }
        rt.lent.removeAll()
        rt.hot.pointee.lentRangeCount = 0
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

    /// Whether a view of `address ..< address + count` (checked not to wrap)
    /// keeps off the VM's own memory, or lies within memory lent to C.
    func ffiViewAllowed(_ address: UInt, _ count: Int) -> Bool {
        guard count > 0 else { return true }
        let end = address + UInt(count)
        let h = UInt(bitPattern: heap.base), hEnd = h + UInt(heap.reserved)
        if address < hEnd && end > h {
            let rt = ffi
            let n = min(rt.hot.pointee.lentRangeCount, FFIRuntime.lentRangeSlots)
            for i in 0..<n where rt.lentRanges[i].start <= address && end <= rt.lentRanges[i].end { return true }
            return false
        }
        let s = UInt(bitPattern: ffi.arena), sEnd = s + UInt(FFIRuntime.arenaSize)
        if address < sEnd && end > s { return address >= s && end <= sEnd }
        return true
    }
}
