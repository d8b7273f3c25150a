#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberCoreImageHook
@_spi(AmberInternals) import AmberObjects
import AmberBytecode

// The image file.
//
//   offset 0      header (one page, ImageHeader.swift): magic, format version,
//                 sample values, fingerprint, clocks, sizes, checksums
//   metaOffset    metadata sections: options, trigger (native names and the
//                 port table live in the heap's root block)
//   heapOffset    the heap, bytes [0, top) of the VM's reserved range,
//                 page-aligned so restore maps it copy-on-write, not reads it
//
// Every reference in the heap is an offset from the heap base and no native
// address is stored there, so the pages are valid wherever they are mapped.
// Method tables hold native ids, indices into a list of names in the heap;
// restore resolves every name in this process (Interpreter/Natives.swift).

/// Why an image could not be written or restored.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, naming the image ("'app.img' is not an Amber image (bad magic bytes).").
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// How the restored process picks up the snapshotting fiber.
enum ResumeKind: UInt32 {
    /// At the first instruction of the trigger method (its frame is already pushed).
    case methodEntry = 0
    /// As the return of `Snapshot.take`, which then yields true.
    case snapshotTake = 1
}

enum ImageFormat {
    static let magic: [UInt8] = [0x89] + Array("AMBER\r\n".utf8) + [0x1a, 0x0a] + Array("IMAGE".utf8)
    /// 3: the signature and the chunk digest table (ImageSigning.swift).
    static let version: UInt32 = 3
    static let headerSize = 4096
    static let sampleInteger: UInt64 = 0x0102_0304_0506_0708
    static let sampleDouble = 370.5

    static var pageSize: Int { ImagePlatform.pageSize }

    /// A fast 64-bit checksum over whole words, then the tail bytes
    /// (`HeapChecksum` computes it in pieces).
    static func checksum(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
        var sum = HeapChecksum()
        sum.add(p, count)
        return sum.value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { checksum($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, $0.count) }
    }

    /// What must be identical between the writing and the restoring binary
    /// (BuildFingerprint.swift: the format, layouts, kinds, opcodes, roots).
    /// NOTE: taken from the built-in core image when one is linked: the build
    /// tool that made it computed it from this same source (the plugin runs it
    /// again whenever AmberVM changes), and hashing the tables cost every
    /// start 175 thousand instructions. `CoreImageTests` checks the two agree.
    static let fingerprint: UInt64 = builtinImageFingerprint() ?? BuildFingerprint.compute()

    private static func builtinImageFingerprint() -> UInt64? {
        var count = 0
        guard let p = amber_core_image_bytes(&count), count >= headerSize,
              memcmp(p, magic, magic.count) == 0 else { return nil }
        return UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt64.self))
    }

    // MARK: Metadata sections: name NUL, length (UInt64), bytes

    static func encodeSections(_ sections: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, bytes) in sections {
            out += Array(name.utf8) + [0]
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { out += $0 }
            out += bytes
        }
        return out
    }

    static func decodeSections(_ data: [UInt8]) -> ImageSections? {
        let sections = ImageSections(data: data)
        var valid = true
        sections.forEach { _, _ in } onMalformed: { valid = false }
        return valid ? sections : nil
    }
}

/// The metadata sections of an image, read in place: name, NUL, length
/// (UInt64, little-endian), bytes; found by name with a walk.
/// NOTE: not a `[String: [UInt8]]`: the Swift runtime builds a dictionary
/// type's metadata on first use, about 100 thousand instructions of every
/// restore for a handful of sections.
struct ImageSections {
    let data: [UInt8]

    /// The bytes of the section `name`, or nil.
    subscript(name: String) -> [UInt8]? {
        var found: [UInt8]? = nil
        let key = Array(name.utf8)
        forEach { n, range in
            if found == nil, data[n].elementsEqual(key) { found = Array(data[range]) }
        } onMalformed: {}
        return found
    }

    /// Calls `body` with each section's name and body ranges; `onMalformed`
    /// when the data ends inside one.
    func forEach(_ body: (Range<Int>, Range<Int>) -> Void, onMalformed: () -> Void) {
        var i = 0
        while i < data.count {
            guard let nul = data[i...].firstIndex(of: 0) else { return onMalformed() }
            let name = i..<nul
            i = nul + 1
            guard i + 8 <= data.count else { return onMalformed() }
            var length: UInt64 = 0
            for k in 0..<8 { length |= UInt64(data[i + k]) << (8 * UInt64(k)) }
            i += 8
            guard length <= UInt64(data.count - i) else { return onMalformed() }
            body(name, i..<(i + Int(length)))
            i += Int(length)
        }
    }
}

/// The image checksum fed piece by piece, so the snapshot writer sums each
/// slice of the heap while it is still in cache from being written (one pass,
/// no second read of the heap). Over pieces whose lengths, all but the last,
/// are multiples of 16 bytes it equals `ImageFormat.checksum` over the whole.
///
/// Two lanes of 8 bytes each, every lane a chain of xor, multiply, add:
///
///     h1 = (h1 ^ word[2i])   * 0x1000_0000_01B3     + (h1 >> 29)
///     h2 = (h2 ^ word[2i+1]) * 0x9FB2_1C65_1E98_DF25 + (h2 >> 31)
///     tail bytes into h1 alone; value = h1 ^ (h2 * 0xFF51_AFD7_ED55_8CCD) ^ count
///
/// NOTE: the lanes are independent, so the CPU runs both chains at once:
/// about 9 GB/s here (1.04 GB in 108–134 ms on restore with verify=full, as
/// the same loop in C at -O2; the former indexed loop took 165–172 ms), about
/// a tenth of the budget of a 1 GB/s snapshot. More lanes would be faster but
/// change the format.
struct HeapChecksum {
    private var h1: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var h2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private(set) var count = 0

    /// Adds `n` bytes at `p`. Once a piece that is not a multiple of 16 bytes
    /// long has been added, nothing more may be.
    mutating func add(_ p: UnsafeRawPointer, _ n: Int) {
        precondition(count % 16 == 0, "HeapChecksum: a piece after the tail")
        var a = h1, b = h2
        var q = p
        let end = p + (n & ~15)
        while q < end {
            a = (a ^ q.loadUnaligned(as: UInt64.self)) &* 0x1000_0000_01B3 &+ (a >> 29)
            b = (b ^ q.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) &* 0x9FB2_1C65_1E98_DF25 &+ (b >> 31)
            q += 16
        }
        while q < p + n {
            a = (a ^ UInt64(q.load(as: UInt8.self))) &* 0x1000_0000_01B3
            q += 1
        }
        h1 = a
        h2 = b
        count += n
    }

    var value: UInt64 { h1 ^ (h2 &* 0xFF51_AFD7_ED55_8CCD) ^ UInt64(count) }
}
