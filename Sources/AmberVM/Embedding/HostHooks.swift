@_spi(AmberInternals) import AmberObjects

// Host hooks: what a host that works the way Wren's C API does plugs into a
// VM (ARCHITECTURE.md, "Embedding"). The C library (Sources/AmberWren) is the
// one user; Swift hosts keep `Bindings`, `moduleLoader` and the sinks.
//
//   bindMethod / bindClass   foreign methods and classes asked for when a class
//                            is defined, and again for every name an image
//                            uses when it is restored (Natives.swift);
//   imports                  `import` resolved and loaded by the host, in
//                            Wren's order (ModuleLoader+Host.swift);
//   reportError              errors as data (compile error, runtime error, one
//                            stack frame) instead of text on the error sink;
//   write                    script output as raw bytes, piece by piece.
//
// Every hook is nil by default, and then nothing changes.

/// A `foreign` method, as the class definition names it.
package struct ForeignMethodName: Equatable {
    package var module: String
    package var className: String
    package var isStatic: Bool
    package var signature: String

    package init(module: String, className: String, isStatic: Bool, signature: String) {
        self.module = module
        self.className = className
        self.isStatic = isStatic
        self.signature = signature
    }

    /// The native's name: "module.Class.signature" or "module.Class.static signature".
    package var nativeName: String { "\(module).\(className).\(isStatic ? "static " : "")\(signature)" }

    /// As messages show it: "static Calc.add(_,_)".
    package var shown: String { "\(isStatic ? "static " : "")\(className).\(signature)" }
}

/// What an image's native name stands for, when a host may provide it.
package enum HostNativeName: Equatable {
    case method(ForeignMethodName)
    case foreignClass(module: String, className: String)

    /// Decodes "module.Class.[static ]signature" or "module.Class.<allocate>".
    /// Module names may contain dots and so may signatures (`..(_)`), but a
    /// class name is an identifier and a signature has a known shape, so at
    /// most one split is valid. Core natives ("Num.sqrt") have no module part
    /// and decode to nil.
    package init?(nativeName name: String) {
        let bytes = Array(name.utf8)
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: ".") && i > 0 {
            let rest = bytes[(i + 1)...]
            guard let dot = rest.firstIndex(of: UInt8(ascii: ".")) else { return nil }
            let cls = rest[rest.startIndex..<dot]
            guard HostNativeName.isIdentifier(cls) else { continue }
            let module = String(decoding: bytes[..<i], as: UTF8.self)
            let className = String(decoding: cls, as: UTF8.self)
            var sig = String(decoding: rest[(dot + 1)...], as: UTF8.self)
            if sig == "<allocate>" { self = .foreignClass(module: module, className: className); return }
            let isStatic = sig.hasPrefix("static ")
            if isStatic { sig.removeFirst("static ".count) }
            guard SignatureShape.isValid(sig) else { continue }
            self = .method(ForeignMethodName(module: module, className: className, isStatic: isStatic, signature: sig))
            return
        }
        return nil
    }

    static func isIdentifier(_ s: ArraySlice<UInt8>) -> Bool {
        guard let first = s.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return s.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) }
    }
}

/// The shapes a method signature can have: "name", "name(_,_)", "name=(_)",
/// "[_,_]", "[_]=(_)", an operator "+(_)" or a prefix operator "-".
package enum SignatureShape {
    static let operators: Set<String> = ["+", "-", "*", "/", "%", "<", ">", "<=", ">=", "==", "!=", "&", "|", "^",
                                         "<<", ">>", "..", "...", "is", "~", "!"]

    /// Whether `s` is a signature the compiler could have made.
    package static func isValid(_ s: String) -> Bool {
        guard !s.isEmpty, !s.contains(" ") else { return false }
        func params(_ p: Substring) -> Bool {
            // "(_,_)" or "()" : underscores separated by commas.
            p.isEmpty || p.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { $0 == "_" }
        }
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return false }
            let inside = s[s.index(after: s.startIndex)..<close]
            guard !inside.isEmpty, params(inside) else { return false }
            let after = s[s.index(after: close)...]
            return after.isEmpty || after == "=(_)"
        }
        var head = Substring(s), list: Substring? = nil
        if let open = s.firstIndex(of: "("), s.hasSuffix(")") {
            head = s[..<open]
            list = s[s.index(after: open)..<s.index(before: s.endIndex)]
        }
        if let list, !params(list) { return false }
        if operators.contains(String(head)) { return list == nil ? ["-", "~", "!"].contains(head) : list == "_" }
        if head.hasSuffix("=") { head.removeLast(); if list != "_" { return false } }
        return HostNativeName.isIdentifier(ArraySlice(head.utf8))
    }

    /// Wren's count of parameters: the "_" inside the parameter list and inside
    /// a subscript's brackets.
    package static func arity(_ s: String) -> Int {
        var n = 0
        if s.hasSuffix(")"), let open = s.lastIndex(of: "(") { n += s[open...].filter { $0 == "_" }.count }
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") { n += s[..<close].filter { $0 == "_" }.count }
        return n
    }
}

/// The allocate and finalize functions of a foreign class a host binds.
package struct ForeignClassFunctions {
    /// Called as a native with the class in args[0] and the constructor's
    /// arguments after it; leaves the new instance in the slot of args[0].
    package var allocate: NativeFunction
    /// Called with an instance's bytes when it dies, or when the VM ends.
    package var finalize: ((UnsafeMutableRawPointer) -> Void)?

    package init(allocate: @escaping NativeFunction, finalize: ((UnsafeMutableRawPointer) -> Void)?) {
        self.allocate = allocate
        self.finalize = finalize
    }
}

/// `import` as the host decides it, in Wren's order: resolve the name, use
/// the module if it is loaded, else ask the host for source, else the
/// built-in modules listed in `builtins`; nothing is read from files.
package struct HostImports {
    /// The module name for an import string, given the importer's name; nil
    /// fails the import. Nil hook: the string is the name.
    package var resolve: ((_ importer: String, _ name: String) -> String?)?
    /// The source of a module, and what to call once it is compiled; nil when
    /// the host has none.
    package var load: ((_ name: String) -> (source: [UInt8], done: (() -> Void)?)?)?
    /// Built-in modules offered when the host has no source ("meta", "random").
    package var builtins: Set<String>

    package init(resolve: ((String, String) -> String?)?, load: ((String) -> (source: [UInt8], done: (() -> Void)?)?)?,
                 builtins: Set<String>) {
        self.resolve = resolve
        self.load = load
        self.builtins = builtins
    }
}

/// One error report, as Wren's C API delivers them.
package enum ErrorReport {
    /// "[module line N] what" split into its parts; `message` is "Error at 'x': ...".
    case compile(module: String, line: Int, message: String)
    /// An uncaught runtime error: the error string, or nil for a non-string error value.
    case runtime(message: String?)
    /// One frame of the error's trace, innermost first.
    case stackFrame(module: String, line: Int, function: String)
    /// A misuse of the host API outside any foreign method (no fiber to abort).
    case api(message: String)
}

/// A C host's foreign method: the function and the `WrenVM*` it is called
/// with. The interpreter calls it without a Swift closure in between
/// (`Native.cMethod`): no closure context to retain and release per call.
package struct CForeignMethod {
    package let function: @convention(c) (OpaquePointer?) -> Void
    package let vm: OpaquePointer?
    package init(function: @escaping @convention(c) (OpaquePointer?) -> Void, vm: OpaquePointer?) {
        self.function = function
        self.vm = vm
    }
}

/// The hooks (see the top of this file). Nil hooks change nothing.
package struct HostHooks {
    /// A C host's function for a foreign method (the C API's `WrenForeignMethodFn`).
    package var bindMethod: ((VM, ForeignMethodName) -> CForeignMethod?)?
    package var bindClass: ((VM, _ module: String, _ className: String) -> ForeignClassFunctions?)?
    package var imports: HostImports?
    package var reportError: ((VM, ErrorReport) -> Void)?
    package var write: ((VM, UnsafeRawBufferPointer) -> Void)?

    package init() {}
}

extension VM {
    /// Reports a module's compile errors (as the compiler formats them:
    /// "[module line N] Error at 'x': ...") to the host's reporter, or else
    /// writes them to the error sink.
    func reportCompileErrors(module: String, _ messages: [String]) {
        guard let report = config.hostHooks.reportError else {
            config.writeError(messages.joined(separator: "\n") + "\n")
            return
        }
        let prefix = Array("[\(module) line ".utf8)
        for m in messages {
            // Split off the prefix the compiler put there: "[module line N] ".
            // The module is known, so a name with spaces or brackets in it is no problem.
            let bytes = Array(m.utf8)
            var i = prefix.count
            var line = 0
            if bytes.starts(with: prefix) {
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, line < 1 << 40 {
                    line = line * 10 + Int(bytes[i] - 0x30)
                    i += 1
                }
            }
            if i > prefix.count, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "]"), bytes[i + 1] == UInt8(ascii: " ") {
                report(self, .compile(module: module, line: line, message: String(decoding: bytes[(i + 2)...], as: UTF8.self)))
            } else {
                report(self, .compile(module: module, line: 0, message: m))
            }
        }
    }

    /// The stack trace of fiber `f`, innermost frame first, without the
    /// frames of the core library and of host-call stubs (Wren shows neither).
    func traceFrames(_ f: ObjRef) -> [(module: String, line: Int, function: String)] {
        var frames: [(module: String, line: Int, function: String)] = []
        let p = framesPointer(f)
        var i = heap.word(f, FiberLayout.frameCount) - 1
        while i >= 0 {
            let closure = ObjRef(offset: UInt(p[i * FrameLayout.words]))
            let ip = p[i * FrameLayout.words + 1]
            let fn = closureFn(closure)
            i -= 1
            guard let module = moduleName(fnModule(fn)) else { continue }
            frames.append((module, line(of: fn, at: max(0, ip - 1)), fnName(fn)))
        }
        return frames
    }

    /// Sends an uncaught runtime error of fiber `f` to the host's reporter:
    /// the message, then every frame. False when there is no reporter.
    func reportRuntimeErrorToHost(_ message: String, fiber f: ObjRef) -> Bool {
        guard let report = config.hostHooks.reportError else { return false }
        let error = heap[f, FiberLayout.error]
        report(self, .runtime(message: isString(error) ? message : nil))
        for frame in traceFrames(f) { report(self, .stackFrame(module: frame.module, line: frame.line, function: frame.function)) }
        return true
    }
}

extension VM {
    /// Asks the host for the function behind a foreign method being defined;
    /// registers it under its native name and returns its id.
    func hostForeignMethodID(_ name: ForeignMethodName) -> Int? {
        guard let bind = config.hostHooks.bindMethod, let method = bind(self, name) else { return nil }
        return bindHostNative(name.nativeName, Native(cMethod: method))
    }

    /// Asks the host for a foreign class's allocate and finalize functions
    /// (not for the core module's classes); returns the allocator's native id.
    func hostForeignClassID(module: String?, className: String) -> Int? {
        guard let module, let bind = config.hostHooks.bindClass, let functions = bind(self, module, className) else {
            return nil
        }
        let id = bindHostNative("\(module).\(className).<allocate>", Native(functions.allocate))
        slotAPI.finalizers[id] = functions.finalize
        return id
    }

    /// Registers `native` under `name`. A name bound before (a class defined
    /// again) keeps its id, so method tables that hold it stay right.
    private func bindHostNative(_ name: String, _ native: Native) -> Int {
        natives.register(name, native)
        let id = nativeID(name)!   // bound before, or just registered
        nativeTable[id] = native
        // A host's module may share a name with a preloaded built-in one (Wren's
        // CLI has its own "os"): the host's function is final, not a placeholder
        // to be replaced by the built-in module's on first call.
        if id < pendingNatives.count { pendingNatives[id] = false }
        return id
    }

    /// Restoring an image: the host's function for native `id` of the image,
    /// asked by module, class, static-ness and signature as when its class
    /// was defined. Nil when the host binds nothing on demand, the name is not
    /// a host's (a core native), or the host has no function for it.
    func hostNative(forImageName name: String, id: Int) -> Native? {
        let hooks = config.hostHooks
        guard hooks.bindMethod != nil || hooks.bindClass != nil, let decoded = HostNativeName(nativeName: name) else {
            return nil
        }
        let native: Native
        switch decoded {
        case .method(let method):
            guard let function = hooks.bindMethod?(self, method) else { return nil }
            native = Native(cMethod: function)
        case .foreignClass(let module, let className):
            guard let functions = hooks.bindClass?(self, module, className) else { return nil }
            native = Native(functions.allocate)
            slotAPI.finalizers[id] = functions.finalize
        }
        natives.register(name, native)
        return native
    }

    /// For a host that binds on demand: why a restore failed, naming every
    /// binding it lacks the way the host declares them. Nil for other hosts.
    func missingHostBindingsMessage(path: String, _ missing: [String]) -> String? {
        guard config.hostHooks.bindMethod != nil || config.hostHooks.bindClass != nil else { return nil }
        let described = missing.map { name -> String in
            switch HostNativeName(nativeName: name) {
            case .method(let m): return "foreign method '\(m.shown)' of module '\(m.module)'"
            case .foreignClass(let module, let className): return "foreign class '\(className)' of module '\(module)'"
            case nil: return "native '\(name)'"
            }
        }
        return "Image '\(path)' needs \(missing.count) foreign binding\(missing.count == 1 ? "" : "s") "
            + "the host does not provide: \(described.joined(separator: ", "))."
    }
}
