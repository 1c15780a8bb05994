import Analysis
import ArgumentParser
import Expressions
import Foundation
import Questionnaire
import Reports
import Store

struct Indicators: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute the six-monthly indicators of a specification over a store.",
        discussion: """
        For the round (default: the latest with completed interviews): each indicator overall and by each
        disaggregation, with n, N, missing and non-responses, the previous round and the change, baseline, target
        and status, and a 95% interval. Formats: md, csv, json, html (one self-contained file with charts).
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, csv, html, json }

    @Argument(help: "The indicator specification (YAML).")
    var spec: String

    @Option(help: "The round; default: the latest with completed interviews.")
    var round: String?

    @Option(help: "md, csv, html or json.")
    var format: Format = .md

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var out: String?

    @Option(help: "Intervals: fpc (finite-population correction, the default), srs or none.")
    var ci: String = "fpc"

    @Option(help: "Language of labels, e.g. id or en.")
    var lang: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if IntervalMethod(rawValue: ci) == nil { throw ValidationError("--ci is fpc, srs or none") }
    }

    func run() throws {
        let database = try store.open()
        let text = try render(try IndicatorRun.table(spec: spec, database: database, round: round, intervals: IntervalMethod(rawValue: ci) ?? .fpc,
                                                     language: lang), format)
        try emit(text, to: out)
        if let out { Terminal.printError("indicators written to \(out)") }
    }

    func render(_ table: IndicatorTable, _ format: Format) throws -> String {
        switch format {
        case .md: IndicatorMarkdown.render(table)
        case .csv: IndicatorCSV.render(table)
        case .json: try IndicatorJSON.render(table)
        case .html: IndicatorHTML.render(table)
        }
    }
}

/// Loads what an indicator run needs from a store and computes the table; shared by `indicators` and `demo`.
enum IndicatorRun {
    static func roundEnd(_ round: Round) -> Int {
        if let ends = round.endsOn.flatMap(CivilDate.parse) { return ends.days }
        return Simulate.dates(for: round.code).1.days
    }

    static func table(spec: String, database: ResponseStore, round requested: String?, intervals: IntervalMethod,
                      language: String?) throws -> IndicatorTable {
        var versions: [String: [String: Questionnaire]] = [:]
        var latest: [String: Questionnaire] = [:]
        for definition in try reportingStoreErrors({ try database.questionnaireDefinitions() }) {
            guard case .success(let questionnaire) = QuestionnaireLoader.load(yaml: definition.text, file: "\(definition.formID) \(definition.version)") else { continue }
            versions[definition.formID, default: [:]][definition.version] = questionnaire
            latest[definition.formID] = questionnaire
        }
        let units = try reportingStoreErrors { try database.units() }
        let levels = Set(units.map(\.level)), attributes = Set(units.flatMap { $0.attributes.map(\.key) })
        let set: IndicatorSet
        switch IndicatorSet.load(path: spec, questionnaires: Array(latest.values), frameLevels: levels, frameAttributes: attributes) {
        case .success(let loaded): set = loaded
        case .failure(let report):
            for diagnostic in report.diagnostics { Terminal.printError(Terminal.render(diagnostic, source: report.source, withSource: true)) }
            throw ExitCode(1)
        }
        let instruments = Set(set.indicators.map(\.instrument))
        var needed = Set(set.indicators.flatMap(\.variables))
        for indicator in set.indicators {
            for case .answer(let name) in indicator.disaggregations { needed.insert(name) }
        }
        var rounds: [String] = []
        var data: [String: [String: RoundData]] = [:]
        for round in try reportingStoreErrors({ try database.rounds() }) {
            var any = false
            for instrument in instruments.sorted() {
                let answers = try reportingStoreErrors { try database.completedAnswers(formID: instrument, round: round.code, names: needed) }
                Terminal.printError("indicators: \(round.code) \(instrument): \(answers.count) interviews")
                guard !answers.isEmpty else { continue }
                any = true
                data[round.code, default: [:]][instrument] = RoundData(
                    round: round.code, endDay: roundEnd(round), formID: instrument,
                    interviews: answers.map { RoundData.Interview(unit: $0.unit, version: $0.version, values: $0.values) })
            }
            if any { rounds.append(round.code) }
        }
        guard let round = requested ?? rounds.last else {
            Terminal.printError("error: the store has no completed interviews of \(instruments.sorted().joined(separator: ", "))")
            throw ExitCode(1)
        }
        guard rounds.contains(round) else {
            Terminal.printError("error: no completed interviews in round \(round); rounds with data: \(rounds.joined(separator: ", "))")
            throw ExitCode(1)
        }
        let calculator = IndicatorCalculator(
            units: units.map { AnalysisUnit(code: $0.code, name: $0.name, level: $0.level, parentCode: $0.parentCode,
                                            attributes: Dictionary($0.attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })) },
            questionnaires: Array(latest.values), intervals: intervals, language: language)
        let title = set.title?.text(in: language) ?? "Indicators"
        return calculator.table(title: title, indicators: set.indicators, round: round, rounds: rounds, data: data, versions: versions)
    }
}
