import Questionnaire

/// What changed between two versions of a questionnaire, variable by variable, and whether the change
/// breaks longitudinal comparability.
public struct QuestionnaireDiff: Hashable, Sendable {
    public enum Change: Hashable, Sendable, CustomStringConvertible {
        case added(type: String)
        case removed(type: String)
        case typeChanged(from: String, to: String)
        case choiceListRenamed(from: String, to: String)
        case codesAdded([String])
        case codesRemoved([String])
        /// A label that belonged to one code now belongs to another.
        case codeRecoded(label: String, from: String, to: String)
        case choiceRelabelled(code: String, from: String, to: String)
        case labelChanged(language: String, from: String, to: String)
        case relevanceChanged(from: String?, to: String?)
        case constraintChanged(from: String?, to: String?)
        case movedTo(path: String)

        /// Breaks comparability across rounds: the same name no longer measures the same thing the same way.
        public var breaksComparability: Bool {
            switch self {
            case .typeChanged, .codesRemoved, .codeRecoded: true
            default: false
            }
        }

        public var description: String {
            switch self {
            case .added(let type): "added (\(type))"
            case .removed(let type): "removed (\(type))"
            case .typeChanged(let from, let to): "type changed: \(from) → \(to)"
            case .choiceListRenamed(let from, let to): "choice list renamed: \(from) → \(to)"
            case .codesAdded(let codes): "choice codes added: \(codes.joined(separator: ", "))"
            case .codesRemoved(let codes): "choice codes removed: \(codes.joined(separator: ", "))"
            case .codeRecoded(let label, let from, let to): "choice recoded: '\(label)' was code \(from), is now \(to)"
            case .choiceRelabelled(let code, let from, let to): "choice \(code) relabelled: '\(from)' → '\(to)'"
            case .labelChanged(let language, let from, let to):
                "label\(language.isEmpty ? "" : " (\(language))") changed: '\(from)' → '\(to)'"
            case .relevanceChanged(let from, let to): "relevance changed: \(from ?? "always") → \(to ?? "always")"
            case .constraintChanged(let from, let to): "constraint changed: \(from ?? "none") → \(to ?? "none")"
            case .movedTo(let path): "moved to \(path.isEmpty ? "the top level" : path)"
            }
        }
    }

    public struct VariableChanges: Hashable, Sendable {
        public let name: String
        public let changes: [Change]
        public var breaksComparability: Bool { changes.contains(where: \.breaksComparability) }
    }

    public let old: (formID: String, version: String)
    public let new: (formID: String, version: String)
    public let variables: [VariableChanges]
    public let unchangedCount: Int

    public var breaksComparability: Bool { variables.contains(where: \.breaksComparability) }

    public static func == (lhs: QuestionnaireDiff, rhs: QuestionnaireDiff) -> Bool {
        lhs.old == rhs.old && lhs.new == rhs.new && lhs.variables == rhs.variables
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(variables) }

    public init(old oldForm: Questionnaire, new newForm: Questionnaire) {
        old = (oldForm.settings.formID, oldForm.settings.version)
        new = (newForm.settings.formID, newForm.settings.version)
        let oldItems = oldForm.allItems.filter { $0.type.holdsValue || $0.type.isContainer }
        let newItems = newForm.allItems.filter { $0.type.holdsValue || $0.type.isContainer }
        let oldByName = Dictionary(oldItems.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newByName = Dictionary(newItems.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [VariableChanges] = []
        var unchanged = 0
        // Kept and removed in the old order, then additions in the new order.
        for item in oldItems {
            guard let counterpart = newByName[item.name] else {
                result.append(VariableChanges(name: item.name, changes: [.removed(type: item.type.description)]))
                continue
            }
            let changes = QuestionnaireDiff.compare(item, oldForm, counterpart, newForm)
            if changes.isEmpty { unchanged += 1 } else { result.append(VariableChanges(name: item.name, changes: changes)) }
        }
        for item in newItems where oldByName[item.name] == nil {
            result.append(VariableChanges(name: item.name, changes: [.added(type: item.type.description)]))
        }
        variables = result
        unchangedCount = unchanged
    }

    private static func typeFamily(_ type: ItemType) -> String {
        switch type {
        case .selectOne: "select_one"
        case .selectMultiple: "select_multiple"
        case .rank: "rank"
        default: type.description
        }
    }

    static func compare(_ old: Item, _ oldForm: Questionnaire, _ new: Item, _ newForm: Questionnaire) -> [Change] {
        var changes: [Change] = []
        if typeFamily(old.type) != typeFamily(new.type) {
            changes.append(.typeChanged(from: old.type.description, to: new.type.description))
        } else if let oldListName = old.type.choiceList, let newListName = new.type.choiceList,
            let oldList = oldForm.choiceList(named: oldListName), let newList = newForm.choiceList(named: newListName)
        {
            if oldListName != newListName { changes.append(.choiceListRenamed(from: oldListName, to: newListName)) }
            changes += compareChoices(oldList, newList, language: oldForm.settings.defaultLanguage)
        }
        // The form's language order first, then any others.
        let present = Set(old.label?.translations.keys.map { $0 } ?? []).union(new.label?.translations.keys.map { $0 } ?? [])
        let declared = newForm.settings.languages.filter(present.contains)
        let languages = declared + present.subtracting(declared).sorted()
        for language in languages {
            let before = old.label?.translations[language] ?? ""
            let after = new.label?.translations[language] ?? ""
            if before != after { changes.append(.labelChanged(language: language, from: before, to: after)) }
        }
        if old.relevant?.text != new.relevant?.text {
            changes.append(.relevanceChanged(from: old.relevant?.text, to: new.relevant?.text))
        }
        if old.constraint?.text != new.constraint?.text {
            changes.append(.constraintChanged(from: old.constraint?.text, to: new.constraint?.text))
        }
        if old.path != new.path { changes.append(.movedTo(path: new.path.joined(separator: " › "))) }
        return changes
    }

    static func compareChoices(_ old: ChoiceList, _ new: ChoiceList, language: String?) -> [Change] {
        var changes: [Change] = []
        let oldCodes = old.codes
        let newCodes = Set(new.codes)
        let removed = oldCodes.filter { !newCodes.contains($0) }
        let added = new.codes.filter { !Set(oldCodes).contains($0) }
        // A removed code whose label reappears under an added code was recoded, not dropped.
        var recodedFrom = Set<String>()
        var recodedTo = Set<String>()
        for code in removed {
            guard let label = old.choice(code)?.label?.text(in: language), !label.isEmpty else { continue }
            if let target = added.first(where: { new.choice($0)?.label?.text(in: language) == label && !recodedTo.contains($0) }) {
                changes.append(.codeRecoded(label: label, from: code, to: target))
                recodedFrom.insert(code)
                recodedTo.insert(target)
            } else if let target = new.choices.first(where: { $0.label?.text(in: language) == label && $0.name != code }) {
                changes.append(.codeRecoded(label: label, from: code, to: target.name))
                recodedFrom.insert(code)
            }
        }
        let plainRemoved = removed.filter { !recodedFrom.contains($0) }
        let plainAdded = added.filter { !recodedTo.contains($0) }
        if !plainRemoved.isEmpty { changes.append(.codesRemoved(plainRemoved)) }
        if !plainAdded.isEmpty { changes.append(.codesAdded(plainAdded)) }
        for choice in old.choices {
            guard let counterpart = new.choice(choice.name) else { continue }
            let before = choice.label?.text(in: language) ?? ""
            let after = counterpart.label?.text(in: language) ?? ""
            if before != after {
                // The same label moving between two kept codes is a recoding: answers change meaning.
                if let other = old.choices.first(where: { $0.name != choice.name && $0.label?.text(in: language) == after }),
                    newCodes.contains(other.name)
                {
                    changes.append(.codeRecoded(label: after, from: other.name, to: choice.name))
                } else {
                    changes.append(.choiceRelabelled(code: choice.name, from: before, to: after))
                }
            }
        }
        return changes
    }
}

/// Renders a diff as plain text (terminal) or Markdown.
public enum DiffRenderer {
    public static func render(_ diff: QuestionnaireDiff, markdown: Bool) -> String {
        var out = ""
        let heading = "\(diff.old.formID) \(diff.old.version) → \(diff.new.formID) \(diff.new.version)"
        out += markdown ? "# Questionnaire diff: \(heading)\n\n" : "questionnaire diff: \(heading)\n"
        let breaking = diff.variables.filter(\.breaksComparability)
        let summary =
            "\(diff.variables.count) variable\(diff.variables.count == 1 ? "" : "s") changed, \(diff.unchangedCount) unchanged; "
            + (breaking.isEmpty
                ? "longitudinal comparability is kept."
                : "\(breaking.count) change\(breaking.count == 1 ? "" : "s") break\(breaking.count == 1 ? "s" : "") longitudinal comparability: \(breaking.map(\.name).joined(separator: ", ")).")
        out += markdown ? "\(summary)\n\n" : "\(summary)\n\n"
        if markdown, !diff.variables.isEmpty { out += "| variable | change | comparability |\n|---|---|---|\n" }
        for variable in diff.variables {
            for change in variable.changes {
                let verdict = change.breaksComparability ? "BREAKS" : "kept"
                if markdown {
                    out += "| `\(variable.name)` | \(CodebookMarkdown.cell(change.description)) | \(verdict) |\n"
                } else {
                    out +=
                        "  \(change.breaksComparability ? "!" : " ") \(variable.name): \(change.description)\(change.breaksComparability ? "  [breaks comparability]" : "")\n"
                }
            }
        }
        return out
    }
}
