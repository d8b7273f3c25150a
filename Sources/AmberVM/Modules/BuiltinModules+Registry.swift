@_spi(AmberInternals) import AmberObjects

// The list of built-in modules, registered in every new VM.

extension VM {
    func registerBuiltinModules() {
        registerTimerModules()
        registerSnapshotModule()
        registerTimeModule()
        registerMetaModule()
        registerRandomModule()
        registerOSModule()
        registerIOModule()
        registerFFIModule()
    }
}
