#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// Module "os": the Platform and Process classes of Wren CLI's os module, plus
// Process.exit, Process.env and Process.environment.
//
// Arguments come from the VM configuration; the environment, the working
// directory and the process ids are read when asked (never cached in the
// heap), so a process restored from an image sees its own (ARCHITECTURE.md, "Compensations").
// All of it goes through the port library (vm.port), and environment reads
// through `vm.environmentVariable`, which sees the variables a restore added.

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
            guard let home = vm.port.process.homeDirectory() else {
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
            guard let dir = vm.port.workingDirectory() else {
                return vm.fail("Cannot get current working directory.")
            }
            return vm.ret(a, vm.newString(bytes: dir).value)
        }
        foreign("os.Process.static pid") { vm, a in vm.ret(a, Value(Double(vm.port.process.pid()))) }
        foreign("os.Process.static ppid") { vm, a in vm.ret(a, Value(Double(vm.port.process.parentPid()))) }
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
            let name = Array(vm.stringBuffer(a[1].ref))
            var result = Value.null
            if let value = vm.environmentVariable(name) {
                // Marked with its variable: a snapshot leaves the value out (Image/EnvironmentStrings.swift).
                guard let s = value.withUnsafeBytes({ vm.newMarkedString($0, name: name, mark: EnvironmentMark.read) }) else {
                    return vm.fail("Out of memory.")
                }
                result = s.value
            }
            // Remember what the program read: -verbose:snapshot reports values that differ after a restore.
            vm.noteEnvironmentRead(a[1])
            return vm.ret(a, result)
        }
        foreign("os.Process.static environment") { vm, a in
            let map = vm.newMap()
            for (name, value) in vm.environmentVariables() {
                // Each value marked with its variable, as Process.env's (Image/EnvironmentStrings.swift).
                guard let marked = value.withUnsafeBytes({ vm.newMarkedString($0, name: name, mark: EnvironmentMark.read) }),
                      vm.mapSet(map, vm.newString(bytes: name).value, marked.value) else {
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

}
