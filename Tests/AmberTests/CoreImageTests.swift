#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberCoreImageHook
import Testing
@testable import AmberLauncher
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
import AmberBytecode

/// The built-in core image (BuiltinCoreImage.swift): a new VM copies the core
/// library from it instead of compiling the prelude, and falls back to
/// compiling when the image is not one this build can use.
@Suite struct CoreImageTests {
    /// The image linked into this test program, as bytes.
    static func linkedImage() -> [UInt8] {
        var count = 0
        guard let p = amber_core_image_bytes(&count) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }

    /// A VM that prints into `out`.
    static func vm(_ choice: CoreImageChoice, _ out: Capture) throws -> VM {
        var config = VMConfiguration()
        config.writeOutput = { out.out += $0 }
        config.writeError = { out.err += $0 }
        return try VM(configuration: config, bootstrap: true, coreImage: choice)
    }

    @Test func aNewVMMapsTheBuiltinImage() throws {
        let vm = try VM()
        guard case .builtinImage(let bytes, let natives, let mapped) = vm.coreLibrary else {
            Issue.record("core library not mapped: \(vm.coreLibrary)")
            return
        }
        // Mapped from the program's own file when the bytes are static data in
        // it (release builds: a debug build makes the array at run time).
        #expect(mapped == (VM.mappableCoreImage(.linked) != nil))
        #expect(mapped == (vm.coreImageMapping != nil))
        #expect(bytes > Heap.firstObject && bytes <= vm.heap.top)
        #expect(natives == vm.boundNativeNames.count && natives > 100)
    }

    /// The launcher says so with -verbose:startup.
    @Test func verboseStartupReportsTheMappedCore() {
        let (code, out, err) = runLauncher(["-verbose:startup", "-e", "System.print(1 + 2)"])
        #expect(code == 0)
        #expect(out == "3\n")
        #expect(err.hasPrefix("amber: [startup] core library: mapped from the built-in image ("), "\(err)")
    }

    /// The linked image is exactly what this build makes: not stale.
    @Test func theLinkedImageIsThisBuilds() throws {
        let linked = CoreImageTests.linkedImage()
        #expect(!linked.isEmpty)
        #expect(try VM.coreImageBytes() == linked)
    }

    /// A VM from the image and one that compiled the prelude run the same
    /// programs the same way, down to the heap bytes they start with.
    @Test func mappedAndCompiledCoresAgree() throws {
        let a = Capture(), b = Capture()
        let mapped = try CoreImageTests.vm(.linked, a)
        let compiled = try CoreImageTests.vm(.none, b)
        #expect(compiled.coreLibrary == .compiled(reason: "asked to compile it"))
        let program = """
            System.print([1, 2, 3].map { |x| x * x }.toList)
            System.print({"a": 1}.keys.toList)
            System.print("abc".codePoints.toList)
            System.print((1..3).reduce { |a, b| a + b })
            var f = Fiber.new { Fiber.yield(7) }
            System.print(f.call())
            System.print(Object.same(1, 1))
            System.print(1.5.floor + 2.sqrt)
            """
        #expect(mapped.interpret(module: "main", source: program) == .success)
        #expect(compiled.interpret(module: "main", source: program) == .success)
        #expect(a.out == b.out && a.err == b.err && !a.out.isEmpty, "\(a.out) vs \(b.out)")
        // The image also holds the preloaded modules: more symbols and natives, after the core's.
        let symbols = Array(compiled.symbolNames), natives = compiled.boundNativeNames
        #expect(Array(mapped.symbolNames.prefix(symbols.count)) == symbols)
        #expect(Array(mapped.boundNativeNames.prefix(natives.count)) == natives)
        #expect(mapped.boundNativeNames.dropFirst(natives.count).allSatisfy { $0.first!.isLowercase })
    }

    /// An image from another build (fingerprint), a damaged one, or bytes
    /// that are no image at all: the VM compiles the prelude and says why.
    @Test func aMismatchedImageFallsBackToCompiling() throws {
        let good = CoreImageTests.linkedImage()
        var header = ImageHeader(unchecked: Array(good.prefix(ImageFormat.headerSize)))
        header.fingerprint &+= 1
        let otherBuild = header.encode() + good.dropFirst(ImageFormat.headerSize)
        var damagedHeader = good
        damagedHeader[100] ^= 0xff
        // (Cut inside the heap section: the referrer index follows it.)
        let heapEnd = header.heapSection.offset + header.heapSection.bytes
        let truncated = Array(good.prefix(heapEnd - 4096))
        // A native this build does not have: binding by name fails.
        var unknownNative = good
        let name = Array("Num.sqrt".utf8)
        let at = (0...(good.count - name.count)).first { Array(good[$0..<($0 + name.count)]) == name }!
        unknownNative[at] = UInt8(ascii: "X")
        let cases: [(String, [UInt8], String)] = [
            ("another build", otherBuild, "was written by a different build of Amber"),
            ("a damaged header", damagedHeader, "header checksum mismatch"),
            ("a truncated image", truncated, "is truncated"),
            ("an unknown native", unknownNative, "'Xum.sqrt'"),
            ("no image", [UInt8](repeating: 7, count: 100), "not an Amber image"),
        ]
        for (what, bytes, reason) in cases {
            let out = Capture()
            let vm = try CoreImageTests.vm(.bytes(bytes), out)
            guard case .compiled(let why) = vm.coreLibrary else {
                Issue.record("\(what): the image was used")
                continue
            }
            #expect(why.contains(reason), "\(what): \(why)")
            #expect(vm.interpret(module: "main", source: "System.print(2.sqrt > 1)") == .success)
            #expect(out.out == "true\n", "\(what): \(out.out) \(out.err)")
        }
    }
}

/// Mapping bytes of the program from its own file (Port/ProgramFile.swift),
/// as a release build maps the built-in image: a string literal is static data.
@Suite struct ProgramFileTests {
    static let literal: StaticString = "Amber maps this text from the test program's own file, page and all."

    @Test func staticBytesAreFoundAndMappedFromTheProgramFile() throws {
        let text = ProgramFileTests.literal
        let p = UnsafeRawPointer(text.utf8Start)
        let n = text.utf8CodeUnitCount
        #if os(Linux)
        let range = try #require(ProgramFile.locate(p, count: n))
        let page = ImageFormat.pageSize
        #expect(range.offset % page == Int(bitPattern: p) % page)
        // Mapped into a reservation at the same page offset, as the heap is.
        let below = Int(bitPattern: p) % page
        let length = (below + n + page - 1) / page * page
        let at = try #require(VirtualMemory.reserve(length))
        defer { VirtualMemory.release(at, length) }
        #expect(ProgramFile.map(offset: range.offset - below, length: length, at: at))
        #expect(memcmp(at + below, p, n) == 0)
        // Writable and private: the file and the literal are untouched.
        (at + below).storeBytes(of: 0, as: UInt8.self)
        #expect(p.load(as: UInt8.self) == UInt8(ascii: "A"))
        ProgramFile.replaceWithZeroPages(at: at, length: length)
        #expect((at + below).load(as: UInt8.self) == 0 && (at + below + 1).load(as: UInt8.self) == 0)
        #endif
        // Heap memory is not in the program's file.
        let heapBytes = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { heapBytes.deallocate() }
        #expect(ProgramFile.locate(heapBytes, count: 64) == nil)
    }
}

/// The fingerprint's name tables (BuildFingerprint.swift) are the enums' own
/// case names, in order: a renamed or reordered case changes the fingerprint.
@Suite struct FingerprintTests {
    static func names(_ table: [StaticString]) -> [String] { table.map { "\($0)" } }

    @Test func nameTablesMatchTheEnums() {
        #expect(FingerprintTests.names(BuildFingerprint.objKindNames) == ObjKind.allCases.map { "\($0)" })
        #expect(Op.allCases.map { "\($0.info.name)" } == Op.allCases.map { "\($0)" })
        #expect(FingerprintTests.names(BuildFingerprint.rootNames) == Root.allCases.map { "\($0)" })
        #expect(FingerprintTests.names(BuildFingerprint.builtinKindNames) == BuiltinKind.allCases.map { "\($0)" })
    }

    @Test func fingerprintIsStableWithinABuild() {
        #expect(BuildFingerprint.compute() == ImageFormat.fingerprint)
        #expect(ImageFormat.fingerprint != 0)
    }
}

/// Built-in modules preloaded in the core image (Loader/PreloadedModules.swift):
/// an import takes the module loaded at build time, unless it cannot.
@Suite struct PreloadedModuleTests {
    static let program = """
        import "os" for Platform
        import "io" for File
        System.print(Platform.isPosix)
        System.print(File.exists("/no/such/file"))
        """

    func preloaded(_ vm: VM, _ name: String) -> Value? {
        let stash = vm.root(.preloadedModules)
        guard stash.isObject else { return nil }
        return vm.mapGet(stash.ref, vm.newString(name).value)
    }

    @Test func importTakesThePreloadedModule() throws {
        let out = Capture()
        let vm = try CoreImageTests.vm(.linked, out)
        let os = try #require(preloaded(vm, "os"))
        #expect(preloaded(vm, "io") != nil && preloaded(vm, "timer") != nil)
        #expect(vm.loadedModule("os") == nil)
        #expect(vm.interpret(module: "main", source: PreloadedModuleTests.program) == .success, "\(out.err)")
        #expect(out.out == "true\nfalse\n")
        #expect(vm.loadedModule("os") == os.ref)
        #expect(preloaded(vm, "os") == nil && preloaded(vm, "timer") != nil)
        // "scheduler", which io imports, stays aside until a program imports it.
        #expect(vm.loadedModule("scheduler") == nil)
    }

    /// A class-load listener must see the module's classes defined: compiled from source.
    @Test func aClassLoadListenerGetsTheModuleCompiled() throws {
        let out = Capture()
        let vm = try CoreImageTests.vm(.linked, out)
        var loaded: [String] = []
        vm.hooks.register(.classLoad) { _, payload in loaded.append(payload.className ?? "?") }
        let os = try #require(preloaded(vm, "os"))
        #expect(vm.interpret(module: "main", source: PreloadedModuleTests.program) == .success, "\(out.err)")
        #expect(out.out == "true\nfalse\n")
        #expect(vm.loadedModule("os") != os.ref)
        #expect(loaded.contains("Platform") && loaded.contains("File"), "\(loaded)")
    }

    /// ffi is carried compiled, not run: its body runs at the import and
    /// checks that FFI is allowed, as when it was compiled there.
    @Test func ffiIsCarriedCompiledNotRun() throws {
        let refused = Capture()
        let vm = try CoreImageTests.vm(.linked, refused)
        #expect(vm.isValidObject(try #require(preloaded(vm, "ffi")), .closure))
        guard case .runtimeError(let message) = vm.interpret(module: "main", source: "import \"ffi\" for Library") else {
            Issue.record("ffi imported without --allow-ffi")
            return
        }
        #expect(message.hasPrefix("The ffi module is disabled"), "\(message)")
        var config = VMConfiguration()
        let out = Capture()
        config.writeOutput = { out.out += $0 }
        config.allowFFI = true
        let allowed = try VM(configuration: config)
        let program = """
            import "ffi" for Library
            System.print(Library.process.function("strlen", "size_t", ["string"]).call("four"))
            """
        #expect(allowed.interpret(module: "main", source: program) == .success)
        #expect(out.out == "4\n")
        #expect(preloaded(allowed, "ffi") == nil && allowed.loadedModule("ffi") != nil)
    }

    /// A preloaded module naming a native this build lacks is compiled from source at import.
    @Test func aMissingNativeGetsTheModuleCompiled() throws {
        var bytes = CoreImageTests.linkedImage()
        let name = Array("io.File.static exists_(_)".utf8)
        try #require(bytes.count > name.count, "no built-in core image linked")
        let at = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<($0 + name.count)]) == name })
        bytes[at + name.count - 2] = UInt8(ascii: "X")
        let out = Capture()
        let vm = try CoreImageTests.vm(.bytes(bytes), out)
        guard case .builtinImage = vm.coreLibrary else {
            Issue.record("image not used: \(vm.coreLibrary)")
            return
        }
        let io = try #require(preloaded(vm, "io"))
        #expect(vm.interpret(module: "main", source: PreloadedModuleTests.program) == .success, "\(out.err)")
        #expect(out.out == "true\nfalse\n")
        #expect(vm.loadedModule("io") != io.ref)
    }
}
