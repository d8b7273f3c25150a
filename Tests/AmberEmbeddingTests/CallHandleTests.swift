// Call handles: a signature resolved once, called many times.
import Testing
import AmberVM

@Suite struct CallHandleTests {
    func vm() throws -> VM {
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        config.writeError = { _ in }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class Game {
              construct new() { _ticks = 0 }
              tick(dt) {
                _ticks = _ticks + 1
                if (_ticks % 100 == 0) System.gc()      // the stub and the receiver move
                return _ticks * dt
              }
              [i] { i * 2 }
              fail() { Fiber.abort("no") }
            }
            var TheGame = Game.new()
            """) == .success)
        return vm
    }

    @Test func oneHandleManyCalls() throws {
        let vm = try vm()
        let game = try vm.variable(module: "main", name: "TheGame")
        let tick = try vm.callHandle("tick(_)")
        #expect(tick.arity == 1)
        var last = ScriptValue.null
        for _ in 0..<250 { last = try vm.call(tick, on: game, [2]) }
        #expect(last == 500)
        #expect(try vm.call(try vm.callHandle("[_]"), on: game, [21]) == 42)
    }

    @Test func errorsAreScriptErrors() throws {
        let vm = try vm()
        let game = try vm.variable(module: "main", name: "TheGame")
        #expect(throws: ScriptError("Method 'tick(_)' takes 1 argument, 0 given.")) {
            try vm.call(try vm.callHandle("tick(_)"), on: game)
        }
        do {
            _ = try vm.call(try vm.callHandle("fail()"), on: game)
            Issue.record("fail() must throw")
        } catch let e as ScriptError {
            #expect(e.message == "no")
            #expect(e.stackTrace.first?.hasPrefix("[main line 9] in fail()") == true, "\(e.stackTrace)")
        }
        // The VM goes on.
        #expect(try vm.call(try vm.callHandle("tick(_)"), on: game, [1]) == 1)
    }

    @Test func signaturesAreChecked() throws {
        let vm = try vm()
        #expect(throws: ScriptError.self) { try vm.callHandle("") }
        do {
            _ = try vm.callHandle("tick(_, _)")
            Issue.record("a signature with a space must be refused")
        } catch let e as ScriptError {
            #expect(e.message.hasSuffix("Did you mean 'tick(_,_)'?"), "\(e.message)")
        }
    }

    @Test func aHandleOfAnotherVMIsRefused() throws {
        let a = try vm(), b = try vm()
        let tick = try a.callHandle("tick(_)")
        #expect(throws: ScriptError("The call handle belongs to another VM.")) {
            try b.call(tick, on: try b.variable(module: "main", name: "TheGame"), [1])
        }
    }
}
