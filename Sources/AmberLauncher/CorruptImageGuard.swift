#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM

// A restored program runs on heap pages the VM did not build: with the default
// verification (header and metadata, not every page), a crafted or damaged
// image may hold an object that is only malformed where running code reaches
// it. Rather than die of a signal, the launcher reports it, as the JVM does
// for a damaged shared archive: while a restored image runs, a fatal signal
// ends the process with a message naming the image and exit status 74.
//
// This is process-wide (signal handlers are), so it lives in the launcher,
// which owns its process, and not in the library, which must not.

enum CorruptImageGuard {
    /// The message for each case, prepared before any signal can arrive
    /// (a handler may only make async-signal-safe calls: write and _exit).
    nonisolated(unsafe) static var corruptMessage: [UInt8] = []
    nonisolated(unsafe) static var busMessage: [UInt8] = []

    /// The stack the handler runs on: a wild jump or a runaway recursion
    /// leaves the thread's own stack pointer unusable, and a handler on it
    /// would fault again and the process die of the signal.
    nonisolated(unsafe) static var alternateStack: UnsafeMutableRawPointer? = nil

    /// Reports fatal signals as a corrupt image `path` until the process ends.
    /// SIGABRT too: a Swift runtime failure (an allocation it cannot make) aborts.
    static func install(imagePath path: String) {
        corruptMessage = Array("amber: image '\(path)' is corrupt (a fatal signal while restoring or running it); restore with verify=full to check\n".utf8)
        busMessage = Array("amber: image '\(path)' was truncated or changed while in use (SIGBUS reading its pages); restore with verify=full to check\n".utf8)
        if alternateStack == nil {
            let size = 64 << 10
            alternateStack = malloc(size)
            var stack = stack_t()
            stack.ss_sp = alternateStack
            stack.ss_size = size
            stack.ss_flags = 0
            sigaltstack(&stack, nil)
        }
        for sig in [SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT] {
            installSignalHandler(sig, corruptImageSignalHandler, flags: Int32(truncatingIfNeeded: SA_RESETHAND) | Int32(truncatingIfNeeded: SA_ONSTACK))
        }
        // SIGSEGV is also how a signed image's heap chunks are checked on first
        // touch (FirstTouchHeaps.swift): not reset after the first one.
        FirstTouchHeaps.prepare()
        installSignalHandler(SIGSEGV, flags: Int32(truncatingIfNeeded: SA_ONSTACK), siginfo: segmentationFaultHandler)
    }
}

/// A chunk of a signed image not checked yet: checked, and the access made
/// again; one that does not match its digest: exit 74 naming its bytes; any
/// other fault: a corrupt image.
private func segmentationFaultHandler(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?,
                                      _ context: UnsafeMutableRawPointer?) {
    if let info {
        #if canImport(Glibc)
        let address = UInt(bitPattern: info.pointee._sifields._sigfault.si_addr)
        #else
        let address = UInt(bitPattern: info.pointee.si_addr)
        #endif
        switch FirstTouchHeaps.handleFault(at: address) {
        case .checked:
            return
        case .changed(let message):
            _ = write(2, message.baseAddress, message.count)
            _exit(74)
        case .notOurs:
            break
        }
    }
    corruptImageSignalHandler(signal)
}

private func corruptImageSignalHandler(_ signal: Int32) {
    let message = signal == SIGBUS ? CorruptImageGuard.busMessage : CorruptImageGuard.corruptMessage
    message.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    _exit(74)
}
