// The demo, the README's main job: every promised output exists and says what it should.
import Foundation
import TestSupport
import Testing

@Suite(.temporaryFiles)
struct DemoTests {
    @Test("the demo builds a store from the KOMPAK plan and writes counts, codebooks, diffs and the manifest")
    func demo() throws {
        let folder = try temporaryDirectory().appendingPathComponent("out")
        let run = try pantau(["demo", "--out", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try String(contentsOf: folder.appendingPathComponent("responses.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "round,form_id,unit_level,completed,draft,units_in_frame")
        #expect(lines.count == 1 + 4 * 3)
        #expect(lines.contains("2020-H2,desa,village,611,0,611"))
        #expect(lines.contains("2022-H1,kecamatan,subdistrict,61,0,61"))
        #expect(lines.contains("2021-H2,kabupaten,district,34,0,34"))
        for form in ["desa", "kecamatan", "kabupaten"] {
            for version in ["2020-H2", "2021-H2"] {
                for ext in ["md", "html"] {
                    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("codebooks/\(form)-\(version).\(ext)").path))
                }
            }
            let diff = try String(contentsOf: folder.appendingPathComponent("diffs/\(form)-2020-H2-to-2021-H2.md"), encoding: .utf8)
            #expect(diff.contains("longitudinal comparability is kept"))
            #expect(diff.contains("| `covid` | removed (group) | kept |"))
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as? [String: Any]
        let effects = manifest?["true_effects"] as? [[String: Any]] ?? []
        #expect(effects.compactMap { $0["name"] as? String }.contains("online_sid_on_basic_services_share"))
        #expect((manifest?["sid_adoption"] as? [String: String])?.count == 611)
        #expect(run.stdout.contains("demo finished in"))
        // Review against the faults the simulator planted: at most 10% of interviews flagged, at least 90% of the
        // planted faults among them.
        let planted = manifest?["injected_anomalies"] as? [String: String] ?? [:]
        #expect(planted.count >= 20)
        let review = try pantau(["review", "--format", "json", "--db", folder.appendingPathComponent("pantau.sqlite").path])
        let flagged = Set(
            ((try JSONSerialization.jsonObject(with: Data(review.stdout.utf8)) as? [String: Any])?["interviews"] as? [[String: Any]] ?? [])
                .compactMap { $0["uuid"] as? String })
        let interviews = (manifest?["interviews"] as? [String: [String: Int]] ?? [:]).values.flatMap(\.values).reduce(0, +)
        #expect(interviews == 4 * (611 + 61 + 34) && Double(flagged.count) <= 0.10 * Double(interviews), "\(flagged.count) of \(interviews) flagged")
        let found = planted.keys.filter(flagged.contains).count
        #expect(Double(found) >= 0.9 * Double(planted.count), "\(found) of \(planted.count) planted faults found")
        // The indicators' base: the programme's 411 villages, the 200 comparison villages beside them.
        let summary = try String(contentsOf: folder.appendingPathComponent("indicators.md"), encoding: .utf8)
        #expect(summary.contains("| 411 / 411 |") && summary.contains("kompak != 1"))
        // The indicators of the latest round, in every format.
        let indicators = try String(contentsOf: folder.appendingPathComponent("indicators.csv"), encoding: .utf8)
        #expect(indicators.contains("sid_online,Villages with an online SID (%),desa,share,2022-H1,overall,all,"))
        let html = try String(contentsOf: folder.appendingPathComponent("indicators.html"), encoding: .utf8)
        #expect(html.contains("<svg") && !html.contains("<script"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("indicators.md").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("indicators.json").path))
        // The DiD of the online SID recovers the simulation's true effect (2.0 points) within its interval.
        let did = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("did-sid.json"))) as? [String: Any]
        let estimators = did?["estimators"] as? [[String: Any]] ?? []
        let cs = estimators.first { $0["estimator"] as? String == "callaway_santanna" }
        let overall = (cs?["terms"] as? [[String: Any]])?.first { $0["term"] as? String == "overall ATT (simple)" }
        let low = overall?["conf_low"] as? Double ?? .nan, high = overall?["conf_high"] as? Double ?? .nan
        #expect(low < 2.0 && 2.0 < high, "\(low)–\(high)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("did-sekar-desa.md").path))
        // The same DiD in the other formats.
        let store = folder.appendingPathComponent("pantau.sqlite").path
        let spec = repositoryRoot.appendingPathComponent("Analysis/kompak/did-sid.yaml").path
        let latex = try pantau(["did", spec, "--db", store, "--format", "latex"])
        #expect(latex.status == 0 && latex.stdout.contains("\\begin{tabular}") && latex.stdout.contains("\\toprule"))
        let didCSV = try pantau(["did", spec, "--db", store, "--format", "csv"])
        #expect(
            didCSV.stdout.hasPrefix(
                "estimator,term,estimate,std_error,statistic,p_value,conf_low,conf_high,conf_low_uniform,conf_high_uniform,bootstrap_p_value,bootstrap_conf_low,"
                    + "bootstrap_conf_high,n_obs,n_clusters,se_type,event_time,conventional_std_error,conventional_std_error_kind\n"))
        // Under 50 clusters Callaway & Sant'Anna's jackknife replaces its influence-function standard error, kept beside it.
        #expect(didCSV.stdout.contains(",influence_function_std_error\n"))
        let page = try pantau(["did", spec, "--db", store, "--format", "html"])
        #expect(page.stdout.contains("<svg") && !page.stdout.contains("<script") && !page.stdout.contains("src="))
        // The plot draws the uniform band behind the pointwise intervals; the tables give it too.
        #expect(page.stdout.contains("<rect class=\"band\"") && page.stdout.contains("uniform 95% band"))
        #expect(cs?["notes"] as? [String] ?? [] != [] && (cs?["terms"] as? [[String: Any]])?.contains { $0["conf_low_uniform"] != nil } == true)
        // Under 50 clusters the regression and TWFE carry the wild cluster bootstrap with its interval.
        let sekar = try String(contentsOf: folder.appendingPathComponent("did-sekar-desa.md"), encoding: .utf8)
        #expect(sekar.contains("wild cluster bootstrap for group × post") && sekar.contains("by test inversion"))
        // The store it leaves is sound and complete.
        let check = try pantau(["db", "check", "--db", folder.appendingPathComponent("pantau.sqlite").path])
        #expect(check.status == 0)
        // A folder the demo did not make is never emptied.
        let foreign = try temporaryDirectory()
        try "keep me".write(to: foreign.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let refused = try pantau(["demo", "--out", foreign.path])
        #expect(refused.status == 1)
        #expect(FileManager.default.fileExists(atPath: foreign.appendingPathComponent("notes.txt").path))
    }
}
