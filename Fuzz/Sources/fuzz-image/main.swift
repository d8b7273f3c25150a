// libFuzzer target: restore arbitrary bytes as an image, in the fastest mode
// (verify=header: the heap is mapped, not checksummed). Any input must be
// refused with an ImageError or restore, never crash or hang. The header and
// metadata checksums are recomputed first, so that mutations reach the checks
// behind them (a crafted image has right checksums too).
#if canImport(Glibc)
import Glibc
#endif
@testable import AmberVM
import FuzzDriver
import Foundation

/// Recomputes the metadata and header checksums of an image in `bytes`.
func reseal(_ bytes: inout [UInt8]) {
    guard bytes.count >= ImageFormat.headerSize else { return }
    var h = ImageHeader(unchecked: Array(bytes[0..<ImageFormat.headerSize]))
    if h.metaOffset <= UInt64(bytes.count), h.metaLength <= UInt64(bytes.count) - h.metaOffset {
        h.metaChecksum = ImageFormat.checksum(Array(bytes[Int(h.metaOffset)..<Int(h.metaOffset + h.metaLength)]))
    }
    bytes.replaceSubrange(0..<ImageFormat.headerSize, with: h.encode())
}

let imagePath = NSTemporaryDirectory() + "amber-fuzz-image-\(getpid()).img"

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    reseal(&bytes)
    guard FileManager.default.createFile(atPath: imagePath, contents: Data(bytes)) else { return 0 }
    var config = VMConfiguration()
    config.maxHeap = 64 << 20
    config.writeOutput = { _ in }
    config.writeError = { _ in }
    _ = try? VM.restore(from: imagePath, configuration: config, verifyHeap: false)
    return 0
}

runFuzzer { data, size in fuzzOne(data, size) }
