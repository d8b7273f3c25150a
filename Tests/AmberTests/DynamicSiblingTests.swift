import Foundation
import Testing
@testable import AmberLauncher

/// The static release `amber` hands `--allow-ffi` commands to `amber-dynamic`
/// (Sources/AmberLauncher/DynamicSibling.swift).
@Suite struct DynamicSiblingTests {
    @Test func theSiblingIsBesideTheRunningProgram() throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = try #require(DynamicSibling.path())
        #expect(path == (exe as NSString).deletingLastPathComponent + "/amber-dynamic")
    }

    @Test func aSiblingThatCannotBeStartedIsReportedWithExit69() throws {
        let dir = try scratch(["main.wren": "System.print(1)"])
        let capture = Capture()
        let status = Launcher.main(arguments: ["--allow-ffi", dir + "/main.wren"], io: capture.io,
                                   dynamicSibling: { dir + "/amber-dynamic" })
        #expect(status == ExitCode.unavailable)
        #expect(capture.err.contains("'\(dir)/amber-dynamic' could not be started (No such file or directory)"),
                "\(capture.err)")
        #expect(capture.out.isEmpty)
    }

    @Test func commandsWithoutFFINeverLookForTheSibling() throws {
        let dir = try scratch(["main.wren": "System.print(\"here\")"])
        let capture = Capture()
        let status = Launcher.main(arguments: [dir + "/main.wren", "--allow-ffi"], io: capture.io,
                                   dynamicSibling: { Issue.record("looked for the sibling"); return nil })
        // After the script's name, --allow-ffi is the script's argument.
        #expect(status == ExitCode.ok && capture.out == "here\n", "\(capture.err)")
    }

    @Test func theSiblingRunsFFIPrograms() throws {
        let sibling = repositoryRoot + "/.build/debug/amber-dynamic"
        try #require(FileManager.default.fileExists(atPath: sibling), "amber-dynamic is not built")
        let dir = try scratch(["main.wren": """
        import "ffi" for Library
        var strlen = Library.process.function("strlen", "size_t", ["string"])
        System.print(strlen.call("hello, ffi"))
        """])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sibling)
        p.arguments = ["--allow-ffi", dir + "/main.wren"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0 && text == "10\n", "\(text)")
    }
}
