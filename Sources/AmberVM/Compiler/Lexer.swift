@_spi(AmberInternals) import AmberObjects

// The lexer: source bytes -> tokens, one at a time, on demand.
//
// Newlines are tokens (Wren's statements end at a line break). String
// interpolation "a %(b) c" is lexed as INTERPOLATION("a ") , b , STRING(" c"):
// the lexer counts parentheses so it knows when an interpolated expression
// ends and the string resumes.

enum TokenType: UInt8 {
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case colon, dot, dotDot, dotDotDot, comma, star, slash, percent, hash
    case plus, minus, ltlt, gtgt, pipe, pipePipe, caret, amp, ampAmp
    case bang, tilde, question, eq, lt, gt, ltEq, gtEq, eqEq, bangEq
    case kwAs, kwBreak, kwClass, kwConstruct, kwContinue, kwElse, kwFalse, kwFor
    case kwForeign, kwIf, kwImport, kwIn, kwIs, kwNull, kwReturn, kwStatic
    case kwSuper, kwThis, kwTrue, kwVar, kwWhile
    case field, staticField, name, number, string, interpolation
    case line, error, eof
}

struct Token {
    var type: TokenType
    var start: Int        // byte offset in the source
    var length: Int
    var line: Int
    var value: Value = .null   // numbers and strings (string values are heap refs)
    var text: [UInt8] = []     // decoded string contents for strings
}

/// Callback used to report lexical errors: (line, message).
typealias LexErrorSink = (Int, String) -> Void

struct Lexer {
    let source: [UInt8]
    var pos = 0
    var tokenStart = 0
    var line = 1
    /// Paren depth of each interpolation we are inside, innermost last.
    var parens: [Int] = []
    var reportError: LexErrorSink

    static let maxInterpolationNesting = 8

    static let keywords: [String: TokenType] = [
        "as": .kwAs, "break": .kwBreak, "class": .kwClass, "construct": .kwConstruct,
        "continue": .kwContinue, "else": .kwElse, "false": .kwFalse, "for": .kwFor,
        "foreign": .kwForeign, "if": .kwIf, "import": .kwImport, "in": .kwIn,
        "is": .kwIs, "null": .kwNull, "return": .kwReturn, "static": .kwStatic,
        "super": .kwSuper, "this": .kwThis, "true": .kwTrue, "var": .kwVar,
        "while": .kwWhile,
    ]

    init(source: [UInt8], reportError: @escaping LexErrorSink) {
        self.source = source
        self.reportError = reportError
        // A UTF-8 byte order mark is not code.
        if source.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
        // A leading "#!" line (shebang) is not code.
        // (Only "#!/...": "#!name" is a runtime attribute.)
        if source[pos...].starts(with: Array("#!/".utf8)) {
            while pos < source.count && source[pos] != UInt8(ascii: "\n") { pos += 1 }
        }
    }

    @inline(__always) func peek(_ k: Int = 0) -> UInt8 {
        pos + k < source.count ? source[pos + k] : 0
    }
    @inline(__always) var atEnd: Bool { pos >= source.count }
    @inline(__always) mutating func advance() -> UInt8 {
        let c = source[pos]
        pos += 1
        if c == UInt8(ascii: "\n") { line += 1 }
        return c
    }
    mutating func match(_ c: Character) -> Bool {
        if peek() == c.asciiValue! && !atEnd { _ = advance(); return true }
        return false
    }

    func make(_ type: TokenType) -> Token {
        Token(type: type, start: tokenStart, length: pos - tokenStart,
              line: type == .line ? line - 1 : line)
    }

    static func isName(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95
    }
    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    mutating func next() -> Token {
        while !atEnd {
            tokenStart = pos
            let c = advance()
            switch c {
            case UInt8(ascii: "("):
                if !parens.isEmpty { parens[parens.count - 1] += 1 }
                return make(.leftParen)
            case UInt8(ascii: ")"):
                if !parens.isEmpty {
                    parens[parens.count - 1] -= 1
                    if parens[parens.count - 1] == 0 {
                        parens.removeLast()
                        return readString()
                    }
                }
                return make(.rightParen)
            case UInt8(ascii: "["): return make(.leftBracket)
            case UInt8(ascii: "]"): return make(.rightBracket)
            case UInt8(ascii: "{"): return make(.leftBrace)
            case UInt8(ascii: "}"): return make(.rightBrace)
            case UInt8(ascii: ":"): return make(.colon)
            case UInt8(ascii: ","): return make(.comma)
            case UInt8(ascii: "*"): return make(.star)
            case UInt8(ascii: "%"): return make(.percent)
            case UInt8(ascii: "#"):
                return make(.hash)
            case UInt8(ascii: "^"): return make(.caret)
            case UInt8(ascii: "+"): return make(.plus)
            case UInt8(ascii: "-"): return make(.minus)
            case UInt8(ascii: "~"): return make(.tilde)
            case UInt8(ascii: "?"): return make(.question)
            // (Each two-character token is matched before `make` is called:
            // `make(match(...) ? ...)` would measure the token before the
            // match moved past its second character.)
            case UInt8(ascii: "|"): let t: TokenType = match("|") ? .pipePipe : .pipe; return make(t)
            case UInt8(ascii: "&"): let t: TokenType = match("&") ? .ampAmp : .amp; return make(t)
            case UInt8(ascii: "="): let t: TokenType = match("=") ? .eqEq : .eq; return make(t)
            case UInt8(ascii: "!"): let t: TokenType = match("=") ? .bangEq : .bang; return make(t)
            case UInt8(ascii: "."):
                if match(".") { let t: TokenType = match(".") ? .dotDotDot : .dotDot; return make(t) }
                return make(.dot)
            case UInt8(ascii: "/"):
                if match("/") {
                    while !atEnd && peek() != UInt8(ascii: "\n") { pos += 1 }
                    continue
                }
                if match("*") { skipBlockComment(); continue }
                return make(.slash)
            case UInt8(ascii: "<"):
                if match("<") { return make(.ltlt) }
                let t: TokenType = match("=") ? .ltEq : .lt; return make(t)
            case UInt8(ascii: ">"):
                if match(">") { return make(.gtgt) }
                let t: TokenType = match("=") ? .gtEq : .gt; return make(t)
            case UInt8(ascii: "\n"):
                // A line that starts with '.' continues the previous one (method chains).
                var look = pos
                while look < source.count, [32, 9, 13, 10].contains(source[look]) { look += 1 }
                if look < source.count, source[look] == UInt8(ascii: "."),
                   look + 1 >= source.count || source[look + 1] != UInt8(ascii: ".") {
                    while pos < look { _ = advance() }
                    continue
                }
                return make(.line)
            case UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                while peek() == UInt8(ascii: " ") || peek() == UInt8(ascii: "\r") || peek() == UInt8(ascii: "\t") {
                    if atEnd { break }
                    pos += 1
                }
                continue
            case UInt8(ascii: "\""):
                if peek() == UInt8(ascii: "\"") && peek(1) == UInt8(ascii: "\"") {
                    pos += 2
                    return readRawString()
                }
                return readString()
            case UInt8(ascii: "_"):
                return readName(peek() == UInt8(ascii: "_") ? .staticField : .field)
            case UInt8(ascii: "0") where peek() == UInt8(ascii: "x"):
                return readHex()
            default:
                if Lexer.isName(c) { return readName(.name) }
                if Lexer.isDigit(c) { return readNumber() }
                if c >= 32 && c < 127 {
                    reportError(line, "Invalid character '\(Character(UnicodeScalar(c)))'.")
                } else {
                    reportError(line, "Invalid byte 0x\(String(c, radix: 16)).")
                }
                return make(.error)
            }
        }
        tokenStart = pos
        // Unterminated interpolation ends at EOF.
        return make(.eof)
    }

    mutating func skipBlockComment() {
        var nesting = 1
        while nesting > 0 {
            if atEnd {
                reportError(line, "Unterminated block comment.")
                return
            }
            if peek() == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                pos += 2; nesting += 1; continue
            }
            if peek() == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                pos += 2; nesting -= 1; continue
            }
            _ = advance()
        }
    }

    mutating func readName(_ type: TokenType) -> Token {
        while Lexer.isName(peek()) || Lexer.isDigit(peek()) { if atEnd { break }; pos += 1 }
        var t = make(type)
        if type == .name, let kw = keyword(tokenStart, pos) { t.type = kw }
        return t
    }

    /// The keyword spelled by source[start..<end], if any: compared byte by
    /// byte against the keywords of its first letter (no String is made; names
    /// are most of the tokens).
    func keyword(_ start: Int, _ end: Int) -> TokenType? {
        let n = end - start
        guard n >= 2 && n <= 9 else { return nil }
        let first = Int(source[start]) &- 97
        guard first >= 0 && first < 26 else { return nil }
        for (spelling, type) in Lexer.keywordsByLetter[first] where spelling.count == n {
            var i = 1
            while i < n && spelling[i] == source[start + i] { i += 1 }
            if i == n { return type }
        }
        return nil
    }

    static let keywordsByLetter: [[([UInt8], TokenType)]] = {
        var table = Array(repeating: [([UInt8], TokenType)](), count: 26)
        for (word, type) in keywords { table[Int(word.utf8.first! - 97)].append((Array(word.utf8), type)) }
        return table
    }()

    mutating func readHex() -> Token {
        pos += 1  // the x
        let digitsStart = pos
        while !atEnd && (Lexer.isDigit(peek()) || (peek() | 0x20 >= 97 && peek() | 0x20 <= 102)) { pos += 1 }
        var t = make(.number)
        let text = String(decoding: source[digitsStart..<pos], as: UTF8.self)
        if let v = UInt64(text, radix: 16) {
            t.value = Value(Double(v))
        } else {
            reportError(line, text.isEmpty ? "Invalid hex number literal." : "Number literal was too large (\(MemoryLayout<Int>.size)).")
            t.value = Value(0)
        }
        return t
    }

    mutating func readNumber() -> Token {
        while Lexer.isDigit(peek()) && !atEnd { pos += 1 }
        if peek() == UInt8(ascii: ".") && Lexer.isDigit(peek(1)) {
            pos += 1
            while Lexer.isDigit(peek()) && !atEnd { pos += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let save = pos
            pos += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { pos += 1 }
            if !Lexer.isDigit(peek()) {
                pos = save + 1
                reportError(line, "Unterminated scientific notation.")
            }
            while Lexer.isDigit(peek()) && !atEnd { pos += 1 }
        }
        var t = make(.number)
        let text = String(decoding: source[tokenStart..<pos], as: UTF8.self)
        let d = Double(text) ?? 0
        if d.isInfinite {
            reportError(line, "Number literal was too large (\(MemoryLayout<Int>.size)).")
        }
        t.value = Value(d)
        return t
    }

    mutating func readHexEscape(_ digits: Int, _ what: String) -> UInt32? {
        var v: UInt32 = 0
        for _ in 0..<digits {
            let c = peek()
            if atEnd || c == UInt8(ascii: "\"") {
                reportError(line, "Incomplete \(what) escape sequence.")
                return nil
            }
            let d: UInt32
            if Lexer.isDigit(c) { d = UInt32(c - 48) }
            else if c | 0x20 >= 97 && c | 0x20 <= 102 { d = UInt32((c | 0x20) - 87) }
            else {
                reportError(line, "Invalid \(what) escape sequence.")
                return nil
            }
            pos += 1
            v = v * 16 + d
        }
        return v
    }

    static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        if cp < 0x80 { out.append(UInt8(cp)) }
        else if cp < 0x800 {
            out.append(UInt8(0xC0 | (cp >> 6))); out.append(UInt8(0x80 | (cp & 0x3F)))
        } else if cp < 0x10000 {
            out.append(UInt8(0xE0 | (cp >> 12))); out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | ((cp >> 18) & 0x7))); out.append(UInt8(0x80 | ((cp >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F))); out.append(UInt8(0x80 | (cp & 0x3F)))
        }
    }

    /// Reads string contents up to the closing quote or the start of an interpolation.
    mutating func readString() -> Token {
        var out: [UInt8] = []
        var type = TokenType.string
        while true {
            if atEnd {
                reportError(line, "Unterminated string.")
                break
            }
            let c = advance()
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\r") { continue }
            if c == UInt8(ascii: "%") {
                if parens.count < Lexer.maxInterpolationNesting {
                    if peek() != UInt8(ascii: "(") { reportError(line, "Expect '(' after '%'.") }
                    else { pos += 1 }
                    parens.append(1)
                    type = .interpolation
                    break
                }
                reportError(line, "Interpolation may only nest \(Lexer.maxInterpolationNesting) levels deep.")
            }
            if c == UInt8(ascii: "\\") {
                if atEnd { reportError(line, "Unterminated string."); break }
                let e = advance()
                switch e {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "%"): out.append(UInt8(ascii: "%"))
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "a"): out.append(7)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "e"): out.append(27)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "v"): out.append(11)
                case UInt8(ascii: "x"):
                    if let v = readHexEscape(2, "byte") { out.append(UInt8(v)) }
                case UInt8(ascii: "u"):
                    if let v = readHexEscape(4, "Unicode") { Lexer.appendUTF8(v, to: &out) }
                case UInt8(ascii: "U"):
                    if let v = readHexEscape(8, "Unicode") { Lexer.appendUTF8(v, to: &out) }
                default:
                    reportError(line, "Invalid escape character '\(Character(UnicodeScalar(e)))'.")
                }
                continue
            }
            out.append(c)
        }
        var t = make(type)
        t.text = out
        return t
    }

    /// Reads a """raw string""": no escapes, no interpolation; a first and last
    /// line holding only whitespace are dropped.
    mutating func readRawString() -> Token {
        var out: [UInt8] = []
        while true {
            if atEnd {
                reportError(line, "Unterminated raw string.")
                break
            }
            if peek() == UInt8(ascii: "\"") && peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"") {
                pos += 3
                break
            }
            out.append(advance())
        }
        // Drop a leading whitespace-only line and a trailing whitespace-only line.
        func isBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }
        if let nl = out.firstIndex(of: 10), out[..<nl].allSatisfy(isBlank) {
            out.removeSubrange(...nl)
        }
        if let nl = out.lastIndex(of: 10), out[(nl + 1)...].allSatisfy(isBlank) {
            out.removeSubrange(nl...)
            if out.last == 13 { out.removeLast() }
        }
        var t = make(.string)
        t.text = out
        return t
    }
}
