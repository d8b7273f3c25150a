// swift-tools-version: 6.0
//
// libFuzzer targets for Amber's compiler and image reader. A separate package:
// the main build and its tests never need it. See Fuzz/README.md.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, whatever the clone is called.
let amber = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

let package = Package(
    name: "AmberFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "fuzz-compiler", dependencies: ["FuzzDriver", .product(name: "AmberVM", package: amber)]),
        .executableTarget(name: "fuzz-image", dependencies: ["FuzzDriver", .product(name: "AmberVM", package: amber)]),
    ]
)
