// A VM shares no mutable state with the rest of the process (ARCHITECTURE.md,
// "Embedding"): interrupts cross threads through atomics the handle keeps
// alive, and what Stdin reads ahead belongs to the VM's standardStreams port.
import Foundation
import Testing
import AmberVM

@Suite struct InterruptHandleTests {
    /// A VM whose script calls `Host.started()` (signalling `started`) before its loop.
    static func loopingVM(_ started: DispatchSemaphore, errors: ErrorText) throws -> VM {
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        config.writeError = { errors.append($0) }
        config.bindings.method(module: "main", className: "Host", signature: "started()", isStatic: true) { _ in
            started.signal()
        }
        return try VM(configuration: config)
    }

    @Test(arguments: [
        "while (true) {}",
        // Allocates all the time: collections clear the safe-point flag while the interrupt lands.
        "var keep = []\nwhile (true) {\n  keep.add([1, 2, 3])\n  if (keep.count > 1000) keep = []\n}",
    ])
    func anInterruptFromAnotherThreadStopsARunningLoop(loop: String) throws {
        let started = DispatchSemaphore(value: 0)
        let errors = ErrorText()
        let vm = try InterruptHandleTests.loopingVM(started, errors: errors)
        let handle = vm.interruptHandle
        let interrupter = Thread {
            started.wait()
            handle.interrupt()
        }
        interrupter.start()
        let result = vm.interpret(module: "main", source: """
            class Host { foreign static started() }
            Host.started()
            \(loop)
            """)
        #expect(result == .runtimeError("Interrupted."), "\(result)")
        #expect(errors.text.hasPrefix("Interrupted.\n"), "\(errors.text)")
        // The VM stays usable, and the interrupt was used up.
        #expect(vm.interpret(module: "main", source: "var i = 0\nwhile (i < 100000) i = i + 1") == .success)
    }

    @Test func anInterruptAfterTheVMIsGoneDoesNothing() throws {
        weak var released: VM?
        let handle: InterruptHandle
        do {
            let vm = try VM()
            handle = vm.interruptHandle
            released = vm
        }
        #expect(released == nil, "the handle must not keep its VM alive")
        // Writes flags the handle itself keeps alive; nobody reads them any more.
        let threads = (0..<4).map { _ in Thread { for _ in 0..<1000 { handle.interrupt() } } }
        threads.forEach { $0.start() }
        handle.interrupt()
        // Another VM (perhaps at the same addresses) is not interrupted.
        let other = try VM()
        #expect(other.interpret(module: "main", source: "var i = 0\nwhile (i < 100000) i = i + 1") == .success)
    }
}

@Suite struct StandardStreamsTests {
    /// A standardStreams port that reads `input` in chunks of at most `chunk` bytes.
    static func fakeStreams(_ input: String, chunk: Int = 64, rawModes: RawModeLog? = nil) -> StreamPort {
        var streams = StreamPort()
        streams.name = "test input"
        let source = ByteSource(Array(input.utf8))
        streams.read = { _, max in .success(source.next(min(max, chunk))) }
        streams.isTerminal = { fd in fd == 0 && rawModes != nil }
        streams.setRawMode = { fd, raw in
            rawModes?.append((fd, raw))
            return .success(())
        }
        return streams
    }

    /// A VM reading its standard input through `streams`; its output is collected in `out`.
    static func reader(_ streams: StreamPort, _ out: ErrorText) throws -> (VM, Handle) {
        var config = VMConfiguration()
        config.port.standardStreams = streams
        config.writeOutput = { out.append($0) }
        config.writeError = { out.append($0) }
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: """
            import "io" for Stdin
            class Reader {
              static line { Stdin.readLine() }
              static byte { Stdin.readByte() }
              static raw(on) { Stdin.isRaw = on }
            }
            """) == .success, "\(out.text)")
        return (vm, try vm.variable(module: "main", name: "Reader"))
    }

    @Test func twoVMsNeverMixWhatTheyReadAhead() throws {
        // Each VM reads all of its input at once, so a line it has not asked for yet waits in its read-ahead.
        let outA = ErrorText(), outB = ErrorText()
        let (a, readerA) = try StandardStreamsTests.reader(StandardStreamsTests.fakeStreams("a1\na2\na3"), outA)
        let (b, readerB) = try StandardStreamsTests.reader(StandardStreamsTests.fakeStreams("b1\nb2\n"), outB)
        #expect(try a.call(readerA, "line") == "a1")
        #expect(try b.call(readerB, "line") == "b1")
        #expect(try a.call(readerA, "line") == "a2")
        #expect(try b.call(readerB, "byte") == .number(Double(UInt8(ascii: "b"))))
        #expect(try a.call(readerA, "line") == "a3")        // the last line, unterminated
        #expect(try b.call(readerB, "line") == "2")
        do {
            _ = try a.call(readerA, "line")
            Issue.record("reading past the end of input must fail")
        } catch {
            #expect("\(error)".contains("Stdin was closed."), "\(error)")
        }
        #expect(outB.text == "", "\(outB.text)")
    }

    @Test func rawModeGoesThroughTheVMsOwnPort() throws {
        let log = RawModeLog()
        let out = ErrorText()
        let (vm, reader) = try StandardStreamsTests.reader(StandardStreamsTests.fakeStreams("x", rawModes: log), out)
        _ = try vm.call(reader, "raw(_)", [.bool(true)])
        #expect(try vm.call(reader, "byte") == .number(Double(UInt8(ascii: "x"))))
        _ = try vm.call(reader, "raw(_)", [.bool(false)])
        let calls = log.entries
        #expect(calls.first.map { $0.0 == 0 && $0.1 } == true, "\(calls)")
        #expect(calls.last.map { $0.0 == 0 && !$0.1 } == true, "\(calls)")
    }
}

/// Text appended from any thread.
final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func append(_ s: String) { lock.lock(); value += s; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return value }
}

/// Bytes handed out in chunks, then the end of input (an empty read).
final class ByteSource: @unchecked Sendable {
    private var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func next(_ max: Int) -> [UInt8] {
        let n = Swift.min(max, bytes.count)
        defer { bytes.removeFirst(n) }
        return Array(bytes.prefix(n))
    }
}

/// The calls a fake `setRawMode` received.
final class RawModeLog: @unchecked Sendable {
    private(set) var entries: [(Int32, Bool)] = []
    func append(_ e: (Int32, Bool)) { entries.append(e) }
}
