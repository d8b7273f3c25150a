// libFuzzer target: compile arbitrary bytes as a Wren module. Any input must
// end in a list of compile errors or none, never a crash or a hang.
#if canImport(Glibc)
import Glibc
#endif
import AmberVM

nonisolated(unsafe) var fuzzVM: VM? = nil

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if fuzzVM == nil {
        var config = VMConfiguration()
        config.maxHeap = 256 << 20
        config.writeOutput = { _ in }
        config.writeError = { _ in }
        fuzzVM = try? VM(configuration: config)
    }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = fuzzVM?.compileErrors(module: "fuzz", source: bytes)
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
