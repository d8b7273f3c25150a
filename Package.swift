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
//   AmberCoreImage the built-in core image: the core library bootstrapped at build
//                  time by amber-core-image (through Plugins/CoreImagePlugin) and
//                  linked in as bytes; AmberVM finds it through a weak symbol
//                  (AmberCoreImageHook), so it needs no dependency on it
//                  (ARCHITECTURE.md, "The built-in core image").
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
        // With the core image: a host's VMs start without compiling the core library.
        .library(name: "AmberVM", targets: ["AmberVM", "AmberCoreImage"]),
        .executable(name: "amber", targets: ["amber"]),
    ],
    dependencies: [
        // `swift package generate-documentation --target AmberVM` (the DocC catalogue).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // libffi, for the ffi module (Sources/AmberVM/FFI only imports it).
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi",
                       providers: [.apt(["libffi-dev"])]),
        // The object model: NaN-boxed values, object layouts, the VM-owned heap.
        .target(name: "AmberObjects"),
        // A header holding the weak reference to the built-in core image.
        .systemLibrary(name: "AmberCoreImageHook", path: "Sources/AmberCoreImageHook"),
        .target(name: "AmberVM", dependencies: ["AmberObjects", "CFFI", "AmberCoreImageHook"]),
        // The built-in core image: the tool bootstraps the core library, the plugin
        // runs it whenever the tool (so AmberVM) changes, the target carries the bytes.
        .executableTarget(name: "amber-core-image", dependencies: ["AmberVM"]),
        .plugin(name: "CoreImagePlugin", capability: .buildTool(), dependencies: ["amber-core-image"]),
        .target(name: "AmberCoreImage", plugins: ["CoreImagePlugin"]),
        .target(name: "AmberLauncher", dependencies: ["AmberVM", "AmberCoreImage"]),
        // The Swift runtime linked in (release, Linux): no dynamic loading of
        // libswiftCore and friends at every start (start-up 5.0 -> 2.9 ms for a
        // hello world). An executable's flag: AmberVM, the library, has none.
        .executableTarget(name: "amber", dependencies: ["AmberLauncher"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]),
        // Samples/embedding: a Swift host restoring 8 workers from one image.
        .executableTarget(name: "embedding-sample", dependencies: ["AmberVM", "AmberCoreImage"], path: "Samples/embedding",
                          exclude: ["README.md"]),
        // The embedding API as a host sees it: `import AmberVM`, nothing internal.
        .testTarget(name: "AmberEmbeddingTests", dependencies: ["AmberVM", "AmberCoreImage"]),
        .testTarget(
            name: "AmberTests",
            dependencies: ["AmberObjects", "AmberVM", "AmberCoreImage", "AmberLauncher"],
            resources: [.copy("Scripts")]
        ),
    ]
)
