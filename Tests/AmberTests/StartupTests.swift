import Testing
@testable import AmberLauncher
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

/// Nothing eager that can wait (issue 18): a VM pays at start only for what
/// every program needs; built-in modules and their natives come when imported.
@Suite struct LazyStartupTests {
    static func vm(_ out: Capture) throws -> VM {
        var config = VMConfiguration()
        config.writeOutput = { out.out += $0 }
        config.writeError = { out.err += $0 }
        return try VM(configuration: config)
    }

    @Test func aNewVMRegistersNoModule() throws {
        let out = Capture()
        let vm = try LazyStartupTests.vm(out)
        #expect(vm.builtinModules.isEmpty)
        #expect(vm.natives.functions.isEmpty)
        #expect(vm.interpret(module: "main", source: "System.print(\"hi\")") == .success)
        #expect(vm.builtinModules.isEmpty && vm.natives.functions.isEmpty)
        #expect(out.out == "hi\n")
    }

    @Test func importingAModuleRegistersItAlone() throws {
        let out = Capture()
        let vm = try LazyStartupTests.vm(out)
        let program = """
            import "os" for Platform
            System.print(Platform.isPosix)
            """
        #expect(vm.interpret(module: "main", source: program) == .success, "\(out.err)")
        #expect(out.out == "true\n")
        #expect(vm.builtinModules.keys.sorted() == ["os"])
        #expect(!vm.natives.functions.isEmpty)
        #expect(vm.natives.functions.keys.allSatisfy { $0.hasPrefix("os.") })
    }

    /// A restored image registers the modules whose natives it names.
    @Test func aRestoreRegistersTheModulesItsImageUses() throws {
        let dir = try temporaryDirectory()
        let script = dir + "/main.wren"
        try """
            import "random" for Random
            class Main {
              static run() { System.print(Random.new(7).int(1000) >= 0) }
            }
            Main.run()
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let image = dir + "/r.img"
        let (code, _, err) = runLauncher(["-snapshot:file=\(image),trigger=Main.run,exit", script])
        #expect(code == 0, "\(err)")
        var config = VMConfiguration()
        let out = Capture()
        config.writeOutput = { out.out += $0 }
        let vm = try VM.restore(from: image, configuration: config)
        #expect(vm.builtinModules.keys.sorted() == ["random"])
        #expect(vm.resumeFromImage() == .success)
        #expect(out.out == "true\n")
    }

    /// The symbol index finds every name of the core by its bytes, and new ones get new ids.
    @Test func symbolIndexFindsEveryName() throws {
        let vm = try VM()
        let names = Array(vm.symbolNames)
        #expect(names.count > 100)
        for (id, name) in names.enumerated() { #expect(vm.symbol(name) == id, "\(name)") }
        let before = vm.symbolCount
        let fresh = (0..<300).map { vm.symbol("fresh\($0)(_)") }
        #expect(fresh == Array(before..<(before + 300)))
        #expect(vm.symbol("fresh7(_)") == before + 7)
        #expect(vm.symbolNames[before + 299] == "fresh299(_)")
    }
}

@Suite struct NativeRegistryTests {
    /// `NativeRegistry.lookup` skips the core for lower-case names.
    @Test func coreClassNamesAreCapitalised() throws {
        let vm = try VM()
        #expect(!vm.natives.coreMethods.isEmpty)
        for m in vm.natives.coreMethods {
            #expect(m.className.first!.isUppercase, "\(m.name)")
        }
    }
}
