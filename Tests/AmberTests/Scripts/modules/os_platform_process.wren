// The os module: Platform and Process (as in Wren CLI), plus env and environment.
import "os" for Platform, Process

var platforms = ["Windows", "iOS", "OS X", "Unknown", "Linux", "Unix", "POSIX"]
System.print(platforms.contains(Platform.name)) // expect: true
System.print(Platform.isPosix is Bool) // expect: true
System.print(Platform.isWindows == (Platform.name == "Windows")) // expect: true
System.print(Platform.isPosix != Platform.isWindows) // expect: true

var home = Platform.homePath
System.print(home is String && !home.isEmpty) // expect: true

var cwd = Process.cwd
System.print(cwd is String && cwd.startsWith("/")) // expect: true

System.print(Process.pid is Num && Process.pid.isInteger && Process.pid > 0) // expect: true
System.print(Process.ppid is Num && Process.ppid.isInteger && Process.ppid > 0) // expect: true
System.print(Process.pid == Process.pid) // expect: true

System.print(Process.version) // expect: 0.4.0
System.print(Process.version.split(".").all {|part| Num.fromString(part) != null }) // expect: true

// The script is run with no arguments of its own.
System.print(Process.arguments) // expect: []
var all = Process.allArguments
System.print(all is List && all.count >= 2) // expect: true
System.print(all[-1].endsWith("os_platform_process.wren")) // expect: true
System.print(all.all {|a| a is String }) // expect: true

// Fresh lists each time.
Process.arguments.add("changed")
System.print(Process.arguments) // expect: []

// Environment variables.
System.print(Process.env("AMBER_SURELY_UNSET_VARIABLE_12345")) // expect: null
System.print(Process.env("")) // expect: null
System.print(Process.env("A=B")) // expect: null
var environment = Process.environment
System.print(environment is Map) // expect: true
System.print(environment.containsKey("AMBER_SURELY_UNSET_VARIABLE_12345")) // expect: false
System.print(environment.keys.all {|name| name is String && environment[name] is String }) // expect: true
System.print(environment.keys.all {|name| Process.env(name) == environment[name] }) // expect: true
System.print(Process.env("PATH") == environment["PATH"]) // expect: true

// Validation.
System.print(Fiber.new { Process.env(42) }.try()) // expect: Variable name must be a string.
System.print(Fiber.new { Process.exit("0") }.try()) // expect: Code must be a number.
System.print(Fiber.new { Process.exit(0.5) }.try()) // expect: Code must be an integer.
System.print(Fiber.new { Process.exit(1 / 0) }.try()) // expect: Code must be an integer.
