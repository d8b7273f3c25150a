#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The class loader: resolves `import "name"` to a module, compiles it once,
// and hands its body to the interpreter to run.
//
// Resolution order: built-in modules, then the host's module loader
// (`VMConfiguration.moduleLoader`), then the importing module's directory,
// then each classpath entry (`-cp a:b`). Files are read through the port
// library's file-system slot. A module's name is its path without
// the ".wren" extension, which is also what stack traces show.

enum ImportResult {
    case loaded                // already ran; nothing to do
    case mustRun(ObjRef)       // a closure for the module body, to be called
    case failed                // error set
}

/// Why interpreting source failed before it could run.
public enum InterpretResult: Equatable {
    case success
    case compileError([String])
    case runtimeError(String)
    case exit(Int32)
}

extension VM {
    /// A fresh module that sees every core class, under the same variable indices as the core module.
    func makeModule(name: String?) -> ObjRef {
        let m = newModule(name: name)
        let core = root(.coreModule)
        if core.isObject {
            let names = heap[core.ref, ModuleLayout.variableNames].ref
            let values = heap[core.ref, ModuleLayout.variables].ref
            for i in 0..<listCount(names) {
                listAppend(heap[m, ModuleLayout.variableNames].ref, listGet(names, i))
                listAppend(heap[m, ModuleLayout.variables].ref, listGet(values, i))
            }
        }
        return m
    }

    func loadedModule(_ name: String) -> ObjRef? {
        let v = mapGet(root(.modules).ref, newString(name).value)
        return v?.ref
    }

    func registerModule(_ name: String, _ m: ObjRef) {
        mapSet(root(.modules).ref, newString(name).value, m.value)
    }

    /// Canonical module name and file for `name` imported from module `importer`.
    func resolveModule(_ name: String, importer: String?) -> (String, String?)? {
        if isBuiltinModule(name) { return (name, nil) }
        if loadedModule(name) != nil { return (name, nil) }
        if hostModuleSource(name) != nil { return (name, nil) }
        var candidates: [String] = []
        if name.hasPrefix("/") {
            candidates.append(name)
        } else {
            let dir = importer.map { VM.directory(of: $0) } ?? "."
            candidates.append(VM.normalize(dir.isEmpty ? name : dir + "/" + name))
            for entry in config.classpath where !entry.isEmpty {
                candidates.append(VM.normalize(entry + "/" + name))
            }
        }
        // Last, as Wren's CLI does for names that are not paths: packages in the
        // nearest `wren_modules` directory above the importing module
        // ("foo" -> wren_modules/foo/foo.wren, "foo/bar" -> wren_modules/foo/bar.wren).
        if !name.hasPrefix("/") && !name.hasPrefix("./") && !name.hasPrefix("../"),
           let modules = nearestModulesDirectory(from: importer.map { VM.directory(of: $0) } ?? ".") {
            let base = modules + "/" + name
            candidates.append(name.contains("/") ? base : base + "/" + name)
            candidates.append(base)
        }
        for c in candidates {
            let canonical = c.hasSuffix(".wren") ? String(c.dropLast(5)) : c
            if loadedModule(canonical) != nil { return (canonical, nil) }
            let file = filePath(canonical + ".wren")
            if port.fileSystem.isFile(Array(file.utf8)) { return (canonical, file) }
        }
        return nil
    }

    /// Drops a list's elements from `count` on (clearing their slots).
    func truncateList(_ l: ObjRef, to count: Int) {
        let n = listCount(l)
        guard count < n else { return }
        for i in count..<n { listElements(l)[i] = .null }
        heap.setWord(l, ListLayout.count, count)
    }

    /// A relative path as this VM means it: against the writer's working
    /// directory after a restore, else unchanged (this process's).
    func filePath(_ path: String) -> String {
        guard let base = moduleBaseDirectory, !path.hasPrefix("/") else { return path }
        return VM.normalize(base + "/" + path)
    }

    /// The closest `wren_modules` directory at or above `directory`.
    func nearestModulesDirectory(from directory: String) -> String? {
        var dir = directory.isEmpty ? "." : directory
        for _ in 0..<64 {
            let candidate = dir + "/wren_modules"
            if port.fileSystem.isDirectory(Array(filePath(candidate).utf8)) { return VM.normalize(candidate) }
            // Walk up: through "..", since module names may be relative.
            guard case .success(let real) = port.fileSystem.realPath(Array(filePath(dir).utf8)) else { return nil }
            if real == [UInt8(ascii: "/")] { return nil }
            dir += "/.."
        }
        return nil
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Removes "." segments and folds ".." where possible.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        let absolute = path.hasPrefix("/")
        // A relative path keeps saying so ("./a/b"), as module names in traces do.
        let dotted = path.hasPrefix("./") || path.hasPrefix("../")
        for p in path.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(p)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return dotted && !joined.hasPrefix("..") ? "./" + joined : joined
    }

    /// Reads a whole regular file through the system port (scripts, env files).
    public static func readFile(_ path: String) -> Result<[UInt8], PortError> {
        FilePort().readWholeFile(Array(path.utf8))
    }

    /// The `importModule` instruction.
    func importModule(_ nameValue: Value, from importer: ObjRef) -> ImportResult {
        if let imports = config.hostHooks.imports { return importHostModule(nameValue, from: importer, imports) }
        let name = string(nameValue)
        guard let (canonical, file) = resolveModule(name, importer: moduleName(importer)) else {
            let dir = moduleName(importer).map { VM.directory(of: $0) } ?? ""
            let shown = name.hasPrefix(".") && !dir.isEmpty ? VM.normalize(dir + "/" + name) : name
            _ = fail("Could not load module '\(shown)'.")
            return .failed
        }
        if let m = loadedModule(canonical) {
            setRoot(.lastModule, m.value)
            return .loaded
        }
        // A built-in module loaded or compiled at build time (PreloadedModules.swift).
        if file == nil, let preloaded = takePreloadedModule(canonical) { return preloaded }
        let source: [UInt8]
        if let file {
            guard case .success(let bytes) = port.fileSystem.readWholeFile(Array(file.utf8)) else {
                _ = fail("Could not load module '\(name)'.")
                return .failed
            }
            source = bytes
        } else if let builtin = builtinModuleSource(canonical) {
            source = Array(builtin.utf8)
        } else if let hosted = hostModuleSource(canonical) {
            source = Array(hosted.utf8)
        } else {
            _ = fail("Could not load module '\(name)'.")
            return .failed
        }
        switch compileModule(name: canonical, source: source) {
        case .failure(let e):
            // Inside a host call the messages go to the host with the error.
            if hostCallDepth > 0 { hostCompileErrors += e.messages } else {
                reportCompileErrors(module: canonical, e.messages)
            }
            _ = fail("Could not compile module '\(canonical)'.")
            return .failed
        case .success(let closure):
            return .mustRun(closure)
        }
    }

    /// Compiles source as module `name` (creating and registering the module); returns the body closure.
    func compileModule(name: String, source: [UInt8], printExpressions: Bool = false) -> Result<ObjRef, CompileError> {
        let module: ObjRef
        if let m = loadedModule(name) { module = m } else {
            module = makeModule(name: name)
            registerModule(name, module)
        }
        // A failed compile must leave the module as it was: the variables it
        // declared on the way (a REPL line, Meta.eval) are dropped again.
        let names = heap[module, ModuleLayout.variableNames].ref, values = heap[module, ModuleLayout.variables].ref
        let declared = (listCount(names), listCount(values))
        let compiler = Compiler(vm: self, module: module, modulePath: name, source: source)
        compiler.printExpressions = printExpressions
        switch compiler.compileModule() {
        case .failure(let e):
            truncateList(heap[module, ModuleLayout.variableNames].ref, to: declared.0)
            truncateList(heap[module, ModuleLayout.variables].ref, to: declared.1)
            return .failure(e)
        case .success(let fn):
            return .success(newClosure(fn))
        }
    }

    /// The `importVariable` instruction: a variable of the module imported last.
    func importedVariable(_ moduleName: Value, _ variable: Value) -> Value? {
        let m = root(.lastModule).ref
        let name = string(variable)
        guard let i = moduleVariable(m, name) else {
            _ = fail("Could not find a variable named '\(name)' in module '\(self.moduleName(m) ?? string(moduleName))'.")
            return nil
        }
        // A variable of a module still running (a cyclic import) that is not assigned yet: null.
        let v = moduleVariableValue(m, i)
        return v.isUndefined ? .null : v
    }

    // MARK: Running source

    /// Compiles and runs `source` as module `module` (e.g. the script path
    /// without ".wren"). Compile errors are written to the error sink.
    /// Returns `.runtimeError` at once if another thread is inside the VM.
    public func interpret(module: String, source: [UInt8], printExpressions: Bool = false) -> InterpretResult {
        do { try enter() } catch { return .runtimeError(error.message) }
        defer { leave() }
        switch compileModule(name: module, source: source, printExpressions: printExpressions) {
        case .failure(let e):
            reportCompileErrors(module: module, e.messages)
            return .compileError(e.messages)
        case .success(let closure):
            return runFiber(newFiber(closure))
        }
    }

    /// Compiles `source` as module `module` and runs it (see `interpret(module:source:printExpressions:)`).
    public func interpret(module: String, source: String) -> InterpretResult {
        interpret(module: module, source: Array(source.utf8))
    }

    /// Runs a fiber as the root of execution until everything it started is done.
    func runFiber(_ f: ObjRef) -> InterpretResult {
        heap.setWord(f, FiberLayout.state, FiberState.root.rawValue)
        fiber = f
        setRoot(.currentFiber, f.value)
        return continueRunning()
    }
}

extension VM {
    /// Compiles `source` as module `module` without running it or registering
    /// the module; returns the compile errors (empty when it compiles). For
    /// tools that check syntax, and for the compiler's fuzzer (Fuzz/).
    public func compileErrors(module: String, source: [UInt8]) -> [String] {
        // Nothing runs between calls, so this is a safe point to collect.
        if heap.gcRequested && fiber.isNone && nestedRuns == 0 { _ = collectGarbage() }
        let compiler = Compiler(vm: self, module: makeModule(name: module), modulePath: module, source: source)
        if case .failure(let e) = compiler.compileModule() { return e.messages }
        return []
    }
}
