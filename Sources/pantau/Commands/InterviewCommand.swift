import ArgumentParser
import Foundation
import Questionnaire
import Runner
import Store

struct InterviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interview",
        abstract: "Run an interview: one unit, one round. Resumes the unit's draft for that round.",
        discussion: """
            On a terminal: one screen per question. When standard input is not a terminal, answers and commands are
            read one per line and no screen control codes are written (the line protocol, see docs/interviews.md).
            Exit status: 0 completed or saved (:save), 1 refused (unknown unit, completed interview without --reopen, …),
            3 input ended before the interview was completed or saved; the answers are kept as a draft.
            """
    )

    @Argument(help: "The questionnaire file.")
    var questionnaire: String

    @Option(help: "The code of the unit interviewed, from the frame.")
    var unit: String

    @Option(help: "The round, e.g. 2021-H1.")
    var round: String

    @Option(help: "Who interviews.")
    var enumerator: String

    @Option(help: "Language of labels and of the runner's words, e.g. id or en.")
    var lang: String?

    @Flag(help: "Reopen a completed interview (logged).")
    var reopen = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        for (name, value) in [("--unit", unit), ("--round", round), ("--enumerator", enumerator)] where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("\(name) must not be empty")
        }
        if RoundCode(round) == nil { throw ValidationError(RoundCode.explain(round)) }
    }

    func run() throws {
        let form = try loadValid(questionnaire)
        let database = try store.openCreating()
        if let problem = RoundCode.problem(adding: [round], to: try database.rounds().map(\.code)) { throw ValidationError(problem) }
        let interactive = Terminal.isTTY(STDIN_FILENO) && Terminal.isTTY(STDOUT_FILENO)
        let mode: RunnerMode = interactive ? .terminal(color: Terminal.useColor, width: Terminal.width) : .lines
        var resume = "pantau interview \(questionnaire) --unit \(unit) --round \(round) --enumerator \(enumerator)"
        if store.db != "data/pantau.sqlite" { resume += " --db \(store.db)" }
        let session = try InterviewSession(
            store: database, questionnaire: form, unit: unit, round: round, enumerator: enumerator,
            language: lang, reopen: reopen, mode: mode, resumeCommand: resume, clock: systemClock)
        Terminal.printError("\(session.opened.rawValue) interview \(session.uuid)")
        let end = try session.run(
            readLine: { Swift.readLine(strippingNewline: true) },
            write: { text in
                FileHandle.standardOutput.write(Data(text.utf8))
            })
        switch end {
        case .completed, .saved:
            if interactive { print() }
            let messages = end == .completed ? "completed" : "saved as a draft"
            Terminal.printError("interview \(session.uuid) \(messages)")
        case .inputEnded:
            Terminal.printError("input ended before the interview was completed; the answers are saved as a draft.\nresume with: \(resume)")
            throw ExitCode(3)
        }
    }
}
