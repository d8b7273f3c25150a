// Slot layouts of every object kind, in one place.
//
// Unless noted, every slot holds a Value, so the collector can treat the
// object as a plain array of Values. The exceptions are the raw kinds (string,
// bytes, range hold no references), the fiber's value stack (only the part
// below the fiber's stack top is live) and its frame array (raw words, see
// FrameLayout).

/// String: slot 0 packs the byte length (low 32 bits) and the FNV-1a hash
/// (high 32 bits); UTF-8 bytes follow from +24, NUL-terminated.
@_spi(AmberInternals) public enum StringLayout {
    @inlinable public static var bytesOffset: Int { 24 }
}

/// Array of Values (backing store of lists, maps, method tables, constants):
/// slot 0 is the capacity (raw Int), Values follow.
@_spi(AmberInternals) public enum ArrayLayout {
    @inlinable public static var capacity: Int { 0 }
    @inlinable public static var first: Int { 1 }
}

/// An instance of a foreign class: its class in the header, slot 0 the length
/// of its data (raw Int), the host's bytes from +24. The collector sees no
/// references in it; the bytes travel in the image like any other.
@_spi(AmberInternals) public enum ForeignLayout {
    @inlinable public static var length: Int { 0 }
    @inlinable public static var dataOffset: Int { 24 }
}

/// Raw bytes (bytecode, line tables): slot 0 is the length (raw Int), bytes from +24.
@_spi(AmberInternals) public enum BytesLayout {
    @inlinable public static var length: Int { 0 }
    @inlinable public static var dataOffset: Int { 24 }
}

@_spi(AmberInternals) public enum ListLayout {
    @inlinable public static var count: Int { 0 }  // raw Int
    @inlinable public static var elements: Int { 1 }  // Array ref or null
    @inlinable public static var size: Int { 16 + 16 }
}

/// Open-addressing hash table; entries are key/value pairs in an Array.
/// An empty bucket has key undefined and value false; a tombstone key undefined
/// and value true.
@_spi(AmberInternals) public enum MapLayout {
    @inlinable public static var count: Int { 0 }  // raw Int: live entries
    @inlinable public static var entries: Int { 1 }  // Array ref (2 * capacity Values) or null
    @inlinable public static var size: Int { 16 + 16 }
}

@_spi(AmberInternals) public enum RangeLayout {
    @inlinable public static var from: Int { 0 }
    @inlinable public static var to: Int { 1 }
    @inlinable public static var inclusive: Int { 2 }
    @inlinable public static var size: Int { 16 + 24 }
}

/// A class. Its metaclass is the header's class.
@_spi(AmberInternals) public enum ClassLayout {
    @inlinable public static var name: Int { 0 }  // String
    @inlinable public static var superclass: Int { 1 }  // Class or null
    @inlinable public static var numFields: Int { 2 }  // Num
    @inlinable public static var methods: Int { 3 }  // Array: method table indexed by symbol
    @inlinable public static var attributes: Int { 4 }  // Map or null
    @inlinable public static var builtin: Int { 5 }  // Num: 0 for script classes; else a BuiltinKind
    @inlinable public static var allocator: Int { 6 }  // Num: native id allocating instances of a foreign class;
                                                       // false: a foreign class a C host left without one; else null
    @inlinable public static var size: Int { 16 + 7 * 8 }
    /// Fields an instance may have, inherited ones included: field operands
    /// are one byte (Wren's limit too).
    @inlinable public static var maxFields: Int { 255 }
}

/// A compiled function (what Wren calls ObjFn).
@_spi(AmberInternals) public enum FnLayout {
    @inlinable public static var code: Int { 0 }  // Bytes
    @inlinable public static var constants: Int { 1 }  // Array
    @inlinable public static var module: Int { 2 }  // Module
    @inlinable public static var numUpvalues: Int { 3 }  // Num
    @inlinable public static var arity: Int { 4 }  // Num
    @inlinable public static var maxSlots: Int { 5 }  // raw Int (read on every call: no Double conversion)
    @inlinable public static var name: Int { 6 }  // String ("Class.method(_)" or "(script)")
    @inlinable public static var lines: Int { 7 }  // Bytes: one UInt32 line per code byte
    @inlinable public static var size: Int { 16 + 8 * 8 }
}

/// A closure: its function, then one Upvalue ref per captured variable.
@_spi(AmberInternals) public enum ClosureLayout {
    @inlinable public static var fn: Int { 0 }
    @inlinable public static var firstUpvalue: Int { 1 }
}

/// An upvalue: open while `stackIndex` >= 0 (the variable lives in `fiber`'s
/// stack), closed afterwards (the variable lives in `closed`).
@_spi(AmberInternals) public enum UpvalueLayout {
    @inlinable public static var stackIndex: Int { 0 }  // Num, -1 once closed
    @inlinable public static var closed: Int { 1 }
    @inlinable public static var next: Int { 2 }  // next open upvalue of the same fiber (lower index), or null
    @inlinable public static var fiber: Int { 3 }
    @inlinable public static var size: Int { 16 + 32 }
}

/// A fiber: a value stack, a frame stack and the links between fibers.
@_spi(AmberInternals) public enum FiberLayout {
    @inlinable public static var stack: Int { 0 }  // Stack object (kind .stack)
    @inlinable public static var stackTop: Int { 1 }  // raw Int: slots in use
    @inlinable public static var frames: Int { 2 }  // Frames object (kind .frames)
    @inlinable public static var frameCount: Int { 3 }  // raw Int
    @inlinable public static var openUpvalues: Int { 4 }  // Upvalue ref or null, highest stack index first
    @inlinable public static var caller: Int { 5 }  // Fiber or null
    @inlinable public static var error: Int { 6 }  // Value (null when none)
    @inlinable public static var state: Int { 7 }  // raw Int: FiberState
    @inlinable public static var function: Int { 8 }  // Closure the fiber was created with
    @inlinable public static var size: Int { 16 + 9 * 8 }
}

/// How a fiber was entered; decides where errors and returns go.
@_spi(AmberInternals) public enum FiberState: Int {
    case other = 0, trying = 1, root = 2
}

/// One call frame is three raw words: closure offset, ip (offset into the
/// closure's bytecode) and stack base (index into the fiber's stack).
@_spi(AmberInternals) public enum FrameLayout {
    @inlinable public static var words: Int { 3 }
}

/// A module: its name and its top-level variables (names and values, parallel lists).
@_spi(AmberInternals) public enum ModuleLayout {
    @inlinable public static var name: Int { 0 }  // String or null for the core module
    @inlinable public static var variableNames: Int { 1 }  // List of String
    @inlinable public static var variables: Int { 2 }  // List of values
    @inlinable public static var size: Int { 16 + 24 }
}

/// Every layout above, field by field, as the image fingerprint hashes it
/// (ImageFormat.fingerprint): renaming, reordering, adding or removing a field
/// changes the fingerprint, so an image from a build with other layouts is
/// refused instead of misread. Keep it in step with the enums above; a unit
/// test checks the indices against them.
@_spi(AmberInternals) public enum LayoutCatalog {
    public static let layouts: [(kind: String, fields: [(String, Int)])] = [
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
    public static var text: String {
        layouts.map { layout in
            layout.kind + ": " + layout.fields.map { "\($0.0)@\($0.1)" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
