// Source that once crashed or hung the compiler, or that walks its error paths
// past every limit (nesting, locals, upvalues, fields, parameters, constants,
// jump distances, unterminated strings, comments and interpolations): each
// must end in the compile error it names, never a crash, a hang or a module
// that compiles.
import Foundation
import Testing
@testable import AmberVM

@Suite struct CompilerRegressionTests {
    /// Fuzz/Regressions/compiler, found from this file's path: the folder lies
    /// outside the test target, so it is not in the test bundle's resources.
    /// Each file starts with "// error: TEXT", TEXT being part of an error the
    /// compiler must report (Fuzz/compiler_limit_cases.py wrote most of them).
    static let directory = repositoryRoot + "/Fuzz/Regressions/compiler"

    static func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".wren") }.sorted()
    }

    /// A parameterised test over an empty folder passes without running a case: this one does not.
    @Test func theCorpusIsFound() {
        #expect(CompilerRegressionTests.files().count >= 40, "no compiler regressions found in \(CompilerRegressionTests.directory)")
    }

    @Test(.timeLimit(.minutes(1)), arguments: files())
    func regressionGivesItsCompileError(name: String) throws {
        let source = Array(try Data(contentsOf: URL(fileURLWithPath: CompilerRegressionTests.directory + "/" + name)))
        let header = String(decoding: source.prefix { $0 != 10 }, as: UTF8.self)
        let expected = try #require(header.hasPrefix("// error: ") ? String(header.dropFirst(10)) : nil,
                                    "\(name) must start with '// error: TEXT'")
        let errors = try compileErrors(source)
        #expect(errors.contains { $0.contains(expected) }, "\(name): \(errors.prefix(3))")
    }

    /// Past the limits that only large sources reach, made here rather than kept as files.
    static let generated: [(name: String, source: String, error: String)] = [
        ("constants", "var x = [" + (0..<70_000).map(String.init).joined(separator: ",") + "]",
         "A function may only contain 65536 unique constants."),
        ("jump over an if body", "var x = 0\nif (x == 0) {\n" + String(repeating: "x = x + 1\n", count: 8000) + "}",
         "Too much code to jump over."),
        ("jump out of a loop body", "var x = 0\nwhile (x < 1) {\n" + String(repeating: "x = x + 1\n", count: 8000) + "}",
         "Too much code to jump over."),
    ]

    @Test(.timeLimit(.minutes(1)), arguments: generated.map(\.name))
    func generatedSourceGivesItsCompileError(name: String) throws {
        let c = try #require(CompilerRegressionTests.generated.first { $0.name == name })
        let errors = try compileErrors(Array(c.source.utf8))
        #expect(errors.contains { $0.contains(c.error) }, "\(name): \(errors.prefix(3))")
    }

    func compileErrors(_ source: [UInt8]) throws -> [String] {
        let vm = try VM(configuration: capturedConfiguration().0)
        return vm.compileErrors(module: "regression", source: source)
    }
}
