import Foundation

/// The parts a territory's score is composed of (DOMAIN.md §8). Materials and surveys arrive with later work;
/// until they have data they drop out and their weight is shared among the parts that have data.
public enum ScoreComponent: String, CaseIterable, Sendable, Codable, Hashable {
    case field, impression, rectification, materials, survey
    public var label: String {
        switch self {
        case .field: "实地考察"
        case .impression: "总体印象"
        case .rectification: "问题整改"
        case .materials: "材料审核"
        case .survey: "问卷调查"
        }
    }
    /// What the part measures, for the score page.
    public var explanation: String {
        switch self {
        case .field: "本期开始的检查中，本区域点位得分的平均值（每个点位：保留分 ÷ 检查标准总分 × 100）"
        case .impression: "本期以本区域为范围的检查中，检查组成员对四个方面总体印象评分的平均值"
        case .rectification: "本期派遣到本区域的问题按期结案率 × 100（按期结案 ÷（应结案 − 缓办））"
        case .materials: "材料审核得分（尚无数据来源）"
        case .survey: "问卷调查得分（尚无数据来源）"
        }
    }
}

/// A scoring scheme (测评方案): how territories and units are scored, which cards follow, and how years combine.
/// Stored as JSON with a version number; every computed score names the version it used.
public struct ScoringScheme: Sendable, Equatable, Codable {
    // Territories (区、街道、社区)
    /// Weights per component, whole numbers summing to 100.
    public var weights: [ScoreComponent: Int]
    /// Prerequisite thresholds (基本条件): a component below its minimum makes the territory ineligible (not ranked).
    public var prerequisites: [ScoreComponent: Score]
    // Cards (红黄绿牌), on the 0–100 total
    public var greenMin: Score
    public var yellowBelow: Score
    public var redBelow: Score
    // Units and departments (单位考核)
    public var unitBase: Score
    public var cityProblem: Score
    public var localProblem: Score
    /// A problem closed within this many hours of being reported counts as fixed on the spot (立行立改): half the deduction.
    public var onSpotHours: Int
    public var lateCase: Score
    public var cityClean: Score
    public var localClean: Score
    /// The case sources that count as problems found by a check.
    public var checkSources: [CaseSource]
    // Multi-year composition (多年综合): weights of two years ago, last year, this year; summing to 100.
    public var yearWeights: [Int]

    public init(weights: [ScoreComponent: Int], prerequisites: [ScoreComponent: Score], greenMin: Score, yellowBelow: Score, redBelow: Score,
                unitBase: Score, cityProblem: Score, localProblem: Score, onSpotHours: Int, lateCase: Score, cityClean: Score, localClean: Score,
                checkSources: [CaseSource], yearWeights: [Int]) {
        self.weights = weights; self.prerequisites = prerequisites; self.greenMin = greenMin; self.yellowBelow = yellowBelow; self.redBelow = redBelow
        self.unitBase = unitBase; self.cityProblem = cityProblem; self.localProblem = localProblem; self.onSpotHours = onSpotHours
        self.lateCase = lateCase; self.cityClean = cityClean; self.localClean = localClean; self.checkSources = checkSources; self.yearWeights = yearWeights
    }

    /// DOMAIN.md §8: 实地考察 60 + 问卷调查 40 for territories, with impressions and rectification sharing in;
    /// the unit scheme as seen in practice; 15 % / 25 % / 60 % over three years.
    public static let standard = ScoringScheme(
        weights: [.field: 50, .impression: 10, .rectification: 20, .materials: 0, .survey: 20],
        prerequisites: [.field: Score(hundredths: 6000)],
        greenMin: Score(hundredths: 9000), yellowBelow: Score(hundredths: 8000), redBelow: Score(hundredths: 7000),
        unitBase: Score(hundredths: 10000), cityProblem: Score(hundredths: 200), localProblem: Score(hundredths: 100), onSpotHours: 24,
        lateCase: Score(hundredths: 200), cityClean: Score(hundredths: 200), localClean: Score(hundredths: 100),
        checkSources: [.inspection, .undercover, .mockEvaluation], yearWeights: [15, 25, 60])

    /// Problems by form field; empty when the scheme is usable.
    public func problems() -> [String: String] {
        var p: [String: String] = [:]
        let total = ScoreComponent.allCases.reduce(0) { $0 + (weights[$1] ?? 0) }
        if ScoreComponent.allCases.contains(where: { (weights[$0] ?? 0) < 0 }) { p["w_field"] = "权重不能为负数" }
        else if total != 100 { p["w_field"] = "各分项权重之和须为 100，现在是 \(total)" }
        for (c, m) in prerequisites where m.hundredths > 10000 { p["pre_" + c.rawValue] = "“\(c.label)”的基本条件须在 0–100 之间" }
        if !(redBelow <= yellowBelow && yellowBelow <= greenMin) || greenMin.hundredths > 10000 {
            p["greenMin"] = "须满足：红牌线 ≤ 黄牌线 ≤ 绿牌线 ≤ 100"
        }
        if unitBase.hundredths <= 0 || unitBase.hundredths > 100_000 { p["unitBase"] = "单位考核基础分须在 0–1000 之间" }
        if !(1...720).contains(onSpotHours) { p["onSpotHours"] = "立行立改时限须为 1–720 小时" }
        if checkSources.isEmpty { p["checkSources"] = "至少选择一种检查来源" }
        if yearWeights.count != 3 || yearWeights.contains(where: { $0 < 0 }) || yearWeights.reduce(0, +) != 100 {
            p["yearWeights"] = "三年权重须为三个非负整数，合计 100"
        }
        return p
    }

    /// Reads the scheme form. Unparseable numbers are reported by field; the returned scheme is then not to be used.
    public static func parse(_ f: [String: String], sources: [String]) -> (ScoringScheme, [String: String]) {
        var s = ScoringScheme.standard
        var p: [String: String] = [:]
        func text(_ k: String) -> String { (f[k] ?? "").trimmed() }
        func int(_ k: String, _ label: String) -> Int? {
            guard let v = Int(text(k)) else { p[k] = "“\(label)”须为整数"; return nil }
            return v
        }
        func score(_ k: String, _ label: String) -> Score? {
            guard let v = Score(text(k)) else { p[k] = "“\(label)”须为不小于 0 的数，最多两位小数"; return nil }
            return v
        }
        for c in ScoreComponent.allCases {
            if let w = int("w_" + c.rawValue, c.label + "权重") { s.weights[c] = w }
            let pre = text("pre_" + c.rawValue)
            if pre.isEmpty { s.prerequisites[c] = nil } else if let v = score("pre_" + c.rawValue, c.label + "基本条件") { s.prerequisites[c] = v }
        }
        if let v = score("greenMin", "绿牌线") { s.greenMin = v }
        if let v = score("yellowBelow", "黄牌线") { s.yellowBelow = v }
        if let v = score("redBelow", "红牌线") { s.redBelow = v }
        if let v = score("unitBase", "基础分") { s.unitBase = v }
        if let v = score("cityProblem", "市级检查发现问题扣分") { s.cityProblem = v }
        if let v = score("localProblem", "区级、街道检查发现问题扣分") { s.localProblem = v }
        if let v = int("onSpotHours", "立行立改时限") { s.onSpotHours = v }
        if let v = score("lateCase", "超期案卷扣分") { s.lateCase = v }
        if let v = score("cityClean", "市级检查无问题点位加分") { s.cityClean = v }
        if let v = score("localClean", "区级、街道检查无问题点位加分") { s.localClean = v }
        var chosen: [CaseSource] = []
        for raw in sources {
            guard let src = CaseSource(rawValue: raw) else { p["checkSources"] = "未知的问题来源“\(raw)”"; continue }
            if !chosen.contains(src) { chosen.append(src) }
        }
        s.checkSources = CaseSource.allCases.filter(chosen.contains)
        let years = text("yearWeights").split(whereSeparator: { $0 == "/" || $0 == "," || $0 == " " || $0 == "，" })
        let ys = years.compactMap { Int($0) }
        if ys.count != years.count { p["yearWeights"] = "三年权重写成 15/25/60 的形式" } else { s.yearWeights = ys }
        for (k, v) in s.problems() where p[k] == nil { p[k] = v }
        return (s, p)
    }

    // Codable with stable string keys (dictionaries keyed by enums would encode as arrays).
    enum CodingKeys: String, CodingKey {
        case weights, prerequisites, greenMin, yellowBelow, redBelow, unitBase, cityProblem, localProblem, onSpotHours, lateCase, cityClean, localClean, checkSources, yearWeights
    }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        let std = ScoringScheme.standard
        func sc(_ k: CodingKeys, _ def: Score) throws -> Score { try c.decodeIfPresent(Int.self, forKey: k).map(Score.init(hundredths:)) ?? def }
        if let w = try c.decodeIfPresent([String: Int].self, forKey: .weights) {
            weights = Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0, w[$0.rawValue] ?? 0) })
        } else {
            weights = std.weights
        }
        let pre = try c.decodeIfPresent([String: Int].self, forKey: .prerequisites) ?? [:]
        prerequisites = Dictionary(uniqueKeysWithValues: pre.compactMap { k, v in ScoreComponent(rawValue: k).map { ($0, Score(hundredths: v)) } })
        greenMin = try sc(.greenMin, std.greenMin); yellowBelow = try sc(.yellowBelow, std.yellowBelow); redBelow = try sc(.redBelow, std.redBelow)
        unitBase = try sc(.unitBase, std.unitBase); cityProblem = try sc(.cityProblem, std.cityProblem); localProblem = try sc(.localProblem, std.localProblem)
        onSpotHours = try c.decodeIfPresent(Int.self, forKey: .onSpotHours) ?? std.onSpotHours
        lateCase = try sc(.lateCase, std.lateCase); cityClean = try sc(.cityClean, std.cityClean); localClean = try sc(.localClean, std.localClean)
        checkSources = (try c.decodeIfPresent([String].self, forKey: .checkSources) ?? std.checkSources.map(\.rawValue)).compactMap(CaseSource.init(rawValue:))
        yearWeights = try c.decodeIfPresent([Int].self, forKey: .yearWeights) ?? std.yearWeights
    }
    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(Dictionary(uniqueKeysWithValues: weights.map { ($0.key.rawValue, $0.value) }), forKey: .weights)
        try c.encode(Dictionary(uniqueKeysWithValues: prerequisites.map { ($0.key.rawValue, $0.value.hundredths) }), forKey: .prerequisites)
        for (k, v) in [(CodingKeys.greenMin, greenMin), (.yellowBelow, yellowBelow), (.redBelow, redBelow), (.unitBase, unitBase), (.cityProblem, cityProblem),
                       (.localProblem, localProblem), (.lateCase, lateCase), (.cityClean, cityClean), (.localClean, localClean)] {
            try c.encode(v.hundredths, forKey: k)
        }
        try c.encode(onSpotHours, forKey: .onSpotHours)
        try c.encode(checkSources.map(\.rawValue), forKey: .checkSources)
        try c.encode(yearWeights, forKey: .yearWeights)
    }

    /// The canonical JSON stored with a version (sorted keys, so equal schemes store equal text).
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }

    public static func decode(json: String) throws -> ScoringScheme {
        try JSONDecoder().decode(ScoringScheme.self, from: Data(json.utf8))
    }
}
