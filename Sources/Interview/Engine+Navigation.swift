import Expressions
import Questionnaire

// Navigation and checks: which items are shown, where next/back/jump lead, what blocks moving on or finishing.
extension InterviewEngine {
    func isDisplayable(_ item: Item, _ address: Address) -> Bool {
        switch item.type {
        case .calculate, .group, .repeat: return false
        case .identifier: return records[address]?.origin != .prefilled
        default: return true
        }
    }

    enum Step {
        case enter(Int, [Int])
        case after(Int, [Int])
    }

    func firstRelevantInstance(_ repeatIndex: Int, _ prefix: [Int], from start: Int) -> Int? {
        let item = structure.items[repeatIndex]
        let effective = effectiveCount(Address(item.name, prefix), item)
        guard start <= effective else { return nil }
        return (start...effective).first { isRelevant(Address(item.name, prefix + [$0])) }
    }

    /// Walks forward in document order to the next place that needs the enumerator.
    func walk(_ start: Step) -> Cursor {
        var step = start
        while true {
            switch step {
            case .enter(let index, let indices):
                let item = structure.items[index]
                if item.type == .repeat {
                    let collection = Address(item.name, indices)
                    guard isRelevant(collection), let child = structure.firstChild[index] else {
                        step = .after(index, indices)
                        continue
                    }
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
                guard isRelevant(address) else {
                    step = .after(index, indices)
                    continue
                }
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

    func firstCursor() -> Cursor {
        guard let root = structure.root else { return .end }
        return walk(.enter(root, []))
    }

    func successor(of position: Cursor) -> Cursor {
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
    func sequence(upTo target: Cursor?) -> [Cursor] {
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

    func isValidCursor(_ position: Cursor) -> Bool {
        switch position {
        case .end: return true
        case .item(let address):
            guard let item = structure.item(address.name), address.indices.count == item.repeatPath.count else { return false }
            return isRelevant(address) && isDisplayable(item, address)
        case .repeatPrompt(let collection):
            guard let item = structure.item(collection.name), item.type == .repeat, item.repeatCount == nil,
                collection.indices.count == item.repeatPath.count
            else { return false }
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
}
