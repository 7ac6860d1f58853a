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
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own header types, named directly by the sandbox's responses.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // Hummingbird's graceful shutdown, which the sandbox triggers itself.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // The sandbox's multipart/form-data parsing (uploads), not done by hand.
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // caspio.csv's parser and writer; its CSVReader reads an InputStream, so files stream.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // The shared store: PostgreSQL, and the tokens' encryption at rest with the
        // same swift-crypto that postgres-nio already builds.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev, linked, never vendored.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // libedit from Debian's libedit-dev (readline-compatible API), for the REPL's line editing.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The only code that touches libedit: input, Ctrl-C at the prompt, completion glue, history.
        .target(name: "CLineEditShim", dependencies: ["CEditLine"]),
        // The C trampoline and macro shims: the only code that lets Lua longjmp.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // Swift <-> Lua bridge; knows nothing of Caspio.
        .target(name: "LuaBridge", dependencies: ["CLua", "CLuaShim"]),
        // JSON <-> Lua values, decoding straight onto the Lua stack.
        .target(name: "LuaJSON", dependencies: ["LuaBridge", "CLua", "CLuaShim"]),
        // CSV <-> Lua rows, streaming, on yaslab/CSV.swift (caspio.csv's native half).
        .target(
            name: "LuaCSV",
            dependencies: ["LuaBridge", "LuaJSON", "CLua", "CLuaShim", .product(name: "CSV", package: "CSV.swift")]
        ),
        // Compiles the module's Lua chunks to bytecode at build time, for the plugin below.
        .executableTarget(name: "LuaChunkCompiler", dependencies: ["CLua", "CLuaShim"]),
        // Runs LuaChunkCompiler on a target's .lua resources: generated ModuleBytecode.swift.
        .plugin(name: "ModuleBytecode", capability: .buildTool(), dependencies: ["LuaChunkCompiler"]),
        // The `caspio` Lua module that scripts `require`.
        .target(
            name: "CaspioModule",
            dependencies: [
                "LuaBridge", "LuaJSON", "LuaCSV", "CaspioClient", "CLua", "SQLiteLayer",
                .product(name: "Logging", package: "swift-log"),
            ],
            // The Lua half, one file per concern, loaded in ModuleContract.chunks' order.
            resources: [
                .embedInCode("Lua/errors.lua"), .embedInCode("Lua/options.lua"), .embedInCode("Lua/requests.lua"), .embedInCode("Lua/dialect.lua"), .embedInCode("Lua/objects.lua"),
                .embedInCode("Lua/where.lua"),
                .embedInCode("Lua/paging.lua"), .embedInCode("Lua/tables.lua"), .embedInCode("Lua/sql.lua"), .embedInCode("Lua/files.lua"),
                .embedInCode("Lua/running.lua"),
                // The rest of Caspio.
                .embedInCode("Lua/dates.lua"), .embedInCode("Lua/resources.lua"), .embedInCode("Lua/design.lua"),
                .embedInCode("Lua/attachments.lua"), .embedInCode("Lua/passwords.lua"), .embedInCode("Lua/folders.lua"),
                .embedInCode("Lua/webhooks.lua"), .embedInCode("Lua/account.lua"),
                // Data jobs: CSV, column order and types, upsert, export.
                .embedInCode("Lua/csv.lua"), .embedInCode("Lua/columns.lua"), .embedInCode("Lua/show.lua"), .embedInCode("Lua/upsert.lua"),
                .embedInCode("Lua/export.lua"), .embedInCode("Lua/dryrun.lua"),
                // A live SQL copy of tables: caspio.mirror.
                .embedInCode("Lua/mirrortargets.lua"), .embedInCode("Lua/mirror.lua"),
            ],
            // The same chunks as bytecode, loaded in their place when the Lua library reads it.
            plugins: [.plugin(name: "ModuleBytecode")]
        ),
        // The native Caspio client: configuration, tokens, transport. No Lua in it.
        .target(
            name: "CaspioClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // The PostgreSQL store (`--store postgres://…`): tokens, run locks, script state and the
        // usage ledger shared by every host. Only the CLI links it; the client knows the protocols.
        .target(
            name: "CaspioStore",
            dependencies: [
                "CaspioClient",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // A mirror's PostgreSQL target: caspio.mirror's TargetDatabase on postgres-nio, its URL
        // read as the store's. Only the commands link it, as they do the store.
        .target(
            name: "PostgresTarget",
            dependencies: [
                "CaspioModule", "CaspioStore", "CaspioClient", "SQLiteLayer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // SQLite 3 from Debian's libsqlite3-dev, linked, never vendored.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // A small layer over one SQLite connection: the sandbox's storage and caspio.mirror's SQLite targets.
        .target(name: "SQLiteLayer", dependencies: ["CSQLite"]),
        // `caspio sandbox`: a Caspio-compatible server (OAuth, records, tables, files) on loopback.
        // A product target, not test support: users run it to try scripts without an account.
        .target(
            name: "CaspioSandbox",
            dependencies: [
                "SQLiteLayer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                // Webhook delivery to loopback URLs; already built for the client.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // Deliveries signed with HMAC-SHA256; already built for the shared store.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Real HTTP(S) servers on loopback for tests: a recording server and a fake Caspio.
        .target(
            name: "CaspioTestSupport",
            dependencies: [
                "CaspioSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // `caspio repl`: evaluator, pretty-printer, completion, line editor, REPL commands.
        .target(
            name: "CaspioREPL",
            dependencies: ["LuaBridge", "LuaJSON", "CaspioModule", "CaspioClient", "CLua", "CLuaShim", "CLineEditShim"]
        ),
        // The commands: parsing, validation and what each does. A library, so that tests
        // parse and validate commands in process.
        .target(
            name: "CaspioCommands",
            dependencies: [
                "LuaBridge", "CaspioModule", "CaspioClient", "CLuaShim", "CaspioREPL", "CaspioSandbox", "CaspioStore", "PostgresTarget",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // `caspio mirror --listen`: the webhook receiver, on the sandbox's server.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The built-in Lua of `caspio export` and `caspio import`.
            resources: [.embedInCode("Jobs/progress.lua"), .embedInCode("Jobs/export.lua"), .embedInCode("Jobs/import.lua"), .embedInCode("Jobs/mirror.lua")]
        ),
        // The executable: its entry point alone. Its release link on Linux is shaped for start-up
        // (BENCHMARKS.md, start-up): lld, so that the ~143,000 relative relocations are packed
        // (DT_RELR: needs glibc 2.36, which dpkg-shlibdeps misses and scripts/package adds), and
        // no dynamic symbol table of the whole Swift runtime (nothing looks our symbols up).
        .executableTarget(
            name: "CaspioCLI",
            dependencies: ["CaspioCommands"],
            linkerSettings: [
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                    .when(platforms: [.linux], configuration: .release)
                ),
            ]
        ),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge", "CLua", "CLuaShim"]),
        .testTarget(name: "LuaJSONTests", dependencies: ["LuaJSON", "LuaBridge"]),
        .testTarget(name: "CaspioClientTests", dependencies: ["CaspioClient", "CaspioSandbox", "CaspioTestSupport"]),
        // Pure logic runs in the test process (the module linked); process tests spawn the binary.
        .testTarget(
            name: "CaspioModuleTests",
            dependencies: [
                "CaspioModule", "LuaBridge", "LuaJSON", "CaspioClient", "CaspioSandbox", "CaspioTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CaspioCLITests", dependencies: ["CaspioTestSupport", "SQLiteLayer", "CaspioSandbox"]),
        // The commands parsed, validated and put together in process; no binary spawned.
        .testTarget(
            name: "CaspioCommandsTests",
            dependencies: [
                "CaspioCommands", "CaspioClient", "CaspioSandbox", "CaspioTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CaspioREPLTests", dependencies: ["CaspioREPL", "CaspioModule", "LuaBridge", "LuaJSON", "CaspioTestSupport"]),
        // The store: its parts in process, and `caspio` processes as hosts, on a real PostgreSQL.
        .testTarget(
            name: "CaspioStoreTests",
            dependencies: ["CaspioStore", "CaspioClient", "CaspioTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "CaspioSandboxTests",
            dependencies: [
                // CaspioClient for its request executor: walks against a process run off Swift's pool.
                "CaspioSandbox", "CaspioTestSupport", "CaspioClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
    ]
)
