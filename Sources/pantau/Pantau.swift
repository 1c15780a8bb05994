import ArgumentParser
import Foundation

@main
struct Pantau: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pantau",
        abstract: "Survey collection and analysis: questionnaires, interviews, indicators and DiD tables.",
        version: "0.19.0",
        subcommands: [
            Validate.self, CodebookCommand.self, Diff.self, Frame.self, InterviewCommand.self, Interviews.self, Show.self, Rounds.self, Simulate.self,
            Demo.self, Indicators.self, DiD.self, Merge.self, Duplicates.self, Resolve.self, Review.self, Approve.self, Reject.self,
            Discard.self, Progress.self, Export.self, Convert.self, Db.self, Serve.self, ServerCommand.self, Sync.self,
        ]
    )

    /// ArgumentParser's `main`, with the errors of `run()` reported through `FailureReport`.
    static func main() {
        // Stores, exports and reports hold names and phone numbers: what pantau creates is readable by its owner only
        // (files 0600, folders 0700), whatever the shell's umask.
        umask(0o077)
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            guard let failure = FailureReport.lines(for: error) else { exit(withError: error) }
            for line in failure.lines { Terminal.printError(line) }
            Foundation.exit(failure.status)
        }
    }
}
