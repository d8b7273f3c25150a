@_spi(AmberInternals) import AmberObjects

// The list of built-in modules: each name and the function that registers
// its source and natives, called when the module is first needed
// (Loader/BuiltinModules.swift). A function may register several modules
// (the timer's registers scheduler and timer).

extension VM {
    static let builtinModuleRegistrations: [String: @Sendable (VM) -> Void] = [
        "scheduler": { $0.registerTimerModules() },
        "timer": { $0.registerTimerModules() },
        "snapshot": { $0.registerSnapshotModule() },
        "time": { $0.registerTimeModule() },
        "meta": { $0.registerMetaModule() },
        "random": { $0.registerRandomModule() },
        "os": { $0.registerOSModule() },
        "io": { $0.registerIOModule() },
        "ffi": { $0.registerFFIModule() },
    ]
}
