// The instruction set: the opcodes, then the table that says everything else
// about them (ARCHITECTURE.md, "The instruction table").
//
// An instruction is an opcode byte followed by its operands as the table lays
// them out: u8 or u16 (big-endian), and for `closure` a tail of one (isLocal,
// index) byte pair per upvalue of the function it closes. Everything that
// reads or writes bytecode goes through the table: the compiler's emitter and
// stack count, the dispatch loop's instruction lengths, the method patcher,
// the disassembler, the stack-height check and the image fingerprint.
//
// `@usableFromInline package`: inlined into AmberVM, not API (see OpInfo.swift).
//
// The opcode byte is the case's index: the dispatch loop turns a byte into an
// `Op` with `unsafeBitCast` (a unit test pins this), and the numbering feeds
// the image fingerprint, so new cases go at the end.

@usableFromInline package enum Op: UInt8, CaseIterable, Sendable {
    case constant
    case null, `false`, `true`
    case loadLocal
    // Slots 0 to 8 (the receiver, parameters and first locals, read most
    // often) without an operand, as Wren's LOAD_LOCAL_0..8.
    case loadLocal0, loadLocal1, loadLocal2, loadLocal3, loadLocal4, loadLocal5, loadLocal6, loadLocal7, loadLocal8
    case storeLocal
    case loadUpvalue, storeUpvalue
    case loadModuleVar, storeModuleVar
    case loadFieldThis, storeFieldThis
    case loadField, storeField
    case pop
    case call, superCall
    case jump, loop, jumpIfFalse, and, or
    case closeUpvalue
    case `return`
    case closure
    case construct, foreignConstruct
    case `class`, foreignClass, endClass
    case methodInstance, methodStatic
    case importModule, importVariable
    case endModule
    case end
    // Arithmetic and comparison with a number fast path; otherwise an ordinary
    // call of the operator method named by the symbol operand. (The operand
    // also makes these as long as the call they stand for, so jump limits fall
    // where Wren's do.) `not` has the fast path for Bool and Null, whose `!`
    // no script can replace.
    case add, sub, mul, div, lt, gt, lte, gte, eq, neq, neg, not
    // The calls of `iterate(_)` and `iteratorValue(_)` a `for` loop makes;
    // operands as `call`. List and Range receivers are handled in the loop;
    // any other receiver gets the ordinary call.
    case iterate, iteratorValue
}

extension Op {
    /// The instruction table: one row per opcode.
    ///
    /// Columns: the printed name; the fixed operands in order; the stack
    /// effect when the instruction goes on to the next one (`call`: the rule
    /// in `StackEffect.call`); the control flow (`Flow`); and `calls`: the
    /// instruction may run other code (a native, a script method, a module
    /// body, the caller on return), after which the dispatch loop reloads
    /// its registers. `safePoint`: it may collect garbage, so every object
    /// may move.
    ///
    /// Inlined into every reader, so that a constant opcode (`Op.call.length`
    /// in the dispatch loop) folds to a constant: no table is read at run time.
    /// `@_transparent`, not `@inline(__always)`: see the NOTE in OpInfo.swift.
    @inlinable package var info: OpInfo {
        @_transparent get {
            switch self {
            case .constant:       return OpInfo("constant", .constant, stack: .fixed(1))
            case .null:           return OpInfo("null", stack: .fixed(1))
            case .false:          return OpInfo("false", stack: .fixed(1))
            case .true:           return OpInfo("true", stack: .fixed(1))
            case .loadLocal:      return OpInfo("loadLocal", .slot, stack: .fixed(1))
            case .loadLocal0:     return OpInfo("loadLocal0", stack: .fixed(1))
            case .loadLocal1:     return OpInfo("loadLocal1", stack: .fixed(1))
            case .loadLocal2:     return OpInfo("loadLocal2", stack: .fixed(1))
            case .loadLocal3:     return OpInfo("loadLocal3", stack: .fixed(1))
            case .loadLocal4:     return OpInfo("loadLocal4", stack: .fixed(1))
            case .loadLocal5:     return OpInfo("loadLocal5", stack: .fixed(1))
            case .loadLocal6:     return OpInfo("loadLocal6", stack: .fixed(1))
            case .loadLocal7:     return OpInfo("loadLocal7", stack: .fixed(1))
            case .loadLocal8:     return OpInfo("loadLocal8", stack: .fixed(1))
            // Stores leave the value on the stack: an assignment is an expression.
            case .storeLocal:     return OpInfo("storeLocal", .slot, stack: .fixed(0))
            case .loadUpvalue:    return OpInfo("loadUpvalue", .upvalue, stack: .fixed(1))
            case .storeUpvalue:   return OpInfo("storeUpvalue", .upvalue, stack: .fixed(0))
            case .loadModuleVar:  return OpInfo("loadModuleVar", .moduleVariable, stack: .fixed(1))
            case .storeModuleVar: return OpInfo("storeModuleVar", .moduleVariable, stack: .fixed(0))
            // The field operand is the class's own; binding the method adds
            // the superclass's field count (the method patcher).
            case .loadFieldThis:  return OpInfo("loadFieldThis", .field, stack: .fixed(1))
            case .storeFieldThis: return OpInfo("storeFieldThis", .field, stack: .fixed(0))
            // receiver -> value
            case .loadField:      return OpInfo("loadField", .field, stack: .fixed(0))
            // value, receiver -> value
            case .storeField:     return OpInfo("storeField", .field, stack: .fixed(-1))
            case .pop:            return OpInfo("pop", stack: .fixed(-1))
            case .call:           return OpInfo("call", .argc, .symbol, stack: .call, calls: true, safePoint: true)
            // The constant holds the superclass, set when the method is bound.
            case .superCall:      return OpInfo("superCall", .argc, .symbol, .superclass, stack: .call,
                                                calls: true, safePoint: true)
            case .jump:           return OpInfo("jump", .forward, stack: .fixed(0), flow: .jump)
            // The back-edge of a loop is a safe point, so a loop without calls still collects.
            case .loop:           return OpInfo("loop", .backward, stack: .fixed(0), flow: .jump, safePoint: true)
            case .jumpIfFalse:    return OpInfo("jumpIfFalse", .forward, stack: .fixed(-1), flow: .branch(taken: -1))
            // Short-circuit: jumps keeping the operand as the result, else pops it.
            case .and:            return OpInfo("and", .forward, stack: .fixed(-1), flow: .branch(taken: 0))
            case .or:             return OpInfo("or", .forward, stack: .fixed(-1), flow: .branch(taken: 0))
            // Closes the upvalue for the top slot and pops it.
            case .closeUpvalue:   return OpInfo("closeUpvalue", stack: .fixed(-1))
            case .return:         return OpInfo("return", stack: .fixed(-1), flow: .stop, calls: true)
            case .closure:        return OpInfo("closure", .function, tail: .upvalues, stack: .fixed(1))
            // Replace slot 0 (a class) with a new instance of it.
            case .construct:      return OpInfo("construct", stack: .fixed(0))
            case .foreignConstruct: return OpInfo("foreignConstruct", stack: .fixed(0), calls: true)
            // name, superclass -> class
            case .class:          return OpInfo("class", .fieldCount, stack: .fixed(-1))
            case .foreignClass:   return OpInfo("foreignClass", .fieldCount, stack: .fixed(-1))
            // class, attributes ->
            case .endClass:       return OpInfo("endClass", stack: .fixed(-2))
            // class, method (a closure, or a foreign method's signature) ->
            case .methodInstance: return OpInfo("methodInstance", .symbol, stack: .fixed(-2))
            case .methodStatic:   return OpInfo("methodStatic", .symbol, stack: .fixed(-2))
            // Pushes the module's result: null, or the module body's closure, then runs it.
            case .importModule:   return OpInfo("importModule", .constant, stack: .fixed(1), calls: true)
            // The module's name, the variable's name (constants) -> its value
            case .importVariable: return OpInfo("importVariable", .constant, .constant, stack: .fixed(1))
            case .endModule:      return OpInfo("endModule", stack: .fixed(0))
            // Ends the run: the host-call stub's last instruction.
            case .end:            return OpInfo("end", stack: .fixed(0), flow: .stop)
            case .add:            return OpInfo("add", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .sub:            return OpInfo("sub", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .mul:            return OpInfo("mul", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .div:            return OpInfo("div", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .lt:             return OpInfo("lt", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .gt:             return OpInfo("gt", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .lte:            return OpInfo("lte", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .gte:            return OpInfo("gte", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .eq:             return OpInfo("eq", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .neq:            return OpInfo("neq", .symbol, stack: .fixed(-1), calls: true, safePoint: true)
            case .neg:            return OpInfo("neg", .symbol, stack: .fixed(0), calls: true, safePoint: true)
            case .not:            return OpInfo("not", .symbol, stack: .fixed(0), calls: true, safePoint: true)
            case .iterate:        return OpInfo("iterate", .argc, .symbol, stack: .call, calls: true, safePoint: true)
            case .iteratorValue:  return OpInfo("iteratorValue", .argc, .symbol, stack: .call, calls: true, safePoint: true)
            }
        }
    }

    /// Bytes of fixed operands after the opcode. What the dispatch loop adds
    /// to `ip` once it has read an instruction's operands (the opcode byte
    /// is already behind it); a constant when the opcode is.
    @inlinable package var operandBytes: Int {
        @_transparent get { info.operandBytes }
    }

    /// The instruction's length in bytes, opcode included, without a tail
    /// (`closure`'s upvalue pairs: see `Instruction.length`).
    @inlinable package var length: Int {
        @_transparent get { 1 + info.operandBytes }
    }

    /// The case with the highest opcode byte.
    @inlinable package static var lastCase: Op { .iteratorValue }

    /// The instruction's bytes with these fixed operands (in the table's
    /// order and widths), for code built without the compiler.
    package func encoded(_ operand0: Int = 0, _ operand1: Int = 0, _ operand2: Int = 0) -> [UInt8] {
        let info = self.info
        var bytes = [rawValue]
        for i in 0..<info.operandCount {
            let v = i == 0 ? operand0 : i == 1 ? operand1 : operand2
            if info.operand(i)!.width == 1 {
                bytes.append(UInt8(truncatingIfNeeded: v))
            } else {
                bytes += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
            }
        }
        return bytes
    }

    /// The table as text, one row per line, each with its opcode byte. The
    /// image fingerprint hashes it: an image from a build whose instructions
    /// differ in any column is refused.
    package static var tableText: String {
        allCases.map { op in "\(op.rawValue) \(op.info.description)" }.joined(separator: "\n")
    }
}
