// The Swift code shown in README.md and in the DocC article, compiled and run
// here. DocsTests checks that the documents hold these lines verbatim (between
// the `snippet` markers, indentation removed), so the documentation cannot rot.
import Foundation
import Testing
import AmberVM

/// README.md, section "Embedding".
func readmeEmbeddingExample(imagePath path: String) throws -> [String] {
    var printed: [String] = []
    func print(_ s: String) { printed.append(s) }
    // snippet readme-embedding begin
    var config = VMConfiguration()
    config.bindings.method(module: "main", className: "Host", signature: "greet(_)", isStatic: true) { call in
        call.result = .string("Hello, " + (try call.string(1)) + "!")
    }
    let vm = try VM(configuration: config)
    _ = vm.interpret(module: "main", source: """
        class Host { foreign static greet(name) }
        class App { static run(name) { Host.greet(name) } }
        """)
    let app = try vm.variable(module: "main", name: "App")
    print("\(try vm.call(app, "run(_)", ["Wren"]))")   // Hello, Wren!
    try vm.snapshot(to: path)
    let restored = try VM.restore(from: path, configuration: config)
    _ = restored.resumeFromImage()
    let app2 = try restored.variable(module: "main", name: "App")
    print("\(try restored.call(app2, "run(_)", ["again"]))")   // Hello, again!
    // snippet readme-embedding end
    return printed
}

/// The DocC article "Embedding Amber": the issue's example.
func articleEmbeddingExample(imagePath path: String) throws -> (output: String, scores: [ScriptValue], error: String) {
    var scores: [ScriptValue] = []
    var errorMessage = ""
    // snippet article-embedding begin
    let source = """
        import "greeting" for Greeting
        class Calc { foreign static add(a, b) }
        foreign class Counter {
          construct new() {}
          foreign increment()
        }
        var Clicks = Counter.new()
        Clicks.increment()
        class Game {
          static score(n) { Calc.add(n, Clicks.increment()) }
        }
        System.print(Greeting)
        """
    var config = VMConfiguration()
    var output = ""
    config.writeOutput = { output += $0 }
    config.bindings.method(module: "main", className: "Calc", signature: "add(_,_)", isStatic: true) { call in
        call.result = .number(try call.double(1) + call.double(2))     // argument 0 is the receiver
    }
    config.bindings.foreignClass(module: "main", className: "Counter", dataBytes: 8)
    config.bindings.method(module: "main", className: "Counter", signature: "increment()") { call in
        let data = try call.data(0)            // the instance's bytes, inside the heap (so in the image)
        let n = try data.load(as: Int.self) + 1
        try data.storeBytes(of: n, as: Int.self)
        call.result = .number(Double(n))
    }
    config.moduleLoader = { name in name == "greeting" ? "var Greeting = \"hi\"" : nil }

    let vm = try VM(configuration: config)
    precondition(vm.interpret(module: "main", source: source) == .success)   // output == "hi\n"
    let game = try vm.variable(module: "main", name: "Game")                // a Handle
    let score = try vm.call(game, "score(_)", [.number(40)])      // a ScriptValue
    precondition(score == .number(42))
    try vm.snapshot(to: path)                                  // between calls: no fiber running
    let copy = try VM.restore(from: path, configuration: config)   // bindings checked by name
    _ = copy.resumeFromImage()
    let game2 = try copy.variable(module: "main", name: "Game")
    let again = try copy.call(game2, "score(_)", [.number(40)])
    precondition(again == .number(43))                          // the counter came back
    do { _ = try copy.call(game2, "score(_)", [.string("x")]); fatalError() }
    catch let e as ScriptError { print(e.message) }   // Argument 1 of Calc.add(_,_) must be a Num.
    // snippet article-embedding end
    func print(_ s: String) { errorMessage = s }
    scores = [score, again]
    return (output, scores, errorMessage)
}

/// The DocC article "Embedding Amber", section "Foreign classes".
func articleForeignClassExample() throws -> (output: String, freed: [Double]) {
    final class Freed: @unchecked Sendable { var xs: [Double] = [] }
    let freed = Freed()
    // snippet article-foreign-class begin
    var config = VMConfiguration()
    var output = ""
    config.writeOutput = { output += $0 }
    config.bindings.foreignClass(module: "main", className: "Point", dataBytes: 16, allocate: { call in
        let data = try call.data(0)                 // the new instance; the constructor's arguments follow
        try data.storeBytes(of: call.double(1), toByteOffset: 0, as: Double.self)
        try data.storeBytes(of: call.double(2), toByteOffset: 8, as: Double.self)
    }, finalize: { bytes in
        freed.xs.append(bytes.load(fromByteOffset: 0, as: Double.self))   // no VM calls in here
    })
    config.bindings.method(module: "main", className: "Point", signature: "x") { call in
        call.result = .number(try call.data(0).load(fromByteOffset: 0, as: Double.self))
    }
    let vm = try VM(configuration: config)
    _ = vm.interpret(module: "main", source: """
        foreign class Point {
          construct new(x, y) {}
          foreign x
        }
        System.print(Point.new(3, 4).x)   // 3
        System.gc()                       // the point is dead: freed.xs == [3]
        """)
    // snippet article-foreign-class end
    return (output, freed.xs)
}

@Suite struct DocumentedExampleTests {
    @Test func articleForeignClassExampleRuns() throws {
        let result = try articleForeignClassExample()
        #expect(result.output == "3\n")
        #expect(result.freed == [3])
    }

    @Test func readmeExampleRuns() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try readmeEmbeddingExample(imagePath: dir + "/readme.img") == ["Hello, Wren!", "Hello, again!"])
    }

    @Test func articleExampleRuns() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try articleEmbeddingExample(imagePath: dir + "/article.img")
        #expect(result.output == "hi\n")
        #expect(result.scores == [42, 43])
        #expect(result.error == "Argument 1 of Calc.add(_,_) must be a Num.")
    }
}
