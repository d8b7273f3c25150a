#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The port library's file-system and standard-stream calls (ARCHITECTURE.md, "The port library and natives by name"),
// used by the io module (Modules/Module+IO.swift) and the module loader.
//
// Each call is a replaceable closure in `FilePort`, reached as
// `vm.port.files`, so an embedder can put a script in a sandboxed or fake
// file system. Paths and file names are raw bytes, as Wren strings are.
// Failures come back as a `PortError`: the errno value and the message Wren
// CLI (through libuv) shows for it, e.g. "no such file or directory".

/// An operating-system error: its errno and libuv's wording of it.
public struct PortError: Error, Equatable, Sendable {
    /// The `errno` value.
    public var code: Int32
    /// The error with `errno` value `code`.
    public init(_ code: Int32) { self.code = code }
    /// What Wren CLI reports for this error (libuv's `uv_strerror`).
    public var message: String { PortError.message(code) }

    /// libuv's wording of `errno` value `code`, in lower case, as Wren CLI prints it.
    public static func message(_ code: Int32) -> String {
        switch code {
        case EACCES: return "permission denied"
        case EAGAIN: return "resource temporarily unavailable"
        case EBADF: return "bad file descriptor"
        case EBUSY: return "resource busy or locked"
        case EEXIST: return "file already exists"
        case EFAULT: return "bad address in system call argument"
        case EFBIG: return "file too large"
        case EINTR: return "interrupted system call"
        case EINVAL: return "invalid argument"
        case EIO: return "i/o error"
        case EISDIR: return "illegal operation on a directory"
        case ELOOP: return "too many symbolic links encountered"
        case EMFILE: return "too many open files"
        case ENAMETOOLONG: return "name too long"
        case ENFILE: return "file table overflow"
        case ENODEV: return "no such device"
        case ENOENT: return "no such file or directory"
        case ENOMEM: return "not enough memory"
        case ENOSPC: return "no space left on device"
        case ENOSYS: return "function not implemented"
        case ENOTDIR: return "not a directory"
        case ENOTEMPTY: return "directory not empty"
        case ENXIO: return "no such device or address"
        case EPERM: return "operation not permitted"
        case EPIPE: return "broken pipe"
        case EROFS: return "read-only file system"
        case ESPIPE: return "invalid seek"
        case ETXTBSY: return "text file is busy"
        case EXDEV: return "cross-device link not permitted"
        case EMLINK: return "too many links"
        case ENOTTY: return "inappropriate ioctl for device"
        case EOVERFLOW: return "value too large for defined data type"
        default:
            guard let s = strerror(code) else { return "unknown error \(code)" }
            return String(cString: s).lowercased()
        }
    }
}

/// What `stat` says about a file-system entry, as numbers a script can hold.
public struct FileStatus: Equatable {
    /// The device, inode, mode bits and number of hard links.
    public var device = 0.0, inode = 0.0, mode = 0.0, linkCount = 0.0
    /// The owner, group, device of a special file, and size in bytes.
    public var user = 0.0, group = 0.0, specialDevice = 0.0, size = 0.0
    /// The preferred I/O block size and the number of 512-byte blocks allocated.
    public var blockSize = 0.0, blockCount = 0.0
    /// Whether the entry is a regular file, a directory.
    public var isFile = false, isDirectory = false
    /// All zero.
    public init() {}
}

/// Flags of `FilePort.open`, independent of the host's `O_*` values (they are
/// Wren CLI's FileFlags bits, so the heap never holds a host-specific number).
public struct FileOpenFlags: OptionSet, Equatable, Sendable {
    /// The Wren CLI FileFlags bits.
    public let rawValue: Int
    /// Flags from Wren CLI FileFlags bits.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Open for reading only.
    public static let readOnly = FileOpenFlags(rawValue: 0x01)
    /// Open for writing only.
    public static let writeOnly = FileOpenFlags(rawValue: 0x02)
    /// Open for reading and writing.
    public static let readWrite = FileOpenFlags(rawValue: 0x04)
    /// Writes reach the device before they return (`O_SYNC`).
    public static let sync = FileOpenFlags(rawValue: 0x08)
    /// Create the file if it does not exist (mode 0600).
    public static let create = FileOpenFlags(rawValue: 0x10)
    /// Empty the file when opening it.
    public static let truncate = FileOpenFlags(rawValue: 0x20)
    /// With `create`: fail if the file exists.
    public static let exclusive = FileOpenFlags(rawValue: 0x40)

    /// The host's open(2) flags.
    var host: Int32 {
        var r: Int32 = 0
        if contains(.readOnly) { r |= O_RDONLY }
        if contains(.writeOnly) { r |= O_WRONLY }
        if contains(.readWrite) { r |= O_RDWR }
        if contains(.sync) { r |= O_SYNC }
        if contains(.create) { r |= O_CREAT }
        if contains(.truncate) { r |= O_TRUNC }
        if contains(.exclusive) { r |= O_EXCL }
        return r | O_CLOEXEC
    }
}

/// File-system and standard-stream access. Descriptors are this process's;
/// callers must never keep one where another process could see it.
public struct FilePort {
    /// The implementation's name, recorded in images.
    public var name = "system"
    /// Opens `path`; new files get mode 0600, as in Wren CLI.
    public var open: (_ path: [UInt8], _ flags: FileOpenFlags) -> Result<Int32, PortError> = { path, flags in
        withCPath(path) { p in
            while true {
                let fd = Glibc_open(p, flags.host, 0o600)
                if fd >= 0 { return .success(fd) }
                if errno != EINTR { return .failure(PortError(errno)) }
            }
        }
    }
    /// Closes a descriptor.
    public var close: (_ fd: Int32) -> Result<Void, PortError> = { fd in
        systemClose(fd) == 0 ? .success(()) : .failure(PortError(errno))
    }
    /// Reads up to `count` bytes at `offset`, fewer only at the end of the file.
    public var read: (_ fd: Int32, _ count: Int, _ offset: Int) -> Result<[UInt8], PortError> = { fd, count, offset in
        var out: [UInt8] = []
        var at = offset
        while out.count < count {
            let want = min(count - out.count, 1 << 20)
            var chunk = [UInt8](repeating: 0, count: want)
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(PortError(errno))
            }
            if n == 0 { break }
            out += chunk[0..<n]
            at += n
        }
        return .success(out)
    }
    /// Writes all of `bytes` at `offset`.
    public var write: (_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Result<Void, PortError> = { fd, bytes, offset in
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(PortError(errno))
            }
            done += n
        }
        return .success(())
    }
    /// Moves the descriptor's own position (what a reopened file gets back).
    public var seek: (_ fd: Int32, _ offset: Int) -> Result<Void, PortError> = { fd, offset in
        lseek(fd, off_t(offset), SEEK_SET) >= 0 ? .success(()) : .failure(PortError(errno))
    }
    /// `stat` of a path (following symbolic links).
    public var stat: (_ path: [UInt8]) -> Result<FileStatus, PortError> = { path in
        withCPath(path) { p in statusOf { systemStat(p, &$0) } }
    }
    /// `fstat` of an open descriptor.
    public var fstat: (_ fd: Int32) -> Result<FileStatus, PortError> = { fd in
        statusOf { systemFstat(fd, &$0) }
    }
    /// Removes a file.
    public var unlink: (_ path: [UInt8]) -> Result<Void, PortError> = { path in
        withCPath(path) { Glibc_unlink($0) == 0 ? .success(()) : .failure(PortError(errno)) }
    }
    /// Creates a directory with mode 0777 less the umask.
    public var makeDirectory: (_ path: [UInt8]) -> Result<Void, PortError> = { path in
        withCPath(path) { mkdir($0, 0o777) == 0 ? .success(()) : .failure(PortError(errno)) }
    }
    /// Removes an empty directory.
    public var removeDirectory: (_ path: [UInt8]) -> Result<Void, PortError> = { path in
        withCPath(path) { rmdir($0) == 0 ? .success(()) : .failure(PortError(errno)) }
    }
    /// Names in a directory, without "." and "..", in no particular order.
    public var listDirectory: (_ path: [UInt8]) -> Result<[[UInt8]], PortError> = { path in
        withCPath(path) { p in
            guard let dir = opendir(p) else { return .failure(PortError(errno)) }
            defer { closedir(dir) }
            var names: [[UInt8]] = []
            while true {
                errno = 0
                guard let entry = readdir(dir) else {
                    if errno != 0 { return .failure(PortError(errno)) }
                    break
                }
                let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                    Array(raw.prefix { $0 != 0 })
                }
                if name == [0x2e] || name == [0x2e, 0x2e] { continue }
                names.append(name)
            }
            return .success(names)
        }
    }
    /// The canonical absolute path: symbolic links, "." and ".." resolved.
    public var realPath: (_ path: [UInt8]) -> Result<[UInt8], PortError> = { path in
        withCPath(path) { p in
            guard let r = realpath(p, nil) else { return .failure(PortError(errno)) }
            defer { free(r) }
            return .success(Array(UnsafeRawBufferPointer(start: r, count: strlen(r))))
        }
    }
    /// The system implementation of every call.
    public init() {}
}

// MARK: Helpers

/// Calls `body` with `path` as a C string; a path with a NUL byte is invalid.
private func withCPath<T>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> Result<T, PortError>) -> Result<T, PortError> {
    if path.contains(0) { return .failure(PortError(EINVAL)) }
    let c = path.map { CChar(bitPattern: $0) } + [0]
    return c.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func statusOf(_ call: (inout stat) -> Int32) -> Result<FileStatus, PortError> {
    var st = stat()
    guard call(&st) == 0 else { return .failure(PortError(errno)) }
    var s = FileStatus()
    s.device = Double(st.st_dev)
    s.inode = Double(st.st_ino)
    s.mode = Double(st.st_mode)
    s.linkCount = Double(st.st_nlink)
    s.user = Double(st.st_uid)
    s.group = Double(st.st_gid)
    s.specialDevice = Double(st.st_rdev)
    s.size = Double(st.st_size)
    s.blockSize = Double(st.st_blksize)
    s.blockCount = Double(st.st_blocks)
    s.isFile = (st.st_mode & S_IFMT) == S_IFREG
    s.isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
    return .success(s)
}

// The C functions whose names the closures above shadow.
#if canImport(Glibc)
private func Glibc_open(_ p: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(p, flags, mode) }
private func Glibc_unlink(_ p: UnsafePointer<CChar>) -> Int32 { Glibc.unlink(p) }
private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
private func systemStat(_ p: UnsafePointer<CChar>, _ st: inout stat) -> Int32 { stat(p, &st) }
private func systemFstat(_ fd: Int32, _ st: inout stat) -> Int32 { Glibc.fstat(fd, &st) }
#elseif canImport(Darwin)
private func Glibc_open(_ p: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(p, flags, mode) }
private func Glibc_unlink(_ p: UnsafePointer<CChar>) -> Int32 { Darwin.unlink(p) }
private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
private func systemStat(_ p: UnsafePointer<CChar>, _ st: inout stat) -> Int32 { stat(p, &st) }
private func systemFstat(_ fd: Int32, _ st: inout stat) -> Int32 { Darwin.fstat(fd, &st) }
#endif

/// The terminal modes one `StreamPort` changed. The mode each terminal had
/// before its first change is kept, and put back by `restoreAll` (a host on
/// its way out) or when the last copy of the port goes away, as Wren CLI puts
/// its terminal back at shutdown. Its own lock: VMs on several threads may
/// share a port.
final class TerminalModes: @unchecked Sendable {
    private let lock = PortLock()
    private var original: [Int32: termios] = [:]
    /// The terminals in raw mode now: asking again costs no system call (Stdin asks before every read).
    private var inRawMode: Set<Int32> = []

    deinit { restoreAll() }

    func set(_ fd: Int32, raw: Bool) -> Result<Void, PortError> {
        lock.lock()
        defer { lock.unlock() }
        if inRawMode.contains(fd) == raw { return .success(()) }
        if original[fd] == nil {
            var t = termios()
            guard tcgetattr(fd, &t) == 0 else { return .failure(PortError(errno)) }
            original[fd] = t
        }
        var t = original[fd]!
        if raw {
            // The same changes as libuv's UV_TTY_MODE_RAW.
            t.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
            t.c_oflag |= tcflag_t(ONLCR)
            t.c_cflag |= tcflag_t(CS8)
            t.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
            withUnsafeMutableBytes(of: &t.c_cc) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
        }
        while tcsetattr(fd, TCSADRAIN, &t) != 0 {
            if errno != EINTR { return .failure(PortError(errno)) }
        }
        if raw { inRawMode.insert(fd) } else { inRawMode.remove(fd) }
        return .success(())
    }

    /// Puts every terminal back as it was and forgets it, so a second call
    /// (the host's, then the port's release) changes nothing.
    func restoreAll() {
        lock.lock()
        defer { lock.unlock() }
        for (fd, t) in original {
            var t = t
            _ = tcsetattr(fd, TCSADRAIN, &t)
        }
        original = [:]
        inRawMode = []
    }
}

/// A mutex for state that VMs on several threads may share (a port's).
final class PortLock: @unchecked Sendable {
    private let m: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        m.initialize(to: pthread_mutex_t())
        pthread_mutex_init(m, nil)
        return m
    }()
    func lock() { pthread_mutex_lock(m) }
    func unlock() { pthread_mutex_unlock(m) }
    deinit { pthread_mutex_destroy(m); m.deallocate() }
}

// MARK: Whole files and kinds of entries (module loading, scripts, env files)

extension FilePort {
    /// Reads a whole regular file.
    public func readWholeFile(_ path: [UInt8]) -> Result<[UInt8], PortError> {
        let fd: Int32
        switch open(path, .readOnly) {
        case .failure(let e): return .failure(e)
        case .success(let d): fd = d
        }
        defer { _ = close(fd) }
        switch fstat(fd) {
        case .failure(let e): return .failure(e)
        case .success(let s) where s.isDirectory: return .failure(PortError(EISDIR))
        case .success(let s):
            return read(fd, s.isFile ? Int(s.size) + 1 : 1 << 30, 0)
        }
    }

    /// Whether `path` is a regular file (following symbolic links).
    public func isFile(_ path: [UInt8]) -> Bool {
        if case .success(let s) = stat(path) { return s.isFile }
        return false
    }

    /// Whether `path` is a directory (following symbolic links).
    public func isDirectory(_ path: [UInt8]) -> Bool {
        if case .success(let s) = stat(path) { return s.isDirectory }
        return false
    }
}
