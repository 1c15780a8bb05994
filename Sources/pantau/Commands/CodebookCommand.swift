import ArgumentParser
import Codebook

struct CodebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codebook",
        abstract: "Write the codebook of a questionnaire: every variable with its labels, choices, conditions and checks."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, html }

    @Argument(help: "A questionnaire file.")
    var file: String

    @Option(help: "Output format: md or html (one self-contained file).")
    var format: Format = .md

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var out: String?

    func run() throws {
        let codebook = Codebook(try loadValid(file))
        let text = format == .md ? CodebookMarkdown.render(codebook) : CodebookHTML.render(codebook)
        try emit(text, to: out)
    }
}
