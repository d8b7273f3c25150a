import AmberVM

// Command-line options. The VM options come first and are parsed by hand
// (swift-argument-parser cannot take OpenJ9-style `-snapshot:file=a,trigger=B`);
// the first argument that is not an option is the script, and everything after
// it belongs to the script. With -restore there is no script: the arguments after
// the options are the restored program's.

struct OptionError: Error {
    var message: String
}

struct Options {
    var script: String?
    var scriptArguments: [String] = []
    /// `-i`: the REPL even when standard input is not a terminal.
    var interactive = false
    /// `-e CODE`: run CODE as the script (then `script` is "-e").
    var evalSource: String?
    var classpath: [String] = []
    var maxHeap = 4 << 30
    /// Whether -Xmx was given (a restore otherwise keeps the image's cap).
    var maxHeapGiven = false
    /// -Xmn: the young space (VMConfiguration.youngSize).
    var youngSize = VMConfiguration().youngSize
    var showHelp = false
    var showVersion = false
    var snapshot: SnapshotRequest?
    var restorePath: String?
    /// `-inspect:file=IMG`: describe the image, run nothing; `--json` for tools.
    var inspectPath: String?
    /// `--disassemble FILE`: compile FILE and list its bytecode, run nothing.
    var disassemblePath: String?
    var json = false
    /// Check the heap pages' checksum on restore (the one step that reads every page).
    /// verify=full: checksum every heap page on restore (the default maps them unread).
    var verifyHeap = false
    var verboseSnapshot = false
    var verboseGC = false
    /// `-verbose:startup`: how the VM got its core library, and how long it took.
    var verboseStartup = false
    /// `--allow-ffi` (any library) or `--allow-ffi=a,b` (only these).
    var allowFFI = false
    var allowedLibraries: [String]?
    /// `key=FILE` of -snapshot (sign the image) or -restore (require its signature).
    var keyPath: String?

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
            case "-verbose:snapshot", "-Xverbose:snapshot":
                o.verboseSnapshot = true
            case "-verbose:gc", "-Xverbose:gc":
                o.verboseGC = true
            case "-verbose:startup", "-Xverbose:startup":
                o.verboseStartup = true
            case "-e":
                guard i + 1 < args.count else { return .failure(OptionError(message: "-e needs the code to run")) }
                o.evalSource = args[i + 1]
                o.script = "-e"
                i += 2
                continue
            case "--disassemble", "-disassemble":
                guard i + 1 < args.count else { return .failure(OptionError(message: "\(a) needs a script file")) }
                o.disassemblePath = args[i + 1]
                i += 2
                continue
            case "-":
                o.script = "-"      // the script is standard input
            case "-i", "--interactive":
                o.interactive = true
            case "--json":
                o.json = true
            case "--allow-ffi", "-allow-ffi":
                o.allowFFI = true
                o.allowedLibraries = nil
            default:
                if a.hasPrefix("-snapshot:") || a.hasPrefix("-Xsnapshot:") {
                    switch parseSnapshot(String(a[a.index(after: a.firstIndex(of: ":")!)...]), keyPath: &o.keyPath) {
                    case .success(let r): o.snapshot = r
                    case .failure(let e): return .failure(OptionError(message: "\(e.message) in '\(a)'"))
                    }
                } else if a.hasPrefix("-restore:") || a.hasPrefix("-Xrestore:") {
                    let fields = keyValues(String(a[a.index(after: a.firstIndex(of: ":")!)...]))
                    for (k, v) in fields {
                        switch (k, v) {
                        case ("file", _) where !v.isEmpty: o.restorePath = v
                        case ("verify", "full"): o.verifyHeap = true
                        case ("verify", "header"): o.verifyHeap = false
                        case ("key", _) where !v.isEmpty: o.keyPath = v
                        default:
                            return .failure(OptionError(message: "expected -restore:file=IMAGE[,verify=full|header][,key=KEYFILE], got '\(a)'"))
                        }
                    }
                    guard o.restorePath != nil else {
                        return .failure(OptionError(message: "expected -restore:file=IMAGE, got '\(a)'"))
                    }
                } else if a.hasPrefix("-inspect:") {
                    let fields = keyValues(String(a.dropFirst("-inspect:".count)))
                    guard fields.count == 1, fields[0].0 == "file", !fields[0].1.isEmpty else {
                        return .failure(OptionError(message: "expected -inspect:file=IMAGE, got '\(a)'"))
                    }
                    o.inspectPath = fields[0].1
                } else if a.hasPrefix("--allow-ffi=") || a.hasPrefix("-allow-ffi=") {
                    let list = a[a.index(after: a.firstIndex(of: "=")!)...].split(separator: ",").map(String.init)
                    guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else {
                        return .failure(OptionError(message: "expected --allow-ffi=lib1,lib2 (library paths or file names), got '\(a)'"))
                    }
                    o.allowFFI = true
                    o.allowedLibraries = list
                } else if a.hasPrefix("-Xmx") {
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
                    o.maxHeapGiven = true
                } else if a.hasPrefix("-Xmn") {
                    guard let bytes = parseSize(String(a.dropFirst(4))) else {
                        return .failure(OptionError(message: "invalid young space size in '\(a)' (use e.g. -Xmn4m or -Xmn512k)"))
                    }
                    guard bytes >= 64 << 10 else {
                        return .failure(OptionError(message: "young space size in '\(a)' is too small (at least 64k)"))
                    }
                    guard bytes <= 32 << 30 else {
                        return .failure(OptionError(message: "young space size in '\(a)' is too large (at most 32g)"))
                    }
                    o.youngSize = bytes
                } else if a.hasPrefix("-") && a.count > 1 {
                    return .failure(OptionError(message: "unknown option '\(a)'"))
                } else {
                    o.script = a
                }
            }
            i += 1
        }
        if let path = o.disassemblePath, o.script != nil || o.restorePath != nil || o.inspectPath != nil || o.snapshot != nil {
            return .failure(OptionError(message: "--disassemble \(path) only lists the code: it takes no script, -restore, -inspect or -snapshot"))
        }
        if o.restorePath != nil {
            if o.snapshot != nil { return .failure(OptionError(message: "-snapshot and -restore cannot be combined")) }
            // Without a script, every argument after the options belongs to the program.
            if let s = o.script { o.scriptArguments.insert(s, at: 0); o.script = nil }
        }
        return .success(o)
    }

    /// "a=1,b=2,flag" -> [("a","1"), ("b","2"), ("flag","")]
    static func keyValues(_ s: String) -> [(String, String)] {
        s.split(separator: ",", omittingEmptySubsequences: false).map { part in
            if let eq = part.firstIndex(of: "=") {
                return (String(part[..<eq]), String(part[part.index(after: eq)...]))
            }
            return (String(part), "")
        }
    }

    /// `file=IMG,trigger=Class.method[,exit][,dryrun][,key=KEYFILE]`
    static func parseSnapshot(_ s: String, keyPath: inout String?) -> Result<SnapshotRequest, OptionError> {
        var file: String?, trigger: String?, exit = false, dryRun = false
        for (k, v) in keyValues(s) {
            switch k {
            case "file": file = v
            case "trigger": trigger = v
            case "key" where !v.isEmpty: keyPath = v
            case "exit": exit = true
            case "dryrun": dryRun = true
            default: return .failure(OptionError(message: "unknown snapshot setting '\(k)'"))
            }
        }
        guard let file, !file.isEmpty else { return .failure(OptionError(message: "missing file=IMAGE")) }
        guard let trigger, !trigger.isEmpty else { return .failure(OptionError(message: "missing trigger=Class.method")) }
        let parts = trigger.split(separator: ".", maxSplits: 1)
        func isName(_ x: Substring) -> Bool {
            guard let f = x.first, f.isLetter || f == "_" else { return false }
            return x.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
        }
        let shape = "trigger must look like Class.method, Class.method(_,_), Class.+(_) or Class.[_]"
        guard parts.count == 2, isName(parts[0]) else { return .failure(OptionError(message: shape)) }
        // A method name, an operator ("+(_)", "-", "==(_)") or a subscript ("[_]", "[_]=(_)").
        let method = parts[1]
        let name = method.prefix { $0 != "(" && $0 != "=" }
        let operatorName = method.prefix { $0 != "(" }
        let operators: Set<Substring> = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&", "|",
                                         "^", "<<", ">>", "..", "...", "!", "~", "is"]
        guard isName(name) || operators.contains(operatorName) || method.hasPrefix("[") && method.contains("]") else {
            return .failure(OptionError(message: shape))
        }
        return .success(SnapshotRequest(path: file, trigger: trigger, exitAfter: exit, dryRun: dryRun))
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
