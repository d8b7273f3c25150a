#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// What the dispatch loop's slow paths do to a fiber: grow its stack, push a
// call frame, capture and close upvalues, resume another fiber, and report
// or hand over a runtime error (to a fiber that `try`s, else to the host).

extension VM {
    @inline(__always) func framesPointer(_ f: ObjRef) -> UnsafeMutablePointer<Int> {
        (heap.pointer(heap[f, FiberLayout.frames].ref) + 24).assumingMemoryBound(to: Int.self)
    }

    /// Makes room in the fiber's stack for `needed` slots in total.
    func ensureStack(_ f: ObjRef, _ needed: Int) -> Bool {
        let stack = heap[f, FiberLayout.stack].ref
        let cap = arrayCapacity(stack)
        if needed <= cap { return true }
        if needed > VM.maxStackSlots { return false }
        var newCap = cap * 2
        while newCap < needed { newCap *= 2 }
        let bigger = newArray(capacity: newCap, kind: .stack)
        arrayElements(bigger).update(from: arrayElements(stack), count: heap.word(f, FiberLayout.stackTop))
        heap[f, FiberLayout.stack] = bigger.value
        heap.rememberFiber(f)
        return true
    }

    /// Runaway recursion ends in a runtime error, not a crash.
    static let maxStackSlots = 1 << 22
    static let maxFrames = 1 << 20

    /// Pushes a call of `closure` whose receiver/arguments start at stack index
    /// `base` of the current fiber. Used by Fn.call and friends.
    func pushCall(_ closure: ObjRef, base: Int, argc: Int) -> Bool {
        let f = fiber
        let fn = closureFn(closure)
        let arity = fnArity(fn)
        if argc < arity { return fail("Function expects more arguments.") }
        // Extra arguments are dropped.
        heap.setWord(f, FiberLayout.stackTop, base + 1 + arity)
        guard heap.word(f, FiberLayout.frameCount) < VM.maxFrames,
              ensureStack(f, base + 1 + heap.word(fn, FnLayout.maxSlots)) else {
            return fail("Stack overflow.")
        }
        pushFrame(f, closure: closure, stackBase: base)
        return false
    }

    /// Reports an uncaught error on the configured error sink.
    /// Frames a trace shows at most: the innermost and the outermost ones
    /// (a runaway recursion has a million frames, and they say the same).
    static let maxTraceFrames = (innermost: 20, outermost: 10)

    func reportRuntimeError(_ message: String, fiber f: ObjRef) {
        // A host with its own reporter (the C API's errorFn) gets every frame, as data.
        if hostCallDepth == 0 && reportRuntimeErrorToHost(message, fiber: f) { return }
        var trace: [String] = []
        let frames = framesPointer(f)
        var i = heap.word(f, FiberLayout.frameCount) - 1
        while i >= 0 {
            let closure = ObjRef(offset: UInt(frames[i * FrameLayout.words]))
            let ip = frames[i * FrameLayout.words + 1]
            let fn = closureFn(closure)
            i -= 1
            // Core library frames are not the user's business.
            guard let module = moduleName(fnModule(fn)) else { continue }
            trace.append("[\(module) line \(line(of: fn, at: max(0, ip - 1)))] in \(fnName(fn))")
        }
        let (inner, outer) = VM.maxTraceFrames
        if trace.count > inner + outer {
            let hidden = trace.count - inner - outer
            trace = Array(trace[..<inner]) + ["... \(hidden) more frame\(hidden == 1 ? "" : "s") ..."]
                + Array(trace[(trace.count - outer)...])
        }
        // Inside a host call the error is thrown to the host, trace included.
        if hostCallDepth > 0 { hostErrorTrace = trace; return }
        config.writeError(([message] + trace).joined(separator: "\n") + "\n")
    }

    /// Text for an error value: strings as they are, anything else by kind.
    func errorText(_ v: Value) -> String {
        if isString(v) { return string(v) }
        if v.isNumber { return formatNumber(v.number) }
        if v.isNull { return "null" }
        if v.isBool { return v == .true ? "true" : "false" }
        return "instance of \(className(classOf(v)))"
    }

    /// Runs the current fiber (and whatever it switches to) to completion.
    package func run() -> RunOutcome {
        var interpreter = Interpreter(vm: self)
        return interpreter.run()
    }

    /// Finds the open upvalue for stack slot `index` of fiber `f`, or makes one.
    func captureUpvalue(_ f: ObjRef, _ index: Int) -> ObjRef {
        var prev = ObjRef.none
        var u = heap[f, FiberLayout.openUpvalues]
        while u.isObject && Int(heap[u.ref, UpvalueLayout.stackIndex].number) > index {
            prev = u.ref
            u = heap[u.ref, UpvalueLayout.next]
        }
        if u.isObject && Int(heap[u.ref, UpvalueLayout.stackIndex].number) == index { return u.ref }
        let created = heap.allocate(.upvalue, cls: .none, size: UpvalueLayout.size)
        heap[created, UpvalueLayout.stackIndex] = Value(index)
        heap[created, UpvalueLayout.closed] = .null
        heap[created, UpvalueLayout.next] = u
        heap[created, UpvalueLayout.fiber] = f.value
        if prev.isNone { heap[f, FiberLayout.openUpvalues] = created.value }
        else { heap[prev, UpvalueLayout.next] = created.value }
        return created
    }

    /// Closes every open upvalue of `f` at stack index `from` or above.
    @inline(__always)
    func closeUpvalues(_ f: ObjRef, from: Int) {
        var u = heap[f, FiberLayout.openUpvalues]
        guard u.isObject else { return }
        let stack = arrayElements(heap[f, FiberLayout.stack].ref)
        while u.isObject && Int(heap[u.ref, UpvalueLayout.stackIndex].number) >= from {
            let r = u.ref
            heap[r, UpvalueLayout.closed] = stack[Int(heap[r, UpvalueLayout.stackIndex].number)]
            heap[r, UpvalueLayout.stackIndex] = Value(-1)
            u = heap[r, UpvalueLayout.next]
            heap[r, UpvalueLayout.next] = .null
        }
        heap[f, FiberLayout.openUpvalues] = u
    }

    /// Makes `target` the running fiber, handing it `value` as the result of
    /// whatever suspended it (or as its function's argument on first run).
    @inline(__always) func resume(_ target: ObjRef, with value: Value) {
        let top = heap.word(target, FiberLayout.stackTop)
        let frames = framesPointer(target)
        let notStarted = heap.word(target, FiberLayout.frameCount) == 1 && frames[1] == 0 && top == 1
        if notStarted {
            let fn = closureFn(heap[target, FiberLayout.function].ref)
            if fnArity(fn) >= 1 {
                arrayElements(heap[target, FiberLayout.stack].ref)[1] = value
                heap.setWord(target, FiberLayout.stackTop, 2)
            }
        } else if top > 0 {
            arrayElements(heap[target, FiberLayout.stack].ref)[top - 1] = value
        }
        fiber = target
        setRoot(.currentFiber, target.value)
    }

    /// Unwinds a runtime error. Returns an outcome when nothing catches it,
    /// nil when a fiber resumed with the error as a value.
    func handleRuntimeError(_ err: Value) -> RunOutcome? {
        if let code = exitCode { return .exit(code) }
        let failing = fiber
        var f = failing
        while true {
            heap[f, FiberLayout.error] = err
            let caller = heap[f, FiberLayout.caller]
            let state = heap.word(f, FiberLayout.state)
            if state == FiberState.trying.rawValue && caller.isObject {
                heap[f, FiberLayout.caller] = .null
                resume(caller.ref, with: err)
                return nil
            }
            guard caller.isObject else { break }
            heap[f, FiberLayout.caller] = .null
            f = caller.ref
        }
        let text = errorText(err)
        reportRuntimeError(text, fiber: failing)
        return .runtimeError(text)
    }
}
