@_spi(AmberInternals) import AmberObjects

// Fn and Fiber natives.
//
// These natives never call back into Swift-side script execution. To run a
// function they push a frame (Fn.call) or switch the running fiber
// (Fiber.call, yield, transfer) and return false without an error; the loop
// then reloads its state from `vm.fiber`.

extension VM {
    /// Stack index of `args` in the current fiber's stack.
    @inline(__always) func stackIndex(_ args: UnsafeMutablePointer<Value>) -> Int {
        args - arrayElements(heap[fiber, FiberLayout.stack].ref)
    }

    func isClosure(_ v: Value) -> Bool { v.isObject && heap.kind(v.ref) == .closure }

    /// Leaves the current fiber with its pending call's result slot at `args[0]`.
    @inline(__always) func suspendCurrent(_ args: UnsafeMutablePointer<Value>) {
        heap.setWord(fiber, FiberLayout.stackTop, stackIndex(args) + 1)
    }

    /// Fiber.call / Fiber.try.
    func callFiber(_ a: UnsafeMutablePointer<Value>, value: Value, isTry: Bool) -> Bool {
        let target = a[0].ref
        // A computed property, so the switch path builds no String.
        var verb: String { isTry ? "try" : "call" }
        if !heap[target, FiberLayout.error].isNull { return fail("Cannot \(verb) an aborted fiber.") }
        if heap.word(target, FiberLayout.frameCount) == 0 { return fail("Cannot \(verb) a finished fiber.") }
        if heap.word(target, FiberLayout.state) == FiberState.root.rawValue {
            return fail("Cannot \(verb) root fiber.")
        }
        if heap[target, FiberLayout.caller].isObject || target == fiber {
            return fail("Fiber has already been called.")
        }
        suspendCurrent(a)
        heap[target, FiberLayout.caller] = fiber.value
        heap.setWord(target, FiberLayout.state, isTry ? FiberState.trying.rawValue : FiberState.other.rawValue)
        resume(target, with: value)
        return false
    }

    /// Fiber.transfer: switch without remembering where we came from.
    func transferFiber(_ a: UnsafeMutablePointer<Value>, value: Value) -> Bool {
        let target = a[0].ref
        if target == fiber { return ret(a, value) }
        if !heap[target, FiberLayout.error].isNull { return fail("Cannot transfer to an aborted fiber.") }
        if heap.word(target, FiberLayout.frameCount) == 0 { return fail("Cannot transfer to a finished fiber.") }
        suspendCurrent(a)
        resume(target, with: value)
        return false
    }

    /// Fiber.yield: hand `value` back to the caller; the whole run pauses if there is none.
    func yieldFiber(_ a: UnsafeMutablePointer<Value>, value: Value) -> Bool {
        let current = fiber
        let caller = heap[current, FiberLayout.caller]
        suspendCurrent(a)
        heap[current, FiberLayout.caller] = .null
        if heap.word(current, FiberLayout.state) == FiberState.trying.rawValue {
            heap.setWord(current, FiberLayout.state, FiberState.other.rawValue)
        }
        if !caller.isObject {
            fiber = .none
            setRoot(.currentFiber, .null)
            return false
        }
        resume(caller.ref, with: value)
        return false
    }

    func registerFnFiberNatives() {
        let fn = "Fn"
        staticNative(fn, "new(_)") { vm, a in
            guard vm.isClosure(a[1]) else { return vm.fail("Argument must be a function.") }
            return vm.ret(a, a[1])
        }
        native(fn, "arity") { vm, a in vm.ret(a, Value(vm.fnArity(vm.closureFn(a[0].ref)))) }
        native(fn, "toString") { vm, a in vm.ret(a, vm.newString("<fn>").value) }
        // Spelled out: building them with `joined` cost 150 thousand instructions at every start.
        let calls = ["call()", "call(_)", "call(_,_)", "call(_,_,_)", "call(_,_,_,_)", "call(_,_,_,_,_)",
                     "call(_,_,_,_,_,_)", "call(_,_,_,_,_,_,_)", "call(_,_,_,_,_,_,_,_)", "call(_,_,_,_,_,_,_,_,_)",
                     "call(_,_,_,_,_,_,_,_,_,_)", "call(_,_,_,_,_,_,_,_,_,_,_)", "call(_,_,_,_,_,_,_,_,_,_,_,_)",
                     "call(_,_,_,_,_,_,_,_,_,_,_,_,_)", "call(_,_,_,_,_,_,_,_,_,_,_,_,_,_)",
                     "call(_,_,_,_,_,_,_,_,_,_,_,_,_,_,_)", "call(_,_,_,_,_,_,_,_,_,_,_,_,_,_,_,_)"]
        for (argc, sig) in calls.enumerated() {
            native(fn, sig) { vm, a in
                vm.pushCall(a[0].ref, base: vm.stackIndex(a), argc: argc)
            }
        }

        let fiberClass = "Fiber"
        staticNative(fiberClass, "new(_)") { vm, a in
            guard vm.isClosure(a[1]) else { return vm.fail("Argument must be a function.") }
            if vm.fnArity(vm.closureFn(a[1].ref)) > 1 {
                return vm.fail("Function cannot take more than one parameter.")
            }
            return vm.ret(a, vm.newFiber(a[1].ref).value)
        }
        staticNative(fiberClass, "abort(_)") { vm, a in
            if a[1].isNull { return vm.ret(a, .null) }
            return vm.fail(value: a[1])
        }
        staticNative(fiberClass, "current") { vm, a in vm.ret(a, vm.fiber.value) }
        staticNative(fiberClass, "suspend()") { vm, a in
            vm.suspendCurrent(a)
            vm.fiber = .none
            vm.setRoot(.currentFiber, .null)
            return false
        }
        staticNative(fiberClass, "yield()") { vm, a in vm.yieldFiber(a, value: .null) }
        staticNative(fiberClass, "yield(_)") { vm, a in vm.yieldFiber(a, value: a[1]) }
        native(fiberClass, "call()") { vm, a in vm.callFiber(a, value: .null, isTry: false) }
        native(fiberClass, "call(_)") { vm, a in vm.callFiber(a, value: a[1], isTry: false) }
        native(fiberClass, "try()") { vm, a in vm.callFiber(a, value: .null, isTry: true) }
        native(fiberClass, "try(_)") { vm, a in vm.callFiber(a, value: a[1], isTry: true) }
        native(fiberClass, "transfer()") { vm, a in vm.transferFiber(a, value: .null) }
        native(fiberClass, "transfer(_)") { vm, a in vm.transferFiber(a, value: a[1]) }
        native(fiberClass, "transferError(_)") { vm, a in
            let r = vm.transferFiber(a, value: .null)
            if vm.hasError { return r }
            return vm.fail(value: a[1])
        }
        native(fiberClass, "error") { vm, a in vm.ret(a, vm.heap[a[0].ref, FiberLayout.error]) }
        native(fiberClass, "isDone") { vm, a in vm.ret(a, Value(vm.fiberIsDone(a[0].ref))) }
    }
}
