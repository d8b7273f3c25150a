@_spi(AmberInternals) import AmberObjects

// verify=header: the code a restored program runs, checked before any of it
// runs, at a cost that grows with the program and not with its data
// (ARCHITECTURE.md, "The image", verify modes).
//
// The interpreter trusts bytecode, method tables, closures and frames: that
// is what keeps its loop fast, and what verify=full establishes for every
// object (HeapVerifier.swift). The default mode maps the heap pages unread,
// so a damaged image used to reach the interpreter with whatever it held.
// This check runs HeapVerifier's per-object checks on the objects a resumed
// program goes through first:
//
//   every module, its variables, and the classes, closures and fibers among them
//   every core class and metaclass, their method tables and superclasses
//   every closure found there, its function, the function's code, constants,
//     line table and nested functions, and the classes `super` calls name
//   the current fiber, its callers, the fibers of hooks, timers and host calls,
//     their stacks and frames
//
// Data (lists, maps, strings, instances) is not walked, so the cost is that of
// the code (the core library's included), not of the heap. Without the walk of
// every object, a reference counts as an object start when a plausible header
// is there (a known kind, a size that fits before the top): every read the
// checks make stays inside the heap. What this does not see (a damaged list
// deep in the data, a closure kept only in a list) is what verify=full is for;
// with a key, the heap pages are checked against the signed digests instead.

extension VM {
    /// Checks the code and execution state a resumed program reaches first
    /// (verify=header); throws naming the first problem.
    func verifyReachableCode(path: String) throws(ImageError) {
        var verifier = HeapVerifier(vm: self, everyObject: false)
        let trusted = trustedBuiltinCore()
        if let trusted {
            verbose("built-in core: \(trusted.objects - trusted.checked) of \(trusted.objects) objects unchanged, not checked")
        } else {
            verbose("built-in core: checked (the image's core is not the built-in one's)")
        }
        if let problem = verifier.runReachable(trusting: trusted) {
            throw ImageError("Image '\(path)' is corrupt (\(problem)); restore with verify=full to check every object.")
        }
    }
}

extension HeapVerifier {
    /// Nil, or what is wrong and where (the roots are already validated:
    /// ImageValidation.swift).
    mutating func runReachable(trusting trusted: TrustedCore? = nil) -> String? {
        for offset in stride(from: 0, to: Heap.firstObject, by: 8)
            where heap.base.load(fromByteOffset: offset, as: UInt64.self) != 0 {
            return "bytes before the first object"
        }
        var queue: [ObjRef] = []
        let seen = OffsetMap(capacity: 512)   // grows; the trusted core is not in it
        func add(_ v: Value) {
            // A trusted object is the built-in core's own, and so is all it reaches.
            if v.isObject, trusted?.contains(v.ref.offset) != true, seen.insert(Int(v.ref.offset)) { queue.append(v.ref) }
        }
        for r in Root.allCases {
            switch r {
            case .currentFiber, .lastModule, .coreModule, .objectClass, .classClass, .boolClass, .nullClass, .numClass, .stringClass,
                 .listClass, .mapClass, .rangeClass, .fnClass, .fiberClass, .systemClass, .sequenceClass,
                 .mapSequenceClass, .whereSequenceClass, .stringByteSequenceClass, .stringCodePointSequenceClass,
                 .mapKeySequenceClass, .mapValueSequenceClass, .recordClass:
                add(vm.root(r))
            case .modules:
                forEachMapValue(vm.root(r), add)
            case .hooks:
                // [kind, priority, closure] each (shapes checked by ImageValidation).
                forEachListElement(vm.root(r)) { e in forEachListElement(e) { if $0.isObject { add($0) } } }
            case .schedulerQueue, .hostCalls:
                forEachListElement(vm.root(r), add)
            default:
                break
            }
        }
        // Classes and fibers look into the functions they run: they are
        // checked last, once every function found has been (as in `run`).
        var last: [ObjRef] = []
        while let r = queue.popLast() {
            guard isStart(r.offset) else { return "a reference to heap offset \(r.offset), where no object starts" }
            let kind = heap.kind(r)
            // The parts whose counts the checks below read through are checked before them.
            if let problem = checkParts(of: r, kind) { return problem }
            if kind == .classObj || kind == .fiber {
                last.append(r)
            } else if let problem = check(r) {
                return "\(problem) in the \(kind) at heap offset \(r.offset)"
            }
            forEachCodeReference(r, kind, add)
        }
        for r in last {
            if let problem = check(r) { return "\(problem) in the \(heap.kind(r)) at heap offset \(r.offset)" }
        }
        return checkRoots()
    }

    /// Checks the Bytes, Arrays, stacks and frame arrays an object's own check
    /// reads counts from (verify=full checks them as every other object).
    private mutating func checkParts(of r: ObjRef, _ kind: ObjKind) -> String? {
        var parts: [Value] = []
        switch kind {
        case .fn where heap.size(r) >= FnLayout.size:
            parts = [heap[r, FnLayout.code], heap[r, FnLayout.constants], heap[r, FnLayout.lines]]
        case .classObj where heap.size(r) >= ClassLayout.size:
            parts = [heap[r, ClassLayout.methods]]
        case .fiber where heap.size(r) >= FiberLayout.size:
            parts = [heap[r, FiberLayout.stack], heap[r, FiberLayout.frames]]
        default:
            return nil
        }
        for p in parts where p.isObject && isStart(p.ref.offset) {
            if let problem = check(p.ref) { return "\(problem) in the \(heap.kind(p.ref)) at heap offset \(p.ref.offset)" }
        }
        return nil
    }

    /// Calls `body` with what `r` refers to that holds code or execution state.
    /// Counts are bounded by the object's own size (its check may not have run yet).
    private func forEachCodeReference(_ r: ObjRef, _ kind: ObjKind, _ body: (Value) -> Void) {
        let slots = (heap.size(r) - Heap.headerSize) / 8
        switch kind {
        case .module where slots >= 3:
            forEachListElement(heap[r, ModuleLayout.variables]) { v in
                if v.isObject, isStart(v.ref.offset),
                   heap.isKind(v.ref, .classObj) || heap.isKind(v.ref, .closure) || heap.isKind(v.ref, .fiber) {
                    body(v)
                }
            }
        case .classObj where slots >= ClassLayout.size / 8 - 2:
            body(heap[r, ClassLayout.superclass])
            let metaclass = heap.classOf(r)
            if !metaclass.isNone { body(metaclass.value) }
            forEachArrayElement(heap[r, ClassLayout.methods]) { if $0.isObject { body($0) } }
        case .closure where slots >= 1:
            body(heap[r, ClosureLayout.fn])
        case .fn where slots >= FnLayout.size / 8 - 2:
            body(heap[r, FnLayout.module])
            forEachArrayElement(heap[r, FnLayout.constants]) { v in
                if v.isObject, isStart(v.ref.offset), heap.isKind(v.ref, .fn) || heap.isKind(v.ref, .classObj) { body(v) }
            }
        case .fiber where slots >= FiberLayout.size / 8 - 2:
            body(heap[r, FiberLayout.caller])
            body(heap[r, FiberLayout.function])
            let frames = heap[r, FiberLayout.frames]
            let count = heap.word(r, FiberLayout.frameCount)
            guard frames.isObject, isStart(frames.ref.offset), heap.isKind(frames.ref, .frames), count >= 0,
                  count <= (heap.size(frames.ref) - 24) / (8 * FrameLayout.words) else { return }
            let words = (heap.pointer(frames.ref) + 24).assumingMemoryBound(to: Int.self)
            for i in 0..<count {
                let closure = words[i * FrameLayout.words]
                if closure > 0, closure < top { body(ObjRef(offset: UInt(closure)).value) }
            }
        default:
            break
        }
    }

    /// The elements of a List, if `v` is one whose elements fit its array.
    private func forEachListElement(_ v: Value, _ body: (Value) -> Void) {
        guard v.isObject, isStart(v.ref.offset), heap.isKind(v.ref, .list), heap.size(v.ref) >= ListLayout.size else { return }
        let count = heap.word(v.ref, ListLayout.count)
        let elements = heap[v.ref, ListLayout.elements]
        guard count > 0, let c = capacity(elements), count <= c else { return }
        let p = heap.slotPointer(elements.ref) + ArrayLayout.first
        for i in 0..<count { body(p[i]) }
    }

    /// The elements of an Array, if `v` is one whose capacity fits it.
    private func forEachArrayElement(_ v: Value, _ body: (Value) -> Void) {
        guard let c = capacity(v) else { return }
        let p = heap.slotPointer(v.ref) + ArrayLayout.first
        for i in 0..<c { body(p[i]) }
    }

    /// The values of a Map, if `v` is one whose entries fit their array.
    private func forEachMapValue(_ v: Value, _ body: (Value) -> Void) {
        guard v.isObject, isStart(v.ref.offset), heap.isKind(v.ref, .map), heap.size(v.ref) >= MapLayout.size,
              let c = capacity(heap[v.ref, MapLayout.entries]) else { return }
        let p = heap.slotPointer(heap[v.ref, MapLayout.entries].ref) + ArrayLayout.first
        for i in 0..<(c / 2) where !p[2 * i].isUndefined { body(p[2 * i + 1]) }
    }
}
