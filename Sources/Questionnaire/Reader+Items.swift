import Expressions
import Yams

// The items of the survey: the largest part of the first reading pass.
extension Reader {
    func readItems(_ nodes: [Node], parentPath: [String], repeatPath: [String]) -> [Item] {
        nodes.compactMap { readItem($0, parentPath: parentPath, repeatPath: repeatPath) }
    }

    /// One item: its fields, then name and type (later messages mention them), then each group of keys.
    func readItem(_ node: Node, parentPath: [String], repeatPath: [String]) -> Item? {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "an item is a mapping with at least type and name")
            return nil
        }
        let fields = itemFields(mapping)
        let name = readName(fields, node)
        let describe = name.map { "'\($0)'" } ?? "this item"
        var type: ItemType?
        if let typeNode = fields.values["type"], let text = string(typeNode, key: "type") {
            type = parseType(text, node: typeNode)
        } else if fields.values["type"] == nil {
            report(.badStructure, location(node), "item \(describe) has no type")
        }
        guard let type, let name else {
            if let name { brokenNames.insert(name) }
            // Still read children so their problems are reported in this run.
            if let children = fields.values["children"], case .sequence(let sequence) = children {
                _ = readItems(Array(sequence), parentPath: parentPath + [name ?? "?"], repeatPath: repeatPath)
            }
            return nil
        }
        let itemLocation = location(node)
        reportKeysWithoutMeaning(fields, type: type, describe: describe)
        let values = fields.values
        let texts = readTexts(values, type: type, describe: describe, at: itemLocation)
        var calculation = values["calculation"].flatMap { expression($0, key: "calculation") }
        if type == .calculate, values["calculation"] == nil {
            report(.missingCalculation, itemLocation, "calculate item \(describe) has no calculation")
        }
        if type != .calculate { calculation = nil }
        var item = Item(
            name: name, type: type, label: texts.label, hint: texts.hint, labelTemplates: texts.templates,
            required: values["required"].flatMap(requirement) ?? .no,
            requiredMessage: values["required_message"].flatMap { localized($0, key: "required_message") },
            relevant: values["relevant"].flatMap { expression($0, key: "relevant") },
            constraint: values["constraint"].flatMap { expression($0, key: "constraint") },
            constraintMessage: values["constraint_message"].flatMap { localized($0, key: "constraint_message") },
            warning: values["warning"].flatMap { expression($0, key: "warning") },
            warningMessage: values["warning_message"].flatMap { localized($0, key: "warning_message") },
            calculation: calculation, defaultValue: readDefault(values["default"]),
            choiceFilter: values["choice_filter"].flatMap { expression($0, key: "choice_filter", allowingChoiceColumns: true) },
            appearance: values["appearance"].flatMap { string($0, key: "appearance") },
            readOnly: values["read_only"].flatMap { boolean($0, key: "read_only") } ?? false,
            pii: values["pii"].flatMap { boolean($0, key: "pii") } ?? false,
            allowedNonResponses: values["allow"].map(readAllowed) ?? [],
            repeatCount: type == .repeat ? values["repeat_count"].flatMap(readRepeatCount) : nil,
            children: readChildren(
                fields, type: type, name: name, describe: describe, at: itemLocation, parentPath: parentPath,
                repeatPath: repeatPath),
            repeatPath: repeatPath, path: parentPath, location: itemLocation,
            valueLocations: values.mapValues { location($0) }
        )
        if let media = values["media"] { item.media = readMedia(media) }
        if let attributes = values["attributes"] { item.attributes = readAttributes(attributes) }
        if let trigger = values["trigger"] { item.trigger = readTrigger(trigger) }
        return item
    }

    /// `trigger: consent` or `trigger: [consent, visit]` (a `${consent}` written as in an XLSForm is read too).
    func readTrigger(_ node: Node) -> [String] {
        let entries: [Node]
        if case .sequence(let sequence) = node { entries = Array(sequence) } else { entries = [node] }
        var names: [String] = []
        for entry in entries {
            guard let text = string(entry, key: "trigger") else { continue }
            for word in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
                var name = String(word)
                if name.hasPrefix("${"), name.hasSuffix("}") { name = String(name.dropFirst(2).dropLast()) }
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    /// `attributes: {"instance::hxl": "#age"}`: an author's attributes, carried to the codebook.
    func readAttributes(_ node: Node) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "attributes is a mapping from an attribute's name to its text")
            return [:]
        }
        var attributes: [String: String] = [:]
        for (keyNode, value) in mapping {
            guard let key = scalarKey(keyNode), let text = string(value, key: "attributes.\(key)") else { continue }
            attributes[key] = text
        }
        return attributes
    }

    /// `media: {image: photo.jpg}` or `media: {image: {en: photo-en.jpg, id: foto.jpg}}`.
    func readMedia(_ node: Node) -> [String: LocalizedText] {
        guard case .mapping(let mapping) = node else {
            report(.badStructure, location(node), "media is a mapping from kind (image, big-image, audio, video) to a file name")
            return [:]
        }
        var media: [String: LocalizedText] = [:]
        for (kindNode, value) in mapping {
            guard let kind = scalarKey(kindNode) else { continue }
            guard Reader.mediaKinds.contains(kind) else {
                report(.unknownKey, location(kindNode), "media kind '\(kind)' is not one of \(Reader.mediaKinds.sorted().joined(separator: ", "))")
                continue
            }
            media[kind] = localized(value, key: "media.\(kind)", requireAllLanguages: false)
        }
        return media
    }

    /// An item's known keys with their value and key nodes; unknown keys are reported.
    struct ItemFields {
        var values: [String: Node] = [:]
        var keyNodes: [String: Node] = [:]
    }

    func itemFields(_ mapping: Node.Mapping) -> ItemFields {
        var fields = ItemFields()
        for (key, value) in mapping {
            guard let name = scalarKey(key) else { continue }
            if Reader.itemKeys.contains(name) {
                fields.values[name] = value
                fields.keyNodes[name] = key
            } else {
                reportUnknownKey(name, key, allowed: Reader.itemKeys, context: "on an item")
            }
        }
        return fields
    }

    /// The item's name, checked (valid, not reserved, unique) and declared.
    func readName(_ fields: ItemFields, _ node: Node) -> String? {
        guard let nameNode = fields.values["name"] else {
            report(.missingName, location(node), "this item has no name; every item needs one, e.g. name: village_head")
            return nil
        }
        guard let text = string(nameNode, key: "name") else { return nil }
        if !isValidName(text) {
            report(.invalidName, location(nameNode), "name '\(text)' must start with a letter or _ and contain only letters, digits and _")
        } else if Reader.reservedNames.contains(text) {
            report(.reservedName, location(nameNode), "name '\(text)' is reserved; choose another, e.g. \(text)_value")
        } else if let first = declaredNames[text] {
            report(.duplicateName, location(nameNode), "name '\(text)' is already used at line \(first.line); names must be unique in the form")
        } else {
            declaredNames[text] = location(nameNode)
        }
        return text
    }

    /// Keys that mean nothing for this type are reported, not dropped.
    func reportKeysWithoutMeaning(_ fields: ItemFields, type: ItemType, describe: String) {
        func notFor(_ key: String, _ reason: String) {
            if let keyNode = fields.keyNodes[key] {
                report(.keyNotForType, location(keyNode), "\(key) has no meaning on \(type) item \(describe): \(reason)")
            }
        }
        if type != .calculate { notFor("calculation", "only calculate items have a calculation") }
        if type != .repeat { notFor("repeat_count", "only repeats have a repeat_count") }
        if type.choiceList == nil { notFor("choice_filter", "only selects filter their choices") }
        if fields.values["calculation"] == nil, fields.values["default"] == nil {
            notFor("trigger", "a trigger recomputes a calculation or default, and there is none")
        }
        if !type.isQuestion {
            for key in ["required", "constraint", "warning", "allow", "default", "read_only"] where type != .calculate || key != "default" {
                notFor(key, "it takes no answer")
            }
        }
        let values = fields.values
        if values["constraint_message"] != nil && values["constraint"] == nil { notFor("constraint_message", "there is no constraint") }
        if values["warning_message"] != nil && values["warning"] == nil { notFor("warning_message", "there is no warning") }
        if values["required_message"] != nil && values["required"] == nil { notFor("required_message", "there is no required") }
    }

    /// Label and hint in every language, with the templates (`${name}` pieces) they hold.
    func readTexts(_ values: [String: Node], type: ItemType, describe: String, at itemLocation: SourceLocation)
        -> (label: LocalizedText?, hint: LocalizedText?, templates: [String: Template])
    {
        let label = values["label"].flatMap { localized($0, key: "label") }
        // A question or note shown by its picture or recording alone (media, no label) is asked by that.
        if label == nil, type.isQuestion || type == .note, values["label"] == nil, values["media"] == nil, type != .identifier {
            report(.missingTranslation, itemLocation, "\(type) item \(describe) has no label; an enumerator needs one to ask it")
        }
        let hint = values["hint"].flatMap { localized($0, key: "hint") }
        var templates: [String: Template] = [:]
        for (text, node, prefix) in [(label, values["label"], ""), (hint, values["hint"], "hint:")] {
            guard let text, let node else { continue }
            for (language, translation) in text.translations {
                switch Template.parse(translation) {
                case .success(let template): templates[prefix + language] = template
                case .failure(let diagnostic):
                    let textNode = labelTextNode(node, language: language)
                    diagnostics.append(Diagnostic(expression: diagnostic, at: location(of: textNode, offset: diagnostic.range.start)))
                }
            }
        }
        return (label, hint, templates)
    }

    /// A literal default, or an expression when it references a value or calls a function.
    func readDefault(_ node: Node?) -> DefaultValue? {
        guard let node, let text = string(node, key: "default") else { return nil }
        if text.contains("${") || text.contains("(") { return expression(node, key: "default").map(DefaultValue.expression) }
        return .literal(text)
    }

    /// The special non-responses a question allows: one code or a list.
    func readAllowed(_ node: Node) -> [NonResponse] {
        var allowed: [NonResponse] = []
        let entries: [Node]
        if case .sequence(let sequence) = node { entries = Array(sequence) } else { entries = [node] }
        for entry in entries {
            guard let code = string(entry, key: "allow") else { continue }
            if let nonResponse = NonResponse(rawValue: code) {
                if !allowed.contains(nonResponse) { allowed.append(nonResponse) }
            } else {
                var message =
                    "allow: '\(code)' is not a special non-response; the choices are \(NonResponse.allCases.map(\.rawValue).joined(separator: ", "))"
                if let guess = closestMatch(to: code, among: NonResponse.allCases.map(\.rawValue)) { message += "; did you mean \(guess)?" }
                report(.unknownNonResponse, location(entry), message)
            }
        }
        return allowed
    }

    /// A repeat's number of instances: a whole number, or an expression giving one.
    func readRepeatCount(_ node: Node) -> CompiledExpression? {
        guard let text = string(node, key: "repeat_count") else { return nil }
        if let number = Double(text), number < 0 || number != number.rounded() {
            report(.badRepeatCount, location(node), "repeat_count must be a whole number of instances, or an expression giving one; '\(text)' is not")
            return nil
        }
        return expression(node, key: "repeat_count")
    }

    /// A group's or repeat's children (nesting bounded); children anywhere else are reported.
    func readChildren(
        _ fields: ItemFields, type: ItemType, name: String, describe: String, at itemLocation: SourceLocation,
        parentPath: [String], repeatPath: [String]
    ) -> [Item] {
        guard type.isContainer else {
            if let keyNode = fields.keyNodes["children"] {
                report(.childrenNotAllowed, location(keyNode), "\(type) item \(describe) cannot have children; only group and repeat can")
            }
            return []
        }
        guard parentPath.count < Reader.maximumNesting else {
            report(
                .badStructure, itemLocation,
                "\(type) \(describe) is nested \(parentPath.count + 1) deep; groups and repeats may nest at most \(Reader.maximumNesting) deep")
            return []
        }
        guard let childrenNode = fields.values["children"] else {
            report(.emptyGroup, itemLocation, "\(type) \(describe) has no children; add items under children:")
            return []
        }
        guard case .sequence(let sequence) = childrenNode else {
            report(.badStructure, location(childrenNode), "children of \(describe) must be a list of items")
            return []
        }
        if sequence.isEmpty { report(.emptyGroup, location(childrenNode), "\(type) \(describe) has no children; add items or remove it") }
        return readItems(Array(sequence), parentPath: parentPath + [name], repeatPath: type == .repeat ? repeatPath + [name] : repeatPath)
    }

    func labelTextNode(_ node: Node, language: String) -> Node {
        if case .mapping(let mapping) = node {
            for (key, value) in mapping where key.scalar?.string == language { return value }
        }
        return node
    }

    func parseType(_ text: String, node: Node) -> ItemType? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else {
            report(.unknownType, location(node), "type is empty")
            return nil
        }
        switch first {
        case "select_one", "select_multiple", "rank":
            guard words.count == 2 else {
                report(.unknownType, location(node), "\(first) needs exactly one choice list name, as in '\(first) yes_no'")
                return nil
            }
            switch first {
            case "select_one": return .selectOne(list: words[1])
            case "select_multiple": return .selectMultiple(list: words[1])
            default: return .rank(list: words[1])
            }
        default:
            if words.count == 1, let type = ItemType.simpleNames[first] { return type }
            let known = Array(ItemType.simpleNames.keys) + ["select_one", "select_multiple", "rank"]
            var message = "unknown type '\(text)'"
            if let guess = closestMatch(to: first, among: known.sorted()) {
                message += "; did you mean \(guess)?"
            } else {
                message += "; the types are \(known.sorted().joined(separator: ", "))"
            }
            report(.unknownType, location(node), message)
            return nil
        }
    }
}
