// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pantau",
    platforms: [.macOS(.v13)],
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
    ],
    targets: [
        // The expression language: depends on nothing else in pantau.
        .target(name: "Expressions"),
        // The questionnaire model, its YAML reader and the validators.
        .target(name: "Questionnaire", dependencies: ["Expressions", "Yams"]),
        // Codebooks and version diffs built from validated questionnaires, with their renderers.
        .target(name: "Codebook", dependencies: ["Questionnaire", "Expressions", "Tabular"]),
        // The interview engine: a pure state machine over a questionnaire and the answers so far.
        .target(name: "Interview", dependencies: ["Questionnaire", "Expressions"]),
        // CSV reading and writing, shared by frame import, exports and analysis input.
        .target(name: "Tabular"),
        // The SQLite store through GRDB over the system libsqlite3: migrations, frame, interviews, audit log.
        .target(name: "Store", dependencies: ["Interview", "Questionnaire", "Expressions", "Tabular", .product(name: "GRDB", package: "GRDB.swift"),
                                            .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // .xlsx workbooks read and written (a zip of XML parts), shared by XLSForms and exports.
        .target(name: "Spreadsheet", dependencies: ["Tabular", "ZIPFoundation"]),
        // XLSForms (.xlsx or a folder of CSV sheets) read as pantau questionnaires, with sheet:row:column diagnostics.
        .target(name: "XLSForm", dependencies: ["Questionnaire", "Tabular", "Spreadsheet"]),
        // Data exports for analysts (wide and long CSV, Stata .dta, Excel .xlsx), read from the store.
        .target(name: "Exports", dependencies: ["Store", "Questionnaire", "Codebook", "Expressions", "Tabular", "Spreadsheet"]),
        // The terminal front end over the engine: screens, the line protocol, commands, persistence per step.
        .target(name: "Runner", dependencies: ["Interview", "Store", "Questionnaire", "Expressions"]),
        // Simulated panels: every interview driven through the engine, with known true effects.
        .target(name: "Simulation", dependencies: ["Interview", "Store", "Questionnaire", "Expressions"]),
        // Analysis over plain in-memory data: indicators (later panels and estimators). No database access.
        .target(name: "Analysis", dependencies: ["Questionnaire", "Expressions", "Yams"]),
        // Renderers of analysis results: Markdown, CSV, JSON, self-contained HTML with SVG charts.
        .target(name: "Reports", dependencies: ["Analysis", "Questionnaire", "Expressions", "Tabular"]),
        // Helpers shared by the test targets (deterministic randomness; later the interview Scenario driver).
        .target(name: "TestSupport", dependencies: ["Expressions", "Questionnaire", "Interview"]),
        // Benchmarks that print figures (Scripts/bench.sh); never timed unit tests.
        .executableTarget(
            name: "PantauBenchmarks",
            dependencies: ["Interview", "Questionnaire", "Store", "Expressions", .product(name: "GRDBSQLite", package: "GRDB.swift"),
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Merging field stores beside a bare bulk INSERT (Scripts/bench_merge.sh).
        .executableTarget(
            name: "PantauMergeBenchmark",
            dependencies: ["Interview", "Questionnaire", "Store", "Expressions", .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        // Repeated simulations with known effects: bias and coverage of the DiD estimators (Scripts/validate_did.sh).
        .executableTarget(name: "PantauValidation", dependencies: ["Analysis"]),
        // The thin command-line front end.
        .executableTarget(
            name: "pantau",
            dependencies: [
                "Questionnaire", "Codebook", "Interview", "Store", "Tabular", "Runner", "Simulation", "Analysis", "Reports", "Exports", "XLSForm",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ExpressionsTests", dependencies: ["Expressions", "TestSupport"]),
        .testTarget(name: "QuestionnaireTests", dependencies: ["Questionnaire", "Expressions", "TestSupport"]),
        .testTarget(name: "InterviewTests", dependencies: ["Interview", "Questionnaire", "Expressions", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Interview", "Questionnaire", "Expressions", "Tabular", "TestSupport"], exclude: ["schema.sql"]),
        .testTarget(name: "SimulationTests", dependencies: ["TestSupport", "Simulation", "Store", "Interview", "Questionnaire", "Expressions", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "AnalysisTests", dependencies: ["TestSupport", "Analysis", "Reports", "Questionnaire", "Expressions", "Store", "Interview", "Tabular"], exclude: ["Fixtures"]),
        .testTarget(name: "CodebookTests", dependencies: ["TestSupport", "Codebook", "Questionnaire"], exclude: ["Snapshots"]),
        .testTarget(name: "PantauEndToEndTests", dependencies: ["TestSupport", "pantau"]),
        .testTarget(name: "XLSFormTests", dependencies: ["TestSupport", "XLSForm", "Spreadsheet", "Questionnaire", "Codebook"]),
        .testTarget(name: "ExportsTests", dependencies: ["TestSupport", "Exports", "Store", "Interview", "Questionnaire", "Expressions", "Tabular", "ZIPFoundation"]),
    ],
    swiftLanguageModes: [.v6]
)
