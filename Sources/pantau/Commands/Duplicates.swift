import ArgumentParser
import Foundation
import Questionnaire
import Store
import Tabular

/// `pantau duplicates`: interviews of the same questionnaire, unit and round.
struct Duplicates: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List interviews of the same questionnaire, unit and round; settle them with pantau resolve.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openReading()
        let groups = try database.duplicates()
        if groups.isEmpty {
            print("no duplicates")
            return
        }
        var rows: [[String]] = []
        for group in groups {
            for interview in group.interviews {
                rows.append([
                    group.formID, group.unitCode, group.roundCode, interview.uuid, interview.enumerator, interview.status, interview.updatedAt,
                    String(interview.answers),
                ])
            }
        }
        print(renderTable(["form", "unit", "round", "uuid", "enumerator", "status", "updated", "answers"], rows), terminator: "")
    }
}

/// `pantau resolve UUID --keep --reason TEXT`.
struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle a duplicate: keep one interview, set the others aside (kept in the store, left out of analysis).")

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
        let database = try store.openReading()
        let discarded = try database.resolve(keeping: uuid, reason: reason, at: systemClock())
        print("kept \(uuid); set aside \(discarded.joined(separator: ", "))")
    }
}
