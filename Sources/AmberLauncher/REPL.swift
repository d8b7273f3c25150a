#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM

/// The interactive session: each line is compiled as more of one module, and
/// a lone expression's value is printed. Lines are read with editing keys and
/// history (LineEditor) when standard input and output are both terminals, and
/// plainly otherwise. Input is run once the compiler's lexer finds it complete
/// (InputCompleteness); until then each line gets a "... " prompt.
struct REPL {
    let vm: VM
    let io: LaunchIO

    func run() -> Int32 {
        let interactive = vm.port.standardStreams.isTerminal(0)
        // Ctrl-C stops the code that runs, not the session (at the prompt the line editor reads it as a key).
        REPLInterrupt.install(vm.interruptHandle)
        defer { REPLInterrupt.remove() }
        let editor = interactive
            ? io.stdoutDescriptor.flatMap { LineEditor(input: 0, outputDescriptor: $0, write: io.stdout) } : nil
        if interactive { io.stdout("\(Launcher.version) -- type Wren code, Ctrl-D to leave\n") }
        var pending = ""
        reading: while true {
            let prompt = pending.isEmpty ? "> " : "... "
            let line: String
            if let editor {
                switch editor.readLine(prompt: prompt) {
                case .line(let text):
                    editor.remember(text)
                    line = text
                case .interrupted:
                    // Ctrl-C drops the continuation lines too.
                    pending = ""
                    continue reading
                case .endOfInput:
                    break reading
                }
            } else {
                if interactive { io.stdout(prompt) }
                guard let text = readLine(strippingNewline: true) else { break reading }
                line = text
            }
            pending += line + "\n"
            // Wait for more lines while a bracket, string, comment or interpolation is open.
            if !InputCompleteness(of: pending).isComplete { continue }
            vm.clearInterrupt()
            let result = vm.interpret(module: "repl", source: Array(pending.utf8), printExpressions: true)
            pending = ""
            if case .exit(let code) = result { return code }
        }
        // (On a terminal, Ctrl-D leaves the cursor after the prompt.)
        if interactive { io.stdout("\n") }
        // Input ended unfinished (an open bracket, string, comment...): compile it anyway, so the error is shown.
        if !pending.isEmpty {
            vm.clearInterrupt()
            if case .exit(let code) = vm.interpret(module: "repl", source: Array(pending.utf8), printExpressions: true) {
                return code
            }
        }
        return ExitCode.ok
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
