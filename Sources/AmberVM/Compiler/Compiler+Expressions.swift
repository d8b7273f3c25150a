@_spi(AmberInternals) import AmberObjects

// Expressions: the Pratt parser's rules and the method-call grammar.

import AmberBytecode

enum Precedence: Int, Comparable {
    case none, lowest, assignment, conditional, logicalOr, logicalAnd, equality, `is`
    case comparison, bitwiseOr, bitwiseXor, bitwiseAnd, shift, range, term, factor
    case unary, call, primary

    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
    var next: Precedence { Precedence(rawValue: rawValue + 1) ?? .primary }
}

/// A method signature under construction: `name`, `name(_,_)`, `name=(_)`, `[_]`, ...
struct Signature {
    enum Kind { case getter, method, setter, subscriptGetter, subscriptSetter, initializer }
    var name: String
    var kind: Kind
    var arity: Int

    var text: String {
        let params = Array(repeating: "_", count: arity).joined(separator: ",")
        switch kind {
        case .getter: return name
        case .method: return "\(name)(\(params))"
        case .setter: return "\(name)=(_)"
        case .subscriptGetter: return "[\(params)]"
        case .subscriptSetter:
            return "[\(Array(repeating: "_", count: arity - 1).joined(separator: ","))]=(_)"
        case .initializer: return "init \(name)(\(params))"
        }
    }
}

extension Compiler {
    func expression() { parsePrecedence(.lowest) }

    func parsePrecedence(_ precedence: Precedence) {
        // The parser recurses on the Swift stack; bound it so deep input is an error, not a crash.
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Compiler.maxNesting {
            error("Expression is nested too deeply (limit \(Compiler.maxNesting)).")
            // Skip the rest so the unwinding levels report nothing more.
            while !check(.eof) { advance() }
            return
        }
        advance()
        let canAssign = precedence <= .conditional
        if !prefix(previous.type, canAssign: canAssign) {
            error("Expected expression.")
            return
        }
        while precedence <= infixPrecedence(current.type) {
            advance()
            infix(previous.type, canAssign: canAssign)
        }
    }

    func infixPrecedence(_ t: TokenType) -> Precedence {
        switch t {
        case .leftBracket, .dot: return .call
        case .dotDot, .dotDotDot: return .range
        case .star, .slash, .percent: return .factor
        case .plus, .minus: return .term
        case .ltlt, .gtgt: return .shift
        case .pipe: return .bitwiseOr
        case .caret: return .bitwiseXor
        case .amp: return .bitwiseAnd
        case .pipePipe: return .logicalOr
        case .ampAmp: return .logicalAnd
        case .question: return .assignment
        case .lt, .gt, .ltEq, .gtEq: return .comparison
        case .eqEq, .bangEq: return .equality
        case .kwIs: return .is
        default: return .none
        }
    }

    /// Runs the prefix rule for `t`; false if there is none.
    func prefix(_ t: TokenType, canAssign: Bool) -> Bool {
        switch t {
        case .leftParen:
            expression()
            consume(.rightParen, "Expect ')' after expression.")
        case .leftBracket: listLiteral()
        case .leftBrace: mapLiteral()
        case .minus, .bang, .tilde: unaryOperator(t)
        case .kwFalse: emit(.false)
        case .kwTrue: emit(.true)
        case .kwNull: emit(.null)
        case .number: emitConstant(previous.value)
        case .string: emitConstant(vm.newString(bytes: previous.text).value)
        case .interpolation: interpolation()
        case .name: name(canAssign: canAssign)
        case .field: field(canAssign: canAssign)
        case .staticField: staticField(canAssign: canAssign)
        case .kwThis: this()
        case .kwSuper: superCall(canAssign: canAssign)
        default: return false
        }
        return true
    }

    func infix(_ t: TokenType, canAssign: Bool) {
        switch t {
        case .leftBracket: subscriptCall(canAssign: canAssign)
        case .dot: dotCall(canAssign: canAssign)
        case .ampAmp:
            ignoreNewlines()
            let jump = emitJump(.and)
            parsePrecedence(.logicalAnd)
            patchJump(jump)
        case .pipePipe:
            ignoreNewlines()
            let jump = emitJump(.or)
            parsePrecedence(.logicalOr)
            patchJump(jump)
        case .question: conditional()
        default: binaryOperator(t)
        }
    }

    static func operatorName(_ t: TokenType) -> String {
        switch t {
        case .dotDot: return ".."
        case .dotDotDot: return "..."
        case .star: return "*"
        case .slash: return "/"
        case .percent: return "%"
        case .plus: return "+"
        case .minus: return "-"
        case .ltlt: return "<<"
        case .gtgt: return ">>"
        case .pipe: return "|"
        case .caret: return "^"
        case .amp: return "&"
        case .lt: return "<"
        case .gt: return ">"
        case .ltEq: return "<="
        case .gtEq: return ">="
        case .eqEq: return "=="
        case .bangEq: return "!="
        case .kwIs: return "is"
        case .bang: return "!"
        case .tilde: return "~"
        default: return "?"
        }
    }

    func binaryOperator(_ t: TokenType) {
        ignoreNewlines()
        parsePrecedence(infixPrecedence(t).next)
        let signature = "\(Compiler.operatorName(t))(_)"
        let op: Op
        switch t {
        case .plus: op = .add
        case .minus: op = .sub
        case .star: op = .mul
        case .slash: op = .div
        case .lt: op = .lt
        case .gt: op = .gt
        case .ltEq: op = .lte
        case .gtEq: op = .gte
        case .eqEq: op = .eq
        case .bangEq: op = .neq
        default: callMethod(argc: 1, signature); return
        }
        emit(op, short: symbolOperand(signature))
    }

    func unaryOperator(_ t: TokenType) {
        ignoreNewlines()
        parsePrecedence(.unary.next)
        switch t {
        case .minus: emit(.neg, short: symbolOperand("-"))
        case .bang: emit(.not, short: symbolOperand("!"))
        default: callMethod(argc: 0, Compiler.operatorName(t))
        }
    }

    func conditional() {
        ignoreNewlines()
        let elseJump = emitJump(.jumpIfFalse)
        // The else branch starts at the height the then branch started at:
        // only one branch's value is ever on the stack.
        let height = fn.numSlots
        parsePrecedence(.conditional)
        consume(.colon, "Expect ':' after then branch of conditional operator.")
        ignoreNewlines()
        let endJump = emitJump(.jump)
        patchJump(elseJump)
        fn.numSlots = height
        parsePrecedence(.assignment)
        patchJump(endJump)
    }

    /// Emits a call of `signature` with `argc` arguments already on the stack.
    func callMethod(argc: Int, _ signature: String, op: Op = .call) {
        emit(op, argc, symbolOperand(signature))
    }

    func loadCoreVariable(_ name: String) {
        let core = vm.root(.coreModule).ref
        guard let i = vm.moduleVariable(core, name) else { fatalError("core lacks \(name)") }
        // Core variables are copied into every module at its creation, under the same index.
        if let j = moduleVars[name] { emit(.loadModuleVar, short: j) } else { emit(.loadModuleVar, short: i) }
    }

    func listLiteral() {
        loadCoreVariable("List")
        callMethod(argc: 0, "new()")
        repeat {
            ignoreNewlines()
            if check(.rightBracket) { break }
            expression()
            callMethod(argc: 1, "addCore_(_)")
        } while match(.comma)
        ignoreNewlines()
        consume(.rightBracket, "Expect ']' after list elements.")
    }

    func mapLiteral() {
        loadCoreVariable("Map")
        callMethod(argc: 0, "new()")
        repeat {
            ignoreNewlines()
            if check(.rightBrace) { break }
            parsePrecedence(.unary)
            consume(.colon, "Expect ':' after map key.")
            ignoreNewlines()
            expression()
            callMethod(argc: 2, "addCore_(_,_)")
        } while match(.comma)
        ignoreNewlines()
        consume(.rightBrace, "Expect '}' after map entries.")
    }

    /// "a %(b) c" becomes ["a ", b, " c"].join().
    func interpolation() {
        loadCoreVariable("List")
        callMethod(argc: 0, "new()")
        repeat {
            emitConstant(vm.newString(bytes: previous.text).value)
            callMethod(argc: 1, "addCore_(_)")
            ignoreNewlines()
            expression()
            callMethod(argc: 1, "addCore_(_)")
            ignoreNewlines()
        } while match(.interpolation)
        consume(.string, "Expect end of string interpolation.")
        emitConstant(vm.newString(bytes: previous.text).value)
        callMethod(argc: 1, "addCore_(_)")
        callMethod(argc: 0, "join()")
    }

    static func startsLowercase(_ s: String) -> Bool {
        guard let c = s.utf8.first else { return false }
        return c >= 97 && c <= 122
    }

    /// Whether `name` is a local of the innermost method or of a function nested in it.
    func declaredInsideMethod(_ name: String) -> Bool {
        for scope in scopes.reversed() {
            if resolveLocal(scope, name) != nil { return true }
            if scope.isMethod { return false }
        }
        return false
    }

    /// Whether code being compiled is inside a method (possibly in a nested function).
    var insideMethod: Bool { scopes.contains { $0.isMethod } }

    func name(canAssign: Bool) {
        let token = previous
        let name = text(token)
        let implicitThis = classInfo != nil && insideMethod && Compiler.startsLowercase(name)
        // Inside a method, a lowercase name is a local only if declared within the
        // method; otherwise it is a call on `this`, even when an enclosing
        // function has a local of that name.
        if let (kind, index) = resolveNonModule(name), !implicitThis || declaredInsideMethod(name) {
            bareVariable(kind, index, canAssign: canAssign)
            return
        }
        if implicitThis {
            // An implicit call on `this`.
            loadThis()
            namedCall(name, token: token, canAssign: canAssign)
            return
        }
        if let i = moduleVars[name] {
            bareVariable(.module, i, canAssign: canAssign)
            return
        }
        // The name may be defined later in the module; until then it is
        // undefined, which reads as null (VM.variable(module:name:) tells it apart).
        let i = vm.defineModuleVariable(module, name, .undefined)
        moduleVars[name] = i
        implicitVariables[name, default: []].append(token.line)
        bareVariable(.module, i, canAssign: canAssign)
    }

    func bareVariable(_ kind: VariableKind, _ index: Int, canAssign: Bool) {
        if canAssign && match(.eq) {
            ignoreNewlines()
            expression()
            storeVariable(kind, index)
            return
        }
        loadVariable(kind, index)
    }

    /// The enclosing method's receiver, loaded through upvalues if we are in a nested function.
    func loadThis() {
        if fn.isMethod {
            emit(.loadLocal, byte: 0)
        } else if let (kind, i) = resolveNonModule("this") {
            loadVariable(kind, i)
        } else {
            // Outside a method: the caller has reported why; keep the stack in step.
            emit(.null)
        }
    }

    func this() {
        if classInfo == nil || !insideMethod {
            error("Cannot use 'this' outside of a method.")
            return
        }
        loadThis()
    }

    func field(canAssign: Bool) {
        let token = previous
        let name = text(token)
        var index = 0
        if let ci = classInfo {
            if ci.inStatic {
                errorAt(token, "Cannot use an instance field in a static method.")
            } else if ci.isForeign {
                errorAt(token, "Cannot define fields in a foreign class.")
            } else if let i = ci.fields.firstIndex(of: name) {
                index = i
            } else {
                if ci.fields.count >= Compiler.maxFields {
                    errorAt(token, "A class can only have \(Compiler.maxFields) fields.")
                }
                ci.fields.append(name)
                index = ci.fields.count - 1
            }
        } else {
            errorAt(token, "Cannot reference a field outside of a class definition.")
        }
        if !insideMethod && classInfo != nil {
            errorAt(token, "Cannot reference a field outside of a class definition.")
        }
        let isAssign = canAssign && match(.eq)
        if isAssign {
            ignoreNewlines()
            expression()
        }
        if fn.isMethod {
            emit(isAssign ? .storeFieldThis : .loadFieldThis, byte: index)
        } else {
            loadThis()
            if isAssign { emit(.storeField, byte: index) } else { emit(.loadField, byte: index) }
        }
    }

    func staticField(canAssign: Bool) {
        let token = previous
        let name = text(token)
        guard let ci = classInfo else {
            errorAt(token, "Cannot use a static field outside of a class definition.")
            return
        }
        let hidden = ci.staticFieldPrefix + name
        let index: Int
        if let i = moduleVars[hidden] { index = i } else {
            index = vm.defineModuleVariable(module, hidden, .null)
            moduleVars[hidden] = index
        }
        bareVariable(.module, index, canAssign: canAssign)
    }

    // MARK: Calls

    /// Comma-separated arguments (at least one), and the newlines after
    /// them; returns the count.
    func argumentList() -> Int {
        var n = 0
        repeat {
            ignoreNewlines()
            n += 1
            checkArgumentCount(n)
            expression()
        } while match(.comma)
        ignoreNewlines()
        return n
    }

    /// Parses what follows a method name in a call: arguments, a block argument,
    /// or an assignment (setter). Emits the call on the receiver already pushed.
    func namedCall(_ name: String, token: Token, canAssign: Bool, isSuper: Bool = false) {
        if name.utf8.count > Compiler.maxMethodName {
            errorAt(token, "Method names cannot be longer than \(Compiler.maxMethodName) characters.")
        }
        if canAssign && match(.eq) {
            ignoreNewlines()
            expression()
            emitCall(Signature(name: name, kind: .setter, arity: 1), isSuper: isSuper)
            return
        }
        emitCall(callArguments(name), isSuper: isSuper)
    }

    /// The arguments of a call of `name`: an optional '(' list ')' and an
    /// optional block argument. Returns the signature they make.
    func callArguments(_ name: String) -> Signature {
        var sig = Signature(name: name, kind: .getter, arity: 0)
        if match(.leftParen) {
            sig.kind = .method
            ignoreNewlines()
            if !check(.rightParen) { sig.arity = argumentList() }
            consume(.rightParen, "Expect ')' after arguments.")
        }
        if match(.leftBrace) {
            sig.kind = .method
            sig.arity += 1
            blockArgument(name: sig.text + " block argument")
        }
        return sig
    }

    /// A `{ |a, b| ... }` block passed as the last argument: compiled as a
    /// function named, as in Wren's traces, after the method it is passed to
    /// (`new(_) block argument`).
    func blockArgument(name: String) {
        beginFunction(isMethod: false, name: name)
        fn.scopeDepth = 0
        let inner = fn
        if match(.pipe) {
            var arity = 0
            repeat {
                ignoreNewlines()
                arity += 1
                checkArgumentCount(arity)
                consume(.name, "Expect variable name.")
                _ = declareVariable(text(previous), token: previous)
            } while match(.comma)
            inner.arity = arity
            consume(.pipe, "Expect '|' after function parameters.")
        }
        inner.numSlots = inner.locals.count
        inner.maxSlots = max(inner.maxSlots, inner.numSlots)
        functionBody()
        let (f, ups) = endFunction()
        emitClosure(f, ups)
    }

    func emitCall(_ sig: Signature, isSuper: Bool) {
        let argc = sig.arity
        let symbol = symbolOperand(sig.text)
        if isSuper {
            // Each super call gets a fresh constant slot, filled with the
            // superclass when the method is bound to its class.
            fn.constants.append(.null)
            emit(.superCall, argc, symbol, fn.constants.count - 1)
        } else {
            emit(.call, argc, symbol)
        }
    }

    func dotCall(canAssign: Bool) {
        ignoreNewlines()
        consume(.name, "Expect method name after '.'.")
        namedCall(text(previous), token: previous, canAssign: canAssign)
    }

    func subscriptCall(canAssign: Bool) {
        let n = argumentList()
        consume(.rightBracket, "Expect ']' after arguments.")
        if canAssign && match(.eq) {
            // The assigned value is one more argument of the setter.
            checkArgumentCount(n + 1)
            ignoreNewlines()
            expression()
            emitCall(Signature(name: "", kind: .subscriptSetter, arity: n + 1), isSuper: false)
        } else {
            emitCall(Signature(name: "", kind: .subscriptGetter, arity: n), isSuper: false)
        }
    }

    func superCall(canAssign: Bool) {
        guard let ci = classInfo, insideMethod else {
            error("Cannot use 'super' outside of a method.")
            return
        }
        loadThis()
        if match(.dot) {
            consume(.name, "Expect method name after 'super.'.")
            namedCall(text(previous), token: previous, canAssign: canAssign, isSuper: true)
        } else {
            // A bare `super(...)` calls the superclass method of the same name.
            let sig = ci.signature
            let name = Compiler.methodName(of: sig)
            if sig.hasPrefix("init ") {
                // In a constructor, super(...) runs the superclass's initializer.
                var call = callArguments(name)
                if call.kind != .method { error("A superclass constructor must have an argument list.") }
                call.kind = .initializer
                emitCall(call, isSuper: true)
                return
            }
            namedCall(name, token: previous, canAssign: canAssign, isSuper: true)
        }
    }

    /// The name part of a signature text (`foo(_,_)` -> `foo`, `init new(_)` -> `new`).
    static func methodName(of sig: String) -> String {
        var s = Substring(sig)
        if s.hasPrefix("init ") { s = s.dropFirst(5) }
        if let p = s.firstIndex(where: { $0 == "(" || $0 == "=" }) { s = s[..<p] }
        return String(s)
    }
}
