// libFuzzer target: restore arbitrary bytes as an image, in the fastest mode
// (verify=header: the heap is mapped, not checksummed). Any input must be
// refused with an ImageError or restore, never crash or hang.
#if canImport(Glibc)
import Glibc
#endif
import AmberVM
import Foundation

let imagePath = NSTemporaryDirectory() + "amber-fuzz-image-\(getpid()).img"

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let contents = data.map { Data(bytes: $0, count: size) } ?? Data()
    guard FileManager.default.createFile(atPath: imagePath, contents: contents) else { return 0 }
    var config = VMConfiguration()
    config.maxHeap = 64 << 20
    config.writeOutput = { _ in }
    config.writeError = { _ in }
    _ = try? VM.restore(from: imagePath, configuration: config, verifyHeap: false)
    return 0
}

// libFuzzer's own driver, started from this program's main (SwiftPM gives
// every executable a main of its own, so libFuzzer's cannot be used).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) })
