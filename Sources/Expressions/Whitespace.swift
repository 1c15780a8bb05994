extension StringProtocol {
    /// The text without leading and trailing spaces and tabs: what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` returns (Unicode's space separators, the tab and the zero-width
    /// space; not line breaks),
    /// without building a character set, which cost more than the rest of an answer's handling.
    public var trimmingSpaces: String {
        // Typed answers rarely begin or end with a space: then the text is returned as it is.
        let text = String(self)
        if let first = text.utf8.first, let last = text.utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return text }
        let scalars = text.unicodeScalars
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

extension StringProtocol {
    /// The text without carriage returns and line feeds at either end (a line as read from a terminal or a file).
    public var trimmingLineEnds: String {
        let text = String(self)
        if let first = text.utf8.first, let last = text.utf8.last, first != 0x0D, first != 0x0A, last != 0x0D, last != 0x0A { return text }
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == "\r" || first == "\n" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == "\r" || last == "\n" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
