// Misuse of the embedding API by a host: each case used to trap or touch
// freed memory; now each is an error the host can catch. `import AmberVM` only.
import Foundation
import Synchronization
import Testing
import AmberVM

/// Hands values between the test's threads.
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

private func quietConfiguration() -> VMConfiguration {
    var config = VMConfiguration()
    config.writeOutput = { _ in }
    config.writeError = { _ in }
    return config
}

private func expectScriptError(_ expected: String, _ body: () throws -> Void,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected a ScriptError containing '\(expected)'", sourceLocation: sourceLocation)
    } catch let e as ScriptError {
        #expect(e.message.contains(expected), "\(e.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a ScriptError, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct HostSafetyTests {
    @Test func aSignatureWithTooManyParametersIsAnError() throws {
        let vm = try VM(configuration: quietConfiguration())
        #expect(vm.interpret(module: "main", source: "class A {}") == .success)
        let a = try vm.variable(module: "main", name: "A")
        let signature = "f(" + Array(repeating: "_", count: 300).joined(separator: ",") + ")"
        let arguments = [ScriptValue](repeating: .number(1), count: 300)
        expectScriptError("methods take at most 16") { _ = try vm.call(a, signature, arguments) }
        // The VM goes on.
        #expect(try vm.call(a, "name") == .string("A"))
    }

    @Test func theSymbolSpaceEndsInAnErrorNotATrap() throws {
        let vm = try VM(configuration: quietConfiguration())
        #expect(vm.interpret(module: "main", source: "class A {}") == .success)
        let a = try vm.variable(module: "main", name: "A")
        var limitError: String? = nil
        for i in 0..<70_000 {
            do {
                _ = try vm.call(a, "m\(i)")
            } catch let e as ScriptError {
                if e.message.contains("does not implement") { continue }
                limitError = e.message
                #expect(i > 60_000, "the limit came after \(i) names")
                break
            }
        }
        #expect(limitError?.contains("65536") == true, "\(limitError ?? "no error")")
        // Existing names still work, and so does compiling code that uses them.
        #expect(try vm.call(a, "name") == .string("A"))
        #expect(vm.interpret(module: "main", source: "System.print(A.name)") == .success)
        // New names in source are a compile error, not a call of another method.
        guard case .compileError(let messages) = vm.interpret(module: "main", source: "A.brandNewName123()") else {
            Issue.record("expected a compile error")
            return
        }
        #expect(messages.joined().contains("65536"))
    }

    @Test func deeplyNestedListsAreRefused() throws {
        let vm = try VM(configuration: quietConfiguration())
        #expect(vm.interpret(module: "main", source: "class Id { static of(x) { x } }") == .success)
        let id = try vm.variable(module: "main", name: "Id")
        var nested: ScriptValue = .number(1)
        for _ in 0..<1000 { nested = .list([nested]) }
        expectScriptError("nested more than \(VM.maxListNesting)") { _ = try vm.call(id, "of(_)", [nested]) }
        // Up to the limit, it round-trips.
        var ok: ScriptValue = .number(1)
        for _ in 0..<(VM.maxListNesting - 1) { ok = .list([ok]) }
        #expect(try vm.call(id, "of(_)", [ok]) == ok)
    }

    @Test func aSecondThreadIsRefusedWhileTheFirstIsInside() throws {
        let inside = DispatchSemaphore(value: 0), tried = DispatchSemaphore(value: 0)
        let secondThreadSaw = Box<[String]>([])
        let vmBox = Box<VM?>(nil)
        let handleBox = Box<AnyObject?>(nil)
        var config = quietConfiguration()
        config.bindings.method(module: "main", className: "Host", signature: "block()", isStatic: true) { _ in
            inside.signal()
            tried.wait()
        }
        let vm = try VM(configuration: config)
        vmBox.value = vm
        #expect(vm.interpret(module: "main", source: """
            class Host { foreign static block() }
            class Game { static score { 42 } }
            """) == .success)
        let host = try vm.variable(module: "main", name: "Host")
        handleBox.value = try vm.variable(module: "main", name: "Game")

        let other = Thread {
            inside.wait()
            let vm = vmBox.value!
            if case .runtimeError(let m) = vm.interpret(module: "main", source: "System.print(1)") {
                secondThreadSaw.value.append(m)
            }
            do { _ = try vm.variable(module: "main", name: "Game") } catch let e as ScriptError {
                secondThreadSaw.value.append(e.message)
            } catch {}
            // Dropping a handle here must not touch the busy VM (it is queued).
            handleBox.value = nil
            tried.signal()
        }
        other.start()
        _ = try vm.call(host, "block()")
        #expect(secondThreadSaw.value == ["VM used from two threads at once.", "VM used from two threads at once."])
        // The first thread is out: any thread may use the VM now.
        let game = try vm.variable(module: "main", name: "Game")
        #expect(try vm.call(game, "score") == .number(42))
        let done = DispatchSemaphore(value: 0)
        let result = Box<ScriptValue?>(nil)
        Thread {
            result.value = try? vmBox.value!.call(game, "score")
            done.signal()
        }.start()
        done.wait()
        #expect(result.value == .number(42))
    }

    @Test func aForeignCallKeptAfterItsCallThrows() throws {
        let kept = Box<ForeignCall?>(nil)
        var config = quietConfiguration()
        config.bindings.method(module: "main", className: "Host", signature: "keep(_)", isStatic: true) { call in
            kept.value = call
            call.result = .number(try call.double(1))
        }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: "class Host { foreign static keep(x) }") == .success)
        let host = try vm.variable(module: "main", name: "Host")
        #expect(try vm.call(host, "keep(_)", [.number(7)]) == .number(7))
        expectScriptError("used after the call returned") { _ = try kept.value!.double(1) }
        expectScriptError("used after the call returned") { _ = try kept.value!.data(0) }
    }

    @Test func foreignBytesFollowTheirInstanceAcrossACollection() throws {
        var config = quietConfiguration()
        config.bindings.foreignClass(module: "main", className: "Cell", dataBytes: 16)
        config.bindings.method(module: "main", className: "Cell", signature: "fill(_)") { call in
            let bytes = try call.data(0)
            // Garbage, then a collection that compacts the heap under the instance.
            _ = try call.vm.call(try call.vm.variable(module: "main", name: "Churn"), "run()")
            try bytes.storeBytes(of: Int(try call.double(1)), as: Int.self)
            try bytes.storeBytes(of: Int(-1), toByteOffset: 8, as: Int.self)
            // Past the end: an error, not a write into the next object.
            expectScriptError("outside the 16 data bytes") { try bytes.storeBytes(of: 1, toByteOffset: 9, as: Int.self) }
            expectScriptError("outside the 16 data bytes") { _ = try bytes.load(fromByteOffset: -1, as: UInt8.self) }
            // No calls into the VM while holding the raw buffer.
            try bytes.withUnsafeMutableBytes { raw in
                #expect(raw.count == 16)
                expectScriptError("withUnsafeMutableBytes") {
                    _ = try call.vm.call(try call.vm.variable(module: "main", name: "Churn"), "run()")
                }
            }
        }
        config.bindings.method(module: "main", className: "Cell", signature: "value") { call in
            call.result = .number(Double(try call.data(0).load(as: Int.self)))
        }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            foreign class Cell {
              construct new() {}
              foreign fill(n)
              foreign value
            }
            class Churn {
              static run() {
                var junk = []
                for (i in 0...20000) junk.add("garbage %(i)")
                junk = null
                System.gc()
              }
            }
            var Before = []
            for (i in 0...1000) Before.add([i])
            Before = null
            var C = Cell.new()
            C.fill(1234)
            System.print(C.value)
            """) == .success)
        let cell = try vm.variable(module: "main", name: "C")
        #expect(try vm.call(cell, "value") == .number(1234))
    }
}
