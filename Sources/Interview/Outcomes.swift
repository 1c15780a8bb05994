import Expressions
import Questionnaire

/// The result of giving an answer. Not an error: the runner shows it and asks again where needed.
public enum AnswerOutcome: Hashable, Sendable {
    case accepted
    /// The text is not a value of the item's type; nothing was stored.
    case invalid(AnswerError)
    /// A required question was left empty; nothing was stored. The author's message, if any.
    case requiredButEmpty(String?)
    /// A hard check failed; nothing was stored. The author's message, if any.
    case constraintViolated(String?)
    /// A soft check failed; the value is stored and awaits a new value or `:confirm REASON`.
    case softCheckFailed(String?)
    /// The step makes no sense here (a non-response the question does not allow, confirming with nothing to
    /// confirm, answering at the end).
    case notAllowed(NotAllowed)
}

public enum NotAllowed: Hashable, Sendable {
    case nonResponse(NonResponse)
    case nothingToConfirm
    case emptyReason
    case noQuestion
    case readOnly
    case notAnInstance
}

/// Why the interview cannot move past an item, or finish.
public struct Blocker: Hashable, Sendable {
    public enum Reason: Hashable, Sendable {
        case required(String?)
        case constraint(String?)
        case softCheck(String?)
    }

    public let address: Address
    public let reason: Reason

    public init(address: Address, reason: Reason) {
        self.address = address
        self.reason = reason
    }
}

public enum MoveOutcome: Hashable, Sendable {
    case moved
    case blocked(Blocker)
    /// Already at the start (back) or at the end (next).
    case atBoundary
}

public enum JumpOutcome: Hashable, Sendable {
    case moved
    case unknownItem
    case notReached
    case notRelevant
}

/// What the runner shows for one question.
public struct Prompt: Hashable, Sendable {
    public struct ChoiceOption: Hashable, Sendable {
        public let number: Int
        public let code: String
        public let label: String
        /// The choice's media files in the interview's language: a terminal shows their kind and name.
        public var media: [Media] = []

        public init(number: Int, code: String, label: String, media: [Media] = []) {
            (self.number, self.code, self.label, self.media) = (number, code, label, media)
        }

        /// The label with the media files' names after it: `Mango [image: mango.jpg]`.
        public var shown: String { ([label] + media.map { "[\($0.kind): \($0.file)]" }).joined(separator: " ") }
    }

    public let address: Address
    public let item: Item
    public let label: String
    public let hint: String?
    /// A media file shown with the question on a touch screen: a terminal shows its kind and name.
    public struct Media: Hashable, Sendable {
        public let kind: String
        public let file: String
    }

    /// The question's media files in the interview's language, by kind (image, audio, …).
    public let media: [Media]
    public let choices: [ChoiceOption]
    public let value: Value?
    public let origin: AnswerOrigin?
    public let required: Bool
    /// Labels of enclosing groups and repeats, with instance numbers for repeats.
    public let sectionPath: [String]
    public let blocker: Blocker?
    public let confirmation: String?
}

/// One line of the review list.
public struct ReviewRow: Hashable, Sendable {
    public let address: Address
    public let label: String
    public let value: Value?
    public let origin: AnswerOrigin?
    public let blocker: Blocker?
    public let confirmation: String?
}
