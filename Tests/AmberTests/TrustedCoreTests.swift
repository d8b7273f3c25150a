import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

/// The built-in core stays where the built-in image has it (full collections
/// pin it, Heap/Collector.swift), and a restore checks only what of it an image
/// changed (Image/BuiltinCoreCheck.swift).
@Suite struct TrustedCoreTests {
    /// The linked image's heap section, its offset in the image, and its root block.
    static func builtinHeap() throws -> (heap: [UInt8], heapOffset: Int, root: Int) {
        let image = CoreImageTests.linkedImage()
        try #require(!image.isEmpty, "no built-in core image is linked into the tests")
        let header = ImageHeader(unchecked: Array(image.prefix(ImageFormat.headerSize)))
        let (offset, bytes) = header.heapSection
        return (Array(image[offset..<(offset + bytes)]), offset, Int(header.rootOffset))
    }

    static func word(_ b: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }
    static func u32(_ b: [UInt8], _ at: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) }
    }
    /// Slot `i` of the object at `o` in heap bytes `b`.
    static func slot(_ b: [UInt8], _ o: Int, _ i: Int) -> Value { Value(bits: word(b, o + Heap.headerSize + 8 * i)) }

    @Test func aFullCollectionLeavesTheBuiltinCoreWhereTheImageHasIt() throws {
        let (builtin, _, _) = try TrustedCoreTests.builtinHeap()
        let out = Capture()
        let vm = try CoreImageTests.vm(.linked, out)
        try #require(vm.bootRegionEnd == builtin.count, "the core's end is not pinned")
        // Garbage of every size, a class of the program's own, then a full
        // collection: the image's crossing map (a core object) dies in it.
        let source = """
        class Point {
          construct new(x) { _x = x }
          x { _x }
        }
        var kept = []
        for (i in 0...2000) {
          var p = Point.new(i)
          if (i % 100 == 0) kept.add(p)
          var s = "garbage %(i)"
        }
        System.print(kept.count)
        """
        #expect(vm.interpret(module: "main", source: source) == .success)
        vm.collectGarbage(full: true)
        #expect(vm.fullCollections >= 1)

        // Below the end: every object is the built-in one at its offset (same
        // kind and size), or a filler where dead ones were.
        var scan = Heap.firstObject, builtinScan = Heap.firstObject
        var same = 0, fillers = 0
        while scan < builtin.count {
            let r = ObjRef(offset: UInt(scan))
            let size = vm.heap.size(r)
            try #require(size >= Heap.headerSize && scan + size <= builtin.count, "object at \(scan) runs past the core")
            while builtinScan < scan { builtinScan += TrustedCoreTests.u32(builtin, builtinScan + 8) }
            if builtinScan == scan, Int(builtin[scan]) == Int(vm.heap.kind(r).rawValue),
               TrustedCoreTests.u32(builtin, scan + 8) == size {
                same += 1
            } else {
                #expect(vm.heap.isKind(r, .bytes) && vm.heap.classOf(r).isNone, "object at \(scan) moved or changed kind")
                fillers += 1
            }
            scan += size
        }
        #expect(scan == builtin.count)
        #expect(fillers >= 1 && same > 1000, "\(same) in place, \(fillers) fillers")
        // The whole heap is sound (fillers included), and the program runs on.
        var verifier = HeapVerifier(vm: vm)
        #expect(verifier.run() == nil)
        #expect(vm.interpret(module: "main", source: "System.print(kept[3].x + Point.new(1).x)") == .success)
        #expect(out.out == "20\n301\n", "\(out.err)")
    }

    /// A crafted image may put `Root.bootEnd` anywhere (an offset inside an
    /// object, 8 bytes past one): full collections still leave a heap every
    /// walk can step through.
    @Test func aBootEndThatIsNoObjectBoundaryStillCollectsSoundly() throws {
        let (builtin, _, _) = try TrustedCoreTests.builtinHeap()
        // Object starts of the built-in heap, and one offset 8 past each of a few of them.
        var starts: [Int] = []
        var scan = Heap.firstObject
        while scan < builtin.count { starts.append(scan); scan += TrustedCoreTests.u32(builtin, scan + 8) }
        let ends = stride(from: starts.count - 1, to: max(0, starts.count - 60), by: -7).map { starts[$0] + 8 }
        for end in ends + [builtin.count - 8] {
            let out = Capture()
            let vm = try CoreImageTests.vm(.linked, out)
            vm.setRoot(.bootEnd, Value(Double(end)))
            #expect(vm.interpret(module: "main", source: """
            var kept = []
            for (i in 0...500) {
              var s = "garbage %(i)"
              if (i % 50 == 0) kept.add(s)
            }
            """) == .success)
            vm.collectGarbage(full: true)
            vm.collectGarbage(full: true)
            var verifier = HeapVerifier(vm: vm)
            let problem = verifier.run()
            #expect(problem == nil, "bootEnd \(end): \(problem ?? "")")
            #expect(vm.interpret(module: "main", source: "System.print(kept[3])") == .success)
            #expect(out.out == "garbage 150\n", "bootEnd \(end): \(out.err)")
        }
    }

    /// The case that needs care: a dead object right after a live one, and
    /// `Root.bootEnd` 8 bytes into it. The filler there needs a header's
    /// room, so packing starts 8 bytes later instead of overwriting it.
    @Test func aBootEndEightBytesIntoADeadObjectLeavesRoomForItsFiller() throws {
        let out = Capture()
        let vm = try CoreImageTests.vm(.linked, out)
        #expect(vm.interpret(module: "main", source: "var Keep = []") == .success)
        let main = try #require(vm.loadedModule("main"))
        let keep = vm.moduleVariableValue(main, try #require(vm.moduleVariable(main, "Keep"))).ref
        // Three strings side by side (the allocator bumps); the middle one dies.
        let a = vm.newString(String(repeating: "a", count: 40))
        let b = vm.newString(String(repeating: "b", count: 40))
        let c = vm.newString(String(repeating: "c", count: 40))
        try #require(Int(a.offset) + vm.heap.size(a) == Int(b.offset) && Int(b.offset) + vm.heap.size(b) == Int(c.offset))
        _ = vm.listAppend(keep, a.value)
        _ = vm.listAppend(keep, c.value)
        vm.setRoot(.bootEnd, Value(Double(Int(b.offset) + 8)))
        vm.collectGarbage(full: true)
        var verifier = HeapVerifier(vm: vm)
        let problem = verifier.run()
        #expect(problem == nil, "\(problem ?? "")")
        #expect(vm.listGet(keep, 0).ref == a, "a pinned object moved")
        #expect(vm.interpret(module: "main", source: "System.print(Keep[0].count + Keep[1].count)") == .success)
        #expect(out.out == "80\n", "\(out.err)")
    }

    /// Writes an image of a small program through the launcher; its path.
    func smallImage() throws -> String {
        let dir = try scratch(["main.wren": """
        class Main {
          static run() { System.print([1, 2, 3].map {|x| x * 10 }.toList) }
        }
        Main.run()
        """])
        let made = try runAmber(["-snapshot:file=small.img,trigger=Main.run,exit", "main.wren"], cwd: dir)
        try #require(made.0 == 0, "\(made.2)")
        return dir + "/small.img"
    }

    @Test func aRestoreChecksOnlyWhatTheProgramChangedInTheCore() throws {
        let path = try smallImage()
        let vm = try VM.restore(from: path, configuration: VMConfiguration(), verifyHeap: false)
        let trusted = try #require(vm.trustedBuiltinCore())
        // The root block, the symbol and module tables... but not the core's code.
        #expect(trusted.checked > 0 && trusted.checked * 20 < trusted.objects, "\(trusted.checked) of \(trusted.objects)")
        guard case .ran(let result, let out) = restoreInProcess(path, .header, resume: true) else {
            Issue.record("the image did not restore")
            return
        }
        #expect(result == .success && out == "[10, 20, 30]\n")
    }

    @Test func aChangedCoreMethodIsCheckedAndRefused() throws {
        let (builtin, _, root) = try TrustedCoreTests.builtinHeap()
        // Sequence's first method written in Wren: its closure, function and code.
        let sequence = TrustedCoreTests.slot(builtin, root, ArrayLayout.first + Root.sequenceClass.rawValue)
        let methods = TrustedCoreTests.slot(builtin, Int(sequence.ref.offset), ClassLayout.methods).ref
        let capacity = Int(TrustedCoreTests.word(builtin, Int(methods.offset) + Heap.headerSize))
        let closure = try #require((0..<capacity).lazy
            .map { TrustedCoreTests.slot(builtin, Int(methods.offset), ArrayLayout.first + $0) }
            .first { $0.isObject && builtin[Int($0.ref.offset)] == ObjKind.closure.rawValue })
        let fn = TrustedCoreTests.slot(builtin, Int(closure.ref.offset), ClosureLayout.fn).ref
        let code = TrustedCoreTests.slot(builtin, Int(fn.offset), FnLayout.code).ref
        let firstInstruction = Int(code.offset) + BytesLayout.dataOffset

        // The program's image holds the built-in heap at the same offsets.
        let path = try smallImage()
        var image = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let header = ImageHeader(unchecked: Array(image.prefix(ImageFormat.headerSize)))
        let at = header.heapSection.offset + firstInstruction
        #expect(image[at] == builtin[firstInstruction])
        image[at] = 0xff   // no such instruction
        try Data(image).write(to: URL(fileURLWithPath: path))

        guard case .refused(let message) = restoreInProcess(path, .header, resume: false) else {
            Issue.record("a changed core method was not checked")
            return
        }
        #expect(message.contains("is corrupt"), "\(message)")
    }
}
