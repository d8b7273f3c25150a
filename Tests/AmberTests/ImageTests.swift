import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
@testable import AmberLauncher

/// Runs the built `amber` executable as a separate process.
func runAmber(_ args: [String], cwd: String, env: [String: String] = [:], stdin: String? = nil) throws -> (Int32, String, String) {
    try runBuilt("amber", args, cwd: cwd, env: env, stdin: stdin)
}

/// Runs one of the package's built executables as a separate process.
func runBuilt(_ program: String, _ args: [String], cwd: String, env: [String: String] = [:],
              stdin: String? = nil) throws -> (Int32, String, String) {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent(program).path
    let binary = FileManager.default.fileExists(atPath: exe) ? exe
        : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/" + program).path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Standard error is read beside standard output: a child that fills one
    // pipe while we wait on the other would block forever (-verbose:gc under
    // AMBER_GC_STRESS writes thousands of lines).
    nonisolated(unsafe) var e = Data()
    let errorRead = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        e = err.fileHandleForReading.readDataToEndOfFile()
        errorRead.signal()
    }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    errorRead.wait()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A scratch directory with the given files.
func scratch(_ files: [String: String]) throws -> String {
    let dir = try temporaryDirectory()
    for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    return dir
}

/// Snapshots `script` in one process with `trigger`, restores in another; returns both runs.
func snapshotAndRestore(_ script: String, trigger: String, extraFiles: [String: String] = [:],
                        restoreArgs: [String] = []) throws -> (first: (Int32, String, String), second: (Int32, String, String), dir: String) {
    var files = extraFiles
    files["main.wren"] = script
    let dir = try scratch(files)
    let first = try runAmber(["-snapshot:file=app.img,trigger=\(trigger)", "main.wren"], cwd: dir)
    let second = try runAmber(["-restore:file=app.img"] + restoreArgs, cwd: dir)
    return (first, second, dir)
}

@Suite(.serialized) struct SnapshotProcessTests {
    @Test func closuresListsMapsStringsAndStaticsSurvive() throws {
        let script = """
        class Main {
          static setUp() {
            __table = {"one": 1, "two": [2, 2.5], 3: "three"}
            __words = ["amber", "wren"]
          }
          static ready() {
            System.print(__table["two"][1])
            System.print(__table[3] + " " + __words.join("+"))
          }
        }
        var counter = Fn.new {
          var n = 10
          return Fn.new { n = n + 1 }
        }.call()
        counter.call()
        Main.setUp()
        Main.ready()
        System.print("counter %(counter.call())")
        """
        let (first, second, _) = try snapshotAndRestore(script, trigger: "Main.ready")
        #expect(first.0 == 0, "\(first.2)")
        #expect(first.1 == "2.5\nthree amber+wren\ncounter 12\n")
        #expect(second.0 == 0, "\(second.2)")
        #expect(second.1 == first.1)
    }

    @Test func fibersSuspendedInsideCallsResume() throws {
        let script = """
        class Main {
          static ready(fiber) { System.print("ready") }
        }
        var gen = Fiber.new {
          var deep = Fn.new {|x| Fiber.yield(x * 10) }
          for (i in 1..5) deep.call(i)
        }
        System.print(gen.call())
        System.print(gen.call())
        Main.ready(gen)
        System.print(gen.call())
        System.print(gen.call())
        """
        let (first, second, _) = try snapshotAndRestore(script, trigger: "Main.ready(_)")
        #expect(first.1 == "10\n20\nready\n30\n40\n")
        #expect(second.1 == "ready\n30\n40\n", "\(second.2)")
        #expect(second.0 == 0)
    }

    @Test func importedModulesAndArgumentsOfTheRestoringProcess() throws {
        let script = """
        import "os" for Process
        import "helper" for Helper
        class App {
          static start() { System.print("%(Helper.greet()) %(Process.arguments)") }
        }
        App.start()
        """
        let helper = "class Helper {\n  static greet() { \"hello from helper\" }\n}\n"
        let (first, second, _) = try snapshotAndRestore(script, trigger: "App.start",
                                                        extraFiles: ["helper.wren": helper],
                                                        restoreArgs: ["x", "y"])
        #expect(first.1 == "hello from helper []\n", "\(first.2)")
        #expect(second.1 == "hello from helper [x, y]\n", "\(second.2)")
    }

    @Test func hooksRunByPriorityAndSnapshotTakeReturnsTrueWhenRestored() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerPreSnapshotHook(10) { System.print("pre 10") }
        Snapshot.registerPreSnapshotHook { System.print("pre 0") }
        Snapshot.registerPreSnapshotHook(-5) { System.print("pre -5") }
        Snapshot.registerPostRestoreHook(1) { System.print("post 1") }
        Snapshot.registerPostRestoreHook(7) { System.print("post 7") }
        Snapshot.registerPostRestoreHook(1) { System.print("post 1 again") }
        var resumed = Snapshot.take("take.img")
        System.print("resumed: %(resumed), restored: %(Snapshot.isRestored), generation %(Snapshot.generation)")
        """
        let dir = try scratch(["main.wren": script])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.1 == "pre -5\npre 0\npre 10\nresumed: false, restored: false, generation 0\n", "\(first.2)")
        let second = try runAmber(["-restore:file=take.img"], cwd: dir)
        #expect(second.1 == "post 7\npost 1\npost 1 again\nresumed: true, restored: true, generation 1\n", "\(second.2)")
        #expect(second.0 == 0)
    }

    @Test func failingPreSnapshotHookCancelsTheSnapshot() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerPreSnapshotHook { Fiber.abort("not ready") }
        var f = Fiber.new { Snapshot.take("never.img") }
        f.try()
        System.print(f.error)
        """
        let dir = try scratch(["main.wren": script])
        let run = try runAmber(["main.wren"], cwd: dir)
        #expect(run.0 == 0, "\(run.2)")
        #expect(run.1 == "Pre-snapshot hook failed: not ready\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left == ["main.wren"], "a failed snapshot left \(left)")
    }

    @Test func noSnapshotFromInsideAHookOrIntoAMissingDirectory() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerPreSnapshotHook {
          var inner = Fiber.new { Snapshot.take("inner.img") }
          inner.try()
          System.print("hook: %(inner.error)")
        }
        System.print(Snapshot.take("outer.img"))
        var f = Fiber.new { Snapshot.take("no/such/dir/x.img") }
        f.try()
        System.print(f.error)
        """
        let dir = try scratch(["main.wren": script])
        let run = try runAmber(["main.wren"], cwd: dir)
        #expect(run.1.hasPrefix(
            "hook: Cannot take a snapshot here: a Swift frame (a host call, a foreign method or a snapshot hook) is on the stack.\nfalse\n"), "\(run.2)")
        #expect(run.1.contains("Cannot write image 'no/such/dir/x.img': No such file or directory."))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == ["main.wren", "outer.img"])
    }

    @Test func abandonedTemporariesAreRemovedAndSymlinksReplaced() throws {
        let dir = try scratch(["main.wren": "class Main {\n  static ready() { System.print(\"ok\") }\n}\nMain.ready()\n",
                               "target.txt": "keep me"])
        // A writer that was killed (no such process) and one that still runs (this one).
        let dead = dir + "/.amber-image-999999999-1234.tmp"
        let alive = dir + "/.amber-image-\(getpid())-5678.tmp"
        for f in [dead, alive] { try "partial".write(toFile: f, atomically: false, encoding: .utf8) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/app.img", withDestinationPath: dir + "/target.txt")
        let run = try runAmber(["-snapshot:file=app.img,trigger=Main.ready,exit", "main.wren"], cwd: dir)
        #expect(run.0 == 0, "\(run.2)")
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive))
        // The link itself was replaced by the image; its target is untouched.
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/app.img")
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect(try String(contentsOfFile: dir + "/target.txt", encoding: .utf8) == "keep me")
        #expect(try runAmber(["-restore:file=app.img"], cwd: dir).1 == "ok\n")
    }

    @Test func restoreFromAnotherDirectoryFindsModulesClasspathAndEnvFiles() throws {
        let dir = try scratch([:])
        try FileManager.default.createDirectory(atPath: dir + "/app", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/vendor", withIntermediateDirectories: true)
        try """
        import "os" for Process
        import "snapshot" for Snapshot
        Snapshot.registerRestoreEnvFile("app/restore.env")
        class Main {
          static ready() {
            import "./lib" for Lib
            import "util" for Util
            System.print([Lib.name, Util.name, Process.env("FROM_FILE")])
          }
        }
        Main.ready()
        """.write(toFile: dir + "/app/main.wren", atomically: true, encoding: .utf8)
        try "class Lib {\n  static name { \"lib\" }\n}\n".write(toFile: dir + "/app/lib.wren", atomically: true, encoding: .utf8)
        try "class Util {\n  static name { \"util\" }\n}\n".write(toFile: dir + "/vendor/util.wren", atomically: true, encoding: .utf8)
        try "FROM_FILE=yes\n".write(toFile: dir + "/app/restore.env", atomically: true, encoding: .utf8)
        let made = try runAmber(["-cp", "vendor", "-snapshot:file=app.img,trigger=Main.ready,exit", "app/main.wren"], cwd: dir)
        #expect(made.0 == 0, "\(made.2)")
        let elsewhere = try scratch([:])
        let restored = try runAmber(["-restore:file=\(dir)/app.img"], cwd: elsewhere)
        #expect(restored.0 == 0, "\(restored.2)")
        #expect(restored.1 == "[lib, util, yes]\n", "\(restored.2)")
    }

    @Test func heapCapOnRestoreIsHonoured() throws {
        let dir = try scratch(["main.wren": """
            var keep = (0...40000).map {|i| "item %(i)" }.toList
            class Main {
              static ready() {
                var f = Fiber.new { List.filled(20000000, 0).count }
                System.print(f.try())
              }
            }
            Main.ready()
            """])
        #expect(try runAmber(["-snapshot:file=m.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let roomy = try runAmber(["-restore:file=m.img"], cwd: dir)
        #expect(roomy.1 == "20000000\n", "\(roomy.2)")
        let tight = try runAmber(["-Xmx16m", "-restore:file=m.img"], cwd: dir)
        #expect(tight.1 == "Out of memory.\n", "\(tight.2)")
        let tooSmall = try runAmber(["-Xmx1m", "-restore:file=m.img"], cwd: dir)
        #expect(tooSmall.0 == 74)
        #expect(tooSmall.2.contains("more than the heap cap of 1048576 bytes asked for (-Xmx); raise the cap."), "\(tooSmall.2)")
    }

    @Test func fifoImagePathIsRefusedAtOnce() throws {
        let dir = try scratch([:])
        #expect(mkfifo(dir + "/pipe.img", 0o600) == 0)
        let r = try runAmber(["-restore:file=pipe.img"], cwd: dir)
        #expect(r.0 == 74)
        #expect(r.2.contains("'pipe.img' is not a regular file."), "\(r.2)")
    }

    @Test func failingPostRestoreHookEndsTheRestore() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerPostRestoreHook { Fiber.abort("database gone") }
        class Main {
          static ready() { System.print("running") }
        }
        Main.ready()
        """
        let (first, second, _) = try snapshotAndRestore(script, trigger: "Main.ready")
        #expect(first.1 == "running\n")
        #expect(second.0 == 70)
        #expect(second.1 == "")
        #expect(second.2.contains("amber: Post-restore hook failed: database gone"), "\(second.2)")
    }

    @Test func exitAfterSnapshotAndUnfiredTrigger() throws {
        let dir = try scratch(["main.wren": "class Main {\n  static ready() { System.print(\"after\") }\n}\nSystem.print(\"before\")\nMain.ready()\n"])
        let built = try runAmber(["-snapshot:file=a.img,trigger=Main.ready,exit", "main.wren"], cwd: dir)
        #expect(built.0 == 0)
        #expect(built.1 == "before\n")
        let resumed = try runAmber(["-restore:file=a.img"], cwd: dir)
        #expect(resumed.1 == "after\n")
        let unfired = try runAmber(["-snapshot:file=b.img,trigger=Nope.ready", "main.wren"], cwd: dir)
        #expect(unfired.0 == 73)
        #expect(unfired.2.contains("snapshot trigger 'Nope.ready' never fired: class Nope was never defined"))
        let unfiredExit = try runAmber(["-snapshot:file=b.img,trigger=Nope.ready,exit", "main.wren"], cwd: dir)
        #expect(unfiredExit.0 == 73)
        // A failing pre-snapshot hook: nothing written, and the process says so.
        try """
        import "snapshot" for Snapshot
        Snapshot.registerPreSnapshotHook { Fiber.abort("not now") }
        class Main {
          static ready() { System.print("ready") }
        }
        Main.ready()
        """.write(toFile: dir + "/hooked.wren", atomically: true, encoding: .utf8)
        for exit in ["", ",exit"] {
            let failed = try runAmber(["-snapshot:file=c.img,trigger=Main.ready\(exit)", "hooked.wren"], cwd: dir)
            #expect(failed.0 == 73, "\(failed.2)")
            #expect(failed.2.contains("amber: snapshot failed: Pre-snapshot hook failed: not now"), "\(failed.2)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/c.img"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/b.img"))
    }

    @Test func badAndTruncatedImagesAreRejected() throws {
        let dir = try scratch(["main.wren": "class Main {\n  static ready() { System.print(\"ok\") }\n}\nMain.ready()\n"])
        _ = try runAmber(["-snapshot:file=good.img,trigger=Main.ready", "main.wren"], cwd: dir)
        let good = try Data(contentsOf: URL(fileURLWithPath: dir + "/good.img"))
        func attempt(_ data: Data, _ expected: String, mode: String = "") throws {
            try data.write(to: URL(fileURLWithPath: dir + "/bad.img"))
            let r = try runAmber(["-restore:file=bad.img\(mode)"], cwd: dir)
            #expect(r.0 == 74, "\(expected): \(r.2)")
            #expect(r.2.contains(expected), "\(r.2)")
            #expect(r.1 == "")
        }
        try attempt(Data("hello".utf8), "not an Amber image")
        try attempt(good.prefix(good.count - 5000), "truncated")
        // One bit flipped in the middle of the heap pages.
        let heapOffset = good[64..<72].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let heapBytes = good[72..<80].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var flipped = good
        flipped[heapOffset + heapBytes / 2] ^= 0x40
        try attempt(flipped, "heap checksum mismatch", mode: ",verify=full")
        var header = good
        header[200] ^= 1  // inside the header page but outside the checksummed fields: still fine
        header[50] ^= 1
        try attempt(header, "header checksum mismatch")
        var version = good
        version[16] = 99
        try attempt(version, "format version 99")
        let missing = try runAmber(["-restore:file=nothing.img"], cwd: dir)
        #expect(missing.0 == 74)
        #expect(missing.2.contains("Cannot open image 'nothing.img'"))
        let usage = try runAmber(["-restore:fil=x"], cwd: dir)
        #expect(usage.0 == 64)
    }
}

@Suite struct SnapshotLibraryTests {
    /// The same image restored twice in one process: each VM maps it at its own address.
    @Test func oneImageRestoredTwiceInOneProcess() throws {
        let dir = try scratch(["main.wren": """
        class Main {
          static ready() {
            __n = __n == null ? 1 : __n + 1
            System.print("run %(__n)")
          }
        }
        var data = (1..1000).map {|i| "item %(i)" }.toList
        Main.ready()
        System.print(data[999])
        """])
        let (code, _, err) = runLauncher(["-snapshot:file=\(dir)/twice.img,trigger=Main.ready", "\(dir)/main.wren"])
        #expect(code == 0, "\(err)")
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/twice.img"))
        let restores = try (0..<2).map { _ in try restoreCaptured(dir + "/twice.img") }
        let vms = restores.map(\.0), outputs = restores.map(\.1)
        #expect(vms[0].heap.base != vms[1].heap.base)
        for (vm, capture) in zip(vms, outputs) {
            #expect(vm.resumeFromImage() == .success)
            #expect(capture.out == "run 1\nitem 1000\n", "\(capture.err)")
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: dir + "/twice.img"))
        #expect(before == after, "restoring modified the image")
    }

    @Test func triggerMatchesSignatures() {
        let any = SnapshotRequest(path: "x", trigger: "Main.ready")
        #expect(any.matches(signature: "ready"))
        #expect(any.matches(signature: "ready(_,_)"))
        #expect(!any.matches(signature: "readyNow()"))
        let one = SnapshotRequest(path: "x", trigger: "Main.ready(_)")
        #expect(one.matches(signature: "ready(_)"))
        #expect(!one.matches(signature: "ready()"))
        let minus = SnapshotRequest(path: "x", trigger: "Vec.-")
        #expect(minus.matches(signature: "-") && minus.matches(signature: "-(_)"))
        #expect(SnapshotRequest(path: "x", trigger: "Vec.[_]").matches(signature: "[_]"))
        #expect(!SnapshotRequest(path: "x", trigger: "Vec.[_]").matches(signature: "[_]=(_)"))
    }

    /// A trigger names the class that defines the method: it fires for a
    /// receiver of a subclass that inherits it, through `super`, and for an
    /// operator method; -verbose:snapshot names the receiver's class.
    @Test func triggerFiresForInheritedSuperAndOperatorMethods() throws {
        let classes = """
        class Base {
          construct new() {}
          ready() { System.print("Base.ready on %(type)") }
          +(other) { "Base.+ on %(type) with %(other)" }
          label { _label }
          label=(value) { _label = value }
        }
        class Sub is Base {
          construct new() { super() }
          ready() {
            System.print("Sub.ready")
            super.ready()
          }
        }
        class Leaf is Base {
          construct new() { super() }
        }
        System.print("start")

        """
        let cases: [(trigger: String, calls: String, restored: String, receiver: String)] = [
            ("Base.ready", "Leaf.new().ready()\nSystem.print(\"end\")", "Base.ready on Leaf\nend\n", "Leaf"),
            ("Base.ready", "Sub.new().ready()\nSystem.print(\"end\")", "Base.ready on Sub\nend\n", "Sub"),
            ("Base.+(_)", "System.print(Leaf.new() + 2)", "Base.+ on Leaf with 2\n", "Leaf"),
            // One-field accessors run without a frame, except when a trigger watches them.
            ("Base.label=(_)", "var s = Sub.new()\nSystem.print(s.label = \"set\")\nSystem.print(s.label)",
             "set\nset\n", "Sub"),
        ]
        for c in cases {
            let dir = try scratch(["main.wren": classes + c.calls + "\n"])
            let first = try runAmber(["-verbose:snapshot", "-snapshot:file=app.img,trigger=\(c.trigger)", "main.wren"], cwd: dir)
            #expect(first.0 == 0, "\(c.trigger): \(first.2)")
            #expect(first.2.contains("trigger \(c.trigger) entered (receiver: \(c.receiver))"), "\(first.2)")
            let second = try runAmber(["-restore:file=app.img"], cwd: dir)
            #expect(second.0 == 0, "\(c.trigger): \(second.2)")
            #expect(second.1 == c.restored, "\(c.trigger) after \(c.calls)")
        }
        // The defining class, not the receiver's: Leaf defines no ready.
        let dir = try scratch(["main.wren": classes + "Leaf.new().ready()\n"])
        let unfired = try runAmber(["-snapshot:file=app.img,trigger=Leaf.ready", "main.wren"], cwd: dir)
        #expect(unfired.0 == 73)
        #expect(unfired.2.contains("method ready of Leaf was never called"), "\(unfired.2)")
    }
}

@Suite struct OutputFailureTests {
    /// Runs amber with its standard output on /dev/full.
    func runIntoFullDevice(_ args: [String], cwd: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: repositoryRoot + "/.build/debug/amber")
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("amber")
        if FileManager.default.fileExists(atPath: sibling.path) { p.executableURL = sibling }
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    @Test func unwritableOutputEndsWith120InPlainAndRestoredRuns() throws {
        let dir = try scratch(["main.wren": "class Main {\n  static ready() { System.print(\"hello\") }\n}\nMain.ready()\n"])
        let plain = try runIntoFullDevice(["main.wren"], cwd: dir)
        #expect(plain.0 == 120)
        #expect(plain.1.contains("amber: error writing to standard output: no space left on device"), "\(plain.1)")
        #expect(try runAmber(["-snapshot:file=o.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let restored = try runIntoFullDevice(["-restore:file=o.img"], cwd: dir)
        #expect(restored.0 == 120)
        #expect(restored.1.contains("no space left on device"), "\(restored.1)")
    }
}

/// After a restore, the objects mapped from the image are an old region that
/// ordinary collections mark through but do not move.
@Suite struct OldRegionCollectionTests {
    static let script = """
    class Main {
      static ready() {
        System.gc()
        var young = (0...5000).map {|i| "young %(i)" }.toList
        __data[7] = ["changed", -1]
        System.gc()
        var sum = 0
        for (e in __data) sum = sum + e[1]
        System.print("%(__data.count) %(sum) %(__data[7][0]) %(__data[19999][0]) %(young[4999])")
      }
      static build() {
        __data = []
        for (i in 0...20000) __data.add(["entry %(i) padded to about one hundred bytes .........................", i])
      }
    }
    Main.build()
    Main.ready()
    """

    /// Collections after a restore leave the image's pages as they are in
    /// the file, except where objects were written to.
    @Test func collectionsAfterARestoreLeaveUnchangedPagesAlone() throws {
        let dir = try scratch(["main.wren": OldRegionCollectionTests.script])
        let first = try runAmber(["-snapshot:file=o.img,trigger=Main.ready,exit", "main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        let (config, capture) = capturedConfiguration()
        let vm = try VM.restore(from: dir + "/o.img", configuration: config)
        _ = vm.resumeFromImage()
        #expect(capture.out == "20000 199989992 changed entry 19999 padded to about one hundred bytes ......................... young 4999\n",
                "\(capture.err)")
        #expect(vm.collections >= 2)
        #expect(vm.fullCollections == 0, "no full collection was needed")
        // Compare the old region with the file, page by page.
        let file = try Data(contentsOf: URL(fileURLWithPath: dir + "/o.img"))
        let (heapOffset, heapBytes) = file.imageHeader.heapSection
        let page = 4096
        var changed = 0, pages = 0
        for start in stride(from: 0, to: heapBytes, by: page) {
            let n = min(page, heapBytes - start)
            pages += 1
            let same = file[(heapOffset + start)..<(heapOffset + start + n)].withUnsafeBytes {
                memcmp($0.baseAddress!, vm.heap.base + start, n) == 0
            }
            if !same { changed += 1 }
        }
        #expect(vm.heap.oldTop > heapBytes, "survivors of young collections are promoted above the image")
        // The root block, the running fiber's stack and frames, the list and
        // the module variables it went through: a handful of pages of hundreds.
        #expect(pages > 500)
        #expect(changed * 20 < pages, "\(changed) of \(pages) image pages written")
    }

    /// A restore does not start with a collection: the next one comes when
    /// the heap has doubled, as after any collection (an image above the
    /// fresh VM's first threshold used to be collected, read page by page,
    /// before its first instruction ran).
    @Test func restoreDoesNotStartWithACollection() throws {
        let script = """
        class Main {
          static ready() { System.print("ready %(__data.count)") }
          static build() {
            __data = []
            var chunk = "x" * 200
            for (i in 1..100000) __data.add(chunk + i.toString)
          }
        }
        Main.build()
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        #expect(try runAmber(["-snapshot:file=big.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let (config, capture) = capturedConfiguration()
        let vm = try VM.restore(from: dir + "/big.img", configuration: config)
        #expect(vm.heap.used > 20 << 20, "the image should pass the first threshold (16 MB)")
        _ = vm.resumeFromImage()
        #expect(capture.out == "ready 100000\n", "\(capture.err)")
        #expect(vm.collections == 0)
    }

    /// Old objects that die are reclaimed by a full collection once the old
    /// space has grown by a quarter (at least two young spaces); -verbose:gc
    /// says which kind ran.
    @Test func oldGarbageIsReclaimedByAFullCollection() throws {
        let script = OldRegionCollectionTests.script.replacingOccurrences(of: "    System.gc()\n    var young", with: """
                System.gc()
                var kept = __data[19999]
                for (round in 1..8) {
                  __data = (0...20000).map {|i| [kept[0], i] }.toList
                  System.gc()
                }
                var young
            """)
        let dir = try scratch(["main.wren": script])
        #expect(try runAmber(["-snapshot:file=o.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        // -Xmx 8 MB: the old space's floor (half of it) lets a full collection come early.
        let r = try runAmber(["-verbose:gc", "-Xmn1m", "-Xmx8m", "-restore:file=o.img"], cwd: dir)
        #expect(r.0 == 0, "\(r.2)")
        let kinds = r.2.split(separator: "\n").filter { $0.hasPrefix("amber: [gc]") }.map { $0.contains(" young: ") ? "young" : "full" }
        #expect(kinds.first == "young", "\(r.2)")
        #expect(kinds.contains("full"), "\(r.2)")
    }
}
