// Restoring images written by hosts: natives and port implementations are
// found again by name, many VMs restore one image at once.
import Foundation
import Testing
import AmberVM

@Suite struct RestoreBindingTests {
    /// Builds the issue's game, calls it once and writes an image.
    func writeGameImage(_ path: String) throws {
        let vm = try VM(configuration: gameConfiguration { _ in })
        #expect(vm.interpret(module: "main", source: gameSource) == .success)
        #expect(try vm.call(try vm.variable(module: "main", name: "Game"), "score(_)", [40]) == 42)
        try vm.snapshot(to: path)
    }

    @Test func missingBindingsAreAllListed() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeGameImage(dir + "/game.img")
        var bare = VMConfiguration()
        bare.moduleLoader = { _ in nil }
        do {
            _ = try VM.restore(from: dir + "/game.img", configuration: bare)
            Issue.record("restore without the bindings must fail")
        } catch {
            #expect(error.message.contains("needs 3 native methods this process does not provide"), "\(error)")
            for name in ["'main.Calc.static add(_,_)'", "'main.Counter.<allocate>'", "'main.Counter.increment()'"] {
                #expect(error.message.contains(name), "\(name) in \(error)")
            }
        }
    }

    @Test func moreBindingsInAnotherOrderStillRestore() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeGameImage(dir + "/game.img")
        // As a newer host would: extra methods, registered first, the old ones in reverse order.
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        config.bindings.method(module: "main", className: "Extra", signature: "one", isStatic: true) { call in
            call.result = 1
        }
        config.bindings.foreignClass(module: "main", className: "Other", dataBytes: 16)
        config.bindings.method(module: "main", className: "Counter", signature: "increment()") { call in
            let data = try call.data(0)
            let n = try data.load(as: Int.self) + 1
            try data.storeBytes(of: n, as: Int.self)
            call.result = .number(Double(n))
        }
        config.bindings.foreignClass(module: "main", className: "Counter", dataBytes: 8)
        config.bindings.method(module: "main", className: "Calc", signature: "add(_,_)", isStatic: true) { call in
            call.result = .number(try call.double(1) + call.double(2))
        }
        let vm = try VM.restore(from: dir + "/game.img", configuration: config)
        #expect(vm.resumeFromImage() == .success)
        #expect(try vm.call(try vm.variable(module: "main", name: "Game"), "score(_)", [40]) == 43)
        // The new bindings work in the restored VM too.
        let more = vm.interpret(module: "main", source: """
            class Extra { foreign static one }
            foreign class Other { construct new() {} }
            System.print(Extra.one + 1)
            System.print(Other.new() is Other)
            """)
        #expect(more == .success)
    }

    @Test func portSlotsAreRecordedAndReboundByName() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = Clock(now: 100)
        var output = ""
        var config = VMConfiguration()
        config.writeOutput = { output += $0 }
        // snippet article-port begin
        config.port.monotonicClock = PortFunction("test clock") { clock.now }
        config.port.environment = .fixed(name: "captured", ["GREETING": "hello"])
        // snippet article-port end
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            import "os" for Process
            class App {
              static clock { System.clock }
              static env { Process.env("GREETING") }
            }
            """) == .success)
        let app = try vm.variable(module: "main", name: "App")
        clock.now = 102.5
        #expect(try vm.call(app, "clock") == 2.5)
        #expect(try vm.call(app, "env") == "hello")
        try vm.snapshot(to: dir + "/app.img")

        // Without the implementations the image was written with: every slot is named.
        do {
            _ = try VM.restore(from: dir + "/app.img", configuration: VMConfiguration())
            Issue.record("restore without the port implementations must fail")
        } catch {
            #expect(error.message.contains("slot 'monotonicClock' needs implementation 'test clock'"), "\(error)")
            #expect(error.message.contains("slot 'environment' needs implementation 'captured'"), "\(error)")
        }

        // With them: the clock goes on from where it stopped, whatever the new clock reads.
        let later = Clock(now: 5000)
        var restoreConfig = config
        restoreConfig.port.monotonicClock = PortFunction("test clock") { later.now }
        let copy = try VM.restore(from: dir + "/app.img", configuration: restoreConfig)
        #expect(copy.resumeFromImage() == .success)
        let app2 = try copy.variable(module: "main", name: "App")
        #expect(try copy.call(app2, "clock") == 2.5)
        later.now = 5001
        #expect(try copy.call(app2, "clock") == 3.5)
        #expect(try copy.call(app2, "env") == "hello")
    }

    @Test func modulesLoadThroughTheFileSystemSlot() throws {
        let files: [String: String] = ["lib.wren": "var Answer = 42", "main.wren": ""]
        var fs = FilePort()
        fs.name = "memory"
        fs.stat = { path in
            var s = FileStatus()
            guard let text = files[String(decoding: path, as: UTF8.self)] else { return .failure(PortError(2)) }
            s.isFile = true
            s.size = Double(text.utf8.count)
            return .success(s)
        }
        fs.open = { path, _ in
            let name = String(decoding: path, as: UTF8.self)
            guard let index = files.keys.sorted().firstIndex(of: name) else { return .failure(PortError(2)) }
            return .success(Int32(100 + index))
        }
        fs.fstat = { fd in
            var s = FileStatus()
            let text = files[files.keys.sorted()[Int(fd) - 100]]!
            s.isFile = true
            s.size = Double(text.utf8.count)
            return .success(s)
        }
        fs.read = { fd, count, offset in
            let bytes = Array(files[files.keys.sorted()[Int(fd) - 100]]!.utf8)
            return .success(Array(bytes[min(offset, bytes.count)..<min(offset + count, bytes.count)]))
        }
        fs.close = { _ in .success(()) }
        var output = ""
        var config = VMConfiguration()
        config.writeOutput = { output += $0 }
        config.port.fileSystem = fs
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: "import \"lib\" for Answer\nSystem.print(Answer)") == .success)
        #expect(output == "42\n")
    }

    @Test func eightThreadsRestoreOneImageAndCallIntoIt() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/game.img"
        try writeGameImage(path)
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var wrong = 0
            do {
                let vm = try VM.restore(from: path, configuration: gameConfiguration { _ in })
                guard vm.resumeFromImage() == .success else { results.record(worker, -1); return }
                let game = try vm.variable(module: "main", name: "Game")
                // The counter was 2 in the image; each call adds one.
                for i in 0..<1000 {
                    let got = try vm.call(game, "score(_)", [.number(Double(worker))])
                    if got != .number(Double(worker + 3 + i)) { wrong += 1 }
                }
            } catch {
                wrong = -1
            }
            results.record(worker, wrong)
        }
        #expect(results.snapshot() == Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, 0) }))
    }
}

/// A clock a test moves by hand.
final class Clock: @unchecked Sendable {
    var now: Double
    init(now: Double) { self.now = now }
}

/// Per-worker results, filled from several threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Int] = [:]
    func record(_ worker: Int, _ wrong: Int) { lock.lock(); values[worker] = wrong; lock.unlock() }
    func snapshot() -> [Int: Int] { lock.lock(); defer { lock.unlock() }; return values }
}
