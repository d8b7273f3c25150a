@_spi(AmberInternals) import AmberObjects

// The host's side of the embedding API: reading variables, calling methods,
// converting values, taking a snapshot between calls.
//
// A call from the host runs as a nested run of the interpreter on a fiber of
// its own, whose only frame is a stub:
//
//     stack: [receiver, arg1, ..., argN]     code: call N <symbol> ; end
//
// The interrupted fiber (if a foreign method is calling back) and the call's
// fiber are kept in `Root.hostCalls` while it runs, so a collection inside the
// call finds and moves them like anything else; both are read back from there
// afterwards. A snapshot is refused while such a call is on the stack: the
// Swift frames waiting for it cannot be written to an image.

import AmberBytecode

extension VM {
    /// How deep host calls may nest (a foreign method calling `call`, which
    /// runs a foreign method calling `call`, ...).
    public static let maxHostCallDepth = 64

    /// The value of top-level variable `name` of a module that has run.
    public func variable(module: String, name: String) throws -> Handle {
        try enter()
        defer { leave() }
        guard let m = loadedModule(module) else { throw ScriptError("Module '\(module)' is not loaded.") }
        guard let i = moduleVariable(m, name) else {
            throw ScriptError("Module '\(module)' has no variable named '\(name)'.")
        }
        let value = moduleVariableValue(m, i)
        guard !value.isUndefined else {
            throw ScriptError("Variable '\(name)' of module '\(module)' was never assigned: "
                              + "the module stopped before its definition ran.")
        }
        return makeHandle(value)
    }

    /// Calls method `signature` (Wren's form: `score(_)`, `name`, `[_]=(_)`)
    /// on the value `receiver` holds. A runtime error is thrown as a
    /// `ScriptError` with the script's stack trace; the VM stays usable.
    public func call(_ receiver: Handle, _ signature: String, _ arguments: [ScriptValue] = [])
        throws -> ScriptValue {
        try enter()
        defer { leave() }
        try checkOwner(receiver)
        let arity = signature.filter { $0 == "_" }.count
        guard arity <= Compiler.maxParameters else {
            throw ScriptError("Method '\(signature.prefix(40))\(signature.count > 40 ? "..." : "")' has \(arity) parameters; "
                              + "methods take at most \(Compiler.maxParameters).")
        }
        guard arguments.count == arity else {
            throw ScriptError("Method '\(signature)' takes \(arity) argument\(arity == 1 ? "" : "s"), "
                              + "\(arguments.count) given.")
        }
        let symbol = self.symbol(signature)
        guard symbol <= Compiler.maxSymbol else { throw ScriptError(Compiler.tooManySymbolsMessage) }
        return try runHostCall(receiver: receiver, arguments: arguments) {
            makeCallStub(symbol: symbol, arity: arity)
        }
    }

    /// Runs the call stub `makeStub` gives on the receiver and arguments: what
    /// `call` and call handles (CallHandle.swift) share.
    func runHostCall(receiver: Handle, arguments: [ScriptValue], stub makeStub: () -> ObjRef) throws -> ScriptValue {
        guard hostCallDepth < VM.maxHostCallDepth else {
            throw ScriptError("Host calls nested too deeply (more than \(VM.maxHostCallDepth)).")
        }
        if snapshotInProgress { throw ScriptError("Cannot call into the VM while a snapshot is being taken.") }
        if pinnedForeignBytes > 0 {
            throw ScriptError("Cannot call into the VM inside ForeignBytes.withUnsafeMutableBytes (the bytes may move).")
        }
        var values: [Value] = []
        values.reserveCapacity(arguments.count + 1)
        values.append(receiver.value)
        for a in arguments { values.append(try value(from: a)) }

        // The stub and its fiber, with the receiver and arguments in place.
        let stub = makeStub()
        let f = newFiber(stub)
        let stack = arrayElements(heap[f, FiberLayout.stack].ref)
        for (i, v) in values.enumerated() { stack[i] = v }
        heap.setWord(f, FiberLayout.stackTop, values.count)
        heap.setWord(f, FiberLayout.state, FiberState.root.rawValue)

        let calls = root(.hostCalls).ref
        listAppend(calls, fiber.isNone ? .null : fiber.value)
        listAppend(calls, f.value)
        fiber = f
        setRoot(.currentFiber, f.value)
        nestedRuns += 1
        hostCallDepth += 1
        let traceBefore = hostErrorTrace, compileErrorsBefore = hostCompileErrors
        hostErrorTrace = nil
        hostCompileErrors = []
        let outcome = run()
        hostCallDepth -= 1
        nestedRuns -= 1
        // Compile errors of modules it imported come first, then the frames
        // (put together only for an error: a call that returns needs none).
        let errorTrace = hostErrorTrace, compileErrors = hostCompileErrors
        hostErrorTrace = traceBefore
        hostCompileErrors = compileErrorsBefore

        // Everything may have moved: read both fibers back from the root block.
        let list = root(.hostCalls).ref
        let n = listCount(list)
        let callFiber = listGet(list, n - 1).ref
        let outer = listGet(list, n - 2)
        // Pop both, clearing the slots so the list keeps nothing alive.
        listElements(list)[n - 1] = .null
        listElements(list)[n - 2] = .null
        heap.setWord(list, ListLayout.count, n - 2)
        fiber = outer.isObject ? outer.ref : .none
        setRoot(.currentFiber, outer)
        flushOutput()

        switch outcome {
        case .finished:
            let result = heap.word(callFiber, FiberLayout.stackTop) >= 1
                ? arrayElements(heap[callFiber, FiberLayout.stack].ref)[0] : .null
            return scriptValue(result)
        case .runtimeError(let message):
            throw ScriptError(message, stackTrace: compileErrors + (errorTrace ?? []))
        case .exit(let code):
            throw ScriptError("The script called Process.exit(\(code)).")
        }
    }

    /// Writes this VM to an image at `path`, between host calls (no fiber
    /// running). Restore it with `VM.restore(from:configuration:)`.
    public func snapshot(to path: String) throws {
        try enter()
        defer { leave() }
        guard fiber.isNone, nestedRuns == 0 else {
            throw ImageError("Cannot take a snapshot while script code is running; take it between calls.")
        }
        if let error = takeSnapshot(path: path, resume: .methodEntry) { throw ImageError(error) }
    }

    // MARK: Values across the boundary

    /// How deep lists and maps are copied across the boundary: deeper ones
    /// stay in the heap as handles (toward the host) or are refused (toward
    /// the VM), so a conversion never recurses without bound on the Swift stack.
    public static let maxListNesting = 64

    /// A heap value as the host sees it.
    func scriptValue(_ v: Value, depth: Int = 0) -> ScriptValue {
        if v.isNull { return .null }
        if v.isBool { return .bool(v == .true) }
        if v.isNumber { return .number(v.number) }
        if isString(v) { return .string(string(v)) }
        if v.isObject, heap.kind(v.ref) == .list, depth < VM.maxListNesting {
            return .list((0..<listCount(v.ref)).map { scriptValue(listGet(v.ref, $0), depth: depth + 1) })
        }
        if v.isObject, heap.kind(v.ref) == .map, depth < VM.maxListNesting {
            var entries: [(key: ScriptValue, value: ScriptValue)] = []
            for i in 0..<mapCapacity(v.ref) {
                guard let (key, value) = mapEntry(v.ref, i) else { continue }
                entries.append((scriptValue(key, depth: depth + 1), scriptValue(value, depth: depth + 1)))
            }
            return .map(entries)
        }
        return .handle(makeHandle(v))
    }

    /// A host value in the heap. Allocates; never collects.
    func value(from s: ScriptValue, depth: Int = 0) throws(ScriptError) -> Value {
        switch s {
        case .null: return .null
        case .bool(let b): return Value(b)
        case .number(let d): return Value(d)
        case .string(let text): return newString(text).value
        case .list(let items):
            guard depth < VM.maxListNesting else {
                throw ScriptError("A list argument is nested more than \(VM.maxListNesting) levels deep.")
            }
            var values: [Value] = []
            for item in items { values.append(try value(from: item, depth: depth + 1)) }
            return newList(values).value
        case .map(let entries):
            guard depth < VM.maxListNesting else {
                throw ScriptError("A map argument is nested more than \(VM.maxListNesting) levels deep.")
            }
            var pairs: [(Value, Value)] = []
            for e in entries {
                let key = try value(from: e.key, depth: depth + 1)
                guard isValidKey(key) else { throw ScriptError("Key must be a value type.") }
                pairs.append((key, try value(from: e.value, depth: depth + 1)))
            }
            // Nothing collects while converting (see above), so the values stay put.
            let map = newMap()
            for (key, value) in pairs where !mapSet(map, key, value) { throw ScriptError("Out of memory.") }
            return map.value
        case .handle(let h):
            try checkOwner(h)
            return h.value
        }
    }

    /// The source the host's module loader gives for `name`, if any.
    func hostModuleSource(_ name: String) -> String? {
        config.moduleLoader?(name)
    }
}
