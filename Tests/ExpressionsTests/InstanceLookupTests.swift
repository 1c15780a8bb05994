// instance('list')/root/item[predicate]/column: ODK's lookups into a form's choice lists and data files.
import Testing

@testable import Expressions

struct InstanceLookupTests {
    static let districts: [[String: String]] = [
        ["name": "bantaeng", "label": "Bantaeng", "province": "sulsel", "population": "196000"],
        ["name": "bireuen", "label": "Bireuen", "province": "aceh", "population": "436000"],
        ["name": "pidie", "label": "Pidie", "province": "aceh", "population": "435000"],
    ]

    var context: TestContext {
        var context = TestContext()
        context.instances["districts"] = Self.districts
        context.values["district"] = .string("pidie")
        context.values["province"] = .string("aceh")
        return context
    }

    @Test("a column of the row a predicate picks, a count of rows, numbers compared as numbers, no row read as empty")
    func evaluates() {
        #expect(evaluate("instance('districts')/root/item[name = ${district}]/label", context) == .nodeset([.string("Pidie")]))
        #expect(evaluate("instance('districts')/root/item[name = ${district}]/population * 2", context) == .number(870_000))
        #expect(evaluate("count(instance('districts')/root/item[province = ${province}])", context) == .number(2))
        #expect(evaluate("count(instance('districts')/root/item[population > 400000 and province = 'aceh'])", context) == .number(2))
        #expect(evaluate("count(instance('districts')/root/item)", context) == .number(3))
        #expect(evaluate("instance('districts')/root/item[name = 'none']/label = ''", context) == .boolean(true))
        #expect(evaluate("concat(instance('districts')/root/item[name = ${district}]/label, '!')", context) == .string("Pidie!"))
    }

    @Test("parsed as a path; a stray '/' is still explained as ODK's path step, not division")
    func parses() throws {
        let tree = try ExpressionParser.parse("instance('districts')/root/item[name = ${district}]/label = 'Pidie'").get()
        #expect(tree.description == "(instance('districts')/root/item[(name = ${district})]/label = 'Pidie')")
        #expect(tree.references == ["district"])
        for (text, message) in [
            ("${a} / 2", "unexpected '/' (a path step in ODK, not division: write 'div') after a complete expression; is an operator missing?"),
            ("instance('x')/data/item", "instance('x') is read as instance('x')/root/item[…]/column"),
            ("instance('x')/root/item[name = 'a'", "expected ']' to close the condition on the items, found the end of the expression"),
            ("instance('x')/root/item/", "expected a column name after '/', found the end of the expression"),
        ] {
            guard case .failure(let diagnostic) = ExpressionParser.parse(text) else {
                Issue.record("\(text) parsed")
                continue
            }
            #expect(diagnostic.message == message, "\(text)")
        }
    }

    @Test("checked against the form's lists: an unknown list, an unknown column in the path or in the predicate")
    func checks() throws {
        var schema = TestSchema(fields: ["district": FieldSignature(type: .text, repeatPath: [])])
        schema.instanceTables = ["districts": ["name", "label", "province", "population"]]
        func codes(_ text: String) throws -> [String] {
            let tree = try ExpressionParser.parse(text).get()
            return TypeChecker.check(tree, schema: schema, context: CheckContext()).diagnostics.map(\.message)
        }
        #expect(try codes("instance('districts')/root/item[name = ${district}]/label") == [])
        #expect(
            try codes("instance('district')/root/item/label") == ["instance('district') names no choice list or table of this form; did you mean 'districts'?"])
        #expect(
            try codes("instance('districts')/root/item/labl") == [
                "instance('districts') has no column 'labl'; it has label, name, population, province"
            ])
        #expect(try codes("instance('districts')/root/item[provnce = 'aceh']") == ["the choices of this list have no column 'provnce'; did you mean province?"])
        #expect(try codes("instance('districts')/root/item[name = ${distrct}]") == ["no field is named 'distrct'; did you mean ${district}?"])
    }
}
