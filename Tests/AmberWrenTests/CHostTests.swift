// The C API as a C host sees it: each program of Tests/CHost is compiled with
// `cc` against Sources/CAmberWren/include, linked to the libAmberWren.so that
// this build made, and run. A host prints "ok" and exits 0 when every check
// in it holds; otherwise its stderr names each failed check.
import Foundation
import Testing

/// Where things are: the package, the headers, the C hosts and the library.
enum CHost {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let includeDirectory = packageRoot + "/Sources/CAmberWren/include"
    static let sources = packageRoot + "/Tests/CHost"

    /// The C compiler, if there is one: cc, gcc or clang on the PATH (the
    /// Swift toolchain's own clang will do).
    static let compiler: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["cc", "gcc", "clang"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }()

    /// The directory holding libAmberWren.so: the one this test binary was
    /// built into (`swift test` builds the package's products with the
    /// tests), else a build directory of the package.
    static let libraryDirectory: String? = {
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var candidates = [URL(fileURLWithPath: binary).deletingLastPathComponent().path]
        // A test bundle directory (macOS) keeps its binary two levels further down.
        candidates.append(URL(fileURLWithPath: binary).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path)
        candidates += [".build/debug", ".build/release"].map { packageRoot + "/" + $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/libAmberWren.so") }
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `path` with `arguments`, collecting its output.
    static func run(_ path: String, _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both before waiting: a full pipe would block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Compiles Tests/CHost/`name`.c into `directory`; returns the program's path.
    static func build(_ name: String, into directory: String) throws -> String {
        guard let compiler else { throw CHostError("cc is not installed") }
        guard let lib = libraryDirectory else {
            throw CHostError("libAmberWren.so was not found next to the test binary or in .build/debug or "
                             + ".build/release; build it with `swift build --product AmberWren`")
        }
        let output = directory + "/" + name
        let result = try run(compiler, ["-std=c99", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
                                        "-I", includeDirectory, sources + "/\(name).c",
                                        "-L", lib, "-lAmberWren", "-Wl,-rpath," + lib, "-o", output])
        guard result.status == 0 else {
            throw CHostError("cc failed on \(name).c:\n\(result.stdout)\(result.stderr)")
        }
        return output
    }

    /// A fresh directory for programs and images, removed by the caller.
    static func scratch() -> String {
        let dir = NSTemporaryDirectory() + "amber-chost-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct CHostError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite(.enabled(if: CHost.compiler != nil, "cc is not installed: the C API's hosts cannot be compiled"))
struct CHostTests {
    /// Builds and runs a host that checks itself; expects "ok" and status 0.
    func expectOK(_ name: String, _ arguments: [String] = [], in dir: String? = nil) throws {
        let scratch = dir ?? CHost.scratch()
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        let program = try CHost.build(name, into: scratch)
        let result = try CHost.run(program, arguments)
        #expect(result.status == 0 && result.stdout.hasSuffix("ok\n") && result.stderr.isEmpty,
                "\(name) \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.stdout)\(result.stderr)")
    }

    @Test func interpretWriteErrorsAndModules() throws { try expectOK("interpret") }

    @Test func foreignMethodsAndClasses() throws { try expectOK("foreign") }

    @Test func slotsHandlesCallsAndErrors() throws { try expectOK("slots") }

    /// Written by one process, restored by another (twice, and without bindings).
    @Test func snapshotInOneProcessRestoreInAnother() throws {
        let dir = CHost.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = dir + "/game.img"
        try expectOK("snapshot", ["write", image], in: dir)
        #expect(FileManager.default.fileExists(atPath: image))
        try expectOK("snapshot", ["restore", image], in: dir)
    }

    /// amberSetImageKey and amberRestoreSigned: the right key restores; another
    /// key, an unsigned or changed image, and bad key files are refused.
    @Test func signedImagesNeedTheirKey() throws {
        let dir = CHost.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try expectOK("signed", [dir], in: dir)
    }

    /// The library exports every function of wren.h and amber.h, and nothing
    /// else under those prefixes: a host linked against Wren's own header finds them all.
    @Test func exportsExactlyTheHeadersFunctions() throws {
        let headers = try ["wren.h", "amber.h"].map {
            try String(contentsOfFile: CHost.includeDirectory + "/" + $0, encoding: .utf8)
        }.joined()
        let declared = Set(headers.split(separator: "\n").compactMap { line -> String? in
            guard let open = line.firstIndex(of: "("), !line.hasPrefix(" "), !line.hasPrefix("typedef"),
                  !line.hasPrefix("#"), !line.hasPrefix("/") else { return nil }
            let name = line[..<open].split(whereSeparator: { $0 == " " || $0 == "*" }).last.map(String.init)
            return name.flatMap { $0.hasPrefix("wren") || $0.hasPrefix("amber") ? $0 : nil }
        })
        #expect(declared.count == 46, "\(declared.sorted())")
        guard let lib = CHost.libraryDirectory,
              let nm = ["/usr/bin/nm", "/opt/swift/usr/bin/llvm-nm"].first(where: FileManager.default.isExecutableFile)
        else { return }
        let result = try CHost.run(nm, ["-D", "--defined-only", lib + "/libAmberWren.so"])
        let exported = Set(result.stdout.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[1] == "T" else { return nil }
            let name = String(parts[2])
            return name.hasPrefix("wren") || name.hasPrefix("amber") ? name : nil
        })
        let missing = declared.subtracting(exported).sorted(), extra = exported.subtracting(declared).sorted()
        #expect(exported == declared, "missing: \(missing), extra: \(extra)")
    }
}
