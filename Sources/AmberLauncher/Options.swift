// Command-line options. The VM options come first and are parsed by hand
// (swift-argument-parser cannot take OpenJ9-style `-snapshot:file=a,trigger=B`);
// the first argument that is not an option is the script, and everything after
// it belongs to the script.

struct OptionError: Error {
    var message: String
}

struct Options {
    var script: String?
    var scriptArguments: [String] = []
    var classpath: [String] = []
    var maxHeap = 4 << 30
    var showHelp = false
    var showVersion = false

    static func parse(_ args: [String]) -> Result<Options, OptionError> {
        var o = Options()
        var i = 0
        while i < args.count {
            let a = args[i]
            if o.script != nil { o.scriptArguments.append(a); i += 1; continue }
            switch a {
            case "-h", "--help", "-help":
                o.showHelp = true
            case "--version", "-version":
                o.showVersion = true
            case "-cp", "-classpath", "--classpath":
                guard i + 1 < args.count else { return .failure(OptionError(message: "\(a) needs a list of directories")) }
                i += 1
                o.classpath += args[i].split(separator: ":").map(String.init)
            case "--":
                if i + 1 < args.count { o.script = args[i + 1]; o.scriptArguments = Array(args[(i + 2)...]) }
                return .success(o)
            default:
                if a.hasPrefix("-Xmx") {
                    guard let bytes = parseSize(String(a.dropFirst(4))) else {
                        return .failure(OptionError(message: "invalid heap size in '\(a)' (use e.g. -Xmx64m or -Xmx2g)"))
                    }
                    guard bytes >= 1 << 20 else {
                        return .failure(OptionError(message: "heap size in '\(a)' is too small (at least 1m)"))
                    }
                    guard bytes <= 32 << 30 else {
                        return .failure(OptionError(message: "heap size in '\(a)' is too large (at most 32g)"))
                    }
                    o.maxHeap = bytes
                } else if a.hasPrefix("-") && a.count > 1 {
                    return .failure(OptionError(message: "unknown option '\(a)'"))
                } else {
                    o.script = a
                }
            }
            i += 1
        }
        return .success(o)
    }

    /// "64m", "2g", "512k", "1048576" -> bytes.
    static func parseSize(_ s: String) -> Int? {
        guard let last = s.last else { return nil }
        var digits = s
        var scale = 1
        switch last {
        case "k", "K": scale = 1 << 10; digits.removeLast()
        case "m", "M": scale = 1 << 20; digits.removeLast()
        case "g", "G": scale = 1 << 30; digits.removeLast()
        default: break
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let n = Int(digits), n <= (1 << 40) / scale else { return nil }
        return n * scale
    }
}
