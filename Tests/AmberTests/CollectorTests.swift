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
    /// Module variables have no write barrier (they are remembered when a
    /// collection starts): between collections an old variable array holding
    /// a young object is no missed barrier. (The stress run of the whole
    /// suite found the verifier saying so.)
    @Test func aModuleVariableHoldingAYoungObjectVerifiesBetweenCollections() throws {
        let (vm, capture) = try makeVM()
        #expect(vm.interpret(module: "main", source: "var Keep = null") == .success, "\(capture.err)")
        #expect(vm.collectGarbage(full: true))
        #expect(vm.interpret(module: "main", source: "Keep = [1, 2]") == .success, "\(capture.err)")
        #expect(vm.verifyHeap() == [])
        #expect(vm.collectGarbage(full: false))
        #expect(vm.verifyHeap() == [])
    }

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

/// Wren: `GC.now()` collects right away (System.gc() collects at once, as in
/// Wren; nothing is allocated after it before the method returns).
let gcNow = """
class GC {
  static now() {
    System.gc()
  }
}

"""

/// A configuration whose VM verifies its heap (the remembered set included)
/// before every collection and records what is wrong instead of stopping.
func verifyingVM(youngSize: Int = 256 << 10, maxHeap: Int? = nil, allowFFI: Bool = false,
                 bindings: Bindings = Bindings()) throws -> (VM, Capture, Problems) {
    var (config, capture) = capturedConfiguration()
    config.youngSize = youngSize
    if let maxHeap { config.maxHeap = maxHeap }
    config.gcStress = 0     // these tests count collections (AMBER_GC_STRESS would add some)
    config.allowFFI = allowFFI
    config.bindings = bindings
    let vm = try VM(configuration: config)
    let problems = Problems()
    vm.hooks.register(.gcStart) { vm, _ in problems.list += vm.verifyHeap() }
    vm.hooks.register(.gcEnd) { vm, _ in problems.list += vm.verifyHeap() }
    return (vm, capture, problems)
}

final class Problems: @unchecked Sendable { var list: [String] = [] }

@Suite struct GenerationalTests {
    /// Young objects stored into old ones, one store site each, are found
    /// through dirty cards by the next young collection and survive it; the
    /// verifier, run before each collection, finds every one of those
    /// old-to-young references in a dirty card.
    @Test func oldToYoungStoresOfEveryKindSurviveAYoungCollection() throws {
        let (vm, capture, problems) = try verifyingVM()
        let r = vm.interpret(module: "main", source: gcNow + """
        class Holder {
          construct new() { _f = null }
          f { _f }
          f=(v) { _f = v }
          setField(v) { _f = v }
          static s { __s }
          static s=(v) { __s = v }
        }
        class Other {
          construct new() {}
          reach(h, v) { h.f = v }
        }
        var h = Holder.new()
        var h2 = Holder.new()
        var l = [null, null]
        var m = {}
        var mv = null
        var up = null
        var setUp = Fn.new {|v| up = v }
        var getUp = Fn.new { up }
        var big = List.filled(5000, 0)
        GC.now()
        // Every object above is old now; what follows stores young ones into them.
        h.f = "field %(1)"
        h2.setField("field this %(2)")
        l[0] = "element %(3)"
        l.add("appended %(4)")
        l.insert(0, "inserted %(5)")
        m["value"] = "map value %(6)"
        m["key %(7)"] = 7
        mv = "module variable %(8)"
        setUp.call("upvalue %(9)")
        Holder.s = "static %(10)"
        big[4321] = "far element %(11)"
        GC.now()
        var junk = (0...3000).map {|i| "junk %(i)" }.toList
        GC.now()
        var key = m.keys.where {|k| k.startsWith("key") }.toList[0]
        System.print([h.f, h2.f, l, m["value"], key, mv, getUp.call(), Holder.s, big[4321]].join("|"))
        """)
        #expect(r == .success, "\(capture.err)")
        #expect(capture.out == "field 1|field this 2|[inserted 5, element 3, null, appended 4]|map value 6|key 7|"
                + "module variable 8|upvalue 9|static 10|far element 11\n")
        #expect(problems.list == [], "\(problems.list)")
        #expect(vm.collections >= 3)
        #expect(vm.fullCollections == 0)
    }

    /// Survivors are promoted: after a young collection everything is old
    /// (oldTop = top), and objects already old do not move.
    @Test func survivorsArePromotedAndOldObjectsStay() throws {
        let (vm, capture, problems) = try verifyingVM()
        #expect(vm.interpret(module: "main", source: gcNow + "var keep = [\"a %(1)\"]\nGC.now()") == .success, "\(capture.err)")
        #expect(vm.fullCollections == 0 && vm.collections == 1)
        #expect(vm.heap.top == vm.heap.oldTop)
        let keep = try moduleVariable(vm, "main", "keep").ref
        #expect(Int(keep.offset) < vm.heap.oldTop)
        #expect(vm.interpret(module: "more", source: "import \"main\" for GC\nvar junk = (0...5000).map {|i| [i] }.toList\nGC.now()") == .success)
        #expect(vm.collections >= 2 && vm.fullCollections == 0)
        #expect(try moduleVariable(vm, "main", "keep").ref == keep, "an old object moved in a young collection")
        #expect(vm.string(vm.listGet(keep, 0)) == "a 1")
        #expect(problems.list == [], "\(problems.list)")
    }

    /// A fiber that is old and suspended keeps young values on its stack
    /// when it is resumed after young collections; an open upvalue of one
    /// fiber written from another remembers the first.
    @Test func fiberStacksAreRoots() throws {
        let (vm, capture, problems) = try verifyingVM()
        let r = vm.interpret(module: "main", source: gcNow + """
        var shared = null
        var worker = Fiber.new {
          var local = "local %(0)"
          shared = Fn.new {|v| local = v }
          var got = Fiber.yield(local)
          while (true) {
            var fresh = "fresh %(got)"
            GC.now()
            got = Fiber.yield(fresh + " " + local)
          }
        }
        System.print(worker.call())
        GC.now()
        for (i in 1..3) {
          shared.call("set %(i)")
          GC.now()
          System.print(worker.call(i))
        }
        """)
        #expect(r == .success, "\(capture.err)")
        #expect(capture.out == "local 0\nfresh 1 set 1\nfresh 2 set 2\nfresh 3 set 3\n")
        #expect(problems.list == [], "\(problems.list)")
    }

    /// The full collection runs when the old space passes its threshold,
    /// reclaims old garbage, and everything survives it.
    @Test func fullCollectionsReclaimOldGarbage() throws {
        // -Xmx 4 MB: the old space's floor (half of it) lets a full collection come early.
        let (vm, capture, problems) = try verifyingVM(youngSize: 64 << 10, maxHeap: 4 << 20)
        let r = vm.interpret(module: "main", source: gcNow + """
        var keep = []
        for (round in 0..40) {
          var garbage = (0..300).map {|i| [i, "g %(i)"] }.toList
          keep.add(garbage[round])
          GC.now()
        }
        System.print(keep.count)
        System.print(keep[40][1])
        """)
        #expect(r == .success, "\(capture.err)")
        #expect(capture.out == "41\ng 40\n")
        #expect(vm.fullCollections >= 1, "\(vm.collections) collections")
        #expect(vm.heap.used < 1 << 20, "\(vm.heap.used) bytes in use")
        #expect(problems.list == [], "\(problems.list)")
    }

    /// The bytes of foreign-class instances and FFI Memory hold no
    /// references; they move with their objects through young and full
    /// collections unchanged.
    @Test func foreignBytesCrossCollections() throws {
        var bindings = Bindings()
        bindings.foreignClass(module: "main", className: "Blob", dataBytes: 24)
        bindings.method(module: "main", className: "Blob", signature: "fill(_)") { call in
            let seed = try call.double(1)
            let data = try call.data(0)
            // Words that look like references to the collector if it misread them.
            for i in 0..<3 { try data.storeBytes(of: Value.objectMask | UInt64(64 + 8 * i) | UInt64(seed), toByteOffset: 8 * i, as: UInt64.self) }
        }
        bindings.method(module: "main", className: "Blob", signature: "check(_)") { call in
            let seed = try call.double(1)
            let data = try call.data(0)
            var ok = true
            for i in 0..<3 where try data.load(fromByteOffset: 8 * i, as: UInt64.self) != Value.objectMask | UInt64(64 + 8 * i) | UInt64(seed) { ok = false }
            call.result = .bool(ok)
        }
        let (vm, capture, problems) = try verifyingVM(allowFFI: true, bindings: bindings)
        let r = vm.interpret(module: "main", source: gcNow + """
        import "ffi" for Memory
        foreign class Blob {
          construct new() {}
          foreign fill(seed)
          foreign check(seed)
        }
        var blobs = []
        var memories = []
        for (i in 0...200) {
          var b = Blob.new()
          b.fill(i)
          blobs.add(b)
          var m = Memory.alloc(16)
          m.setInt32(0, i * 7)
          m.setInt32(12, -i)
          memories.add(m)
          if (i % 50 == 0) GC.now()
        }
        var junk = (0...5000).map {|i| "junk %(i)" }.toList
        GC.now()
        var ok = true
        for (i in 0...200) {
          if (!blobs[i].check(i)) ok = false
          if (memories[i].int32(0) != i * 7 || memories[i].int32(12) != -i) ok = false
        }
        System.print(ok)
        """)
        #expect(r == .success, "\(capture.err)")
        #expect(capture.out == "true\n")
        #expect(vm.collections >= 5)
        #expect(vm.collectGarbage(full: true))
        #expect(vm.interpret(module: "again", source: """
        import "main" for blobs, memories
        System.print(blobs[199].check(199) && memories[199].int32(0) == 1393)
        """) == .success, "\(capture.err)")
        #expect(capture.out == "true\ntrue\n")
        #expect(problems.list == [], "\(problems.list)")
    }
}

/// Restores and snapshots with a young space.
@Suite struct GenerationalImageTests {
    static let program = """
    class Main {
      static build() {
        __data = []
        for (i in 0..3000) __data.add(["entry %(i)", i])
      }
      static data { __data }
    }
    Main.build()
    """

    /// Right after a restore the image is the old space: the first young
    /// collection reads it only through dirty cards (found with the image's
    /// own crossing map) and keeps what young objects old ones refer to.
    @Test func youngCollectionRightAfterARestore() throws {
        let dir = try temporaryDirectory()
        let (writer, _) = try makeVM()
        #expect(writer.interpret(module: "main", source: GenerationalImageTests.program) == .success)
        try writer.snapshot(to: dir + "/g.img")
        var (config, capture) = capturedConfiguration()
        config.youngSize = 256 << 10
        config.gcStress = 0
        let vm = try VM.restore(from: dir + "/g.img", configuration: config)
        let problems = Problems()
        vm.hooks.register(.gcStart) { vm, _ in problems.list += vm.verifyHeap() }
        vm.hooks.register(.gcEnd) { vm, _ in problems.list += vm.verifyHeap() }
        let image = vm.heap.oldTop
        #expect(vm.imageCrossingCards > 0, "the image's crossing map was not used")
        _ = vm.resumeFromImage()
        #expect(vm.interpret(module: "after", source: gcNow + """
        import "main" for Main
        var d = Main.data
        GC.now()
        for (i in 0..3000) if (i % 3 == 0) d[i][1] = "young %(i)"
        d[5][0] = ["nested %(5)"]
        GC.now()
        var junk = (0...3000).map {|i| [i] }.toList
        GC.now()
        System.print([d[0][1], d[2999][1], d[3000][1], d[5][0][0], d[7][0]].join(" "))
        """) == .success, "\(capture.err)")
        #expect(capture.out == "young 0 2999 young 3000 nested 5 entry 7\n")
        #expect(vm.collections >= 3 && vm.fullCollections == 0)
        #expect(vm.heap.oldTop > image)
        #expect(problems.list == [], "\(problems.list)")
    }

    /// A snapshot taken while the young space holds objects (and old ones
    /// refer to them) is compacted first; both the writer and the restored
    /// process go on with the same data.
    @Test func snapshotWithANonEmptyYoungSpace() throws {
        let dir = try temporaryDirectory()
        var (config, capture) = capturedConfiguration()
        config.youngSize = 8 << 20
        config.gcStress = 0
        let writer = try VM(configuration: config)
        #expect(writer.interpret(module: "main", source: GenerationalImageTests.program) == .success)
        #expect(writer.interpret(module: "main2", source: gcNow + "GC.now()") == .success)
        #expect(writer.interpret(module: "young", source: """
        import "main" for Main
        Main.data[10][1] = "young ten %(10)"
        var fresh = (0...100).map {|i| "fresh %(i)" }.toList
        """) == .success, "\(capture.err)")
        #expect(writer.heap.top > writer.heap.oldTop, "the young space is empty")
        try writer.snapshot(to: dir + "/y.img")
        #expect(writer.heap.top > writer.heap.oldTop, "the image's crossing map is young in the writer")
        let check = gcNow + """
        import "main" for Main
        import "young" for fresh
        GC.now()
        System.print([Main.data[10][1], Main.data[11][1], fresh[99]].join(" "))
        """
        #expect(writer.interpret(module: "check", source: check) == .success, "\(capture.err)")
        #expect(writer.root(.cardStarts).isNull, "the writer keeps no crossing map after its next collection")
        let (restored, capture2) = try restoreCaptured(dir + "/y.img")
        _ = restored.resumeFromImage()
        #expect(restored.interpret(module: "check", source: check) == .success, "\(capture2.err)")
        #expect(capture.out == "young ten 10 11 fresh 99\n")
        #expect(capture2.out == "young ten 10 11 fresh 99\n")
        #expect(restored.verifyHeap() == [])
    }
}
