import Foundation
import Interview
import Questionnaire
import Store

// Batches in and out of a PostgreSQL central store, with the rules `ResponseStore.merge` keeps on SQLite.
extension PostgresStore {
    /// Takes a batch in, in one transaction: rounds and units that are new here are added; a questionnaire must be
    /// the same text here under the same form and version; interviews are matched by UUID, a newer version (later
    /// update, or as late with a longer audit trail) replaces the older and says so in its trail, the same version
    /// changes nothing, another interview of the same questionnaire, unit and round is kept and reported as a
    /// duplicate. `refusing` may refuse an interview by its unit's code, with the reason.
    public func merge(
        _ batch: BatchContents, at now: Timestamp, origin: String, refusing: (_ unitCode: String) -> String? = { _ in nil }
    ) throws -> MergeSummary {
        let decisions = try database.transaction { () -> [MergeSummary.Decision] in
            // One batch at a time: the duplicate check reads what the previous one wrote.
            try database.execute("SELECT pg_advisory_xact_lock(7150214)")
            let here = try database.rows("SELECT code FROM round ORDER BY code").compactMap { $0["code"]?.text }
            if let problem = RoundCode.problem(adding: batch.rounds.compactMap { $0["code"]?.text }, to: here) {
                throw StoreError.roundRefused(path: origin, reason: problem)
            }
            for round in batch.rounds { try insert("round", round, onConflict: "(code) DO NOTHING") }
            try addUnits(batch.units)
            let questionnaireIDs = try matchQuestionnaires(batch.questionnaires)
            var newPlaces: [String: [String]] = [:]
            var decisions: [MergeSummary.Decision] = []
            for interview in batch.interviews {
                guard let uuid = interview["uuid"]?.text else { continue }
                let formID = interview["form_id"]?.text ?? "", unit = interview["unit_code"]?.text ?? "", round = interview["round_code"]?.text ?? ""
                let place = MergeSummary.Decision.place(formID: formID, unit: unit, round: round)
                if let refusal = refusing(unit) {
                    decisions.append(.refused(uuid, place, refusal))
                    continue
                }
                let sourceQuestionnaire = interview["questionnaire_id"]?.integer ?? -1
                guard let questionnaireID = questionnaireIDs[sourceQuestionnaire] else {
                    let row = batch.questionnaires.first { $0["id"]?.integer == sourceQuestionnaire }
                    let name = row.map { "\($0["form_id"]?.text ?? "") version \($0["version"]?.text ?? "")" } ?? "its questionnaire"
                    decisions.append(.definitionDiffers(uuid, place, questionnaire: name))
                    continue
                }
                var row = interview
                row["questionnaire_id"] = .integer(questionnaireID)
                let trail = batch.audit[uuid] ?? []
                if let current = try database.rows(
                    "SELECT updated_at, status, (SELECT COUNT(*) FROM audit_log WHERE interview_uuid = $1) AS entries FROM interview WHERE uuid = $1 FOR UPDATE",
                    [.text(uuid)]
                ).first {
                    let incoming = (interview["updated_at"]?.text ?? "", trail.count)
                    let local = (current["updated_at"]?.text ?? "", Int(current["entries"]?.integer ?? 0))
                    guard incoming > local else {
                        decisions.append(.unchanged(uuid, place))
                        continue
                    }
                    try replace(uuid, with: row, batch)
                    let decision = MergeSummary.Decision.replaced(
                        uuid, place, old: (local.0, current["status"]?.text ?? ""), new: (incoming.0, interview["status"]?.text ?? ""))
                    try appendAudit(uuid, at: now, event: "replaced_by_merge", detail: "\(decision.reason), from \(origin)")
                    decisions.append(decision)
                    continue
                }
                let key = "\(formID)\u{1F}\(unit)\u{1F}\(round)"
                let others = try database.rows(
                    """
                    SELECT uuid FROM interview WHERE form_id = $1 AND unit_code = $2 AND round_code = $3 AND uuid != $4 AND status != 'discarded'
                    ORDER BY started_at
                    """, [.text(formID), .text(unit), .text(round), .text(uuid)]
                ).compactMap { $0["uuid"]?.text }
                let duplicates = others + (newPlaces[key] ?? [])
                newPlaces[key, default: []].append(uuid)
                try insert("interview", row)
                try insertMany("answer", batch.answers[uuid] ?? [])
                try insertMany("audit_log", trail)
                for attachment in batch.attachments[uuid] ?? [] { try insert("attachment", attachment) }
                decisions.append(.taken(uuid, place, duplicating: duplicates))
            }
            let counts = Dictionary(grouping: decisions, by: \.outcome).mapValues(\.count)
            let details = decisions.filter { $0.outcome != .unchanged }.map { "\($0.outcome.rawValue) \($0.uuid): \($0.reason)" }
            try database.execute(
                """
                INSERT INTO import_log (source, source_sha256, imported_at, new_interviews, updated_interviews, unchanged_interviews,
                                        duplicate_interviews, rejected_interviews, details)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [
                    .text(origin), .text(batch.sha256), .text(now.iso8601), .integer(Int64(counts[.new] ?? 0)), .integer(Int64(counts[.updated] ?? 0)),
                    .integer(Int64(counts[.unchanged] ?? 0)), .integer(Int64(counts[.duplicate] ?? 0)), .integer(Int64(counts[.rejected] ?? 0)),
                    .text(details.joined(separator: "\n")),
                ])
            return decisions
        }
        return MergeSummary(source: origin, decisions: decisions)
    }

    /// Units not yet here, after the last one, in the batch's order (parents are checked at commit).
    func addUnits(_ units: [SQLRow]) throws {
        guard !units.isEmpty else { return }
        let existing = Set(try database.rows("SELECT code FROM unit").compactMap { $0["code"]?.text })
        var position = try database.rows("SELECT COALESCE(MAX(position), 0) AS top FROM unit").first?["top"]?.integer ?? 0
        for unit in units where !existing.contains(unit["code"]?.text ?? "") {
            position += 1
            var row = unit
            row["position"] = .integer(position)
            try insert("unit", row)
        }
    }

    /// Frame units already checked (by the SQLite store's import): new ones added after the last, known ones updated.
    public func importUnits(_ units: [SQLRow]) throws {
        try database.transaction {
            let existing = Set(try database.rows("SELECT code FROM unit").compactMap { $0["code"]?.text })
            for unit in units where existing.contains(unit["code"]?.text ?? "") {
                try database.execute(
                    "UPDATE unit SET name = $1, level = $2, parent_code = $3, attributes = $4 WHERE code = $5",
                    ["name", "level", "parent_code", "attributes", "code"].map { unit[$0] ?? .null })
            }
            try addUnits(units)
        }
    }

    /// The batch's questionnaire ids → this store's, for those stored here as the same text (added when new).
    func matchQuestionnaires(_ questionnaires: [SQLRow]) throws -> [Int64: Int64] {
        var ids: [Int64: Int64] = [:]
        for questionnaire in questionnaires {
            guard let sourceID = questionnaire["id"]?.integer else { continue }
            let key: [SQLValue] = [questionnaire["form_id"] ?? .null, questionnaire["version"] ?? .null]
            if let local = try database.rows("SELECT id, content_hash FROM questionnaire WHERE form_id = $1 AND version = $2", key).first {
                if local["content_hash"] == questionnaire["content_hash"] { ids[sourceID] = local["id"]?.integer }
                continue
            }
            var row = questionnaire
            row.removeValue(forKey: "id")
            let columns = row.keys.sorted()
            ids[sourceID] = try database.rows(
                "INSERT INTO questionnaire (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count))) RETURNING id",
                columns.map { row[$0]! }
            ).first?["id"]?.integer
        }
        return ids
    }

    /// A newer version in place of the one here: the interview row, answers and attachments as they are there, and
    /// the audit entries not yet here (counted: an entry twice there and once here is added once), in order.
    func replace(_ uuid: String, with row: SQLRow, _ batch: BatchContents) throws {
        let columns = row.keys.filter { $0 != "uuid" }.sorted()
        try database.execute(
            "UPDATE interview SET \(columns.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")) WHERE uuid = $\(columns.count + 1)",
            columns.map { row[$0]! } + [.text(uuid)])
        try database.execute("DELETE FROM answer WHERE interview_uuid = $1", [.text(uuid)])
        try database.execute("DELETE FROM attachment WHERE interview_uuid = $1", [.text(uuid)])
        try insertMany("answer", batch.answers[uuid] ?? [])
        for attachment in batch.attachments[uuid] ?? [] { try insert("attachment", attachment) }
        let fields = ["at", "event", "address", "old_value", "new_value", "detail"]
        func key(_ entry: SQLRow) -> [SQLValue] { fields.map { entry[$0] ?? .null } }
        let local = try database.rows("SELECT * FROM audit_log WHERE interview_uuid = $1 ORDER BY seq", [.text(uuid)])
        var here: [[SQLValue]: Int] = [:]
        for entry in local { here[key(entry), default: 0] += 1 }
        var seq = local.compactMap { $0["seq"]?.integer }.max() ?? 0
        var seen: [[SQLValue]: Int] = [:]
        for entry in batch.audit[uuid] ?? [] {
            let entryKey = key(entry)
            seen[entryKey, default: 0] += 1
            guard seen[entryKey]! > here[entryKey, default: 0] else { continue }
            seq += 1
            var appended = entry
            appended["seq"] = .integer(seq)
            try insert("audit_log", appended)
        }
    }

    func insert(_ table: String, _ row: SQLRow, onConflict: String? = nil) throws {
        let columns = row.keys.sorted()
        try database.execute(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count)))"
                + (onConflict.map { " ON CONFLICT \($0)" } ?? ""), columns.map { row[$0]! })
    }

    /// Rows of one table in as few statements as PostgreSQL's limit of 65,535 bound values allows: an interview's
    /// answers and audit trail in one round trip each, not one per row.
    func insertMany(_ table: String, _ rows: [SQLRow]) throws {
        guard let first = rows.first else { return }
        let columns = first.keys.sorted()
        let perStatement = max(1, 60_000 / columns.count)
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * columns.count)
            var tuples: [String] = []
            for row in chunk {
                let base = values.count
                tuples.append("(" + (1...columns.count).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                values += columns.map { row[$0] ?? .null }
            }
            try database.execute("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))", values)
        }
    }

    func placeholders(_ count: Int) -> String { (1...max(count, 1)).map { "$\($0)" }.joined(separator: ", ") }

    /// What a device fetches: every questionnaire and round, the units given (all when nil) with the units above
    /// them, and their finished interviews of every round with answers, audit trails and attachments.
    public func batch(forUnits codes: Set<String>?) throws -> BatchContents {
        var contents = BatchContents()
        contents.questionnaires = try database.rows("SELECT * FROM questionnaire ORDER BY id")
        contents.rounds = try database.rows("SELECT * FROM round ORDER BY code")
        let chosen: [SQLValue] = [codes.map { .text(Self.array($0.sorted())) } ?? .null]
        contents.units = try database.rows(
            """
            WITH RECURSIVE up(code) AS (
                SELECT code FROM unit WHERE $1::text[] IS NULL OR code = ANY($1::text[])
                UNION SELECT u.parent_code FROM unit u JOIN up ON u.code = up.code WHERE u.parent_code IS NOT NULL
            )
            SELECT * FROM unit WHERE code IN (SELECT code FROM up) ORDER BY position
            """, chosen)
        let finished = "i.status NOT IN ('draft', 'discarded') AND ($1::text[] IS NULL OR i.unit_code = ANY($1::text[]))"
        contents.interviews = try database.rows("SELECT i.* FROM interview i WHERE \(finished) ORDER BY i.started_at, i.uuid", chosen)
        func grouped(_ table: String, _ order: String) throws -> [String: [SQLRow]] {
            let sql = "SELECT t.* FROM \(table) t JOIN interview i ON i.uuid = t.interview_uuid WHERE \(finished) ORDER BY t.interview_uuid, t.\(order)"
            return Dictionary(grouping: try database.rows(sql, chosen)) { $0["interview_uuid"]?.text ?? "" }
        }
        contents.answers = try grouped("answer", "address")
        contents.audit = try grouped("audit_log", "seq")
        contents.attachments = try grouped("attachment", "address")
        return contents
    }
}
