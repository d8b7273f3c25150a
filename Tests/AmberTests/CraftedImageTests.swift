// Images changed on purpose, with their checksums recomputed so that only the
// content checks stand between them and the VM: a restore must end with an
// exit status, never a signal death or a hang. The corpus is generated from
// fixed seeds, so every case found once is replayed on every run.
import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

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
    func word(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[at + $1]) << (8 * UInt64($1)) } }
    mutating func setWord(_ at: Int, _ v: UInt64) { for k in 0..<8 { self[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) } }

    /// Recomputes the heap and header checksums (after a deliberate change).
    mutating func resealImage() {
        let heapOffset = Int(truncatingIfNeeded: word(64)), heapBytes = Int(truncatingIfNeeded: word(72))
        if heapOffset >= 0, heapBytes >= 0, heapOffset <= count, heapBytes <= count - heapOffset {
            let sum = self[heapOffset..<(heapOffset + heapBytes)].withUnsafeBytes {
                ImageFormat.checksum($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, heapBytes)
            }
            setWord(96, sum)
        }
        setWord(136, ImageFormat.checksum(Array(self[0..<ImageFormat.headerChecksumOffset])))
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
    var shapes = [Shape.new("triangle", 3), Shape.new("square", 4)]
    var table = {"a": 1, "b": [1, 2, 3], 3: "three"}
    var counter = Fn.new {|n| n + table.count }
    var worker = Fiber.new {|x|
      while (true) x = Fiber.yield(x * 2)
    }
    worker.call(1)
    class Main {
      static ready() {
        for (s in shapes) System.print(s.describe)
        System.print(counter.call(worker.call(20)))
        System.print(table["b"].map {|x| x * x }.toList)
      }
    }
    Main.ready()
    """

    /// Writes the base image once per test.
    func baseImage() throws -> (dir: String, image: Data) {
        let dir = try scratch(["main.wren": CraftedImageTests.script])
        let made = try runAmber(["-snapshot:file=base.img,trigger=Main.ready,exit", "main.wren"], cwd: dir)
        #expect(made.0 == 0, "\(made.2)")
        return (dir, try Data(contentsOf: URL(fileURLWithPath: dir + "/base.img")))
    }

    /// Restores each variant in both verify modes; collects what went wrong.
    func replay(_ variants: [(String, Data)], in dir: String) throws -> [String] {
        var problems: [String] = []
        for (i, (what, data)) in variants.enumerated() {
            let path = dir + "/v\(i).img"
            try data.write(to: URL(fileURLWithPath: path))
            for mode in ["", ",verify=header"] {
                guard let r = try runAmberLimited(["-restore:file=v\(i).img\(mode)"], cwd: dir, seconds: 20) else {
                    problems.append("\(what)\(mode): hang"); continue
                }
                if r.signaled { problems.append("\(what)\(mode): killed by signal \(r.status)") }
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        return problems
    }

    @Test func heapMutationsWithRecomputedChecksumsNeverCrashOrHang() throws {
        let (dir, image) = try baseImage()
        let heapOffset = Int(image.word(64)), heapBytes = Int(image.word(72))
        var rng = SeededGenerator(state: 0xA4B3_2024)
        var variants: [(String, Data)] = []
        // AMBER_CRAFTED_COUNT=N explores further; the kept corpus is the first 120.
        let count = Int(ProcessInfo.processInfo.environment["AMBER_CRAFTED_COUNT"] ?? "") ?? 120
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
            variants.append(("heap word \(at - heapOffset): \(String(old, radix: 16)) -> \(String(new, radix: 16))", d))
        }
        let problems = try replay(variants, in: dir)
        #expect(problems.isEmpty, "\(problems.count) of \(variants.count * 2):\n\(problems.joined(separator: "\n"))")
    }

    @Test func headerFieldChangesAreRejectedWithExit74() throws {
        let (dir, image) = try baseImage()
        var rng = SeededGenerator(state: 0x4EAD_E125)
        var variants: [(String, Data)] = []
        let fields = [40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128]
        for n in 0..<48 {
            var d = image
            let field = fields[n % fields.count]
            let value: UInt64 = [UInt64.max, 0, 1 << 63, UInt64.random(in: 0...UInt64.max, using: &rng),
                                 d.word(field) &+ 8, d.word(field) &- 8][n % 6]
            d.setWord(field, value)
            d.resealImage()
            variants.append(("header field \(field) = \(String(value, radix: 16))", d))
        }
        let problems = try replay(variants, in: dir)
        #expect(problems.isEmpty, "\(problems.count) of \(variants.count * 2):\n\(problems.joined(separator: "\n"))")
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

    @Test(arguments: files("image"))
    func imageRegressionIsRefusedCleanly(path: String) throws {
        let dir = try scratch([:])
        // As the fuzzer ran it: with its checksums recomputed, so the content checks are what is tested;
        // and with this build's fingerprint, so a change of format does not stop it at the header.
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if data.count >= ImageFormat.headerSize {
            data.setWord(40, ImageFormat.fingerprint)
            data.resealImage()
        }
        try data.write(to: URL(fileURLWithPath: dir + "/case.img"))
        for mode in ["", ",verify=header"] {
            let r = try #require(try runAmberLimited(["-restore:file=case.img\(mode)"], cwd: dir, seconds: 20),
                                 "\(path)\(mode) hangs")
            #expect(!r.signaled, "\(path)\(mode) killed by signal \(r.status)")
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
        #expect(out.hasPrefix("image: format 2, fingerprint "))
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

    @Test func corruptImagesAreRefusedNotCrashedOn() throws {
        let dir = try scratch(["main.wren": InspectorTests.script])
        #expect(try runAmber(["-snapshot:file=i.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let image = try Data(contentsOf: URL(fileURLWithPath: dir + "/i.img"))
        let heapOffset = Int(image.word(64)), heapBytes = Int(image.word(72))
        var rng = SeededGenerator(state: 0x1A5EC7)
        for n in 0..<40 {
            var d = image
            if n % 4 == 3 {
                d.setWord([64, 72, 88, 104][n % 4 == 3 ? (n / 4) % 4 : 0], UInt64.random(in: 0...UInt64.max, using: &rng))
            } else {
                let at = heapOffset + Int.random(in: 0..<(heapBytes / 8), using: &rng) * 8
                d.setWord(at, UInt64.random(in: 0...UInt64.max, using: &rng))
            }
            d.resealImage()
            try d.write(to: URL(fileURLWithPath: dir + "/bad.img"))
            let r = try #require(try runAmberLimited(["-inspect:file=bad.img"], cwd: dir, seconds: 20), "variant \(n) hangs")
            #expect(!r.signaled, "variant \(n): signal \(r.status)")
            #expect(r.status == 0 || r.status == 74, "variant \(n): \(r.status) \(r.err)")
        }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/text.img"))
        let text = try runAmber(["-inspect:file=text.img"], cwd: dir)
        #expect(text.0 == 74)
        #expect(text.2.contains("not an Amber image"))
    }
}
