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
    guard let path else {
        copyError("amberRestore: the path is NULL.", into: errorOut, size: errorSize)
        return nil
    }
    let host: WrenHost
    do {
        let file = String(cString: path)
        host = try WrenHost.create(config: config?.pointee ?? WrenHost.defaultConfiguration) {
            try VM.restore(from: file, configuration: $0)
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
        copyError("amberRestore: the image's program exited (status \(code)).", into: errorOut, size: errorSize)
        return nil
    }
    copyError("", into: errorOut, size: errorSize)
    return host.retainedPointer()
}
