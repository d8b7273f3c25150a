#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM
import CAmberWren

// libAmberWren: Wren 0.4's C API (include/wren.h) and Amber's snapshots
// (include/amber.h) over AmberVM (ARCHITECTURE.md, "Embedding").
//
// This target only translates. A `WrenVM*` is a `WrenHost`: the VM, a copy of
// the host's configuration, and its handle table. The host's callbacks become
// AmberVM's host hooks (AmberVM/Embedding/HostHooks.swift) and the slot
// functions call the VM's slot API (AmberVM/Embedding/SlotAPI.swift), which
// does every check: this file and its neighbours never touch the heap.
//
// A `WrenVM*` points to a `WrenVMHeader`: the VM's slot cache first, so the
// slot functions' fast paths (Slots.swift) are a few loads, then the host
// object. The hooks refer to their host through the header, unretained: the
// host owns the VM, which owns the hooks, and `wrenFreeVM` ends all three.

/// What a `WrenVM*` points to.
struct WrenVMHeader {
    /// The VM's slot cache (AmberVM/Embedding/SlotAPI.swift); must stay the first field.
    var cache: UnsafeMutablePointer<SlotCache>?
    var host: Unmanaged<WrenHost>
}

/// The state behind a `WrenVM*`.
final class WrenHost {
    /// Set right after the VM is made (its hooks need the header first).
    var vm: VM!
    /// The host's configuration, copied (Wren copies it too); userData changes with wrenSetUserData.
    var config: WrenConfiguration
    /// Call and value handles (Handles.swift).
    var handles = HandleTable()
    /// The `WrenVM*` the host sees.
    let header: UnsafeMutablePointer<WrenVMHeader>

    init(config: WrenConfiguration) {
        self.config = config
        header = .allocate(capacity: 1)
        header.initialize(to: WrenVMHeader(cache: nil, host: Unmanaged.passUnretained(self)))
    }

    deinit { header.deallocate() }

    /// Attaches the VM (the C functions work from here on).
    func attach(_ vm: VM) {
        self.vm = vm
        header.pointee.cache = vm.slotAPI.cache
    }

    /// The `WrenVM*` to hand out; it keeps this host alive until wrenFreeVM.
    func retainedPointer() -> OpaquePointer {
        _ = Unmanaged.passRetained(self)
        return pointer
    }

    /// The `WrenVM*` the host sees.
    var pointer: OpaquePointer { OpaquePointer(header) }

    /// The host behind a `WrenVM*` (nil for NULL).
    @inline(__always) static func from(_ p: OpaquePointer?) -> WrenHost? {
        guard let p else { return nil }
        return UnsafeMutableRawPointer(p).assumingMemoryBound(to: WrenVMHeader.self).pointee.host.takeUnretainedValue()
    }

    /// A configuration with every callback NULL and every size 0 (wrenInitConfiguration).
    static var defaultConfiguration: WrenConfiguration {
        WrenConfiguration(reallocateFn: nil, resolveModuleFn: nil, loadModuleFn: nil, bindForeignMethodFn: nil,
                          bindForeignClassFn: nil, writeFn: nil, errorFn: nil, initialHeapSize: 0, minHeapSize: 0,
                          heapGrowthPercent: 0, userData: nil)
    }

    /// Frees a string the host gave the VM to own (a resolved module name), as Wren does.
    func freeHostString(_ p: UnsafePointer<CChar>) {
        let memory = UnsafeMutableRawPointer(mutating: p)
        if let reallocate = config.reallocateFn { _ = reallocate(memory, 0, config.userData) } else { free(memory) }
    }

    /// The AmberVM configuration of a C host: its callbacks as hooks, output
    /// and errors nowhere else.
    func vmConfiguration() -> VMConfiguration {
        var c = VMConfiguration()
        c.writeOutput = { _ in }
        c.writeError = { _ in }
        c.hostHooks = hooks()
        return c
    }

    private func hooks() -> HostHooks {
        // Unretained: see the top of this file.
        let me = header
        @inline(__always) func host() -> WrenHost { me.pointee.host.takeUnretainedValue() }
        var hooks = HostHooks()

        hooks.bindMethod = { _, name in
            let host = host()
            guard let bind = host.config.bindForeignMethodFn else { return nil }
            let found = name.module.withCString { m in
                name.className.withCString { c in name.signature.withCString { s in bind(host.pointer, m, c, name.isStatic, s) } }
            }
            guard let method = found else { return nil }
            let cvm = host.pointer
            return { vm, args in vm.apiRunForeign(args, allocator: false) { method(cvm) } }
        }

        hooks.bindClass = { _, module, className in
            let host = host()
            guard let bind = host.config.bindForeignClassFn else { return nil }
            let methods = module.withCString { m in className.withCString { c in bind(host.pointer, m, c) } }
            guard let allocate = methods.allocate else { return nil }
            let cvm = host.pointer
            return ForeignClassFunctions(allocate: { vm, args in vm.apiRunForeign(args, allocator: true) { allocate(cvm) } },
                                         finalize: methods.finalize.map { finalize in { data in finalize(data) } })
        }

        hooks.imports = HostImports(
            resolve: { importer, name in
                let host = host()
                guard let resolve = host.config.resolveModuleFn else { return name }
                return importer.withCString { i in
                    name.withCString { n -> String? in
                        guard let resolved = resolve(host.pointer, i, n) else { return nil }
                        let text = String(cString: resolved)
                        // Wren owns what it is given, unless it is the very string it passed.
                        if UnsafeRawPointer(resolved) != UnsafeRawPointer(n) { host.freeHostString(resolved) }
                        return text
                    }
                }
            },
            load: { name in
                let host = host()
                guard let load = host.config.loadModuleFn else { return nil }
                let result = name.withCString { load(host.pointer, $0) }
                guard let source = result.source else { return nil }
                let bytes = Array(UnsafeRawBufferPointer(start: source, count: strlen(source)))
                guard let complete = result.onComplete else { return (bytes, nil) }
                return (bytes, { name.withCString { complete(host.pointer, $0, result) } })
            },
            builtins: ["meta", "random"])

        hooks.reportError = { _, report in
            let host = host()
            guard let errorFn = host.config.errorFn else { return }
            let cvm = host.pointer
            switch report {
            case .compile(let module, let line, let message):
                module.withCString { m in message.withCString { errorFn(cvm, WREN_ERROR_COMPILE, m, Int32(clamping: line), $0) } }
            case .runtime(let message):
                // Wren's words for an error that is not a string.
                (message ?? "[error object]").withCString { errorFn(cvm, WREN_ERROR_RUNTIME, nil, -1, $0) }
            case .stackFrame(let module, let line, let function):
                module.withCString { m in function.withCString { errorFn(cvm, WREN_ERROR_STACK_TRACE, m, Int32(clamping: line), $0) } }
            case .api(let message):
                message.withCString { errorFn(cvm, WREN_ERROR_RUNTIME, nil, -1, $0) }
            }
        }

        hooks.write = { _, bytes in
            let host = host()
            guard let writeFn = host.config.writeFn else { return }
            // The host wants a C string: copy and terminate.
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
                let base = buffer.baseAddress!
                if bytes.count > 0 { UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                base[bytes.count] = 0
                writeFn(host.pointer, base)
            }
        }
        return hooks
    }
}

// MARK: The VM's life

@_cdecl("wrenGetVersionNumber")
public func amberWrenGetVersionNumber() -> Int32 {
    Int32(WREN_VERSION_MAJOR * 1_000_000 + WREN_VERSION_MINOR * 1_000 + WREN_VERSION_PATCH)
}

@_cdecl("wrenInitConfiguration")
public func amberWrenInitConfiguration(_ configuration: UnsafeMutablePointer<WrenConfiguration>?) {
    configuration?.pointee = WrenHost.defaultConfiguration
}

@_cdecl("wrenNewVM")
public func amberWrenNewVM(_ configuration: UnsafeMutablePointer<WrenConfiguration>?) -> OpaquePointer? {
    let host = WrenHost(config: configuration?.pointee ?? WrenHost.defaultConfiguration)
    guard let vm = try? VM(configuration: host.vmConfiguration()) else { return nil }
    vm.apiSetFirstCollection(after: Int(clamping: host.config.initialHeapSize))
    host.attach(vm)
    return host.retainedPointer()
}

@_cdecl("wrenFreeVM")
public func amberWrenFreeVM(_ vm: OpaquePointer?) {
    guard let host = WrenHost.from(vm) else { return }
    // Not from under its own foreign method, callback or finalizer: the VM is in use there.
    if let running = host.vm?.apiRunningError("wrenFreeVM") {
        host.vm.apiError(running)
        return
    }
    host.vm?.apiFinalizeAll()
    host.header.pointee.host.release()   // the reference `attach` took; the header goes with the host
}

@_cdecl("wrenCollectGarbage")
public func amberWrenCollectGarbage(_ vm: OpaquePointer?) {
    WrenHost.from(vm)?.vm.apiCollectGarbage()
}

@_cdecl("wrenInterpret")
public func amberWrenInterpret(_ vm: OpaquePointer?, _ module: UnsafePointer<CChar>?,
                               _ source: UnsafePointer<CChar>?) -> WrenInterpretResult {
    guard let host = WrenHost.from(vm) else { return WREN_RESULT_RUNTIME_ERROR }
    guard let source else {
        host.vm.apiError("wrenInterpret: the source is NULL.")
        return WREN_RESULT_COMPILE_ERROR
    }
    let name = module.map { String(cString: $0) } ?? "main"
    let result = host.vm.apiInterpret(module: name, source: Array(UnsafeRawBufferPointer(start: source, count: strlen(source))))
    return WrenInterpretResult(rawValue: UInt32(result.rawValue))
}

@_cdecl("wrenGetUserData")
public func amberWrenGetUserData(_ vm: OpaquePointer?) -> UnsafeMutableRawPointer? {
    WrenHost.from(vm)?.config.userData
}

@_cdecl("wrenSetUserData")
public func amberWrenSetUserData(_ vm: OpaquePointer?, _ userData: UnsafeMutableRawPointer?) {
    WrenHost.from(vm)?.config.userData = userData
}
