@_spi(AmberInternals) import AmberObjects

// Handles: heap values a Swift host holds on to.
//
// The collector moves objects, so a host never holds an offset. A handle holds
// an index into the root block's handle list (`Root.handles`); the list entry
// is what keeps the value alive and what the collector updates. Releasing the
// handle clears the entry and returns the index for reuse.
//
// Handles belong to one VM and are not part of an image: a restored VM starts
// with an empty handle list (the Swift objects that held the entries are in
// another process, or still refer to the VM they came from).

/// A heap value held by the host. Keeps the value alive until deinitialised.
/// Using it with another VM throws. Release it on the thread that uses its VM.
public final class Handle: @unchecked Sendable {
    /// The VM the value lives in.
    public let vm: VM
    let slot: Int
    /// The restore generation of the VM when the handle was made (handles do not cross images).
    let epoch: Int

    init(vm: VM, slot: Int) {
        self.vm = vm
        self.slot = slot
        self.epoch = vm.handleEpoch
    }

    deinit { vm.releaseHandle(self) }

    /// The value, read from the handle list (valid until the next collection).
    var value: Value { vm.handleValue(slot) }

    /// What kind of object the handle holds: "Game" for a class, "instance of Game", ...
    public var kindName: String { vm.describeForHost(value) }

    func isSameObject(as other: Handle) -> Bool {
        vm === other.vm && value == other.value
    }
}

extension VM {
    /// Makes a handle that keeps `v` alive.
    func makeHandle(_ v: Value) -> Handle {
        var list = root(.handles)
        if !list.isObject {
            setRoot(.handles, newList().value)
            list = root(.handles)
        }
        let slot: Int
        if let free = freeHandleSlots.popLast() {
            slot = free
            listSet(list.ref, slot, v)
        } else {
            slot = listCount(list.ref)
            listAppend(list.ref, v)
        }
        return Handle(vm: self, slot: slot)
    }

    package func handleValue(_ slot: Int) -> Value {
        let list = root(.handles)
        guard list.isObject, slot < listCount(list.ref) else { return .null }
        return listGet(list.ref, slot)
    }

    /// Releases a handle's slot now if this thread may enter the VM, else
    /// queues it for the next entry (ThreadOwnership.swift).
    func releaseHandle(_ h: Handle) {
        let me = VMOwnership.currentThread
        if ownership.owner.load(ordering: .acquiring) == me {
            releaseHandleSlot(h.slot, epoch: h.epoch)
        } else if ownership.owner.compareExchange(expected: 0, desired: me, ordering: .acquiringAndReleasing).exchanged {
            releaseHandleSlot(h.slot, epoch: h.epoch)
            ownership.owner.store(0, ordering: .releasing)
        } else {
            ownership.queueRelease(slot: h.slot, epoch: h.epoch)
        }
    }

    func releaseHandleSlot(_ slot: Int, epoch: Int) {
        guard epoch == handleEpoch else { return }
        let list = root(.handles)
        guard list.isObject, slot < listCount(list.ref) else { return }
        listSet(list.ref, slot, .null)
        freeHandleSlots.append(slot)
    }

    /// A restored VM holds no handles (see the top of this file).
    func clearHostHandles() {
        setRoot(.handles, newList().value)
        freeHandleSlots = []
        handleEpoch += 1
    }

    /// Throws unless `h` belongs to this VM.
    func checkOwner(_ h: Handle) throws(ScriptError) {
        guard h.vm === self, h.epoch == handleEpoch else {
            throw ScriptError("The handle belongs to another VM.")
        }
    }

    /// A short description of a value for messages to the host.
    func describeForHost(_ v: Value) -> String {
        if v.isObject && heap.kind(v.ref) == .classObj { return className(v.ref) }
        if v.isNull { return "null" }
        return "instance of \(className(classOf(v)))"
    }
}
