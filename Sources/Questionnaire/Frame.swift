// The sample frame belongs to the survey design, beside questionnaires and plans: the store keeps it, the
// analysis walks it, and both read the same types.

/// One unit of the sample frame: a province, district, sub-district, village, or any level a programme uses.
public struct FrameUnit: Hashable, Sendable {
    public let code: String
    public let name: String
    public let level: String
    public let parentCode: String?
    /// Extra columns, such as treatment or comparison flags, in file order.
    public let attributes: [(key: String, value: String)]
    /// The file line it was read from (0 when it came from the store).
    public let line: Int

    public init(code: String, name: String, level: String, parentCode: String?, attributes: [(key: String, value: String)], line: Int = 0) {
        self.line = line
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
        self.attributes = attributes
    }

    public func attribute(_ key: String) -> String? { attributes.first { $0.key == key }?.value }

    public static func == (lhs: FrameUnit, rhs: FrameUnit) -> Bool {
        lhs.code == rhs.code && lhs.name == rhs.name && lhs.level == rhs.level && lhs.parentCode == rhs.parentCode
            && lhs.attributes.map(\.key) == rhs.attributes.map(\.key) && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// The frame as a hierarchy in memory: a unit's ancestors and the one at a level. Parent chains are followed at
/// most 64 steps, so a loop cannot hang.
public struct FrameHierarchy: Sendable {
    public let units: [String: FrameUnit]

    public init(_ units: [FrameUnit]) { self.units = Dictionary(units.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first }) }

    /// The unit and its ancestors, innermost first.
    public func lineage(of code: String) -> [FrameUnit] {
        var chain: [FrameUnit] = []
        var current = units[code]
        while let unit = current, chain.count < 64 {
            chain.append(unit)
            current = unit.parentCode.flatMap { units[$0] }
        }
        return chain
    }

    /// The unit itself or its ancestor at `level`.
    public func ancestor(of code: String, level: String) -> FrameUnit? { lineage(of: code).first { $0.level == level } }

    /// The attribute from the unit, or else from its nearest ancestor that has it.
    public func attribute(_ key: String, of code: String) -> String? { lineage(of: code).lazy.compactMap { $0.attribute(key) }.first }
}
