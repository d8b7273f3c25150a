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
//   AmberCoreImage the built-in core image: the core library bootstrapped at build
//                  time by amber-core-image (through Plugins/CoreImagePlugin) and
//                  linked in as bytes; AmberVM finds it through a weak symbol
//                  (AmberCoreImageHook), so it needs no dependency on it
//                  (ARCHITECTURE.md, "The built-in core image").
//   AmberLauncher  option parsing, script running, REPL and exit codes; shared by
//                  the `amber` executable and the tests (which run it in-process).
//   amber          the command-line launcher, a thin main over AmberLauncher (its
//                  release build on Linux is fully static).
//   amber-dynamic  the same launcher with the system's C library linked dynamically,
//                  for the ffi module (`amber --allow-ffi` runs it).
//   embedding-sample  Samples/embedding: a Swift host built on AmberVM.
//   CAmberWren     the C API's headers: wren.h (Wren 0.4's API) and amber.h (snapshots).
//   AmberWren      libAmberWren.so, the C API over AmberVM (a drop-in libwren for C hosts).
//   CFFI           system-library module for libffi (needs libffi-dev / pkg-config libffi).
//
// Debug aids (debug builds only, `#if DEBUG`; nothing in release builds):
//   the dispatch loop checks the stack height against the function's slot
//   count before every instruction (Interpreter.swift, `maxSlots`).
import PackageDescription

/// This package's directory (for the release `amber`'s linker search path).
let packageDirectory = String(#filePath.dropLast("/Package.swift".count))

let package = Package(
    name: "Amber",
    // macOS 15: the Synchronization module's Atomic (interrupts from other threads).
    platforms: [.macOS(.v15)],
    products: [
        // With the core image: a host's VMs start without compiling the core library.
        .library(name: "AmberVM", targets: ["AmberVM", "AmberCoreImage"]),
        .executable(name: "amber", targets: ["amber"]),
        // The same launcher linked against the system's C library, for the ffi module.
        .executable(name: "amber-dynamic", targets: ["amber-dynamic"]),
        // libAmberWren.so: Wren 0.4's C API (wren.h) and snapshots (amber.h) for C hosts.
        .library(name: "AmberWren", type: .dynamic, targets: ["AmberWren"]),
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
        // The instruction table, the walker, the stack check, the disassembler.
        .target(name: "AmberBytecode"),
        // A header holding the weak reference to the built-in core image.
        .systemLibrary(name: "AmberCoreImageHook", path: "Sources/AmberCoreImageHook"),
        .target(name: "AmberVM", dependencies: ["AmberObjects", "AmberBytecode", "CFFI", "AmberCoreImageHook"]),
        // The built-in core image: the tool bootstraps the core library, the plugin
        // runs it whenever the tool (so AmberVM) changes, the target carries the bytes.
        .executableTarget(name: "amber-core-image", dependencies: ["AmberVM"]),
        .plugin(name: "CoreImagePlugin", capability: .buildTool(), dependencies: ["amber-core-image"]),
        .target(name: "AmberCoreImage", dependencies: ["AmberCoreImageHook"], plugins: ["CoreImagePlugin"]),
        .target(name: "AmberLauncher", dependencies: ["AmberVM", "AmberCoreImage"]),
        // The C API's headers, include/wren.h and include/amber.h (their one .c file is empty).
        .target(name: "CAmberWren"),
        // The C API itself: @_cdecl functions over AmberVM's slot API and host hooks.
        .target(name: "AmberWren", dependencies: ["AmberVM", "AmberCoreImage", "CAmberWren"]),
        // The release `amber` on Linux is one fully static executable (ARCHITECTURE.md,
        // "Start-up"): no dynamic loader before `main` (a Swift program linking glibc
        // dynamically spends about 1 ms there on this machine, a static one 0.1).
        //   -static-executable    Swift runtime, libstdc++, libgcc, libffi and glibc in
        //   -L StaticLibraries    linker scripts that turn -lstdc++ and -lffi into
        //                         their archives; GNU ld reads them (gold did not)
        //   -T core-image.ld      the built-in core image on a page boundary, so
        //                         it is mapped from the file, not copied
        // The ffi module needs the dynamic loader: `--allow-ffi` hands the command
        // to `amber-dynamic` (Sources/AmberLauncher/DynamicSibling.swift), which
        // `amber` depends on so that building one builds both.
        .executableTarget(name: "amber", dependencies: ["AmberLauncher", "amber-dynamic"],
                          exclude: ["StaticLibraries", "core-image.ld"],
                          linkerSettings: [.unsafeFlags(["-static-executable", "-use-ld=bfd",
                                                         "-L", packageDirectory + "/Sources/amber/StaticLibraries",
                                                         "-Xlinker", "-T", "-Xlinker", packageDirectory + "/Sources/amber/core-image.ld"],
                                                        .when(platforms: [.linux], configuration: .release))]),
        // `amber-dynamic`: the launcher with glibc dynamic, so dlopen and Library.process
        // work; the Swift runtime, libstdc++, libgcc and libffi linked in.
        //   -static-stdlib        the Swift runtime (start-up 5.0 -> 2.9 ms)
        //   -static-libgcc        no libgcc_s.so
        //   -no-pie               no 16,500 relative relocations at every start
        //                         (-220 thousand instructions, 40 fewer page faults)
        //   --no-export-dynamic   the driver exports every symbol; nothing looks
        //                         them up (-48 thousand instructions)
        // Executable flags only: AmberVM, the library, has no unsafeFlags.
        .executableTarget(name: "amber-dynamic", dependencies: ["AmberLauncher"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib", "-use-ld=bfd",
                                                         "-L", packageDirectory + "/Sources/amber/StaticLibraries",
                                                         "-Xclang-linker", "-static-libgcc", "-Xclang-linker", "-no-pie",
                                                         "-Xlinker", "--no-export-dynamic",
                                                         "-Xlinker", "-T", "-Xlinker", packageDirectory + "/Sources/amber/core-image.ld"],
                                                        .when(platforms: [.linux], configuration: .release))]),
        // Samples/c-host: a C host of the C API (its README also builds it by hand against libAmberWren.so).
        .executableTarget(name: "c-host-sample", dependencies: ["AmberWren", "CAmberWren"], path: "Samples/c-host",
                          exclude: ["README.md"]),
        // Samples/embedding: a Swift host restoring 8 workers from one image.
        .executableTarget(name: "embedding-sample", dependencies: ["AmberVM", "AmberCoreImage"], path: "Samples/embedding",
                          exclude: ["README.md"]),
        // Benchmarks/api: the Swift API's calls beside Wren's api_call.
        .executableTarget(name: "api-call-bench", dependencies: ["AmberVM", "AmberCoreImage"], path: "Benchmarks/api"),
        // The embedding API as a host sees it: `import AmberVM`, nothing internal.
        .testTarget(name: "AmberEmbeddingTests", dependencies: ["AmberVM", "AmberCoreImage"]),
        // The C API through C hosts (Tests/CHost/*.c, compiled with cc and linked to libAmberWren.so).
        .testTarget(name: "AmberWrenTests", dependencies: ["AmberWren"]),
        .testTarget(
            name: "AmberTests",
            dependencies: ["AmberObjects", "AmberBytecode", "AmberVM", "AmberCoreImage", "AmberLauncher"],
            resources: [.copy("Scripts")]
        ),
    ]
)
