@_spi(AmberInternals) import AmberObjects

// Module "meta": the Meta class of Wren's optional meta module.
//
//   Meta.getModuleVariables(name)  names of a loaded module's top-level variables
//   Meta.eval(source)              compiles source into the calling module and runs it
//   Meta.compile(source)           ... and returns it as a Fn (null on a compile error)
//   Meta.compileExpression(source) a Fn returning the value of one expression
//
// A native cannot call back into the interpreter, so compile_ only compiles:
// it hands back a closure over the module body and the Wren half calls it.
// Errors are printed by compile and compileExpression, not by eval, as in Wren.

extension VM {
    // Each Fiber.abort sits on the line where Wren's own meta module has it,
    // so stack traces name the same lines as Wren's.
    static let metaModuleSource = """
    class Meta {
      static getModuleVariables(module) {
        if (!(module is String)) Fiber.abort("Module name must be a string.")
        // The names of the module's variables, in the order they were
        // defined (the core's first: every module starts with them).
        var names = variableNames_(module)
        if (names == null) Fiber.abort("Could not find a module named '%(module)'.")
        return names
      }
      static eval(source) {
        if (!(source is String)) Fiber.abort("Source code must be a string.")
        // Compiled as more of the calling module: its variables are visible
        // and new ones become its own. A failed compile leaves nothing behind.
        var fn = compile_(source, false, false)
        if (fn == null) Fiber.abort("Could not compile source code.")
        fn.call()
      }

      static compile(source) {
        if (!(source is String)) Fiber.abort("Source code must be a string.")
        return compile_(source, false, true)
      }

      static compileExpression(source) {
        if (!(source is String)) Fiber.abort("Source code must be a string.")
        return compile_(source, true, true)
      }

      foreign static compile_(source, isExpression, printErrors)
      foreign static variableNames_(module)
    }
    """

    func registerMetaModule() {
        registerBuiltinModule("meta", source: VM.metaModuleSource)

        foreign("meta.Meta.static compile_(_,_,_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Source code must be a string.") }
            guard let module = vm.callingModule() else {
                return vm.fail("Could not find the module of the calling code.")
            }
            let source = Array(vm.stringBuffer(a[1].ref))
            let isExpression = !a[2].isFalsy
            let printErrors = !a[3].isFalsy
            let variables = vm.heap[module, ModuleLayout.variables].ref
            let storageBefore = vm.heap[variables, ListLayout.elements]
            let names = vm.heap[module, ModuleLayout.variableNames].ref
            let declared = (vm.listCount(names), vm.listCount(variables))

            let compiler = Compiler(vm: vm, module: module, modulePath: vm.moduleName(module) ?? "core",
                                    source: source)
            let result = isExpression ? compiler.compileExpressionBody() : compiler.compileModule()
            var closure = Value.null
            switch result {
            case .failure(let e):
                // The variables the failed code declared are dropped again.
                vm.truncateList(names, to: declared.0)
                vm.truncateList(variables, to: declared.1)
                if printErrors { vm.reportCompileErrors(module: vm.moduleName(module) ?? "core", e.messages) }
            case .success(let fn):
                closure = vm.newClosure(fn).value
            }
            // New module variables may have moved the module's variable storage.
            // The loop caches a pointer to it for the running frame; when that
            // frame is in this module (compile_ called directly, not through
            // Meta), make the loop reload instead of returning the usual way.
            if vm.heap[variables, ListLayout.elements] != storageBefore && vm.topFrameModule() == module {
                return vm.retReloadingFrame(a, closure)
            }
            return vm.ret(a, closure)
        }

        foreign("meta.Meta.static variableNames_(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Module name must be a string.") }
            guard let m = vm.mapGet(vm.root(.modules).ref, a[1]), m.isObject,
                  vm.heap.kind(m.ref) == .module else {
                return vm.ret(a, .null)
            }
            // Amber keeps static fields as module variables under names with a
            // space ("Class#1 __x"); Wren keeps them elsewhere, so hide them.
            let names = vm.listValues(vm.heap[m.ref, ModuleLayout.variableNames].ref).filter {
                !vm.stringBuffer($0.ref).contains(0x20)
            }
            return vm.ret(a, vm.newList(names).value)
        }
    }

    /// The module of the innermost running frame that is not in the core or
    /// meta module: the code that called Meta.
    func callingModule() -> ObjRef? {
        let f = fiber
        guard !f.isNone else { return nil }
        let frames = framesPointer(f)
        var i = heap.word(f, FiberLayout.frameCount) - 1
        while i >= 0 {
            let closure = ObjRef(offset: UInt(frames[i * FrameLayout.words]))
            let module = fnModule(closureFn(closure))
            i -= 1
            guard let name = moduleName(module), name != "meta" else { continue }
            return module
        }
        return nil
    }

    /// The module of the running fiber's top frame.
    func topFrameModule() -> ObjRef? {
        let f = fiber
        guard !f.isNone else { return nil }
        let count = heap.word(f, FiberLayout.frameCount)
        guard count > 0 else { return nil }
        let closure = ObjRef(offset: UInt(framesPointer(f)[(count - 1) * FrameLayout.words]))
        return fnModule(closureFn(closure))
    }

    /// Returns `v` from a native through the fiber rather than the fast path,
    /// so the interpreter reloads its cached frame state (the native contract:
    /// returning false with no error set means "reload from the fiber").
    func retReloadingFrame(_ args: UnsafeMutablePointer<Value>, _ v: Value) -> Bool {
        args[0] = v
        let stack = arrayElements(heap[fiber, FiberLayout.stack].ref)
        heap.setWord(fiber, FiberLayout.stackTop, args - stack + 1)
        return false
    }
}

extension Compiler {
    /// Compiles the source as a single expression whose value the function
    /// returns (Meta.compileExpression); the expression must end the source.
    func compileExpressionBody() -> Result<ObjRef, CompileError> {
        let top = FunctionScope(parent: nil, isMethod: false, name: "(script)", atModuleLevel: true)
        scopes = [top]
        startReading()
        ignoreNewlines()
        expression()
        consume(.eof, "Expect end of expression.")
        emit(.return)
        reportUndefinedVariables()
        if hadError { return .failure(CompileError(messages: errors)) }
        let (f, _) = endFunction()
        return .success(f)
    }
}
