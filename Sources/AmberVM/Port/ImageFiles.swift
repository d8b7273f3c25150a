#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberCoreImageHook
@_spi(AmberInternals) import AmberObjects

// The file-system calls behind images: reading and mapping an image for a
// restore, and writing one atomically. They sit in the port library with the
// rest of the VM's OS access; Image/ decides what to read and write.

/// An image file opened for a restore: read-only, never written.
struct ImageFileReader: ~Copyable {
    let fd: Int32
    let size: Int
    let path: String

    /// Opens `path`; only a regular file is accepted. The open does not block
    /// (a FIFO or a device would), and the descriptor is closed on exec.
    init(path: String) throws(ImageError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw ImageError("Cannot open image '\(path)': \(String(cString: strerror(errno))).")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ImageError("'\(path)' is not a regular file.")
        }
        self.fd = fd
        self.size = Int(st.st_size)
    }

    deinit { close(fd) }

    /// `count` bytes at `offset`, or nil if the file is shorter.
    func read(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { return nil }
        var buf = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return buf
    }

    /// Maps `length` bytes of the file from `offset` copy-on-write at exactly
    /// `address` (inside a range the heap has reserved). Writes to the pages
    /// stay in this process; the file is never changed.
    func mapCopyOnWrite(at address: UnsafeMutableRawPointer, length: Int, offset: Int) throws(ImageError) {
        let p = mmap(address, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, off_t(offset))
        guard let p, p != MAP_FAILED, p == address else {
            throw ImageError("Cannot map image '\(path)': \(String(cString: strerror(errno))).")
        }
    }
}

/// Writes a file so that it either appears complete or not at all.
///
/// NOTE: a snapshot's cost is the heap's bytes going through here once. Large
/// ranges go out with pwrite straight from the caller's memory (the heap's own
/// mapping: no copy in user space), in slices of `slice` bytes that a caller
/// may look at just before each is written (the heap checksum, computed while
/// the slice is in cache). Every `writebackWindow` bytes the kernel is told to
/// start writing them to the device (Linux `sync_file_range`), so the disk
/// works while the next slices are copied and the final fsync has only the
/// tail left to wait for. Measured on this kind of machine for 1 GiB: pwrite
/// then fsync 0.56–2.8 s; with the early writeback and the blocks allocated up
/// front 0.28–1.3 s (the virtual disk's speed varies from run to run).
enum AtomicFileWriter {
    /// Bytes looked at and written in one pwrite: fits the L2 cache, so the
    /// kernel's copy reads what the checksum just read.
    static let slice = 1 << 20
    /// Bytes after which writeback to the device is started.
    static let writebackWindow = 16 << 20

    /// Writes a temporary file (mode 0600) beside `path` through `body`, pads
    /// it to `size`, flushes it, renames it over `path` and flushes the
    /// directory. `body` returns false when a write failed; on any failure
    /// nothing is left behind. Returns nil or what failed.
    static func write(_ path: String, size: Int, _ body: (inout ImageFileSink) -> Bool) -> String? {
        let dir = VM.directory(of: path)
        removeAbandonedTemporaries(in: dir.isEmpty ? "." : dir)
        let temp = (dir.isEmpty ? "" : dir + "/") + ".amber-image-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return "Cannot write image '\(path)': \(String(cString: strerror(errno)))." }
        func fail(_ what: String) -> String {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temp)
            return "Cannot write image '\(path)': \(what): \(reason)."
        }
        // Blocks allocated in one go, not as the writes arrive; a full disk is
        // found here, before a byte is written. (Where the file system cannot
        // preallocate, the writes allocate as they go.)
        if !FileSystemCalls.preallocate(fd, size) && errno == ENOSPC { return fail("allocating \(size) bytes") }
        var sink = ImageFileSink(fd: fd)
        if !body(&sink) { return fail(sink.failure ?? "writing") }
        if ftruncate(fd, off_t(size)) != 0 { return fail("size") }
        if fsync(fd) != 0 { return fail("flush") }
        if close(fd) != 0 { unlink(temp); return "Cannot write image '\(path)': \(String(cString: strerror(errno)))." }
        // rename(2) replaces a symbolic link at `path` itself; it never writes through it.
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            return "Cannot write image '\(path)': \(reason)."
        }
        // Make the rename itself durable.
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        return nil
    }
}

/// The open temporary file `AtomicFileWriter.write` hands its body.
struct ImageFileSink {
    let fd: Int32
    /// What failed ("writing at OFFSET"); errno still holds the reason.
    private(set) var failure: String?
    /// Bytes written since writeback was last started, and where they begin.
    private var pendingStart = 0, pendingBytes = 0

    init(fd: Int32) { self.fd = fd }

    /// Writes `bytes` at `offset`.
    mutating func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        return write(base, count: bytes.count, at: offset) { _, _ in }
    }

    /// Writes `count` bytes from `p` at `offset`, in slices of
    /// `AtomicFileWriter.slice` bytes; `look` sees each slice just before it
    /// is written (every slice but the last is a whole number of slices long).
    mutating func write(_ p: UnsafeRawPointer, count: Int, at offset: Int,
                        look: (UnsafeRawPointer, Int) -> Void) -> Bool {
        var done = 0
        while done < count {
            let n = min(AtomicFileWriter.slice, count - done)
            look(p + done, n)
            if !writeAll(p + done, n, at: offset + done) { return false }
            done += n
            noteWritten(offset + done - n, n)
        }
        return true
    }

    private mutating func writeAll(_ p: UnsafeRawPointer, _ n: Int, at offset: Int) -> Bool {
        var done = 0
        while done < n {
            let w = pwrite(fd, p + done, n - done, off_t(offset + done))
            if w < 0 { if errno == EINTR { continue }; failure = "writing at \(offset + done)"; return false }
            if w == 0 { errno = ENOSPC; failure = "writing at \(offset + done)"; return false }
            done += w
        }
        return true
    }

    /// Starts writeback of each full window of contiguous bytes written.
    private mutating func noteWritten(_ offset: Int, _ n: Int) {
        if pendingBytes == 0 || offset != pendingStart + pendingBytes {
            pendingStart = offset
            pendingBytes = 0
        }
        pendingBytes += n
        if pendingBytes >= AtomicFileWriter.writebackWindow {
            FileSystemCalls.startWriteback(fd, pendingStart, pendingBytes)
            pendingStart += pendingBytes
            pendingBytes = 0
        }
    }
}

/// Linux calls Glibc's Swift module does not export (they need `_GNU_SOURCE`),
/// found once by name in the C library. Where one is missing (another
/// system), the optimisation it stands for is skipped; nothing depends on it.
enum FileSystemCalls {
    /// Allocates `size` bytes of blocks for `fd` (mode 0: the size grows too).
    /// False, with errno set, when it failed (EOPNOTSUPP on some file systems).
    /// NOTE: called directly (AmberCoreImageHook declares it): looked up with
    /// dlsym it was missing from the static `amber`, which has no dynamic symbols.
    static func preallocate(_ fd: Int32, _ size: Int) -> Bool {
        #if os(Linux)
        return amber_fallocate(fd, size) == 0
        #else
        return true
        #endif
    }

    /// Starts writing `count` bytes at `offset` to the device without waiting.
    static func startWriteback(_ fd: Int32, _ offset: Int, _ count: Int) {
        #if os(Linux)
        _ = amber_sync_file_range_write(fd, offset, count)
        #endif
    }
}

extension AtomicFileWriter {
    /// Removes `.amber-image-PID-*.tmp` files whose writer (PID) is gone: a
    /// killed snapshot leaves one behind, the next snapshot there cleans up.
    static func removeAbandonedTemporaries(in dir: String) {
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(".amber-image-"), name.hasSuffix(".tmp") else { continue }
            let fields = name.dropFirst(".amber-image-".count).split(separator: "-")
            guard let first = fields.first, let pid = Int32(first), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(dir + "/" + name) }
        }
    }
}

/// The page size, which image sections are aligned to.
enum ImagePlatform {
    static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }
}
