@_spi(AmberInternals) import AmberObjects

// The instruction set, in one table.
//
// Operands follow the opcode byte; 16-bit operands are big-endian. The
// `operandBytes` table drives everything that walks bytecode without running
// it (binding methods patches field and super operands; the disassembler).

enum Op: UInt8, CaseIterable {
    case constant          // u16 constant index
    case null, `false`, `true`
    case loadLocal         // u8 slot
    // Slots 0 to 8 (the receiver, parameters and first locals, read most
    // often) without an operand, as Wren's LOAD_LOCAL_0..8.
    case loadLocal0, loadLocal1, loadLocal2, loadLocal3, loadLocal4, loadLocal5, loadLocal6, loadLocal7, loadLocal8
    case storeLocal        // u8 slot
    case loadUpvalue       // u8 index
    case storeUpvalue      // u8 index
    case loadModuleVar     // u16 index
    case storeModuleVar    // u16 index
    case loadFieldThis     // u8 field (patched by +superclass fields when bound)
    case storeFieldThis    // u8 field
    case loadField         // u8 field; receiver on the stack
    case storeField        // u8 field; receiver, value on the stack
    case pop
    case call              // u8 argc, u16 symbol
    case superCall         // u8 argc, u16 symbol, u16 constant holding the superclass
    case jump              // u16 forward offset
    case loop              // u16 backward offset
    case jumpIfFalse       // u16 forward offset; pops the condition
    case and               // u16: if top is falsy jump (keep it), else pop
    case or                // u16: if top is truthy jump (keep it), else pop
    case closeUpvalue      // closes the upvalue for the top slot and pops it
    case `return`
    case closure           // u16 fn constant, then (u8 isLocal, u8 index) per upvalue
    case construct         // replaces slot 0 (a class) with a new instance of it
    case foreignConstruct
    case `class`           // u8 number of fields; stack: name, superclass -> class
    case foreignClass
    case endClass          // stack: class, attributes -> (pops both)
    case methodInstance    // u16 symbol; stack: class, closure -> (pops closure)
    case methodStatic      // u16 symbol
    case importModule      // u16 constant: module name; pushes the module's result
    case importVariable    // u16 constant: module name, u16 constant: variable name; pushes its value
    case endModule
    case end
    // Arithmetic and comparison with a number fast path; otherwise an ordinary
    // call of the operator method: u16 symbol. (The operand also makes these
    // as long as the call they stand for, so jump limits fall where Wren's do.)
    // (`not` has the fast path for Bool and Null, whose `!` no script can replace.)
    case add, sub, mul, div, lt, gt, lte, gte, eq, neq, neg, not
    // The calls of `iterate(_)` and `iteratorValue(_)` a `for` loop makes;
    // operands as `call` (u8 argc = 1, u16 symbol). List and Range receivers
    // are handled in the loop (with their natives' results); any other
    // receiver gets the ordinary call.
    case iterate, iteratorValue

    /// Bytes of operands after the opcode (closure is variable: see `closureOperandBytes`).
    var operandBytes: Int {
        switch self {
        case .constant, .loadModuleVar, .storeModuleVar, .jump, .loop, .jumpIfFalse, .and, .or,
             .closure, .methodInstance, .methodStatic, .importModule,
             .add, .sub, .mul, .div, .lt, .gt, .lte, .gte, .eq, .neq, .neg, .not:
            return 2
        case .importVariable: return 4
        case .loadLocal, .storeLocal, .loadUpvalue, .storeUpvalue, .loadFieldThis, .storeFieldThis,
             .loadField, .storeField, .class:
            return 1
        case .call, .iterate, .iteratorValue: return 3
        case .superCall: return 5
        default: return 0
        }
    }
}
