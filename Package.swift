// swift-tools-version: 6.0
//
// Amber: a Wren 0.4 virtual machine whose running state can be written to an
// image and resumed later. See README.md for the two everyday commands.
//
// Targets (ARCHITECTURE.md, "Layers"):
//   AmberObjects   the object model: values, object layouts, the heap. Its API is
//                  `@_spi(AmberInternals) public`: the targets above import it with
//                  that SPI, hosts never see it (ARCHITECTURE.md, "Layers").
//   AmberVM        the embeddable VM (compiler, interpreter, core library, images,
//                  FFI, the Swift embedding API). No unsafeFlags: it must stay
//                  usable as a package dependency.
//   AmberLauncher  option parsing, script running, REPL and exit codes; shared by
//                  the `amber` executable and the tests (which run it in-process).
//   amber          the command-line launcher, a thin main over AmberLauncher (its
//                  release build links the Swift runtime statically).
//   embedding-sample  Samples/embedding: a Swift host built on AmberVM.
//   CFFI           system-library module for libffi (needs libffi-dev / pkg-config libffi).
import PackageDescription

let package = Package(
    name: "Amber",
    // macOS 15: the Synchronization module's Atomic (interrupts from other threads).
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AmberVM", targets: ["AmberVM"]),
        .executable(name: "amber", targets: ["amber"]),
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
        .target(name: "AmberVM", dependencies: ["AmberObjects", "CFFI", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AmberLauncher", dependencies: ["AmberVM"]),
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
        // Samples/embedding: a Swift host restoring 8 workers from one image.
        .executableTarget(name: "embedding-sample", dependencies: ["AmberVM"], path: "Samples/embedding",
                          exclude: ["README.md"]),
        // The embedding API as a host sees it: `import AmberVM`, nothing internal.
        .testTarget(name: "AmberEmbeddingTests", dependencies: ["AmberVM"]),
        .testTarget(
            name: "AmberTests",
            dependencies: ["AmberObjects", "AmberVM", "AmberLauncher"],
            resources: [.copy("Scripts")]
        ),
    ]
)
