import Foundation

extension SimulationSummary {
    /// The manifest: the seed, the rounds, the counts, the true effects built in, and each village's SID
    /// adoption round, as JSON, so that estimators can be checked against the truth.
    public func manifest(seed: UInt64, rounds: [SimulationRound], paradata: Paradata) throws -> String {
        let codes = rounds.map(\.code)
        let object: [String: Any] = [
            "seed": seed,
            "paradata": paradata.rawValue,
            "rounds": codes,
            "interviews": counts,
            "soft_check_confirmations": softCheckConfirmations,
            "special_non_responses": nonResponses,
            "injected_anomalies": anomalies,
            "true_effects": [
                [
                    "name": "online_sid_on_basic_services_share", "instrument": "desa", "outcome": "share_basic_services",
                    "treatment": "sid_status = 'online'; absorbing; first online round per village in sid_adoption",
                    "att": TrueEffects.onlineHealthShare + TrueEffects.onlineEducationShare, "unit": "percentage points",
                    "components": ["share_health": TrueEffects.onlineHealthShare, "share_education": TrueEffects.onlineEducationShare],
                ],
                [
                    "name": "online_sid_on_women_share", "instrument": "desa", "outcome": "women_share",
                    "treatment": "sid_status = 'online'; absorbing", "att": TrueEffects.onlineWomenShare, "unit": "percentage points",
                ],
                [
                    "name": "sekar_desa_on_budget_published", "instrument": "desa", "outcome": "budget_published = 'yes'",
                    "treatment": "frame attribute sekar_desa = 1, from the second round (\(codes.count > 1 ? codes[1] : "-"))",
                    "att": TrueEffects.sekarPublication, "unit": "probability",
                ],
                [
                    "name": "sekar_desa_on_bpd_meetings", "instrument": "desa", "outcome": "bpd_meetings",
                    "treatment": "frame attribute sekar_desa = 1, from the second round", "att": TrueEffects.sekarBPDMeetings,
                    "unit": "meetings in six months",
                ],
                [
                    "name": "kompak_on_funds_ptpd", "instrument": "kabupaten", "outcome": "funds_ptpd = 'yes'",
                    "treatment": "frame attribute kompak = 1 (all rounds); the gap to comparison districts grows each round",
                    "att_by_round": Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, TrueEffects.kompakPTPDPerRound * Double($0)) }),
                    "unit": "probability, relative to the first round",
                ],
            ],
            "sid_adoption": adoption,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
