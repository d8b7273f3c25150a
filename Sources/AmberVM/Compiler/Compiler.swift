@_spi(AmberInternals) import AmberObjects

// The compiler: a single-pass Pratt parser that emits bytecode as it parses.
//
// One `Compiler` compiles one module's source. Each function being compiled
// (the module body, a method, a block argument) has a `FunctionScope` on
// `scopes`; the innermost is last. Finished functions become Fn objects in
// the heap. The compiler never triggers a collection: the collector only runs
// at interpreter safe points, so the heap refs held here stay valid.
//
// This file: token handling, errors, emitting, variables and scopes.
//
// The classes' stored properties are `@exclusivity(unchecked)`: the compiler
// runs on one thread and never overlaps accesses to them, and the dynamic
// checks cost a fifth of compiling (measured on the core library at start-up).
// Expressions: Compiler+Expressions.swift. Statements, classes, methods:
// Compiler+Statements.swift.

import AmberBytecode

struct Local {
    var name: String
    var depth: Int
    var isCaptured = false
}

struct UpvalueRef: Equatable {
    var isLocal: Bool
    var index: Int
}

/// Loop bookkeeping for break/continue.
final class LoopInfo {
    @exclusivity(unchecked) var start: Int
    @exclusivity(unchecked) var exitJump = -1
    @exclusivity(unchecked) var scopeDepth: Int
    @exclusivity(unchecked) var breaks: [Int] = []
    @exclusivity(unchecked) var enclosing: LoopInfo?
    init(start: Int, scopeDepth: Int, enclosing: LoopInfo?) {
        self.start = start; self.scopeDepth = scopeDepth; self.enclosing = enclosing
    }
}

/// What the compiler knows about the class whose body it is in.
final class ClassInfo {
    @exclusivity(unchecked) var name: String
    @exclusivity(unchecked) var fields: [String] = []
    @exclusivity(unchecked) var instanceMethods: Set<String> = []
    @exclusivity(unchecked) var staticMethods: Set<String> = []
    @exclusivity(unchecked) var inStatic = false
    @exclusivity(unchecked) var signature: String = ""
    @exclusivity(unchecked) var isForeign = false
    /// Static fields live as hidden module variables, named per class.
    @exclusivity(unchecked) var staticFieldPrefix: String
    init(name: String, staticFieldPrefix: String) { self.name = name; self.staticFieldPrefix = staticFieldPrefix }
}

/// One function being compiled.
final class FunctionScope {
    @exclusivity(unchecked) var code: [UInt8] = []
    @exclusivity(unchecked) var lines: [Int32] = []
    @exclusivity(unchecked) var constants: [Value] = []
    @exclusivity(unchecked) var constantIndex: [UInt64: Int] = [:]
    @exclusivity(unchecked) var locals: [Local] = []
    @exclusivity(unchecked) var upvalues: [UpvalueRef] = []
    /// -1 at module level (variables become module variables), else block depth.
    @exclusivity(unchecked) var scopeDepth: Int
    @exclusivity(unchecked) var numSlots = 1
    @exclusivity(unchecked) var maxSlots = 1
    @exclusivity(unchecked) var loop: LoopInfo?
    @exclusivity(unchecked) var arity = 0
    @exclusivity(unchecked) var isMethod: Bool
    @exclusivity(unchecked) var isInitializer = false
    @exclusivity(unchecked) var name: String
    weak var parent: FunctionScope?

    init(parent: FunctionScope?, isMethod: Bool, name: String, atModuleLevel: Bool) {
        self.parent = parent
        self.isMethod = isMethod
        self.name = name
        scopeDepth = atModuleLevel ? -1 : 0
        // Slot 0 holds the receiver (methods) or the closure itself (functions).
        locals.append(Local(name: isMethod ? "this" : "", depth: -1))
    }
}

package struct CompileError: Error {
    package var messages: [String]
}

final class Compiler {
    let vm: VM
    let module: ObjRef
    let modulePath: String
    @exclusivity(unchecked) var lexer: Lexer
    @exclusivity(unchecked) var previous: Token
    @exclusivity(unchecked) var current: Token
    /// The token after `current`. The lexer runs this one token ahead (as
    /// Wren's does), so its errors come out in the same order among the
    /// parser's messages.
    @exclusivity(unchecked) var next: Token
    @exclusivity(unchecked) var scopes: [FunctionScope] = []
    @exclusivity(unchecked) var classInfo: ClassInfo?
    @exclusivity(unchecked) var errors: [String] = []
    var hadError: Bool { !errors.isEmpty }
    /// Module variables used before their definition: name -> line of first use.
    /// Module variables used before their definition: name -> lines of each use.
    @exclusivity(unchecked) var implicitVariables: [String: [Int]] = [:]
    @exclusivity(unchecked) var moduleVars: [String: Int] = [:]
    /// Counter used to give static fields of classes with the same name distinct slots.
    @exclusivity(unchecked) var classCounter = 0
    /// Runtime attributes (`#!key`) read but not yet attached to a class or method.
    @exclusivity(unchecked) var pendingAttributes: [(String, [(String?, Value)])] = []
    /// Parameters of the method signature being parsed, declared once its function begins.
    @exclusivity(unchecked) var pendingParameters: [(String, Token)] = []
    /// Whether the REPL wants the value of a lone expression statement printed.
    @exclusivity(unchecked) var printExpressions = false

    static let maxLocals = 256
    static let maxUpvalues = 256
    static let maxConstants = 1 << 16
    static let maxFields = ClassLayout.maxFields
    static let maxParameters = 16
    /// Symbol operands are two bytes, so the VM has room for 65,536 method names.
    static let maxSymbol = 0xffff
    static let tooManySymbolsMessage = "Too many distinct method names (a VM has room for 65536)."
    static let maxJump = 1 << 16
    static let maxMethodName = 64
    /// Depth of nested expressions and statements the recursive parser accepts.
    static let maxNesting = 1000
    var nesting = 0

    init(vm: VM, module: ObjRef, modulePath: String, source: [UInt8]) {
        self.vm = vm
        self.module = module
        self.modulePath = modulePath
        let dummy = Token(type: .eof, start: 0, length: 0, line: 1)
        previous = dummy
        current = dummy
        next = dummy
        lexer = Lexer(source: source, reportError: { _, _ in })
        lexer.reportError = { [unowned self] line, message in
            self.errors.append("[\(self.modulePath) line \(line)] Error: \(message)")
        }
        // Index existing module variables (an import or the REPL adds to a module).
        let names = vm.heap[module, ModuleLayout.variableNames].ref
        for i in 0..<vm.listCount(names) {
            moduleVars[vm.string(vm.listGet(names, i))] = i
        }
    }

    // MARK: Tokens

    /// Moves to the next token. A lexical error stays in the stream as an
    /// `.error` token (its message is already out): the parser meets it like
    /// any unexpected token, but reports nothing at it (see `errorAt`).
    func advance() {
        previous = current
        current = next
        next = lexer.next()
    }

    /// Reads the first two tokens: `current` and the one after it.
    func startReading() {
        next = lexer.next()
        advance()
    }

    func text(_ t: Token) -> String {
        String(decoding: lexer.source[t.start..<(t.start + t.length)], as: UTF8.self)
    }

    @inline(__always) func check(_ t: TokenType) -> Bool { current.type == t }

    func match(_ t: TokenType) -> Bool {
        if current.type != t { return false }
        advance()
        return true
    }

    /// Takes the next token, which must be `t`. Otherwise reports `message`
    /// at the token taken; if the token after it is `t`, the one taken is
    /// treated as a stray and `t` is taken too, to spare cascaded errors.
    /// Always moving on is what guarantees progress: the parser has no
    /// panic mode, and every error it meets is reported (as Wren does).
    func consume(_ t: TokenType, _ message: String) {
        advance()
        if previous.type == t { return }
        error(message)
        if current.type == t { advance() }
    }

    /// Skips newlines; true if at least one was skipped.
    @discardableResult
    func ignoreNewlines() -> Bool {
        var any = false
        while match(.line) { any = true }
        return any
    }

    func matchLine() -> Bool {
        if !match(.line) { return false }
        while match(.line) {}
        return true
    }

    func consumeLine(_ message: String) {
        consume(.line, message)
        ignoreNewlines()
    }

    // MARK: Errors

    /// Reports every module variable that was used but never defined, once,
    /// at its first use, in the order the uses made them.
    func reportUndefinedVariables() {
        let undefined = implicitVariables.compactMap { name, lines in
            lines.first.map { (moduleVars[name] ?? 0, name, $0) }
        }
        for (_, name, line) in undefined.sorted(by: { $0.0 < $1.0 }) {
            report(line: line, at: "Error at '\(Compiler.label(name))'", "Variable is used but not defined.")
        }
    }

    /// Reports an error at the token just taken: messages name the token
    /// that ended what was understood, as Wren's do.
    func error(_ message: String) { errorAt(previous, message) }

    func errorAt(_ t: Token, _ message: String) {
        // A lexical error has been reported by the lexer already.
        if t.type == .error { return }
        let where_: String
        switch t.type {
        case .line: where_ = "Error at newline"
        case .eof: where_ = "Error at end of file"
        default: where_ = "Error at '\(Compiler.label(text(t)))'"
        }
        report(line: t.line, at: where_, message)
    }

    func report(line: Int, at where_: String, _ message: String) {
        errors.append("[\(modulePath) line \(line)] \(where_): \(message)")
    }

    /// A token's text as messages show it: at most 64 bytes, then "...".
    static func label(_ text: String) -> String {
        let bytes = Array(text.utf8)
        if bytes.count <= 64 { return text }
        return String(decoding: bytes[..<64], as: UTF8.self) + "..."
    }

    // MARK: Emitting

    var fn: FunctionScope { scopes[scopes.count - 1] }

    /// Emits a byte outside an instruction's fixed part (a closure's tail),
    /// with the line of the token just parsed.
    func emitByte(_ b: UInt8) {
        fn.code.append(b)
        fn.lines.append(Int32(previous.line))
    }

    /// The symbol id of method `name`, as a two-byte operand; a compile error
    /// past the limit (an id that does not fit would call another method).
    func symbolOperand(_ name: String) -> Int {
        let id = vm.symbol(name)
        guard id <= Compiler.maxSymbol else {
            error(Compiler.tooManySymbolsMessage)
            return 0
        }
        return id
    }

    /// Emits one instruction: the opcode, then its fixed operands as the
    /// instruction table lays them out (u8, or u16 big-endian), in the
    /// table's order; the height of the stack follows the table's stack
    /// effect. The height is exact, and its maximum becomes the function's
    /// slot count (see `endFunction`). A `closure`'s tail follows separately
    /// (`emitClosure`).
    func emit(_ op: Op, _ operand0: Int = 0, _ operand1: Int = 0, _ operand2: Int = 0) {
        let info = op.info
        let f = fn
        f.code.append(op.rawValue)
        for i in 0..<info.operandCount {
            let v = i == 0 ? operand0 : i == 1 ? operand1 : operand2
            if info.operand(i)!.width == 2 { f.code.append(UInt8(truncatingIfNeeded: v >> 8)) }
            f.code.append(UInt8(truncatingIfNeeded: v))
        }
        // Every byte gets the line of the token just parsed (see emitByte).
        let line = Int32(previous.line)
        while f.lines.count < f.code.count { f.lines.append(line) }
        f.numSlots += info.stackEffect((operand0, operand1, operand2))
        if f.numSlots > f.maxSlots { f.maxSlots = f.numSlots }
    }

    /// Emits an instruction whose one operand is a u8 (`loadLocal` of slots
    /// 0 to 8 becomes the operand-free `loadLocal0` ... `loadLocal8`).
    func emit(_ op: Op, byte: Int) {
        assert(op.info.operandCount == 1 && op.info.operand0!.width == 1, "\(op) takes no single u8")
        if op == .loadLocal && byte <= 8 {
            emit(Op(rawValue: Op.loadLocal0.rawValue + UInt8(byte))!)
            return
        }
        emit(op, byte)
    }

    /// Emits an instruction whose one operand is a u16.
    func emit(_ op: Op, short: Int) {
        assert(op.info.operandCount == 1 && op.info.operand0!.width == 2, "\(op) takes no single u16")
        emit(op, short)
    }

    /// Emits a jump with a placeholder offset; returns where to patch.
    func emitJump(_ op: Op) -> Int {
        emit(op, 0xffff)
        return fn.code.count - Operand.forward.width
    }

    /// Points the jump whose operand is at `at` to the end of the code.
    func patchJump(_ at: Int) {
        // The distance counts from the end of the jump instruction, which is
        // where its operand ends.
        let offset = fn.code.count - (at + Operand.forward.width)
        if offset >= Compiler.maxJump { error("Too much code to jump over.") }
        fn.code[at] = UInt8((offset >> 8) & 0xff)
        fn.code[at + 1] = UInt8(offset & 0xff)
    }

    /// Emits the jump back to `start`. (A body too long for it is reported
    /// by the loop's exit jump, which spans it: see `endLoop`.)
    func emitLoop(_ start: Int) {
        // The distance counts back from the end of the loop instruction.
        let offset = fn.code.count + Op.loop.length - start
        emit(.loop, offset & 0xffff)
    }

    func addConstant(_ v: Value) -> Int {
        // Deduplicate: strings by contents, everything else by its bits. Up to
        // `linearConstants` a linear search; past them an index keyed by hash
        // and length or bits (a key match is confirmed: the kinds may collide).
        // NOTE: the index is a generic Dictionary, whose metadata the Swift
        // runtime builds on first use: 89 thousand of `amber hello.wren`'s 1.75
        // million instructions, for a script with one constant.
        let isString = v.isObject && vm.heap.kind(v.ref) == .string
        func same(_ c: Value) -> Bool {
            isString ? c.isObject && vm.heap.kind(c.ref) == .string && vm.valuesEqual(c, v) : c.bits == v.bits
        }
        func key(_ c: Value) -> UInt64 {
            c.isObject && vm.heap.kind(c.ref) == .string
                ? UInt64(vm.stringHash(c.ref)) << 20 ^ UInt64(vm.stringLength(c.ref)) : c.bits
        }
        let count = fn.constants.count
        if count < Compiler.linearConstants {
            for i in 0..<count where same(fn.constants[i]) { return i }
        } else {
            if fn.constantIndex.isEmpty {
                for i in 0..<count { fn.constantIndex[key(fn.constants[i])] = i }
            }
            if let i = fn.constantIndex[key(v)], same(fn.constants[i]) { return i }
        }
        if count >= Compiler.maxConstants {
            error("A function may only contain \(Compiler.maxConstants) unique constants.")
            return 0
        }
        fn.constants.append(v)
        if count >= Compiler.linearConstants { fn.constantIndex[key(v)] = count }
        return count
    }

    /// Constants found by a linear search before the index is built.
    static let linearConstants = 16

    func emitConstant(_ v: Value) { emit(.constant, short: addConstant(v)) }

    func stringConstant(_ s: String) -> Int { addConstant(vm.newString(s).value) }

    // MARK: Scopes and variables

    func pushScope() { fn.scopeDepth += 1 }

    /// Closes the block: pops its locals (closing captured ones).
    func popScope() {
        let popped = discardLocals(depth: fn.scopeDepth)
        fn.locals.removeLast(popped)
        fn.scopeDepth -= 1
    }

    /// Emits pops for locals deeper than `depth`; returns how many. Does not
    /// forget them (break/continue jump out without ending the scope).
    func discardLocals(depth: Int) -> Int {
        var i = fn.locals.count - 1
        var n = 0
        while i >= 0 && fn.locals[i].depth >= depth {
            emit(fn.locals[i].isCaptured ? .closeUpvalue : .pop)
            n += 1
            i -= 1
        }
        return n
    }

    /// Declares a variable named by the previous token in the current scope.
    /// Returns the local slot, or the module variable index at module level.
    func declareVariable(_ name: String, token: Token) -> Int {
        if name.utf8.count > 64 {
            errorAt(token, "Variable name cannot be longer than 64 characters.")
        }
        if fn.scopeDepth == -1 {
            if let i = moduleVars[name] {
                if let firstUse = implicitVariables[name]?.first {
                    implicitVariables[name] = nil  // the forward reference is now defined
                    if Compiler.startsLowercase(name) {
                        errorAt(token, "Variable '\(name)' referenced before this definition (first use at line \(firstUse)).")
                    }
                    return i
                }
                errorAt(token, "Module variable is already defined.")
                return i
            }
            if moduleVars.count >= 1 << 16 {
                errorAt(token, "Too many module variables defined.")
            }
            // Undefined until the definition runs; it reads as null.
            let i = vm.defineModuleVariable(module, name, .undefined)
            moduleVars[name] = i
            return i
        }
        for local in fn.locals.reversed() {
            if local.depth < fn.scopeDepth { break }
            if local.name == name {
                errorAt(token, "Variable is already declared in this scope.")
                return fn.locals.count - 1
            }
        }
        if fn.locals.count >= Compiler.maxLocals {
            errorAt(token, "Cannot declare more than \(Compiler.maxLocals) variables in one scope.")
            return fn.locals.count - 1
        }
        fn.locals.append(Local(name: name, depth: fn.scopeDepth))
        return fn.locals.count - 1
    }

    /// Stores the value on the stack top into the variable just declared.
    func defineVariable(_ index: Int) {
        if fn.scopeDepth >= 0 { return }  // a local: the value already sits in its slot
        emit(.storeModuleVar, short: index)
        emit(.pop)
    }

    enum VariableKind { case local, upvalue, module }

    func resolveLocal(_ scope: FunctionScope, _ name: String) -> Int? {
        var i = scope.locals.count - 1
        while i >= 0 {
            if scope.locals[i].name == name { return i }
            i -= 1
        }
        return nil
    }

    func addUpvalue(_ scopeIndex: Int, _ up: UpvalueRef) -> Int {
        let scope = scopes[scopeIndex]
        if let i = scope.upvalues.firstIndex(of: up) { return i }
        if scope.upvalues.count >= Compiler.maxUpvalues {
            error("A function may only close over \(Compiler.maxUpvalues) variables.")
            return 0
        }
        scope.upvalues.append(up)
        return scope.upvalues.count - 1
    }

    /// Finds `name` as an upvalue of the function at `scopeIndex`, capturing
    /// through enclosing functions. Method bodies do not see the enclosing
    /// function's locals beyond the class, as in Wren.
    func resolveUpvalue(_ scopeIndex: Int, _ name: String) -> Int? {
        if scopeIndex == 0 { return nil }
        let parentIndex = scopeIndex - 1
        // A method cannot close over the class body's locals... but it can close
        // over locals of functions around the class, which Wren allows.
        if !name.isEmpty, let local = resolveLocal(scopes[parentIndex], name) {
            scopes[parentIndex].locals[local].isCaptured = true
            return addUpvalue(scopeIndex, UpvalueRef(isLocal: true, index: local))
        }
        if let up = resolveUpvalue(parentIndex, name) {
            return addUpvalue(scopeIndex, UpvalueRef(isLocal: false, index: up))
        }
        return nil
    }

    /// Resolves a name to a local, an upvalue or nil (module variables are checked by the caller).
    func resolveNonModule(_ name: String) -> (VariableKind, Int)? {
        if let l = resolveLocal(fn, name) { return (.local, l) }
        if let u = resolveUpvalue(scopes.count - 1, name) { return (.upvalue, u) }
        return nil
    }

    func loadVariable(_ kind: VariableKind, _ index: Int) {
        switch kind {
        case .local: emit(.loadLocal, byte: index)
        case .upvalue: emit(.loadUpvalue, byte: index)
        case .module: emit(.loadModuleVar, short: index)
        }
    }

    func storeVariable(_ kind: VariableKind, _ index: Int) {
        switch kind {
        case .local: emit(.storeLocal, byte: index)
        case .upvalue: emit(.storeUpvalue, byte: index)
        case .module: emit(.storeModuleVar, short: index)
        }
    }

    // MARK: Functions

    func beginFunction(isMethod: Bool, name: String) {
        let parent = scopes.last
        scopes.append(FunctionScope(parent: parent, isMethod: isMethod, name: name, atModuleLevel: false))
    }

    /// Finishes the innermost function; returns its Fn object and its upvalues.
    func endFunction() -> (ObjRef, [UpvalueRef]) {
        let scope = scopes.removeLast()
        // The count is exact: the stack-height check (AmberBytecode's
        // StackCheck) finds the same maximum by following the code's control
        // flow, for every function of the test scripts and core library.
        let f = vm.newFn(code: scope.code, constants: scope.constants, module: module,
                         numUpvalues: scope.upvalues.count, arity: scope.arity,
                         maxSlots: scope.maxSlots, name: scope.name, lines: scope.lines)
        return (f, scope.upvalues)
    }

    /// Emits the closure instruction for a finished nested function.
    func emitClosure(_ f: ObjRef, _ upvalues: [UpvalueRef]) {
        emit(.closure, addConstant(f.value))
        // The tail: a (isLocal, index) byte pair per upvalue (Tail.upvalues).
        for up in upvalues {
            emitByte(up.isLocal ? 1 : 0)
            emitByte(UInt8(up.index))
        }
    }

    // MARK: Module

    /// Compiles the whole module; returns the body's Fn, or the error messages.
    func compileModule() -> Result<ObjRef, CompileError> {
        let top = FunctionScope(parent: nil, isMethod: false, name: "(script)", atModuleLevel: true)
        scopes = [top]
        startReading()
        ignoreNewlines()
        while !match(.eof) {
            definition()
            // A module-level statement not ended by a newline must be the
            // last one; anything after it is one error, and compiling stops.
            if !matchLine() {
                consume(.eof, "Expect end of file.")
                break
            }
        }
        emit(.endModule)
        emit(.null)
        emit(.return)
        reportUndefinedVariables()
        // Forget forward declarations this failed compile made, so a later
        // REPL line may still define them.
        if hadError {
            return .failure(CompileError(messages: errors))
        }
        let (f, _) = endFunction()
        return .success(f)
    }
}
