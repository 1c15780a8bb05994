import ArgumentParser
import Codebook
import Expressions
import Foundation
import Analysis
import Questionnaire
import Reports
import Simulation
import Store
import Tabular

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The whole six-monthly job on a simulated KOMPAK panel: store, frame, four rounds, outputs.",
        discussion: """
        Creates a fresh store under --out, imports the plan's frame, simulates its rounds, and writes every output
        that exists so far: response counts per round and instrument, codebooks, version diffs and the manifest
        of the simulation's true effects. Prints where they are.
        """
    )

    @Option(help: "The survey plan.")
    var plan: String = "Questionnaires/kompak/kompak.plan.yaml"

    @Option(help: "The indicator specification; default: Analysis/<plan's folder name>/indicators.yaml.")
    var indicators: String?

    @Option(help: "The output folder (emptied first).")
    var out: String = "out"

    @Option(help: "The simulation's seed.")
    var seed: UInt64 = 20201201

    func run() throws {
        let started = Date()
        let outURL = URL(fileURLWithPath: out)
        let fileManager = FileManager.default
        // Only a folder pantau made before is emptied: never delete something else by mistake.
        if fileManager.fileExists(atPath: outURL.path) {
            let marker = outURL.appendingPathComponent(".pantau-demo")
            let contents = (try? fileManager.contentsOfDirectory(atPath: outURL.path)) ?? []
            guard fileManager.fileExists(atPath: marker.path) || contents.isEmpty else {
                Terminal.printError("error: \(out) exists and was not made by pantau demo; choose another --out")
                throw ExitCode(1)
            }
            try fileManager.removeItem(at: outURL)
        }
        try fileManager.createDirectory(at: outURL, withIntermediateDirectories: true)
        _ = fileManager.createFile(atPath: outURL.appendingPathComponent(".pantau-demo").path, contents: Data())

        let loaded: SurveyPlan
        switch SurveyPlan.load(path: plan) {
        case .success(let value): loaded = value
        case .failure(let report):
            for diagnostic in report.diagnostics { Terminal.printError(diagnostic.description) }
            throw ExitCode(1)
        }
        let database = try reportingStoreErrors { try ResponseStore(path: outURL.appendingPathComponent("pantau.sqlite").path) }
        if let framePath = loaded.framePath {
            let text = try String(contentsOfFile: framePath, encoding: .utf8)
            let imported = try reportingStoreErrors { () throws -> (added: Int, updated: Int) in try database.importFrame(try FrameFile.parse(text).get()) }
            Terminal.printError("demo: frame: \(imported.added) units")
        }
        let rounds = loaded.rounds.map { round -> SimulationRound in
            let fallback = Simulate.dates(for: round.code)
            return SimulationRound(code: round.code, starts: round.starts.flatMap(CivilDate.parse) ?? fallback.0,
                                   ends: round.ends.flatMap(CivilDate.parse) ?? fallback.1, questionnaires: round.questionnaires)
        }
        let units = try reportingStoreErrors { try database.units() }
        let summary = try reportingStoreErrors {
            try Simulator(store: database, units: units, rounds: rounds, seed: seed).run { Terminal.printError("demo: \($0)") }
        }
        try? database.checkpoint()
        var written: [String] = ["\(out)/pantau.sqlite"]

        // Response counts per round and instrument, against the frame.
        let counts = try reportingStoreErrors { try database.responseCounts() }
        let unitCounts = try reportingStoreErrors { try database.unitCounts() }
        let forms = Array(Set(counts.map(\.formID))).sorted()
        let levelOf = Dictionary(loaded.rounds.flatMap(\.questionnaires).map { ($0.settings.formID, $0.settings.unitLevel ?? "") },
                                 uniquingKeysWith: { first, _ in first })
        var markdown = "# Responses per round and instrument\n\nCompleted interviews / units in the frame at the instrument's level.\n\n"
        markdown += "| round | " + forms.joined(separator: " | ") + " |\n|---|" + String(repeating: "---|", count: forms.count) + "\n"
        var csvRows = [["round", "form_id", "unit_level", "completed", "draft", "units_in_frame"]]
        for round in rounds.map(\.code) {
            var cells: [String] = []
            for form in forms {
                let completed = counts.first { $0.round == round && $0.formID == form && $0.status == "completed" }?.count ?? 0
                let draft = counts.first { $0.round == round && $0.formID == form && $0.status == "draft" }?.count ?? 0
                let frameCount = unitCounts[levelOf[form] ?? ""] ?? 0
                cells.append("\(completed) / \(frameCount)")
                csvRows.append([round, form, levelOf[form] ?? "", String(completed), String(draft), String(frameCount)])
            }
            markdown += "| \(round) | " + cells.joined(separator: " | ") + " |\n"
        }
        try emit(markdown, to: "\(out)/responses.md")
        try emit(CSV.write(csvRows), to: "\(out)/responses.csv")
        written += ["\(out)/responses.md", "\(out)/responses.csv"]

        // Codebooks of every questionnaire version, and the diffs between consecutive versions.
        var versions: [String: [Questionnaire]] = [:]
        for questionnaire in loaded.rounds.flatMap(\.questionnaires) {
            let key = questionnaire.settings.formID
            if !(versions[key] ?? []).contains(where: { $0.settings.version == questionnaire.settings.version }) {
                versions[key, default: []].append(questionnaire)
            }
        }
        for (form, list) in versions.sorted(by: { $0.key < $1.key }) {
            for questionnaire in list {
                let codebook = Codebook(questionnaire)
                let base = "\(out)/codebooks/\(form)-\(questionnaire.settings.version)"
                try emit(CodebookMarkdown.render(codebook), to: base + ".md")
                try emit(CodebookHTML.render(codebook), to: base + ".html")
                written += [base + ".md", base + ".html"]
            }
            for (old, new) in zip(list, list.dropFirst()) {
                let diff = QuestionnaireDiff(old: old, new: new)
                let path = "\(out)/diffs/\(form)-\(old.settings.version)-to-\(new.settings.version).md"
                try emit(DiffRenderer.render(diff, markdown: true), to: path)
                written.append(path)
            }
        }
        try emit(try summary.manifest(seed: seed, rounds: rounds, paradata: .full), to: "\(out)/manifest.json")
        written.append("\(out)/manifest.json")

        // The six-monthly indicators of the latest round, in every format.
        let specPath = ((plan as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("../../Analysis/\(((plan as NSString).deletingLastPathComponent as NSString).lastPathComponent)/indicators.yaml")
        if FileManager.default.fileExists(atPath: indicators ?? specPath) {
            let spec = indicators ?? specPath
            let table = try IndicatorRun.table(spec: spec, database: database, round: nil, intervals: .fpc, language: "en")
            try emit(IndicatorMarkdown.render(table), to: "\(out)/indicators.md")
            try emit(IndicatorCSV.render(table), to: "\(out)/indicators.csv")
            try emit(try IndicatorJSON.render(table), to: "\(out)/indicators.json")
            try emit(IndicatorHTML.render(table), to: "\(out)/indicators.html")
            written += ["\(out)/indicators.md", "\(out)/indicators.csv", "\(out)/indicators.json", "\(out)/indicators.html"]
        }

        // DiD tables for every specification beside the indicators.
        let analysisFolder = ((indicators ?? specPath) as NSString).deletingLastPathComponent
        let specs = ((try? FileManager.default.contentsOfDirectory(atPath: analysisFolder)) ?? []).filter { DiDSpec.isSpec($0) }.sorted()
        for file in specs {
            let name = (file as NSString).deletingPathExtension
            let path = (analysisFolder as NSString).appendingPathComponent(file)
            try emit(try DiDRun.run(spec: path, database: database, json: false), to: "\(out)/\(name).md")
            try emit(try DiDRun.run(spec: path, database: database, json: true), to: "\(out)/\(name).json")
            written += ["\(out)/\(name).md", "\(out)/\(name).json"]
        }

        print(markdown)
        print(String(format: "demo finished in %.1f s; outputs:", Date().timeIntervalSince(started)))
        for path in written { print("  \(path)") }
        print("the simulation's true effects are in \(out)/manifest.json, to hold the DiD tables against.")
    }
}
