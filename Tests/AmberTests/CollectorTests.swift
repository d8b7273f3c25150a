import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

/// Module variable `name` of module `module` of `vm`.
func moduleVariable(_ vm: VM, _ module: String, _ name: String) throws -> Value {
    let m = try #require(vm.mapGet(vm.root(.modules).ref, vm.newString(module).value)).ref
    return vm.moduleVariableValue(m, try #require(vm.moduleVariable(m, name)))
}

/// A program that allocates, keeps some of it in a module variable, a map, a
/// closure's upvalue and a class's static field, and prints a checksum.
let collectorWorkout = """
class Node {
  construct new(l, r) {
    _l = l
    _r = r
  }
  count { _l == null ? 1 : 1 + _l.count + _r.count }
  static keep { __keep }
  static keep=(v) { __keep = v }
}
var tree
tree = Fn.new {|d| d == 0 ? Node.new(null, null) : Node.new(tree.call(d - 1), tree.call(d - 1)) }
var kept = tree.call(8)
var m = {}
var captured = null
var setCaptured = Fn.new {|v| captured = v }
for (i in 0...300) {
  var t = tree.call(3)
  m[i % 7] = t
  m["k%(i % 5)"] = [i, t]
  setCaptured.call(t)
  Node.keep = [t, i]
}
var sum = 0
for (k in m.keys) sum = sum + (m[k] is List ? m[k][1].count + m[k][0] : m[k].count)
System.print("%(kept.count) %(m.count) %(sum) %(captured.count) %(Node.keep[1])")
"""
let collectorWorkoutOutput = "511 12 1665 15 299\n"

@Suite struct CollectorDebugTests {
    /// A healthy heap verifies clean, before and after collections.
    @Test func healthyHeapVerifiesClean() throws {
        let (vm, capture) = try makeVM()
        #expect(vm.interpret(module: "main", source: collectorWorkout) == .success, "\(capture.err)")
        #expect(capture.out == collectorWorkoutOutput)
        #expect(vm.verifyHeap() == [])
        #expect(vm.collectGarbage(full: true))
        #expect(vm.verifyHeap() == [])
    }

    /// The verifier names a reference that is not the start of an object,
    /// and one to an object of a kind that does not fit its slot.
    @Test func verifierFindsBrokenReferences() throws {
        let (vm, _) = try makeVM()
        #expect(vm.interpret(module: "main", source: "var l = [1, \"two\", [3]]") == .success)
        let module = try #require(vm.mapGet(vm.root(.modules).ref, vm.newString("main").value)).ref
        let list = vm.moduleVariableValue(module, vm.moduleVariable(module, "l")!).ref
        let inner = vm.listGet(list, 2).ref
        // A reference into the middle of an object.
        vm.listSet(list, 2, Value(object: ObjRef(offset: inner.offset + 8)))
        let problems = vm.verifyHeap()
        #expect(problems.count == 1)
        #expect(problems.first?.contains("is not the start of an object") == true, "\(problems)")
        vm.listSet(list, 2, inner.value)
        #expect(vm.verifyHeap() == [])
        // A list whose storage is a string.
        let storage = vm.heap[list, ListLayout.elements]
        vm.heap[list, ListLayout.elements] = vm.listGet(list, 1)
        let kinds = vm.verifyHeap()
        #expect(kinds.contains { $0.contains("refers to a string") }, "\(kinds)")
        vm.heap[list, ListLayout.elements] = storage
        #expect(vm.verifyHeap() == [])
    }

    /// A header the walk cannot get past is reported, not crashed on.
    @Test func verifierFindsABrokenHeader() throws {
        let (vm, _) = try makeVM()
        let s = vm.newString("a string in the way")
        let saved = vm.heap.base.load(fromByteOffset: Int(s.offset) + 8, as: UInt32.self)
        vm.heap.base.storeBytes(of: UInt32(12), toByteOffset: Int(s.offset) + 8, as: UInt32.self)
        let problems = vm.verifyHeap()
        #expect(problems.count == 1 && problems[0].contains("bad header"), "\(problems)")
        vm.heap.base.storeBytes(of: saved, toByteOffset: Int(s.offset) + 8, as: UInt32.self)
        #expect(vm.verifyHeap() == [])
    }

    /// Stress: a collection at every safe point, the heap verified around
    /// each; the program's results are unchanged.
    @Test func stressCollectsAtEverySafePoint() throws {
        var (config, capture) = capturedConfiguration()
        config.gcStress = 1
        config.verifyHeapAfterGC = true
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: "var l = []\nfor (i in 0..50) l.add([i])\nSystem.print(l[50][0])") == .success,
                "\(capture.err)")
        #expect(capture.out == "50\n")
        #expect(vm.collections >= 50, "\(vm.collections) collections")
    }

    /// Every 97th safe point collects; System.gc() still collects at once.
    @Test func stressIntervalAndSystemGC() throws {
        var (config, capture) = capturedConfiguration()
        config.gcStress = 97
        config.verifyHeapAfterGC = true
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: collectorWorkout) == .success, "\(capture.err)")
        #expect(capture.out == collectorWorkoutOutput)
        #expect(vm.collections > 20, "\(vm.collections) collections")
        let before = vm.collections
        #expect(vm.interpret(module: "gc", source: "System.gc()\nSystem.print(1)") == .success)
        #expect(vm.collections > before)
    }

    /// AMBER_GC_STRESS and AMBER_GC_VERIFY reach a launched process.
    @Test func environmentTurnsStressOn() throws {
        let dir = try scratch(["main.wren": "var l = []\nfor (i in 0..20) l.add(\"%(i)\")\nSystem.print(l[20])"])
        let r = try runAmber(["-verbose:gc", "main.wren"], cwd: dir, env: ["AMBER_GC_STRESS": "2", "AMBER_GC_VERIFY": "1"])
        #expect(r.0 == 0, "\(r.2)")
        #expect(r.1 == "20\n")
        let lines = r.2.split(separator: "\n").filter { $0.hasPrefix("amber: [gc]") }
        #expect(lines.count >= 10, "\(r.2)")
    }
}
