// The documentation cannot rot: every Swift sample in README.md and the DocC
// article is a compiled and tested snippet (see DocumentedExamples.swift),
// and every `swift run` command in README.md and Samples/*/README.md runs here.
import Foundation
import Testing

/// The repository's root directory.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Every "// snippet NAME begin" ... "// snippet NAME end" block in the test sources, indentation removed.
func testedSnippets() throws -> [String: String] {
    var snippets: [String: String] = [:]
    let tests = repositoryRoot + "/Tests"
    let files = FileManager.default.enumerator(atPath: tests)?.compactMap { $0 as? String }
        .filter { $0.hasSuffix(".swift") } ?? []
    for file in files {
        let lines = try String(contentsOfFile: tests + "/" + file, encoding: .utf8).components(separatedBy: "\n")
        var name: String? = nil
        var body: [String] = []
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// snippet "), trimmed.hasSuffix(" begin") {
                name = String(trimmed.dropFirst(11).dropLast(6))
                body = []
            } else if let n = name, trimmed == "// snippet \(n) end" {
                let indent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                    .map { $0.prefix { $0 == " " }.count }.min() ?? 0
                snippets[n] = body.map { String($0.dropFirst(min(indent, $0.count))) }.joined(separator: "\n")
                name = nil
            } else if name != nil {
                body.append(line)
            }
        }
    }
    return snippets
}

/// The ```swift blocks of a Markdown file.
func swiftBlocks(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var blocks: [String] = []
    var current: [String]? = nil
    for line in text.components(separatedBy: "\n") {
        if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" { current = []; continue }
        if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
            blocks.append(current!.joined(separator: "\n"))
            current = nil
            continue
        }
        current?.append(line)
    }
    return blocks
}

@Suite struct DocsTests {
    @Test(arguments: ["README.md", "Sources/AmberVM/AmberVM.docc/EmbeddingAmber.md"])
    func everySwiftBlockIsATestedSnippet(document: String) throws {
        let snippets = Set(try testedSnippets().values)
        let blocks = try swiftBlocks(repositoryRoot + "/" + document)
        #expect(!blocks.isEmpty)
        for block in blocks {
            #expect(snippets.contains(block), "\(document) has a Swift block no test compiles:\n\(block)")
        }
    }

    /// The `swift run -c release ...` lines of a README, as (environment, program, arguments, expected to fail).
    static func commands(in readme: String) throws -> [([String: String], String, [String], Bool)] {
        var out: [([String: String], String, [String], Bool)] = []
        for raw in try String(contentsOfFile: readme, encoding: .utf8).components(separatedBy: "\n") {
            guard raw.hasPrefix("    "), raw.contains("swift run -c release ") else { continue }
            var line = raw.trimmingCharacters(in: .whitespaces)
            var fails = false
            if let hash = line.range(of: " #") {
                fails = line[hash.upperBound...].contains("fails")
                line = String(line[..<hash.lowerBound])
            }
            // "sleep 5; swift run ...": the pause is the reader's, not the test's.
            if let semicolon = line.lastIndex(of: ";") { line = String(line[line.index(after: semicolon)...]) }
            var words = line.split(separator: " ").map(String.init)
            var env: [String: String] = [:]
            while let first = words.first, first.contains("="), !first.hasPrefix("-") {
                let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
                env[parts[0]] = parts.count > 1 ? parts[1] : ""
                words.removeFirst()
            }
            guard words.count >= 4, words[0...2] == ["swift", "run", "-c"] else { continue }
            out.append((env, words[4], Array(words[5...]), fails))
        }
        return out
    }

    static let readmes = ["README.md"] + ((try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Samples")) ?? [])
        .sorted().map { "Samples/\($0)/README.md" }
        .filter { FileManager.default.fileExists(atPath: repositoryRoot + "/" + $0) }

    @Test(arguments: readmes)
    func everyRunCommandWorks(readme: String) throws {
        let commands = try DocsTests.commands(in: repositoryRoot + "/" + readme)
        #expect(!commands.isEmpty, "\(readme) shows no command to run")
        for (env, program, args, fails) in commands {
            let (code, out, err) = try runBuilt(program, args, cwd: repositoryRoot, env: env)
            if fails {
                #expect(code != 0, "\(readme): \(program) \(args) should fail")
                #expect(!err.isEmpty)
            } else {
                #expect(code == 0, "\(readme): \(program) \(args) exited \(code): \(err)")
                // A snapshot that exits right after writing prints nothing; everything else does.
                if !args.contains(where: { $0.hasSuffix(",exit") }) {
                    #expect(!out.isEmpty, "\(readme): \(program) \(args) printed nothing")
                }
            }
        }
        for image in ["env.img", "hello.img", "random.img", "timer_events.img", "c-host.img"] {
            try? FileManager.default.removeItem(atPath: repositoryRoot + "/" + image)
        }
    }
}
