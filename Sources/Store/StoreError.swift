/// What can go wrong with a store, in words an enumerator or analyst can act on. Values, never SQL text
/// with respondents' answers in it.
public enum StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notAStore(path: String, reason: String)
    case newerSchema(path: String, unknown: [String])
    case questionnaireChanged(formID: String, version: String)
    case unknownUnit(String)
    case unitLevelMismatch(unit: String, level: String, expected: String)
    case completed(uuid: String)
    case draftUsesOtherVersion(uuid: String, version: String)
    case unknownInterview(String)
    case frameRejected([FrameProblem])
    case missingDefinition(path: String, uuid: String)
    case notADuplicate(String)
    case notReviewable(uuid: String, status: String)
    case discarded(uuid: String)
    case unreadableStep(id: Int64, reason: String)
    case roundRefused(path: String, reason: String)
    case notDiscardable(uuid: String, status: String)
    case unknownRound(String)
    case roundInUse(code: String, interviews: Int)
    case database(String)
    case unknownLevel(String, levels: [String])
    case unknownStatus(String)
    case contentRefused(path: String, reason: String)
    case attachment(path: String, reason: AttachmentProblem)

    /// Why a file cannot be attached.
    public enum AttachmentProblem: Hashable, Sendable {
        case missing, folder, unreadable
        case tooLarge(Int)
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the store \(path): \(reason)"
        case .notAStore(let path, let reason):
            "\(path) is not a pantau store, or it is damaged (\(reason)); nothing was changed. Keep a copy of the file for recovery and use another --db path"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer pantau (schema steps \(unknown.joined(separator: ", "))); update pantau to use it"
        case .questionnaireChanged(let formID, let version):
            "questionnaire \(formID) version \(version) differs from the definition already stored under that version; give the changed questionnaire a new version"
        case .unknownLevel(let level, let levels):
            "'\(level)' is not a level of the sample frame; group by \((levels + ["enumerator"]).joined(separator: ", "))"
        case .contentRefused(let path, let reason): "\(path) is refused, nothing was written: \(reason)"
        case .unknownStatus(let status):
            "'\(status)' is not an interview status; use \(InterviewStatusFilter.all.joined(separator: ", "))"
        case .unknownUnit(let code): "unit \(code) is not in the sample frame; import it with pantau frame import"
        case .unitLevelMismatch(let unit, let level, let expected):
            "unit \(unit) is a \(level), but this questionnaire interviews a \(expected)"
        case .completed(let uuid): "interview \(uuid) is already completed; add --reopen to change it (the reopening is logged)"
        case .draftUsesOtherVersion(let uuid, let version):
            "the draft interview \(uuid) uses questionnaire version \(version); continue it with that version"
        case .unknownInterview(let uuid): "no interview \(uuid) in this store"
        case .unreadableStep(let id, let reason):
            "the store's step journal holds a step it cannot read (row \(id): \(reason)); nothing was changed and the step is kept. Keep a copy of the file for recovery"
        case .frameRejected(let problems):
            "the frame was not imported (\(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was written):\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        case .missingDefinition(let path, let uuid):
            "\(path) holds interview \(uuid) without its questionnaire definition, so its answers would lose their meaning; nothing was merged"
        case .notADuplicate(let uuid): "interview \(uuid) has no duplicate to settle (no other interview of its questionnaire, unit and round)"
        case .notReviewable(let uuid, let status): "interview \(uuid) is \(status); only completed interviews are approved or rejected"
        case .discarded(let uuid): "interview \(uuid) was set aside as a duplicate (pantau resolve); the other interview of this unit and round is the one kept"
        case .notDiscardable(let uuid, let status):
            "interview \(uuid) is \(status); only drafts (and rejected interviews) are set aside with discard; settle a completed one with reject or resolve"
        case .unknownRound(let code): "the store has no round \(code)"
        case .roundInUse(let code, let interviews):
            "round \(code) has \(interviews) interview\(interviews == 1 ? "" : "s") (set-aside ones included) and is kept; a stray draft is set aside with pantau discard UUID --reason TEXT, which leaves it out of every analysis"
        case .roundRefused(let path, let reason): "\(path) was not merged (nothing was written): \(reason)"
        case .database(let message): "database error: \(message)"
        case .attachment(let path, .missing): "there is no file at \(path)"
        case .attachment(let path, .folder): "\(path) is a folder; give the path of one file"
        case .attachment(let path, .unreadable): "\(path) cannot be read"
        case .attachment(let path, .tooLarge(let size)):
            "\(path) is \(size / 1_048_576) MB; a store takes files up to \(ResponseStore.maximumAttachmentBytes / 1_048_576) MB"
        }
    }
}

/// A bad row of a frame file.
public struct FrameProblem: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the file (the header is line 1); 0 for the file as a whole.
    public let row: Int
    public let message: String

    public init(row: Int, message: String) {
        self.row = row
        self.message = message
    }

    public var description: String { row > 0 ? "row \(row): \(message)" : message }
}
