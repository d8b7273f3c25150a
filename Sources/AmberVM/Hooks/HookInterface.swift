@_spi(AmberInternals) import AmberObjects

// The hook interface, after OpenJ9's J9HookInterface.
//
// Events have ids; listeners register with a priority and get a token back
// to unregister with. Whether any listener exists for an event is one bit in
// `enabled`, so an event nobody listens to costs a single bit test where it
// would fire.

/// The events the VM reports.
public enum HookEvent: Int, CaseIterable, Sendable {
    /// A class was defined: payload (module name, class name).
    case classLoad
    /// A method flagged for entry hooks was called (the snapshot trigger's event).
    case methodEntry
    /// A collection is about to start.
    case gcStart
    /// A collection has ended.
    case gcEnd
    /// An image is about to be written (listeners run from low to high priority).
    case preSnapshot
    /// An image was written; the VM goes on.
    case postSnapshot
    /// The VM was restored from an image (listeners run from high to low priority).
    case postRestore
    /// The VM is shutting down (`VM.shutdown()`).
    case shutdown
}

/// What a listener is told.
public struct HookPayload {
    /// classLoad and methodEntry: the module of the class.
    public var moduleName: String?
    /// classLoad: the class defined. methodEntry: the class that defines the
    /// method entered (its metaclass for a static method), whatever the receiver.
    public var className: String?
    /// methodEntry: the method's signature, as Wren writes it (`ready`, `add(_,_)`).
    public var methodSignature: String?
    /// methodEntry: the receiver's class (a subclass of `className` for an
    /// inherited method or a `super` call).
    public var receiverClassName: String?
    /// A payload with the fields an event has; the others stay nil.
    public init(moduleName: String? = nil, className: String? = nil, methodSignature: String? = nil,
                receiverClassName: String? = nil) {
        self.moduleName = moduleName
        self.className = className
        self.methodSignature = methodSignature
        self.receiverClassName = receiverClassName
    }
}

/// A handle for unregistering a listener.
public struct HookToken: Hashable, Sendable {
    let id: Int
}

/// A VM's hook registry (`VM.hooks`): listeners by event, ordered by priority.
public final class HookInterface {
    /// A listener: the VM that fired the event and what happened.
    public typealias Listener = (VM, HookPayload) -> Void

    struct Registration {
        var token: HookToken
        var priority: Int
        var listener: Listener
    }

    /// Bit i set when event i has at least one listener.
    public private(set) var enabled: UInt32 {
        @inline(__always) get { enabledBits.pointee }
        set { enabledBits.pointee = newValue }
    }
    /// NOTE: behind a `let` pointer, not a stored `var`, because the
    /// interpreter tests it on every script call and a stored `var` of a
    /// class costs a dynamic exclusivity check on each read.
    let enabledBits: UnsafeMutablePointer<UInt32> = {
        let p = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
    deinit { enabledBits.deallocate() }
    private var listeners: [[Registration]] = Array(repeating: [], count: HookEvent.allCases.count)
    private var nextToken = 1

    /// Whether `event` has a listener (one bit test).
    @inline(__always) public func isEnabled(_ event: HookEvent) -> Bool {
        enabled & (1 << UInt32(event.rawValue)) != 0
    }

    /// Registers `listener`; lower priorities run first. Equal priorities run
    /// in registration order.
    @discardableResult
    public func register(_ event: HookEvent, priority: Int = 0, _ listener: @escaping Listener) -> HookToken {
        let token = HookToken(id: nextToken)
        nextToken += 1
        var list = listeners[event.rawValue]
        let at = list.firstIndex { $0.priority > priority } ?? list.count
        list.insert(Registration(token: token, priority: priority, listener: listener), at: at)
        listeners[event.rawValue] = list
        enabled |= 1 << UInt32(event.rawValue)
        return token
    }

    /// Removes the listener registered with `token` (nothing if it is gone already).
    public func unregister(_ token: HookToken) {
        for e in HookEvent.allCases {
            listeners[e.rawValue].removeAll { $0.token == token }
            if listeners[e.rawValue].isEmpty { enabled &= ~(1 << UInt32(e.rawValue)) }
        }
    }

    /// Runs the listeners of `event` in priority order (reversed when asked,
    /// as post-restore hooks run from high to low priority).
    @inline(__always)
    public func fire(_ event: HookEvent, _ vm: VM, _ payload: HookPayload = HookPayload(), reversed: Bool = false) {
        guard isEnabled(event) else { return }
        fireSlow(event, vm, payload, reversed: reversed)
    }

    @inline(never)
    func fireSlow(_ event: HookEvent, _ vm: VM, _ payload: HookPayload, reversed: Bool) {
        let list = reversed ? listeners[event.rawValue].reversed() : listeners[event.rawValue]
        for r in list { r.listener(vm, payload) }
    }
}

extension VM {
    /// Ends the VM's life: fires the shutdown event and flushes output.
    /// Does nothing if another thread is inside the VM.
    public func shutdown() {
        guard (try? enter()) != nil else { return }
        defer { leave() }
        hooks.fire(.shutdown, self)
        flushOutput()
    }
}
