import Foundation

/// A scoring period: a month (`2026-11`), a quarter (`2026-Q4`) or a year (`2026`).
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case month, quarter, year
        public var label: String {
            switch self {
            case .month: "月度"
            case .quarter: "季度"
            case .year: "年度"
            }
        }
    }

    public let kind: Kind
    public let year: Int
    /// Month 1–12, quarter 1–4, 1 for a year.
    public let index: Int

    public init?(kind: Kind, year: Int, index: Int) {
        guard (2000...2199).contains(year) else { return nil }
        switch kind {
        case .month: guard (1...12).contains(index) else { return nil }
        case .quarter: guard (1...4).contains(index) else { return nil }
        case .year: guard index == 1 else { return nil }
        }
        self.kind = kind; self.year = year; self.index = index
    }

    /// Parses `2026-11`, `2026-Q4` (or `2026-q4`) and `2026`. Nil for anything else.
    public init?(_ text: String) {
        let t = text.trimmed()
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard let y = parts.first, y.count == 4, y.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(y) else { return nil }
        if parts.count == 1 { self.init(kind: .year, year: year, index: 1); return }
        guard parts.count == 2 else { return nil }
        let p = parts[1]
        if p.count == 2, p.allSatisfy({ $0.isASCII && $0.isNumber }), let m = Int(p) {
            self.init(kind: .month, year: year, index: m)
        } else if p.count == 2, p.first == "Q" || p.first == "q", let q = Int(p.dropFirst()), p.last!.isASCII {
            self.init(kind: .quarter, year: year, index: q)
        } else {
            return nil
        }
    }

    public var description: String {
        switch kind {
        case .month: String(format: "%04d-%02d", year, index)
        case .quarter: "\(year)-Q\(index)"
        case .year: "\(year)"
        }
    }

    /// "2026年11月", "2026年第四季度", "2026年度".
    public var label: String {
        switch kind {
        case .month: "\(year)年\(index)月"
        case .quarter: "\(year)年第\(["一", "二", "三", "四"][index - 1])季度"
        case .year: "\(year)年度"
        }
    }

    /// First month (1–12) and number of months.
    var months: (first: Int, count: Int) {
        switch kind {
        case .month: (index, 1)
        case .quarter: ((index - 1) * 3 + 1, 3)
        case .year: (1, 12)
        }
    }

    /// The period before this one of the same kind.
    /// (The earliest period, in 2000, is its own predecessor; the latest, in 2199, its own successor.)
    public var previous: Period {
        index > 1 ? Period(kind: kind, year: year, index: index - 1)!
            : Period(kind: kind, year: year - 1, index: kind == .month ? 12 : kind == .quarter ? 4 : 1) ?? self
    }

    public var next: Period {
        let last = kind == .month ? 12 : kind == .quarter ? 4 : 1
        return index < last ? Period(kind: kind, year: year, index: index + 1)! : Period(kind: kind, year: year + 1, index: 1) ?? self
    }

    /// The `count` periods up to and including this one, oldest first.
    public func trailing(_ count: Int) -> [Period] {
        guard count > 0 else { return [] }
        var out = [self]
        while out.count < count, out[0].previous != out[0] { out.insert(out[0].previous, at: 0) }
        return out
    }

    /// [start, end) in `zone`.
    public func bounds(in zone: TimeZone) -> (start: Date, end: Date) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let (first, count) = months
        let start = cal.date(from: DateComponents(year: year, month: first, day: 1))!
        return (start, cal.date(byAdding: .month, value: count, to: start)!)
    }

    /// The period of `kind` that contains `date` in `zone`.
    public static func containing(_ date: Date, kind: Kind, in zone: TimeZone) -> Period {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.year, .month], from: date)
        let y = c.year!, m = c.month!
        switch kind {
        case .month: return Period(kind: .month, year: y, index: m)!
        case .quarter: return Period(kind: .quarter, year: y, index: (m - 1) / 3 + 1)!
        case .year: return Period(kind: .year, year: y, index: 1)!
        }
    }

    public static func < (a: Period, b: Period) -> Bool {
        (a.kind.rawValue, a.year, a.index) < (b.kind.rawValue, b.year, b.index)
    }
}
