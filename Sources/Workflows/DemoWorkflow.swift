import Analysis
import Codebook
import Foundation
import Questionnaire
import Reports
import Simulation
import Store
import Tabular

/// The whole six-monthly job on a simulated panel: a fresh store under the output folder, the plan's frame, its
/// rounds simulated, and every output (response counts, codebooks, version diffs, the manifest of true effects,
/// indicators and DiD tables).
public struct DemoWorkflow: Sendable {
    public var plan: String
    /// The indicator specification; nil: `Analysis/<plan's folder name>/indicators.yaml` beside `Questionnaires/`.
    public var indicators: String?
    public var out: String
    public var seed: UInt64

    public init(plan: String, indicators: String?, out: String, seed: UInt64) {
        self.plan = plan
        self.indicators = indicators
        self.out = out
        self.seed = seed
    }

    public struct Outcome: Sendable {
        /// Completed interviews per round and instrument against the frame, as Markdown.
        public let responses: String
        /// Every file written, in order.
        public let written: [String]
    }

    /// The marker file that lets a later run empty the folder: only a folder the demo made is ever emptied.
    static let marker = ".pantau-demo"

    public func run(progress: (String) -> Void) throws -> Outcome {
        try prepareOutputFolder()
        let loaded = try SurveyPlan.load(path: plan).get()
        let store = try ResponseStore(path: path("pantau.sqlite"))
        if let framePath = loaded.framePath {
            guard let text = try? String(contentsOfFile: framePath, encoding: .utf8) else { throw WorkflowError.unreadable(path: framePath) }
            let imported = try store.importFrame(try FrameFile.parse(text).get())
            progress("frame: \(imported.added) units")
        }
        let rounds = SimulationRound.rounds(of: loaded)
        let simulator = Simulator(store: store, units: try store.units(), rounds: rounds, seed: seed)
        // A few planted faults, listed in the manifest, so that review's hits and misses can be counted.
        simulator.anomalyRate = 0.02
        let summary = try simulator.run(progress: progress)
        try? store.checkpoint()
        var written = [path("pantau.sqlite")]
        func write(_ text: String, _ name: String) throws {
            try OutputFile.write(text, to: path(name))
            written.append(path(name))
        }

        let (markdown, csv) = try responseCounts(store, plan: loaded, rounds: rounds.map(\.code))
        try write(markdown, "responses.md")
        try write(csv, "responses.csv")

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
                let base = "codebooks/\(form)-\(questionnaire.settings.version)"
                try write(CodebookMarkdown.render(codebook), base + ".md")
                try write(CodebookHTML.render(codebook), base + ".html")
            }
            for (old, new) in zip(list, list.dropFirst()) {
                try write(
                    DiffRenderer.render(QuestionnaireDiff(old: old, new: new), markdown: true),
                    "diffs/\(form)-\(old.settings.version)-to-\(new.settings.version).md")
            }
        }
        try write(try summary.manifest(seed: seed, rounds: rounds, paradata: .full), "manifest.json")

        // The six-monthly indicators of the latest round, in every format.
        let spec = indicators ?? defaultIndicatorPath
        if FileManager.default.fileExists(atPath: spec) {
            let table = try IndicatorWorkflow.table(spec: spec, store: store, round: nil, intervals: .fpc, language: "en") {
                progress("indicators: \($0)")
            }
            try write(IndicatorMarkdown.render(table), "indicators.md")
            try write(IndicatorCSV.render(table), "indicators.csv")
            try write(try IndicatorJSON.render(table), "indicators.json")
            try write(IndicatorHTML.render(table), "indicators.html")
        }

        // DiD tables for every specification beside the indicators.
        let analysisFolder = (spec as NSString).deletingLastPathComponent
        let specs = ((try? FileManager.default.contentsOfDirectory(atPath: analysisFolder)) ?? []).filter { DiDSpec.isSpec($0) }.sorted()
        for file in specs {
            let name = (file as NSString).deletingPathExtension
            let specPath = (analysisFolder as NSString).appendingPathComponent(file)
            try write(try DiDWorkflow.run(spec: specPath, store: store, format: .md), "\(name).md")
            try write(try DiDWorkflow.run(spec: specPath, store: store, format: .json), "\(name).json")
        }
        return Outcome(responses: markdown, written: written)
    }

    func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }

    /// `Questionnaires/NAME/x.plan.yaml` → `Analysis/NAME/indicators.yaml`: written without `..` where the plan's path
    /// allows, so that reports name their specifications as a person would type them.
    var defaultIndicatorPath: String {
        let folder = (plan as NSString).deletingLastPathComponent
        let name = (folder as NSString).lastPathComponent
        let components = (folder as NSString).pathComponents
        if components.count >= 2, !components.contains("..") {
            let root = ((folder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            return (root as NSString).appendingPathComponent("Analysis/\(name)/indicators.yaml")
        }
        return (folder as NSString).appendingPathComponent("../../Analysis/\(name)/indicators.yaml")
    }

    /// Empties a folder the demo made before (or an empty one) and marks it; any other folder is refused untouched.
    func prepareOutputFolder() throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: out) {
            let contents = (try? fileManager.contentsOfDirectory(atPath: out)) ?? []
            guard fileManager.fileExists(atPath: path(Self.marker)) || contents.isEmpty else { throw WorkflowError.outputFolderNotOurs(out) }
            try fileManager.removeItem(atPath: out)
        }
        try fileManager.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = fileManager.createFile(atPath: path(Self.marker), contents: Data())
    }

    /// Completed interviews per round and instrument against the frame at the instrument's level: Markdown and CSV.
    func responseCounts(_ store: ResponseStore, plan: SurveyPlan, rounds: [String]) throws -> (markdown: String, csv: String) {
        let counts = try store.responseCounts()
        let unitCounts = try store.unitCounts()
        let forms = Array(Set(counts.map(\.formID))).sorted()
        let levelOf = Dictionary(
            plan.rounds.flatMap(\.questionnaires).map { ($0.settings.formID, $0.settings.unitLevel ?? "") },
            uniquingKeysWith: { first, _ in first })
        var markdown = "# Responses per round and instrument\n\nCompleted interviews / units in the frame at the instrument's level.\n\n"
        markdown += "| round | " + forms.joined(separator: " | ") + " |\n|---|" + String(repeating: "---|", count: forms.count) + "\n"
        var csvRows = [["round", "form_id", "unit_level", "completed", "draft", "units_in_frame"]]
        for round in rounds {
            var cells: [String] = []
            for form in forms {
                func count(_ status: String) -> Int { counts.first { $0.round == round && $0.formID == form && $0.status == status }?.count ?? 0 }
                let frameCount = unitCounts[levelOf[form] ?? ""] ?? 0
                cells.append("\(count("completed")) / \(frameCount)")
                csvRows.append([round, form, levelOf[form] ?? "", String(count("completed")), String(count("draft")), String(frameCount)])
            }
            markdown += "| \(round) | " + cells.joined(separator: " | ") + " |\n"
        }
        return (markdown, CSV.write(csvRows))
    }
}
