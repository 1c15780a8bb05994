import ArgumentParser
import Exports
import Foundation
import Store

/// `pantau export`: one questionnaire's interviews in the formats analysts use.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a questionnaire's interviews: wide CSV with repeat tables, long CSV, Stata .dta, or Excel .xlsx, with the codebook.",
        discussion: """
            csv: a row per interview (unit codes and names up the hierarchy, round, enumerator, status, minutes spent \
            interviewing, then the variables; select_multiple as its raw value and one 0/1 column per choice), and a \
            file per repeat keyed by interview_uuid and instance. long: a row per answer. dta: Stata 14+ (format 118) \
            with labels, value labels, Stata dates and extended missing values .a dont_know, .b refused, .c \
            not_applicable. xlsx: the wide data and a codebook sheet. Variables marked pii are left out unless \
            --include-pii; the codebook beside the data says which.
            """
    )

    @Option(help: "The questionnaire (form_id).")
    var questionnaire: String

    @Option(help: "The round (default: every round).")
    var round: String?

    @Option(help: "Statuses to export, comma-separated (default: completed,approved).")
    var status: String = "completed,approved"

    @Option(help: "csv, long, dta or xlsx.")
    var format: String

    @Option(help: "The folder to write into (created when missing).")
    var out: String

    @Flag(help: "Include variables marked pii (names, phone and ID numbers).")
    var includePII = false

    @Option(help: "The language of labels (default: the questionnaire's default).")
    var lang: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if ExportFormat(rawValue: format) == nil { throw ValidationError("--format is csv, long, dta or xlsx") }
        let statuses = status.split(separator: ",").map(String.init)
        if let unknown = statuses.first(where: { InterviewStatus(rawValue: $0) == nil }) {
            throw ValidationError("unknown status '\(unknown)'; the statuses are \(InterviewStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let database = try store.openReading()
        let data = try ExportData.build(
            from: database, formID: questionnaire, round: round, statuses: status.split(separator: ",").map(String.init),
            includePII: includePII, language: lang)
        let files = try Exporter.write(data, as: ExportFormat(rawValue: format)!, to: out) + Exporter.writeAttachments(data, from: database, to: out)
        Terminal.printError(
            "exported \(data.wide.rows.count) interviews of \(questionnaire)"
                + (data.excludedPII.isEmpty ? "" : "; personal data left out: \(data.excludedPII.joined(separator: ", "))"))
        for file in files { print(file) }
    }
}
