// Reading code without running it: one instruction at a time, by the table.
//
// The method patcher, the disassembler and the stack-height check all walk
// code this way; none of them knows an opcode's layout. The one thing the
// table cannot say alone is the length of `closure`'s tail, which depends on
// the function it closes: the caller passes `upvalueCount`, which gives the
// number of upvalues of the function in a constant slot.

/// One decoded instruction.
///
/// The walk is `@inlinable` so that a caller's closure is inlined into it:
/// the method patcher walks every method a class body binds, at start-up too.
@usableFromInline package struct Instruction: Sendable {
    /// Where its opcode byte is.
    @usableFromInline package let offset: Int
    @usableFromInline package let op: Op
    /// The fixed operands' values, in the table's order (0 past the last).
    @usableFromInline package let operands: (Int, Int, Int)
    /// Number of upvalue pairs in the tail (`closure`), else 0.
    @usableFromInline package let tailCount: Int

    @inlinable init(offset: Int, op: Op, operands: (Int, Int, Int), tailCount: Int) {
        self.offset = offset
        self.op = op
        self.operands = operands
        self.tailCount = tailCount
    }

    /// Bytes, opcode and tail included.
    @inlinable package var length: Int { op.length + tailCount * Tail.upvaluePairBytes }
    /// Offset of the next instruction.
    @inlinable package var end: Int { offset + length }

    /// Fixed operand `i`'s value.
    @inlinable package func operand(_ i: Int) -> Int {
        switch i {
        case 0: return operands.0
        case 1: return operands.1
        default: return operands.2
        }
    }

    /// The value of the first operand of kind `kind`, if the instruction has one.
    @inlinable package func operand(_ kind: Operand) -> Int? {
        let info = op.info
        for i in 0..<info.operandCount where info.operand(i) == kind { return operand(i) }
        return nil
    }

    /// Where a jump goes: an absolute offset, from its `.forward` or `.backward` operand.
    package var target: Int? {
        if let d = operand(.forward) { return end + d }
        if let d = operand(.backward) { return end - d }
        return nil
    }

    /// The (isLocal, index) pairs of `closure`'s tail, read from `code`.
    package func upvalues(in code: UnsafeBufferPointer<UInt8>) -> [(isLocal: Bool, index: Int)] {
        let start = offset + op.length
        return (0..<tailCount).map { i in
            (code[start + i * Tail.upvaluePairBytes] == 1, Int(code[start + i * Tail.upvaluePairBytes + 1]))
        }
    }

    /// Decodes the instruction at `offset`. `upvalueCount(k)` is the number
    /// of upvalues of the function in constant `k` (for a `closure`'s tail).
    @inlinable
    package static func decode(_ code: UnsafeBufferPointer<UInt8>, at offset: Int,
                               upvalueCount: (Int) -> Int) -> Result<Instruction, DecodeError> {
        // Raw values are case indices (as the dispatch loop relies on).
        guard code[offset] <= Op.lastCase.rawValue else {
            return .failure(.badOpcode(offset: offset, byte: code[offset]))
        }
        let op = unsafeBitCast(code[offset], to: Op.self)
        let info = op.info
        guard offset + op.length <= code.count else { return .failure(.truncated(offset: offset, op: op)) }
        var values = (0, 0, 0)
        var at = offset + 1
        for i in 0..<info.operandCount {
            let kind = info.operand(i)!
            let v = kind.width == 1 ? Int(code[at]) : Int(code[at]) << 8 | Int(code[at + 1])
            at += kind.width
            switch i {
            case 0: values.0 = v
            case 1: values.1 = v
            default: values.2 = v
            }
        }
        var tailCount = 0
        if info.tail == .upvalues, let k = Instruction(offset: offset, op: op, operands: values, tailCount: 0).operand(.function) {
            tailCount = upvalueCount(k)
        }
        let instruction = Instruction(offset: offset, op: op, operands: values, tailCount: tailCount)
        guard instruction.end <= code.count else { return .failure(.truncated(offset: offset, op: op)) }
        return .success(instruction)
    }

    /// Calls `body` with every instruction of `code` in order; returns the
    /// error that stopped the walk early, if one did. The walk stops exactly
    /// at the end of the code or with an error: lengths are never guessed.
    @inlinable @discardableResult
    package static func walk(_ code: UnsafeBufferPointer<UInt8>, upvalueCount: (Int) -> Int,
                             _ body: (Instruction) -> Void) -> DecodeError? {
        var offset = 0
        while offset < code.count {
            switch decode(code, at: offset, upvalueCount: upvalueCount) {
            case .failure(let e): return e
            case .success(let instruction):
                body(instruction)
                offset = instruction.end
            }
        }
        return nil
    }
}

/// Why code could not be read.
@usableFromInline package enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A byte where an opcode should be that is none.
    case badOpcode(offset: Int, byte: UInt8)
    /// An instruction whose operands or tail run past the end of the code.
    case truncated(offset: Int, op: Op)

    @usableFromInline package var description: String {
        switch self {
        case .badOpcode(let offset, let byte): return "no opcode \(byte) at offset \(offset)"
        case .truncated(let offset, let op): return "\(op.info.name) at offset \(offset) runs past the end of the code"
        }
    }
}
