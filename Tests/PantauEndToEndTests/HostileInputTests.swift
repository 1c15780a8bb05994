// Requirements covered here (issue: hostile input):
// H2 stores, exports and the folders pantau creates are its owner's only (0600 and 0700)
// H4 CSV outputs neutralise formula injection (OWASP): text starting with = + - @ gets a leading ', numbers do not
// H5 a repeat holds at most 1,000 instances: a larger repeat_count written in the form is a validation error, and
//    one an answer computes is held to the limit with a message to the enumerator, never silently
// H6 commands that only read leave a store's bytes as they were; db check --hash gives a content hash that only a
//    write changes
// H7 show withholds answers to personal-data questions (and their audit values) unless --include-pii
// H8 a frame whose levels do not form one hierarchy (a village above a district) is refused with its row
// H3 unknown --by levels and --status values are errors, not empty tables
// H1 `pantau did --data` never traps on what a file holds: every damaged panel or 2×2 file is refused with a named
//    problem, its line and column where there is one, exit 1; missing values written NA, . or empty are read as missing
import Foundation
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct HostileInputTests {
    /// 40 units × 4 periods in 8 clusters, half adopting in period 3, with a 0/1 treatment column.
    static func panel() -> [String] {
        var lines = ["unit,period,y,d,cl"]
        for u in 0..<40 {
            for t in 1...4 {
                let treated = u < 20 && t >= 3
                lines.append(
                    "u\(u),\(t),\(Double(u % 7) + 0.5 * Double(t) + (treated ? 1 : 0) + Double((u * 31 + t * 17) % 11) / 10),\(treated ? 1 : 0),c\(u % 8)")
            }
        }
        return lines
    }

    static let panelArguments = ["--outcome", "y", "--unit", "unit", "--time", "period", "--treat", "d", "--cluster", "cl"]

    nonisolated(unsafe) static let panelCases: [(name: String, mutate: (inout [String]) -> Void, message: String)] = [
        ("only a header", { $0 = [$0[0]] }, "has a header but no data rows"),
        ("an outcome of 1e200", { $0[9] = "u2,1,1e200,0,c2" }, "panel.csv:10: column 'y': 1e200 is beyond ±1e100"),
        ("an outcome of 1e308", { $0[9] = "u2,1,1e308,0,c2" }, "panel.csv:10: column 'y': 1e308 is beyond ±1e100"),
        ("NaN in the outcome", { $0[5] = "u1,1,nan,0,c1" }, "panel.csv:6: column 'y': 'nan' is not a number"),
        ("infinity in the outcome", { $0[5] = "u1,1,inf,0,c1" }, "panel.csv:6: column 'y': 'inf' is not a number"),
        ("text in the outcome", { $0[5] = "u1,1,twelve,0,c1" }, "panel.csv:6: column 'y': 'twelve' is not a number"),
        ("a repeated unit and period", { $0.append($0[1]) }, "1 row repeats a unit and period already given (first: unit u0, period 1)"),
        ("yes in the 0/1 treatment", { $0[12] = "u2,4,3.1,yes,c2" }, "d must be 0 or 1 in every row; unit u2 in 4 has 'yes'"),
        ("a row with a field missing", { $0[7] = "u1,3,2.5,0" }, "panel.csv:8: 4 fields where the header has 5"),
        ("a row with an extra field", { $0[7] = "u1,3,2.5,0,c1,9" }, "panel.csv:8: 6 fields where the header has 5"),
        ("a column named twice", { $0[0] = "unit,period,y,y,cl" }, "the header names column 'y' twice (columns 3 and 4)"),
    ]

    @Test("H1: a damaged panel file is refused with its problem and exit 1, never a trap", arguments: panelCases.indices)
    func damagedPanel(_ index: Int) throws {
        let (name, mutate, message) = Self.panelCases[index]
        var lines = Self.panel()
        mutate(&lines)
        let path = try temporaryDirectory().appendingPathComponent("panel.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
        for format in ["md", "json"] {
            let run = try pantau(["did", "--data", path.path] + Self.panelArguments + ["--format", format])
            #expect(run.status == 1, "\(name): exit \(run.status) \(run.stderr)")
            #expect(run.stderr.contains(message), "\(name): \(run.stderr)")
            #expect(run.stdout.isEmpty, "\(name): nothing is written for a refused file")
        }
    }

    @Test("H1: invalid UTF-8 is refused by both the panel and the 2×2 readers, with its line")
    func invalidUTF8() throws {
        var bytes = Data((Self.panel().prefix(6).joined(separator: "\n") + "\n").utf8)
        bytes.append(contentsOf: Array("u9".utf8) + [0xFF, 0xFE] + Array(",1,2.0,0,c1\n".utf8))
        let path = try temporaryDirectory().appendingPathComponent("latin.csv")
        try bytes.write(to: path)
        let panel = try pantau(["did", "--data", path.path] + Self.panelArguments)
        #expect(panel.status == 1 && panel.stderr.contains("latin.csv:7: column 'unit' is not UTF-8 text"), "\(panel.stderr)")
        let twoByTwo = try pantau(["did", "--data", path.path, "--outcome", "y", "--group", "d", "--post", "period", "--cluster", "unit", "--se", "cr1"])
        #expect(twoByTwo.status == 1 && twoByTwo.stderr.contains("latin.csv:7: column 'unit' is not UTF-8 text"), "\(twoByTwo.stderr)")
    }

    @Test("H1: the 2×2's group and period columns take 0 and 1 only; NA, . and empty cells are missing values")
    func twoByTwoIndicators() throws {
        let folder = try temporaryDirectory()
        var lines = ["y,g,p"]
        for i in 0..<40 { lines.append("\(Double(i % 9) + (i % 4 == 3 ? 1 : 0)),\(i % 2),\(i / 2 % 2)") }
        let good = folder.appendingPathComponent("good.csv")
        var withMissing = lines
        withMissing += ["NA,1,0", ".,0,1", ",1,1", "  ,0,0"]
        try (withMissing.joined(separator: "\n") + "\n").write(to: good, atomically: true, encoding: .utf8)
        let run = try pantau(["did", "--data", good.path, "--outcome", "y", "--group", "g", "--post", "p", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["n_obs"] as? Int == 40, "the four rows without the outcome are left out")
        var two = lines
        two[5] = "3,2,1"
        let bad = folder.appendingPathComponent("bad.csv")
        try (two.joined(separator: "\n") + "\n").write(to: bad, atomically: true, encoding: .utf8)
        let refused = try pantau(["did", "--data", bad.path, "--outcome", "y", "--group", "g", "--post", "p"])
        #expect(refused.status == 1 && refused.stderr.contains("g must be 0 or 1 in every row"), "\(refused.stderr)")
        two[5] = "3,yes,1"
        try (two.joined(separator: "\n") + "\n").write(to: bad, atomically: true, encoding: .utf8)
        let text = try pantau(["did", "--data", bad.path, "--outcome", "y", "--group", "g", "--post", "p"])
        #expect(text.status == 1 && text.stderr.contains("bad.csv:6: column 'g': 'yes' is not a number"), "\(text.stderr)")
    }

    @Test("H2: a new store, its folder and an export are readable by their owner only, whatever the umask")
    func permissions() throws {
        let workspace = try Workspace()
        let input = shortScript.map(\.line).joined(separator: "\n") + "\n:finish\n"
        #expect(try pantauWithInput(workspace.interview(), input: input).status == 0)
        func mode(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777 }
        #expect(try mode(workspace.db) == 0o600)
        #expect(try mode(workspace.folder.appendingPathComponent("data").path) == 0o700)
        let export = workspace.folder.appendingPathComponent("export").path
        let exported = try pantau(["export", "--db", workspace.db, "--questionnaire", "short", "--format", "long", "--out", export])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try mode(export) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: export)
        #expect(!files.isEmpty)
        for file in files { #expect(try mode(export + "/" + file) == 0o600, "\(file)") }
        let report = workspace.folder.appendingPathComponent("codebook.html").path
        #expect(try pantau(["codebook", workspace.form, "--format", "html", "--out", report]).status == 0)
        #expect(try mode(report) == 0o600)
    }

    @Test("H3: progress --by a level the frame does not have and interviews --status a status that does not exist are errors")
    func unknownValues() throws {
        let db = try temporaryDirectory().appendingPathComponent("s.sqlite").path
        #expect(try pantau(["rounds", "add", "2021-H1", "--db", db]).status == 0)
        let progress = try pantau(["progress", "--db", db, "--by", "nonsense"])
        #expect(progress.status == 1 && progress.stderr == "error: 'nonsense' is not a level of the sample frame; group by enumerator\n", "\(progress.stderr)")
        let interviews = try pantau(["interviews", "--db", db, "--status", "hacked"])
        #expect(
            interviews.status == 1 && interviews.stderr == "error: 'hacked' is not an interview status; use draft, completed, approved, rejected, discarded\n",
            "\(interviews.stderr)")
    }

    @Test("H4: an answer written as a spreadsheet formula is exported as text (a leading '); numbers keep their sign")
    func formulaInjection() throws {
        let workspace = try Workspace()
        var lines = shortScript.map(\.line)
        lines[1] = "=HYPERLINK(\"http://example.org\",\"click\")"
        #expect(try pantauWithInput(workspace.interview(), input: lines.joined(separator: "\n") + "\n:finish\n").status == 0)
        let export = workspace.folder.appendingPathComponent("export").path
        for format in ["csv", "long"] {
            #expect(try pantau(["export", "--db", workspace.db, "--questionnaire", "short", "--format", format, "--out", export]).status == 0)
        }
        let texts = try FileManager.default.contentsOfDirectory(atPath: export).filter { $0.hasSuffix(".csv") }.map {
            try String(contentsOfFile: export + "/" + $0, encoding: .utf8)
        }
        #expect(texts.count >= 2 && texts.filter { $0.contains("HYPERLINK") }.count >= 2, "both the wide and the long export hold the answer")
        for text in texts where text.contains("HYPERLINK") {
            #expect(text.contains("\"'=HYPERLINK(\"\"http://example.org\"\",\"\"click\"\")\""), "\(text)")
            #expect(!text.contains(",=HYPERLINK") && !text.contains("\"=HYPERLINK"))
        }
    }

    @Test("H5: a repeat_count beyond 1,000 is a validation error when written, and told to the enumerator when computed")
    func repeatLimit() throws {
        let workspace = try Workspace()
        let written = workspace.folder.appendingPathComponent("written.yaml")
        try """
        settings: {form_id: big, title: Big, version: "1", unit_level: village}
        survey:
          - {type: repeat, name: r, label: R, repeat_count: "100000", children: [{type: text, name: x, label: X}]}
        """.write(to: written, atomically: true, encoding: .utf8)
        let validated = try pantau(["validate", written.path])
        #expect(validated.status == 1)
        #expect(validated.stdout.contains("repeat_count of 'r' is 100000, but a repeat holds at most 1000 instances"), "\(validated.stdout)")
        let computed = workspace.folder.appendingPathComponent("computed.yaml")
        try """
        settings: {form_id: computed, title: Computed, version: "1", unit_level: village, languages: [en]}
        survey:
          - {type: integer, name: n, label: How many}
          - {type: repeat, name: r, label: R, repeat_count: "${n}", children: [{type: text, name: x, label: X}]}
        """.write(to: computed, atomically: true, encoding: .utf8)
        let arguments = workspace.interview().map { $0 == workspace.form ? computed.path : $0 }
        let run = try pantauWithInput(arguments, input: "5000\n")
        #expect(run.stdout.contains("! r asks for 5000 instances, but a repeat holds at most 1000: only 1000 are asked"), "\(run.stdout)")
    }

    @Test("H6: reading commands leave the store's bytes unchanged, and its content hash changes only with a write")
    func readOnlyOpens() throws {
        let workspace = try Workspace()
        let input = shortScript.map(\.line).joined(separator: "\n") + "\n:finish\n"
        #expect(try pantauWithInput(workspace.interview(), input: input).status == 0)
        func hash() throws -> String {
            let run = try pantau(["db", "check", "--db", workspace.db, "--hash"])
            #expect(run.status == 0, "\(run.stderr)")
            return String(try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("content sha256: ") }).dropFirst(16))
        }
        let first = try hash()
        #expect(first.count == 64)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: workspace.db))
        let uuid = try workspace.onlyInterview()
        for arguments in [
            ["interviews"], ["progress", "--by", "village"], ["show", uuid], ["review"], ["db", "check"], ["db", "schema"],
            ["export", "--questionnaire", "short", "--format", "csv", "--out", workspace.folder.appendingPathComponent("x").path],
        ] {
            let run = try pantau(arguments + ["--db", workspace.db])
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.db)) == bytes, "\(arguments) changed the store's bytes")
        }
        #expect(try hash() == first)
        #expect(try pantauWithInput(workspace.interview(unit: "1105010002"), input: "3\n").status == 3)
        #expect(try hash() != first, "a new draft changes the content hash")
    }

    @Test("H7: show withholds personal data in answers and the audit trail unless --include-pii")
    func personalData() throws {
        let workspace = try Workspace()
        let form = workspace.folder.appendingPathComponent("pii.yaml")
        try """
        settings: {form_id: pii, title: PII, version: "1", unit_level: village, languages: [en]}
        survey:
          - {type: text, name: phone, label: Phone, pii: true}
          - {type: integer, name: n, label: N}
        """.write(to: form, atomically: true, encoding: .utf8)
        let arguments = workspace.interview().map { $0 == workspace.form ? form.path : $0 }
        #expect(try pantauWithInput(arguments, input: "0812-555-0199\n4\n:finish\n").status == 0)
        let uuid = try workspace.onlyInterview()
        for format in ["text", "json"] {
            let hidden = try pantau(["show", uuid, "--db", workspace.db, "--format", format])
            #expect(hidden.status == 0)
            #expect(!hidden.stdout.contains("0812-555-0199") && hidden.stdout.contains("personal data withheld"), "\(hidden.stdout)")
            let shown = try pantau(["show", uuid, "--db", workspace.db, "--format", format, "--include-pii"])
            #expect(shown.stdout.contains("0812-555-0199"))
        }
    }

    @Test("H8: a frame with a village above a district, a level under itself, or a level under two levels is refused with its row")
    func frameLevels() throws {
        let folder = try temporaryDirectory()
        let header = "code,name,level,parent_code"
        let cases: [(String, String)] = [
            (
                "11,Aceh,province,\n1105,Aceh Barat,district,11\n1105010,Johan,subdistrict,1105\n1105010001,Desa,village,1105010\n9901,Odd,district,1105010001",
                "row 6: 9901 is a district under a village, but the district units of row 3 are under a province; each level sits under one level"
            ),
            (
                "11,Aceh,province,\n1105010001,Desa,village,11\n1105010002,Dusun,village,1105010001",
                "row 4: 1105010002 is a village under another village (1105010001); a level cannot contain itself"
            ),
            ("4,D,district,\n3,C,subdistrict,4\n2,B,village,3\n1,A,district,2", "the levels loop"),
        ]
        for (index, (rows, message)) in cases.enumerated() {
            let file = folder.appendingPathComponent("frame\(index).csv")
            try (header + "\n" + rows + "\n").write(to: file, atomically: true, encoding: .utf8)
            let db = folder.appendingPathComponent("s\(index).sqlite").path
            let run = try pantau(["frame", "import", file.path, "--db", db])
            #expect(run.status == 1, "\(rows): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }
}
