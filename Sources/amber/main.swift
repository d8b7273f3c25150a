// The `amber` command: everything lives in AmberLauncher so tests can run it in-process.
import AmberLauncher

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The release build on Linux is fully static (Package.swift): the ffi module
// runs in `amber-dynamic` instead (Sources/AmberLauncher/DynamicSibling.swift).
#if os(Linux) && !DEBUG
let dynamicSibling: (() -> String?)? = DynamicSibling.path
#else
let dynamicSibling: (() -> String?)? = nil
#endif

// A closed pipe is an error to report (exit 120), not a silent death by SIGPIPE.
signal(SIGPIPE, SIG_IGN)
let status = Launcher.main(arguments: Array(CommandLine.arguments.dropFirst()), installSignalGuard: true,
                           programName: CommandLine.arguments.first ?? "amber", dynamicSibling: dynamicSibling)
exit(status)
