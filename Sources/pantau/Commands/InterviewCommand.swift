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

    /// The runner's words: the session's language decides the language of the command's own messages too.
    var words: Words { Words(language: lang) }

    func validate() throws {
        for (name, value) in [("--unit", unit), ("--round", round), ("--enumerator", enumerator)] where value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("\(name) must not be empty")
        }
        if RoundCode(round) == nil { throw ValidationError(RoundCode.explain(round, indonesian: words == .indonesian)) }
    }

    /// The command that resumes this interview, as typed: with --lang and --db when given, quoted where needed.
    var resumeCommand: String {
        var arguments = ["pantau", "interview", questionnaire, "--unit", unit, "--round", round, "--enumerator", enumerator]
        if let lang { arguments += ["--lang", lang] }
        if store.db != "data/pantau.sqlite" { arguments += ["--db", store.db] }
        return arguments.map(shellQuoted).joined(separator: " ")
    }

    func run() throws {
        do {
            try runSession()
        } catch let error where !(error is ExitCode) && words == .indonesian {
            throw translated(error)
        }
    }

    func runSession() throws {
        let form = try loadValid(questionnaire)
        let database = try store.openCreating()
        if let problem = RoundCode.problem(adding: [round], to: try database.rounds().map(\.code), indonesian: words == .indonesian) {
            throw ValidationError(problem)
        }
        let interactive = Terminal.isTTY(STDIN_FILENO) && Terminal.isTTY(STDOUT_FILENO)
        let mode: RunnerMode = interactive ? .terminal(color: Terminal.useColor, width: Terminal.width, height: Terminal.height) : .lines
        let session = try InterviewSession(
            store: database, questionnaire: form, unit: unit, round: round, enumerator: enumerator,
            language: lang, reopen: reopen, mode: mode, resumeCommand: resumeCommand, clock: systemClock)
        let words = Words(language: session.engine.language)
        // Every step is committed before the next prompt, so Ctrl-C loses nothing: it only has to say so.
        Interruption.install(message: "\n" + words.interrupted(resume: resumeCommand) + "\n")
        Terminal.printError(words.opened(session.opened.rawValue, uuid: session.uuid))
        let end = try session.run(
            readLine: {
                // Bytes first, so that a line in another encoding is refused with a message rather than stored with
                // replacement characters (as Swift's readLine would decode it).
                while let bytes = StandardInput.lineBytes() {
                    if let text = String(validating: bytes, as: UTF8.self) { return text }
                    FileHandle.standardOutput.write(Data((words.notUTF8Line + "\n").utf8))
                }
                return nil
            },
            write: { text in
                FileHandle.standardOutput.write(Data(text.utf8))
            })
        switch end {
        case .completed, .saved:
            // The session has said it, once, in its language.
            if interactive { print() }
        case .inputEnded:
            Terminal.printError(words.inputEnded(resume: resumeCommand))
            throw ExitCode(3)
        }
    }

    /// An error of this command in Indonesian, for a session run with --lang id; others keep their English text.
    func translated(_ error: Error) -> Error {
        let message: String
        switch error {
        case StoreError.unknownUnit(let code): message = "unit \(code) tidak ada di kerangka sampel; impor dengan pantau frame import"
        case StoreError.unitLevelMismatch(let unit, let level, let expected):
            message = "unit \(unit) adalah \(level), tetapi kuesioner ini untuk \(expected)"
        case StoreError.completed(let uuid):
            message = "wawancara \(uuid) sudah selesai; tambahkan --reopen untuk mengubahnya (pembukaan kembali dicatat)"
        case StoreError.draftUsesOtherVersion(let uuid, let version):
            message = "draf wawancara \(uuid) memakai kuesioner versi \(version); lanjutkan dengan versi itu"
        case SessionError.unknownLanguage(let code, let available):
            message = "kuesioner tidak punya bahasa '\(code)'; bahasanya: \(available.joined(separator: ", "))"
        case CommandError.invalidQuestionnaire(let path, let report, let status):
            return CommandError.translated(
                lines: FailureReport.diagnostics(report) + ["\(path) bukan kuesioner yang sah; jalankan pantau validate \(path)"], status: status)
        default: return error
        }
        return CommandError.translated(lines: [words.error(message)], status: 1)
    }
}

/// A word for a POSIX shell: as it is when safe, else in single quotes.
func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./:=@,+".unicodeScalars.contains($0) }
    return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
