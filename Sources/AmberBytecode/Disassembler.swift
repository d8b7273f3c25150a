// The disassembler: one line of text per instruction, decoded by the table.
//
//   offs line  instruction       operands
//   0000    2  loadModuleVar     12 System
//   0003    |  constant          #0 "hello"
//   0006    |  call              1 print(_)
//   0010    3  jumpIfFalse       -> 0021
//   0013    |  closure           #2 <fn new(_) block argument> [local 1, upvalue 0]
//
// A line number is printed when it changes ("|" otherwise); constants show
// their index and value, calls their argument count and signature, jumps
// their target as an absolute offset. The code is all it reads; what the
// bytes refer to (constants, method symbols, module variables, lines) comes
// from the caller, which knows the heap: see VM.disassemble in AmberVM.

/// What the disassembler needs to know beyond the code bytes.
package struct DisassemblyContext {
    /// Constant `k` as it should be printed.
    package var constant: (Int) -> String
    /// Method symbol `s` as a signature ("print(_)").
    package var symbol: (Int) -> String
    /// Module variable `i`'s name.
    package var moduleVariable: (Int) -> String
    /// Number of upvalues of the function in constant `k` (a `closure`'s tail).
    package var upvalueCount: (Int) -> Int
    /// Source line of the byte at an offset.
    package var line: (Int) -> Int

    package init(constant: @escaping (Int) -> String, symbol: @escaping (Int) -> String,
                 moduleVariable: @escaping (Int) -> String, upvalueCount: @escaping (Int) -> Int,
                 line: @escaping (Int) -> Int) {
        self.constant = constant
        self.symbol = symbol
        self.moduleVariable = moduleVariable
        self.upvalueCount = upvalueCount
        self.line = line
    }
}

package enum Disassembler {
    /// The column heading of `lines`.
    package static let heading = "  offs line  instruction       operands"

    /// One line per instruction of `code`. Code that cannot be decoded ends
    /// with a line saying why, rather than with a guess.
    package static func lines(_ code: UnsafeBufferPointer<UInt8>, _ context: DisassemblyContext) -> [String] {
        var out: [String] = []
        var lastLine = -1
        let error = Instruction.walk(code, upvalueCount: context.upvalueCount) { instruction in
            let line = context.line(instruction.offset)
            let lineText = line == lastLine ? "|" : "\(line)"
            lastLine = line
            let name = "\(instruction.op.info.name)"
            let operands = operandText(instruction, code, context)
            var text = "  " + pad(offset(instruction.offset), 4) + " " + pad(lineText, 4, right: true) + "  "
            text += operands.isEmpty ? name : pad(name, 16) + "  " + operands
            out.append(text)
        }
        if let error { out.append("  error: \(error)") }
        return out
    }

    /// The operands of `instruction` as printed.
    static func operandText(_ instruction: Instruction, _ code: UnsafeBufferPointer<UInt8>,
                            _ context: DisassemblyContext) -> String {
        let info = instruction.op.info
        var parts: [String] = []
        for i in 0..<info.operandCount {
            let v = instruction.operand(i)
            switch info.operand(i)! {
            case .slot, .upvalue, .field, .fieldCount, .argc:
                parts.append("\(v)")
            case .constant, .function:
                parts.append("#\(v) \(context.constant(v))")
            case .superclass:
                parts.append("#\(v)")
            case .moduleVariable:
                parts.append("\(v) \(context.moduleVariable(v))")
            case .symbol:
                parts.append(context.symbol(v))
            case .forward, .backward:
                parts.append("-> " + offset(instruction.target!))
            }
        }
        if info.tail == .upvalues && instruction.tailCount > 0 {
            let pairs = instruction.upvalues(in: code).map { $0.isLocal ? "local \($0.index)" : "upvalue \($0.index)" }
            parts.append("[" + pairs.joined(separator: ", ") + "]")
        }
        return parts.joined(separator: " ")
    }

    /// An offset as printed: at least four digits.
    static func offset(_ n: Int) -> String {
        let digits = "\(n)"
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }
}
