// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "caspio-lua",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "caspio", targets: ["CaspioCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev, linked, never vendored.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // The C trampoline and macro shims: the only code that lets Lua longjmp.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // Swift <-> Lua bridge; knows nothing of Caspio.
        .target(name: "LuaBridge", dependencies: ["CLua", "CLuaShim"]),
        // JSON <-> Lua values, decoding straight onto the Lua stack.
        .target(name: "LuaJSON", dependencies: ["LuaBridge", "CLua", "CLuaShim"]),
        // The `caspio` Lua module that scripts `require`.
        .target(name: "CaspioModule", dependencies: ["LuaBridge", "LuaJSON"]),
        // The command line.
        .executableTarget(
            name: "CaspioCLI",
            dependencies: [
                "LuaBridge", "CaspioModule", "CLuaShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge", "CLua", "CLuaShim"]),
        .testTarget(name: "LuaJSONTests", dependencies: ["LuaJSON", "LuaBridge"]),
        .testTarget(name: "CaspioCLITests"),
    ]
)
