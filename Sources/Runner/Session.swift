import Expressions
import Foundation
import Interview
import Questionnaire
import Store

/// How the runner talks: full screens on a terminal, or one line per answer for scripts and tests.
public enum RunnerMode: Sendable {
    case terminal(color: Bool, width: Int, height: Int)
    case lines
}

/// How a session ended.
public enum SessionEnd: Hashable, Sendable {
    case completed
    case saved
    /// Standard input ended in the middle: everything is saved as a draft.
    case inputEnded
}

/// Identifier values for a unit, by item name: `<level>_code` and `<level>_name` up the unit's lineage, and
/// any frame attribute whose column has the item's name.
public func identifierPrefill(for questionnaire: Questionnaire, lineage: [FrameUnit]) -> [String: Value] {
    var values: [String: Value] = [:]
    for unit in lineage {
        values["\(unit.level)_code"] = .string(unit.code)
        values["\(unit.level)_name"] = .string(unit.name)
        for (key, value) in unit.attributes where unit.code == lineage.last?.code { values[key] = .string(value) }
    }
    var prefill: [String: Value] = [:]
    for item in questionnaire.allItems where item.type == .identifier && item.repeatPath.isEmpty {
        if let value = values[item.name] { prefill[item.name] = value }
    }
    return prefill
}

/// One interview run: reads lines, drives the engine, writes every step to the store before the next prompt.
public final class InterviewSession {
    public let engine: InterviewEngine
    public let uuid: String
    public let opened: OpenedInterview.Kind
    /// The supervisor's comment when a rejected interview came back: shown on the first screen.
    let reviewComment: String?
    let store: ResponseStore
    let clock: @Sendable () -> Timestamp
    let mode: RunnerMode
    let header: ScreenHeader
    let resumeCommand: String
    /// The repeat caps already told to the enumerator.
    var announcedCaps: [Address: Int] = [:]
    var words: Words
    var pendingDelete = false
    /// The page of `:review` on screen, in terminal mode; nil when a question is.
    var reviewPage: Int?

    /// Opens (or resumes) the interview and persists the engine's initial state at once.
    public init(
        store: ResponseStore, questionnaire: Questionnaire, unit: String, round: String, enumerator: String,
        language: String?, reopen: Bool, mode: RunnerMode, resumeCommand: String,
        clock: @escaping @Sendable () -> Timestamp
    ) throws {
        self.store = store
        self.clock = clock
        self.mode = mode
        self.resumeCommand = resumeCommand
        let now = clock()
        if let language, !questionnaire.settings.languages.isEmpty, !questionnaire.settings.languages.contains(language) {
            throw SessionError.unknownLanguage(language, available: questionnaire.settings.languages)
        }
        let opened = try store.openInterview(
            questionnaire, unit: unit, round: round, enumerator: enumerator, reopen: reopen,
            language: language, at: now)
        uuid = opened.uuid
        self.opened = opened.kind
        reviewComment = opened.reviewComment
        let lineage = try store.lineage(of: unit)
        let previous = try store.previousRoundValues(formID: questionnaire.settings.formID, unit: unit, before: round)
        var environment = InterviewEnvironment(
            clock: clock, previousRound: previous?.values ?? [:],
            prefill: identifierPrefill(for: questionnaire, lineage: lineage))
        environment.randomKey = "\(questionnaire.settings.formID)\u{1}\(unit)\u{1}\(round)"
        let saved: (records: [Address: AnswerRecord], cursor: Cursor)? = opened.kind == .started ? nil : (opened.records, opened.cursor)
        engine = InterviewEngine(questionnaire: questionnaire, environment: environment, language: language ?? opened.language, restoring: saved)
        let words = Words(language: engine.language)
        self.words = words
        if opened.kind == .reopened { engine.noteReopened() }
        header = ScreenHeader(
            title: questionnaire.settings.title.text(in: engine.language), places: lineage.map(\.name), unit: unit, round: round,
            enumerator: enumerator, previousRound: previous?.round)
        try persist()
    }

    func persist() throws {
        let transition = engine.takeTransition()
        try store.save(transition, interview: uuid, language: engine.language, at: clock())
    }

    /// Runs until the interview is completed, saved, or input ends; then checkpoints the store's log.
    public func run(readLine: () -> String?, write: (String) -> Void) throws -> SessionEnd {
        let end = try loop(readLine: readLine, write: write)
        // Best effort: a failed checkpoint loses nothing, the log stays and is replayed on the next open.
        try? store.checkpoint()
        return end
    }

    func loop(readLine: () -> String?, write: (String) -> Void) throws -> SessionEnd {
        var message: [String] = reviewComment.map { ["! \(words.sentBack): \($0)"] } ?? []
        while true {
            write(screen(messages: message))
            message = []
            guard let raw = readLine() else {
                try persist()
                return .inputEnded
            }
            let line = raw.trimmingLineEnds
            if line.count > 10_000 {
                message = ["! " + words.tooLong]
                continue
            }
            if line.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
                message = ["! " + words.controlCharacters]
                continue
            }
            let trimmed = line.trimmingSpaces
            if let page = reviewPage {
                // Paging through :review: Enter turns the page (past the last, back to the question); anything else
                // leaves the review and is read as usual, so ":jump 12" goes straight to a row.
                reviewPage = nil
                if trimmed.isEmpty {
                    if page + 1 < reviewPageCount { reviewPage = page + 1 }
                    continue
                }
                if trimmed.lowercased() == "q" { continue }
            }
            if trimmed.hasPrefix(":") {
                let (end, output) = try command(trimmed)
                message = output
                if let end {
                    write(output.map { $0 + "\n" }.joined())
                    return end
                }
            } else {
                message = try answer(line)
            }
            try persist()
        }
    }

    // MARK: - Input

    /// Maps choice numbers to codes: a text that is itself a code stays a code; otherwise a number picks the
    /// n-th choice shown.
    func resolveChoices(_ text: String, _ prompt: Prompt) -> String {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let codes = Set(prompt.choices.map(\.code))
        return parts.map { part in
            if codes.contains(part) { return part }
            if let number = Int(part), let choice = prompt.choices.first(where: { $0.number == number }) { return choice.code }
            return part
        }.joined(separator: " ")
    }

    func answer(_ line: String) throws -> [String] {
        switch engine.cursor {
        case .repeatPrompt:
            switch line.trimmingSpaces.lowercased() {
            case "y", "yes", "ya", "1": _ = engine.addInstance()
            case "n", "no", "t", "tidak", "2": _ = engine.declineInstance()
            default: return ["! " + words.yesNoOnly]
            }
            return []
        case .end:
            return ["! " + words.endTitle]
        case .item:
            guard let prompt = engine.prompt() else { return [] }
            var text = line
            if prompt.item.type.choiceList != nil { text = resolveChoices(line, prompt) }
            if prompt.item.type == .acknowledge, ["y", "ya", "yes", "ok", "1"].contains(line.trimmingSpaces.lowercased()) {
                text = "OK"
            }
            if case .attachment(let kind) = prompt.item.type, !line.trimmingSpaces.isEmpty {
                // A path typed or dropped into the terminal (which may quote it): the file goes into the store first.
                var path = line.trimmingSpaces
                if path.count > 1, let first = path.first, ["'", "\""].contains(first), path.last == first { path = String(path.dropFirst().dropLast()) }
                path = (path as NSString).expandingTildeInPath
                do {
                    text = try store.attach(fileAt: path, interview: uuid, address: prompt.address, at: clock())
                } catch StoreError.attachment(_, let problem) {
                    return ["! " + words.attachmentProblem(problem, path: path, kind: kind.rawValue)]
                }
            }
            if prompt.item.type == .integer || prompt.item.type == .decimal {
                switch convention.canonical(line) {
                case .success(let canonical): text = canonical
                case .failure(let refusal): return ["! " + refusal.message]
                }
            }
            let outcome = engine.answer(text)
            // A code or number that is not a choice: the numbered choices, by label, rather than the list's codes.
            if case .invalid(.notAChoice(let code, _)) = outcome, !prompt.choices.isEmpty {
                let listed = prompt.choices.map { "\($0.number)) \($0.label)" }.joined(separator: ", ")
                return ["! " + words.notAChoice(code, listed)]
            }
            return describe(outcome)
        }
    }

    /// Numbers as the session's language writes them.
    var convention: NumberConvention { NumberConvention(words) }

    /// A check without a message of its own, said in words from its expression ("the answer is less than 100").
    func explain(_ check: CompiledExpression?, fallback: String) -> String {
        guard let check else { return fallback }
        let describer = ExpressionDescriber(
            questionnaire: engine.questionnaire, language: words == .indonesian ? .indonesian : .english, labelLanguage: engine.language,
            formatNumber: convention.format)
        return "\(fallback) \(words.theCondition): \(describer.describe(check.expression))"
    }

    /// The item the cursor is on, for messages about it.
    var currentItem: Item? {
        guard case .item(let address) = engine.cursor else { return nil }
        return engine.item(named: address.name)
    }

    func describe(_ outcome: AnswerOutcome) -> [String] {
        switch outcome {
        case .accepted:
            // A repeat_count this answer made larger than a repeat can hold: said once, not silently cut.
            let new = engine.cappedRepeats.filter { announcedCaps[$0.key] != $0.value }
            for (collection, count) in new { announcedCaps[collection] = count }
            return new.sorted { $0.key.description < $1.key.description }.map { collection, count in
                "! " + words.repeatCapped(collection.name, asked: count, limit: InterviewEngine.maximumInstances)
            }
        case .invalid(let error): return ["! " + error.message(indonesian: words == .indonesian)]
        case .requiredButEmpty(let message): return ["! " + (message ?? words.emptyRequired)]
        case .constraintViolated(let message):
            return ["! " + (message ?? explain(currentItem?.constraint, fallback: words.constraintFailed))]
        case .softCheckFailed(let message):
            return ["! " + (message ?? explain(currentItem?.warning, fallback: words.softCheckFailed)), "! " + words.softCheckHelp]
        case .notAllowed(let reason):
            switch reason {
            case .nonResponse: return ["! " + words.notAllowedNonResponse]
            case .nothingToConfirm: return ["! " + words.nothingToConfirm]
            case .emptyReason: return ["! " + words.emptyReason]
            case .noQuestion: return ["! " + words.noQuestion]
            case .readOnly: return ["! " + words.readOnly]
            case .notAnInstance: return ["! " + words.notAnInstance]
            }
        }
    }

    func describe(_ blocker: Blocker) -> String {
        let item = engine.item(named: blocker.address.name)
        let reason =
            switch blocker.reason {
            case .required(let message): message ?? words.emptyRequired
            case .constraint(let message): message ?? explain(item?.constraint, fallback: words.constraintFailed)
            case .softCheck(let message): message ?? explain(item?.warning, fallback: words.softCheckFailed)
            }
        return "\(blocker.address): \(reason)  → :jump \(blocker.address)"
    }

    func command(_ text: String) throws -> (SessionEnd?, [String]) {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let name = parts[0].lowercased()
        let argument = parts.count > 1 ? parts[1].trimmingSpaces : ""
        if name != ":delete" { pendingDelete = false }
        switch name {
        case ":help", ":h", ":?": return (nil, words.help.split(separator: "\n").map { "  " + $0 })
        case ":back", ":b":
            return (nil, engine.back() == .atBoundary ? ["! " + words.atStart] : [])
        case ":next", ":n":
            switch engine.next() {
            case .moved: return (nil, [])
            case .atBoundary: return (nil, ["! " + words.atEnd])
            case .blocked(let blocker): return (nil, ["! " + describe(blocker)])
            }
        case ":jump", ":j":
            let items = engine.itemSequence()
            let numbered = Int(argument).flatMap { (1...max(1, items.count)).contains($0) && !items.isEmpty ? items[$0 - 1] : nil }
            guard let address = numbered ?? Address.parse(argument) else { return (nil, ["! " + words.unknownItem]) }
            switch engine.jump(to: address) {
            case .moved: return (nil, [])
            case .unknownItem: return (nil, ["! " + words.unknownItem])
            case .notReached: return (nil, ["! " + words.notReached])
            case .notRelevant: return (nil, ["! " + words.notRelevant])
            }
        case ":review", ":r":
            if case .terminal = mode {
                reviewPage = 0
                return (nil, [])
            }
            return (nil, reviewLines(width: nil))
        case ":clear": return (nil, describe(engine.clearAnswer()))
        case ":dk": return (nil, describe(engine.setNonResponse(.dontKnow)))
        case ":rf": return (nil, describe(engine.setNonResponse(.refused)))
        case ":na": return (nil, describe(engine.setNonResponse(.notApplicable)))
        case ":confirm": return (nil, describe(engine.confirm(reason: argument)))
        case ":lang":
            let languages = engine.questionnaire.settings.languages
            guard languages.isEmpty || languages.contains(argument), !argument.isEmpty else {
                return (nil, ["! \(words.unknownLanguage) \(argument) (\(languages.joined(separator: ", ")))"])
            }
            engine.setLanguage(argument)
            words = Words(language: argument)
            return (nil, ["= \(words.languageSet) \(argument)"])
        case ":delete":
            guard case .item(let address) = engine.cursor, !address.indices.isEmpty else { return (nil, ["! " + words.notAnInstance]) }
            if pendingDelete || ["yes", "y", "ya"].contains(argument.lowercased()) {
                pendingDelete = false
                let outcome = engine.deleteCurrentInstance()
                return (nil, outcome == .accepted ? ["= " + words.deleted] : describe(outcome))
            }
            pendingDelete = true
            return (nil, ["! " + words.deleteAsk])
        case ":save", ":quit", ":q":
            try persist()
            return (.saved, ["= \(words.saved) \(words.resumeWith) \(resumeCommand)"])
        case ":finish":
            let blockers = engine.finish()
            guard blockers.isEmpty else { return (nil, finishBlockedLines(blockers)) }
            try store.complete(engine.takeTransition(), interview: uuid, language: engine.language, at: clock())
            return (.completed, ["= " + words.finished])
        default:
            return (nil, ["! " + words.unknownCommand])
        }
    }

    // MARK: - Output

    /// What stops `:finish`: the questions already reached, each with the `:jump` that leads to it, and how many
    /// further questions are still to be asked (reached by going on, not by a jump).
    func finishBlockedLines(_ blockers: [Blocker]) -> [String] {
        let reached = blockers.filter { engine.hasReached($0.address) }
        var lines = ["! " + words.finishBlocked] + reached.prefix(10).map { "!   " + describe($0) }
        if reached.count > 10 { lines.append("!   … \(reached.count - 10) \(words.more)") }
        let ahead = blockers.count - reached.count
        if ahead > 0 { lines.append("!   " + words.notYetAsked(ahead)) }
        return lines
    }

    /// A value as the enumerator reads it: choices by label, numbers grouped in the session's convention.
    func display(_ value: Value?, _ item: Item) -> String {
        guard let value else { return "" }
        switch value {
        case .nonResponse(let code): return "[\(words.nonResponse(code.rawValue))]"
        case .empty: return ""
        default: break
        }
        if let list = item.type.choiceList.flatMap(engine.questionnaire.choiceList(named:)) {
            return Evaluator.choiceCodes(value).map { code in list.choice(code)?.label?.text(in: engine.language) ?? code }.joined(separator: ", ")
        }
        if case .number(let number) = value { return convention.format(number) }
        return value.stringValue
    }

    /// The answers reached so far, one line each: the number `:jump` takes, the question's label, the value; a line
    /// starts with `!` where something stops `:finish`. Cut to `width` on a terminal.
    func reviewLines(width: Int?) -> [String] {
        let numbers = Dictionary(engine.itemSequence().enumerated().map { ($1, $0 + 1) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for row in engine.review() where engine.hasReached(row.address) {
            guard let item = engine.item(named: row.address.name), item.type != .note else { continue }
            var line = "\(row.blocker == nil ? " " : "!")\(String(numbers[row.address] ?? 0).leftPadded(3)) \(row.label)"
            var value = " = \(display(row.value, item))"
            if let reason = row.confirmation { value += " [\(words.confirmed): \(reason)]" }
            if let width, line.count + value.count > width {
                let room = max(8, width - value.count - 1)
                if line.count > room { line = String(line.prefix(room - 1)) + "…" }
                value = String(value.prefix(max(0, width - line.count)))
            }
            lines.append(line + value)
        }
        if width == nil { return ["= \(words.review):"] + lines.map { "=  " + $0 } }
        return lines
    }

    /// Review lines that fit one terminal page, below the header.
    var reviewPageSize: Int {
        if case .terminal(_, _, let height) = mode { return max(5, height - 6) }
        return .max
    }

    var reviewPageCount: Int {
        guard case .terminal(_, let width, _) = mode else { return 1 }
        return max(1, (reviewLines(width: width).count + reviewPageSize - 1) / reviewPageSize)
    }

    var useColor: Bool { if case .terminal(let color, _, _) = mode { color } else { false } }

    func paint(_ text: String, _ code: String) -> String { useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func screen(messages: [String]) -> String {
        switch mode {
        case .lines: return lineScreen(messages: messages)
        case .terminal(_, let width, let height): return terminalScreen(messages: messages, width: width, height: height)
        }
    }

    /// The line protocol: `!`/`=` lines answer the last input, then `? ADDRESS TYPE` asks for the next line,
    /// followed by the question's text indented by two spaces.
    func lineScreen(messages: [String]) -> String {
        var out = messages.map { $0 + "\n" }.joined()
        switch engine.cursor {
        case .end:
            out += "? :end\n  \(words.endTitle)\n"
        case .repeatPrompt:
            let info = engine.repeatPromptInfo()
            out += "? \(engine.cursor) repeat\n  \(info?.label ?? ""): \(info?.count ?? 0) \(words.repeatSoFar). \(words.repeatQuestion)\n"
        case .item:
            guard let prompt = engine.prompt() else { return out }
            out += "? \(prompt.address) \(prompt.item.type)\(prompt.required ? " *" : "")\n"
            out += questionLines(prompt).map { "  " + $0 + "\n" }.joined()
        }
        return out
    }

    /// How a date or time is typed, shown before the first attempt rather than after a wrong one.
    func format(of type: ItemType) -> String? {
        switch type {
        case .date: words.dateFormat
        case .time: words.timeFormat
        case .dateTime: words.dateTimeFormat
        case .geotrace: words.geotraceFormat
        case .geoshape: words.geoshapeFormat
        case .attachment(let kind): words.attachmentFormat(kind.rawValue)
        case .rank: words.rankFormat
        default: nil
        }
    }

    func questionLines(_ prompt: Prompt) -> [String] {
        var lines: [String] = []
        if !prompt.sectionPath.isEmpty { lines.append(prompt.sectionPath.joined(separator: " › ")) }
        lines.append(prompt.label + (prompt.required ? " *" : ""))
        if let hint = prompt.hint, !hint.isEmpty { lines.append("(\(hint))") }
        for media in prompt.media { lines.append("[\(media.kind): \(media.file)]") }
        if let format = format(of: prompt.item.type) { lines.append("(\(format))") }
        for choice in prompt.choices { lines.append("\(choice.number)) \(choice.shown) [\(choice.code)]") }
        if let value = prompt.value, !(value.isEmpty && !value.isNonResponse) {
            lines.append("\(words.current): \(display(value, prompt.item))\(prompt.origin == .defaulted ? " \(words.defaulted)" : "")")
        }
        if let reason = prompt.confirmation { lines.append("[\(words.confirmed): \(reason)]") }
        let allowed = prompt.item.allowedNonResponses.map {
            ":\(["dont_know": "dk", "refused": "rf", "not_applicable": "na"][$0.rawValue]!) \(words.nonResponse($0.rawValue))"
        }
        if !allowed.isEmpty { lines.append(allowed.joined(separator: "  ")) }
        return lines
    }

    func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty, line.count + 1 + word.count > width {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            lines.append(line)
        }
        return lines
    }

    /// The second line: where the enumerator is (`12/43 name`, what `:jump` takes), the progress and who interviews.
    func statusLine(width: Int) -> String {
        let progress = engine.progress()
        var parts: [String] = []
        if let position = engine.position(), case .item(let address) = engine.cursor { parts.append("No. \(position.index)/\(position.total) \(address)") }
        parts.append("\(progress.answered)/\(progress.relevant) \(words.progress)")
        let withEnumerator = (parts + ["\(words.enumerator) \(header.enumerator)"]).joined(separator: " · ")
        return withEnumerator.count <= width ? withEnumerator : String(parts.joined(separator: " · ").prefix(width))
    }

    func terminalScreen(messages: [String], width: Int, height: Int) -> String {
        let width = max(40, min(width, 160))
        var out = "\u{1B}[2J\u{1B}[H"
        out += paint(header.line(width: width, words: words), "1") + "\n"
        out += paint(statusLine(width: width), "2") + "\n\n"
        if let page = reviewPage {
            let lines = reviewLines(width: width)
            let pages = reviewPageCount
            out += paint("\(words.review) \(page + 1)/\(pages)", "1") + "\n"
            for line in lines.dropFirst(page * reviewPageSize).prefix(reviewPageSize) {
                out += (line.hasPrefix("!") ? paint(line, "31") : line) + "\n"
            }
            out += paint(page + 1 < pages ? words.reviewNextPage : words.reviewLastPage, "2") + "\n> "
            return out
        }
        switch engine.cursor {
        case .end:
            out += paint(words.endTitle, "1") + "\n"
            let blockers = engine.finishBlockers()
            for line in finishBlockedLines(blockers).dropFirst().prefix(max(3, height - 9)) { out += paint("  " + line.dropFirst(4), "31") + "\n" }
        case .repeatPrompt:
            let info = engine.repeatPromptInfo()
            out += paint("\(info?.label ?? "")", "1") + ": \(info?.count ?? 0) \(words.repeatSoFar)\n\(words.repeatQuestion)\n"
        case .item:
            guard let prompt = engine.prompt() else { break }
            if !prompt.sectionPath.isEmpty { out += paint(String(prompt.sectionPath.joined(separator: " › ").prefix(width)), "36") + "\n" }
            for line in wrap(prompt.label, width: width - 2) { out += paint(line, "1") + "\n" }
            if prompt.required { out += paint("(\(words.required))", "33") + "\n" }
            if let hint = prompt.hint, !hint.isEmpty { for line in wrap(hint, width: width - 2) { out += paint(line, "2") + "\n" } }
            for media in prompt.media { out += paint(String("[\(media.kind): \(media.file)]".prefix(width)), "2") + "\n" }
            if let format = format(of: prompt.item.type) { out += paint(format, "2") + "\n" }
            if !prompt.choices.isEmpty {
                out += "\n"
                for choice in prompt.choices { out += "  \(String(choice.number).leftPadded(3))) \(choice.shown)\n" }
                let several = prompt.item.type.choiceList != nil && { if case .selectMultiple = prompt.item.type { true } else { false } }()
                out += paint("\(words.choiceNumberOrCode)\(several ? " (\(words.severalChoices))" : "")", "2") + "\n"
            }
            if let value = prompt.value, !(value.isEmpty && !value.isNonResponse) {
                out +=
                    "\n\(words.current): " + paint(display(value, prompt.item), "32")
                    + (prompt.origin == .defaulted ? " \(words.defaulted)" : "") + "\n"
                out += paint(words.keepHint, "2") + "\n"
            }
            if let reason = prompt.confirmation { out += paint("[\(words.confirmed): \(reason)]", "2") + "\n" }
            let allowed = prompt.item.allowedNonResponses.map {
                ":\(["dont_know": "dk", "refused": "rf", "not_applicable": "na"][$0.rawValue]!) \(words.nonResponse($0.rawValue))"
            }
            if !allowed.isEmpty { out += paint(allowed.joined(separator: "  "), "2") + "\n" }
        }
        if !messages.isEmpty {
            out += "\n"
            for message in messages {
                let color = message.hasPrefix("!") ? "31" : "32"
                for line in wrap(String(message.dropFirst(2)), width: width) { out += paint(line, color) + "\n" }
            }
        }
        out += paint(":help", "2") + "\n> "
        return out
    }
}

/// The first line of every screen: the questionnaire, the place, the unit's code and the round. At any width the
/// unit's code and the round stay whole; the place path is shortened first (to the unit's own name), then the title.
struct ScreenHeader {
    let title: String
    /// The unit's lineage, outermost first.
    let places: [String]
    let unit: String
    let round: String
    let enumerator: String
    let previousRound: String?

    func line(width: Int, words: Words) -> String {
        let fixed = " [\(unit)] · \(words.round) \(round)"
        let previous = previousRound.map { " · \(words.previousRound) \($0)" } ?? ""
        for place in [places.joined(separator: " › "), places.last ?? ""] {
            for tail in [fixed + previous, fixed] {
                let line = "\(title) · \(place)\(tail)"
                if line.count <= width { return line }
            }
        }
        // Still too long: the title keeps up to a third of the room, the place the rest, each cut with an ellipsis.
        let place = places.last ?? ""
        let room = width - fixed.count
        if room < 8 { return String((unit + " · " + round).prefix(width)) }
        let titleRoom = min(title.count, max(4, room / 3))
        func cut(_ text: String, _ room: Int) -> String {
            text.count <= room ? text : String(text.prefix(max(1, room - 1))).trimmingCharacters(in: .whitespaces) + "…"
        }
        let shortTitle = cut(title, titleRoom)
        let shortPlace = cut(place, room - shortTitle.count - 3)
        return "\(shortTitle) · \(shortPlace)\(fixed)"
    }
}

public enum SessionError: Error, CustomStringConvertible {
    case unknownLanguage(String, available: [String])

    public var description: String {
        switch self {
        case .unknownLanguage(let code, let available): "the questionnaire has no language '\(code)'; it has \(available.joined(separator: ", "))"
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
