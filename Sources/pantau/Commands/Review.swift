import ArgumentParser
import Foundation
import Questionnaire
import Store
import Tabular

/// `pantau review`: completed interviews worth a look.
struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List completed interviews worth a supervisor's look, with the reasons.",
        discussion: """
            Reasons: soft checks confirmed; 3 or more dont_know or refused answers; time spent interviewing (the gaps \
            between audit events, each up to 30 minutes) under 40% or over 3 times the round's median for the \
            questionnaire; answers changed after completion; numbers 5 times larger or smaller than the unit's previous \
            round. Approve with pantau approve, send back with pantau reject.
            """
    )

    @Option(help: "The round (default: every round).")
    var round: String?

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openReading()
        let items = try database.reviewList(round: round)
        switch format {
        case .json:
            print(
                try jsonText([
                    "summary": Self.summary(items).map { ["rule": $0.rule, "severity": $0.severity.name, "interviews": $0.count] },
                    "interviews": items.map { item -> [String: Any] in
                        [
                            "uuid": item.interview.uuid, "form": item.interview.formID, "unit": item.interview.unitCode, "round": item.interview.roundCode,
                            "enumerator": item.interview.enumerator, "minutes": item.minutes ?? NSNull(), "severity": item.severity.name,
                            "reasons": item.reasons.map { ["rule": $0.rule, "severity": $0.severity.name, "text": $0.text] },
                        ]
                    },
                ]), terminator: "")
        case .csv:
            var rows = [["uuid", "form", "unit", "round", "enumerator", "minutes", "severity", "rules", "reasons"]]
            for item in items {
                rows.append([
                    item.interview.uuid, item.interview.formID, item.interview.unitCode, item.interview.roundCode, item.interview.enumerator,
                    item.minutes.map { String(format: "%.1f", $0) } ?? "", item.severity.name, item.reasons.map(\.rule).joined(separator: " "),
                    item.reasons.map(\.text).joined(separator: "; "),
                ])
            }
            print(CSV.write(rows), terminator: "")
        case .table:
            if items.isEmpty {
                print("nothing to review\(round.map { " in \($0)" } ?? "")")
                return
            }
            print("\(items.count) interview\(items.count == 1 ? "" : "s") to review; by reason:")
            for entry in Self.summary(items) {
                print("  \(entry.severity.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(entry.rule): \(entry.count)")
            }
            print()
            for item in items {
                print(
                    "[\(item.severity.name)] \(item.interview.uuid)  \(item.interview.formID) · \(item.interview.unitCode) \(item.interview.unitName) · \(item.interview.roundCode) · \(item.interview.enumerator)"
                )
                for reason in item.reasons { print("  - \(reason.text)") }
            }
        }
    }

    /// How many interviews each rule flags, most urgent rules first.
    static func summary(_ items: [ReviewItem]) -> [(rule: String, severity: ReviewReason.Severity, count: Int)] {
        var counts: [String: (ReviewReason.Severity, Int)] = [:]
        for item in items {
            for reason in item.reasons { counts[reason.rule, default: (reason.severity, 0)].1 += 1 }
        }
        return counts.map { ($0.key, $0.value.0, $0.value.1) }.sorted { ($0.1.rawValue, -$0.2, $0.0) < ($1.1.rawValue, -$1.2, $1.0) }
    }
}

/// `pantau approve UUID` and `pantau reject UUID --comment`.
struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve a completed interview.")

    @Argument(help: "The interview.")
    var uuid: String

    @Option(help: "A note for the audit log.")
    var comment: String?

    @Option(help: "Who reviews (for the audit log).")
    var reviewer: String = ProcessInfo.processInfo.environment["USER"] ?? "supervisor"

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openReading()
        try database.approve(uuid, by: reviewer, comment: comment, at: systemClock())
        print("approved \(uuid)")
    }
}

struct Reject: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a completed interview back with a comment; it reopens on the enumerator's device once this store is merged back there.")

    @Argument(help: "The interview.")
    var uuid: String

    @Option(help: "What the enumerator should check or correct.")
    var comment: String

    @Option(help: "Who reviews (for the audit log).")
    var reviewer: String = ProcessInfo.processInfo.environment["USER"] ?? "supervisor"

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if comment.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--comment must say what to correct") }
    }

    func run() throws {
        let database = try store.openReading()
        try database.reject(uuid, by: reviewer, comment: comment, at: systemClock())
        print("rejected \(uuid): \(comment)")
    }
}

/// `pantau discard UUID --reason TEXT`: a stray draft set aside.
struct Discard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set a stray draft aside (one started by mistake, for the wrong unit or round): kept with its audit trail, out of every analysis.")

    @Argument(help: "The interview.")
    var uuid: String

    @Option(help: "Why it is set aside; goes to its audit log.")
    var reason: String

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why the interview is set aside") }
    }

    func run() throws {
        try store.openExisting().discard(uuid, reason: reason, at: systemClock())
        print("set aside \(uuid)")
    }
}
