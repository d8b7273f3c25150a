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
