@_spi(AmberInternals) import AmberObjects

// Statements, definitions, classes and methods.

import AmberBytecode

extension Compiler {
    /// A definition is a statement that may also declare names: class, import, var.
    func definition() {
        if check(.hash) {
            attributes()
            if !check(.kwClass) && !(check(.kwForeign)) {
                error("Attributes can only specified before a class or a method")
                pendingAttributes = []
            }
        }
        if match(.kwClass) {
            classDefinition(isForeign: false)
        } else if match(.kwForeign) {
            consume(.kwClass, "Expect 'class' after 'foreign'.")
            classDefinition(isForeign: true)
        } else if match(.kwImport) {
            importStatement()
        } else if match(.kwVar) {
            variableDefinition()
        } else {
            statement()
        }
    }

    /// Parses `#key`, `#key = value`, `#group(key = value, ...)` and `#!...`
    /// attributes. Runtime attributes (`#!`) are collected for the class.
    func attributes() {
        while match(.hash) {
            let runtime = match(.bang)
            // Reported at the '#' (or '!'): what follows is not taken.
            if !match(.name) { error("Expect an attribute definition after #.") }
            let key = text(previous)
            var entries: [(String?, Value)] = []
            if match(.eq) {
                entries.append((nil, attributeValue()))
            } else if match(.leftParen) {
                ignoreNewlines()
                repeat {
                    ignoreNewlines()
                    consume(.name, "Expect name for attribute key.")
                    let sub = text(previous)
                    var v = Value.null
                    if match(.eq) { v = attributeValue() }
                    entries.append((sub, v))
                    ignoreNewlines()
                } while match(.comma)
                ignoreNewlines()
                consume(.rightParen, "Expect ')' after grouped attributes.")
            } else {
                entries.append((nil, .null))
            }
            if runtime { pendingAttributes.append((key, entries)) }
            consumeLine("Expect newline after attribute.")
        }
    }

    func attributeValue() -> Value {
        advance()
        switch previous.type {
        case .number: return previous.value
        case .string: return vm.newString(bytes: previous.text).value
        case .kwTrue: return .true
        case .kwFalse: return .false
        case .kwNull: return .null
        case .name: return vm.newString(text(previous)).value
        default:
            error("Expect a Bool, Num, String or Identifier literal for an attribute value.")
            return .null
        }
    }

    func statement() {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Compiler.maxNesting {
            error("Code is nested too deeply (limit \(Compiler.maxNesting)).")
            while !check(.eof) { advance() }
            return
        }
        if match(.kwBreak) {
            guard let loop = fn.loop else { error("Cannot use 'break' outside of a loop."); return }
            // The pops run only on the way out; the code after the jump is
            // reached (if at all) with the loop's locals still on the stack.
            let height = fn.numSlots
            _ = discardLocals(depth: loop.scopeDepth + 1)
            loop.breaks.append(emitJump(.jump))
            fn.numSlots = height
        } else if match(.kwContinue) {
            guard let loop = fn.loop else { error("Cannot use 'continue' outside of a loop."); return }
            let height = fn.numSlots  // as for break
            _ = discardLocals(depth: loop.scopeDepth + 1)
            emitLoop(loop.start)
            fn.numSlots = height
        } else if match(.kwFor) {
            forStatement()
        } else if match(.kwIf) {
            ifStatement()
        } else if match(.kwReturn) {
            returnStatement()
        } else if match(.kwWhile) {
            whileStatement()
        } else if match(.leftBrace) {
            pushScope()
            // A one-line block is an expression; its value is not kept.
            if finishBlock() { emit(.pop) }
            popScope()
        } else {
            expressionStatement()
        }
    }

    func expressionStatement() {
        if printExpressions && scopes.count == 1 && fn.scopeDepth == -1 {
            // The REPL shows a top-level expression's value: System.printReplValue_(expr).
            // An assignment's value is not echoed.
            loadCoreVariable("System")
            let start = fn.code.count
            expression()
            callMethod(argc: 1, endsInStore(from: start) ? "replIgnore_(_)" : "printReplValue_(_)")
            emit(.pop)
            return
        }
        expression()
        emit(.pop)
    }

    /// Whether the code emitted since `start` ends in a store (an assignment).
    func endsInStore(from start: Int) -> Bool {
        let ops: [Op] = [.storeLocal, .storeModuleVar, .storeUpvalue, .storeFieldThis, .storeField]
        for op in ops where fn.code.count - start >= op.length {
            if fn.code[fn.code.count - op.length] == op.rawValue { return true }
        }
        return false
    }

    /// What follows a block's '{', through its '}'. When something follows
    /// the brace on its own line, the block is a single expression whose
    /// value is left on the stack: returns true then. Otherwise each
    /// statement ends with a newline, the last one too.
    func finishBlock() -> Bool {
        if match(.rightBrace) { return false }
        if !matchLine() {
            expression()
            consume(.rightBrace, "Expect '}' at end of block.")
            return true
        }
        if match(.rightBrace) { return false }
        repeat {
            definition()
            consumeLine("Expect newline after statement.")
        } while !check(.rightBrace) && !check(.eof)
        consume(.rightBrace, "Expect '}' at end of block.")
        return false
    }

    func ifStatement() {
        consume(.leftParen, "Expect '(' after 'if'.")
        ignoreNewlines()
        expression()
        consume(.rightParen, "Expect ')' after if condition.")
        let elseJump = emitJump(.jumpIfFalse)
        statement()
        if match(.kwElse) {
            let endJump = emitJump(.jump)
            patchJump(elseJump)
            statement()
            patchJump(endJump)
        } else {
            patchJump(elseJump)
        }
    }

    func startLoop() -> LoopInfo {
        let loop = LoopInfo(start: fn.code.count, scopeDepth: fn.scopeDepth, enclosing: fn.loop)
        fn.loop = loop
        return loop
    }

    func endLoop(_ loop: LoopInfo) {
        let loopOffset = fn.code.count - loop.start + 3
        emitLoop(loop.start)
        let exitOffset = fn.code.count - loop.exitJump - 2
        if loopOffset >= Compiler.maxJump && exitOffset < Compiler.maxJump { error("Loop body too large.") }
        patchJump(loop.exitJump)
        for b in loop.breaks { patchJump(b) }
        fn.loop = loop.enclosing
    }

    func loopBody() {
        statement()
    }

    func whileStatement() {
        let loop = startLoop()
        consume(.leftParen, "Expect '(' after 'while'.")
        ignoreNewlines()
        expression()
        consume(.rightParen, "Expect ')' after while condition.")
        loop.exitJump = emitJump(.jumpIfFalse)
        loopBody()
        endLoop(loop)
    }

    func forStatement() {
        pushScope()
        consume(.leftParen, "Expect '(' after 'for'.")
        consume(.name, "Expect for loop variable name.")
        let nameToken = previous
        let varName = text(nameToken)
        consume(.kwIn, "Expect 'in' after loop variable.")
        ignoreNewlines()
        expression()
        // The loop keeps its sequence and iterator in two hidden locals.
        if fn.locals.count + 2 > Compiler.maxLocals {
            error("Cannot declare more than \(Compiler.maxLocals) variables in one scope. (Not enough space for for-loops internal variables)")
            popScope()
            return
        }
        consume(.rightParen, "Expect ')' after loop expression.")
        let seqSlot = declareVariable("seq ", token: nameToken)
        emit(.null)
        let iterSlot = declareVariable("iter ", token: nameToken)
        let loop = startLoop()
        emit(.loadLocal, byte: seqSlot)
        emit(.loadLocal, byte: iterSlot)
        callMethod(argc: 1, "iterate(_)", op: .iterate)
        emit(.storeLocal, byte: iterSlot)
        loop.exitJump = emitJump(.jumpIfFalse)
        emit(.loadLocal, byte: seqSlot)
        emit(.loadLocal, byte: iterSlot)
        callMethod(argc: 1, "iteratorValue(_)", op: .iteratorValue)
        pushScope()
        _ = declareVariable(varName, token: nameToken)
        loopBody()
        popScope()
        endLoop(loop)
        popScope()
    }

    func returnStatement() {
        // Only a newline ends a bare return: `{ return }` on one line is not one.
        if check(.line) {
            if fn.isInitializer { emit(.loadLocal, byte: 0) } else { emit(.null) }
        } else {
            if fn.isInitializer { error("A constructor cannot return a value.") }
            expression()
        }
        emit(.return)
    }

    func variableDefinition() {
        consume(.name, "Expect variable name.")
        let nameToken = previous
        if match(.eq) {
            ignoreNewlines()
            expression()
        } else {
            emit(.null)
        }
        let index = declareVariable(text(nameToken), token: previous)
        defineVariable(index)
    }

    func importStatement() {
        ignoreNewlines()
        consume(.string, "Expect a string after 'import'.")
        let moduleName = String(decoding: previous.text, as: UTF8.self)
        let moduleConst = stringConstant(moduleName)
        emit(.importModule, short: moduleConst)
        emit(.pop)
        guard match(.kwFor) else { return }
        repeat {
            ignoreNewlines()
            consume(.name, "Expect variable name.")
            let sourceToken = previous
            var nameToken = previous
            if match(.kwAs) {
                consume(.name, "Expect variable name.")
                nameToken = previous
            }
            emit(.importVariable, moduleConst, stringConstant(text(sourceToken)))
            let index = declareVariable(text(nameToken), token: previous)
            defineVariable(index)
        } while match(.comma)
    }

    // MARK: Classes

    func classDefinition(isForeign: Bool) {
        let classAttributes = pendingAttributes
        pendingAttributes = []
        consume(.name, "Expect variable name.")
        let nameToken = previous
        let className = text(nameToken)
        emitConstant(vm.newString(className).value)
        if match(.kwIs) {
            parsePrecedence(.call)
        } else {
            loadCoreVariable("Object")
        }
        emit(isForeign ? .foreignClass : .class, byte: 255)
        let numFieldsAt = fn.code.count - 1
        let slot = declareVariable(className, token: nameToken)
        // Keep the class on the stack while its methods are bound; it is stored
        // in its variable first so methods can refer to it.
        if fn.scopeDepth == -1 {
            emit(.storeModuleVar, short: slot)
        }
        classCounter += 1
        let info = ClassInfo(name: className, staticFieldPrefix: "\(className)#\(classCounter) ")
        info.isForeign = isForeign
        let enclosing = classInfo
        classInfo = info

        var methodAttributes: [(String, [(String, [(String?, Value)])])] = []
        consume(.leftBrace, "Expect '{' after class declaration.")
        _ = matchLine()
        while !match(.rightBrace) {
            if check(.hash) { attributes() }
            let attrs = pendingAttributes
            pendingAttributes = []
            // Without a method definition, the class ends here (so does
            // the module, as what follows cannot end the statement).
            guard let sig = method(classSlot: slot) else { break }
            if !attrs.isEmpty { methodAttributes.append((info.inStatic ? "static " + sig : sig, attrs)) }
            if match(.rightBrace) { break }
            consumeLine("Expect newline after definition in class.")
        }
        if !isForeign {
            fn.code[numFieldsAt] = UInt8(min(info.fields.count, 255))
        }
        // Runtime attributes: build the ClassAttributes value and hand it to endClass.
        loadClass(slot)
        if classAttributes.isEmpty && methodAttributes.isEmpty {
            emit(.null)
        } else {
            emitAttributes(classAttributes, methodAttributes)
        }
        emit(.endClass)
        classInfo = enclosing
        if fn.scopeDepth == -1 {
            emit(.pop)
        }
    }

    func loadClass(_ slot: Int) {
        if fn.scopeDepth == -1 { emit(.loadModuleVar, short: slot) } else { emit(.loadLocal, byte: slot) }
    }

    /// Builds the attribute maps: a Map of key -> List of values for the class, and
    /// a Map of method signature -> such a map, as `ClassAttributes.new(self, methods)`.
    func emitAttributes(_ classAttrs: [(String, [(String?, Value)])],
                        _ methodAttrs: [(String, [(String, [(String?, Value)])])]) {
        loadCoreVariable("ClassAttributes")
        emitAttributeGroup(classAttrs)
        if methodAttrs.isEmpty {
            emit(.null)
        } else {
            loadCoreVariable("Map")
            callMethod(argc: 0, "new()")
            for (sig, attrs) in methodAttrs {
                emitConstant(vm.newString(sig).value)
                emitAttributeGroup(attrs)
                callMethod(argc: 2, "addCore_(_,_)")
            }
        }
        callMethod(argc: 2, "new(_,_)")
    }

    /// `#key = v` and `#group(k = v)` become { null: {key: [v]}, "group": {k: [v]} }.
    func emitAttributeGroup(_ attrs: [(String, [(String?, Value)])]) {
        if attrs.isEmpty { emit(.null); return }
        // group name (or null for plain keys) -> key -> [values]
        var groups: [(Value, [(String, [Value])])] = []
        func add(_ group: Value, _ key: String, _ v: Value) {
            var gi = groups.firstIndex { vm.valuesEqual($0.0, group) }
            if gi == nil { groups.append((group, [])); gi = groups.count - 1 }
            if let ki = groups[gi!].1.firstIndex(where: { $0.0 == key }) {
                groups[gi!].1[ki].1.append(v)
            } else {
                groups[gi!].1.append((key, [v]))
            }
        }
        for (key, entries) in attrs {
            for (sub, v) in entries {
                if let sub { add(vm.newString(key).value, sub, v) } else { add(.null, key, v) }
            }
        }
        loadCoreVariable("Map")
        callMethod(argc: 0, "new()")
        for (group, keys) in groups {
            emitConstant(group)
            loadCoreVariable("Map")
            callMethod(argc: 0, "new()")
            for (key, values) in keys {
                emitConstant(vm.newString(key).value)
                loadCoreVariable("List")
                callMethod(argc: 0, "new()")
                for v in values {
                    emitConstant(v)
                    callMethod(argc: 1, "addCore_(_)")
                }
                callMethod(argc: 2, "addCore_(_,_)")
            }
            callMethod(argc: 2, "addCore_(_,_)")
        }
    }

    /// Parses one method definition; returns its signature text, or nil
    /// when no method definition starts here (reported).
    func method(classSlot: Int) -> String? {
        guard let info = classInfo else { return nil }
        // `foreign static` is the only order: `static foreign` is no method.
        let isForeign = match(.kwForeign)
        let isStatic = match(.kwStatic)
        info.inStatic = isStatic
        advance()
        let nameToken = previous
        guard let sig = methodSignature(nameToken) else {
            error("Expect method definition.")
            return nil
        }
        let isConstructor = sig.kind == .initializer
        if isStatic && isConstructor { error("A constructor cannot be static.") }
        let sigText = sig.text
        info.signature = sigText
        let methods = isStatic ? info.staticMethods : info.instanceMethods
        if methods.contains(sigText) {
            error("Class \(info.name) already defines a \(isStatic ? "static " : "")method '\(sigText)'.")
        }
        if isStatic { info.staticMethods.insert(sigText) } else { info.instanceMethods.insert(sigText) }

        let symbol = symbolOperand(sigText)
        if isForeign {
            // Foreign methods are bound by name at class creation (see the interpreter).
            loadClass(classSlot)
            emitConstant(vm.newString(sigText).value)
            emit(isStatic ? .methodStatic : .methodInstance, short: symbol)
            return sigText
        }

        // Compile the body as its own function, named by its signature as in
        // Wren's stack traces ("score(_)", "init new(_)").
        beginFunction(isMethod: true, name: sigText)
        let scope = fn
        scope.isInitializer = isConstructor
        for p in pendingParameters { _ = declareVariable(p.0, token: p.1) }
        scope.arity = sig.arity
        scope.numSlots = scope.locals.count
        scope.maxSlots = scope.numSlots
        consume(.leftBrace, "Expect '{' to begin method body.")
        functionBody()
        let (f, ups) = endFunction()
        loadClass(classSlot)
        emitClosure(f, ups)
        emit(isStatic ? .methodStatic : .methodInstance, short: symbol)

        if isConstructor {
            // The static "new(_)" creates the instance and runs the initializer.
            let plain = Signature(name: sig.name, kind: .method, arity: sig.arity)
            // Unnamed in traces, as in Wren: the initializer's frame says what it is.
            beginFunction(isMethod: true, name: "")
            let stub = fn
            stub.arity = sig.arity
            stub.numSlots = sig.arity + 1
            stub.maxSlots = stub.numSlots
            emit(info.isForeign ? .foreignConstruct : .construct)
            for i in 0...sig.arity { emit(.loadLocal, byte: i) }
            callMethod(argc: sig.arity, sigText)
            emit(.return)
            let (sf, _) = endFunction()
            loadClass(classSlot)
            emitClosure(sf, [])
            emit(.methodStatic, short: symbolOperand(plain.text))
        }
        return sigText
    }

    /// Parses the rest of a method signature that starts with `t` (taken);
    /// fills `pendingParameters`. Nil if no signature starts with `t`.
    func methodSignature(_ t: Token) -> Signature? {
        pendingParameters = []
        switch t.type {
        case .name:
            checkMethodNameLength(t)
            if let setter = setterParameter(name: text(t), kind: .setter, arity: 0) { return setter }
            var sig = Signature(name: text(t), kind: .getter, arity: 0)
            if match(.leftParen) {
                sig.kind = .method
                ignoreNewlines()
                if !match(.rightParen) {
                    sig.arity = parameterList()
                    consume(.rightParen, "Expect ')' after parameters.")
                }
            }
            return sig
        case .kwConstruct:
            consume(.name, "Expect constructor name after 'construct'.")
            checkMethodNameLength(previous)
            var sig = Signature(name: text(previous), kind: .initializer, arity: 0)
            if match(.eq) { error("A constructor cannot be a setter.") }
            if !match(.leftParen) {
                error("A constructor cannot be a getter.")
                return sig
            }
            if match(.rightParen) { return sig }
            sig.arity = parameterList()
            consume(.rightParen, "Expect ')' after parameters.")
            return sig
        case .leftBracket:
            let arity = parameterList()
            consume(.rightBracket, "Expect ']' after parameters.")
            return setterParameter(name: "", kind: .subscriptSetter, arity: arity)
                ?? Signature(name: "", kind: .subscriptGetter, arity: arity)
        case .bang, .tilde:
            return Signature(name: Compiler.operatorName(t.type), kind: .getter, arity: 0)
        case .minus:
            guard match(.leftParen) else { return Signature(name: "-", kind: .getter, arity: 0) }
            operatorParameter()
            return Signature(name: "-", kind: .method, arity: 1)
        case .plus, .star, .slash, .percent, .lt, .gt, .ltEq, .gtEq, .eqEq, .bangEq,
             .amp, .pipe, .caret, .ltlt, .gtgt, .dotDot, .dotDotDot, .kwIs:
            consume(.leftParen, "Expect '(' after operator name.")
            operatorParameter()
            return Signature(name: Compiler.operatorName(t.type), kind: .method, arity: 1)
        default:
            return nil
        }
    }

    func checkMethodNameLength(_ t: Token) {
        if t.length > Compiler.maxMethodName {
            error("Method names cannot be longer than \(Compiler.maxMethodName) characters.")
        }
    }

    /// `=(value)` after a name or subscript parameters makes a setter.
    func setterParameter(name: String, kind: Signature.Kind, arity: Int) -> Signature? {
        guard match(.eq) else { return nil }
        consume(.leftParen, "Expect '(' after '='.")
        declareParameter()
        consume(.rightParen, "Expect ')' after parameter.")
        return Signature(name: name, kind: kind, arity: arity + 1)
    }

    /// The right operand's name of a binary operator (after its '(').
    func operatorParameter() {
        declareParameter()
        consume(.rightParen, "Expect ')' after parameter name.")
    }

    /// Comma-separated parameter names (at least one); returns the count.
    func parameterList() -> Int {
        var n = 0
        repeat {
            ignoreNewlines()
            n += 1
            checkArgumentCount(n)
            declareParameter()
        } while match(.comma)
        return n
    }

    func declareParameter() {
        consume(.name, "Expect variable name.")
        pendingParameters.append((text(previous), previous))
    }

    /// Reports, once, an argument or parameter list that grows past the limit.
    func checkArgumentCount(_ n: Int) {
        if n == Compiler.maxParameters + 1 {
            error("Methods cannot have more than \(Compiler.maxParameters) parameters.")
        }
    }

    /// Compiles a function body after its '{' through the closing '}' and
    /// emits the return: a one-line body's expression is its value.
    func functionBody() {
        let isExpression = finishBlock()
        if fn.isInitializer {
            if isExpression { emit(.pop) }
            emit(.loadLocal, byte: 0)
        } else if !isExpression {
            emit(.null)
        }
        emit(.return)
    }
}
