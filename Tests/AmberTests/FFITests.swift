import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
@testable import AmberLauncher

// The ffi module (Sources/AmberVM/FFI): the issue's sample, every type, Struct
// layout, variadic calls, callbacks, bad input, the safety gate, and bindings
// across snapshot and restore in two processes.

/// Runs `source` as a script in-process through the launcher with `flags`.
func runFFI(_ source: String, flags: [String] = ["--allow-ffi"]) throws -> (code: Int32, out: String, err: String) {
    let dir = try scratch(["main.wren": source])
    let (code, out, err) = runLauncher(flags + [dir + "/main.wren"])
    return (code, out, err)
}

/// The lines a script printed.
func lines(_ s: String) -> [String] {
    var l = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if l.last == "" { l.removeLast() }
    return l
}

/// Each `check(name) { ... }` prints "name: <result or error message>".
let ffiPrelude = """
import "ffi" for Library, Callback, Memory, Pointer, Struct, Function
var Libc = Library.open("libc.so.6")
var Libm = Library.open("libm.so.6")
var check = Fn.new {|name, f|
  var fiber = Fiber.new(f)
  var r = fiber.try()
  System.print("%(name): %(fiber.error != null ? fiber.error : r)")
}

"""

@Suite(.serialized) struct FFITests {
    static let sample = """
    import "ffi" for Library, Callback, Memory, Pointer, Struct
    var libc = Library.open("libc.so.6")                 // Library.process: the running program's symbols
    var strlen = libc.function("strlen", "size_t", ["string"])
    System.print(strlen.call("héllo"))                 // 6 (bytes)
    var pow = Library.open("libm.so.6").function("pow", "double", ["double", "double"])
    System.print(pow.call(2, 10))                      // 1024
    var getpid = libc.function("getpid", "int32", [])
    var snprintf = libc.variadic("snprintf", "int32", ["pointer", "size_t", "string"])
    var buf = Memory.alloc(64)
    snprintf.call([buf, 64, "\\%d-\\%s"], ["int32", "string"], [42, "x"])   // fixed args, variadic types, variadic args
    System.print(buf.string(0))                          // 42-x
    var Div = Struct.new([["quot", "int32"], ["rem", "int32"]])
    var div = libc.function("div", Div, ["int32", "int32"])   // a struct returned by value
    var r = div.call(17, 5)                            // r is a Memory of Div.size bytes
    System.print([r.int32(Div.offset("quot")), r.int32(Div.offset("rem"))])   // [3, 2]
    var cmp = Callback.new("int32", ["pointer", "pointer"]) {|a, b| Memory.view(a, 4).int32(0) - Memory.view(b, 4).int32(0) }
    var nums = Memory.alloc(16)
    for (i in 0...4) nums.setInt32(i * 4, [3, 1, 4, 1][i])
    libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"]).call(nums, 4, 4, cmp)
    System.print((0...4).map {|i| nums.int32(i * 4) }.toList)   // [1, 1, 3, 4]
    var p = libc.function("malloc", "pointer", ["size_t"]).call(8)    // a Pointer
    System.print(p is Pointer)                                          // true
    """

    @Test func issueSampleScript() throws {
        let r = try runFFI(FFITests.sample)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == ["6", "1024", "42-x", "[3, 2]", "[1, 1, 3, 4]", "true"])
        #expect(r.err.isEmpty)
    }

    @Test func everyScalarTypeCrossesBothWays() throws {
        let r = try runFFI(ffiPrelude + """
        System.print(Libc.function("abs", "int8", ["int8"]).call(-5))
        System.print(Libc.function("toupper", "uint8", ["uint8"]).call(97))
        System.print(Libc.function("abs", "int16", ["int16"]).call(-300))
        System.print(Libc.function("htons", "uint16", ["uint16"]).call(0x1234) == 0x3412)
        System.print(Libc.function("abs", "int32", ["int32"]).call(-2147483647))
        System.print(Libc.function("htonl", "uint32", ["uint32"]).call(0x12345678) == 0x78563412)
        System.print(Libc.function("labs", "int64", ["int64"]).call(-1e15))
        System.print(Libc.function("llabs", "ssize_t", ["ssize_t"]).call(-42))
        var end = Memory.alloc(8)
        System.print(Libc.function("strtoull", "uint64", ["string", "pointer", "int32"]).call("18446744073709549568", end, 10) == 18446744073709549568)
        System.print(Libm.function("fabsf", "float", ["float"]).call(-2.5))
        System.print(Libm.function("fabs", "double", ["double"]).call(-0.125))
        // Mixed classes go through libffi, all-double signatures straight through.
        System.print(Libm.function("ldexp", "double", ["double", "int32"]).call(0.75, 4))
        System.print(Libm.function("fma", "double", ["double", "double", "double"]).call(2, 3, 0.5))
        System.print(Libm.function("lround", "int64", ["double"]).call(-2.5))
        System.print(Libc.function("strlen", "size_t", ["string"]).call(""))
        System.print(Libc.function("abs", "bool", ["int32"]).call(1))
        System.print(Libc.function("abs", "bool", ["int32"]).call(0))
        System.print(Libc.function("abs", "int32", ["bool"]).call(true))
        var strchr = Libc.function("strchr", "string", ["string", "int32"])
        System.print(strchr.call("amber", 98))
        System.print(strchr.call("amber", 122))
        var malloc = Libc.function("malloc", "pointer", ["size_t"])
        var free = Libc.function("free", "void", ["pointer"])
        var p = malloc.call(16)
        System.print(p is Pointer && !p.isNull && p.address > 0)
        var v = Memory.view(p, 16)
        v.setInt64(8, -7)
        System.print(v.int64(8))
        System.print(p == p && p != null)
        System.print(free.call(p))
        System.print(Libc.function("getenv", "pointer", ["string"]).call("NO_SUCH_VARIABLE_AMBER").isNull)
        System.print(Libc.function("getpid", "void", []).call())
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == ["5", "65", "300", "true", "2147483647", "true", "1e+15", "42", "true",
                                 "2.5", "0.125", "12", "6.5", "-3", "0", "true", "false", "1", "ber", "null", "true", "-7", "true",
                                 "null", "true", "null"])
    }

    @Test func memoryAccessorsAndBounds() throws {
        let r = try runFFI(ffiPrelude + """
        var m = Memory.alloc(16)
        System.print(m.size)
        System.print(m.isView)
        m.setInt8(0, -1)
        System.print([m.int8(0), m.uint8(0)])
        m.setUint16(2, 65535)
        System.print([m.int16(2), m.uint16(2)])
        m.setInt32(4, -2)
        System.print([m.int32(4), m.uint32(4)])
        m.setUint64(8, 4294967296)
        System.print(m.int64(8))
        m.setFloat(0, 0.5)
        System.print(m.float(0))
        m.setDouble(8, 1.25)
        System.print(m.double(8))
        var s = Memory.fromString("héllo")
        System.print([s.size, s.string(0), s.string(1)])
        s.setString(0, "ab")
        System.print(s.string(0))
        var z = Memory.alloc(3)
        z.setUint8(0, 65)
        z.setUint8(1, 66)
        z.setUint8(2, 67)
        System.print(z.string(0))
        check.call("int32 past end") { m.int32(13) }
        check.call("negative") { m.uint8(-1) }
        check.call("fractional") { m.uint8(1.5) }
        check.call("double at 16") { m.double(16) }
        check.call("setString too long") { s.setString(0, "1234567") }
        check.call("range") { m.setInt8(0, 128) }
        check.call("type") { m.setDouble(0, "x") }
        check.call("alloc") { Memory.alloc(-1) }
        check.call("alloc huge") { Memory.alloc(1e300) }
        check.call("alloc over the heap") { Memory.alloc(1e12) }
        check.call("owned in memory") { m.setPointer(0, s) }
        m.setPointer(0, null)
        System.print(m.pointer(0).isNull)
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "16", "false", "[-1, 255]", "[-1, 65535]", "[-2, 4294967294]", "4294967296", "0.5", "1.25",
            "[7, héllo, éllo]", "ab", "ABC",
            "int32 past end: Memory access out of bounds: 4 byte(s) at offset 13 of a Memory of 16 bytes.",
            "negative: Memory access out of bounds: 1 byte(s) at offset -1 of a Memory of 16 bytes.",
            "fractional: Memory offset must be an integer, not 1.5.",
            "double at 16: Memory access out of bounds: 8 byte(s) at offset 16 of a Memory of 16 bytes.",
            "setString too long: Memory access out of bounds: 8 byte(s) at offset 0 of a Memory of 7 bytes.",
            "range: Value is out of range for int8: 128.",
            "type: Value must be a Num (double), not a String.",
            "alloc: Size must not be negative.",
            "alloc huge: Out of memory.",
            "alloc over the heap: Out of memory.",
            "owned in memory: A Memory the heap owns has no fixed address to store; pass it to the call directly.",
            "true",
        ])
    }

    @Test func structLayoutFollowsCAlignment() throws {
        let r = try runFFI(ffiPrelude + """
        var S = Struct.new([["a", "int8"], ["b", "int32"], ["c", "int8"], ["d", "double"], ["e", "uint16"]])
        System.print([S.offset("a"), S.offset("b"), S.offset("c"), S.offset("d"), S.offset("e"), S.size, S.alignment])
        var Small = Struct.new([["x", "uint8"], ["y", "uint16"], ["z", "uint8"]])
        System.print([Small.offset("y"), Small.offset("z"), Small.size, Small.alignment])
        var Outer = Struct.new([["tag", "int8"], ["inner", Small], ["p", "pointer"], ["f", "float"]])
        System.print([Outer.offset("inner"), Outer.offset("p"), Outer.offset("f"), Outer.size, Outer.alignment])
        System.print(S.names)
        check.call("unknown field") { S.offset("zz") }
        // A 16-byte struct returned in two registers.
        var LDiv = Struct.new([["quot", "int64"], ["rem", "int64"]])
        var r = Libc.function("ldiv", LDiv, ["int64", "int64"]).call(-7000000000000, 3)
        System.print([r.size, r.int64(0), r.int64(8)])
        // A struct passed by value: inet_ntoa(struct in_addr).
        var InAddr = Struct.new([["s_addr", "uint32"]])
        var addr = Memory.alloc(InAddr.size)
        addr.setUint8(0, 127)
        addr.setUint8(3, 1)
        System.print(Libc.function("inet_ntoa", "string", [InAddr]).call(addr))
        check.call("struct arg too small") { Libc.function("inet_ntoa", "string", [InAddr]).call(Memory.alloc(2)) }
        check.call("struct arg not memory") { Libc.function("inet_ntoa", "string", [InAddr]).call(1) }
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "[0, 4, 8, 16, 24, 32, 8]", "[2, 4, 6, 2]", "[2, 8, 16, 24, 8]", "[a, b, c, d, e]",
            "unknown field: Struct has no field 'zz' (fields: a, b, c, d, e).",
            "[16, -2333333333333, -1]", "127.0.0.1",
            "struct arg too small: Argument 1 of 'inet_ntoa' is a Memory of 2 bytes; the struct needs 4.",
            "struct arg not memory: Argument 1 of 'inet_ntoa' must be a Memory holding the struct, not a Num.",
        ])
    }

    @Test func variadicSnprintf() throws {
        let r = try runFFI(ffiPrelude + """
        var snprintf = Libc.variadic("snprintf", "int32", ["pointer", "size_t", "string"])
        var buf = Memory.alloc(64)
        System.print(snprintf.call([buf, 64, "\\%d|\\%s|\\%.2f|\\%lld|\\%c"], ["int32", "string", "double", "int64", "int8"], [-42, "wren", 3.14159, 9007199254740991, 65]))
        System.print(buf.string(0))
        snprintf.call([buf, 64, "\\%.1f \\%u"], ["float", "uint16"], [0.5, 65535])
        System.print(buf.string(0))
        snprintf.call([buf, 64, "none"], [], [])
        System.print(buf.string(0))
        snprintf.call([buf, 5, "\\%s"], ["string"], ["truncated"])
        System.print(buf.string(0))
        check.call("count mismatch") { snprintf.call([buf, 64, "\\%d"], ["int32"], []) }
        check.call("fixed count") { snprintf.call([buf, 64], [], []) }
        check.call("not a list") { snprintf.call(buf, [], []) }
        check.call("plain call") { snprintf.call(buf) }
        check.call("bad variadic type") { snprintf.call([buf, 64, "x"], ["nope"], [1]) }
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "32", "-42|wren|3.14|9007199254740991|A", "0.5 65535", "none", "trun",
            "count mismatch: 'snprintf' got 1 variadic type(s) but 0 variadic argument(s).",
            "fixed count: 'snprintf' expects 3 fixed argument(s), got 2.",
            "not a list: The fixed arguments of variadic 'snprintf' must be a List, not an instance of Memory.",
            "plain call: 'snprintf' is variadic: call it as call(fixedArgs, variadicTypes, variadicArgs).",
            "bad variadic type: Unknown type 'nope' for variadic argument 1 of 'snprintf' (types: \(FFIType.nameList)).",
        ])
    }

    @Test func callbacksRunNestedAndReportErrors() throws {
        let r = try runFFI(ffiPrelude + """
        import "snapshot" for Snapshot
        var qsort = Libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"])
        var abs = Libc.function("abs", "int32", ["int32"])
        var calls = 0
        // A comparator that allocates, collects and calls C itself.
        var cmp = Callback.new("int32", ["pointer", "pointer"]) {|a, b|
          calls = calls + 1
          var garbage = []
          for (i in 0...50) garbage.add("g%(i)")
          System.gc()
          return abs.call(-1) * (Memory.view(a, 4).int32(0) - Memory.view(b, 4).int32(0))
        }
        var n = 100
        var nums = Memory.alloc(4 * n)
        for (i in 0...n) nums.setInt32(4 * i, (i * 7919) % n)
        qsort.call(nums, n, 4, cmp)
        var sorted = true
        for (i in 1...n) if (nums.int32(4 * (i - 1)) > nums.int32(4 * i)) sorted = false
        System.print([sorted, calls > n, nums.int32(0), nums.int32(4 * (n - 1))])
        // bsearch: a callback with a pointer result from C.
        var bsearch = Libc.function("bsearch", "pointer", ["pointer", "pointer", "size_t", "size_t", "pointer"])
        var key = Memory.alloc(4)
        key.setInt32(0, 50)
        var found = bsearch.call(key, nums, n, 4, cmp)
        System.print(Memory.view(found, 4).int32(0))
        var failing = Callback.new("int32", ["pointer", "pointer"]) {|a, b| Fiber.abort("no comparison today") }
        check.call("error") { qsort.call(nums, n, 4, failing) }
        var wrongResult = Callback.new("int32", ["pointer", "pointer"]) {|a, b| "x" }
        check.call("result type") { qsort.call(nums, n, 4, wrongResult) }
        var snap = Callback.new("int32", ["pointer", "pointer"]) {|a, b| Snapshot.take("never.img") }
        check.call("snapshot") { qsort.call(nums, n, 4, snap) }
        check.call("arity") { Callback.new("int32", ["pointer", "pointer"]) {|a| 0 } }
        check.call("not a function") { Callback.new("int32", [], 3) }
        check.call("string result") { Callback.new("string", []) { "x" } }
        check.call("after errors") { abs.call(-3) }
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "[true, true, 0, 99]", "50",
            "error: Error in a callback called by 'qsort': no comparison today",
            "result type: Error in a callback called by 'qsort': The callback's result must be a Num (int32), not a String.",
            "snapshot: Error in a callback called by 'qsort': Cannot take a snapshot while an FFI callback runs (C code is on the stack); take it after the foreign call returns.",
            "arity: Callback function takes 1 argument(s) but its signature has 2.",
            "not a function: Callback function must be a function, not a Num.",
            "string result: A callback cannot return a string (nothing would own its bytes); return a pointer.",
            "after errors: 3",
        ])
        #expect(!FileManager.default.fileExists(atPath: "never.img"))
    }

    @Test func processExitInsideACallbackEndsTheRun() throws {
        let r = try runFFI(ffiPrelude + """
        import "os" for Process
        var cmp = Callback.new("int32", ["pointer", "pointer"]) {|a, b|
          System.print("in callback")
          Process.exit(3)
        }
        var qsort = Libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"])
        Fiber.new { qsort.call(Memory.alloc(8), 2, 4, cmp) }.try()
        System.print("not reached")
        """)
        #expect(r.code == 3, "\(r.err)")
        #expect(r.out == "in callback\n")
    }

    @Test func badInputIsAnErrorNeverACrash() throws {
        let dir = try temporaryDirectory()
        try String(repeating: "not a shared library\n", count: 20).write(toFile: dir + "/notalib.so", atomically: true, encoding: .utf8)
        let r = try runFFI(ffiPrelude + """
        var strlen = Libc.function("strlen", "size_t", ["string"])
        var abs = Libc.function("abs", "int32", ["int32"])
        check.call("unknown type") { Libc.function("strlen", "size_tt", ["string"]) }
        check.call("unknown arg type") { Libc.function("strlen", "size_t", ["char*"]) }
        check.call("void arg") { Libc.function("abs", "int32", ["void"]) }
        check.call("type not a name") { Libc.function("abs", 3, []) }
        check.call("huge number type") { Libc.function("abs", "int32", [1e300]) }
        check.call("args not a list") { Libc.function("abs", "int32", "int32") }
        check.call("empty struct") { Struct.new([]) }
        check.call("bad struct field") { Struct.new([["a"]]) }
        check.call("duplicate field") { Struct.new([["a", "int8"], ["a", "int8"]]) }
        check.call("missing symbol") { Libc.function("no_such_symbol_amber", "void", []) }
        check.call("not a library") { Library.open("\(dir)/notalib.so") }
        check.call("no file") { Library.open("/no/such/libamber.so") }
        check.call("path type") { Library.open(42) }
        check.call("null string") { strlen.call(null) }
        check.call("num string") { strlen.call(3) }
        check.call("too few") { strlen.call() }
        check.call("too many") { strlen.call("a", "b") }
        check.call("out of range") { abs.call(2147483648) }
        check.call("negative unsigned") { Libc.function("htonl", "uint32", ["uint32"]).call(-1) }
        check.call("fraction") { abs.call(1.5) }
        check.call("nan") { abs.call(0/0) }
        check.call("string for int") { abs.call("1") }
        check.call("pointer type") { Libc.function("free", "void", ["pointer"]).call("x") }
        check.call("view of null") { Memory.view(Libc.function("getenv", "pointer", ["string"]).call("NO_SUCH_VARIABLE_AMBER"), 4) }
        check.call("view of number") { Memory.view(1234, 4) }
        check.call("made pointer") { Pointer.new_().isNull }
        check.call("made pointer string") { Pointer.new_().toString }
        check.call("made memory") { Memory.new_().int8(0) }
        check.call("made function") { Function.new_().call() }
        check.call("made library") { Library.new_().function("abs", "int32", ["int32"]) }
        check.call("made struct") { Struct.new_().size }
        check.call("made callback") { Libc.function("free", "void", ["pointer"]).call(Callback.new_()) }
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "unknown type: Unknown type 'size_tt' for the return type of 'strlen' (types: \(FFIType.nameList)).",
            "unknown arg type: Unknown type 'char*' for argument 1 of 'strlen' (types: \(FFIType.nameList)).",
            "void arg: Argument 1 of 'abs' cannot be void.",
            "type not a name: The return type of 'abs' must be a type name (String) or a Struct, not a Num.",
            "huge number type: Argument 1 of 'abs' must be a type name (String) or a Struct, not a Num.",
            "args not a list: The argument types of 'abs' must be a List, not a String.",
            "empty struct: A Struct needs at least one field.",
            "bad struct field: Struct field 1 must be a [name, type] pair.",
            "duplicate field: Struct field 'a' is declared twice.",
            "missing symbol: Library 'libc.so.6' has no symbol 'no_such_symbol_amber'.",
            "not a library: Cannot open library '\(dir)/notalib.so': \(dir)/notalib.so: invalid ELF header.",
            "no file: Cannot open library '/no/such/libamber.so': /no/such/libamber.so: cannot open shared object file: No such file or directory.",
            "path type: Library path must be a String, not a Num.",
            "null string: Argument 1 of 'strlen' must be a String, not null.",
            "num string: Argument 1 of 'strlen' must be a String, not a Num.",
            "too few: 'strlen' expects 1 argument(s), got 0.",
            "too many: 'strlen' expects 1 argument(s), got 2.",
            "out of range: Argument 1 of 'abs' is out of range for int32: 2147483648.",
            "negative unsigned: Argument 1 of 'htonl' is out of range for uint32: -1.",
            "fraction: Argument 1 of 'abs' must be an integer (int32), not 1.5.",
            "nan: Argument 1 of 'abs' must be an integer (int32), not nan.",
            "string for int: Argument 1 of 'abs' must be a Num (int32), not a String.",
            "pointer type: Argument 1 of 'free' must be a Pointer, Memory, Callback or null, not a String.",
            "view of null: Cannot view a NULL pointer.",
            "view of number: Memory.view needs a Pointer, not a Num.",
            "made pointer: Pointer has no address (Pointers come from foreign calls).",
            "made pointer string: Pointer(none)",
            "made memory: Memory has no bytes (make one with Memory.alloc, Memory.fromString or Memory.view).",
            "made function: Function is not bound.",
            "made library: Library is not open.",
            "made struct: Struct is not built.",
            "made callback: Argument 1 of 'free': the callback is not bound.",
        ])
    }

    @Test func gateAndAllowList() throws {
        let off = try runFFI("import \"ffi\" for Library\n", flags: [])
        #expect(off.code == 70)
        #expect(off.err.hasPrefix(VM.ffiDisabledMessage), "\(off.err)")
        #expect(off.err.contains("--allow-ffi"))

        // A caught import error defines nothing: importing again gets no classes.
        let caught = try runFFI("""
        import "meta" for Meta
        var f = Fiber.new { Meta.eval("import \\"ffi\\"") }
        f.try()
        System.print(f.error)
        var g = Fiber.new { Meta.eval("import \\"ffi\\" for Library\\nLibrary.open(\\"libc.so.6\\")") }
        g.try()
        System.print(g.error)
        """, flags: [])
        #expect(caught.code == 0, "\(caught.err)")
        #expect(lines(caught.out) == [VM.ffiDisabledMessage, "Null does not implement 'open(_)'."])

        let listed = try runFFI(ffiPrelude.replacingOccurrences(of: "var Libc = Library.open(\"libc.so.6\")\n", with: "") + """
        System.print(Libm.function("fabs", "double", ["double"]).call(-1))
        check.call("libc") { Library.open("libc.so.6") }
        check.call("process") { Library.process }
        """, flags: ["--allow-ffi=libm.so.6"])
        #expect(listed.code == 0, "\(listed.err)")
        #expect(lines(listed.out) == [
            "1",
            "libc: Library 'libc.so.6' is not allowed by --allow-ffi=libm.so.6.",
            "process: Library.process is not allowed by --allow-ffi=libm.so.6 (add 'process' to the list to allow it).",
        ])

        let process = try runFFI("""
        import "ffi" for Library
        System.print(Library.process.function("strlen", "size_t", ["string"]).call("four"))
        """, flags: ["--allow-ffi=process"])
        #expect(process.code == 0, "\(process.err)")
        #expect(process.out == "4\n")

        let usage = runLauncher(["--allow-ffi=", "x.wren"])
        #expect(usage.0 == 64)
    }

    @Test func embeddersEnableItInTheConfiguration() throws {
        var out = ""
        var config = VMConfiguration()
        config.writeOutput = { out += $0 }
        config.allowFFI = true
        config.allowedLibraries = ["libc.so.6"]
        let vm = try VM(configuration: config)
        let result = vm.interpret(module: "main", source: """
        import "ffi" for Library
        System.print(Library.open("libc.so.6").function("abs", "int32", ["int32"]).call(-9))
        """)
        #expect(result == .success)
        #expect(out == "9\n")

        var closed = VMConfiguration()
        closed.writeError = { _ in }
        let vm2 = try VM(configuration: closed)
        #expect(vm2.interpret(module: "main", source: "import \"ffi\" for Library") == .runtimeError(VM.ffiDisabledMessage))
    }

    @Test func callbackFromAnotherThreadIsRefused() throws {
        let dir = try scratch(["main.wren": """
        import "ffi" for Library, Callback, Memory
        var libc = Library.open("libc.so.6")
        var create = libc.function("pthread_create", "int32", ["pointer", "pointer", "pointer", "pointer"])
        var join = libc.function("pthread_join", "int32", ["uint64", "pointer"])
        var ran = false
        var start = Callback.new("pointer", ["pointer"]) {|arg|
          ran = true
          return null
        }
        var thread = Memory.alloc(8)
        System.print(create.call(thread, null, start, null))
        System.print(join.call(thread.uint64(0), null))
        System.print(ran)
        """])
        let (code, out, err) = try runAmber(["--allow-ffi", "main.wren"], cwd: dir)
        #expect(code == 0, "\(err)")
        #expect(out == "0\n0\nfalse\n")
        #expect(err.contains("a Callback was called from another thread"), "\(err)")
    }

    // MARK: Across snapshot and restore (two processes)

    static let restoreScript = """
    import "ffi" for Library, Callback, Memory, Pointer, Struct
    import "os" for Process
    var Libc = Library.open("libc.so.6")
    var Getpid = Libc.function("getpid", "int32", [])
    var Cmp = Callback.new("int32", ["pointer", "pointer"]) {|a, b| Memory.view(a, 4).int32(0) - Memory.view(b, 4).int32(0) }
    var Qsort = Libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"])
    var Pair = Struct.new([["a", "int8"], ["b", "double"]])
    var Div = Struct.new([["quot", "int32"], ["rem", "int32"]])
    var DivFn = Libc.function("div", Div, ["int32", "int32"])
    var Nums = Memory.alloc(16)
    for (i in 0...4) Nums.setInt32(i * 4, [3, 1, 4, 1][i])
    var Kept = Memory.fromString("kept in the image")
    var P = Libc.function("malloc", "pointer", ["size_t"]).call(8)
    var View = Memory.view(P, 8)
    View.setInt32(0, 77)
    var Check = Fn.new {|name, f|
      var fiber = Fiber.new(f)
      var r = fiber.try()
      System.print("%(name): %(fiber.error != null ? fiber.error : r)")
    }
    class Main {
      static ready() {
        System.print("pid %(Getpid.call()) %(Getpid.call() == Process.pid)")
        System.print(Kept.string(0))
        System.print([Pair.size, Pair.offset("b")])
        var r = DivFn.call(17, 5)
        System.print([r.int32(Div.offset("quot")), r.int32(Div.offset("rem"))])
        System.print((0...4).map {|i| Nums.int32(i * 4) }.toList)
        Qsort.call(Nums, 4, 4, Cmp)
        System.print((0...4).map {|i| Nums.int32(i * 4) }.toList)
        Check.call("pointer") { P.isNull }
        Check.call("view") { View.int32(0) }
        Check.call("pointer arg") { Libc.function("free", "void", ["pointer"]).call(P) }
      }
    }
    Main.ready()
    """

    @Test func bindingsComeBackAfterRestore() throws {
        let dir = try scratch(["main.wren": FFITests.restoreScript])
        let first = try runAmber(["--allow-ffi", "-snapshot:file=app.img,trigger=Main.ready", "main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        let firstLines = lines(first.1)
        #expect(Array(firstLines.dropFirst()) == [
            "kept in the image", "[16, 8]", "[3, 2]", "[3, 1, 4, 1]", "[1, 1, 3, 4]", "pointer: false",
            "view: 77", "pointer arg: null",
        ])
        let second = try runAmber(["--allow-ffi", "-verbose:snapshot", "-restore:file=app.img"], cwd: dir)
        #expect(second.0 == 0, "\(second.2)")
        let secondLines = lines(second.1)
        #expect(Array(secondLines.dropFirst()) == [
            "kept in the image", "[16, 8]", "[3, 2]", "[3, 1, 4, 1]", "[1, 1, 3, 4]",
            "pointer: Pointer from before the restore (generation 0) used in generation 1",
            "view: Pointer from before the restore (generation 0) used in generation 1",
            "pointer arg: Pointer from before the restore (generation 0) used in generation 1",
        ])
        // getpid is this process's: it matches Process.pid there, and differs from the writer's.
        #expect(secondLines.first?.hasSuffix(" true") == true, "\(second.1)")
        #expect(firstLines.first?.hasSuffix(" true") == true)
        #expect(firstLines.first != secondLines.first)
        #expect(second.2.contains("1 libraries reopened, 4 symbols re-resolved, 1 callbacks re-created"), "\(second.2)")

        // The same image without the flag, or with libc off the allow-list, does not restore.
        let closed = try runAmber(["-restore:file=app.img"], cwd: dir)
        #expect(closed.0 == 74)
        #expect(closed.2.contains("uses the ffi module: restore it with --allow-ffi"), "\(closed.2)")
        let listed = try runAmber(["--allow-ffi=libm.so.6", "-restore:file=app.img"], cwd: dir)
        #expect(listed.0 == 74)
        #expect(listed.2.contains("Library 'libc.so.6' is not allowed by --allow-ffi=libm.so.6."), "\(listed.2)")
    }

    @Test func aLibraryOrSymbolThatIsGoneFailsTheRestore() throws {
        let libm = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6"]
            .first { FileManager.default.fileExists(atPath: $0) }
        let libc = ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"]
            .first { FileManager.default.fileExists(atPath: $0) }
        guard let libm, let libc else { return }
        let dir = try temporaryDirectory()
        try """
        import "ffi" for Library
        var Pow = Library.open("\(dir)/libcopy.so").function("pow", "double", ["double", "double"])
        class Main {
          static ready() { System.print(Pow.call(2, 3)) }
        }
        Main.ready()
        """.write(toFile: dir + "/main.wren", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: libm, toPath: dir + "/libcopy.so")
        let first = try runAmber(["--allow-ffi", "-snapshot:file=app.img,trigger=Main.ready", "main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        #expect(first.1 == "8\n")
        let again = try runAmber(["--allow-ffi", "-restore:file=app.img"], cwd: dir)
        #expect(again.0 == 0, "\(again.2)")
        #expect(again.1 == "8\n")

        // The symbol is gone: the library is now a copy of libc, which has no pow.
        try FileManager.default.removeItem(atPath: dir + "/libcopy.so")
        try FileManager.default.copyItem(atPath: libc, toPath: dir + "/libcopy.so")
        let noSymbol = try runAmber(["--allow-ffi", "-restore:file=app.img"], cwd: dir)
        #expect(noSymbol.0 == 74)
        #expect(noSymbol.1.isEmpty)
        #expect(noSymbol.2.contains("Library '\(dir)/libcopy.so' has no symbol 'pow'."), "\(noSymbol.2)")

        // The library is gone.
        try FileManager.default.removeItem(atPath: dir + "/libcopy.so")
        let noLibrary = try runAmber(["--allow-ffi", "-restore:file=app.img"], cwd: dir)
        #expect(noLibrary.0 == 74)
        #expect(noLibrary.1.isEmpty)
        #expect(noLibrary.2.contains("Cannot open library '\(dir)/libcopy.so'"), "\(noLibrary.2)")
    }
}

/// README's "Foreign functions" sample runs and prints what README says it prints.
@Suite struct FFIReadmeTests {
    @Test func readmeSampleRuns() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md").path
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        guard let section = text.range(of: "## Foreign functions") else {
            Issue.record("README.md has no Foreign functions section")
            return
        }
        let rest = text[section.upperBound...]
        let blocks = rest.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        guard blocks.count >= 2, blocks[0].hasPrefix("wren\n") else {
            Issue.record("expected a wren block and its output block")
            return
        }
        let source = String(blocks[0].dropFirst("wren\n".count))
        let expected = blocks[1].trimmingCharacters(in: .newlines)
        let r = try runFFI(source)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.trimmingCharacters(in: .newlines) == expected)
    }
}

/// Hosts restore FFI images in-process; each VM gets its own side table.
@Suite struct FFIEmbeddingTests {
    @Test func twoRestoresInOneProcessHaveTheirOwnSideTables() throws {
        let dir = try temporaryDirectory()
        try """
        import "ffi" for Library, Callback, Memory
        import "snapshot" for Snapshot
        var libc = Library.open("libc.so.6")
        var qsort = libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"])
        var down = Callback.new("int32", ["pointer", "pointer"]) {|a, b| Memory.view(b, 4).int32(0) - Memory.view(a, 4).int32(0) }
        var nums = Memory.alloc(12)
        for (i in 0...3) nums.setInt32(4 * i, [5, 9, 7][i])
        if (Snapshot.take("\(dir)/ffi.img")) {
          qsort.call(nums, 3, 4, down)
          System.print([nums.int32(0), nums.int32(4), nums.int32(8)])
        }
        """.write(toFile: dir + "/main.wren", atomically: true, encoding: .utf8)
        let (code, _, err) = runLauncher(["--allow-ffi", dir + "/main.wren"])
        #expect(code == 0, "\(err)")

        var vms: [VM] = [], captures: [Capture] = []
        for _ in 0..<2 {
            var (config, capture) = capturedConfiguration()
            config.allowFFI = true
            vms.append(try VM.restore(from: dir + "/ffi.img", configuration: config))
            captures.append(capture)
        }
        #expect(vms[0].ffi !== vms[1].ffi)
        for (vm, capture) in zip(vms, captures) {
            #expect(vm.resumeFromImage() == .success, "\(capture.err)")
            #expect(capture.out == "[9, 7, 5]\n")
        }

        let (closed, _) = capturedConfiguration()
        #expect(throws: ImageError.self) { try VM.restore(from: dir + "/ffi.img", configuration: closed) }
    }
}
