// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The built-in platform plugins: target `<Name>Plugin` in the folder `Plugins/<Name>`.
let pluginNames = ["Xiaohongshu", "Douyin", "Kuaishou", "Bilibili"]
let plugins: [Target.Dependency] = pluginNames.map { .byName(name: "\($0)Plugin") }

let package = Package(
  name: "LinkNormalizer",
  products: [
    .library(name: "LinkNormalizerCore", targets: ["LinkNormalizerCore"]),
    .library(name: "PCRE2", targets: ["PCRE2"]),
    .library(name: "JSONValue", targets: ["JSONValue"]),
    .library(name: "URLSessionTransport", targets: ["URLSessionTransport"]),
    .executable(name: "normalize", targets: ["normalize"]),
  ] + pluginNames.map { .library(name: "\($0)Plugin", targets: ["\($0)Plugin"]) },
  targets: [
    // C libraries from Debian, through system-library targets.
    .systemLibrary(
      name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"])]),

    // PCRE2 wrapper: compile once (UTF + JIT), match Swift strings without copying.
    .target(name: "PCRE2", dependencies: ["CPCRE2"], path: "Sources/PCRE2", swiftSettings: strict),

    // The core: protocol, registry, fallback chain, extraction, canonicalization. Names no platform.
    .target(
      name: "LinkNormalizerCore", dependencies: ["PCRE2"], path: "Sources/LinkNormalizerCore",
      swiftSettings: strict),

    // A small strict JSON parser (RFC 8259) without Foundation.
    .target(name: "JSONValue", path: "Sources/JSONValue", swiftSettings: strict),

    // Rule packs: platforms declared in JSON.
    .target(
      name: "RulePacks", dependencies: ["LinkNormalizerCore", "PCRE2", "JSONValue"], path: "Sources/RulePacks",
      swiftSettings: strict),

    // libcurl's easy interface loaded at run time (dlopen): prototypes and constants only, no
    // link-time dependency on libcurl.
    .target(name: "CCurlShim", path: "Sources/CCurlShim"),

    // Remote short-link resolution: an HTTP transport (libcurl loaded at run time, no redirects,
    // hard deadline, capped body) and the redirect resolver. Names no platform; no Foundation.
    .target(
      name: "RemoteResolution", dependencies: ["LinkNormalizerCore", "CCurlShim"], path: "Sources/RemoteResolution",
      swiftSettings: strict),
    // The same transport contract on Foundation's URLSession, for library users who want it.
    .target(
      name: "URLSessionTransport", dependencies: ["LinkNormalizerCore", "RemoteResolution"],
      path: "Sources/URLSessionTransport", swiftSettings: strict),
    // The Just One API share-convert client and resolver. Names no platform.
    .target(
      name: "JustOneAPI", dependencies: ["LinkNormalizerCore", "RemoteResolution", "JSONValue"],
      path: "Sources/JustOneAPI", swiftSettings: strict),

    // The `normalize` command: argument parsing, streaming I/O, output formats (a library so tests
    // can reach its pieces), and a thin executable.
    .target(
      name: "NormalizeCommand",
      dependencies: [
        "LinkNormalizerCore", "RulePacks", "RemoteResolution", "JustOneAPI", "SQLiteCache",
      ] + plugins,
      path: "Sources/NormalizeCommand", swiftSettings: strict),
    .executableTarget(
      name: "normalize", dependencies: ["NormalizeCommand"], path: "Sources/normalize", swiftSettings: strict),

    // Benchmarks: release-mode executable that prints figures.
    .executableTarget(
      name: "normalize-bench",
      dependencies: [
        "LinkNormalizerCore", "RulePacks", "PCRE2", "LinkNormalizerTestSupport",
      ] + plugins,
      path: "Sources/Benchmarks", swiftSettings: strict),

    // Test support shipped as its own target (recording handler, example runner).
    .target(
      name: "LinkNormalizerTestSupport", dependencies: ["LinkNormalizerCore"],
      path: "Sources/LinkNormalizerTestSupport", swiftSettings: strict),

    // Persistent short-link resolution cache (SQLite from Debian), its multi-process stress
    // helper (spawned by the tests), and its tests.
    .systemLibrary(
      name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]),
    .target(
      name: "SQLiteCache", dependencies: ["CSQLite", "LinkNormalizerCore"], path: "Sources/SQLiteCache",
      swiftSettings: strict),
    .executableTarget(
      name: "cache-stress", dependencies: ["SQLiteCache", "LinkNormalizerCore", "LinkNormalizerTestSupport"],
      path: "Sources/CacheStress",
      swiftSettings: strict),
    .testTarget(
      name: "SQLiteCacheTests", dependencies: ["SQLiteCache", "LinkNormalizerCore", "LinkNormalizerTestSupport"],
      path: "Tests/SQLiteCacheTests", swiftSettings: strict),

    .testTarget(name: "PCRE2Tests", dependencies: ["PCRE2"], path: "Tests/PCRE2Tests", swiftSettings: strict),
    .testTarget(
      name: "LinkNormalizerCoreTests",
      dependencies: ["LinkNormalizerCore", "LinkNormalizerTestSupport", "PCRE2"],
      path: "Tests/LinkNormalizerCoreTests", swiftSettings: strict),
    .testTarget(
      name: "PluginExampleTests",
      dependencies: ["LinkNormalizerCore", "LinkNormalizerTestSupport"] + plugins,
      path: "Tests/PluginExampleTests", swiftSettings: strict),
    .testTarget(
      name: "RulePackTests",
      dependencies: [
        "RulePacks", "LinkNormalizerCore", "LinkNormalizerTestSupport", "XiaohongshuPlugin", "RemoteResolution",
      ],
      path: "Tests/RulePackTests", swiftSettings: strict),
    .testTarget(
      name: "WriteYourOwnPlatformTests", dependencies: ["LinkNormalizerCore", "LinkNormalizerTestSupport", "PCRE2"],
      path: "Tests/WriteYourOwnPlatformTests", swiftSettings: strict),
    .testTarget(
      name: "NormalizeEndToEndTests", dependencies: ["NormalizeCommand", "LinkNormalizerTestSupport"],
      path: "Tests/NormalizeEndToEndTests", swiftSettings: strict),
    .testTarget(
      name: "RemoteResolutionTests",
      dependencies: [
        "RemoteResolution", "URLSessionTransport", "LinkNormalizerCore", "LinkNormalizerTestSupport", "PCRE2",
        "XiaohongshuPlugin",
      ],
      path: "Tests/RemoteResolutionTests", swiftSettings: strict),
    .testTarget(
      name: "JSONValueTests", dependencies: ["JSONValue"], path: "Tests/JSONValueTests", swiftSettings: strict),
    .testTarget(
      name: "JustOneAPITests",
      dependencies: [
        "JustOneAPI", "RemoteResolution", "LinkNormalizerCore", "LinkNormalizerTestSupport", "PCRE2",
        "XiaohongshuPlugin",
      ],
      path: "Tests/JustOneAPITests", swiftSettings: strict),
  ]
    // Platform plugins: one folder each under Plugins/, each its own target with an explicit path.
    + pluginNames.map {
      .target(
        name: "\($0)Plugin", dependencies: ["LinkNormalizerCore", "PCRE2"], path: "Plugins/\($0)",
        swiftSettings: strict)
    },
  swiftLanguageModes: [.v6]
)
