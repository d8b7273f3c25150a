// Images changed on purpose, restored IN THIS PROCESS, through the public
// `VM.restore(from:configuration:)` + `resumeFromImage()` or the launcher's
// `main`, where no signal guard turns a crash into an exit status: a crash
// here kills the test run. Each case states what it expects: the ImageError
// message, the launcher's exit status 74, or a run to the end. Headers are
// changed through `ImageHeader`, never at byte offsets. The corpus comes from
// fixed seeds, so every case found once is replayed on every run.
import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
@testable import AmberLauncher

/// Runs `amber` with a time limit; returns nil on a timeout.
func runAmberLimited(_ args: [String], cwd: String, seconds: Double) throws -> (status: Int32, signaled: Bool, err: String)? {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("amber").path
    let binary = FileManager.default.fileExists(atPath: exe) ? exe : repositoryRoot + "/.build/debug/amber"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    let done = DispatchSemaphore(value: 0)
    p.terminationHandler = { _ in done.signal() }
    try p.run()
    let text = err.fileHandleForReading.readDataToEndOfFile()
    if done.wait(timeout: .now() + seconds) == .timedOut {
        p.terminate()
        return nil
    }
    return (p.terminationStatus, p.terminationReason == .uncaughtSignal, String(decoding: text, as: UTF8.self))
}

/// A small deterministic generator (SplitMix64), so the corpus is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Data {
    /// A little-endian word at a byte offset (heap words; the header goes through `imageHeader`).
    func word(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[at + $1]) << (8 * UInt64($1)) } }
    mutating func setWord(_ at: Int, _ v: UInt64) { for k in 0..<8 { self[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) } }

    /// The header's fields as stored, nothing checked.
    var imageHeader: ImageHeader { ImageHeader(unchecked: Array(prefix(ImageFormat.headerSize))) }

    /// Writes `header` (the image's own when nil) with a fresh header
    /// checksum; with `sections`, first recomputes the heap and metadata
    /// checksums over the sections it names (after a deliberate change there).
    mutating func resealImage(_ header: ImageHeader? = nil, sections: Bool = true) {
        var h = header ?? imageHeader
        func sum(_ offset: UInt64, _ length: UInt64) -> UInt64? {
            guard offset <= UInt64(count), length <= UInt64(count) - offset else { return nil }
            return self[Int(offset)..<Int(offset + length)].withUnsafeBytes {
                ImageFormat.checksum($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, Int(length))
            }
        }
        if sections {
            if let s = sum(h.heapOffset, h.heapBytes) { h.heapChecksum = s }
            if let s = sum(h.metaOffset, h.metaLength) { h.metaChecksum = s }
        }
        replaceSubrange(0..<ImageFormat.headerSize, with: h.encode())
    }
}

/// The launcher's two verify modes: the default (`verify=header`: header,
/// metadata and what restore walks) and `verify=full` (also every heap page).
enum VerifyMode: String, CaseIterable, CustomStringConvertible {
    case header, full
    var verifiesHeap: Bool { self == .full }
    /// The launcher's option: the default says nothing.
    var option: String { self == .full ? ",verify=full" : "" }
    var description: String { "verify=\(rawValue)" }
}

/// What restoring an image in this process came to.
enum InProcessOutcome: CustomStringConvertible {
    case refused(String)
    case restored
    case ran(InterpretResult, out: String)
    /// Still running after the time limit (then interrupted).
    case hung

    var description: String {
        switch self {
        case .refused(let m): return "refused: \(m)"
        case .restored: return "restored"
        case .ran(let r, _): return "ran: \(r)"
        case .hung: return "hung"
        }
    }
}

/// Restores `path` here through `VM.restore`, and with `resume` runs it on
/// (stopping it with an interrupt after `seconds`: a hang is reported, not waited out).
func restoreInProcess(_ path: String, _ mode: VerifyMode, resume: Bool, seconds: Double = 10) -> InProcessOutcome {
    let (config, capture) = capturedConfiguration()
    let vm: VM
    do { vm = try VM.restore(from: path, configuration: config, verifyHeap: mode.verifiesHeap) } catch {
        return .refused(error.message)
    }
    guard resume else { return .restored }
    let watchdog = Watchdog(vm.interruptHandle, seconds: seconds)
    let result = vm.resumeFromImage()
    let fired = watchdog.stop()
    withExtendedLifetime(vm) {}
    return fired ? .hung : .ran(result, out: capture.out)
}

/// Interrupts a VM's script after a time limit unless stopped first.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private let stopped = DispatchSemaphore(value: 0)
    private var done = false, fired = false

    init(_ handle: InterruptHandle, seconds: Double) {
        Thread.detachNewThread { [self] in
            if stopped.wait(timeout: .now() + seconds) == .success { return }
            lock.lock()
            if !done { fired = true; handle.interrupt() }
            lock.unlock()
        }
    }

    /// Stops the watchdog (the handle is not touched afterwards); whether it had fired.
    func stop() -> Bool {
        lock.lock()
        done = true
        lock.unlock()
        stopped.signal()
        return fired
    }
}

@Suite struct CraftedImageTests {
    static let script = """
    import "snapshot" for Snapshot
    class Shape {
      construct new(name, sides) {
        _name = name
        _sides = sides
      }
      describe { "%(_name) has %(_sides) sides" }
    }
    var Shapes = [Shape.new("triangle", 3), Shape.new("square", 4)]
    var Table = {"a": 1, "b": [1, 2, 3], 3: "three"}
    var Counter = Fn.new {|n| n + Table.count }
    var Worker = Fiber.new {|x|
      while (true) x = Fiber.yield(x * 2)
    }
    Worker.call(1)
    class Main {
      static ready() {
        for (s in Shapes) System.print(s.describe)
        System.print(Counter.call(Worker.call(20)))
        System.print(Table["b"].map {|x| x * x }.toList)
      }
    }
    Main.ready()
    """
    static let output = "triangle has 3 sides\nsquare has 4 sides\n43\n[1, 4, 9]\n"

    /// Writes the base image once per test.
    func baseImage() throws -> (dir: String, image: Data) {
        let dir = try scratch(["main.wren": CraftedImageTests.script])
        let made = try runAmber(["-snapshot:file=base.img,trigger=Main.ready,exit", "main.wren"], cwd: dir)
        #expect(made.0 == 0, "\(made.2)")
        return (dir, try Data(contentsOf: URL(fileURLWithPath: dir + "/base.img")))
    }

    /// The unchanged image restores and runs in both modes (what every case is compared with).
    @Test func theBaseImageRunsInBothModes() throws {
        let (dir, _) = try baseImage()
        for mode in VerifyMode.allCases {
            let r = runLauncher(["-restore:file=\(dir)/base.img\(mode.option)"])
            #expect(r.0 == 0 && r.1 == CraftedImageTests.output, "\(mode): \(r.0) \(r.1) \(r.2)")
        }
    }

    /// What a header change must lead to in a mode.
    enum Expectation {
        /// The launcher exits with 74 and this in its message.
        case rejected(String)
        /// The image is still a good one: it runs as the original does.
        case runs
        /// Either, but never a crash (a change the header cannot judge).
        case refusedOrRuns
    }

    struct HeaderCase {
        let what: String
        let expect: (VerifyMode) -> Expectation
        /// Recompute the header checksum after the change (a crafted header).
        var reseal = true
        /// Recompute the heap and metadata checksums too (over the sections the header now names).
        var resealSections = false
        let change: (inout ImageHeader) -> Void
    }

    static func headerCases(pageSize page: UInt64) -> [HeaderCase] {
        func always(_ e: Expectation) -> (VerifyMode) -> Expectation { { _ in e } }
        let sizes = always(.rejected("is corrupted (inconsistent sizes)"))
        let truncated = always(.rejected("is truncated"))
        let metadata = always(.rejected("is corrupted (metadata checksum mismatch)"))
        let clocks = always(.rejected("is corrupted (bad clock values)"))
        let roots = always(.rejected("is corrupt ("))
        let build = always(.rejected("was written by a different build of Amber"))
        let extremes: [(String, UInt64)] = [("max", .max), ("0", 0), ("2^63", 1 << 63)]
        var cases: [HeaderCase] = []
        func add(_ what: String, _ expect: @escaping (VerifyMode) -> Expectation, reseal: Bool = true,
                 sections: Bool = false, _ change: @escaping (inout ImageHeader) -> Void) {
            cases.append(HeaderCase(what: what, expect: expect, reseal: reseal, resealSections: sections, change: change))
        }
        add("magic", always(.rejected("is not an Amber image (bad magic bytes)"))) { $0.magic[1] ^= 0x20 }
        add("sampleInteger byte-swapped", always(.rejected("another byte order"))) { $0.sampleInteger = $0.sampleInteger.byteSwapped }
        add("sampleDouble", always(.rejected("another byte order"))) { $0.sampleDouble = 370.25 }
        add("formatVersion + 1", always(.rejected("has format version \(ImageFormat.version + 1)"))) { $0.formatVersion += 1 }
        add("fingerprint ^ 1", build) { $0.fingerprint ^= 1 }
        add("fingerprint 0", build) { $0.fingerprint = 0 }
        add("headerSize 0", sizes) { $0.headerSize = 0 }
        add("headerSize 8192", sizes) { $0.headerSize = 8192 }
        add("createdWallClock nan", clocks) { $0.createdWallClock = .nan }
        add("createdWallClock infinity", clocks) { $0.createdWallClock = .infinity }
        add("createdWallClock 0", always(.runs)) { $0.createdWallClock = 0 }
        add("monotonicAtSnapshot nan", clocks) { $0.monotonicAtSnapshot = .nan }
        add("monotonicAtSnapshot -1", clocks) { $0.monotonicAtSnapshot = -1 }
        add("monotonicAtSnapshot 1e300", clocks) { $0.monotonicAtSnapshot = 1e300 }
        add("monotonicAtSnapshot 0", always(.runs)) { $0.monotonicAtSnapshot = 0 }
        for (name, v) in extremes {
            add("heapOffset \(name)", sizes) { $0.heapOffset = v }
            add("heapBytes \(name)", sizes) { $0.heapBytes = v }
            add("maxHeap \(name)", sizes) { $0.maxHeap = v }
            add("rootOffset \(name)", sizes) { $0.rootOffset = v }
            add("metaOffset \(name)", sizes) { $0.metaOffset = v }
        }
        add("heapOffset + 8", sizes) { $0.heapOffset += 8 }
        add("heapOffset - page", sizes) { $0.heapOffset -= page }
        add("heapOffset + page", truncated) { $0.heapOffset += page }
        add("heapBytes + page", truncated) { $0.heapBytes += page }
        // Only a walk of the objects finds a top moved by a word (verify=full);
        // the default mode maps the pages unread.
        let objectWalk: (VerifyMode) -> Expectation = { $0 == .full ? .rejected("is corrupt (") : .refusedOrRuns }
        add("heapBytes + 8", objectWalk, sections: true) { $0.heapBytes += 8 }
        add("heapBytes - 8", objectWalk, sections: true) { $0.heapBytes -= 8 }
        add("maxHeap below the live data", sizes) { $0.maxHeap = $0.heapBytes / 2 }
        add("rootOffset + 4", sizes) { $0.rootOffset += 4 }
        add("rootOffset = heapBytes", sizes) { $0.rootOffset = $0.heapBytes }
        add("rootOffset + 8", roots) { $0.rootOffset += 8 }
        add("rootOffset - 8", sizes) { $0.rootOffset -= 8 }
        add("metaOffset - 8", sizes) { $0.metaOffset -= 8 }
        add("metaOffset + 8", metadata) { $0.metaOffset += 8 }
        add("metaLength max", sizes) { $0.metaLength = .max }
        add("metaLength 2^63", sizes) { $0.metaLength = 1 << 63 }
        add("metaLength 0", metadata) { $0.metaLength = 0 }
        add("metaLength + 8", metadata) { $0.metaLength += 8 }
        add("metaLength - 8", metadata) { $0.metaLength -= 8 }
        add("metaChecksum ^ 1", metadata) { $0.metaChecksum ^= 1 }
        add("heapChecksum ^ 1", { $0 == .full ? .rejected("is corrupted (heap checksum mismatch)") : .runs }) {
            $0.heapChecksum ^= 1
        }
        add("resumeKind 2", always(.rejected("is corrupted (unknown resume kind 2)"))) { $0.resumeKind = 2 }
        add("resumeKind max", always(.rejected("is corrupted (unknown resume kind"))) { $0.resumeKind = .max }
        add("resumeKind snapshotTake at a method entry", always(.refusedOrRuns)) {
            $0.resumeKind = ResumeKind.snapshotTake.rawValue
        }
        add("generation max", always(.runs)) { $0.generation = .max }
        add("heapOffset + page, header checksum not recomputed",
            always(.rejected("is corrupted (header checksum mismatch)")), reseal: false) { $0.heapOffset += page }
        // The build is checked first: another build's image is reported as
        // such, whatever else its header holds.
        add("fingerprint ^ 1 with bad sizes and header checksum", build, reseal: false) {
            $0.fingerprint ^= 1
            $0.heapOffset = .max
            $0.rootOffset = 3
        }
        return cases
    }

    @Test func headerFieldChangesAreRejectedWithExit74() throws {
        let (dir, image) = try baseImage()
        let cases = CraftedImageTests.headerCases(pageSize: UInt64(ImageFormat.pageSize))
        var problems: [String] = []
        for c in cases {
            var header = image.imageHeader
            c.change(&header)
            var d = image
            if c.reseal {
                d.resealImage(header, sections: c.resealSections)
            } else {
                // The changed fields with the original header checksum.
                let original = image.imageHeader.encode()
                var bytes = header.encode()
                let at = ImageHeader.checksumOffset
                bytes.replaceSubrange(at..<(at + 8), with: original[at..<(at + 8)])
                d.replaceSubrange(0..<ImageFormat.headerSize, with: bytes)
            }
            try d.write(to: URL(fileURLWithPath: dir + "/h.img"))
            for mode in VerifyMode.allCases {
                let (status, out, err) = runLauncher(["-restore:file=\(dir)/h.img\(mode.option)"])
                switch c.expect(mode) {
                case .rejected(let message):
                    if status != 74 || !err.contains(message) || !out.isEmpty {
                        problems.append("\(c.what), \(mode): expected 74 and '\(message)', got \(status): \(err)")
                    }
                case .runs:
                    if status != 0 || out != CraftedImageTests.output {
                        problems.append("\(c.what), \(mode): expected a run, got \(status): \(out) \(err)")
                    }
                case .refusedOrRuns:
                    if status != 0 && status != 70 && status != 74 {
                        problems.append("\(c.what), \(mode): got \(status): \(err)")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) of \(cases.count * 2):\n\(problems.joined(separator: "\n"))")
    }

    /// An image from another build (same format, another fingerprint) is
    /// reported as such through the API, before anything else is looked at.
    @Test func anotherBuildsImageIsReportedAsADifferentBuild() throws {
        let (dir, image) = try baseImage()
        var header = image.imageHeader
        header.fingerprint = ImageFormat.fingerprint &+ 1
        var d = image
        d.resealImage(header, sections: false)
        try d.write(to: URL(fileURLWithPath: dir + "/other.img"))
        for mode in VerifyMode.allCases {
            let outcome = restoreInProcess(dir + "/other.img", mode, resume: false)
            guard case .refused(let message) = outcome else {
                Issue.record("\(mode): \(outcome)")
                continue
            }
            #expect(message.hasPrefix("Image '\(dir)/other.img' was written by a different build of Amber (fingerprint "
                                      + String(ImageFormat.fingerprint &+ 1, radix: 16)), "\(message)")
        }
        #expect(throws: ImageError.self) { try VM.inspectImage(at: dir + "/other.img") }
    }

    /// Single heap words changed, heap checksum NOT recomputed: verify=full
    /// finds every one (the default mode maps pages unread, by design).
    @Test func heapChangesAreFoundByVerifyFull() throws {
        let (dir, image) = try baseImage()
        let (heapOffset, heapBytes) = image.imageHeader.heapSection
        var rng = SeededGenerator(state: 0x5EA1_ED00)
        for n in 0..<8 {
            var d = image
            let at = heapOffset + Int.random(in: 0..<(heapBytes / 8), using: &rng) * 8
            d.setWord(at, d.word(at) ^ (1 << UInt64(n * 7)))
            try d.write(to: URL(fileURLWithPath: dir + "/c.img"))
            let outcome = restoreInProcess(dir + "/c.img", .full, resume: false)
            guard case .refused(let message) = outcome else { Issue.record("word \(at - heapOffset): \(outcome)"); continue }
            #expect(message == "Image '\(dir)/c.img' is corrupted (heap checksum mismatch).")
        }
    }

    /// Single heap words changed with every checksum recomputed, so only the
    /// content checks stand between them and the VM. Restored in this process:
    /// with verify=full each is refused as corrupt or restores and runs to an
    /// end (a result, never a crash or a hang); with the default mode, restore
    /// itself (which validates what it walks) refuses it or restores it.
    @Test func heapMutationsWithRecomputedChecksumsAreRefusedOrRun() throws {
        let (dir, image) = try baseImage()
        let (heapOffset, heapBytes) = image.imageHeader.heapSection
        var rng = SeededGenerator(state: 0xA4B3_2024)
        // AMBER_CRAFTED_COUNT=N explores further; the kept corpus is the first 120.
        let count = Int(ProcessInfo.processInfo.environment["AMBER_CRAFTED_COUNT"] ?? "") ?? 120
        var problems: [String] = []
        var refused = 0
        for n in 0..<count {
            var d = image
            let at = heapOffset + Int.random(in: 0..<(heapBytes / 8), using: &rng) * 8
            let old = d.word(at)
            let new: UInt64
            switch n % 4 {
            case 0: new = old ^ (1 << UInt64.random(in: 0..<64, using: &rng))     // one bit
            case 1: new = UInt64.random(in: 0...UInt64.max, using: &rng)          // any word
            case 2: new = old &+ UInt64.random(in: 1...64, using: &rng) * 8       // a nearby offset
            default: new = UInt64(UInt32.random(in: 0...UInt32.max, using: &rng)) // a small number
            }
            d.setWord(at, new)
            d.resealImage()
            let what = "heap word \(at - heapOffset): \(String(old, radix: 16)) -> \(String(new, radix: 16))"
            try d.write(to: URL(fileURLWithPath: dir + "/m.img"))
            for mode in VerifyMode.allCases {
                switch restoreInProcess(dir + "/m.img", mode, resume: mode == .full) {
                case .refused(let message):
                    // As corrupt, or for a name changed into one this process lacks.
                    refused += 1
                    if !message.contains("is corrupt") && !message.contains("this process does not provide") {
                        problems.append("\(what), \(mode): refused with '\(message)'")
                    }
                case .restored, .ran:
                    break
                case .hung:
                    problems.append("\(what), \(mode): hung")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) of \(count * 2):\n\(problems.joined(separator: "\n"))")
        #expect(refused > 0, "no variant was refused: the checks do not run")
    }

    /// The same changes through the `amber` executable in the default mode,
    /// where running code may still reach a malformed object: the launcher
    /// must end with a status (0, a runtime error 70, or 74 for a corrupt
    /// image, its signal guard included), never a signal death or a hang.
    @Test func heapMutationsEndWithAnExitStatusFromTheLauncher() throws {
        let (dir, image) = try baseImage()
        let (heapOffset, heapBytes) = image.imageHeader.heapSection
        var rng = SeededGenerator(state: 0x7A11_0C8D)
        var problems: [String] = []
        for n in 0..<40 {
            var d = image
            let at = heapOffset + Int.random(in: 0..<(heapBytes / 8), using: &rng) * 8
            let new = n % 2 == 0 ? UInt64.random(in: 0...UInt64.max, using: &rng) : d.word(at) ^ (1 << UInt64(n % 64))
            d.setWord(at, new)
            d.resealImage()
            try d.write(to: URL(fileURLWithPath: dir + "/l\(n).img"))
            guard let r = try runAmberLimited(["-restore:file=l\(n).img"], cwd: dir, seconds: 20) else {
                problems.append("heap word \(at - heapOffset): hang"); continue
            }
            if r.signaled || ![0, 70, 74].contains(r.status) {
                problems.append("heap word \(at - heapOffset): status \(r.status)\(r.signaled ? " (signal)" : ""): \(r.err)")
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}

@Suite struct ImageInUseTests {
    /// The image is cut short while a restored process runs on its pages: the
    /// next page it reads is gone (SIGBUS), which the launcher reports.
    @Test func truncatedWhileInUseIsReportedNotACrash() throws {
        let dir = try scratch(["main.wren": """
            import "io" for File
            var big = (0...60000).map {|i| "entry number %(i) with some padding text" }.toList
            class Main {
              static ready() {
                File.create("s.img") {|f| f.writeBytes("x") }
                var n = 0
                for (s in big) n = n + s.count
                System.print(n)
              }
            }
            Main.ready()
            """])
        #expect(try runAmber(["-snapshot:file=s.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let r = try #require(try runAmberLimited(["-restore:file=s.img"], cwd: dir, seconds: 60))
        #expect(!r.signaled)
        #expect(r.status == 74)
        #expect(r.err.contains("amber: image 's.img' was truncated or changed while in use (SIGBUS reading its pages)"),
                "\(r.err)")
    }
}

/// Inputs the fuzzers (Fuzz/) once found a problem with, replayed on every run.
@Suite struct FuzzRegressionTests {
    static func files(_ kind: String) -> [String] {
        let dir = repositoryRoot + "/Fuzz/Regressions/" + kind
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// Restored in this process in both modes (and run on with verify=full):
    /// refused as corrupt or restored, never a crash or a hang.
    @Test(arguments: files("image"))
    func imageRegressionIsRefusedCleanly(path: String) throws {
        let dir = try scratch([:])
        // As the fuzzer ran it: with its checksums recomputed, so the content checks are what is tested;
        // and with this build's fingerprint, so a change of format does not stop it at the header.
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if data.count >= ImageFormat.headerSize {
            var header = data.imageHeader
            header.fingerprint = ImageFormat.fingerprint
            // (Inputs found before format 3 are read as this format, unsigned.)
            header.formatVersion = ImageFormat.version
            header.digestOffset = 0
            header.digestCount = 0
            header.chunkShift = 0
            header.signature = ImageHeader.noSignature
            data.resealImage(header)
        }
        try data.write(to: URL(fileURLWithPath: dir + "/case.img"))
        for mode in VerifyMode.allCases {
            let outcome = restoreInProcess(dir + "/case.img", mode, resume: mode == .full)
            switch outcome {
            case .refused(let message):
                #expect(message.contains("corrupt") || message.contains("truncated") || message.contains("not an Amber image"),
                        "\(path), \(mode): \(message)")
            case .restored, .ran: break
            case .hung: Issue.record("\(path), \(mode): hung")
            }
        }
    }
}

@Suite struct InspectorTests {
    static let script = """
    import "os" for Process
    import "snapshot" for Snapshot
    var Region = Process.env("INSPECT_REGION")
    var Secret = Process.env("INSPECT_SECRET")
    Snapshot.registerPostRestoreHook(7) { System.print("back") }
    class Point {
      construct new(x) { _x = x }
    }
    var points = (1..30).map {|i| Point.new(i) }.toList
    class Main {
      static ready() { System.print(points.count) }
    }
    Main.ready()
    """

    @Test func describesARealImageWithoutRunningIt() throws {
        let dir = try scratch(["main.wren": InspectorTests.script])
        let env = ["INSPECT_REGION": "eu-west", "INSPECT_SECRET": "s3cr3t-\(UUID().uuidString)"]
        let made = try runAmber(["-snapshot:file=i.img,trigger=Main.ready,exit", "main.wren"], cwd: dir, env: env)
        #expect(made.0 == 0, "\(made.2)")
        let text = try runAmber(["-inspect:file=i.img"], cwd: dir)
        #expect(text.0 == 0, "\(text.2)")
        let out = text.1
        #expect(out.hasPrefix("image: format 3, fingerprint "))
        #expect(out.contains("\nsigned: no\n"))
        #expect(out.contains("trigger: Main.ready; resumes at the entry of the trigger method"))
        #expect(out.contains("  Point: 30 objects, "), "\(out)")
        #expect(out.contains("  ./main: Process, Snapshot, Region, Secret, Point, points, Main"), "\(out)")
        #expect(out.contains("fiber 0 (current): ready() at ./main line 11 <- (script) at ./main line 13"), "\(out)")
        #expect(out.contains("  post-restore, priority 7"))
        #expect(out.contains("environment variables read: INSPECT_REGION, INSPECT_SECRET"))
        #expect(!out.contains("back"), "the inspector ran script code")
        // The program kept the values in variables (its own business); the inspector never prints values.
        #expect(!out.contains(env["INSPECT_SECRET"]!))

        let json = try runAmber(["-inspect:file=i.img", "--json"], cwd: dir)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.1.utf8)) as? [String: Any])
        #expect((parsed["trigger"] as? String) == "Main.ready")
        let modules = try #require(parsed["modules"] as? [[String: Any]])
        #expect(modules.contains { ($0["name"] as? String) == "./main" })
        #expect((parsed["natives"] as? [String])?.contains("Num.+(_)") == true)
        #expect((parsed["environmentRead"] as? [String]) == ["INSPECT_REGION", "INSPECT_SECRET"])
    }

    /// Inspected in this process: a report or an ImageError, never a crash.
    @Test func corruptImagesAreRefusedNotCrashedOn() throws {
        let dir = try scratch(["main.wren": InspectorTests.script])
        #expect(try runAmber(["-snapshot:file=i.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let image = try Data(contentsOf: URL(fileURLWithPath: dir + "/i.img"))
        let (heapOffset, heapBytes) = image.imageHeader.heapSection
        var rng = SeededGenerator(state: 0x1A5EC7)
        var refused = 0
        for n in 0..<40 {
            var d = image
            if n % 4 == 3 {
                var header = d.imageHeader
                let v = UInt64.random(in: 0...UInt64.max, using: &rng)
                switch (n / 4) % 4 {
                case 0: header.heapOffset = v
                case 1: header.heapBytes = v
                case 2: header.rootOffset = v
                default: header.metaOffset = v
                }
                d.resealImage(header)
            } else {
                let at = heapOffset + Int.random(in: 0..<(heapBytes / 8), using: &rng) * 8
                d.setWord(at, UInt64.random(in: 0...UInt64.max, using: &rng))
                d.resealImage()
            }
            try d.write(to: URL(fileURLWithPath: dir + "/bad.img"))
            do { _ = try VM.inspectImage(at: dir + "/bad.img") } catch {
                refused += 1
                #expect(error.message.contains("corrupt"), "variant \(n): \(error.message)")
            }
        }
        #expect(refused >= 10, "the header changes were not all refused")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/text.img"))
        let text = try runAmber(["-inspect:file=text.img"], cwd: dir)
        #expect(text.0 == 74)
        #expect(text.2.contains("not an Amber image"))
    }
}
