// `amber-dynamic`: the `amber` command linked against the system's C library,
// for programs using the ffi module. The static `amber` hands `--allow-ffi`
// commands to it (Sources/AmberLauncher/DynamicSibling.swift); it can also be
// run directly.
import AmberLauncher

Launcher.runAsProcess()
