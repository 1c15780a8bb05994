import Expressions
import Foundation
import Store

// Indicators evaluated in PostgreSQL: each interview's answers to the variables the indicators read are gathered into
// one row, and each indicator's contribution (a value, or why none) is computed there by SQL that follows pantau's
// expression rules, so that a round of 75,000 interviews crosses the connection as 75,000 short rows.
extension PostgresStore: ContributionReading {
    public func anotherReader() throws -> any ContributionReading { try PostgresStore(connectingAgainTo: location) }

    public func contributions(formID: String, round: String, queries: [ContributionQuery], answers: [String]) throws -> StoredContributions? {
        var variables: [String] = []
        for query in queries { for name in query.variables where !variables.contains(name) { variables.append(name) } }
        for name in answers where !variables.contains(name) { variables.append(name) }
        let returned = answers.map { name in variables.firstIndex(of: name)! }
        let compiler = ContributionSQL(columns: Dictionary(uniqueKeysWithValues: variables.enumerated().map { ($1, $0) }))
        var kinds: [String] = [], values: [String] = []
        for query in queries {
            guard let (kind, value) = compiler.contribution(query) else { return nil }
            kinds.append(kind)
            values.append("COALESCE((\(value))::text, '')")
        }
        let pivot = variables.enumerated().map { index, name in
            let literal = ContributionSQL.literal(name)
            return "max(a.kind) FILTER (WHERE a.address = \(literal)) AS k\(index), max(a.text_value) FILTER (WHERE a.address = \(literal)) AS t\(index), "
                + "max(a.number_value) FILTER (WHERE a.address = \(literal)) AS n\(index)"
        }
        // Indicators that read no answer (a count of interviews) need one row per interview all the same.
        let lookup =
            variables.isEmpty
            ? "SELECT 1 AS none"
            : "SELECT \(pivot.joined(separator: ", ")) FROM answer a WHERE a.interview_uuid = c.uuid "
                + "AND (a.address || '') IN (\(variables.map(ContributionSQL.literal).joined(separator: ", "))) AND a.relevant <> 0"
        let sql = """
            WITH chosen AS (\(Self.latestCompleted)), pivot AS (
                -- Each interview's answers through the answer table's key: a lateral lookup per interview, never a
                -- scan of every answer of every round. The address is tested on the interview's answers, not used in
                -- the key (`|| ''`): one descent of the index per interview, where one per variable took 40% longer. The
                -- names are written into the statement: PostgreSQL hashes a constant list, and searches a bound one.
                SELECT c.unit_code, c.version, p.* FROM chosen c CROSS JOIN LATERAL (
                    \(lookup)
                ) p
            )
            SELECT unit_code, version, concat_ws(',', \(kinds.joined(separator: ", "))) AS kinds, concat_ws(',', \(values.joined(separator: ", "))) AS vals
                   \(returned.map { ", k\($0), t\($0), n\($0)" }.joined())
            FROM pivot ORDER BY unit_code COLLATE "C"
            """
        var units: [String] = [], versions: [String] = []
        var kindColumns = [[StoredContributions.Kind]](repeating: [], count: queries.count)
        var valueColumns = [[Double]](repeating: [], count: queries.count)
        var answerColumns = [[StoredValue?]](repeating: [], count: answers.count)
        // Without JIT: its planning estimate of this statement is high, and compiling it took longer (0.9 s a round)
        // than running it. Columns by position: unit, version, kinds, values, then kind, text, number per answer.
        try database.transaction {
            try database.execute("SET LOCAL jit = off")
            try database.eachRow(sql, [.text(formID), .text(round)]) { row in
                for position in answers.indices {
                    guard case .text(let kind) = row[4 + 3 * position] else {
                        answerColumns[position].append(nil)
                        continue
                    }
                    let number: Double? =
                        switch row[6 + 3 * position] {
                        case .real(let value): value
                        case .integer(let value): Double(value)
                        default: nil
                        }
                    answerColumns[position].append(StoredValue(kind: kind, text: row[5 + 3 * position].text ?? "", number: number))
                }
                units.append(row[0].text ?? "")
                versions.append(row[1].text ?? "")
                let kindCells = (row[2].text ?? "").split(separator: ",", omittingEmptySubsequences: false)
                let valueCells = (row[3].text ?? "").split(separator: ",", omittingEmptySubsequences: false)
                guard kindCells.count == queries.count, valueCells.count == queries.count else {
                    throw PostgresStoreError(description: "PostgreSQL: an indicator row came back malformed")
                }
                for q in queries.indices {
                    kindColumns[q].append(StoredContributions.Kind(rawValue: UInt8(kindCells[q]) ?? 3) ?? .notAsked)
                    valueColumns[q].append(Double(valueCells[q]) ?? .nan)
                }
            }
        }
        return StoredContributions(
            units: units, versions: versions, kinds: kindColumns, values: valueColumns,
            answers: Dictionary(uniqueKeysWithValues: zip(answers, answerColumns)))
    }
}

/// pantau's expression rules as SQL over the gathered row: `k`, `t`, `n` are a variable's stored kind, text and
/// number (NULL when the interview has no relevant answer to it). Numbers are NULL where pantau's are NaN; conditions
/// are never NULL (a comparison with nothing is false, as in pantau). Anything outside this subset gives nil.
struct ContributionSQL {
    let columns: [String: Int]

    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// A string read as a number, as `Value.parseNumber` reads it: digits with an optional point and a leading minus.
    static func parsed(_ text: String) -> String {
        "(CASE WHEN \(text) ~ '^[[:space:]]*-?([0-9]+[.]?[0-9]*|[.][0-9]+)[[:space:]]*$' THEN (\(text))::float8 END)"
    }

    func contribution(_ query: ContributionQuery) -> (kind: String, value: String)? {
        let nonResponse = query.variables.compactMap { columns[$0] }.map { "k\($0) = 'non_response'" }
        let anyPresent = query.variables.compactMap { columns[$0] }.map { "k\($0) IS NOT NULL" }
        let refused = nonResponse.isEmpty ? "false" : nonResponse.joined(separator: " OR ")
        switch query.measure {
        case .share(let numerator, let denominator):
            guard let yes = boolean(numerator) else { return nil }
            let within = denominator.map(boolean) ?? "true"
            guard let within else { return nil }
            return (
                "CASE WHEN \(refused) THEN 2 WHEN NOT (\(within)) THEN 3 ELSE 0 END",
                "CASE WHEN \(refused) OR NOT (\(within)) THEN NULL WHEN \(yes) THEN 1 ELSE 0 END"
            )
        case .count(let condition):
            guard let yes = boolean(condition) else { return nil }
            return ("CASE WHEN \(refused) THEN 2 ELSE 0 END", "CASE WHEN \(refused) THEN NULL WHEN \(yes) THEN 1 ELSE 0 END")
        case .number(let expression):
            guard let value = number(expression) else { return nil }
            let present = anyPresent.isEmpty ? "false" : anyPresent.joined(separator: " OR ")
            return (
                "CASE WHEN \(refused) THEN 2 WHEN (\(value)) IS NOT NULL THEN 0 WHEN \(present) THEN 1 ELSE 3 END",
                "CASE WHEN \(refused) THEN NULL ELSE \(value) END"
            )
        }
    }

    /// XPath `number()` of a node; NULL for NaN.
    func number(_ node: ExpressionNode) -> String? {
        switch node.kind {
        case .number(let value): return value.isFinite ? "(\(Value.format(number: value)))::float8" : nil
        case .string(let text): return Value.parseNumber(text).map { "(\(Value.format(number: $0)))::float8" } ?? "NULL::float8"
        case .reference(let name):
            guard let c = columns[name] else { return nil }
            return "(CASE k\(c) WHEN 'number' THEN n\(c) WHEN 'boolean' THEN n\(c) WHEN 'string' THEN \(Self.parsed("t\(c)")) END)"
        case .negate(let operand): return number(operand).map { "(-(\($0)))" }
        case .binary(let op, let lhs, let rhs) where [.plus, .minus, .times, .div].contains(op):
            guard let a = number(lhs), let b = number(rhs) else { return nil }
            switch op {
            case .plus: return "((\(a)) + (\(b)))"
            case .minus: return "((\(a)) - (\(b)))"
            case .times: return "((\(a)) * (\(b)))"
            // Division by zero is NaN or infinite in pantau; either way no finite value, as NULL here.
            case .div: return "((\(a)) / NULLIF((\(b)), 0))"
            default: return nil
            }
        case .call("number", let arguments) where arguments.count == 1: return number(arguments[0])
        default: return nil
        }
    }

    /// XPath `boolean()` of a node, never NULL.
    func boolean(_ node: ExpressionNode) -> String? {
        switch node.kind {
        case .binary(.and, let lhs, let rhs):
            guard let a = boolean(lhs), let b = boolean(rhs) else { return nil }
            return "((\(a)) AND (\(b)))"
        case .binary(.or, let lhs, let rhs):
            guard let a = boolean(lhs), let b = boolean(rhs) else { return nil }
            return "((\(a)) OR (\(b)))"
        case .binary(let op, let lhs, let rhs) where op == .equal || op == .notEqual:
            guard let same = equals(lhs, rhs) else { return nil }
            return op == .equal ? same : "(NOT \(same))"
        case .binary(let op, let lhs, let rhs) where [.less, .lessEqual, .greater, .greaterEqual].contains(op):
            guard let a = number(lhs), let b = number(rhs) else { return nil }
            return "COALESCE((\(a)) \(op.rawValue) (\(b)), false)"
        case .call("not", let arguments) where arguments.count == 1: return boolean(arguments[0]).map { "(NOT \($0))" }
        case .call("selected", let arguments) where arguments.count == 2:
            guard case .reference(let name) = arguments[0].kind, let c = columns[name], case .string(let code) = arguments[1].kind,
                !code.contains(" "), !code.isEmpty
            else { return nil }
            // Codes are separated by spaces; position() finds the code between spaces without LIKE's wildcards.
            return "COALESCE(position(\(Self.literal(" \(code) ")) IN (' ' || t\(c) || ' ')) > 0, false)"
        case .reference(let name):
            guard let c = columns[name] else { return nil }
            return
                "COALESCE(CASE k\(c) WHEN 'string' THEN t\(c) <> '' WHEN 'number' THEN n\(c) <> 0 AND n\(c) <> 'NaN' WHEN 'boolean' THEN n\(c) <> 0 ELSE false END, false)"
        case .number(let value): return value != 0 && !value.isNaN ? "true" : "false"
        case .string(let text): return text.isEmpty ? "false" : "true"
        default: return nil
        }
    }

    /// XPath equality of a variable and a literal, by the variable's stored kind (`Evaluator.equals`).
    func equals(_ lhs: ExpressionNode, _ rhs: ExpressionNode) -> String? {
        let (reference, literal): (String, ExpressionNode.Kind)
        switch (lhs.kind, rhs.kind) {
        case (.reference(let name), .string), (.reference(let name), .number): (reference, literal) = (name, rhs.kind)
        case (.string, .reference(let name)), (.number, .reference(let name)): (reference, literal) = (name, lhs.kind)
        default: return nil
        }
        guard let c = columns[reference] else { return nil }
        switch literal {
        case .string(let text):
            let asNumber = Value.parseNumber(text).map { "n\(c) = \(Value.format(number: $0))" } ?? "false"
            return "COALESCE(CASE k\(c) WHEN 'string' THEN t\(c) = \(Self.literal(text)) WHEN 'number' THEN \(asNumber) "
                + "WHEN 'boolean' THEN (n\(c) <> 0) = \(text.isEmpty ? "false" : "true") ELSE \(text.isEmpty ? "true" : "false") END, false)"
        case .number(let value):
            guard value.isFinite else { return nil }
            let formatted = Value.format(number: value)
            return "COALESCE(CASE k\(c) WHEN 'number' THEN n\(c) = \(formatted) WHEN 'string' THEN \(Self.parsed("t\(c)")) = \(formatted) "
                + "WHEN 'boolean' THEN (n\(c) <> 0) = \(value != 0 ? "true" : "false") ELSE false END, false)"
        default: return nil
        }
    }
}
