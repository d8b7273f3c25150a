@_spi(AmberInternals) import AmberObjects

// Natives: Swift functions behind script methods, known by name.
//
// A method table slot holds either a closure (a script method) or a Num: the
// native's id. The id indexes a list of names that lives in the heap
// (`Root.nativeNames`), so it is part of every image:
//
//     method table            heap: Root.nativeNames        process: VM.nativeTable
//     [ ..., 17, ... ]  --->  [ ..., "Num.sqrt", ... ]  ===  [ ..., <fn>, ... ]
//                              entry 17                        entry 17
//
// The right-hand table is per process and rebuilt on restore by looking up
// every name in this process's `NativeRegistry` (the built-in natives plus the
// host's bindings). An image therefore survives a build that adds, removes or
// reorders registrations; only a name that is missing altogether fails the
// restore, and then every missing name is reported at once.
//
// The calling contract (the loop's side is in Interpreter.swift):
//   - `args[0]` is the receiver, `args[1...]` the arguments; the loop has
//     saved its registers into the fiber before the call.
//   - Return true with the result in `args[0]`: the loop pops the arguments.
//   - Return false with `vm.fail(...)`: a runtime error unwinds.
//   - Return false with no error: the native changed the running fiber,
//     pushed a frame, or ran nested script code (which may have moved every
//     object). The loop reloads its registers from the fiber, so such a native
//     must leave its result in the fiber's stack itself (`finishReentrant`).
//   - A native may allocate, but it never collects: collections happen only
//     at safe points of the loop, so `args` stays valid unless the native
//     runs script code.

/// A native method: args[0] is the receiver, args[1...arity] the arguments.
package typealias NativeFunction = (VM, UnsafeMutablePointer<Value>) -> Bool

/// A native method as the interpreter's table holds it.
/// NOTE: an array of bare function values stores them at maximal
/// abstraction, so every call went through a reabstraction thunk; a struct
/// field keeps the function's natural calling convention.
struct Native {
    let call: NativeFunction
    init(_ call: @escaping NativeFunction) { self.call = call }
}

/// Every native this process can offer, by name: "Class.signature" and
/// "Class.static signature" for core methods, "module.Class.signature" for
/// `foreign` methods of built-in modules and hosts, "module.Class.<allocate>"
/// for foreign classes.
///
/// It is filled when a VM is made, from Swift code alone (no heap needed), so
/// a fresh VM and a restored one have the same registry; a fresh VM's
/// bootstrap then binds the core methods onto its classes (`coreMethods`), a
/// restored one finds every name its image uses (`bindNativesFromImage`).
struct NativeRegistry {
    private(set) var functions: [String: Native] = [:]
    /// Name -> id for the natives bound in this VM's heap (the index of
    /// `Root.nativeNames`).
    var ids: [String: Int] = [:]

    /// A core library method implemented natively: the bootstrap binds
    /// `name` to `signature` on the class `className` (a core class, or
    /// "X metaclass" for a static method of X).
    struct CoreMethod {
        let className: String
        let signature: String
        let name: String
    }
    /// In registration order, which is the order the bootstrap binds them in.
    private(set) var coreMethods: [CoreMethod] = []

    mutating func register(_ name: String, _ native: Native) { functions[name] = native }
    mutating func registerCoreMethod(_ method: CoreMethod, _ native: Native) {
        functions[method.name] = native
        coreMethods.append(method)
    }
    func lookup(_ name: String) -> Native? { functions[name] }
}

extension VM {
    /// Registers the native behind `name` (not yet bound to any method).
    func registerNative(_ name: String, _ body: @escaping NativeFunction) {
        natives.register(name, Native(body))
    }

    /// The id of native `name` in this heap, adding it to the heap's name list
    /// and to the process's table on first use. Nil if nothing has that name.
    func nativeID(_ name: String) -> Int? {
        if let id = natives.ids[name] { return id }
        guard let native = natives.lookup(name) else { return nil }
        let id = nativeTable.count
        nativeTable.append(native)
        natives.ids[name] = id
        listAppend(root(.nativeNames).ref, newString(name).value)
        return id
    }

    /// Object's `==(_)` and `!=(_)` as method table entries (their native ids,
    /// fixed once bound), looked up by name once per VM rather than per run.
    var objectEqualityNatives: (equals: Value, notEquals: Value) {
        if let known = objectEqualityIDs { return known }
        func entry(_ name: String) -> Value { nativeID(name).map { Value(Double($0)) } ?? .undefined }
        let found = (equals: entry("Object.==(_)"), notEquals: entry("Object.!=(_)"))
        objectEqualityIDs = found
        return found
    }

    /// The names the heap's method tables refer to, in id order.
    var boundNativeNames: [String] {
        let list = root(.nativeNames)
        guard list.isObject else { return [] }
        return (0..<listCount(list.ref)).map { string(listGet(list.ref, $0)) }
    }

    /// After a restore: fills the process's native table from the heap's
    /// name list. Throws with every name this process lacks.
    func bindNativesFromImage(path: String) throws(ImageError) -> Int {
        let names = boundNativeNames
        var table: [Native] = []
        table.reserveCapacity(names.count)
        var missing: [String] = []
        for (id, name) in names.enumerated() {
            // A host that binds on demand (the C API) is asked first, as when the class was defined.
            guard let native = hostNative(forImageName: name, id: id) ?? natives.lookup(name) else {
                missing.append(name)
                table.append(Native { vm, _ in vm.fail("Native '\(name)' is not available.") })
                continue
            }
            table.append(native)
            natives.ids[name] = id
        }
        if !missing.isEmpty {
            if let message = missingHostBindingsMessage(path: path, missing) { throw ImageError(message) }
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw ImageError("Image '\(path)' needs \(missing.count) native method\(missing.count == 1 ? "" : "s") "
                             + "this process does not provide: \(list).")
        }
        nativeTable = table
        return names.count
    }

    /// For a native that ran script code (a host method calling `VM.call`):
    /// writes `result` into the running fiber's stack at `base` (where args[0]
    /// was), pops the arguments, and returns false so the loop reloads.
    func finishReentrant(base: Int, result: Value) -> Bool {
        let f = fiber
        arrayElements(heap[f, FiberLayout.stack].ref)[base] = result
        heap.setWord(f, FiberLayout.stackTop, base + 1)
        return false
    }
}
