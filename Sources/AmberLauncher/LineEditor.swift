#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Line editing for the REPL on a terminal: a few readline keys and the lines
// of this session as history, with nothing beyond termios and the toolchain.
//
// The terminal is in raw mode only while a line is read (ECHO, ICANON, ISIG,
// IEXTEN, IXON and ICRNL off; output processing untouched, so "\n" still
// becomes "\r\n"). Each read puts back the mode it found, on every way out:
// Enter, Ctrl-C, Ctrl-D, a read error, SIGTERM / SIGHUP / SIGQUIT. While code
// runs the terminal is cooked, so Ctrl-C raises SIGINT and stops it.
//
// Keys (byte sequences as an xterm-like terminal sends them):
//
//     Left, Right, Ctrl-B, Ctrl-F          one character back / forward
//     Home, End, Ctrl-A, Ctrl-E            start / end of the line
//       (ESC[H ESC[F, ESCOH ESCOF, ESC[1~ ESC[4~, ESC[7~ ESC[8~)
//     Backspace (0x7f, 0x08)               delete before the cursor
//     Delete (ESC[3~), Ctrl-D              delete under the cursor
//     Ctrl-D on an empty line              end of input
//     Ctrl-K, Ctrl-U                       delete to the end / to the start
//     Up, Down, Ctrl-P, Ctrl-N             earlier / later lines of the session
//     Enter (CR or LF)                     submit
//     Ctrl-C                               drop the line ("^C")
//     Tab                                  two spaces
//
// Any other escape sequence is read whole and ignored; other control bytes are
// ignored. Characters are code points, each assumed one column wide. A line
// wider than the terminal scrolls sideways.

/// Reads lines from a terminal with editing keys and the session's history.
final class LineEditor {
    /// What one read gives.
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C: the line was dropped.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
    }

    /// One key, decoded from the bytes the terminal sent.
    enum Key: Equatable {
        case insert(Unicode.Scalar)
        case left, right, home, end, up, down
        case backspace, delete, deleteOrEnd, killToEnd, killToStart, tab
        case enter, interrupt, ignored
        /// The terminal closed or reading failed.
        case closed
    }

    let input: Int32
    let outputDescriptor: Int32
    let write: (String) -> Void
    /// Submitted lines, oldest first.
    private(set) var history: [String] = []

    /// An editor reading `input` and drawing on `outputDescriptor` through
    /// `write`, or nil unless both are terminals (and TERM is not "dumb").
    init?(input: Int32 = 0, outputDescriptor: Int32, write: @escaping (String) -> Void) {
        guard isatty(input) == 1, isatty(outputDescriptor) == 1 else { return nil }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return nil }
        self.input = input
        self.outputDescriptor = outputDescriptor
        self.write = write
    }

    /// Remembers `line` for Up; empty lines and repeats of the last one are not kept.
    func remember(_ line: String) {
        guard !line.isEmpty, history.last != line else { return }
        history.append(line)
    }

    /// Shows `prompt` and reads one line, with the terminal raw meanwhile.
    func readLine(prompt: String) -> Input {
        guard let saved = RawMode.enter(input) else {
            // Not switchable after all (tcgetattr failed): read the line as the terminal gives it.
            write(prompt)
            return readCookedLine()
        }
        defer { RawMode.leave(input, saved) }
        var state = EditState(prompt: prompt, historyCount: history.count)
        write(prompt)
        while true {
            let key = readKey()
            switch key {
            case .closed:
                return .endOfInput
            case .enter:
                if state.cursor != state.buffer.count {
                    state.cursor = state.buffer.count
                    refresh(state)
                }
                RawMode.leave(input, saved)
                write("\n")
                return .line(state.text)
            case .interrupt:
                RawMode.leave(input, saved)
                write("^C\n")
                return .interrupted
            case .deleteOrEnd where state.buffer.isEmpty:
                return .endOfInput
            case .insert(let c) where state.cursor == state.buffer.count
                && state.prompt.count + state.buffer.count + 1 < columns():
                // Typing at the end of a line that fits: just echo it.
                state.buffer.append(c)
                state.cursor += 1
                write(String(Character(c)))
            case .up, .down:
                if state.recall(key == .up ? -1 : 1, from: history) { refresh(state) }
            default:
                if state.apply(key) { refresh(state) }
            }
        }
    }

    /// Redraws the prompt and the visible part of the buffer, then puts the cursor in place.
    private func refresh(_ state: EditState) {
        let width = state.prompt.count
        let cols = columns()
        var start = 0
        var length = state.buffer.count
        var cursor = state.cursor
        // Scroll so the cursor stays on screen (as linenoise's single-line mode does).
        while width + cursor >= cols && cursor > 0 { start += 1; length -= 1; cursor -= 1 }
        while width + length > cols && length > 0 { length -= 1 }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: state.buffer[start..<(start + length)])
        var out = "\r" + state.promptText + String(scalars) + "\u{1B}[K\r"
        if width + cursor > 0 { out += "\u{1B}[\(width + cursor)C" }
        write(out)
    }

    /// The terminal's width, or a very wide one when it does not say (a fresh pty says 0).
    private func columns() -> Int {
        var size = winsize()
        guard ioctl(outputDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return Int.max / 2 }
        return Int(size.ws_col)
    }

    // MARK: Reading keys

    private enum ByteRead { case byte(UInt8), timedOut, closed }

    /// The next byte; with `timeout` (milliseconds), `.timedOut` when none comes in time.
    private func readByte(timeout: Int32 = -1) -> ByteRead {
        var b: UInt8 = 0
        while true {
            if timeout >= 0 || isNonBlocking {
                var p = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                let n = poll(&p, 1, timeout)
                if n < 0 { if errno == EINTR { continue }; return .closed }
                if n == 0 { return .timedOut }
            }
            let n = read(input, &b, 1)
            if n == 1 { return .byte(b) }
            if n == 0 { return .closed }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { isNonBlocking = true; continue }
            return .closed
        }
    }
    private var isNonBlocking = false

    /// How long the rest of an escape sequence or character may take to arrive.
    private static let sequenceTimeout: Int32 = 100

    func readKey() -> Key {
        guard case .byte(let b) = readByte() else { return .closed }
        switch b {
        case 0x01: return .home
        case 0x02: return .left
        case 0x03: return .interrupt
        case 0x04: return .deleteOrEnd
        case 0x05: return .end
        case 0x06: return .right
        case 0x08, 0x7F: return .backspace
        case 0x09: return .tab
        case 0x0A, 0x0D: return .enter
        case 0x0B: return .killToEnd
        case 0x0E: return .down
        case 0x10: return .up
        case 0x15: return .killToStart
        case 0x1B: return readEscape(depth: 0)
        case 0x20...0x7E: return .insert(Unicode.Scalar(b))
        case 0xC2...0xF4: return readUTF8(b)
        default: return .ignored
        }
    }

    /// After ESC: a CSI (ESC [ ...) or SS3 (ESC O x) sequence, read whole.
    private func readEscape(depth: Int) -> Key {
        guard case .byte(let b) = readByte(timeout: LineEditor.sequenceTimeout) else { return .ignored }
        switch b {
        case UInt8(ascii: "["):
            // Parameter and intermediate bytes, then one final byte in 0x40...0x7E.
            var parameters: [UInt8] = []
            while true {
                guard case .byte(let c) = readByte(timeout: LineEditor.sequenceTimeout) else { return .ignored }
                if c >= 0x40 && c <= 0x7E {
                    return LineEditor.csiKey(parameters: String(decoding: parameters, as: UTF8.self), final: c)
                }
                // A control byte cannot be part of a sequence: drop what was read.
                if c < 0x20 || c > 0x7E { return .ignored }
                if parameters.count < 16 { parameters.append(c) }
            }
        case UInt8(ascii: "O"):
            guard case .byte(let c) = readByte(timeout: LineEditor.sequenceTimeout) else { return .ignored }
            return LineEditor.cursorKey(c)
        case 0x1B where depth < 2:
            // ESC ESC [ A (Alt-Up on some terminals): read the inner sequence, ignore it all.
            _ = readEscape(depth: depth + 1)
            return .ignored
        default:
            // Alt-<key>: both bytes consumed, nothing done.
            return .ignored
        }
    }

    static func csiKey(parameters: String, final: UInt8) -> Key {
        if final == UInt8(ascii: "~") {
            switch parameters {
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .delete
            default: return .ignored
            }
        }
        // Plain keys only: with a modifier ("1;5C", Ctrl-Right) the key is not ours.
        guard parameters.isEmpty || parameters == "1" else { return .ignored }
        return cursorKey(final)
    }

    /// The key a final letter names, the same after ESC [ and after ESC O.
    static func cursorKey(_ letter: UInt8) -> Key {
        switch letter {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        default: return .ignored
        }
    }

    /// A multi-byte UTF-8 character starting with `lead`; an invalid one is ignored.
    private func readUTF8(_ lead: UInt8) -> Key {
        let count = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var bytes = [lead]
        while bytes.count < count {
            guard case .byte(let c) = readByte(timeout: LineEditor.sequenceTimeout), c & 0xC0 == 0x80 else {
                return .ignored
            }
            bytes.append(c)
        }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return .insert(s) }
        return .ignored
    }

    /// Without raw mode: bytes up to a newline, as the terminal's own line editing delivers them.
    private func readCookedLine() -> Input {
        var bytes: [UInt8] = []
        while true {
            switch readByte() {
            case .byte(10): return .line(String(decoding: bytes, as: UTF8.self))
            case .byte(let b): bytes.append(b)
            case .timedOut, .closed:
                return bytes.isEmpty ? .endOfInput : .line(String(decoding: bytes, as: UTF8.self))
            }
        }
    }
}

/// The line being edited: code points and a cursor between them, and where in
/// the history Up and Down have got to. No terminal here.
struct EditState {
    let promptText: String
    let prompt: [Unicode.Scalar]
    var buffer: [Unicode.Scalar] = []
    var cursor = 0
    /// The history entry shown; `history.count` is the line being typed.
    var historyIndex: Int
    /// The line being typed, kept while an earlier one is shown.
    var typed: [Unicode.Scalar] = []

    init(prompt: String, historyCount: Int) {
        promptText = prompt
        self.prompt = Array(prompt.unicodeScalars)
        historyIndex = historyCount
    }

    var text: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: buffer)
        return String(s)
    }

    /// Applies an editing key; true when the line must be redrawn.
    mutating func apply(_ key: LineEditor.Key) -> Bool {
        switch key {
        case .insert(let c):
            buffer.insert(c, at: cursor)
            cursor += 1
        case .tab:
            buffer.insert(contentsOf: [" ", " "], at: cursor)
            cursor += 2
        case .left:
            guard cursor > 0 else { return false }
            cursor -= 1
        case .right:
            guard cursor < buffer.count else { return false }
            cursor += 1
        case .home:
            cursor = 0
        case .end:
            cursor = buffer.count
        case .backspace:
            guard cursor > 0 else { return false }
            buffer.remove(at: cursor - 1)
            cursor -= 1
        case .delete, .deleteOrEnd:
            guard cursor < buffer.count else { return false }
            buffer.remove(at: cursor)
        case .killToEnd:
            buffer.removeSubrange(cursor...)
        case .killToStart:
            buffer.removeSubrange(..<cursor)
            cursor = 0
        case .up, .down, .enter, .interrupt, .ignored, .closed:
            return false
        }
        return true
    }

    /// Shows the history entry `step` away (-1: earlier); false when there is none.
    mutating func recall(_ step: Int, from history: [String]) -> Bool {
        let target = historyIndex + step
        guard target >= 0, target <= history.count else { return false }
        if historyIndex == history.count { typed = buffer }
        historyIndex = target
        buffer = target == history.count ? typed : Array(history[target].unicodeScalars)
        cursor = buffer.count
        return true
    }
}

/// Raw mode on the terminal, put back on every way out, signals included.
enum RawMode {
    // NOTE: the signal handler reads these, so they are plain memory behind
    // pointers: a Swift global would go through exclusivity checks, which a
    // handler interrupting an access to it would trip.
    /// The mode to put back if a signal ends the process while it is raw.
    nonisolated(unsafe) static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    /// The terminal that is raw, or -1.
    nonisolated(unsafe) static let savedDescriptor: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.pointee = -1
        return p
    }()
    static let fatalSignals = [SIGTERM, SIGHUP, SIGQUIT]
    /// The actions those signals had before, put back when the terminal is cooked again.
    nonisolated(unsafe) static var previousActions: [Int32: sigaction] = [:]

    /// Switches `fd` to raw mode; returns the mode to restore, or nil if it is not a terminal.
    static func enter(_ fd: Int32) -> termios? {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var raw = original
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        saved.pointee = original
        savedDescriptor.pointee = fd
        for sig in fatalSignals {
            var old = sigaction()
            sigaction(sig, nil, &old)
            previousActions[sig] = old
            installSignalHandler(sig, restoreAndDie, flags: Int32(truncatingIfNeeded: SA_RESETHAND))
        }
        // TCSANOW, not TCSAFLUSH: keys typed ahead (or pasted) are kept.
        guard set(fd, raw) else {
            leave(fd, original)
            return nil
        }
        return original
    }

    /// Puts `mode` back on `fd` (again is harmless).
    static func leave(_ fd: Int32, _ mode: termios) {
        _ = set(fd, mode)
        guard savedDescriptor.pointee == fd else { return }
        savedDescriptor.pointee = -1
        for sig in fatalSignals {
            if var old = previousActions[sig] { sigaction(sig, &old, nil) }
        }
    }

    private static func set(_ fd: Int32, _ mode: termios) -> Bool {
        var mode = mode
        while tcsetattr(fd, TCSANOW, &mode) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }
}

/// A fatal signal while the terminal is raw: put the mode back, then die of it
/// (SA_RESETHAND has made the action the default again).
private func restoreAndDie(_ sig: Int32) {
    let fd = RawMode.savedDescriptor.pointee
    if fd >= 0 { _ = tcsetattr(fd, TCSANOW, RawMode.saved) }
    raise(sig)
}
