import Testing
@testable import AmberVM

@Suite struct ImageHeaderTests {
    /// A header with a distinct value in every field.
    static var sample: ImageHeader {
        var h = ImageHeader()
        h.createdWallClock = 1_800_000_000.25
        h.monotonicAtSnapshot = 12.5
        h.heapOffset = 0x2000
        h.heapBytes = 0x1_2340
        h.maxHeap = 1 << 30
        h.rootOffset = 0x40
        h.heapChecksum = 0x1111_2222_3333_4444
        h.metaOffset = 0x1000
        h.metaLength = 0x3f
        h.metaChecksum = 0x5555_6666_7777_8888
        h.resumeKind = ResumeKind.snapshotTake.rawValue
        h.generation = 3
        return h
    }

    @Test func encodeAndDecodeAreInverse() throws {
        let bytes = ImageHeaderTests.sample.encode()
        #expect(bytes.count == ImageFormat.headerSize)
        #expect(ImageHeader(unchecked: bytes) == ImageHeaderTests.sample)
        let decoded = try ImageHeader.decode(from: bytes, path: "x.img", fileSize: 0x2000 + 0x1_3000)
        #expect(decoded == ImageHeaderTests.sample)
        #expect(decoded.heapSection == (0x2000, 0x1_2340))
        #expect(decoded.resume == .snapshotTake)
        #expect(ImageHeader.storedChecksum(bytes) == ImageFormat.checksum(Array(bytes[0..<ImageHeader.checksumOffset])))
    }

    /// The layout of format version 2, pinned: a change to the order or the
    /// types of the fields changes these bytes (and needs a new format version).
    @Test func theLayoutIsFormatVersion2() {
        #expect(ImageFormat.version == 2)
        var h = ImageHeaderTests.sample
        h.fingerprint = 0x0123_4567_89ab_cdef
        let bytes = h.encode()
        let hex = bytes.prefix(ImageHeader.checksumOffset + 8).map { String(Int($0) + 0x100, radix: 16).dropFirst() }.joined()
        #expect(hex == "89414d4245520d0a1a0a494d41474500" + "02000000" + "00100000" + "0807060504030201"
                + "0000000000287740" + "efcdab8967452301" + "0000108074d2da41" + "0000000000002940"
                + "0020000000000000" + "4023010000000000" + "0000004000000000" + "4000000000000000"
                + "4444333322221111" + "0010000000000000" + "3f00000000000000" + "8888777766665555"
                + "01000000" + "03000000" + hex.suffix(16))
        #expect(bytes[(ImageHeader.checksumOffset + 8)...].allSatisfy { $0 == 0 })
    }
}
