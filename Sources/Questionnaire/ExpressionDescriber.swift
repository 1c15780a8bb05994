import Expressions

/// Puts expressions into plain words, e.g. `${sid} != 'none'` → "sid is not 'none' (Tidak ada)": for the codebook
/// (English) and for the runner's message when a check without a message of its own fails (the session's language).
public struct ExpressionDescriber: Sendable {
    public enum Language: Sendable { case english, indonesian }

    let questionnaire: Questionnaire
    let language: Language
    /// The questionnaire language whose choice labels are shown.
    let labelLanguage: String?
    /// How a number literal is written (grouped, in a session's convention); nil: as in the expression.
    let formatNumber: (@Sendable (Double) -> String)?

    public init(
        questionnaire: Questionnaire, language: Language = .english, labelLanguage: String? = nil, formatNumber: (@Sendable (Double) -> String)? = nil
    ) {
        self.questionnaire = questionnaire
        self.language = language
        self.labelLanguage = labelLanguage ?? questionnaire.settings.defaultLanguage
        self.formatNumber = formatNumber
    }

    public func describe(_ expression: ExpressionNode) -> String {
        words(expression, parent: nil)
    }

    private func pick(_ english: String, _ indonesian: String) -> String { language == .english ? english : indonesian }

    private func choiceLabel(field: ExpressionNode, code: String) -> String? {
        guard case .reference(let name) = field.kind, let list = questionnaire.item(named: name)?.type.choiceList,
            let choice = questionnaire.choiceList(named: list)?.choice(code)
        else { return nil }
        return choice.label?.text(in: labelLanguage)
    }

    private func literal(_ expression: ExpressionNode, comparedWith field: ExpressionNode) -> String {
        if case .string(let code) = expression.kind, let label = choiceLabel(field: field, code: code) {
            return "'\(code)' (\(label))"
        }
        return words(expression, parent: nil)
    }

    // swiftlint:disable:next cyclomatic_complexity
    private func words(_ expression: ExpressionNode, parent: BinaryOperator?) -> String {
        switch expression.kind {
        case .reference(let name): return name
        case .previous(let name): return pick("last round's \(name)", "\(name) putaran lalu")
        case .current: return pick("the answer", "jawaban")
        case .string(let text): return "'\(text)'"
        case .number(let value): return formatNumber?(value) ?? expression.description
        case .binary(let op, let lhs, let rhs):
            let left = words(lhs, parent: op), right = words(rhs, parent: op)
            switch op {
            case .and, .or:
                let joined = op == .and ? pick("and", "dan") : pick("or", "atau")
                let text = "\(left) \(joined) \(right)"
                return parent != nil && parent != op ? "(\(text))" : text
            case .equal: return "\(left) \(pick("is", "adalah")) \(literal(rhs, comparedWith: lhs))"
            case .notEqual: return "\(left) \(pick("is not", "bukan")) \(literal(rhs, comparedWith: lhs))"
            case .greater: return "\(left) \(pick("is more than", "lebih dari")) \(right)"
            case .greaterEqual: return "\(left) \(pick("is at least", "paling sedikit")) \(right)"
            case .less: return "\(left) \(pick("is less than", "kurang dari")) \(right)"
            case .lessEqual: return "\(left) \(pick("is at most", "paling banyak")) \(right)"
            default: return "\(plain(lhs)) \(op.rawValue) \(plain(rhs))"
            }
        case .call("selected", let arguments) where arguments.count == 2:
            return "\(words(arguments[0], parent: nil)) \(pick("includes", "memuat")) \(literal(arguments[1], comparedWith: arguments[0]))"
        case .call("not", let arguments) where arguments.count == 1:
            return "\(pick("not", "tidak")) (\(words(arguments[0], parent: nil)))"
        case .call("count-selected", let arguments) where arguments.count == 1:
            return pick("the number of choices in", "banyaknya pilihan di") + " \(words(arguments[0], parent: nil))"
        case .call("count", let arguments) where arguments.count == 1:
            return pick("the number of", "banyaknya") + " \(words(arguments[0], parent: nil))"
        case .call("non-response", let arguments) where arguments.count == 1:
            return pick("the non-response code of", "kode jawaban khusus") + " \(words(arguments[0], parent: nil))"
        default:
            return plain(expression)
        }
    }

    /// The expression as written, with field references shown as bare names.
    private func plain(_ expression: ExpressionNode) -> String {
        switch expression.kind {
        case .reference(let name): name
        case .previous(let name): pick("last round's \(name)", "\(name) putaran lalu")
        case .negate(let operand): "-\(plain(operand))"
        case .binary(let op, let lhs, let rhs): "(\(plain(lhs)) \(op.rawValue) \(plain(rhs)))"
        case .call(let name, let arguments): "\(name)(\(arguments.map(plain).joined(separator: ", ")))"
        default: expression.description
        }
    }
}
