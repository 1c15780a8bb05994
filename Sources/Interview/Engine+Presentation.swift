import Expressions
import Questionnaire
import Randomness

// Presentation: prompts, choices, progress and the review list, in the interview's language.
extension InterviewEngine {
    func text(_ localized: LocalizedText?, at address: Address, item: Item, key: String) -> String? {
        guard let localized else { return nil }
        let raw = localized.text(in: language)
        let templateKey = (key == "hint" ? "hint:" : "") + (localized.translations[language ?? ""] != nil ? (language ?? "") : LocalizedText.anyLanguage)
        if let template = item.labelTemplates[templateKey] {
            return template.render(in: context(at: address, item: item))
        }
        if case .success(let template) = Template.parse(raw) { return template.render(in: context(at: address, item: item)) }
        return raw
    }

    func choices(for address: Address, _ item: Item) -> [Prompt.ChoiceOption] {
        guard let listName = item.type.choiceList, let list = questionnaire.choiceList(named: listName) else { return [] }
        var options: [Prompt.ChoiceOption] = []
        for choice in list.choices {
            if let filter = item.choiceFilter {
                var context = context(at: address, item: item)
                context.choice = choice
                if !Evaluator.isTrue(filter.expression, in: context) { continue }
            }
            let media = choice.media.keys.sorted().map { Prompt.Media(kind: $0, file: choice.media[$0]!.text(in: language)) }.filter { !$0.file.isEmpty }
            options.append(
                Prompt.ChoiceOption(number: options.count + 1, code: choice.name, label: choice.label?.text(in: language) ?? choice.name, media: media))
        }
        return options
    }

    func sectionPath(for address: Address, _ item: Item) -> [String] {
        var path: [String] = []
        var index = structure.index[item.name].flatMap { structure.parent[$0] }
        while let current = index {
            let container = structure.items[current]
            var label = container.label?.text(in: language) ?? container.name
            if container.type == .repeat, container.repeatPath.count < address.indices.count {
                let number = address.indices[container.repeatPath.count]
                let collection = Address(container.name, Array(address.indices.prefix(container.repeatPath.count)))
                label += " \(number)/\(max(number, effectiveCount(collection, container)))"
            }
            path.insert(label, at: 0)
            index = structure.parent[current]
        }
        return path
    }

    /// The screen for the current question, or nil at a repeat prompt or the end.
    public func prompt() -> Prompt? {
        guard let (address, item) = currentItem else { return nil }
        return prompt(for: address, item)
    }

    func prompt(for address: Address, _ item: Item) -> Prompt {
        let record = records[address]
        return Prompt(
            address: address, item: item,
            label: text(item.label, at: address, item: item, key: "label") ?? item.name,
            hint: text(item.hint, at: address, item: item, key: "hint"),
            media: item.media.keys.sorted().map { Prompt.Media(kind: $0, file: item.media[$0]!.text(in: language)) }.filter { !$0.file.isEmpty },
            choices: choices(for: address, item), value: record?.value, origin: record?.origin,
            required: item.type.isQuestion && isRequired(address, item), sectionPath: sectionPath(for: address, item),
            blocker: blocker(at: address), confirmation: record?.confirmation)
    }

    /// The label of a repeat at a repeat prompt, with the number of instances so far.
    public func repeatPromptInfo() -> (label: String, count: Int)? {
        guard case .repeatPrompt(let collection) = cursor, let item = structure.item(collection.name) else { return nil }
        return (item.label?.text(in: language) ?? item.name, createdCount(collection))
    }

    /// Answered and relevant questions, for the progress line.
    public func progress() -> (answered: Int, relevant: Int) {
        var answered = 0, total = 0
        for position in sequence(upTo: nil) {
            guard case .item(let address) = position, let item = structure.item(address.name), item.type.isQuestion else { continue }
            total += 1
            if let value = records[address]?.value, !value.isEmpty || value.isNonResponse { answered += 1 }
        }
        return (answered, total)
    }

    /// The items (questions and notes) the interview passes through, in order: what positions number and `:jump N`
    /// counts.
    public func itemSequence() -> [Address] {
        sequence(upTo: nil).compactMap { position in
            if case .item(let address) = position { address } else { nil }
        }
    }

    /// The current item's place in `itemSequence()`, from 1, and the sequence's length.
    public func position() -> (index: Int, total: Int)? {
        guard case .item(let address) = cursor else { return nil }
        let items = itemSequence()
        guard let index = items.firstIndex(of: address) else { return nil }
        return (index + 1, items.count)
    }

    /// Whether the enumerator has been at this item (only such items can be jumped to).
    public func hasReached(_ address: Address) -> Bool { reached.contains(address) }

    /// Every relevant question and note in interview order, with values and flags.
    public func review() -> [ReviewRow] {
        sequence(upTo: nil).compactMap { position in
            guard case .item(let address) = position, let item = structure.item(address.name) else { return nil }
            let record = records[address]
            return ReviewRow(
                address: address, label: text(item.label, at: address, item: item, key: "label") ?? item.name,
                value: record?.value, origin: record?.origin, blocker: blocker(at: address),
                confirmation: record?.confirmation)
        }
    }

    /// The label of a choice in the current language.
    public func choiceLabel(field: String, code: String) -> String? {
        guard let list = structure.item(field)?.type.choiceList.flatMap(questionnaire.choiceList(named:)) else { return nil }
        return list.choice(code)?.label?.text(in: language)
    }

    public func item(named name: String) -> Item? { structure.item(name) }

    /// Whether an address (an item, or a repeat instance `name[…, i]`) is currently relevant.
    public func isAddressRelevant(_ address: Address) -> Bool { isRelevant(address) }
}

extension Value {
    var isNonResponse: Bool { if case .nonResponse = self { true } else { false } }
}

/// The evaluation context of one address.
struct EngineContext: EvaluationContext {
    unowned let engine: InterviewEngine
    let address: Address
    let repeatPath: [String]
    let current: Value
    var choice: Choice?
    /// The item whose candidate value `current` is, while a check on it is evaluated.
    var candidateFor: String?

    init(engine: InterviewEngine, address: Address, repeatPath: [String], current: Value) {
        self.engine = engine
        self.address = address
        self.repeatPath = repeatPath
        self.current = current
    }

    func value(of field: String) -> Value {
        if field == candidateFor { return current }
        return engine.read(field, indices: address.indices, repeatPath: repeatPath)
    }

    func random() -> Double {
        var generator = SplitMix64(seed: 20_201_201, engine.environment.randomKey, address.description)
        return generator.uniform()
    }

    func lookup(_ table: String, column: String, keyColumn: String, key: String) -> Value {
        engine.questionnaire.lookups[table]?.value(column, where: keyColumn, is: key).map(Value.string) ?? .empty
    }

    func values(of field: String, acrossInstancesOf repeatName: String) -> Value {
        guard let repeatItem = engine.structure.item(repeatName), repeatItem.type == .repeat else { return value(of: field) }
        // As read from just outside the repeat: the instances sharing this instance's enclosing ones.
        let outer = repeatItem.repeatPath
        return engine.read(field, indices: Array(address.indices.prefix(outer.count)), repeatPath: outer)
    }

    func instanceRows(_ name: String) -> [[String: String]] {
        // Built once per list and language: a lookup in a long list is read on every evaluation.
        let key = "\(engine.language ?? "")\u{0}\(name)"
        if let rows = engine.instanceRowsCache[key] { return rows }
        var rows = engine.questionnaire.lookups[name]?.rows ?? []
        if engine.questionnaire.lookups[name] == nil, let list = engine.questionnaire.choiceList(named: name) {
            rows = list.choices.map { choice in
                var row = choice.attributes
                row["name"] = choice.name
                row["label"] = choice.label?.text(in: engine.language) ?? choice.name
                return row
            }
        }
        engine.instanceRowsCache[key] = rows
        return rows
    }

    func previousValue(of field: String) -> Value {
        let item = engine.structure.item(field)
        let depth = item?.repeatPath.count ?? 0
        return engine.environment.previousRound[Address(field, Array(address.indices.prefix(depth)))] ?? .empty
    }

    var currentValue: Value { current }
    var position: Int? { address.indices.last }
    func choiceLabel(field: String, code: String) -> String? { engine.choiceLabel(field: field, code: code) }
    var today: Int { engine.environment.clock().localDay }
    var now: (seconds: Double, offsetMinutes: Int) {
        let now = engine.environment.clock()
        return (now.seconds, now.offsetMinutes)
    }

    func choiceColumn(_ name: String) -> Value {
        guard let choice else { return .empty }
        switch name {
        case "name": return .string(choice.name)
        case "label": return .string(choice.label?.text(in: engine.language) ?? "")
        default: return choice.attributes[name].map(Value.string) ?? .empty
        }
    }
}
