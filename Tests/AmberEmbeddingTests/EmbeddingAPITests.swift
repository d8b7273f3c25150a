// The embedding API as a host uses it: `import AmberVM` only, no @testable.
import Foundation
import Testing
import AmberVM

/// A scratch directory for images, removed by the caller.
func scratchDirectory() -> String {
    let dir = NSTemporaryDirectory() + "amber-embed-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// The configuration of the issue's example: a static foreign method, a
/// foreign class with 8 bytes of data, a module from the host's loader.
func gameConfiguration(output: @escaping (String) -> Void) -> VMConfiguration {
    var config = VMConfiguration()
    config.writeOutput = output
    config.writeError = { _ in }
    config.bindings.method(module: "main", className: "Calc", signature: "add(_,_)", isStatic: true) { call in
        call.result = .number(try call.double(1) + call.double(2))     // argument 0 is the receiver
    }
    config.bindings.foreignClass(module: "main", className: "Counter", dataBytes: 8)
    config.bindings.method(module: "main", className: "Counter", signature: "increment()") { call in
        let data = try call.data(0)
        let n = try data.load(as: Int.self) + 1
        try data.storeBytes(of: n, as: Int.self)
        call.result = .number(Double(n))
    }
    config.moduleLoader = { name in name == "greeting" ? "var Greeting = \"hi\"" : nil }
    return config
}

let gameSource = """
    import "greeting" for Greeting
    class Calc { foreign static add(a, b) }
    foreign class Counter {
      construct new() {}
      foreign increment()
    }
    var Clicks = Counter.new()
    Clicks.increment()
    class Game {
      static score(n) { Calc.add(n, Clicks.increment()) }
    }
    System.print(Greeting)
    """

@Suite struct EmbeddingAPITests {
    @Test func theIssueExampleRunsSnapshotsAndRestores() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/game.img"
        var output = ""
        let config = gameConfiguration { output += $0 }

        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: gameSource) == .success)
        #expect(output == "hi\n")
        let game = try vm.variable(module: "main", name: "Game")
        let score = try vm.call(game, "score(_)", [.number(40)])
        #expect(score == .number(42))
        try vm.snapshot(to: path)

        let copy = try VM.restore(from: path, configuration: config)
        #expect(copy.resumeFromImage() == .success)
        let game2 = try copy.variable(module: "main", name: "Game")
        let again = try copy.call(game2, "score(_)", [.number(40)])
        #expect(again == .number(43))                        // the counter came back
        #expect(throws: ScriptError.self) { try copy.call(game2, "score(_)", [.string("x")]) }
        do {
            _ = try copy.call(game2, "score(_)", [.string("x")])
        } catch let e as ScriptError {
            #expect(e.message == "Argument 1 of Calc.add(_,_) must be a Num.")
            #expect(e.stackTrace.contains { $0.contains("in score(_)") }, "\(e.stackTrace)")
        }
        // The VM stays usable after an error (the failed calls did increment: 4, 5, now 6).
        #expect(try copy.call(game2, "score(_)", [1]) == .number(7))
    }

    @Test func valuesConvertBothWays() throws {
        let vm = try VM(configuration: VMConfiguration())
        #expect(vm.interpret(module: "main", source: """
            class Echo {
              static it(x) { x }
              static pair { [1, "two", null, true, [3]] }
              static map { {"a": 1} }
            }
            """) == .success)
        let echo = try vm.variable(module: "main", name: "Echo")
        #expect(try vm.call(echo, "it(_)", ["héllo"]) == "héllo")
        #expect(try vm.call(echo, "it(_)", [2.5]) == 2.5)
        #expect(try vm.call(echo, "it(_)", [nil]) == .null)
        #expect(try vm.call(echo, "it(_)", [[1, [true]]]) == [1, [true]])
        #expect(try vm.call(echo, "pair") == [1, "two", nil, true, [3]])
        // A map is copied, entry by entry.
        #expect(try vm.call(echo, "map") == ["a": 1])
        // Other objects come back as handles, and go back in as the same object.
        guard case .handle(let cls) = try vm.call(echo, "it(_)", [.handle(try vm.variable(module: "main", name: "Echo"))]) else {
            Issue.record("a class comes back as a handle"); return
        }
        #expect(cls.kindName.contains("Echo"))
        #expect(try vm.call(echo, "it(_)", [.handle(cls)]) == .handle(cls))
    }

    /// `.map` both ways: nested in lists and maps, compared in any order,
    /// keys that are not value types refused, and deep nesting capped.
    @Test func mapsConvertBothWays() throws {
        let vm = try VM(configuration: VMConfiguration())
        #expect(vm.interpret(module: "main", source: """
            class Echo {
              static it(x) { x }
              static describe(m) { (m is Map) ? "map of %(m.count): %(m["b"][1]["c"])" : "not a map" }
              static build { {1: "one", "two": [2, {true: null}], null: 3} }
            }
            """) == .success)
        let echo = try vm.variable(module: "main", name: "Echo")
        let sent: ScriptValue = ["a": 1, "b": [2, ["c": "deep"]]]
        #expect(try vm.call(echo, "describe(_)", [sent]) == "map of 2: deep")
        #expect(try vm.call(echo, "it(_)", [sent]) == sent)
        #expect(try vm.call(echo, "it(_)", [["b": [2, ["c": "deep"]], "a": 1]]) == sent)
        #expect(try vm.call(echo, "it(_)", [["a": 2]]) != ["a": 1])
        #expect(try vm.call(echo, "build") == [1: "one", "two": [2, [true: nil]], nil: 3])
        #expect(ScriptValue.map([(key: "k", value: [1, 2])]).description == "{k: [1, 2]}")
        // A list is not a value type: Wren refuses it as a key, and so does the conversion.
        #expect(throws: ScriptError("Key must be a value type.")) {
            try vm.call(echo, "it(_)", [[.list([1]): 1]])
        }
        var deep: ScriptValue = 0
        for _ in 0...VM.maxListNesting { deep = ["k": deep] }
        #expect(throws: ScriptError("A map argument is nested more than \(VM.maxListNesting) levels deep.")) {
            try vm.call(echo, "it(_)", [deep])
        }
    }

    @Test func errorsAreThrownWithTraceAndLeaveTheVMUsable() throws {
        var errors = ""
        var config = VMConfiguration()
        config.writeError = { errors += $0 }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class Boom {
              static now() { inner() }
              static inner() { Fiber.abort("boom") }
              static fine { "fine" }
            }
            """) == .success)
        let boom = try vm.variable(module: "main", name: "Boom")
        do {
            _ = try vm.call(boom, "now()")
            Issue.record("expected a ScriptError")
        } catch let e as ScriptError {
            #expect(e.message == "boom")
            #expect(e.stackTrace == ["[main line 3] in inner()", "[main line 2] in now()"])
        }
        #expect(errors == "", "errors of host calls are thrown, not printed")
        #expect(try vm.call(boom, "fine") == "fine")
        #expect(throws: ScriptError.self) { try vm.call(boom, "missing()") }
        #expect(throws: ScriptError.self) { try vm.call(boom, "now()", [1]) }   // wrong argument count
        #expect(throws: ScriptError.self) { try vm.variable(module: "main", name: "Nope") }
        #expect(throws: ScriptError.self) { try vm.variable(module: "nope", name: "Boom") }
    }

    @Test func compileErrorsOfImportedModulesAreThrown() throws {
        var errors = ""
        var config = VMConfiguration()
        config.writeError = { errors += $0 }
        config.moduleLoader = { name in name == "broken" ? "var x = (" : nil }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class Loader {
              static load() {
                import "broken"
              }
            }
            """) == .success)
        do {
            _ = try vm.call(try vm.variable(module: "main", name: "Loader"), "load()")
            Issue.record("expected a ScriptError")
        } catch let e as ScriptError {
            #expect(e.message == "Could not compile module 'broken'.")
            #expect(e.stackTrace.first?.hasPrefix("[broken line 1] Error at end of file:") == true, "\(e.stackTrace)")
            #expect(e.stackTrace.last == "[main line 3] in load()")
        }
        #expect(errors == "")
    }

    @Test func swiftErrorsBecomeCatchableWrenErrors() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "refused by host" } }
        var output = ""
        var config = VMConfiguration()
        config.writeOutput = { output += $0 }
        config.bindings.method(module: "main", className: "Host", signature: "refuse()", isStatic: true) { _ in
            throw Refused()
        }
        config.bindings.method(module: "main", className: "Host", signature: "name(_)", isStatic: true) { call in
            call.result = .string(try call.string(1).uppercased())
        }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class Host {
              foreign static refuse()
              foreign static name(s)
            }
            System.print(Fiber.new { Host.refuse() }.try())
            System.print(Fiber.new { Host.name(3) }.try())
            System.print(Host.name("ok"))
            """) == .success)
        #expect(output == "refused by host\nArgument 1 of Host.name(_) must be a String.\nOK\n")
    }

    @Test func foreignMethodsCallBackIntoTheVM() throws {
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        // Host.twice(f) calls the script function f twice through vm.call,
        // each time with the result of the last.
        config.bindings.method(module: "main", className: "Host", signature: "twice(_,_)", isStatic: true) { call in
            guard case .handle(let fn) = try call.value(1) else { throw ScriptError("not a function") }
            let once = try call.vm.call(fn, "call(_)", [try call.value(2)])
            call.result = try call.vm.call(fn, "call(_)", [once])
        }
        config.bindings.method(module: "main", className: "Host", signature: "apply(_,_)", isStatic: true) { call in
            guard case .handle(let fn) = try call.value(1) else { throw ScriptError("not a function") }
            call.result = try call.vm.call(fn, "call(_)", [try call.value(2)])
        }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class Host {
              foreign static twice(f, x)
              foreign static apply(f, x)
            }
            class Deep {
              // Recursion through the host: Swift -> Wren -> Swift -> ...
              static down(n) { n == 0 ? 0 : Host.apply(Fn.new {|x| Deep.down(x) + 1 }, n - 1) }
              // Lots of garbage inside the nested calls, to move the outer stack.
              static churn(n) { Host.twice(Fn.new {|x| (0...2000).map {|i| "s%(i)" }.toList.count + x }, n) }
            }
            """) == .success)
        let deep = try vm.variable(module: "main", name: "Deep")
        #expect(try vm.call(deep, "down(_)", [20]) == 20)
        #expect(try vm.call(deep, "churn(_)", [1]) == 4001)
        // Nesting is bounded: past the limit the innermost call fails, cleanly.
        #expect(throws: ScriptError.self) { try vm.call(deep, "down(_)", [200]) }
        #expect(try vm.call(deep, "down(_)", [3]) == 3)
    }

    @Test func snapshotInsideAHostCallIsAClearError() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            import "snapshot" for Snapshot
            class Try { static take(path) { Fiber.new { Snapshot.take(path) }.try() } }
            """) == .success)
        let t = try vm.variable(module: "main", name: "Try")
        let message = try vm.call(t, "take(_)", [.string(dir + "/x.img")])
        #expect(message == .string("Cannot take a snapshot here: a Swift frame (a host call, a foreign method or a snapshot hook) is on the stack."))
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.img"))
    }

    @Test func dataOfANonForeignValueThrows() throws {
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        config.bindings.method(module: "main", className: "Peek", signature: "bytes(_)", isStatic: true) { call in
            call.result = .number(Double(try call.data(1).count))
        }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: "class Peek { foreign static bytes(x) }") == .success)
        let peek = try vm.variable(module: "main", name: "Peek")
        do {
            _ = try vm.call(peek, "bytes(_)", ["no"])
            Issue.record("expected a ScriptError")
        } catch let e as ScriptError {
            #expect(e.message == "Argument 1 of Peek.bytes(_) must be an instance of a foreign class.")
        }
    }

    @Test func missingBindingsAreRuntimeErrors() throws {
        var errors = ""
        var config = VMConfiguration()
        config.writeError = { errors += $0 }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: "foreign class Widget {}") == .runtimeError(
            "Could not find foreign class 'Widget' in module 'main'."))
        #expect(vm.interpret(module: "other", source: "class A { foreign f() }") == .runtimeError(
            "Could not find foreign method 'f()' for class A in module 'other'."))
    }

    @Test func handlesBelongToOneVM() throws {
        let a = try VM(configuration: VMConfiguration())
        let b = try VM(configuration: VMConfiguration())
        #expect(a.interpret(module: "main", source: "class K { static one { 1 } }") == .success)
        #expect(b.interpret(module: "main", source: "class K { static one { 1 } }") == .success)
        let k = try a.variable(module: "main", name: "K")
        #expect(try a.call(k, "one") == 1)
        #expect(throws: ScriptError.self) { try b.call(k, "one") }
        #expect(throws: ScriptError.self) { try b.call(try b.variable(module: "main", name: "K"), "one", [.handle(k)]) }
    }
}
