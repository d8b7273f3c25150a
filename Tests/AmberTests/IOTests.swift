import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects

/// Runs the built `amber` executable with `input` on its standard input.
func runAmber(_ args: [String], cwd: String, input: String) throws -> (Int32, String, String) {
    try runAmber(args, cwd: cwd, stdin: input)
}

/// Open files across a snapshot: recorded by path, flags and position in the
/// heap, reopened by the restoring process, never used through a stale descriptor.
@Suite(.serialized) struct IOSnapshotTests {
    static let readerScript = """
    import "io" for File
    import "snapshot" for Snapshot
    var input = File.open("data.txt")
    var log = File.create("log.txt")
    var logPath = File.realPath("log.txt")
    log.writeBytes("start;")
    System.print(input.readBytes(5))
    var restored = Snapshot.take("io.img")
    System.print("restored %(restored) generation %(Snapshot.generation)")
    System.print(input.isOpen)
    System.print(input.readBytes(5, 5))
    System.print(input.readBytes(100, 10))
    log.writeBytes("%(restored);")
    input.close()
    log.close()
    System.print(File.read(logPath))
    """

    @Test func openFilesContinueInTheRestoredProcess() throws {
        let dir = try scratch(["main.wren": IOSnapshotTests.readerScript, "data.txt": "abcdefghijklmnopqrstuvwxyz"])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        #expect(first.1 == "abcde\nrestored false generation 0\ntrue\nfghij\nklmnopqrstuvwxyz\nstart;false;\n")

        // Restored elsewhere: files were recorded by absolute path, and the
        // log (created with truncate) is reopened without being truncated.
        let elsewhere = try temporaryDirectory()
        let second = try runAmber(["-restore:file=\(dir)/io.img"], cwd: elsewhere)
        #expect(second.0 == 0, "\(second.2)")
        #expect(second.1 == "restored true generation 1\ntrue\nfghij\nklmnopqrstuvwxyz\nstart;false;true;\n")

        // Every restore reopens on its own.
        let third = try runAmber(["-restore:file=io.img"], cwd: dir)
        #expect(third.0 == 0, "\(third.2)")
        #expect(third.1.hasSuffix("start;false;true;true;\n"), "\(third.1)")
    }

    @Test func aFileThatIsGoneGivesAClearError() throws {
        let dir = try scratch(["main.wren": IOSnapshotTests.readerScript, "data.txt": "abcdefghijklmnopqrstuvwxyz"])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        try FileManager.default.removeItem(atPath: dir + "/data.txt")
        let second = try runAmber(["-restore:file=io.img"], cwd: dir)
        #expect(second.0 == 70)
        #expect(second.1 == "restored true generation 1\ntrue\n")
        let real = try #require(realpath(dir, nil).map { p -> String in defer { free(p) }; return String(cString: p) })
        let lines = second.2.split(separator: "\n").map(String.init)
        #expect(lines.first == "File '\(real)/data.txt' was open when the image was written and could not be "
                + "reopened: no such file or directory.", "\(second.2)")
        #expect(lines.contains { $0.contains("main line 11]") }, "\(second.2)")
    }

    @Test func aReplacedFileIsRefusedUnlessAccepted() throws {
        let script = """
        import "io" for File
        import "snapshot" for Snapshot
        var strict = File.open("data.txt")
        var lenient = File.open("data.txt")
        lenient.acceptReplacement = true
        if (Snapshot.take("r.img")) {
          System.print(Fiber.new { strict.readBytes(3) }.try())
          System.print(lenient.readBytes(3))
        } else {
          System.print(strict.readBytes(3))
        }
        """
        let dir = try scratch(["main.wren": script, "data.txt": "old contents"])
        #expect(try runAmber(["main.wren"], cwd: dir).1 == "old\n")
        // The same path, another file (a new inode): as after a deploy replaced it.
        // (Made beside it, then renamed over it, so it cannot reuse the old inode number.)
        try "new contents".write(toFile: dir + "/data.new", atomically: false, encoding: .utf8)
        #expect(rename(dir + "/data.new", dir + "/data.txt") == 0)
        let restored = try runAmber(["-restore:file=r.img"], cwd: dir)
        #expect(restored.0 == 0, "\(restored.2)")
        let lines = restored.1.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("/data.txt' was replaced since the snapshot (another file is at its path); "
                                       + "set acceptReplacement to true to use it.") == true, "\(restored.1)")
        #expect(lines.last == "new")
    }

    @Test func aFileCutShorterThanItsPositionIsRefused() throws {
        let script = """
        import "io" for File
        import "snapshot" for Snapshot
        var f = File.open("data.txt")
        System.print(f.readBytes(8))
        if (Snapshot.take("cut.img")) System.print(Fiber.new { f.readBytes(3) }.try())
        """
        let dir = try scratch(["main.wren": script, "data.txt": "0123456789abcdef"])
        #expect(try runAmber(["main.wren"], cwd: dir).1 == "01234567\n")
        // Rewritten in place, shorter than where the program had read to.
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/data.txt"))
        try handle.truncate(atOffset: 4)
        try handle.close()
        let restored = try runAmber(["-restore:file=cut.img"], cwd: dir)
        #expect(restored.1.contains("/data.txt' was replaced since the snapshot (it is shorter than when the image "
                                    + "was written); set acceptReplacement to true to use it."), "\(restored.1)")
    }

    @Test func theFailureCanBeCaughtAndTheFileClosed() throws {
        let script = """
        import "io" for File
        import "snapshot" for Snapshot
        var f = File.open("data.txt")
        if (Snapshot.take("gone.img")) {
          var error = Fiber.new { f.readBytes(3) }.try()
          System.print(error.endsWith("could not be reopened: no such file or directory."))
          System.print(f.isOpen)
          System.print(Fiber.new { f.descriptor }.try() == error)
          f.close()
          System.print(f.isOpen)
          System.print(Fiber.new { f.readBytes(3) }.try())
        } else {
          System.print(f.readBytes(3))
        }
        """
        let dir = try scratch(["main.wren": script, "data.txt": "xyz"])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.1 == "xyz\n", "\(first.2)")
        try FileManager.default.removeItem(atPath: dir + "/data.txt")
        let second = try runAmber(["-restore:file=gone.img"], cwd: dir)
        #expect(second.0 == 0, "\(second.2)")
        #expect(second.1 == "true\ntrue\ntrue\nfalse\nFile is not open.\n")
    }

    @Test func closedFilesStayClosedAndNewOnesWork() throws {
        let script = """
        import "io" for File
        import "snapshot" for Snapshot
        var closed = File.open("data.txt")
        closed.close()
        Snapshot.take("closed.img")
        System.print(closed.isOpen)
        System.print(closed.descriptor)
        System.print(Fiber.new { closed.readBytes(1) }.try())
        var fresh = File.open("data.txt")
        System.print(fresh.readBytes(4))
        fresh.close()
        """
        let dir = try scratch(["main.wren": script, "data.txt": "data"])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.1 == "false\n-1\nFile is not open.\ndata\n", "\(first.2)")
        let second = try runAmber(["-restore:file=closed.img"], cwd: dir)
        #expect(second.0 == 0, "\(second.2)")
        #expect(second.1 == first.1)
    }

    /// A file reopened in a restored process is snapshotted again and reopened
    /// again by the next one (generation 0 -> 1 -> 2).
    @Test func imagesOfRestoredProcesses() throws {
        let script = """
        import "io" for File, FileFlags
        import "snapshot" for Snapshot
        var f = File.openWithFlags("counter.txt", FileFlags.readWrite | FileFlags.create)
        var step = Fn.new {|name|
          var n = Num.fromString(f.readBytes(10).trim()) || 0
          n = n + 1
          f.writeBytes("%(n)    ", 0)
          System.print("%(name) %(n) generation %(Snapshot.generation)")
        }
        step.call("start")
        Snapshot.take("one.img")
        step.call("after one")
        Snapshot.take("two.img")
        step.call("after two")
        f.close()
        """
        let dir = try scratch(["main.wren": script])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.1 == "start 1 generation 0\nafter one 2 generation 0\nafter two 3 generation 0\n", "\(first.2)")
        // Restoring one.img writes two.img anew, from generation 1.
        let second = try runAmber(["-restore:file=one.img"], cwd: dir)
        #expect(second.1 == "after one 4 generation 1\nafter two 5 generation 1\n", "\(second.2)")
        let third = try runAmber(["-restore:file=two.img"], cwd: dir)
        #expect(third.1 == "after two 6 generation 2\n", "\(third.2)")
        #expect(try String(contentsOfFile: dir + "/counter.txt", encoding: .utf8).hasPrefix("6 "))
    }

    #if os(Linux)
    /// The reopened descriptor is positioned where the last read or write ended.
    @Test func theReopenedDescriptorIsAtTheRecordedPosition() throws {
        let script = """
        import "io" for File
        import "snapshot" for Snapshot
        var f = File.open("data.txt")
        f.readBytes(7, 3)
        var pos = Fn.new {
          // A /proc file's size is 0: read it by count.
          var info = File.open("/proc/self/fdinfo/%(f.descriptor)") {|i| i.readBytes(1000) }
          return info.split("\\n")[0]
        }
        if (Snapshot.take("pos.img")) System.print(pos.call().replace("\\t", " "))
        """
        let dir = try scratch(["main.wren": script, "data.txt": "0123456789abcdef"])
        let first = try runAmber(["main.wren"], cwd: dir)
        #expect(first.0 == 0, "\(first.2)")
        let second = try runAmber(["-restore:file=pos.img"], cwd: dir)
        #expect(second.1 == "pos: 10\n", "\(second.2)")
    }
    #endif

    /// Standard streams are the current process's: a restored process reads
    /// its own input, and what the writer had read ahead is not carried over.
    @Test func stdinOfTheRestoredProcess() throws {
        let script = """
        import "io" for Stdin
        import "snapshot" for Snapshot
        System.print("1 %(Stdin.readLine())")
        var restored = Snapshot.take("in.img")
        System.print("2 %(Stdin.readLine()) %(restored)")
        System.print("3 %(Stdin.readByte())")
        """
        let dir = try scratch(["main.wren": script])
        let first = try runAmber(["main.wren"], cwd: dir, input: "one\ntwo\nthree\n")
        #expect(first.1 == "1 one\n2 two false\n3 116\n", "\(first.2)")
        let second = try runAmber(["-restore:file=in.img"], cwd: dir, input: "zwei\ndrei")
        #expect(second.1 == "2 zwei true\n3 100\n", "\(second.2)")
    }
}

@Suite struct IOStreamTests {
    @Test func stdinLinesBytesAndEndOfInput() throws {
        let script = """
        import "io" for Stdin
        System.print(Stdin.isTerminal)
        System.print(Stdin.isRaw)
        System.print(Stdin.readLine())
        System.print(Stdin.readByte())
        System.print(Stdin.readLine())
        Stdin.isRaw = true
        System.print(Stdin.isRaw)
        System.print(Stdin.readLine())
        System.print(Fiber.new { Stdin.readLine() }.try())
        System.print(Fiber.new { Stdin.readByte() }.try())
        """
        let dir = try scratch(["main.wren": script])
        let run = try runAmber(["main.wren"], cwd: dir, input: "first line\nxsecond\r\nlast")
        #expect(run.0 == 0, "\(run.2)")
        #expect(run.1 == "false\nfalse\nfirst line\n120\nsecond\r\ntrue\nlast\nStdin was closed.\nStdin was closed.\n")
    }

    @Test func stdoutFlushAndStderr() throws {
        let script = """
        import "io" for Stdout, Stderr
        System.write("prompt> ")
        Stdout.flush()
        Stderr.write("to stderr")
        Stderr.print(" and a line")
        Stderr.print([1, 2])
        Stderr.print()
        System.print(Stderr.write(""))
        """
        let dir = try scratch(["main.wren": script])
        let run = try runAmber(["main.wren"], cwd: dir, input: "")
        #expect(run.0 == 0, "\(run.2)")
        #expect(run.1 == "prompt> \n")
        #expect(run.2 == "to stderr and a line\n[1, 2]\n\n")
    }
}

@Suite struct IOLibraryTests {
    /// Two VMs restored from one image in one process: each reopens the file
    /// for itself, and neither sees the other's (or the writer's) descriptors.
    @Test func twoRestoresInOneProcessReopenSeparately() throws {
        // Absolute paths: changing the working directory would disturb tests running alongside.
        let dir = try scratch(["data.txt": "abcdefgh"])
        try """
        import "io" for File
        import "snapshot" for Snapshot
        var f = File.open("\(dir)/data.txt")
        if (Snapshot.take("\(dir)/lib.img")) System.print(f.readBytes(3, 2))
        f.close()
        """.write(toFile: dir + "/main.wren", atomically: true, encoding: .utf8)
        let (code, _, err) = runLauncher([dir + "/main.wren"])
        #expect(code == 0, "\(err)")
        let restores = try (0..<2).map { _ in try restoreCaptured(dir + "/lib.img") }
        let vms = restores.map(\.0), outputs = restores.map(\.1)
        for (vm, capture) in zip(vms, outputs) {
            #expect(vm.resumeFromImage() == .success)
            #expect(capture.out == "cde\n", "\(capture.err)")
        }
        #expect(vms[0].ioTable !== vms[1].ioTable)
        #expect(vms[0].ioTable.descriptors.isEmpty)
    }
}
