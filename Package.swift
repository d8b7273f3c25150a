// swift-tools-version: 6.0
//
// Amber: a Wren 0.4 virtual machine whose running state can be written to an
// image and resumed later. See README.md for the two everyday commands.
//
// Targets (ARCHITECTURE.md, "Layers"):
//   AmberObjects   the object model: values, object layouts, the heap. Its API is
//                  `@_spi(AmberInternals) public`: the targets above import it with
//                  that SPI, hosts never see it.
//   AmberBytecode  the instruction set as one table (operands, stack effects,
//                  control flow) and what reads code without running it: the
//                  instruction walker, the stack-height check, the disassembler.
//                  Not API: its declarations are `package`.
//   AmberVM        the embeddable VM (compiler, interpreter, core library, images,
//                  FFI, the Swift embedding API). No unsafeFlags: it must stay
//                  usable as a package dependency.
//   AmberLauncher  option parsing, script running, REPL and exit codes; shared by
//                  the `amber` executable and the tests (which run it in-process).
//   amber          the command-line launcher, a thin main over AmberLauncher (its
//                  release build links the Swift runtime statically).
//   embedding-sample  Samples/embedding: a Swift host built on AmberVM.
//   CAmberWren     the C API's headers: wren.h (Wren 0.4's API) and amber.h (snapshots).
//   AmberWren      libAmberWren.so, the C API over AmberVM (a drop-in libwren for C hosts).
//   CFFI           system-library module for libffi (needs libffi-dev / pkg-config libffi).
//
// Debug aids (debug builds only, `#if DEBUG`; nothing in release builds):
//   the dispatch loop checks the stack height against the function's slot
//   count before every instruction (Interpreter.swift, `maxSlots`).
import PackageDescription

let package = Package(
    name: "Amber",
    // macOS 15: the Synchronization module's Atomic (interrupts from other threads).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AmberVM", targets: ["AmberVM"]),
        .executable(name: "amber", targets: ["amber"]),
        // libAmberWren.so: Wren 0.4's C API (wren.h) and snapshots (amber.h) for C hosts.
        .library(name: "AmberWren", type: .dynamic, targets: ["AmberWren"]),
    ],
    dependencies: [
        // `swift package generate-documentation --target AmberVM` (the DocC catalogue).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // HMAC-SHA-256 and SHA-256 for signed images (Image/ImageSigning.swift).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libffi, for the ffi module (Sources/AmberVM/FFI only imports it).
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi",
                       providers: [.apt(["libffi-dev"])]),
        // The object model: NaN-boxed values, object layouts, the VM-owned heap.
        .target(name: "AmberObjects"),
        // The instruction table, the walker, the stack check, the disassembler.
        .target(name: "AmberBytecode"),
        .target(name: "AmberVM", dependencies: ["AmberObjects", "AmberBytecode", "CFFI",
                                                .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AmberLauncher", dependencies: ["AmberVM"]),
        // The C API's headers, include/wren.h and include/amber.h (their one .c file is empty).
        .target(name: "CAmberWren"),
        // The C API itself: @_cdecl functions over AmberVM's slot API and host hooks.
        .target(name: "AmberWren", dependencies: ["AmberVM", "CAmberWren"]),
        // The Swift runtime linked in (release, Linux): no dynamic loading of
        // libswiftCore and friends at every start (start-up 5.0 -> 2.9 ms for a
        // hello world). An executable's flag: AmberVM, the library, has none.
        // swift-crypto (signed images) brings Foundation, whose static archive
        // needs CoreFoundation and ICU named after it: static archives carry no
        // autolink entries the linker reads.
        .executableTarget(name: "amber", dependencies: ["AmberLauncher"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "-lCoreFoundation",
                                                         "-Xlinker", "-l_FoundationICU", "-Xlinker", "-lFoundationEssentials",
                                                         "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections"],
                                                        .when(platforms: [.linux], configuration: .release))]),
        // Samples/c-host: a C host of the C API (its README also builds it by hand against libAmberWren.so).
        .executableTarget(name: "c-host-sample", dependencies: ["AmberWren", "CAmberWren"], path: "Samples/c-host",
                          exclude: ["README.md"]),
        // Samples/embedding: a Swift host restoring 8 workers from one image.
        .executableTarget(name: "embedding-sample", dependencies: ["AmberVM"], path: "Samples/embedding",
                          exclude: ["README.md"]),
        // The embedding API as a host sees it: `import AmberVM`, nothing internal.
        .testTarget(name: "AmberEmbeddingTests", dependencies: ["AmberVM"]),
        // The C API through C hosts (Tests/CHost/*.c, compiled with cc and linked to libAmberWren.so).
        .testTarget(name: "AmberWrenTests", dependencies: ["AmberWren"]),
        .testTarget(
            name: "AmberTests",
            dependencies: ["AmberObjects", "AmberBytecode", "AmberVM", "AmberLauncher"],
            resources: [.copy("Scripts")]
        ),
    ]
)
