import Foundation
import Testing
@testable import AmberVM
@testable import AmberLauncher
import AmberBytecode
@_spi(AmberInternals) import AmberObjects

/// The instruction table and what reads it: the disassembler's listing, the
/// walk of every function the compiler makes (lengths), the compiler's stack
/// count against the table's stack effects, and `amber --disassemble`.

/// Every function compiled from `source` as a fresh module (body first), or the compile errors.
func compiledFunctions(_ vm: VM, module: String, _ source: String) -> Result<[ObjRef], CompileError> {
    vm.compileWithoutRunning(module: module, source: Array(source.utf8)).map { vm.functionTree($0) }
}

/// The core library's Wren half, compiled as the VM's start compiles it:
/// into a module that holds only Object and Class.
func compiledCorePrelude(_ vm: VM) -> Result<[ObjRef], CompileError> {
    let core = vm.newModule(name: "core")
    _ = vm.defineModuleVariable(core, "Object", vm.objectClass.value)
    _ = vm.defineModuleVariable(core, "Class", vm.classClass.value)
    let compiler = Compiler(vm: vm, module: core, modulePath: "core", source: Array(corePreludeSource.utf8))
    return compiler.compileModule().map { vm.functionTree($0) }
}

/// The index every module gives a core variable (modules start with copies of the core's).
func moduleVariableIndex(_ name: String) throws -> Int {
    let (vm, _) = try makeVM()
    return try #require(vm.moduleVariable(vm.root(.coreModule).ref, name))
}

@Suite struct InstructionTableTests {
    /// The table's names are what the disassembler prints and what the
    /// fingerprint hashes; they are the case names, so a listing greps like the source.
    @Test func namesAreTheCaseNames() {
        for op in Op.allCases { #expect("\(op.info.name)" == "\(op)") }
        // The walker's bound check of an opcode byte.
        #expect(Op.lastCase == Op.allCases.last)
    }

    /// The loop's `iterate` and `iteratorValue` fall through to `call`'s code,
    /// which reads `call`'s operands: their layouts must be the same.
    @Test func forLoopCallsHaveCallOperands() {
        for op in [Op.iterate, .iteratorValue] {
            #expect(op.info.operandCount == Op.call.info.operandCount)
            for i in 0..<Op.call.info.operandCount { #expect(op.info.operand(i) == Op.call.info.operand(i)) }
            #expect(op.info.stack == .call)
        }
        // And `class` and `foreignClass` share a case, which steps by `class`'s length.
        #expect(Op.class.length == Op.foreignClass.length)
    }

    /// Each column's rule holds row by row: jumps have a target, a call's
    /// stack effect has an argc to read, only `closure` has a tail.
    @Test func rowsAreConsistent() {
        for op in Op.allCases {
            let info = op.info
            let kinds = (0..<info.operandCount).map { info.operand($0)! }
            switch info.flow {
            case .jump, .branch:
                #expect(kinds.contains(.forward) || kinds.contains(.backward), "\(op) jumps without a target")
            case .next, .stop:
                #expect(!kinds.contains(.forward) && !kinds.contains(.backward), "\(op) has a target but no jump")
            }
            if info.stack == .call { #expect(kinds.contains(.argc), "\(op) has no argc for its stack effect") }
            #expect((info.tail == .upvalues) == (op == .closure))
            #expect(kinds.contains(.function) == (op == .closure))
            #expect(op.length == 1 + kinds.reduce(0) { $0 + $1.width })
        }
        #expect(Op.call.length == 4 && Op.superCall.length == 6 && Op.jump.length == 3 && Op.pop.length == 1)
    }

    /// The image fingerprint hashes the table: one line per opcode, every column.
    @Test func tableTextHasEveryRow() {
        let lines = Op.tableText.split(separator: "\n")
        #expect(lines.count == Op.allCases.count)
        #expect(lines.contains("24 call (argc:u8,symbol:u16) stack -argc flow next calls safe-point"))
        #expect(lines.contains("29 and (forward:u16) stack -1 flow branch(taken 0)"))
        #expect(lines.contains("33 closure (function:u16) tail:upvalue-pairs stack +1 flow next"))
    }

    /// Code that is not whole is reported, not walked past its end.
    @Test func walkStopsAtBadCode() {
        let truncated: [UInt8] = Op.constant.encoded(7) + [Op.call.rawValue, 1]
        let error = truncated.withUnsafeBufferPointer { Instruction.walk($0, upvalueCount: { _ in 0 }) { _ in } }
        #expect(error == .truncated(offset: 3, op: .call))
        let bad: [UInt8] = [Op.pop.rawValue, 250]
        #expect(bad.withUnsafeBufferPointer { Instruction.walk($0, upvalueCount: { _ in 0 }) { _ in } }
                == .badOpcode(offset: 1, byte: 250))
        // A closure's tail is as long as the function in its constant has upvalues.
        let closure: [UInt8] = Op.closure.encoded(0) + [1, 3, 0, 0] + Op.pop.encoded()
        var ends: [Int] = []
        closure.withUnsafeBufferPointer { code in
            _ = Instruction.walk(code, upvalueCount: { k in k == 0 ? 2 : 0 }) { ends.append($0.end) }
        }
        #expect(ends == [7, 8])
    }

    /// The stack check refuses code whose heights disagree where paths join.
    @Test func stackCheckFindsMismatchedJoin() {
        // true; jumpIfFalse +1 over a `null`: one path pushes, the other does not.
        let code: [UInt8] = Op.true.encoded() + Op.jumpIfFalse.encoded(1) + Op.null.encoded() + Op.return.encoded()
        let result = code.withUnsafeBufferPointer { StackCheck.maximumHeight($0, initial: 1, upvalueCount: { _ in 0 }) }
        guard case .failure(let failure) = result else { Issue.record("accepted: \(result)"); return }
        #expect(failure.offset == 5)
    }
}

@Suite struct DisassemblerTests {
    static let source = """
    var greeting = "hello"
    class Counter {
      construct new() { _n = 0 }
      next() {
        _n = _n + 1
        return _n
      }
    }
    var c = Counter.new()
    if (c.next() > 0) {
      System.print(greeting)
    } else {
      System.print("never")
    }
    var twice = Fn.new {|x| x * c.next() }
    """

    @Test func listingShowsOperands() throws {
        let (vm, _) = try makeVM()
        let result = vm.disassemble(module: "listing", source: Array(Self.source.utf8))
        guard case .success(let listing) = result else { Issue.record("did not compile: \(result)"); return }
        let lines = listing.split(separator: "\n").map(String.init)
        func line(_ prefix: String) -> String? { lines.first { $0.hasPrefix(prefix) } }

        // The module body, then each function nested in it.
        #expect(lines.first == "== (script) == module listing, arity 0, 0 upvalues, 4 slots")
        #expect(lines.contains("== next() == module listing, arity 0, 0 upvalues, 3 slots"))
        #expect(lines.contains("== new(_) block argument == module listing, arity 1, 0 upvalues, 4 slots"))
        // A constant operand shows its value; a module variable its name.
        #expect(line("  0000    1  ") == "  0000    1  constant          #0 \"hello\"")
        #expect(lines.contains { $0.contains("  storeModuleVar    ") && $0.hasSuffix(" greeting") })
        // A call shows its argument count and signature.
        #expect(lines.contains { $0.hasSuffix("  call              1 print(_)") })
        #expect(lines.contains { $0.hasSuffix("  call              0 next()") })
        // An operator instruction shows the method it stands for.
        #expect(lines.contains { $0.hasSuffix("  add               +(_)") })
        // A closure shows the function it closes over.
        #expect(lines.contains { $0.contains("closure           #") && $0.hasSuffix("<fn next()>") })

        // The `if`'s jump lands on the else branch: after the then branch's
        // jump over it, at `loadModuleVar System` on line 13. (In the module
        // body's listing: the other functions' offsets start at 0 too.)
        let body = Array(lines.dropFirst().prefix { !$0.hasPrefix("==") })
        guard let jumpLine = body.first(where: { $0.contains("jumpIfFalse       -> ") }) else {
            Issue.record("no jumpIfFalse in\n\(listing)"); return
        }
        let target = String(jumpLine.suffix(4))
        let landing = try #require(body.firstIndex { $0.hasPrefix("  \(target) ") }, "no instruction at \(target)")
        #expect(body[landing].hasSuffix("   13  loadModuleVar     \(try moduleVariableIndex("System")) System"))
        #expect(body[landing - 1].contains("  jump              -> "))
    }

    @Test func compileErrorsAreReturned() throws {
        let (vm, _) = try makeVM()
        let result = vm.disassemble(module: "bad", source: Array("var = 1\n".utf8))
        guard case .failure(let e) = result else { Issue.record("compiled: \(result)"); return }
        #expect(e.messages.first == "[bad line 1] Error at '=': Expect variable name.")
    }
}

@Suite struct CompiledCodeTests {
    /// Every function of every compiling test script, every built-in module
    /// and the core library: instructions walked by the table's lengths end
    /// exactly at the end of the code, and the compiler's slot count is the
    /// maximum height found by following the control flow with the table's
    /// stack effects. Between them the corpus emits every opcode but `end`
    /// (the host-call stub's), so every row's length and effect is checked.
    @Test func lengthsAndStackEffectsAgreeWithTheCompiler() throws {
        let (vm, _) = try makeVM()
        var sources: [(String, String)] = []
        for relative in ScriptCorpus.all() {
            let path = ScriptCorpus.root.appendingPathComponent(relative).path
            sources.append((relative, try String(contentsOfFile: path, encoding: .utf8)))
        }
        for name in vm.builtinModules.keys.sorted() { sources.append((name, vm.builtinModuleSource(name)!)) }
        // A foreign class: compiled (its allocator is bound only when it runs).
        sources.append(("foreign", "foreign class Point {\n  construct new(x) {}\n  foreign x\n}\n"))
        // A field assigned in a function inside a method (through `this` as an upvalue).
        sources.append(("field", "class A {\n  construct new() { Fn.new { _x = 1 }.call() }\n}\n"))

        var functions: [(String, ObjRef)] = []
        var compiled = 0
        for (name, source) in sources {
            guard case .success(let fns) = compiledFunctions(vm, module: name, source) else { continue }
            compiled += 1
            functions += fns.map { (name, $0) }
        }
        guard case .success(let core) = compiledCorePrelude(vm) else { Issue.record("the core did not compile"); return }
        functions += core.map { ("core", $0) }
        #expect(compiled > 80)

        var seen: Set<Op> = []
        for (module, fn) in functions {
            let code = vm.codeBuffer(fn)
            let label = "\(module): \(vm.fnName(fn))"
            var end = 0
            let error = Instruction.walk(code, upvalueCount: vm.upvalueCounter(fn)) { instruction in
                #expect(instruction.offset == end)
                end = instruction.end
                seen.insert(instruction.op)
            }
            #expect(error == nil, "\(label): \(error.map { "\($0)" } ?? "")")
            #expect(end == code.count, "\(label): the last instruction ends at \(end) of \(code.count)")

            let slots = vm.heap.word(fn, FnLayout.maxSlots)
            switch StackCheck.maximumHeight(code, initial: vm.fnArity(fn) + 1, upvalueCount: vm.upvalueCounter(fn)) {
            case .success(let height):
                #expect(height == slots, "\(label): the compiler counted \(slots) slots, the code reaches \(height)")
            case .failure(let failure):
                Issue.record("\(label): \(failure)\n\(vm.disassembly(of: fn))")
            }
        }
        #expect(Set(Op.allCases).subtracting(seen) == [.end])
    }

    /// The host-call stub, the one code not from the compiler, also walks and checks.
    @Test func hostCallStubIsWhole() {
        let code = Op.call.encoded(2, 300) + Op.end.encoded()
        code.withUnsafeBufferPointer { buffer in
            var ops: [Op] = []
            #expect(Instruction.walk(buffer, upvalueCount: { _ in 0 }) { ops.append($0.op) } == nil)
            #expect(ops == [.call, .end])
            #expect(StackCheck.maximumHeight(buffer, initial: 3, upvalueCount: { _ in 0 }) == .success(3))
        }
    }

    /// An imported module's body runs on the importer's fiber stack; one
    /// that needs more slots than the importer has gets them (it used to
    /// write past the stack: a crash, so this runs the executable).
    @Test func importedModuleGetsItsStack() throws {
        var nested = "1"
        for _ in 0..<60 { nested = "[\(nested), 2]" }
        let dir = try scratch([
            "deep.wren": "var X = \(nested)\n",
            "main.wren": "import \"./deep\" for X\nSystem.print(X.count)\n",
        ])
        let (code, out, err) = try runAmber(["main.wren"], cwd: dir)
        #expect(code == 0, "stderr: \(err)")
        #expect(out == "2\n")
    }
}

/// Through the launcher, in-process. Absolute paths: other suites change the
/// working directory while these run.
@Suite struct DisassembleOptionTests {
    @Test func listsAFileAndRunsNothing() throws {
        let dir = try scratch(["hello.wren": "System.print(\"hello\")\n"])
        let (code, out, err) = runLauncher(["--disassemble", dir + "/hello.wren"])
        #expect(code == ExitCode.ok, "stderr: \(err)")
        #expect(err.isEmpty)
        #expect(!out.contains("\nhello\n"))
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines == [
            "== (script) == module \(dir)/hello, arity 0, 0 upvalues, 3 slots",
            "  offs line  instruction       operands",
            "  0000    1  loadModuleVar     \(try moduleVariableIndex("System")) System",
            "  0003    |  constant          #0 \"hello\"",
            "  0006    |  call              1 print(_)",
            "  0010    |  pop",
            "  0011    2  endModule",
            "  0012    |  null",
            "  0013    |  return",
        ])
    }

    @Test func missingFileExits66() throws {
        let dir = try temporaryDirectory()
        let (code, _, err) = runLauncher(["--disassemble", dir + "/nothing.wren"])
        #expect(code == ExitCode.noInput)
        #expect(err.hasPrefix("amber: could not read script '\(dir)/nothing.wren'"))
    }

    @Test func compileErrorExits65() throws {
        let dir = try scratch(["bad.wren": "System.print(\n"])
        let (code, out, err) = runLauncher(["--disassemble", dir + "/bad.wren"])
        #expect(code == ExitCode.compileError)
        #expect(out.isEmpty)
        #expect(err.hasPrefix("[\(dir)/bad line 2] Error"))
    }

    @Test func optionNeedsOneFileAlone() {
        #expect(runLauncher(["--disassemble"]).0 == ExitCode.usage)
        let (code, _, err) = runLauncher(["--disassemble", "a.wren", "b.wren"])
        #expect(code == ExitCode.usage)
        #expect(err.contains("--disassemble a.wren only lists the code"))
        #expect(Launcher.usage.contains("--disassemble FILE.wren"))
    }
}
