import ArgumentParser

@main
struct Pantau: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pantau",
        abstract: "Survey collection and analysis: questionnaires, interviews, indicators and DiD tables.",
        version: "0.6.0",
        subcommands: [Validate.self, CodebookCommand.self, Diff.self, Frame.self, InterviewCommand.self, Interviews.self, Show.self, Rounds.self, Simulate.self,
                      Demo.self, Indicators.self, DiD.self, Merge.self, Duplicates.self, Resolve.self, Review.self, Approve.self, Reject.self,
                      Progress.self, Export.self, Convert.self, Db.self]
    )
}
