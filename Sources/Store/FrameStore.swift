import Foundation
import GRDB
import Questionnaire

extension ResponseStore {
    /// Imports units in one transaction: new codes are added, known codes updated. Any bad row (including a
    /// parent that is neither in the file nor in the store, or a loop of parents) rejects the whole file.
    @discardableResult
    public func importFrame(_ units: [FrameUnit]) throws -> (added: Int, updated: Int) {
        try wrap {
            try queue.write { db in
                let existing = Set(try String.fetchAll(db, sql: "SELECT code FROM unit"))
                var parents: [String: String] = Dictionary(
                    try Row.fetchAll(db, sql: "SELECT code, parent_code FROM unit WHERE parent_code IS NOT NULL")
                        .map { ($0["code"] as String, $0["parent_code"] as String) }, uniquingKeysWith: { first, _ in first })
                let inFile = Set(units.map(\.code))
                var problems: [FrameProblem] = []
                for unit in units {
                    if let parent = unit.parentCode, !inFile.contains(parent), !existing.contains(parent) {
                        problems.append(FrameProblem(row: unit.line, message: "parent_code \(parent) is neither in this file nor in the store"))
                    }
                    parents[unit.code] = unit.parentCode
                }
                for unit in units {
                    var seen: Set<String> = [unit.code]
                    var current = parents[unit.code]
                    while let next = current {
                        if !seen.insert(next).inserted {
                            problems.append(FrameProblem(row: unit.line, message: "the parents of \(unit.code) loop back to it"))
                            break
                        }
                        current = parents[next]
                    }
                }
                if problems.isEmpty { problems += Self.levelProblems(units, existing: try Row.fetchAll(db, sql: "SELECT code, level, parent_code FROM unit")) }
                if !problems.isEmpty { throw StoreError.frameRejected(problems) }
                var position = try Int.fetchOne(db, sql: "SELECT coalesce(max(position), 0) FROM unit") ?? 0
                // Parents first, so foreign keys hold row by row.
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                var added = 0, updated = 0
                for unit in units {
                    let attributes = try Self.encodeAttributes(unit.attributes)
                    if existing.contains(unit.code) {
                        try db.execute(
                            sql: "UPDATE unit SET name = ?, level = ?, parent_code = ?, attributes = ? WHERE code = ?",
                            arguments: [unit.name, unit.level, unit.parentCode, attributes, unit.code])
                        updated += 1
                    } else {
                        position += 1
                        try db.execute(
                            sql: "INSERT INTO unit (code, name, level, parent_code, attributes, position) VALUES (?, ?, ?, ?, ?, ?)",
                            arguments: [unit.code, unit.name, unit.level, unit.parentCode, attributes, position])
                        added += 1
                    }
                }
                return (added, updated)
            }
        }
    }

    /// The levels must form one hierarchy: each level's units have parents of one level only, and no level is above
    /// itself (a village above a district, a village under a village). Checked over the store's units and the
    /// file's together; the file's rows are named.
    static func levelProblems(_ units: [FrameUnit], existing: [Row]) -> [FrameProblem] {
        var level: [String: String] = [:], parent: [String: String] = [:]
        for row in existing {
            level[row["code"]] = row["level"]
            parent[row["code"]] = row["parent_code"]
        }
        for unit in units {
            level[unit.code] = unit.level
            parent[unit.code] = unit.parentCode
        }
        // The parent level of each level, with the first file row that says so.
        var parentLevel: [String: (level: String, row: Int)] = [:]
        var problems: [FrameProblem] = []
        for unit in units {
            guard let parentCode = unit.parentCode, let above = level[parentCode] else { continue }
            if above == unit.level {
                problems.append(
                    FrameProblem(
                        row: unit.line, message: "\(unit.code) is a \(unit.level) under another \(above) (\(parentCode)); a level cannot contain itself"))
            } else if let known = parentLevel[unit.level], known.level != above {
                problems.append(
                    FrameProblem(
                        row: unit.line,
                        message:
                            "\(unit.code) is a \(unit.level) under a \(above), but the \(unit.level) units of row \(known.row) are under a \(known.level); each level sits under one level"
                    ))
            } else if parentLevel[unit.level] == nil {
                parentLevel[unit.level] = (above, unit.line)
            }
        }
        for (code, parentCode) in parent {
            guard let child = level[code], let above = level[parentCode], child != above, parentLevel[child] == nil else { continue }
            parentLevel[child] = (above, 0)
        }
        // No level above itself through others: district under village under subdistrict under district.
        for (start, first) in parentLevel {
            var seen: Set<String> = [start]
            var current: String? = first.level
            while let next = current {
                if !seen.insert(next).inserted {
                    problems.append(
                        FrameProblem(
                            row: first.row, message: "the levels loop: \(start) is under \(first.level), and following the parents leads back to \(next)"))
                    break
                }
                current = parentLevel[next]?.level
            }
            if !problems.isEmpty { break }
        }
        return problems
    }

    static func encodeAttributes(_ attributes: [(key: String, value: String)]) throws -> String {
        // An array of pairs keeps the file's column order, which a JSON object would not promise.
        let pairs = attributes.map { [$0.key, $0.value] }
        let data = try JSONSerialization.data(withJSONObject: pairs, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    public static func decodeAttributes(_ text: String) -> [(key: String, value: String)] {
        guard let data = text.data(using: .utf8), let pairs = try? JSONSerialization.jsonObject(with: data) as? [[String]] else { return [] }
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    static func unit(from row: Row) -> FrameUnit {
        FrameUnit(
            code: row["code"], name: row["name"], level: row["level"], parentCode: row["parent_code"],
            attributes: decodeAttributes(row["attributes"]))
    }

    /// Units in import order, optionally of one level.
    public func units(level: String? = nil) throws -> [FrameUnit] {
        try wrap {
            try queue.read { db in
                if let level {
                    return try Row.fetchAll(db, sql: "SELECT * FROM unit WHERE level = ? ORDER BY position", arguments: [level]).map(Self.unit)
                }
                return try Row.fetchAll(db, sql: "SELECT * FROM unit ORDER BY position").map(Self.unit)
            }
        }
    }

    public func unit(_ code: String) throws -> FrameUnit? {
        try wrap { try queue.read { db in try Row.fetchOne(db, sql: "SELECT * FROM unit WHERE code = ?", arguments: [code]).map(Self.unit) } }
    }

    /// The unit and its ancestors, outermost first (province › district › sub-district › village).
    public func lineage(of code: String) throws -> [FrameUnit] {
        var chain: [FrameUnit] = []
        var next: String? = code
        var seen = Set<String>()
        while let current = next, seen.insert(current).inserted, let unit = try unit(current) {
            chain.insert(unit, at: 0)
            next = unit.parentCode
        }
        return chain
    }
}
