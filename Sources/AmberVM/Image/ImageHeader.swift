@_spi(AmberInternals) import AmberObjects

// The image header: the first page of every image file, as one typed struct
// that encodes and decodes itself (ARCHITECTURE.md, "The image").
//
//   offset  bytes  field                type     what
//        0     16  magic                bytes    "\x89AMBER\r\n\x1a\nIMAGE\0" (breaks under text conversion)
//       16      4  formatVersion        UInt32   ImageFormat.version
//       20      4  headerSize           UInt32   4096: the header fills one page
//       24      8  sampleInteger        UInt64   0x0102030405060708 (catches another byte order)
//       32      8  sampleDouble         Double   370.5 (catches another float format)
//       40      8  fingerprint          UInt64   the build: format, layouts, kinds, opcodes, roots
//       48      8  createdWallClock     Double   seconds since the epoch
//       56      8  monotonicAtSnapshot  Double   the VM's monotonic clock when written
//       64      8  heapOffset           UInt64   file offset of the heap section (page-aligned)
//       72      8  heapBytes            UInt64   the heap's top: bytes [0, top) of the reserved range
//       80      8  maxHeap              UInt64   the writer's -Xmx
//       88      8  rootOffset           UInt64   the root block, a heap offset
//       96      8  heapChecksum         UInt64   HeapChecksum over the heap section
//      104      8  metaOffset           UInt64   file offset of the metadata sections
//      112      8  metaLength           UInt64
//      120      8  metaChecksum         UInt64
//      128      4  resumeKind           UInt32   ResumeKind
//      132      4  generation           UInt32   restores behind the writing process
//      136      8  digestOffset         UInt64   file offset of the chunk digest table; 0 when unsigned
//      144      4  digestCount          UInt32   chunks of the heap section, one SHA-256 each
//      148      4  chunkShift           UInt32   log2 of the chunk size (0 when unsigned)
//      152     32  signature            bytes    HMAC-SHA-256 over bytes 0..<152, the metadata and
//                                                the digest table (ImageSigning.swift); zero when unsigned
//      184      8  headerChecksum       UInt64   over bytes 0..<184; not a stored field, see `encode`
//      192   3904  zero
//
// Every number is little-endian. No offset is written down anywhere but in
// the diagram above: the layout is the order of `walk(_:)`, which encoding
// and decoding both follow, and a golden test pins it (changing it means a
// new format version).
//
// Decoding checks in the order that gives the most useful message: is this
// an Amber image at all (magic), can this machine read its numbers (sample
// values), is it this format (version), was it written by this build
// (fingerprint), and only then is anything else interpreted (checksum,
// sizes). So an image from another build is reported as such, not as corrupt.

/// The fixed-size header at the start of an image file. Fields hold the
/// values as stored; `decode` checks them, and the accessors at the end are
/// valid once it has.
struct ImageHeader: Equatable {
    var magic: [UInt8] = ImageHeader.magicField
    var formatVersion: UInt32 = ImageFormat.version
    var headerSize: UInt32 = UInt32(ImageFormat.headerSize)
    var sampleInteger: UInt64 = ImageFormat.sampleInteger
    var sampleDouble: Double = ImageFormat.sampleDouble
    var fingerprint: UInt64 = ImageFormat.fingerprint
    var createdWallClock: Double = 0
    var monotonicAtSnapshot: Double = 0
    var heapOffset: UInt64 = 0
    var heapBytes: UInt64 = 0
    var maxHeap: UInt64 = 0
    var rootOffset: UInt64 = 0
    var heapChecksum: UInt64 = 0
    var metaOffset: UInt64 = 0
    var metaLength: UInt64 = 0
    var metaChecksum: UInt64 = 0
    var resumeKind: UInt32 = ResumeKind.methodEntry.rawValue
    var generation: UInt32 = 0
    var digestOffset: UInt64 = 0
    var digestCount: UInt32 = 0
    var chunkShift: UInt32 = 0
    var signature: [UInt8] = ImageHeader.noSignature

    /// The magic's 15 bytes and a zero, so the numbers after it are aligned.
    static let magicField = ImageFormat.magic + [0]
    /// An unsigned image's signature field.
    static let noSignature = [UInt8](repeating: 0, count: 32)

    init() {}

    /// The fields of `bytes` as stored, nothing checked: for `decode`, and for
    /// tools and tests that craft images. `bytes` must hold `ImageFormat.headerSize` bytes.
    init(unchecked bytes: [UInt8]) {
        precondition(bytes.count >= ImageFormat.headerSize, "ImageHeader: fewer bytes than a header")
        var cursor = FieldCursor(bytes: bytes, writing: false)
        walk(&cursor)
    }

    /// Visits every stored field in file order. The one list of the layout:
    /// both directions go through here.
    private mutating func walk(_ c: inout FieldCursor) {
        c.raw(&magic, count: ImageHeader.magicField.count)
        c.field(&formatVersion)
        c.field(&headerSize)
        c.field(&sampleInteger)
        c.field(&sampleDouble)
        c.field(&fingerprint)
        c.field(&createdWallClock)
        c.field(&monotonicAtSnapshot)
        c.field(&heapOffset)
        c.field(&heapBytes)
        c.field(&maxHeap)
        c.field(&rootOffset)
        c.field(&heapChecksum)
        c.field(&metaOffset)
        c.field(&metaLength)
        c.field(&metaChecksum)
        c.field(&resumeKind)
        c.field(&generation)
        c.field(&digestOffset)
        c.field(&digestCount)
        c.field(&chunkShift)
        c.raw(&signature, count: ImageHeader.noSignature.count)
    }

    /// Where the header checksum is stored; it covers every byte before it.
    static let checksumOffset: Int = {
        var header = ImageHeader()
        var cursor = FieldCursor(bytes: [UInt8](repeating: 0, count: ImageFormat.headerSize), writing: true)
        header.walk(&cursor)
        return cursor.at
    }()

    /// Where the signature is stored; it covers every byte before it (and the
    /// metadata and digest table: ImageSigning.swift).
    static var signatureOffset: Int { checksumOffset - noSignature.count }

    /// Whether the image carries a signature and a digest table.
    var isSigned: Bool { signature != ImageHeader.noSignature || digestOffset != 0 || digestCount != 0 || chunkShift != 0 }

    /// The header page: every field, then the checksum over them, then zeros.
    func encode() -> [UInt8] {
        var copy = self
        var cursor = FieldCursor(bytes: [UInt8](repeating: 0, count: ImageFormat.headerSize), writing: true)
        copy.walk(&cursor)
        var sum = ImageFormat.checksum(Array(cursor.bytes[0..<cursor.at]))
        cursor.field(&sum)
        return cursor.bytes
    }

    /// The checksum stored in a header page (what `encode` wrote, or a crafted value).
    static func storedChecksum(_ bytes: [UInt8]) -> UInt64 {
        var cursor = FieldCursor(bytes: bytes, writing: false)
        cursor.at = checksumOffset
        var sum: UInt64 = 0
        cursor.field(&sum)
        return sum
    }

    /// Reads and checks the header of an image file of `fileSize` bytes.
    /// Throws an ImageError naming `path` and what is wrong.
    static func decode(from bytes: [UInt8], path: String, fileSize: Int) throws(ImageError) -> ImageHeader {
        guard bytes.count >= ImageFormat.headerSize, fileSize >= ImageFormat.headerSize else {
            throw ImageError("'\(path)' is not an Amber image (too short).")
        }
        let h = ImageHeader(unchecked: bytes)
        guard h.magic == ImageHeader.magicField else {
            throw ImageError("'\(path)' is not an Amber image (bad magic bytes).")
        }
        guard h.sampleInteger == ImageFormat.sampleInteger, h.sampleDouble == ImageFormat.sampleDouble else {
            throw ImageError("Image '\(path)' was written on a machine with another byte order or number format.")
        }
        guard h.formatVersion == ImageFormat.version else {
            throw ImageError("Image '\(path)' has format version \(h.formatVersion); this amber reads version \(ImageFormat.version).")
        }
        // Before anything whose meaning depends on the build is looked at.
        guard h.fingerprint == ImageFormat.fingerprint else {
            throw ImageError("Image '\(path)' was written by a different build of Amber (fingerprint "
                             + "\(String(h.fingerprint, radix: 16)), this build's \(String(ImageFormat.fingerprint, radix: 16)): "
                             + "object layouts, opcodes or root slots differ); write it again with this build.")
        }
        guard storedChecksum(bytes) == ImageFormat.checksum(Array(bytes[0..<checksumOffset])) else {
            throw ImageError("Image '\(path)' is corrupted (header checksum mismatch).")
        }
        guard h.sizesAreConsistent else {
            throw ImageError("Image '\(path)' is corrupted (inconsistent sizes).")
        }
        // The restored VM's clock starts from these: a NaN or an infinity
        // would reach every timer and sleep.
        guard h.createdWallClock.isFinite, h.monotonicAtSnapshot.isFinite,
              h.monotonicAtSnapshot >= 0, h.monotonicAtSnapshot < 1e12 else {
            throw ImageError("Image '\(path)' is corrupted (bad clock values).")
        }
        guard ResumeKind(rawValue: h.resumeKind) != nil else {
            throw ImageError("Image '\(path)' is corrupted (unknown resume kind \(h.resumeKind)).")
        }
        // Both are below 2^40 (sizesAreConsistent): the sum cannot overflow.
        let end = h.heapSection.offset + h.heapSection.bytes
        guard end <= fileSize else {
            throw ImageError("Image '\(path)' is truncated: \(fileSize) bytes, expected at least \(end).")
        }
        return h
    }

    /// Every size and offset in range and the sections in order: header,
    /// metadata, heap. Each is compared as a UInt64 before any conversion, so
    /// no arithmetic below can overflow.
    private var sizesAreConsistent: Bool {
        let limit: UInt64 = 1 << 40
        let page = UInt64(ImageFormat.pageSize)
        let first = UInt64(Heap.firstObject)
        guard headerSize == UInt32(ImageFormat.headerSize),
              heapOffset < limit, heapOffset % page == 0, heapBytes >= first, heapBytes < limit,
              rootOffset >= first, rootOffset < heapBytes, rootOffset % 8 == 0,
              metaLength < limit, metaOffset >= UInt64(ImageFormat.headerSize), metaOffset < limit,
              metaOffset + metaLength <= heapOffset,
              maxHeap >= heapBytes - first, maxHeap <= 1 << 35 else { return false }
        guard isSigned else { return true }
        // A signed image: the digest table lies between the metadata and the
        // heap, one digest per chunk of the heap section.
        guard chunkShift >= 12, chunkShift <= 24 else { return false }
        let chunk = UInt64(1) << UInt64(chunkShift)
        let table = UInt64(digestCount) * UInt64(ImageSigning.digestSize)
        return UInt64(digestCount) == (heapBytes + chunk - 1) / chunk
            && digestOffset >= metaOffset + metaLength && digestOffset < limit && digestOffset + table <= heapOffset
    }

    // MARK: Checked values (valid after `decode`)

    /// The heap section: where it starts in the file, and the heap's top.
    var heapSection: (offset: Int, bytes: Int) {
        (Int(truncatingIfNeeded: heapOffset), Int(truncatingIfNeeded: heapBytes))
    }
    /// The metadata sections in the file.
    var metaSection: (offset: Int, length: Int) {
        (Int(truncatingIfNeeded: metaOffset), Int(truncatingIfNeeded: metaLength))
    }
    var rootBlock: ObjRef { ObjRef(offset: UInt(truncatingIfNeeded: rootOffset)) }
    var writerMaxHeap: Int { Int(truncatingIfNeeded: maxHeap) }
    var resume: ResumeKind { ResumeKind(rawValue: resumeKind) ?? .methodEntry }
    /// The digest table in the file, and the chunk size it was made with (signed images).
    var digestTable: (offset: Int, length: Int, chunk: Int) {
        (Int(truncatingIfNeeded: digestOffset), Int(digestCount) * ImageSigning.digestSize, 1 << Int(chunkShift))
    }
}

/// A position in a header page, reading fields from it or writing them into it.
private struct FieldCursor {
    var bytes: [UInt8]
    let writing: Bool
    var at = 0

    init(bytes: [UInt8], writing: Bool) {
        self.bytes = bytes
        self.writing = writing
    }

    mutating func field<T: FixedWidthInteger>(_ v: inout T) {
        let n = MemoryLayout<T>.size
        precondition(at + n <= bytes.count, "FieldCursor: past the header")
        // NOTE: one unaligned load or store, not a loop of generic shifts
        // (180 thousand instructions per header before).
        if writing {
            let value = v.littleEndian
            bytes.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: at, as: T.self) }
        } else {
            v = T(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: T.self) })
        }
        at += n
    }

    mutating func field(_ d: inout Double) {
        var bits = d.bitPattern
        field(&bits)
        d = Double(bitPattern: bits)
    }

    mutating func raw(_ v: inout [UInt8], count: Int) {
        if writing {
            for k in 0..<count { bytes[at + k] = k < v.count ? v[k] : 0 }
        } else {
            v = Array(bytes[at..<(at + count)])
        }
        at += count
    }
}
