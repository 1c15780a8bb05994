import Foundation
import GRDB
import Interview

/// One interview step as rows: the answers it changes, its audit entries, and where the interview now stands.
///
/// Built once from the engine's transition. Written to the tables directly (`write`), or first as one row of the
/// step journal (`encoded`), from which the same rows are written later (`init(decoding:)`).
struct StepRows: Equatable {
    struct Answer: Equatable {
        var address: String, name: String, indices: String, kind: String, text: String
        var number: Double?
        var origin: String
        var relevant: Bool
        var confirmation: String?
    }

    enum Change: Equatable {
        case upsert(Answer)
        case delete(address: String)
    }

    struct Event: Equatable {
        var name: String
        var address: String?, old: String?, new: String?, detail: String?
        var at: String
        var offsetMinutes: Int
    }

    var changes: [Change]
    var events: [Event]
    var cursor: String
    var language: String?
    var now: String
    var offsetMinutes: Int

    init(changes: [Change], events: [Event], cursor: String, language: String?, now: String, offsetMinutes: Int) {
        (self.changes, self.events, self.cursor, self.language, self.now, self.offsetMinutes) = (changes, events, cursor, language, now, offsetMinutes)
    }

    init(_ transition: Transition, language: String?, at now: Timestamp) {
        changes = transition.records.map { address, record in
            guard let record else { return .delete(address: address.description) }
            let stored = StoredValue(record.value)
            return .upsert(
                Answer(
                    address: address.description, name: address.name, indices: address.indices.map(String.init).joined(separator: ","),
                    kind: stored.kind, text: stored.text, number: stored.number, origin: record.origin.rawValue,
                    relevant: record.relevant, confirmation: record.confirmation))
        }
        events = Self.rows(transition.events)
        cursor = transition.cursor.description
        self.language = language
        self.now = now.iso8601
        offsetMinutes = now.offsetMinutes
    }

    /// Audit events as the audit log's rows (a time formatted once for the events that share it).
    static func rows(_ events: [AuditEvent]) -> [Event] {
        var lastSeconds = Double.nan, lastText = ""
        return events.map { event in
            if event.at.seconds != lastSeconds {
                lastSeconds = event.at.seconds
                lastText = event.at.iso8601
            }
            let (name, address, old, new, detail) = ResponseStore.columns(event)
            return Event(name: name, address: address, old: old, new: new, detail: detail, at: lastText, offsetMinutes: event.at.offsetMinutes)
        }
    }

    /// Writes the step's rows: the answers upserted or deleted, the audit entries numbered on from the
    /// interview's last, the cursor and update time on the interview.
    func write(_ db: Database, uuid: String) throws {
        if !changes.isEmpty {
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO answer (interview_uuid, address, name, indices, kind, text_value, number_value, origin, relevant, confirmation, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (interview_uuid, address) DO UPDATE SET
                        kind = excluded.kind, text_value = excluded.text_value, number_value = excluded.number_value,
                        origin = excluded.origin, relevant = excluded.relevant, confirmation = excluded.confirmation,
                        updated_at = excluded.updated_at
                    """)
            for change in changes {
                switch change {
                case .upsert(let answer):
                    try upsert.run(
                        [
                            .text(uuid), .text(answer.address), .text(answer.name), .text(answer.indices), .text(answer.kind), .text(answer.text),
                            answer.number.map(SQLValue.real) ?? .null, .text(answer.origin), .integer(answer.relevant ? 1 : 0),
                            .text(answer.confirmation), .text(now),
                        ], db)
                case .delete(let address):
                    try db.cachedStatement(sql: "DELETE FROM answer WHERE interview_uuid = ? AND address = ?").run([.text(uuid), .text(address)], db)
                }
            }
        }
        try Self.append(events, db, uuid: uuid)
        try db.cachedStatement(sql: "UPDATE interview SET cursor = ?, updated_at = ?, utc_offset_minutes = ?, language = ? WHERE uuid = ?")
            .run([.text(cursor), .text(now), .integer(Int64(offsetMinutes)), .text(language), .text(uuid)], db)
    }

    /// Audit entries in as few statements as possible: one multi-row INSERT per eight, numbered on from the
    /// interview's last position.
    static func append(_ events: [Event], _ db: Database, uuid: String) throws {
        guard !events.isEmpty else { return }
        var sequence =
            try db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE interview_uuid = ?")
            .integer([.text(uuid)], db) ?? 0
        var start = 0
        while start < events.count {
            let chunk = events[start..<min(events.count, start + 8)]
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * 9)
            for event in chunk {
                sequence += 1
                values += [
                    .text(uuid), .integer(sequence), .text(event.at), .integer(Int64(event.offsetMinutes)), .text(event.name),
                    .text(event.address), .text(event.old), .text(event.new), .text(event.detail),
                ]
            }
            try db.cachedStatement(sql: auditInsert[chunk.count]).run(values, db)
            start += chunk.count
        }
    }

    /// The audit INSERT for 1…8 rows, written once rather than at every step.
    private static let auditInsert: [String] = (0...8).map { rows in
        "INSERT INTO audit_log (interview_uuid, seq, at, utc_offset_minutes, event, address, old_value, new_value, detail) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
}

// MARK: - The journal's text form

/// The step as one line of text: every string length-prefixed (`12:…`), absent values `~`, integers ended by `;`,
/// doubles by their bit pattern, so no character in an answer can be mistaken for structure.
extension StepRows {
    static let formatVersion = "1"

    var encoded: String {
        // Bytes appended to one buffer: a step is encoded before every answer's commit.
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func integer(_ value: Int) {
            if value < 0 { out.append(UInt8(ascii: "-")) }
            var magnitude = value.magnitude, digits: [UInt8] = []
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: digits.reversed())
        }
        func field(_ text: String?) {
            guard let text else {
                out.append(UInt8(ascii: "~"))
                return
            }
            integer(text.utf8.count)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: text.utf8)
        }
        func number(_ value: Int) {
            integer(value)
            out.append(UInt8(ascii: ";"))
        }
        out.append(UInt8(ascii: "v"))
        number(Int(Self.formatVersion)!)
        field(cursor)
        field(language)
        field(now)
        number(offsetMinutes)
        number(changes.count)
        for change in changes {
            switch change {
            case .upsert(let answer):
                out.append(UInt8(ascii: "u"))
                field(answer.address)
                field(answer.name)
                field(answer.indices)
                field(answer.kind)
                field(answer.text)
                field(answer.number.map { String($0.bitPattern, radix: 16) })
                field(answer.origin)
                number(answer.relevant ? 1 : 0)
                field(answer.confirmation)
            case .delete(let address):
                out.append(UInt8(ascii: "d"))
                field(address)
            }
        }
        number(events.count)
        for event in events {
            field(event.name)
            field(event.address)
            field(event.old)
            field(event.new)
            field(event.detail)
            field(event.at)
            number(event.offsetMinutes)
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    init(decoding text: String) throws {
        let bytes = Array(text.utf8)
        var index = 0
        func fail(_ what: String) -> Unreadable { Unreadable(description: "\(what) at byte \(index)") }
        func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        func integer(until end: UInt8) throws -> Int {
            guard let stop = bytes[index...].firstIndex(of: end),
                let value = Int(String(decoding: bytes[index..<stop], as: UTF8.self))
            else { throw fail("expected a number") }
            index = stop + 1
            return value
        }
        func field() throws -> String? {
            if take(UInt8(ascii: "~")) { return nil }
            let count = try integer(until: UInt8(ascii: ":"))
            guard count >= 0, bytes.count - index >= count else { throw fail("a field longer than the rest") }
            guard let value = String(bytes: bytes[index..<(index + count)], encoding: .utf8) else { throw fail("a field that is not UTF-8") }
            index += count
            return value
        }
        func required() throws -> String {
            guard let value = try field() else { throw fail("a missing value") }
            return value
        }
        guard take(UInt8(ascii: "v")), try integer(until: UInt8(ascii: ";")) == Int(Self.formatVersion) else { throw fail("an unknown journal format") }
        cursor = try required()
        language = try field()
        now = try required()
        offsetMinutes = try integer(until: UInt8(ascii: ";"))
        let changeCount = try integer(until: UInt8(ascii: ";"))
        var changes: [Change] = []
        for _ in 0..<max(0, changeCount) {
            if take(UInt8(ascii: "u")) {
                let address = try required(), name = try required(), indices = try required(), kind = try required(), text = try required()
                let number = try field().map { pattern -> Double in
                    guard let bits = UInt64(pattern, radix: 16) else { throw fail("a number that is not a bit pattern") }
                    return Double(bitPattern: bits)
                }
                let origin = try required()
                let relevant = try integer(until: UInt8(ascii: ";")) != 0
                changes.append(
                    .upsert(
                        Answer(
                            address: address, name: name, indices: indices, kind: kind, text: text, number: number, origin: origin,
                            relevant: relevant, confirmation: try field())))
            } else if take(UInt8(ascii: "d")) {
                changes.append(.delete(address: try required()))
            } else {
                throw fail("an unknown change")
            }
        }
        self.changes = changes
        let eventCount = try integer(until: UInt8(ascii: ";"))
        var events: [Event] = []
        for _ in 0..<max(0, eventCount) {
            let name = try required(), address = try field(), old = try field(), new = try field(), detail = try field(), at = try required()
            events.append(Event(name: name, address: address, old: old, new: new, detail: detail, at: at, offsetMinutes: try integer(until: UInt8(ascii: ";"))))
        }
        self.events = events
        guard index == bytes.count else { throw fail("text after the step") }
    }
}

// MARK: - The journal

/// Interview steps made durable as one row each, and written into the answer, audit and interview tables later.
///
/// An enumerator waits for every answer's commit, and each page a commit changes is one more block written before
/// the fsync: the answer, its audit entries and the cursor live in three B-trees. The journal makes the step
/// durable as a single row appended at the end of one small table, so the commit costs about what a bare insert
/// does (Scripts/bench.sh). The journal is applied, in order and in one transaction with removing its rows, when
/// the session ends, when the interview is completed, before this store answers any question about its data,
/// and when any process opens the store, so a killed session's steps are applied by whatever opens it next.
enum StepJournal {
    static func append(_ step: StepRows, _ db: Database, uuid: String) throws {
        try db.cachedStatement(sql: "INSERT INTO step_journal (interview_uuid, step) VALUES (?, ?)").run([.text(uuid), .text(step.encoded)], db)
    }

    /// Writes every journalled step into the tables and removes it; the number of steps applied. Run inside a
    /// transaction. A row that cannot be read stops everything with its id, and is kept.
    @discardableResult
    static func apply(_ db: Database) throws -> Int {
        let rows = try Row.fetchAll(db, sql: "SELECT id, interview_uuid, step FROM step_journal ORDER BY id")
        for row in rows {
            let step: StepRows
            do {
                step = try StepRows(decoding: row["step"])
            } catch {
                throw StoreError.unreadableStep(id: row["id"], reason: "\(error)")
            }
            try step.write(db, uuid: row["interview_uuid"])
        }
        if let last = rows.last { try db.execute(sql: "DELETE FROM step_journal WHERE id <= ?", arguments: [last["id"] as Int64]) }
        return rows.count
    }
}
