@_spi(AmberInternals) import AmberObjects

// What crosses the boundary between a Swift host and its scripts.
//
// Plain data (null, booleans, numbers, strings, lists and maps of those) is
// copied into Swift; anything else (an instance, a class, a range, a
// function) stays in the heap and comes out as a `Handle` that keeps it alive.

/// A Wren value as a Swift host sees it.
public enum ScriptValue: Equatable, CustomStringConvertible {
    /// Wren's `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A `Num`: Wren has one number type, a double.
    case number(Double)
    /// A `String`, copied (its bytes decoded as UTF-8, invalid sequences replaced).
    case string(String)
    /// A `List` of plain values, copied element by element.
    case list([ScriptValue])
    /// A `Map`, copied entry by entry (in no particular order, as Wren iterates
    /// a map). Toward the VM every key must be a value type (null, a Bool, a
    /// Num, a String, a Range or a class): "Key must be a value type." otherwise.
    case map([(key: ScriptValue, value: ScriptValue)])
    /// Any other heap object, kept alive while the handle lives.
    case handle(Handle)

    /// Plain values compare by content; handles by identity (the same heap object).
    public static func == (a: ScriptValue, b: ScriptValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.map(let x), .map(let y)):
            // The same entries, in any order.
            return x.count == y.count && x.allSatisfy { e in y.contains { $0.key == e.key && $0.value == e.value } }
        case (.handle(let x), .handle(let y)): return x.isSameObject(as: y)
        default: return false
        }
    }

    /// The value as `System.print` would show it (handles as `handle(kind)`).
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return VM.formatNumber(d)
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        case .handle(let h): return "handle(\(h.kindName))"
        }
    }
}

extension ScriptValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
                       ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
                       ExpressibleByDictionaryLiteral {
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// `true` and `false` are `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal is a `.number`.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A floating-point literal is a `.number`.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal is a `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal is a `.list`.
    public init(arrayLiteral elements: ScriptValue...) { self = .list(elements) }
    /// A dictionary literal is a `.map`.
    public init(dictionaryLiteral elements: (ScriptValue, ScriptValue)...) {
        self = .map(elements.map { (key: $0.0, value: $0.1) })
    }
}

/// A runtime or compile error of script code, thrown to the host.
public struct ScriptError: Error, Equatable, CustomStringConvertible {
    /// The error's message, as `Fiber.error` would give it.
    public var message: String
    /// The Wren stack trace, innermost frame first (`[main line 3] in Game.score(_)`),
    /// after the compile errors of a module that failed to load, if that was the error.
    public var stackTrace: [String]
    /// An error with `message` and, optionally, a stack trace.
    public init(_ message: String, stackTrace: [String] = []) {
        self.message = message
        self.stackTrace = stackTrace
    }
    /// The message, then the stack trace, one line each.
    public var description: String {
        ([message] + stackTrace).joined(separator: "\n")
    }
}
