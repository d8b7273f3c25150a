// The stack heights of a function, found by following its control flow with
// the table's stack effects.
//
// The compiler counts the height as it emits (Compiler.swift, `emit`) and
// stores the maximum as the function's slot count, which a call checks
// against the room left in the fiber's stack: an undercount would let a
// function write past its stack. This walk recomputes the maximum from the
// code alone, as a check of both the compiler's count and the table: every
// path reaching an instruction must reach it at the same height, no path may
// pop slot 0 or run off the end, and every jump lands on an instruction.

package enum StackCheck {
    /// Where and why the code's stack heights do not add up.
    package struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        package let offset: Int
        package let message: String
        package var description: String { "at offset \(offset): \(message)" }
    }

    /// The highest stack height any path through `code` reaches, starting at
    /// `initial` (slot 0 and the parameters: arity + 1). `upvalueCount` as
    /// for `Instruction.decode`.
    package static func maximumHeight(_ code: UnsafeBufferPointer<UInt8>, initial: Int,
                                      upvalueCount: (Int) -> Int) -> Result<Int, Failure> {
        var instructions: [Int: Instruction] = [:]
        if let e = Instruction.walk(code, upvalueCount: upvalueCount, { instructions[$0.offset] = $0 }) {
            switch e {
            case .badOpcode(let offset, _), .truncated(let offset, _):
                return .failure(Failure(offset: offset, message: "\(e)"))
            }
        }
        var heights: [Int: Int] = [:]
        var pending = [(offset: 0, height: initial)]
        var maximum = initial
        while let (offset, height) = pending.popLast() {
            guard let instruction = instructions[offset] else {
                let message = offset >= code.count ? "control runs off the end of the code"
                                                   : "a jump lands inside an instruction"
                return .failure(Failure(offset: offset, message: message))
            }
            if let known = heights[offset] {
                if known != height {
                    return .failure(Failure(offset: offset, message: "reached at stack height \(height) and at \(known)"))
                }
                continue
            }
            heights[offset] = height
            let info = instruction.op.info
            let after = height + info.stackEffect(instruction.operands)
            maximum = max(maximum, after)
            if after < 1 {
                return .failure(Failure(offset: offset, message: "\(info.name) pops slot 0 (height \(height) -> \(after))"))
            }
            switch info.flow {
            case .next:
                pending.append((instruction.end, after))
            case .jump:
                pending.append((instruction.target!, after))
            case .branch(let taken):
                pending.append((instruction.end, after))
                pending.append((instruction.target!, height + taken))
            case .stop:
                break
            }
        }
        return .success(maximum)
    }
}
