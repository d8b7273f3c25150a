#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM

/// Exit codes, after BSD's sysexits.h (ARCHITECTURE.md, "Errors and exit codes").
public enum ExitCode {
    public static let ok: Int32 = 0
    public static let usage: Int32 = 64
    public static let compileError: Int32 = 65
    public static let noInput: Int32 = 66
    public static let runtimeError: Int32 = 70
    public static let ioError: Int32 = 74
    /// A snapshot asked for on the command line was not written (sysexits' EX_CANTCREAT).
    public static let cannotCreate: Int32 = 73
    /// Standard output or error could not be written (as Python does).
    public static let outputFailed: Int32 = 120
    /// A part of Amber the command needs is missing (sysexits' EX_UNAVAILABLE):
    /// `amber-dynamic`, for `--allow-ffi` in the static `amber`.
    public static let unavailable: Int32 = 69
}

/// Where the launcher's output goes; the tests capture it.
public struct LaunchIO {
    public var stdout: (String) -> Void
    public var stderr: (String) -> Void
    /// The descriptor behind `stdout`, if any: script output is then written as raw bytes.
    public var stdoutDescriptor: Int32?
    /// The port library of the VMs the launcher makes (nil: the system's). Tests
    /// put virtual clocks here, so no test sleeps or measures real time.
    public var port: PortLibrary? {
        get { portBox?.port }
        set { portBox = newValue.map(PortBox.init) }
    }
    /// NOTE: held in a class: copying and destroying a `PortLibrary?` made
    /// the Swift runtime build its metadata at every start (128 thousand of
    /// `amber hello.wren`'s 1.75 million instructions).
    var portBox: PortBox?
    final class PortBox {
        let port: PortLibrary
        init(_ port: PortLibrary) { self.port = port }
    }
    /// The collector's debug aids for the VMs the launcher makes (nil: the
    /// defaults, from `AMBER_GC_STRESS` and `AMBER_GC_VERIFY`): the test
    /// suite's reduced stress pass sets them per run.
    public var gcStress: Int?
    public var verifyHeapAfterGC: Bool?
    public init(stdout: @escaping (String) -> Void, stderr: @escaping (String) -> Void,
                stdoutDescriptor: Int32? = nil, port: PortLibrary? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutDescriptor = stdoutDescriptor
        self.portBox = port.map(PortBox.init)
    }
    /// The process's own streams.
    public static var standard: LaunchIO {
        LaunchIO(stdout: { s in if case .failure(let e) = VMConfiguration.writeAll(1, s) { StreamFailures.note(1, e) } },
                 stderr: { s in if case .failure(let e) = VMConfiguration.writeAll(2, s) { StreamFailures.note(2, e) } },
                 stdoutDescriptor: 1)
    }
}

/// Failures writing the process's standard streams (the launcher owns its process).
enum StreamFailures {
    nonisolated(unsafe) static var failures: [Int32: PortError] = [:]
    static func note(_ fd: Int32, _ e: PortError) { if failures[fd] == nil { failures[fd] = e } }
    static func first(_ fd: Int32) -> PortError? { failures[fd] }
}

/// The `amber` command line.
public enum Launcher {
    public static let usage = """
    Usage: amber [options] [script.wren | - | -e CODE] [arguments...]

    With no script, amber starts an interactive session (REPL) on a terminal, and
    runs standard input as the script otherwise (-i: the REPL anyway). "-" runs
    standard input, -e CODE runs CODE.

    Options:
      -cp <dir1:dir2:...>   directories searched by `import` (also -classpath)
      -Xmx<size>            cap the heap, e.g. -Xmx64m, -Xmx2g (default 4g)
      -Xmn<size>            the young space: new objects, collected when it fills
                            (default 4m; survivors move to the old space)
      -snapshot:file=IMG,trigger=Class.method[,exit][,dryrun][,key=KEYFILE]
                            on entry to Class.method (any arity, or e.g. Class.method(_,_))
                            write the running VM to IMG; with ",exit" stop right after;
                            with ",dryrun" run the hooks and compensations, write nothing;
                            with ",key=KEYFILE" sign it (HMAC-SHA-256; the file must be
                            private to its owner, mode 600, and hold at least 16 bytes).
                            If IMG was not written (trigger never entered, a hook or the
                            write failed), the exit status is 73
      -restore:file=IMG[,verify=full|header][,key=KEYFILE]
                            resume the program saved in IMG; later arguments are its own.
                            The header, metadata, fingerprint, the objects restore walks
                            and the code and fibers they reach are always checked, and the
                            other heap pages are mapped, not read (verify=header, the
                            default); verify=full also checksums every heap page and checks
                            every object. With ",key=KEYFILE" an unsigned image, one signed
                            with another key or changed since is refused (exit 74), and
                            every heap page is checked against its signed digest
      --allow-ffi           allow the ffi module (C functions through libffi); an image
                            that uses it needs the flag on -restore too
      --allow-ffi=a.so,b.so ... but only these libraries (path or file name;
                            "process" admits Library.process)
      --disassemble FILE.wren
                            compile FILE and list the bytecode of every function in it
                            (offset, line, instruction, operands); runs nothing. Exit
                            status as for running it: 65 compile error, 66 no such file
      -inspect:file=IMG [--json]
                            describe IMG (header, trigger, sizes, objects by class,
                            modules, fibers, hooks, native and port names, FFI
                            libraries, environment variables read) without running it
      -verbose:snapshot     report snapshot and restore phases on stderr
                            (-Xsnapshot:, -Xrestore: are accepted too)
      -verbose:gc           report each garbage collection on stderr (young or full,
                            bytes before and after, pause)
      -verbose:startup      report on stderr where the core library came from (the
                            built-in image, or compiled and why) and how long it took
      -h, --help            show this help
      --version             show the version

    """

    public static let version = "amber 0.1.0 (Wren 0.4)"

    /// Runs the launcher with `arguments` (not including the program name); returns the exit status.
    /// `installSignalGuard` (the `amber` executable, which owns its process) reports
    /// fatal signals in a restored program as a corrupt image (CorruptImageGuard.swift)
    /// and puts terminal modes back at exit (Signals.swift).
    /// `programName` is argv[0], what `Process.allArguments[0]` gives.
    /// The whole `main` of the `amber` and `amber-dynamic` executables: this
    /// process's arguments, its signals and its exit status are the launcher's.
    public static func runAsProcess(dynamicSibling: (() -> String?)? = nil) -> Never {
        // A closed pipe is an error to report (exit 120), not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let arguments = CommandLine.arguments
        exit(main(arguments: Array(arguments.dropFirst()), installSignalGuard: true,
                  programName: arguments.first ?? "amber", dynamicSibling: dynamicSibling))
    }

    /// `dynamicSibling` (the fully static release `amber`: `DynamicSibling.path`):
    /// a command with `--allow-ffi` replaces this process with the program at the
    /// path it gives (DynamicSibling.swift); nil runs everything here.
    public static func main(arguments: [String], io: LaunchIO = .standard, installSignalGuard: Bool = false,
                            programName: String = "amber", dynamicSibling: (() -> String?)? = nil) -> Int32 {
        let options: Options
        switch Options.parse(arguments) {
        case .failure(let e):
            io.stderr("amber: \(e.message)\nRun 'amber --help' for usage.\n")
            return ExitCode.usage
        case .success(let o):
            options = o
        }
        if let dynamicSibling, options.allowFFI {
            let path = dynamicSibling()
            let reason = path.map { DynamicSibling.exec($0, [programName] + arguments) } ?? "no path to this program"
            io.stderr(DynamicSibling.unavailable(path, reason))
            return ExitCode.unavailable
        }
        if options.showHelp { io.stdout(usage); return ExitCode.ok }
        if options.showVersion { io.stdout(version + "\n"); return ExitCode.ok }

        var config = VMConfiguration()
        if let box = io.portBox { config.port = box.port }
        if let stress = io.gcStress { config.gcStress = stress }
        if let verify = io.verifyHeapAfterGC { config.verifyHeapAfterGC = verify }
        config.maxHeap = options.maxHeap
        config.youngSize = options.youngSize
        config.classpath = options.classpath
        config.writeOutput = io.stdout
        config.outputDescriptor = io.stdoutDescriptor
        config.writeError = io.stderr
        config.arguments = options.scriptArguments
        config.allArguments = [programName] + arguments
        config.allowFFI = options.allowFFI
        config.allowedLibraries = options.allowedLibraries
        if let path = options.keyPath {
            // A key that cannot be read is a missing input, not a bad image.
            do { config.imageKey = try ImageKey(contentsOfFile: path) } catch {
                io.stderr("amber: \(error.message)\n")
                return ExitCode.noInput
            }
        }

        if let path = options.disassemblePath {
            return disassemble(path: path, configuration: config, io: io)
        }
        if let image = options.inspectPath {
            if installSignalGuard { CorruptImageGuard.install(imagePath: image) }
            do {
                let report = try VM.inspectImage(at: image)
                io.stdout(options.json ? report.json.rendered + "\n" : report.text)
                return ExitCode.ok
            } catch {
                io.stderr("amber: \(error.message)\n")
                return ExitCode.ioError
            }
        }
        if let image = options.restorePath {
            if installSignalGuard { CorruptImageGuard.install(imagePath: image) }
            // The guard's SIGSEGV handler checks a signed image's chunks on first touch.
            var config = config
            if installSignalGuard { config.firstTouchRegistry = FirstTouchHeaps.registry }
            let vm: VM
            do {
                vm = try VM.restore(from: image, configuration: config, verbose: options.verboseSnapshot,
                                    verifyHeap: options.verifyHeap,
                                    maxHeap: options.maxHeapGiven ? options.maxHeap : nil)
            } catch {
                io.stderr("amber: \(error.message)\n")
                return ExitCode.ioError
            }
            vm.verboseGC = options.verboseGC
            let streams = watchTerminal(vm, atExit: installSignalGuard)
            defer { streams.restoreTerminalModes() }
            let status = exitStatus(vm.resumeFromImage())
            vm.shutdown()
            return checkOutput(vm, status, io)
        }
        let vm: VM
        do {
            vm = try VM(configuration: config)
        } catch {
            io.stderr("amber: could not start the VM: \(error)\n")
            return ExitCode.runtimeError
        }
        vm.verboseSnapshot = options.verboseSnapshot
        vm.verboseGC = options.verboseGC
        if options.verboseStartup { io.stderr("amber: [startup] \(startupReport(vm))\n") }
        let streams = watchTerminal(vm, atExit: installSignalGuard)
        defer { streams.restoreTerminalModes() }
        if let request = options.snapshot { vm.installSnapshotTrigger(request) }
        // No script and input that is not a terminal (amber < file.wren): run it as `amber -` does.
        let stdinIsScript = !options.interactive && !vm.port.standardStreams.isTerminal(0)
        guard let script = options.script ?? (stdinIsScript ? "-" : nil) else {
            return checkOutput(vm, REPL(vm: vm, io: io).run(), io)
        }
        var status: Int32
        switch script {
        case "-e": status = exitStatus(vm.interpret(module: "eval", source: Array((options.evalSource ?? "").utf8)))
        case "-": status = runStandardInput(vm: vm, io: io)
        default: status = runScript(vm: vm, path: script, io: io)
        }
        if let report = vm.unfiredTriggerReport { io.stderr("amber: \(report)\n") }
        // A build step that asked for an image must not pass without one.
        if let request = options.snapshot, !request.dryRun, !vm.snapshotWritten, status == ExitCode.ok {
            status = ExitCode.cannotCreate
        }
        vm.shutdown()
        return checkOutput(vm, status, io)
    }

    /// `-verbose:startup`: where the core library came from, and its cost.
    static func startupReport(_ vm: VM) -> String {
        let ms = (vm.coreBootSeconds * 1e6).rounded() / 1e3
        switch vm.coreLibrary {
        case .builtinImage(let bytes, let natives, let mapped):
            return "core library: mapped from the built-in image (\(bytes) heap bytes "
                + (mapped ? "mapped from the program's file" : "copied") + ", \(natives) natives bound by name), \(ms) ms"
        case .compiled(let reason):
            return "core library: compiled from source (\(reason)), \(ms) ms"
        case .restoredImage:
            return "core library: restored with the image"
        }
    }

    /// The VM's standard streams, whose terminal modes `main` puts back when it
    /// returns; with `atExit` (the executable) also when the process exits
    /// without returning here.
    static func watchTerminal(_ vm: VM, atExit: Bool) -> StreamPort {
        if atExit { TerminalRestoreAtExit.watch(vm.port.standardStreams) }
        return vm.port.standardStreams
    }

    /// A run whose output could not be written did not succeed: say so, exit 120.
    static func checkOutput(_ vm: VM, _ status: Int32, _ io: LaunchIO) -> Int32 {
        if let e = vm.outputError ?? StreamFailures.first(1) {
            io.stderr("amber: error writing to standard output: \(e.message)\n")
            return status == ExitCode.ok ? ExitCode.outputFailed : status
        }
        if StreamFailures.first(2) != nil { return status == ExitCode.ok ? ExitCode.outputFailed : status }
        return status
    }

    /// `amber -`: the script is all of standard input, as module "stdin".
    static func runStandardInput(vm: VM, io: LaunchIO) -> Int32 {
        var source: [UInt8] = []
        while true {
            switch vm.port.standardStreams.read(0, 65536) {
            case .failure(let e):
                io.stderr("amber: could not read standard input: \(e.message)\n")
                return ExitCode.noInput
            case .success(let chunk):
                if chunk.isEmpty { return exitStatus(vm.interpret(module: "stdin", source: source)) }
                source += chunk
            }
        }
    }

    static func runScript(vm: VM, path: String, io: LaunchIO) -> Int32 {
        let source: [UInt8]
        switch VM.readFile(path) {
        case .failure(let e):
            io.stderr("amber: could not read script '\(path)': \(e.message)\n")
            return ExitCode.noInput
        case .success(let bytes):
            source = bytes
        }
        return exitStatus(vm.interpret(module: moduleName(scriptPath: path), source: source))
    }

    /// The module a script file runs as: its path without ".wren"; relative
    /// paths as "./path", as Wren's CLI names them.
    static func moduleName(scriptPath path: String) -> String {
        let module = path.hasSuffix(".wren") ? String(path.dropLast(5)) : path
        return module.hasPrefix("/") || module.hasPrefix(".") ? module : "./" + module
    }

    /// `amber --disassemble FILE`: compiles FILE as running it would, without
    /// running it, and prints its bytecode; compile errors as a run reports them.
    static func disassemble(path: String, configuration: VMConfiguration, io: LaunchIO) -> Int32 {
        let source: [UInt8]
        switch VM.readFile(path) {
        case .failure(let e):
            io.stderr("amber: could not read script '\(path)': \(e.message)\n")
            return ExitCode.noInput
        case .success(let bytes):
            source = bytes
        }
        let vm: VM
        do {
            vm = try VM(configuration: configuration)
        } catch {
            io.stderr("amber: could not start the VM: \(error)\n")
            return ExitCode.runtimeError
        }
        defer { vm.shutdown() }
        switch vm.disassemble(module: moduleName(scriptPath: path), source: source) {
        case .failure(let e):
            io.stderr(e.messages.joined(separator: "\n") + "\n")
            return ExitCode.compileError
        case .success(let listing):
            io.stdout(listing)
            return ExitCode.ok
        }
    }

    static func exitStatus(_ r: InterpretResult) -> Int32 {
        switch r {
        case .success: return ExitCode.ok
        case .compileError: return ExitCode.compileError
        case .runtimeError: return ExitCode.runtimeError
        case .exit(let c): return c
        }
    }
}
