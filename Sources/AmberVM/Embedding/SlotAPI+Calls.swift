#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberBytecode
@_spi(AmberInternals) import AmberObjects

// The slot API's calls (see SlotAPI.swift for where slots live): values held
// for the host, call handles and wrenCall, wrenInterpret, foreign methods and
// allocate functions, finalizers, collections and snapshots.
//
// Held values share the root block's handle list with Swift `Handle`s
// (Handle.swift): an entry keeps its value alive and the collector updates it.
// A host refers to an entry by index; the C library wraps the index in a
// checked token, so a released or foreign handle is caught there.

/// How an interpret or a call through the slot API ended (Wren's `WrenInterpretResult`).
package enum APIResult: Int32 {
    case success = 0, compileError, runtimeError
}

extension VM {
    // MARK: Held values

    /// Keeps `v` alive in the handle list; returns its entry.
    func hold(_ v: Value) -> Int {
        var list = root(.handles)
        if !list.isObject {
            setRoot(.handles, newList().value)
            list = root(.handles)
        }
        if let free = freeHandleSlots.popLast() {
            listSet(list.ref, free, v)
            return free
        }
        listAppend(list.ref, v)
        return listCount(list.ref) - 1
    }

    func setHeld(_ entry: Int, _ v: Value) {
        let list = root(.handles)
        guard list.isObject, entry < listCount(list.ref) else { return }
        listSet(list.ref, entry, v)
    }

    /// Lets entry `entry` go (the caller makes sure it is released once).
    package func apiRelease(_ entry: Int) {
        let list = root(.handles)
        guard list.isObject, entry >= 0, entry < listCount(list.ref) else { return }
        listSet(list.ref, entry, .null)
        freeHandleSlots.append(entry)
    }

    // MARK: Call handles

    /// The stub a host call runs: `call <arity> <symbol>; end`, in the core
    /// module so stack traces leave it out (Wren's stubs have no module).
    func makeCallStub(symbol: Int, arity: Int) -> ObjRef {
        let code = Op.call.encoded(arity, symbol) + Op.end.encoded()
        return newClosure(newFn(code: code, constants: [], module: root(.coreModule).ref, numUpvalues: 0, arity: arity,
                                maxSlots: arity + 1, name: "(host call)", lines: Array(repeating: 0, count: code.count)))
    }

    /// Bytes of a stub's code: a frame whose ip is here has returned.
    static let callStubLength = Op.call.length + Op.end.length

    /// A call handle for `signature`: the held stub and the arity. Nil (after
    /// an error) for an empty signature or one with more arguments than a call takes.
    package func apiMakeCallHandle(_ signature: String) -> (entry: Int, arity: Int)? {
        if slotAPI.finalizing {
            apiError("wrenMakeCallHandle: called from a finalizer; finalizers may not use the VM.")
            return nil
        }
        guard !signature.isEmpty else {
            apiError("wrenMakeCallHandle: the signature is empty.")
            return nil
        }
        let arity = SignatureShape.arity(signature)
        guard arity <= 16 else {
            apiError("wrenMakeCallHandle: '\(signature)' has \(arity) parameters; a method takes at most 16.")
            return nil
        }
        let symbol = self.symbol(signature)
        guard symbol <= Compiler.maxSymbol else {
            apiError("wrenMakeCallHandle: " + Compiler.tooManySymbolsMessage)
            return nil
        }
        return (hold(makeCallStub(symbol: symbol, arity: arity).value), arity)
    }

    /// Why the VM cannot be run (or freed) by the host now, if it cannot.
    package func apiRunningError(_ fn: StaticString) -> String? { reentryError(fn) }

    /// Why the VM cannot run code for the host now, if it cannot.
    func reentryError(_ fn: StaticString) -> String? {
        if slotAPI.finalizing { return "\(fn): called from a finalizer; finalizers may not use the VM." }
        if slotAPI.foreignBase != nil || !fiber.isNone || nestedRuns > 0 {
            return "\(fn): the VM is running (a foreign method or a callback is on the stack); "
                + "Wren's C API does not allow running it again from there."
        }
        return nil
    }

    /// Calls the stub held at `entry` (made by `apiMakeCallHandle`) on the
    /// receiver and arguments in the API fiber's slots. Afterwards slot 0 holds
    /// the result; after an error there are no slots.
    /// `stub`: the held stub if the caller knows it (read since the last collection).
    package func apiCall(_ entry: Int, arity: Int, stub known: Value? = nil, signature: () -> String) -> APIResult {
        // One thread inside the VM at a time (ThreadOwnership.swift), as for Swift hosts.
        do { try enter() } catch {
            // Not `apiError`: that may touch the VM the other thread is running.
            let message = "wrenCall: " + error.message
            if let report = config.hostHooks.reportError { report(self, .api(message: message)) }
            else { config.writeError(message + "\n") }
            return .runtimeError
        }
        defer { leave() }
        if let e = reentryError("wrenCall") {
            apiError(e)
            return .runtimeError
        }
        let apiFiber = self.apiFiber()
        let count = apiFiber.map { heap.word($0, FiberLayout.stackTop) } ?? 0
        guard let f = apiFiber, count >= arity + 1 else {
            apiError("wrenCall: '\(signature())' needs the receiver and \(arity) argument\(arity == 1 ? "" : "s") "
                     + "in slots 0 to \(arity); \(count) slot\(count == 1 ? " is" : "s are") set up (wrenEnsureSlots).")
            return .runtimeError
        }
        let stub = known ?? handleValue(entry)
        guard isKind(stub, .closure) else {
            apiError("wrenCall: the handle is not a call handle (make one with wrenMakeCallHandle).")
            return .runtimeError
        }
        // Extra slots are dropped; the stub's frame starts at slot 0.
        heap.setWord(f, FiberLayout.stackTop, arity + 1)
        heap.setWord(f, FiberLayout.frameCount, 0)
        heap[f, FiberLayout.error] = .null
        heap[f, FiberLayout.caller] = .null
        heap[f, FiberLayout.openUpvalues] = .null
        heap[f, FiberLayout.function] = stub
        heap.setWord(f, FiberLayout.state, FiberState.root.rawValue)
        pushFrame(f, closure: stub.ref, stackBase: 0)
        invalidateSlotCache()
        fiber = f
        setRoot(.currentFiber, f.value)
        let outcome = run()
        flushOutput()
        fiber = .none
        setRoot(.currentFiber, .null)
        // Objects may have moved: the API fiber is read again from the handle list.
        guard case .finished = outcome, let done = self.apiFiber() else {
            dropAPIFiber()
            return .runtimeError
        }
        // A call that returned left its frame at the stub's end with the result in slot 0;
        // one whose fiber was switched away from never returned: no result, no slots.
        let frames = framesPointer(done)
        guard heap.word(done, FiberLayout.frameCount) == 1, frames[1] == VM.callStubLength else {
            dropAPIFiber()
            return .success
        }
        heap.setWord(done, FiberLayout.frameCount, 0)
        heap.setWord(done, FiberLayout.stackTop, 1)
        // The one slot, where the cache can find it (as refreshSlotCache would).
        let cache = slotAPI.cache
        cache.pointee.slots = arrayElements(heap[done, FiberLayout.stack].ref)
        cache.pointee.count = 1
        cache.pointee.heapBase = heap.base
        cache.pointee.fiber = done
        return .success
    }

    /// Forgets the API fiber (after an error Wren leaves no slots).
    func dropAPIFiber() {
        if let hold = slotAPI.apiFiberHold { setHeld(hold, .null) }
        invalidateSlotCache()
    }

    /// Compiles and runs `source` as module `module` (compile errors and
    /// runtime errors go to the error hook). Afterwards there are no slots.
    package func apiInterpret(module: String, source: [UInt8]) -> APIResult {
        if let e = reentryError("wrenInterpret") {
            apiError(e)
            return .runtimeError
        }
        invalidateSlotCache()
        let result = interpret(module: module, source: source)
        if let f = apiFiber() { heap.setWord(f, FiberLayout.stackTop, 0) }
        refreshSlotCache()
        switch result {
        case .success: return .success
        case .compileError: return .compileError
        case .runtimeError, .exit: return .runtimeError
        }
    }

    // MARK: Foreign methods

    /// Runs a host's foreign method or allocate function on the arguments at
    /// `args` (the native calling contract, Natives.swift): `body` works on
    /// the slots through the api* methods. An allocate function must leave a
    /// foreign instance in slot 0.
    package func apiRunForeign(_ args: UnsafeMutablePointer<Value>, allocator: Bool, _ body: () -> Void) -> Bool {
        let f = fiber
        let base = stackIndex(args)
        let top = heap.word(f, FiberLayout.stackTop)
        let stackBefore = heap[f, FiberLayout.stack]
        let receiver = args[0]
        let cache = slotAPI.cache
        let outer = cache.pointee
        cache.pointee.foreignBase = base
        cache.pointee.slots = args
        cache.pointee.count = top - base
        cache.pointee.heapBase = heap.base
        cache.pointee.fiber = f
        body()
        let collections = cache.pointee.collections
        cache.pointee = outer
        cache.pointee.collections = collections
        if hasError { return false }
        // wrenEnsureSlots may have replaced the stack: then `args` is stale and
        // the loop must reload its registers from the fiber.
        let moved = heap[f, FiberLayout.stack] != stackBefore
        let result = arrayElements(heap[f, FiberLayout.stack].ref)[base]
        if allocator {
            guard isKind(result, .foreign) else {
                let name = isKind(receiver, .classObj) ? className(receiver.ref) : "?"
                return fail("Foreign class '\(name)': its allocate function did not create an instance "
                            + "(it must call wrenSetSlotNewForeign).")
            }
            // The constructor goes on with its arguments where they were.
            heap.setWord(f, FiberLayout.stackTop, top)
            return !moved
        }
        if !moved { return true }
        return finishReentrant(base: base, result: result)
    }

    // MARK: Finalizers and collections

    /// Calls the host finalizer of the dying foreign instance `r`, if its class has one.
    func finalizeForeign(_ r: ObjRef) {
        let allocator = heap[heap.classOf(r), ClassLayout.allocator]
        guard allocator.isNumber, let finalize = slotAPI.finalizers[Int(allocator.number)] else { return }
        slotAPI.finalizing = true
        invalidateSlotCache()
        finalize(heap.pointer(r) + ForeignLayout.dataOffset)
        slotAPI.finalizing = false
    }

    /// Finalizes every foreign instance still in the heap (the VM is being
    /// freed). Dead ones the collector has not reached yet are among them, and
    /// finalized once: the heap is a sequence of objects from `firstObject` to `top`.
    package func apiFinalizeAll() {
        guard !slotAPI.finalizers.isEmpty else { return }
        var scan = Heap.firstObject
        while scan < heap.top {
            let r = ObjRef(offset: UInt(scan))
            let size = heap.size(r)
            guard size >= Heap.headerSize else { return }
            if heap.isKind(r, .foreign) { finalizeForeign(r) }
            scan += size
        }
        slotAPI.finalizers = [:]
    }

    /// Collects now between calls; inside a foreign method, at the next safe point.
    package func apiCollectGarbage() {
        if slotAPI.finalizing { return }
        if slotAPI.foreignBase != nil || !fiber.isNone || nestedRuns > 0 {
            requestCollection()
            return
        }
        invalidateSlotCache()
        _ = collectGarbage(full: true)
        refreshSlotCache()
    }

    /// The first collection comes when `bytes` have been allocated (Wren's initialHeapSize).
    package func apiSetFirstCollection(after bytes: Int) {
        guard bytes > 0 else { return }
        heap.nextGC = min(heap.maxHeap, heap.used + bytes)
        rearmCollectionRequest()
    }

    // MARK: Snapshots

    /// Writes the VM to an image between calls; the reason when it cannot.
    package func apiSnapshot(to path: String) -> String? {
        if let e = reentryError("amberSnapshot") { return e }
        // Writing an image collects and compacts: the slots move.
        invalidateSlotCache()
        defer { refreshSlotCache() }
        do { try snapshot(to: path) } catch { return (error as? ImageError)?.message ?? "\(error)" }
        return nil
    }
}
