#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Address space for heaps: reserved lazily (no memory is committed until a
// page is touched), released when the heap goes away.

@_spi(AmberInternals) public enum VirtualMemory {
    /// Reserves `bytes` of zero-filled, readable and writable address space, or nil.
    public static func reserve(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { return nil }
        return p
    }

    /// Asks the kernel to back `bytes` at `p` with writable pages now, in one
    /// system call, instead of one page fault per page on first write.
    /// Best effort: where the kernel has no MADV_POPULATE_WRITE (before Linux
    /// 5.14, or not Linux) the pages fault in as usual.
    public static func prefault(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
#if os(Linux)
        let page = 4096
        let start = Int(bitPattern: p) & ~(page - 1)
        let end = (Int(bitPattern: p) + bytes + page - 1) & ~(page - 1)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, 23 /* MADV_POPULATE_WRITE */)
#endif
    }

    public static func release(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
        munmap(p, bytes)
    }

    /// Makes `bytes` at `p` (page-aligned) inaccessible, or readable and
    /// writable again. Async-signal-safe (one system call). False on failure.
    @discardableResult
    public static func protect(_ p: UnsafeMutableRawPointer, _ bytes: Int, accessible: Bool) -> Bool {
        mprotect(p, bytes, accessible ? PROT_READ | PROT_WRITE : PROT_NONE) == 0
    }
}
