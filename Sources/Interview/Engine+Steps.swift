import Expressions
import Questionnaire

// Steps: answers, non-responses, confirmations, moves and repeat instances; each records its audit events.
extension InterviewEngine {
    var currentItem: (Address, Item)? {
        guard case .item(let address) = cursor, let item = structure.item(address.name) else { return nil }
        return (address, item)
    }

    /// Answers the current question with typed text. An empty line keeps an answer already given (the enumerator
    /// revisiting a question must never erase it; `clearAnswer()` empties one on purpose) and otherwise leaves an
    /// optional question empty.
    public func answer(_ text: String) -> AnswerOutcome {
        guard let (address, item) = currentItem else { return .notAllowed(.noQuestion) }
        if item.type == .note {
            move(to: successor(of: cursor))
            return .accepted
        }
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty, let kept = records[address], !kept.value.isEmpty || kept.value.isNonResponse {
            if let message = softPending[address] { return .softCheckFailed(message) }
            move(to: successor(of: cursor))
            return .accepted
        }
        if item.readOnly { return .notAllowed(.readOnly) }
        if trimmed.isEmpty {
            if isRequired(address, item) { return .requiredButEmpty(item.requiredMessage?.text(in: language)) }
            // Kept as an entered empty value, not removed: the enumerator's blank must not bring a default back.
            store(address, item, records[address] == nil ? nil : AnswerRecord(value: .empty, origin: .entered, relevant: true))
            move(to: successor(of: cursor))
            return .accepted
        }
        let list = item.type.choiceList.flatMap(questionnaire.choiceList(named:))
        let candidate: Value
        var offered: Set<String>?
        if case .rank = item.type, item.choiceFilter != nil { offered = Set(choices(for: address, item).map(\.code)) }
        switch item.type.parseAnswer(text, choices: list, offered: offered) {
        case .success(let value): candidate = value
        case .failure(let error): return .invalid(error)
        }
        if item.choiceFilter != nil, item.type.choiceList != nil {
            let allowed = Set(choices(for: address, item).map(\.code))
            let codes = Evaluator.choiceCodes(candidate)
            if let outside = codes.first(where: { !allowed.contains($0) }) {
                return .invalid(.notOffered(outside))
            }
        }
        if let constraint = item.constraint, !holds(constraint, at: address, item: item, current: candidate) {
            return .constraintViolated(item.constraintMessage?.text(in: language))
        }
        store(address, item, AnswerRecord(value: candidate, origin: .entered, relevant: true))
        if let message = softPending[address] { return .softCheckFailed(message) }
        move(to: successor(of: cursor))
        return .accepted
    }

    /// Empties the current question's answer on purpose (the runner's `:clear`); the change is in the audit log like
    /// any other. A required question cannot be emptied.
    public func clearAnswer() -> AnswerOutcome {
        guard let (address, item) = currentItem, item.type.isQuestion else { return .notAllowed(.noQuestion) }
        if item.readOnly { return .notAllowed(.readOnly) }
        if isRequired(address, item) { return .requiredButEmpty(item.requiredMessage?.text(in: language)) }
        store(address, item, records[address] == nil ? nil : AnswerRecord(value: .empty, origin: .entered, relevant: true))
        move(to: successor(of: cursor))
        return .accepted
    }

    func store(_ address: Address, _ item: Item, _ record: AnswerRecord?) {
        var record = record
        // A confirmation belongs to the value it confirmed.
        if let old = records[address], let new = record, old.value == new.value { record?.confirmation = old.confirmation }
        setRecord(address, record)
        refreshChecks(address, item)
        propagate(from: address)
    }

    /// Records a special non-response for the current question, where the question allows it.
    public func setNonResponse(_ code: NonResponse) -> AnswerOutcome {
        guard let (address, item) = currentItem, item.type.isQuestion else { return .notAllowed(.noQuestion) }
        guard item.allowedNonResponses.contains(code) else { return .notAllowed(.nonResponse(code)) }
        store(address, item, AnswerRecord(value: .nonResponse(code), origin: .entered, relevant: true))
        move(to: successor(of: cursor))
        return .accepted
    }

    /// Keeps a value that fails a soft check, with the enumerator's reason.
    public func confirm(reason: String) -> AnswerOutcome {
        guard let (address, item) = currentItem else { return .notAllowed(.noQuestion) }
        let reason = reason.trimmingSpaces
        guard softPending[address] != nil, var record = records[address] else { return .notAllowed(.nothingToConfirm) }
        guard !reason.isEmpty else { return .notAllowed(.emptyReason) }
        record.confirmation = reason
        // Confirming is the enumerator's decision: a default becomes an entered value and stops following inputs.
        record.origin = .entered
        setRecord(address, record)
        pending.events.append(AuditEvent(.softCheckConfirmed(address, reason: reason), at: environment.clock()))
        refreshChecks(address, item)
        move(to: successor(of: cursor))
        return .accepted
    }

    /// Moves past the current item when nothing blocks it.
    public func next() -> MoveOutcome {
        switch cursor {
        case .end: return .atBoundary
        case .repeatPrompt: return .atBoundary
        case .item(let address):
            if let blocker = blocker(at: address) { return .blocked(blocker) }
            move(to: successor(of: cursor))
            return .moved
        }
    }

    /// Goes back to the previous place; always allowed, even when the current answer fails a check.
    public func back() -> MoveOutcome {
        let before = sequence(upTo: cursor)
        guard let previous = before.last else { return .atBoundary }
        move(to: previous)
        return .moved
    }

    /// Jumps to an item already reached; always allowed, even when the current answer fails a check.
    public func jump(to address: Address) -> JumpOutcome {
        var address = address
        guard let item = structure.item(address.name) else { return .unknownItem }
        if address.indices.isEmpty, !item.repeatPath.isEmpty { address = Address(address.name, Array(repeating: 1, count: item.repeatPath.count)) }
        guard address.indices.count == item.repeatPath.count, isDisplayable(item, address) else { return .unknownItem }
        guard isRelevant(address) else { return .notRelevant }
        guard reached.contains(address) else { return .notReached }
        move(to: .item(address))
        return .moved
    }

    /// At a repeat prompt: adds an instance and moves into it.
    public func addInstance() -> AnswerOutcome {
        guard case .repeatPrompt(let collection) = cursor, let item = structure.item(collection.name),
            let index = structure.index[collection.name], let child = structure.firstChild[index]
        else {
            return .notAllowed(.notAnInstance)
        }
        let count = createdCount(collection) + 1
        guard count <= InterviewEngine.maximumInstances else { return .invalid(.tooManyInstances(InterviewEngine.maximumInstances)) }
        createInstances(collection, item, upTo: count)
        // Only the new instance's relevance: the others are unchanged, and walking them would make a row's cost
        // grow with the rows before it.
        let instance = Address(item.name, collection.indices + [count])
        setRelevance(
            instance,
            isRelevant(collection) && count <= effectiveCount(collection, item)
                && (item.relevant.map { holds($0, at: instance, item: item) } ?? true))
        initialise(collection: collection, instance: count)
        // Only the new instance and what aggregates over the repeat can change: propagating from the instance
        // (not the whole repeat) keeps the cost of a row independent of how many rows came before.
        propagate(from: Address(collection.name, collection.indices + [count]))
        move(to: walk(.enter(child, collection.indices + [count])))
        return .accepted
    }

    /// At a repeat prompt: no more instances; moves past the repeat.
    public func declineInstance() -> AnswerOutcome {
        guard case .repeatPrompt = cursor else { return .notAllowed(.notAnInstance) }
        move(to: successor(of: cursor))
        return .accepted
    }

    /// Removes the repeat instance the current question belongs to (repeats without repeat_count only).
    /// Later instances move up by one; the audit log keeps every removed value.
    public func deleteCurrentInstance() -> AnswerOutcome {
        guard let (address, item) = currentItem, let repeatName = item.repeatPath.last, let repeatItem = structure.item(repeatName),
            repeatItem.repeatCount == nil, let instance = address.indices.last
        else { return .notAllowed(.notAnInstance) }
        let depth = repeatItem.repeatPath.count
        let prefix = Array(address.indices.prefix(depth))
        let collection = Address(repeatName, prefix)
        let count = createdCount(collection)
        pending.events.append(AuditEvent(.instanceDeleted(Address(repeatName, prefix + [instance])), at: environment.clock()))
        // Every record inside this repeat with this prefix: drop the instance, renumber the later ones.
        let inside = records.keys.filter { key in
            guard let keyItem = structure.item(key.name), keyItem.repeatPath.count > depth, keyItem.repeatPath[depth] == repeatName else {
                return key.name == repeatName && key.indices.count == depth + 1 && Array(key.indices.prefix(depth)) == prefix
            }
            return Array(key.indices.prefix(depth)) == prefix
        }
        var moved: [Address: AnswerRecord] = [:]
        for key in inside {
            let number = key.indices[depth]
            guard number >= instance, let record = records[key] else { continue }
            setRecord(key, nil)
            if number > instance {
                var indices = key.indices
                indices[depth] = number - 1
                moved[Address(key.name, indices)] = record
            }
        }
        for (key, record) in moved { setRecord(key, record) }
        setRecord(collection, AnswerRecord(value: .number(Double(count - 1)), origin: .instances, relevant: true))
        for key in Array(relevance.keys) where key.indices.count > depth && Array(key.indices.prefix(depth)) == prefix {
            if let keyItem = structure.item(key.name), keyItem.repeatPath.contains(repeatName) || key.name == repeatName { relevance[key] = nil }
        }
        // Instances were renumbered: rebuild the columns on next use.
        columnCache = [:]
        instanceCache = [:]
        for key in Array(hardFailures.keys) + Array(softPending.keys) where key.indices.count > depth {
            hardFailures[key] = nil
            softPending[key] = nil
        }
        reached = reached.filter { $0.indices.count <= depth || Array($0.indices.prefix(depth)) != prefix || $0.indices[depth] < instance }
        evaluateAll()
        let target =
            instance <= count - 1
            ? walk(.enter(structure.firstChild[structure.index[repeatName]!]!, prefix + [instance]))
            : Cursor.repeatPrompt(collection)
        move(to: isValidCursor(target) ? target : walk(.after(structure.index[repeatName]!, prefix)))
        return .accepted
    }

    func initialise(collection: Address, instance: Int) {
        let prefix = collection.indices + [instance]
        for name in questionnaire.dependencies.evaluationOrder {
            guard let item = structure.item(name), item.repeatPath.count > collection.indices.count,
                item.repeatPath[collection.indices.count] == collection.name
            else { continue }
            for address in instancePrefixes(path: item.repeatPath, from: prefix, relevantOnly: false).map({ Address(name, $0) }) {
                reevaluate(address, item)
            }
        }
    }

    public func setLanguage(_ code: String) {
        guard code != language else { return }
        pending.events.append(AuditEvent(.languageChanged(from: language, to: code), at: environment.clock()))
        language = code
        // Check messages follow the language.
        for address in Array(hardFailures.keys) + Array(softPending.keys) {
            if let item = structure.item(address.name) { refreshChecks(address, item) }
        }
    }

    /// Marks that the interview was reopened after completion (logged).
    public func noteReopened() { pending.events.append(AuditEvent(.reopened, at: environment.clock())) }

    /// Marks completion; refused (returning the blockers) while any remain.
    public func finish() -> [Blocker] {
        let blockers = finishBlockers()
        if blockers.isEmpty { pending.events.append(AuditEvent(.completed, at: environment.clock())) }
        return blockers
    }
}
