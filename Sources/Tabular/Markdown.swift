/// Text from questionnaires and data in Markdown: every character Markdown would read as markup (links, images,
/// emphasis, code, raw HTML, table cells, headings) is escaped with a backslash, so a label can never inject a link
/// or a script into a report; line breaks become spaces (a table cell is one line). An underscore inside a word
/// (`self_care`) is left as it is: CommonMark never reads it as emphasis; so is a code span between two backticks
/// (its content is shown literally, never as markup).
public enum Markdown {
    public static func text(_ raw: String) -> String {
        let characters = Array(raw)
        var out = ""
        out.reserveCapacity(characters.count)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            defer { index += 1 }
            if character == "`", let close = characters[(index + 1)...].firstIndex(of: "`"),
                !characters[(index + 1)..<close].contains(where: { $0 == "\n" || $0 == "\r\n" })
            {
                out += String(characters[index...close])
                index = close
                continue
            }
            switch character {
            case "_":
                let inWord =
                    index > 0 && index + 1 < characters.count && (characters[index - 1].isLetter || characters[index - 1].isNumber)
                    && (characters[index + 1].isLetter || characters[index + 1].isNumber)
                out += inWord ? "_" : "\\_"
            case "\\", "`", "*", "[", "]", "<", ">", "|", "#", "~": out += "\\" + String(character)
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// A code span for a table cell: shown literally (no markup inside), `|` escaped as tables need, line breaks as
    /// spaces, and delimited by enough backticks that a backtick inside cannot close it.
    public static func codeSpan(_ raw: String) -> String {
        let content = raw.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard content.contains("`") else { return "`" + content + "`" }
        return "`` " + content + " ``"
    }
}
