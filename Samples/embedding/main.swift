// A Swift host that embeds Amber: it binds a foreign class, builds an image
// once (after the script's expensive start-up), then restores 8 workers from
// that image on 8 threads and lets each serve requests.
//
//     swift run -c release embedding-sample [image-path]
//
// What it prints on stdout is deterministic (the tests check it); timings go
// to stderr.
import AmberVM
import Dispatch
import Foundation

let appSource = """
    import "os" for Process

    // Per-worker state the host keeps in the heap: a foreign class with 8 bytes.
    foreign class Visits {
      construct new() {}
      foreign add()
    }

    class App {
      // The expensive start-up a real service does once: here, a table of squares.
      static boot() {
        __table = {}
        for (i in 0...10000) __table[i] = i * i
        __visits = Visits.new()
      }
      static handle(n) {
        var count = __visits.add()
        return "square(%(n)) = %(__table[n]) (request %(count) of this worker)"
      }
    }
    App.boot()
    """

/// The bindings every VM of this host has: the image needs them again when restored.
func configuration() -> VMConfiguration {
    var config = VMConfiguration()
    config.bindings.foreignClass(module: "app", className: "Visits", dataBytes: 8)
    config.bindings.method(module: "app", className: "Visits", signature: "add()") { call in
        let data = try call.data(0)
        let n = try data.load(as: Int.self) + 1
        try data.storeBytes(of: n, as: Int.self)
        call.result = .number(Double(n))
    }
    return config
}

let imagePath = CommandLine.arguments.count > 1 ? CommandLine.arguments[1]
    : NSTemporaryDirectory() + "embedding-sample-\(getpid()).img"
let start = Date()

// 1. Build the image once.
do {
    let builder = try VM(configuration: configuration())
    guard builder.interpret(module: "app", source: appSource) == .success else { fatalError("the app failed to boot") }
    try builder.snapshot(to: imagePath)
} catch {
    FileHandle.standardError.write(Data("embedding-sample: \(error)\n".utf8))
    exit(1)
}
let built = Date()

// 2. Eight workers restore it at once, each on its own thread, and serve requests.
final class Replies: @unchecked Sendable {
    private let lock = NSLock()
    private var byWorker: [Int: [String]] = [:]
    func set(_ worker: Int, _ lines: [String]) { lock.lock(); byWorker[worker] = lines; lock.unlock() }
    func all() -> [Int: [String]] { lock.lock(); defer { lock.unlock() }; return byWorker }
}
let replies = Replies()
DispatchQueue.concurrentPerform(iterations: 8) { worker in
    do {
        let vm = try VM.restore(from: imagePath, configuration: configuration())
        _ = vm.resumeFromImage()
        let app = try vm.variable(module: "app", name: "App")
        var lines: [String] = []
        for request in 0..<1000 {
            let reply = try vm.call(app, "handle(_)", [.number(Double(worker * 1000 + request))])
            if request % 500 == 0 { lines.append("worker \(worker): \(reply)") }
        }
        replies.set(worker, lines)
    } catch {
        replies.set(worker, ["worker \(worker) failed: \(error)"])
    }
}
let served = Date()
for worker in 0..<8 { for line in replies.all()[worker] ?? [] { print(line) } }
try? FileManager.default.removeItem(atPath: imagePath)
FileHandle.standardError.write(Data(String(
    format: "image built in %.1f ms; 8 workers restored and served 8000 requests in %.1f ms\n",
    built.timeIntervalSince(start) * 1000, served.timeIntervalSince(built) * 1000).utf8))
