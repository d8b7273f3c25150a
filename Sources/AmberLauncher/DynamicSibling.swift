#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The release `amber` on Linux is one fully static executable: no dynamic
// loader runs before `main`, and start-up halves (ARCHITECTURE.md, "Start-up").
// But the ffi module needs the dynamic loader (dlopen of a second C library
// into a static program is unsupported, and `Library.process` needs the
// program's dynamic symbols), so `--allow-ffi` hands the whole command to
// `amber-dynamic`, the same launcher linked against the system's C library,
// built beside it (Package.swift). It replaces this process (execv): same
// arguments, same argv[0], same environment and descriptors.

/// The dynamically linked launcher that runs programs using the ffi module.
public enum DynamicSibling {
    /// Its file name, in the directory of the running `amber`.
    public static let name = "amber-dynamic"

    /// Where the sibling of the running executable is: the directory of
    /// /proc/self/exe (the file that was executed, whatever its path was).
    public static func path() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return nil }
        return String(exe[...slash]) + name
    }

    /// Replaces this process with `path` run with `arguments` (argv[0]
    /// first). Returns only when that failed, with the reason.
    static func exec(_ path: String, _ arguments: [String]) -> String {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(path, &argv)
        let reason = String(cString: strerror(errno))
        for p in argv { free(p) }
        return reason
    }

    /// The message when the sibling cannot be run (exit 69, sysexits' EX_UNAVAILABLE).
    static func unavailable(_ path: String?, _ reason: String) -> String {
        "amber: --allow-ffi runs the program with \(name), the launcher linked against the system's C library, "
            + "but \(path.map { "'\($0)'" } ?? "it") could not be started (\(reason)); build it with "
            + "'swift build -c release --product \(name)'.\n"
    }
}
