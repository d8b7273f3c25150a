import AmberBytecode
@_spi(AmberInternals) import AmberObjects

// verify=full: every object of a restored heap checked before any of it runs
// (ARCHITECTURE.md, "The image": an image is trusted as far as it is checked).
//
// The checksum has just read every page; walking every object costs a few
// times more (NOTE: 158 MB, 2 million objects, release build on a busy
// machine: checksum 30-56 ms, this walk 130-200 ms). The walk establishes what
// the interpreter and the natives rely on without checking it (they are the
// hot path and trust the heap):
//
//   objects     the heap is a run of well-formed objects from `firstObject`
//               to exactly `top`: a known kind, a size that is a multiple of 8
//               and fits; every reference points at the start of one of them
//   slots       every slot holds what its layout says: a script value where
//               scripts can reach it (anything but a function), an object of
//               the one kind an internal slot needs (a closure's function, a
//               fiber's stack), counts and capacities that fit the objects
//               they count
//   classes     every object of a kind scripts see has a class, and the kind
//               that class makes: natives trust their receiver's kind, so a
//               List's instances are lists, a user class's are instances with
//               room for all its fields; superclass chains end. The VM's own
//               objects have no class, and the bytes a missing class would be
//               read from are zero, so a call on one finds no method
//   methods     a method table holds closures and the ids of natives named
//               after the class or one of its ancestors (so a List native
//               never runs on a Map), signatures in range
//   bytecode    known opcodes, operands in range (constants of the right
//               kind, locals below the function's slot count, upvalues,
//               module variables, symbols), jumps onto instruction starts,
//               no falling off the end
//   fibers      stack top, frames (a closure, an ip at an instruction start,
//               a base with the function's slots above it), open upvalues
//
// What it does not check: the stack depth each function reaches against its
// slot count, and what a value on the operand stack is when an instruction
// assumes its kind (`construct` and field instructions assume `this`). Those
// need a type-checking verifier (as the JVM's); a crafted image can still
// reach them, and the launcher's signal guard reports that as a corrupt image.

extension VM {
    /// Checks every object of the mapped heap (verify=full); throws naming the first problem.
    func verifyHeapStructure(path: String) throws(ImageError) {
        var verifier = HeapVerifier(vm: self)
        if let problem = verifier.run() {
            throw ImageError("Image '\(path)' is corrupt (\(problem)); it was changed after it was written.")
        }
    }
}

struct HeapVerifier {
    let vm: VM
    let heap: Heap
    let top: Int
    /// One bit per 8-byte word: set where an object starts. Empty when only
    /// what the program reaches first is checked (ReachableCheck.swift): then
    /// a reference is taken for an object start when a plausible header is there.
    private var starts: OffsetBitmap
    let everyObject: Bool
    /// The heap's symbol names and native names (the roots are already validated).
    /// (A view of the heap's list, not a copy: a restore that trusts the
    /// built-in core reads few of its 800 names.)
    private let symbols: SymbolNames
    private let natives: [String]
    /// The kind of object each class makes, by class offset (nil: none may exist).
    private let madeKind = OffsetMap()   // ObjKind raw value, -1 for none
    private var classCache = [(class: ObjRef, made: ObjKind?)](repeating: (ObjRef(offset: UInt.max), nil), count: 256)
    /// `isMethod`'s memory. A class name is a key (`nameKey`); per native id,
    /// the key of its owner worked out for the symbol beside it (-1: not yet,
    /// -2: no owner); per class offset, the key of the class's name.
    /// NOTE: flat arrays and integers: with dictionaries of names the memory
    /// was half of a small restore's verify=header check.
    private var nativeOwnerKeys: [Int] = []
    private var nativeOwnerSymbols: [Int] = []
    private var ownerNames: [String] = []
    private let ownerNameHashes = OffsetMap()   // FNV-1a of a name -> its index in ownerNames
    private let classKeys = OffsetMap()
    /// `boundCodeFits`'s memory: per (function, field count), whether it fits.
    private let boundCodeChecked = OffsetMap()   // 1 fits, 0 does not
    /// `boundCodeFits`'s functions seen in one check.
    private let visited = OffsetMap()

    init(vm: VM, everyObject: Bool = true) {
        self.vm = vm
        heap = vm.heap
        top = vm.heap.top
        self.everyObject = everyObject
        // (A bitmap of the whole heap only when the whole heap is walked: the
        // reachable check stays flat in heap size.)
        starts = OffsetBitmap(below: everyObject ? vm.heap.top : 0)
        symbols = vm.symbolNames
        natives = vm.boundNativeNames
    }

    /// Nil, or what is wrong and where.
    mutating func run() -> String? {
        if let problem = markObjects() { return problem }
        // Classes and fibers look into the functions their methods and frames
        // run: they go second, once every function has been checked.
        for secondPass in [false, true] {
            var scan = Heap.firstObject
            while scan < top {
                let r = ObjRef(offset: UInt(scan))
                if heap.isKind(r, .classObj) || heap.isKind(r, .fiber) ? secondPass : !secondPass,
                   let problem = check(r) {
                    return "\(problem) in the \(heap.kind(r)) at heap offset \(scan)"
                }
                scan += heap.size(r)
            }
        }
        return checkRoots()
    }

    // MARK: Objects and references

    /// Walks the heap by object sizes, recording where objects start.
    mutating func markObjects() -> String? {
        // Below the first object the heap is zero, as a fresh one is: what
        // reads through a missing class (offset 0) finds is then harmless.
        for offset in stride(from: 0, to: Heap.firstObject, by: 8) where heap.base.load(fromByteOffset: offset, as: UInt64.self) != 0 {
            return "bytes before the first object"
        }
        var scan = Heap.firstObject
        let kinds = UInt8(ObjKind.allCases.count)
        while scan < top {
            guard top - scan >= Heap.headerSize else { return "a partial object at heap offset \(scan)" }
            let kind = heap.base.load(fromByteOffset: scan, as: UInt8.self)
            let size = heap.size(ObjRef(offset: UInt(scan)))
            guard kind >= 1, kind <= kinds else { return "an unknown object kind \(kind) at heap offset \(scan)" }
            guard size >= Heap.headerSize, size % 8 == 0, size <= top - scan else {
                return "an object of \(size) bytes at heap offset \(scan)"
            }
            starts.insert(scan)
            scan += size
        }
        return nil
    }

    /// Whether an object starts at `offset`.
    func isStart(_ offset: UInt) -> Bool {
        guard offset >= UInt(Heap.firstObject), offset < UInt(top), offset % 8 == 0 else { return false }
        if !everyObject {
            // A known kind and a size that fits: every read of its slots stays in the heap.
            let r = ObjRef(offset: offset)
            guard UInt(top) - offset >= UInt(Heap.headerSize), heap.hasKnownKind(r) else { return false }
            let size = heap.size(r)
            return size >= Heap.headerSize && size % 8 == 0 && size <= top - Int(offset)
        }
        return starts.contains(Int(offset))
    }

    func isObject(_ v: Value, _ kind: ObjKind) -> Bool {
        v.isObject && isStart(v.ref.offset) && heap.isKind(v.ref, kind)
    }
    func isObjectOrNull(_ v: Value, _ kind: ObjKind) -> Bool { v.isNull || isObject(v, kind) }

    /// What a slot scripts may reach can hold: a number, a singleton, or an
    /// object other than a function. Objects of the kinds scripts see have
    /// their class's kind; the VM's own (a Memory's bytes, a module) have no
    /// class, so a call on one finds nothing (`check`). A function has the
    /// class Fn but not a closure's layout: it may only sit in constants.
    func isScriptValue(_ v: Value) -> Bool {
        guard v.isObject else { return true }
        return isStart(v.ref.offset) && !heap.isKind(v.ref, .fn)
    }

    /// An integer in 0..<count (false for any value when count is 0).
    func isIndex(_ v: Value, below count: Int) -> Bool {
        count > 0 && isInteger(v, in: 0...(count - 1))
    }

    func isInteger(_ v: Value, in range: ClosedRange<Int>) -> Bool {
        guard v.isNumber else { return false }
        let d = v.number
        return d == d.rounded() && d >= Double(range.lowerBound) && d <= Double(range.upperBound)
    }

    /// An Array (or stack) with room for its capacity, or nil.
    func capacity(_ v: Value, _ kind: ObjKind = .array) -> Int? {
        guard isObject(v, kind) else { return nil }
        let c = heap.word(v.ref, ArrayLayout.capacity)
        return c >= 0 && c <= (heap.size(v.ref) - Heap.headerSize) / 8 - 1 ? c : nil
    }

    /// The elements of an Array of at least `count` slots, each satisfying `ok`.
    func arrayHolds(_ v: Value, atLeast count: Int, _ ok: (Value) -> Bool) -> Bool {
        guard let c = capacity(v), c >= count else { return false }
        let p = heap.slotPointer(v.ref) + ArrayLayout.first
        for i in 0..<count where !ok(p[i]) { return false }
        return true
    }

    /// A List whose elements all satisfy `ok`.
    func isList(_ v: Value, _ ok: (Value) -> Bool) -> Bool {
        guard isObject(v, .list), heap.size(v.ref) >= ListLayout.size else { return false }
        let count = heap.word(v.ref, ListLayout.count)
        let elements = heap[v.ref, ListLayout.elements]
        guard count >= 0 else { return false }
        if count == 0 && elements.isNull { return true }
        return arrayHolds(elements, atLeast: count, ok)
    }

    func isString(_ v: Value) -> Bool {
        guard isObject(v, .string) else { return false }
        return (heap.word(v.ref, 0) & 0xffff_ffff) + StringLayout.bytesOffset <= heap.size(v.ref)
    }

    func text(_ v: Value) -> String { vm.string(v) }

    // MARK: Classes

    /// Whether `v` is a class object whose own slots are well-formed.
    func isClass(_ v: Value) -> Bool {
        guard isObject(v, .classObj), heap.size(v.ref) >= ClassLayout.size else { return false }
        let c = v.ref
        return isString(heap[c, ClassLayout.name])
            && isObjectOrNull(heap[c, ClassLayout.superclass], .classObj)
            && isInteger(heap[c, ClassLayout.numFields], in: 0...255)
            && isInteger(heap[c, ClassLayout.builtin], in: 0...(BuiltinKind.allCases.count - 1))
            && (heap[c, ClassLayout.allocator].isNull || isIndex(heap[c, ClassLayout.allocator], below: natives.count))
            && capacity(heap[c, ClassLayout.methods]) != nil
    }

    /// The class and its ancestors, nearest first; nil if a link is not a
    /// class or the chain does not end.
    func lineage(_ c: ObjRef) -> [ObjRef]? {
        var chain: [ObjRef] = []
        var v = c.value
        while !v.isNull {
            guard isClass(v), chain.count < 4096 else { return nil }
            chain.append(v.ref)
            v = heap[v.ref, ClassLayout.superclass]
        }
        return chain
    }

    /// The kind of the objects class `c` makes: its nearest built-in
    /// ancestor's, a foreign class's, else instances. Nil for Bool, Null and
    /// Num (their values are not objects) and for a malformed class.
    mutating func kindMade(by c: ObjRef) -> ObjKind? {
        // NOTE: asked once per object, so answered from a small direct-mapped
        // cache before the dictionary: hashing was a fifth of the walk
        // (callgrind, a 16 MB image: 133 -> 98 million instructions for the
        // restore with verify=full, of which the checksum is 13 million).
        let slot = Int(truncatingIfNeeded: c.offset >> 3) & (classCache.count - 1)
        if classCache[slot].class == c { return classCache[slot].made }
        func kind(_ raw: Int?) -> ObjKind? { raw.flatMap { $0 < 0 ? nil : ObjKind(rawValue: UInt8($0)) } }
        defer { classCache[slot] = (c, kind(madeKind[Int(c.offset)])) }
        if let known = madeKind[Int(c.offset)] { return kind(known) }
        var made: ObjKind? = nil
        if let chain = lineage(c) {
            made = .instance
            let heap = self.heap
            // The nearest built-in ancestor (a loop: a mapped array of
            // BuiltinKind was a generic type built at run time, per restore).
            var nearest: BuiltinKind? = nil
            for a in chain {
                let b = BuiltinKind(rawValue: Int(heap[a, ClassLayout.builtin].number)) ?? .none
                if b != .none { nearest = b; break }
            }
            if let builtin = nearest {
                switch builtin {
                case .classObj: made = .classObj
                case .fiber: made = .fiber
                case .fn: made = .closure
                case .list: made = .list
                case .map: made = .map
                case .range: made = .range
                case .string: made = .string
                case .bool, .null, .num, .none: made = nil
                }
            } else if !heap[c, ClassLayout.allocator].isNull {
                made = .foreign
            }
        }
        madeKind.set(Int(c.offset), made.map { Int($0.rawValue) } ?? -1)
        return made
    }

    /// A method table entry of class `c` at `symbol`.
    /// Whether `m` may be method `symbol` of a class whose lineage has the
    /// owner keys `chainKeys` (`classKey`, nearest first).
    mutating func isMethod(_ m: Value, symbol: Int, chainKeys: [Int]) -> Bool {
        if m.isNull || m.isUndefined { return true }
        if m.isObject { return isObject(m, .closure) }
        guard isIndex(m, below: natives.count), symbol < symbols.count else { return false }
        // Natives are named after the class that defined them ("List.add(_)",
        // "Num.static pi", "io.File.size_()"): one of this class's lineage.
        // NOTE: the owner is worked out once per native (subclasses copy their
        // ancestors' entries, and building candidate names for each was most
        // of the verify=header check's time).
        let id = Int(m.number)
        if nativeOwnerKeys.isEmpty {
            nativeOwnerKeys = [Int](repeating: -1, count: natives.count)
            nativeOwnerSymbols = [Int](repeating: -1, count: natives.count)
        }
        var key = nativeOwnerKeys[id]
        if key == -1 || nativeOwnerSymbols[id] != symbol {
            key = HeapVerifier.owner(of: natives[id], signature: symbols[symbol])
                .map { nameKey($0.isStatic ? $0.name + " metaclass" : $0.name) } ?? -2
            if nativeOwnerKeys[id] == -1 {
                nativeOwnerKeys[id] = key
                nativeOwnerSymbols[id] = symbol
            }
        }
        return key >= 0 && chainKeys.contains(key)
    }

    /// The key of a class name: equal keys, equal names. "Num metaclass" (whose
    /// methods are natives named "Num.static pi" or "Num metaclass.same(_,_)")
    /// is Num's number, odd.
    mutating func nameKey(_ full: String) -> Int {
        var name = full
        let meta = " metaclass"
        let isMeta = name.hasSuffix(meta)
        if isMeta { name.removeLast(meta.count) }
        // NOTE: names by hash in an OffsetMap, not a [String: Int]: the
        // dictionary type's metadata alone cost a restore 90 thousand instructions.
        var hash = BuildFingerprint.Hasher64()
        hash.add(name)
        let key = Int(truncatingIfNeeded: hash.value >> 1)
        let id: Int
        if let known = ownerNameHashes[key] {
            // Another name with this hash is rare: then a walk of the names.
            if ownerNames[known] == name {
                id = known
            } else if let found = ownerNames.firstIndex(of: name) {
                id = found
            } else {
                id = ownerNames.count
                ownerNames.append(name)
            }
        } else {
            id = ownerNames.count
            ownerNames.append(name)
            ownerNameHashes.set(key, id)
        }
        return 2 * id + (isMeta ? 1 : 0)
    }

    /// Class `c`'s name key, once per class.
    mutating func classKey(_ c: ObjRef) -> Int {
        if let known = classKeys[Int(c.offset)] { return known }
        let key = nameKey(text(heap[c, ClassLayout.name]))
        classKeys.set(Int(c.offset), key)
        return key
    }

    /// The class a native named `name` is a method `signature` of: "io.File.size_()"
    /// with "size_()" is File's; "Num.static pi" with "pi" is Num's metaclass's.
    /// NOTE: on UTF-8 bytes; with String's `hasSuffix` and `split` it cost a
    /// restore of a small image 0.8 million instructions.
    static func owner(of name: String, signature: String) -> (name: String, isStatic: Bool)? {
        let n = Array(name.utf8), s = Array(signature.utf8)
        let dot = UInt8(ascii: ".")
        for (marker, isStatic) in [(Array(".static ".utf8), true), ([dot], false)] {
            let suffix = marker.count + s.count
            guard n.count >= suffix, n[(n.count - s.count)...].elementsEqual(s),
                  n[(n.count - suffix)..<(n.count - s.count)].elementsEqual(marker) else { continue }
            let prefix = n[..<(n.count - suffix)]
            let start = prefix.lastIndex(of: dot).map { $0 + 1 } ?? prefix.startIndex
            if start < prefix.endIndex { return (String(decoding: prefix[start...], as: UTF8.self), isStatic) }
        }
        return nil
    }

    // MARK: Each kind

    mutating func check(_ r: ObjRef) -> String? {
        let kind = heap.kind(r)
        let size = heap.size(r)
        let cls = heap.classOf(r)
        switch kind {
        case .string, .list, .map, .range, .instance, .classObj, .closure, .fiber, .foreign:
            // (Nil for a malformed class too: `lineage` checks each.)
            guard kindMade(by: cls) == kind else { return "a bad class, or one that makes other objects" }
        case .fn:
            // Never a receiver (only constants refer to functions); its class is not used.
            break
        case .upvalue, .module, .array, .bytes, .stack, .frames:
            // A call on one goes through class offset 0, which holds zeros (`markObjects`).
            guard cls.isNone else { return "a class on an object of the VM's own" }
        }
        switch kind {
        case .string:
            return isString(r.value) ? nil : "a length past its end"
        case .array, .stack:
            return capacity(r.value, kind) != nil ? nil : "a capacity past its end"
        case .bytes:
            // A bare header: a filler too small for a length (Collector.swift, `writeFiller`).
            if size == Heap.headerSize { return nil }
            guard size >= BytesLayout.dataOffset else { return "a length past its end" }
            let n = heap.word(r, BytesLayout.length)
            return n >= 0 && n <= size - BytesLayout.dataOffset ? nil : "a length past its end"
        case .frames:
            let n = heap.word(r, 0)
            return n >= 0 && n <= (size - 24) / (8 * FrameLayout.words) ? nil : "a capacity past its end"
        case .foreign:
            let n = heap.word(r, ForeignLayout.length)
            return n >= 0 && n <= size - ForeignLayout.dataOffset ? nil : "a length past its end"
        case .list:
            return isList(r.value, isScriptValue) ? nil : "bad elements"
        case .map:
            return checkMap(r)
        case .range:
            guard size >= RangeLayout.size, heap[r, RangeLayout.from].isNumber, heap[r, RangeLayout.to].isNumber,
                  heap[r, RangeLayout.inclusive].isBool else { return "bad bounds" }
            return nil
        case .instance:
            let n = vm.numFields(cls)
            guard size >= Heap.headerSize + 8 * n else { return "fewer fields than its class has" }
            let p = heap.slotPointer(r)
            for i in 0..<n where !isScriptValue(p[i]) { return "a bad field \(i)" }
            return nil
        case .classObj:
            return checkClass(r)
        case .fn:
            return checkFunction(r)
        case .closure:
            guard size >= Heap.headerSize + 8, isObject(heap[r, ClosureLayout.fn], .fn),
                  isInteger(heap[heap[r, ClosureLayout.fn].ref, FnLayout.numUpvalues], in: 0...255) else {
                return "a bad function"
            }
            let n = Int(heap[heap[r, ClosureLayout.fn].ref, FnLayout.numUpvalues].number)
            guard size >= Heap.headerSize + 8 * (1 + n) else { return "fewer upvalues than its function has" }
            for i in 0..<n where !isObject(heap[r, ClosureLayout.firstUpvalue + i], .upvalue) { return "a bad upvalue \(i)" }
            return nil
        case .upvalue:
            guard size >= UpvalueLayout.size, isInteger(heap[r, UpvalueLayout.stackIndex], in: -1...VM.maxStackSlots),
                  isScriptValue(heap[r, UpvalueLayout.closed]), isObjectOrNull(heap[r, UpvalueLayout.next], .upvalue) else {
                return "bad slots"
            }
            let index = Int(heap[r, UpvalueLayout.stackIndex].number)
            if index >= 0 {
                let f = heap[r, UpvalueLayout.fiber]
                guard isObject(f, .fiber), heap.size(f.ref) >= FiberLayout.size,
                      let stackCapacity = capacity(heap[f.ref, FiberLayout.stack], .stack), index < stackCapacity else {
                    return "an open upvalue outside its fiber's stack"
                }
            }
            return nil
        case .fiber:
            return checkFiber(r)
        case .module:
            guard size >= ModuleLayout.size, heap[r, ModuleLayout.name].isNull || isString(heap[r, ModuleLayout.name]),
                  isList(heap[r, ModuleLayout.variableNames], isString),
                  isList(heap[r, ModuleLayout.variables], isScriptValue),
                  !heap[heap[r, ModuleLayout.variables].ref, ListLayout.elements].isNull else { return "bad variables" }
            return nil
        }
    }

    func checkMap(_ r: ObjRef) -> String? {
        guard heap.size(r) >= MapLayout.size else { return "a short map" }
        let count = heap.word(r, MapLayout.count)
        let entries = heap[r, MapLayout.entries]
        if entries.isNull { return count == 0 ? nil : "a count without entries" }
        // Buckets are found by masking the hash: a power of two of them.
        guard let c = capacity(entries), c % 2 == 0, c / 2 & (c / 2 - 1) == 0, count >= 0, count <= c / 2 else {
            return "bad entries"
        }
        // The module registry maps names to modules, which scripts never see.
        let isModules = r.value == vm.root(.modules)
        let p = heap.slotPointer(entries.ref) + ArrayLayout.first
        for i in 0..<(c / 2) {
            let key = p[2 * i], value = p[2 * i + 1]
            let ok = key.isUndefined ? value.isBool
                : isModules ? isString(key) && isObject(value, .module) : isScriptValue(key) && isScriptValue(value)
            if !ok { return "a bad bucket \(i)" }
        }
        return nil
    }

    mutating func checkClass(_ r: ObjRef) -> String? {
        guard isClass(r.value), let chain = lineage(r) else { return "bad slots or a superclass chain that does not end" }
        let superclass = heap[r, ClassLayout.superclass]
        if superclass.isObject, vm.numFields(superclass.ref) > vm.numFields(r) { return "fewer fields than its superclass" }
        guard isScriptValue(heap[r, ClassLayout.attributes]) else { return "bad attributes" }
        let table = heap[r, ClassLayout.methods]
        let n = capacity(table) ?? 0
        let p = heap.slotPointer(table.ref) + ArrayLayout.first
        let fields = kindMade(by: r) == .instance ? vm.numFields(r) : 0
        // (The method's description is made only for a message: building it
        // for every entry of every table was most of a restore's check.)
        func what(_ symbol: Int) -> String { "method \(symbol < symbols.count ? "'\(symbols[symbol])'" : "\(symbol)")" }
        var chainKeys: [Int] = []
        chainKeys.reserveCapacity(chain.count)
        for a in chain { chainKeys.append(classKey(a)) }
        for symbol in 0..<n {
            let m = p[symbol]
            if m.isNull || m.isUndefined { continue }
            guard isMethod(m, symbol: symbol, chainKeys: chainKeys) else { return "a bad \(what(symbol))" }
            if m.isObject, !boundCodeFits(heap[m.ref, ClosureLayout.fn].ref, fields: fields) {
                return "a \(what(symbol)) using fields its class does not have, or calling super on no class"
            }
        }
        let allocator = heap[r, ClassLayout.allocator]
        if allocator.isNumber, !natives[Int(allocator.number)].hasSuffix(".\(text(heap[r, ClassLayout.name])).<allocate>") {
            return "another class's allocator"
        }
        return nil
    }

    func checkFiber(_ f: ObjRef) -> String? {
        guard heap.size(f) >= FiberLayout.size,
              let stackCapacity = capacity(heap[f, FiberLayout.stack], .stack),
              isObject(heap[f, FiberLayout.frames], .frames),
              isObjectOrNull(heap[f, FiberLayout.openUpvalues], .upvalue),
              isObjectOrNull(heap[f, FiberLayout.caller], .fiber),
              isScriptValue(heap[f, FiberLayout.error]),
              isObjectOrNull(heap[f, FiberLayout.function], .closure),
              FiberState(rawValue: heap.word(f, FiberLayout.state)) != nil else { return "bad slots" }
        let stackTop = heap.word(f, FiberLayout.stackTop)
        guard stackTop >= 0, stackTop <= stackCapacity else { return "a stack top past its stack" }
        let stack = heap.slotPointer(heap[f, FiberLayout.stack].ref) + ArrayLayout.first
        for i in 0..<stackTop where !isScriptValue(stack[i]) { return "a bad stack slot \(i)" }
        let framesObj = heap[f, FiberLayout.frames].ref
        let frameCount = heap.word(f, FiberLayout.frameCount)
        guard frameCount >= 0, frameCount <= heap.word(framesObj, 0) else { return "a frame count past its frames" }
        let frames = vm.framesPointer(f)
        var previousBase = 0
        for i in 0..<frameCount {
            let closure = frames[i * FrameLayout.words], ip = frames[i * FrameLayout.words + 1]
            let base = frames[i * FrameLayout.words + 2]
            // A raw offset, used as it is (not through a Value, which would mask its high bits).
            guard closure >= 0, isStart(UInt(closure)), heap.isKind(ObjRef(offset: UInt(closure)), .closure) else {
                return "frame \(i): a bad closure"
            }
            let fn = heap[ObjRef(offset: UInt(closure)), ClosureLayout.fn].ref
            let code = heap[fn, FnLayout.code].ref
            guard ip >= 0, ip < heap.word(code, BytesLayout.length),
                  HeapVerifier.instructionStarts(heap, fn).contains(ip) else { return "frame \(i): an ip inside an instruction" }
            // The function's slots above its base (the loop checks this only when it pushes a frame).
            guard base >= previousBase, base < stackCapacity, heap.word(fn, FnLayout.maxSlots) <= stackCapacity - base else {
                return "frame \(i): a stack base without room for its slots"
            }
            previousBase = base
        }
        var u = heap[f, FiberLayout.openUpvalues]
        var seen = 0
        while u.isObject {
            guard heap[u.ref, UpvalueLayout.fiber] == f.value, heap[u.ref, UpvalueLayout.stackIndex].number >= 0,
                  seen < VM.maxStackSlots else { return "an open upvalue of another fiber" }
            seen += 1
            u = heap[u.ref, UpvalueLayout.next]
        }
        return nil
    }

    // MARK: Functions

    /// The offsets where `fn`'s instructions start (its code already checked by `checkFunction`).
    /// NOTE: an array in address order, not a Set: the verify=header check runs
    /// this for every method of the core library at every restore, and hashing
    /// was most of its time.
    static func instructionStarts(_ heap: Heap, _ fn: ObjRef) -> [Int] {
        let (code, upvaluesOf) = HeapVerifier.code(heap, fn)
        var starts: [Int] = []
        Instruction.walk(code, upvalueCount: upvaluesOf) { starts.append($0.offset) }
        return starts
    }

    /// `fn`'s code as a buffer, and the number of upvalues of the function in
    /// its constant `k` (0 for a constant that is no function: the operand
    /// check then refuses the `closure`), for the instruction table's walk.
    static func code(_ heap: Heap, _ fn: ObjRef) -> (UnsafeBufferPointer<UInt8>, (Int) -> Int) {
        let codeObj = heap[fn, FnLayout.code].ref
        let n = heap.word(codeObj, BytesLayout.length)
        let code = UnsafeBufferPointer(start: (heap.pointer(codeObj) + BytesLayout.dataOffset).assumingMemoryBound(to: UInt8.self),
                                       count: n)
        let constantsObj = heap[fn, FnLayout.constants].ref
        let constantCount = heap.word(constantsObj, ArrayLayout.capacity)
        let constants = heap.slotPointer(constantsObj) + ArrayLayout.first
        return (code, { k in
            guard k < constantCount, constants[k].isObject, heap.isKind(constants[k].ref, .fn) else { return 0 }
            let count = heap[constants[k].ref, FnLayout.numUpvalues]
            return count.isNumber && count.number >= 0 && count.number <= 255 ? Int(count.number) : 0
        })
    }

    /// Checks every instruction of `fn` by the instruction table: each operand
    /// by its kind (a slot within the frame, a constant within the constants,
    /// a symbol within the method names, a jump onto an instruction...), and
    /// that the last instruction does not fall off the end of the code.
    private func checkFunction(_ fn: ObjRef) -> String? {
        guard heap.size(fn) >= FnLayout.size, isObject(heap[fn, FnLayout.code], .bytes),
              let constantCount = capacity(heap[fn, FnLayout.constants]),
              isObject(heap[fn, FnLayout.module], .module), heap.size(heap[fn, FnLayout.module].ref) >= ModuleLayout.size,
              isInteger(heap[fn, FnLayout.numUpvalues], in: 0...255), isInteger(heap[fn, FnLayout.arity], in: 0...16),
              isString(heap[fn, FnLayout.name]), isObject(heap[fn, FnLayout.lines], .bytes) else { return "bad slots" }
        let maxSlots = heap.word(fn, FnLayout.maxSlots)
        guard maxSlots >= 1, maxSlots <= VM.maxStackSlots else { return "a bad slot count" }
        let constants = heap.slotPointer(heap[fn, FnLayout.constants].ref) + ArrayLayout.first
        for i in 0..<constantCount where !(isScriptValue(constants[i]) || isObject(constants[i], .fn)) {
            return "a bad constant \(i)"
        }
        let variables = heap[heap[fn, FnLayout.module].ref, ModuleLayout.variables]
        // The module's check makes this a list; its elements array holds its count.
        let variableCount = isObject(variables, .list) ? heap.word(variables.ref, ListLayout.count) : 0
        let upvalueCount = Int(heap[fn, FnLayout.numUpvalues].number)
        let (code, upvaluesOf) = HeapVerifier.code(heap, fn)
        func constant(_ index: Int) -> Value? { index < constantCount ? constants[index] : nil }

        var starts = [Bool](repeating: false, count: code.count)
        var targets: [Int] = []
        var last: Op? = nil
        var bad: String? = nil
        let failure = Instruction.walk(code, upvalueCount: upvaluesOf) { ins in
            guard bad == nil else { return }
            starts[ins.offset] = true
            last = ins.op
            let info = ins.op.info
            var ok = true
            for i in 0..<info.operandCount {
                let v = ins.operand(i)
                switch info.operand(i)! {
                case .slot: ok = ok && v < maxSlots
                case .upvalue: ok = ok && v < upvalueCount
                case .argc: ok = ok && v <= Compiler.maxParameters
                case .moduleVariable: ok = ok && v < variableCount
                case .symbol: ok = ok && v < symbols.count
                case .constant:
                    // What the instruction needs there: a value to push, or a module or variable name.
                    let isName = ins.op == .importModule || ins.op == .importVariable
                    ok = ok && (constant(v).map { isName ? isString($0) : isScriptValue($0) } ?? false)
                case .superclass:
                    // Null until the method is bound to its class (VM+ClassDefinition.swift);
                    // the field check of bound methods (`boundCodeFits`) then requires a class.
                    ok = ok && (constant(v).map { $0.isNull || isClass($0) } ?? false)
                case .function:
                    ok = ok && (constant(v).map { isObject($0, .fn) } ?? false)
                case .forward, .backward:
                    if let t = ins.target { targets.append(t) }
                case .field, .fieldCount:
                    break   // fields: `boundCodeFits`, once the class is known
                }
            }
            // The implicit slot of loadLocal0 ... loadLocal8.
            if ins.op.rawValue >= Op.loadLocal0.rawValue, ins.op.rawValue <= Op.loadLocal8.rawValue {
                ok = ok && Int(ins.op.rawValue - Op.loadLocal0.rawValue) < maxSlots
            }
            for (isLocal, index) in ins.upvalues(in: code) where index >= (isLocal ? maxSlots : upvalueCount) {
                ok = false
            }
            if !ok { bad = "a bad operand of \(ins.op.info.name) at \(ins.offset)" }
        }
        if let failure { return "\(failure)" }
        if let bad { return bad }
        // Execution never runs off the end: the last instruction does not fall through.
        guard let last, last.info.flow == .stop || last.info.flow == .jump else { return "code that runs off its end" }
        for t in targets where t < 0 || t >= code.count || !starts[t] { return "a jump to \(t), not an instruction" }
        return nil
    }

    /// Whether a method bound to a class whose instances have `fields`
    /// fields (and the functions nested in it) uses only those fields and
    /// calls `super` on a class: the loop reads fields of `this` unchecked.
    /// Runs after `checkFunction` accepted every function.
    /// Once per function and field count: subclasses copy their ancestors'
    /// method entries, so the same code is met once per class that inherits
    /// it. NOTE: walking it again for each was a third of a small restore's
    /// verify=header check (1.7 million instructions).
    mutating func boundCodeFits(_ fn: ObjRef, fields: Int) -> Bool {
        visited.removeAll()
        guard fields >= 0 && fields < 1 << 20 else { return boundCodeFits(fn, fields: fields, visited: visited) }
        let key = Int(fn.offset) << 20 | fields
        if let known = boundCodeChecked[key] { return known != 0 }
        let fits = boundCodeFits(fn, fields: fields, visited: visited)
        boundCodeChecked.set(key, fits ? 1 : 0)
        return fits
    }

    func boundCodeFits(_ fn: ObjRef, fields: Int, visited: OffsetMap) -> Bool {
        guard visited.insert(Int(fn.offset)) else { return true }
        let constants = heap.slotPointer(heap[fn, FnLayout.constants].ref) + ArrayLayout.first
        let (code, upvaluesOf) = HeapVerifier.code(heap, fn)
        var fits = true
        var inner: [ObjRef] = []
        Instruction.walk(code, upvalueCount: upvaluesOf) { ins in
            if let f = ins.operand(.field), f >= fields { fits = false }
            if let k = ins.operand(.superclass), !isClass(constants[k]) { fits = false }
            if let k = ins.operand(.function) { inner.append(constants[k].ref) }
        }
        for f in inner where fits { fits = boundCodeFits(f, fields: fields, visited: visited) }
        return fits
    }

    // MARK: Roots

    /// The root slots beyond those every restore validates (ImageValidation.swift).
    func checkRoots() -> String? {
        func root(_ r: Root) -> Value { vm.root(r) }
        guard isObjectOrNull(root(.currentFiber), .fiber), isObjectOrNull(root(.lastModule), .module),
              root(.savedFiber).isNull, root(.pending).isNull || isList(root(.pending), isScriptValue),
              isList(root(.handles), isScriptValue), isList(root(.hostCalls), { isObject($0, .fiber) }),
              root(.envHashKey).isNull || root(.envHashKey).isNumber,
              root(.cardStarts).isNull || isObject(root(.cardStarts), .bytes) else { return "bad root slots" }
        for r in [Root.modules, .portSlots, .immutableEnv, .envReads, .preloadedModules] where !(root(r).isNull || isObject(root(r), .map)) {
            return "a bad \(r) root"
        }
        for r in [Root.envFiles, .transients, .ffi, .hooks, .schedulerQueue, .envStrings] where !(root(r).isNull || isList(root(r), isScriptValue)) {
            return "a bad \(r) root"
        }
        return nil
    }
}
