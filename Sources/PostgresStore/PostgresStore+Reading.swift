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

    /// Each unit's latest completed or approved interview of questionnaire $1 in round $2, with its version: the
    /// interviews analysis reads, as the SQLite store chooses them.
    static let latestCompleted = """
        SELECT DISTINCT ON (i.unit_code) i.uuid, i.unit_code, q.version FROM interview i JOIN questionnaire q ON q.id = i.questionnaire_id
        WHERE i.form_id = $1 AND i.round_code = $2 AND i.status IN ('completed', 'approved')
        ORDER BY i.unit_code, i.ended_at COLLATE "C" DESC NULLS LAST
        """

    /// One statement per questionnaire and round: PostgreSQL picks each unit's latest completed interview, keeps only
    /// the variables asked for and gathers each interview's answers into one JSON array, so that what crosses the
    /// connection is one row per interview with just what the analysis reads.
    public func completedAnswers(formID: String, round: String, names: Set<String>? = nil) throws -> [InterviewAnswers] {
        let rows = try database.rows(
            """
            WITH chosen AS (\(Self.latestCompleted))
            SELECT c.uuid, c.unit_code, c.version,
                   (SELECT json_agg(json_build_array(a.address, a.kind, a.text_value, a.number_value))::text FROM answer a
                    WHERE a.interview_uuid = c.uuid AND ($3::text[] IS NULL OR a.name = ANY($3::text[]))
                      AND ((a.relevant <> 0 AND a.origin <> 'instances') OR a.origin = 'instances')) AS answers
            FROM chosen c ORDER BY c.unit_code COLLATE "C"
            """, [.text(formID), .text(round), names.map { .text(Self.array($0.sorted())) } ?? .null])
        return try rows.map { row in
            var values: [Address: Value] = [:]
            if let text = row["answers"]?.text, let list = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Any]] {
                for answer in list where answer.count == 4 {
                    guard let addressText = answer[0] as? String, let address = Address.parse(addressText),
                        let value = StoredValue(
                            kind: answer[1] as? String ?? "", text: answer[2] as? String ?? "", number: (answer[3] as? NSNumber)?.doubleValue
                        )
                        .value
                    else { continue }
                    values[address] = value
                }
            }
            return InterviewAnswers(uuid: row["uuid"]?.text ?? "", unit: row["unit_code"]?.text ?? "", version: row["version"]?.text ?? "", values: values)
        }
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
