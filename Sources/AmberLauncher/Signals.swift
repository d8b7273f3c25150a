#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Installs `handler` for signal `sig` with `flags` (SA_RESETHAND, SA_RESTART, ...).
/// The launcher owns its process, so process-wide handlers belong here.
func installSignalHandler(_ sig: Int32, _ handler: @escaping @convention(c) (Int32) -> Void, flags: Int32) {
    var action = sigaction()
    #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = handler
    #else
    action.__sigaction_u.__sa_handler = handler
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = flags
    sigaction(sig, &action, nil)
}
