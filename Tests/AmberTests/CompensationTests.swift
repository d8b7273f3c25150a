import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

/// What differs after a restore (ARCHITECTURE.md, "Compensations"), each checked across two processes.
@Suite(.serialized) struct CompensationTests {
    /// On virtual time (the port's clock and sleep slots), so nothing sleeps and no real
    /// time is measured: the writer's clocks, the 1.5 s the image lies frozen and the
    /// restoring process's clocks are all set by the test.
    @Test func sleepsAndClocksExcludeTheTimeFrozen() throws {
        let dir = try temporaryDirectory()
        let script = """
        import "scheduler" for Scheduler
        import "snapshot" for Snapshot
        import "time" for Time
        import "timer" for Timer
        var ms = Fn.new {|seconds| (seconds * 1000).round }
        var before = null
        var wallBefore = null
        Scheduler.add {
          Timer.sleep(1200)
          System.print("sleeper woke %(ms.call(Time.monotonic - before)) ms after the snapshot")
        }
        Timer.sleep(10)
        before = Time.monotonic
        wallBefore = Time.now
        if (Snapshot.take("\(dir)/t.img")) {
          System.print("restored; downtime %(ms.call(Snapshot.downtime)) ms")
          System.print("monotonic gap %(ms.call(Time.monotonic - before)) ms")
          System.print("wall clock moved on %(ms.call(Time.now - wallBefore)) ms")
        }
        Timer.sleep(2000)
        System.print("main woke %(ms.call(Time.monotonic - before)) ms after the snapshot")
        """
        let writerTime = VirtualTime(monotonic: 1000, wall: 1.8e9)
        var (config, writerOutput) = capturedConfiguration()
        writerTime.install(in: &config.port)
        let writer = try VM(configuration: config)
        #expect(writer.interpret(module: "main", source: script) == .success, "\(writerOutput.err)")
        #expect(writerOutput.out == "sleeper woke 1190 ms after the snapshot\nmain woke 2000 ms after the snapshot\n",
                "\(writerOutput.err)")
        #expect(writerTime.sleptMilliseconds == 2010)

        // The image needs the implementations it was written with, by name.
        do {
            _ = try VM.restore(from: dir + "/t.img", configuration: capturedConfiguration().0)
            Issue.record("a restore without the virtual clocks must fail")
        } catch {
            for slot in ["monotonicClock", "wallClock", "sleep"] {
                #expect(error.message.contains("slot '\(slot)' needs implementation 'virtual "), "\(error)")
            }
        }

        // Another process: its monotonic clock reads anything; the wall clock says 1.5 s went by.
        let restoreTime = VirtualTime(monotonic: 7, wall: writerTime.wall - 2.0 + 1.5)
        var (restoreConfig, restoredOutput) = capturedConfiguration()
        restoreTime.install(in: &restoreConfig.port)
        let restored = try VM.restore(from: dir + "/t.img", configuration: restoreConfig)
        #expect(restored.resumeFromImage() == .success, "\(restoredOutput.err)")
        #expect(restoredOutput.out == """
        restored; downtime 1500 ms
        monotonic gap 0 ms
        wall clock moved on 1500 ms
        sleeper woke 1190 ms after the snapshot
        main woke 2000 ms after the snapshot

        """, "\(restoredOutput.err)")
        // The sleeper still had 1.19 s to go and the main fiber 2 s: the frozen time cut neither short.
        #expect(restoreTime.sleptMilliseconds == 2000)
    }

    @Test func unseededGeneratorsReseedAndSeededOnesKeepTheirSequence() throws {
        let script = """
        import "random" for Random
        var Fresh = Random.new()
        var Seeded = Random.new(7)
        var Pinned = Random.new()
        Pinned.reseedOnRestore = false
        var Loose = Random.new(7)
        Loose.reseedOnRestore = true
        class Main {
          static ready() {
            for (r in [Fresh, Seeded, Pinned, Loose]) System.print((1..6).map { r.int(1000000) }.join(" "))
          }
        }
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        let original = try runAmber(["-snapshot:file=r.img,trigger=Main.ready", "main.wren"], cwd: dir)
        let a = try runAmber(["-restore:file=r.img"], cwd: dir)
        let b = try runAmber(["-restore:file=r.img"], cwd: dir)
        let o = original.1.split(separator: "\n"), x = a.1.split(separator: "\n"), y = b.1.split(separator: "\n")
        try #require(o.count == 4 && x.count == 4 && y.count == 4, "\(original.2) \(a.2) \(b.2)")
        #expect(x[0] != y[0] && x[0] != o[0], "unseeded generators must differ between restores")
        #expect(x[1] == o[1] && y[1] == o[1], "a seeded generator keeps its sequence")
        #expect(x[2] == o[2] && y[2] == o[2], "reseedOnRestore = false keeps the sequence")
        #expect(x[3] != y[3] && x[3] != o[3], "reseedOnRestore = true reseeds a seeded generator")
    }

    @Test func restoredProcessSeesItsEnvironmentAndEnvFiles() throws {
        let script = """
        import "os" for Process
        import "snapshot" for Snapshot
        Snapshot.registerRestoreEnvFile("restore.env")
        class Main {
          static ready() {
            System.print([Process.env("ONLY_AT_RESTORE"), Process.env("FROM_FILE"), Process.env("OVERRIDDEN")])
          }
        }
        Main.ready()
        """
        let dir = try scratch(["main.wren": script, "restore.env": "# comment\n\nFROM_FILE=file value\nOVERRIDDEN=from file\n"])
        let first = try runAmber(["-snapshot:file=e.img,trigger=Main.ready,exit", "main.wren"], cwd: dir,
                                 env: ["OVERRIDDEN": "original"])
        #expect(first.0 == 0, "\(first.2)")
        let second = try runAmber(["-restore:file=e.img"], cwd: dir, env: ["ONLY_AT_RESTORE": "yes", "OVERRIDDEN": "live"])
        #expect(second.1 == "[yes, file value, from file]\n", "\(second.2)")

        try "GOOD=1\nthis line is wrong\n".write(toFile: dir + "/restore.env", atomically: true, encoding: .utf8)
        let bad = try runAmber(["-restore:file=e.img"], cwd: dir)
        #expect(bad.0 == 70)
        #expect(bad.1 == "")
        #expect(bad.2.contains("/restore.env' line 2: expected KEY=VALUE."), "\(bad.2)")
    }

    @Test func verboseRestoreReportsVariablesReadBeforeTheSnapshotThatChanged() throws {
        let script = """
        import "os" for Process
        var Region = Process.env("REGION")
        class Main {
          static ready() { System.print("baked in: %(Region)") }
        }
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        let first = try runAmber(["-verbose:snapshot", "-snapshot:file=v.img,trigger=Main.ready,exit", "main.wren"],
                                 cwd: dir, env: ["REGION": "eu"])
        #expect(first.2.contains("code pointers") == false)
        #expect(first.2.contains("[snapshot] write v.img: header 4096 bytes, metadata"), "\(first.2)")
        let second = try runAmber(["-verbose:snapshot", "-restore:file=v.img"], cwd: dir, env: ["REGION": "us"])
        // The value read with Process.env is not in the image: the restore reads the variable again.
        #expect(second.1 == "baked in: us\n")
        #expect(second.2.contains("environment variable REGION was read before the snapshot and differs now (value changed)"),
                "\(second.2)")
        #expect(second.2.contains("code pointers fixed up by name:"))
        #expect(second.2.contains("10 port slots re-bound (dynamicLibraries=system, entropy=system, environment=system, fileSystem=system, "
                                  + "monotonicClock=system, process=system, sleep=system, standardStreams=system, "
                                  + "wallClock=system, workingDirectory=system)"), "\(second.2)")
        let quiet = try runAmber(["-restore:file=v.img"], cwd: dir, env: ["REGION": "us"])
        #expect(quiet.2 == "")
    }

    @Test func secretsNeverReachTheImage() throws {
        let script = """
        import "os" for Process
        import "snapshot" for Snapshot
        var Token = Snapshot.transient(Process.env("API_TOKEN"))
        var seen = Process.env("READ_ONLY_SECRET") != null
        Snapshot.registerImmutableEnv(["API_TOKEN"])
        Snapshot.registerPostRestoreHook {
          System.print("after restore: %(Token.value)")
          Token.value = Process.env("API_TOKEN")
        }
        if (Snapshot.take("s.img")) {
          System.print("restored: %(Token.value)")
        } else {
          System.print("writer keeps: %(Token.value)")
        }
        """
        let dir = try scratch(["main.wren": script])
        let env = ["API_TOKEN": "tok-\(UUID().uuidString)", "READ_ONLY_SECRET": "ro-\(UUID().uuidString)"]
        let writer = try runAmber(["-verbose:snapshot", "main.wren"], cwd: dir, env: env)
        #expect(writer.1 == "writer keeps: \(env["API_TOKEN"]!)\n", "\(writer.2)")
        let image = try Data(contentsOf: URL(fileURLWithPath: dir + "/s.img"))
        for secret in env.values {
            #expect(image.range(of: Data(secret.utf8)) == nil, "the image holds a secret")
            #expect(!writer.2.contains(secret))
        }
        let restored = try runAmber(["-verbose:snapshot", "-restore:file=s.img"], cwd: dir, env: env)
        #expect(restored.1 == "after restore: null\nrestored: \(env["API_TOKEN"]!)\n", "\(restored.2)")
        for secret in env.values { #expect(!restored.2.contains(secret)) }
    }

    @Test func immutableVariablesMustNotChange() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerImmutableEnv(["DB_URL"])
        class Main {
          static ready() { System.print("connected") }
        }
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        _ = try runAmber(["-snapshot:file=i.img,trigger=Main.ready,exit", "main.wren"], cwd: dir, env: ["DB_URL": "db1"])
        let same = try runAmber(["-restore:file=i.img"], cwd: dir, env: ["DB_URL": "db1"])
        #expect(same.1 == "connected\n", "\(same.2)")
        let changed = try runAmber(["-restore:file=i.img"], cwd: dir, env: ["DB_URL": "db2"])
        #expect(changed.0 == 70)
        #expect(changed.2.hasPrefix("amber: Immutable environment variable changed since the snapshot: 'DB_URL' (value changed)."),
                "\(changed.2)")
        #expect(!changed.2.contains("db1") && !changed.2.contains("db2"), "values must not be shown: \(changed.2)")
    }

    @Test func dryRunRunsEveryHookAndWritesNothing() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerPreSnapshotHook(2) { System.print("pre 2") }
        Snapshot.registerPreSnapshotHook(1) { System.print("pre 1") }
        Snapshot.registerPostRestoreHook(1) { System.print("post 1") }
        Snapshot.registerPostRestoreHook(2) { System.print("post 2") }
        class Main {
          static ready() { System.print("ready, restored %(Snapshot.isRestored), generation %(Snapshot.generation)") }
        }
        Main.ready()
        """
        let dir = try scratch(["main.wren": script])
        let run = try runAmber(["-snapshot:file=d.img,trigger=Main.ready,dryrun", "main.wren"], cwd: dir)
        #expect(run.1 == "pre 1\npre 2\npost 2\npost 1\nready, restored true, generation 1\n", "\(run.2)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/d.img"))
    }

    @Test func everyFailingHookRunsAndIsListed() throws {
        let script = """
        import "snapshot" for Snapshot
        Snapshot.registerPreSnapshotHook { Fiber.abort("first") }
        Snapshot.registerPreSnapshotHook { System.print("still runs") }
        Snapshot.registerPreSnapshotHook { Fiber.abort("second") }
        var f = Fiber.new { Snapshot.take("x.img") }
        f.try()
        System.print(f.error)
        """
        let dir = try scratch(["main.wren": script])
        let run = try runAmber(["main.wren"], cwd: dir)
        #expect(run.1 == "still runs\nPre-snapshot hook failed: first; second\n", "\(run.2)")
    }

    @Test func envFileParsing() {
        guard let dir = try? temporaryDirectory() else { Issue.record("no temporary directory"); return }
        let path = dir + "/a.env"
        try? "A=1\n  # note\nB = spaced\n1X=bad\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .failure(let e) = VM.parseEnvFile(path) else { Issue.record("expected failure"); return }
        #expect(e.message.contains("line 3"))  // "B " is not a valid name
        try? "A=1\n\n# c\nB_2=x=y\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        guard case .success(let pairs) = VM.parseEnvFile(path) else { Issue.record("expected success"); return }
        #expect(pairs.map { $0.0 } == ["A", "B_2"])
        #expect(pairs.map { $0.1 } == ["1", "x=y"])
    }
}

/// Time that moves only when told: the monotonic and wall clocks of one
/// process, and a sleep that moves both at once, as port slots with names of
/// their own (an image records them; its restore must supply them again).
final class VirtualTime: @unchecked Sendable {
    private(set) var monotonic: Double
    private(set) var wall: Double
    private(set) var slept = 0.0
    var sleptMilliseconds: Double { (slept * 1000).rounded() }

    init(monotonic: Double, wall: Double) {
        self.monotonic = monotonic
        self.wall = wall
    }

    func sleep(_ seconds: Double) {
        monotonic += seconds
        wall += seconds
        slept += seconds
    }

    func install(in port: inout PortLibrary) {
        port.monotonicClock = PortFunction("virtual monotonic") { self.monotonic }
        port.wallClock = PortFunction("virtual wall") { self.wall }
        port.sleep = PortFunction("virtual sleep") { self.sleep($0) }
    }
}
