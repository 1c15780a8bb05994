/// The static type of an expression or a field, as far as it can be known at load time.
public indirect enum StaticType: Hashable, Sendable, CustomStringConvertible {
    case number
    case string
    /// A free-text field: arithmetic on it is certainly an author's mistake.
    case text
    case boolean
    case date
    case dateTime
    case time
    case geopoint
    case select(list: String, multiple: Bool)
    /// The instances of a repeat (`${members}`): only `count()` takes it.
    case repeatInstances
    /// A group: it has no value of its own.
    case group
    /// A field's values across the instances of a repeat that does not enclose the expression.
    case nodeset(StaticType)
    case any

    public var description: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .text: "text"
        case .boolean: "boolean"
        case .date: "date"
        case .dateTime: "datetime"
        case .time: "time"
        case .geopoint: "geopoint"
        case .select(let list, let multiple): multiple ? "select_multiple \(list)" : "select_one \(list)"
        case .repeatInstances: "repeat"
        case .group: "group"
        case .nodeset(let element): "values of a repeated \(element) field"
        case .any: "any"
        }
    }
}

/// What the type checker needs to know about a field.
public struct FieldSignature: Hashable, Sendable {
    public let type: StaticType
    /// The names of the repeats that enclose the field, outermost first.
    public let repeatPath: [String]
    /// For selects: the codes of the field's choice list.
    public let choiceCodes: Set<String>?

    public init(type: StaticType, repeatPath: [String], choiceCodes: Set<String>? = nil) {
        self.type = type
        self.repeatPath = repeatPath
        self.choiceCodes = choiceCodes
    }
}

/// The fields an expression may refer to; supplied by the questionnaire layer.
public protocol ExpressionSchema {
    func field(named name: String) -> FieldSignature?
    /// A close existing name for "did you mean …?", if any.
    func suggestion(for name: String) -> String?
    /// The lookup tables pulldata() may read, with their columns; nil where they are not checked.
    var lookupTables: [String: [String]]? { get }
    /// What `instance('name')` may read (choice lists and lookup tables), with their columns; nil where unchecked.
    var instanceTables: [String: [String]]? { get }
}

extension ExpressionSchema {
    public var lookupTables: [String: [String]]? { nil }
    public var instanceTables: [String: [String]]? { nil }
}

/// Where an expression sits: which repeats enclose it and what `.` means there.
public struct CheckContext: Sendable {
    public let repeatPath: [String]
    /// The type of `.`, or nil where an expression has no current value (e.g. `relevant`).
    public let currentType: StaticType?
    /// In a `choice_filter`: the columns the filtered list's choices have.
    public let choiceColumns: Set<String>?

    public init(repeatPath: [String] = [], currentType: StaticType? = nil, choiceColumns: Set<String>? = nil) {
        self.repeatPath = repeatPath
        self.currentType = currentType
        self.choiceColumns = choiceColumns
    }
}

/// Edit distance for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The closest candidate within a distance that scales with the word's length, or nil. Linear in the number of
/// candidates with a small constant: a candidate whose length alone puts it out of reach is skipped, and the others
/// are compared within a band that stops as soon as the distance exceeds the best so far (validating a form with
/// thousands of unknown names would otherwise compare every name with every other in full).
public func closestMatch(to word: String, among candidates: some Sequence<String>) -> String? {
    NameMatcher(Array(candidates)).closest(to: word)
}

/// Candidates prepared once for many "did you mean" questions: lowercased, and grouped by length so that only
/// names within reach are compared (a form with thousands of unknown names asks thousands of times).
public struct NameMatcher: Sendable {
    private let names: [String]
    private let lowered: [[Character]]
    private let byLength: [Int: [Int]]

    public init(_ candidates: [String]) {
        names = candidates
        lowered = candidates.map { Array($0.lowercased()) }
        var groups: [Int: [Int]] = [:]
        for (index, name) in lowered.enumerated() { groups[name.count, default: []].append(index) }
        byLength = groups
    }

    /// The first candidate (in the given order) at the smallest distance within the word's limit, or nil.
    public func closest(to word: String) -> String? {
        let limit = max(1, min(3, word.count / 3))
        let a = Array(word.lowercased())
        var best: (index: Int, distance: Int)?
        let reachable = (max(0, a.count - limit)...(a.count + limit)).flatMap { byLength[$0] ?? [] }.sorted()
        for index in reachable {
            let bound = best.map { $0.distance - 1 } ?? limit
            guard bound >= 0, abs(lowered[index].count - a.count) <= bound else { continue }
            if let distance = boundedEditDistance(a, lowered[index], bound: bound) { best = (index, distance) }
        }
        return best.map { names[$0.index] }
    }
}

/// The edit distance when it is at most `bound`, else nil; only cells within `bound` of the diagonal are computed.
func boundedEditDistance(_ a: [Character], _ b: [Character], bound: Int) -> Int? {
    if abs(a.count - b.count) > bound { return nil }
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    let outside = bound + 1
    var previous = (0...b.count).map { min($0, outside) }
    var current = [Int](repeating: outside, count: b.count + 1)
    for i in 1...a.count {
        let low = max(1, i - bound), high = min(b.count, i + bound)
        current[0] = i <= bound ? i : outside
        if low > 1 { current[low - 1] = outside }
        var rowMinimum = current[0]
        for j in low...high {
            let value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            current[j] = min(value, outside)
            rowMinimum = min(rowMinimum, current[j])
        }
        if high < b.count { current[high + 1] = outside }
        if rowMinimum > bound { return nil }
        swap(&previous, &current)
    }
    return previous[b.count] <= bound ? previous[b.count] : nil
}
