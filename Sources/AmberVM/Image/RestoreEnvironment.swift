#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The environment a restored process sees (ARCHITECTURE.md, "Compensations"): its own live
// environment, then the KEY=VALUE lines of every file registered with
// Snapshot.registerRestoreEnvFile. Variables registered as immutable must hold
// the value they had when the image was written. Everything recorded lives in
// the root block, so it travels in the image, and so it never holds a value:
// a variable is recorded as null (unset) or a 52-bit fingerprint of its value
// (`environmentFingerprint`: HMAC under the image key, else a slow salted
// hash, so a copied image does not let anyone test guesses quickly), enough
// to say "changed since the snapshot"; messages name variables, never values.

extension VM {
    /// A root-block list or map, created on first use.
    func rootCollection(_ slot: Root, map: Bool) -> ObjRef {
        if !root(slot).isObject { setRoot(slot, map ? newMap().value : newList().value) }
        return root(slot).ref
    }

    /// Remembers that the program read variable `name`. Its fingerprint is
    /// taken when an image is written (`captureImmutableEnvironment`): a
    /// fingerprint costs milliseconds on purpose (`EnvironmentFingerprint`).
    func noteEnvironmentRead(_ name: Value) {
        let reads = rootCollection(.envReads, map: true)
        if mapGet(reads, name) == nil { mapSet(reads, name, .false) }
    }

    /// Null if the variable is unset, else its fingerprint as a Num: a 52-bit
    /// keyed or slow salted hash of name and value (EnvironmentFingerprint.swift).
    /// The salt is drawn once per heap from the port's entropy.
    func environmentFingerprint(_ name: String) -> Value {
        guard let value = environmentVariable(Array(name.utf8)) else { return .null }
        if !root(.envHashKey).isNumber {
            let bytes = port.entropy(8)
            let salt = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & 0x000F_FFFF_FFFF_FFFF
            setRoot(.envHashKey, Value(Double(salt)))
        }
        let salt = UInt64(root(.envHashKey).number)
        return Value(Double(EnvironmentFingerprint.value(salt: salt, name: Array(name.utf8), value: value, key: config.imageKey)))
    }

    /// Records the current values of the immutable variables and of those the
    /// program read (called when an image is written).
    func captureImmutableEnvironment() {
        for slot in [Root.immutableEnv, .envReads] where root(slot).isObject {
            let m = root(slot).ref
            for i in 0..<mapCapacity(m) {
                guard let (k, _) = mapEntry(m, i) else { continue }
                mapSet(m, k, environmentFingerprint(string(k)))
            }
        }
    }

    /// A variable as this VM sees it: set by a restore env file, else from
    /// the port's environment. The process environment is never changed, so
    /// VMs in one process do not see each other's variables.
    func environmentVariable(_ name: [UInt8]) -> [UInt8]? {
        if let v = environmentOverlay[name] { return v }
        return port.environment.variable(name)
    }

    /// Every variable this VM sees (see `environmentVariable`).
    func environmentVariables() -> [([UInt8], [UInt8])] {
        var seen = Set<[UInt8]>()
        var out: [([UInt8], [UInt8])] = []
        for (k, v) in environmentOverlay.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            seen.insert(k)
            out.append((k, v))
        }
        for (k, v) in port.environment.all() where !seen.contains(k) { out.append((k, v)) }
        return out
    }

    /// The VM's own post-restore hooks, which run before any script code
    /// (ARCHITECTURE.md, "The image"): the restore environment, then the Swift
    /// listeners from high to low priority. (The clock and the FFI side table
    /// were already set up by the restore itself.) Returns an error message or nil.
    func runVMPostRestoreHooks() -> String? {
        if let error = applyRestoreEnvironment() { return error }
        hooks.fire(.postRestore, self, reversed: true)
        return nil
    }

    /// Applies env files, then checks immutable variables. Returns an error message or nil.
    func applyRestoreEnvironment() -> String? {
        if root(.envFiles).isObject {
            let files = root(.envFiles).ref
            for i in 0..<listCount(files) {
                let path = string(listGet(files, i))
                switch VM.parseEnvFile(path) {
                case .failure(let e): return e.message
                case .success(let pairs):
                    for (k, v) in pairs { environmentOverlay[Array(k.utf8)] = Array(v.utf8) }
                    verbose("env file \(path): \(pairs.count) variables")
                }
            }
        }
        // Values read before the snapshot, read again here (env files included).
        if let error = refillEnvironmentStrings() { return error }
        if root(.immutableEnv).isObject {
            let m = root(.immutableEnv).ref
            var changed: [String] = []
            for i in 0..<mapCapacity(m) {
                guard let (k, was) = mapEntry(m, i) else { continue }
                let name = string(k)
                if was.isNumber, EnvironmentFingerprint.isKeyed(was.number), config.imageKey == nil {
                    changed.append("'\(name)' (fingerprinted with the image key: restore with key= to check it)")
                    continue
                }
                let now = environmentFingerprint(name)
                if !valuesEqual(was, now) { changed.append("'\(name)' (\(describeChange(was, now)))") }
            }
            if !changed.isEmpty {
                return "Immutable environment variable changed since the snapshot: " + changed.joined(separator: ", ") + "."
            }
        }
        if verboseSnapshot, root(.envReads).isObject {
            let m = root(.envReads).ref
            for i in 0..<mapCapacity(m) {
                guard let (k, was) = mapEntry(m, i), !(was.isNumber && EnvironmentFingerprint.isKeyed(was.number)
                                                     && config.imageKey == nil) else { continue }
                let now = environmentFingerprint(string(k))
                if !valuesEqual(was, now) {
                    verbose("environment variable \(string(k)) was read before the snapshot and differs now (\(describeChange(was, now)))")
                }
            }
        }
        return nil
    }

    /// How a variable changed, without its values: "was set, now unset", "value changed".
    func describeChange(_ was: Value, _ now: Value) -> String {
        if was.isNull { return "was unset, now set" }
        if now.isNull { return "was set, now unset" }
        return "value changed"
    }

    /// Parses KEY=VALUE lines; blank lines and # comments are allowed.
    static func parseEnvFile(_ path: String) -> Result<[(String, String)], ImageError> {
        let bytes: [UInt8]
        switch VM.readFile(path) {
        case .failure(let e): return .failure(ImageError("Cannot read env file '\(path)': \(e.message)."))
        case .success(let b): bytes = b
        }
        var pairs: [(String, String)] = []
        // Split on bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for (i, rawBytes) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
            var raw = rawBytes
            if raw.last == 13 { raw = raw.dropLast() }
            let line = Substring(String(decoding: raw, as: UTF8.self))
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                return .failure(ImageError("Env file '\(path)' line \(i + 1): expected KEY=VALUE."))
            }
            let key = String(trimmed[..<eq])
            guard let first = key.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII),
                  key.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }) else {
                return .failure(ImageError("Env file '\(path)' line \(i + 1): '\(key)' is not a valid variable name."))
            }
            pairs.append((key, String(trimmed[trimmed.index(after: eq)...])))
        }
        return .success(pairs)
    }
}
