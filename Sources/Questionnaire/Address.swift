import Foundation

/// Where a value lives: an item's name and, for items inside repeats, the 1-based instance number of each
/// enclosing repeat, outermost first. Written `member_age[2]` or `plot_area[1,3]`.
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let name: String
    public let indices: [Int]

    public init(_ name: String, _ indices: [Int] = []) {
        self.name = name
        self.indices = indices
    }

    public var description: String {
        indices.isEmpty ? name : "\(name)[\(indices.map(String.init).joined(separator: ","))]"
    }

    /// Parses `name`, `name[2]` or `name[1,3]`; nil for anything else.
    public static func parse(_ text: String) -> Address? {
        let trimmed = text.trimmingSpaces
        guard let open = trimmed.firstIndex(of: "[") else {
            return trimmed.isEmpty || trimmed.contains("]") ? nil : Address(trimmed)
        }
        guard trimmed.hasSuffix("]") else { return nil }
        let name = String(trimmed[..<open])
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        let numbers = inner.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingSpaces) }
        guard !name.isEmpty, !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return Address(name, numbers.map { $0! })
    }

    public static func < (lhs: Address, rhs: Address) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.indices.lexicographicallyPrecedes(rhs.indices)
    }
}
