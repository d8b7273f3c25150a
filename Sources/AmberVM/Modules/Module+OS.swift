#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Module "os": the Platform and Process classes of Wren CLI's os module, plus
// Process.exit, Process.env and Process.environment.
//
// Arguments come from the VM configuration; the environment, the working
// directory and the process ids are read when asked (never cached in the
// heap), so a process restored from an image sees its own (DESIGN.md 8).
// OS access goes through `OSPort`, the place to route it through the port
// library.

extension VM {
    /// What Process.version reports: the Wren version Amber implements.
    static let wrenVersionString = "0.4.0"

    static let osModuleSource = """
    class Platform {
      foreign static homePath
      foreign static isPosix
      foreign static name

      static isWindows { name == "Windows" }
    }

    class Process {
      foreign static arguments
      foreign static allArguments
      foreign static cwd
      foreign static pid
      foreign static ppid
      foreign static version

      static exit() { exit(0) }
      foreign static exit(code)

      foreign static env(name)
      foreign static environment
    }
    """

    func registerOSModule() {
        registerBuiltinModule("os", source: VM.osModuleSource)

        foreign("os.Platform.static homePath") { vm, a in
            guard let home = OSPort.homeDirectory() else {
                return vm.fail("Cannot get the current user's home directory.")
            }
            return vm.ret(a, vm.newString(home).value)
        }
        foreign("os.Platform.static isPosix") { vm, a in vm.ret(a, Value(OSPort.isPosix)) }
        foreign("os.Platform.static name") { vm, a in vm.ret(a, vm.newString(OSPort.platformName).value) }

        foreign("os.Process.static arguments") { vm, a in
            vm.ret(a, vm.newList(vm.config.arguments.map { vm.newString($0).value }).value)
        }
        foreign("os.Process.static allArguments") { vm, a in
            vm.ret(a, vm.newList(vm.config.allArguments.map { vm.newString($0).value }).value)
        }
        foreign("os.Process.static cwd") { vm, a in
            guard let dir = OSPort.currentDirectory() else {
                return vm.fail("Cannot get current working directory.")
            }
            return vm.ret(a, vm.newString(dir).value)
        }
        foreign("os.Process.static pid") { vm, a in vm.ret(a, Value(Double(OSPort.pid()))) }
        foreign("os.Process.static ppid") { vm, a in vm.ret(a, Value(Double(OSPort.ppid()))) }
        foreign("os.Process.static version") { vm, a in vm.ret(a, vm.newString(VM.wrenVersionString).value) }

        // Ends the whole run: the interpreter turns a pending exit code into
        // the outcome, whatever fiber is running and whoever would catch errors.
        foreign("os.Process.static exit(_)") { vm, a in
            guard let d = vm.numArg(a, 1, "Code") else { return false }
            guard d == d.rounded(), d.isFinite else { return vm.fail("Code must be an integer.") }
            // The OS keeps the low 8 bits; codes too big for Int64 end as 255.
            vm.exitCode = abs(d) < 9.2e18 ? Int32(truncatingIfNeeded: Int64(d)) : 255
            vm.flushOutput()
            return vm.fail("exit")
        }

        foreign("os.Process.static env(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Variable name must be a string.") }
            let value = OSPort.environmentVariable(Array(vm.stringBuffer(a[1].ref)))
            let result = value.map { vm.newString(bytes: $0).value } ?? .null
            // Remember what the program read: -verbose:snapshot reports values that differ after a restore.
            vm.noteEnvironmentRead(a[1], result)
            return vm.ret(a, result)
        }
        foreign("os.Process.static environment") { vm, a in
            let map = vm.newMap()
            for (name, value) in OSPort.environment() {
                guard vm.mapSet(map, vm.newString(bytes: name).value, vm.newString(bytes: value).value) else {
                    return vm.fail("Out of memory.")
                }
            }
            return vm.ret(a, map.value)
        }
    }
}

/// The OS queries behind the os module.
enum OSPort {
    static var platformName: String {
        #if os(Linux)
        return "Linux"
        #elseif os(macOS)
        return "OS X"
        #elseif os(iOS)
        return "iOS"
        #elseif os(Windows)
        return "Windows"
        #else
        return "Unix"
        #endif
    }

    static var isPosix: Bool {
        #if os(Windows)
        return false
        #else
        return true
        #endif
    }

    static func pid() -> Int32 { getpid() }
    static func ppid() -> Int32 { getppid() }

    static func currentDirectory() -> String? {
        var size = 4096
        while size <= 1 << 20 {
            var buf = [CChar](repeating: 0, count: size)
            if getcwd(&buf, size) != nil {
                return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            if errno != ERANGE { return nil }
            size *= 2
        }
        return nil
    }

    /// $HOME if set, else the password database's entry for the user (as libuv does).
    static func homeDirectory() -> String? {
        if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) }
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buf = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(getuid(), &pwd, &buf, buf.count, &result) == 0, result != nil,
              let dir = pwd.pw_dir else { return nil }
        return String(cString: dir)
    }

    /// The value of an environment variable, as raw bytes.
    static func environmentVariable(_ name: [UInt8]) -> [UInt8]? {
        // A name with "=" or NUL cannot be in the environment.
        if name.contains(0) || name.contains(UInt8(ascii: "=")) { return nil }
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        guard let value = getenv(cName) else { return nil }
        return Array(UnsafeRawBufferPointer(start: value, count: strlen(value)))
    }

    /// Every environment variable, as raw name and value bytes.
    static func environment() -> [([UInt8], [UInt8])] {
        var out: [([UInt8], [UInt8])] = []
        let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var p = table else { return out }
        while let entry = p.pointee {
            let bytes = Array(UnsafeRawBufferPointer(start: entry, count: strlen(entry)))
            if let eq = bytes.firstIndex(of: UInt8(ascii: "=")) {
                out.append((Array(bytes[..<eq]), Array(bytes[(eq + 1)...])))
            }
            p += 1
        }
        return out
    }
}
