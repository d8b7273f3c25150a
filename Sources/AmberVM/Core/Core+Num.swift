#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Num: arithmetic, comparison, bitwise operators, math functions and formatting.

extension VM {
    /// Wren's number formatting: up to 14 significant digits, "nan", "infinity".
    func formatNumber(_ d: Double) -> String { VM.formatNumber(d) }

    static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "infinity" : "-infinity" }
        // Integers below 1e14 print the same under "%.14g"; skip the formatter.
        if d == d.rounded(), abs(d) < 1e14 {
            if d == 0 { return d.sign == .minus ? "-0" : "0" }
            return String(Int64(d))
        }
        var buf = [CChar](repeating: 0, count: 32)
        _ = withVaList([d]) { vsnprintf(&buf, 32, "%.14g", $0) }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @inline(__always) func numArg(_ a: UnsafeMutablePointer<Value>, _ i: Int, _ what: String) -> Double? {
        if a[i].isNumber { return a[i].number }
        _ = fail("\(what) must be a number.")
        return nil
    }

    func intArg(_ a: UnsafeMutablePointer<Value>, _ i: Int, _ what: String) -> Int? {
        guard let d = numArg(a, i, what) else { return nil }
        if d != d.rounded() || d.isInfinite { _ = fail("\(what) must be an integer."); return nil }
        return VM.clampedInt(d)
    }

    func registerNumNatives() {
        let num = "Num"
        func binary(_ sig: String, _ f: @escaping (Double, Double) -> Double) {
            native(num, sig) { vm, a in
                guard let b = vm.numArg(a, 1, "Right operand") else { return false }
                return vm.ret(a, Value(f(a[0].number, b)))
            }
        }
        func compare(_ sig: String, _ f: @escaping (Double, Double) -> Bool) {
            native(num, sig) { vm, a in
                guard let b = vm.numArg(a, 1, "Right operand") else { return false }
                return vm.ret(a, Value(f(a[0].number, b)))
            }
        }
        func bitwise(_ sig: String, _ f: @escaping (UInt32, UInt32) -> UInt32) {
            native(num, sig) { vm, a in
                guard let b = vm.numArg(a, 1, "Right operand") else { return false }
                return vm.ret(a, Value(Double(f(VM.toUInt32(a[0].number), VM.toUInt32(b)))))
            }
        }
        func unary(_ sig: String, _ f: @escaping (Double) -> Double) {
            native(num, sig) { vm, a in vm.ret(a, Value(f(a[0].number))) }
        }
        binary("+(_)", +); binary("-(_)", -); binary("*(_)", *); binary("/(_)", /)
        binary("%(_)") { fmod($0, $1) }
        compare("<(_)", <); compare(">(_)", >); compare("<=(_)", <=); compare(">=(_)", >=)
        native(num, "==(_)") { vm, a in vm.ret(a, Value(a[1].isNumber && a[0].number == a[1].number)) }
        native(num, "!=(_)") { vm, a in vm.ret(a, Value(!(a[1].isNumber && a[0].number == a[1].number))) }
        bitwise("&(_)", &); bitwise("|(_)", |); bitwise("^(_)", ^)
        bitwise("<<(_)") { $0 << ($1 & 31) }  // x86 semantics, as Wren on C gets
        bitwise(">>(_)") { $0 >> ($1 & 31) }
        native(num, "~") { vm, a in vm.ret(a, Value(Double(~VM.toUInt32(a[0].number)))) }
        unary("-") { -$0 }
        unary("abs") { Swift.abs($0) }
        unary("acos", acos); unary("asin", asin); unary("atan", atan); unary("cbrt", cbrt)
        unary("ceil", ceil); unary("cos", cos); unary("floor", floor); unary("sin", sin)
        unary("sqrt", sqrt); unary("tan", tan); unary("log", log); unary("log2", log2); unary("exp", exp)
        unary("round", Foundation_round)
        unary("truncate", trunc)
        unary("fraction") { var ip = 0.0; return modf($0, &ip) }
        unary("sign") { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        native(num, "atan(_)") { vm, a in
            guard let x = vm.numArg(a, 1, "x value") else { return false }
            return vm.ret(a, Value(atan2(a[0].number, x)))
        }
        native(num, "pow(_)") { vm, a in
            guard let p = vm.numArg(a, 1, "Power value") else { return false }
            return vm.ret(a, Value(pow(a[0].number, p)))
        }
        native(num, "min(_)") { vm, a in
            guard let o = vm.numArg(a, 1, "Other value") else { return false }
            return vm.ret(a, Value(a[0].number < o ? a[0].number : o))
        }
        native(num, "max(_)") { vm, a in
            guard let o = vm.numArg(a, 1, "Other value") else { return false }
            return vm.ret(a, Value(a[0].number > o ? a[0].number : o))
        }
        native(num, "clamp(_,_)") { vm, a in
            guard let lo = vm.numArg(a, 1, "Min value"), let hi = vm.numArg(a, 2, "Max value") else { return false }
            let v = a[0].number
            return vm.ret(a, Value(v < lo ? lo : (v > hi ? hi : v)))
        }
        native(num, "isInfinity") { vm, a in vm.ret(a, Value(a[0].number.isInfinite)) }
        native(num, "isNan") { vm, a in vm.ret(a, Value(a[0].number.isNaN)) }
        native(num, "isInteger") { vm, a in
            let d = a[0].number
            return vm.ret(a, Value(d.isFinite && d == trunc(d)))
        }
        native(num, "toString") { vm, a in vm.ret(a, vm.newString(vm.formatNumber(a[0].number)).value) }
        native(num, "..(_)") { vm, a in
            guard let to = vm.numArg(a, 1, "Right hand side of range") else { return false }
            return vm.ret(a, vm.newRange(a[0].number, to, inclusive: true).value)
        }
        native(num, "...(_)") { vm, a in
            guard let to = vm.numArg(a, 1, "Right hand side of range") else { return false }
            return vm.ret(a, vm.newRange(a[0].number, to, inclusive: false).value)
        }
        staticNative(num, "fromString(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Argument must be a string.") }
            let text = vm.string(a[1])
            guard let n = VM.parseNumber(text) else { return vm.ret(a, .null) }
            // "inf" is infinity; digits that overflow to it are an error.
            if n.isInfinite && VM.specialNumber(text) == nil { return vm.fail("Number literal is too large.") }
            return vm.ret(a, Value(n))
        }
        staticNative(num, "infinity") { vm, a in vm.ret(a, Value(Double.infinity)) }
        staticNative(num, "nan") { vm, a in vm.ret(a, Value(Double.nan)) }
        staticNative(num, "pi") { vm, a in vm.ret(a, Value(Double.pi)) }
        staticNative(num, "tau") { vm, a in vm.ret(a, Value(2 * Double.pi)) }
        staticNative(num, "largest") { vm, a in vm.ret(a, Value(Double.greatestFiniteMagnitude)) }
        staticNative(num, "smallest") { vm, a in vm.ret(a, Value(Double.leastNormalMagnitude)) }
        staticNative(num, "maxSafeInteger") { vm, a in vm.ret(a, Value(9007199254740991.0)) }
        staticNative(num, "minSafeInteger") { vm, a in vm.ret(a, Value(-9007199254740991.0)) }
    }

    /// An integral Double as Int, saturating instead of trapping on huge values.
    @inline(__always) static func clampedInt(_ d: Double) -> Int {
        if d >= 9.2e18 { return Int.max }
        if d <= -9.2e18 { return Int.min }
        return Int(d)
    }

    /// Wren converts to a 32-bit unsigned integer for bitwise operators.
    static func toUInt32(_ d: Double) -> UInt32 {
        if !d.isFinite { return 0 }
        let t = trunc(d)
        let m = fmod(t, 4294967296.0)
        return UInt32(m < 0 ? m + 4294967296.0 : m)
    }

    /// "nan", "inf" and "infinity" in any case, signed or not, as C's
    /// strtod (and so Wren's Num.fromString) reads them; nil for anything else.
    static func specialNumber(_ s: String) -> Double? {
        var body = Substring(s.trimmingWhitespace().lowercased())
        var sign = 1.0
        if body.hasPrefix("-") { sign = -1; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        switch body {
        case "nan": return Double.nan
        case "inf", "infinity": return sign * Double.infinity
        default: return nil
        }
    }

    /// Parses a number the way Num.fromString does: optional surrounding
    /// whitespace, decimal, exponent or 0x hex; nil when not a number.
    static func parseNumber(_ s: String) -> Double? {
        let t = s.trimmingWhitespace()
        if t.isEmpty { return nil }
        if let special = specialNumber(t) { return special }
        var body = Substring(t)
        var negative = false
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() }
        else if body.hasPrefix("+") { body = body.dropFirst() }
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            guard let v = UInt64(body.dropFirst(2), radix: 16) else { return nil }
            return negative ? -Double(v) : Double(v)
        }
        guard body.allSatisfy({ "0123456789.eE+-".contains($0) }), let d = Double(String(body)) else { return nil }
        return negative ? -d : d
    }
}

@inline(__always) func Foundation_round(_ d: Double) -> Double { d.rounded(.toNearestOrAwayFromZero) }

extension String {
    func trimmingWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        var s = Substring(self)
        while let f = s.first, ws.contains(f) { s = s.dropFirst() }
        while let l = s.last, ws.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
