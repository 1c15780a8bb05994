/// Text for HTML documents.
public enum HTML {
    /// Escapes the five characters that HTML gives a meaning.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension HTML {
    /// The opening every pantau page shares, up to and including `<body>`: one self-contained file (inline CSS, no
    /// scripts, no network requests) that prints on A4. `style` adds the page's own rules after the common ones.
    public static func pageStart(title: String, language: String, style: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(escape(language))">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        @page { size: A4; margin: 14mm; }
        body { font-family: system-ui, "DejaVu Sans", sans-serif; color: #1a1a1a; margin: 1.5rem auto; max-width: 62rem; padding: 0 1rem; font-size: 14px; }
        section { break-inside: avoid; page-break-inside: avoid; }
        @media print { body { margin: 0; max-width: none; font-size: 11px; } }
        \(style)
        </style>
        </head>
        <body>

        """
    }

    /// The closing that matches `pageStart`.
    public static let pageEnd = "</body>\n</html>\n"
}
