#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The port library: the VM's only door to the operating system (ARCHITECTURE.md,
// "The port library and natives by name"; after OpenJ9's port library and -Xsnapshot).
//
// It is a table of named slots. Each slot holds an implementation, and every
// implementation has a name too: `system` for the ones below, or whatever a
// host calls its own (a fixed clock for tests, an in-memory file system):
//
//     slot               implementation      what goes through it
//     monotonicClock     system              System.clock, timers, time module
//     wallClock          system              image timestamps, downtime
//     sleep              system              the timer event loop
//     environment        system              Process.env, env checks at restore
//     workingDirectory   system              Process.cwd, io paths
//     fileSystem         system              io module, module loading
//     entropy            system              unseeded Random generators
//     standardStreams    system              System.print, Stdout, Stdin
//     process            system              Process.pid, ppid, home directory
//     dynamicLibraries   system              the ffi module's dlopen/dlsym
//
// The root block records slot name -> implementation name (Root.portSlots),
// so an image says which implementation each slot had. A restore re-binds
// every slot by that name: to the configuration's implementation when the
// names match, else to `system`; any other name is an error that names the
// slot and the implementation, before any script code runs.

/// What a port slot holds: an implementation with a name, which images record.
protocol NamedImplementation {
    var name: String { get }
}

/// A port slot's implementation when it is a single function.
public struct PortFunction<Input, Output> {
    /// The implementation's name, recorded in images (`system` for the built-in one).
    public var name: String
    let body: (Input) -> Output
    /// An implementation called `name` (give your own a name of its own) that runs `body`.
    public init(_ name: String, _ body: @escaping (Input) -> Output) {
        self.name = name
        self.body = body
    }
    /// Runs the implementation.
    public func callAsFunction(_ input: Input) -> Output { body(input) }
}

extension PortFunction: NamedImplementation {}
extension EnvironmentPort: NamedImplementation {}
extension StreamPort: NamedImplementation {}
extension ProcessPort: NamedImplementation {}
extension DynamicLibraryPort: NamedImplementation {}
extension FilePort: NamedImplementation {}

extension PortFunction where Input == Void {
    /// Runs the implementation.
    public func callAsFunction() -> Output { body(()) }
}

/// The environment slot: variables as raw bytes, as Wren strings are.
public struct EnvironmentPort {
    /// The implementation's name, recorded in images.
    public var name: String
    /// The value of a variable, or nil when it is not set.
    public var variable: ([UInt8]) -> [UInt8]?
    /// Every variable, as (name, value) pairs.
    public var all: () -> [([UInt8], [UInt8])]
    /// An environment called `name` that reads variables with `variable` and lists them with `all`.
    public init(name: String, variable: @escaping ([UInt8]) -> [UInt8]?, all: @escaping () -> [([UInt8], [UInt8])]) {
        self.name = name
        self.variable = variable
        self.all = all
    }
    /// A fixed set of variables (a captured or sandboxed environment).
    public static func fixed(name: String, _ variables: [String: String]) -> EnvironmentPort {
        let pairs = variables.sorted { $0.key < $1.key }.map { (Array($0.key.utf8), Array($0.value.utf8)) }
        return EnvironmentPort(name: name, variable: { key in pairs.first { $0.0 == key }?.1 }, all: { pairs })
    }
}

/// The standard streams slot.
///
/// Besides its functions it holds the state that outlives one call, per port
/// (never per process): what the io module's `Stdin` has read ahead, and the
/// modes `setRawMode` changed. VMs given the same port share that state, as
/// they share the stream; VMs given ports of their own never mix input.
public struct StreamPort {
    /// The implementation's name, recorded in images.
    public var name: String = "system"
    /// Writes all of `bytes` to descriptor 1 or 2 (script output, error reports).
    public var write: (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Void, PortError> = systemStreamWrite
    /// Reads what is available from a stream (stdin): empty at the end of input.
    /// NOTE: into uninitialised storage; zero-filling a 64 KB buffer, then
    /// copying what was read, cost `amber -` 130 thousand instructions.
    public var read: (_ fd: Int32, _ max: Int) -> Result<[UInt8], PortError> = { fd, max in
        while true {
            var failure: Int32 = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: max) { buf, count in
                let n = Glibc_read(fd, buf.baseAddress, max)
                count = n > 0 ? n : 0
                if n < 0 { failure = errno }
            }
            if failure == 0 { return .success(bytes) }
            if failure != EINTR { return .failure(PortError(failure)) }
        }
    }
    /// Whether a descriptor is a terminal (the REPL, `Stdin.isTerminal`).
    public var isTerminal: (_ fd: Int32) -> Bool = { fd in isatty(fd) == 1 }
    /// Puts a terminal in raw mode (no echo, no line editing, no signals), or
    /// back in the mode it had before this port first changed it.
    public var setRawMode: (_ fd: Int32, _ raw: Bool) -> Result<Void, PortError>
    /// Puts back every terminal mode `setRawMode` changed. The library installs
    /// no exit handler (the process belongs to its host): a host calls this on
    /// its way out, as `amber` does; releasing the port's last copy does it too.
    public var restoreTerminalModes: () -> Void
    /// What `Stdin` has read ahead from descriptor 0 through this port (Module+IO.swift).
    let input = StandardInput()

    /// The system streams, with terminal modes of their own.
    public init() {
        let terminals = TerminalModes()
        setRawMode = { fd, raw in terminals.set(fd, raw: raw) }
        restoreTerminalModes = { terminals.restoreAll() }
    }
}

/// The process slot: who we are.
public struct ProcessPort {
    /// The implementation's name, recorded in images.
    public var name: String = "system"
    /// This process's id (`Process.pid`).
    public var pid: () -> Int32 = { getpid() }
    /// The parent process's id (`Process.ppid`).
    public var parentPid: () -> Int32 = { getppid() }
    /// $HOME if set, else the password database's entry for the user (as libuv does).
    public var homeDirectory: () -> String? = {
        if let home = getenv("HOME"), home.pointee != 0 { return String(cString: home) }
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buf = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(getuid(), &pwd, &buf, buf.count, &result) == 0, result != nil,
              let dir = pwd.pw_dir else { return nil }
        return String(cString: dir)
    }
    /// The system's process calls.
    public init() {}
}

/// The dynamic-libraries slot: dlopen, dlsym, dlclose (the ffi module).
public struct DynamicLibraryPort {
    /// The implementation's name, recorded in images.
    public var name: String = "system"
    /// Opens a library by path, or the running program for nil; the error text on failure.
    public var open: (_ path: String?) -> Result<UnsafeMutableRawPointer, PortMessage> = { path in
        _ = dlerror()
        if let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) { return .success(handle) }
        return .failure(PortMessage(dlerror().map { String(cString: $0) } ?? "unknown error"))
    }
    /// The address of `symbol` in an open library, or nil.
    public var symbol: (_ library: UnsafeMutableRawPointer, _ symbol: String) -> UnsafeMutableRawPointer? = { lib, name in
        _ = dlerror()
        return dlsym(lib, name)
    }
    /// Closes a library `open` returned.
    public var close: (_ library: UnsafeMutableRawPointer) -> Void = { lib in _ = dlclose(lib) }
    /// dlopen, dlsym and dlclose.
    public init() {}
}

/// An error a port implementation describes in words.
public struct PortMessage: Error, Equatable, Sendable {
    /// The description, as the implementation gave it (dlerror's text for the system's).
    public var text: String
    /// A message with `text`.
    public init(_ text: String) { self.text = text }
}

/// The port library's slots. A new value holds the `system` implementation
/// in every slot; replace a slot with an implementation of your own name.
public struct PortLibrary {
    /// Seconds on a monotonic clock, before adjustment (the VM subtracts the
    /// time an image lay frozen).
    public var monotonicClock = PortFunction<Void, Double>("system") {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    /// Seconds since the Unix epoch.
    public var wallClock = PortFunction<Void, Double>("system") {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    /// Sleeps the whole process.
    public var sleep = PortFunction<Double, Void>("system") { seconds in
        guard seconds > 0 else { return }
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var rest = timespec()
        while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
    }
    /// The process environment, read-only: a VM never changes it (restore
    /// compensations keep their variables in the VM, see RestoreEnvironment.swift).
    public var environment = EnvironmentPort(name: "system", variable: systemEnvironmentVariable,
                                             all: systemEnvironment)
    /// The process's working directory, or nil if it cannot be read.
    public var workingDirectory = PortFunction<Void, [UInt8]?>("system") {
        var size = 4096
        while size <= 1 << 20 {
            var buf = [CChar](repeating: 0, count: size)
            if getcwd(&buf, size) != nil { return buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) } }
            if errno != ERANGE { return nil }
            size *= 2
        }
        return nil
    }
    /// Files and directories (PortLibrary+Files.swift); module loading too.
    public var fileSystem = FilePort()
    /// `count` bytes from the OS's entropy source.
    public var entropy = PortFunction<Int, [UInt8]>("system", systemEntropy)
    /// Standard input, output and error, and terminal modes.
    public var standardStreams = StreamPort()
    /// Process ids and the home directory.
    public var process = ProcessPort()
    /// dlopen and dlsym, for the ffi module.
    public var dynamicLibraries = DynamicLibraryPort()

    /// The `system` implementation in every slot.
    public init() {}

    /// The slots, in the order images record them: each names itself and
    /// knows where its implementation is, so no list runs parallel to another.
    /// NOTE: made once, of plain closures. Built anew at every use from key
    /// paths, it cost 410 thousand instructions per VM (`swift_getKeyPath`
    /// instantiates each key path at run time), 8% of `amber hello.wren`.
    static let slots: [Slot] = [
        Slot("monotonicClock", { $0.monotonicClock }, { $0.monotonicClock = $1 }),
        Slot("wallClock", { $0.wallClock }, { $0.wallClock = $1 }),
        Slot("sleep", { $0.sleep }, { $0.sleep = $1 }),
        Slot("environment", { $0.environment }, { $0.environment = $1 }),
        Slot("workingDirectory", { $0.workingDirectory }, { $0.workingDirectory = $1 }),
        Slot("fileSystem", { $0.fileSystem }, { $0.fileSystem = $1 }),
        Slot("entropy", { $0.entropy }, { $0.entropy = $1 }),
        Slot("standardStreams", { $0.standardStreams }, { $0.standardStreams = $1 }),
        Slot("process", { $0.process }, { $0.process = $1 }),
        Slot("dynamicLibraries", { $0.dynamicLibraries }, { $0.dynamicLibraries = $1 }),
    ]

    /// The slot names, in the order images record them.
    public static let slotNames: [String] = slots.map(\.name)

    /// The implementation name in each slot, in `slotNames` order.
    public var implementationNames: [String] { PortLibrary.slots.map { $0.implementationName(self) } }

    /// Puts into `slot` the implementation called `implementation`: this
    /// library's own if it has that name, else `system`'s. False if neither
    /// has the name (or the slot is unknown).
    mutating func rebind(slot: String, to implementation: String) -> Bool {
        guard let s = PortLibrary.slots.first(where: { $0.name == slot }) else { return false }
        return s.rebind(&self, implementation)
    }

    /// One slot of the table: its name, and how to read and replace what it holds.
    struct Slot: Sendable {
        let name: String
        let implementationName: @Sendable (PortLibrary) -> String
        let rebind: @Sendable (inout PortLibrary, String) -> Bool

        init<T: NamedImplementation & SendableMetatype>(_ name: String, _ get: @escaping @Sendable (PortLibrary) -> T,
                                     _ set: @escaping @Sendable (inout PortLibrary, T) -> Void) {
            self.name = name
            implementationName = { get($0).name }
            rebind = { library, implementation in
                if get(library).name == implementation { return true }
                guard implementation == "system" else { return false }
                set(&library, get(PortLibrary()))
                return true
            }
        }
    }

    /// Writes all of `s` to standard stream `fd`.
    @discardableResult
    public func write(_ fd: Int32, _ s: String) -> Result<Void, PortError> {
        var s = s
        return s.withUTF8 { standardStreams.write(fd, UnsafeRawBufferPointer($0)) }
    }
}

// MARK: System implementations

/// Writes all of `bytes` to `fd`, retrying short and interrupted writes.
func systemStreamWrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Void, PortError> {
    var done = 0
    while done < bytes.count {
        let n = Glibc_write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return .failure(PortError(errno)) }
        if n == 0 { return .failure(PortError(EIO)) }
        done += n
    }
    return .success(())
}

func systemEnvironmentVariable(_ name: [UInt8]) -> [UInt8]? {
    // A name with "=" or NUL cannot be in the environment.
    if name.contains(0) || name.contains(UInt8(ascii: "=")) { return nil }
    let cName = name.map { CChar(bitPattern: $0) } + [0]
    guard let value = getenv(cName) else { return nil }
    return Array(UnsafeRawBufferPointer(start: value, count: strlen(value)))
}

private func systemEnvironment() -> [([UInt8], [UInt8])] {
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

/// /dev/urandom, falling back to the clocks and the pid when it cannot be read.
private func systemEntropy(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
        defer { close(fd) }
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { Glibc_read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        if got == count { return out }
    }
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var x = UInt64(truncatingIfNeeded: ts.tv_sec) &* 1_000_000_007 ^ UInt64(truncatingIfNeeded: ts.tv_nsec)
    x ^= UInt64(UInt32(bitPattern: getpid())) << 32
    for i in 0..<count {
        // splitmix64 steps over the fallback seed.
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        out[i] = UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
    return out
}

#if canImport(Glibc)
func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { Glibc.read(fd, p, n) }
#elseif canImport(Darwin)
func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { Darwin.read(fd, p, n) }
#endif
