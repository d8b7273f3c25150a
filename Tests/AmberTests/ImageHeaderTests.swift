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

    /// The layout of format version 3, pinned: a change to the order or the
    /// types of the fields changes these bytes (and needs a new format version).
    @Test func theLayoutIsFormatVersion3() {
        #expect(ImageFormat.version == 3)
        var h = ImageHeaderTests.sample
        h.fingerprint = 0x0123_4567_89ab_cdef
        h.digestOffset = 0x1040
        h.digestCount = 2
        h.chunkShift = 16
        h.signature = (0..<32).map { UInt8($0 + 0xa0) }
        let bytes = h.encode()
        let hex = bytes.prefix(ImageHeader.checksumOffset + 8).map { String(Int($0) + 0x100, radix: 16).dropFirst() }.joined()
        #expect(hex == "89414d4245520d0a1a0a494d41474500" + "03000000" + "00100000" + "0807060504030201"
                + "0000000000287740" + "efcdab8967452301" + "0000108074d2da41" + "0000000000002940"
                + "0020000000000000" + "4023010000000000" + "0000004000000000" + "4000000000000000"
                + "4444333322221111" + "0010000000000000" + "3f00000000000000" + "8888777766665555"
                + "01000000" + "03000000" + "4010000000000000" + "02000000" + "10000000"
                + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" + hex.suffix(16))
        #expect(ImageHeader.signatureOffset == 152 && ImageHeader.checksumOffset == 184)
        #expect(bytes[(ImageHeader.checksumOffset + 8)...].allSatisfy { $0 == 0 })
        // A signed header decodes when its table lies between the metadata and the heap.
        var signed = ImageHeaderTests.sample
        (signed.digestOffset, signed.digestCount, signed.chunkShift, signed.signature) = (h.digestOffset, 2, 16, h.signature)
        #expect((try? ImageHeader.decode(from: signed.encode(), path: "x.img", fileSize: 0x2000 + 0x1_3000)) == signed)
        signed.digestCount = 3
        #expect(throws: ImageError("Image 'x.img' is corrupted (inconsistent sizes).")) {
            try ImageHeader.decode(from: signed.encode(), path: "x.img", fileSize: 0x2000 + 0x1_3000)
        }
    }
}
