import CFFI
@_spi(AmberInternals) import AmberObjects

// The C types a signature may name, and how a Wren value crosses into and
// out of each of them.
//
// A type is named in a signature by a String ("int32", "pointer", ...) or by
// a Struct layout. The heap keeps exactly that description (a String, or the
// Num index of the struct's registry entry, see FFIRegistry.swift); this
// enum is the side table's parsed form of it.

/// One C type of a foreign signature.
enum FFIType: Equatable {
    case void, bool
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float, double
    case pointer
    /// `const char *`: a NUL-terminated copy of a Wren String for the call; as a
    /// return value, copied into a new String (NULL gives null).
    case string
    /// A struct by value; the payload is its registry index.
    case structure(Int)

    /// Scalar names, as scripts write them. `size_t`/`ssize_t` are this
    /// platform's (LP64: 64 bits).
    static let names: [String: FFIType] = [
        "void": .void, "bool": .bool,
        "int8": .int8, "uint8": .uint8, "int16": .int16, "uint16": .uint16,
        "int32": .int32, "uint32": .uint32, "int64": .int64, "uint64": .uint64,
        "float": .float, "double": .double,
        "size_t": .uint64, "ssize_t": .int64,
        "pointer": .pointer, "string": .string,
    ]

    static let nameList = "void, bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float, double, size_t, ssize_t, pointer, string or a Struct"

    /// Range of an integer type as doubles: lo <= d < hiExclusive.
    var integerRange: (lo: Double, hiExclusive: Double)? {
        switch self {
        case .int8: return (-128, 128)
        case .uint8: return (0, 256)
        case .int16: return (-32768, 32768)
        case .uint16: return (0, 65536)
        case .int32: return (-2147483648, 2147483648)
        case .uint32: return (0, 4294967296)
        case .int64: return (-9223372036854775808.0, 9223372036854775808.0)
        case .uint64: return (0, 18446744073709551616.0)
        default: return nil
        }
    }

    /// Bytes and alignment in C (structs: from their layout).
    func sizeAndAlignment(_ structs: (Int) -> FFIStruct?) -> (Int, Int) {
        switch self {
        case .void: return (0, 1)
        case .bool, .int8, .uint8: return (1, 1)
        case .int16, .uint16: return (2, 2)
        case .int32, .uint32, .float: return (4, 4)
        case .int64, .uint64, .double, .pointer, .string: return (8, 8)
        case .structure(let i):
            guard let s = structs(i) else { return (0, 1) }
            return (s.size, s.alignment)
        }
    }

    /// Human-readable name for messages.
    var displayName: String {
        switch self {
        case .structure: return "struct"
        default: return FFIType.names.first { $0.value == self && $0.key != "size_t" && $0.key != "ssize_t" }?.key ?? "?"
        }
    }
}

/// libffi's description of a scalar type (structs have their own, see FFIStruct).
func ffiScalarType(_ t: FFIType) -> UnsafeMutablePointer<ffi_type> {
    switch t {
    case .void: return cffi_type_void()
    case .bool, .uint8: return cffi_type_uint8()
    case .int8: return cffi_type_sint8()
    case .int16: return cffi_type_sint16()
    case .uint16: return cffi_type_uint16()
    case .int32: return cffi_type_sint32()
    case .uint32: return cffi_type_uint32()
    case .int64: return cffi_type_sint64()
    case .uint64: return cffi_type_uint64()
    case .float: return cffi_type_float()
    case .double: return cffi_type_double()
    case .pointer, .string, .structure: return cffi_type_pointer()
    }
}

/// A Struct layout in the side table: C's alignment rules, and the ffi_type
/// libffi needs to pass it by value (its element list is malloc'd, never in the heap).
final class FFIStruct {
    /// The largest layout, in bytes. A layout describes bytes a Memory may
    /// hold, and the largest Memory is one heap object (under 4 GiB); with
    /// every size and offset at most 2^30, no sum of them comes near
    /// overflow. Passing one by value has its own, smaller limit
    /// (`FFIRuntime.maxByValueBytes`).
    static let maxSize = 1 << 30
    /// How deep layouts may nest. libffi walks a struct's element types
    /// recursively (ffi_prep_cif, and x86-64's argument classification), one
    /// C stack frame per level: a struct nested 100,000 deep in a signature
    /// overflowed the stack. No C API nests anywhere near 32.
    static let maxDepth = 32

    let names: [String]
    let types: [FFIType]
    let offsets: [Int]
    let size: Int
    let alignment: Int
    /// 1 for a struct of scalars, one more than its deepest nested struct otherwise.
    let depth: Int
    let ffiType: UnsafeMutablePointer<ffi_type>
    let elements: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    /// Throws when the layout is over `maxSize` or `maxDepth`. Every sum is
    /// checked: field sizes come from scripts (a struct doubled 63 times).
    init(names: [String], types: [FFIType], structs: (Int) -> FFIStruct?) throws(FFIError) {
        var depth = 1
        for case .structure(let j) in types { depth = max(depth, (structs(j)?.depth ?? 0) + 1) }
        guard depth <= FFIStruct.maxDepth else {
            throw FFIError("A Struct may nest at most \(FFIStruct.maxDepth) deep; this one would nest \(depth).")
        }
        func tooBig(_ size: Int?) -> FFIError {
            FFIError("A Struct may be at most \(FFIStruct.maxSize) bytes; this one would be \(size.map(String.init) ?? "more than \(Int.max)").")
        }
        var offsets: [Int] = []
        var offset = 0, align = 1
        for t in types {
            let (s, a) = t.sizeAndAlignment(structs)
            // Round up to the alignment (a power of two, at most 8), then add the field.
            let (padded, o1) = offset.addingReportingOverflow(a - 1)
            let start = padded & ~(a - 1)
            let (end, o2) = start.addingReportingOverflow(s)
            guard !o1, !o2 else { throw tooBig(nil) }
            // Checked per field, so `offset` stays far from overflow.
            guard end <= FFIStruct.maxSize else { throw tooBig(end) }
            offsets.append(start)
            offset = end
            align = max(align, a)
        }
        let size = max(1, (offset + align - 1) & ~(align - 1))
        guard size <= FFIStruct.maxSize else { throw tooBig(size) }
        self.names = names
        self.types = types
        self.offsets = offsets
        self.alignment = align
        self.size = size
        self.depth = depth
        elements = .allocate(capacity: types.count + 1)
        for (i, t) in types.enumerated() {
            if case .structure(let j) = t, let inner = structs(j) { elements[i] = inner.ffiType }
            else { elements[i] = ffiScalarType(t) }
        }
        elements[types.count] = nil
        ffiType = .allocate(capacity: 1)
        ffiType.initialize(to: ffi_type())
        ffiType.pointee.size = size
        ffiType.pointee.alignment = UInt16(align)
        ffiType.pointee.type = cffi_type_struct_tag()
        ffiType.pointee.elements = elements
    }

    deinit {
        elements.deallocate()
        ffiType.deallocate()
    }
}
