// libFuzzer target: compile arbitrary bytes as a Wren module. Any input must
// end in a list of compile errors or none, never a crash or a hang.
import AmberVM
import FuzzDriver

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

runFuzzer { data, size in fuzzOne(data, size) }
