// Signed images (issue 19, item 3): `-snapshot:...,key=KEYFILE`,
// `-restore:file=IMG,key=KEYFILE`, `VMConfiguration.imageKey`. With a key, an
// unsigned image, one signed with another key, and one changed after it was
// signed (checksums recomputed, as by anyone with write access but no key)
// are refused with exit 74 / an ImageError, before the VM reads the heap.
import Foundation
import Testing
@testable import AmberVM
@_spi(AmberInternals) import AmberObjects
@testable import AmberLauncher

/// Writes a private key file of 32 random bytes into `dir`.
func writeKeyFile(_ dir: String, _ name: String = "image.key", mode: mode_t = 0o600) throws -> String {
    let path = dir + "/" + name
    try Data(ImageKey.random().bytes).write(to: URL(fileURLWithPath: path))
    chmod(path, mode)
    return path
}

@Suite struct ImageSigningTests {
    /// The crafted-image script, snapshotted with a key.
    func signedImage() throws -> (dir: String, image: Data, key: String) {
        let dir = try scratch(["main.wren": CraftedImageTests.script])
        let key = try writeKeyFile(dir)
        let made = try runAmber(["-snapshot:file=base.img,trigger=Main.ready,exit,key=\(key)", "main.wren"], cwd: dir)
        #expect(made.0 == 0, "\(made.2)")
        return (dir, try Data(contentsOf: URL(fileURLWithPath: dir + "/base.img")), key)
    }

    func keyed(_ keyPath: String) throws -> VMConfiguration {
        var config = capturedConfiguration().0
        config.imageKey = try ImageKey(contentsOfFile: keyPath)
        return config
    }

    @Test func aSignedImageRestoresWithItsKeyAndWithout() throws {
        let (dir, image, key) = try signedImage()
        #expect(image.imageHeader.isSigned)
        for args in [["-restore:file=base.img,key=\(key)"], ["-restore:file=base.img,key=\(key),verify=full"],
                     ["-restore:file=base.img"]] {
            let r = runLauncher(args, cwd: dir)
            #expect(r.0 == 0 && r.1 == CraftedImageTests.output, "\(args): \(r.0) \(r.2)")
        }
        let inspected = runLauncher(["-inspect:file=base.img"], cwd: dir)
        #expect(inspected.1.contains("\nsigned: HMAC-SHA-256 over the header, metadata and \(image.imageHeader.digestCount) chunk digests"),
                "\(inspected.1)")
        let verbose = runLauncher(["-restore:file=base.img,key=\(key)", "-verbose:snapshot"], cwd: dir)
        #expect(verbose.2.contains("signature checked; every heap chunk checked against its signed digest: "), "\(verbose.2)")
    }

    @Test func withAKeyUnsignedAndOtherKeysImagesAreRefusedWith74() throws {
        let (dir, _, key) = try signedImage()
        let other = try writeKeyFile(dir, "other.key")
        let wrong = runLauncher(["-restore:file=base.img,key=\(other)"], cwd: dir)
        #expect(wrong.0 == 74 && wrong.1.isEmpty)
        #expect(wrong.2 == "amber: Image 'base.img' is not signed with this key (signature mismatch): "
                + "it was written with another key, or changed after it was signed.\n", "\(wrong.2)")

        #expect(try runAmber(["-snapshot:file=plain.img,trigger=Main.ready,exit", "main.wren"], cwd: dir).0 == 0)
        let plain = runLauncher(["-restore:file=plain.img,key=\(key)"], cwd: dir)
        #expect(plain.0 == 74 && plain.2.contains("Image 'plain.img' is not signed, and a key was given"), "\(plain.2)")

        // The signature removed, every checksum recomputed: an unsigned image, refused the same way.
        var stripped = try Data(contentsOf: URL(fileURLWithPath: dir + "/base.img"))
        var header = stripped.imageHeader
        header.signature = ImageHeader.noSignature
        header.digestOffset = 0
        header.digestCount = 0
        header.chunkShift = 0
        stripped.resealImage(header)
        try stripped.write(to: URL(fileURLWithPath: dir + "/stripped.img"))
        #expect(runLauncher(["-restore:file=stripped.img"], cwd: dir).0 == 0)
        #expect(runLauncher(["-restore:file=stripped.img,key=\(key)"], cwd: dir).2.contains("is not signed, and a key was given"))
    }

    /// A key file others may read, a short one, or none: exit 66, nothing restored or written.
    @Test func keyFilesMustBePrivateAndLongEnough() throws {
        let (dir, _, _) = try signedImage()
        let open = try writeKeyFile(dir, "open.key", mode: 0o644)
        let r = runLauncher(["-restore:file=base.img,key=\(open)"], cwd: dir)
        #expect(r.0 == 66 && r.2.contains("may be read or written by other users (mode 644); make it private: chmod 600"), "\(r.2)")
        try Data("short".utf8).write(to: URL(fileURLWithPath: dir + "/short.key"))
        chmod(dir + "/short.key", 0o600)
        #expect(runLauncher(["-snapshot:file=s.img,trigger=Main.ready,exit,key=\(dir)/short.key", dir + "/main.wren"]).2
            .contains("An image key needs at least 16 bytes; this one has 5."))
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.img"))
        #expect(runLauncher(["-restore:file=base.img,key=\(dir)/missing.key"], cwd: dir).0 == 66)
    }

    /// Header fields, metadata and heap words changed with every checksum
    /// recomputed: with the key each is refused; the signature covers the
    /// header and metadata, the digests every heap chunk.
    @Test func changesAfterSigningAreRefused() throws {
        let (dir, image, key) = try signedImage()
        let config = try keyed(key)
        func refusal(_ d: Data) throws -> String? {
            try d.write(to: URL(fileURLWithPath: dir + "/x.img"))
            do { _ = try VM.restore(from: dir + "/x.img", configuration: config, verifyHeap: false); return nil } catch {
                return error.message
            }
        }
        var d = image
        var header = d.imageHeader
        header.generation += 1
        d.resealImage(header)
        #expect(try refusal(d)?.contains("is not signed with this key (signature mismatch)") == true)

        d = image
        let meta = d.imageHeader.metaSection
        let cwd = try #require(d[meta.offset..<(meta.offset + meta.length)].range(of: Data("cwd".utf8)))
        d[cwd.upperBound + 10] ^= 1
        d.resealImage()
        #expect(try refusal(d)?.contains("is not signed with this key (signature mismatch)") == true)

        // 200 heap words, as the unsigned corpus (the heap checksum in the
        // header recomputed): every one refused, the header's signature no longer matching.
        var refused = 0
        for c in mutatedImages(image, count: 200, seed: 0x5167_2019) {
            let message = try refusal(c.image)
            if message?.contains("is not signed with this key (signature mismatch)") == true { refused += 1 }
            else { Issue.record("\(c.what): \(message ?? "restored")") }
        }
        #expect(refused == 200)
        // The same words with the header left as signed: the chunk's digest finds each, before the heap is used.
        let (heapOffset, heapBytes) = image.imageHeader.heapSection
        var rng = SeededGenerator(state: 0xD16E_57)
        for _ in 0..<50 {
            var d = image
            let at = Int.random(in: 0..<(heapBytes / 8), using: &rng) * 8
            d.setWord(heapOffset + at, d.word(heapOffset + at) ^ (1 << UInt64.random(in: 0..<64, using: &rng)))
            let chunk = (at >> 16) << 16
            #expect(try refusal(d)?.hasSuffix("was changed after it was signed (heap bytes \(chunk)..<"
                                              + "\(min(chunk + 65536, heapBytes)) do not match their signed digest).") == true)
        }
    }

    /// The `amber` executable (its own process, its SIGSEGV handler) checks a
    /// signed image's heap chunks when the program first touches them
    /// (verify=header): a changed chunk that is used ends the run with exit 74
    /// naming its bytes, one never touched is never read, and verify=full
    /// still checks every chunk before running.
    @Test func theLauncherChecksEachChunkOnFirstTouch() throws {
        let source = """
            class Main {
              static fill() {
                __items = []
                for (i in 0...5000) __items.add("item %(i)")
              }
              static run() {
                System.print(__items.count)
                System.print(__items[1234])
              }
            }
            var Padding = "x" * 1000000
            Main.fill()
            Main.run()
            """
        let dir = try scratch(["big.wren": source])
        let key = try writeKeyFile(dir)
        let made = try runAmber(["-snapshot:file=big.img,trigger=Main.run,exit,key=\(key)", "big.wren"], cwd: dir)
        #expect(made.0 == 0, "\(made.2)")
        let image = try Data(contentsOf: URL(fileURLWithPath: dir + "/big.img"))

        let intact = try runAmber(["-restore:file=big.img,key=\(key)", "-verbose:snapshot"], cwd: dir)
        #expect(intact.0 == 0 && intact.1 == "5000\nitem 1234\n", "\(intact.2)")
        #expect(intact.2.contains("signature checked; each heap chunk is checked against its signed digest when first touched"))

        // A byte of the first chunk (the core library, which every restore reads).
        let (heapOffset, heapBytes) = image.imageHeader.heapSection
        var used = image
        used[heapOffset + 2000] ^= 1
        try used.write(to: URL(fileURLWithPath: dir + "/used.img"))
        let refused = try runAmber(["-restore:file=used.img,key=\(key)"], cwd: dir)
        #expect(refused.0 == 74 && refused.1.isEmpty)
        #expect(refused.2 == "amber: Image 'used.img' was changed after it was signed (heap bytes 0..<65536 do not match "
                + "their signed digest).\n", "\(refused.2)")

        // A byte in the middle of Padding, which the resumed program never reads.
        let padding = try #require(image.range(of: Data(repeating: UInt8(ascii: "x"), count: 900_000)))
        let middle = (padding.lowerBound + padding.upperBound) / 2
        #expect((middle - heapOffset) >> 16 > 0 && middle - heapOffset < heapBytes)
        var unused = image
        unused[middle] = UInt8(ascii: "y")
        try unused.write(to: URL(fileURLWithPath: dir + "/unused.img"))
        let lazy = try runAmber(["-restore:file=unused.img,key=\(key)"], cwd: dir)
        #expect(lazy.0 == 0 && lazy.1 == "5000\nitem 1234\n", "\(lazy.2)")
        let eager = try runAmber(["-restore:file=unused.img,key=\(key),verify=full"], cwd: dir)
        #expect(eager.0 == 74 && eager.1.isEmpty, "\(eager.2)")
    }

    /// The Swift API: a configuration's key signs `vm.snapshot(to:)` and is required by `VM.restore`.
    @Test func theSwiftAPISignsAndChecks() throws {
        let dir = try scratch([:])
        var config = capturedConfiguration().0
        config.imageKey = ImageKey.random()
        let vm = try VM(configuration: config)
        #expect(vm.interpret(module: "main", source: "var Answer = 42") == .success)
        try vm.snapshot(to: dir + "/api.img")
        let copy = try VM.restore(from: dir + "/api.img", configuration: config)
        #expect(copy.resumeFromImage() == .success)
        #expect(try copy.call(copy.variable(module: "main", name: "Answer"), "+(_)", [1]) == .number(43))
        var other = config
        other.imageKey = ImageKey.random()
        #expect(throws: ImageError.self) { _ = try VM.restore(from: dir + "/api.img", configuration: other) }
        #expect(throws: ImageError.self) { try ImageKey(bytes: [1, 2, 3]) }
    }
}
