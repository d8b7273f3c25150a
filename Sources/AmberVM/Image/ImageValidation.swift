@_spi(AmberInternals) import AmberObjects

// Checking the parts of a mapped image that restore itself walks, before it
// walks them: the root block, the symbol list, the native-name list, the port
// slot table, the hooks and timers resume runs (ARCHITECTURE.md, "The image").
// These checks make a damaged or crafted heap a clear error in every mode,
// where restore would otherwise follow a bad offset. verify=full also checks
// every object (HeapVerifier.swift); in the default mode, what running code
// reaches later is the launcher's signal guard's business.

extension VM {
    /// Whether `v` refers to a well-formed object of kind `kind` inside the
    /// heap: aligned, below the top, with a size that fits.
    func isValidObject(_ v: Value, _ kind: ObjKind) -> Bool {
        guard v.isObject else { return false }
        let offset = Int(v.ref.offset)
        guard offset >= Heap.firstObject, offset % 8 == 0, offset + Heap.headerSize <= heap.top else { return false }
        let size = heap.size(v.ref)
        guard size >= Heap.headerSize, size % 8 == 0, size <= heap.top - offset else { return false }
        return heap.isKind(v.ref, kind)
    }

    /// A valid List whose backing array holds at least its count.
    func isValidList(_ v: Value) -> Bool {
        guard isValidObject(v, .list), heap.size(v.ref) >= ListLayout.size else { return false }
        let count = heap.word(v.ref, ListLayout.count)
        let elements = heap[v.ref, ListLayout.elements]
        if count == 0 { return elements.isNull || isValidArray(elements, atLeast: 0) }
        return count > 0 && isValidArray(elements, atLeast: count)
    }

    /// A valid Array of at least `n` Values.
    func isValidArray(_ v: Value, atLeast n: Int) -> Bool {
        guard isValidObject(v, .array) else { return false }
        let capacity = heap.word(v.ref, ArrayLayout.capacity)
        return capacity >= n && capacity <= (heap.size(v.ref) - Heap.headerSize) / 8 - 1
    }

    /// A valid String whose bytes fit in the object.
    func isValidString(_ v: Value) -> Bool {
        guard isValidObject(v, .string) else { return false }
        return stringLength(v.ref) + StringLayout.bytesOffset <= heap.size(v.ref)
    }

    /// A valid Map whose entry array holds its capacity.
    func isValidMap(_ v: Value) -> Bool {
        guard isValidObject(v, .map), heap.size(v.ref) >= MapLayout.size else { return false }
        let entries = heap[v.ref, MapLayout.entries]
        return entries.isNull || isValidArray(entries, atLeast: 0)
    }

    /// A valid class with a valid, short name and method table (registering
    /// natives reads the names of core classes and their metaclasses).
    func isValidClass(_ c: Value) -> Bool {
        guard isValidObject(c, .classObj), heap.size(c.ref) >= ClassLayout.size else { return false }
        let name = heap[c.ref, ClassLayout.name]
        return isValidString(name) && stringLength(name.ref) <= 256
            && isValidArray(heap[c.ref, ClassLayout.methods], atLeast: 0)
    }

    /// Checks everything `VM.restore` reads from the heap; throws naming what is wrong.
    func validateRestoredRoots(path: String) throws(ImageError) {
        func corrupt(_ what: String) -> ImageError {
            ImageError("Image '\(path)' is corrupt (\(what)); restore with verify=full to check.")
        }
        let rootValue = rootBlock.value
        guard isValidArray(rootValue, atLeast: Root.allCases.count) else { throw corrupt("bad root block") }
        func list(_ r: Root) throws(ImageError) -> ObjRef {
            guard isValidList(root(r)) else { throw corrupt("bad \(r) list") }
            return root(r).ref
        }
        for r in [Root.symbols, .nativeNames] {
            let l = try list(r)
            for i in 0..<listCount(l) where !isValidString(listGet(l, i)) {
                throw corrupt("bad entry \(i) of the \(r) list")
            }
        }
        _ = try list(.handles)
        _ = try list(.hostCalls)
        guard isValidMap(root(.portSlots)), isValidMap(root(.modules)) else { throw corrupt("bad root map") }
        // Every core class, and its name: registering natives reads them.
        let classes: [Root] = [.objectClass, .classClass, .boolClass, .nullClass, .numClass, .stringClass,
                               .listClass, .mapClass, .rangeClass, .fnClass, .fiberClass, .systemClass,
                               .sequenceClass, .mapSequenceClass, .whereSequenceClass, .stringByteSequenceClass,
                               .stringCodePointSequenceClass, .mapKeySequenceClass, .mapValueSequenceClass, .recordClass]
        for (i, r) in classes.enumerated() where i < 12 || !root(r).isNull {
            let c = root(r)
            guard isValidClass(c), isValidClass(heap.classOf(c.ref).value) else { throw corrupt("bad \(r)") }
        }
        let current = root(.currentFiber)
        guard current.isNull || isValidObject(current, .fiber) else { throw corrupt("bad current fiber") }
        // What restore and resume go through before any script code runs:
        // the script hooks ([kind, priority, closure] each), the timer queue
        // (fiber, wake time pairs), the transient boxes (emptied at a snapshot).
        func listOrNull(_ r: Root, _ ok: (Value) -> Bool) throws(ImageError) {
            let v = root(r)
            if v.isNull { return }
            guard isValidList(v) else { throw corrupt("bad \(r) list") }
            for i in 0..<listCount(v.ref) where !ok(listGet(v.ref, i)) { throw corrupt("bad entry \(i) of the \(r) list") }
        }
        try listOrNull(.hooks) { e in
            isValidList(e) && listCount(e.ref) >= 3 && listGet(e.ref, 0).isNumber && listGet(e.ref, 1).isNumber
                && isValidObject(listGet(e.ref, 2), .closure)
        }
        try listOrNull(.transients) { isValidObject($0, .instance) && heap.size($0.ref) > Heap.headerSize }
        let queue = root(.schedulerQueue)
        try listOrNull(.schedulerQueue) { _ in true }
        if queue.isObject {
            for i in 0..<listCount(queue.ref) where !(i % 2 == 0 ? isValidObject(listGet(queue.ref, i), .fiber)
                                                                : listGet(queue.ref, i).isNumber) {
                throw corrupt("bad entry \(i) of the timer queue")
            }
            guard listCount(queue.ref) % 2 == 0 else { throw corrupt("an odd timer queue") }
        }
    }
}
