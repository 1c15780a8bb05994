import Foundation

/// What the column reader refuses, found again with line numbers: the fast pass only notices that something is wrong
/// (a row of another length, a number column holding text, a text column that is not UTF-8), and this slower pass,
/// run only then, says where.
extension CSVColumns {
    /// A number column's field is a number within `limit` or a missing value; anything else refuses the file.
    static func isAcceptable(_ field: UnsafeBufferPointer<UInt8>, _ value: Double, limit: Double) -> Bool {
        abs(value) <= limit || isMissing(field)
    }

    /// A missing number: an empty field, spaces, R's NA or Stata's `.`.
    static func isMissing(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.allSatisfy({ $0 == UInt8(ascii: " ") }) { return true }
        return (field.count == 2 && field[0] == UInt8(ascii: "N") && field[1] == UInt8(ascii: "A")) || (field.count == 1 && field[0] == UInt8(ascii: "."))
    }

    /// The first row that breaks a rule (a field count other than the header's, a wanted number column holding
    /// text or a non-finite value or one beyond `limit`, a wanted text column that is not UTF-8), with its line.
    static func firstProblem(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, line: Int, header: [String], slots: [Slot?], limit: Double
    ) -> CSV.ParseError? {
        var scanner = Scanner(bytes: bytes)
        scanner.index = start
        scanner.line = line
        var problem: String?
        do {
            while problem == nil {
                let rowLine = scanner.line
                var firstEmpty = false
                guard
                    let row = try scanner.row(fieldHandler: { position, field in
                        if position == 0, field.isEmpty { firstEmpty = true }
                        guard problem == nil, position < slots.count, let slot = slots[position] else { return }
                        switch slot.kind {
                        case .number:
                            let value = parseNumber(field)
                            if !isAcceptable(field, value, limit: limit) {
                                let text = String(decoding: field, as: UTF8.self)
                                problem =
                                    value.isFinite
                                    ? "column '\(slot.name)': \(text) is beyond ±\(String(format: "%g", limit).replacingOccurrences(of: "e+", with: "e")), where the estimators' sums of squares overflow; rescale the column"
                                    : "column '\(slot.name)': '\(text)' is not a number (a missing value is an empty field, NA or .)"
                            }
                        case .text:
                            if String(validating: field, as: UTF8.self) == nil {
                                problem = "column '\(slot.name)' is not UTF-8 text; save the file as CSV UTF-8"
                            }
                        }
                    })
                else { return nil }
                if row.fields == 1 && firstEmpty { continue }
                if problem == nil, row.fields != header.count {
                    problem = "\(row.fields) field\(row.fields == 1 ? "" : "s") where the header has \(header.count)"
                }
                if let problem { return CSV.ParseError(line: rowLine, message: problem) }
            }
        } catch let error as CSV.ParseError {
            return error
        } catch {
            return CSV.ParseError(line: scanner.line, message: "\(error)")
        }
        return nil
    }

}
