import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
@testable import AmberLauncher

// "No crash from any caller" (issue 19): each hostile script that used to
// trap, overflow the stack, segfault or corrupt malloc is now a runtime
// error with a message. The risky scripts run in-process, so a regression
// takes the test process down rather than hiding behind a signal guard;
// the few that need a process of their own check for exit status 0 or 70
// and the message.

@Suite(.serialized) struct FFISafetyTests {
    @Test func structSizeAndNestingAreLimited() throws {
        let r = try runFFI(ffiPrelude + """
        // Doubling a struct: 8 * 2^27 = 1 GiB is the largest layout; the next doubling is refused.
        var s = Struct.new([["x", "int64"]])
        var doublings = 0
        check.call("doubling") {
          for (i in 1..63) {
            s = Struct.new([["x", s], ["y", s]])
            doublings = i
          }
        }
        System.print([doublings, s.size, s.offset("y")])
        // 100,000 deep: refused at 33.
        var d = Struct.new([["x", "int8"]])
        var depth = 1
        check.call("deep") {
          for (i in 1..100000) {
            d = Struct.new([["x", d]])
            depth = depth + 1
          }
        }
        System.print([depth, d.size])
        // 32 deep goes through libffi.
        System.print(Libc.function("abs", "int32", [d]) is Function)
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "doubling: A Struct may be at most 1073741824 bytes; this one would be 2147483648.",
            "[27, 1073741824, 536870912]",
            "deep: A Struct may nest at most 32 deep; this one would nest 33.",
            "[32, 1]",
            "true",
        ])
    }

    @Test func bigStructsAreNotPassedByValue() throws {
        let r = try runFFI(ffiPrelude + """
        var s = Struct.new([["x", "int64"]])
        var big = null       // 2^40 bytes is over the layout limit; 64 MiB and 128 KiB are layouts
        var k128 = null
        for (i in 1..23) {
          s = Struct.new([["x", s], ["y", s]])
          if (i == 14) k128 = s
        }
        big = s
        System.print([k128.size, big.size])
        check.call("return 128 KiB") { Libc.function("div", k128, ["int32", "int32"]) }
        check.call("argument 64 MiB") { Libc.function("inet_ntoa", "string", [big]) }
        var half = Struct.new([["x", "int8"]])
        for (i in 1..15) half = Struct.new([["x", half], ["y", half]])
        System.print(half.size)
        check.call("two halves") { Libc.function("inet_ntoa", "string", [half, half]) is Function }
        check.call("three halves") { Libc.function("inet_ntoa", half, [half, half]) }
        var snprintf = Libc.variadic("snprintf", "int32", ["pointer", "size_t", "string"])
        check.call("variadic") { snprintf.call([Memory.alloc(8), 8, "x"], [big], [Memory.alloc(8)]) }
        check.call("callback") { Callback.new("void", [k128]) {|m| null } }
        check.call("callback result") { Callback.new(big, []) { null } }
        check.call("memory of the big one") { Memory.alloc(big.size).size }
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == [
            "[131072, 67108864]",
            "return 128 KiB: 'div' passes or returns 131072 bytes of structs by value; the limit is 65536 (pass a pointer to a Memory instead).",
            "argument 64 MiB: 'inet_ntoa' passes or returns 67108864 bytes of structs by value; the limit is 65536 (pass a pointer to a Memory instead).",
            "32768",
            "two halves: true",
            "three halves: 'inet_ntoa' passes or returns 98304 bytes of structs by value; the limit is 65536 (pass a pointer to a Memory instead).",
            "variadic: 'snprintf' passes or returns 67108864 bytes of structs by value; the limit is 65536 (pass a pointer to a Memory instead).",
            "callback: A callback passes or returns 131072 bytes of structs by value; the limit is 65536 (pass a pointer to a Memory instead).",
            "callback result: A callback passes or returns 67108864 bytes of structs by value; the limit is 65536 (pass a pointer to a Memory instead).",
            "memory of the big one: 67108864",
        ])
    }

    @Test func accessorsTakeAnyOffsetAlignedOrNot() throws {
        let r = try runFFI(ffiPrelude + """
        var m = Memory.alloc(24)
        m.setInt32(1, -5)
        m.setDouble(7, 2.5)
        m.setUint64(15, 1e15)
        System.print([m.int32(1), m.double(7), m.uint64(15)])
        m.setPointer(3, null)
        System.print(m.pointer(3).isNull)
        """)
        #expect(r.code == 0, "\(r.err)")
        #expect(lines(r.out) == ["[-5, 2.5, 1e+15]", "true"])
    }

    @Test func viewsAreCheckedAgainstTheirSizeAndTheMapping() throws {
        let r = try runFFI(ffiPrelude + """
        var mmap = Libc.function("mmap", "pointer", ["pointer", "size_t", "int32", "int32", "int32", "int64"])
        var munmap = Libc.function("munmap", "int32", ["pointer", "size_t"])
        var memchr = Libc.function("memchr", "pointer", ["pointer", "int32", "size_t"])
        var p = mmap.call(null, 8192, 3, 0x22, -1, 0)     // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS
        Memory.view(p, 8192).setUint8(4096, 1)
        var second = memchr.call(p, 1, 8192)             // p + 4096
        System.print(munmap.call(second, 4096))
        var v = Memory.view(p, 4096)
        v.setInt32(4092, 7)
        System.print(v.int32(4092))
        check.call("past the size") { v.int32(4093) }
        check.call("unmapped page") { Memory.view(p, 8192) }
        check.call("unmapped start") { Memory.view(second, 4) }
        check.call("wraps") { Memory.view(p, 18446744073709551615) }
        check.call("huge") { Memory.view(p, 1e300) }
        check.call("negative") { Memory.view(p, -1) }
        check.call("zero bytes") { Memory.view(second, 0).size }
        """)
        #expect(r.code == 0, "\(r.err)")
        let out = lines(r.out)
        #expect(out.count == 9, "\(r.out)")
        guard out.count == 9 else { return }
        #expect(out[0] == "0")
        #expect(out[1] == "7")
        #expect(out[2] == "past the size: Memory access out of bounds: 4 byte(s) at offset 4093 of a Memory of 4096 bytes.")
        #expect(out[3].hasPrefix("unmapped page: Memory.view of 8192 bytes at 0x"), "\(out[3])")
        #expect(out[3].hasSuffix(": not all of them are mapped in this process."), "\(out[3])")
        #expect(out[4].hasPrefix("unmapped start: Memory.view of 4 bytes at 0x"), "\(out[4])")
        #expect(out[5].hasSuffix(": not all of them are mapped in this process."), "\(out[5])")
        #expect(out[6].hasSuffix(": not all of them are mapped in this process."), "\(out[6])")
        #expect(out[7] == "negative: Size must not be negative.")
        #expect(out[8] == "zero bytes: 0")
    }

    /// The tester's script, as they ran it: a runtime error (70), not a signal.
    @Test func theTestersOversizedViewIsARuntimeError() throws {
        let dir = try scratch(["main.wren": """
        import "ffi" for Library, Memory
        var p = Library.open("libc.so.6").function("malloc", "pointer", ["size_t"]).call(16)
        System.print(Memory.view(p, 100000000).int32(99999990))
        """])
        let (code, out, err) = try runAmber(["--allow-ffi", "main.wren"], cwd: dir)
        #expect(code == 70, "\(err)")
        #expect(out.isEmpty)
        #expect(err.contains("Memory.view of 100000000 bytes at 0x"), "\(err)")
    }

    @Test func heapBytesNeverReachFree() throws {
        let r = try runFFI(ffiPrelude + """
        var free = Libc.function("free", "void", ["pointer"])
        var malloc = Libc.function("malloc", "pointer", ["size_t"])
        var memcpy = Libc.function("memcpy", "pointer", ["pointer", "pointer", "size_t"])
        var m = Memory.alloc(32)
        check.call("free") { free.call(m) }
        check.call("realloc") { Libc.function("realloc", "pointer", ["pointer", "size_t"]).call(m, 64) }
        check.call("putenv") { Libc.function("putenv", "int32", ["pointer"]).call(Memory.fromString("AMBER_X=1")) }
        check.call("setvbuf") { Libc.function("setvbuf", "int32", ["pointer", "pointer", "int32", "size_t"]).call(null, m, 0, 32) }
        check.call("munmap") { Libc.function("munmap", "int32", ["pointer", "size_t"]).call(m, 32) }
        var nums = Memory.alloc(8)
        var freeing = Callback.new("int32", ["pointer", "pointer"]) {|a, b|
          free.call(a)                           // a points into nums: the VM's bytes, lent to qsort
          return 0
        }
        var qsort = Libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"])
        check.call("free pointer") { qsort.call(nums, 2, 4, freeing) }
        check.call("free callback") { free.call(Callback.new("void", []) { null }) }
        check.call("free string") { Libc.function("free", "void", ["string"]) }
        check.call("putenv string") { Libc.function("putenv", "int32", ["string"]) }
        var p = malloc.call(32)
        System.print(free.call(p))
        System.print(free.call(null))
        """)
        #expect(r.code == 0, "\(r.err)")
        func owned(_ n: Int, _ f: String) -> String {
            "Argument \(n) of '\(f)' is memory the VM owns, and '\(f)' frees, unmaps or keeps what it is given: pass memory from malloc instead."
        }
        #expect(lines(r.out) == [
            "free: " + owned(1, "free"),
            "realloc: " + owned(1, "realloc"),
            "putenv: " + owned(1, "putenv"),
            "setvbuf: " + owned(2, "setvbuf"),
            "munmap: " + owned(1, "munmap"),
            "free pointer: Error in a callback called by 'qsort': " + owned(1, "free"),
            "free callback: " + owned(1, "free"),
            "free string: 'free' frees, unmaps or keeps its arguments: declare argument 1 'pointer', not 'string' (a string argument is a copy that lives only for the call).",
            "putenv string: 'putenv' frees, unmaps or keeps its arguments: declare argument 1 'pointer', not 'string' (a string argument is a copy that lives only for the call).",
            "null", "null",
        ])
    }

    /// C hands back addresses of the VM's own memory (memcpy's result, a
    /// comparator's arguments). They are good until the collector moves
    /// those bytes; kept past that, they would reach into other objects.
    @Test func pointersIntoLentMemoryExpireAtTheNextCollection() throws {
        let r = try runFFI(ffiPrelude + """
        var memcpy = Libc.function("memcpy", "pointer", ["pointer", "pointer", "size_t"])
        var strchr = Libc.function("strchr", "pointer", ["string", "int32"])
        var qsort = Libc.function("qsort", "void", ["pointer", "size_t", "size_t", "pointer"])
        var m = Memory.alloc(32)
        m.setInt32(4, 77)
        var inside = memcpy.call(m, m, 0)
        var found = strchr.call("amber", 98)
        System.print([Memory.view(inside, 8).int32(4), Memory.view(found, 1).uint8(0)])   // before any collection: fine
        System.print(Memory.view(inside, 32).size)
        check.call("past the lent Memory") { Memory.view(inside, 33) }
        check.call("over the heap") { Memory.view(inside, 1000000).setInt32(999990, 1) }
        check.call("past the arena") { Memory.view(found, 1 << 20) }
        var kept = null
        var keptView = null
        var cmp = Callback.new("int32", ["pointer", "pointer"]) {|a, b|
          kept = a
          keptView = Memory.view(a, 4)
          var garbage = []
          for (i in 0...20) garbage.add("g%(i)")
          System.gc()                             // put off: C holds the addresses
          return keptView.int32(0) - Memory.view(b, 4).int32(0)
        }
        var nums = Memory.alloc(16)
        for (i in 0...4) nums.setInt32(4 * i, [3, 1, 4, 1][i])
        qsort.call(nums, 4, 4, cmp)
        System.print((0...4).map {|i| nums.int32(4 * i) }.toList)
        System.gc()
        System.print([inside.isNull, inside.address > 0, inside == inside, inside.generation])
        System.print(inside.toString.endsWith("(expired: lent to C, moved since)"))
        check.call("view") { Memory.view(inside, 4) }
        check.call("argument") { memcpy.call(inside, m, 0) }
        check.call("string copy") { Memory.view(found, 1) }
        check.call("kept pointer") { Memory.view(kept, 4) }
        check.call("kept view") { keptView.int32(0) }
        check.call("kept view size") { keptView.size }
        System.print(m.int32(4))
        """)
        #expect(r.code == 0, "\(r.err)")
        var out = lines(r.out)
        #expect(out.count == 15, "\(r.out)")
        guard out.count == 15 else { return }
        #expect(out[0] == "[77, 98]")
        #expect(out[1] == "32")
        let owned = " bytes at 0x"
        let beyond = ": that is the VM's own memory, beyond any Memory lent to C since the last collection."
        #expect(out[2].hasPrefix("past the lent Memory: Memory.view of 33" + owned) && out[2].hasSuffix(beyond), "\(out[2])")
        #expect(out[3].hasPrefix("over the heap: Memory.view of 1000000" + owned) && out[3].hasSuffix(beyond), "\(out[3])")
        #expect(out[4].hasPrefix("past the arena: Memory.view of 1048576" + owned) && out[4].hasSuffix(beyond), "\(out[4])")
        out.removeSubrange(1...4)
        #expect(out[1] == "[1, 1, 3, 4]")
        #expect(out[2] == "[false, true, true, -1]")
        #expect(out[3] == "true")
        let expired = " is into memory the VM lent to C, which the collector has moved since; use the Memory itself."
        for (i, name) in ["view", "argument", "string copy", "kept pointer", "kept view", "kept view size"].enumerated() {
            #expect(out[4 + i].hasPrefix(name + ": Pointer 0x") && out[4 + i].hasSuffix(expired), "\(out[4 + i])")
        }
        #expect(out[10] == "77")
    }

    // MARK: Callbacks outliving their VM

    /// A callback's code called after its VM is gone returns zero and runs nothing.
    @Test func aCallbackCalledAfterItsVMIsGoneReturnsZero() throws {
        var code: UnsafeMutableRawPointer?
        do {
            var (config, capture) = capturedConfiguration()
            config.allowFFI = true
            let vm = try VM(configuration: config)
            let result = vm.interpret(module: "main", source: """
            import "ffi" for Callback
            var Kept = Callback.new("int32", ["int32"]) {|x| x + 1 }
            """)
            #expect(result == .success, "\(capture.err)")
            for case .callback(let cb) in vm.ffi.entries { code = cb.code }
        }
        let fn = try #require(code)
        let call = unsafeBitCast(fn, to: (@convention(c) (Int32) -> Int32).self)
        #expect(call(41) == 0)
        #expect(call(-1) == 0)
    }

    @Test func aCallbackRegisteredWithAtexitIsRefusedAtExit() throws {
        let dir = try scratch(["main.wren": """
        import "ffi" for Library, Callback
        var cb = Callback.new("void", ["pointer"]) {|p| System.print("ran at exit") }
        var cxaAtexit = Library.open("libc.so.6").function("__cxa_atexit", "int32", ["pointer", "pointer", "pointer"])
        System.print(cxaAtexit.call(cb, null, null))
        """])
        let (code, out, err) = try runAmber(["--allow-ffi", "main.wren"], cwd: dir)
        #expect(code == 0, "\(err)")
        #expect(out == "0\n")
        #expect(err.contains("amber: a Callback was called after its VM was destroyed; it was refused, not run."), "\(err)")
    }

    // MARK: Pointers kept in a Memory across snapshot and restore

    static let storedPointerScript = """
    import "ffi" for Library, Memory, Pointer
    var Libc = Library.open("libc.so.6")
    var Malloc = Libc.function("malloc", "pointer", ["size_t"])
    var Memcmp = Libc.function("memcmp", "int32", ["pointer", "pointer", "size_t"])
    var Strtoull = Libc.function("strtoull", "uint64", ["string", "pointer", "int32"])
    var P = Malloc.call(8)
    var Kept = Memory.alloc(24)
    Kept.setPointer(0, P)
    Kept.setPointer(8, P)
    var Other = Memory.alloc(16)
    Other.setPointer(0, P)
    var End = Memory.alloc(8)                  // C writes a pointer into it
    Strtoull.call("123", End, 10)
    var Ints = Memory.alloc(8)
    Ints.setInt64(0, 42)
    var Check = Fn.new {|name, f|
      var fiber = Fiber.new(f)
      var r = fiber.try()
      System.print("%(name): %(fiber.error != null ? fiber.error : r)")
    }
    class Main {
      static ready() {
        Check.call("stored") { Kept.pointer(0) is Pointer }
        Check.call("written by C") { End.pointer(0) is Pointer }
        Check.call("as an integer") { Ints.int64(0) }
        Check.call("passed to C") { Memcmp.call(Other, Other, 0) }
        Kept.setPointer(8, Malloc.call(8))
        Check.call("stored again") { Kept.pointer(8) is Pointer }
        Kept.setInt64(0, 0)
        Check.call("overwritten") { Kept.pointer(0).isNull }
        Check.call("all fresh") { Memcmp.call(Kept, Kept, 0) }
      }
    }
    Main.ready()
    """

    @Test func pointersStoredInAMemoryGoStaleAtTheRestore() throws {
        let dir = try scratch(["main.wren": FFISafetyTests.storedPointerScript])
        let first = try runAmber(["--allow-ffi", "-snapshot:file=app.img,trigger=Main.ready", "main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        #expect(lines(first.1) == [
            "stored: true", "written by C: true", "as an integer: 42", "passed to C: 0", "stored again: true",
            "overwritten: true", "all fresh: 0",
        ])
        let second = try runAmber(["--allow-ffi", "-restore:file=app.img"], cwd: dir)
        #expect(second.0 == 0, "\(second.2)")
        let stale = "Pointer from before the restore (generation 0) used in generation 1"
        #expect(lines(second.1) == [
            "stored: \(stale)",
            "written by C: \(stale)",
            "as an integer: 42",
            "passed to C: Argument 1 of 'memcmp' is a Memory holding a pointer from before the restore (generation 0) at offset 0; store a new pointer there first.",
            "stored again: true",
            "overwritten: true",
            "all fresh: 0",
        ])
    }

    /// A dry-run snapshot starts a new generation in the same process: the
    /// same rules, and a Memory lent to C after it is of the new one.
    @Test func aDryRunSnapshotStartsANewGenerationForStoredPointers() throws {
        let script = """
        import "ffi" for Library, Memory, Pointer
        import "snapshot" for Snapshot
        var Libc = Library.open("libc.so.6")
        var Strtoull = Libc.function("strtoull", "uint64", ["string", "pointer", "int32"])
        var Kept = Memory.alloc(8)
        Kept.setPointer(0, Libc.function("malloc", "pointer", ["size_t"]).call(8))
        var End = Memory.alloc(8)
        Strtoull.call("1", End, 10)
        var Check = Fn.new {|name, f|
          var fiber = Fiber.new(f)
          var r = fiber.try()
          System.print("%(name): %(fiber.error != null ? fiber.error : r)")
        }
        class Main {
          static ready() {
            System.print(Snapshot.generation)
            Check.call("stored") { Kept.pointer(0) is Pointer }
            Check.call("written by C") { End.pointer(0) is Pointer }
            Strtoull.call("2", End, 10)
            Check.call("written again") { End.pointer(0) is Pointer }
          }
        }
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        let (code, out, err) = try runAmber(["--allow-ffi", "-snapshot:file=d.img,trigger=Main.ready,dryrun", "main.wren"], cwd: dir)
        #expect(code == 0, "\(err)")
        let stale = "Pointer from before the restore (generation 0) used in generation 1"
        #expect(lines(out) == ["1", "stored: \(stale)", "written by C: \(stale)", "written again: true"])
    }
}
