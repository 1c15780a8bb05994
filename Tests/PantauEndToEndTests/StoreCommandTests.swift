// L6: frame import and list, interviews and show, db check, through the binary.
import Foundation
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct StoreCommandTests {
    @Test("L6: frame import reports bad rows and imports nothing; list in three formats")
    func frameCommands() throws {
        let workspace = try Workspace()
        let bad = workspace.folder.appendingPathComponent("bad.csv")
        try "code,name,level,parent_code\n21,Riau,province,\n2101,,district,21\n2102,Kampar,district,99\n".write(to: bad, atomically: true, encoding: .utf8)
        let rejected = try pantau(["frame", "import", bad.path, "--db", workspace.db])
        #expect(rejected.status == 1)
        #expect(rejected.stderr == "error: the frame was not imported (1 problem; nothing was written):\n  row 3: name is empty\n")
        let csv = try pantau(["frame", "list", "--level", "village", "--format", "csv", "--db", workspace.db])
        #expect(csv.stdout == "code,name,level,parent_code,kompak\n1105010001,Desa Satu,village,1105010,1\n1105010002,Desa Dua,village,1105010,0\n")
        let json = try pantau(["frame", "list", "--format", "json", "--db", workspace.db])
        let units = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(units?.count == 5)
        #expect((units?.first?["attributes"] as? [String: String]) == ["kompak": "1"])
        let table = try pantau(["frame", "list", "--db", workspace.db])
        #expect(table.stdout.split(separator: "\n").first == "code        name            level        parent_code  kompak")
    }

    @Test("L6: interviews and show")
    func interviewListing() throws {
        let workspace = try Workspace()
        _ = try pantauWithInput(workspace.interview(), input: "7\nhello\n")
        let uuid = try workspace.onlyInterview()
        let csv = try pantau(["interviews", "--format", "csv", "--status", "draft", "--db", workspace.db])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "uuid,form_id,version,unit,unit_name,round,enumerator,status,answers,started_at,updated_at")
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("\(uuid),short,1,1105010001,Desa Satu,2021-H1,e1,draft,2,"))
        #expect(try pantau(["interviews", "--status", "completed", "--format", "csv", "--db", workspace.db]).stdout.split(separator: "\n").count == 1)
        let text = try pantau(["show", uuid, "--db", workspace.db])
        #expect(text.stdout.contains("  q1 = 7\n"))
        #expect(text.stdout.contains("  village_code = 1105010001  (prefilled)\n"))
        #expect(text.stdout.contains(" changed q2: ∅ → string:hello\n"))
        let missing = try pantau(["show", "nope", "--db", workspace.db])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: no interview nope in this store\n")
    }

    @Test("L6: a damaged store is refused by every command, and left as it was")
    func damagedStore() throws {
        let folder = try temporaryDirectory()
        let path = folder.appendingPathComponent("broken.sqlite").path
        let garbage = Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: path))
        for arguments in [["db", "check"], ["frame", "list"], ["interviews"]] {
            let run = try pantau(arguments + ["--db", path])
            #expect(run.status == 1)
            #expect(run.stderr.hasPrefix("error: \(path) is not a pantau store, or it is damaged"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }
}

@Suite(.temporaryFiles)
struct RoundCommandTests {
    @Test("rounds: add with dates, list in order, refuse bad dates")
    func rounds() throws {
        let workspace = try Workspace()
        #expect(try pantau(["rounds", "add", "2021-H1", "--starts", "2021-06-01", "--ends", "2021-07-15", "--db", workspace.db]).status == 0)
        #expect(try pantau(["rounds", "add", "2020-H2", "--db", workspace.db]).status == 0)
        let bad = try pantau(["rounds", "add", "2021-H2", "--starts", "2021-13-01", "--db", workspace.db])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--starts '2021-13-01' is not a date written YYYY-MM-DD"))
        let list = try pantau(["rounds", "list", "--db", workspace.db])
        #expect(list.stdout == "round    starts      ends\n-------  ----------  ----------\n2020-H2\n2021-H1  2021-06-01  2021-07-15\n")
    }

    @Test("rounds: codes of one scheme; anything else refused with exit 64 before anything is written")
    func roundCodes() throws {
        let workspace = try Workspace()
        for code in ["2021-2", "2021-x", "2021-H3", "21-H1", "2021-13"] {
            let refused = try pantau(["rounds", "add", code, "--db", workspace.db])
            #expect(refused.status == 64 && refused.stderr.contains("'\(code)' is not a round code: write YYYY-H1 or YYYY-H2"), "\(code): \(refused.stderr)")
        }
        #expect(try pantau(["rounds", "add", "2021-H1", "--db", workspace.db]).status == 0)
        let monthly = try pantau(["rounds", "add", "2021-03", "--db", workspace.db])
        #expect(monthly.status == 64 && monthly.stderr.contains("round '2021-03' is monthly (YYYY-MM), but the store's rounds are six-monthly"))
        let interview = try pantauWithInput(workspace.interview(["--round", "2021-2"]), input: "")
        #expect(interview.status == 64 && interview.stderr.contains("'2021-2' is not a round code"))
        let quarterly = try pantauWithInput(workspace.interview(["--round", "2021-Q1"]), input: "")
        #expect(quarterly.status == 64 && quarterly.stderr.contains("one store keeps to one scheme"))
        #expect(try pantau(["interviews", "--format", "json", "--db", workspace.db]).stdout.contains("2021-Q1") == false)
        let list = try pantau(["rounds", "list", "--db", workspace.db])
        #expect(list.stdout.contains("2021-H1") && !list.stdout.contains("2021-03") && !list.stdout.contains("2021-Q1"))
    }

    @Test("discard sets a stray draft aside, logged; rounds remove takes only a round no interview uses")
    func discardAndRemove() throws {
        let workspace = try Workspace()
        #expect(try pantau(["rounds", "add", "2021-H2", "--db", workspace.db]).status == 0)
        #expect(try pantauWithInput(workspace.interview(), input: "7\n").status == 3)
        let uuid = try workspace.onlyInterview()
        let used = try pantau(["rounds", "remove", "2021-H1", "--db", workspace.db])
        #expect(used.status == 1 && used.stderr.contains("round 2021-H1 has 1 interview"))
        #expect(try pantau(["discard", uuid, "--reason", " ", "--db", workspace.db]).status == 64)
        let discarded = try pantau(["discard", uuid, "--reason", "wrong village", "--db", workspace.db])
        #expect(discarded.status == 0 && discarded.stdout == "set aside \(uuid)\n", "\(discarded.stderr)")
        let audit = try workspace.showJSON(uuid)["audit"] as? [[String: Any]] ?? []
        #expect(audit.contains { $0["event"] as? String == "discarded" && $0["detail"] as? String == "wrong village" })
        let again = try pantau(["discard", uuid, "--reason", "twice", "--db", workspace.db])
        #expect(again.status == 1 && again.stderr.contains("only drafts"))
        #expect(try pantau(["rounds", "remove", "2021-H2", "--db", workspace.db]).status == 0)
        #expect(try pantau(["rounds", "remove", "2021-H2", "--db", workspace.db]).stderr.contains("the store has no round 2021-H2"))
        #expect(!(try pantau(["rounds", "list", "--db", workspace.db]).stdout.contains("2021-H2")))
    }
}

@Suite(.temporaryFiles)
struct ReadOnlyCommandTests {
    @Test("commands that only read refuse a store path that does not exist, name it, and create nothing")
    func missingStore() throws {
        let folder = try temporaryDirectory()
        let path = folder.appendingPathComponent("typo/pantau.sqlite").path
        let commands: [[String]] = [
            ["interviews"], ["show", "0190a0a0-0000-7000-8000-000000000000"], ["progress"], ["review"], ["duplicates"],
            ["export", "--questionnaire", "desa", "--format", "csv", "--out", folder.appendingPathComponent("x").path],
            ["indicators", "Analysis/kompak/indicators.yaml"], ["did", "Analysis/kompak/did-sid.yaml"], ["db", "check"], ["db", "schema"],
            ["frame", "list"], ["rounds", "list"], ["rounds", "remove", "2021-H1"], ["approve", "u"], ["reject", "u", "--comment", "c"],
            ["resolve", "u", "--keep", "--reason", "r"], ["discard", "u", "--reason", "r"],
        ]
        for command in commands {
            let run = try pantau(command + ["--db", path])
            #expect(run.status == 1, "\(command): \(run.stderr)")
            #expect(run.stderr.hasPrefix("error: there is no store at \(path); check --db"), "\(command): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("typo").path))
    }
}
