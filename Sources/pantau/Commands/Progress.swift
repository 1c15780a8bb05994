import ArgumentParser
import Foundation
import Questionnaire
import Store
import Tabular

/// `pantau progress`: where fieldwork stands.
struct Progress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fieldwork progress for a round: units, interviews not started, draft, completed, approved, rejected.")

    @Option(help: "The round (default: the latest).")
    var round: String?

    @Option(help: "Group by a frame level (district, subdistrict, …) or enumerator.")
    var by: String = "district"

    @Option(help: "The questionnaire (form_id); default: every questionnaire in the store.")
    var questionnaire: String?

    @Option(help: "table, csv or json.")
    var format: ListFormat = .table

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openReading()
        let rounds = try database.rounds()
        guard let round = round ?? rounds.last?.code else { throw CommandError.noRounds }
        try database.checkGrouping(by)
        var forms: [(String, String)] = []
        for definition in try database.questionnaireDefinitions() where questionnaire == nil || definition.formID == questionnaire {
            guard !forms.contains(where: { $0.0 == definition.formID }),
                case .success(let loaded) = QuestionnaireLoader.load(yaml: definition.text, file: definition.formID),
                let level = loaded.settings.unitLevel
            else { continue }
            forms.append((definition.formID, level))
        }
        if let questionnaire, forms.isEmpty { throw CommandError.noQuestionnaireWithUnitLevel(questionnaire) }
        var table: [[String]] = []
        var objects: [[String: Any]] = []
        for (form, level) in forms {
            let rows = try database.progress(formID: form, unitLevel: level, round: round, by: by)
            let total = rows.reduce(into: [0, 0, 0, 0, 0, 0]) { sums, row in
                for (index, value) in [row.units, row.notStarted, row.draft, row.completed, row.approved, row.rejected].enumerated() { sums[index] += value }
            }
            for row in rows {
                table.append([
                    form, row.group, row.name, String(row.units), String(row.notStarted), String(row.draft), String(row.completed),
                    String(row.approved), String(row.rejected), String(format: "%.0f%%", 100 * row.completionRate),
                ])
                objects.append([
                    "form": form, "group": row.group, "name": row.name, "units": row.units, "not_started": row.notStarted, "draft": row.draft,
                    "completed": row.completed, "approved": row.approved, "rejected": row.rejected, "completion_rate": row.completionRate,
                ])
            }
            let rate = total[0] == 0 ? 0 : Double(total[3] + total[4]) / Double(total[0])
            table.append([
                form, "all", "", String(total[0]), String(total[1]), String(total[2]), String(total[3]), String(total[4]), String(total[5]),
                String(format: "%.0f%%", 100 * rate),
            ])
        }
        let header = ["form", by, "name", "units", "not started", "draft", "completed", "approved", "rejected", "complete"]
        switch format {
        case .table:
            print("round \(round)")
            print(renderTable(header, table), terminator: "")
        case .csv: print(CSV.write([header] + table), terminator: "")
        case .json: print(try jsonText(["round": round, "by": by, "groups": objects]), terminator: "")
        }
    }
}
