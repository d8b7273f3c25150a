// Slot layouts of every object kind, in one place.
//
// Unless noted, every slot holds a Value, so the collector can treat the
// object as a plain array of Values. The exceptions are the raw kinds (string,
// bytes, range hold no references), the fiber's value stack (only the part
// below the fiber's stack top is live) and its frame array (raw words, see
// FrameLayout).

/// String: slot 0 packs the byte length (low 32 bits) and the FNV-1a hash
/// (high 32 bits); UTF-8 bytes follow from +24, NUL-terminated.
enum StringLayout {
    static let bytesOffset = 24
}

/// Array of Values (backing store of lists, maps, method tables, constants):
/// slot 0 is the capacity (raw Int), Values follow.
enum ArrayLayout {
    static let capacity = 0
    static let first = 1
}

/// An instance of a foreign class: its class in the header, slot 0 the length
/// of its data (raw Int), the host's bytes from +24. The collector sees no
/// references in it; the bytes travel in the image like any other.
enum ForeignLayout {
    static let length = 0
    static let dataOffset = 24
}

/// Raw bytes (bytecode, line tables): slot 0 is the length (raw Int), bytes from +24.
enum BytesLayout {
    static let length = 0
    static let dataOffset = 24
}

enum ListLayout {
    static let count = 0        // raw Int
    static let elements = 1     // Array ref or null
    static let size = 16 + 16
}

/// Open-addressing hash table; entries are key/value pairs in an Array.
/// An empty bucket has key undefined and value false; a tombstone key undefined
/// and value true.
enum MapLayout {
    static let count = 0        // raw Int: live entries
    static let entries = 1      // Array ref (2 * capacity Values) or null
    static let size = 16 + 16
}

enum RangeLayout {
    static let from = 0, to = 1, inclusive = 2
    static let size = 16 + 24
}

/// A class. Its metaclass is the header's class.
enum ClassLayout {
    static let name = 0          // String
    static let superclass = 1    // Class or null
    static let numFields = 2     // Num
    static let methods = 3       // Array: method table indexed by symbol
    static let attributes = 4    // Map or null
    static let builtin = 5       // Num: 0 for script classes; else a BuiltinKind
    static let allocator = 6     // Num: native id allocating instances of a foreign class; else null
    static let size = 16 + 7 * 8
}

/// A compiled function (what Wren calls ObjFn).
enum FnLayout {
    static let code = 0          // Bytes
    static let constants = 1     // Array
    static let module = 2        // Module
    static let numUpvalues = 3   // Num
    static let arity = 4         // Num
    static let maxSlots = 5      // raw Int (read on every call: no Double conversion)
    static let name = 6          // String ("Class.method(_)" or "(script)")
    static let lines = 7         // Bytes: one UInt32 line per code byte
    static let size = 16 + 8 * 8
}

/// A closure: its function, then one Upvalue ref per captured variable.
enum ClosureLayout {
    static let fn = 0
    static let firstUpvalue = 1
}

/// An upvalue: open while `stackIndex` >= 0 (the variable lives in `fiber`'s
/// stack), closed afterwards (the variable lives in `closed`).
enum UpvalueLayout {
    static let stackIndex = 0    // Num, -1 once closed
    static let closed = 1
    static let next = 2          // next open upvalue of the same fiber (lower index), or null
    static let fiber = 3
    static let size = 16 + 32
}

/// A fiber: a value stack, a frame stack and the links between fibers.
enum FiberLayout {
    static let stack = 0         // Stack object (kind .stack)
    static let stackTop = 1      // raw Int: slots in use
    static let frames = 2        // Frames object (kind .frames)
    static let frameCount = 3    // raw Int
    static let openUpvalues = 4  // Upvalue ref or null, highest stack index first
    static let caller = 5        // Fiber or null
    static let error = 6         // Value (null when none)
    static let state = 7         // raw Int: FiberState
    static let function = 8      // Closure the fiber was created with
    static let size = 16 + 9 * 8
}

/// How a fiber was entered; decides where errors and returns go.
enum FiberState: Int {
    case other = 0, trying = 1, root = 2
}

/// One call frame is three raw words: closure offset, ip (offset into the
/// closure's bytecode) and stack base (index into the fiber's stack).
enum FrameLayout {
    static let words = 3
}

/// A module: its name and its top-level variables (names and values, parallel lists).
enum ModuleLayout {
    static let name = 0          // String or null for the core module
    static let variableNames = 1 // List of String
    static let variables = 2     // List of values
    static let size = 16 + 24
}

/// Every layout above, field by field, as the image fingerprint hashes it
/// (ImageFormat.fingerprint): renaming, reordering, adding or removing a field
/// changes the fingerprint, so an image from a build with other layouts is
/// refused instead of misread. Keep it in step with the enums above; a unit
/// test checks the indices against them.
enum LayoutCatalog {
    static let layouts: [(kind: String, fields: [(String, Int)])] = [
        ("header", [("kind", 0), ("flags", 1), ("class", 4), ("size", 8), ("forward", 12)]),
        ("string", [("lengthAndHash", 0), ("bytes", StringLayout.bytesOffset)]),
        ("array", [("capacity", ArrayLayout.capacity), ("first", ArrayLayout.first)]),
        ("bytes", [("length", BytesLayout.length), ("data", BytesLayout.dataOffset)]),
        ("list", [("count", ListLayout.count), ("elements", ListLayout.elements), ("size", ListLayout.size)]),
        ("map", [("count", MapLayout.count), ("entries", MapLayout.entries),
                 ("size", MapLayout.size)]),
        ("range", [("from", RangeLayout.from), ("to", RangeLayout.to), ("inclusive", RangeLayout.inclusive),
                   ("size", RangeLayout.size)]),
        ("class", [("name", ClassLayout.name), ("superclass", ClassLayout.superclass),
                   ("numFields", ClassLayout.numFields), ("methods", ClassLayout.methods),
                   ("attributes", ClassLayout.attributes), ("builtin", ClassLayout.builtin),
                   ("allocator", ClassLayout.allocator), ("size", ClassLayout.size)]),
        ("fn", [("code", FnLayout.code), ("constants", FnLayout.constants), ("module", FnLayout.module),
                ("numUpvalues", FnLayout.numUpvalues), ("arity", FnLayout.arity), ("maxSlots(raw)", FnLayout.maxSlots),
                ("name", FnLayout.name), ("lines", FnLayout.lines), ("size", FnLayout.size)]),
        ("closure", [("fn", ClosureLayout.fn), ("firstUpvalue", ClosureLayout.firstUpvalue)]),
        ("upvalue", [("stackIndex", UpvalueLayout.stackIndex), ("closed", UpvalueLayout.closed),
                     ("next", UpvalueLayout.next), ("fiber", UpvalueLayout.fiber), ("size", UpvalueLayout.size)]),
        ("fiber", [("stack", FiberLayout.stack), ("stackTop", FiberLayout.stackTop), ("frames", FiberLayout.frames),
                   ("frameCount", FiberLayout.frameCount), ("openUpvalues", FiberLayout.openUpvalues),
                   ("caller", FiberLayout.caller), ("error", FiberLayout.error), ("state", FiberLayout.state),
                   ("function", FiberLayout.function), ("size", FiberLayout.size)]),
        ("fiberState", [("other", FiberState.other.rawValue), ("trying", FiberState.trying.rawValue),
                        ("root", FiberState.root.rawValue)]),
        ("frame", [("closure", 0), ("ip", 1), ("stackBase", 2), ("words", FrameLayout.words)]),
        ("module", [("name", ModuleLayout.name), ("variableNames", ModuleLayout.variableNames),
                    ("variables", ModuleLayout.variables), ("size", ModuleLayout.size)]),
        ("foreign", [("length", ForeignLayout.length), ("data", ForeignLayout.dataOffset)]),
    ]

    /// One line per layout: "fn: code@0 constants@1 ...".
    static var text: String {
        layouts.map { layout in
            layout.kind + ": " + layout.fields.map { "\($0.0)@\($0.1)" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
