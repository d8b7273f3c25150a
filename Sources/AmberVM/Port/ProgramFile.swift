#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberCoreImageHook

// Where bytes of this program's own data lie in its executable file, so the
// built-in core image can be mapped from there instead of copied
// (ARCHITECTURE.md, "The built-in core image").
//
// Like address-space reservation (AmberObjects' VirtualMemory.swift), this
// is OS access outside the port library's slots: it concerns the program
// itself, not what the script sees.
//
// Linux and the main program only: the loader maps each ELF PT_LOAD segment
// so that an address and its file offset agree modulo the page size, and
// /proc/self/exe opens the very file that was executed, even if its path has
// since been replaced. A shared library's path could name a newer file, so
// bytes in a library are copied. Anything unexpected answers nil: copy.

/// Bytes of the main program, located in its file.
struct ProgramFileRange {
    /// Opens the file that was executed.
    static let path = "/proc/self/exe"
    /// The file offset of the first byte.
    let offset: Int
}

enum ProgramFile {
    /// Where the `count` bytes at `p` lie in the main program's file, or nil
    /// (not Linux, not in the main program, not file-backed, anything odd).
    static func locate(_ p: UnsafeRawPointer, count: Int) -> ProgramFileRange? {
        #if os(Linux)
        // The main program's program headers, where the kernel put them.
        var phnum: UInt = 0
        let phdr = UInt(amber_program_headers(&phnum))
        guard phdr != 0, phnum > 0, phnum < 256, let headers = UnsafeRawPointer(bitPattern: phdr) else { return nil }
        let size = 56                                                   // sizeof(Elf64_Phdr)
        func field(_ i: Int, _ at: Int) -> Int { Int(headers.load(fromByteOffset: i * size + at, as: UInt64.self)) }
        func type(_ i: Int) -> UInt32 { headers.load(fromByteOffset: i * size, as: UInt32.self) }
        // The load bias: where the headers are less where they were linked,
        // from PT_PHDR; a static executable has none, so from the ELF header
        // the segment at file offset 0 maps, whose e_phoff names the headers.
        let bias: Int
        if let self_ = (0..<Int(phnum)).first(where: { type($0) == 6 }) {          // PT_PHDR
            bias = Int(bitPattern: phdr) - field(self_, 16)
        } else {
            guard let first = (0..<Int(phnum)).first(where: { type($0) == 1 && field($0, 8) == 0 }),
                  phdr >= 64, let elf = UnsafeRawPointer(bitPattern: phdr - 64),
                  elf.load(as: UInt32.self) == 0x464c_457f,                          // "\x7fELF"
                  elf.load(fromByteOffset: 32, as: UInt64.self) == 64 else { return nil }   // e_phoff
            bias = Int(bitPattern: elf) - field(first, 16)
        }
        let address = Int(bitPattern: p)
        for i in 0..<Int(phnum) where type(i) == 1 {                    // PT_LOAD
            let start = bias + field(i, 16)                             // p_vaddr
            let filesz = field(i, 32)
            if address >= start && address + count <= start + filesz {
                return ProgramFileRange(offset: address - start + field(i, 8))   // p_offset
            }
        }
        return nil
        #else
        return nil
        #endif
    }

    /// Maps `length` bytes of the main program's file from `offset` at `at`,
    /// private and writable (copy-on-write), replacing what was there. Both
    /// must be page-aligned. False (nothing changed) on any failure.
    static func map(offset: Int, length: Int, at: UnsafeMutableRawPointer) -> Bool {
        #if os(Linux)
        let fd = open(ProgramFileRange.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let p = mmap(at, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, off_t(offset))
        return p == at
        #else
        return false
        #endif
    }

    /// Puts fresh zero pages back over a range `map` filled.
    static func replaceWithZeroPages(at: UnsafeMutableRawPointer, length: Int) {
        let p = mmap(at, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0)
        precondition(p == at, "could not replace the mapped core image with zero pages")
    }
}
