import Foundation
import Questionnaire

/// The frame units an indicator speaks for: conditions on frame attributes (a unit inherits an attribute from its
/// nearest ancestor that has it), all of which must hold. Written `kompak = 1`, `papua != 1`, joined by `and`.
public struct Population: Hashable, Sendable, CustomStringConvertible {
    public struct Condition: Hashable, Sendable {
        public let attribute: String
        public let equal: Bool
        public let value: String
    }

    public let conditions: [Condition]

    /// Every unit of the frame.
    public static let everyUnit = Population(conditions: [])

    public var description: String {
        conditions.map { "\($0.attribute) \($0.equal ? "=" : "!=") \($0.value)" }.joined(separator: " and ")
    }

    /// `kompak = 1 and papua != 1`; nil when the text is not such a list.
    public static func parse(_ text: String) -> Population? {
        var conditions: [Condition] = []
        for part in text.components(separatedBy: " and ") {
            let equal = !part.contains("!=")
            let pieces = part.components(separatedBy: equal ? "=" : "!=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty, pieces[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                return nil
            }
            let value = pieces[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            conditions.append(Condition(attribute: pieces[0], equal: equal, value: value))
        }
        return conditions.isEmpty ? nil : Population(conditions: conditions)
    }

    public func contains(_ unit: String, in hierarchy: FrameHierarchy) -> Bool {
        conditions.allSatisfy { condition in (hierarchy.attribute(condition.attribute, of: unit) == condition.value) == condition.equal }
    }

    /// The units to compare with: the same conditions, but the one on `attribute` turned around (`kompak = 1` gives
    /// `kompak != 1`); nil when no condition names it.
    public func comparison(on attribute: String) -> Population? {
        guard conditions.contains(where: { $0.attribute == attribute }) else { return nil }
        return Population(conditions: conditions.map { $0.attribute == attribute ? Condition(attribute: attribute, equal: !$0.equal, value: $0.value) : $0 })
    }
}
