import Tabular

/// Renders a codebook as Markdown.
public enum CodebookMarkdown {
    public static func render(_ codebook: Codebook) -> String {
        var out = "# Codebook: \(codebook.title)\n\n"
        out += "- form id: `\(codebook.formID)`\n- version: \(codebook.version)\n"
        out += "- languages: \(codebook.languages.isEmpty ? "one, undeclared" : codebook.languages.joined(separator: ", "))\n"
        if let level = codebook.unitLevel { out += "- unit level: \(level)\n" }
        out += "- variables: \(codebook.entries.filter { !$0.isContainer && $0.type != "note" }.count)\n\n"
        for entry in codebook.entries {
            let depth = min(entry.path.count, 3)
            if entry.isContainer {
                out += "\(String(repeating: "#", count: 2 + depth)) \(entry.type) `\(entry.name)`\n\n"
            } else {
                out += "\(String(repeating: "#", count: 3 + depth)) `\(entry.name)`\n\n"
            }
            out += "| | |\n|---|---|\n"
            out += "| type | \(cell(entry.type)) |\n"
            for (language, text) in entry.labels {
                out += "| label\(language.isEmpty ? "" : " (\(language))") | \(cell(text)) |\n"
            }
            for (language, text) in entry.hints {
                out += "| hint\(language.isEmpty ? "" : " (\(language))") | \(cell(text)) |\n"
            }
            if !entry.repeatPath.isEmpty { out += "| repeated in | \(cell(entry.repeatPath.joined(separator: " › "))) |\n" }
            out += "| asked when | \(cell(entry.askedWhen)) |\n"
            if !entry.relevanceAsWritten.isEmpty {
                out += "| relevance as written | \(entry.relevanceAsWritten.map { Markdown.codeSpan($0) }.joined(separator: "; ")) |\n"
            }
            if !entry.isContainer, entry.type != "note", entry.type != "calculate" { out += "| required | \(cell(entry.required)) |\n" }
            if let check = entry.constraint {
                out +=
                    "| constraint (hard) | \(cell(check.inWords)) — \(Markdown.codeSpan(check.expression))\(check.message.map { ": \(cell($0))" } ?? "") |\n"
            }
            if let check = entry.warning {
                out +=
                    "| warning (soft) | \(cell(check.inWords)) — \(Markdown.codeSpan(check.expression))\(check.message.map { ": \(cell($0))" } ?? "") |\n"
            }
            if let calculation = entry.calculation { out += "| calculation | \(Markdown.codeSpan(calculation)) |\n" }
            if !entry.trigger.isEmpty { out += "| recomputed only when | \(cell(entry.trigger.joined(separator: " or "))) changes |\n" }
            if let value = entry.defaultValue { out += "| default | \(Markdown.codeSpan(value)) |\n" }
            if let filter = entry.choiceFilter { out += "| choice filter | \(Markdown.codeSpan(filter)) |\n" }
            if let count = entry.repeatCount { out += "| instances | \(Markdown.codeSpan(count)) |\n" }
            if !entry.allowedNonResponses.isEmpty { out += "| non-responses | \(entry.allowedNonResponses.joined(separator: ", ")) |\n" }
            if entry.pii { out += "| personal data | yes: withhold from shared datasets |\n" }
            for (name, value) in entry.attributes { out += "| \(cell(name)) | \(cell(value)) |\n" }
            out += "\n"
            if !entry.choices.isEmpty {
                out += "Choices (list `\(entry.choiceListName ?? "")`):\n\n| code | label |\n|---|---|\n"
                for choice in entry.choices {
                    out += "| \(Markdown.codeSpan(choice.code)) | \(cell(choice.labels.joined(separator: " / "))) |\n"
                }
                out += "\n"
            }
        }
        return out
    }

    static func cell(_ text: String) -> String { Markdown.text(text) }
}

/// Renders a codebook as one self-contained HTML file: inline CSS, no scripts, no network requests.
public enum CodebookHTML {
    public static func render(_ codebook: Codebook) -> String {
        var out = HTML.pageStart(
            title: "Codebook: \(codebook.title)", language: codebook.languages.first ?? "en",
            style: """
                h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
                table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
                th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
                th { background: #f4f4f4; width: 11rem; }
                code { background: #f4f4f4; padding: 0 0.2rem; }
                .pii { color: #a00; font-weight: bold; }
                .var { font-size: 1.05rem; margin-top: 1.5rem; }
                """)
        out += """
            <h1>Codebook: \(escape(codebook.title))</h1>
            <p>Form <code>\(escape(codebook.formID))</code>, version \(escape(codebook.version)); languages: \(escape(codebook.languages.joined(separator: ", ")))\(codebook.unitLevel.map { "; unit level: \(escape($0))" } ?? "").</p>

            """
        for entry in codebook.entries {
            if entry.isContainer {
                out += "<h2>\(escape(entry.type)) <code>\(escape(entry.name))</code></h2>\n"
            } else {
                out +=
                    "<h3 class=\"var\" id=\"\(escape(entry.name))\"><code>\(escape(entry.name))</code>\(entry.pii ? " <span class=\"pii\">personal data</span>" : "")</h3>\n"
            }
            out += "<table>\n"
            func row(_ header: String, _ html: String) { out += "<tr><th>\(escape(header))</th><td>\(html)</td></tr>\n" }
            row("type", escape(entry.type))
            for (language, text) in entry.labels { row(language.isEmpty ? "label" : "label (\(language))", escape(text)) }
            for (language, text) in entry.hints { row(language.isEmpty ? "hint" : "hint (\(language))", escape(text)) }
            if !entry.repeatPath.isEmpty { row("repeated in", escape(entry.repeatPath.joined(separator: " › "))) }
            row("asked when", escape(entry.askedWhen))
            if !entry.relevanceAsWritten.isEmpty {
                row("relevance as written", entry.relevanceAsWritten.map { "<code>\(escape($0))</code>" }.joined(separator: "; "))
            }
            if !entry.isContainer, entry.type != "note", entry.type != "calculate" { row("required", escape(entry.required)) }
            if let check = entry.constraint {
                row(
                    "constraint (hard)",
                    "\(escape(check.inWords)): <code>\(escape(check.expression))</code>\(check.message.map { " — \(escape($0))" } ?? "")")
            }
            if let check = entry.warning {
                row(
                    "warning (soft)",
                    "\(escape(check.inWords)): <code>\(escape(check.expression))</code>\(check.message.map { " — \(escape($0))" } ?? "")")
            }
            if let calculation = entry.calculation { row("calculation", "<code>\(escape(calculation))</code>") }
            if !entry.trigger.isEmpty { row("recomputed only when", escape(entry.trigger.joined(separator: " or ")) + " changes") }
            if let value = entry.defaultValue { row("default", "<code>\(escape(value))</code>") }
            if let filter = entry.choiceFilter { row("choice filter", "<code>\(escape(filter))</code>") }
            if let count = entry.repeatCount { row("instances", "<code>\(escape(count))</code>") }
            if !entry.allowedNonResponses.isEmpty { row("non-responses", escape(entry.allowedNonResponses.joined(separator: ", "))) }
            for (name, value) in entry.attributes { row(name, escape(value)) }
            if !entry.choices.isEmpty {
                let choices = entry.choices.map { "<code>\(escape($0.code))</code> \(escape($0.labels.joined(separator: " / ")))" }.joined(
                    separator: "<br>")
                row("choices (\(entry.choiceListName ?? ""))", choices)
            }
            out += "</table>\n"
        }
        return out + HTML.pageEnd
    }

    public static func escape(_ text: String) -> String { HTML.escape(text) }
}
