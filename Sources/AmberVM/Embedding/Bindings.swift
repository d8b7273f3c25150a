@_spi(AmberInternals) import AmberObjects

// Foreign methods and foreign classes a Swift host provides.
//
// A binding is registered as a native under the same name a built-in
// module's foreign method has ("module.Class.signature", "module.Class.static
// signature", "module.Class.<allocate>"), so method tables refer to it by
// name and an image written with host bindings restores in any process that
// binds the same names (Interpreter/Natives.swift).

/// The host's foreign methods and foreign classes, by module, class and signature.
public struct Bindings {
    struct Method {
        var module: String, className: String, signature: String, isStatic: Bool
        var body: (ForeignCall) throws -> Void
        var nativeName: String { "\(module).\(className).\(isStatic ? "static " : "")\(signature)" }
    }
    struct ForeignClass {
        var module: String, className: String, dataBytes: Int
        var allocate: ((ForeignCall) throws -> Void)?
        var finalize: ((UnsafeMutableRawBufferPointer) -> Void)?
        var nativeName: String { "\(module).\(className).<allocate>" }
    }
    var methods: [Method] = []
    var classes: [ForeignClass] = []

    /// No bindings.
    public init() {}

    /// Binds `foreign [static] signature` of `className` in `module` to `body`.
    /// `signature` is Wren's: `add(_,_)`, `count`, `count=(_)`, `[_]`, `+(_)`.
    public mutating func method(module: String, className: String, signature: String, isStatic: Bool = false,
                                _ body: @escaping (ForeignCall) throws -> Void) {
        methods.append(Method(module: module, className: className, signature: signature, isStatic: isStatic,
                              body: body))
    }

    /// Declares `foreign class className` of `module`: each instance carries
    /// `dataBytes` bytes (zeroed when constructed) inside the heap, so they are
    /// part of an image. Reach them with `ForeignCall.data(_:)`.
    ///
    /// - `allocate` runs when an instance is made, before the constructor's
    ///   body: argument 0 is the new instance (`call.data(0)` is its bytes) and
    ///   the constructor's arguments follow it, so `Point.new(1, 2)` can fill
    ///   the bytes from 1 and 2. A thrown error becomes the constructor's
    ///   runtime error. It may call back into the VM.
    /// - `finalize` runs with an instance's bytes when a collection finds it
    ///   dead, or when the VM is freed; once per instance. It must not use the
    ///   VM (a call throws) and the buffer is valid only while it runs. An
    ///   instance written to an image is finalized in the process that
    ///   restores it, not in the one that wrote it.
    public mutating func foreignClass(module: String, className: String, dataBytes: Int,
                                      allocate: ((ForeignCall) throws -> Void)? = nil,
                                      finalize: ((UnsafeMutableRawBufferPointer) -> Void)? = nil) {
        classes.append(ForeignClass(module: module, className: className, dataBytes: max(0, dataBytes),
                                    allocate: allocate, finalize: finalize))
    }

    /// The native names these bindings provide (what an image may ask for).
    public var names: [String] { methods.map(\.nativeName) + classes.map(\.nativeName) }
}

/// One call of a foreign method: its arguments (0 is the receiver) and its result.
///
/// The accessors throw a `ScriptError` naming the argument and the method when
/// a value has the wrong type; thrown out of the binding, any Swift error
/// becomes a Wren runtime error (which `Fiber.try` can catch).
public final class ForeignCall {
    /// The VM running the call; a binding may call back into it (`vm.call`).
    public let vm: VM
    /// Arguments including the receiver: the receiver is argument 0.
    public let argumentCount: Int
    /// The method, as messages name it: `Calc.add(_,_)`.
    public let method: String
    /// What the method returns to the script (null unless set).
    public var result: ScriptValue = .null
    /// Where argument 0 is in the running fiber's stack.
    let base: Int
    /// Set when the binding has returned: the arguments are gone from the
    /// stack, so every accessor throws instead of reading what is there now.
    var isFinished = false

    init(vm: VM, base: Int, argumentCount: Int, method: String) {
        self.vm = vm
        self.base = base
        self.argumentCount = argumentCount
        self.method = method
    }

    /// Argument `i` as a raw value, read from the fiber each time (a nested
    /// `vm.call` may have moved the stack).
    func raw(_ i: Int) throws(ScriptError) -> Value {
        guard !isFinished else {
            throw ScriptError("The ForeignCall of \(method) was used after the call returned.")
        }
        guard i >= 0 && i < argumentCount else {
            throw ScriptError("\(method) has no argument \(i) (it has \(argumentCount), the receiver is 0).")
        }
        return vm.arrayElements(vm.heap[vm.fiber, FiberLayout.stack].ref)[base + i]
    }

    private func mismatch(_ i: Int, _ what: String) -> ScriptError {
        ScriptError("Argument \(i) of \(method) must be \(what).")
    }

    /// Argument `i` as a Swift value (plain data copied, objects as handles).
    public func value(_ i: Int) throws -> ScriptValue { vm.scriptValue(try raw(i)) }

    /// Argument `i` as a `Num`; a `ScriptError` if it is not one.
    public func double(_ i: Int) throws -> Double {
        let v = try raw(i)
        guard v.isNumber else { throw mismatch(i, "a Num") }
        return v.number
    }

    /// Argument `i` as a `String`; a `ScriptError` if it is not one.
    public func string(_ i: Int) throws -> String {
        let v = try raw(i)
        guard vm.isString(v) else { throw mismatch(i, "a String") }
        return vm.string(v)
    }

    /// Argument `i` as a `Bool`; a `ScriptError` if it is not one.
    public func bool(_ i: Int) throws -> Bool {
        let v = try raw(i)
        guard v.isBool else { throw mismatch(i, "a Bool") }
        return v == .true
    }

    /// The data bytes of the foreign-class instance that is argument `i`.
    ///
    /// They live in the heap, where a collection may move them, so the result
    /// is not a pointer: each access finds the instance again and checks its
    /// bounds (see `ForeignBytes`).
    public func data(_ i: Int) throws -> ForeignBytes {
        _ = try foreignBytes(i)
        return ForeignBytes(call: self, argument: i)
    }

    /// Where argument `i`'s foreign bytes are now, and how many there are.
    func foreignBytes(_ i: Int) throws(ScriptError) -> (UnsafeMutableRawPointer, Int) {
        let v = try raw(i)
        guard v.isObject, vm.heap.kind(v.ref) == .foreign else { throw mismatch(i, "an instance of a foreign class") }
        return (vm.heap.pointer(v.ref) + ForeignLayout.dataOffset, vm.heap.word(v.ref, ForeignLayout.length))
    }
}

/// The bytes of a foreign-class instance, reached through the `ForeignCall`
/// that received it.
///
/// Every access re-reads the instance from the call's arguments, so it is right
/// after a nested `vm.call` moved objects, and checks the range: out of bounds,
/// or after the call returned, it throws a `ScriptError` instead of touching
/// memory the instance no longer owns.
public struct ForeignBytes {
    let call: ForeignCall
    let argument: Int

    /// How many bytes the instance has (its class's `dataBytes`).
    public var count: Int {
        get throws { try call.foreignBytes(argument).1 }
    }

    /// Reads a `T` at `offset`.
    public func load<T: BitwiseCopyable>(fromByteOffset offset: Int = 0, as type: T.Type) throws -> T {
        try range(offset, MemoryLayout<T>.size).loadUnaligned(as: T.self)
    }

    /// Writes `value` at `offset`.
    public func storeBytes<T: BitwiseCopyable>(of value: T, toByteOffset offset: Int = 0, as type: T.Type) throws {
        try range(offset, MemoryLayout<T>.size).storeBytes(of: value, as: T.self)
    }

    /// Runs `body` with the bytes. The buffer is valid only inside `body`, which
    /// must not call back into the VM (a call there may move the instance: it throws).
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        let (p, n) = try call.foreignBytes(argument)
        call.vm.pinnedForeignBytes += 1
        defer { call.vm.pinnedForeignBytes -= 1 }
        return try body(UnsafeMutableRawBufferPointer(start: p, count: n))
    }

    private func range(_ offset: Int, _ size: Int) throws(ScriptError) -> UnsafeMutableRawPointer {
        let (p, n) = try call.foreignBytes(argument)
        guard offset >= 0, size <= n, offset <= n - size else {
            throw ScriptError("\(size) byte(s) at offset \(offset) are outside the \(n) data bytes of argument \(argument) of \(call.method).")
        }
        return p + offset
    }
}

extension VM {
    /// Registers the configuration's bindings as natives (by name; they are
    /// bound to methods when a class declares them, or found again on restore).
    func registerHostBindings() {
        for m in config.bindings.methods {
            let arity = m.signature.filter { $0 == "_" }.count
            let shown = "\(m.className).\(m.signature)"
            let body = m.body
            registerNative(m.nativeName) { vm, args in
                vm.callHostMethod(body, args, argumentCount: arity + 1, method: shown)
            }
        }
        for c in config.bindings.classes {
            let size = c.dataBytes
            let allocate = c.allocate
            let shown = "the allocator of \(c.className)"
            registerNative(c.nativeName) { vm, args in
                // args[0] is the class being constructed; it becomes the instance.
                guard vm.heap.canAllocate(ForeignLayout.dataOffset + size) else { return vm.fail("Out of memory.") }
                let object = vm.heap.allocate(.foreign, cls: args[0].ref, size: ForeignLayout.dataOffset + size)
                vm.heap.setWord(object, ForeignLayout.length, size)
                args[0] = object.value
                guard let allocate else { return true }
                return vm.callHostAllocator(allocate, args, method: shown)
            }
        }
    }

    /// Runs a Swift host's `allocate` on a new instance (in args[0]) and the
    /// constructor's arguments after it. The constructor goes on afterwards
    /// with its arguments where they were; false when the stack moved (a
    /// nested call grew it), so the loop reloads its registers.
    private func callHostAllocator(_ allocate: (ForeignCall) throws -> Void, _ args: UnsafeMutablePointer<Value>,
                                   method: String) -> Bool {
        let f = fiber
        let base = stackIndex(args)
        let top = heap.word(f, FiberLayout.stackTop)
        let stackBefore = heap[f, FiberLayout.stack]
        let call = ForeignCall(vm: self, base: base, argumentCount: top - base, method: method)
        guard run(allocate, on: call) else { return false }
        heap.setWord(f, FiberLayout.stackTop, top)
        return heap[f, FiberLayout.stack] == stackBefore
    }

    /// Notes a Swift host's finalizer for the foreign class whose allocator
    /// native `name` got `id` (a class defined, or an image's name bound).
    func noteHostFinalizer(_ name: String, id: Int) {
        guard let c = config.bindings.classes.first(where: { $0.nativeName == name }), let finalize = c.finalize else {
            return
        }
        let size = c.dataBytes
        slotAPI.finalizers[id] = { p in finalize(UnsafeMutableRawBufferPointer(start: p, count: size)) }
    }

    /// Runs a binding's body on `call`, which is finished afterwards (its
    /// accessors throw); what the body throws becomes the fiber's runtime error.
    private func run(_ body: (ForeignCall) throws -> Void, on call: ForeignCall) -> Bool {
        defer { call.isFinished = true }
        do {
            try body(call)
        } catch let e as ScriptError {
            return fail(e.message)
        } catch {
            return fail("\(error)")
        }
        return true
    }

    /// Runs a host binding under the re-entrant native contract (Natives.swift):
    /// the binding may call back into the VM, which may move the stack.
    func callHostMethod(_ body: (ForeignCall) throws -> Void, _ args: UnsafeMutablePointer<Value>,
                        argumentCount: Int, method: String) -> Bool {
        let call = ForeignCall(vm: self, base: stackIndex(args), argumentCount: argumentCount, method: method)
        guard run(body, on: call) else { return false }
        let result: Value
        do { result = try value(from: call.result) } catch { return fail(error.message) }
        return finishReentrant(base: call.base, result: result)
    }
}
