import Expressions
import Foundation
import Questionnaire
import Store

/// One questionnaire's interviews as the tables analysts use: a wide table with a row per interview, a table per
/// repeat with a row per instance, and the answers one by one. Built once from the store; every writer (CSV,
/// long CSV, Stata, Excel) renders the same data.
public struct ExportData: Sendable {
    /// How a column's values are typed, for writers that keep types (Stata, Excel).
    public enum Kind: Sendable, Equatable {
        case text
        case number
        /// Days since 1970-01-01.
        case date
        /// Seconds since 1970-01-01, UTC.
        case dateTime
        /// Seconds since midnight.
        case time
        /// A select_one: each code with its label; stored as the code, and as its position (1…) where a writer needs a number.
        case choice([(code: String, label: String)])
        /// One choice of a select_multiple: 1 chosen, 0 not.
        case flag

        public static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.text, .text), (.number, .number), (.date, .date), (.dateTime, .dateTime), (.time, .time), (.flag, .flag): true
            case (.choice(let a), .choice(let b)): a.map(\.code) == b.map(\.code) && a.map(\.label) == b.map(\.label)
            default: false
            }
        }
    }

    public struct Column: Sendable {
        public let name: String
        public let label: String
        public let kind: Kind
    }

    /// A cell: empty (not asked or no answer), a value in its canonical text with its number where it has one,
    /// or a special non-response.
    public enum Cell: Sendable, Equatable {
        case empty
        case value(text: String, number: Double?)
        case nonResponse(NonResponse)

        public var text: String {
            switch self {
            case .empty: ""
            case .value(let text, _): text
            case .nonResponse(let code): code.rawValue
            }
        }
    }

    public struct Table: Sendable {
        /// The file name's stem: the form id, or form id and repeat name.
        public let name: String
        public let columns: [Column]
        public let rows: [[Cell]]
    }

    public struct Answer: Sendable {
        public let interview: String
        public let unit: String
        public let round: String
        public let variable: String
        /// Repeat instance numbers, 1-based, comma-separated ("" outside repeats).
        public let instance: String
        public let value: Cell
    }

    public let formID: String
    public let title: String
    public let wide: Table
    public let repeats: [Table]
    public let long: [Answer]
    /// Personal-data variables left out (empty when they were asked for).
    public let excludedPII: [String]
    /// The questionnaire the columns follow (the latest version among the interviews).
    public let questionnaire: Questionnaire
    /// The language of labels.
    public var language: String?

    /// The labels of the special non-responses (.a, .b, .c in Stata), in the export's language.
    public var nonResponseLabels: [(NonResponse, String)] {
        let indonesian = LocalizedText.isIndonesian(language)
        return [
            (.dontKnow, indonesian ? "tidak tahu" : "don't know"), (.refused, indonesian ? "menolak menjawab" : "refused"),
            (.notApplicable, indonesian ? "tidak berlaku" : "not applicable"),
        ]
    }

    /// A variable's label as a person reads it: interpolations in words (`(last round: ${previous(${sid})})` becomes
    /// "(last round: sid, last round)"), never `${…}`.
    static func label(_ item: Item, language: String?) -> String {
        let text = item.label?.text(in: language) ?? item.name
        guard text.contains("${"), case .success(let template) = Template.parse(text) else { return text }
        let indonesian = LocalizedText.isIndonesian(language)
        return template.segments.map { segment -> String in
            switch segment {
            case .text(let text): text
            case .field(let name, _): name
            case .previous(let name, _): indonesian ? "\(name) putaran lalu" : "\(name), last round"
            }
        }.joined()
    }

    /// Reads the interviews of a questionnaire from the store: by default every round, completed and approved.
    public static func build(
        from store: any StoreReading, formID: String, round: String? = nil, statuses: [String] = InterviewStatus.final.map(\.rawValue),
        includePII: Bool = false, language: String? = nil
    ) throws -> ExportData {
        // Every version stored; columns follow the latest used, then what only earlier versions had.
        var versions: [String: Questionnaire] = [:]
        for definition in try store.questionnaireDefinitions() where definition.formID == formID {
            if case .success(let loaded) = QuestionnaireLoader.load(yaml: definition.text, file: "\(formID) \(definition.version)") {
                versions[definition.version] = loaded
            }
        }
        guard !versions.isEmpty else { throw ExportError.unknownQuestionnaire(formID) }
        let interviews = try store.interviews(round: round).filter { $0.formID == formID && statuses.contains($0.status) }
        let usedVersions = Set(interviews.map(\.version))
        let ordered = versions.keys.sorted().filter { usedVersions.isEmpty || usedVersions.contains($0) }
        guard let latestVersion = ordered.last, let questionnaire = versions[latestVersion] else { throw ExportError.unknownQuestionnaire(formID) }
        var items: [Item] = []
        var seen = Set<String>()
        for version in ordered.reversed() {
            for item in versions[version]!.allItems where item.type.holdsValue && !seen.contains(item.name) {
                seen.insert(item.name)
                items.append(item)
            }
        }
        let excluded = items.filter(\.pii).map(\.name)
        if !includePII { items.removeAll(where: \.pii) }
        func choices(_ item: Item) -> [(code: String, label: String)] {
            guard let list = item.type.choiceList else { return [] }
            let lists = ordered.reversed().compactMap { versions[$0]?.choiceList(named: list) }
            var out: [(code: String, label: String)] = []
            for list in lists {
                for choice in list.choices where !out.contains(where: { $0.code == choice.name }) {
                    out.append((choice.name, choice.label?.text(in: language) ?? choice.name))
                }
            }
            return out
        }
        let frameUnits = try store.units()
        let attributeNames = Set(frameUnits.flatMap { $0.attributes.map(\.key) })
        let numericAttributes = Set(
            attributeNames.filter { key in frameUnits.allSatisfy { unit in unit.attribute(key).map { $0.isEmpty || Double($0) != nil } ?? true } })
        func columns(for item: Item) -> [Column] {
            let label = Self.label(item, language: language)
            switch item.type {
            case .integer, .decimal: return [Column(name: item.name, label: label, kind: .number)]
            case .date: return [Column(name: item.name, label: label, kind: .date)]
            case .dateTime: return [Column(name: item.name, label: label, kind: .dateTime)]
            case .time: return [Column(name: item.name, label: label, kind: .time)]
            case .selectOne: return [Column(name: item.name, label: label, kind: .choice(choices(item)))]
            case .selectMultiple:
                return [Column(name: item.name, label: label, kind: .text)]
                    + choices(item).map { Column(name: "\(item.name)_\($0.code)", label: "\(label): \($0.label)", kind: .flag) }
            case .rank:
                // The order as given, and each choice's place in it (1 = first).
                return [Column(name: item.name, label: label, kind: .text)]
                    + choices(item).map { Column(name: "\(item.name)_\($0.code)", label: "\(label): place of \($0.label)", kind: .number) }
            case .calculate:
                // The calculation's own type: a share or a count is a number for Stata and Excel, not text.
                switch versions[ordered.last!]?.calculatedType(of: item) ?? .any {
                case .number, .boolean: return [Column(name: item.name, label: label, kind: .number)]
                case .date: return [Column(name: item.name, label: label, kind: .date)]
                default: return [Column(name: item.name, label: label, kind: .text)]
                }
            case .identifier where attributeNames.contains(item.name) && numericAttributes.contains(item.name):
                // A frame attribute whose every value is a number (a 0/1 flag, a count) is a number.
                return [Column(name: item.name, label: label, kind: .number)]
            default: return [Column(name: item.name, label: label, kind: .text)]
            }
        }
        // The frame, for unit codes and names up the hierarchy.
        let hierarchy = FrameHierarchy(frameUnits)
        let unitLevel = questionnaire.settings.unitLevel
        var levels: [String] = []
        if let sample = interviews.first {
            levels = hierarchy.lineage(of: sample.unitCode).reversed().map(\.level)
        } else if let unitLevel {
            levels = [unitLevel]
        }
        var identifiers: [Column] = [Column(name: "interview_uuid", label: "Interview", kind: .text)]
        for level in levels {
            identifiers.append(Column(name: "frame_\(level)_code", label: "\(level) code (frame)", kind: .text))
            identifiers.append(Column(name: "frame_\(level)_name", label: "\(level) name (frame)", kind: .text))
        }
        identifiers += [
            Column(name: "round", label: "Round", kind: .text), Column(name: "enumerator", label: "Enumerator", kind: .text),
            Column(name: "status", label: "Status", kind: .text), Column(name: "questionnaire_version", label: "Questionnaire version", kind: .text),
            Column(name: "started_at", label: "Started (UTC)", kind: .dateTime),
            Column(name: "duration_minutes", label: "Minutes spent interviewing", kind: .number),
        ]
        let topItems = items.filter { $0.repeatPath.isEmpty }
        let wideColumns = identifiers + topItems.flatMap(columns(for:))
        let repeatNames = questionnaire.allItems.filter { $0.type == .repeat }.map(\.name)
        var repeatRows: [String: [[Cell]]] = [:]
        var wideRows: [[Cell]] = []
        var long: [Answer] = []
        func cell(_ stored: StoredAnswer?) -> Cell {
            guard let stored, stored.relevant else { return .empty }
            switch stored.stored.kind {
            case "empty": return .empty
            case "non_response": return NonResponse(rawValue: stored.stored.text).map(Cell.nonResponse) ?? .empty
            default: return .value(text: stored.stored.text, number: stored.stored.number)
            }
        }
        func cells(for item: Item, _ answer: StoredAnswer?) -> [Cell] {
            let value = cell(answer)
            if case .rank = item.type {
                guard case .value(let text, _) = value else { return [value] + choices(item).map { _ in value == .empty ? .empty : value } }
                let order = text.split(separator: " ").map(String.init)
                return [value]
                    + choices(item).map { choice in
                        order.firstIndex(of: choice.code).map { .value(text: String($0 + 1), number: Double($0 + 1)) } ?? .empty
                    }
            }
            guard case .selectMultiple = item.type else { return [value] }
            let chosen: Set<String>
            switch value {
            case .value(let text, _): chosen = Set(text.split(separator: " ").map(String.init))
            default: return [value] + choices(item).map { _ in value == .empty ? .empty : value }
            }
            return [value] + choices(item).map { .value(text: chosen.contains($0.code) ? "1" : "0", number: chosen.contains($0.code) ? 1 : 0) }
        }
        for interview in interviews {
            let detail = try store.interview(interview.uuid)
            var answers: [Address: StoredAnswer] = [:]
            for answer in detail.answers { answers[answer.address] = answer }
            let lineage = Dictionary(hierarchy.lineage(of: interview.unitCode).map { ($0.level, $0) }, uniquingKeysWith: { first, _ in first })
            var row: [Cell] = [.value(text: interview.uuid, number: nil)]
            for level in levels {
                row.append(lineage[level].map { .value(text: $0.code, number: nil) } ?? .empty)
                row.append(lineage[level].map { .value(text: $0.name, number: nil) } ?? .empty)
            }
            let minutes = ResponseStore.minutesInterviewing(detail.audit.map(\.at))
            row += [
                .value(text: interview.roundCode, number: nil), .value(text: interview.enumerator, number: nil),
                .value(text: interview.status, number: nil), .value(text: interview.version, number: nil),
                .value(text: interview.startedAt, number: CivilDate.parseDateTime(interview.startedAt)?.seconds),
                minutes.map { .value(text: String(format: "%.1f", $0), number: ($0 * 10).rounded() / 10) } ?? .empty,
            ]
            for item in topItems { row += cells(for: item, answers[Address(item.name)]) }
            wideRows.append(row)
            // Repeats: a row per instance, keyed to the interview.
            for name in repeatNames {
                let members = items.filter { $0.repeatPath.last == name }
                let instances = Set(detail.answers.filter { answer in members.contains { $0.name == answer.address.name } }.map(\.address.indices)).sorted {
                    $0.lexicographicallyPrecedes($1)
                }
                for indices in instances {
                    var repeatRow: [Cell] = [
                        .value(text: interview.uuid, number: nil), .value(text: interview.roundCode, number: nil),
                        .value(text: interview.unitCode, number: nil),
                        .value(text: indices.map(String.init).joined(separator: ","), number: Double(indices.last ?? 0)),
                    ]
                    for item in members { repeatRow += cells(for: item, answers[Address(item.name, indices)]) }
                    repeatRows[name, default: []].append(repeatRow)
                }
            }
            for answer in detail.answers.sorted(by: { $0.address < $1.address })
            where answer.relevant && answer.origin != "instances" && items.contains(where: { $0.name == answer.address.name }) {
                long.append(
                    Answer(
                        interview: interview.uuid, unit: interview.unitCode, round: interview.roundCode, variable: answer.address.name,
                        instance: answer.address.indices.map { String($0) }.joined(separator: ","), value: cell(answer)))
            }
        }
        let repeats = repeatNames.map { name -> Table in
            let members = items.filter { $0.repeatPath.last == name }
            let keys = [
                Column(name: "interview_uuid", label: "Interview (key to the main table)", kind: .text),
                Column(name: "round", label: "Round", kind: .text), Column(name: "unit_code", label: "Unit code", kind: .text),
                Column(name: "instance", label: "Instance (1-based; outer instances first when nested)", kind: .text),
            ]
            return Table(name: "\(formID)-\(name)", columns: keys + members.flatMap(columns(for:)), rows: repeatRows[name] ?? [])
        }
        return ExportData(
            formID: formID, title: questionnaire.settings.title.text(in: language), wide: Table(name: formID, columns: wideColumns, rows: wideRows),
            repeats: repeats, long: long, excludedPII: includePII ? [] : excluded, questionnaire: questionnaire, language: language)
    }

}

public enum ExportError: Error, Equatable, CustomStringConvertible {
    case unknownQuestionnaire(String)
    case cannotWrite(path: String, reason: String)
    case tooManyColumns(table: String, count: Int)

    public var description: String {
        switch self {
        case .unknownQuestionnaire(let form): "the store has no questionnaire \(form)"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .tooManyColumns(let table, let count): "\(table) has \(count) columns; Stata files hold at most 32,767"
        }
    }
}
