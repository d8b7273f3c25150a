// The NaN-boxed Value.
//
// Access: everything in AmberObjects is `@_spi(AmberInternals) public`, seen only
// by the package's own targets (`@_spi(AmberInternals) import AmberObjects`), never
// by a host. NOTE: not `package`, because this toolchain does not inline
// `@inlinable package` bodies into another module (measured: binary_trees went from
// 5.1 to 17.3 billion instructions, every `Value.ref` and heap slot read a call);
// SPI-public declarations are inlined like public ones.
//
// Every Wren value fits in 64 bits. A Double is stored as itself. Anything else
// is hidden inside the payload of a quiet NaN, which real arithmetic never
// produces with these exact bit patterns:
//
//    bit 63   62..52 (exponent)  51  50  49..48  47 ........................ 0
//   +------+-------------------+---+---+-------+------------------------------+
//   | sign | 11111111111       | 1 | 1 | tag   | payload                      |
//   +------+-------------------+---+---+-------+------------------------------+
//
//   sign = 0: singletons (null, false, true, undefined) in the low bits.
//   sign = 1: a heap reference; the payload is the object's BYTE OFFSET from
//             the heap's base, never an address. That is what makes the heap
//             relocatable: an image maps at any address and every reference in
//             it is still right (ARCHITECTURE.md, "The heap and values").
//
// A Value is a trivial struct around UInt64 so the interpreter loop copies it
// with no reference counting at all.

/// One Wren value: a double, a singleton or a heap reference (an offset).
@_spi(AmberInternals) @frozen public struct Value: Equatable, Hashable, Sendable {
    public var bits: UInt64

    @inlinable @inline(__always) public init(bits: UInt64) { self.bits = bits }

    @inlinable public static var quietNaN: UInt64 { 0x7ffc_0000_0000_0000 }
    @inlinable public static var signBit: UInt64 { 0x8000_0000_0000_0000 }
    @inlinable public static var objectMask: UInt64 { signBit | quietNaN }

    @inlinable public static var null: Value { Value(bits: quietNaN | 1) }
    @inlinable public static var `false`: Value { Value(bits: quietNaN | 2) }
    @inlinable public static var `true`: Value { Value(bits: quietNaN | 3) }
    /// Marks an unset slot (an undefined module variable, an empty map bucket).
    @inlinable public static var undefined: Value { Value(bits: quietNaN | 4) }

    @inlinable @inline(__always) public init(_ number: Double) { bits = number.bitPattern }
    @inlinable @inline(__always) public init(_ int: Int) { bits = Double(int).bitPattern }
    @inlinable @inline(__always) public init(_ bool: Bool) { self = bool ? .true : .false }
    /// A reference to the object at `offset` bytes from the heap base.
    @inlinable @inline(__always) public init(object offset: ObjRef) {
        bits = Value.objectMask | UInt64(offset.offset)
    }

    @inlinable @inline(__always) public var isNumber: Bool { (bits & Value.quietNaN) != Value.quietNaN }
    @inlinable @inline(__always) public var isObject: Bool { (bits & Value.objectMask) == Value.objectMask }
    @inlinable @inline(__always) public var isNull: Bool { bits == Value.null.bits }
    @inlinable @inline(__always) public var isBool: Bool { bits == Value.true.bits || bits == Value.false.bits }
    @inlinable @inline(__always) public var isUndefined: Bool { bits == Value.undefined.bits }
    /// Wren's truthiness: only false and null are falsy.
    @inlinable @inline(__always) public var isFalsy: Bool { bits == Value.false.bits || bits == Value.null.bits }

    @inlinable @inline(__always) public var number: Double { Double(bitPattern: bits) }
    @inlinable @inline(__always) public var ref: ObjRef { ObjRef(offset: UInt(bits & ~Value.objectMask)) }
}

/// A typed reference into the heap: a byte offset from the VM's heap base.
/// Offset 0 is never an object, so it doubles as "none".
@_spi(AmberInternals) @frozen public struct ObjRef: Equatable, Hashable, Sendable {
    public var offset: UInt
    @inlinable @inline(__always) public init(offset: UInt) { self.offset = offset }
    @inlinable public static var none: ObjRef { ObjRef(offset: 0) }
    @inlinable @inline(__always) public var isNone: Bool { offset == 0 }
    @inlinable @inline(__always) public var value: Value { Value(object: self) }
}
