@_spi(AmberInternals) import AmberObjects

// `import` for a host that owns module loading (HostHooks.imports; the C
// API's resolveModuleFn and loadModuleFn), in the order Wren's VM uses:
//
//   1. resolve the import string against the importer's name (host hook;
//      none: the string is the name); no name fails the import;
//   2. a module of that name already loaded is used as it is;
//   3. else the host is asked for source;
//   4. else a built-in module the host allows ("meta", "random");
//   5. compile it, then tell the host it may free its source.
//
// The file system and the classpath are never searched.

extension VM {
    func importHostModule(_ nameValue: Value, from importer: ObjRef, _ imports: HostImports) -> ImportResult {
        let name = string(nameValue)
        let importerName = moduleName(importer) ?? "core"
        var canonical = name
        if let resolve = imports.resolve {
            guard let resolved = resolve(importerName, name) else {
                _ = fail("Could not resolve module '\(name)' imported from '\(importerName)'.")
                return .failed
            }
            canonical = resolved
        }
        if let m = loadedModule(canonical) {
            setRoot(.lastModule, m.value)
            return .loaded
        }
        var source: [UInt8]
        var done: (() -> Void)? = nil
        if let hosted = imports.load?(canonical) {
            source = hosted.source
            done = hosted.done
        } else if imports.builtins.contains(canonical), let builtin = builtinModuleSource(canonical) {
            source = Array(builtin.utf8)
        } else {
            _ = fail("Could not load module '\(canonical)'.")
            return .failed
        }
        let compiled = compileModule(name: canonical, source: source)
        source = []
        // Errors are reported while the host's source is still alive, as Wren does.
        if case .failure(let e) = compiled { reportCompileErrors(module: canonical, e.messages) }
        done?()
        switch compiled {
        case .failure:
            _ = fail("Could not compile module '\(canonical)'.")
            return .failed
        case .success(let closure):
            return .mustRun(closure)
        }
    }
}
