// The `amber` command: everything lives in AmberLauncher so tests can run it in-process.
import AmberLauncher

// The release build on Linux is fully static (Package.swift): the ffi module
// runs in `amber-dynamic` instead (Sources/AmberLauncher/DynamicSibling.swift).
#if os(Linux) && !DEBUG
Launcher.runAsProcess(dynamicSibling: DynamicSibling.path)
#else
Launcher.runAsProcess()
#endif
