// The REPL on a real terminal: `amber` runs on the slave side of a
// pseudo-terminal, in its own session with the pty as controlling terminal
// (so the Ctrl-C byte becomes SIGINT while code runs, as in a shell), and the
// test types keystrokes on the master and reads what the terminal shows.
//
// Output is matched loosely: the editor redraws the line with escape
// sequences, so a check looks for a result on a line of its own
// ("\r\n132\r\n"), which the echo of the typed line never is.
#if os(Linux)
import Foundation
import Glibc
import Testing

/// The C library's pty functions. Glibc's Swift module leaves them out (they
/// are X/Open extensions of stdlib.h), so they are looked up by name.
enum PTY {
    nonisolated(unsafe) private static let libc = dlopen(nil, RTLD_NOW)
    private static func function<F>(_ name: String, as: F.Type) -> F {
        guard let symbol = dlsym(libc, name) else { fatalError("the C library has no \(name)") }
        return unsafeBitCast(symbol, to: F.self)
    }
    static let openpt = function("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
    static let grantpt = function("grantpt", as: (@convention(c) (Int32) -> Int32).self)
    static let unlockpt = function("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
    static let ptsname_r = function("ptsname_r",
                                    as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32).self)
}

/// `amber` on a pseudo-terminal. Every wait has a deadline; the child is killed when the session ends.
final class TerminalSession {
    let master: Int32
    let pid: pid_t
    /// Everything the terminal has shown.
    private(set) var output: [UInt8] = []
    /// Where the next `expect` starts looking.
    private var mark = 0
    private var exitStatus: Int32? = nil
    private var failed = false

    static var executable: String {
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("amber").path
        return FileManager.default.fileExists(atPath: sibling) ? sibling : repositoryRoot + "/.build/debug/amber"
    }

    struct SpawnError: Error, CustomStringConvertible { let description: String }

    init(arguments: [String] = [], columns: UInt16 = 80) throws {
        master = PTY.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        var name = [CChar](repeating: 0, count: 128)
        guard master >= 0, PTY.grantpt(master) == 0, PTY.unlockpt(master) == 0,
              PTY.ptsname_r(master, &name, name.count) == 0 else {
            throw SpawnError(description: "no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // After setsid, opening the slave makes it the child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let setsid: Int32 = 0x80  // POSIX_SPAWN_SETSID (glibc; a GNU extension the Glibc module leaves out)
        posix_spawnattr_setflags(&attributes, Int16(setsid | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        let argv = ([TerminalSession.executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, TerminalSession.executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            close(master)
            throw SpawnError(description: "could not start \(TerminalSession.executable): \(String(cString: strerror(rc)))")
        }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Types `keys` (bytes as given: "\r" is Enter, "\u{3}" Ctrl-C, "\u{1B}[D" Left).
    func type(_ keys: String) {
        var bytes = Array(keys.utf8)
        while !bytes.isEmpty {
            let n = write(master, bytes, bytes.count)
            if n < 0 { if errno == EINTR { continue }; return }
            bytes.removeFirst(n)
        }
    }

    /// Reads what is there, waiting up to `milliseconds`; false once the terminal is closed.
    @discardableResult
    func drain(milliseconds: Int32) -> Bool {
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, milliseconds) > 0 else { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(master, &buffer, buffer.count)
        if n <= 0 { return n < 0 && errno == EINTR }  // EIO: the child has gone
        output += buffer[..<n]
        return true
    }

    /// Waits until `text` shows after the mark, then moves the mark to its end
    /// (less `keep` bytes, so a following check may start with them).
    @discardableResult
    func expect(_ text: String, keep: Int = 0, seconds: Double = 10,
                sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let wanted = Array(text.utf8)
        // After one failure the session is off track: do not wait the full time again.
        let deadline = Date().addingTimeInterval(failed ? 0.5 : seconds)
        while true {
            if let r = output[mark...].firstRange(of: wanted) {
                mark = r.upperBound - keep
                return true
            }
            guard Date() < deadline, drain(milliseconds: 50) else { break }
        }
        failed = true
        let shown = String(decoding: output[mark...], as: UTF8.self).debugDescription
        Issue.record(Comment(rawValue: "the terminal never showed \(text.debugDescription); since the last match it shows \(shown)"),
                     sourceLocation: sourceLocation)
        return false
    }

    /// Waits for `value` printed on a line of its own.
    @discardableResult
    func expectLine(_ value: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        expect("\r\n" + value + "\r\n", keep: 2, sourceLocation: sourceLocation)
    }

    /// Waits for a fresh primary prompt at the start of a line.
    @discardableResult
    func expectPrompt(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        expect("\n> ", sourceLocation: sourceLocation)
    }

    /// Types `keys`, then waits for each of `lines` on a line of its own and the next prompt.
    func run(_ keys: String, _ lines: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        type(keys)
        for line in lines { expectLine(line, sourceLocation: sourceLocation) }
        expectPrompt(sourceLocation: sourceLocation)
    }

    /// Whether the terminal echoes, edits lines and turns Ctrl-C into SIGINT (the
    /// master shares the slave's modes, and keeps them after the child is gone).
    var isCooked: (echo: Bool, canonical: Bool, signals: Bool) {
        var t = termios()
        _ = tcgetattr(master, &t)
        return (t.c_lflag & tcflag_t(ECHO) != 0, t.c_lflag & tcflag_t(ICANON) != 0, t.c_lflag & tcflag_t(ISIG) != 0)
    }

    /// What the terminal showed since the mark, without waiting.
    var unread: String { String(decoding: output[mark...], as: UTF8.self) }

    /// The exit status once the child has exited, or nil if it had not within `seconds` (it is killed then).
    func waitForExit(seconds: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                while poll0(), drain(milliseconds: 0) {}
                exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                return exitStatus
            }
            drain(milliseconds: 20)
        }
        return nil
    }

    private func poll0() -> Bool {
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0 && (p.revents & Int16(POLLIN)) != 0
    }
}

let left = "\u{1B}[D", right = "\u{1B}[C", up = "\u{1B}[A", down = "\u{1B}[B"
let ctrlA = "\u{1}", ctrlC = "\u{3}", ctrlD = "\u{4}", ctrlE = "\u{5}", ctrlK = "\u{B}", ctrlU = "\u{15}"

@Suite struct REPLTerminalTests {
    /// Continuation is decided by the lexer: brackets in comments and strings do not count.
    @Test func multiLineInputFollowsTheLexer() throws {
        let t = try TerminalSession()
        t.expect("Ctrl-D to leave\r\n> ")
        // A class whose comment opens a "(" and whose string opens a "{".
        t.type("class Greeter {\r")
        t.expect("\r\n... ")
        t.type("  // says hi (politely\r")
        t.expect("\r\n... ")
        t.type("  static hi { \"{ hi\" }\r")
        t.expect("\r\n... ")
        t.type("}\r")
        t.expectPrompt()
        t.run("Greeter.hi\r", "{ hi")
        // A raw string spanning lines, brackets inside.
        t.type("\"\"\"\r")
        t.expect("\r\n... ")
        t.type("  a ( [ {\r")
        t.expect("\r\n... ")
        t.run("\"\"\"\r", "  a ( [ {")
        // Interpolation, on one line and open across two.
        t.run("\"%(1 + 2)\"\r", "3")
        t.type("\"sum %(1 +\r")
        t.expect("\r\n... ")
        t.run(" 2)\"\r", "sum 3")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    @Test func editingKeys() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        // Left twice, then insert: System.print(132).
        t.run("System.print(12)" + left + left + "3\r", "132", "132")
        // Ctrl-A, then insert at the start.
        t.run(".print(45)" + ctrlA + "System\r", "45", "45")
        // Ctrl-E after moving away, then append.
        t.run("System.print(4" + ctrlA + ctrlE + "6)\r", "46", "46")
        // Ctrl-K: kill to the end.
        t.run("System.print(6)garbage" + String(repeating: left, count: 7) + ctrlK + "\r", "6", "6")
        // Ctrl-U: kill to the start (from the middle of the line).
        t.run("junkSystem.print(7)" + ctrlA + String(repeating: right, count: 4) + ctrlU + "\r", "7", "7")
        // Home and End in their three spellings each.
        t.run("print(81)\u{1B}[HSystem.\u{1B}[F\r", "81", "81")
        t.run("print(82)\u{1B}OHSystem.\u{1B}OF\r", "82", "82")
        t.run("print(83)\u{1B}[1~System.\u{1B}[4~\r", "83", "83")
        // Delete (ESC [3~) and Ctrl-D in the middle of a line delete under the cursor.
        t.run("System.print(190)" + ctrlA + String(repeating: right, count: 13) + "\u{1B}[3~\r", "90", "90")
        t.run("System.print(290)" + ctrlA + String(repeating: right, count: 13) + ctrlD + "\r", "90", "90")
        // Backspace, both codes, on the end of the line.
        t.run("System.print(4567)" + left + "\u{7F}\u{8}\r", "45", "45")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    /// Multi-byte characters are one character for the cursor, insertion and deletion.
    @Test func multiByteCharacters() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        // Backspace over "é" removes all of it (two bytes).
        t.run("System.print(\"aé\")" + left + left + "\u{7F}\r", "a", "a")
        // Inserted in the middle, moved over as one.
        t.run("System.print(\"ab\")" + left + left + left + "é\r", "aéb", "aéb")
        t.run("System.print(\"x€y\")" + left + left + left + left + "\u{1B}[3~\r", "xy", "xy")
        t.run("System.print(\"😀!\".count)" + ctrlA + String(repeating: right, count: 14) + ctrlD + "\r", "1", "1")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    @Test func historyAndUnknownSequences() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        t.run("System.print(132)\r", "132", "132")
        // Up recalls the previous line; Enter runs it again.
        t.run(up + "\r", "132", "132")
        // Up then Down gives back the line being typed.
        t.run("System.print(5" + up + up + down + ")\r", "5", "5")
        t.run("System.print(7)\r", "7", "7")
        // Two steps back.
        t.run(up + up + "\r", "5", "5")
        // Unknown sequences (Shift-Tab, Ctrl-Right, F5, F1, Alt-x) are consumed whole, never inserted.
        t.run("System.print(1\u{1B}[Z\u{1B}[1;5C\u{1B}[15~\u{1B}OP\u{1B}x2)\r", "12", "12")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    /// A line wider than the terminal scrolls; editing it still edits the right characters.
    @Test func longLinesOnANarrowTerminal() throws {
        let t = try TerminalSession(columns: 20)
        t.expectPrompt()
        let text = "abcdefghijklmnopqrstuvwxyz0123456789"
        t.run("System.print(\"\(text)\")" + ctrlA + "\u{1B}[F" + left + left + "!" + ctrlA + "  \r", text + "!", text + "!")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    @Test func ctrlCAtThePromptDropsTheLine() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        t.type("abc" + ctrlC)
        t.expect("^C\r\n> ")
        t.run("System.print(7)\r", "7", "7")
        // ... and any continuation lines typed so far.
        t.type("foo(\r")
        t.expect("\r\n... ")
        t.type(ctrlC)
        t.expect("^C\r\n> ")
        t.run("System.print(8)\r", "8", "8")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    /// While code runs the terminal is cooked: Ctrl-C is SIGINT and stops it, not the session.
    @Test func ctrlCInterruptsRunningCode() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        t.type("while (true) {}\r")
        t.expect("{}\r\n")
        // The terminal is cooked by now; the loop may not have begun, so interrupt until it says so.
        let deadline = Date().addingTimeInterval(10)
        var interrupted = false
        while !interrupted && Date() < deadline {
            t.type(ctrlC)
            for _ in 0..<10 where !interrupted {
                t.drain(milliseconds: 20)
                interrupted = t.unread.contains("Interrupted.")
            }
        }
        #expect(interrupted, "\(t.unread.debugDescription)")
        t.expect("Interrupted.")
        t.expectPrompt()
        t.run("System.print(\"alive\")\r", "alive", "alive")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    /// A line that fails to compile defines nothing.
    @Test func aFailedLineLeavesNoTrace() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        t.type("System.print(y)\r")
        t.expect("Error")
        t.expectPrompt()
        t.type("var y = 5\r")
        t.expectPrompt()
        t.run("y\r", "5")
        #expect(!String(decoding: t.output, as: UTF8.self).contains("already defined"))
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
    }

    /// Ctrl-D on an empty line ends the session with status 0, after a newline,
    /// and the terminal is cooked again.
    @Test func ctrlDExits() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        #expect(t.isCooked == (false, false, false), "raw while a line is read")
        t.type(ctrlD)
        #expect(t.waitForExit() == 0)
        #expect(t.unread == "\r\n", "\(t.unread.debugDescription)")
        #expect(t.isCooked == (true, true, true))
    }

    /// Killed by SIGTERM at the prompt, the REPL still puts the terminal back.
    @Test func terminatedAtThePromptLeavesTheTerminalCooked() throws {
        let t = try TerminalSession()
        t.expectPrompt()
        t.type("System.pri")
        t.expect("System.pri")
        #expect(t.isCooked == (false, false, false))
        kill(t.pid, SIGTERM)
        #expect(t.waitForExit() == 128 + SIGTERM)
        #expect(t.isCooked == (true, true, true))
    }
}
#endif
