/// The sample frame as a hierarchy: a unit's ancestors, the one at a level, and attributes inherited from them
/// (a district's flag serves its villages). Parent chains are followed at most 64 steps, so a loop cannot hang.
public struct UnitHierarchy: Sendable {
    public let units: [String: AnalysisUnit]

    public init(_ units: [String: AnalysisUnit]) { self.units = units }

    /// The unit and its ancestors, innermost first.
    public func lineage(of code: String) -> [AnalysisUnit] {
        var chain: [AnalysisUnit] = []
        var current = units[code]
        while let unit = current, chain.count < 64 {
            chain.append(unit)
            current = unit.parentCode.flatMap { units[$0] }
        }
        return chain
    }

    /// The unit itself or its ancestor at `level`.
    public func ancestor(of code: String, level: String) -> AnalysisUnit? { lineage(of: code).first { $0.level == level } }

    /// The attribute from the unit, or else from its nearest ancestor that has it.
    public func attribute(_ key: String, of code: String) -> String? { lineage(of: code).lazy.compactMap { $0.attributes[key] }.first }
}
