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
// This target only translates. A `WrenVM*` stands for the VM, a copy of the
// host's configuration and its handle table (below). The host's callbacks become
// AmberVM's host hooks (AmberVM/Embedding/HostHooks.swift) and the slot
// functions call the VM's slot API (AmberVM/Embedding/SlotAPI.swift), which
// does every check: this file and its neighbours never touch the heap.
//
// A `WrenVM*` points to a `WrenVMHeader`, plain memory: the VM's slot cache
// first, so the slot functions' fast paths (Slots.swift) are a few loads; the
// host's configuration, which the hooks read; the handle table; then the host
// object, which holds the VM. Nothing here is a class property, so nothing on
// these paths pays Swift's dynamic exclusivity checks. The hooks refer to the
// header, not the host: they run while a restore binds natives, before the
// host exists. The host owns the header and the VM; `wrenFreeVM` ends them.

/// What a `WrenVM*` points to.
struct WrenVMHeader {
    /// The VM's slot cache (AmberVM/Embedding/SlotAPI.swift); must stay the first field.
    var cache: UnsafeMutablePointer<SlotCache>?
    /// The host's configuration, copied (Wren copies it too); userData changes with wrenSetUserData.
    var config: WrenConfiguration
    /// Call and value handles (Handles.swift).
    var handles = HandleTable()
    /// The host, once its VM exists.
    var host: Unmanaged<WrenHost>?
    /// Its VM, for the per-call functions (wrenCall, wrenSetSlotHandle,
    /// wrenEnsureSlots): used without a retain and release (`withVM`).
    var vm: Unmanaged<VM>?
}

/// The VM behind a `WrenVM*`, and the header's owner.
final class WrenHost {
    let vm: VM
    let header: UnsafeMutablePointer<WrenVMHeader>

    /// Makes the header, then the VM with `make` (given the configuration
    /// with the host's hooks), then the host. Nil when `make` throws.
    static func create(config: WrenConfiguration, _ make: (VMConfiguration) throws -> VM) throws -> WrenHost {
        let header = UnsafeMutablePointer<WrenVMHeader>.allocate(capacity: 1)
        header.initialize(to: WrenVMHeader(cache: nil, config: config, host: nil, vm: nil))
        do {
            return WrenHost(vm: try make(vmConfiguration(header)), header: header)
        } catch {
            header.deinitialize(count: 1)
            header.deallocate()
            throw error
        }
    }

    private init(vm: VM, header: UnsafeMutablePointer<WrenVMHeader>) {
        self.vm = vm
        self.header = header
        header.pointee.cache = vm.slotAPI.cache
        header.pointee.host = Unmanaged.passUnretained(self)
        header.pointee.vm = Unmanaged.passUnretained(vm)
    }

    deinit {
        header.pointee.handles.deallocate()
        header.deinitialize(count: 1)
        header.deallocate()
    }

    /// The `WrenVM*` to hand out; it keeps this host alive until wrenFreeVM.
    func retainedPointer() -> OpaquePointer {
        _ = Unmanaged.passRetained(self)
        return pointer
    }

    /// The `WrenVM*` the host sees.
    var pointer: OpaquePointer { OpaquePointer(header) }

    /// The header behind a `WrenVM*`.
    @inline(__always) static func header(_ p: OpaquePointer) -> UnsafeMutablePointer<WrenVMHeader> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: WrenVMHeader.self)
    }

    /// The host behind a `WrenVM*` (nil for NULL, or while a restore is still binding).
    @inline(__always) static func from(_ p: OpaquePointer?) -> WrenHost? {
        guard let p else { return nil }
        return header(p).pointee.host?.takeUnretainedValue()
    }

    /// Runs `body` on the VM behind `p` without retaining it: the host owns
    /// the VM until wrenFreeVM, which no call may overlap. Nil for NULL, or
    /// while a restore is still binding.
    @inline(__always) static func withVM<R>(_ p: OpaquePointer?, _ body: (VM) -> R) -> R? {
        guard let p, let vm = header(p).pointee.vm else { return nil }
        return vm._withUnsafeGuaranteedRef(body)
    }

    /// The handle table behind `p` (which must not be NULL).
    @inline(__always) static func handles(_ p: OpaquePointer) -> UnsafeMutablePointer<HandleTable> {
        UnsafeMutableRawPointer(header(p)).advanced(by: MemoryLayout<WrenVMHeader>.offset(of: \.handles)!)
            .assumingMemoryBound(to: HandleTable.self)
    }

    /// A configuration with every callback NULL and every size 0 (wrenInitConfiguration).
    static var defaultConfiguration: WrenConfiguration {
        WrenConfiguration(reallocateFn: nil, resolveModuleFn: nil, loadModuleFn: nil, bindForeignMethodFn: nil,
                          bindForeignClassFn: nil, writeFn: nil, errorFn: nil, initialHeapSize: 0, minHeapSize: 0,
                          heapGrowthPercent: 0, userData: nil)
    }

    /// Frees a string the host gave the VM to own (a resolved module name), as Wren does.
    static func freeHostString(_ p: UnsafePointer<CChar>, _ config: WrenConfiguration) {
        let memory = UnsafeMutableRawPointer(mutating: p)
        if let reallocate = config.reallocateFn { _ = reallocate(memory, 0, config.userData) } else { free(memory) }
    }

    /// The AmberVM configuration of a C host: its callbacks as hooks, output
    /// and errors nowhere else.
    static func vmConfiguration(_ header: UnsafeMutablePointer<WrenVMHeader>) -> VMConfiguration {
        var c = VMConfiguration()
        c.writeOutput = { _ in }
        c.writeError = { _ in }
        c.hostHooks = hooks(header)
        return c
    }

    private static func hooks(_ me: UnsafeMutablePointer<WrenVMHeader>) -> HostHooks {
        // The header, not the host: see the top of this file.
        let cvm = OpaquePointer(me)
        var hooks = HostHooks()

        hooks.bindMethod = { _, name in
            guard let bind = me.pointee.config.bindForeignMethodFn else { return nil }
            let found = name.module.withCString { m in
                name.className.withCString { c in name.signature.withCString { s in bind(cvm, m, c, name.isStatic, s) } }
            }
            guard let method = found else { return nil }
            return CForeignMethod(function: method, vm: cvm)
        }

        hooks.bindClass = { _, module, className in
            guard let bind = me.pointee.config.bindForeignClassFn else { return nil }
            let methods = module.withCString { m in className.withCString { c in bind(cvm, m, c) } }
            guard let allocate = methods.allocate else { return nil }
            return ForeignClassFunctions(allocate: { vm, args in vm.apiRunForeign(args, allocator: true) { allocate(cvm) } },
                                         finalize: methods.finalize.map { finalize in { data in finalize(data) } })
        }

        hooks.imports = HostImports(
            resolve: { importer, name in
                guard let resolve = me.pointee.config.resolveModuleFn else { return name }
                return importer.withCString { i in
                    name.withCString { n -> String? in
                        guard let resolved = resolve(cvm, i, n) else { return nil }
                        let text = String(cString: resolved)
                        // Wren owns what it is given, unless it is the very string it passed.
                        if UnsafeRawPointer(resolved) != UnsafeRawPointer(n) { freeHostString(resolved, me.pointee.config) }
                        return text
                    }
                }
            },
            load: { name in
                guard let load = me.pointee.config.loadModuleFn else { return nil }
                let result = name.withCString { load(cvm, $0) }
                guard let source = result.source else { return nil }
                let bytes = Array(UnsafeRawBufferPointer(start: source, count: strlen(source)))
                guard let complete = result.onComplete else { return (bytes, nil) }
                return (bytes, { name.withCString { complete(cvm, $0, result) } })
            },
            builtins: ["meta", "random"])

        hooks.reportError = { _, report in
            guard let errorFn = me.pointee.config.errorFn else { return }
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
            guard let writeFn = me.pointee.config.writeFn else { return }
            // The host wants a C string: copy and terminate.
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
                let base = buffer.baseAddress!
                if bytes.count > 0 { UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                base[bytes.count] = 0
                writeFn(cvm, base)
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
    let config = configuration?.pointee ?? WrenHost.defaultConfiguration
    guard let host = try? WrenHost.create(config: config, { try VM(configuration: $0) }) else { return nil }
    host.vm.apiSetFirstCollection(after: Int(clamping: config.initialHeapSize))
    return host.retainedPointer()
}

@_cdecl("wrenFreeVM")
public func amberWrenFreeVM(_ vm: OpaquePointer?) {
    guard let host = WrenHost.from(vm) else { return }
    // Not from under its own foreign method, callback or finalizer: the VM is in use there.
    if let running = host.vm.apiRunningError("wrenFreeVM") {
        host.vm.apiError(running)
        return
    }
    host.vm.apiFinalizeAll()
    Unmanaged.passUnretained(host).release()   // the reference retainedPointer() took; the header goes with the host
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
    guard let vm else { return nil }
    return WrenHost.header(vm).pointee.config.userData
}

@_cdecl("wrenSetUserData")
public func amberWrenSetUserData(_ vm: OpaquePointer?, _ userData: UnsafeMutableRawPointer?) {
    guard let vm else { return }
    WrenHost.header(vm).pointee.config.userData = userData
}
