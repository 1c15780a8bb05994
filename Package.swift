// swift-tools-version:6.2
import PackageDescription

/// Every target of pantau's own: a compiler warning is an error, so warnings cannot pile up (CI builds with this).
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "pantau",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pantau", targets: ["pantau"]),
        .library(name: "Expressions", targets: ["Expressions"]),
        .library(name: "Questionnaire", targets: ["Questionnaire"]),
        .library(name: "Codebook", targets: ["Codebook"]),
        .library(name: "Interview", targets: ["Interview"]),
        .library(name: "Store", targets: ["Store"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        // The expression language: depends on nothing else in pantau (swift-crypto for digest()).
        .target(name: "Expressions", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // The one seeded random generator (SplitMix64): simulation, bootstrap and tests draw the same streams everywhere.
        .target(name: "Randomness", swiftSettings: strict),
        // The survey design: questionnaires (model, YAML reader, validators), survey plans, the sample frame's units.
        .target(name: "Questionnaire", dependencies: ["Expressions", "Yams"], swiftSettings: strict),
        // Codebooks and version diffs built from validated questionnaires, with their renderers.
        .target(name: "Codebook", dependencies: ["Questionnaire", "Expressions", "Tabular"], swiftSettings: strict),
        // The interview engine: a pure state machine over a questionnaire and the answers so far.
        .target(name: "Interview", dependencies: ["Questionnaire", "Expressions", "Randomness"], swiftSettings: strict),
        // CSV reading and writing, HTML and JSON text: shared by frame import, exports, reports and analysis input.
        .target(name: "Tabular", swiftSettings: strict),
        // The SQLite store through GRDB over the system libsqlite3: migrations, frame, interviews, audit log.
        .target(
            name: "Store",
            dependencies: [
                "Interview", "Questionnaire", "Expressions", "Tabular", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ], swiftSettings: strict),
        // .xlsx workbooks read and written (a zip of XML parts), shared by XLSForms and exports.
        .target(name: "Spreadsheet", dependencies: ["Tabular", "ZIPFoundation"], swiftSettings: strict),
        // XLSForms (.xlsx or a folder of CSV sheets) read as pantau questionnaires, with sheet:row:column diagnostics.
        .target(name: "XLSForm", dependencies: ["Questionnaire", "Tabular", "Spreadsheet"], swiftSettings: strict),
        // Data exports for analysts (wide and long CSV, Stata .dta, Excel .xlsx), read from the store.
        .target(name: "Exports", dependencies: ["Store", "Questionnaire", "Codebook", "Expressions", "Tabular", "Spreadsheet"], swiftSettings: strict),
        // The terminal front end over the engine: screens, the line protocol, commands, persistence per step.
        .target(name: "Runner", dependencies: ["Interview", "Store", "Questionnaire", "Expressions"], swiftSettings: strict),
        // Simulated panels: every interview driven through the engine, with known true effects.
        .target(name: "Simulation", dependencies: ["Interview", "Store", "Questionnaire", "Expressions", "Randomness"], swiftSettings: strict),
        // Analysis over plain in-memory data: indicators, panels and the DiD estimators. No database access.
        .target(name: "Analysis", dependencies: ["Questionnaire", "Expressions", "Randomness", "Yams"], swiftSettings: strict),
        // Renderers of analysis results: Markdown, CSV, JSON, LaTeX, self-contained HTML with SVG charts.
        .target(name: "Reports", dependencies: ["Analysis", "Questionnaire", "Tabular"], swiftSettings: strict),
        // The store's operations on PostgreSQL (postgres-nio), for a central store that outgrows one SQLite file: the
        // same numbered migrations, merge's rules for batches, users and assignments. SQL lives here and in Store.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Store", "Interview", "Questionnaire", "Expressions", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
        // The central server over HTTP (Hummingbird): devices upload and download batches, supervisors approve and
        // reject, analysts read; every request authenticated by a token whose hash the store keeps. Also the
        // device's side of a sync (the HTTP client).
        .target(
            name: "Server",
            dependencies: [
                "Store", "PostgresStore", "Questionnaire", "Interview", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], swiftSettings: strict),
        // The jobs the commands run end to end: the demo, indicator and DiD runs over a store, DiD from CSV files.
        .target(
            name: "Workflows", dependencies: ["Analysis", "Codebook", "Expressions", "Questionnaire", "Reports", "Simulation", "Store", "Tabular"],
            swiftSettings: strict),
        // Helpers shared by the test targets: the Scenario driver, snapshots, reference data, temporary files.
        .target(name: "TestSupport", dependencies: ["Expressions", "Questionnaire", "Interview"], swiftSettings: strict),
        // Benchmarks that print figures (Scripts/bench.sh); never timed unit tests.
        .executableTarget(
            name: "PantauBenchmarks",
            dependencies: [
                "Interview", "Questionnaire", "Store", "Expressions", .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Merging field stores beside a bare bulk INSERT (Scripts/bench_merge.sh).
        .executableTarget(
            name: "PantauMergeBenchmark",
            dependencies: ["Interview", "Questionnaire", "Store", "Expressions", .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Repeated simulations with known effects: bias and coverage of the DiD estimators (Scripts/validate_did.sh).
        .executableTarget(name: "PantauValidation", dependencies: ["Analysis", "Randomness"], swiftSettings: strict),
        .executableTarget(
            name: "PantauFuzz", dependencies: ["Analysis", "Questionnaire", "Randomness", "Reports", "Tabular", "Workflows"], swiftSettings: strict),
        // The thin command-line front end: parses arguments, calls the libraries, reports errors in one place.
        .executableTarget(
            name: "pantau",
            dependencies: [
                "Expressions", "Questionnaire", "Codebook", "Interview", "Store", "Tabular", "Runner", "Simulation", "Analysis", "Reports", "Exports",
                "XLSForm", "Workflows", "Server", "PostgresStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "ExpressionsTests", dependencies: ["Expressions", "TestSupport", "Randomness"], swiftSettings: strict),
        .testTarget(name: "QuestionnaireTests", dependencies: ["Questionnaire", "Expressions", "TestSupport", "Randomness"], swiftSettings: strict),
        .testTarget(name: "InterviewTests", dependencies: ["Interview", "Questionnaire", "Expressions", "TestSupport", "Randomness"], swiftSettings: strict),
        .testTarget(name: "TabularTests", dependencies: ["Tabular", "TestSupport", "Randomness"], swiftSettings: strict),
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "Interview", "Questionnaire", "Expressions", "Tabular", "TestSupport", "Randomness"],
            exclude: ["schema.sql"], swiftSettings: strict),
        .testTarget(
            name: "SimulationTests",
            dependencies: [
                "TestSupport", "Simulation", "Store", "Interview", "Questionnaire", "Expressions",
                .product(name: "GRDB", package: "GRDB.swift"),
            ], swiftSettings: strict),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["TestSupport", "Analysis", "Reports", "Questionnaire", "Expressions", "Store", "Interview", "Tabular", "Randomness"],
            exclude: ["Fixtures", "Snapshots"], swiftSettings: strict),
        .testTarget(
            name: "ReportsTests", dependencies: ["Reports", "Analysis", "Questionnaire", "TestSupport"], exclude: ["Snapshots"], swiftSettings: strict),
        .testTarget(
            name: "WorkflowsTests", dependencies: ["Workflows", "Analysis", "Reports", "Store", "Questionnaire", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CodebookTests", dependencies: ["TestSupport", "Codebook", "Questionnaire"], exclude: ["Snapshots"], swiftSettings: strict),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Store", "Questionnaire", "Interview", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "SpreadsheetTests", dependencies: ["Spreadsheet", "TestSupport", "ZIPFoundation"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "PostgresStoreTests",
            dependencies: ["PostgresStore", "Store", "Interview", "Questionnaire", "Expressions", "Analysis", "Workflows", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "PantauEndToEndTests", dependencies: ["TestSupport", "pantau", "Server", "ZIPFoundation"], exclude: ["Snapshots", "Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "XLSFormTests", dependencies: ["TestSupport", "XLSForm", "Spreadsheet", "Questionnaire", "Codebook", "Expressions"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "ExportsTests", dependencies: ["TestSupport", "Exports", "Store", "Interview", "Questionnaire", "Expressions", "Tabular", "ZIPFoundation"],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
