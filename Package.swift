// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "spur",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spur", targets: ["spur"]),
        // Claude Code's Bash hooks: answers the hot cases itself, hands anything else to `spur hook claude`.
        .executable(name: "spur-hook", targets: ["spur-hook"]),
        .library(name: "SpurKit", targets: ["SpurKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libgit2 as installed by Debian's libgit2-dev.
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // The only module that imports CGit2: owned handles, one error type.
        .target(name: "SpurGit", dependencies: ["CGit2"]),
        // Linux process and file-event calls Swift cannot reach directly (pidfd, signalfd, spawn).
        .target(name: "CSystem"),
        // What the hook's hot path reads and writes, with neither Foundation nor libgit2 (so
        // `spur-hook` starts in a millisecond or two): JSON, fingerprints, the Bash guard's
        // cache and records, where spur keeps them. SpurKit uses the same code.
        .target(name: "SpurHookCore", dependencies: ["CSystem"]),
        // The domain: snapshots, lanes, overlap, merge, supervision, hook decisions.
        .target(name: "SpurKit", dependencies: ["SpurGit", "CSystem", "SpurHookCore"]),
        .executableTarget(
            name: "spur",
            dependencies: [
                "SpurKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "spur-hook", dependencies: ["SpurHookCore", "CSystem"]),
        // Temporary repositories, fixtures and subprocess helpers shared by the test suites.
        .target(name: "SpurTestSupport", dependencies: ["SpurGit"], path: "Tests/SpurTestSupport"),
        .testTarget(name: "SpurGitTests", dependencies: ["SpurGit", "SpurTestSupport"]),
        .testTarget(name: "SpurKitTests", dependencies: ["SpurKit", "SpurGit", "SpurTestSupport"],
                    exclude: ["Snapshot/DIFFERENCES.md"]),
        // Runs the built `spur` executable as a user would.
        .testTarget(name: "SpurCLITests", dependencies: ["SpurKit", "SpurHookCore", "SpurTestSupport", "spur", "spur-hook"]),
    ],
    swiftLanguageModes: [.v6]
)
