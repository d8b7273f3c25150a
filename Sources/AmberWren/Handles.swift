@_spi(AmberInternals) import AmberObjects
import AmberVM
import CAmberWren

// WrenHandle*: checked tokens, never pointers.
//
// A handle's value lives in the VM's handle list (its "entry", which the
// collector keeps alive and updates); the host gets a token that names a row
// of this table:
//
//    bit 63   62 ........ 48   47 ........... 28   27 ............ 0
//   +------+----------------+------------------+------------------+
//   |  0   | VM tag (15)    | generation (20)  | row + 1 (28)     |
//   +------+----------------+------------------+------------------+
//
// Releasing a handle bumps its row's generation, so a released handle (or a
// copy of it) no longer matches; a handle of another VM, or of the VM this
// one was restored from, has another tag (random per VM). Either is reported
// as an error and never dereferenced, which is what wren.h promises.

struct HandleTable {
    struct Row {
        var entry = 0
        var generation: UInt = 0
        var live = false
        /// A call handle's arity; -1 for a value handle.
        var arity = -1
        /// The held value as last read from the VM's handle list, valid while
        /// no collection has run since (`collections`, against the slot cache's
        /// count): `wrenSetSlotHandle` and `wrenCall` then skip the look-up.
        var value = Value.null
        var collections = -1
    }
    /// Rows in manually managed memory: read on every wrenCall and
    /// wrenSetSlotHandle, they must not cost a Swift array's checks.
    private(set) var rows: UnsafeMutablePointer<Row>? = nil
    private(set) var count = 0
    private var capacity = 0
    private var free: [Int] = []
    /// Call handles' signatures, for messages.
    private(set) var signatures: [Int: String] = [:]
    let tag = UInt.random(in: 1..<(1 << 15))

    static let rowBits = 28, generationBits = 20
    static let generationMask: UInt = (1 << generationBits) - 1

    /// A new handle for `entry` of the VM's handle list; for a call handle, its arity and signature.
    mutating func add(entry: Int, call: (arity: Int, signature: String)? = nil) -> OpaquePointer? {
        let row: Int
        if let r = free.popLast() { row = r } else {
            guard count < (1 << HandleTable.rowBits) - 1 else { return nil }
            if count == capacity {
                let bigger = UnsafeMutablePointer<Row>.allocate(capacity: max(16, capacity * 2))
                if let rows { bigger.moveInitialize(from: rows, count: count); rows.deallocate() }
                rows = bigger
                capacity = max(16, capacity * 2)
            }
            (rows! + count).initialize(to: Row())
            row = count
            count += 1
        }
        rows![row].entry = entry
        rows![row].live = true
        rows![row].collections = -1
        rows![row].arity = call?.arity ?? -1
        if let call { signatures[row] = call.signature }
        let token = tag << 48 | (rows![row].generation & HandleTable.generationMask) << 28 | UInt(row + 1)
        return OpaquePointer(bitPattern: token)
    }

    /// The row a token names, or why it names none.
    @inline(__always) func row(_ handle: OpaquePointer?) -> Result<Int, HandleError> {
        guard let handle else { return .failure(.null) }
        let token = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        guard token >> 48 == tag else { return .failure(.otherVM) }
        let row = Int(token & ((1 << HandleTable.rowBits) - 1)) - 1
        let generation = (token >> 28) & HandleTable.generationMask
        guard row >= 0, row < count, let rows, rows[row].live,
              rows[row].generation & HandleTable.generationMask == generation else {
            return .failure(.released)
        }
        return .success(row)
    }

    mutating func remove(_ row: Int) {
        rows![row].live = false
        rows![row].arity = -1
        rows![row].generation &+= 1
        signatures[row] = nil
        free.append(row)
    }

    /// Frees the rows (the header is going away).
    mutating func deallocate() {
        rows?.deallocate()
        rows = nil
        count = 0
        capacity = 0
    }
}

enum HandleError: Error {
    case null, otherVM, released

    var text: String {
        switch self {
        case .null: return "the handle is NULL"
        case .otherVM: return "the handle belongs to another VM (or to the VM this one was restored from)"
        case .released: return "the handle was released"
        }
    }
}

extension WrenHost {
    /// The handle table, in the header.
    var handles: UnsafeMutablePointer<HandleTable> { WrenHost.handles(pointer) }

    /// The row of a valid handle; nil after reporting the error.
    @inline(__always) func handleRow(_ handle: OpaquePointer?, _ fn: StaticString) -> HandleTable.Row? {
        AmberWren.handleRow(handles, vm, handle, fn)
    }
}

@_cdecl("wrenMakeCallHandle")
public func amberWrenMakeCallHandle(_ vm: OpaquePointer?, _ signature: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let host = WrenHost.from(vm) else { return nil }
    guard let signature else {
        host.vm.apiError("wrenMakeCallHandle: the signature is NULL.")
        return nil
    }
    let text = String(cString: signature)
    guard let (entry, arity) = host.vm.apiMakeCallHandle(text) else { return nil }
    guard let handle = host.handles.pointee.add(entry: entry, call: (arity, text)) else {
        host.vm.apiRelease(entry)
        host.vm.apiError("wrenMakeCallHandle: too many handles.")
        return nil
    }
    return handle
}

/// The row of `handle` in `table`, or nil after reporting why not to `vm`.
@inline(__always) func handleRow(_ table: UnsafeMutablePointer<HandleTable>, _ vm: VM, _ handle: OpaquePointer?,
                                 _ fn: StaticString) -> HandleTable.Row? {
    switch table.pointee.row(handle) {
    case .success(let row): return table.pointee.rows![row]
    case .failure(let e):
        vm.apiError("\(fn): \(e.text).")
        return nil
    }
}

@_cdecl("wrenCall")
public func amberWrenCall(_ p: OpaquePointer?, _ method: OpaquePointer?) -> WrenInterpretResult {
    WrenHost.withVM(p) { vm -> WrenInterpretResult in
        guard let p, let row = handleRow(WrenHost.handles(p), vm, method, "wrenCall") else { return WREN_RESULT_RUNTIME_ERROR }
        guard row.arity >= 0 else {
            vm.apiError("wrenCall: the handle is a value handle, not a call handle (make one with wrenMakeCallHandle).")
            return WREN_RESULT_RUNTIME_ERROR
        }
        // The stub as read since the last collection, if it was (HandleTable.Row.value).
        let fresh = slotCache(p).map { row.collections == $0.pointee.collections } ?? false
        if !fresh { rememberHandleValue(p, method, vm) }
        let known = fresh ? row.value : nil
        let result = vm.apiCall(row.entry, arity: row.arity, stub: known) {
            // Only for a message: which call was it?
            let table = WrenHost.handles(p)
            if case .success(let index) = table.pointee.row(method) { return table.pointee.signatures[index] ?? "?" }
            return "?"
        }
        return WrenInterpretResult(rawValue: UInt32(result.rawValue))
    } ?? WREN_RESULT_RUNTIME_ERROR
}

@_cdecl("wrenReleaseHandle")
public func amberWrenReleaseHandle(_ vm: OpaquePointer?, _ handle: OpaquePointer?) {
    guard let host = WrenHost.from(vm), let row = host.handleRow(handle, "wrenReleaseHandle"),
          case .success(let index) = host.handles.pointee.row(handle) else { return }
    host.vm.apiRelease(row.entry)
    host.handles.pointee.remove(index)
}

@_cdecl("wrenGetSlotHandle")
public func amberWrenGetSlotHandle(_ vm: OpaquePointer?, _ slot: Int32) -> OpaquePointer? {
    guard let host = WrenHost.from(vm), let entry = host.vm.apiHoldSlot(Int(slot)) else { return nil }
    guard let handle = host.handles.pointee.add(entry: entry) else {
        host.vm.apiRelease(entry)
        host.vm.apiError("wrenGetSlotHandle: too many handles.")
        return nil
    }
    return handle
}

@_cdecl("wrenSetSlotHandle")
public func amberWrenSetSlotHandle(_ p: OpaquePointer?, _ slot: Int32, _ handle: OpaquePointer?) {
    // Fast path: the slot is known and the handle's value was read since the last collection.
    if let p, let target = cachedSlot(p, slot), let cache = slotCache(p) {
        let table = WrenHost.handles(p)
        if case .success(let row) = table.pointee.row(handle), let rows = table.pointee.rows,
           rows[row].collections == cache.pointee.collections {
            target.pointee = rows[row].value
            return
        }
    }
    WrenHost.withVM(p) { vm in
        guard let p, let row = handleRow(WrenHost.handles(p), vm, handle, "wrenSetSlotHandle") else { return }
        vm.apiSetHeld(Int(slot), row.entry)
        rememberHandleValue(p, handle, vm)
    }
}

/// Notes the value behind `handle` in its row, with the collection count it
/// is valid for (see `HandleTable.Row.value`).
func rememberHandleValue(_ p: OpaquePointer, _ handle: OpaquePointer?, _ vm: VM) {
    let table = WrenHost.handles(p)
    guard let cache = slotCache(p), case .success(let row) = table.pointee.row(handle), let rows = table.pointee.rows else { return }
    rows[row].value = vm.handleValue(rows[row].entry)
    rows[row].collections = cache.pointee.collections
}
