// `amber-dynamic`: the `amber` command linked against the system's C library,
// for programs using the ffi module. The static `amber` hands `--allow-ffi`
// commands to it (Sources/AmberLauncher/DynamicSibling.swift); it can also be
// run directly.
import AmberLauncher

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A closed pipe is an error to report (exit 120), not a silent death by SIGPIPE.
signal(SIGPIPE, SIG_IGN)
let status = Launcher.main(arguments: Array(CommandLine.arguments.dropFirst()), installSignalGuard: true,
                           programName: CommandLine.arguments.first ?? "amber")
exit(status)
