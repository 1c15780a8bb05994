import Expressions
import Questionnaire

// Evaluation: which addresses exist, relevance, calculations and checks, re-evaluated downstream of a change.
extension InterviewEngine {
    /// Every address of an item that currently exists (for a repeat: its collection addresses).
    func addresses(of item: Item) -> [Address] {
        instancePrefixes(path: item.repeatPath, from: [], relevantOnly: false).map { Address(item.name, $0) }
    }

    /// Addresses of `item` that a change at `changed` can reach: the same instances on the shared repeat path.
    func addresses(of item: Item, reachableFrom changed: Address) -> [Address] {
        // An item reading other instances (indexed-repeat inside its repeat) can be reached from any of them.
        if crossInstanceReaders.contains(item.name) { return addresses(of: item) }
        let changedPath =
            structure.item(changed.name).map { $0.type == .repeat && changed.indices.count > $0.repeatPath.count ? $0.repeatPath + [$0.name] : $0.repeatPath }
            ?? []
        var shared = 0
        while shared < item.repeatPath.count, shared < changedPath.count, shared < changed.indices.count,
            item.repeatPath[shared] == changedPath[shared]
        {
            shared += 1
        }
        return instancePrefixes(path: item.repeatPath, from: Array(changed.indices.prefix(shared)), relevantOnly: false)
            .map { Address(item.name, $0) }
    }

    func evaluateAll() {
        for name in questionnaire.dependencies.evaluationOrder {
            guard let item = structure.item(name) else { continue }
            for address in addresses(of: item) { reevaluate(address, item) }
        }
    }

    /// Re-evaluates what depends on a change, in dependency order, and stops along any path where nothing
    /// changed: an item is re-evaluated only when one of its own inputs changed in this pass.
    func propagate(from changed: Address) {
        let affected: [String]
        if let cached = affectedCache[changed.name] {
            affected = cached
        } else {
            affected = questionnaire.dependencies.affected(by: changed.name)
            affectedCache[changed.name] = affected
        }
        var changedNames: Set<String> = [changed.name]
        // A repeat that gains or loses instances changes the values every field inside it contributes.
        if let item = structure.item(changed.name), item.type == .repeat {
            changedNames.formUnion(item.children.flatMap(\.flattened).map(\.name))
        }
        for name in affected {
            guard let item = structure.item(name), let itemInputs = inputs[name], !itemInputs.isDisjoint(with: changedNames) else { continue }
            var anyChange = false
            triggerFired = !item.trigger.isEmpty && !changedNames.isDisjoint(with: item.trigger)
            defer { triggerFired = false }
            for address in addresses(of: item, reachableFrom: changed) where reevaluate(address, item) { anyChange = true }
            if anyChange { changedNames.insert(name) }
        }
    }

    func parentRelevance(of address: Address, _ item: Item) -> Bool {
        guard let index = structure.index[item.name], let parentIndex = structure.parent[index] else { return true }
        return isRelevant(Address(structure.items[parentIndex].name, address.indices))
    }

    /// Re-evaluates one address; true when its relevance or value changed (what others can read).
    @discardableResult
    func reevaluate(_ address: Address, _ item: Item) -> Bool {
        evaluationCount += 1
        let parentRelevant = parentRelevance(of: address, item)
        if item.type == .repeat {
            let before = repeatState(address, item)
            reevaluateRepeat(address, item, parentRelevant: parentRelevant)
            return repeatState(address, item) != before
        }
        let before = (relevance[address], records[address]?.value)
        evaluateItem(address, item, parentRelevant: parentRelevant)
        return before.0 != relevance[address] || before.1 != records[address]?.value
    }

    /// What others can read of a repeat: whether it is asked, its instances and their relevance.
    struct RepeatSnapshot: Equatable {
        let relevant: Bool?
        let created: Int
        let effective: Int
        let instances: [Bool?]
    }

    func repeatState(_ collection: Address, _ item: Item) -> RepeatSnapshot {
        let created = createdCount(collection)
        return RepeatSnapshot(
            relevant: relevance[collection], created: created, effective: effectiveCount(collection, item),
            instances: (0..<created).map { relevance[Address(item.name, collection.indices + [$0 + 1])] })
    }

    func evaluateItem(_ address: Address, _ item: Item, parentRelevant: Bool) {
        let relevant = parentRelevant && (item.relevant.map { holds($0, at: address, item: item) } ?? true)
        setRelevance(address, relevant)
        if var record = records[address], record.relevant != relevant {
            record.relevant = relevant
            setRecord(address, record)
        }
        guard relevant else { return }
        // A triggered value changes only when its trigger does; otherwise what was stored stays.
        if !item.trigger.isEmpty, !triggerFired { return }
        if let calculation = item.calculation {
            var value = evaluate(calculation, at: address, item: item)
            if case .number(let number) = value, !number.isFinite { value = .empty }
            if case .nodeset(let values) = value { value = values.first ?? .empty }
            if value.isEmpty, records[address] == nil { return }
            setRecord(address, AnswerRecord(value: value, origin: .calculated, relevant: true))
            return
        }
        if let defaultValue = item.defaultValue, records[address] == nil || records[address]?.origin == .defaulted {
            var value: Value = .empty
            switch defaultValue {
            case .literal(let text):
                let list = item.type.choiceList.flatMap(questionnaire.choiceList(named:))
                value = (try? item.type.parseAnswer(text, choices: list).get()) ?? .empty
            case .expression(let expression):
                value = evaluate(expression, at: address, item: item)
                if case .nodeset(let values) = value { value = values.first ?? .empty }
                if case .number(let number) = value, !number.isFinite { value = .empty }
                // A datetime default for a date question (e.g. now()) keeps its local day.
                if case .dateTime = value, item.type == .date, case .string(let text) = Value.string(value.stringValue),
                    let day = CivilDate.parse(text)
                {
                    value = .date(day.days)
                }
                // Text from an expression (pulldata(), concat()) becomes a value of the question's type, as typed text
                // would; text that is none is no default at all, never a wrongly typed answer.
                if case .string(let text) = value, !text.isEmpty, item.type != .text {
                    let list = item.type.choiceList.flatMap(questionnaire.choiceList(named:))
                    value = (try? item.type.parseAnswer(text, choices: list).get()) ?? .empty
                }
            }
            if value.isEmpty {
                if records[address]?.origin == .defaulted { setRecord(address, nil) }
            } else if records[address]?.value != value {
                setRecord(address, AnswerRecord(value: value, origin: .defaulted, relevant: true))
            }
        }
        refreshChecks(address, item)
    }

    func reevaluateRepeat(_ collection: Address, _ item: Item, parentRelevant: Bool) {
        setRelevance(collection, parentRelevant)
        if let repeatCount = item.repeatCount, parentRelevant {
            let raw = evaluate(repeatCount, at: collection, item: item).numberValue
            let count = raw.isFinite ? min(InterviewEngine.maximumInstances, max(0, Int(min(raw, 1e9)))) : 0
            if raw.isFinite, raw > Double(InterviewEngine.maximumInstances) {
                cappedRepeats[collection] = Int(min(raw, 1e9))
            } else {
                cappedRepeats[collection] = nil
            }
            repeatCounts[collection] = count
            if count > createdCount(collection) { createInstances(collection, item, upTo: count) }
        }
        let created = createdCount(collection)
        guard created > 0 else { return }
        let effective = effectiveCount(collection, item)
        for instance in 1...created {
            let address = Address(item.name, collection.indices + [instance])
            setRelevance(
                address,
                parentRelevant && instance <= effective
                    && (item.relevant.map { holds($0, at: address, item: item) } ?? true))
        }
    }

    /// Adds instances and initialises everything inside them (relevance, calculations, defaults).
    func createInstances(_ collection: Address, _ item: Item, upTo count: Int) {
        let before = createdCount(collection)
        guard count > before else { return }
        setRecord(collection, AnswerRecord(value: .number(Double(count)), origin: .instances, relevant: true))
        for instance in (before + 1)...count {
            let address = Address(item.name, collection.indices + [instance])
            pending.events.append(AuditEvent(.instanceAdded(address), at: environment.clock()))
            setRelevance(address, relevance[collection] ?? false)
        }
    }

    func refreshChecks(_ address: Address, _ item: Item) {
        guard let record = records[address], record.origin == .entered || record.origin == .defaulted,
            !(record.value.isEmpty)
        else {
            hardFailures[address] = nil
            softPending[address] = nil
            return
        }
        if let constraint = item.constraint, !holds(constraint, at: address, item: item, current: record.value) {
            hardFailures[address] = .some(item.constraintMessage?.text(in: language))
        } else {
            hardFailures[address] = nil
        }
        if let warning = item.warning, !holds(warning, at: address, item: item, current: record.value), record.confirmation == nil {
            softPending[address] = .some(item.warningMessage?.text(in: language))
        } else {
            softPending[address] = nil
        }
    }
}
