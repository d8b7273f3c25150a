@_spi(AmberInternals) import AmberObjects

// Whether a piece of source is a whole input or wants more lines: what an
// interactive session asks after each line it reads. The answer comes from
// the compiler's own lexer, so a bracket inside a string, a comment or a raw
// string is never counted, and an interpolation "%(" is open until its ")".

/// Whether Wren source text is complete, or needs more lines before it can be
/// compiled: what a REPL asks to decide between running the input and showing
/// a continuation prompt.
///
/// The text is read by the compiler's lexer. It needs more when it ends inside
/// an open `(`, `[` or `{` (counted on real tokens only, never in strings or
/// comments), an unterminated string, raw string (`"""`) or block comment, an
/// open interpolation (`"%(`), or right after an operator that the grammar
/// lets continue on the next line (`1 +`, `x =`, `list.`, `a,`).
///
/// "Complete" does not mean "valid": `)` with nothing open is complete, and
/// compiling it reports the error.
///
///     InputCompleteness(of: "class Point {").isComplete     // false
///     InputCompleteness(of: "System.print(\"(\")").isComplete // true
public enum InputCompleteness: Equatable, Sendable {
    /// The input can be compiled as it is.
    case complete
    /// More lines are needed; the reason is the innermost construct left open.
    case needsMore(Reason)

    /// What keeps an input open.
    public enum Reason: Equatable, Sendable {
        /// A `(`, `[` or `{` is not closed.
        case openBracket
        /// A `"` string is not closed.
        case unterminatedString
        /// A `"""` raw string is not closed.
        case unterminatedRawString
        /// A `/*` comment is not closed.
        case unterminatedBlockComment
        /// A `%(` interpolation is not closed by its `)`.
        case openInterpolation
        /// The input ends with an operator, `=`, `.` or `,` that continues on the next line.
        case trailingOperator
    }

    /// Whether the input can be compiled as it is.
    public var isComplete: Bool { self == .complete }

    /// Examines `source` (UTF-8 text).
    public init(of source: String) {
        self.init(of: Array(source.utf8))
    }

    /// Examines `source` (UTF-8 bytes).
    public init(of source: [UInt8]) {
        var unterminated: Reason? = nil
        // NOTE: what runs into the end of the input is known by the lexer's own
        // messages; InputCompletenessTests pins each one, so a rewording shows there.
        var lexer = Lexer(source: source) { _, message in
            guard unterminated == nil else { return }
            switch message {
            case "Unterminated string.": unterminated = .unterminatedString
            case "Unterminated raw string.": unterminated = .unterminatedRawString
            case "Unterminated block comment.": unterminated = .unterminatedBlockComment
            default: break
            }
        }
        var depth = 0
        var unbalanced = false
        var last: TokenType? = nil
        while true {
            let token = lexer.next()
            switch token.type {
            case .eof:
                break
            case .leftParen, .leftBracket, .leftBrace:
                depth += 1
            case .rightParen, .rightBracket, .rightBrace:
                depth -= 1
                // A closer with nothing open: no further line can mend that, let the compiler say so.
                if depth < 0 { unbalanced = true }
            default:
                break
            }
            if token.type == .eof { break }
            if token.type != .line { last = token.type }
        }
        if unbalanced {
            self = .complete
        } else if let reason = unterminated {
            self = .needsMore(reason)
        } else if !lexer.parens.isEmpty {
            self = .needsMore(.openInterpolation)
        } else if depth > 0 {
            self = .needsMore(.openBracket)
        } else if let last, InputCompleteness.continuesOnNextLine(last) {
            self = .needsMore(.trailingOperator)
        } else {
            self = .complete
        }
    }

    /// Tokens after which the compiler skips newlines, so the expression goes on.
    static func continuesOnNextLine(_ t: TokenType) -> Bool {
        switch t {
        case .dot, .dotDot, .dotDotDot, .comma, .star, .slash, .percent, .plus, .minus,
             .ltlt, .gtgt, .pipe, .pipePipe, .caret, .amp, .ampAmp, .bang, .tilde, .question,
             .colon, .eq, .lt, .gt, .ltEq, .gtEq, .eqEq, .bangEq, .kwIs:
            return true
        default:
            return false
        }
    }
}
