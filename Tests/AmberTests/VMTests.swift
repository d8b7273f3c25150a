import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
@testable import AmberLauncher

/// A configuration whose output and errors go to the returned capture.
func capturedConfiguration() -> (VMConfiguration, Capture) {
    let capture = Capture()
    var config = VMConfiguration()
    config.writeOutput = { capture.out += $0 }
    config.writeError = { capture.err += $0 }
    return (config, capture)
}

/// Makes a VM whose output is captured.
func makeVM(maxHeap: Int = 256 << 20, classpath: [String] = []) throws -> (VM, Capture) {
    var (config, capture) = capturedConfiguration()
    config.maxHeap = maxHeap
    config.classpath = classpath
    return (try VM(configuration: config), capture)
}

/// Restores `image` into a new VM of this process, with captured output.
func restoreCaptured(_ image: String) throws -> (VM, Capture) {
    let (config, capture) = capturedConfiguration()
    return (try VM.restore(from: image, configuration: config), capture)
}

/// A fresh directory under the system's temporary directory, removed (with
/// the images and scripts tests write there) when the test process exits.
func temporaryDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "amber-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    TemporaryDirectories.add(dir)
    return dir
}

enum TemporaryDirectories {
    nonisolated(unsafe) static var paths: [String] = []
    static let lock = NSLock()
    static let removeAtExit: Void = { atexit { TemporaryDirectories.removeAll() } }()

    static func add(_ path: String) {
        _ = removeAtExit
        lock.lock()
        paths.append(path)
        lock.unlock()
    }

    static func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        paths = []
    }
}

@Suite struct ValueTests {
    @Test func valueIsOneWord() {
        #expect(MemoryLayout<Value>.size == 8)
        #expect(MemoryLayout<ObjRef>.size == 8)
    }

    @Test func numbersRoundTrip() {
        for d in [0.0, -0.0, 1.5, -1e300, Double.infinity, Double.greatestFiniteMagnitude] {
            let v = Value(d)
            #expect(v.isNumber)
            #expect(v.number.bitPattern == d.bitPattern)
        }
        #expect(Value(Double.nan).isNumber)
    }

    @Test func singletonsAndReferencesAreDistinct() {
        let values: [Value] = [.null, .true, .false, .undefined, Value(object: ObjRef(offset: 64))]
        for (i, a) in values.enumerated() {
            #expect(!a.isNumber)
            for (j, b) in values.enumerated() where i != j { #expect(a != b) }
        }
        #expect(Value(object: ObjRef(offset: 1 << 40)).ref.offset == 1 << 40)
        #expect(Value.null.isFalsy && Value.false.isFalsy && !Value(0).isFalsy)
    }
}

@Suite struct HeapTests {
    @Test func collectorReclaimsCyclesAndKeepsLiveData() throws {
        let (vm, capture) = try makeVM()
        let r = vm.interpret(module: "main", source: """
        class Node {
          construct new() { _other = null }
          other=(o) { _other = o }
        }
        var keep = [1, "two", {3: 4}]
        for (i in 1..20000) {
          var a = Node.new()
          var b = Node.new()
          a.other = b
          b.other = a
        }
        System.gc()
        System.print(keep)
        """)
        #expect(r == .success)
        #expect(capture.out == "[1, two, {3: 4}]\n")
        let used = vm.heap.used
        #expect(vm.collections >= 1)
        // 40,000 cyclic nodes would take well over a megabyte; after collecting, little is left.
        #expect(used < 4 << 20, "heap still uses \(used) bytes")
    }

    @Test func heapCapIsAnErrorNotACrash() throws {
        let (vm, capture) = try makeVM(maxHeap: 8 << 20)
        let r = vm.interpret(module: "main", source: """
        var keep = []
        while (true) keep.add("x" * 1000)
        """)
        #expect(r == .runtimeError("Out of memory."))
        #expect(capture.err.hasPrefix("Out of memory.\n[main line 2] in"))
    }

    @Test func hugeAllocationIsAnError() throws {
        let (vm, capture) = try makeVM(maxHeap: 8 << 20)
        let r = vm.interpret(module: "main", source: "var l = List.filled(1e12, 0)")
        #expect(r == .runtimeError("Out of memory."))
        #expect(capture.err.hasPrefix("Out of memory."))
    }

    /// One object may not reach 4 GiB (the header's size field is 32 bits):
    /// with heap to spare, a 2^29-element list is refused, not truncated.
    @Test func objectsOf4GiBAreRefusedEvenWithHeapToSpare() throws {
        let (vm, _) = try makeVM(maxHeap: 16 << 30)
        #expect(vm.interpret(module: "main", source: "var l = List.filled(536870912, 0)") == .runtimeError("Out of memory."))
        #expect(vm.interpret(module: "other", source: "var l = List.filled(536870911, 0)") == .runtimeError("Out of memory."))
        // The edges themselves, without touching 4 GiB of memory.
        #expect(vm.heap.canAllocate(Heap.maxObjectBytes - 8))
        #expect(!vm.heap.canAllocate(Heap.maxObjectBytes))
        #expect(!vm.heap.canAllocate(1 << 32))
        #expect(Heap.maxObjectBytes <= Int(UInt32.max))
    }

    @Test func objectsAreReferencedByOffsetsFromTheBase() throws {
        let (vm, _) = try makeVM()
        let s = vm.newString("hello")
        #expect(s.offset < UInt(vm.heap.reserved))
        #expect(vm.string(s.value) == "hello")
        #expect(vm.heap.kind(s) == .string)
    }
}

@Suite struct CompilerTests {
    @Test func compileErrorsNameModuleLineAndToken() throws {
        let (vm, capture) = try makeVM()
        let r = vm.interpret(module: "bad", source: "var x = 1\nvar y = )\n")
        guard case .compileError(let messages) = r else { Issue.record("expected compile error"); return }
        #expect(messages == ["[bad line 2] Error at ')': Expected expression."])
        #expect(capture.err == "[bad line 2] Error at ')': Expected expression.\n")
    }

    @Test func undefinedCapitalisedVariableIsReportedWhereUsed() throws {
        let (vm, _) = try makeVM()
        let r = vm.interpret(module: "m", source: "System.print(Missing)\n")
        #expect(r == .compileError(["[m line 1] Error at 'Missing': Variable is used but not defined."]))
    }

    @Test func invalidUTF8InSourceIsAnError() throws {
        let (vm, _) = try makeVM()
        let r = vm.interpret(module: "m", source: [0x76, 0x61, 0x72, 0x20, 0xff, 0x0a])
        guard case .compileError = r else { Issue.record("expected compile error, got \(r)"); return }
    }

    @Test func runawayRecursionIsARuntimeError() throws {
        let (vm, capture) = try makeVM()
        let r = vm.interpret(module: "m", source: "class A {\n static f(n) { f(n + 1) }\n}\nA.f(0)\n")
        #expect(r == .runtimeError("Stack overflow."))
        // The trace keeps its ends, not a million identical lines.
        let lines = capture.err.split(separator: "\n")
        #expect(lines.count == 1 + 20 + 1 + 10, "\(lines.count) lines")
        #expect(lines.contains { $0.hasPrefix("... ") && $0.hasSuffix(" more frames ...") })
        #expect(lines.last == "[m line 4] in (script)")
        // Up to 30 frames are shown whole; from 31 on, the middle goes.
        for (depth, shortened) in [(28, false), (29, true)] {
            let (vm, capture) = try makeVM()
            _ = vm.interpret(module: "m", source: "class A {\n static f(n) { n == 0 ? Fiber.abort(\"x\") : f(n - 1) }\n}\nA.f(\(depth))\n")
            let trace = capture.err.split(separator: "\n").dropFirst()
            #expect(trace.count == (shortened ? 31 : depth + 2), "depth \(depth): \(trace.count) lines")
            #expect(trace.contains("... 1 more frame ...") == shortened, "\(capture.err)")
        }
    }

    @Test func sameComparesNumbersByTheirBits() throws {
        let (vm, capture) = try makeVM()
        #expect(vm.interpret(module: "m", source: """
            System.print([Object.same(0/0, 0/0), Object.same(0, -0), Object.same(1, 1), Object.same(1, "1")])
            """) == .success)
        #expect(capture.out == "[true, false, true, false]\n")
    }
}

@Suite struct LoaderTests {
    @Test func importSearchesTheClasspathAndRunsAModuleOnce() throws {
        let dir = try temporaryDirectory()
        try "System.print(\"loading lib\")\nclass Lib {\n  static twice(x) { x * 2 }\n}\n"
            .write(toFile: dir + "/lib.wren", atomically: true, encoding: .utf8)
        let (vm, capture) = try makeVM(classpath: [dir])
        var loads: [String] = []
        vm.hooks.register(.classLoad) { _, payload in loads.append(payload.className ?? "?") }
        let r = vm.interpret(module: "main", source: """
        import "lib" for Lib
        import "lib" for Lib as Again
        System.print(Lib.twice(21))
        System.print(Lib == Again)
        """)
        #expect(r == .success)
        #expect(capture.out == "loading lib\n42\ntrue\n")
        #expect(loads == ["Lib"])
    }

    @Test func packagesAreFoundInTheNearestWrenModulesDirectory() throws {
        let dir = try temporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/app/src/deep", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/app/wren_modules/json", withIntermediateDirectories: true)
        try "class Json {\n  static name { \"json package\" }\n}\n"
            .write(toFile: dir + "/app/wren_modules/json/json.wren", atomically: true, encoding: .utf8)
        try "import \"json\" for Json\nclass Extra {\n  static name { Json.name + \" extra\" }\n}\n"
            .write(toFile: dir + "/app/wren_modules/json/extra.wren", atomically: true, encoding: .utf8)
        try "import \"json\" for Json\nimport \"json/extra\" for Extra\nSystem.print(Json.name)\nSystem.print(Extra.name)\n"
            .write(toFile: dir + "/app/src/deep/main.wren", atomically: true, encoding: .utf8)
        let (code, out, err) = runLauncher([dir + "/app/src/deep/main.wren"])
        #expect(code == 0, "\(err)")
        #expect(out == "json package\njson package extra\n")
    }

    @Test func missingModuleIsARuntimeError() throws {
        let (vm, _) = try makeVM()
        let r = vm.interpret(module: "main", source: "import \"nowhere\" for X\n")
        #expect(r == .runtimeError("Could not load module 'nowhere'."))
    }
}

@Suite struct HookTests {
    @Test func listenersRunByPriorityAndUnregister() throws {
        let (vm, _) = try makeVM()
        var order: [String] = []
        #expect(!vm.hooks.isEnabled(.shutdown))
        vm.hooks.register(.shutdown, priority: 5) { _, _ in order.append("five") }
        let t = vm.hooks.register(.shutdown, priority: -1) { _, _ in order.append("minus one") }
        vm.hooks.register(.shutdown, priority: 5) { _, _ in order.append("five again") }
        vm.hooks.fire(.shutdown, vm)
        #expect(order == ["minus one", "five", "five again"])
        order = []
        vm.hooks.fire(.shutdown, vm, reversed: true)
        #expect(order == ["five again", "five", "minus one"])
        vm.hooks.unregister(t)
        order = []
        vm.hooks.fire(.shutdown, vm)
        #expect(order == ["five", "five again"])
    }
}

@Suite struct LauncherTests {
    @Test func missingScriptExits66() {
        let (code, _, err) = runLauncher(["/nonexistent/script.wren"])
        #expect(code == 66)
        #expect(err.contains("could not read script '/nonexistent/script.wren'"))
    }

    @Test func badOptionsExit64WithUsage() {
        for args in [["-Xmxlots"], ["--frobnicate"], ["-cp"], ["-Xmx10"]] {
            let (code, _, err) = runLauncher(args)
            #expect(code == 64, "\(args)")
            #expect(err.hasPrefix("amber: "), "\(args)")
            #expect(err.hasSuffix("Run 'amber --help' for usage.\n"), "\(args)")
            #expect(!err.contains("Usage: amber"), "a usage error names the problem, not the whole help")
        }
    }

    @Test func replPrintsExpressionValues() throws {
        let dir = try temporaryDirectory()
        let input = "var a = 3\na + 4\nclass P {\n  static hi { \"hi\" }\n}\nP.hi\na = 10\n[1, 2].map {|x| x * a }.toList\nnope(\n"
        let (code, out, err) = try runAmber(["-i"], cwd: dir, stdin: input)
        #expect(code == 0)
        #expect(out == "7\nhi\n[10, 20]\n")
        #expect(err.contains("[repl line 1] Error"))
    }

    /// A line that fails to compile leaves nothing behind: the name it used
    /// can be defined on the next line.
    @Test func replLinesThatFailToCompileDefineNothing() throws {
        let dir = try temporaryDirectory()
        let (code, out, err) = try runAmber(["-i"], cwd: dir, stdin: "System.print(y)\nvar y = 5\ny\n")
        #expect(code == 0)
        #expect(out == "5\n", "\(err)")
        #expect(!err.contains("already defined"), "\(err)")
    }

    @Test func scriptsFromStandardInputAndTheCommandLine() throws {
        let dir = try temporaryDirectory()
        let piped = try runAmber([], cwd: dir, stdin: "System.print(\"piped %(1 + 1)\")\nFiber.abort(\"stop\")\n")
        #expect(piped.0 == 70)
        #expect(piped.1 == "piped 2\n")
        #expect(piped.2.contains("[stdin line 2] in (script)"), "\(piped.2)")
        let dash = try runAmber(["-", "x"], cwd: dir, stdin: "import \"os\" for Process\nSystem.print(Process.arguments)\n")
        #expect(dash.1 == "[x]\n", "\(dash.2)")
        let eval = try runAmber(["-e", "System.print(6 * 7)"], cwd: dir)
        #expect(eval.0 == 0)
        #expect(eval.1 == "42\n")
        #expect(try runAmber(["-e"], cwd: dir).0 == 64)
    }

    @Test func heapSizesParse() {
        #expect(Options.parseSize("64m") == 64 << 20)
        #expect(Options.parseSize("2g") == 2 << 30)
        #expect(Options.parseSize("512K") == 512 << 10)
        #expect(Options.parseSize("12x") == nil)
        #expect(Options.parseSize("") == nil)
    }

    @Test func scriptArgumentsAreNotOptions() throws {
        guard case .success(let o) = Options.parse(["-cp", "a:b", "s.wren", "-Xmx1", "--x"]) else {
            Issue.record("parse failed"); return
        }
        #expect(o.classpath == ["a", "b"])
        #expect(o.script == "s.wren")
        #expect(o.scriptArguments == ["-Xmx1", "--x"])
    }
}

@Suite struct REPLInterruptTests {
    /// Ctrl-C (SIGINT) stops the code the REPL runs, not the REPL: the next
    /// line still runs. The signal is sent once the loop has said it started.
    @Test func interruptStopsTheRunningCodeNotTheSession() throws {
        let p = Process()
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("amber")
        p.executableURL = FileManager.default.fileExists(atPath: sibling.path) ? sibling
            : URL(fileURLWithPath: repositoryRoot + "/.build/debug/amber")
        p.arguments = ["-i"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = errors
        try p.run()
        input.fileHandleForWriting.write(Data("System.print(\"started\")\nwhile (true) {}\n".utf8))
        // Wait for "started" (the loop comes right after it).
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("started") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        #expect(String(decoding: seen, as: UTF8.self).contains("started"))
        // The loop may not have begun yet: keep interrupting until the session answers again.
        input.fileHandleForWriting.write(Data("System.print(\"alive\")\n".utf8))
        try input.fileHandleForWriting.close()
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        var attempts = 0
        while done.wait(timeout: .now() + 0.2) == .timedOut && attempts < 300 {
            p.interrupt()
            attempts += 1
        }
        if attempts >= 300 { p.terminate() }
        seen += output.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(err)")
        // (The session echoes each expression's value after running it.)
        #expect(String(decoding: seen, as: UTF8.self) == "started\nstarted\nalive\nalive\n")
        #expect(err.hasPrefix("Interrupted.\n"), "\(err)")
    }
}
