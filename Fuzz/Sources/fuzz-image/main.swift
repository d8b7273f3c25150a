// libFuzzer entry point: restore arbitrary bytes as an image, in the fastest
// mode (verify=header: the heap is mapped, not checksummed). Any input must
// be refused with an ImageError or restore, never crash or hang.
import AmberVM
import Foundation

let imagePath = NSTemporaryDirectory() + "amber-fuzz-image-\(getpid()).img"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: imagePath, contents: Data(bytes: data, count: size)) else { return 0 }
    var config = VMConfiguration()
    config.maxHeap = 64 << 20
    config.writeOutput = { _ in }
    config.writeError = { _ in }
    _ = try? VM.restore(from: imagePath, configuration: config, verifyHeap: false)
    return 0
}
