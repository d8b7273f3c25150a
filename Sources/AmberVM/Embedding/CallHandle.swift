@_spi(AmberInternals) import AmberObjects

// Call handles: a method signature resolved once and called many times, the
// Swift counterpart of wrenMakeCallHandle. `VM.call(_:_:_:)` interns the
// signature and builds its stub on every call; a handle keeps the stub in the
// handle list (Handle.swift), where the collector keeps it alive and moves it.

/// A method to call on any receiver: `vm.call(update, on: game, [dt])`.
/// Belongs to one VM; a restored VM needs handles of its own.
public final class CallHandle: @unchecked Sendable {
    /// The VM the handle belongs to.
    public let vm: VM
    /// The method's signature: "update(_)", "name", "[_]=(_)".
    public let signature: String
    /// Arguments the method takes (the receiver aside).
    public let arity: Int
    /// The stub's entry in the handle list.
    let entry: Int
    let epoch: Int

    init(vm: VM, signature: String, arity: Int, entry: Int) {
        self.vm = vm
        self.signature = signature
        self.arity = arity
        self.entry = entry
        self.epoch = vm.handleEpoch
    }

    deinit {
        if epoch == vm.handleEpoch { vm.apiRelease(entry) }
    }
}

extension VM {
    /// A handle for calling `signature` many times. Throws for a string that
    /// is no method signature ("add(_, _)" has a space; Wren's are "add(_,_)").
    public func callHandle(_ signature: String) throws -> CallHandle {
        guard SignatureShape.isValid(signature) else {
            let squeezed = signature.filter { $0 != " " }
            let hint = squeezed != signature && SignatureShape.isValid(squeezed) ? " Did you mean '\(squeezed)'?" : ""
            throw ScriptError("'\(signature)' is not a method signature (the forms are \"name\", \"name(_,_)\", "
                              + "\"name=(_)\", \"[_]\", \"[_]=(_)\", \"+(_)\", \"-\").\(hint)")
        }
        try enter()
        defer { leave() }
        let arity = SignatureShape.arity(signature)
        guard arity <= Compiler.maxParameters else {
            throw ScriptError("'\(signature.prefix(40))' has \(arity) parameters; methods take at most \(Compiler.maxParameters).")
        }
        let symbol = self.symbol(signature)
        guard symbol <= Compiler.maxSymbol else { throw ScriptError(Compiler.tooManySymbolsMessage) }
        let stub = makeCallStub(symbol: symbol, arity: arity)
        return CallHandle(vm: self, signature: signature, arity: arity, entry: hold(stub.value))
    }

    /// Calls `method` on the value `receiver` holds with `arguments`, as
    /// `call(_:_:_:)` does with a signature.
    public func call(_ method: CallHandle, on receiver: Handle, _ arguments: [ScriptValue] = []) throws -> ScriptValue {
        guard method.vm === self, method.epoch == handleEpoch else {
            throw ScriptError("The call handle belongs to another VM.")
        }
        try enter()
        defer { leave() }
        try checkOwner(receiver)
        guard arguments.count == method.arity else {
            throw ScriptError("Method '\(method.signature)' takes \(method.arity) argument\(method.arity == 1 ? "" : "s"), "
                              + "\(arguments.count) given.")
        }
        return try runHostCall(receiver: receiver, arguments: arguments) { handleValue(method.entry).ref }
    }
}
