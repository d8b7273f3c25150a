#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects
import AmberVM
import CAmberWren

// The slot functions of wren.h: C types in, the VM's slot API
// (AmberVM/Embedding/SlotAPI.swift) does the work and the checks.
// A NULL `WrenVM*` has nowhere to report to: the call does nothing.
//
// Fast paths first: when the VM's slot cache is valid and the slot holds what
// the function wants, the answer is read from the heap with a few loads
// (see "The slot cache" in SlotAPI.swift). Every other case, errors included,
// takes the checked path through the VM.

/// The VM's slot cache, from the header a `WrenVM*` points to (WrenHost.swift).
@inline(__always) func slotCache(_ vm: OpaquePointer?) -> UnsafeMutablePointer<SlotCache>? {
    guard let vm else { return nil }
    return UnsafeRawPointer(vm).load(as: UnsafeMutablePointer<SlotCache>?.self)
}

/// Slot `slot` when the cache is valid and the index in range.
@inline(__always) func cachedSlot(_ vm: OpaquePointer?, _ slot: Int32) -> UnsafeMutablePointer<Value>? {
    guard let cache = slotCache(vm), let slots = cache.pointee.slots, slot >= 0, Int(slot) < cache.pointee.count else {
        return nil
    }
    return slots + Int(slot)
}

/// The object `v` refers to, if it is one of kind `kind`.
@inline(__always) func cachedObject(_ vm: OpaquePointer?, _ v: Value, _ kind: ObjKind) -> UnsafeMutableRawPointer? {
    guard v.isObject, let cache = slotCache(vm) else { return nil }
    let object = cache.pointee.heapBase + Int(v.ref.offset)
    return object.load(as: UInt8.self) == kind.rawValue ? object : nil
}

@_cdecl("wrenGetSlotCount")
public func amberWrenGetSlotCount(_ vm: OpaquePointer?) -> Int32 {
    if let cache = slotCache(vm), cache.pointee.slots != nil { return Int32(clamping: cache.pointee.count) }
    return Int32(clamping: WrenHost.from(vm)?.vm.apiSlotCount() ?? 0)
}

@_cdecl("wrenEnsureSlots")
public func amberWrenEnsureSlots(_ vm: OpaquePointer?, _ numSlots: Int32) {
    if let cache = slotCache(vm), cache.pointee.slots != nil, cache.pointee.count >= Int(numSlots) { return }
    WrenHost.withVM(vm) { $0.apiEnsureSlots(Int(numSlots)) }
}

@_cdecl("wrenGetSlotType")
public func amberWrenGetSlotType(_ vm: OpaquePointer?, _ slot: Int32) -> WrenType {
    WrenType(rawValue: UInt32((WrenHost.from(vm)?.vm.apiSlotType(Int(slot)) ?? .unknown).rawValue))
}

@_cdecl("wrenGetSlotBool")
public func amberWrenGetSlotBool(_ vm: OpaquePointer?, _ slot: Int32) -> Bool {
    if let p = cachedSlot(vm, slot), p.pointee.isBool { return p.pointee == .true }
    return WrenHost.from(vm)?.vm.apiGetBool(Int(slot)) ?? false
}

@_cdecl("wrenGetSlotBytes")
public func amberWrenGetSlotBytes(_ vm: OpaquePointer?, _ slot: Int32,
                                  _ length: UnsafeMutablePointer<Int32>?) -> UnsafePointer<CChar>? {
    if let p = cachedSlot(vm, slot), let s = cachedObject(vm, p.pointee, .string) {
        length?.pointee = Int32(truncatingIfNeeded: s.load(fromByteOffset: Heap.headerSize, as: UInt32.self))
        return UnsafePointer((s + StringLayout.bytesOffset).assumingMemoryBound(to: CChar.self))
    }
    guard let host = WrenHost.from(vm) else {
        length?.pointee = 0
        return nil
    }
    let (bytes, count) = host.vm.apiGetBytes(Int(slot))
    length?.pointee = Int32(clamping: count)
    return bytes
}

@_cdecl("wrenGetSlotDouble")
public func amberWrenGetSlotDouble(_ vm: OpaquePointer?, _ slot: Int32) -> Double {
    if let p = cachedSlot(vm, slot), p.pointee.isNumber { return p.pointee.number }
    return WrenHost.from(vm)?.vm.apiGetDouble(Int(slot)) ?? 0
}

@_cdecl("wrenGetSlotForeign")
public func amberWrenGetSlotForeign(_ vm: OpaquePointer?, _ slot: Int32) -> UnsafeMutableRawPointer? {
    if let p = cachedSlot(vm, slot), let object = cachedObject(vm, p.pointee, .foreign) {
        return object + ForeignLayout.dataOffset
    }
    return WrenHost.from(vm)?.vm.apiGetForeign(Int(slot))
}

@_cdecl("wrenGetSlotString")
public func amberWrenGetSlotString(_ vm: OpaquePointer?, _ slot: Int32) -> UnsafePointer<CChar>? {
    if let p = cachedSlot(vm, slot), let s = cachedObject(vm, p.pointee, .string) {
        return UnsafePointer((s + StringLayout.bytesOffset).assumingMemoryBound(to: CChar.self))
    }
    return WrenHost.from(vm)?.vm.apiGetString(Int(slot))
}

// Stores of numbers, booleans and null: never a reference, so no write barrier (SlotAPI.swift).

@_cdecl("wrenSetSlotBool")
public func amberWrenSetSlotBool(_ vm: OpaquePointer?, _ slot: Int32, _ value: Bool) {
    if let p = cachedSlot(vm, slot) { p.pointee = Value(value); return }
    WrenHost.from(vm)?.vm.apiSetBool(Int(slot), value)
}

@_cdecl("wrenSetSlotBytes")
public func amberWrenSetSlotBytes(_ vm: OpaquePointer?, _ slot: Int32, _ bytes: UnsafePointer<CChar>?, _ length: Int) {
    guard let host = WrenHost.from(vm) else { return }
    // A size_t past Int.max arrives negative: far more than any heap holds.
    guard length >= 0 else {
        host.vm.apiError("wrenSetSlotBytes: \(UInt(bitPattern: length)) bytes are more than the heap can hold.")
        return
    }
    host.vm.apiSetBytes(Int(slot), bytes.map { UnsafeRawBufferPointer(start: $0, count: length) })
}

@_cdecl("wrenSetSlotDouble")
public func amberWrenSetSlotDouble(_ vm: OpaquePointer?, _ slot: Int32, _ value: Double) {
    if let p = cachedSlot(vm, slot) { p.pointee = Value(value); return }
    WrenHost.from(vm)?.vm.apiSetDouble(Int(slot), value)
}

@_cdecl("wrenSetSlotNewForeign")
public func amberWrenSetSlotNewForeign(_ vm: OpaquePointer?, _ slot: Int32, _ classSlot: Int32,
                                       _ size: Int) -> UnsafeMutableRawPointer? {
    WrenHost.from(vm)?.vm.apiSetNewForeign(Int(slot), classSlot: Int(classSlot), size: size)
}

@_cdecl("wrenSetSlotNewList")
public func amberWrenSetSlotNewList(_ vm: OpaquePointer?, _ slot: Int32) {
    WrenHost.from(vm)?.vm.apiSetNewList(Int(slot))
}

@_cdecl("wrenSetSlotNewMap")
public func amberWrenSetSlotNewMap(_ vm: OpaquePointer?, _ slot: Int32) {
    WrenHost.from(vm)?.vm.apiSetNewMap(Int(slot))
}

@_cdecl("wrenSetSlotNull")
public func amberWrenSetSlotNull(_ vm: OpaquePointer?, _ slot: Int32) {
    if let p = cachedSlot(vm, slot) { p.pointee = .null; return }
    WrenHost.from(vm)?.vm.apiSetNull(Int(slot))
}

@_cdecl("wrenSetSlotString")
public func amberWrenSetSlotString(_ vm: OpaquePointer?, _ slot: Int32, _ text: UnsafePointer<CChar>?) {
    WrenHost.from(vm)?.vm.apiSetBytes(Int(slot), text.map { UnsafeRawBufferPointer(start: $0, count: strlen($0)) },
                                      "wrenSetSlotString")
}

// MARK: Lists

@_cdecl("wrenGetListCount")
public func amberWrenGetListCount(_ vm: OpaquePointer?, _ slot: Int32) -> Int32 {
    Int32(clamping: WrenHost.from(vm)?.vm.apiListCount(Int(slot)) ?? 0)
}

@_cdecl("wrenGetListElement")
public func amberWrenGetListElement(_ vm: OpaquePointer?, _ listSlot: Int32, _ index: Int32, _ elementSlot: Int32) {
    WrenHost.from(vm)?.vm.apiGetListElement(Int(listSlot), Int(index), Int(elementSlot))
}

@_cdecl("wrenSetListElement")
public func amberWrenSetListElement(_ vm: OpaquePointer?, _ listSlot: Int32, _ index: Int32, _ elementSlot: Int32) {
    WrenHost.from(vm)?.vm.apiSetListElement(Int(listSlot), Int(index), Int(elementSlot))
}

@_cdecl("wrenInsertInList")
public func amberWrenInsertInList(_ vm: OpaquePointer?, _ listSlot: Int32, _ index: Int32, _ elementSlot: Int32) {
    WrenHost.from(vm)?.vm.apiInsertInList(Int(listSlot), Int(index), Int(elementSlot))
}

// MARK: Maps

@_cdecl("wrenGetMapCount")
public func amberWrenGetMapCount(_ vm: OpaquePointer?, _ slot: Int32) -> Int32 {
    Int32(clamping: WrenHost.from(vm)?.vm.apiMapCount(Int(slot)) ?? 0)
}

@_cdecl("wrenGetMapContainsKey")
public func amberWrenGetMapContainsKey(_ vm: OpaquePointer?, _ mapSlot: Int32, _ keySlot: Int32) -> Bool {
    WrenHost.from(vm)?.vm.apiMapContainsKey(Int(mapSlot), Int(keySlot)) ?? false
}

@_cdecl("wrenGetMapValue")
public func amberWrenGetMapValue(_ vm: OpaquePointer?, _ mapSlot: Int32, _ keySlot: Int32, _ valueSlot: Int32) {
    WrenHost.from(vm)?.vm.apiGetMapValue(Int(mapSlot), Int(keySlot), Int(valueSlot))
}

@_cdecl("wrenSetMapValue")
public func amberWrenSetMapValue(_ vm: OpaquePointer?, _ mapSlot: Int32, _ keySlot: Int32, _ valueSlot: Int32) {
    WrenHost.from(vm)?.vm.apiSetMapValue(Int(mapSlot), Int(keySlot), Int(valueSlot))
}

@_cdecl("wrenRemoveMapValue")
public func amberWrenRemoveMapValue(_ vm: OpaquePointer?, _ mapSlot: Int32, _ keySlot: Int32,
                                    _ removedValueSlot: Int32) {
    WrenHost.from(vm)?.vm.apiRemoveMapValue(Int(mapSlot), Int(keySlot), Int(removedValueSlot))
}

// MARK: Variables, modules, aborting

@_cdecl("wrenGetVariable")
public func amberWrenGetVariable(_ vm: OpaquePointer?, _ module: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?,
                                 _ slot: Int32) {
    guard let host = WrenHost.from(vm) else { return }
    guard let module, let name else {
        host.vm.apiError("wrenGetVariable: the \(module == nil ? "module" : "variable") name is NULL.")
        return
    }
    host.vm.apiGetVariable(module: String(cString: module), name: String(cString: name), slot: Int(slot))
}

@_cdecl("wrenHasVariable")
public func amberWrenHasVariable(_ vm: OpaquePointer?, _ module: UnsafePointer<CChar>?,
                                 _ name: UnsafePointer<CChar>?) -> Bool {
    guard let host = WrenHost.from(vm), let module, let name else { return false }
    return host.vm.apiHasVariable(module: String(cString: module), name: String(cString: name))
}

@_cdecl("wrenHasModule")
public func amberWrenHasModule(_ vm: OpaquePointer?, _ module: UnsafePointer<CChar>?) -> Bool {
    guard let host = WrenHost.from(vm), let module else { return false }
    return host.vm.apiHasModule(String(cString: module))
}

@_cdecl("wrenAbortFiber")
public func amberWrenAbortFiber(_ vm: OpaquePointer?, _ slot: Int32) {
    WrenHost.from(vm)?.vm.apiAbortFiber(Int(slot))
}
