// Fingerprints of environment variables (ARCHITECTURE.md, "Compensations"):
// what an image records about a variable's value, to say at a restore that it
// changed, never the value itself. The image travels, so the fingerprint must
// not let whoever holds a copy test guesses of the value quickly:
//
//   with an image key   HMAC-SHA-256(key, salt || name || NUL || value): without
//                       the key (which the image does not hold) nothing can be tested
//   without one         SHA-256 over salt, name and value, then `rounds` more
//                       SHA-256 of the digest (a slow salted hash, as PBKDF2 is):
//                       each guess costs `rounds` hashes, and the per-image salt
//                       rules out tables computed in advance
//
// 52 bits are kept (a Num holds them exactly); the highest says which kind it
// is, so a keyed fingerprint restored without the key is reported as
// uncheckable rather than as changed. (README, "Snapshot and restore", gives
// the cost of guessing.)

enum EnvironmentFingerprint {
    /// SHA-256 rounds of an unkeyed fingerprint. NOTE: 2^16 rounds take about
    /// 25 ms here in a release build; the cost is paid per variable when an
    /// image is written and per immutable variable at a restore.
    static let rounds = 1 << 16
    /// Set in keyed fingerprints.
    static let keyedBit: UInt64 = 1 << 51

    static func value(salt: UInt64, name: [UInt8], value: [UInt8], key: ImageKey?) -> UInt64 {
        var input = withUnsafeBytes(of: salt.littleEndian) { Array($0) }
        input += name + [0] + value
        var digest: [UInt8]
        if let key {
            digest = HMACSHA256.code(for: input, key: key.key)
        } else {
            digest = SHA256.hash(input)
            for _ in 0..<rounds { digest = SHA256.hash(digest) }
        }
        let bits = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & (keyedBit - 1)
        return key == nil ? bits : bits | keyedBit
    }

    /// Whether a recorded fingerprint was made with an image key.
    static func isKeyed(_ v: Double) -> Bool { UInt64(v) & keyedBit != 0 }
}
