// Requirements covered here (the `pantau` executable, run as a child process):
// R1 validate: exit 0 and a one-line summary for a valid file; every problem as FILE:LINE:COLUMN: error: … and
//    exit 1 for an invalid one; all files of one call are checked
// R2 codebook writes Markdown or one self-contained HTML file
// R3 diff exits 0 when comparability is kept, 1 when it breaks, 2 for an invalid file
// R4 no colour codes when stdout is not a terminal; bad arguments exit 64 with usage
import Foundation
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct CommandTests {
    @Test(
        "R4: --help, help COMMAND and --version print to standard output and exit 0",
        arguments: [["--help"], ["did", "--help"], ["help", "did"], ["--version"]])
    func help(_ arguments: [String]) throws {
        let run = try pantau(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("CommandError"), "\(run.stderr)")
        if arguments == ["--version"] {
            #expect(run.stdout.hasPrefix("0."))
        } else {
            #expect(run.stdout.contains("USAGE: pantau"), "\(run.stdout)")
            if arguments.contains("did") { #expect(run.stdout.contains("--se")) }
        }
    }

    @Test("R1: a valid file gives a one-line summary and exit 0")
    func validFile() throws {
        let run = try pantau(["validate", "Questionnaires/examples/household.yaml"])
        #expect(run.status == 0)
        #expect(
            run.stdout
                == "Questionnaires/examples/household.yaml: ok: household_example version 2021-H1: 34 items, 21 questions, 2 groups, 2 repeats, 5 choice lists, languages: id, en\n"
        )
    }

    @Test("R1: an invalid file lists every problem with its place, exit 1")
    func invalidFile() throws {
        let folder = try temporaryDirectory()
        let file = folder.appendingPathComponent("bad.yaml")
        try """
        settings:
          form_id: bad
          title: Bad
          version: "1"
        survey:
          - type: integr
            name: a
            label: A
          - type: integer
            name: b
            label: B
            relevnt: ${a} > 1
            constraint: . > 1 and foo(.)

        """.write(to: file, atomically: true, encoding: .utf8)
        let run = try pantau(
            ["validate", "--brief", "bad.yaml", "Questionnaires/examples/household.yaml"].map {
                $0 == "bad.yaml" ? file.path : $0
            })
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "\(file.path):6:11: error: unknown type 'integr'; did you mean integer? [Q010]",
                "\(file.path):12:5: error: unknown key 'relevnt' on an item; did you mean relevant? [Q003]",
                "\(file.path):13:27: error: there is no function 'foo' [X002]",
                "\(file.path): 3 errors, 0 warnings",
                "Questionnaires/examples/household.yaml: ok: household_example version 2021-H1: 34 items, 21 questions, 2 groups, 2 repeats, 5 choice lists, languages: id, en",
            ])
    }

    @Test("R1: the source line and caret follow each diagnostic unless --brief")
    func sourceSnippet() throws {
        let folder = try temporaryDirectory()
        let file = folder.appendingPathComponent("bad.yaml")
        try "settings:\n  form_id: x\n  title: X\n  version: \"1\"\nsurvey:\n  - type: integer\n    name: a\n    label: A\n    required: maybe\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try pantau(["validate", file.path])
        #expect(run.status == 1)
        #expect(
            run.stdout.contains(
                """
                \(file.path):9:15: error: required must be true, false or an expression such as ${age} >= 18, not 'maybe' [Q004]
                        required: maybe
                                  ^
                """))
    }

    @Test("R1: a missing file is an error, not a crash")
    func missingFile() throws {
        let run = try pantau(["validate", "nope.yaml"])
        #expect(run.status == 1)
        #expect(run.stdout.hasPrefix("nope.yaml:1:1: error: cannot open the questionnaire: no such file [Q001]"))
    }

    @Test("R2: codebook as Markdown and as one offline HTML file")
    func codebook() throws {
        let markdown = try pantau(["codebook", "Questionnaires/examples/household.yaml"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("# Codebook: Contoh survei rumah tangga\n"))
        let folder = try temporaryDirectory()
        let out = folder.appendingPathComponent("reports/codebook.html")
        let html = try pantau(["codebook", "Questionnaires/examples/household.yaml", "--format", "html", "--out", out.path])
        #expect(html.status == 0)
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>"))
        #expect(!text.contains("http://") && !text.contains("https://") && !text.contains("<script"))
    }

    @Test("R3: diff exit status")
    func diff() throws {
        let kept = try pantau(["diff", "Questionnaires/examples/household.yaml", "Questionnaires/examples/household-2021-H2.yaml"])
        #expect(kept.status == 0)
        #expect(kept.stdout.contains("longitudinal comparability is kept"))

        let folder = try temporaryDirectory()
        let old = folder.appendingPathComponent("old.yaml")
        let new = folder.appendingPathComponent("new.yaml")
        let form =
            "settings: {form_id: t, title: T, version: \"1\"}\nsurvey:\n  - {type: select_one s, name: s, label: S}\nchoices:\n  s:\n    - {name: a, label: A}\n    - {name: b, label: B}\n"
        try form.write(to: old, atomically: true, encoding: .utf8)
        try form.replacingOccurrences(of: "    - {name: b, label: B}\n", with: "").write(to: new, atomically: true, encoding: .utf8)
        let broken = try pantau(["diff", old.path, new.path])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("! s: choice codes removed: b  [breaks comparability]"))

        try "survey: [".write(to: new, atomically: true, encoding: .utf8)
        let invalid = try pantau(["diff", old.path, new.path])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("error: malformed YAML"))
    }

    @Test("R4: plain output without a terminal, and with NO_COLOR")
    func noColour() throws {
        for environment in [[:], ["NO_COLOR": "1"]] {
            let run = try pantau(["validate", "nope.yaml"], environment: environment)
            #expect(!run.stdout.contains("\u{1B}["))
        }
    }

    @Test("R4: bad arguments exit 64 with usage")
    func usage() throws {
        let run = try pantau(["codebook", "x.yaml", "--format", "pdf"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Usage:"))
        let none = try pantau(["validate"])
        #expect(none.status == 64)
    }
}

@Suite(.temporaryFiles)
struct AnalysisFileTests {
    @Test("every specification in Analysis/ validates")
    func specifications() throws {
        let files =
            FileManager.default.enumerator(atPath: repositoryRoot.appendingPathComponent("Analysis").path)?
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.map { "Analysis/" + $0 } ?? []
        #expect(!files.isEmpty)
        let run = try pantau(["validate", "--brief"] + files)
        #expect(run.status == 0, "\(run.stdout)")
    }
}

@Suite(.temporaryFiles)
struct DiDCommandTests {
    @Test("did --data: Wooldridge 13.3 through the command, JSON with broom's names; the cluster is never implicit")
    func kielmc() throws {
        let data = referenceData("kielmc.csv").path
        let run = try pantau(["did", "--data", data, "--outcome", "rprice", "--group", "nearinc", "--post", "y81", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let terms = object?["terms"] as? [[String: Any]] ?? []
        let interaction = terms.first { $0["term"] as? String == "nearinc:y81" }
        #expect(abs((interaction?["estimate"] as? Double ?? 0) - -11_863.90) < 0.005)
        #expect(abs((interaction?["std_error"] as? Double ?? 0) - 7_456.65) < 0.005)
        #expect(object?["n_obs"] as? Int == 321)
        #expect(Set(interaction?.keys.map { $0 } ?? []) == ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high", "df"])
        let implicit = try pantau(["did", "--data", data, "--outcome", "rprice", "--group", "nearinc", "--post", "y81", "--se", "cr1"])
        #expect(implicit.status == 64)
        #expect(implicit.stderr.contains("--se cr1 needs --cluster"))
        let unknown = try pantau(["did", "--data", data, "--outcome", "price2", "--group", "nearinc", "--post", "y81"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("error: \(data) has no column 'price2'"))
    }

    @Test("did --data --se cr2: Bell–McCaffrey standard errors and Satterthwaite degrees of freedom as R's clubSandwich gives them")
    func cr2() throws {
        // The 9-cluster design of the wild bootstrap fixture as a 2×2: d as the group, alternate rows as the post period.
        let fixture = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/AnalysisTests/Fixtures/wild_data.csv"), encoding: .utf8)
        var csv = "cluster,y,group,post\n"
        for (index, line) in fixture.split(separator: "\n").dropFirst().enumerated() {
            let fields = line.split(separator: ",")
            guard fields[0] == "9" else { continue }
            csv += "\(fields[1]),\(fields[2]),\(Int(Double(fields[4])!)),\(index % 2)\n"
        }
        let path = try temporaryDirectory().appendingPathComponent("two.csv")
        try csv.write(to: path, atomically: true, encoding: .utf8)
        let run = try pantau(
            ["did", "--data", path.path, "--outcome", "y", "--group", "group", "--post", "post", "--cluster", "cluster", "--se", "cr2", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let interaction = (object?["terms"] as? [[String: Any]] ?? []).first { $0["term"] as? String == "group:post" }
        // clubSandwich 0.5.8: coef_test(lm(y ~ group * post), vcov = "CR2", cluster = cluster, test = "Satterthwaite").
        #expect(abs((interaction?["std_error"] as? Double ?? 0) - 0.5125551336) < 1e-9)
        #expect(abs((interaction?["df"] as? Double ?? 0) - 6.5675675676) < 1e-8)
        #expect(abs((interaction?["p_value"] as? Double ?? 0) - 0.2969483760) < 1e-8)
        let markdown = try pantau(["did", "--data", path.path, "--outcome", "y", "--group", "group", "--post", "post", "--cluster", "cluster", "--se", "cr2"])
        #expect(markdown.stdout.contains("Satterthwaite degrees of freedom ((Intercept) 4.00, group 6.05, post 4.00, group:post 6.57)"))
    }

    @Test(
        "did --data on a panel with --se cr2: TWFE, Sun & Abraham and two-stage take CR2, other estimators say they keep theirs; --se hc1 is refused for a panel"
    )
    func panelCR2() throws {
        // The did2s panel's rows in 9 of its clusters (a quick bootstrap: Webb weights, sampled draws).
        let fixture = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/AnalysisTests/Fixtures/did2s_panel.csv"), encoding: .utf8)
        let lines = fixture.split(separator: "\n")
        let kept = lines.dropFirst().filter { (Int($0.split(separator: ",")[3]) ?? 99) < 9 }
        let data = try temporaryDirectory().appendingPathComponent("panel.csv")
        try ([String(lines[0])] + kept.map(String.init)).joined(separator: "\n").write(to: data, atomically: true, encoding: .utf8)
        let base = ["did", "--data", data.path, "--outcome", "y", "--unit", "unit", "--time", "period", "--cohort", "cohort", "--cluster", "cluster"]
        let run = try pantau(base + ["--estimator", "twfe,sun_abraham,two_stage,callaway_santanna", "--no-sensitivity", "--se", "cr2", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let tables = object?["estimators"] as? [[String: Any]] ?? []
        func table(_ estimator: String) -> [String: Any]? { tables.first { $0["estimator"] as? String == estimator } }
        #expect((table("twfe")?["se_type"] as? String)?.hasPrefix("CR2 clustered by cluster") == true)
        #expect((table("sun_abraham")?["se_type"] as? String)?.hasPrefix("CR2 clustered by cluster") == true)
        #expect((table("twfe")?["notes"] as? [String])?.contains { $0.contains("Satterthwaite degrees of freedom: treated") } == true)
        #expect((table("two_stage")?["se_type"] as? String)?.hasPrefix("CR2 clustered by cluster") == true)
        #expect((table("two_stage")?["notes"] as? [String])?.contains { $0.contains("Satterthwaite degrees of freedom: treated") } == true)
        #expect((table("callaway_santanna")?["notes"] as? [String])?.contains { $0.hasPrefix("CR2 was asked for") } == true)
        let refused = try pantau(base + ["--se", "hc1"])
        #expect(refused.status != 0 && refused.stderr.contains("panel estimators always cluster"))
    }

    @Test("did --data with --unit: the same bytes in every process (sums in the units' order, not a dictionary's)")
    func reproducible() throws {
        // Each process seeds Swift's hashing anew, so an order taken from a dictionary changes the last digits.
        let arguments = [
            "did", "--data", referenceData("card_krueger.csv").path, "--outcome", "fte", "--group", "nj", "--post", "post",
            "--unit", "store", "--format", "json",
        ]
        let runs = try (0..<4).map { _ in try pantau(arguments) }
        #expect(runs.allSatisfy { $0.status == 0 })
        #expect(Set(runs.map(\.stdout)).count == 1, "\(Set(runs.map(\.stdout)).count) different outputs")
    }
}

@Suite(.temporaryFiles)
struct DiDComparisonCommandTests {
    @Test("did --data --comparison: never treated as R did's default, not yet treated as pantau's; both equal csdid's simple ATT")
    func comparison() throws {
        func simple(_ comparison: String) throws -> Double? {
            let run = try pantau([
                "did", "--data", referenceData("mpdta.csv").path, "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort",
                "first_treat", "--estimator", "callaway_santanna", "--comparison", comparison, "--format", "json",
            ])
            let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            let terms = (object?["estimators"] as? [[String: Any]])?.first?["terms"] as? [[String: Any]]
            return terms?.first { $0["term"] as? String == "overall ATT (simple)" }?["estimate"] as? Double
        }
        #expect(abs(try #require(try simple("never_treated")) - -0.039951275155177005) < 1e-6)
        #expect(abs(try #require(try simple("not_yet_treated")) - -0.039763625623044384) < 1e-6)
        let bad = try pantau(["did", "--data", "x.csv", "--outcome", "y", "--unit", "u", "--time", "t", "--cohort", "g", "--comparison", "all"])
        #expect(bad.status == 64 && bad.stderr.contains("--comparison is not_yet_treated or never_treated"))
    }
}

@Suite(.temporaryFiles)
struct DiDPanelCommandTests {
    @Test("did --data as a panel: TWFE and Callaway & Sant'Anna on mpdta through the command agree with the references")
    func mpdta() throws {
        let data = referenceData("mpdta.csv").path
        let run = try pantau([
            "did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first_treat",
            "--estimator", "twfe,callaway_santanna", "--format", "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // --timing reports the phases on stderr and leaves the tables as they were.
        let timed = try pantau([
            "did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first_treat",
            "--estimator", "twfe,callaway_santanna", "--format", "json", "--timing",
        ])
        #expect(timed.stdout == run.stdout)
        #expect(timed.stderr.contains("timing: read CSV ") && timed.stderr.contains(", estimate ") && timed.stderr.contains(", write "))
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let estimators = object?["estimators"] as? [[String: Any]] ?? []
        func term(_ estimator: String, _ name: String) -> [String: Any]? {
            (estimators.first { $0["estimator"] as? String == estimator }?["terms"] as? [[String: Any]])?.first { $0["term"] as? String == name }
        }
        // pyfixest: -0.03654893667406722 (0.013265155429338923, CR1 by county); csdid (not yet treated): -0.039763625623044384.
        #expect(abs((term("twfe", "treated")?["estimate"] as? Double ?? 0) - -0.03654893667406722) < 1e-9)
        #expect(abs((term("twfe", "treated")?["std_error"] as? Double ?? 0) - 0.013265155429338923) < 1e-8)
        #expect(abs((term("callaway_santanna", "overall ATT (simple)")?["estimate"] as? Double ?? 0) - -0.039763625623044384) < 1e-9)
        #expect((object?["notes"] as? [String])?.contains("no --cluster: standard errors at the unit level") == true)
        let bad = try pantau(["did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year"])
        #expect(bad.status == 64)
        // Weighted estimators through the command (the weights are lpop itself here; the weighted estimates are
        // checked against pyfixest in AnalysisTests): TWFE and the event study say they are weighted and differ
        // from the unweighted ones, and so does Callaway & Sant'Anna.
        let weighted = try pantau([
            "did", "--data", data, "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first_treat",
            "--weights", "lpop", "--format", "json",
        ])
        #expect(weighted.status == 0)
        let weightedObject = try JSONSerialization.jsonObject(with: Data(weighted.stdout.utf8)) as? [String: Any]
        let weightedEstimators = weightedObject?["estimators"] as? [[String: Any]] ?? []
        func notes(_ prefix: String) -> [String] {
            weightedEstimators.first { $0["estimator"] as? String == prefix }?["notes"] as? [String] ?? []
        }
        #expect(notes("twfe").contains { $0.contains("population-weighted") })
        #expect(notes("event_study").contains { $0.contains("population-weighted") })
        #expect(notes("callaway_santanna").contains { $0.contains("population-weighted ATT") })
        let weightedTWFE =
            (weightedEstimators.first { $0["estimator"] as? String == "twfe" }?["terms"] as? [[String: Any]])?
            .first { $0["term"] as? String == "treated" }?["estimate"] as? Double
        #expect(weightedTWFE != nil && abs(weightedTWFE! - -0.03654893667406722) > 1e-6)
    }

    @Test("did --data as a panel: a cohort that is not a period, and weights that are not positive, are named errors")
    func badPanelInput() throws {
        let file = try temporaryDirectory().appendingPathComponent("panel.csv")
        try "unit,year,y,g,w,d\n1,2001,1.0,2001,1,1\n1,2002,2.0,2001,1,1\n2,2001,1.5,0,0,0\n2,2002,1.7,0,0,0\n3,2001,1.1,2009,1,0\n3,2002,1.2,2009,1,1\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let cohort = try pantau(["did", "--data", file.path, "--outcome", "y", "--unit", "unit", "--time", "year", "--cohort", "g", "--estimator", "twfe"])
        #expect(cohort.status == 1)
        #expect(cohort.stderr == "error: cohort '2009' of unit 3 is not one of the periods (2001, 2002)\n", "\(cohort.stderr)")
        let weights = try pantau([
            "did", "--data", file.path, "--outcome", "y", "--unit", "unit", "--time", "year", "--treat", "d", "--weights", "w",
            "--estimator", "twfe",
        ])
        #expect(weights.status == 1)
        #expect(weights.stderr == "error: the survey weights must be positive numbers, one per unit\n", "\(weights.stderr)")
    }

    @Test("did --data --covariates: a time-varying covariate enters TWFE and the event study row by row; a constant one is set aside")
    func covariates() throws {
        let source = referenceData("mpdta.csv")
        let lines = try String(contentsOf: source, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        let year = header.firstIndex(of: "year")!, lpop = header.firstIndex(of: "lpop")!
        var out = lines[0] + ",x\n"
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            out += line + "," + String(Double(fields[lpop])! * (Double(fields[year])! - 2003)) + "\n"
        }
        let file = try temporaryDirectory().appendingPathComponent("mpdta_x.csv")
        try out.write(to: file, atomically: true, encoding: .utf8)
        let run = try pantau([
            "did", "--data", file.path, "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first_treat",
            "--covariates", "x,lpop", "--estimator", "twfe,event_study", "--format", "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let estimators = object?["estimators"] as? [[String: Any]] ?? []
        let twfe = estimators.first { $0["estimator"] as? String == "twfe" }
        let treated = (twfe?["terms"] as? [[String: Any]])?.first { $0["term"] as? String == "treated" }
        // pyfixest feols(lemp ~ d + x | countyreal + year), CR1 by county (Tests/AnalysisTests/Fixtures/mpdta_twfe.csv).
        #expect(abs((treated?["estimate"] as? Double ?? 0) - -0.03984907150240009) < 1e-9)
        #expect(abs((treated?["std_error"] as? Double ?? 0) - 0.013385872509690167) < 1e-8)
        #expect((twfe?["notes"] as? [String])?.contains { $0.contains("lpop constant within units") } == true)
        let study = estimators.first { $0["estimator"] as? String == "event_study" }
        let zero = (study?["terms"] as? [[String: Any]])?.first { ($0["term"] as? String)?.hasPrefix("event time 0") == true }
        // pyfixest with the same event-time dummies and x (Tests/AnalysisTests/Fixtures/mpdta_event_study.csv).
        #expect(abs((zero?["estimate"] as? Double ?? 0) - -0.020375367960263582) < 1e-9)
    }
}
