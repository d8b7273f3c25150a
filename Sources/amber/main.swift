// The `amber` command: everything lives in AmberLauncher so tests can run it in-process.
import AmberLauncher

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let status = Launcher.main(arguments: Array(CommandLine.arguments.dropFirst()), installSignalGuard: true)
exit(status)
