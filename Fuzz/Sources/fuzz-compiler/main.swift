// libFuzzer entry point: compile arbitrary bytes as a Wren module. Any input
// must end in a list of compile errors or none, never a crash or a hang.
import AmberVM

nonisolated(unsafe) var fuzzVM: VM? = nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompiler(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if fuzzVM == nil {
        var config = VMConfiguration()
        config.maxHeap = 256 << 20
        config.writeOutput = { _ in }
        config.writeError = { _ in }
        fuzzVM = try? VM(configuration: config)
    }
    _ = fuzzVM?.compileErrors(module: "fuzz", source: Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
