#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects
import AmberBytecode

// The dispatch loop.
//
// Stackless: a script call pushes a frame on the fiber's frame array (in the
// heap) and the loop carries on; it never recurses on the Swift stack. The hot
// state lives in locals:
//
//   ip   next instruction byte        fp   the frame's slot 0 in the fiber stack
//   sp   next free stack slot         k    the function's constants
//
// They are raw pointers into the heap, valid until the heap changes shape.
// They are reloaded from the fiber (`reload()`) after anything that may move
// or replace them: a collection (only at safe points: calls and loop
// back-edges), a stack growth, a fiber switch, a return.
//
// Instruction lengths come from the instruction table (AmberBytecode's
// Op.swift): once a case has read its operands it steps `ip` past them by
// `Op.x.operandBytes`, a constant the compiler folds (the opcode byte is
// behind `ip` already). ARCHITECTURE.md, "The instruction table".
//
// Natives get a pointer to their arguments (args[0] is the receiver) and
// return true with the result in args[0], or false: then either `vm.hasError`
// is set, or they changed the running fiber or pushed a frame, and the loop
// reloads from the fiber.

/// How a run ended.
package enum RunOutcome: Equatable {
    case finished
    case runtimeError(String)
    case exit(Int32)
}

/// The dispatch loop and its registers.
///
/// The registers are stored properties of a struct whose methods are
/// `mutating`; `VM.run()` makes one as a local variable and the loop is
/// inlined into it. For the registers to live in machine registers, that
/// local must never have its address taken: every method the loop calls on
/// it is `@inline(__always)`, and the slow paths are VM methods that get
/// values, not the struct (the loop saves before and reloads after them).
/// NOTE: measured on this layout:
///  - registers as locals captured by nested functions (`reload`, `save`):
///    captured locals are boxed and every access paid a dynamic exclusivity
///    check (32 million `swift_beginAccess` calls on string_equals);
///  - the loop as a non-inlined `mutating` method: the registers stayed in
///    memory, with a store of `ip` and loads of `sp`/`fp` on every instruction.
struct Interpreter: ~Copyable {
    // Strong references: NOTE `unowned(unsafe)` made every use retain and
    // release (fib went from 8.0 to 18.6 billion instructions).
    let vm: VM
    let heap: Heap
    /// The native table, copied once per run (natives are registered up front;
    /// a late one is picked up when an id runs past the copy).
    var nativeTable: [Native]

    var f: ObjRef = .none                    // the running fiber
    var stack: UnsafeMutablePointer<Value>   // its value stack, slot 0
    var sp: UnsafeMutablePointer<Value>      // next free stack slot
    var fp: UnsafeMutablePointer<Value>      // the frame's slot 0 (the receiver)
    var code: UnsafeMutablePointer<UInt8>    // the function's bytecode
    var ip: UnsafeMutablePointer<UInt8>      // next instruction byte
    var k: UnsafeMutablePointer<Value>       // the function's constants
    var stackEnd: UnsafeMutablePointer<Value> // one past the stack's last slot
    var frames: UnsafeMutablePointer<Int>    // the fiber's frame array (FrameLayout.words each)
    var frameCap = 0                         // frames it has room for
    var closure = ObjRef.none                // the running closure
    var frameIndex = 0                       // index of the running frame in the fiber's frame array
    var moduleVars: UnsafeMutablePointer<Value>
    var upvalues: UnsafeMutablePointer<Value>
    // Copies of the core classes `classOf` needs (reloaded with the frame,
    // since a collection may move them).
    var numCls = ObjRef.none, nullCls = ObjRef.none, boolCls = ObjRef.none
    /// Object's `==(_)` and `!=(_)` as method table entries (their native
    /// ids): a receiver whose class keeps them is compared in the loop.
    let objectEquals: Value, objectNotEquals: Value
    /// The hook interface's enabled bits (read on every call for the method-entry hook).
    let hookBits: UnsafeMutablePointer<UInt32>
    #if DEBUG
    /// Debug builds only: the running function's slot count, which the loop
    /// checks the stack height against before every instruction. This holds
    /// the instruction table's stack effects, from which the compiler counts
    /// the slots, to what the cases below really push and pop.
    var maxSlots = 0
    #endif
    /// The card table, biased by the heap's base (`Heap.biasedCards`): the
    /// store instructions' write barrier is a shift and a byte store.
    let cards: UnsafeMutablePointer<UInt8>

    init(vm: VM) {
        self.vm = vm
        self.heap = vm.heap
        hookBits = vm.hooks.enabledBits
        cards = vm.heap.biasedCards
        (objectEquals, objectNotEquals) = vm.objectEqualityNatives
        self.nativeTable = vm.nativeTable
        let dummy = UnsafeMutablePointer<Value>(bitPattern: 8)!
        stack = dummy; sp = dummy; fp = dummy; k = dummy; moduleVars = dummy; upvalues = dummy; stackEnd = dummy
        frames = UnsafeMutablePointer<Int>(bitPattern: 8)!
        code = UnsafeMutablePointer<UInt8>(bitPattern: 8)!
        ip = code
    }

    // MARK: Registers

    @inline(__always) func arrayElements(_ a: ObjRef) -> UnsafeMutablePointer<Value> { heap.slotPointer(a) + 1 }
    @inline(__always) func arrayCapacity(_ a: ObjRef) -> Int { heap.word(a, ArrayLayout.capacity) }
    @inline(__always) func framesPointer(_ f: ObjRef) -> UnsafeMutablePointer<Int> {
        (heap.pointer(heap[f, FiberLayout.frames].ref) + 24).assumingMemoryBound(to: Int.self)
    }

    /// The class of a value, from the cached core classes.
    @inline(__always) func classOf(_ v: Value) -> ObjRef {
        if v.isNumber { return numCls }
        if v.isObject { return heap.classOf(v.ref) }
        return v.isBool ? boolCls : nullCls
    }

    /// Whether `v` is a string. Strings are always of class String, whose
    /// `==` and `!=` no script can replace (core classes cannot be reopened
    /// or subclassed), so the loop may compare them without a call: the
    /// same result as String's natives (and as Num's for a number receiver).
    @inline(__always) func isString(_ v: Value) -> Bool { v.isObject && heap.isKind(v.ref, .string) }

    /// Whether the receiver's class has `method` (a native of Object's) for
    /// the operator whose symbol follows the opcode: then the loop does what
    /// that native would (`x == null` on an instance makes no call).
    @inline(__always) func inheritsObjectMethod(_ receiver: Value, _ method: Value) -> Bool {
        let table = heap[classOf(receiver), ClassLayout.methods].ref
        let symbol = Int(ip[0]) << 8 | Int(ip[1])
        return symbol < arrayCapacity(table) && arrayElements(table)[symbol].bits == method.bits
    }

    /// Loads the running fiber's top frame into the registers. Needed after
    /// anything that may move objects or change fibers: a collection, a
    /// stack or frame array growth, a fiber switch, a native that pushed a frame.
    @inline(__always) mutating func reload() {
        f = vm.fiber
        numCls = vm.numClass; nullCls = vm.nullClass; boolCls = vm.boolClass
        let stackObj = heap[f, FiberLayout.stack].ref
        stack = arrayElements(stackObj)
        stackEnd = stack + arrayCapacity(stackObj)
        sp = stack + heap.word(f, FiberLayout.stackTop)
        let framesObj = heap[f, FiberLayout.frames].ref
        frames = (heap.pointer(framesObj) + 24).assumingMemoryBound(to: Int.self)
        frameCap = heap.word(framesObj, 0)
        frameIndex = heap.word(f, FiberLayout.frameCount) - 1
        loadFrame()
    }

    /// Loads frame `frameIndex` of the running fiber (closure, ip, slot 0 and
    /// what follows from the closure) into the registers; `sp` is untouched.
    @inline(__always) mutating func loadFrame() {
        let frame = frames + frameIndex * FrameLayout.words
        closure = ObjRef(offset: UInt(frame[0]))
        loadClosure()
        ip = code + frame[1]
        fp = stack + frame[2]
    }

    /// Sets code, constants, module variables and upvalues from `closure`.
    @inline(__always) mutating func loadClosure() {
        loadClosure(fn: heap[closure, ClosureLayout.fn].ref)
    }

    @inline(__always) func codePointer(_ fn: ObjRef) -> UnsafeMutablePointer<UInt8> {
        (heap.pointer(heap[fn, FnLayout.code].ref) + BytesLayout.dataOffset).assumingMemoryBound(to: UInt8.self)
    }

    /// `loadClosure()` when the closure's function is already at hand.
    @inline(__always) mutating func loadClosure(fn: ObjRef) {
        code = codePointer(fn)
        k = arrayElements(heap[fn, FnLayout.constants].ref)
        let module = heap[fn, FnLayout.module].ref
        // A module's variable list is never empty (every module starts with
        // copies of the core's), so its element array exists.
        let variables = heap[module, ModuleLayout.variables].ref
        moduleVars = arrayElements(heap[variables, ListLayout.elements].ref)
        upvalues = heap.slotPointer(closure) + ClosureLayout.firstUpvalue
        #if DEBUG
        maxSlots = heap.word(fn, FnLayout.maxSlots)
        #endif
    }

    /// Writes the registers back into the fiber (stack top, frame count,
    /// frame ip). Done before anything that looks at the fiber from outside
    /// the loop: natives, collections, stack growth, errors, the end of a run.
    /// Script calls and returns leave the fiber's stack top and frame count
    /// stale; only this makes them right.
    @inline(__always) func save() {
        heap.setWord(f, FiberLayout.stackTop, sp - stack)
        heap.setWord(f, FiberLayout.frameCount, frameIndex + 1)
        frames[frameIndex * FrameLayout.words + 1] = ip - code
    }

    /// Calls the script method `target` on the receiver and arguments at
    /// `args`. The common case stays in the registers: the caller's ip goes
    /// into its frame, a frame is written after it and the callee's state
    /// comes from the closure, with no trip through the fiber object. Stack
    /// or frame growth, a pending collection or a method-entry hook take the
    /// slow path. Returns false when an error is pending.
    @inline(__always) mutating func callClosure(_ target: ObjRef, _ args: UnsafeMutablePointer<Value>,
                                                _ cls: ObjRef, _ symbol: Int) -> Bool {
        let fn = heap[target, ClosureLayout.fn].ref
        let hooked = hookBits.pointee & (1 << UInt32(HookEvent.methodEntry.rawValue)) != 0
        // A getter or setter whose body is one field (`value { _value }`,
        // `value=(v) { _value = v }`) is run without a frame: it cannot fail,
        // allocate or switch fibers, so nothing could see the frame. (Code
        // is at least 8 bytes of the heap: reading 4 stays inside it.)
        let body = codePointer(fn)
        if !hooked {
            // loadFieldThis f; return
            if body[0] == Op.loadFieldThis.rawValue && body[Op.loadFieldThis.length] == Op.return.rawValue {
                args[0] = heap.slotPointer(args[0].ref)[Int(body[1])]
                sp = args + 1
                return true
            }
            // loadLocal1; storeFieldThis f; return
            let store = Op.loadLocal1.length
            if body[0] == Op.loadLocal1.rawValue && body[store] == Op.storeFieldThis.rawValue
                && body[store + Op.storeFieldThis.length] == Op.return.rawValue {
                self.store(args[1], at: heap.slotPointer(args[0].ref) + Int(body[store + 1]))
                args[0] = args[1]
                sp = args + 1
                return true
            }
        }
        let maxSlots = heap.word(fn, FnLayout.maxSlots)
        if _slowPath(args + maxSlots > stackEnd || frameIndex + 1 >= frameCap || heap.gcRequested || hooked) {
            save()
            if !vm.callClosureSlow(target, f, base: args - stack, frameIndex: frameIndex, cls, symbol) { return false }
            reload()
            return true
        }
        frames[frameIndex * FrameLayout.words + 1] = ip - code
        frameIndex += 1
        let frame = frames + frameIndex * FrameLayout.words
        frame[0] = Int(target.offset)
        frame[1] = 0
        frame[2] = args - stack
        closure = target
        loadClosure(fn: fn)
        ip = code
        fp = args
        return true
    }

    /// Stores `v` into a heap slot through the write barrier (Heap.swift).
    @inline(__always) func store(_ v: Value, at p: UnsafeMutablePointer<Value>) {
        p.pointee = v
        cards[Int(bitPattern: p) >> Heap.cardShift] = 1
    }

    /// Reads a u16 operand (big-endian) and steps past it.
    @inline(__always) mutating func readShort() -> Int {
        let v = Int(ip[0]) << 8 | Int(ip[1])
        ip += 2
        return v
    }

    /// Value of an upvalue object (open: in its fiber's stack; closed: in itself).
    @inline(__always) func upvalueValue(_ u: ObjRef) -> Value {
        let idx = heap[u, UpvalueLayout.stackIndex].number
        if idx >= 0 {
            let uf = heap[u, UpvalueLayout.fiber].ref
            return arrayElements(heap[uf, FiberLayout.stack].ref)[Int(idx)]
        }
        return heap[u, UpvalueLayout.closed]
    }

    /// Calls native `id` on `args`. Returns its result: true when it left a
    /// value in args[0].
    @inline(__always) mutating func callNative(_ id: Int, _ args: UnsafeMutablePointer<Value>) -> Bool {
        if _slowPath(id >= nativeTable.count) { nativeTable = vm.nativeTable }
        // A C host's method: straight to its function, no closure context retained.
        if let c = nativeTable[id].cMethod { return vm.apiRunForeign(args, allocator: false) { c.function(c.vm) } }
        return nativeTable[id].call(vm, args)
    }

    // MARK: The loop

    /// Runs the current fiber (and whatever it switches to) to completion.
    @inline(__always) mutating func run() -> RunOutcome {
        reload()

        // Error and fiber-switch handling share one exit from the dispatch switch.
        while true {
            // Op's raw values are its case indices (0, 1, 2, ... in order; a
            // unit test pins this), so the byte is the enum's representation.
            // NOTE: `Op(rawValue:)` compiled to a range check and a call,
            // 7 % of all instructions on string_equals.
            let op = unsafeBitCast(ip.pointee, to: Op.self)
            #if DEBUG
            assert(sp - fp <= maxSlots, "stack height \(sp - fp) over the \(maxSlots) slots counted, before \(op) "
                   + "at \(ip - code) in \(vm.fnName(vm.closureFn(closure)))")
            #endif
            ip += 1
            dispatch: do {
            switch op {
            case .constant:
                sp.pointee = k[readShort()]; sp += 1
            case .null: sp.pointee = .null; sp += 1
            case .false: sp.pointee = .false; sp += 1
            case .true: sp.pointee = .true; sp += 1
            case .loadLocal0: sp.pointee = fp[0]; sp += 1
            case .loadLocal1: sp.pointee = fp[1]; sp += 1
            case .loadLocal2: sp.pointee = fp[2]; sp += 1
            case .loadLocal3: sp.pointee = fp[3]; sp += 1
            case .loadLocal4: sp.pointee = fp[4]; sp += 1
            case .loadLocal5: sp.pointee = fp[5]; sp += 1
            case .loadLocal6: sp.pointee = fp[6]; sp += 1
            case .loadLocal7: sp.pointee = fp[7]; sp += 1
            case .loadLocal8: sp.pointee = fp[8]; sp += 1
            case .loadLocal:
                sp.pointee = fp[Int(ip.pointee)]; ip += Op.loadLocal.operandBytes; sp += 1
            case .storeLocal:
                fp[Int(ip.pointee)] = sp[-1]; ip += Op.storeLocal.operandBytes
            case .loadUpvalue:
                sp.pointee = upvalueValue(upvalues[Int(ip.pointee)].ref); ip += Op.loadUpvalue.operandBytes; sp += 1
            case .storeUpvalue:
                let u = upvalues[Int(ip.pointee)].ref
                ip += Op.storeUpvalue.operandBytes
                let idx = heap[u, UpvalueLayout.stackIndex].number
                if idx >= 0 {
                    // Another fiber's stack: remember that fiber (a running one is already).
                    let uf = heap[u, UpvalueLayout.fiber].ref
                    arrayElements(heap[uf, FiberLayout.stack].ref)[Int(idx)] = sp[-1]
                    heap.rememberFiber(uf)
                } else {
                    heap[u, UpvalueLayout.closed] = sp[-1]
                }
            case .loadModuleVar:
                // Declared but not assigned yet (its definition has not run): null.
                let v = moduleVars[readShort()]
                sp.pointee = v.isUndefined ? .null : v; sp += 1
            case .storeModuleVar:
                // No barrier: module variables are all remembered at each
                // collection instead (VM.rememberModuleVariables).
                moduleVars[readShort()] = sp[-1]
            case .loadFieldThis:
                let field = Int(ip.pointee); ip += Op.loadFieldThis.operandBytes
                sp.pointee = heap.slotPointer(fp[0].ref)[field]; sp += 1
            case .storeFieldThis:
                let field = Int(ip.pointee); ip += Op.storeFieldThis.operandBytes
                store(sp[-1], at: heap.slotPointer(fp[0].ref) + field)
            case .loadField:
                let field = Int(ip.pointee); ip += Op.loadField.operandBytes
                let obj = sp[-1]
                guard obj.isObject, heap.kind(obj.ref) == .instance else {
                    save(); _ = vm.fail("Only instances have fields."); break dispatch
                }
                sp[-1] = heap.slotPointer(obj.ref)[field]
            case .storeField:
                let field = Int(ip.pointee); ip += Op.storeField.operandBytes
                let obj = sp[-1]
                guard obj.isObject, heap.kind(obj.ref) == .instance else {
                    save(); _ = vm.fail("Only instances have fields."); break dispatch
                }
                store(sp[-2], at: heap.slotPointer(obj.ref) + field)
                sp -= 1
            case .pop:
                sp -= 1
            case .jump:
                let off = readShort(); ip += off
            case .loop:
                let off = readShort(); ip -= off
                if _slowPath(heap.gcRequested) {
                    save()
                    if !vm.safePoint() { break dispatch }
                    reload()
                }
            case .jumpIfFalse:
                let off = readShort()
                sp -= 1
                if sp.pointee.isFalsy { ip += off }
            case .and:
                let off = readShort()
                if sp[-1].isFalsy { ip += off } else { sp -= 1 }
            case .or:
                let off = readShort()
                if !sp[-1].isFalsy { ip += off } else { sp -= 1 }
            case .closeUpvalue:
                vm.closeUpvalues(f, from: sp - 1 - stack)
                sp -= 1
            case .return:
                let result = sp[-1]
                if heap[f, FiberLayout.openUpvalues].isObject { vm.closeUpvalues(f, from: fp - stack) }
                if frameIndex == 0 {
                    // The fiber is done.
                    heap.setWord(f, FiberLayout.frameCount, 0)
                    heap.setWord(f, FiberLayout.stackTop, 0)
                    let caller = heap[f, FiberLayout.caller]
                    if !caller.isObject { return .finished }
                    heap[f, FiberLayout.caller] = .null
                    vm.resume(caller.ref, with: result)
                    reload()
                } else {
                    // Back to the caller, whose frame is in the frame array.
                    fp[0] = result
                    sp = fp + 1
                    frameIndex -= 1
                    loadFrame()
                }
            case .iterate, .iteratorValue:
                // A `for` loop step on (sequence, iterator); List and Range
                // receivers run here, anything else falls through to `call`.
                let seq = sp[-2]
                if seq.isObject {
                    let r = seq.ref
                    let next = op == .iterate ? vm.iterateFast(r, sp[-1]) : vm.iteratorValueFast(r, sp[-1])
                    // (Both have `call`'s operands; a unit test pins it.)
                    if !next.isUndefined { sp[-2] = next; sp -= 1; ip += Op.iterate.operandBytes; continue }
                }
                fallthrough
            case .call:
                let argc = Int(ip[0])
                let symbol = Int(ip[1]) << 8 | Int(ip[2])
                ip += Op.call.operandBytes
                let args = sp - argc - 1
                let receiver = args[0]
                let cls = classOf(receiver)
                let table = heap[cls, ClassLayout.methods].ref
                let method = symbol < arrayCapacity(table) ? arrayElements(table)[symbol] : .null
                if method.isNumber {
                    save()
                    if callNative(Int(method.number), args) {
                        sp = args + 1
                    } else if vm.hasError {
                        break dispatch
                    } else {
                        if vm.fiber.isNone { return .finished }
                        reload()
                    }
                } else if method.isObject {
                    if !callClosure(method.ref, args, cls, symbol) { break dispatch }
                } else {
                    save()
                    _ = vm.fail("\(vm.className(cls)) does not implement '\(vm.symbolNames[symbol])'.")
                    break dispatch
                }
            case .superCall:
                let argc = Int(ip[0])
                let symbol = Int(ip[1]) << 8 | Int(ip[2])
                let cls = k[Int(ip[3]) << 8 | Int(ip[4])].ref
                ip += Op.superCall.operandBytes
                let args = sp - argc - 1
                let method = vm.method(cls, symbol)
                save()
                if method.isNumber {
                    if callNative(Int(method.number), args) {
                        sp = args + 1
                    } else if vm.hasError {
                        break dispatch
                    } else {
                        if vm.fiber.isNone { return .finished }
                        reload()
                    }
                } else if method.isObject {
                    if !callClosure(method.ref, args, cls, symbol) { break dispatch }
                } else {
                    _ = vm.fail("\(vm.className(cls)) does not implement '\(vm.symbolNames[symbol])'.")
                    break dispatch
                }
            case .closure:
                let fnRef = k[readShort()].ref
                save()
                let c = vm.newClosure(fnRef)
                let n = Int(heap[fnRef, FnLayout.numUpvalues].number)
                for i in 0..<n {
                    let isLocal = ip[0] == 1
                    let index = Int(ip[1])
                    ip += Tail.upvaluePairBytes
                    if isLocal {
                        heap[c, ClosureLayout.firstUpvalue + i] = vm.captureUpvalue(f, (fp - stack) + index).value
                    } else {
                        heap[c, ClosureLayout.firstUpvalue + i] = upvalues[index]
                    }
                }
                sp.pointee = c.value; sp += 1
            case .construct:
                let cls = fp[0]
                fp[0] = vm.newInstance(cls.ref).value
            case .foreignConstruct:
                // The class's allocator native (the host's foreign class
                // binding) replaces slot 0, the class, with a new instance.
                let allocator = heap[fp[0].ref, ClassLayout.allocator]
                save()
                guard allocator.isNumber else {
                    _ = vm.fail("Class '\(vm.className(fp[0].ref))' has no foreign allocator."); break dispatch
                }
                if !callNative(Int(allocator.number), fp) {
                    if vm.hasError { break dispatch }
                    reload()
                }
            case .class, .foreignClass:
                let numFields = Int(ip.pointee); ip += Op.class.operandBytes
                save()
                guard let c = vm.defineClass(name: sp[-2], superclass: sp[-1], numFields: numFields,
                                             module: heap[vm.closureFn(closure), FnLayout.module].ref,
                                             isForeign: op == .foreignClass) else { break dispatch }
                sp -= 1
                sp[-1] = c.value
            case .endClass:
                let cls = sp[-2]
                let attrs = sp[-1]
                heap[cls.ref, ClassLayout.attributes] = attrs
                sp -= 2
            case .methodInstance, .methodStatic:
                let symbol = readShort()
                let cls = sp[-2].ref
                let method = sp[-1]
                save()
                let target = op == .methodStatic ? heap.classOf(cls) : cls
                if !vm.bindScriptMethod(target, symbol, method, classForFields: cls,
                                        module: heap[vm.closureFn(closure), FnLayout.module].ref) { break dispatch }
                sp -= 2
            case .importModule:
                let name = k[readShort()]
                save()
                switch vm.importModule(name, from: heap[vm.closureFn(closure), FnLayout.module].ref) {
                case .failed:
                    break dispatch
                case .loaded:
                    sp.pointee = .null; sp += 1
                    continue
                case .mustRun(let moduleClosure):
                    sp.pointee = moduleClosure.value; sp += 1
                    save()
                    if !vm.pushModuleFrame(f, moduleClosure, base: sp - 1 - stack) { break dispatch }
                    reload()
                    continue
                }
            case .importVariable:
                let moduleName = k[readShort()]
                let variable = k[readShort()]
                save()
                guard let v = vm.importedVariable(moduleName, variable) else { break dispatch }
                sp.pointee = v; sp += 1
            case .endModule:
                vm.setRoot(.lastModule, heap[vm.closureFn(closure), FnLayout.module])
            case .end:
                save()
                return .finished
            case .add:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number + b.number); sp -= 1; ip += Op.add.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .sub:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number - b.number); sp -= 1; ip += Op.sub.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .mul:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number * b.number); sp -= 1; ip += Op.mul.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .div:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number / b.number); sp -= 1; ip += Op.div.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .lt:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number < b.number); sp -= 1; ip += Op.lt.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .gt:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number > b.number); sp -= 1; ip += Op.gt.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .lte:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number <= b.number); sp -= 1; ip += Op.lte.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .gte:
                let a = sp[-2], b = sp[-1]
                if a.isNumber && b.isNumber { sp[-2] = Value(a.number >= b.number); sp -= 1; ip += Op.gte.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .eq:
                let a = sp[-2], b = sp[-1]
                if a.isNumber { sp[-2] = Value(b.isNumber && a.number == b.number); sp -= 1; ip += Op.eq.operandBytes; continue }
                if isString(a) { sp[-2] = Value(isString(b) && vm.stringsEqual(a.ref, b.ref)); sp -= 1; ip += Op.eq.operandBytes; continue }
                if inheritsObjectMethod(a, objectEquals) { sp[-2] = Value(vm.valuesEqual(a, b)); sp -= 1; ip += Op.eq.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .neq:
                let a = sp[-2], b = sp[-1]
                if a.isNumber { sp[-2] = Value(!(b.isNumber && a.number == b.number)); sp -= 1; ip += Op.neq.operandBytes; continue }
                if isString(a) { sp[-2] = Value(!(isString(b) && vm.stringsEqual(a.ref, b.ref))); sp -= 1; ip += Op.neq.operandBytes; continue }
                if inheritsObjectMethod(a, objectNotEquals) { sp[-2] = Value(!vm.valuesEqual(a, b)); sp -= 1; ip += Op.neq.operandBytes; continue }
                if !operatorCall(readShort(), 1) { break dispatch }
            case .not:
                let a = sp[-1]
                if a.isBool || a.isNull { sp[-1] = Value(a.bits != Value.true.bits); ip += Op.not.operandBytes; continue }
                if !operatorCall(readShort(), 0) { break dispatch }
            case .neg:
                let a = sp[-1]
                if a.isNumber { sp[-1] = Value(-a.number); ip += Op.neg.operandBytes; continue }
                if !operatorCall(readShort(), 0) { break dispatch }
            }
            continue
            }
            // Only errors leave the dispatch block.
            // A runtime error: find a fiber that catches it, or stop.
            vm.hasError = false
            let err = vm.error
            vm.error = .null
            if let outcome = vm.handleRuntimeError(err) { return outcome }
            reload()
        }
    }

    /// Calls an operator method when the number fast path does not apply
    /// (`symbol` is the instruction's operand, read: ip is past it).
    /// Returns false when an error is pending.
    @inline(__always) mutating func operatorCall(_ symbol: Int, _ argc: Int) -> Bool {
        let args = sp - argc - 1
        save()
        switch vm.callOperator(nativeTable, args, f, base: args - stack, frameIndex: frameIndex, symbol) {
        case .value: sp = args + 1
        case .reload: reload()
        case .error: return false
        }
        return true
    }
}

extension VM {
    // The `for` loop fast paths. Lists and ranges are always of class List and
    // Range (scripts cannot subclass or reopen core classes), so these give
    // exactly what those classes' natives would, or `undefined` for the cases
    // left to the natives (errors, odd iterators).

    /// `iterate(_)` of a List or Range, or undefined.
    @inline(__always) func iterateFast(_ r: ObjRef, _ iter: Value) -> Value {
        if heap.isKind(r, .list) {
            let n = listCount(r)
            if iter.isNull { return n == 0 ? .false : Value(0) }
            guard iter.isNumber else { return .undefined }
            // In-range integers step; the last index ends the loop; anything
            // else (negative, fractional, NaN) is left to the native.
            let d = iter.number, last = Double(n - 1)
            if d >= 0 && d < last && Double(Int(d)) == d { return Value(d + 1) }
            if d == last { return .false }
            return .undefined
        }
        if heap.isKind(r, .range) {
            guard iter.isNull || iter.isNumber else { return .undefined }
            let from = heap[r, RangeLayout.from].number, to = heap[r, RangeLayout.to].number
            let inclusive = heap[r, RangeLayout.inclusive] == .true
            if from == to && !inclusive { return .false }
            if iter.isNull { return Value(from) }
            var i = iter.number
            if from < to {
                i += 1
                if i > to || (!inclusive && i == to) { return .false }
            } else {
                i -= 1
                if i < to || (!inclusive && i == to) { return .false }
            }
            return Value(i)
        }
        return .undefined
    }

    /// `iteratorValue(_)` of a List or Range, or undefined.
    @inline(__always) func iteratorValueFast(_ r: ObjRef, _ iter: Value) -> Value {
        if heap.isKind(r, .list) {
            guard iter.isNumber else { return .undefined }
            let d = iter.number
            let n = listCount(r)
            if d >= 0 && d < Double(n) {
                let i = Int(d)
                if Double(i) == d { return listElements(r)[i] }
            }
            return .undefined
        }
        if heap.isKind(r, .range) { return iter }
        return .undefined
    }
}

/// What `VM.callOperator` did.
enum OperatorOutcome {
    case value    // the result is in args[0]
    case reload   // a frame was pushed (or the fiber changed): reload the registers
    case error    // a runtime error is pending
}

extension VM {
    /// The slow path of a script call (the loop has saved its registers and
    /// reloads them afterwards): grows the stack or the frame array, fires
    /// the method-entry hook, collects at this safe point. False on error.
    @inline(never)
    func callClosureSlow(_ target: ObjRef, _ f: ObjRef, base: Int, frameIndex: Int,
                         _ cls: ObjRef, _ symbol: Int) -> Bool {
        let fn = heap[target, ClosureLayout.fn].ref
        let needed = base + heap.word(fn, FnLayout.maxSlots)
        if frameIndex + 1 >= VM.maxFrames || !ensureStack(f, needed) {
            return fail("Stack overflow.")
        }
        pushFrame(f, closure: target, stackBase: base)
        // Entry hooks see the new frame pushed and the caller saved, so a
        // snapshot taken here resumes at the method's first instruction.
        if hooks.isEnabled(.methodEntry) && !methodEntryCheck(target, cls, receiver: arrayElements(heap[f, FiberLayout.stack].ref)[base], symbol) {
            return false
        }
        if heap.gcRequested && !safePoint() { return false }
        return true
    }

    /// Pushes the frame of an imported module's body, which runs on the
    /// importing fiber's stack from `base` (its closure's slot): with room
    /// for its slots, as a call makes. False on error.
    @inline(never)
    func pushModuleFrame(_ f: ObjRef, _ moduleClosure: ObjRef, base: Int) -> Bool {
        if !ensureStack(f, base + heap.word(closureFn(moduleClosure), FnLayout.maxSlots)) {
            return fail("Stack overflow.")
        }
        pushFrame(f, closure: moduleClosure, stackBase: base)
        return true
    }

    /// An operator call on operands the loop's fast paths do not cover
    /// (registers saved): a native runs here, a script method gets a frame.
    @inline(never)
    func callOperator(_ nativeTable: [Native], _ args: UnsafeMutablePointer<Value>, _ f: ObjRef,
                      base: Int, frameIndex: Int, _ symbol: Int) -> OperatorOutcome {
        let cls = classOf(args[0])
        let method = self.method(cls, symbol)
        if method.isNumber {
            let id = Int(method.number)
            let table = id < nativeTable.count ? nativeTable : self.nativeTable
            if table[id].call(self, args) { return .value }
            // No operator native switches fibers or pushes frames, but
            // reloading keeps this right if one ever does.
            return hasError ? .error : .reload
        }
        if method.isObject {
            return callClosureSlow(method.ref, f, base: base, frameIndex: frameIndex, cls, symbol) ? .reload : .error
        }
        _ = fail("\(className(cls)) does not implement '\(symbolNames[symbol])'.")
        return .error
    }
}
