/// A score (分值) in hundredths of a point, so that sums are exact: "2.5" is 250.
public struct Score: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, AdditiveArithmetic {
    public var hundredths: Int

    public init(hundredths: Int) { self.hundredths = hundredths }
    public static let zero = Score(hundredths: 0)

    /// Parses "12", "2.5", "0.25" (at most two decimals, not negative). Nil for anything else.
    public init?(_ text: String) {
        let t = text.trimmed()
        guard !t.isEmpty, t.count <= 12 else { return nil }
        let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // Digits only: no sign (Int() would accept "-0" and "+1").
        guard !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int(parts[0]) else { return nil }
        var frac = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(f) else { return nil }
            frac = f.count == 1 ? v * 10 : v
        }
        hundredths = whole * 100 + frac
    }

    /// "12", "2.5", "0.25": no trailing zeros.
    public var description: String {
        let sign = hundredths < 0 ? "-" : ""
        let a = abs(hundredths)
        let whole = a / 100, frac = a % 100
        if frac == 0 { return "\(sign)\(whole)" }
        if frac % 10 == 0 { return "\(sign)\(whole).\(frac / 10)" }
        return "\(sign)\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }

    public static func < (l: Score, r: Score) -> Bool { l.hundredths < r.hundredths }
    public static func + (l: Score, r: Score) -> Score { Score(hundredths: l.hundredths + r.hundredths) }
    public static func - (l: Score, r: Score) -> Score { Score(hundredths: l.hundredths - r.hundredths) }
}
