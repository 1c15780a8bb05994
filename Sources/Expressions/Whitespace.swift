extension StringProtocol {
    /// The text without leading and trailing spaces and tabs: what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` returns (Unicode's space separators, the tab and the zero-width
    /// space; not line breaks),
    /// without building a character set, which cost more than the rest of an answer's handling.
    public var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isSpaceOrTab }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isSpaceOrTab })!
        var trimmed = String.UnicodeScalarView()
        trimmed.append(contentsOf: scalars[first...last])
        return String(trimmed)
    }
}

extension Unicode.Scalar {
    var isSpaceOrTab: Bool {
        value == 0x09 || value == 0x20 || (value > 0x7F && (value == 0x200B || properties.generalCategory == .spaceSeparator))
    }
}
