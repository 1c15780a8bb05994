import ArgumentParser
import Foundation
import Questionnaire
import Store
import Tabular

struct Interviews: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List interviews in a store.")

    @Option(help: "Only this round.")
    var round: String?

    @Option(help: "Only this status (draft, completed).")
    var status: String?

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openReading()
        let interviews = try database.interviews(round: round, status: status)
        let header = ["uuid", "form_id", "version", "unit", "unit_name", "round", "enumerator", "status", "answers", "started_at", "updated_at"]
        let rows = interviews.map {
            [$0.uuid, $0.formID, $0.version, $0.unitCode, $0.unitName, $0.roundCode, $0.enumerator, $0.status, String($0.answers), $0.startedAt, $0.updatedAt]
        }
        switch format {
        case .table: print(renderTable(header, rows), terminator: "")
        case .csv: print(CSV.write([header] + rows), terminator: "")
        case .json: print(try jsonText(rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }), terminator: "")
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print one interview with its answers and audit trail.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The interview's UUID.")
    var uuid: String

    @Option(help: "text or json.")
    var format: Format = .text

    @Flag(name: .customLong("include-pii"), help: "Show the answers to questions marked personal data (pii); withheld otherwise.")
    var includePII = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openReading()
        let (summary, found, trail) = try database.interview(uuid)
        // Personal data (names, phone numbers) is withheld unless asked for, in answers and in the audit trail alike.
        var personal = Set<String>()
        if !includePII, let text = try database.definition(formID: summary.formID, version: summary.version),
            case .success(let questionnaire) = QuestionnaireLoader.load(yaml: text, file: summary.formID)
        {
            personal = Set(questionnaire.allItems.filter(\.pii).map(\.name))
        }
        let withheld = "[personal data withheld; add --include-pii]"
        let answers = found.map { answer in
            personal.contains(answer.address.name) ? answer.withholding(withheld) : answer
        }
        let audit = trail.map { entry in
            guard let address = entry.address, personal.contains(Address.parse(address)?.name ?? address) else { return entry }
            return entry.withholding(withheld)
        }
        let sortedAnswers = answers.sorted { $0.address < $1.address }
        switch format {
        case .json:
            let object: [String: Any] = [
                "uuid": summary.uuid, "form_id": summary.formID, "version": summary.version, "unit": summary.unitCode,
                "unit_name": summary.unitName, "round": summary.roundCode, "enumerator": summary.enumerator, "status": summary.status,
                "started_at": summary.startedAt, "ended_at": summary.endedAt ?? NSNull(), "updated_at": summary.updatedAt,
                "utc_offset_minutes": summary.utcOffsetMinutes, "cursor": summary.cursor, "language": summary.language ?? NSNull(),
                "answers": sortedAnswers.map { answer -> [String: Any] in
                    [
                        "address": answer.address.description, "kind": answer.stored.kind, "value": answer.stored.text,
                        "origin": answer.origin, "relevant": answer.relevant, "confirmation": answer.confirmation ?? NSNull(),
                    ]
                },
                "audit": audit.map { entry -> [String: Any] in
                    [
                        "at": entry.at, "event": entry.event, "address": entry.address ?? NSNull(), "old": entry.oldValue ?? NSNull(),
                        "new": entry.newValue ?? NSNull(), "detail": entry.detail ?? NSNull(),
                    ]
                },
            ]
            print(try jsonText(object), terminator: "")
        case .text:
            print("interview \(summary.uuid)")
            print(
                "  \(summary.formID) \(summary.version) · unit \(summary.unitCode) \(summary.unitName) · round \(summary.roundCode) · enumerator \(summary.enumerator) · \(summary.status)"
            )
            print("  started \(summary.startedAt), updated \(summary.updatedAt)\(summary.endedAt.map { ", completed \($0)" } ?? "")")
            print("answers:")
            for answer in sortedAnswers {
                let flags = [
                    answer.relevant ? nil : "not relevant", answer.origin == "entered" ? nil : answer.origin,
                    answer.confirmation.map { "confirmed: \($0)" },
                ].compactMap { $0 }
                print(
                    "  \(answer.address) = \(answer.stored.kind == "non_response" ? "[\(answer.stored.text)]" : answer.stored.text)\(flags.isEmpty ? "" : "  (\(flags.joined(separator: "; ")))")"
                )
            }
            print("audit:")
            for entry in audit {
                var line = "  \(entry.at) \(entry.event)"
                if let address = entry.address { line += " \(address)" }
                if entry.oldValue != nil || entry.newValue != nil { line += ": \(entry.oldValue ?? "∅") → \(entry.newValue ?? "∅")" }
                if let detail = entry.detail { line += " (\(detail))" }
                print(line)
            }
        }
    }
}
