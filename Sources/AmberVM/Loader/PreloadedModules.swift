#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Built-in modules loaded at build time (ARCHITECTURE.md, "The built-in core
// image").
//
// Importing io compiled about 450 lines of Wren and bound 80 methods at every
// run: `import "io"`, "os" and "timer" cost 4.8 million instructions, four
// times all of `amber hello.wren`. So the tool that makes the built-in core
// image also imports the built-in modules (their bodies only declare classes),
// and keeps them aside in `Root.preloadedModules` (name -> Module), where no
// script can see them:
//
//   import "io"     not loaded, a built-in module, preloaded:
//                     its natives bound by name (registering the module),
//                     then the Module moves to `Root.modules`: loaded, nothing
//                     compiled or run
//                   any difficulty (a native missing, a class-load listener
//                   that must see io's classes defined): compiled from source
//                   as before
//
// ffi is carried compiled but not run (`precompiledModuleNames`): its body
// checks that FFI is allowed, so it runs at the import, as if just compiled.
//
// A module's natives are not looked up when the image is mapped: each of its
// entries in the native table is a placeholder that binds the real native on
// first call (`pendingNatives`), and importing the module binds them all. So
// a VM registers a module's natives only when a program uses the module.
// (`import "io"` also preloaded "scheduler", which io imports: it moves to
// `Root.modules` when a program imports it, as the same Module io refers to.)
//
// What a program can observe is unchanged: a module appears when imported,
// with its classes as its source defines them. What differs: the classes of a
// preloaded module were defined at build time, so no class-load hook fires
// for them (hence the fallback while a listener is registered).

extension VM {
    /// The built-in modules the core image carries preloaded.
    static let preloadedModuleNames = ["io", "os", "timer", "scheduler", "random", "meta", "snapshot", "time"]
    /// The built-in modules it carries compiled, not run: ffi, whose body
    /// checks that FFI is allowed, which is this process's business.
    static let precompiledModuleNames = ["ffi"]

    /// Build time: imports every module of `preloadedModuleNames`, compiles
    /// those of `precompiledModuleNames`, and moves them all from
    /// `Root.modules` to `Root.preloadedModules` (a compiled one as the
    /// closure of its body).
    func preloadBuiltinModules() throws {
        let importer = "<preload>"
        for name in VM.preloadedModuleNames {
            let result = interpret(module: importer, source: Array("import \"\(name)\"\n".utf8))
            guard result == .success else { throw VMError.runtime("preloading module \(name): \(result)") }
        }
        let loaded = root(.modules).ref
        let preloaded = newMap()
        for name in VM.precompiledModuleNames {
            guard let source = builtinModuleSource(name),
                  case .success(let body) = compileModule(name: name, source: Array(source.utf8)) else {
                throw VMError.runtime("precompiling module \(name)")
            }
            _ = mapSet(preloaded, newString(name).value, body.value)
            _ = mapRemove(loaded, newString(name).value)
        }
        for i in 0..<mapCapacity(loaded) {
            guard let (key, module) = mapEntry(loaded, i), string(key) != importer else { continue }
            _ = mapSet(preloaded, key, module)
        }
        setRoot(.modules, newMap().value)
        setRoot(.preloadedModules, preloaded.value)
        setRoot(.lastModule, .null)
    }

    /// The names (heap strings) of the preloaded modules no program has imported yet.
    func preloadedModulesNotImported() -> [ObjRef] {
        let stash = root(.preloadedModules)
        guard isValidMap(stash) else { return [] }
        var names: [ObjRef] = []
        for i in 0..<mapCapacity(stash.ref) {
            if let (key, _) = mapEntry(stash.ref, i), isValidString(key) { names.append(key.ref) }
        }
        return names
    }

    /// Whether the native name `bytes` ("io.File.open(_,_)") belongs to the
    /// module named by one of `modules` (heap strings).
    func nativeName(_ bytes: UnsafeRawBufferPointer, isIn modules: [ObjRef]) -> Bool {
        guard let p = bytes.baseAddress, let dot = memchr(p, Int32(UInt8(ascii: ".")), bytes.count) else { return false }
        let n = UnsafeRawPointer(dot) - p
        return modules.contains { stringLength($0) == n && memcmp(stringBytes($0), p, n) == 0 }
    }

    /// `import "name"` of a built-in module that is not loaded: `.loaded`
    /// with its preloaded Module now loaded, `.mustRun` with the body of a
    /// precompiled one (its Module registered), or nil when it must be
    /// compiled from source.
    func takePreloadedModule(_ name: String) -> ImportResult? {
        let stash = root(.preloadedModules)
        guard isValidMap(stash) else { return nil }
        let key = newString(name).value
        guard let module = mapGet(stash.ref, key) else { return nil }
        _ = mapRemove(stash.ref, key)
        // Compiled, not run: the body runs now, as if just compiled.
        if isValidObject(module, .closure) {
            guard isValidObject(heap[module.ref, ClosureLayout.fn], .fn) else { return nil }
            let body = closureFn(module.ref)
            guard isValidObject(heap[body, FnLayout.module], .module) else { return nil }
            registerModule(name, heap[body, FnLayout.module].ref)
            return .mustRun(module.ref)
        }
        guard isValidObject(module, .module), !hooks.isEnabled(.classLoad) else { return nil }
        // Every native of the module, bound now (an error here means another build's image).
        let names = root(.nativeNames).ref
        let module_ = [key.ref]
        for id in pendingNatives.indices where pendingNatives[id] && nativeName(stringBuffer(listGet(names, id).ref), isIn: module_) {
            guard resolvePendingNative(id) != nil else {
                hasError = false
                error = .null
                return nil
            }
        }
        registerModule(name, module.ref)
        setRoot(.lastModule, module)
        return .loaded
    }

    /// A placeholder for native `id` of a preloaded module not imported yet:
    /// binds the real one on first call (the loop may hold an older copy of
    /// the table, so the placeholder forwards from then on).
    func pendingNative(_ id: Int) -> Native {
        Native { vm, args in
            guard let native = vm.resolvePendingNative(id) else { return false }
            return native.call(vm, args)
        }
    }

    /// The native behind entry `id`, binding it by name if it is pending; nil
    /// with an error set if this process does not have it.
    func resolvePendingNative(_ id: Int) -> Native? {
        guard id < pendingNatives.count, pendingNatives[id] else { return nativeTable[id] }
        let name = string(listGet(root(.nativeNames).ref, id))
        registerBuiltinModule(ofNative: name)
        guard let native = natives.lookup(name) else {
            _ = fail("Native '\(name)' is not available.")
            return nil
        }
        nativeTable[id] = native
        pendingNatives[id] = false
        return native
    }
}
