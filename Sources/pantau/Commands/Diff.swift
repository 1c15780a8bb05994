import ArgumentParser
import Codebook

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two versions of a questionnaire, variable by variable.",
        discussion: """
            Exit status: 0 when longitudinal comparability is kept (added or removed variables and relabelling are
            reported but allowed), 1 when a variable kept in both versions changed type or had choice codes removed or
            recoded, 2 when either file is not a valid questionnaire.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, md }

    @Argument(help: "The older questionnaire.")
    var old: String

    @Argument(help: "The newer questionnaire.")
    var new: String

    @Option(help: "Output format: text or md.")
    var format: Format = .text

    func run() throws {
        let before = try loadValid(old, failureCode: 2)
        let after = try loadValid(new, failureCode: 2)
        let diff = QuestionnaireDiff(old: before, new: after)
        print(DiffRenderer.render(diff, markdown: format == .md), terminator: "")
        if diff.breaksComparability { throw ExitCode(1) }
    }
}
