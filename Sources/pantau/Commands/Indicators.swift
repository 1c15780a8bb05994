import Analysis
import ArgumentParser
import Foundation
import Reports
import Workflows

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
        let database = try store.openReading()
        let table = try IndicatorWorkflow.table(
            spec: spec, store: database, round: round, intervals: IntervalMethod(rawValue: ci) ?? .fpc,
            language: lang
        ) { Terminal.printError("indicators: \($0)") }
        let text = try render(table, format)
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
