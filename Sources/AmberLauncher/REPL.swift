#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM

/// The interactive session: each line is compiled as more of one module, and
/// a lone expression's value is printed.
struct REPL {
    let vm: VM
    let io: LaunchIO

    func run() -> Int32 {
        let interactive = vm.port.standardStreams.isTerminal(0)
        // Ctrl-C stops the code that runs, not the session (at the prompt it is ignored).
        REPLInterrupt.install(vm.interruptHandle)
        defer { REPLInterrupt.remove() }
        if interactive { io.stdout("\(Launcher.version) -- type Wren code, Ctrl-D to leave\n") }
        var pending = ""
        while true {
            if interactive { io.stdout(pending.isEmpty ? "> " : "... ") }
            guard let line = readLine(strippingNewline: true) else { break }
            pending += line + "\n"
            // Wait for more lines while brackets are open.
            if REPL.openBrackets(pending) > 0 { continue }
            vm.clearInterrupt()
            let result = vm.interpret(module: "repl", source: Array(pending.utf8), printExpressions: true)
            pending = ""
            if case .exit(let code) = result { return code }
        }
        // Input ended inside an unclosed bracket: compile it anyway, so the error is shown.
        if !pending.isEmpty {
            if case .exit(let code) = vm.interpret(module: "repl", source: Array(pending.utf8), printExpressions: true) {
                return code
            }
        }
        if interactive { io.stdout("\n") }
        return ExitCode.ok
    }

    /// Net count of unclosed ( [ { outside strings, to allow multi-line input.
    static func openBrackets(_ s: String) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        for c in s.utf8 {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return depth
    }
}

/// SIGINT while the REPL runs: interrupt the VM (process-wide, as signals are).
enum REPLInterrupt {
    nonisolated(unsafe) static var handle: InterruptHandle? = nil

    static func install(_ h: InterruptHandle) {
        handle = h
        installSignalHandler(SIGINT, replInterruptHandler, flags: Int32(truncatingIfNeeded: SA_RESTART))
        // A parent may have started us with SIGINT blocked; the session wants it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    static func remove() {
        signal(SIGINT, SIG_DFL)
        handle = nil
    }
}

private func replInterruptHandler(_ signal: Int32) {
    REPLInterrupt.handle?.interrupt()
}
