// Foreign classes of a Swift host: the allocator sees the constructor's
// arguments, finalizers run once per dead instance; and `variable(module:name:)`
// tells a variable never assigned from one holding null.
import Foundation
import Testing
import AmberVM

/// Counts what finalizers saw (the closures outlive the test's locals).
final class FinalizerLog: @unchecked Sendable {
    var values: [Double] = []
}

/// A `Point` foreign class of two doubles, filled from `Point.new(x, y)`;
/// its finalizer logs x.
func pointConfiguration(_ log: FinalizerLog, output: @escaping (String) -> Void = { _ in }) -> VMConfiguration {
    var config = VMConfiguration()
    config.writeOutput = output
    config.writeError = { _ in }
    config.bindings.foreignClass(module: "main", className: "Point", dataBytes: 16, allocate: { call in
        let data = try call.data(0)
        try data.storeBytes(of: call.double(1), toByteOffset: 0, as: Double.self)
        try data.storeBytes(of: call.double(2), toByteOffset: 8, as: Double.self)
    }, finalize: { bytes in
        log.values.append(bytes.load(fromByteOffset: 0, as: Double.self))
    })
    config.bindings.method(module: "main", className: "Point", signature: "x") { call in
        call.result = .number(try call.data(0).load(fromByteOffset: 0, as: Double.self))
    }
    config.bindings.method(module: "main", className: "Point", signature: "y") { call in
        call.result = .number(try call.data(0).load(fromByteOffset: 8, as: Double.self))
    }
    return config
}

let pointClass = """
    foreign class Point {
      construct new(x, y) {}
      foreign x
      foreign y
    }
    """

@Suite struct ForeignClassLifecycleTests {
    @Test func theAllocatorFillsTheBytesFromTheConstructorsArguments() throws {
        var output = ""
        let vm = try VM(configuration: pointConfiguration(FinalizerLog()) { output += $0 })
        #expect(vm.interpret(module: "main", source: pointClass + """

            var p = Point.new(3, 4)
            System.print([p.x, p.y])
            """) == .success)
        #expect(output == "[3, 4]\n")
    }

    @Test func anAllocatorsErrorIsTheConstructorsRuntimeError() throws {
        var output = ""
        let vm = try VM(configuration: pointConfiguration(FinalizerLog()) { output += $0 })
        #expect(vm.interpret(module: "main", source: pointClass + """

            var f = Fiber.new { Point.new("three", 4) }
            System.print(f.try())
            """) == .success)
        #expect(output == "Argument 1 of the allocator of Point must be a Num.\n")
    }

    /// The allocator calls back into the VM (a recursion 3000 calls deep, so
    /// collections and stack growth happen while the constructor waits).
    @Test func anAllocatorMayCallBackIntoTheVM() throws {
        var config = VMConfiguration()
        var output = ""
        config.writeOutput = { output += $0 }
        config.bindings.foreignClass(module: "main", className: "Box", dataBytes: 8, allocate: { call in
            let helper = try call.vm.variable(module: "main", name: "Helper")
            let n = try call.vm.call(helper, "deep(_)", [.number(try call.double(1))])
            guard case .number(let d) = n else { throw ScriptError("not a number") }
            try call.data(0).storeBytes(of: d, as: Double.self)
        })
        config.bindings.method(module: "main", className: "Box", signature: "value") { call in
            call.result = .number(try call.data(0).load(as: Double.self))
        }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class Helper {
              static deep(n) { n == 0 ? 0 : 1 + deep(n - 1) }
            }
            foreign class Box {
              construct new(n, label) {}
              foreign value
            }
            var b = Box.new(3000, "label")
            System.print(b.value)
            """) == .success)
        #expect(output == "3000\n")
    }

    @Test func deadInstancesAreFinalizedOnceAndLiveOnesWhenTheVMGoes() throws {
        let log = FinalizerLog()
        do {
            let vm = try VM(configuration: pointConfiguration(log))
            #expect(vm.interpret(module: "main", source: pointClass + """

                var keep = Point.new(1, 0)
                class Make {
                  static garbage() {
                    for (i in 0...100) Point.new(i + 10, 0)
                  }
                }
                Make.garbage()
                System.gc()
                System.gc()
                """) == .success)
            #expect(log.values.sorted() == (10...109).map(Double.init))
        }
        // The VM is gone: the one kept alive is finalized now, and only it.
        #expect(log.values.count == 101 && log.values.filter { $0 == 1 }.count == 1)
    }

    @Test func aRestoredInstanceIsFinalizedByTheRestoringVM() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = FinalizerLog(), restored = FinalizerLog()
        do {
            let vm = try VM(configuration: pointConfiguration(written))
            #expect(vm.interpret(module: "main", source: pointClass + "\nvar P = Point.new(7, 8)") == .success)
            try vm.snapshot(to: dir + "/point.img")
        }
        #expect(written.values == [7])
        var output = ""
        do {
            let copy = try VM.restore(from: dir + "/point.img", configuration: pointConfiguration(restored) { output += $0 })
            _ = copy.resumeFromImage()
            let p = try copy.variable(module: "main", name: "P")
            #expect(try copy.call(p, "y") == .number(8))
            #expect(restored.values.isEmpty)
        }
        #expect(restored.values == [7])
    }

    @Test func aFinalizerThatUsesTheVMGetsAnErrorNotACrash() throws {
        var config = VMConfiguration()
        var errors: [String] = []
        var vmBox: VM?
        config.bindings.foreignClass(module: "main", className: "Bad", dataBytes: 0, finalize: { _ in
            do { _ = try vmBox?.variable(module: "main", name: "X") } catch let e as ScriptError {
                errors.append(e.message)
            } catch {}
        })
        let vm = try VM(configuration: config)
        vmBox = vm
        #expect(vm.interpret(module: "main", source: """
            foreign class Bad {
              construct new() {}
            }
            var X = 1
            Bad.new()
            System.gc()
            """) == .success)
        vmBox = nil
        #expect(errors == ["A foreign class's finalizer may not use the VM."])
    }

    @Test func aVariableNeverAssignedIsAnErrorAndOneHoldingNullIsNot() throws {
        var config = VMConfiguration()
        config.writeError = { _ in }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            var Empty = null
            var Early = 1
            class Broken is Early {}
            var Late = 2
            """) == .runtimeError("Class 'Broken' cannot inherit from a non-class object."))
        #expect(try vm.call(try vm.variable(module: "main", name: "Empty"), "toString") == .string("null"))
        #expect(try vm.call(try vm.variable(module: "main", name: "Early"), "toString") == .string("1"))
        for name in ["Broken", "Late"] {
            #expect(throws: ScriptError.self) { _ = try vm.variable(module: "main", name: name) }
            do { _ = try vm.variable(module: "main", name: name) } catch let e as ScriptError {
                #expect(e.message == "Variable '\(name)' of module 'main' was never assigned: "
                        + "the module stopped before its definition ran.")
            }
        }
    }

    /// Script code still reads a variable whose definition has not run as null.
    @Test func aForwardReferenceStillReadsAsNull() throws {
        var output = ""
        var config = VMConfiguration()
        config.writeOutput = { output += $0 }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            class A { static f { Later } }
            System.print(A.f)
            var Later = 3
            System.print(A.f)
            """) == .success)
        #expect(output == "null\n3\n")
    }
}
