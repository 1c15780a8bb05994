import GRDB
import Interview

// Setting aside what should never have been there: a stray draft, a round created by a typo.
extension ResponseStore {
    /// Sets a draft aside (status `discarded`): kept in the store with its audit trail, left out of every analysis,
    /// export and previous-round value. Completed interviews are settled by review (`reject`) or `resolve` instead.
    public func discard(_ uuid: String, reason: String, at now: Timestamp) throws {
        try wrap {
            try queue.write { db in
                guard let status = try String.fetchOne(db, sql: "SELECT status FROM interview WHERE uuid = ?", arguments: [uuid]) else {
                    throw StoreError.unknownInterview(uuid)
                }
                guard status == InterviewStatus.draft.rawValue || status == InterviewStatus.rejected.rawValue else {
                    throw StoreError.notDiscardable(uuid: uuid, status: status)
                }
                try db.execute(sql: "UPDATE interview SET status = 'discarded', updated_at = ? WHERE uuid = ?", arguments: [now.iso8601, uuid])
                try Self.appendAudit(db, uuid: uuid, at: now, event: "discarded", detail: reason)
            }
        }
    }

    /// Removes a round that no interview uses (one made by a typo, say).
    public func removeRound(_ code: String) throws {
        try wrap {
            try queue.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM round WHERE code = ?)", arguments: [code]) == true else {
                    throw StoreError.unknownRound(code)
                }
                let used = try Int.fetchOne(db, sql: "SELECT count(*) FROM interview WHERE round_code = ?", arguments: [code]) ?? 0
                guard used == 0 else { throw StoreError.roundInUse(code: code, interviews: used) }
                try db.execute(sql: "DELETE FROM round WHERE code = ?", arguments: [code])
            }
        }
    }
}
