// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "patrol",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "patrol", targets: ["patrol"]),
        .library(name: "PatrolKit", targets: ["PatrolKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .executableTarget(
            name: "RuleEmbedder",
            path: "Sources/RuleEmbedder",
            swiftSettings: strict
        ),
        .plugin(
            name: "EmbedRules",
            capability: .buildTool(),
            dependencies: ["RuleEmbedder"]
        ),
        // The SQLite cache of `patrol sweep`, through GRDB: tables and transactions in plain types.
        .target(
            name: "PatrolCache",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "PatrolKit",
            dependencies: [
                "CPCRE2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                "PatrolCache",
            ],
            // GRDB, loaded through PatrolCache, adds SQL operators (==, || on expressions) that
            // would be visible in every file and slow type-checking of plain comparisons to a
            // halt; with this, a file sees only the members of modules it imports itself.
            swiftSettings: strict + [.enableUpcomingFeature("MemberImportVisibility")],
            plugins: ["EmbedRules"]
        ),
        .executableTarget(
            name: "patrol",
            dependencies: [
                "PatrolKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PatrolKitTests",
            dependencies: ["PatrolKit"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "patrolTests",
            dependencies: [
                "PatrolKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
