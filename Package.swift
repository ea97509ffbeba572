// swift-tools-version:6.2
// 6.2: what the dependencies need (async-http-client 1.37 and swift-log declare 6.2, GRDB 7.10 6.1).
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
        // The PatrolRevoke tests' local HTTP server, which stands in for the providers.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // verify and revoke: HTTP over NIO and BoringSSL, linked in. Foundation's URLSession
        // loads libcurl and some 30 libraries on every start of patrol, ~8 ms of each hook run.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        // libarchive: what opens zip-family files, tar, gzip, bzip2, xz and zstd for scanning inside.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        // The rule model and the rule-file parser: PatrolKit's, and the build tool's that compiles
        // patterns/*.yml into Swift.
        .target(
            name: "PatrolRules",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "RuleEmbedder",
            dependencies: ["PatrolRules"],
            path: "Sources/RuleEmbedder",
            swiftSettings: strict
        ),
        .plugin(
            name: "EmbedRules",
            capability: .buildTool(),
            dependencies: ["RuleEmbedder"]
        ),
        // The commit patrol is built from, for `patrol --version`, written into the build folder.
        .plugin(
            name: "BuildCommit",
            capability: .buildTool()
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
                "CArchive",
                "PatrolRules",
                .product(name: "Crypto", package: "swift-crypto"),
                "PatrolCache",
            ],
            // GRDB, loaded through PatrolCache, adds SQL operators (==, || on expressions) that
            // would be visible in every file and slow type-checking of plain comparisons to a
            // halt; with this, a file sees only the members of modules it imports itself.
            swiftSettings: strict + [.enableUpcomingFeature("MemberImportVisibility")],
            plugins: ["EmbedRules"]
        ),
        // Verification and revocation clients: the only module that makes HTTP requests.
        .target(
            name: "PatrolRevoke",
            dependencies: [
                "PatrolKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // HMAC-SHA256 and SHA-256 of AWS Signature Version 4.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "patrol",
            dependencies: [
                "PatrolKit",
                "PatrolRevoke",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict,
            plugins: ["BuildCommit"]
        ),
        // The binary locator and process runner of the end-to-end tests, shared by the test targets.
        .target(
            name: "PatrolTestSupport",
            path: "Tests/PatrolTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "PatrolKitTests",
            dependencies: ["PatrolKit", "PatrolRules"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "patrolTests",
            dependencies: [
                "PatrolKit",
                "PatrolTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                // The CI templates' test parses them.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // The command line's own parsing, against ArgumentParser (the executable, @testable).
        .testTarget(
            name: "patrolCLITests",
            dependencies: [
                "patrol",
                "PatrolKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PatrolRevokeTests",
            dependencies: [
                "PatrolKit",
                "PatrolRevoke",
                "PatrolTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
