@_spi(AmberInternals) import AmberObjects

// Built-in modules: Wren source bundled with the VM, whose `foreign` methods
// are bound to natives registered under "module.Class.signature".
//
// Nothing of a module is made before it is needed: its source and natives
// are registered the first time it is imported, or when an image names one
// of its natives ("io.File.open(_,_)" registers io). A script that imports
// nothing pays for no module (ARCHITECTURE.md, "The port library and natives
// by name"). The list of modules is in BuiltinModules+Registry.swift.

/// A module shipped inside the VM. Its source is made when first imported
/// (some are built from tables, and most programs import few modules).
struct BuiltinModule {
    var source: () -> String
}

extension VM {
    /// The Wren source of a built-in module, or nil if `name` is not one.
    func builtinModuleSource(_ name: String) -> String? {
        registerBuiltinModule(named: name)
        return builtinModules[name]?.source()
    }

    /// Whether `name` is a built-in module (registering it if so).
    func isBuiltinModule(_ name: String) -> Bool {
        registerBuiltinModule(named: name)
        return builtinModules[name] != nil
    }

    /// Registers the built-in module `name` (its source and natives) unless
    /// it already is; nothing if there is no such module.
    func registerBuiltinModule(named name: String) {
        guard builtinModules[name] == nil, let register = VM.builtinModuleRegistrations[name] else { return }
        register(self)
    }

    /// Registers the built-in module a native name belongs to ("io.File.size"
    /// -> io), if it names one; core and host names ("Num.sqrt") register nothing.
    func registerBuiltinModule(ofNative name: String) {
        guard let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")) else { return }
        registerBuiltinModule(named: String(name[..<dot]))
    }

    /// Makes `import "name"` find `source` without touching the file system.
    func registerBuiltinModule(_ name: String, source: @autoclosure @escaping () -> String) {
        builtinModules[name] = BuiltinModule(source: source)
    }

    /// Registers the native behind a `foreign` method. `key` is
    /// `"module.Class.signature"` or `"module.Class.static signature"`,
    /// e.g. `"random.Random.static seed_()"`.
    func foreign(_ key: String, _ body: @escaping NativeFunction) {
        registerNative(key, body)
    }
}
