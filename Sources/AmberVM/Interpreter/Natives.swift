#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// A C host's foreign method, which the interpreter calls directly
    /// (`call` does the same, for the other callers).
    let cMethod: CForeignMethod?
    init(_ call: @escaping NativeFunction) {
        self.call = call
        cMethod = nil
    }
    init(cMethod: CForeignMethod) {
        self.cMethod = cMethod
        call = { vm, args in vm.apiRunForeign(args, allocator: false) { cMethod.function(cMethod.vm) } }
    }
}

/// Every native this process can offer, by name: "Class.signature" and
/// "Class.static signature" for core methods, "module.Class.signature" for
/// `foreign` methods of built-in modules and hosts, "module.Class.<allocate>"
/// for foreign classes.
///
/// It is filled from Swift code alone (no heap needed), so a fresh VM and a
/// restored one have the same registry. What is filled, and when
/// (ARCHITECTURE.md, "The port library and natives by name"):
///   - the core methods, when the VM is made: a list in registration order,
///     the order a bootstrap binds them in, so a heap made by this build (the
///     built-in core image) names them in the same order and binding it is a
///     walk comparing bytes, with no dictionary;
///   - the host's bindings, when the VM is made;
///   - a built-in module's natives, when the module is first imported or an
///     image names one of them (`registerBuiltinModule(named:)`).
/// NOTE: registering every native by name into a dictionary at every start
/// (each name built by interpolation) cost 1.1 million instructions, a fifth
/// of `amber hello.wren` once the core came from the built-in image.
struct NativeRegistry {
    /// Host and built-in module natives by name.
    private(set) var functions: [String: Native] = [:]
    /// Name -> id for the natives bound in this VM's heap (the index of
    /// `Root.nativeNames`); built on first use (`VM.nativeID`).
    var ids: [String: Int]? = nil

    /// A core library method implemented natively: the bootstrap binds it to
    /// `signature` on the class `className` (a core class, or "X metaclass"),
    /// or on its metaclass when `isStatic`.
    struct CoreMethod {
        let className: String
        let signature: String
        let isStatic: Bool
        let native: Native
        /// "Class.signature" or "Class.static signature".
        var name: String { isStatic ? "\(className).static \(signature)" : "\(className).\(signature)" }
        /// The class it is bound on, as the bootstrap names it.
        var bindingClass: String { isStatic ? className + " metaclass" : className }

        /// Whether `bytes` spell `name`, compared without building it.
        /// NOTE: memcmp over each part's UTF-8; a loop over `String.utf8`
        /// cost 1,100 instructions a name (180 thousand for the core's 161).
        func isNamed(_ bytes: UnsafeRawBufferPointer) -> Bool {
            var cls = className, sig = signature
            let separator = isStatic ? 8 : 1    // ".static " or "."
            let n = cls.utf8.count, m = sig.utf8.count
            guard let p = bytes.baseAddress, bytes.count == n + separator + m else { return false }
            let dot = p.load(fromByteOffset: n, as: UInt8.self) == UInt8(ascii: ".")
            let static_ = !isStatic || memcmp(p + n + 1, "static ", 7) == 0
            return dot && static_
                && cls.withUTF8 { memcmp(p, $0.baseAddress!, n) == 0 }
                && sig.withUTF8 { memcmp(p + n + separator, $0.baseAddress!, m) == 0 }
        }
    }
    /// In registration order, which is the order the bootstrap binds them in.
    private(set) var coreMethods: [CoreMethod] = []
    /// Core method name -> index in `coreMethods`; built on the first look-up by name.
    private var coreIndex: [String: Int]? = nil

    mutating func register(_ name: String, _ native: Native) { functions[name] = native }
    mutating func registerCoreMethod(_ method: CoreMethod) {
        coreMethods.append(method)
        coreIndex = nil
    }

    /// The native called `name`: a core method's first (as when every native
    /// went into one dictionary and the core registered after the host).
    /// A name in lower case ("io.File.open(_,_)") is no core method's (core
    /// class names are capitalised, a test checks): it skips the core's
    /// index, whose first use costs 300 thousand instructions.
    mutating func lookup(_ name: String) -> Native? {
        if let first = name.utf8.first, first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") {
            return functions[name]
        }
        if coreIndex == nil {
            var index: [String: Int] = [:]
            for (i, m) in coreMethods.enumerated() { index[m.name] = i }
            coreIndex = index
        }
        if let i = coreIndex?[name] { return coreMethods[i].native }
        return functions[name]
    }
}

extension VM {
    /// Registers the native behind `name` (not yet bound to any method).
    func registerNative(_ name: String, _ body: @escaping NativeFunction) {
        natives.register(name, Native(body))
    }

    /// The id of native `name` in this heap, adding it to the heap's name list
    /// and to the process's table on first use. Nil if nothing has that name.
    func nativeID(_ name: String) -> Int? {
        if natives.ids == nil {
            var ids: [String: Int] = [:]
            for (id, bound) in boundNativeNames.enumerated() { ids[bound] = id }
            natives.ids = ids
        }
        if let id = natives.ids?[name] { return id }
        registerBuiltinModule(ofNative: name)
        guard let native = natives.lookup(name) else { return nil }
        return appendNative(name, native)
    }

    /// Binds `native` under the next id: the process's table and the heap's name list.
    private func appendNative(_ name: String, _ native: Native) -> Int {
        let id = nativeTable.count
        nativeTable.append(native)
        natives.ids?[name] = id
        listAppend(root(.nativeNames).ref, newString(name).value)
        return id
    }

    /// The id of core method `index` (of `natives.coreMethods`), binding it on first use.
    func coreNativeID(_ index: Int) -> Int {
        let m = natives.coreMethods[index]
        let list = root(.nativeNames).ref
        // A bootstrap binds them in registration order: usually at its own index.
        if index < listCount(list), m.isNamed(stringBuffer(listGet(list, index).ref)) { return index }
        return nativeID(m.name)!
    }

    /// Object's `==(_)` and `!=(_)` as method table entries (their native ids,
    /// fixed once bound), looked up by name once per VM rather than per run.
    var objectEqualityNatives: (equals: Value, notEquals: Value) {
        if let known = objectEqualityIDs { return known }
        // A walk of the bound names (Object's come first), not the name index.
        let list = root(.nativeNames).ref
        func entry(_ name: String) -> Value {
            var name = name
            return name.withUTF8 { wanted in
                for id in 0..<listCount(list) {
                    let bytes = stringBuffer(listGet(list, id).ref)
                    if bytes.count == wanted.count && memcmp(bytes.baseAddress!, wanted.baseAddress!, wanted.count) == 0 {
                        return Value(Double(id))
                    }
                }
                return .undefined
            }
        }
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
    ///
    /// An image of this build (the built-in core image, most user images)
    /// names the core methods first and in registration order: those are
    /// matched by comparing bytes, in one walk. A native of a preloaded
    /// module no program imported gets a placeholder that binds it later
    /// (Loader/PreloadedModules.swift). Any other name is looked up,
    /// registering the built-in module it belongs to first.
    func bindNativesFromImage(path: String) throws(ImageError) -> Int {
        let list = root(.nativeNames).ref
        let count = listCount(list)
        var table: [Native] = []
        table.reserveCapacity(count)
        var missing: [String] = []
        let core = natives.coreMethods
        let notImported = count > core.count ? preloadedModulesNotImported() : []
        var pending = [Bool](repeating: false, count: notImported.isEmpty ? 0 : count)
        for id in 0..<count {
            let bytes = stringBuffer(listGet(list, id).ref)
            if id < core.count && core[id].isNamed(bytes) {
                table.append(core[id].native)
                continue
            }
            // A preloaded module no program imported: bound on import or first call.
            if !notImported.isEmpty && nativeName(bytes, isIn: notImported) {
                table.append(pendingNative(id))
                pending[id] = true
                continue
            }
            let name = String(decoding: bytes, as: UTF8.self)
            registerBuiltinModule(ofNative: name)
            // A host that binds on demand (the C API) is asked first, as when the class was defined.
            guard let native = hostNative(forImageName: name, id: id) ?? natives.lookup(name) else {
                missing.append(name)
                table.append(Native { vm, _ in vm.fail("Native '\(name)' is not available.") })
                continue
            }
            if !config.bindings.classes.isEmpty { noteHostFinalizer(name, id: id) }
            table.append(native)
        }
        if !missing.isEmpty {
            if let message = missingHostBindingsMessage(path: path, missing) { throw ImageError(message) }
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw ImageError("Image '\(path)' needs \(missing.count) native method\(missing.count == 1 ? "" : "s") "
                             + "this process does not provide: \(list).")
        }
        nativeTable = table
        pendingNatives = pending
        natives.ids = nil
        return count
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
