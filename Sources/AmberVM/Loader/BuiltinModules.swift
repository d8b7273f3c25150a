// Built-in modules: Wren source bundled with the VM, with natives bound by name.

extension VM {
    /// The Wren source of a built-in module, or nil if `name` is not one.
    func builtinModuleSource(_ name: String) -> String? {
        builtinModules[name]?.source
    }
}

/// A module shipped inside the VM: its Wren half and a function binding its natives.
struct BuiltinModule {
    var source: String
}
