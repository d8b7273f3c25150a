#!/usr/bin/env python3
"""Writes Regressions/compiler/*.wren: sources that walk the compiler's error
paths, past every limit. Each file starts with "// error: TEXT", part of an
error the compiler must report (CompilerRegressionTests checks it). Nesting is
repeated far past the parser's limit (1000), which is what stands between such
input and a stack overflow.

    python3 Fuzz/compiler_limit_cases.py Fuzz/Regressions/compiler
"""
import os, sys
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "Regressions", "compiler")
os.makedirs(out, exist_ok=True)
cases = {}
def case(name, expect, body):
    cases[name] = (expect, body)

N = 1200
case("nested-parentheses", "Expression is nested too deeply", "var x = " + "(" * N + "1" + ")" * N + "\n")
case("nested-parentheses-unclosed", "Expression is nested too deeply", "var x = " + "(" * 10000 + "\n")
case("nested-lists", "Expression is nested too deeply", "var x = " + "[" * N + "]" * N + "\n")
case("nested-maps", "Expression is nested too deeply", "var x = " + "{1: " * N + "1" + "}" * N + "\n")
case("nested-unary-minus", "Expression is nested too deeply", "var x = " + "-" * 10000 + "1\n")
case("nested-not", "Expression is nested too deeply", "var x = " + "!" * 10000 + "true\n")
case("nested-subscripts", "Expression is nested too deeply", "var a = [0]\nvar x = " + "a[" * N + "0" + "]" * N + "\n")
case("nested-calls", "Expression is nested too deeply", "var x = " + "System.print(" * N + "1" + ")" * N + "\n")
case("nested-conditionals", "Expression is nested too deeply", "var a = true\nvar x = " + "a ? 1 : " * 2500 + "2\n")
case("chained-assignments", "Expression is nested too deeply", "var a = 0\n" + "a = " * 2500 + "1\n")
case("nested-functions", "nested too deeply", "var f = " + "Fn.new { " * N + "}" * N + "\n")
case("nested-blocks", "nested too deeply", "{" * 10000 + "\n")
case("nested-ifs", "nested too deeply", "var a = true\n" + "if (a) " * 2500 + "a = false\n")
case("nested-whiles", "nested too deeply", "var a = false\n" + "while (a) " * 2500 + "a = false\n")
case("nested-fors", "Cannot declare more than 256 variables in one scope", "for (i in []) " * 2500 + "i\n")
case("nested-interpolation", "Interpolation may only nest 8 levels deep",
     "var x = " + '"%(' * 20 + "1" + ')"' * 20 + "\n")
case("nested-interpolation-unterminated", "nested", 'var x = ' + '"%(' * 2500 + "\n")
case("unterminated-string", "Unterminated string", 'var x = "abc\n')
case("unterminated-string-at-end", "Unterminated string", 'var x = "abc')
case("unterminated-interpolation", "Expect end of string interpolation", 'var x = "a %(1 + \n')
case("unterminated-interpolation-at-end", "Expect", 'var x = "a %(1 +')
case("unterminated-raw-string", "Unterminated raw string", 'var x = """abc\n')
case("unterminated-block-comment", "Unterminated block comment", "/* /* */\nvar x = 1\n")
case("deep-block-comments", "Unterminated block comment", "/*" * 10000 + "\n")
case("bad-escapes", "escape", 'var x = "\\u12"\nvar y = "\\x4"\nvar z = "\\q"\nvar w = "\\U1234"\n')
case("bad-number", "Unterminated scientific notation", "var x = 1e\nvar y = 0x\n")
case("huge-number", "Number literal was too large", "var x = " + "9" * 400 + "\n")
case("huge-hex-number", "Number literal was too large", "var x = 0x" + "f" * 40 + "\n")
case("invalid-bytes", "Invalid byte", "var x = 1\n\xff\xfe\x80 var y = 2\n")
case("invalid-characters", "Invalid character", "var x = 1 $ 2 @ 3 ` 4\n")
case("nul-bytes", "Invalid", "var x = \x00 1\n")
case("too-many-locals", "Cannot declare more than 256 variables in one scope",
     "{\n" + "".join("  var v%d = %d\n" % (i, i) for i in range(300)) + "}\n")
case("too-many-parameters", "Methods cannot have more than 16 parameters",
     "class A {\n  m(" + ", ".join("p%d" % i for i in range(20)) + ") {}\n}\n"
     "var f = Fn.new {|" + ", ".join("p%d" % i for i in range(20)) + "| 1 }\n"
     "A.new().m(" + ", ".join(str(i) for i in range(20)) + ")\n")
# 2 x 200 locals in two enclosing functions, closed over by one function: 400 upvalues.
outer = "".join("    var a%d = %d\n" % (i, i) for i in range(200))
middle = "".join("      var b%d = %d\n" % (i, i) for i in range(200))
uses = " + ".join(["a%d" % i for i in range(200)] + ["b%d" % i for i in range(200)])
case("too-many-upvalues", "may only close over 256 variables",
     "var f = Fn.new {\n" + outer + "  return Fn.new {\n" + middle + "    return Fn.new { " + uses + " }\n  }\n}\n")
case("too-many-fields", "fields", "class A {\n  construct new() {\n" + "".join("    _f%d = %d\n" % (i, i) for i in range(300)) + "  }\n}\n")
case("long-method-name", "Method names cannot be longer than 64 characters",
     "class A {\n  " + "m" * 100 + "() {}\n}\nA.new()." + "m" * 100 + "()\n")
case("constructor-errors", "A constructor cannot", "class A {\n  construct static new() {}\n  construct x {}\n  construct x=(v) {}\n  construct r() { return 1 }\n}\n")
case("misplaced-keywords", "Cannot use", "break\ncontinue\nthis\nsuper.x\n")
case("bad-attributes", "attribute", "#\n#!x = [1]\nvar a = 1\n#x\nvar b = 2\n")
case("duplicate-methods", "already defines", "class A {\n  m() {}\n  m() {}\n  static n {}\n  static n {}\n}\n")
case("truncated-class", "Expect", "class A is B {\n  construct new(")
case("truncated-everything", "Expect", "import \"a\" for B, C\nclass D is E { static f(g) { h.i[j] = k ? l : m || n } ")
case("operators-without-operands", "Expected expression", "var x = * / % + - < > == != & | ^ << >> .. ...\n")
for name, (expect, body) in cases.items():
    # latin-1 keeps the invalid-bytes cases as the single bytes they are.
    data = ("// error: " + expect + "\n" + body).encode("latin-1")
    with open(os.path.join(out, name + ".wren"), "wb") as f:
        f.write(data)
print(len(cases))
