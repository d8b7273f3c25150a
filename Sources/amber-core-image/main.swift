// amber-core-image OUTPUT.swift: bootstraps the core library (compiling the
// prelude) and writes it as a Swift source holding the image's bytes, for
// the AmberCoreImage target. Run by Plugins/CoreImagePlugin at build time;
// see ARCHITECTURE.md, "The built-in core image".
//
// NOTE: the bytes are integer literals, eight words a line (on Linux in
// chunks placed in a section of their own, see below). Swift compiles
// a global array of integer literals into a statically initialised object
// (no work at start but a `swift_once`), and quickly: 15,000 words (120 KB)
// took 1.3 s to compile at -Onone and 4.4 s at -O here. Decoding a string
// literal instead would cost instructions at every start (Swift string
// literals must be valid UTF-8, so raw bytes need an escape).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmberVM

/// Files and streams go through the port library, as the VM's own do.
let port = PortLibrary()

/// Reports on standard error and exits with `status` (sysexits.h). (The
/// port library has no exit slot: ARCHITECTURE.md, "Known gaps".)
func fail(_ message: String, _ status: Int32) -> Never {
    PortLibrary().write(2, message + "\n")
    exit(status)
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else { fail("usage: amber-core-image OUTPUT.swift", 64) }
let bytes: [UInt8]
do {
    bytes = try VM.coreImageBytes()
} catch {
    fail("amber-core-image: could not bootstrap the core library: \(error)", 70)
}
var words = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
for (i, b) in bytes.enumerated() { words[i / 8] |= UInt64(b) << (8 * UInt64(i % 8)) }

/// A word as Swift source.
func literal(_ w: UInt64) -> String { w == 0 ? "0" : "0x" + String(w, radix: 16) }

var source = """
// Generated at build time by amber-core-image (Plugins/CoreImagePlugin): the
// core library, bootstrapped and written as an image of \(bytes.count) bytes,
// little-endian words. Do not edit; see ARCHITECTURE.md, "The built-in core image".

"""
source.reserveCapacity(words.count * 20 + 4096)
#if os(Linux)
// On Linux the words go in a section of their own, "amber_core_image", in
// chunks of 4,096 (a constant `InlineArray` has to be smaller than about
// 10,000 elements), which the linker keeps in order. The `amber` executable's
// link places the section on a page boundary (Sources/amber/core-image.ld), so
// the image's heap section can be mapped from the program's file instead of
// copied. NOTE: Swift aligns a global to at most 16 bytes; only the linker
// can align to a page.
let chunk = 4096
var k = 0
while k * chunk < words.count {
    let part = words[(k * chunk)..<min((k + 1) * chunk, words.count)]
    source += "@section(\"amber_core_image\") @used\n"
    source += "private let coreImageChunk\(k): InlineArray<\(part.count), UInt64> = [\n"
    var i = part.startIndex
    while i < part.endIndex {
        source += "    " + part[i..<min(i + 8, part.endIndex)].map(literal).joined(separator: ", ") + ",\n"
        i += 8
    }
    source += "]\n\n"
    k += 1
}
source += """
import AmberCoreImageHook

/// The image's bytes (AmberCoreImageHook finds this function by its C name):
/// the section's, or none (then the core is compiled) if the linker did not
/// keep the chunks together.
@_cdecl("_amber_builtin_core_image_data")
public func amberBuiltinCoreImageData(_ count: UnsafeMutablePointer<Int>) -> UnsafeRawPointer? {
    var bytes = 0
    let start = amber_core_image_section(&bytes)
    count.pointee = bytes == \(words.count * 8) ? \(bytes.count) : 0
    return count.pointee == 0 ? nil : start
}

"""
#else
source += "private let coreImageWords: [UInt64] = [\n"
var i = 0
while i < words.count {
    source += "    " + words[i..<min(i + 8, words.count)].map(literal).joined(separator: ", ") + ",\n"
    i += 8
}
source += """
]

/// The image's bytes (AmberCoreImageHook finds this function by its C name).
/// The array is an immutable global: its storage lives as long as the program.
@_cdecl("_amber_builtin_core_image_data")
public func amberBuiltinCoreImageData(_ count: UnsafeMutablePointer<Int>) -> UnsafeRawPointer? {
    count.pointee = \(bytes.count)
    return coreImageWords.withUnsafeBytes { $0.baseAddress! }
}

"""
#endif
let output = arguments[1]
guard case .success(let file) = port.fileSystem.open(Array(output.utf8), [.writeOnly, .create, .truncate]) else {
    fail("amber-core-image: cannot write '\(output)'", 73)
}
let written = source.withUTF8 { port.fileSystem.write(file, UnsafeRawBufferPointer($0), 0) }
guard case .success = written, case .success = port.fileSystem.close(file) else {
    fail("amber-core-image: cannot write '\(output)'", 74)
}
