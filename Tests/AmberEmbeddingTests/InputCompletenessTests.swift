// InputCompleteness as a host's REPL uses it: `import AmberVM` only.
import Testing
import AmberVM

@Suite struct InputCompletenessTests {
    @Test(arguments: [
        "",
        "\n",
        "System.print(1)\n",
        "var a = 3\n",
        "class A {\n  f { 1 }\n}\n",
        "System.print(\"(\")\n",            // a bracket in a string
        "System.print(1) // (\n",           // ... in a line comment
        "/* { */ System.print(1)\n",        // ... in a block comment
        "/* /* nested */ ( */ 1\n",
        "\"\"\"\n  ( [ {\n\"\"\"\n",        // ... in a raw string
        "\"a %(1 + 2) b\"\n",
        "\"%(\")\")\"\n",                   // a ")" in a string in an interpolation
        "\"%(\"%(1)\")\"\n",                // nested interpolations
        "\"\\\"(\"\n",                      // an escaped quote
        "[1, 2].map {|x| x * 2 }\n",
        "var a = 1 + 2\n",
        "x = -1\n",
    ])
    func complete(_ source: String) {
        #expect(InputCompleteness(of: source) == .complete, "\(source.debugDescription)")
        #expect(InputCompleteness(of: source).isComplete)
    }

    @Test(arguments: [
        ("class A {\n", InputCompleteness.Reason.openBracket),
        ("class A {\n  // }\n", .openBracket),
        ("class A {\n  f { \"}\" }\n", .openBracket),
        ("foo(1,\n", .openBracket),
        ("[1, 2\n", .openBracket),
        ("{ (\n) \n", .openBracket),
        ("System.print(\"abc\n", .unterminatedString),
        ("\"ends with a backslash \\", .unterminatedString),
        ("var s = \"\"\"\n  text ( \n", .unterminatedRawString),
        ("var s = \"\"\" \"\" \n", .unterminatedRawString),
        ("/* a comment\n", .unterminatedBlockComment),
        ("/* /* nested */ still open\n", .unterminatedBlockComment),
        ("\"sum %(1 +\n", .openInterpolation),
        ("\"%(foo(1)\n", .openInterpolation),
        ("1 +\n", .trailingOperator),
        ("var x =\n", .trailingOperator),
        ("a &&\n", .trailingOperator),
        ("list.\n", .trailingOperator),
        ("a == b ? c :\n", .trailingOperator),
        ("x is\n", .trailingOperator),
        ("1 + // the rest comes next\n", .trailingOperator),
    ])
    func needsMore(_ source: String, _ reason: InputCompleteness.Reason) {
        #expect(InputCompleteness(of: source) == .needsMore(reason), "\(source.debugDescription)")
        #expect(!InputCompleteness(of: source).isComplete)
    }

    /// Closing what is not open cannot be mended by more lines: compile it, so the error shows.
    @Test func strayClosersAreComplete() {
        #expect(InputCompleteness(of: ")\n").isComplete)
        #expect(InputCompleteness(of: "} class A {\n").isComplete)
        #expect(InputCompleteness(of: "]  \"abc\n").isComplete)
    }

    @Test func bytesAndTextAgree() {
        for source in ["class A {\n", "\"é %(", "1\n"] {
            #expect(InputCompleteness(of: source) == InputCompleteness(of: Array(source.utf8)))
        }
    }

    /// A line at a time, as a REPL feeds it: the input completes on the closing line.
    @Test func aSessionCompletesOnTheClosingLine() {
        let lines = ["class Greeter {", "  // (politely", "  static hi { \"{ hi\" }", "}"]
        var pending = ""
        var verdicts: [Bool] = []
        for line in lines {
            pending += line + "\n"
            verdicts.append(InputCompleteness(of: pending).isComplete)
        }
        #expect(verdicts == [false, false, false, true])
    }
}
