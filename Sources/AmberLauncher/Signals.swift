#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM

/// Installs `handler` for signal `sig` with `flags` (SA_RESETHAND, SA_RESTART, ...).
/// The launcher owns its process, so process-wide handlers belong here.
func installSignalHandler(_ sig: Int32, _ handler: @escaping @convention(c) (Int32) -> Void, flags: Int32) {
    installAction(sig, flags: flags) { action in
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
    }
}

/// The same for a handler that is given the signal's details (the faulting
/// address): SA_SIGINFO is added to `flags`.
func installSignalHandler(_ sig: Int32, flags: Int32,
                          siginfo handler: @escaping @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?,
                                                                     UnsafeMutableRawPointer?) -> Void) {
    installAction(sig, flags: flags | Int32(truncatingIfNeeded: SA_SIGINFO)) { action in
        #if canImport(Glibc)
        action.__sigaction_handler.sa_sigaction = handler
        #else
        action.__sigaction_u.__sa_sigaction = handler
        #endif
    }
}

private func installAction(_ sig: Int32, flags: Int32, _ setHandler: (inout sigaction) -> Void) {
    var action = sigaction()
    setHandler(&action)
    sigemptyset(&action.sa_mask)
    action.sa_flags = flags
    sigaction(sig, &action, nil)
}

/// Terminal modes a script changed (`Stdin.isRaw = true`) are put back on the
/// way out. The library installs no exit handler (its host owns the process);
/// the `amber` executable owns its process, so it registers one here, for the
/// exits that never return to `Launcher.main` (a C function called through
/// the ffi module that calls exit(3)).
enum TerminalRestoreAtExit {
    nonisolated(unsafe) static var restore: (() -> Void)? = nil
    nonisolated(unsafe) static var installed = false

    /// Call from the executable's thread only, before the script runs.
    static func watch(_ streams: StreamPort) {
        restore = streams.restoreTerminalModes
        if !installed {
            installed = true
            atexit { TerminalRestoreAtExit.restore?() }
        }
    }
}
