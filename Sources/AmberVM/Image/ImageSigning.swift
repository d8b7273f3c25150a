#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Signed images (ARCHITECTURE.md, "The image"; README, "Snapshot and restore").
//
//   header     ... fields ... | signature | checksum
//   metadata   (as in an unsigned image)
//   digests    one SHA-256 per chunk of the heap section (64 KiB chunks)
//   heap       (as in an unsigned image)
//
//   signature = HMAC-SHA-256(key, header bytes before the signature || metadata || digests)
//
// Checking the signature reads the header, the metadata and the digest table,
// no heap page: a wrong key or a changed header, metadata or table is refused
// before anything is mapped. The heap is then checked chunk by chunk against
// the signed digests before the VM reads any of it, so with a key every byte
// the VM uses was written by a holder of the key. The snapshot writer digests
// each slice of the heap while it is in cache from being written (one pass).
//
// What the key does not cover: the file changed WHILE a restored process
// runs on it (the mapping is copy-on-write, so pages not yet touched are read
// from the file later; SIGBUS for a shortened file is the launcher's guard's
// business). Keep images where only their writer can change them.

/// A key that signs images and checks their signatures (HMAC-SHA-256).
///
/// Give it to the writer (`VMConfiguration.imageKey`, `-snapshot:...,key=FILE`)
/// and to every restore (`-restore:file=IMG,key=FILE`): with a key, a restore
/// refuses an unsigned image, one signed with another key, and one whose heap
/// was changed after it was signed.
public struct ImageKey {
    let key: [UInt8]

    /// A key of at least 16 bytes (32 random bytes are usual).
    public init(bytes: [UInt8]) throws(ImageError) {
        guard bytes.count >= 16 else {
            throw ImageError("An image key needs at least 16 bytes; this one has \(bytes.count).")
        }
        key = bytes
    }

    /// Reads the key from a file, refusing one other users may read or write
    /// (as ssh refuses a private key): anyone who can read it can sign images.
    public init(contentsOfFile path: String) throws(ImageError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ImageError("Cannot read key file '\(path)': \(String(cString: strerror(errno))).")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw ImageError("Key file '\(path)' may be read or written by other users (mode "
                             + "\(String(st.st_mode & 0o777, radix: 8))); make it private: chmod 600 '\(path)'.")
        }
        let bytes: [UInt8]
        switch VM.readFile(path) {
        case .success(let b): bytes = b
        case .failure(let e): throw ImageError("Cannot read key file '\(path)': \(e.message).")
        }
        try self.init(bytes: bytes)
    }

    /// A new random key of 32 bytes from the system's generator.
    public static func random() -> ImageKey {
        // The standard library's generator reads the system's (getrandom):
        // cryptographically secure. 32 bytes: the init cannot refuse them.
        var generator = SystemRandomNumberGenerator()
        return try! ImageKey(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The key's bytes (to store it in a file of mode 0600).
    public var bytes: [UInt8] { key }
}

enum ImageSigning {
    static let digestSize = 32
    /// 64 KiB chunks: 0.05% of the heap in digests, and a chunk is a few
    /// 4 KiB pages, so a first-touch check would not read much more than it needs.
    static let chunkShift: UInt32 = 16

    /// The digest table, fed the heap piece by piece in address order.
    struct ChunkDigester {
        let chunk: Int
        private var hasher = SHA256()
        private var filled = 0
        private(set) var table: [UInt8] = []

        init(chunk: Int) { self.chunk = chunk }

        mutating func add(_ p: UnsafeRawPointer, _ n: Int) {
            var done = 0
            while done < n {
                let take = min(n - done, chunk - filled)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: p + done, count: take))
                filled += take
                done += take
                if filled == chunk { closeChunk() }
            }
        }

        /// The table, once every byte has been added.
        mutating func finish() -> [UInt8] {
            if filled > 0 { closeChunk() }
            return table
        }

        private mutating func closeChunk() {
            table += hasher.finalize()
            hasher = SHA256()
            filled = 0
        }
    }

    /// The signature of a header (its bytes before the signature), metadata and digest table.
    static func signature(_ key: ImageKey, header: ImageHeader, meta: [UInt8], table: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: key.key)
        mac.update(header.encode()[0..<ImageHeader.signatureOffset])
        mac.update(meta)
        mac.update(table)
        return mac.finalize()
    }

    /// Checks the signature of the image whose header is `header`: reads the
    /// metadata and the digest table (never a heap page). Returns the table.
    static func checkSignature(_ file: borrowing ImageFileReader, _ header: ImageHeader, key: ImageKey,
                               path: String) throws(ImageError) -> [UInt8] {
        guard header.isSigned else {
            throw ImageError("Image '\(path)' is not signed, and a key was given: it is refused "
                             + "(write it with the key, or restore without one).")
        }
        let (metaOffset, metaLength) = header.metaSection
        let (tableOffset, tableLength, _) = header.digestTable
        guard let meta = file.read(at: metaOffset, count: metaLength),
              let table = file.read(at: tableOffset, count: tableLength) else {
            throw ImageError("Image '\(path)' is truncated (its metadata or digest table is missing).")
        }
        // A constant-time comparison: the time taken says nothing about how much matched.
        let signed = Array(header.encode()[0..<ImageHeader.signatureOffset]) + meta + table
        guard HMACSHA256.isValid(header.signature, for: signed, key: key.key) else {
            throw ImageError("Image '\(path)' is not signed with this key (signature mismatch): "
                             + "it was written with another key, or changed after it was signed.")
        }
        return table
    }

    /// The first chunk of the mapped heap whose SHA-256 is not in `table`, or nil.
    static func firstChangedChunk(_ base: UnsafeRawPointer, bytes: Int, table: [UInt8], chunk: Int) -> Int? {
        var start = 0, index = 0
        while start < bytes {
            let n = min(chunk, bytes - start)
            let digest = SHA256.hash(data: UnsafeRawBufferPointer(start: base + start, count: n))
            let matches = table.withUnsafeBytes { t in
                memcmp(digest, t.baseAddress! + index * digestSize, digestSize) == 0
            }
            if !matches { return index }
            start += n
            index += 1
        }
        return nil
    }
}
