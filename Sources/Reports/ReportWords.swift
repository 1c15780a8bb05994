import Analysis
import Questionnaire

/// The words of the indicator reports, in the report's language (Indonesian for `--lang id`, else English).
struct ReportWords {
    let indonesian: Bool

    init(language: String?) { indonesian = LocalizedText.isIndonesian(language) }

    func pick(_ id: String, _ en: String) -> String { indonesian ? id : en }

    var indicator: String { pick("indikator", "indicator") }
    var baseline: String { pick("data dasar", "baseline") }
    var previous: String { pick("sebelumnya", "previous") }
    var target: String { pick("target", "target") }
    var status: String { pick("status", "status") }
    var change: String { pick("perubahan", "change") }
    var interval: String { pick("IK 95%", "95% CI") }
    var answeredOfEligible: String { pick("menjawab / memenuhi syarat", "answered / eligible") }
    var frameUnits: String { pick("unit di kerangka", "units in frame") }
    var notAsked: String { pick("tidak ditanya", "not asked") }
    var missing: String { pick("kosong", "missing") }
    var nonResponse: String { pick("jawaban khusus", "non-response") }
    var by: String { pick("menurut", "by") }
    var group: String { pick("kelompok", "group") }
    var value: String { pick("nilai", "value") }
    var comparison: String { pick("pembanding", "comparison") }
    var overall: String { pick("keseluruhan", "overall") }
    var province: String { pick("provinsi", "province") }
    var statusByProvince: String { pick("Status per provinsi", "Status by province") }
    var exact: String { pick("pasti", "exact") }
    var none: String { pick("tidak ada", "none") }
    var notComparableMark: String {
        pick("† tidak sebanding dengan putaran sebelumnya; lihat indikatornya.", "† not comparable with the previous round; see the indicator.")
    }

    func statusWord(_ status: TargetStatus?) -> String {
        switch status {
        case .met: pick("tercapai", "met")
        case .onTrack: pick("sesuai jalur", "on track")
        case .offTrack: pick("tertinggal", "off track")
        case nil: "–"
        }
    }

    func roundLine(_ table: IndicatorTable) -> String {
        pick(
            "Putaran \(table.round); putaran sebelumnya \(table.previousRound ?? "tidak ada"). Hanya wawancara yang selesai yang dihitung; jawaban yang tidak relevan tidak pernah dihitung.",
            "Round \(table.round); previous round \(table.previousRound ?? "none"). Only completed interviews count; irrelevant answers never do.")
    }

    func dates(_ table: IndicatorTable) -> String? {
        guard let extracted = table.extractedAt else { return nil }
        return pick("Laporan dibuat dan data diambil dari penyimpanan pada \(extracted).", "Report made, and data extracted from the store, at \(extracted).")
    }

    func populationLine(_ result: IndicatorResult) -> String? {
        guard !result.indicator.population.conditions.isEmpty else { return nil }
        var text = pick("Unit: \(result.indicator.population)", "Units: \(result.indicator.population)")
        if let comparison = result.indicator.comparison { text += pick("; pembanding: \(comparison)", "; comparison: \(comparison)") }
        return text
    }

    func intervalNote(_ method: IntervalMethod) -> String {
        switch method {
        case .fpc:
            pick(
                "Interval 95% memperlakukan unit yang menjawab sebagai sampel acak dari unit yang memenuhi syarat di kerangka, dengan koreksi populasi terbatas. Survei ini sensus: bila semua unit yang memenuhi syarat menjawab, nilainya pasti dan tidak ada interval; unit yang tidak ditanya (pertanyaan tidak berlaku) bukan bagian dari populasi.",
                "95% intervals treat the units that answered as a random sample of the eligible units in the frame, with the finite-population correction. The survey is a census: where every eligible unit answered, the value is exact and no interval is given; units not asked (the question was not for them) are no part of the population."
            )
        case .srs:
            pick(
                "Interval 95% mengasumsikan sampel acak sederhana dari populasi tak hingga.",
                "95% intervals assume simple random sampling from an infinite population.")
        case .none: pick("Tanpa interval.", "No intervals.")
        }
    }

    /// A few sentences a programme manager can read out: what moved most since the previous round, and what is off track.
    func summary(_ table: IndicatorTable, numbers: Numbers) -> String {
        var sentences: [String] = []
        let moved = table.results.compactMap { result -> (IndicatorResult, Double)? in
            guard result.indicator.measure.kind == "share" || result.indicator.measure.kind == "mean", let change = result.overall?.change,
                result.comparability == nil
            else { return nil }
            return (result, change)
        }.sorted { abs($0.1) > abs($1.1) }.prefix(3)
        if let previous = table.previousRound, !moved.isEmpty {
            let parts = moved.map { result, change in
                let unit = result.indicator.measure.kind == "share" ? pick(" poin", " points") : ""
                return "\(result.label(table.language)) (\(numbers.signed(change, result.indicator.measure.kind))\(unit))"
            }
            sentences.append(pick("Perubahan terbesar sejak \(previous): ", "The largest changes since \(previous): ") + parts.joined(separator: "; ") + ".")
        }
        let off = table.results.filter { $0.status == .offTrack }.map { $0.label(table.language) }
        let met = table.results.filter { $0.status == .met }.count
        if !off.isEmpty {
            sentences.append(pick("Tertinggal dari target: ", "Off track: ") + off.joined(separator: "; ") + ".")
        }
        let withTarget = table.results.filter { $0.indicator.target != nil }.count
        if withTarget > 0 {
            sentences.append(pick("\(met) dari \(withTarget) indikator bertarget sudah tercapai.", "\(met) of \(withTarget) indicators with a target are met."))
        }
        return sentences.joined(separator: " ")
    }
}
