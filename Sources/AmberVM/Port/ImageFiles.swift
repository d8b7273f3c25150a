#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
enum AtomicFileWriter {
    /// One piece of the file: `count` bytes from `bytes` at file offset `offset`.
    struct Part {
        var bytes: UnsafeRawPointer
        var count: Int
        var offset: Int
    }

    /// Writes `parts` to a temporary file (mode 0600) beside `path`, pads it to
    /// `size`, flushes it, renames it over `path` and flushes the directory.
    /// On failure nothing is left behind. Returns nil or what failed.
    static func write(_ path: String, parts: [Part], size: Int) -> String? {
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
        func writeAll(_ p: UnsafeRawPointer, _ n: Int, at offset: Int) -> Bool {
            var done = 0
            while done < n {
                let w = pwrite(fd, p + done, n - done, off_t(offset + done))
                if w < 0 { if errno == EINTR { continue }; return false }
                if w == 0 { errno = ENOSPC; return false }
                done += w
            }
            return true
        }
        for part in parts where part.count > 0 {
            if !writeAll(part.bytes, part.count, at: part.offset) { return fail("writing at \(part.offset)") }
        }
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
