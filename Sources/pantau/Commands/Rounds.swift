import ArgumentParser
import Expressions
import Store

struct Rounds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Survey rounds (e.g. 2021-H1) and their dates. Codes must sort in time order.",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a round, or set its dates.")

        @Argument(help: "The round's code, e.g. 2021-H1.")
        var code: String

        @Option(help: "First day of fieldwork, YYYY-MM-DD.")
        var starts: String?

        @Option(help: "Last day of fieldwork, YYYY-MM-DD.")
        var ends: String?

        @OptionGroup var store: StoreOptions

        func validate() throws {
            if code.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the round code must not be empty") }
            for (name, value) in [("--starts", starts), ("--ends", ends)] {
                if let value, CivilDate.parse(value) == nil { throw ValidationError("\(name) '\(value)' is not a date written YYYY-MM-DD") }
            }
            if let starts, let ends, starts > ends { throw ValidationError("--starts \(starts) is after --ends \(ends)") }
        }

        func run() throws {
            let database = try store.open()
            try database.defineRound(Round(code: code, startsOn: starts, endsOn: ends))
            print("round \(code): \(starts ?? "?") – \(ends ?? "?")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rounds in time order.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let database = try store.open()
            let rounds = try database.rounds()
            print(renderTable(["round", "starts", "ends"], rounds.map { [$0.code, $0.startsOn ?? "", $0.endsOn ?? ""] }), terminator: "")
        }
    }
}
