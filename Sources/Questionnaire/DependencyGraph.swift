/// Which items must be re-evaluated when a field changes, and in what order; built once at load time.
///
/// Edges run from a field to every item whose relevance, calculation, default, requirement, constraint,
/// warning, choice filter, repeat count or label reads it, and from a group or repeat to its children
/// (a child is relevant only when its parent is). Cycles are checked over the edges that feed values or
/// relevance (calculations, defaults, relevance, repeat counts, parents): a constraint that reads another
/// field cannot loop, since nothing reads a constraint's result.
public struct DependencyGraph: Hashable, Sendable {
    /// Field name → items to re-evaluate when it changes, in evaluation order.
    public let dependents: [String: [String]]
    /// Every item in an order where everything it depends on comes first.
    public let evaluationOrder: [String]

    public func dependents(of field: String) -> [String] { dependents[field] ?? [] }

    /// Everything downstream of a change, transitively, in evaluation order.
    public func affected(by field: String) -> [String] {
        var seen = Set<String>()
        var stack = dependents(of: field)
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack.append(contentsOf: dependents(of: next)) }
        }
        return evaluationOrder.filter { seen.contains($0) }
    }
}

/// Builds the graph and finds cycles (Tarjan's strongly connected components).
struct DependencyAnalysis {
    /// Edges whose loops are errors.
    var valueEdges: [String: Set<String>] = [:]
    /// Edges for re-evaluation only.
    var checkEdges: [String: Set<String>] = [:]
    let order: [String]

    init(items: [Item]) {
        // A duplicated name (already an error) must not break the analysis of the rest.
        var seenNames = Set<String>()
        order = items.map(\.name).filter { seenNames.insert($0).inserted }
        let names = Set(order)
        func add(_ from: Set<String>, to item: String, value: Bool) {
            for source in from where names.contains(source) {
                if value { valueEdges[source, default: []].insert(item) } else { checkEdges[source, default: []].insert(item) }
            }
        }
        for item in items {
            add(item.relevant?.expression.references ?? [], to: item.name, value: true)
            // A triggered value is recomputed when its trigger changes, not its inputs: those order it, and loops
            // through them are no cycle (a time stamp may read the answer that triggers it).
            let computedFromInputs = item.trigger.isEmpty
            add(item.calculation?.expression.references ?? [], to: item.name, value: computedFromInputs)
            if case .expression(let expression) = item.defaultValue { add(expression.expression.references, to: item.name, value: computedFromInputs) }
            add(Set(item.trigger), to: item.name, value: true)
            add(item.repeatCount?.expression.references ?? [], to: item.name, value: true)
            for child in item.children { add([item.name], to: child.name, value: true) }
            if case .when(let expression) = item.required { add(expression.expression.references, to: item.name, value: false) }
            add(item.constraint?.expression.references ?? [], to: item.name, value: false)
            add(item.warning?.expression.references ?? [], to: item.name, value: false)
            add(item.choiceFilter?.expression.references ?? [], to: item.name, value: false)
            for template in item.labelTemplates.values { add(Set(template.references.map(\.name)), to: item.name, value: false) }
        }
    }

    /// Each loop as the names in it, in document order.
    func cycles() -> [[String]] {
        var index = 0
        var indices: [String: Int] = [:]
        var lowLinks: [String: Int] = [:]
        var stack: [String] = []
        var onStack = Set<String>()
        var components: [[String]] = []
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })

        // Iterative to stay safe on very large forms.
        for root in order where indices[root] == nil {
            var work: [(node: String, successors: [String], next: Int)] = []
            func open(_ node: String) {
                indices[node] = index
                lowLinks[node] = index
                index += 1
                stack.append(node)
                onStack.insert(node)
                // Each successor's position looked up once, not in every comparison of the sort.
                let successors = (valueEdges[node] ?? []).map { (position[$0, default: 0], $0) }.sorted { $0.0 < $1.0 }.map(\.1)
                work.append((node, successors, 0))
            }
            open(root)
            while !work.isEmpty {
                let top = work.count - 1
                if work[top].next < work[top].successors.count {
                    let successor = work[top].successors[work[top].next]
                    work[top].next += 1
                    if indices[successor] == nil {
                        open(successor)
                    } else if onStack.contains(successor) {
                        lowLinks[work[top].node] = min(lowLinks[work[top].node]!, indices[successor]!)
                    }
                    continue
                }
                let node = work.removeLast().node
                if let parent = work.last?.node { lowLinks[parent] = min(lowLinks[parent]!, lowLinks[node]!) }
                if lowLinks[node] == indices[node] {
                    var component: [String] = []
                    while let member = stack.popLast() {
                        onStack.remove(member)
                        component.append(member)
                        if member == node { break }
                    }
                    let selfLoop = component.count == 1 && (valueEdges[node]?.contains(node) ?? false)
                    if component.count > 1 || selfLoop {
                        components.append(component.sorted { position[$0, default: 0] < position[$1, default: 0] })
                    }
                }
            }
        }
        return components.sorted { position[$0[0], default: 0] < position[$1[0], default: 0] }
    }

    /// A topological order over all edges (ties in document order); only valid without cycles.
    func graph() -> DependencyGraph {
        var all = valueEdges
        for (source, targets) in checkEdges { all[source, default: []].formUnion(targets) }
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var incoming: [String: Int] = Dictionary(order.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
        for (_, targets) in valueEdges { for target in targets { incoming[target, default: 0] += 1 } }
        // Kahn's algorithm with the ready items in a heap by document position (sorting the ready list at every
        // step made large forms quadratic).
        var ready = PositionHeap()
        for name in order where incoming[name] == 0 { ready.push(position[name, default: 0], name) }
        var result: [String] = []
        while let next = ready.pop() {
            result.append(next)
            for target in valueEdges[next] ?? [] {
                incoming[target, default: 0] -= 1
                if incoming[target] == 0 { ready.push(position[target, default: 0], target) }
            }
        }
        // Check-only edges never reorder values; items on a cycle (only when invalid) are appended.
        let placed = Set(result)
        for name in order where !placed.contains(name) { result.append(name) }
        let rank = Dictionary(result.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var dependents: [String: [String]] = [:]
        for (source, targets) in all {
            dependents[source] = targets.sorted { rank[$0, default: 0] < rank[$1, default: 0] }
        }
        return DependencyGraph(dependents: dependents, evaluationOrder: result)
    }
}

/// A binary min-heap of names by document position, ties by name.
struct PositionHeap {
    private var items: [(position: Int, name: String)] = []

    private static func less(_ a: (position: Int, name: String), _ b: (position: Int, name: String)) -> Bool {
        a.position != b.position ? a.position < b.position : a.name < b.name
    }

    mutating func push(_ position: Int, _ name: String) {
        items.append((position, name))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> String? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var least = parent
            if left < items.count, Self.less(items[left], items[least]) { least = left }
            if right < items.count, Self.less(items[right], items[least]) { least = right }
            if least == parent { break }
            items.swapAt(parent, least)
            parent = least
        }
        return top.name
    }
}
