// The columns of the instruction table (Op.swift): operand kinds, stack
// effects, control flow, and the row that holds them.
//
// Every type here is trivial (no references, no arrays), so that a row built
// for a constant opcode folds away once inlined: `Op.call.length` is the
// literal 4 in the dispatch loop.
//
// NOTE: what the dispatch loop reads is inlined by force, measured on
// Swift 6.3 (release; fib, instructions):
//  - a plain `package` type's `@inlinable` members were never inlined into
//    AmberVM: `Op.operandBytes` and even `Op.rawValue` stayed calls (4.87 ->
//    6.40 billion). Hence `@usableFromInline package` on these types;
//  - then `@inline(__always)` still lost to the optimizer's limit on the
//    size of the function inlined into: the loop is one huge function, and
//    each `Op.x.operandBytes` brings the whole table's switch before it
//    folds (5.29 billion, 26 calls left). `@_transparent` inlines before
//    any limit applies, and the switch on a constant folds away.

/// What an operand is, and so its width and how it is printed.
@usableFromInline package enum Operand: UInt8, Sendable, CustomStringConvertible {
    /// u8: a local slot of the frame (0 is the receiver or the closure).
    case slot
    /// u8: an index into the running closure's upvalues.
    case upvalue
    /// u8: an instance field (patched by the superclass's field count when
    /// the method is bound to its class).
    case field
    /// u8: the number of fields a class body declares.
    case fieldCount
    /// u8: the number of arguments of a call, the receiver not counted.
    case argc
    /// u16: an index into the function's constants.
    case constant
    /// u16: an index into the module's variables.
    case moduleVariable
    /// u16: a method symbol (an index into the VM's method names).
    case symbol
    /// u16: a jump distance forward from the end of the instruction.
    case forward
    /// u16: a jump distance backward from the end of the instruction.
    case backward
    /// u16: an index into the constants of the slot that holds the
    /// superclass (set when the method is bound to its class).
    case superclass
    /// u16: an index into the constants of a function to close; its
    /// upvalues follow as the instruction's tail (`Tail.upvalues`).
    case function

    /// Bytes the operand takes.
    @inlinable package var width: Int {
        @_transparent get {
            switch self {
            case .slot, .upvalue, .field, .fieldCount, .argc: return 1
            case .constant, .moduleVariable, .symbol, .forward, .backward, .superclass, .function: return 2
            }
        }
    }

    @usableFromInline package var description: String {
        switch self {
        case .slot: return "slot:u8"
        case .upvalue: return "upvalue:u8"
        case .field: return "field:u8"
        case .fieldCount: return "fieldCount:u8"
        case .argc: return "argc:u8"
        case .constant: return "constant:u16"
        case .moduleVariable: return "moduleVariable:u16"
        case .symbol: return "symbol:u16"
        case .forward: return "forward:u16"
        case .backward: return "backward:u16"
        case .superclass: return "superclass:u16"
        case .function: return "function:u16"
        }
    }
}

/// Bytes after the fixed operands, whose count the operands determine.
@usableFromInline package enum Tail: UInt8, Sendable {
    case none
    /// `closure`: per upvalue of the function (its `.function` operand) a
    /// pair of u8: 1 if it captures a local of the enclosing frame (then the
    /// second byte is the slot), 0 if it shares an upvalue of the enclosing
    /// closure (then the second byte is that upvalue's index).
    case upvalues

    /// Bytes per upvalue in `.upvalues`.
    @inlinable package static var upvaluePairBytes: Int { @_transparent get { 2 } }
}

/// The net change in stack height when an instruction goes on to the next one.
@usableFromInline package enum StackEffect: Equatable, Sendable, CustomStringConvertible {
    case fixed(Int)
    /// A call: the receiver and its arguments are replaced by the result,
    /// so the effect is -argc (the `.argc` operand).
    case call

    @usableFromInline package var description: String {
        switch self {
        case .fixed(let n): return n > 0 ? "+\(n)" : "\(n)"
        case .call: return "-argc"
        }
    }
}

/// Where control goes after an instruction.
@usableFromInline package enum Flow: Equatable, Sendable, CustomStringConvertible {
    /// On to the next instruction.
    case next
    /// Always to the target of its `.forward` or `.backward` operand.
    case jump
    /// To its target or on to the next instruction; `taken` is the stack
    /// effect when it jumps (the row's stack effect is the one when not).
    case branch(taken: Int)
    /// Out of the function (`return`) or the run (`end`).
    case stop

    @usableFromInline package var description: String {
        switch self {
        case .next: return "next"
        case .jump: return "jump"
        case .branch(let taken): return "branch(taken \(taken > 0 ? "+" : "")\(taken))"
        case .stop: return "stop"
        }
    }
}

/// One row of the instruction table.
@usableFromInline package struct OpInfo: Sendable, CustomStringConvertible {
    /// The name the disassembler prints (the case's name).
    @usableFromInline package let name: StaticString
    /// Fixed operands, in order after the opcode; nil past the last.
    @usableFromInline package let operand0: Operand?, operand1: Operand?, operand2: Operand?
    @usableFromInline package let tail: Tail
    @usableFromInline package let stack: StackEffect
    @usableFromInline package let flow: Flow
    /// May run other code (a native, a script method, a module body, the
    /// caller on return): the dispatch loop reloads its registers after it.
    @usableFromInline package let calls: Bool
    /// May collect garbage: every heap object may move.
    @usableFromInline package let safePoint: Bool

    @_transparent @usableFromInline
    init(_ name: StaticString, _ operand0: Operand? = nil, _ operand1: Operand? = nil, _ operand2: Operand? = nil,
         tail: Tail = .none, stack: StackEffect, flow: Flow = .next, calls: Bool = false, safePoint: Bool = false) {
        self.name = name
        self.operand0 = operand0; self.operand1 = operand1; self.operand2 = operand2
        self.tail = tail
        self.stack = stack
        self.flow = flow
        self.calls = calls
        self.safePoint = safePoint
    }

    /// Number of fixed operands.
    @inlinable package var operandCount: Int {
        @inline(__always) get { operand0 == nil ? 0 : operand1 == nil ? 1 : operand2 == nil ? 2 : 3 }
    }

    /// Fixed operand `i` (0 ..< operandCount).
    @inlinable package func operand(_ i: Int) -> Operand? {
        switch i {
        case 0: return operand0
        case 1: return operand1
        case 2: return operand2
        default: return nil
        }
    }

    /// Bytes of the fixed operands.
    @inlinable package var operandBytes: Int {
        @_transparent get { (operand0?.width ?? 0) + (operand1?.width ?? 0) + (operand2?.width ?? 0) }
    }

    /// Byte offset of fixed operand `i` from the opcode byte.
    @inlinable package func operandOffset(_ i: Int) -> Int {
        var offset = 1
        for j in 0..<i { offset += operand(j)?.width ?? 0 }
        return offset
    }

    /// The stack effect when going on to the next instruction, given the
    /// fixed operands' values in order.
    @inlinable package func stackEffect(_ operands: (Int, Int, Int)) -> Int {
        switch stack {
        case .fixed(let n): return n
        case .call:
            // The rule of `StackEffect.call`: -argc, argc the `.argc` operand.
            if operand0 == .argc { return -operands.0 }
            if operand1 == .argc { return -operands.1 }
            return -operands.2
        }
    }

    /// The row as text: name, operands, tail, stack effect, flow, flags.
    @usableFromInline package var description: String {
        var parts = ["\(name)"]
        parts.append("(" + (0..<operandCount).map { "\(operand($0)!)" }.joined(separator: ",") + ")")
        if tail == .upvalues { parts.append("tail:upvalue-pairs") }
        parts.append("stack \(stack)")
        parts.append("flow \(flow)")
        if calls { parts.append("calls") }
        if safePoint { parts.append("safe-point") }
        return parts.joined(separator: " ")
    }
}
