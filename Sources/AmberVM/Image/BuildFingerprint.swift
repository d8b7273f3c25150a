@_spi(AmberInternals) import AmberObjects
import AmberBytecode

// The build fingerprint (ARCHITECTURE.md, "The image"), computed without
// reflection.
//
// What must be identical between the binary that wrote an image and the one
// that maps it: the format, every object layout field by field, the object
// kinds, the instruction table, the root slots and the builtin
// class kinds, each by name and in order. Natives and port implementations
// are not in it: they are resolved by name at restore.
//
// NOTE: the names come from the tables below, not from `"\(case)"`. String
// interpolation of an enum case goes through the runtime's reflection
// (`_print_unlocked`, `Mirror`, protocol conformance scans): 125 names cost
// 2.66 million instructions, a third of a restore of a small image, and every
// start-up from the built-in core image checks the fingerprint too. Hashing
// the tables directly, integers as 8 bytes, costs about 20 thousand.
// `FingerprintTests` checks each table against the enum's own case names, so
// a renamed or reordered case cannot slip past.
enum BuildFingerprint {
    /// FNV-1a 64 over the build's description.
    static func compute() -> UInt64 {
        var h = Hasher64()
        h.add("amber-image"); h.add(Int(ImageFormat.version))
        h.add("header"); h.add(Heap.headerSize)
        h.add("first"); h.add(Heap.firstObject)
        for layout in LayoutCatalog.layouts {
            h.add(layout.kind)
            for (name, offset) in layout.fields { h.add(name); h.add(offset) }
        }
        h.add("kinds")
        for (kind, name) in zip(ObjKind.allCases, objKindNames) { h.add(name); h.add(Int(kind.rawValue)) }
        h.add(ObjKind.allCases.count)
        h.add("ops")
        // Every row and column of the instruction table, through the columns'
        // own descriptions (direct calls, no reflection).
        for op in Op.allCases {
            let info = op.info
            h.add(Int(op.rawValue)); h.add(info.name)
            for i in 0..<info.operandCount { h.add(info.operand(i)!.description) }
            h.add(info.tail == .upvalues ? 1 : 0)
            h.add(info.stack.description); h.add(info.flow.description)
            h.add(info.calls ? 1 : 0); h.add(info.safePoint ? 1 : 0)
        }
        h.add(Op.allCases.count)
        h.add("roots")
        for name in rootNames { h.add(name) }
        h.add(Root.allCases.count)
        h.add("builtins")
        for name in builtinKindNames { h.add(name) }
        h.add(BuiltinKind.allCases.count)
        return h.value
    }

    /// FNV-1a, 64 bits.
    struct Hasher64 {
        private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ s: StaticString) {
            s.withUTF8Buffer { for b in $0 { byte(b) } }
            byte(0)
        }
        mutating func add(_ s: String) {
            for b in s.utf8 { byte(b) }
            byte(0)
        }
        mutating func add(_ i: Int) {
            var v = UInt64(bitPattern: Int64(i))
            for _ in 0..<8 { byte(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        }
        @inline(__always) private mutating func byte(_ b: UInt8) {
            value = (value ^ UInt64(b)) &* 0x100_0000_01b3
        }
    }

    // MARK: Case names, in declaration order (checked by FingerprintTests)

    static let objKindNames: [StaticString] = [
        "string", "list", "map", "range", "instance", "classObj", "fn", "closure", "upvalue",
        "fiber", "module", "array", "bytes", "stack", "frames", "foreign",
    ]

    static let rootNames: [StaticString] = [
        "symbols", "modules", "currentFiber", "coreModule",
        "objectClass", "classClass", "boolClass", "nullClass", "numClass", "stringClass",
        "listClass", "mapClass", "rangeClass", "fnClass", "fiberClass", "systemClass", "sequenceClass",
        "mapSequenceClass", "whereSequenceClass", "stringByteSequenceClass", "stringCodePointSequenceClass",
        "mapKeySequenceClass", "mapValueSequenceClass", "recordClass",
        "handles", "schedulerQueue", "hooks", "pending", "lastModule", "savedFiber", "envFiles",
        "immutableEnv", "envReads", "envHashKey", "transients", "nativeNames", "portSlots", "hostCalls", "ffi",
        "envStrings", "cardStarts", "preloadedModules", "bootEnd",
    ]

    static let builtinKindNames: [StaticString] = [
        "none", "bool", "classObj", "fiber", "fn", "list", "map", "null", "num", "range", "string",
    ]
}
