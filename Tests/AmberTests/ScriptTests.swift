import Foundation
import Testing
@testable import AmberLauncher
import AmberVM

/// Runs every .wren file under Tests/AmberTests/Scripts through the launcher,
/// in-process, and judges it by its comments (the Wren test conventions):
///   // expect: TEXT                 next line of stdout
///   // expect error                 a compile error on this line (exit 65)
///   // expect runtime error: MSG    MSG on stderr, then a stack line for this line (exit 70)
struct ScriptExpectation {
    var output: [String] = []
    var compileErrorLines: Set<Int> = []
    var runtimeError: (message: String, line: Int)?
    var exitCode: Int32 = 0

    init(source: String) {
        for (i, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let n = i + 1
            if let r = line.range(of: "// expect: ") {
                output.append(String(line[r.upperBound...]))
            } else if line.hasSuffix("// expect:") {
                output.append("")
            }
            if let r = line.range(of: "// expect runtime error: ") {
                runtimeError = (String(line[r.upperBound...]), n)
                exitCode = 70
            } else if line.contains("// expect error") {
                compileErrorLines.insert(n)
                exitCode = 65
            }
        }
    }
}

enum ScriptCorpus {
    static let root: URL = Bundle.module.resourceURL!.appendingPathComponent("Scripts")

    static func all() -> [String] {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".wren") && !$0.contains("/_") }.sorted()
    }
}

/// Collects what a run printed.
final class Capture: @unchecked Sendable {
    var out = ""
    var err = ""
    var io: LaunchIO {
        LaunchIO(stdout: { self.out += $0 }, stderr: { self.err += $0 })
    }
}

/// In-process launcher runs take turns: the working directory is the
/// process's, and suites run in parallel. (One run changed it while another,
/// in another suite, opened a file by a relative name.)
let launcherTurn = NSRecursiveLock()

/// Runs the launcher in-process. With `time`, the VM's clocks and sleep are
/// that virtual time's (a script's `Timer.sleep` returns at once and moves it).
func runLauncher(_ args: [String], cwd: String? = nil, time: VirtualTime? = nil,
                 gcStress: Int? = nil) -> (Int32, String, String) {
    launcherTurn.lock()
    defer { launcherTurn.unlock() }
    let capture = Capture()
    let previous = FileManager.default.currentDirectoryPath
    if let cwd { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
    defer { if cwd != nil { _ = FileManager.default.changeCurrentDirectoryPath(previous) } }
    var io = capture.io
    if let time {
        var port = PortLibrary()
        time.install(in: &port)
        io.port = port
    }
    if let gcStress {
        io.gcStress = gcStress
        io.verifyHeapAfterGC = true
    }
    let code = Launcher.main(arguments: args, io: io)
    return (code, capture.out, capture.err)
}

@Suite(.serialized) struct ScriptTests {
    @Test("script", arguments: ScriptCorpus.all())
    func script(_ relative: String) throws {
        try ScriptTests.check(relative)
    }

    /// Runs one script of the corpus and judges its output, exit code and
    /// errors by its comments. With `gcStress`, the collector's stress mode
    /// and heap verifier are on for the run.
    static func check(_ relative: String, gcStress: Int? = nil) throws {
        let path = ScriptCorpus.root.appendingPathComponent(relative).path
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let spec = ScriptExpectation(source: source)
        // Scripts run on virtual time: timers and clocks are exact and nothing waits.
        let (code, out, err) = runLauncher([relative], cwd: ScriptCorpus.root.path,
                                           time: VirtualTime(monotonic: 1000, wall: 1.8e9), gcStress: gcStress)

        var lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        #expect(lines == spec.output, "stdout of \(relative); stderr: \(err)")
        #expect(code == spec.exitCode, "exit code of \(relative); stderr: \(err)")

        let errLines = err.split(separator: "\n").map(String.init)
        if let (message, line) = spec.runtimeError {
            #expect(errLines.first == message, "runtime error of \(relative)")
            // The first frame in the script itself (built-in modules may sit above it).
            let module = String(relative.dropLast(5))
            let trace = errLines.dropFirst().first { $0.hasPrefix("[") && $0.contains(module + " line ") }
            #expect(trace?.contains(" line \(line)] in ") == true, "stack trace of \(relative): \(err)")
        } else {
            var reported: Set<Int> = []
            for l in errLines {
                guard let r = l.range(of: #" line (\d+)\] Error"#, options: .regularExpression) else {
                    Issue.record("unexpected stderr in \(relative): \(l)")
                    continue
                }
                let digits = l[r].dropFirst(6).prefix { $0.isNumber }
                reported.insert(Int(digits)!)
            }
            #expect(reported == spec.compileErrorLines, "compile errors of \(relative): \(err)")
        }
    }
}

/// The collector's reduced stress pass (what CI runs of ARCHITECTURE.md's
/// "The collector", stress mode): every script of the corpus again, with a
/// collection at every 5th safe point and the heap verified before and
/// after each (references inside live objects, every old-to-young reference
/// in a dirty card). The whole suite runs under AMBER_GC_STRESS=N too.
/// (An extension of ScriptTests, so its runs are serialized with the plain
/// ones: both change the process's working directory.)
extension ScriptTests {
    /// Scripts with hundreds of thousands of safe points (deep recursion,
    /// big maps, long loops), collected at every 499th: at every 5th each
    /// took 8 to 60 s in a debug build, the rest of the corpus 40 s together.
    static let sparselyStressed: Set<String> = [
        "language/deep_recursion.wren", "language/recursion.wren", "core/map_iteration_order.wren",
        "core/system_clock.wren", "modules/random_ranges.wren", "core/map_many_entries.wren",
    ]

    @Test("script under GC stress", arguments: ScriptCorpus.all())
    func scriptUnderStress(_ relative: String) throws {
        try ScriptTests.check(relative, gcStress: ScriptTests.sparselyStressed.contains(relative) ? 499 : 5)
    }
}
