@_spi(AmberInternals) import AmberObjects

// Classes, functions, closures, upvalues, fibers and modules.

extension VM {
    // MARK: Classes

    /// Creates a class and its metaclass. `superclass` may be none (Object only).
    func newClass(name: String, superclass: ObjRef, numFields: Int) -> ObjRef {
        let nameValue = newString(name).value
        let meta = newClassObject(name: newString(name + " metaclass").value, superclass: classClass,
                                  numFields: 0, metaclass: classClass)
        let cls = newClassObject(name: nameValue, superclass: superclass, numFields: numFields, metaclass: meta)
        return cls
    }

    func newClassObject(name: Value, superclass: ObjRef, numFields: Int, metaclass: ObjRef) -> ObjRef {
        let c = heap.allocate(.classObj, cls: metaclass, size: ClassLayout.size)
        heap[c, ClassLayout.name] = name
        heap[c, ClassLayout.superclass] = superclass.isNone ? .null : superclass.value
        heap[c, ClassLayout.numFields] = Value(numFields)
        heap[c, ClassLayout.attributes] = .null
        heap[c, ClassLayout.builtin] = Value(0)
        heap[c, ClassLayout.allocator] = .null
        // Inherit by copying the superclass's method table (classes are closed once defined).
        let table: ObjRef
        if !superclass.isNone, heap[superclass, ClassLayout.methods].isObject {
            let from = heap[superclass, ClassLayout.methods].ref
            let cap = max(arrayCapacity(from), symbolNames.count)
            table = newArray(capacity: cap)
            arrayElements(table).update(from: arrayElements(from), count: arrayCapacity(from))
        } else {
            table = newArray(capacity: max(64, symbolNames.count))
        }
        heap[c, ClassLayout.methods] = table.value
        return c
    }

    /// Sets the superclass of an existing class and copies inherited methods (bootstrap only).
    func inherit(_ cls: ObjRef, from superclass: ObjRef) {
        heap[cls, ClassLayout.superclass] = superclass.value
        let from = heap[superclass, ClassLayout.methods].ref
        for i in 0..<arrayCapacity(from) where !arrayElements(from)[i].isNull {
            bindMethod(cls, i, arrayElements(from)[i])
        }
    }

    func className(_ c: ObjRef) -> String { string(heap[c, ClassLayout.name]) }
    func superclass(_ c: ObjRef) -> ObjRef {
        let s = heap[c, ClassLayout.superclass]
        return s.isObject ? s.ref : .none
    }
    func numFields(_ c: ObjRef) -> Int { Int(heap[c, ClassLayout.numFields].number) }

    /// Puts a method (a closure ref or a native id as a Num) in a class's table.
    func bindMethod(_ cls: ObjRef, _ symbol: Int, _ method: Value) {
        var table = heap[cls, ClassLayout.methods].ref
        let cap = arrayCapacity(table)
        if symbol >= cap {
            let bigger = newArray(capacity: max(symbol + 1, cap * 2, symbolNames.count))
            arrayElements(bigger).update(from: arrayElements(table), count: cap)
            heap[cls, ClassLayout.methods] = bigger.value
            table = bigger
        }
        heap.store(method, at: arrayElements(table) + symbol)
    }

    /// The method a class has for `symbol`, or null.
    @inline(__always) func method(_ cls: ObjRef, _ symbol: Int) -> Value {
        let table = heap[cls, ClassLayout.methods].ref
        if symbol >= arrayCapacity(table) { return .null }
        return arrayElements(table)[symbol]
    }

    // MARK: Instances

    func newInstance(_ cls: ObjRef) -> ObjRef {
        let n = numFields(cls)
        let r = heap.allocate(.instance, cls: cls, size: 16 + 8 * n)
        let p = heap.slotPointer(r)
        for i in 0..<n { p[i] = .null }
        return r
    }

    // MARK: Functions and closures

    func newFn(code: [UInt8], constants: [Value], module: ObjRef, numUpvalues: Int, arity: Int,
               maxSlots: Int, name: String, lines: [Int32]) -> ObjRef {
        let codeObj = newBytes(code)
        let lineBytes = lines.withUnsafeBytes { Array($0) }
        let linesObj = newBytes(lineBytes)
        let consts = newArray(capacity: constants.count)
        for (i, c) in constants.enumerated() { arrayElements(consts)[i] = c }
        let nameObj = newString(name)
        let f = heap.allocate(.fn, cls: fnClass, size: FnLayout.size)
        heap[f, FnLayout.code] = codeObj.value
        heap[f, FnLayout.constants] = consts.value
        heap[f, FnLayout.module] = module.value
        heap[f, FnLayout.numUpvalues] = Value(numUpvalues)
        heap[f, FnLayout.arity] = Value(arity)
        heap.setWord(f, FnLayout.maxSlots, maxSlots)
        heap[f, FnLayout.name] = nameObj.value
        heap[f, FnLayout.lines] = linesObj.value
        return f
    }

    func newBytes(_ bytes: [UInt8]) -> ObjRef {
        let r = heap.allocate(.bytes, cls: .none, size: BytesLayout.dataOffset + bytes.count)
        heap.setWord(r, BytesLayout.length, bytes.count)
        bytes.withUnsafeBytes { b in
            if b.count > 0 { (heap.pointer(r) + BytesLayout.dataOffset).copyMemory(from: b.baseAddress!, byteCount: b.count) }
        }
        return r
    }

    func bytesPointer(_ r: ObjRef) -> UnsafeMutableRawPointer { heap.pointer(r) + BytesLayout.dataOffset }
    func bytesLength(_ r: ObjRef) -> Int { heap.word(r, BytesLayout.length) }

    func newClosure(_ fn: ObjRef) -> ObjRef {
        let n = Int(heap[fn, FnLayout.numUpvalues].number)
        let c = heap.allocate(.closure, cls: fnClass, size: 16 + 8 * (1 + n))
        heap[c, ClosureLayout.fn] = fn.value
        for i in 0..<n { heap[c, ClosureLayout.firstUpvalue + i] = .null }
        return c
    }

    func closureFn(_ c: ObjRef) -> ObjRef { heap[c, ClosureLayout.fn].ref }
    func fnArity(_ fn: ObjRef) -> Int { Int(heap[fn, FnLayout.arity].number) }
    func fnName(_ fn: ObjRef) -> String { string(heap[fn, FnLayout.name]) }
    func fnModule(_ fn: ObjRef) -> ObjRef { heap[fn, FnLayout.module].ref }
    func fnUpvalueCount(_ fn: ObjRef) -> Int { Int(heap[fn, FnLayout.numUpvalues].number) }

    /// Source line of the instruction at `ip` in `fn`.
    func line(of fn: ObjRef, at ip: Int) -> Int {
        let lines = heap[fn, FnLayout.lines].ref
        let n = bytesLength(lines) / 4
        guard n > 0 else { return 0 }
        let i = max(0, min(ip, n - 1))
        return Int(bytesPointer(lines).load(fromByteOffset: i * 4, as: Int32.self))
    }

    // MARK: Fibers

    /// A new fiber's stack fits its function's slots, rounded up to a power of
    /// two (at least this), and grows when calls need more; frames likewise.
    /// NOTE: 64 slots and 8 frames up front made the fibers benchmark spend
    /// its time allocating and filling memory it never used.
    static let initialStack = 16
    static let initialFrames = 4

    /// A fiber that will run `closure` when first resumed.
    func newFiber(_ closure: ObjRef) -> ObjRef {
        let fn = closureFn(closure)
        var stackCap = VM.initialStack
        while stackCap < heap.word(fn, FnLayout.maxSlots) + 1 { stackCap *= 2 }
        let stack = newArray(capacity: stackCap, kind: .stack)
        let frames = heap.allocate(.frames, cls: .none, size: 16 + 8 * (1 + VM.initialFrames * FrameLayout.words))
        heap.setWord(frames, 0, VM.initialFrames)
        let f = heap.allocate(.fiber, cls: fiberClass, size: FiberLayout.size)
        heap[f, FiberLayout.stack] = stack.value
        heap[f, FiberLayout.frames] = frames.value
        heap[f, FiberLayout.openUpvalues] = .null
        heap[f, FiberLayout.caller] = .null
        heap[f, FiberLayout.error] = .null
        heap[f, FiberLayout.function] = closure.value
        // The closure sits in slot 0, as the receiver of its own first frame.
        arrayElements(stack)[0] = closure.value
        heap.setWord(f, FiberLayout.stackTop, 1)
        pushFrame(f, closure: closure, stackBase: 0)
        return f
    }

    /// Appends a frame; grows the frame array when full.
    func pushFrame(_ f: ObjRef, closure: ObjRef, stackBase: Int) {
        var frames = heap[f, FiberLayout.frames].ref
        let count = heap.word(f, FiberLayout.frameCount)
        let cap = heap.word(frames, 0)
        if count == cap {
            let bigger = heap.allocate(.frames, cls: .none, size: 16 + 8 * (1 + cap * 2 * FrameLayout.words))
            heap.setWord(bigger, 0, cap * 2)
            (heap.pointer(bigger) + 24).copyMemory(from: heap.pointer(frames) + 24, byteCount: cap * FrameLayout.words * 8)
            heap[f, FiberLayout.frames] = bigger.value
            frames = bigger
        }
        let p = (heap.pointer(frames) + 24).assumingMemoryBound(to: Int.self) + count * FrameLayout.words
        p[0] = Int(closure.offset)
        p[1] = 0
        p[2] = stackBase
        heap.setWord(f, FiberLayout.frameCount, count + 1)
        // Its frames hold a closure offset now: the fiber's stack and frames
        // are roots of the next young collection (it may not be running).
        heap.rememberFiber(f)
    }

    func fiberIsDone(_ f: ObjRef) -> Bool {
        heap.word(f, FiberLayout.frameCount) == 0 || !heap[f, FiberLayout.error].isNull
    }

    // MARK: Modules

    func newModule(name: String?) -> ObjRef {
        let m = heap.allocate(.module, cls: .none, size: ModuleLayout.size)
        heap[m, ModuleLayout.name] = name.map { newString($0).value } ?? .null
        heap[m, ModuleLayout.variableNames] = newList().value
        heap[m, ModuleLayout.variables] = newList().value
        return m
    }

    func moduleName(_ m: ObjRef) -> String? {
        let n = heap[m, ModuleLayout.name]
        return n.isNull ? nil : string(n)
    }

    /// Index of a module variable by name, or nil.
    func moduleVariable(_ m: ObjRef, _ name: String) -> Int? {
        let names = heap[m, ModuleLayout.variableNames].ref
        let key = newStringProbe(name)
        for i in 0..<listCount(names) where stringEquals(listGet(names, i).ref, key) { return i }
        return nil
    }

    /// Defines a module variable (or sets an implicitly declared one); returns its index.
    @discardableResult
    func defineModuleVariable(_ m: ObjRef, _ name: String, _ value: Value) -> Int {
        if let i = moduleVariable(m, name) {
            listSet(heap[m, ModuleLayout.variables].ref, i, value)
            return i
        }
        listAppend(heap[m, ModuleLayout.variableNames].ref, newString(name).value)
        listAppend(heap[m, ModuleLayout.variables].ref, value)
        return listCount(heap[m, ModuleLayout.variables].ref) - 1
    }

    func moduleVariableValue(_ m: ObjRef, _ i: Int) -> Value {
        listGet(heap[m, ModuleLayout.variables].ref, i)
    }

    func moduleVariableCount(_ m: ObjRef) -> Int { listCount(heap[m, ModuleLayout.variables].ref) }

    /// Byte-compares a heap string with Swift text (no allocation).
    fileprivate func newStringProbe(_ s: String) -> [UInt8] { Array(s.utf8) }
    fileprivate func stringEquals(_ r: ObjRef, _ bytes: [UInt8]) -> Bool {
        let n = stringLength(r)
        guard n == bytes.count else { return false }
        let p = stringBytes(r)
        for i in 0..<n where p.load(fromByteOffset: i, as: UInt8.self) != bytes[i] { return false }
        return true
    }
}
