import ArgumentParser
import Expressions
import Foundation
import Questionnaire
import Simulation
import Store

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill a store with a simulated panel of completed interviews, from a seed.",
        discussion: """
            Every interview passes through the interview engine, so it respects every relevance rule, constraint and
            type. Either --plan (a survey plan: frame and questionnaire versions per round) or --frame with
            --questionnaire (fielded in every round). The true effects built in are written to --manifest.
            """
    )

    @Option(help: "A survey plan (NAME.plan.yaml).")
    var plan: String?

    @Option(help: "A frame CSV to import first (with --questionnaire).")
    var frame: String?

    @Option(name: .customLong("questionnaire"), help: "A questionnaire to field in every round (repeatable).")
    var questionnaires: [String] = []

    @Option(help: "Round codes, comma-separated (with --questionnaire).")
    var rounds: String = "2020-H2,2021-H1,2021-H2,2022-H1"

    @Option(help: "The seed: the same seed gives the same panel.")
    var seed: UInt64 = 20_201_201

    @Option(help: "Where to write the manifest (JSON) of the true effects.")
    var manifest: String?

    @Option(help: "full (every item entered and left) or minimal (start, completion, confirmations).")
    var paradata: String = "full"

    @Option(
        help: "The share of interviews after the first round given a planted fault (too fast, an implausible number, copied answers), listed in the manifest.")
    var anomalies: Double = 0

    @OptionGroup var store: StoreOptions

    /// The --rounds list.
    var roundCodes: [String] { rounds.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func validate() throws {
        if plan == nil && questionnaires.isEmpty { throw ValidationError("give --plan, or --questionnaire (and usually --frame)") }
        if plan != nil && !questionnaires.isEmpty { throw ValidationError("give either --plan or --questionnaire, not both") }
        if Paradata(rawValue: paradata) == nil { throw ValidationError("--paradata is full or minimal") }
        if !(0...1).contains(anomalies) { throw ValidationError("--anomalies is a share between 0 and 1") }
        if plan == nil, let problem = RoundCode.problem(adding: roundCodes, to: []) { throw ValidationError(problem) }
    }

    func run() throws {
        var simulationRounds: [SimulationRound] = []
        var framePath = frame
        if let plan {
            let loaded = try SurveyPlan.load(path: plan).get()
            framePath = framePath ?? loaded.framePath
            simulationRounds = SimulationRound.rounds(of: loaded)
        } else {
            let forms = try questionnaires.map { try loadValid($0) }
            for code in roundCodes {
                simulationRounds.append(SimulationRound(code: code, starts: nil, ends: nil, questionnaires: forms))
            }
        }
        if let problem = RoundCode.problem(adding: simulationRounds.map(\.code), to: []) { throw ValidationError(problem) }
        let database = try store.openCreating()
        if let problem = RoundCode.problem(adding: simulationRounds.map(\.code), to: try database.rounds().map(\.code)) { throw ValidationError(problem) }
        if let framePath {
            guard let text = try? String(contentsOfFile: framePath, encoding: .utf8) else { throw CommandError.unreadable(path: framePath) }
            let result = try database.importFrame(try FrameFile.parse(text).get())
            Terminal.printError("simulate: frame \(framePath): \(result.added) units added, \(result.updated) updated")
        }
        let units = try database.units()
        let mode = Paradata(rawValue: paradata) ?? .full
        let simulator = Simulator(store: database, units: units, rounds: simulationRounds, seed: seed, paradata: mode)
        simulator.anomalyRate = anomalies
        let started = Date()
        let summary = try simulator.run { Terminal.printError("simulate: \($0)") }
        let total = summary.counts.values.flatMap(\.values).reduce(0, +)
        print(String(format: "simulated %d completed interviews in %.1f s (seed %llu)", total, Date().timeIntervalSince(started), seed))
        for round in simulationRounds {
            let counts = (summary.counts[round.code] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("  \(round.code): \(counts.joined(separator: ", "))")
        }
        if let manifest {
            try emit(try summary.manifest(seed: seed, rounds: simulationRounds, paradata: mode), to: manifest)
            print("  manifest of the true effects: \(manifest)")
        }
        try? database.checkpoint()
    }
}
