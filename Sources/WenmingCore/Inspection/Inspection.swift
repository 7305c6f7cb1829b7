import Foundation

/// The kinds of inspection round (DOMAIN.md §6).
public enum RoundKind: String, CaseIterable, Sendable, Codable {
    case mock, routine, undercover, external, special

    public var label: String {
        switch self {
        case .mock: "模拟测评"
        case .routine: "日常督查"
        case .undercover: "暗访"
        case .external: "明查暗访"
        case .special: "专项督查"
        }
    }

    /// The source the cases a round finds are filed under.
    public var caseSource: CaseSource {
        switch self {
        case .mock: .mockEvaluation
        case .undercover, .external: .undercover
        case .routine, .special: .inspection
        }
    }
}

/// The verdict on one checklist standard at one point.
public enum ItemVerdict: Sendable, Equatable {
    case pass
    case fail
    /// Points taken off, at most the standard's score.
    case deduct(Score)

    public var code: String {
        switch self { case .pass: "pass"; case .fail: "fail"; case .deduct: "deduct" }
    }
    public var label: String {
        switch self { case .pass: "合格"; case .fail: "不合格"; case .deduct: "扣分" }
    }
    /// A failed or deducted item is a problem the rectification loop must fix.
    public var isProblem: Bool { self != .pass }

    /// Points lost on a standard worth `full`.
    public func lost(of full: Score) -> Score {
        switch self {
        case .pass: .zero
        case .fail: full
        case .deduct(let d): Score(hundredths: min(max(d.hundredths, 0), full.hundredths))
        }
    }

    /// Reads a form's verdict: `pass`, `fail`, or `deduct` with its points.
    public static func parse(_ code: String, deduction: String, full: Score) -> (verdict: ItemVerdict?, problem: String?) {
        switch code {
        case "pass": return (.pass, nil)
        case "fail": return (.fail, nil)
        case "deduct":
            guard let d = Score(deduction.trimmed()), d.hundredths > 0 else { return (nil, "请填写扣分（大于 0）") }
            guard d <= full else { return (nil, "扣分不能超过该标准的分值 \(full)") }
            return (.deduct(d), nil)
        case "": return (nil, "请选择合格、不合格或扣分")
        default: return (nil, "无效的评价“\(code)”")
        }
    }
}

/// The four aspects of the overall impression (整体评价) each team member scores after the field work.
public enum ImpressionAspect: String, CaseIterable, Sendable {
    case sanitation, civility, facilities, atmosphere
    public var label: String {
        switch self {
        case .sanitation: "环境卫生"
        case .civility: "市民素质"
        case .facilities: "公共设施"
        case .atmosphere: "氛围营造"
        }
    }
    /// A member's score for an aspect is a whole number 0…100.
    public static func parse(_ s: String) -> Int? {
        guard let v = Int(s.trimmed()), (0...100).contains(v) else { return nil }
        return v
    }
}

/// Round results: a point's score is the share of its checklist's points kept, as a percentage; a group's
/// (category, street, district) is the mean of its points' scores; lost points are summed by standard and by
/// the unit that must answer for them (谁丢分谁负责).
public enum RoundScoring {
    public struct Item: Sendable, Equatable {
        public var pointID: Int64
        public var standardID: Int64
        public var full: Score
        public var lost: Score
        /// The unit answerable for the loss: the point's adopting unit, else the case's unit.
        public var unitID: Int64?
        public init(pointID: Int64, standardID: Int64, full: Score, lost: Score, unitID: Int64?) {
            self.pointID = pointID; self.standardID = standardID; self.full = full; self.lost = lost; self.unitID = unitID
        }
    }

    /// A point's score in hundredths of a percent (10000 = 100 %); nil when its checklist was empty.
    public static func pointScore(_ items: [Item]) -> Int? {
        score(full: items.reduce(.zero) { $0 + $1.full }, lost: items.reduce(.zero) { $0 + $1.lost })
    }

    /// The same from a visit's totals (as stored with the visit): the share of `full` kept, in hundredths of a percent.
    public static func score(full: Score, lost: Score) -> Int? {
        guard full.hundredths > 0 else { return nil }
        return Int((Double(full.hundredths - lost.hundredths) * 10000 / Double(full.hundredths)).rounded())
    }

    /// Mean of the given point scores (hundredths of a percent), rounded; nil for none.
    public static func mean(_ scores: [Int]) -> Int? {
        guard !scores.isEmpty else { return nil }
        return Int((Double(scores.reduce(0, +)) / Double(scores.count)).rounded())
    }

    /// Per-point scores, then their means per group key (e.g. category, street or district of the point).
    public static func groupScores(_ items: [Item], group: (Int64) -> String?) -> [(key: String, score: Int, points: Int)] {
        let byPoint = Dictionary(grouping: items, by: \.pointID).compactMapValues(pointScore)
        var groups: [String: [Int]] = [:]
        for (p, s) in byPoint { if let g = group(p) { groups[g, default: []].append(s) } }
        return groups.map { (key: $0.key, score: mean($0.value)!, points: $0.value.count) }
            .sorted { $0.score != $1.score ? $0.score < $1.score : $0.key < $1.key }
    }

    /// Lost points summed by a key (standard or unit), largest loss first; items that lost nothing are left out.
    public static func lostBy<K: Hashable & Comparable>(_ items: [Item], key: (Item) -> K?) -> [(key: K, lost: Score, items: Int)] {
        var sums: [K: (Score, Int)] = [:]
        for i in items where i.lost.hundredths > 0 {
            guard let k = key(i) else { continue }
            let s = sums[k] ?? (.zero, 0)
            sums[k] = (s.0 + i.lost, s.1 + 1)
        }
        return sums.map { (key: $0.key, lost: $0.value.0, items: $0.value.1) }
            .sorted { $0.lost != $1.lost ? $0.lost > $1.lost : $0.key < $1.key }
    }

    /// The change between two scores in hundredths of a percent, nil when either is missing.
    public static func change(_ now: Int?, since before: Int?) -> Int? {
        guard let n = now, let b = before else { return nil }
        return n - b
    }

    /// "87.50" for 8750.
    public static func percent(_ h: Int) -> String { Score(hundredths: h).description }
}
