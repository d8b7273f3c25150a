@_spi(AmberInternals) import AmberObjects

// Built-in modules: Wren source bundled with the VM, whose `foreign` methods
// are bound to natives registered under "module.Class.signature".

/// A module shipped inside the VM. Its source is made when first imported
/// (some are built from tables, and most programs import few modules).
struct BuiltinModule {
    var source: () -> String
}

extension VM {
    /// The Wren source of a built-in module, or nil if `name` is not one.
    func builtinModuleSource(_ name: String) -> String? {
        builtinModules[name]?.source()
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
