// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104) for signed images and
// environment fingerprints (ImageSigning.swift, EnvironmentFingerprint.swift).
//
// NOTE: these replaced swift-crypto. On Linux swift-crypto imports
// Foundation, which the static `amber` then carries with ICU: an 87 MB
// executable instead of 14, every start 1.0 million instructions slower
// (the Swift runtime's first protocol-conformance look-ups scan Foundation's
// records: three scans of 300 thousand at `amber hello.wren`) and about
// 1.5 ms slower in system time, and a release build that compiles BoringSSL
// twice (once for the build-time core image tool). Two hash functions are
// ~150 lines, checked against the FIPS 180-4 and RFC 4231 vectors
// (HashTests). Pure Swift costs speed: SHA-256 runs at about a third of
// BoringSSL's assembly, which signed images pay at snapshot and restore
// (Benchmarks/README.md). Comparisons of codes are constant-time.

/// SHA-256, fed in pieces.
struct SHA256 {
    private var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85, h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c, h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19
    /// Bytes not yet compressed (fewer than 64).
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    static let digestSize = 32

    mutating func update(bufferPointer data: UnsafeRawBufferPointer) {
        guard var p = data.baseAddress, data.count > 0 else { return }
        var n = data.count
        length &+= UInt64(n)
        if !pending.isEmpty {
            let take = min(64 - pending.count, n)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: take))
            p += take
            n -= take
            if pending.count < 64 { return }
            let block = pending
            block.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = n / 64
        if blocks > 0 {
            compress(p, blocks: blocks)
            p += blocks * 64
            n -= blocks * 64
        }
        if n > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n)) }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }

    mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }

    /// The digest; the hasher is spent.
    mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        // 0x80, zeros up to 56 mod 64, the length in bits big-endian.
        var tail: [UInt8] = [0x80]
        let used = (pending.count + 1) % 64
        tail += repeatElement(0, count: used <= 56 ? 56 - used : 120 - used)
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        update(tail)
        var out: [UInt8] = []
        out.reserveCapacity(SHA256.digestSize)
        for h in [h0, h1, h2, h3, h4, h5, h6, h7] {
            out += [UInt8(truncatingIfNeeded: h >> 24), UInt8(truncatingIfNeeded: h >> 16),
                    UInt8(truncatingIfNeeded: h >> 8), UInt8(truncatingIfNeeded: h)]
        }
        return out
    }

    static func hash(data: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        h.update(bufferPointer: data)
        return h.finalize()
    }

    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash(data: $0) }
    }

    /// Whether the SHA-256 of `count` bytes at `p` is the 32 bytes at
    /// `digest`. Allocates nothing (a signal handler calls it,
    /// FirstTouchHeap.swift) once `prepare()` has run.
    static func matches(_ p: UnsafeRawPointer, count: Int, digest: UnsafeRawPointer) -> Bool {
        var h = SHA256()
        let whole = count / 64
        if whole > 0 { h.compress(p, blocks: whole) }
        // The tail: what is left, 0x80, zeros, the length in bits: one or two blocks.
        return withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { tail -> Bool in
            let rest = count - whole * 64
            tail.initializeMemory(as: UInt8.self, repeating: 0)
            if rest > 0 { tail.baseAddress!.copyMemory(from: p + whole * 64, byteCount: rest) }
            tail[rest] = 0x80
            let blocks = rest + 1 + 8 <= 64 ? 1 : 2
            let bits = UInt64(count) &* 8
            for i in 0..<8 { tail[blocks * 64 - 1 - i] = UInt8(truncatingIfNeeded: bits >> UInt64(8 * i)) }
            h.compress(UnsafeRawPointer(tail.baseAddress!), blocks: blocks)
            func word(_ i: Int) -> UInt32 { UInt32(bigEndian: digest.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
            // (Words compared one by one: an array literal would allocate.)
            return word(0) == h.h0 && word(1) == h.h1 && word(2) == h.h2 && word(3) == h.h3
                && word(4) == h.h4 && word(5) == h.h5 && word(6) == h.h6 && word(7) == h.h7
        }
    }

    /// Initializes the round constants, so that `matches` allocates nothing.
    static func prepare() { _ = k.count }

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x >> n) | (x << (32 &- n))
    }

    /// The compression function over `blocks` consecutive 64-byte blocks.
    private mutating func compress(_ p: UnsafeRawPointer, blocks: Int) {
        var s0 = h0, s1 = h1, s2 = h2, s3 = h3, s4 = h4, s5 = h5, s6 = h6, s7 = h7
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            SHA256.k.withUnsafeBufferPointer { k in
                for block in 0..<blocks {
                    let q = p + block &* 64
                    for i in 0..<16 {
                        w[i] = UInt32(bigEndian: q.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    }
                    for i in 16..<64 {
                        let a = w[i &- 15], b = w[i &- 2]
                        let sigma0 = SHA256.rotr(a, 7) ^ SHA256.rotr(a, 18) ^ (a >> 3)
                        let sigma1 = SHA256.rotr(b, 17) ^ SHA256.rotr(b, 19) ^ (b >> 10)
                        w[i] = w[i &- 16] &+ sigma0 &+ w[i &- 7] &+ sigma1
                    }
                    var a = s0, b = s1, c = s2, d = s3, e = s4, f = s5, g = s6, h = s7
                    for i in 0..<64 {
                        let bigSigma1 = SHA256.rotr(e, 6) ^ SHA256.rotr(e, 11) ^ SHA256.rotr(e, 25)
                        let choose = (e & f) ^ (~e & g)
                        let t1 = h &+ bigSigma1 &+ choose &+ k[i] &+ w[i]
                        let bigSigma0 = SHA256.rotr(a, 2) ^ SHA256.rotr(a, 13) ^ SHA256.rotr(a, 22)
                        let majority = (a & b) ^ (a & c) ^ (b & c)
                        h = g; g = f; f = e; e = d &+ t1
                        d = c; c = b; b = a; a = t1 &+ bigSigma0 &+ majority
                    }
                    s0 &+= a; s1 &+= b; s2 &+= c; s3 &+= d; s4 &+= e; s5 &+= f; s6 &+= g; s7 &+= h
                }
            }
        }
        h0 = s0; h1 = s1; h2 = s2; h3 = s3; h4 = s4; h5 = s5; h6 = s6; h7 = s7
    }
}

/// HMAC-SHA-256, fed in pieces.
struct HMACSHA256 {
    private var inner = SHA256()
    private let outerPad: [UInt8]

    init(key: [UInt8]) {
        // A key longer than the block is hashed first; then padded with zeros to 64.
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += repeatElement(0, count: 64 - block.count)
        inner.update(block.map { $0 ^ 0x36 })
        outerPad = block.map { $0 ^ 0x5c }
    }

    mutating func update(_ bytes: [UInt8]) { inner.update(bytes) }
    mutating func update(_ bytes: ArraySlice<UInt8>) { inner.update(bytes) }

    /// The code; the MAC is spent.
    mutating func finalize() -> [UInt8] {
        var outer = SHA256()
        outer.update(outerPad)
        outer.update(inner.finalize())
        return outer.finalize()
    }

    static func code(for bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(bytes)
        return mac.finalize()
    }

    /// Whether `code` is the code of `bytes` under `key`, compared in constant
    /// time: how long it takes says nothing about how much matched.
    static func isValid(_ code: [UInt8], for bytes: [UInt8], key: [UInt8]) -> Bool {
        let expected = HMACSHA256.code(for: bytes, key: key)
        guard code.count == expected.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<expected.count { difference |= code[i] ^ expected[i] }
        return difference == 0
    }
}
