import Expressions
import Foundation
import Interview
import Questionnaire
import Store

// What the analysis and export commands read, on PostgreSQL: the same rows, in the same order, as the SQLite store
// gives (text ordered byte by byte, as SQLite orders it, whatever the database's collation).
extension PostgresStore {
    public func questionnaireDefinitions() throws -> [(formID: String, version: String, text: String)] {
        try database.rows("SELECT form_id, version, definition FROM questionnaire ORDER BY form_id COLLATE \"C\", version COLLATE \"C\"").map {
            ($0["form_id"]?.text ?? "", $0["version"]?.text ?? "", $0["definition"]?.text ?? "")
        }
    }

    public func units(level: String? = nil) throws -> [FrameUnit] {
        try database.rows("SELECT * FROM unit WHERE $1::text IS NULL OR level = $1 ORDER BY position", [level.map(SQLValue.text) ?? .null]).map {
            FrameUnit(
                code: $0["code"]?.text ?? "", name: $0["name"]?.text ?? "", level: $0["level"]?.text ?? "", parentCode: $0["parent_code"]?.text,
                attributes: ResponseStore.decodeAttributes($0["attributes"]?.text ?? "[]"))
        }
    }

    public func rounds() throws -> [Round] {
        try database.rows("SELECT * FROM round ORDER BY code COLLATE \"C\"").map {
            Round(code: $0["code"]?.text ?? "", startsOn: $0["starts_on"]?.text, endsOn: $0["ends_on"]?.text)
        }
    }

    public func completedAnswers(formID: String, round: String, names: Set<String>? = nil) throws -> [InterviewAnswers] {
        let interviews = try database.rows(
            """
            SELECT i.uuid, i.unit_code, q.version FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id
            WHERE i.form_id = $1 AND i.round_code = $2 AND i.status IN ('completed', 'approved')
            ORDER BY i.unit_code COLLATE "C", i.ended_at COLLATE "C" DESC NULLS LAST
            """, [.text(formID), .text(round)])
        var chosen: [(uuid: String, unit: String, version: String)] = []
        var seen = Set<String>()
        for row in interviews {
            let unit = row["unit_code"]?.text ?? ""
            guard seen.insert(unit).inserted else { continue }
            chosen.append((row["uuid"]?.text ?? "", unit, row["version"]?.text ?? ""))
        }
        // The answers of all chosen interviews in one query, grouped here.
        var values: [String: [Address: Value]] = [:]
        let uuids = chosen.map(\.uuid)
        for start in stride(from: 0, to: uuids.count, by: 5_000) {
            let slice = Array(uuids[start..<min(uuids.count, start + 5_000)])
            for answer in try database.rows(
                """
                SELECT interview_uuid, address, kind, text_value, number_value FROM answer
                WHERE interview_uuid = ANY($1::text[]) AND ((relevant <> 0 AND origin != 'instances') OR origin = 'instances')
                """, [.text(Self.array(slice))])
            {
                let addressText = answer["address"]?.text ?? ""
                if let names, let name = addressText.split(separator: "[").first, !names.contains(String(name)) { continue }
                let number: Double? =
                    switch answer["number_value"] {
                    case .real(let value): value
                    case .integer(let value): Double(value)
                    default: nil
                    }
                guard let address = Address.parse(addressText),
                    let value = StoredValue(kind: answer["kind"]?.text ?? "", text: answer["text_value"]?.text ?? "", number: number).value
                else { continue }
                values[answer["interview_uuid"]?.text ?? "", default: [:]][address] = value
            }
        }
        return chosen.map { InterviewAnswers(uuid: $0.uuid, unit: $0.unit, version: $0.version, values: values[$0.uuid] ?? [:]) }
    }

    public func attachments(of interviews: Set<String>? = nil) throws -> [StoredAttachment] {
        try database.rows(
            "SELECT interview_uuid, address, file_name, sha256, size FROM attachment ORDER BY interview_uuid COLLATE \"C\", address COLLATE \"C\""
        )
        .map {
            StoredAttachment(
                interview: $0["interview_uuid"]?.text ?? "", address: $0["address"]?.text ?? "", fileName: $0["file_name"]?.text ?? "",
                sha256: $0["sha256"]?.text ?? "", size: Int($0["size"]?.integer ?? 0))
        }.filter { interviews?.contains($0.interview) ?? true }
    }

    public func content(of attachment: StoredAttachment) throws -> Data? {
        guard
            case .blob(let content)? = try database.rows(
                "SELECT content FROM attachment WHERE interview_uuid = $1 AND address = $2", [.text(attachment.interview), .text(attachment.address)]
            ).first?["content"]
        else { return nil }
        if ContentDigest.hex([UInt8](content)) != attachment.sha256 {
            throw StoreError.contentRefused(
                path: "\(location): the file \(attachment.fileName) of interview \(attachment.interview)",
                reason: "its bytes no longer match the SHA-256 taken when it was stored")
        }
        return content
    }
}
