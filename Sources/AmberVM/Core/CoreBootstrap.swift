@_spi(AmberInternals) import AmberObjects

// Building the core library in a fresh VM.
//
// Object and Class must exist before any Wren code runs, so they are made
// here by hand. Everything else is declared by the core prelude (Wren source,
// CorePrelude.swift), and then native methods are bound onto those classes.
// Objects allocated before String/List/... existed get their class pointer
// fixed afterwards.

extension VM {
    /// Registers a native method of the core class `className` under
    /// "Class.signature"; the bootstrap binds it (`bindCoreNatives`).
    /// (Nothing is built here: names are spelled out only when looked up.)
    func native(_ className: String, _ signature: String, _ body: @escaping NativeFunction) {
        natives.registerCoreMethod(.init(className: className, signature: signature, isStatic: false,
                                         native: Native(body)))
    }

    /// Registers a static native method of `className` ("Class.static signature"), bound on its metaclass.
    func staticNative(_ className: String, _ signature: String, _ body: @escaping NativeFunction) {
        natives.registerCoreMethod(.init(className: className, signature: signature, isStatic: true,
                                         native: Native(body)))
    }

    func coreClass(_ name: String) -> ObjRef {
        let core = root(.coreModule).ref
        guard let i = moduleVariable(core, name) else { fatalError("core class \(name) missing") }
        return moduleVariableValue(core, i).ref
    }

    /// The natives every VM needs from the start: the host's bindings and
    /// the core library's. Reads nothing from the heap, so a VM restored from
    /// an image gets the same registry as a fresh one. A built-in module's
    /// natives are registered when it is first needed (BuiltinModules.swift).
    func registerNatives() {
        registerHostBindings()
        registerObjectNatives()
        registerClassNatives()
        registerCoreNatives()
    }

    /// The natives of the core classes declared by the prelude.
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

    /// Binds the registered core methods of the classes `classes` names onto
    /// them, in registration order (bootstrap only: a restored heap's method
    /// tables already hold their native ids).
    func bindCoreNatives(of classes: (String) -> Bool) {
        for (index, m) in natives.coreMethods.enumerated() where classes(m.bindingClass) {
            let cls = m.bindingClass.hasSuffix(" metaclass")
                ? heap.classOf(coreClass(String(m.bindingClass.dropLast(" metaclass".count))))
                : coreClass(m.bindingClass)
            bindMethod(cls, symbol(m.signature), Value(coreNativeID(index)))
        }
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
        let objectAndClass: Set = ["Object", "Class", "Object metaclass"]
        bindCoreNatives { $0 == "Object" }
        // Class and Object's metaclass were created before Object had methods.
        inherit(classClass, from: objectClass)
        inherit(objectMeta, from: classClass)
        bindCoreNatives { $0 == "Class" || $0 == "Object metaclass" }
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

        bindCoreNatives { !objectAndClass.contains($0) }

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
