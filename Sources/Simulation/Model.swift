import Expressions
import Foundation
import Interview
import Questionnaire
import Randomness
import Store

/// Everything a model knows about the unit and round being interviewed.
struct UnitRound {
    let unit: FrameUnit
    /// The unit and its ancestors, outermost first.
    let lineage: [FrameUnit]
    let roundIndex: Int
    let roundCode: String
    let roundStart: Int
    let latent: Latent

    func ancestor(level: String) -> FrameUnit? { lineage.first { $0.level == level } }
    func attribute(_ key: String) -> String? { unit.attribute(key) ?? lineage.reversed().lazy.compactMap { $0.attribute(key) }.first }
    var district: FrameUnit? { ancestor(level: "district") }
}

/// A unit's lasting traits, drawn once per unit from the seed: what makes the panel a panel.
struct Latent {
    let unitEffect: Double
    let districtEffect: Double
    /// The round index from which the village's SID is online (0: already at the first round); nil: never.
    let onlineFrom: Int?
    /// Its status before going online.
    let earlyStatus: String
}

/// The true effects the simulator builds in, written to the manifest so estimators can be checked.
public enum TrueEffects {
    /// Online SID, percentage points of the village budget: health and education.
    public static let onlineHealthShare = 1.2
    public static let onlineEducationShare = 0.8
    /// Online SID on women's share of Musrenbang participants, percentage points.
    public static let onlineWomenShare = 5.0
    /// Sekar Desa (from the second round) on the probability that the budget is published.
    public static let sekarPublication = 0.25
    /// Sekar Desa (from the second round) on BPD meetings in six months.
    public static let sekarBPDMeetings = 2.0
    /// KOMPAK districts: extra probability per round since the first of funding PTPD from their own budget.
    public static let kompakPTPDPerRound = 0.10
}

/// Proposes answers, most plausible first; the engine decides. Anything a proposal gets wrong is refused by the
/// questionnaire's own checks and the next proposal is tried, so a model can never write data an enumerator
/// could not.
struct AnswerModel {
    let seed: UInt64

    static let firstNames = [
        "Siti", "Ahmad", "Nur", "Budi", "Dewi", "Agus", "Rina", "Hendra", "Yuliana", "Made", "Wayan",
        "Fransiskus", "Maria", "Yohanes", "Andi", "Muhammad", "Sri", "Lukas", "Ketut", "Fitri",
    ]
    static let lastNames = [
        "Rahman", "Wijaya", "Saputra", "Lestari", "Hidayat", "Simanjuntak", "Daeng", "Wenda", "Kambu",
        "Pratama", "Nugroho", "Kurniawan", "Yikwa", "Mansur", "Utami",
    ]

    /// The unit's lasting traits.
    func latent(for unit: FrameUnit, lineage: [FrameUnit], rounds: Int) -> Latent {
        var random = SplitMix64(seed: seed, "latent", unit.code)
        let districtCode = lineage.first { $0.level == "district" }?.code ?? unit.code
        var districtRandom = SplitMix64(seed: seed, "district", districtCode)
        let districtEffect = districtRandom.normal()
        let unitEffect = random.normal()
        // December 2020 baseline from the brief: 8% paper, 22% electronic offline, the rest online; villages with
        // better administration (higher effects) are more likely online and adopt earlier (a level difference
        // that difference-in-differences removes).
        let draw = random.uniform()
        let onlineBaseline = 0.70 + 0.05 * max(-2, min(2, unitEffect))
        var early = "offline"
        var onlineFrom: Int?
        if draw < onlineBaseline {
            onlineFrom = 0
        } else {
            early = random.chance(8.0 / 30.0) ? "paper" : "offline"
            for round in 1..<max(1, rounds) {
                let hazard = 0.28 + 0.05 * max(-2, min(2, unitEffect + districtEffect))
                if random.chance(hazard) {
                    onlineFrom = round
                    break
                }
            }
        }
        return Latent(unitEffect: unitEffect, districtEffect: districtEffect, onlineFrom: onlineFrom, earlyStatus: early)
    }

    /// Target instances for a repeat without repeat_count.
    func instances(of repeatName: String, _ context: UnitRound, _ random: inout SplitMix64) -> Int {
        switch repeatName {
        case "service_units": return random.integer(3...7)
        case "funded_models":
            let kompak = context.attribute("kompak") == "1"
            return kompak ? random.integer(1...3) : random.integer(0...2)
        default: return random.integer(1...3)
        }
    }

    /// Answer proposals for a question, best first.
    func proposals(for prompt: Prompt, _ context: UnitRound, _ engine: InterviewEngine, _ random: inout SplitMix64) -> [Proposal] {
        let item = prompt.item
        // Occasional "don't know" where the question allows it: item non-response.
        if item.allowedNonResponses.contains(.dontKnow), random.chance(0.02) { return [.nonResponse(.dontKnow)] }
        if item.allowedNonResponses.contains(.refused), item.pii || item.name == "budget_total", random.chance(0.01) {
            return [.nonResponse(.refused)]
        }
        if let specific = kompak(prompt, context, engine, &random) { return specific + generic(prompt, context, &random) }
        return generic(prompt, context, &random)
    }

    func value(_ engine: InterviewEngine, _ name: String, _ address: Address) -> Double? {
        let target = Address(name, Array(address.indices.prefix(engine.item(named: name)?.repeatPath.count ?? 0)))
        guard case .number(let number)? = engine.records[target]?.value else { return nil }
        return number
    }

    /// The KOMPAK variables, with the brief's baselines, trends towards the 2022 targets, and the true effects.
    func kompak(_ prompt: Prompt, _ context: UnitRound, _ engine: InterviewEngine, _ random: inout SplitMix64) -> [Proposal]? {
        let r = Double(context.roundIndex)
        let latent = context.latent
        let online = latent.onlineFrom.map { context.roundIndex >= $0 } ?? false
        let sekar = context.attribute("sekar_desa") == "1" && context.roundIndex >= 1
        let kompakDistrict = context.attribute("kompak") == "1"
        let effect = 0.6 * latent.unitEffect + 0.8 * latent.districtEffect
        func yes(_ probability: Double) -> [Proposal] {
            [.text(random.chance(min(0.97, max(0.03, probability))) ? "yes" : "no")]
        }
        func rupiah(_ amount: Double) -> String { String(Int((max(0, amount) / 1000).rounded()) * 1000) }
        let address = prompt.address
        switch prompt.item.name {
        case "resp_position", "resp_office": return nil
        case "sid_status":
            if online {
                // A rare misreport back to paper after being online: the soft check catches it.
                if context.roundIndex > (latent.onlineFrom ?? 0), random.chance(0.005) { return [.text("paper")] }
                return [.text("online")]
            }
            var status = latent.earlyStatus
            if status == "paper", random.chance(0.15 * r) { status = "offline" }
            return [.text(status)]
        case "sid_uses":
            var uses: [String] = []
            if random.chance(0.75 + 0.05 * r + (online ? 0.1 : 0)) { uses.append("planning") }
            if random.chance(0.65 + 0.05 * r) { uses.append("budgeting") }
            if random.chance(0.55) { uses.append("reporting") }
            if random.chance(0.45) { uses.append("blt_targeting") }
            return [.text(uses.isEmpty ? "reporting" : uses.joined(separator: " "))]
        case "sid_shared":
            let shared = [random.chance(0.5) ? "dtks" : nil, random.chance(0.35) ? "siak" : nil].compactMap { $0 }
            return [.text(shared.isEmpty ? "none" : shared.joined(separator: " "))]
        case "apbdes_on_time": return yes(0.72 + 0.04 * r + 0.05 * effect)
        case "apbdes_date":
            let onTime = engine.records[Address("apbdes_on_time")]?.value == .string("yes")
            let year = CivilDate(days: context.roundStart).year
            let date =
                onTime
                ? CivilDate(year: year - 1, month: 12, day: random.integer(1...31))!
                : CivilDate(year: year, month: random.integer(1...4), day: random.integer(1...28))!
            return [.text(date.days <= context.roundStart ? date.description : CivilDate(days: context.roundStart - 30).description)]
        case "budget_total":
            return [.text(rupiah(exp(random.normal(log(1.15e9), 0.35))))]
        case "budget_health":
            // Bases chosen so that, with about 70% of villages online in December 2020, the first round's means
            // are the brief's 5.5% (health) and 3.6% (education).
            guard let total = value(engine, "budget_total", address) else { return nil }
            let share = 4.66 + 0.25 * r + 0.8 * effect + random.normal(0, 0.8) + (online ? TrueEffects.onlineHealthShare : 0)
            return [.text(rupiah(total * max(0.3, share) / 100))]
        case "budget_education":
            guard let total = value(engine, "budget_total", address) else { return nil }
            let share = 3.04 + 0.15 * r + 0.5 * effect + random.normal(0, 0.6) + (online ? TrueEffects.onlineEducationShare : 0)
            return [.text(rupiah(total * max(0.2, share) / 100))]
        case "budget_economy":
            guard let total = value(engine, "budget_total", address) else { return nil }
            return [.text(rupiah(total * max(1, random.normal(12, 4)) / 100))]
        case "budget_published":
            return yes(0.55 + 0.03 * r + 0.04 * effect + (sekar ? TrueEffects.sekarPublication : 0))
        case "budget_media":
            let media = ["board", "banner", "website", "social_media", "meeting"].filter { _ in random.chance(0.4) }
            return [.text(media.isEmpty ? "board" : media.joined(separator: " "))]
        case "posko_aspirasi": return yes(0.35 + 0.04 * r + (sekar ? 0.4 : 0))
        case "aspirations_received": return [.text(String(random.poisson(12)))]
        case "aspirations_followed":
            guard let received = value(engine, "aspirations_received", address) else { return nil }
            return [.text(String(Int((received * random.uniform() * 0.9).rounded(.down))))]
        case "bpd_meetings":
            return [.text(String(random.poisson(max(0.5, 4 + 0.2 * r + 0.5 * effect + (sekar ? TrueEffects.sekarBPDMeetings : 0)))))]
        case "bpd_members_male": return [.text(String(random.integer(4...8)))]
        case "bpd_members_female": return [.text(String(random.integer(0...3)))]
        case "musrenbang_held": return yes(0.92)
        case "participants_total": return [.text(String(max(20, min(500, Int(random.normal(110, 35).rounded())))))]
        case "participants_women":
            guard let total = value(engine, "participants_total", address) else { return nil }
            let share = 28 + 1.0 * r + 3 * effect + random.normal(0, 4) + (online ? TrueEffects.onlineWomenShare : 0)
            return [.text(String(Int((total * min(95, max(2, share)) / 100).rounded())))]
        case "participants_disability":
            guard let total = value(engine, "participants_total", address) else { return nil }
            return [.text(String(random.poisson(total * 0.015)))]
        case "musyawarah_khusus": return yes(0.35 + 0.05 * r + 0.05 * effect)
        case "registration_facilitator": return yes(0.5 + 0.06 * r + (kompakDistrict ? 0.1 : 0))
        case "labkd": return yes(0.3 + 0.06 * r + (kompakDistrict ? 0.1 : 0))
        case "documents_facilitated": return [.text(String(random.poisson(25)))]
        case "birth_certificates":
            guard let documents = value(engine, "documents_facilitated", address) else { return nil }
            return [.text(String(Int((documents * random.uniform() * 0.5).rounded(.down))))]
        case "ta_received": return yes(0.6 + 0.05 * r + (kompakDistrict ? 0.1 : 0))
        case "ta_rating":
            let rating = max(1, min(5, Int((3.5 + 0.15 * r + 0.4 * effect + random.normal(0, 0.7)).rounded())))
            return [.text(String(rating))]
        case "bumdes_active": return yes(0.6 + 0.03 * r)
        case "bumdes_profit": return [.text(rupiah(max(0, random.normal(25e6, 20e6))))]
        case "market_groups": return [.text(String(random.poisson(3)))]
        case "market_groups_profitable":
            guard let groups = value(engine, "market_groups", address) else { return nil }
            return [.text(String(Int((groups * random.uniform()).rounded(.down))))]
        case "coordination_meetings": return [.text(String(random.poisson(max(0.3, 2.2 + 0.4 * r + 0.6 * effect))))]
        case "villages_total":
            if context.unit.level == "subdistrict" { return [.text(String(random.integer(8...25)))] }
            return [.text(String(random.integer(120...400)))]
        case "villages_assisted":
            guard let total = value(engine, "villages_total", address) else { return nil }
            return [.text(String(Int((total * min(1, max(0, 0.55 + 0.08 * r + random.normal(0, 0.15)))).rounded())))]
        case "ptpd_facilitators": return [.text(String(random.integer(0...6)))]
        case "info_system":
            let p = 0.5 + 0.08 * r
            return [.text(random.chance(p) ? "dashboard" : (random.chance(0.5) ? "manual" : "none"))]
        case "funds_ptpd":
            let base = kompakDistrict ? 0.35 + TrueEffects.kompakPTPDPerRound * r : 0.2
            return yes(base + 0.02 * r)
        case "funds_sid": return yes((kompakDistrict ? 0.4 + 0.08 * r : 0.25) + 0.02 * r)
        case "funds_labkd": return yes((kompakDistrict ? 0.3 + 0.06 * r : 0.15) + 0.02 * r)
        case "villages_sid", "villages_civil_registration":
            guard let total = value(engine, "villages_total", address) else { return nil }
            let share = (kompakDistrict ? 0.5 + 0.08 * r : 0.3 + 0.03 * r) + random.normal(0, 0.08)
            return [.text(String(Int((total * min(1, max(0, share))).rounded())))]
        case "model_amount": return [.text(rupiah(exp(random.normal(log(8e8), 0.6))))]
        case "blt_recipients": return [.text(String(random.poisson(60)))]
        case "covid_refocused":
            let total = value(engine, "budget_total", address) ?? 1e9
            return [.text(rupiah(total * random.uniform() * 0.3))]
        default:
            return nil
        }
    }

    static let fileExtension: [AttachmentKind: String] = [.image: "jpg", .audio: "m4a", .video: "mp4", .file: "pdf"]

    /// Any questionnaire: plausible values by type; the questionnaire's checks decide.
    func generic(_ prompt: Prompt, _ context: UnitRound, _ random: inout SplitMix64) -> [Proposal] {
        let item = prompt.item
        switch item.type {
        case .text:
            if item.pii && item.name.contains("phone") { return [.text("08" + (0..<10).map { _ in String(random.integer(0...9)) }.joined())] }
            if item.pii || item.name.contains("name") {
                return [.text("\(random.pick(Self.firstNames)) \(random.pick(Self.lastNames))")]
            }
            return [.text(random.pick(["baik", "sesuai rencana", "tidak ada catatan", "perlu tindak lanjut"])), .text("-")]
        case .integer:
            return [.text(String(random.poisson(5))), .text(String(random.integer(0...2))), .text("1"), .text("0")]
        case .decimal:
            return [.text(String(format: "%.2f", random.uniform() * 100)), .text("1"), .text("0")]
        case .selectOne:
            var codes = prompt.choices.map(\.code)
            codes.shuffle(using: &random)
            return codes.map(Proposal.text)
        case .rank:
            var codes = prompt.choices.map(\.code)
            codes.shuffle(using: &random)
            return [.text(codes.joined(separator: " "))]
        case .selectMultiple:
            let codes = prompt.choices.map(\.code)
            let chosen = codes.filter { $0 != "none" && random.chance(0.4) }
            return [.text(chosen.joined(separator: " "))] + codes.map(Proposal.text)
        case .date:
            return [.text(CivilDate(days: context.roundStart - random.integer(1...300)).description), .text(CivilDate(days: context.roundStart).description)]
        case .time:
            return [.text(String(format: "%02d:%02d", random.integer(7...16), random.integer(0...59)))]
        case .dateTime:
            return [.text("\(CivilDate(days: context.roundStart + random.integer(1...20)))T10:00+07:00")]
        case .geopoint:
            return [.text(String(format: "%.5f %.5f", random.uniform() * 12 - 9, 95 + random.uniform() * 45))]
        case .attachment(let kind):
            // A file named after the question; the simulator stores a few bytes under that name.
            return [.text("\(item.name).\(Self.fileExtension[kind] ?? "bin")")]
        case .geotrace, .geoshape:
            // A walk of a few hundred metres from a point in Indonesia.
            let start = (random.uniform() * 12 - 9, 95 + random.uniform() * 45)
            let points = (0..<4).map { i in String(format: "%.5f %.5f", start.0 + 0.001 * Double(i), start.1 + 0.002 * Double(i % 2)) }
            return [.text(points.joined(separator: "; "))]
        case .acknowledge:
            return [.text("OK")]
        case .identifier:
            return [.text(context.unit.code)]
        case .note, .calculate, .group, .repeat:
            return [.text("")]
        }
    }
}

enum Proposal {
    case text(String)
    case nonResponse(NonResponse)
}
