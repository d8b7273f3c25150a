@_spi(AmberInternals) import AmberObjects

// Building the core library in a fresh VM.
//
// Object and Class must exist before any Wren code runs, so they are made
// here by hand. Everything else is declared by the core prelude (Wren source,
// CorePrelude.swift), and then native methods are bound onto those classes.
// Objects allocated before String/List/... existed get their class pointer
// fixed afterwards.

extension VM {
    /// Registers a native method of `cls` under "Class.signature" and, in a
    /// VM being bootstrapped, binds it to `cls` under `signature`.
    func native(_ cls: ObjRef, _ signature: String, _ body: @escaping NativeFunction) {
        let name = "\(className(cls)).\(signature)"
        registerNative(name, body)
        if bindingNatives { bindMethod(cls, symbol(signature), Value(nativeID(name)!)) }
    }

    /// Registers (and binds) a static native method, on the metaclass.
    func staticNative(_ cls: ObjRef, _ signature: String, _ body: @escaping NativeFunction) {
        let name = "\(className(cls)).static \(signature)"
        registerNative(name, body)
        if bindingNatives { bindMethod(heap.classOf(cls), symbol(signature), Value(nativeID(name)!)) }
    }

    func coreClass(_ name: String) -> ObjRef {
        let core = root(.coreModule).ref
        guard let i = moduleVariable(core, name) else { fatalError("core class \(name) missing") }
        return moduleVariableValue(core, i).ref
    }

    /// The natives bound after the prelude has declared the core classes.
    func registerCoreNatives() {
        registerBoolNullNatives()
        registerNumNatives()
        registerStringNatives()
        registerListNatives()
        registerMapNatives()
        registerRangeNatives()
        registerFnFiberNatives()
        registerSystemNatives()
    }

    /// Registers this process's natives for a heap restored from an image,
    /// by name; nothing is bound or allocated. The restorer then resolves
    /// every name the image's method tables use (`bindNativesFromImage`).
    func registerNativesForImage() {
        bindingNatives = false
        defer { bindingNatives = true }
        registerObjectNatives()
        registerClassNatives()
        registerCoreNatives()
        registerBuiltinModules()
    }

    func bootstrapCore() throws {

        // Object, Class and Object's metaclass, tied together by hand.
        let objName = newString("Object").value
        classClass = .none
        objectClass = newClassObject(name: objName, superclass: .none, numFields: 0, metaclass: .none)
        classClass = newClassObject(name: newString("Class").value, superclass: objectClass, numFields: 0, metaclass: .none)
        let objectMeta = newClassObject(name: newString("Object metaclass").value, superclass: classClass,
                                        numFields: 0, metaclass: classClass)
        heap.setClass(objectClass, objectMeta)
        heap.setClass(classClass, classClass)
        setRoot(.objectClass, objectClass.value)
        setRoot(.classClass, classClass.value)

        let core = newModule(name: nil)
        setRoot(.coreModule, core.value)
        defineModuleVariable(core, "Object", objectClass.value)
        defineModuleVariable(core, "Class", classClass.value)
        registerObjectNatives()
        // Class and Object's metaclass were created before Object had methods.
        inherit(classClass, from: objectClass)
        inherit(objectMeta, from: classClass)
        registerClassNatives()
        inherit(objectMeta, from: classClass)

        // The Wren half of the core library declares the other classes.
        let compiler = Compiler(vm: self, module: core, modulePath: "core", source: Array(corePreludeSource.utf8))
        guard case .success(let fn) = compiler.compileModule() else {
            throw VMError.compile(compiler.errors.joined(separator: "\n"))
        }
        let names: [(Root, String)] = [
            (.boolClass, "Bool"), (.nullClass, "Null"), (.numClass, "Num"), (.stringClass, "String"),
            (.listClass, "List"), (.mapClass, "Map"), (.rangeClass, "Range"), (.fnClass, "Fn"),
            (.fiberClass, "Fiber"), (.systemClass, "System"), (.sequenceClass, "Sequence"),
        ]
        // Classes are created when the prelude body runs; run it with the few
        // natives it needs (List literals) bound as soon as List exists.
        let closure = newClosure(fn)
        let f = newFiber(closure)
        heap.setWord(f, FiberLayout.state, FiberState.root.rawValue)
        fiber = f
        setRoot(.currentFiber, f.value)
        // Bind natives lazily: the prelude defines classes only, so run it first.
        let outcome = run()
        guard outcome == .finished else { throw VMError.runtime("core prelude failed: \(outcome)") }
        for (r, name) in names { setRoot(r, coreClass(name).value) }
        reloadRoots()
        fixUpBootstrapClasses()

        registerCoreNatives()

        let builtins: [(String, BuiltinKind)] = [
            ("Bool", .bool), ("Class", .classObj), ("Fiber", .fiber), ("Fn", .fn), ("List", .list),
            ("Map", .map), ("Null", .null), ("Num", .num), ("Range", .range), ("String", .string),
        ]
        for (name, kind) in builtins { heap[coreClass(name), ClassLayout.builtin] = Value(kind.rawValue) }
        fiber = .none
        setRoot(.currentFiber, .null)
    }

    /// Gives objects made before their class existed (strings, lists, maps, functions) their class.
    func fixUpBootstrapClasses() {
        var scan = Heap.firstObject
        while scan < heap.top {
            let r = ObjRef(offset: UInt(scan))
            let size = heap.size(r)
            if heap.classOf(r).isNone {
                switch heap.kind(r) {
                case .string: heap.setClass(r, stringClass)
                case .list: heap.setClass(r, listClass)
                case .map: heap.setClass(r, mapClass)
                case .fn, .closure: heap.setClass(r, fnClass)
                case .fiber: heap.setClass(r, fiberClass)
                case .range: heap.setClass(r, rangeClass)
                default: break
                }
            }
            scan += size
        }
    }
}
