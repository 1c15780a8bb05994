import Expressions
import Questionnaire

/// What the engine needs from outside, injected so that the engine itself does no I/O.
public struct InterviewEnvironment: Sendable {
    /// The clock, for today(), now() and audit times.
    public var clock: @Sendable () -> Timestamp
    /// The same unit's answers in the previous round, for previous().
    public var previousRound: [Address: Value]
    /// Identifier values from the sample frame, by item name.
    public var prefill: [String: Value]

    public init(clock: @escaping @Sendable () -> Timestamp, previousRound: [Address: Value] = [:], prefill: [String: Value] = [:]) {
        self.clock = clock
        self.previousRound = previousRound
        self.prefill = prefill
    }
}

/// An interview in progress: a state machine over a validated questionnaire and the answers so far.
///
/// Every step returns a `Transition` (records to write, audit events, the new cursor) that the caller persists
/// before showing the next prompt. After an answer only the items downstream of it in the questionnaire's
/// dependency graph are re-evaluated, for exactly the repeat instances the change can reach.
public final class InterviewEngine {
    public let questionnaire: Questionnaire
    public private(set) var language: String?
    public private(set) var cursor: Cursor = .end
    public private(set) var records: [Address: AnswerRecord] = [:]

    let environment: InterviewEnvironment
    let structure: Structure
    /// Relevance of every address evaluated so far (items, and repeat instances as `name[…, i]`).
    private(set) var relevance: [Address: Bool] = [:]
    /// Evaluated repeat_count per repeat address.
    private var repeatCounts: [Address: Int] = [:]
    private var hardFailures: [Address: String?] = [:]
    private var softPending: [Address: String?] = [:]
    private var reached: Set<Address> = []
    private var pending: Transition
    /// Repeats with repeat_count never get more instances than this, whatever the expression gives.
    public static let maximumInstances = 1000

    /// Starts a new interview, or resumes one from its stored records and cursor.
    public init(questionnaire: Questionnaire, environment: InterviewEnvironment, language: String? = nil,
                restoring saved: (records: [Address: AnswerRecord], cursor: Cursor)? = nil) {
        self.questionnaire = questionnaire
        self.environment = environment
        self.language = language ?? questionnaire.settings.defaultLanguage
        structure = Structure(questionnaire)
        pending = Transition(cursor: .end)
        if let saved { records = saved.records }
        for (name, value) in environment.prefill {
            guard let item = structure.item(name), item.repeatPath.isEmpty, records[Address(name)] == nil else { continue }
            setRecord(Address(name), AnswerRecord(value: value, origin: .prefilled))
        }
        evaluateAll()
        let first = firstCursor()
        if let saved, isValidCursor(saved.cursor) {
            cursor = saved.cursor
        } else {
            cursor = first
        }
        for position in sequence(upTo: cursor) { if case .item(let address) = position { reached.insert(address) } }
        if case .item(let address) = cursor { reached.insert(address) }
        pending.cursor = cursor
    }

    // MARK: - Transitions

    /// Hands over what changed since the last call (at start: defaults, calculations and prefills).
    public func takeTransition() -> Transition {
        pending.cursor = cursor
        let transition = pending
        pending = Transition(cursor: cursor)
        return transition
    }

    /// For fields inside a top-level repeat: their visible values by instance (index i − 1), kept in step with
    /// every record and relevance change, so that sum(), count() and the like never walk the answers again.
    private var columnCache: [String: [Value]] = [:]
    /// For top-level repeats: whether each instance is relevant.
    private var instanceCache: [String: [Bool]] = [:]

    private func setRelevance(_ address: Address, _ value: Bool?) {
        relevance[address] = value
        guard address.indices.count == 1, let item = structure.item(address.name) else { return }
        let index = address.indices[0] - 1
        if item.type == .repeat, item.repeatPath.isEmpty {
            if instanceCache[address.name] != nil { Self.put(&instanceCache[address.name]!, index, value ?? false, filler: false) }
        } else if item.repeatPath.count == 1, columnCache[address.name] != nil {
            Self.put(&columnCache[address.name]!, index, visibleValue(address), filler: .empty)
        }
    }

    private static func put<T>(_ array: inout [T], _ index: Int, _ value: T, filler: T) {
        if array.count <= index { array.append(contentsOf: Array(repeating: filler, count: index + 1 - array.count)) }
        array[index] = value
    }

    /// The cached column of a field in a top-level repeat, built on first use.
    private func column(_ item: Item, created: Int) -> [Value] {
        if let cached = columnCache[item.name], cached.count >= created { return cached }
        let built = created > 0 ? (1...created).map { visibleValue(Address(item.name, [$0])) } : []
        columnCache[item.name] = built
        return built
    }

    private func instances(_ repeatItem: Item, created: Int) -> [Bool] {
        if let cached = instanceCache[repeatItem.name], cached.count >= created { return cached }
        let built = created > 0 ? (1...created).map { isRelevant(Address(repeatItem.name, [$0])) } : []
        instanceCache[repeatItem.name] = built
        return built
    }

    private func setRecord(_ address: Address, _ record: AnswerRecord?) {
        let old = records[address]
        guard old != record else { return }
        records[address] = record
        pending.records[address] = record
        if address.indices.count == 1, columnCache[address.name] != nil {
            Self.put(&columnCache[address.name]!, address.indices[0] - 1, visibleValue(address), filler: .empty)
        }
        if old?.value != record?.value {
            pending.events.append(AuditEvent(.changed(address, old: old?.value, new: record?.value), at: environment.clock()))
        }
    }

    private func move(to newCursor: Cursor) {
        guard newCursor != cursor else { return }
        let now = environment.clock()
        if case .item(let address) = cursor { pending.events.append(AuditEvent(.left(address), at: now)) }
        cursor = newCursor
        if case .item(let address) = newCursor {
            reached.insert(address)
            pending.events.append(AuditEvent(.entered(address), at: now))
        }
    }

    // MARK: - Reading values

    func createdCount(_ collection: Address) -> Int {
        guard case .number(let count) = records[collection]?.value ?? .empty, count.isFinite else { return 0 }
        return max(0, Int(count))
    }

    func effectiveCount(_ collection: Address, _ item: Item) -> Int {
        item.repeatCount == nil ? createdCount(collection) : min(repeatCounts[collection] ?? 0, createdCount(collection))
    }

    func isRelevant(_ address: Address) -> Bool { relevance[address] ?? false }

    /// The value an expression sees: empty when the item is not relevant.
    func visibleValue(_ address: Address) -> Value {
        isRelevant(address) ? (records[address]?.value ?? .empty) : .empty
    }

    /// Every instance prefix of a repeat path below a fixed prefix, optionally only relevant instances.
    func instancePrefixes(path: [String], from prefix: [Int], relevantOnly: Bool) -> [[Int]] {
        var prefixes = [prefix]
        for level in prefix.count..<path.count {
            guard let repeatItem = structure.item(path[level]) else { return [] }
            var next: [[Int]] = []
            for current in prefixes {
                let collection = Address(repeatItem.name, current)
                let count = relevantOnly ? effectiveCount(collection, repeatItem) : createdCount(collection)
                guard count > 0 else { continue }
                for instance in 1...count {
                    let indices = current + [instance]
                    if relevantOnly && !isRelevant(Address(repeatItem.name, indices)) { continue }
                    next.append(indices)
                }
            }
            prefixes = next
        }
        return prefixes
    }

    /// Reads a field from an expression sitting at `indices` inside `repeatPath`.
    func read(_ name: String, indices: [Int], repeatPath: [String]) -> Value {
        guard let target = structure.item(name) else { return .empty }
        let targetPath = target.repeatPath
        var shared = 0
        while shared < targetPath.count, shared < repeatPath.count, shared < indices.count, targetPath[shared] == repeatPath[shared] {
            shared += 1
        }
        let prefix = Array(indices.prefix(shared))
        // Fast path: a top-level repeat, read from outside it (sum(), count(), max() of a roster).
        if shared == 0, targetPath.count == 1 || (target.type == .repeat && targetPath.isEmpty) {
            let repeatItem = target.type == .repeat ? target : structure.item(targetPath[0])!
            let collection = Address(repeatItem.name, [])
            let created = createdCount(collection)
            let effective = min(effectiveCount(collection, repeatItem), created)
            let relevantInstances = instances(repeatItem, created: created)
            if target.type == .repeat {
                guard isRelevant(collection) else { return .nodeset([]) }
                var total = 0
                for i in 0..<effective where relevantInstances[i] { total += 1 }
                return .nodeset(Array(repeating: .boolean(true), count: total))
            }
            let values = column(target, created: created)
            var result: [Value] = []
            result.reserveCapacity(effective)
            for i in 0..<effective where relevantInstances[i] { result.append(values[i]) }
            return .nodeset(result)
        }
        if target.type == .repeat {
            let collections = instancePrefixes(path: targetPath, from: prefix, relevantOnly: true)
            var total = 0
            for collection in collections {
                let address = Address(name, collection)
                guard isRelevant(address) else { continue }
                let count = effectiveCount(address, target)
                if count > 0 { total += (1...count).filter { isRelevant(Address(name, collection + [$0])) }.count }
            }
            return .nodeset(Array(repeating: .boolean(true), count: total))
        }
        if targetPath.count <= shared { return visibleValue(Address(name, prefix)) }
        let values = instancePrefixes(path: targetPath, from: prefix, relevantOnly: true).map { visibleValue(Address(name, $0)) }
        return .nodeset(values)
    }

    func context(at address: Address, item: Item, current: Value? = nil) -> EngineContext {
        // A repeat's own relevance is evaluated inside its instance.
        let path = item.type == .repeat && address.indices.count > item.repeatPath.count ? item.repeatPath + [item.name] : item.repeatPath
        return EngineContext(engine: self, address: address, repeatPath: path, current: current ?? (records[address]?.value ?? .empty))
    }

    func evaluate(_ compiled: CompiledExpression, at address: Address, item: Item, current: Value? = nil) -> Value {
        Evaluator.evaluate(compiled.expression, in: context(at: address, item: item, current: current))
    }

    func holds(_ compiled: CompiledExpression, at address: Address, item: Item, current: Value? = nil) -> Bool {
        evaluate(compiled, at: address, item: item, current: current).booleanValue
    }

    // MARK: - Evaluation

    /// Every address of an item that currently exists (for a repeat: its collection addresses).
    func addresses(of item: Item) -> [Address] {
        instancePrefixes(path: item.repeatPath, from: [], relevantOnly: false).map { Address(item.name, $0) }
    }

    /// Addresses of `item` that a change at `changed` can reach: the same instances on the shared repeat path.
    func addresses(of item: Item, reachableFrom changed: Address) -> [Address] {
        let changedPath = structure.item(changed.name).map { $0.type == .repeat && changed.indices.count > $0.repeatPath.count ? $0.repeatPath + [$0.name] : $0.repeatPath } ?? []
        var shared = 0
        while shared < item.repeatPath.count, shared < changedPath.count, shared < changed.indices.count,
              item.repeatPath[shared] == changedPath[shared] {
            shared += 1
        }
        return instancePrefixes(path: item.repeatPath, from: Array(changed.indices.prefix(shared)), relevantOnly: false)
            .map { Address(item.name, $0) }
    }

    private func evaluateAll() {
        for name in questionnaire.dependencies.evaluationOrder {
            guard let item = structure.item(name) else { continue }
            for address in addresses(of: item) { reevaluate(address, item) }
        }
    }

    private var affectedCache: [String: [String]] = [:]
    /// For each item, the names whose change can change it (the reverse of the dependency graph).
    private lazy var inputs: [String: Set<String>] = {
        var inputs: [String: Set<String>] = [:]
        for (source, targets) in questionnaire.dependencies.dependents {
            for target in targets { inputs[target, default: []].insert(source) }
        }
        return inputs
    }()

    /// Re-evaluates what depends on a change, in dependency order, and stops along any path where nothing
    /// changed: an item is re-evaluated only when one of its own inputs changed in this pass.
    private func propagate(from changed: Address) {
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
            for address in addresses(of: item, reachableFrom: changed) where reevaluate(address, item) { anyChange = true }
            if anyChange { changedNames.insert(name) }
        }
    }

    private func parentRelevance(of address: Address, _ item: Item) -> Bool {
        guard let index = structure.index[item.name], let parentIndex = structure.parent[index] else { return true }
        return isRelevant(Address(structure.items[parentIndex].name, address.indices))
    }

    /// How many address evaluations have run: lets tests check that an answer re-evaluates only its dependents.
    public private(set) var evaluationCount = 0

    /// Re-evaluates one address; true when its relevance or value changed (what others can read).
    @discardableResult
    private func reevaluate(_ address: Address, _ item: Item) -> Bool {
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
    private struct RepeatSnapshot: Equatable {
        let relevant: Bool?
        let created: Int
        let effective: Int
        let instances: [Bool?]
    }

    private func repeatState(_ collection: Address, _ item: Item) -> RepeatSnapshot {
        let created = createdCount(collection)
        return RepeatSnapshot(relevant: relevance[collection], created: created, effective: effectiveCount(collection, item),
                              instances: (0..<created).map { relevance[Address(item.name, collection.indices + [$0 + 1])] })
    }

    private func evaluateItem(_ address: Address, _ item: Item, parentRelevant: Bool) {
        let relevant = parentRelevant && (item.relevant.map { holds($0, at: address, item: item) } ?? true)
        setRelevance(address, relevant)
        if var record = records[address], record.relevant != relevant {
            record.relevant = relevant
            setRecord(address, record)
        }
        guard relevant else { return }
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
                   let day = CivilDate.parse(text) { value = .date(day.days) }
            }
            if value.isEmpty {
                if records[address]?.origin == .defaulted { setRecord(address, nil) }
            } else if records[address]?.value != value {
                setRecord(address, AnswerRecord(value: value, origin: .defaulted, relevant: true))
            }
        }
        refreshChecks(address, item)
    }

    private func reevaluateRepeat(_ collection: Address, _ item: Item, parentRelevant: Bool) {
        setRelevance(collection, parentRelevant)
        if let repeatCount = item.repeatCount, parentRelevant {
            let raw = evaluate(repeatCount, at: collection, item: item).numberValue
            let count = raw.isFinite ? min(InterviewEngine.maximumInstances, max(0, Int(raw))) : 0
            repeatCounts[collection] = count
            if count > createdCount(collection) { createInstances(collection, item, upTo: count) }
        }
        let created = createdCount(collection)
        guard created > 0 else { return }
        let effective = effectiveCount(collection, item)
        for instance in 1...created {
            let address = Address(item.name, collection.indices + [instance])
            setRelevance(address, parentRelevant && instance <= effective
                && (item.relevant.map { holds($0, at: address, item: item) } ?? true))
        }
    }

    /// Adds instances and initialises everything inside them (relevance, calculations, defaults).
    private func createInstances(_ collection: Address, _ item: Item, upTo count: Int) {
        let before = createdCount(collection)
        guard count > before else { return }
        setRecord(collection, AnswerRecord(value: .number(Double(count)), origin: .instances, relevant: true))
        for instance in (before + 1)...count {
            let address = Address(item.name, collection.indices + [instance])
            pending.events.append(AuditEvent(.instanceAdded(address), at: environment.clock()))
            setRelevance(address, relevance[collection] ?? false)
        }
    }

    private func refreshChecks(_ address: Address, _ item: Item) {
        guard let record = records[address], record.origin == .entered || record.origin == .defaulted,
              !(record.value.isEmpty) else {
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

    // MARK: - Navigation

    func isDisplayable(_ item: Item, _ address: Address) -> Bool {
        switch item.type {
        case .calculate, .group, .repeat: return false
        case .identifier: return records[address]?.origin != .prefilled
        default: return true
        }
    }

    private enum Step {
        case enter(Int, [Int])
        case after(Int, [Int])
    }

    private func firstRelevantInstance(_ repeatIndex: Int, _ prefix: [Int], from start: Int) -> Int? {
        let item = structure.items[repeatIndex]
        let effective = effectiveCount(Address(item.name, prefix), item)
        guard start <= effective else { return nil }
        return (start...effective).first { isRelevant(Address(item.name, prefix + [$0])) }
    }

    /// Walks forward in document order to the next place that needs the enumerator.
    private func walk(_ start: Step) -> Cursor {
        var step = start
        while true {
            switch step {
            case .enter(let index, let indices):
                let item = structure.items[index]
                if item.type == .repeat {
                    let collection = Address(item.name, indices)
                    guard isRelevant(collection), let child = structure.firstChild[index] else { step = .after(index, indices); continue }
                    if let instance = firstRelevantInstance(index, indices, from: 1) {
                        step = .enter(child, indices + [instance])
                    } else if item.repeatCount == nil {
                        return .repeatPrompt(collection)
                    } else {
                        step = .after(index, indices)
                    }
                    continue
                }
                let address = Address(item.name, indices)
                guard isRelevant(address) else { step = .after(index, indices); continue }
                if item.type == .group, let child = structure.firstChild[index] {
                    step = .enter(child, indices)
                    continue
                }
                if isDisplayable(item, address) { return .item(address) }
                step = .after(index, indices)
            case .after(let index, let indices):
                if let sibling = structure.nextSibling[index] {
                    step = .enter(sibling, indices)
                    continue
                }
                guard let parentIndex = structure.parent[index] else { return .end }
                let parent = structure.items[parentIndex]
                if parent.type == .repeat, let current = indices.last, let child = structure.firstChild[parentIndex] {
                    let prefix = Array(indices.dropLast())
                    if let instance = firstRelevantInstance(parentIndex, prefix, from: current + 1) {
                        step = .enter(child, prefix + [instance])
                    } else if parent.repeatCount == nil {
                        return .repeatPrompt(Address(parent.name, prefix))
                    } else {
                        step = .after(parentIndex, prefix)
                    }
                } else {
                    step = .after(parentIndex, indices)
                }
            }
        }
    }

    private func firstCursor() -> Cursor {
        guard let root = structure.root else { return .end }
        return walk(.enter(root, []))
    }

    private func successor(of position: Cursor) -> Cursor {
        switch position {
        case .end: return .end
        case .item(let address):
            guard let index = structure.index[address.name] else { return .end }
            return walk(.after(index, address.indices))
        case .repeatPrompt(let collection):
            guard let index = structure.index[collection.name] else { return .end }
            return walk(.after(index, collection.indices))
        }
    }

    /// The places the enumerator passes through from the start, up to (not including) `target`.
    private func sequence(upTo target: Cursor?) -> [Cursor] {
        var result: [Cursor] = []
        var position = firstCursor()
        // Each step moves forward in document order, so this ends; the cap guards against a logic error.
        var guardCount = 0
        while position != .end, position != target, guardCount < 1_000_000 {
            result.append(position)
            position = successor(of: position)
            guardCount += 1
        }
        return result
    }

    private func isValidCursor(_ position: Cursor) -> Bool {
        switch position {
        case .end: return true
        case .item(let address):
            guard let item = structure.item(address.name), address.indices.count == item.repeatPath.count else { return false }
            return isRelevant(address) && isDisplayable(item, address)
        case .repeatPrompt(let collection):
            guard let item = structure.item(collection.name), item.type == .repeat, item.repeatCount == nil,
                  collection.indices.count == item.repeatPath.count else { return false }
            return isRelevant(collection)
        }
    }

    // MARK: - Checks

    func isRequired(_ address: Address, _ item: Item) -> Bool {
        switch item.required {
        case .no: false
        case .yes: true
        case .when(let expression): holds(expression, at: address, item: item)
        }
    }

    /// What stops the interview from moving past an item.
    public func blocker(at address: Address) -> Blocker? {
        guard let item = structure.item(address.name), isRelevant(address), item.type.isQuestion else { return nil }
        if let message = hardFailures[address] { return Blocker(address: address, reason: .constraint(message)) }
        if let message = softPending[address] { return Blocker(address: address, reason: .softCheck(message)) }
        let record = records[address]
        if case .nonResponse = record?.value ?? .empty { return nil }
        if isRequired(address, item), record?.value.isEmpty ?? true {
            return Blocker(address: address, reason: .required(item.requiredMessage?.text(in: language)))
        }
        return nil
    }

    /// Every item that stops `:finish`, in interview order.
    public func finishBlockers() -> [Blocker] {
        sequence(upTo: nil).compactMap { position in
            if case .item(let address) = position { return blocker(at: address) }
            return nil
        }
    }

    // MARK: - Steps

    private var currentItem: (Address, Item)? {
        guard case .item(let address) = cursor, let item = structure.item(address.name) else { return nil }
        return (address, item)
    }

    /// Answers the current question with typed text. An empty line clears an optional answer.
    public func answer(_ text: String) -> AnswerOutcome {
        guard let (address, item) = currentItem else { return .notAllowed(.noQuestion) }
        if item.readOnly { return .notAllowed(.readOnly) }
        if item.type == .note {
            move(to: successor(of: cursor))
            return .accepted
        }
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty {
            if isRequired(address, item) { return .requiredButEmpty(item.requiredMessage?.text(in: language)) }
            // Kept as an entered empty value, not removed: the enumerator's blank must not bring a default back.
            store(address, item, records[address] == nil ? nil : AnswerRecord(value: .empty, origin: .entered, relevant: true))
            move(to: successor(of: cursor))
            return .accepted
        }
        let list = item.type.choiceList.flatMap(questionnaire.choiceList(named:))
        let candidate: Value
        switch item.type.parseAnswer(text, choices: list) {
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

    private func store(_ address: Address, _ item: Item, _ record: AnswerRecord?) {
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
              let index = structure.index[collection.name], let child = structure.firstChild[index] else {
            return .notAllowed(.notAnInstance)
        }
        let count = createdCount(collection) + 1
        guard count <= InterviewEngine.maximumInstances else { return .invalid(.tooManyInstances(InterviewEngine.maximumInstances)) }
        createInstances(collection, item, upTo: count)
        // Only the new instance's relevance: the others are unchanged, and walking them would make a row's cost
        // grow with the rows before it.
        let instance = Address(item.name, collection.indices + [count])
        setRelevance(instance, isRelevant(collection) && count <= effectiveCount(collection, item)
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
              repeatItem.repeatCount == nil, let instance = address.indices.last else { return .notAllowed(.notAnInstance) }
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
        for key in Array(hardFailures.keys) + Array(softPending.keys) where key.indices.count > depth { hardFailures[key] = nil; softPending[key] = nil }
        reached = reached.filter { $0.indices.count <= depth || Array($0.indices.prefix(depth)) != prefix || $0.indices[depth] < instance }
        evaluateAll()
        let target = instance <= count - 1
            ? walk(.enter(structure.firstChild[structure.index[repeatName]!]!, prefix + [instance]))
            : Cursor.repeatPrompt(collection)
        move(to: isValidCursor(target) ? target : walk(.after(structure.index[repeatName]!, prefix)))
        return .accepted
    }

    private func initialise(collection: Address, instance: Int) {
        let prefix = collection.indices + [instance]
        for name in questionnaire.dependencies.evaluationOrder {
            guard let item = structure.item(name), item.repeatPath.count > collection.indices.count,
                  item.repeatPath[collection.indices.count] == collection.name else { continue }
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

    // MARK: - Presentation

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
            options.append(Prompt.ChoiceOption(number: options.count + 1, code: choice.name, label: choice.label?.text(in: language) ?? choice.name))
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

    /// Every relevant question and note in interview order, with values and flags.
    public func review() -> [ReviewRow] {
        sequence(upTo: nil).compactMap { position in
            guard case .item(let address) = position, let item = structure.item(address.name) else { return nil }
            let record = records[address]
            return ReviewRow(address: address, label: text(item.label, at: address, item: item, key: "label") ?? item.name,
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

    init(engine: InterviewEngine, address: Address, repeatPath: [String], current: Value) {
        self.engine = engine
        self.address = address
        self.repeatPath = repeatPath
        self.current = current
    }

    func value(of field: String) -> Value { engine.read(field, indices: address.indices, repeatPath: repeatPath) }

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
