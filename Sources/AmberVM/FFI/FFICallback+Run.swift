#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFI
@_spi(AmberInternals) import AmberObjects

// C calling a Callback: a nested run of the interpreter.
//
// libffi calls `ffiCallbackHandler` (a plain C function; the FFITrampoline
// comes through user_data) on the thread that made the foreign call, deep
// inside a native. The handler:
//   1. refuses calls after the VM is gone, from any other thread, or outside
//      a foreign call (the VM is not theirs to run): a message on stderr, a
//      zero result;
//   2. converts the C arguments into Wren values;
//   3. keeps the interrupted fiber reachable (the FFI state's saved-fiber
//      list), runs a new root fiber whose function calls the script function
//      and hands its result to Callback.done_ (as runScriptHooks does for
//      snapshot hooks; nestedRuns > 0 makes a snapshot refuse to run);
//   4. restores the interrupted fiber and converts the result for C.
// While the nested run is on, the collector does not move objects
// (`ffiDeferCollection`): the C code below it may hold heap addresses. An
// error in the callback is remembered and raised by the foreign call when C
// returns; later calls of callbacks in the same foreign call return zero
// without running script code.

func ffiCallbackHandler(_ cif: UnsafeMutablePointer<ffi_cif>?, _ ret: UnsafeMutableRawPointer?,
                        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ user: UnsafeMutableRawPointer?) {
    guard let user, let ret else { return }
    let trampoline = Unmanaged<FFITrampoline>.fromOpaque(user).takeUnretainedValue()
    // A struct result may be the caller's own memory, exactly its size; others get a full register.
    memset(ret, 0, trampoline.retSize)
    // The VM may be gone (C kept the pointer: atexit, a library's registry); then
    // nothing of it may be touched (FFITrampoline.swift).
    guard let cb = trampoline.callback else {
        ffiWriteStandardError("amber: a Callback was called after its VM was destroyed; it was refused, not run.\n")
        return
    }
    // Only the thread inside one of this VM's foreign calls may run it; that
    // thread's own stack keeps the VM alive. Not through config.writeError:
    // that sink belongs to the VM's own thread.
    let h = cb.callState.hot
    guard h.pointee.callDepth > 0, let owner = h.pointee.callThread, pthread_equal(owner, pthread_self()) != 0 else {
        ffiWriteStandardError("amber: a Callback was called from another thread (or outside a foreign call); it was refused, not run.\n")
        return
    }
    cb.vm.ffiRunCallback(cb, ret, args)
}

/// Collects what a callback's failed run reports (the error sink is swapped while it runs).
final class FFIErrorSink {
    var text = ""
}

extension VM {
    func ffiRunCallback(_ cb: FFICallback, _ ret: UnsafeMutableRawPointer,
                        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        let rt = ffi
        if rt.callbackError != nil || rt.callbackExit != nil { return }
        guard let state = ffiState() else { return }

        // 2. Arguments.
        var values: [Value] = []
        for (i, t) in cb.args.enumerated() {
            guard let p = args?[i] else { values.append(.null); continue }
            switch t {
            case .pointer:
                values.append(ffiNewPointer(UInt(bitPattern: p.load(as: Int.self))))
            case .string:
                if let s = p.load(as: UnsafeMutablePointer<CChar>?.self) {
                    values.append(newString(bytes: UnsafeRawBufferPointer(start: s, count: strlen(s))).value)
                } else {
                    values.append(.null)
                }
            case .structure(let si):
                values.append(ffiNewMemory(count: ffi.structure(si)?.size ?? 0, from: p) ?? .null)
            default:
                values.append(ffiLoadScalar(t, p))
            }
        }
        let description = listGet(ffiRegistry(), cb.index).ref
        let function = listGet(description, 3)
        let entry = ffiClass(.callbackEntry)

        // 3. The nested run.
        let saved = listGet(state, 1).ref
        listAppend(saved, fiber.isNone ? .null : fiber.value)
        listSet(state, 3, .null)
        let f = newFiber(entry)
        let stack = arrayElements(heap[f, FiberLayout.stack].ref)
        stack[1] = function
        stack[2] = newList(values).value
        heap.setWord(f, FiberLayout.stackTop, 3)
        heap.setWord(f, FiberLayout.state, FiberState.root.rawValue)
        fiber = f
        setRoot(.currentFiber, f.value)
        let sink = FFIErrorSink()
        let errorSink = config.writeError
        config.writeError = { sink.text += $0 }
        nestedRuns += 1
        rt.callbackDepth += 1
        rt.callbackRuns += 1
        let outcome = run()
        rt.callbackDepth -= 1
        nestedRuns -= 1
        config.writeError = errorSink

        // 4. Back to the interrupted fiber.
        let savedNow = listGet(ffiState()!, 1).ref
        let original = listRemove(savedNow, at: listCount(savedNow) - 1)
        fiber = original.isObject ? original.ref : .none
        setRoot(.currentFiber, original)
        switch outcome {
        case .exit(let code):
            rt.callbackExit = code
        case .runtimeError(let message):
            rt.callbackError = message
        case .finished:
            let holder = listGet(ffiState()!, 3)
            guard holder.isObject else {
                rt.callbackError = "the callback did not return (its fiber was suspended or switched)."
                return
            }
            let result = listGet(holder.ref, 0)
            listSet(ffiState()!, 3, .null)
            if !ffiStoreCallbackResult(result, cb, ret) {
                rt.callbackError = errorText(error)
                hasError = false
                error = .null
            }
        }
    }

    /// Writes a callback's result for C: integers as a full register (ffi_arg), as libffi wants.
    func ffiStoreCallbackResult(_ v: Value, _ cb: FFICallback, _ ret: UnsafeMutableRawPointer) -> Bool {
        switch cb.ret {
        case .void:
            return true
        case .pointer:
            if v.isObject, ffiIs(v, .memory), heap[v.ref, FFIField.memoryBytes].isObject {
                return fail("The callback's result is a Memory the heap owns; it has no fixed address to return.")
            }
            guard let p = ffiPointerArg(v, "The callback's result") else { return false }
            ret.storeBytes(of: p, as: UnsafeMutableRawPointer?.self)
            return true
        case .structure(let si):
            guard ffiIs(v, .memory), let (p, size) = ffiMemoryBytes(v), let p else {
                if hasError { return false }
                return fail("The callback's result must be a Memory holding the struct, not \(ffiDescribe(v)).")
            }
            let need = ffi.structure(si)?.size ?? 0
            guard size >= need else { return fail("The callback's result is a Memory of \(size) bytes; the struct needs \(need).") }
            if heap[v.ref, FFIField.memoryBytes].isObject {
                if let stale = ffiStaleStoredPointer(v.ref) { return fail(ffiStaleStoredPointerMessage("The callback's result", stale)) }
            }
            memcpy(ret, p, need)
            return true
        default:
            return ffiStoreScalar(v, cb.ret, ret, widen: true, "The callback's result")
        }
    }

    /// Called by the collector: while a callback runs inside a foreign call,
    /// nothing may move (C holds heap addresses), so the collection is put
    /// off until the callback returns. Returns false when the heap is over its cap.
    func ffiDeferCollection() -> Bool {
        heap.nextGC = heap.top + (8 << 20)
        rearmCollectionRequest()
        return heap.used <= heap.maxHeap
    }
}
