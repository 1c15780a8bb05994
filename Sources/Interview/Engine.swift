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
    /// What random() draws from, with each field's address: the form, unit and round, so that a field's random
    /// number is the same whenever the interview is resumed, reviewed or simulated again.
    public var randomKey = ""

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
    public internal(set) var language: String?
    public internal(set) var cursor: Cursor = .end
    public internal(set) var records: [Address: AnswerRecord] = [:]

    // The state below is internal, not private, so that the engine's extensions (Engine+*.swift) update it; the
    // module boundary keeps it from everyone else.
    let environment: InterviewEnvironment
    let structure: Structure
    /// Relevance of every address evaluated so far (items, and repeat instances as `name[…, i]`).
    var relevance: [Address: Bool] = [:]
    /// Evaluated repeat_count per repeat address.
    var repeatCounts: [Address: Int] = [:]
    /// Repeats whose repeat_count asks for more than `maximumInstances`, with the count asked: they hold the maximum,
    /// and the runner tells the enumerator.
    public internal(set) var cappedRepeats: [Address: Int] = [:]
    var hardFailures: [Address: String?] = [:]
    var softPending: [Address: String?] = [:]
    var reached: Set<Address> = []
    var pending: Transition
    /// Repeats with repeat_count never get more instances than this, whatever the expression gives.
    public static let maximumInstances = Questionnaire.maximumRepeatInstances

    /// Starts a new interview, or resumes one from its stored records and cursor.
    public init(
        questionnaire: Questionnaire, environment: InterviewEnvironment, language: String? = nil,
        restoring saved: (records: [Address: AnswerRecord], cursor: Cursor)? = nil
    ) {
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

    var affectedCache: [String: [String]] = [:]
    /// Items whose expressions read other instances of a repeat (indexed-repeat()): a change in any instance reaches all
    /// of theirs.
    lazy var crossInstanceReaders: Set<String> = {
        Set(
            questionnaire.allItems.filter { item in
                let expressions = [item.relevant, item.calculation, item.constraint, item.warning, item.choiceFilter, item.repeatCount].compactMap { $0 }
                var defaults: [CompiledExpression] = []
                if case .expression(let expression) = item.defaultValue { defaults.append(expression) }
                return (expressions + defaults).contains { $0.expression.functionNames.contains("indexed-repeat") }
            }.map(\.name))
    }()
    /// The rows instance('name') reads, by language and name.
    var instanceRowsCache: [String: [[String: String]]] = [:]
    /// While an item with a trigger is re-evaluated: whether one of its trigger fields changed in this pass.
    var triggerFired = false
    /// For each item, the names whose change can change it (the reverse of the dependency graph).
    lazy var inputs: [String: Set<String>] = {
        var inputs: [String: Set<String>] = [:]
        for (source, targets) in questionnaire.dependencies.dependents {
            for target in targets { inputs[target, default: []].insert(source) }
        }
        return inputs
    }()
    /// How many address evaluations have run: lets tests check that an answer re-evaluates only its dependents.
    public internal(set) var evaluationCount = 0

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
    var columnCache: [String: [Value]] = [:]
    /// For top-level repeats: whether each instance is relevant.
    var instanceCache: [String: [Bool]] = [:]

    func setRelevance(_ address: Address, _ value: Bool?) {
        relevance[address] = value
        guard address.indices.count == 1, let item = structure.item(address.name) else { return }
        let index = address.indices[0] - 1
        if item.type == .repeat, item.repeatPath.isEmpty {
            if instanceCache[address.name] != nil { Self.put(&instanceCache[address.name]!, index, value ?? false, filler: false) }
        } else if item.repeatPath.count == 1, columnCache[address.name] != nil {
            Self.put(&columnCache[address.name]!, index, visibleValue(address), filler: .empty)
        }
    }

    static func put<T>(_ array: inout [T], _ index: Int, _ value: T, filler: T) {
        if array.count <= index { array.append(contentsOf: Array(repeating: filler, count: index + 1 - array.count)) }
        array[index] = value
    }

    /// The cached column of a field in a top-level repeat, built on first use.
    func column(_ item: Item, created: Int) -> [Value] {
        if let cached = columnCache[item.name], cached.count >= created { return cached }
        let built = created > 0 ? (1...created).map { visibleValue(Address(item.name, [$0])) } : []
        columnCache[item.name] = built
        return built
    }

    func instances(_ repeatItem: Item, created: Int) -> [Bool] {
        if let cached = instanceCache[repeatItem.name], cached.count >= created { return cached }
        let built = created > 0 ? (1...created).map { isRelevant(Address(repeatItem.name, [$0])) } : []
        instanceCache[repeatItem.name] = built
        return built
    }

    func setRecord(_ address: Address, _ record: AnswerRecord?) {
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

    func move(to newCursor: Cursor) {
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
        var context = EngineContext(engine: self, address: address, repeatPath: path, current: current ?? (records[address]?.value ?? .empty))
        // A check on a value being entered reads that value wherever it names its own item (`${age} < 120` in age's
        // constraint, as ODK reads it), not the answer stored before.
        if current != nil { context.candidateFor = address.name }
        return context
    }

    func evaluate(_ compiled: CompiledExpression, at address: Address, item: Item, current: Value? = nil) -> Value {
        Evaluator.evaluate(compiled.expression, in: context(at: address, item: item, current: current))
    }

    func holds(_ compiled: CompiledExpression, at address: Address, item: Item, current: Value? = nil) -> Bool {
        evaluate(compiled, at: address, item: item, current: current).booleanValue
    }
}
