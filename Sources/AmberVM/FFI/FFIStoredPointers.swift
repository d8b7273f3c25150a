#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Pointers kept in a Memory the VM owns, across a restore (ARCHITECTURE.md,
// "Foreign functions").
//
// A Pointer carries the generation it was made in; the bytes of an owned
// Memory go into the image as they are, so a pointer stored in them would
// come back from the restore looking like any other. Each owned Memory
// therefore keeps, in the heap (and so in the image):
//   - a record of its pointer slots: a Map from the offset of each
//     `setPointer` store to the generation of the bits there now (any later
//     write over the slot makes them this generation's);
//   - the last generation in which C had its bytes (the Memory was made from
//     C's bytes, or lent to a foreign call, where C may write pointers
//     anywhere in it), for offsets with no record.
// Reading a pointer whose bits come from an older generation is the
// stale-pointer error, as using the Pointer itself would be. Lending the
// Memory to C while a recorded slot still holds an old pointer is refused
// too: C would follow it. (Pointers C itself wrote into a Memory before the
// restore are untracked bytes to C: passing such a Memory back to a function
// that follows them is C's contract.)

extension VM {
    /// Keeps `FFIHotState.generation` equal to `generation`: now, and after
    /// every restore or dry-run snapshot of this VM (both fire postRestore
    /// once the new generation is set). Called when the ffi module is
    /// enabled, and when a restore rebuilds the side table.
    func ffiTrackGeneration() {
        ffi.hot.pointee.generation = generation
        hooks.register(.postRestore, priority: Int.max) { vm, _ in vm.ffi.hot.pointee.generation = vm.generation }
    }

    /// Key of the records Map holding the generation in which every record
    /// was last found current: all writes since are of that generation too.
    static let ffiVerifiedKey = Value(-1)

    /// The pointer records of owned Memory `m`, or nil when it has none.
    @inline(__always)
    func ffiPointerRecords(_ m: ObjRef) -> ObjRef? {
        let r = heap[m, FFIField.memoryPointers]
        guard r.isObject, heap.kind(r.ref) == .map else { return nil }
        return r.ref
    }

    /// A generation from the heap (an image may hold anything there): -1 when not one.
    func ffiGenerationValue(_ v: Value) -> Int {
        guard v.isNumber, v.number >= 0, v.number < 4294967296 else { return -1 }
        return Int(v.number)
    }

    /// The generation the pointer bits at `offset` of owned Memory `m` come from.
    func ffiStoredGeneration(_ m: ObjRef, at offset: Int) -> Int {
        if let r = ffiPointerRecords(m), let g = mapGet(r, Value(offset)) { return ffiGenerationValue(g) }
        return ffiGenerationValue(heap[m, FFIField.memoryGeneration])
    }

    /// After `count` bytes were written at `offset` of owned Memory `m`:
    /// the recorded pointer slots they overlap hold this generation's bits now.
    func ffiNoteWrite(_ m: ObjRef, _ offset: Int, _ count: Int) {
        guard let r = ffiPointerRecords(m) else { return }
        let lo = offset - 7, hi = offset + count  // slots starting in lo..<hi overlap the write
        let now = Value(generation)
        if hi - lo <= mapCapacity(r) {
            for o in max(0, lo)..<hi where mapFind(r, Value(o)) >= 0 { mapSet(r, Value(o), now) }
            return
        }
        var hits: [Value] = []
        for i in 0..<mapCapacity(r) {
            if let (k, _) = mapEntry(r, i), k.isNumber, k.number >= Double(max(0, lo)), k.number < Double(hi) { hits.append(k) }
        }
        for k in hits { mapSet(r, k, now) }
    }

    /// Records a pointer stored at `offset` of owned Memory `m` in this
    /// generation. False (error set) when the heap is full.
    func ffiRecordPointer(_ m: ObjRef, at offset: Int) -> Bool {
        var r = ffiPointerRecords(m)
        if r == nil {
            guard heap.canAllocate(4096) else { return fail("Out of memory.") }
            let made = newMap()
            heap[m, FFIField.memoryPointers] = made.value
            r = made
        }
        ffiNoteWrite(m, offset, 8)
        guard mapSet(r!, Value(offset), Value(generation)) else { return fail("Out of memory.") }
        return true
    }

    /// Before C gets owned Memory `m`'s bytes (lent, or copied by value):
    /// the first recorded slot that holds a pointer from before the restore,
    /// or nil. (Not an autoclosure for the message: forwarding one from the
    /// call path retained the VM on every call, callgrind.)
    func ffiStaleStoredPointer(_ m: ObjRef) -> (offset: Double, generation: Int)? {
        guard let r = ffiPointerRecords(m) else { return nil }
        if let v = mapGet(r, VM.ffiVerifiedKey), ffiGenerationValue(v) == generation { return nil }
        var stale: (offset: Double, generation: Int)? = nil
        for i in 0..<mapCapacity(r) {
            guard let (k, g) = mapEntry(r, i), k.isNumber, k.number >= 0 else { continue }
            let made = ffiGenerationValue(g)
            if made != generation, stale == nil || k.number < stale!.offset { stale = (k.number, made) }
        }
        // Out of memory only costs the next call this scan again.
        if stale == nil { _ = mapSet(r, VM.ffiVerifiedKey, Value(generation)) }
        return stale
    }

    /// The error for `ffiStaleStoredPointer`'s finding; `what` names the argument.
    @inline(never)
    func ffiStaleStoredPointerMessage(_ what: String, _ stale: (offset: Double, generation: Int)) -> String {
        "\(what) is a Memory holding a pointer from before the restore (generation \(stale.generation)) at offset \(formatNumber(stale.offset)); store a new pointer there first."
    }
}
