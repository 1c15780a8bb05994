import Expressions

/// What a round's code says about its dates, for rounds the store or plan gives no dates for.
public enum RoundCalendar {
    /// Six-monthly rounds named `YYYY-H1` / `YYYY-H2` are fielded in the half-year's last month (June or December);
    /// any other code says nothing (nil), and no date is made up for it.
    public static func fieldwork(ofCode code: String) -> (starts: CivilDate, ends: CivilDate)? {
        let parts = code.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), (1...9999).contains(year) else { return nil }
        switch parts[1] {
        case "H1": return (CivilDate(year: year, month: 6, day: 1)!, CivilDate(year: year, month: 6, day: 30)!)
        case "H2": return (CivilDate(year: year, month: 12, day: 1)!, CivilDate(year: year, month: 12, day: 31)!)
        default: return nil
        }
    }
}
