// The field-data commands through the binary: merge (and a merge killed part-way), duplicates, resolve,
// review, approve, reject, progress.
import Foundation
import Glibc
import TestSupport
import Testing
import ZIPFoundation

/// A folder with a frame of 600 villages, a short questionnaire, and a field store simulated from them.
struct FieldWorkspace {
    let folder: URL
    var source: String { folder.appendingPathComponent("field.sqlite").path }
    var central: String { folder.appendingPathComponent("central.sqlite").path }

    init(villages: Int = 600, rounds: String = "2021-H1,2021-H2,2022-H1,2022-H2", seed: Int = 1) throws {
        folder = try temporaryDirectory()
        let rows =
            ["code,name,level,parent_code", "1,Province,province,", "11,District,district,1", "111,Sub-district,subdistrict,11"]
            + (0..<villages).map { "111\(String(format: "%04d", $0)),Village \($0),village,111" }
        try (rows.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("frame.csv"), atomically: true, encoding: .utf8)
        try """
        settings: {form_id: f, title: F, version: "1", unit_level: village}
        survey:
          - {type: integer, name: a, label: A}
          - {type: integer, name: b, label: B}
          - {type: text, name: c, label: C}
        """.write(to: folder.appendingPathComponent("f.yaml"), atomically: true, encoding: .utf8)
        let simulated = try pantau(
            [
                "simulate", "--frame", "frame.csv", "--questionnaire", "f.yaml", "--rounds", rounds, "--seed", String(seed),
                "--db", source,
            ], directory: folder)
        guard simulated.status == 0 else { throw SetupFailure(message: "simulate: \(simulated.stderr)") }
    }

    func count(_ table: String, in store: String) throws -> Int {
        let run = try pantau(["interviews", "--format", "json", "--db", store])
        let list = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] ?? []
        return table == "interviews" ? list.count : 0
    }
}

@Suite(.temporaryFiles)
struct FieldDataCommandTests {
    @Test("merge: a summary per file, the same file twice changes nothing, bad files refused with exit 1, a store into itself is a usage error")
    func merge() throws {
        let workspace = try FieldWorkspace(villages: 20, rounds: "2021-H1,2021-H2")
        let first = try pantau(["merge", workspace.source, "--into", workspace.central])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "\(workspace.source): 40 new, 0 updated, 0 unchanged, 0 duplicates, 0 rejected\n")
        let again = try pantau(["merge", workspace.source, "--into", workspace.central])
        #expect(again.stdout == "\(workspace.source): 0 new, 0 updated, 40 unchanged, 0 duplicates, 0 rejected\n")
        let garbage = workspace.folder.appendingPathComponent("photo.sqlite")
        try Data(repeating: 0xAB, count: 10_000).write(to: garbage)
        let refused = try pantau(["merge", garbage.path, "--into", workspace.central])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not a pantau store, or it is damaged"), "\(refused.stderr)")
        #expect(try workspace.count("interviews", in: workspace.central) == 40)
        let itself = try pantau(["merge", workspace.central, "--into", workspace.central])
        #expect(itself.status == 64)
        let check = try pantau(["db", "check", "--db", workspace.central])
        #expect(check.status == 0 && check.stdout.contains("002-import-log"))
    }

    @Test(
        "merge killed at random moments: the central store is sound and has all of the file or none of it; the next merge completes it",
        arguments: [1, 2, 3] as [UInt64])
    func killedMerge(seed: UInt64) throws {
        let workspace = try FieldWorkspace()
        var random = seed &* 2_862_933_555_777_941_757 &+ 3_037_000_493
        for _ in 0..<3 {
            random = random &* 2_862_933_555_777_941_757 &+ 3_037_000_493
            let delay = 0.05 + Double((random >> 33) % 2_000) / 1_000  // 0.05 to 2 s: opening, reading, writing or committing
            let devNull = try openFile("/dev/null", writing: true)
            let stdin = try openFile("/dev/null", writing: false)
            let child = try ChildProcess(
                executable: pantauBinary.path, arguments: ["merge", workspace.source, "--into", workspace.central],
                environment: childEnvironment(), directory: workspace.folder.path, stdin: stdin, stdout: devNull, stderr: devNull)
            close(devNull)
            close(stdin)
            usleep(UInt32(delay * 1_000_000))
            child.kill()
            guard FileManager.default.fileExists(atPath: workspace.central) else { continue }
            let check = try pantau(["db", "check", "--db", workspace.central])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            #expect([0, 2_400].contains(try workspace.count("interviews", in: workspace.central)))
        }
        let finished = try pantau(["merge", workspace.source, "--into", workspace.central])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try workspace.count("interviews", in: workspace.central) == 2_400)
        #expect(finished.stdout.contains("0 duplicates, 0 rejected"))
    }

    @Test("duplicates, resolve, review, approve, reject and progress")
    func supervision() throws {
        let one = try FieldWorkspace(villages: 4, rounds: "2021-H1")
        let two = try FieldWorkspace(villages: 4, rounds: "2021-H1", seed: 2)  // the same villages, other interviews
        let merged = try pantau(["merge", one.source, two.source, "--into", one.central])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("\(two.source): 0 new, 0 updated, 0 unchanged, 4 duplicates, 0 rejected"), "\(merged.stdout)")
        let listed = try pantau(["duplicates", "--db", one.central])
        #expect(listed.stdout.split(separator: "\n").count == 2 + 8, "\(listed.stdout)")
        let list =
            try JSONSerialization.jsonObject(with: Data(try pantau(["interviews", "--format", "json", "--db", one.central]).stdout.utf8)) as? [[String: Any]]
            ?? []
        let firstVillage = list.filter { $0["unit"] as? String == "1110000" }.compactMap { $0["uuid"] as? String }
        #expect(firstVillage.count == 2)
        let resolve = try pantau(["resolve", firstVillage[0], "--keep", "--reason", "the first visit is complete", "--db", one.central])
        #expect(resolve.status == 0 && resolve.stdout == "kept \(firstVillage[0]); set aside \(firstVillage[1])\n", "\(resolve.stdout)\(resolve.stderr)")
        #expect(try pantau(["resolve", firstVillage[0], "--reason", "x", "--db", one.central]).status == 64)  // --keep is required
        let review = try pantau(["review", "--round", "2021-H1", "--format", "json", "--db", one.central])
        #expect(review.status == 0)
        let reject = try pantau(["reject", firstVillage[0], "--comment", "check the text answer", "--reviewer", "sup", "--db", one.central])
        #expect(reject.status == 0 && reject.stdout == "rejected \(firstVillage[0]): check the text answer\n")
        let approveDiscarded = try pantau(["approve", firstVillage[1], "--db", one.central])
        #expect(approveDiscarded.status == 1 && approveDiscarded.stderr.contains("is discarded; only completed interviews"))
        let progress = try pantau(["progress", "--round", "2021-H1", "--by", "subdistrict", "--format", "json", "--db", one.central])
        let object = try JSONSerialization.jsonObject(with: Data(progress.stdout.utf8)) as? [String: Any] ?? [:]
        let groups = object["groups"] as? [[String: Any]] ?? []
        #expect(groups.count == 1)
        #expect(groups.first?["units"] as? Int == 4 && groups.first?["completed"] as? Int == 3 && groups.first?["rejected"] as? Int == 1)
        let table = try pantau(["progress", "--db", one.central])
        #expect(table.stdout.hasPrefix("round 2021-H1\n") && table.stdout.contains("75%"), "\(table.stdout)")
        // The central store goes back to the device: the rejected interview reopens there with the comment (the
        // interview set aside as a duplicate is passed over).
        let back = try pantau(["merge", one.central, "--into", one.source])
        #expect(back.status == 0, "\(back.stderr)")
        let reopened = try pantau(
            [
                "interview", one.folder.appendingPathComponent("f.yaml").path, "--unit", "1110000", "--round", "2021-H1",
                "--enumerator", "e", "--db", one.source, "--lang", "en",
            ], input: Data())
        #expect(reopened.status == 3, "\(reopened.stderr)")
        #expect(reopened.stdout.contains("Sent back by the supervisor: check the text answer (sup)"), "\(reopened.stdout)")
    }
}

@Suite(.temporaryFiles)
struct MergeRoundTests {
    @Test("merge: a field store on another round scheme is refused whole with exit 64, the others are merged")
    func otherScheme() throws {
        let halfYears = try FieldWorkspace(villages: 4, rounds: "2021-H1")
        let months = try FieldWorkspace(villages: 4, rounds: "2021-06", seed: 3)
        let central = halfYears.folder.appendingPathComponent("central.sqlite").path
        let run = try pantau(["merge", halfYears.source, months.source, "--into", central])
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("round '2021-06' is monthly (YYYY-MM), but the store's rounds are six-monthly"))
        let rounds = try pantau(["rounds", "list", "--db", central])
        #expect(rounds.stdout.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["2021-H1"])
    }
}

@Suite(.temporaryFiles)
struct ConvertCommandTests {
    @Test("convert: YAML to an XLSForm and back; validate and codebook take the .xlsx; a YAML target without -o .xlsx is a usage error")
    func convert() throws {
        let folder = try temporaryDirectory()
        let yaml = repositoryRoot.appendingPathComponent("Questionnaires/kompak/kecamatan.yaml").path
        let xlsx = folder.appendingPathComponent("kecamatan.xlsx").path
        let written = try pantau(["convert", yaml, "-o", xlsx])
        #expect(written.status == 0 && written.stderr == "wrote \(xlsx)\n", "\(written.stderr)")
        let validated = try pantau(["validate", xlsx])
        #expect(validated.status == 0 && validated.stdout.contains("\(xlsx): ok: kecamatan version 2021-H2"), "\(validated.stdout)")
        #expect(try pantau(["codebook", xlsx]).stdout == (try pantau(["codebook", yaml])).stdout)
        let back = try pantau(["convert", xlsx])
        #expect(back.status == 0 && back.stdout.hasPrefix("settings:\n  form_id: \"kecamatan\"\n"), "\(back.stdout.prefix(200))")
        #expect(try pantau(["convert", yaml]).status == 64)
        // An interview straight from an XLSForm, through the line protocol.
        let workspace = try Workspace()
        let form = folder.appendingPathComponent("short.xlsx").path
        #expect(try pantau(["convert", workspace.form, "-o", form]).status == 0)
        let interview = try pantau(
            [
                "interview", form, "--unit", "1105010001", "--round", "2021-H1", "--enumerator", "e1", "--db", workspace.db,
                "--lang", "en",
            ], input: Data("7\n".utf8))
        #expect(interview.status == 3, "\(interview.stderr)")
        #expect(try workspace.answers(workspace.onlyInterview())["q1"] == "7")
        let broken = folder.appendingPathComponent("broken.xlsx")
        try Data("not a workbook".utf8).write(to: broken)
        let refused = try pantau(["validate", broken.path])
        #expect(refused.status == 1 && refused.stdout.contains("cannot read the XLSForm"), "\(refused.stdout)")
        // A workbook whose survey sheet is cut in the middle of its XML: refused, never read as a shorter form.
        let cut = folder.appendingPathComponent("cut.xlsx").path
        try cutSheet(of: xlsx, to: cut)
        let damaged = try pantau(["validate", cut])
        #expect(damaged.status == 1 && damaged.stdout.contains("the workbook is damaged: its part xl/worksheets/sheet1.xml"), "\(damaged.stdout)")
    }

    /// A copy of the workbook with its first sheet's XML cut in half.
    func cutSheet(of source: String, to target: String) throws {
        let original = try Archive(url: URL(fileURLWithPath: source), accessMode: .read)
        let copy = try Archive(url: URL(fileURLWithPath: target), accessMode: .create)
        for entry in original {
            var bytes = Data()
            _ = try original.extract(entry) { bytes.append($0) }
            if entry.path == "xl/worksheets/sheet1.xml" { bytes = bytes.prefix(bytes.count / 2) }
            try copy.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(bytes.count)) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }
}

@Suite(.temporaryFiles)
struct RacingProcessTests {
    @Test("an interview, a merge, an export and the supervision listings racing on one store: all succeed, nothing is locked out or lost")
    func racing() throws {
        let workspace = try FieldWorkspace(villages: 150)
        #expect(try pantau(["merge", workspace.source, "--into", workspace.central]).status == 0)
        #expect(try pantau(["rounds", "add", "2023-H1", "--db", workspace.central]).status == 0)
        let folder = workspace.folder
        let input = folder.appendingPathComponent("answers.txt")
        try "1\n2\nthree\n:finish\n".write(to: input, atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["interview", "f.yaml", "--unit", "1110001", "--round", "2023-H1", "--enumerator", "e9", "--db", workspace.central],
            ["merge", workspace.source, "--into", workspace.central],
            ["export", "--questionnaire", "f", "--format", "csv", "--out", folder.appendingPathComponent("export").path, "--db", workspace.central],
            ["progress", "--by", "district", "--db", workspace.central],
            ["review", "--db", workspace.central],
            ["interviews", "--db", workspace.central],
            ["db", "check", "--db", workspace.central],
        ]
        var children: [(ChildProcess, String)] = []
        for (index, arguments) in commands.enumerated() {
            let stdin = try openFile(index == 0 ? input.path : "/dev/null", writing: false)
            let stdout = try openFile(folder.appendingPathComponent("out\(index)").path, writing: true)
            let errPath = folder.appendingPathComponent("err\(index)").path
            let stderr = try openFile(errPath, writing: true)
            children.append(
                (
                    try ChildProcess(
                        executable: pantauBinary.path, arguments: arguments, environment: childEnvironment(), directory: folder.path, stdin: stdin,
                        stdout: stdout, stderr: stderr), errPath
                ))
            close(stdin)
            close(stdout)
            close(stderr)
        }
        for ((child, errPath), arguments) in zip(children, commands) {
            let termination = child.wait(timeout: 300)
            let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            #expect(termination == .exited(0), "\(arguments[0]): \(termination) \(errors)")
            #expect(!errors.contains("locked"), "\(arguments[0]): \(errors)")
        }
        let show = try pantau(["interviews", "--db", workspace.central, "--round", "2023-H1", "--format", "csv"])
        #expect(show.stdout.contains(",e9,completed,"), "\(show.stdout)")
        #expect(try pantau(["db", "check", "--db", workspace.central]).status == 0)
    }
}
