import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

/// The snapshot writer's one pass over the heap: the checksum summed slice by
/// slice as the slices are written must be the format's checksum, and images
/// larger than a slice and a writeback window must restore with verify=full.
@Suite(.serialized) struct ImageWriteTests {
    /// The heap checksum as the format defines it, written out the plain way.
    static func reference(_ bytes: [UInt8]) -> UInt64 {
        func word(_ i: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) }
        }
        var h1: UInt64 = 0x9E37_79B9_7F4A_7C15, h2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        let words = bytes.count / 16
        for i in 0..<words {
            h1 = (h1 ^ word(i * 16)) &* 0x1000_0000_01B3 &+ (h1 >> 29)
            h2 = (h2 ^ word(i * 16 + 8)) &* 0x9FB2_1C65_1E98_DF25 &+ (h2 >> 31)
        }
        for i in (words * 16)..<bytes.count { h1 = (h1 ^ UInt64(bytes[i])) &* 0x1000_0000_01B3 }
        return h1 ^ (h2 &* 0xFF51_AFD7_ED55_8CCD) ^ UInt64(bytes.count)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 4096, 65_536 + 7, 300_001])
    func checksumInPiecesIsTheWholeChecksum(count: Int) {
        var state: UInt64 = 0x1234_5678
        let bytes = (0..<count).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let whole = ImageFormat.checksum(bytes)
        #expect(whole == Self.reference(bytes))
        // Pieces as the writer makes them (multiples of 16, the last one any length).
        for piece in [16, 48, 4096] {
            var sum = HeapChecksum()
            bytes.withUnsafeBytes { raw in
                var done = 0
                while done < count {
                    let n = min(piece, count - done)
                    sum.add(raw.baseAddress! + done, n)
                    done += n
                }
            }
            #expect(sum.value == whole, "pieces of \(piece)")
            #expect(sum.count == count)
        }
    }

    @Test func aHeapOfManySlicesAndWritebackWindowsRestoresWithFullVerification() throws {
        // About 20 MB: more than one writeback window (16 MiB) and not a whole number of slices.
        let script = """
        class Main {
          static ready() { System.print("ready %(__data.count) %(__data[12345][-5..-1])") }
          static build() {
            __data = []
            var chunk = "x" * 1000
            for (i in 1..20000) __data.add(chunk + i.toString)
          }
        }
        Main.build()
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        let first = try runAmber(["-verbose:snapshot", "-snapshot:file=big.img,trigger=Main.ready,exit", "main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        let line = first.2.split(separator: "\n").first { $0.contains("[snapshot] write big.img") } ?? ""
        #expect(line.contains(" MB/s (checksum and copy "), "\(first.2)")
        #expect(line.contains(", flush and rename "), "\(line)")
        let heapBytes = line.split(separator: ",").first { $0.hasPrefix(" heap ") }
            .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        #expect(heapBytes > 16 << 20, "\(line)")
        let size = (try FileManager.default.attributesOfItem(atPath: dir + "/big.img")[.size] as? Int) ?? 0
        #expect(size % ImageFormat.pageSize == 0 && size >= heapBytes + ImageFormat.headerSize, "size \(size)")
        // No temporary file is left beside the image.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(names.filter { $0.hasPrefix(".amber-image-") }.isEmpty, "\(names)")
        for verify in ["", ",verify=full"] {
            let second = try runAmber(["-verbose:snapshot", "-restore:file=big.img" + verify], cwd: dir)
            #expect(second.1 == "ready 20000 12346\n", "\(verify): \(second.2)")
        }
    }
}
