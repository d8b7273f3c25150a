// The Swift API's calls beside Wren's C API benchmark `api_call`: the same
// four-argument method called 1,000,000 times, through a call handle and by
// signature (Benchmarks/README.md, "The C API").
//
//     swift run -c release api-call-bench [iterations]
//
// Prints the result check and the time per call; run it under callgrind
// (`valgrind --tool=callgrind .build/release/api-call-bench 100000`) for
// instruction counts.
import AmberVM
import Dispatch

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let vm = try VM(configuration: VMConfiguration())
guard vm.interpret(module: "main", source: """
    class Test {
      static method(a, b, c, d) { a + b + c + d }
    }
    """) == .success else { fatalError("the test class did not compile") }
let test = try vm.variable(module: "main", name: "Test")
let method = try vm.callHandle("method(_,_,_,_)")
let arguments: [ScriptValue] = [1, 2, 3, 4]

func measure(_ label: String, _ body: () throws -> ScriptValue) rethrows {
    var sum = 0.0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations {
        if case .number(let n) = try body() { sum += n }
    }
    let nanoseconds = Double(DispatchTime.now().uptimeNanoseconds - start)
    let right = sum == 10 * Double(iterations)
    print("\(label): \(right ? "right" : "WRONG") result, \((nanoseconds / Double(iterations) * 10).rounded() / 10) ns per call")
}

try measure("call handle") { try vm.call(method, on: test, arguments) }
try measure("signature  ") { try vm.call(test, "method(_,_,_,_)", arguments) }
