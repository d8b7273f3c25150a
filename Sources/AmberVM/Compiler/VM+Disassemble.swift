// The disassembly of a compiled module (`amber --disassemble FILE.wren`).
//
// AmberBytecode's Disassembler reads one function's code; this side knows the
// heap: it finds every function of a module (the body, then each function
// nested in it as a constant: methods, block arguments, functions inside
// those, depth first) and tells the disassembler what constants, method
// symbols, module variables and lines are.

import AmberBytecode
@_spi(AmberInternals) import AmberObjects

extension VM {
    /// Compiles `source` as module `module` without running it or registering
    /// the module (as `compileErrors` does), and returns the listing of every
    /// function in it, or the compile errors.
    package func disassemble(module: String, source: [UInt8]) -> Result<String, CompileError> {
        // The listing allocates nothing in the heap: the functions stay put.
        compileWithoutRunning(module: module, source: source).map { body in
            functionTree(body).map(disassembly(of:)).joined(separator: "\n")
        }
    }

    /// Compiles `source` as module `module`, unregistered; returns the module
    /// body's function. Valid until the next collection.
    func compileWithoutRunning(module: String, source: [UInt8]) -> Result<ObjRef, CompileError> {
        // Nothing runs between calls, so this is a safe point to collect when
        // the heap asks (not for a stress tick: callers hold the functions of
        // earlier compiles as bare references).
        if heap.top > heap.nextGC && fiber.isNone && nestedRuns == 0 { _ = collectGarbage() }
        // The compiler itself never collects.
        return Compiler(vm: self, module: makeModule(name: module), modulePath: module, source: source).compileModule()
    }

    /// `fn` and every function nested in it as a constant, depth first.
    func functionTree(_ fn: ObjRef) -> [ObjRef] {
        var out = [fn]
        let constants = heap[fn, FnLayout.constants].ref
        for i in 0..<arrayCapacity(constants) {
            let c = arrayElements(constants)[i]
            if c.isObject && heap.kind(c.ref) == .fn { out += functionTree(c.ref) }
        }
        return out
    }

    /// The code of one function, read by the table.
    func codeBuffer(_ fn: ObjRef) -> UnsafeBufferPointer<UInt8> {
        let code = heap[fn, FnLayout.code].ref
        return UnsafeBufferPointer(start: bytesPointer(code).assumingMemoryBound(to: UInt8.self),
                                   count: bytesLength(code))
    }

    /// The number of upvalues of the function in constant `k` of `fn`: the
    /// length of a `closure` instruction's tail.
    func upvalueCounter(_ fn: ObjRef) -> (Int) -> Int {
        let constants = arrayElements(heap[fn, FnLayout.constants].ref)
        return { [unowned self] k in self.fnUpvalueCount(constants[k].ref) }
    }

    /// A heading line, then one line per instruction.
    func disassembly(of fn: ObjRef) -> String {
        let constants = heap[fn, FnLayout.constants].ref
        let module = fnModule(fn)
        let variableNames = heap[module, ModuleLayout.variableNames].ref
        let context = DisassemblyContext(
            constant: { [unowned self] k in
                k < self.arrayCapacity(constants) ? self.constantText(self.arrayElements(constants)[k]) : "?"
            },
            symbol: { [unowned self] s in s < self.symbolNames.count ? self.symbolNames[s] : "?" },
            moduleVariable: { [unowned self] i in
                i < self.listCount(variableNames) ? self.string(self.listGet(variableNames, i)) : "?"
            },
            upvalueCount: upvalueCounter(fn),
            line: { [unowned self] offset in self.line(of: fn, at: offset) })
        // The static `new` a constructor gets is unnamed, as in Wren's traces.
        let name = fnName(fn).isEmpty ? "(unnamed)" : fnName(fn)
        var text = "== \(name) == module \(moduleName(module) ?? "core"), arity \(fnArity(fn)), "
        text += "\(fnUpvalueCount(fn)) upvalues, \(heap.word(fn, FnLayout.maxSlots)) slots\n"
        text += Disassembler.heading + "\n"
        for line in Disassembler.lines(codeBuffer(fn), context) { text += line + "\n" }
        return text
    }

    /// A constant as the listing shows it: numbers as Wren prints them,
    /// strings quoted, functions by name.
    func constantText(_ v: Value) -> String {
        if v.isNumber { return formatNumber(v.number) }
        if v.isNull { return "null" }
        if v.isBool { return v == .true ? "true" : "false" }
        guard v.isObject else { return "?" }
        switch heap.kind(v.ref) {
        case .string:
            var quoted = "\""
            for c in string(v).unicodeScalars {
                switch c {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case "\n": quoted += "\\n"
                case "\t": quoted += "\\t"
                case "%": quoted += "\\%"
                default:
                    if c.value < 0x20 || c.value == 0x7f {
                        quoted += "\\x" + (c.value < 16 ? "0" : "") + String(c.value, radix: 16)
                    } else {
                        quoted.unicodeScalars.append(c)
                    }
                }
            }
            return quoted + "\""
        case .fn:
            return "<fn \(fnName(v.ref))>"
        case .classObj:
            return "<class \(className(v.ref))>"
        case let kind:
            return "<\(kind)>"
        }
    }
}
