#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Memory and Pointer.
//
// A Memory either owns its bytes (a bytes object in the heap: part of the
// image, moved by the collector, so its address is only handed to C for the
// duration of a call) or views C memory (`Memory.view(pointer, size)`: the
// address and the pointer's restore generation). Every access is
// bounds-checked against the size, at any offset, aligned or not. A view's
// size is the caller's claim, as in ctypes: the VM checks that the whole
// range is mapped when the view is made, not that it is C's to read or that
// it stays mapped. A view from before a restore is as stale as its pointer;
// so is a pointer stored in an owned Memory before it (FFIStoredPointers.swift).
//
// A Pointer is an address C returned plus the generation it was made in; any
// use after a restore is the error "Pointer from before the restore
// (generation 0) used in generation 1".

/// Whether every page of `address ..< address + count` is mapped in this
/// process. msync with MS_ASYNC changes nothing (Linux: a no-op; elsewhere
/// it only schedules writes of shared file mappings) but fails with ENOMEM
/// on an unmapped page, in one system call whatever the length.
func ffiIsMapped(_ address: UInt, _ count: Int) -> Bool {
    guard count > 0 else { return true }
    let page = UInt(getpagesize())
    let (end, overflow) = address.addingReportingOverflow(UInt(count))
    let start = address & ~(page - 1)
    guard !overflow, end - start <= UInt(Int.max), let p = UnsafeMutableRawPointer(bitPattern: start) else { return false }
    return msync(p, Int(end - start), MS_ASYNC) == 0
}

extension VM {
    /// The bytes `offset ..< offset + count` of the Memory receiver; nil (error set) when out of bounds.
    func ffiMemoryRange(_ a: UnsafeMutablePointer<Value>, _ offsetValue: Value, _ count: Int) -> UnsafeMutableRawPointer? {
        guard offsetValue.isNumber, offsetValue.number == offsetValue.number.rounded(.towardZero), offsetValue.number.isFinite else {
            _ = fail("Memory offset must be an integer, not \(offsetValue.isNumber ? formatNumber(offsetValue.number) : ffiDescribe(offsetValue)).")
            return nil
        }
        guard let (p, size) = ffiMemoryBytes(a[0]) else { return nil }
        let offset = offsetValue.number
        guard offset >= 0, offset + Double(count) <= Double(size) else {
            _ = fail("Memory access out of bounds: \(count) byte(s) at offset \(formatNumber(offset)) of a Memory of \(size) bytes.")
            return nil
        }
        guard let p else { _ = fail("Memory view of a NULL pointer."); return nil }
        return p + Int(offset)
    }

    func registerFFIMemoryNatives() {
        foreign("ffi.Memory.static alloc(_)") { vm, a in
            guard let n = vm.intArg(a, 1, "Size") else { return false }
            guard n >= 0 else { return vm.fail("Size must not be negative.") }
            guard let m = vm.ffiNewMemory(count: n, from: nil) else { return vm.fail("Out of memory.") }
            return vm.ret(a, m)
        }
        foreign("ffi.Memory.static fromString(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Argument must be a String, not \(vm.ffiDescribe(a[1])).") }
            let len = vm.stringLength(a[1].ref)
            guard let m = vm.ffiNewMemory(count: len + 1, from: nil) else { return vm.fail("Out of memory.") }
            // Allocating may not move objects (only safe points collect), so a[1] is still right.
            memcpy(vm.bytesPointer(vm.heap[m.ref, FFIField.memoryBytes].ref), vm.stringBytes(a[1].ref), len + 1)
            return vm.ret(a, m)
        }
        foreign("ffi.Memory.static view(_,_)") { vm, a in
            guard vm.ffiIs(a[1], .pointer) else { return vm.fail("Memory.view needs a Pointer, not \(vm.ffiDescribe(a[1])).") }
            guard let address = vm.ffiPointerAddress(a[1]) else { return false }
            guard address != 0 else { return vm.fail("Cannot view a NULL pointer.") }
            guard let n = vm.intArg(a, 2, "Size") else { return false }
            guard n >= 0 else { return vm.fail("Size must not be negative.") }
            if let refusal = vm.ffiViewRefusal(address, n) { return vm.fail(refusal) }
            let m = vm.newInstance(vm.ffiClass(.memory))
            vm.heap[m, FFIField.memoryBytes] = .null
            vm.heap[m, FFIField.memoryAddress] = Value(Double(address))
            vm.heap[m, FFIField.memorySize] = Value(n)
            vm.heap[m, FFIField.memoryGeneration] = Value(vm.generation)
            if vm.ffiOwnsAddress(UnsafeMutableRawPointer(bitPattern: address)) { vm.ffiLend(m, FFIField.memoryGeneration) }
            return vm.ret(a, m.value)
        }
        foreign("ffi.Memory.size") { vm, a in
            guard let (_, size) = vm.ffiMemoryBytes(a[0]) else { return false }
            return vm.ret(a, Value(size))
        }
        foreign("ffi.Memory.isView") { vm, a in vm.ret(a, Value(!vm.heap[a[0].ref, FFIField.memoryBytes].isObject)) }

        let scalars: [(String, FFIType)] = [
            ("int8", .int8), ("uint8", .uint8), ("int16", .int16), ("uint16", .uint16), ("int32", .int32),
            ("uint32", .uint32), ("int64", .int64), ("uint64", .uint64), ("float", .float), ("double", .double),
        ]
        for (name, t) in scalars {
            let size = t.sizeAndAlignment { _ in nil }.0
            let setter = "set" + name.prefix(1).uppercased() + name.dropFirst()
            foreign("ffi.Memory.\(name)(_)") { vm, a in
                guard let p = vm.ffiMemoryRange(a, a[1], size) else { return false }
                return vm.ret(a, vm.ffiLoadScalar(t, p))
            }
            foreign("ffi.Memory.\(setter)(_,_)") { vm, a in
                guard let p = vm.ffiMemoryRange(a, a[1], size) else { return false }
                guard vm.ffiStoreScalar(a[2], t, p, widen: false, "Value") else { return false }
                vm.ffiNoteWrite(a[0].ref, Int(a[1].number), size)
                return vm.ret(a, a[2])
            }
        }
        foreign("ffi.Memory.pointer(_)") { vm, a in
            guard let p = vm.ffiMemoryRange(a, a[1], 8) else { return false }
            if vm.heap[a[0].ref, FFIField.memoryBytes].isObject {
                let made = vm.ffiStoredGeneration(a[0].ref, at: Int(a[1].number))
                guard made == vm.generation else { return vm.fail(vm.ffiStaleMessage(made)) }
            }
            return vm.ret(a, vm.ffiNewPointer(p.loadUnaligned(as: UInt.self)))
        }
        foreign("ffi.Memory.setPointer(_,_)") { vm, a in
            guard vm.ffiMemoryRange(a, a[1], 8) != nil else { return false }
            if vm.ffiIs(a[2], .memory), vm.heap[a[2].ref, FFIField.memoryBytes].isObject {
                return vm.fail("A Memory the heap owns has no fixed address to store; pass it to the call directly.")
            }
            guard let value = vm.ffiPointerArg(a[2], "Value") else { return false }
            if vm.heap[a[0].ref, FFIField.memoryBytes].isObject {
                guard vm.ffiRecordPointer(a[0].ref, at: Int(a[1].number)) else { return false }
            }
            // Recording may allocate, not move: the range is where it was.
            vm.ffiMemoryRange(a, a[1], 8)!.storeBytes(of: value, as: UnsafeMutableRawPointer?.self)
            return vm.ret(a, a[2])
        }
        foreign("ffi.Memory.string(_)") { vm, a in
            guard let p = vm.ffiMemoryRange(a, a[1], 0), let (_, size) = vm.ffiMemoryBytes(a[0]) else { return false }
            let available = size - Int(a[1].number)
            let len = memchr(p, 0, available).map { $0 - p } ?? available
            return vm.ret(a, vm.newString(bytes: UnsafeRawBufferPointer(start: p, count: len)).value)
        }
        foreign("ffi.Memory.setString(_,_)") { vm, a in
            guard vm.isString(a[2]) else { return vm.fail("Value must be a String, not \(vm.ffiDescribe(a[2])).") }
            let len = vm.stringLength(a[2].ref)
            guard let p = vm.ffiMemoryRange(a, a[1], len + 1) else { return false }
            memcpy(p, vm.stringBytes(a[2].ref), len + 1)
            vm.ffiNoteWrite(a[0].ref, Int(a[1].number), len + 1)
            return vm.ret(a, a[2])
        }
    }

    func registerFFIPointerNatives() {
        // Looking at an expired Pointer (isNull, address, ==) is fine: its
        // address is this process's; only reaching through it is not.
        foreign("ffi.Pointer.isNull") { vm, a in
            guard let address = vm.ffiPointerAddress(a[0], access: false) else { return false }
            return vm.ret(a, Value(address == 0))
        }
        foreign("ffi.Pointer.address") { vm, a in
            guard let address = vm.ffiPointerAddress(a[0], access: false) else { return false }
            return vm.ret(a, Value(Double(address)))
        }
        foreign("ffi.Pointer.generation") { vm, a in vm.ret(a, vm.heap[a[0].ref, FFIField.pointerGeneration]) }
        foreign("ffi.Pointer.==(_)") { vm, a in
            guard let address = vm.ffiPointerAddress(a[0], access: false) else { return false }
            guard vm.ffiIs(a[1], .pointer) else { return vm.ret(a, .false) }
            guard let other = vm.ffiPointerAddress(a[1], access: false) else { return false }
            return vm.ret(a, Value(address == other))
        }
        foreign("ffi.Pointer.toString") { vm, a in
            let gv = vm.heap[a[0].ref, FFIField.pointerGeneration], av = vm.heap[a[0].ref, FFIField.pointerAddress]
            guard gv.isNumber, av.isNumber, av.number >= 0, av.number < 18446744073709551616.0 else {
                return vm.ret(a, vm.newString("Pointer(none)").value)
            }
            let g = vm.ffiGenerationValue(gv)
            let address = UInt(av.number)
            let stale = gv.number == FFIField.expired ? " (expired: lent to C, moved since)"
                : g == vm.generation ? "" : " (stale: generation \(g))"
            return vm.ret(a, vm.newString("Pointer(0x\(String(address, radix: 16)))\(stale)").value)
        }
    }
}
