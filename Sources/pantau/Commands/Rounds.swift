import ArgumentParser
import Expressions
import Questionnaire
import Store

struct Rounds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Survey rounds and their dates: codes YYYY-H1/H2, YYYY-Q1…Q4 or YYYY-MM, one scheme per store.",
        subcommands: [Add.self, List.self, Remove.self]
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
            if RoundCode(code) == nil { throw ValidationError(RoundCode.explain(code)) }
            for (name, value) in [("--starts", starts), ("--ends", ends)] {
                if let value, CivilDate.parse(value) == nil { throw ValidationError("\(name) '\(value)' is not a date written YYYY-MM-DD") }
            }
            if let starts, let ends, starts > ends { throw ValidationError("--starts \(starts) is after --ends \(ends)") }
        }

        func run() throws {
            let database = try store.openCreating()
            if let problem = RoundCode.problem(adding: [code], to: try database.rounds().map(\.code)) { throw ValidationError(problem) }
            try database.defineRound(Round(code: code, startsOn: starts, endsOn: ends))
            print("round \(code): \(starts ?? "?") – \(ends ?? "?")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rounds in time order.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let database = try store.openExisting()
            let rounds = try database.rounds()
            print(renderTable(["round", "starts", "ends"], rounds.map { [$0.code, $0.startsOn ?? "", $0.endsOn ?? ""] }), terminator: "")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a round that no interview uses (one added by mistake).")

        @Argument(help: "The round's code.")
        var code: String

        @OptionGroup var store: StoreOptions

        func run() throws {
            try store.openExisting().removeRound(code)
            print("round \(code) removed")
        }
    }
}
