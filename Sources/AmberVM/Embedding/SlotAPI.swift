#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The slot API: Wren's C API model of moving values in and out of a VM
// (ARCHITECTURE.md, "Embedding"), for the C library in Sources/AmberWren,
// which only converts C types and calls these `api*` methods.
//
// Where the slots are. Slots are always a window of a fiber's value stack,
// so the collector finds them (and moves what they hold) like any other
// stack slot:
//
//   in a foreign method      the running fiber's stack from the method's
//   (or allocate function)   receiver (`foreignBase`) up to the stack top:
//                            slot 0 = receiver, 1... = arguments;
//   between calls            the "API fiber", a fiber with no frames kept in
//                            the root block's handle list (`apiFiberHold`):
//                            slots 0... from the bottom of its stack. wrenCall
//                            runs the call right there, as Wren does.
//
// Stores into slots are stores into fiber stacks, which the interpreter makes
// too: the planned generational collector's write barrier covers fiber stacks
// (ARCHITECTURE.md), and every slot store goes through `setSlot` so there is
// one place to put it. Stores into lists and maps use the VM's own list and
// map functions.
//
// Misuse (an index out of range, a wrong type, a released handle) is never
// followed: `apiError` aborts the running fiber when inside a foreign method
// (the first error of a call wins), else reports through the host's error hook.
//
// The slot cache. A foreign method reads and writes a handful of slots, and
// the C library answers the common cases (a Num, a Bool, null, foreign bytes,
// a string's bytes) from `SlotCache` with a few loads, no Swift object in
// sight. The cache is valid only while the slots cannot move: set on entering
// a foreign method and after wrenEnsureSlots, wrenCall or wrenInterpret
// between calls; cleared before anything that runs code or collects. Its
// fast paths store only numbers, booleans and null, never a reference, so
// they need no write barrier either. Anything else goes through the api*
// methods, which check everything.

/// What a slot holds; the raw values are Wren's `WrenType`.
package enum SlotType: Int32 {
    case bool = 0, num, foreign, list, map, null, string, unknown
}

/// Where the slots are while they cannot move (see the top of this file).
package struct SlotCache {
    /// Slot 0, or nil when the cache is not valid (ask the VM).
    package var slots: UnsafeMutablePointer<Value>?
    package var count: Int
    /// The heap's base, for reading the objects slots refer to (set with `slots`).
    package var heapBase: UnsafeMutableRawPointer
    /// In a foreign method: the stack index of slot 0; else -1.
    var foreignBase: Int
    /// The fiber whose stack holds the slots (set with `slots`).
    var fiber: ObjRef
    /// Collections so far: a value read from the heap (a handle's, in the C
    /// library's handle table) is still where it was while this has not moved.
    package var collections: Int = 0
}

/// The slot API's per-VM state.
package final class SlotAPIState {
    /// The cache, behind a pointer the C library keeps (no class access on its fast paths).
    package let cache: UnsafeMutablePointer<SlotCache>
    /// Inside a foreign method or allocate function: the stack index of slot 0
    /// in the running fiber. Nil otherwise.
    var foreignBase: Int? {
        get { cache.pointee.foreignBase >= 0 ? cache.pointee.foreignBase : nil }
        set { cache.pointee.foreignBase = newValue ?? -1 }
    }
    /// True while a host finalizer runs (it may not use the VM).
    var finalizing = false
    /// Between calls: the entry of `Root.handles` holding the API fiber, if made.
    var apiFiberHold: Int? = nil
    /// Host finalizers by allocator native id. Per process: rebuilt on restore.
    var finalizers: [Int: (UnsafeMutableRawPointer) -> Void] = [:]
    /// Zeroed memory handed out instead of heap memory after a misuse.
    private var scratch: UnsafeMutableRawPointer? = nil
    private var scratchSize = 0
    /// An empty C string, for getters that fail.
    let emptyCString: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    /// `size` zeroed bytes of scratch memory (at least 64 KiB), valid until
    /// the next misuse; nil when that much cannot be had (NULL crashes a host
    /// that goes on, but a short buffer would let it write past the end).
    func scratchMemory(_ size: Int) -> UnsafeMutableRawPointer? {
        let wanted = max(size, 1 << 16)
        if scratchSize < wanted {
            free(scratch)
            scratch = calloc(wanted, 1)
            scratchSize = scratch == nil ? 0 : wanted
        } else if let scratch {
            memset(scratch, 0, scratchSize)
        }
        return scratch
    }

    init() {
        cache = .allocate(capacity: 1)
        cache.initialize(to: SlotCache(slots: nil, count: 0, heapBase: UnsafeMutableRawPointer(bitPattern: 8)!,
                                       foreignBase: -1, fiber: .none))
    }

    deinit {
        free(scratch)
        emptyCString.deallocate()
        cache.deallocate()
    }
}

extension VM {
    // MARK: Errors

    /// Reports a misuse of the slot API (see the top of this file).
    package func apiError(_ message: String) {
        if slotAPI.foreignBase != nil {
            if !hasError { _ = fail(message) }
        } else if let report = config.hostHooks.reportError {
            report(self, .api(message: message))
        } else {
            config.writeError(message + "\n")
        }
    }

    /// "a String", "a Foo", "the class Foo", "null"... for messages.
    func describeSlotValue(_ v: Value) -> String {
        if v.isNull || v.isUndefined { return "null" }
        if isKind(v, .classObj) { return "the class \(className(v.ref))" }
        let name = className(classOf(v))
        let article = "AEIOU".contains(name.first ?? "x") ? "an" : "a"
        return "\(article) \(name)"
    }

    // MARK: The window

    /// Slot 0 and the slot count, or nil after reporting why there are none
    /// (`fn` names the API function for messages).
    func slotWindow(_ fn: StaticString) -> (slots: UnsafeMutablePointer<Value>, count: Int)? {
        if slotAPI.finalizing {
            apiError("\(fn): called from a finalizer; finalizers may not use the VM.")
            return nil
        }
        if let base = slotAPI.foreignBase {
            let stack = arrayElements(heap[fiber, FiberLayout.stack].ref)
            return (stack + base, heap.word(fiber, FiberLayout.stackTop) - base)
        }
        guard fiber.isNone else {
            apiError("\(fn): called while script code runs, outside a foreign method (from a callback?).")
            return nil
        }
        guard let f = apiFiber() else { return (UnsafeMutablePointer(bitPattern: 8)!, 0) }
        return (arrayElements(heap[f, FiberLayout.stack].ref), heap.word(f, FiberLayout.stackTop))
    }

    /// Slot `i`, or nil after reporting an index out of range.
    func slot(_ i: Int, _ fn: StaticString) -> UnsafeMutablePointer<Value>? {
        let cache = slotAPI.cache
        if let slots = cache.pointee.slots, i >= 0 && i < cache.pointee.count { return slots + i }
        guard let (slots, count) = slotWindow(fn) else { return nil }
        guard i >= 0 && i < count else {
            apiError("\(fn): slot \(i) is out of range (there \(count == 1 ? "is 1 slot" : "are \(count) slots"); "
                     + "wrenEnsureSlots makes more).")
            return nil
        }
        return slots + i
    }

    /// Stores into a slot. Slots are fiber stack slots: no card barrier. The
    /// running fiber (foreign methods) is dirty while it runs, and the API
    /// fiber is remembered after every collection (collectGarbage), so a
    /// young collection scans its stack whatever the host wrote.
    @inline(__always) func setSlot(_ p: UnsafeMutablePointer<Value>, _ v: Value) { p.pointee = v }

    /// Makes the cache say where the slots are now, or that it does not know
    /// (while script code runs, a finalizer runs, or there are no slots).
    func refreshSlotCache() {
        let c = slotAPI.cache
        c.pointee.heapBase = heap.base
        if let base = slotAPI.foreignBase {
            let f = fiber
            c.pointee.slots = arrayElements(heap[f, FiberLayout.stack].ref) + base
            c.pointee.count = heap.word(f, FiberLayout.stackTop) - base
            c.pointee.fiber = f
        } else if fiber.isNone && !slotAPI.finalizing && nestedRuns == 0, let f = apiFiber() {
            c.pointee.slots = arrayElements(heap[f, FiberLayout.stack].ref)
            c.pointee.count = heap.word(f, FiberLayout.stackTop)
            c.pointee.fiber = f
        } else {
            c.pointee.slots = nil
            c.pointee.count = 0
        }
    }

    /// Before anything that may move objects or run code.
    @inline(__always) func invalidateSlotCache() { slotAPI.cache.pointee.slots = nil }

    /// The API fiber, if it has been made (see the top of this file).
    func apiFiber() -> ObjRef? {
        guard let hold = slotAPI.apiFiberHold else { return nil }
        let v = handleValue(hold)
        guard v.isObject, heap.isKind(v.ref, .fiber) else { return nil }
        return v.ref
    }

    /// A fiber with no frames and an empty stack of `capacity` slots, held in the handle list.
    func makeAPIFiber(capacity: Int) -> ObjRef {
        var cap = VM.initialStack
        while cap < capacity { cap *= 2 }
        let stack = newArray(capacity: cap, kind: .stack)
        let frames = heap.allocate(.frames, cls: .none, size: 16 + 8 * (1 + VM.initialFrames * FrameLayout.words))
        heap.setWord(frames, 0, VM.initialFrames)
        let f = heap.allocate(.fiber, cls: fiberClass, size: FiberLayout.size)
        heap[f, FiberLayout.stack] = stack.value
        heap[f, FiberLayout.frames] = frames.value
        heap[f, FiberLayout.openUpvalues] = .null
        heap[f, FiberLayout.caller] = .null
        heap[f, FiberLayout.error] = .null
        heap[f, FiberLayout.function] = .null
        heap.setWord(f, FiberLayout.state, FiberState.root.rawValue)
        if let hold = slotAPI.apiFiberHold { setHeld(hold, f.value) } else { slotAPI.apiFiberHold = hold(f.value) }
        refreshSlotCache()
        return f
    }

    // MARK: Count and growth

    package func apiSlotCount() -> Int {
        let cache = slotAPI.cache
        if cache.pointee.slots != nil { return cache.pointee.count }
        return slotWindow("wrenGetSlotCount")?.count ?? 0
    }

    package func apiEnsureSlots(_ n: Int) {
        let cache = slotAPI.cache
        let f: ObjRef, base: Int
        if cache.pointee.slots != nil {
            // The cache knows where the slots are: no lookups.
            if cache.pointee.count >= n { return }
            (f, base) = (cache.pointee.fiber, max(0, cache.pointee.foreignBase))
        } else {
            guard slotWindow("wrenEnsureSlots") != nil else { return }
            if let b = slotAPI.foreignBase {
                (f, base) = (fiber, b)
            } else {
                (f, base) = (apiFiber() ?? makeAPIFiber(capacity: n), 0)
            }
        }
        guard n <= VM.maxStackSlots / 2 else {
            apiError("wrenEnsureSlots: \(n) slots are more than a fiber may have.")
            return
        }
        let top = heap.word(f, FiberLayout.stackTop)
        guard top - base < n else { return }
        // Room in the stack already (a host calling every frame): nulls need no barrier.
        let stackObj = heap[f, FiberLayout.stack]
        if stackObj.isObject, base + n <= arrayCapacity(stackObj.ref) {
            let stack = arrayElements(stackObj.ref)
            (stack + top).initialize(repeating: .null, count: base + n - top)
            heap.setWord(f, FiberLayout.stackTop, base + n)
            cache.pointee.slots = stack + base
            cache.pointee.count = n
            cache.pointee.heapBase = heap.base
            cache.pointee.fiber = f
            return
        }
        guard heap.canAllocate(8 * (base + n) + 64), ensureStack(f, base + n) else {
            apiError("wrenEnsureSlots: out of memory.")
            return
        }
        let stack = arrayElements(heap[f, FiberLayout.stack].ref)
        for i in top..<(base + n) { setSlot(stack + i, .null) }
        heap.setWord(f, FiberLayout.stackTop, base + n)
        // The slots are known now (the checks above passed): the cache says so.
        cache.pointee.slots = stack + base
        cache.pointee.count = n
        cache.pointee.heapBase = heap.base
        cache.pointee.fiber = f
    }

    // MARK: Reading slots

    package func apiSlotType(_ i: Int) -> SlotType {
        guard let p = slot(i, "wrenGetSlotType") else { return .unknown }
        let v = p.pointee
        if v.isBool { return .bool }
        if v.isNumber { return .num }
        if v.isNull || v.isUndefined { return .null }
        guard v.isObject else { return .unknown }
        switch heap.kind(v.ref) {
        case .foreign: return .foreign
        case .list: return .list
        case .map: return .map
        case .string: return .string
        default: return .unknown
        }
    }

    /// The value in slot `i` when `ok` accepts it; else reports "holds X, not `what`".
    func slotValue(_ i: Int, _ fn: StaticString, _ what: String, _ ok: (Value) -> Bool) -> Value? {
        guard let p = slot(i, fn) else { return nil }
        guard ok(p.pointee) else {
            apiError("\(fn): slot \(i) holds \(describeSlotValue(p.pointee)), not \(what).")
            return nil
        }
        return p.pointee
    }

    func isKind(_ v: Value, _ k: ObjKind) -> Bool { v.isObject && heap.isKind(v.ref, k) }

    package func apiGetBool(_ i: Int) -> Bool {
        slotValue(i, "wrenGetSlotBool", "a Bool") { $0.isBool } == .true
    }

    package func apiGetDouble(_ i: Int) -> Double {
        slotValue(i, "wrenGetSlotDouble", "a Num") { $0.isNumber }?.number ?? 0
    }

    /// The bytes of a String (NUL-terminated in the heap) and their count.
    package func apiGetBytes(_ i: Int, _ fn: StaticString = "wrenGetSlotBytes") -> (UnsafePointer<CChar>, Int) {
        guard let v = slotValue(i, fn, "a String", { self.isKind($0, .string) }) else {
            return (UnsafePointer(slotAPI.emptyCString), 0)
        }
        return (UnsafePointer(stringBytes(v.ref).assumingMemoryBound(to: CChar.self)), stringLength(v.ref))
    }

    package func apiGetString(_ i: Int) -> UnsafePointer<CChar> { apiGetBytes(i, "wrenGetSlotString").0 }

    package func apiGetForeign(_ i: Int) -> UnsafeMutableRawPointer? {
        guard let v = slotValue(i, "wrenGetSlotForeign", "an instance of a foreign class", { self.isKind($0, .foreign) }) else {
            return slotAPI.scratchMemory(0)
        }
        return heap.pointer(v.ref) + ForeignLayout.dataOffset
    }

    /// Holds the value of slot `i` in the handle list; nil after a misuse.
    package func apiHoldSlot(_ i: Int) -> Int? {
        guard let p = slot(i, "wrenGetSlotHandle") else { return nil }
        return hold(p.pointee)
    }

    // MARK: Writing slots

    package func apiSetBool(_ i: Int, _ b: Bool) {
        if let p = slot(i, "wrenSetSlotBool") { setSlot(p, Value(b)) }
    }

    package func apiSetDouble(_ i: Int, _ d: Double) {
        if let p = slot(i, "wrenSetSlotDouble") { setSlot(p, Value(d)) }
    }

    package func apiSetNull(_ i: Int) {
        if let p = slot(i, "wrenSetSlotNull") { setSlot(p, .null) }
    }

    /// A new String of the bytes (nil `bytes`: an error).
    package func apiSetBytes(_ i: Int, _ bytes: UnsafeRawBufferPointer?, _ fn: StaticString = "wrenSetSlotBytes") {
        guard let p = slot(i, fn) else { return }
        guard let bytes else {
            apiError("\(fn): the text is NULL.")
            return
        }
        guard heap.canAllocate(bytes.count + 64) else {
            apiError("\(fn): out of memory (\(bytes.count) bytes).")
            return
        }
        // Allocating moves nothing (collections happen only at safe points): `p` stays valid.
        setSlot(p, newString(bytes: bytes).value)
    }

    package func apiSetNewList(_ i: Int) {
        if let p = slot(i, "wrenSetSlotNewList") { setSlot(p, newList().value) }
    }

    package func apiSetNewMap(_ i: Int) {
        if let p = slot(i, "wrenSetSlotNewMap") { setSlot(p, newMap().value) }
    }

    /// The value held at `hold` into slot `i` (the caller checked the hold).
    package func apiSetHeld(_ i: Int, _ hold: Int) {
        if let p = slot(i, "wrenSetSlotHandle") { setSlot(p, handleValue(hold)) }
    }

    /// A new instance of the foreign class in `classSlot` with `size` zeroed
    /// bytes, into slot `i`; returns its bytes.
    package func apiSetNewForeign(_ i: Int, classSlot: Int, size: Int) -> UnsafeMutableRawPointer? {
        let fn: StaticString = "wrenSetSlotNewForeign"
        guard let p = slot(i, fn),
              let cls = slotValue(classSlot, fn, "a foreign class", {
                  self.isKind($0, .classObj) && !self.heap[$0.ref, ClassLayout.allocator].isNull
              }) else {
            return slotAPI.scratchMemory(size)
        }
        guard size >= 0, heap.canAllocate(ForeignLayout.dataOffset + size) else {
            apiError("\(fn): out of memory (\(UInt(bitPattern: size)) bytes).")
            return size < 0 ? nil : slotAPI.scratchMemory(size)
        }
        let object = heap.allocate(.foreign, cls: cls.ref, size: ForeignLayout.dataOffset + size)
        heap.setWord(object, ForeignLayout.length, size)
        setSlot(p, object.value)
        return heap.pointer(object) + ForeignLayout.dataOffset
    }

    // MARK: Lists

    /// The List in `i`.
    func slotList(_ i: Int, _ fn: StaticString) -> ObjRef? {
        slotValue(i, fn, "a List") { self.isKind($0, .list) }?.ref
    }

    package func apiListCount(_ i: Int) -> Int {
        slotList(i, "wrenGetListCount").map(listCount) ?? 0
    }

    /// An index as Wren's API takes it (below 0 counts from the end), checked.
    func listIndex(_ list: ObjRef, _ index: Int, _ fn: StaticString, insert: Bool = false) -> Int? {
        let n = listCount(list)
        let i = index < 0 ? n + (insert ? 1 : 0) + index : index
        guard i >= 0 && i < n + (insert ? 1 : 0) else {
            apiError("\(fn): index \(index) is out of bounds (the list has \(n) element\(n == 1 ? "" : "s")).")
            return nil
        }
        return i
    }

    package func apiGetListElement(_ listSlot: Int, _ index: Int, _ elementSlot: Int) {
        let fn: StaticString = "wrenGetListElement"
        guard let list = slotList(listSlot, fn), let p = slot(elementSlot, fn),
              let i = listIndex(list, index, fn) else { return }
        setSlot(p, listGet(list, i))
    }

    package func apiSetListElement(_ listSlot: Int, _ index: Int, _ elementSlot: Int) {
        let fn: StaticString = "wrenSetListElement"
        guard let list = slotList(listSlot, fn), let p = slot(elementSlot, fn),
              let i = listIndex(list, index, fn) else { return }
        listSet(list, i, p.pointee)
    }

    package func apiInsertInList(_ listSlot: Int, _ index: Int, _ elementSlot: Int) {
        let fn: StaticString = "wrenInsertInList"
        guard let list = slotList(listSlot, fn), let p = slot(elementSlot, fn),
              let i = listIndex(list, index, fn, insert: true) else { return }
        if !listInsert(list, i, p.pointee) { apiError("\(fn): out of memory.") }
    }

    // MARK: Maps

    func slotMap(_ i: Int, _ fn: StaticString) -> ObjRef? {
        slotValue(i, fn, "a Map") { self.isKind($0, .map) }?.ref
    }

    /// The key in `keySlot` if it may be a map key (Wren's own check and message).
    func slotKey(_ keySlot: Int, _ fn: StaticString) -> Value? {
        guard let p = slot(keySlot, fn) else { return nil }
        guard isValidKey(p.pointee) else {
            apiError("Key must be a value type.")
            return nil
        }
        return p.pointee
    }

    package func apiMapCount(_ i: Int) -> Int {
        slotMap(i, "wrenGetMapCount").map(mapCount) ?? 0
    }

    package func apiMapContainsKey(_ mapSlot: Int, _ keySlot: Int) -> Bool {
        let fn: StaticString = "wrenGetMapContainsKey"
        guard let map = slotMap(mapSlot, fn), let key = slotKey(keySlot, fn) else { return false }
        return mapGet(map, key) != nil
    }

    package func apiGetMapValue(_ mapSlot: Int, _ keySlot: Int, _ valueSlot: Int) {
        let fn: StaticString = "wrenGetMapValue"
        guard let map = slotMap(mapSlot, fn), let key = slot(keySlot, fn)?.pointee, let p = slot(valueSlot, fn) else {
            return
        }
        // Like Wren, no key check here: a key that cannot be in a map is not found.
        setSlot(p, isValidKey(key) ? mapGet(map, key) ?? .null : .null)
    }

    package func apiSetMapValue(_ mapSlot: Int, _ keySlot: Int, _ valueSlot: Int) {
        let fn: StaticString = "wrenSetMapValue"
        guard let map = slotMap(mapSlot, fn), let p = slot(valueSlot, fn), let key = slotKey(keySlot, fn) else { return }
        if !mapSet(map, key, p.pointee) { apiError("\(fn): out of memory.") }
    }

    package func apiRemoveMapValue(_ mapSlot: Int, _ keySlot: Int, _ removedSlot: Int) {
        let fn: StaticString = "wrenRemoveMapValue"
        guard let map = slotMap(mapSlot, fn), let p = slot(removedSlot, fn), let key = slotKey(keySlot, fn) else { return }
        setSlot(p, mapRemove(map, key))
    }

    // MARK: Module variables

    /// A loaded module by name, without allocating.
    func findLoadedModule(_ name: String) -> ObjRef? {
        let modules = root(.modules).ref
        for i in 0..<mapCapacity(modules) {
            guard let (k, v) = mapEntry(modules, i), isString(k), string(k) == name, v.isObject else { continue }
            return v.ref
        }
        return nil
    }

    package func apiGetVariable(module: String, name: String, slot i: Int) {
        let fn: StaticString = "wrenGetVariable"
        guard let p = slot(i, fn) else { return }
        guard let m = findLoadedModule(module) else {
            setSlot(p, .null)
            apiError("\(fn): module '\(module)' is not loaded.")
            return
        }
        guard let index = moduleVariable(m, name) else {
            setSlot(p, .null)
            apiError("\(fn): module '\(module)' has no variable '\(name)'.")
            return
        }
        let v = moduleVariableValue(m, index)
        // Declared by the compiler but not assigned yet: null, as in Wren.
        setSlot(p, v.isUndefined ? .null : v)
    }

    package func apiHasVariable(module: String, name: String) -> Bool {
        // Static fields live as module variables whose names have a space; Wren has none.
        guard let m = findLoadedModule(module), !name.contains(" ") else { return false }
        return moduleVariable(m, name) != nil
    }

    package func apiHasModule(_ module: String) -> Bool { findLoadedModule(module) != nil }

    // MARK: Aborting

    package func apiAbortFiber(_ i: Int) {
        guard let p = slot(i, "wrenAbortFiber") else { return }
        guard slotAPI.foreignBase != nil else {
            apiError("wrenAbortFiber: no foreign method is running, so there is no fiber to abort.")
            return
        }
        // As in Wren, a null error aborts nothing; the first error of a call wins.
        if !p.pointee.isNull && !hasError { _ = fail(value: p.pointee) }
    }
}
