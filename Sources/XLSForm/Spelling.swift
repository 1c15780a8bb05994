import Foundation

/// The many spellings survey teams use for one XLSForm column or type, read to one meaning. pyxform accepts
/// all of these (its alias tables and its tolerance of case, spaces and legacy single-colon translations), so
/// pantau does too; what a column means is decided here once, and the conversion only sees canonical names.
enum Spelling {
    /// A survey or choices column header, read.
    enum Column: Equatable {
        /// A column pantau honours, by its canonical name, with a language for translated columns.
        case field(String, language: String?)
        /// A media column (image, big-image, audio, video), with its language if translated.
        case media(String, language: String?)
        /// Display settings for touch screens that a terminal has no use for (autoplay, rows of a text box).
        case display(String)
        /// An attribute an author attaches for other tools (`instance::hxl`, a custom `bind::` attribute): ODK carries
        /// it without acting on it, and so does pantau, into the codebook, by the column's name.
        case attribute(String)
        /// A column whose meaning pantau already keeps by design (`bind::saveIncomplete`: every answer is saved).
        case implied(String)
        /// An XLSForm column pantau cannot honour: the form is refused with this reason.
        case unsupported(String)
        /// Not an XLSForm column (an author's notes): pyxform ignores it, and so does pantau, with a warning.
        case unknown
    }

    static let translatable: Set<String> = ["label", "hint", "guidance_hint", "required_message", "constraint_message", "warning_message"]
    static let plain: Set<String> = [
        "type", "name", "required", "relevant", "constraint", "calculation", "default", "choice_filter", "appearance", "read_only",
        "repeat_count", "pii", "allow", "warning", "parameters", "trigger", "disabled", "list_name",
    ]
    static let mediaKinds: Set<String> = ["image", "big-image", "audio", "video"]

    /// Old and alternative names of columns (pyxform's aliases), lower case with spaces as underscores.
    static let aliases: [String: String] = [
        "caption": "label", "relevance": "relevant", "constraint_msg": "constraint_message", "constraint-msg": "constraint_message",
        "jr:constraintmsg": "constraint_message", "constraintmsg": "constraint_message", "requiredmsg": "required_message",
        "jr:requiredmsg": "required_message", "readonly": "read_only", "jr:count": "repeat_count", "count": "repeat_count",
        "calculate": "calculation", "list": "list_name", "guidance": "guidance_hint",
    ]

    /// `bind::NAME` (or `bind:NAME`) columns with a meaning pantau has.
    static let bindings: [String: String] = [
        "relevant": "relevant", "required": "required", "constraint": "constraint", "calculate": "calculation", "readonly": "read_only",
        "jr:constraintmsg": "constraint_message", "jr:requiredmsg": "required_message",
    ]

    /// `bind::` attributes that would change the value's type or its preloading: refused rather than carried.
    static let refusedBindings: Set<String> = ["type", "nodeset", "jr:preload", "jr:preloadparams"]

    /// Columns that only change how a touch screen shows a question.
    static let displayOnly: Set<String> = ["autoplay", "rows", "buttontext", "noapperrorstring", "jr:noapperrorstring"]

    /// `label::English (en)` → label, en; `label:English` → label, English; `bind::relevant` → relevant;
    /// `media::image::fr` → image (media), fr; `Constraint Message` → constraint_message.
    static func column(_ header: String) -> Column {
        var text = header.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .unknown }
        // "bind: relevant" → "bind:relevant"
        text = text.replacingOccurrences(of: #"\s*:\s*"#, with: ":", options: .regularExpression)
        var parts = text.components(separatedBy: "::")
        if parts.count == 1 {
            // Legacy single colons: label:English, media:image:English, bind:relevant, jr:constraintMsg.
            let single = text.components(separatedBy: ":")
            let head = canonical(single[0])
            if single.count > 1, translatable.contains(head) || mediaKinds.contains(head) || head == "media" || head == "bind" {
                parts = single
            }
        }
        let head = canonical(parts[0])
        let rest = Array(parts.dropFirst())
        switch head {
        case "bind":
            let name = rest.joined(separator: ":").lowercased()
            if let field = bindings[name] { return .field(field, language: nil) }
            if displayOnly.contains(name) { return .display(header) }
            if name == "saveincomplete" {
                return .implied("pantau saves every answer the moment it is given, so a form is never lost before it is finished")
            }
            if refusedBindings.contains(name) {
                return .unsupported("the bind attribute '\(rest.joined(separator: ":"))' changes how ODK stores the value, which pantau decides itself")
            }
            return .attribute(text)
        case "body", "control":
            let name = rest.joined(separator: ":").lowercased()
            if displayOnly.contains(name) { return .display(header) }
            if name == "intent" {
                return .unsupported("the \(head) attribute 'intent' hands the question to another Android app, which a terminal cannot launch")
            }
            return .attribute(text)
        case "instance":
            return .attribute(text)
        case "save_to":
            return .unsupported("pantau saves no entities (save_to): unit attributes live in the sample frame, which previous() carries to the next round")
        case "media":
            guard let kind = rest.first.map(canonical), mediaKinds.contains(kind) else {
                return .unsupported("'\(header)' is not a media column (image, big-image, audio or video)")
            }
            return .media(kind, language: rest.count > 1 ? languageCode(rest.dropFirst().joined(separator: ":")) : nil)
        default:
            break
        }
        let language = rest.isEmpty ? nil : languageCode(rest.joined(separator: ":"))
        if mediaKinds.contains(head) { return .media(head, language: language) }
        if translatable.contains(head) { return .field(head, language: language) }
        if language != nil { return .unknown }
        if plain.contains(head) { return .field(head, language: nil) }
        if displayOnly.contains(head) { return .display(header) }
        return .unknown
    }

    /// Lower case, spaces and hyphens of known names as underscores, aliases resolved.
    static func canonical(_ name: String) -> String {
        let lower = name.trimmingCharacters(in: .whitespaces).lowercased()
        let underscored = lower.replacingOccurrences(of: " ", with: "_")
        return aliases[lower] ?? aliases[underscored] ?? underscored
    }

    /// `English (en)` → en; `English` → English.
    static func languageCode(_ text: String) -> String {
        let rest = text.trimmingCharacters(in: .whitespaces)
        if let open = rest.lastIndex(of: "("), rest.hasSuffix(")") {
            let code = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)].trimmingCharacters(in: .whitespaces)
            if !code.isEmpty { return code }
        }
        return rest
    }

    /// Columns holding expressions, where word processors' curly quotes are straightened (as pyxform does).
    static let expressionColumns: Set<String> = [
        "relevant", "constraint", "calculation", "choice_filter", "repeat_count", "required", "warning", "default", "read_only",
    ]

    /// ‘text’ and “text” as 'text' and "text".
    static func straightQuotes(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{2018}", with: "'").replacingOccurrences(of: "\u{2019}", with: "'")
            .replacingOccurrences(of: "\u{201C}", with: "\"").replacingOccurrences(of: "\u{201D}", with: "\"")
    }

    /// Why a row's parameters cannot be honoured, in words for the cell's diagnostic.
    struct ParameterProblem: Error {
        let reason: String
    }

    /// A range's parameters (`start=0 end=10 step=0.5`; ODK's defaults 1, 10, 1), or the reason they are wrong.
    static func rangeParameters(_ text: String) -> Result<(start: Double, end: Double, step: Double, text: (String, String, String)), ParameterProblem> {
        var values: [String: String] = ["start": "1", "end": "10", "step": "1"]
        for pair in text.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "," }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.count == 2, values[parts[0]] != nil else {
                return .failure(ParameterProblem(reason: "'\(pair)' is not a range parameter; a range takes start=, end= and step="))
            }
            values[parts[0]] = parts[1]
        }
        guard let start = Double(values["start"]!), let end = Double(values["end"]!), let step = Double(values["step"]!),
            start.isFinite, end.isFinite, step.isFinite
        else { return .failure(ParameterProblem(reason: "start, end and step of a range are numbers")) }
        guard step > 0, start != end, abs(end - start) >= step else {
            return .failure(ParameterProblem(reason: "a range needs a positive step no larger than the distance from start to end"))
        }
        return .success((start, end, step, (values["start"]!, values["end"]!, values["step"]!)))
    }

    /// Where a select's choices are: the choices sheet, the external_choices sheet, or a CSV file beside the form.
    enum ChoiceSource: Equatable {
        case choices, external
        case file(String)
    }

    /// Parameters that only set how a device captures an answer, per pantau type: accepted, and a geopoint's
    /// warning-accuracy (metres) returned to become a soft check. Others are refused by name.
    static func captureParameters(_ text: String, type: String) -> Result<String?, ParameterProblem> {
        let allowed: [String: Set<String>] = [
            "geopoint": ["capture-accuracy", "warning-accuracy", "allow-mock-accuracy"], "geotrace": ["allow-mock-accuracy"],
            "geoshape": ["allow-mock-accuracy"], "image": ["max-pixels"], "audio": ["quality"], "video": ["quality"],
        ]
        var accuracy: String?
        for pair in text.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "," }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let key = parts[0].lowercased()
            guard parts.count == 2, allowed[type]?.contains(key) == true else {
                return .failure(ParameterProblem(reason: "parameter '\(pair)' cannot be honoured on type \(type); remove it"))
            }
            if key == "warning-accuracy" {
                guard let metres = Double(parts[1]), metres > 0 else {
                    return .failure(ParameterProblem(reason: "warning-accuracy is a number of metres, not '\(parts[1])'"))
                }
                accuracy = parts[1]
            }
        }
        return .success(accuracy)
    }

    /// A survey row's type, read.
    enum RowType: Equatable {
        case item(String)
        /// `hidden`: a stored value nobody is asked for (a calculate in pantau).
        case hidden
        /// `range`: a number between start and end in steps, from the parameters column.
        case range
        case select(kind: String, list: String, orOther: Bool, from: ChoiceSource = .choices)
        case beginGroup, beginRepeat, endGroup, endRepeat
        /// `begin loop over LIST` … `end loop`: expanded into a group per choice before the rows are read.
        case loop(list: String)
        case endLoop
        /// `osm` or `osm LIST`: an OpenStreetMap feature, mapped in another program and given as its .osm file.
        case osm(tags: String?)
        /// `csv-external NAME` or `xml-external NAME`: NAME.csv or NAME.xml beside the form, read by instance('NAME').
        case externalInstance(file: String)
        /// Metadata pantau records itself in every interview (start, end, device, enumerator …).
        case metadata(String)
        /// A type pyxform knows that pantau cannot ask yet: the form is refused with the reason.
        case unsupported(String)
        case unknown
    }

    static let scalarTypes: [String: String] = [
        "text": "text", "string": "text", "integer": "integer", "int": "integer", "decimal": "decimal", "date": "date",
        "datetime": "datetime", "date_time": "datetime", "time": "time", "note": "note", "calculate": "calculate",
        "acknowledge": "acknowledge", "trigger": "acknowledge", "geopoint": "geopoint", "gps": "geopoint", "location": "geopoint",
        "identifier": "identifier",
        "geotrace": "geotrace", "geoshape": "geoshape", "image": "image", "photo": "image", "audio": "audio", "video": "video",
        "file": "file",
        // A barcode scanner on a laptop types the code it reads, so the terminal's text prompt takes it.
        "barcode": "text",
    ]
    static let metadataTypes: Set<String> = [
        "start", "end", "today", "deviceid", "imei", "uri:deviceid", "subscriberid", "uri:subscriberid", "simserial", "uri:simserial",
        "phonenumber", "phone_number", "uri:phonenumber", "username", "uri:username", "email", "uri:email", "audit", "start-geopoint",
        "background-geopoint", "instanceid", "background-audio",
    ]

    /// `select one from L or specify other`, `select_one L or_other`, `add select one prompt using L`,
    /// `add integer prompt`, `begin_group`, `String` … to one meaning.
    static func rowType(_ raw: String) -> RowType {
        var words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{a0}" }).map(String.init)
        guard !words.isEmpty else { return .unknown }
        var lower = words.map { $0.lowercased() }
        // "or specify other" / "or_other" at the end
        var orOther = false
        if lower.suffix(3) == ["or", "specify", "other"] {
            orOther = true
            words.removeLast(3)
            lower.removeLast(3)
        } else if lower.last == "or_other" {
            orOther = true
            words.removeLast()
            lower.removeLast()
        }
        // "add integer prompt", "add select one prompt using L": pyxform's oldest spellings.
        if lower.first == "add", let prompt = lower.firstIndex(of: "prompt") {
            let kind = lower[1..<prompt].joined(separator: "_")
            let after = Array(words[(prompt + 1)...])
            if after.first?.lowercased() == "using", after.count == 2 {
                return select(kind, list: after[1], orOther: orOther) ?? .unknown
            }
            return orOther ? .unknown : (after.isEmpty ? scalar(kind) : .unknown)
        }
        let joined = lower.joined(separator: "_")
        if lower[0] == "osm", words.count <= 2, !orOther { return .osm(tags: words.count == 2 ? words[1] : nil) }
        if ["csv-external", "xml-external"].contains(lower[0]), words.count == 1 || words.count == 2, !orOther {
            // The name may sit in the type ("csv-external fruits") or, as pyxform writes it, in the name column.
            return .externalInstance(file: words.count == 2 ? words[1] + (lower[0] == "csv-external" ? ".csv" : ".xml") : lower[0])
        }
        switch joined {
        case "begin_group": return .beginGroup
        case "begin_repeat": return .beginRepeat
        case "end": return .metadata("end")
        case "end_group": return .endGroup
        case "end_repeat": return .endRepeat
        case "end_loop": return .endLoop
        default: break
        }
        if lower.count == 4, lower[0] == "begin", lower[1] == "loop", lower[2] == "over" { return .loop(list: words[3]) }
        // Selects: "select_one L", "select one L", "select one from L", "select all that apply from L", "select1 L".
        for (spelling, kind) in [
            (["select", "all", "that", "apply", "from"], "select_multiple"), (["select", "all", "that", "apply"], "select_multiple"),
            (["select", "one", "from"], "select_one"), (["select", "multiple", "from"], "select_multiple"),
            (["select", "one"], "select_one"), (["select", "multiple"], "select_multiple"), (["select_one"], "select_one"),
            (["select_multiple"], "select_multiple"), (["select1"], "select_one"), (["rank"], "rank"),
            (["select_one_external"], "select_one_external"), (["select_multiple_external"], "select_multiple_external"),
            (["select_one_from_file"], "select_one_from_file"), (["select_multiple_from_file"], "select_multiple_from_file"),
        ] where lower.count == spelling.count + 1 && Array(lower.prefix(spelling.count)) == spelling {
            return select(kind, list: words[spelling.count], orOther: orOther) ?? .unknown
        }
        guard !orOther else { return .unknown }
        return scalar(joined)
    }

    static func select(_ kind: String, list: String, orOther: Bool) -> RowType? {
        switch kind {
        case "select_one", "select1": return .select(kind: "select_one", list: list, orOther: orOther)
        case "select_multiple", "select_all_that_apply": return .select(kind: "select_multiple", list: list, orOther: orOther)
        case "rank": return orOther ? nil : .select(kind: "rank", list: list, orOther: false)
        case "select_one_external", "select_multiple_external":
            return orOther ? nil : .select(kind: kind.replacingOccurrences(of: "_external", with: ""), list: list, orOther: false, from: .external)
        case "select_one_from_file", "select_multiple_from_file":
            guard !orOther else { return nil }
            guard [".csv", ".xml", ".geojson"].contains(where: { list.lowercased().hasSuffix($0) }) else {
                return .unsupported("a select from '\(list)' (choice files are .csv, .xml or .geojson)")
            }
            return .select(kind: kind.replacingOccurrences(of: "_from_file", with: ""), list: list, orOther: false, from: .file(list))
        default:
            return nil
        }
    }

    static func scalar(_ name: String) -> RowType {
        if name == "hidden" { return .hidden }
        if name == "range" { return .range }
        if let type = scalarTypes[name] { return .item(type) }
        if metadataTypes.contains(name) { return .metadata(name) }
        return .unknown
    }
}
