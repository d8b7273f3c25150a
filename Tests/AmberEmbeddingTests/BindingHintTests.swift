// What a Swift host is told when a foreign method finds no binding: which
// near miss it made (BindingHints.swift).
import Testing
import AmberVM

@Suite struct BindingHintTests {
    /// Runs `source` with one binding; returns the runtime error's message.
    func bindingError(_ source: String, module: String = "main", signature: String,
                      isStatic: Bool = true) throws -> String {
        var config = VMConfiguration()
        config.writeOutput = { _ in }
        config.writeError = { _ in }
        config.bindings.method(module: module, className: "Calc", signature: signature, isStatic: isStatic) { _ in }
        let vm = try VM(configuration: config)
        guard case .runtimeError(let message) = vm.interpret(module: "main", source: source) else { return "" }
        return message
    }

    @Test func aSignatureWithSpaces() throws {
        let m = try bindingError("class Calc { foreign static add(a, b) }", signature: "add(_, _)")
        #expect(m == "Could not find foreign method 'add(_,_)' for class Calc in module 'main'. "
                + "The host bound 'add(_, _)'; signatures have no spaces: 'add(_,_)'.")
    }

    @Test func aParameterListTooMany() throws {
        let m = try bindingError("class Calc { foreign static count }", signature: "count()")
        #expect(m.hasSuffix("The host bound 'count()'; did you mean 'count'?"), "\(m)")
    }

    @Test func theOtherStaticness() throws {
        let m = try bindingError("class Calc { foreign add(a, b) }", signature: "add(_,_)", isStatic: true)
        #expect(m.hasSuffix("The host bound it static, the class declares it not static."), "\(m)")
    }

    @Test func anotherModule() throws {
        let m = try bindingError("class Calc { foreign static add(a, b) }", module: "lib", signature: "add(_,_)")
        #expect(m.hasSuffix("The host bound it in module 'lib'."), "\(m)")
    }

    /// No near miss: Wren's message, to the byte.
    @Test func noNearMissKeepsWrensMessage() throws {
        let m = try bindingError("class Calc { foreign static mul(a, b) }", signature: "add(_,_)")
        #expect(m == "Could not find foreign method 'mul(_,_)' for class Calc in module 'main'.")
    }
}
