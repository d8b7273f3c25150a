import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
import AmberBytecode

/// Invariants the interpreter loop relies on for speed.
@Suite struct InterpreterInvariantTests {
    /// The loop turns an opcode byte into an `Op` with `unsafeBitCast`, which
    /// is only right while every raw value equals the case's index.
    @Test func opcodeBytesAreCaseIndices() {
        #expect(MemoryLayout<Op>.size == 1)
        for (index, op) in Op.allCases.enumerated() {
            #expect(Int(op.rawValue) == index)
            #expect(unsafeBitCast(UInt8(index), to: Op.self) == op)
        }
    }
}

@Suite struct HeapInvariantTests {
    /// `Heap.kind` bitcasts the header byte minus one.
    @Test func objectKindRawValuesAreCaseIndexPlusOne() {
        #expect(MemoryLayout<ObjKind>.size == 1)
        var raw: UInt8 = 1
        while let kind = ObjKind(rawValue: raw) {
            #expect(unsafeBitCast(raw - 1, to: ObjKind.self) == kind)
            raw += 1
        }
        #expect(raw > 1)
        // `Heap.kind` clamps unknown bytes to the last kind: the count must be the enum's.
        #expect(Int(Heap.kindCount) == ObjKind.allCases.count)
        #expect(ObjKind.allCases.last == .foreign)
    }
}
