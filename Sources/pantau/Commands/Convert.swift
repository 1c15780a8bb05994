import ArgumentParser
import Codebook
import Foundation
import Questionnaire
import Tabular
import XLSForm

/// `pantau convert`: XLSForm to pantau's YAML and back.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert an XLSForm (.xlsx, or a folder of survey/choices/settings CSV files) to pantau's YAML, or a YAML questionnaire to an .xlsx XLSForm.",
        discussion: """
            The direction follows the file: an .xlsx or a folder becomes YAML (standard output, or -o FILE.yaml); a \
            .yaml file becomes an XLSForm (-o FILE.xlsx). Problems are reported at their sheet, row and column \
            (form.xlsx:survey:12:relevant); columns and metadata rows pantau does not use are skipped with a warning.
            """
    )

    @Argument(help: "The form to convert.")
    var form: String

    @Option(name: .shortAndLong, help: "Where to write (a .yaml or .xlsx file).")
    var output: String?

    func run() throws {
        if XLSFormPath.matches(form) {
            let converted = try XLSForm.convert(path: form).get()
            // The YAML is checked as pantau reads it, every problem at its cell.
            _ = try XLSForm.validate(converted, path: form).get()
            for warning in converted.warnings { Terminal.printError(Terminal.render(warning, source: nil, withSource: false)) }
            if let output {
                try converted.yaml.write(toFile: output, atomically: true, encoding: .utf8)
                Terminal.printError("wrote \(output)")
            } else {
                print(converted.yaml, terminator: "")
            }
            return
        }
        guard let output, output.lowercased().hasSuffix(".xlsx") else {
            throw ValidationError("a YAML questionnaire converts to an XLSForm: give -o FILE.xlsx")
        }
        let questionnaire = try loadValid(form)
        try XLSForm.write(questionnaire).write(to: URL(fileURLWithPath: output), options: .atomic)
        Terminal.printError("wrote \(output)")
        // pulldata()'s tables go beside the workbook as CSV files, where an XLSForm reads them.
        for table in questionnaire.lookups.values.sorted(by: { $0.name < $1.name }) {
            let file = ((output as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent(table.name.lowercased().hasSuffix(".csv") ? table.name : table.name + ".csv")
            let rows = [table.columns] + table.rows.map { row in table.columns.map { row[$0] ?? "" } }
            try CSV.write(rows).write(toFile: file, atomically: true, encoding: .utf8)
            Terminal.printError("wrote \(file)")
        }
    }
}
