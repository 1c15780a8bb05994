// A seeded fuzzer for what analysts feed pantau: `did --data` panels and two-by-two files, and indicator
// specifications. Each input is a mutation of a valid one (bytes inserted, deleted or replaced with the values that
// break readers: quotes, separators, NaN, 1e308, invalid UTF-8; lines repeated, dropped or swapped), read and
// estimated in process as the commands do. An error is an answer; a trap is a finding. The input being tried is
// written to .build/fuzz-current.* first, so that a trap leaves it behind to become a test.
// Usage: Scripts/fuzz.sh [INPUTS] [SEED]   (100,000 by default)
import Analysis
import Foundation
import Questionnaire
import Randomness
import Reports
import Tabular
import Workflows

let arguments = CommandLine.arguments
let inputs = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1
nonisolated(unsafe) var random = SplitMix64(seed: seed)
nonisolated func next(_ bound: Int) -> Int { Int(random.next() % UInt64(max(1, bound))) }

// MARK: - Valid seeds

/// 64 units in 60 clusters (no bootstrap: it runs under 50) or, with `few`, in 6 (the bootstraps and randomisation
/// inference run too, at a thousand times the cost).
func panelCSV(few: Bool) -> String {
    var lines = ["unit,period,y,d,cl,x"]
    for u in 0..<64 {
        let cohort = [0, 3, 4][u % 3]
        for t in 1...5 {
            let treated = cohort > 0 && t >= cohort
            lines.append(
                "u\(u),\(t),\(Double(u % 5) + 0.3 * Double(t) + (treated ? 1 : 0) + Double((u * 13 + t * 7) % 10) / 10),\(treated ? 1 : 0),c\(u % (few ? 6 : 60)),\(u % 2)"
            )
        }
    }
    return lines.joined(separator: "\n") + "\n"
}

func twoByTwoCSV() -> String {
    var lines = ["y,g,p,cl"]
    for i in 0..<40 { lines.append("\(Double(i % 9) / 2 + (i % 4 == 3 ? 1 : 0)),\(i % 2),\(i / 2 % 2),k\(i % 7)") }
    return lines.joined(separator: "\n") + "\n"
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let indicatorPath = root.appendingPathComponent("Analysis/kompak/indicators.yaml").path
let indicatorText = (try? String(contentsOfFile: indicatorPath, encoding: .utf8)) ?? ""
let questionnaires: [Questionnaire] =
    (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Questionnaires/kompak").path))?
    .filter { $0.hasSuffix(".yaml") && !$0.contains("plan") }.compactMap {
        try? QuestionnaireLoader.load(path: root.appendingPathComponent("Questionnaires/kompak/\($0)").path).get()
    } ?? []

// MARK: - Mutations

let pieces: [[UInt8]] = [
    [44], [34], [10], [13, 10], [13], [0], [0xFF], [0xC3], [0xE2, 0x82], Array("nan".utf8), Array("inf".utf8), Array("-".utf8),
    Array("1e308".utf8), Array("1e200".utf8), Array("-0".utf8), Array("NA".utf8), Array(".".utf8), Array(" ".utf8), Array("yes".utf8),
    Array("2".utf8), Array("\"\"".utf8), Array("9999999999999999999999".utf8), Array("1e-320".utf8), Array(":".utf8), Array("{".utf8),
    Array("[".utf8), Array("${".utf8), Array("'".utf8), Array("#".utf8), Array("- ".utf8), Array("\t".utf8),
]

func mutate(_ text: String) -> [UInt8] {
    var bytes = Array(text.utf8)
    for _ in 0..<(1 + next(4)) {
        guard !bytes.isEmpty else { break }
        let at = next(bytes.count)
        switch next(8) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(contentsOf: pieces[next(pieces.count)], at: at)
        case 2: bytes.replaceSubrange(at..<min(bytes.count, at + 1 + next(6)), with: pieces[next(pieces.count)])
        case 3: bytes = Array(bytes.prefix(at))
        default:
            var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
            guard lines.count > 2 else { continue }
            let a = 1 + next(lines.count - 1), b = 1 + next(lines.count - 1)
            switch next(3) {
            case 0: lines.insert(lines[a], at: b)
            case 1: lines.remove(at: a)
            default: lines.swapAt(a, b)
            }
            bytes = Array(lines.joined(separator: [10]))
        }
    }
    return bytes
}

// MARK: - Runs

/// The file as `pantau did --data` reads it: every estimator, then every output format.
func runPanel(_ path: String) {
    var request = PanelCSV(path: path, outcome: "y", unit: "unit", time: "period", adoption: .treatment(column: "d"))
    request.cluster = "cl"
    if next(2) == 0 { request.covariates = ["x"] }
    // The sensitivity analysis costs about a second per event study whatever the file: one panel in fifty gets it.
    request.sensitivity = next(50) == 0
    _ = try? request.run(format: DiDReports.Format.allCases[next(DiDReports.Format.allCases.count)])
}

func runTwoByTwo(_ path: String) {
    var request = TwoByTwoCSV(path: path, outcome: "y", group: "g", post: "p")
    request.cluster = "cl"
    request.standardErrors = [.classical, .hc1, .cr1, .cr2, .cr3][next(5)]
    _ = try? request.run(format: next(2) == 0 ? .json : .md)
}

func runIndicators(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    _ = IndicatorSet.load(yaml: text, file: "fuzz.yaml", questionnaires: questionnaires, frameLevels: ["village", "district"], frameAttributes: ["kompak"])
}

let current = root.appendingPathComponent(".build/fuzz-current")
try? FileManager.default.createDirectory(at: root.appendingPathComponent(".build"), withIntermediateDirectories: true)
let seeds = [panelCSV(few: false), twoByTwoCSV(), indicatorText], fewClusters = panelCSV(few: true)
let started = Date()
var counts = [0, 0, 0]
for index in 0..<inputs {
    let kind = index % 3
    let bytes = mutate(kind == 0 && index % 60 == 0 ? fewClusters : seeds[kind])
    let file = current.appendingPathExtension(kind == 2 ? "yaml" : "csv")
    try? Data(bytes).write(to: file)
    switch kind {
    case 0: runPanel(file.path)
    case 1: runTwoByTwo(file.path)
    default: runIndicators(bytes)
    }
    counts[kind] += 1
    if (index + 1) % 5_000 == 0 {
        FileHandle.standardError.write(Data("fuzz: \(index + 1)/\(inputs) inputs, \(String(format: "%.0f", Date().timeIntervalSince(started))) s\n".utf8))
    }
}
print(
    String(
        format: "fuzz: %d inputs (seed %llu) in %.1f s: %d panels, %d two-by-two files, %d indicator specifications; no trap", inputs, seed,
        Date().timeIntervalSince(started), counts[0], counts[1], counts[2]))
