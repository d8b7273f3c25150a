#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM
import CAmberWren

// amber.h: snapshots for C hosts.
//
// amberRestore builds the VM with the new configuration's hooks before the
// image's natives are bound, so restoring asks the host's binders for every
// foreign method and class the image uses (AmberVM's `hostNative(forImageName:)`),
// exactly as defining the classes did; everything missing is named at once.

/// Copies `message` into the host's buffer: at most `size - 1` bytes, then NUL.
func copyError(_ message: String, into buffer: UnsafeMutablePointer<CChar>?, size: Int) {
    guard let buffer, size > 0 else { return }
    let bytes = Array(message.utf8.prefix(size - 1))
    bytes.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    buffer[bytes.count] = 0
}

@_cdecl("amberSnapshot")
public func amberSnapshotImpl(_ vm: OpaquePointer?, _ path: UnsafePointer<CChar>?,
                              _ error: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> Bool {
    guard let host = WrenHost.from(vm) else {
        copyError("amberSnapshot: the VM is NULL.", into: error, size: errorSize)
        return false
    }
    guard let path else {
        copyError("amberSnapshot: the path is NULL.", into: error, size: errorSize)
        return false
    }
    if let message = host.vm.apiSnapshot(to: String(cString: path)) {
        copyError(message, into: error, size: errorSize)
        return false
    }
    copyError("", into: error, size: errorSize)
    return true
}

@_cdecl("amberRestore")
public func amberRestoreImpl(_ config: UnsafeMutablePointer<WrenConfiguration>?, _ path: UnsafePointer<CChar>?,
                             _ errorOut: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> OpaquePointer? {
    restore(config, path, key: nil, "amberRestore", errorOut, errorSize)
}

@_cdecl("amberRestoreSigned")
public func amberRestoreSignedImpl(_ config: UnsafeMutablePointer<WrenConfiguration>?, _ path: UnsafePointer<CChar>?,
                                   _ keyFile: UnsafePointer<CChar>?,
                                   _ errorOut: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> OpaquePointer? {
    guard let keyFile else {
        copyError("amberRestoreSigned: the key file is NULL.", into: errorOut, size: errorSize)
        return nil
    }
    let key: ImageKey
    do { key = try ImageKey(contentsOfFile: String(cString: keyFile)) } catch {
        copyError(error.message, into: errorOut, size: errorSize)
        return nil
    }
    return restore(config, path, key: key, "amberRestoreSigned", errorOut, errorSize)
}

@_cdecl("amberSetImageKey")
public func amberSetImageKeyImpl(_ vm: OpaquePointer?, _ keyFile: UnsafePointer<CChar>?,
                                 _ errorOut: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> Bool {
    guard let host = WrenHost.from(vm) else {
        copyError("amberSetImageKey: the VM is NULL.", into: errorOut, size: errorSize)
        return false
    }
    guard let keyFile else {
        host.vm.config.imageKey = nil
        copyError("", into: errorOut, size: errorSize)
        return true
    }
    do { host.vm.config.imageKey = try ImageKey(contentsOfFile: String(cString: keyFile)) } catch {
        copyError(error.message, into: errorOut, size: errorSize)
        return false
    }
    copyError("", into: errorOut, size: errorSize)
    return true
}

/// amberRestore and amberRestoreSigned: a VM from the image, with the host's
/// bindings and, with a key, the image's signature checked first.
private func restore(_ config: UnsafeMutablePointer<WrenConfiguration>?, _ path: UnsafePointer<CChar>?,
                     key: ImageKey?, _ function: String,
                     _ errorOut: UnsafeMutablePointer<CChar>?, _ errorSize: Int) -> OpaquePointer? {
    guard let path else {
        copyError("\(function): the path is NULL.", into: errorOut, size: errorSize)
        return nil
    }
    let host: WrenHost
    do {
        let file = String(cString: path)
        host = try WrenHost.create(config: config?.pointee ?? WrenHost.defaultConfiguration) {
            var configuration = $0
            if let key { configuration.imageKey = key }
            return try VM.restore(from: file, configuration: configuration)
        }
    } catch {
        copyError((error as? ImageError)?.message ?? "\(error)", into: errorOut, size: errorSize)
        return nil
    }
    let vm = host.vm
    // The image's own post-restore hooks (clocks, random seeds, script hooks).
    switch vm.resumeFromImage() {
    case .success:
        break
    case .runtimeError(let message):
        copyError(message, into: errorOut, size: errorSize)
        return nil
    case .compileError(let messages):
        copyError(messages.joined(separator: "\n"), into: errorOut, size: errorSize)
        return nil
    case .exit(let code):
        copyError("\(function): the image's program exited (status \(code)).", into: errorOut, size: errorSize)
        return nil
    }
    copyError("", into: errorOut, size: errorSize)
    return host.retainedPointer()
}
