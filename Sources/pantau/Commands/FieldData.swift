import ArgumentParser
import Foundation
import Questionnaire
import Store
import Tabular

/// `pantau merge`: field stores into one, one transaction per file.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge field stores into a central one (or the central one back into a device's).",
        discussion: """
        Idempotent by interview UUID: merging a file twice changes nothing. A newer version of an interview replaces \
        the older (logged); different interviews of the same questionnaire, unit and round are both kept and reported \
        as duplicates (see pantau duplicates and pantau resolve). Each file is merged in one transaction: a crash or \
        kill leaves the target as it was before that file. Files that are not pantau stores, come from a newer pantau, \
        fail SQLite's integrity check, or hold an interview without its questionnaire definition are refused whole. \
        The source files are never written to.
        """
    )

    @Argument(help: "Field store files (.sqlite) to merge.")
    var files: [String]

    @Option(help: ArgumentHelp("The store to merge into (created when missing).", valueName: "path"))
    var into: String

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one field store to merge") }
        if files.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL == URL(fileURLWithPath: into).standardizedFileURL }) {
            throw ValidationError("a store cannot be merged into itself")
        }
    }

    func run() throws {
        let central = try ResponseStore(path: into)
        var failed = false
        for file in files {
            do {
                let summary = try central.merge(from: file, at: systemClock())
                print(summary.description)
            } catch let error as StoreError {
                Terminal.printError("error: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `pantau duplicates`: interviews of the same questionnaire, unit and round.
struct Duplicates: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List interviews of the same questionnaire, unit and round; settle them with pantau resolve.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.open()
        let groups = try database.duplicates()
        if groups.isEmpty {
            print("no duplicates")
            return
        }
        var rows: [[String]] = []
        for group in groups {
            for interview in group.interviews {
                rows.append([group.formID, group.unitCode, group.roundCode, interview.uuid, interview.enumerator, interview.status, interview.updatedAt,
                             String(interview.answers)])
            }
        }
        print(renderTable(["form", "unit", "round", "uuid", "enumerator", "status", "updated", "answers"], rows), terminator: "")
    }
}

/// `pantau resolve UUID --keep --reason TEXT`.
struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Settle a duplicate: keep one interview, set the others aside (kept in the store, left out of analysis).")

    @Argument(help: "The interview to keep.")
    var uuid: String

    @Flag(help: "Keep this interview (required: says what is done).")
    var keep = false

    @Option(help: "Why this one is kept; goes to the audit log of each interview concerned.")
    var reason: String

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if !keep { throw ValidationError("say --keep: the interview named is the one kept") }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must say why") }
    }

    func run() throws {
        let database = try store.open()
        let discarded = try database.resolve(keeping: uuid, reason: reason, at: systemClock())
        print("kept \(uuid); set aside \(discarded.joined(separator: ", "))")
    }
}

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
        let database = try store.open()
        let items = try database.reviewList(round: round)
        switch format {
        case .json:
            print(try jsonText(items.map { item -> [String: Any] in
                ["uuid": item.interview.uuid, "form": item.interview.formID, "unit": item.interview.unitCode, "round": item.interview.roundCode,
                 "enumerator": item.interview.enumerator, "minutes": item.minutes ?? NSNull(), "reasons": item.reasons]
            }), terminator: "")
        case .csv:
            var rows = [["uuid", "form", "unit", "round", "enumerator", "minutes", "reasons"]]
            for item in items {
                rows.append([item.interview.uuid, item.interview.formID, item.interview.unitCode, item.interview.roundCode, item.interview.enumerator,
                             item.minutes.map { String(format: "%.1f", $0) } ?? "", item.reasons.joined(separator: "; ")])
            }
            print(CSV.write(rows), terminator: "")
        case .table:
            if items.isEmpty { print("nothing to review\(round.map { " in \($0)" } ?? "")"); return }
            for item in items {
                print("\(item.interview.uuid)  \(item.interview.formID) · \(item.interview.unitCode) \(item.interview.unitName) · \(item.interview.roundCode) · \(item.interview.enumerator)")
                for reason in item.reasons { print("  - \(reason)") }
            }
        }
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
        let database = try store.open()
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
        let database = try store.open()
        try database.reject(uuid, by: reviewer, comment: comment, at: systemClock())
        print("rejected \(uuid): \(comment)")
    }
}

/// `pantau progress`: where fieldwork stands.
struct Progress: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fieldwork progress for a round: units, interviews not started, draft, completed, approved, rejected.")

    @Option(help: "The round (default: the latest).")
    var round: String?

    @Option(help: "Group by a frame level (district, subdistrict, …) or enumerator.")
    var by: String = "district"

    @Option(help: "The questionnaire (form_id); default: every questionnaire in the store.")
    var questionnaire: String?

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.open()
        let rounds = try database.rounds()
        guard let round = round ?? rounds.last?.code else { throw CommandError.noRounds }
        var forms: [(String, String)] = []
        for definition in try database.questionnaireDefinitions() where questionnaire == nil || definition.formID == questionnaire {
            guard !forms.contains(where: { $0.0 == definition.formID }),
                  case .success(let loaded) = QuestionnaireLoader.load(yaml: definition.text, file: definition.formID),
                  let level = loaded.settings.unitLevel else { continue }
            forms.append((definition.formID, level))
        }
        if let questionnaire, forms.isEmpty { throw CommandError.noQuestionnaireWithUnitLevel(questionnaire) }
        var table: [[String]] = []
        var objects: [[String: Any]] = []
        for (form, level) in forms {
            let rows = try database.progress(formID: form, unitLevel: level, round: round, by: by)
            let total = rows.reduce(into: [0, 0, 0, 0, 0, 0]) { sums, row in
                for (index, value) in [row.units, row.notStarted, row.draft, row.completed, row.approved, row.rejected].enumerated() { sums[index] += value }
            }
            for row in rows {
                table.append([form, row.group, row.name, String(row.units), String(row.notStarted), String(row.draft), String(row.completed),
                              String(row.approved), String(row.rejected), String(format: "%.0f%%", 100 * row.completionRate)])
                objects.append(["form": form, "group": row.group, "name": row.name, "units": row.units, "not_started": row.notStarted, "draft": row.draft,
                                "completed": row.completed, "approved": row.approved, "rejected": row.rejected, "completion_rate": row.completionRate])
            }
            let rate = total[0] == 0 ? 0 : Double(total[3] + total[4]) / Double(total[0])
            table.append([form, "all", "", String(total[0]), String(total[1]), String(total[2]), String(total[3]), String(total[4]), String(total[5]),
                          String(format: "%.0f%%", 100 * rate)])
        }
        let header = ["form", by, "name", "units", "not started", "draft", "completed", "approved", "rejected", "complete"]
        switch format {
        case .table:
            print("round \(round)")
            print(renderTable(header, table), terminator: "")
        case .csv: print(CSV.write([header] + table), terminator: "")
        case .json: print(try jsonText(["round": round, "by": by, "groups": objects]), terminator: "")
        }
    }
}
