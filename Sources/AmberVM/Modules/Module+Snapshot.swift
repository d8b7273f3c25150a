@_spi(AmberInternals) import AmberObjects

// The `snapshot` module: script-level hooks and snapshots from script code.
//
// Hook registrations are heap objects (a List in the root block), so they are
// part of the image and the restored process runs the post-restore hooks the
// original registered. Each registration is a List [kind, priority, closure].

/// When a script hook runs; the raw value is what `register_` stores.
enum ScriptHookKind: Int {
    case preSnapshot = 0
    case postRestore = 1
}

extension VM {
    static let snapshotSource = """
    // A value that is never written into an image: it is emptied before every
    // snapshot, and holds null after a restore until a post-restore hook sets it.
    class Transient {
      construct new_(value) { _value = value }
      value { _value }
      value=(v) { _value = v }
    }

    class Snapshot {
      static transient(value) { keep_(Transient.new_(value)) }
      foreign static keep_(box)

      static registerPreSnapshotHook(fn) { register_(0, 0, fn) }
      static registerPreSnapshotHook(priority, fn) { register_(0, priority, fn) }
      static registerPostRestoreHook(fn) { register_(1, 0, fn) }
      static registerPostRestoreHook(priority, fn) { register_(1, priority, fn) }

      // KEY=VALUE lines read into the environment of every restored process.
      foreign static registerRestoreEnvFile(path)
      // Variables whose value must be the same at restore as at snapshot.
      foreign static registerImmutableEnv(names)

      foreign static register_(kind, priority, fn)
      // Writes an image; false in the writing process, true when resumed from it.
      foreign static take(path)
      foreign static isRestored
      foreign static generation
      foreign static downtime
    }
    """

    /// Runs the script hooks of `kind` each in its own fiber to completion;
    /// returns the error messages of those that failed. Pre-snapshot hooks run
    /// from low to high priority, post-restore from high to low (ARCHITECTURE.md,
    /// "The image"); equal priorities keep their registration order.
    func runScriptHooks(_ kind: ScriptHookKind) -> [String] {
        let registry = root(.hooks)
        guard registry.isObject else { return [] }
        var entries: [(priority: Double, order: Int, fn: Value)] = []
        let list = registry.ref
        for i in 0..<listCount(list) {
            let e = listGet(list, i).ref
            if listGet(e, 0) == Value(kind.rawValue) {
                entries.append((listGet(e, 1).number, i, listGet(e, 2)))
            }
        }
        entries.sort { a, b in
            if a.priority != b.priority { return kind == .preSnapshot ? a.priority < b.priority : a.priority > b.priority }
            return a.order < b.order
        }
        // Keep the hook closures in a rooted list: a hook may trigger a collection.
        let pendingHooks = newList(entries.map(\.fn))
        setRoot(.savedFiber, newList([fiber.isNone ? .null : fiber.value, pendingHooks.value]).value)
        var failures: [String] = []
        for i in 0..<entries.count {
            let saved = root(.savedFiber).ref
            let closure = listGet(listGet(saved, 1).ref, i).ref
            let hookFiber = newFiber(closure)
            heap.setWord(hookFiber, FiberLayout.state, FiberState.root.rawValue)
            fiber = hookFiber
            setRoot(.currentFiber, hookFiber.value)
            nestedRuns += 1
            let outcome = run()
            nestedRuns -= 1
            if case .runtimeError(let message) = outcome { failures.append(message) }
            if case .exit(let code) = outcome { exitCode = code; failures.append("exit(\(code))") }
        }
        let saved = root(.savedFiber).ref
        let original = listGet(saved, 0)
        fiber = original.isObject ? original.ref : .none
        setRoot(.currentFiber, original)
        setRoot(.savedFiber, .null)
        return failures
    }

    func registerSnapshotModule() {
        registerBuiltinModule("snapshot", source: VM.snapshotSource)
        foreign("snapshot.Snapshot.static keep_(_)") { vm, a in
            vm.listAppend(vm.rootCollection(.transients, map: false), a[1])
            return vm.ret(a, a[1])
        }
        foreign("snapshot.Snapshot.static register_(_,_,_)") { vm, a in
            guard a[2].isNumber else { return vm.fail("Priority must be a number.") }
            guard vm.isClosure(a[3]) else { return vm.fail("Hook must be a function.") }
            guard vm.fnArity(vm.closureFn(a[3].ref)) == 0 else { return vm.fail("Hook must take no arguments.") }
            if !vm.root(.hooks).isObject { vm.setRoot(.hooks, vm.newList().value) }
            vm.listAppend(vm.root(.hooks).ref, vm.newList([a[1], a[2], a[3]]).value)
            return vm.ret(a, .null)
        }
        foreign("snapshot.Snapshot.static take(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Path must be a string.") }
            let path = vm.string(a[1])
            guard !path.isEmpty else { return vm.fail("Path must not be empty.") }
            // The pending call's result slot is a[0]: false here; a restore writes true.
            a[0] = .false
            vm.suspendCurrent(a)
            if let error = vm.takeSnapshot(path: path, resume: .snapshotTake) { return vm.fail(error) }
            // Objects moved: the loop reloads from the fiber, which holds the result.
            return false
        }
        foreign("snapshot.Snapshot.static registerRestoreEnvFile(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Path must be a string.") }
            // Recorded absolute: a restore may run in another directory.
            var path = vm.string(a[1])
            if !path.hasPrefix("/"), let cwd = vm.port.workingDirectory() {
                path = VM.normalize(String(decoding: cwd, as: UTF8.self) + "/" + path)
            }
            vm.listAppend(vm.rootCollection(.envFiles, map: false), vm.newString(path).value)
            return vm.ret(a, .null)
        }
        foreign("snapshot.Snapshot.static registerImmutableEnv(_)") { vm, a in
            guard a[1].isObject, vm.heap.kind(a[1].ref) == .list else { return vm.fail("Names must be a list of strings.") }
            let names = vm.listValues(a[1].ref)
            guard names.allSatisfy({ vm.isString($0) }) else { return vm.fail("Names must be a list of strings.") }
            let m = vm.rootCollection(.immutableEnv, map: true)
            for n in names { vm.mapSet(m, n, vm.environmentFingerprint(vm.string(n))) }
            return vm.ret(a, .null)
        }
        foreign("snapshot.Snapshot.static isRestored") { vm, a in vm.ret(a, Value(vm.restored)) }
        foreign("snapshot.Snapshot.static generation") { vm, a in vm.ret(a, Value(vm.generation)) }
        foreign("snapshot.Snapshot.static downtime") { vm, a in vm.ret(a, Value(vm.downtime)) }
    }
}

/// What a transient box held while an image was written without it.
enum TransientValue {
    case plain(Value)        // null, a bool or a number: no heap object
    case string([UInt8])     // re-created after writing
    /// A string read from the environment (or made from one): re-created with its mark,
    /// so a copy taken out of the box later is still kept out of images.
    case markedString([UInt8], name: [UInt8], mark: UInt8)
    case dropped             // another object: the writer loses it too
}

extension VM {
    /// Empties every `Snapshot.transient` box (before a snapshot) and returns
    /// what they held, as far as it can be kept outside the heap.
    func emptyTransients() -> [TransientValue] {
        guard root(.transients).isObject else { return [] }
        let list = root(.transients).ref
        return (0..<listCount(list)).map { i in
            let box = listGet(list, i).ref
            let v = heap[box, 0]
            heap[box, 0] = .null
            if !v.isObject { return .plain(v) }
            if isString(v), let source = environmentSource(v.ref) {
                return .markedString(Array(stringBuffer(v.ref)), name: source.name, mark: environmentMark(v.ref))
            }
            if isString(v) { return .string(Array(stringBuffer(v.ref))) }
            return .dropped
        }
    }

    /// Puts back what `emptyTransients` kept (after the image is written).
    func refillTransients(_ saved: [TransientValue]) {
        guard root(.transients).isObject else { return }
        let list = root(.transients).ref
        for (i, value) in saved.enumerated() where i < listCount(list) {
            let box = listGet(list, i).ref
            switch value {
            case .plain(let v): heap[box, 0] = v
            case .string(let bytes): heap[box, 0] = newString(bytes: bytes).value
            case .markedString(let bytes, let name, let mark):
                let s = bytes.withUnsafeBytes { newMarkedString($0, name: name, mark: mark) }
                heap[box, 0] = s?.value ?? .null
            case .dropped: break
            }
        }
    }
}
