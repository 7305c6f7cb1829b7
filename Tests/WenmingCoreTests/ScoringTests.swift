import Foundation
import Testing
@testable import WenmingCore

/// Fixtures for the scoring rules. All scores are hundredths of a point: 90.00 is 9000.
enum SF {
    static let std = ScoringScheme.standard
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let utc = TimeZone(identifier: "UTC")!

    /// A fixed moment from an ISO 8601 string such as "2026-10-31T16:00:00Z".
    static func d(_ s: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: s) else { fatalError("bad test date \(s)") }
        return date
    }

    static func item(_ code: String, _ penalty: Penalty, points: Int? = nil, months: Int? = nil, veto: Bool = false) -> NegativeItem {
        NegativeItem(areaCode: "N01", areaName: "安全生产", code: code, title: "事项 \(code)", penalty: penalty,
                     points: points.map(Score.init(hundredths:)), months: months, veto: veto)
    }

    static let noNegative = NegativeOutcome.of([])

    /// The fixed territory of the hand-worked example: field 90, impression 80, rectification 75, no survey or materials.
    static let values: [ScoreComponent: Int] = [.field: 9000, .impression: 8000, .rectification: 7500]

    static func scheme(_ change: (inout ScoringScheme) -> Void) -> ScoringScheme {
        var s = ScoringScheme.standard
        change(&s)
        return s
    }

    // Unit findings.
    static func problem(_ id: Int64, city: Bool, at: Int64, closed: Int64? = nil, key: String) -> UnitFinding {
        UnitFinding(kind: .problem(cityLevel: city, reportedAt: at, closedAt: closed, repeatKey: key), source: "case", sourceID: id, label: "C-\(id)")
    }
    static func late(_ id: Int64, closed: Bool) -> UnitFinding {
        UnitFinding(kind: .late(closed: closed), source: "case", sourceID: id, label: "C-\(id)")
    }
    static func clean(_ id: Int64, city: Bool) -> UnitFinding {
        UnitFinding(kind: .clean(cityLevel: city), source: "visit", sourceID: id, label: "D-\(id)")
    }
    static func negative(_ id: Int64, _ item: NegativeItem) -> UnitFinding {
        UnitFinding(kind: .negative(item), source: "incident", sourceID: id, label: item.code)
    }

    /// The standard scheme as the scheme form would send it.
    static func standardForm() -> [String: String] {
        ["w_field": "50", "w_impression": "10", "w_rectification": "20", "w_materials": "0", "w_survey": "20",
         "pre_field": "60", "pre_impression": "", "pre_rectification": "", "pre_materials": "", "pre_survey": "",
         "greenMin": "90", "yellowBelow": "80", "redBelow": "70",
         "unitBase": "100", "cityProblem": "2", "localProblem": "1", "onSpotHours": "24", "lateCase": "2",
         "cityClean": "2", "localClean": "1", "yearWeights": "15/25/60"]
    }
    static let standardSources = ["inspection", "undercover", "mock_evaluation"]

    static func occurrences(of needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }
}

// MARK: - Territories

@Suite struct TerritoryScoringTests {
    @Test func handWorkedExample() {
        let s = TerritoryScoring.score(values: SF.values, basis: [.field: "38 个点位"], negative: SF.noNegative, scheme: SF.std)
        // Parts in ScoreComponent order; materials (weight 0, no value) is left out, survey (weight 20, no value) stays with share 0.
        #expect(s.parts.map(\.component) == [.field, .impression, .rectification, .survey])
        #expect(s.parts.map(\.weight) == [50, 10, 20, 20])
        #expect(s.parts.map(\.value) == [9000, 8000, 7500, nil])
        // Weight with data: 50 + 10 + 20 = 80.
        // field 50 × 10000 / 80 = 6250; impression 10 × 10000 / 80 = 1250; rectification 20 × 10000 / 80 = 2500; survey 0.
        #expect(s.parts.map(\.share) == [6250, 1250, 2500, 0])
        #expect(s.parts.map(\.basis) == ["38 个点位", "", "", "暂无数据"])
        // (9000×50 + 8000×10 + 7500×20) / 80 = (450000 + 80000 + 150000) / 80 = 680000 / 80 = 8500
        #expect(s.weighted == 8500)
        #expect(s.deducted == 0)
        #expect(s.total == 8500)
        #expect(!s.vetoed)
        #expect(s.failed.isEmpty)
        // 80.00 ≤ 85.00 < 90.00: between the yellow and green lines, no card.
        #expect(s.card == nil)
        #expect(s.eligible)
        #expect(s.ineligibleReason == nil)
    }

    @Test func withADeduction() {
        let neg = NegativeOutcome.of([SF.item("N0101", .deduct, points: 250)])
        let s = TerritoryScoring.score(values: SF.values, negative: neg, scheme: SF.std)
        #expect(s.weighted == 8500)
        #expect(s.deducted == 250)
        // 8500 − 250 = 8250: still between the lines, no card.
        #expect(s.total == 8250)
        #expect(s.card == nil)
        #expect(s.eligible)
        // Two deductions of 2.5 and 10 → 8500 − 1250 = 7250: yellow (70 ≤ 72.5 < 80).
        let two = TerritoryScoring.score(values: SF.values, negative: .of([SF.item("a", .deduct, points: 250), SF.item("b", .deduct, points: 1000)]),
                                         scheme: SF.std)
        #expect(two.deducted == 1250)
        #expect(two.total == 7250)
        #expect(two.card == .yellow)
    }

    @Test func deductionsDoNotGoBelowZero() {
        let s = TerritoryScoring.score(values: SF.values, negative: .of([SF.item("a", .deduct, points: 9000)]), scheme: SF.std)
        // max(0, 8500 − 9000) = 0
        #expect(s.weighted == 8500)
        #expect(s.deducted == 9000)
        #expect(s.total == 0)
        #expect(s.card == .red)
        #expect(s.eligible)  // a low score is still ranked
    }

    @Test func withAVeto() {
        let neg = NegativeOutcome.of([SF.item("N0102", .suspend, months: 6, veto: true)])
        let s = TerritoryScoring.score(values: SF.values, negative: neg, scheme: SF.std)
        // The veto does not change the numbers; it makes the territory red and unranked.
        #expect(s.weighted == 8500)
        #expect(s.total == 8500)
        #expect(s.vetoed)
        #expect(s.card == .red)
        #expect(!s.eligible)
        #expect(s.ineligibleReason == "负面清单一票否决")
    }

    @Test func vetoWinsOverAFailedPrerequisiteInTheReason() {
        let s = TerritoryScoring.score(values: [.field: 5000], negative: .of([SF.item("v", .revoke, veto: true)]), scheme: SF.std)
        #expect(s.failed == [.field])
        #expect(s.ineligibleReason == "负面清单一票否决")
    }

    @Test func surveyWithData() {
        var v = SF.values
        v[.survey] = 7000
        let s = TerritoryScoring.score(values: v, negative: SF.noNegative, scheme: SF.std)
        // All weight present: 50 + 10 + 20 + 20 = 100, shares 5000 / 1000 / 2000 / 2000.
        #expect(s.parts.map(\.share) == [5000, 1000, 2000, 2000])
        // (450000 + 80000 + 150000 + 7000×20) / 100 = 820000 / 100 = 8200
        #expect(s.weighted == 8200)
        #expect(s.card == nil)
    }

    @Test func valueOfAZeroWeightComponentIsShownButNotCounted() {
        var v = SF.values
        v[.materials] = 1000
        let s = TerritoryScoring.score(values: v, negative: SF.noNegative, scheme: SF.std)
        #expect(s.parts.map(\.component) == [.field, .impression, .rectification, .materials, .survey])
        let m = s.parts.first { $0.component == .materials }
        #expect(m?.weight == 0 && m?.value == 1000 && m?.share == 0 && m?.basis == "")
        #expect(s.weighted == 8500)  // unchanged from the example
    }

    @Test func weightedMeanRoundsHalfUp() {
        // field 80.00 (50), impression 80.03 (10): (400000 + 80030) / 60 = 8000.5 → 8001
        let s = TerritoryScoring.score(values: [.field: 8000, .impression: 8003], negative: SF.noNegative, scheme: SF.std)
        #expect(s.weighted == 8001)
        // shares: 500000 / 60 = 8333.3 → 8333; 100000 / 60 = 1666.7 → 1667
        #expect(s.parts.map(\.share) == [8333, 1667, 0, 0])
    }

    // Prerequisites (基本条件): standard field ≥ 60.00.

    @Test func prerequisiteExactlyAtTheMinimumPasses() {
        let s = TerritoryScoring.score(values: [.field: 6000, .impression: 10000, .rectification: 10000], negative: SF.noNegative, scheme: SF.std)
        // (6000×50 + 10000×10 + 10000×20) / 80 = (300000 + 100000 + 200000) / 80 = 600000 / 80 = 7500
        #expect(s.failed.isEmpty)
        #expect(s.total == 7500)
        #expect(s.card == .yellow)  // 70 ≤ 75 < 80
        #expect(s.eligible)
        #expect(s.ineligibleReason == nil)
    }

    @Test func prerequisiteOneHundredthBelowFails() {
        let s = TerritoryScoring.score(values: [.field: 5999, .impression: 10000, .rectification: 10000], negative: SF.noNegative, scheme: SF.std)
        // (5999×50 + 300000) / 80 = 599950 / 80 = 7499.375 → 7499; computed, but not ranked
        #expect(s.total == 7499)
        #expect(s.failed == [.field])
        #expect(s.card == .red)  // would be yellow by the total
        #expect(!s.eligible)
        #expect(s.ineligibleReason == "未达基本条件：实地考察")
        #expect(s.ineligibleReason?.contains("基本条件") == true)
    }

    @Test func missingComponentWithAPrerequisiteFails() {
        let s = TerritoryScoring.score(values: [.impression: 8000, .rectification: 7500], negative: SF.noNegative, scheme: SF.std)
        // (8000×10 + 7500×20) / 30 = 230000 / 30 = 7666.67 → 7667
        #expect(s.total == 7667)
        #expect(s.failed == [.field])
        #expect(s.card == .red)
        #expect(!s.eligible)
        #expect(s.ineligibleReason?.contains("基本条件") == true)
        let field = s.parts.first { $0.component == .field }
        #expect(field?.value == nil && field?.share == 0 && field?.basis == "暂无数据")
    }

    @Test func missingComponentWithoutAPrerequisiteIsScoredFromTheOthers() {
        let scheme = SF.scheme { $0.prerequisites = [:] }
        let s = TerritoryScoring.score(values: [.impression: 8000, .rectification: 7500], negative: SF.noNegative, scheme: scheme)
        // Weight with data 10 + 20 = 30; shares 100000/30 = 3333.3 → 3333, 200000/30 = 6666.7 → 6667.
        #expect(s.parts.map(\.share) == [0, 3333, 6667, 0])
        // 230000 / 30 = 7666.67 → 7667
        #expect(s.weighted == 7667)
        #expect(s.total == 7667)
        #expect(s.failed.isEmpty)
        #expect(s.card == .yellow)  // 70 ≤ 76.67 < 80
        #expect(s.eligible)
    }

    @Test func noDataAtAll() {
        let none = TerritoryScoring.score(values: [:], negative: SF.noNegative, scheme: SF.scheme { $0.prerequisites = [:] })
        #expect(none.weighted == nil && none.total == nil)
        #expect(none.card == nil)
        #expect(!none.eligible)
        #expect(none.ineligibleReason == "本期无测评数据")
        // With the standard prerequisite the missing field fails first.
        let std = TerritoryScoring.score(values: [:], negative: SF.noNegative, scheme: SF.std)
        #expect(std.total == nil)
        #expect(std.failed == [.field])
        #expect(std.card == .red)
        #expect(std.ineligibleReason == "未达基本条件：实地考察")
    }
}

// MARK: - Cards

@Suite struct CardTests {
    /// Standard lines: green ≥ 90.00, yellow below 80.00, red below 70.00; between 80 and 90 no card.
    static let edges: [(Int?, Card?)] = [
        (10000, .green), (9000, .green), (8999, nil), (8500, nil), (8000, nil), (7999, .yellow), (7000, .yellow), (6999, .red), (0, .red),
        (nil, nil),
    ]

    @Test(arguments: CardTests.edges)
    func standardLines(total: Int?, card: Card?) {
        #expect(Card.of(total: total, vetoed: false, failedPrerequisite: false, scheme: SF.std) == card)
    }

    @Test func vetoAndPrerequisiteAreRedWhateverTheTotal() {
        #expect(Card.of(total: 10000, vetoed: true, failedPrerequisite: false, scheme: SF.std) == .red)
        #expect(Card.of(total: 10000, vetoed: false, failedPrerequisite: true, scheme: SF.std) == .red)
        #expect(Card.of(total: nil, vetoed: true, failedPrerequisite: false, scheme: SF.std) == .red)
        #expect(Card.of(total: nil, vetoed: false, failedPrerequisite: true, scheme: SF.std) == .red)
    }

    @Test func linesWithoutAGap() {
        // green 85, yellow below 85, red below 60: every total gets a card.
        let s = SF.scheme { $0.greenMin = Score(hundredths: 8500); $0.yellowBelow = Score(hundredths: 8500); $0.redBelow = Score(hundredths: 6000) }
        #expect(Card.of(total: 8500, vetoed: false, failedPrerequisite: false, scheme: s) == .green)
        #expect(Card.of(total: 8499, vetoed: false, failedPrerequisite: false, scheme: s) == .yellow)
        #expect(Card.of(total: 6000, vetoed: false, failedPrerequisite: false, scheme: s) == .yellow)
        #expect(Card.of(total: 5999, vetoed: false, failedPrerequisite: false, scheme: s) == .red)
    }

    @Test func labels() {
        #expect([Card.green, .yellow, .red].map(\.label) == ["绿牌", "黄牌", "红牌"])
    }
}

// MARK: - Units

@Suite struct UnitScoringTests {
    static let deduct3 = SF.item("N0201", .deduct, points: 300)

    /// Given out of order on purpose: problems are taken by report time, then late cases, clean points and incidents.
    static let findings: [UnitFinding] = [
        SF.negative(50, deduct3),
        SF.clean(41, city: false),
        SF.problem(14, city: false, at: 4000, key: "P3|乱堆乱放"),               // the repeat: reported after #13
        SF.late(20, closed: true),
        SF.problem(11, city: true, at: 1000, closed: 1000 + 10 * 3600, key: "P1|占道"),  // closed in 10 h
        SF.clean(40, city: true),
        SF.problem(13, city: false, at: 3000, key: "P3|乱堆乱放"),
        SF.problem(12, city: true, at: 2000, closed: 2000 + 25 * 3600, key: "P2|占道"),  // closed in 25 h: not on the spot
    ]

    @Test func handWorkedExample() {
        let s = UnitScoring.score(Self.findings, scheme: SF.std)
        let expected = [
            // city 2.00 halved: divRound(200, 2) = 100
            ScoreLine(kind: "problem", source: "case", sourceID: 11, label: "C-11", points: -100, note: "市级检查发现；24 小时内整改到位，减半扣分"),
            ScoreLine(kind: "problem", source: "case", sourceID: 12, label: "C-12", points: -200, note: "市级检查发现"),
            ScoreLine(kind: "problem", source: "case", sourceID: 13, label: "C-13", points: -100, note: "区、街道检查发现"),
            ScoreLine(kind: "problem", source: "case", sourceID: 14, label: "C-14", points: -100, note: "区、街道检查发现；重复发现（本期第 2 次），再次扣分"),
            ScoreLine(kind: "late", source: "case", sourceID: 20, label: "C-20", points: -200, note: "超期办结"),
            ScoreLine(kind: "clean", source: "visit", sourceID: 40, label: "D-40", points: 200, note: "市级检查点位无问题"),
            ScoreLine(kind: "clean", source: "visit", sourceID: 41, label: "D-41", points: 100, note: "区、街道检查点位无问题"),
            ScoreLine(kind: "negative", source: "incident", sourceID: 50, label: "N0201", points: -300, note: "扣 3 分"),
        ]
        #expect(s.lines == expected)
        #expect(s.base == 10000)
        // 10000 − 100 − 200 − 100 − 100 − 200 + 200 + 100 − 300 = 9300
        #expect(s.total == 9300)
        #expect(s.lost == 1000)   // 100 + 200 + 100 + 100 + 200 + 300
        #expect(s.gained == 300)  // 200 + 100
        #expect(s.problems == 4 && s.late == 1 && s.clean == 2)
        #expect(!s.vetoed && s.eligible)
        #expect(s.card == .green)  // 93 ≥ 90
    }

    @Test func aVetoMarksTheUnitIneligible() {
        let veto = SF.item("N0202", .revoke, veto: true)
        let s = UnitScoring.score(Self.findings + [SF.negative(51, veto)], scheme: SF.std)
        // A revoke carries no points: total still 9300.
        #expect(s.total == 9300)
        #expect(s.vetoed && !s.eligible)
        #expect(s.card == .red)
        #expect(s.lines.last == ScoreLine(kind: "negative", source: "incident", sourceID: 51, label: "N0202", points: 0,
                                          note: "撤销已获称号，次年不得申报；一票否决：本周期不得参评"))
    }

    @Test func lateStillOpen() {
        let s = UnitScoring.score([SF.late(1, closed: false)], scheme: SF.std)
        #expect(s.lines.map(\.note) == ["超期未办结"])
        #expect(s.total == 9800)  // 10000 − 200
    }

    @Test func thirdRepeatIsNumbered() {
        let s = UnitScoring.score([SF.problem(1, city: true, at: 10, key: "K"), SF.problem(2, city: true, at: 20, key: "K"),
                                   SF.problem(3, city: true, at: 30, key: "K"), SF.problem(4, city: true, at: 40, key: "")],
                                  scheme: SF.std)
        #expect(s.lines.map(\.note) == ["市级检查发现", "市级检查发现；重复发现（本期第 2 次），再次扣分",
                                        "市级检查发现；重复发现（本期第 3 次），再次扣分", "市级检查发现"])
        #expect(s.total == 9200)  // 10000 − 4 × 200
    }

    @Test func neverBelowZero() {
        let many = (1...60).map { SF.late(Int64($0), closed: false) }
        let s = UnitScoring.score(many, scheme: SF.std)
        // 10000 − 60 × 200 = −2000 → 0
        #expect(s.total == 0)
        #expect(s.lost == 12000)
        #expect(s.card == .red)
        #expect(s.eligible)
    }

    @Test func nothingFound() {
        let s = UnitScoring.score([], scheme: SF.std)
        #expect(s.total == 10000 && s.lines.isEmpty && s.card == .green)
    }

    @Test func onSpotBoundary() {
        let at: Int64 = 1_793_462_400
        // 24 × 3600 = 86400 s exactly: halved, 200 → 100
        let exact = UnitScoring.score([SF.problem(1, city: true, at: at, closed: at + 86400, key: "")], scheme: SF.std)
        #expect(exact.lines.map(\.points) == [-100])
        #expect(exact.total == 9900)
        // 86401 s: the full 200
        let over = UnitScoring.score([SF.problem(1, city: true, at: at, closed: at + 86401, key: "")], scheme: SF.std)
        #expect(over.lines.map(\.points) == [-200])
        #expect(over.lines.map(\.note) == ["市级检查发现"])
        #expect(over.total == 9800)
        // A local problem closed at once: 100 → 50
        let local = UnitScoring.score([SF.problem(1, city: false, at: at, closed: at, key: "")], scheme: SF.std)
        #expect(local.lines.map(\.points) == [-50])
        #expect(local.lines.map(\.note) == ["区、街道检查发现；24 小时内整改到位，减半扣分"])
        // A scheme of 2 hours: 7200 s halved, 7201 s not.
        let two = SF.scheme { $0.onSpotHours = 2 }
        #expect(UnitScoring.score([SF.problem(1, city: true, at: at, closed: at + 7200, key: "")], scheme: two).lines.map(\.points) == [-100])
        #expect(UnitScoring.score([SF.problem(1, city: true, at: at, closed: at + 7201, key: "")], scheme: two).lines.map(\.note)
            == ["市级检查发现"])
        #expect(UnitScoring.score([SF.problem(1, city: true, at: at, closed: at + 60, key: "")], scheme: two).lines.map(\.note)
            == ["市级检查发现；2 小时内整改到位，减半扣分"])
    }

    @Test func halvingRoundsHalfUp() {
        // 0.25 halved: 25 / 2 = 12.5 → 13; 0.01 halved: 0.5 → 1
        let s = SF.scheme { $0.cityProblem = Score(hundredths: 25); $0.localProblem = Score(hundredths: 1) }
        let r = UnitScoring.score([SF.problem(1, city: true, at: 0, closed: 1, key: ""), SF.problem(2, city: false, at: 5, closed: 6, key: "")],
                                  scheme: s)
        #expect(r.lines.map(\.points) == [-13, -1])
        #expect(r.total == 9986)  // 10000 − 13 − 1
    }
}

// MARK: - Rankings

@Suite struct RankingTests {
    static let entries: [Ranking.Entry] = [
        .init(id: 7, total: nil, eligible: false),
        .init(id: 3, total: 8500, eligible: true),
        .init(id: 5, total: 9500, eligible: false),  // vetoed: highest total but no rank
        .init(id: 4, total: 8000, eligible: true),
        .init(id: 6, total: nil, eligible: true),
        .init(id: 2, total: 8500, eligible: true),
        .init(id: 8, total: 7000, eligible: false),
        .init(id: 1, total: 9000, eligible: true),
    ]

    @Test func tiesShareARankAndTheNextSkips() {
        // 90.00 → 1; 85.00, 85.00 → 2, 2; 80.00 → 4
        #expect(Ranking.ranks(Self.entries) == [1: 1, 2: 2, 3: 2, 4: 4])
    }

    @Test func ineligibleAndMissingAreUnranked() {
        let r = Ranking.ranks(Self.entries)
        #expect(r[5] == nil && r[6] == nil && r[7] == nil && r[8] == nil)
        #expect(Ranking.ranks([]) == [:])
        #expect(Ranking.ranks([.init(id: 1, total: nil, eligible: true)]) == [:])
    }

    @Test func allTied() {
        #expect(Ranking.ranks([.init(id: 1, total: 0, eligible: true), .init(id: 2, total: 0, eligible: true), .init(id: 3, total: -5, eligible: true)])
            == [1: 1, 2: 1, 3: 3])
    }

    @Test func orderPlacesUnrankedAfter() {
        // Ranked by rank (ties by id): 1, 2, 3, 4; then ineligible by total: 5 (95), 8 (70); then no total by id: 6, 7.
        #expect(Ranking.order(Self.entries).map(\.id) == [1, 2, 3, 4, 5, 8, 6, 7])
        #expect(Ranking.order(Array(Self.entries.reversed())).map(\.id) == [1, 2, 3, 4, 5, 8, 6, 7])
    }
}

// MARK: - Years

@Suite struct MultiYearTests {
    @Test func threeYears() {
        // (8000×15 + 9000×25 + 10000×60) / 100 = (120000 + 225000 + 600000) / 100 = 9450
        let r = MultiYear.compose([8000, 9000, 10000], weights: [15, 25, 60])
        #expect(r.total == 9450)
        #expect(r.missing == [])
    }

    @Test func missingFirstYearRenormalises() {
        // (9000×25 + 10000×60) / 85 = 825000 / 85 = 9705.88 → 9706
        let r = MultiYear.compose([nil, 9000, 10000], weights: [15, 25, 60])
        #expect(r.total == 9706)
        #expect(r.missing == [0])
        // Only this year: 10000×60 / 60 = 10000
        let only = MultiYear.compose([nil, nil, 10000], weights: [15, 25, 60])
        #expect(only.total == 10000)
        #expect(only.missing == [0, 1])
    }

    @Test func missingThisYearGivesNoScore() {
        let r = MultiYear.compose([8000, 9000, nil], weights: [15, 25, 60])
        #expect(r.total == nil)
        #expect(r.missing == [2])
        let none = MultiYear.compose([nil, nil, nil], weights: [15, 25, 60])
        #expect(none.total == nil)
        #expect(none.missing == [0, 1, 2])
    }

    @Test func onlyThisYearWeighs() {
        // (8000×0 + 9000×0 + 10000×100) / 100 = 10000
        let r = MultiYear.compose([8000, 9000, 10000], weights: [0, 0, 100])
        #expect(r.total == 10000)
        #expect(r.missing == [])
        // This year weighing nothing and alone: no weight, no score.
        let zero = MultiYear.compose([nil, nil, 9000], weights: [50, 50, 0])
        #expect(zero.total == nil)
        #expect(zero.missing == [0, 1])
    }

    @Test func roundsHalfUp() {
        // (8000×50 + 8001×50) / 100 = 800050 / 100 = 8000.5 → 8001
        #expect(MultiYear.compose([nil, 8000, 8001], weights: [15, 50, 50]).total == 8001)
    }

    @Test func invalidCounts() {
        let shortScores = MultiYear.compose([9000, 9000], weights: [15, 25, 60])
        #expect(shortScores.total == nil && shortScores.missing == [0, 1, 2])
        let longWeights = MultiYear.compose([9000, 9000, 9000], weights: [15, 25, 30, 30])
        #expect(longWeights.total == nil && longWeights.missing == [0, 1, 2])
        let empty = MultiYear.compose([], weights: [])
        #expect(empty.total == nil && empty.missing == [0, 1, 2])
    }
}

// MARK: - Periods

@Suite struct PeriodTests {
    @Test func parsesTheThreeKinds() {
        let m = Period("2026-11")
        #expect(m?.kind == .month && m?.year == 2026 && m?.index == 11)
        let q = Period("2026-Q4")
        #expect(q?.kind == .quarter && q?.year == 2026 && q?.index == 4)
        #expect(Period("2026-q4") == q)
        let y = Period("2026")
        #expect(y?.kind == .year && y?.year == 2026 && y?.index == 1)
        #expect(Period(" 2026-03 ") == Period(kind: .month, year: 2026, index: 3))
    }

    @Test(arguments: ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-Q", "2026-Qx", "26-11", "2026-1", "2026-11-01", "", "  ",
                      "1999", "2200-01", "２０２６-11", "2026-+1", "2026-", "-11", "2026/11"])
    func rejects(text: String) {
        #expect(Period(text) == nil)
    }

    @Test func memberwiseValidation() {
        #expect(Period(kind: .month, year: 2026, index: 0) == nil)
        #expect(Period(kind: .quarter, year: 2026, index: 5) == nil)
        #expect(Period(kind: .year, year: 2026, index: 2) == nil)
        #expect(Period(kind: .month, year: 1999, index: 12) == nil)
        #expect(Period(kind: .year, year: 2199, index: 1) != nil)
    }

    @Test func descriptionsAndLabels() {
        #expect(Period("2026-03")!.description == "2026-03")
        #expect(Period("2026-q4")!.description == "2026-Q4")
        #expect(Period("2026")!.description == "2026")
        #expect(Period("2026-11")!.label == "2026年11月")
        #expect(Period("2026-Q4")!.label == "2026年第四季度")
        #expect(Period("2026-Q1")!.label == "2026年第一季度")
        #expect(Period("2026")!.label == "2026年度")
        #expect([Period.Kind.month, .quarter, .year].map(\.label) == ["月度", "季度", "年度"])
    }

    @Test func previousAndNextAcrossTheYear() {
        #expect(Period("2026-01")!.previous == Period("2025-12"))
        #expect(Period("2026-11")!.previous == Period("2026-10"))
        #expect(Period("2026-Q1")!.previous == Period("2025-Q4"))
        #expect(Period("2026-Q3")!.previous == Period("2026-Q2"))
        #expect(Period("2026")!.previous == Period("2025"))
        #expect(Period("2026-12")!.next == Period("2027-01"))
        #expect(Period("2026-Q4")!.next == Period("2027-Q1"))
        #expect(Period("2026")!.next == Period("2027"))
        #expect(Period("2026-05")!.next.previous == Period("2026-05"))
    }

    @Test func trailing() {
        #expect(Period("2026-02")!.trailing(3) == [Period("2025-12")!, Period("2026-01")!, Period("2026-02")!])
        #expect(Period("2026-Q1")!.trailing(3) == [Period("2025-Q3")!, Period("2025-Q4")!, Period("2026-Q1")!])
        #expect(Period("2026")!.trailing(3) == [Period("2024")!, Period("2025")!, Period("2026")!])
        #expect(Period("2026-11")!.trailing(1) == [Period("2026-11")!])
        #expect(Period("2026-11")!.trailing(12).first == Period("2025-12"))
    }

    /// Documented as "the `count` periods": none for 0.
    @Test func trailingZeroIsEmpty() {
        #expect(Period("2026-11")!.trailing(0) == [])
    }

    @Test func boundsInShanghai() {
        // 2026-11-01 00:00 +08:00 = 2026-10-31 16:00 UTC; 2026-12-01 00:00 +08:00 = 2026-11-30 16:00 UTC
        let m = Period("2026-11")!.bounds(in: SF.shanghai)
        #expect(m.start == SF.d("2026-10-31T16:00:00Z"))
        #expect(m.start.timeIntervalSince1970 == 1_793_462_400)
        #expect(m.end == SF.d("2026-11-30T16:00:00Z"))
        // Q4: 2026-10-01 +08:00 … 2027-01-01 +08:00
        let q = Period("2026-Q4")!.bounds(in: SF.shanghai)
        #expect(q.start == SF.d("2026-09-30T16:00:00Z"))
        #expect(q.end == SF.d("2026-12-31T16:00:00Z"))
        // Q1: 2026-01-01 +08:00 … 2026-04-01 +08:00
        let q1 = Period("2026-Q1")!.bounds(in: SF.shanghai)
        #expect(q1.start == SF.d("2025-12-31T16:00:00Z"))
        #expect(q1.end == SF.d("2026-03-31T16:00:00Z"))
        // The year: 2026-01-01 +08:00 … 2027-01-01 +08:00
        let y = Period("2026")!.bounds(in: SF.shanghai)
        #expect(y.start == SF.d("2025-12-31T16:00:00Z"))
        #expect(y.end == SF.d("2026-12-31T16:00:00Z"))
        // February of a leap year has 29 days.
        let feb = Period("2028-02")!.bounds(in: SF.shanghai)
        #expect(feb.end.timeIntervalSince(feb.start) == 29 * 86400)
        // In UTC the month starts at midnight UTC.
        #expect(Period("2026-11")!.bounds(in: SF.utc).start == SF.d("2026-11-01T00:00:00Z"))
    }

    @Test func containing() {
        let start = SF.d("2026-10-31T16:00:00Z")  // 2026-11-01 00:00 in Shanghai
        #expect(Period.containing(start, kind: .month, in: SF.shanghai) == Period("2026-11"))
        #expect(Period.containing(start, kind: .quarter, in: SF.shanghai) == Period("2026-Q4"))
        #expect(Period.containing(start, kind: .year, in: SF.shanghai) == Period("2026"))
        let before = SF.d("2026-10-31T15:59:59Z")  // 2026-10-31 23:59:59 in Shanghai
        #expect(Period.containing(before, kind: .month, in: SF.shanghai) == Period("2026-10"))
        #expect(Period.containing(before, kind: .quarter, in: SF.shanghai) == Period("2026-Q4"))
        // 2027-01-01 00:00 in Shanghai, still 2026-12-31 in UTC
        let newYear = SF.d("2026-12-31T16:00:00Z")
        #expect(Period.containing(newYear, kind: .month, in: SF.shanghai) == Period("2027-01"))
        #expect(Period.containing(newYear, kind: .quarter, in: SF.shanghai) == Period("2027-Q1"))
        #expect(Period.containing(newYear, kind: .year, in: SF.shanghai) == Period("2027"))
        #expect(Period.containing(newYear, kind: .month, in: SF.utc) == Period("2026-12"))
        let lastSecond = SF.d("2026-12-31T15:59:59Z")
        #expect(Period.containing(lastSecond, kind: .year, in: SF.shanghai) == Period("2026"))
        // Every period contains its own start and not its end.
        for p in [Period("2026-11")!, Period("2026-Q4")!, Period("2026")!] {
            let b = p.bounds(in: SF.shanghai)
            #expect(Period.containing(b.start, kind: p.kind, in: SF.shanghai) == p)
            #expect(Period.containing(b.end, kind: p.kind, in: SF.shanghai) == p.next)
        }
    }

    @Test func ordering() {
        #expect(Period("2026-10")! < Period("2026-11")!)
        #expect(Period("2025-12")! < Period("2026-01")!)
        #expect(Period("2026-Q3")! < Period("2026-Q4")!)
        #expect(!(Period("2026")! < Period("2026")!))
    }
}

// MARK: - Schemes

@Suite struct ScoringSchemeTests {
    @Test func standardHasNoProblems() {
        #expect(ScoringScheme.standard.problems().isEmpty)
    }

    @Test func standardFormRoundTrips() {
        let (s, p) = ScoringScheme.parse(SF.standardForm(), sources: SF.standardSources)
        #expect(p.isEmpty)
        #expect(s == .standard)
    }

    @Test func weightsNotSummingTo100() {
        var f = SF.standardForm()
        f["w_field"] = "40"
        let (s, p) = ScoringScheme.parse(f, sources: SF.standardSources)
        // 40 + 10 + 20 + 0 + 20 = 90
        #expect(p == ["w_field": "各分项权重之和须为 100，现在是 90"])
        #expect(s.weights[.field] == 40)
        f["w_field"] = "60"
        f["w_survey"] = "-10"
        // 60 + 10 + 20 + 0 − 10 = 80, but a negative weight is reported first
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["w_field": "权重不能为负数"])
    }

    @Test func badNumbersReportedUnderTheirField() {
        var f = SF.standardForm()
        f["greenMin"] = "九十"
        f["lateCase"] = "-2"
        f["cityClean"] = "1.234"
        f["onSpotHours"] = "24.5"
        f["w_impression"] = "x"
        f["pre_field"] = "abc"
        let (_, p) = ScoringScheme.parse(f, sources: SF.standardSources)
        #expect(p == [
            "greenMin": "“绿牌线”须为不小于 0 的数，最多两位小数",
            "lateCase": "“超期案卷扣分”须为不小于 0 的数，最多两位小数",
            "cityClean": "“市级检查无问题点位加分”须为不小于 0 的数，最多两位小数",
            "onSpotHours": "“立行立改时限”须为整数",
            "w_impression": "“总体印象权重”须为整数",
            "pre_field": "“实地考察基本条件”须为不小于 0 的数，最多两位小数",
        ])
    }

    @Test func missingWeightIsReported() {
        var f = SF.standardForm()
        f["w_survey"] = nil
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["w_survey": "“问卷调查权重”须为整数"])
    }

    @Test func cardLinesOutOfOrder() {
        var f = SF.standardForm()
        f["redBelow"] = "85"  // red 85 > yellow 80
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["greenMin": "须满足：红牌线 ≤ 黄牌线 ≤ 绿牌线 ≤ 100"])
        f = SF.standardForm()
        f["greenMin"] = "100.01"
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["greenMin": "须满足：红牌线 ≤ 黄牌线 ≤ 绿牌线 ≤ 100"])
        f = SF.standardForm()
        f["redBelow"] = "80"; f["yellowBelow"] = "80"; f["greenMin"] = "80"  // equal lines are allowed
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1.isEmpty)
    }

    @Test func otherRanges() {
        var f = SF.standardForm()
        f["pre_survey"] = "100.01"
        f["onSpotHours"] = "0"
        f["unitBase"] = "0"
        let (_, p) = ScoringScheme.parse(f, sources: SF.standardSources)
        #expect(p == ["pre_survey": "“问卷调查”的基本条件须在 0–100 之间", "onSpotHours": "立行立改时限须为 1–720 小时",
                      "unitBase": "单位考核基础分须在 0–1000 之间"])
        f = SF.standardForm()
        f["onSpotHours"] = "720"
        f["unitBase"] = "1000"
        f["pre_survey"] = "100"
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1.isEmpty)
    }

    @Test func prerequisitesFromTheForm() {
        var f = SF.standardForm()
        f["pre_field"] = ""
        f["pre_survey"] = "50"
        let (s, p) = ScoringScheme.parse(f, sources: SF.standardSources)
        #expect(p.isEmpty)
        #expect(s.prerequisites == [.survey: Score(hundredths: 5000)])
    }

    @Test func sources() {
        let (_, empty) = ScoringScheme.parse(SF.standardForm(), sources: [])
        #expect(empty == ["checkSources": "至少选择一种检查来源"])
        let (s, p) = ScoringScheme.parse(SF.standardForm(), sources: ["media", "inspection", "inspection"])
        #expect(p.isEmpty)
        #expect(s.checkSources == [.inspection, .media])  // in CaseSource order, once each
        let (_, unknown) = ScoringScheme.parse(SF.standardForm(), sources: ["foo"])
        #expect(unknown == ["checkSources": "未知的问题来源“foo”"])
    }

    @Test(arguments: ["15/25/60", "15,25,60", "15，25，60", "15 25 60", " 15 / 25 / 60 "])
    func yearWeights(text: String) {
        var f = SF.standardForm()
        f["yearWeights"] = text
        let (s, p) = ScoringScheme.parse(f, sources: SF.standardSources)
        #expect(p.isEmpty)
        #expect(s.yearWeights == [15, 25, 60])
    }

    @Test func badYearWeights() {
        var f = SF.standardForm()
        f["yearWeights"] = "20/30/40"
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["yearWeights": "三年权重须为三个非负整数，合计 100"])
        f["yearWeights"] = "40/60"
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["yearWeights": "三年权重须为三个非负整数，合计 100"])
        f["yearWeights"] = "-10/50/60"
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["yearWeights": "三年权重须为三个非负整数，合计 100"])
        f["yearWeights"] = "15%/25%/60%"
        #expect(ScoringScheme.parse(f, sources: SF.standardSources).1 == ["yearWeights": "三年权重写成 15/25/60 的形式"])
    }

    @Test func jsonRoundTrip() throws {
        #expect(try ScoringScheme.decode(json: ScoringScheme.standard.json) == .standard)
        var f = SF.standardForm()
        f["w_field"] = "40"; f["w_materials"] = "10"
        f["pre_field"] = ""; f["pre_impression"] = "55.5"
        f["greenMin"] = "92.25"; f["onSpotHours"] = "48"; f["yearWeights"] = "20/30/50"
        let (s, p) = ScoringScheme.parse(f, sources: ["hotline", "inspection"])
        #expect(p.isEmpty)
        let back = try ScoringScheme.decode(json: s.json)
        #expect(back == s)
        #expect(back.json == s.json)
        #expect(back.prerequisites == [.impression: Score(hundredths: 5550)])
        #expect(back.checkSources == [.inspection, .hotline])
        // Stable text with string keys and hundredths.
        #expect(ScoringScheme.standard.json == ScoringScheme.standard.json)
        #expect(ScoringScheme.standard.json.contains("\"greenMin\":9000"))
        #expect(ScoringScheme.standard.json.contains("\"prerequisites\":{\"field\":6000}"))
        #expect(ScoringScheme.standard.json.contains("\"yearWeights\":[15,25,60]"))
    }
}

// MARK: - Notices

@Suite struct NoticeComposerTests {
    static let facts = NoticeFacts(
        kind: .monthly, scopeName: "示范区", periodLabel: "2026年11月", issuer: "市创建办", date: "2026年12月3日",
        ranking: [
            .init(name: "东城街道", total: 9250, rank: 1, change: 150, card: .green),
            .init(name: "西城街道", total: 8500, rank: 2, change: -75, card: nil),
            .init(name: "北城街道", total: 8005, rank: 3, change: 0, card: nil),
            .init(name: "南城街道", total: nil, rank: nil, change: nil, card: .red, note: "一票否决"),
        ],
        problems: 12, problemsByType: [(name: "占道经营", count: 5), (name: "乱贴乱画", count: 7)],
        overdueTotal: 3, overdueByUnit: [.init(orgID: 11, name: "城管局", reason: "2 件")],
        notices: (white: 1, yellow: 2, red: 0), summonses: 1,
        blackPlaque: .init(orgID: 12, name: "住建局", reason: "超期 5 件"),
        praised: [.init(orgID: 1, name: "东城街道", reason: "排名第一")],
        criticised: [.init(orgID: 4, name: "南城街道", reason: "一票否决")])

    static func headings(_ body: String) -> [String] {
        body.components(separatedBy: "\n").filter { l in NoticeComposer.numerals.contains { l.hasPrefix($0 + "、") } }
    }

    @Test func composedBody() {
        let (title, body) = NoticeComposer.compose(Self.facts)
        #expect(title == "关于2026年11月示范区文明城市创建工作情况的通报")
        let lines = body.components(separatedBy: "\n")
        #expect(Array(lines.prefix(4)) == ["各区、街道创文办，各成员单位：", "", "现将2026年11月示范区文明城市创建工作情况通报如下。", ""])
        // Ranking lines: 92.50 → "92.5", change +1.50 → "↑1.5", −0.75 → "↓0.75".
        #expect(lines.contains("第 1 名　东城街道　92.5 分（比上期↑1.5）　绿牌"))
        #expect(lines.contains("第 2 名　西城街道　85 分（比上期↓0.75）"))
        #expect(lines.contains("第 3 名　北城街道　80.05 分（与上期持平）"))
        #expect(lines.contains("不排名　南城街道　无数据　红牌　一票否决"))
        #expect(lines.contains("本期共发现问题 12 个，其中：占道经营 5 个，乱贴乱画 7 个。"))
        #expect(lines.contains("截至通报日，超过办结期限仍未办结的问题 3 件。"))
        #expect(lines.contains("超期未办结较多的单位：城管局（2 件）。"))
        #expect(lines.contains("本期发出督办单：白色 1 张、黄色 2 张、红色 0 张；约谈单位负责人 1 次。"))
        #expect(lines.contains("本期流动黑牌由住建局持有（超期 5 件）。"))
        #expect(lines.contains("对以下单位（区域）予以通报表扬：东城街道（排名第一）。"))
        #expect(lines.contains("对以下单位（区域）予以通报批评，限期整改：南城街道（一票否决）。"))
        #expect(lines.contains("请各单位对照通报的问题，举一反三，认真整改，按期办结，整改情况报市创建办。"))
        #expect(Array(lines.suffix(2)) == ["市创建办", "2026年12月3日"])
    }

    @Test func sectionsAreNumberedInOrder() {
        let (_, body) = NoticeComposer.compose(Self.facts)
        #expect(Self.headings(body) == ["一、测评排名", "二、发现问题情况", "三、问题整改与督办情况", "四、表扬", "五、批评"])
        // The ranking lines sit between the first and second headings.
        let lines = body.components(separatedBy: "\n")
        let one = lines.firstIndex(of: "一、测评排名")!, two = lines.firstIndex(of: "二、发现问题情况")!
        #expect(lines[(one + 1)..<two].filter { !$0.isEmpty }.count == 4)
    }

    @Test func sparseFacts() {
        let f = NoticeFacts(kind: .weekly, scopeName: "全市", periodLabel: "第 3 周", issuer: "创建办", date: "2026年1月20日")
        let (title, body) = NoticeComposer.compose(f)
        #expect(title == "关于第 3 周全市文明城市创建工作情况的通报")
        // No ranking, praise or criticism: the numbering starts from 一 at the problems.
        #expect(Self.headings(body) == ["一、发现问题情况", "二、问题整改与督办情况"])
        let lines = body.components(separatedBy: "\n")
        #expect(lines.contains("本期共发现问题 0 个。"))
        #expect(lines.contains("截至通报日，超过办结期限仍未办结的问题 0 件。"))
        #expect(!body.contains("流动黑牌"))
        #expect(!body.contains("超期未办结较多的单位"))
    }

    @Test func problems() {
        #expect(NoticeComposer.problems(title: "通报", body: "正文").isEmpty)
        #expect(NoticeComposer.problems(title: "", body: "正文") == ["title": "请填写标题（200 字以内）"])
        #expect(NoticeComposer.problems(title: " \n ", body: "正文") == ["title": "请填写标题（200 字以内）"])
        #expect(NoticeComposer.problems(title: String(repeating: "题", count: 201), body: "正文") == ["title": "请填写标题（200 字以内）"])
        #expect(NoticeComposer.problems(title: String(repeating: "题", count: 200), body: "正文").isEmpty)
        #expect(NoticeComposer.problems(title: "通报", body: "") == ["body": "正文不能为空"])
        #expect(NoticeComposer.problems(title: "", body: "\n\n ") == ["title": "请填写标题（200 字以内）", "body": "正文不能为空"])
        #expect(NoticeComposer.problems(title: "通报", body: String(repeating: "文", count: 100_001)) == ["body": "正文不能超过 100000 字"])
    }

    @Test func number() {
        #expect(NoticeNumber.format(year: 2026, sequence: 7) == "创文通报〔2026〕7号")
        #expect(NoticeNumber.format(prefix: "某创办", year: 2027, sequence: 12) == "某创办〔2027〕12号")
    }
}

// MARK: - Charts

@Suite struct SVGChartTests {
    @Test func trendIsAnSVGAndEscapes() {
        let s = SVGChart.trend([(label: "<&>", value: 8500), (label: "12月", value: 9000)], title: "趋势 \"A\" & B")
        #expect(s.hasPrefix("<svg"))
        #expect(s.hasSuffix("</svg>"))
        #expect(s.contains("<title>趋势 &quot;A&quot; &amp; B</title>"))
        #expect(s.contains(">&lt;&amp;&gt;</text>"))
        #expect(s.contains("<title>&lt;&amp;&gt;：85</title>"))
        #expect(!s.contains("<&>"))
        #expect(!s.contains("\"A\""))
        #expect(!s.contains("<script"))
    }

    @Test func aMissingValueSplitsTheLine() {
        let points: [(label: String, value: Int?)] = [("1月", 8000), ("2月", 8500), ("3月", nil), ("4月", 9000), ("5月", 9200)]
        let s = SVGChart.trend(points, title: "趋势")
        #expect(SF.occurrences(of: "<polyline", in: s) == 2)
        #expect(SF.occurrences(of: "<circle", in: s) == 4)
        // Plot area: x from 36 over 480 − 36 − 12 = 432, y from 12 over 180 − 12 − 28 = 140; range 60–100 (lo = min(80, 60)).
        // x(i) = 36 + 432 × i / 4 → 36, 144, 252, 360, 468; y(v) = 152 − 140 × (v − 6000) / 4000
        // y(8000) = 152 − 70 = 82; y(8500) = 152 − 87.5 = 64.5; y(9000) = 152 − 105 = 47; y(9200) = 152 − 112 = 40
        #expect(s.contains("<polyline class=\"line\" points=\"36.0,82.0 144.0,64.5\"/>"))
        #expect(s.contains("<polyline class=\"line\" points=\"360.0,47.0 468.0,40.0\"/>"))
        // Grid every 10 points from 60 to 100.
        #expect(SF.occurrences(of: "class=\"grid\"", in: s) == 5)
    }

    @Test func isolatedPointsDrawNoLine() {
        let s = SVGChart.trend([(label: "a", value: 8000), (label: "b", value: nil), (label: "c", value: 9000)], title: "t")
        #expect(SF.occurrences(of: "<polyline", in: s) == 0)
        #expect(SF.occurrences(of: "<circle", in: s) == 2)
        let none = SVGChart.trend([], title: "t")
        #expect(none.hasPrefix("<svg") && SF.occurrences(of: "<polyline", in: none) == 0)
    }

    @Test func distributionBands() {
        // Bands from 60 by 5: <60, 60–, 65–, 70–, 75–, 80–, 85–, 90–, 95– (open-ended).
        let totals = [5999, 0, 6000, 6499, 6500, 9499, 9500, 10000, 10500]
        let s = SVGChart.distribution(totals, title: "分布 <A>")
        #expect(s.hasPrefix("<svg"))
        #expect(s.contains("<title>分布 &lt;A&gt;</title>"))
        #expect(SF.occurrences(of: "<rect", in: s) == 9)
        let expected = [("&lt;60", 2),  // 59.99, 0
                        ("60–", 2),     // 60.00, 64.99
                        ("65–", 1),     // 65.00
                        ("70–", 0), ("75–", 0), ("80–", 0), ("85–", 0),
                        ("90–", 1),     // 94.99
                        ("95–", 3)]     // 95.00, 100.00, 105.00
        for (label, n) in expected {
            #expect(s.contains("<title>\(label)：\(n)</title>"), "band \(label)")
        }
        #expect(!s.contains("<60"))
    }
}

@Suite struct ScoreLevelTests {
    @Test func levelsOfOrgKinds() {
        #expect(ScoreLevel.of(.district) == .district && ScoreLevel.of(.county) == .district)
        #expect(ScoreLevel.of(.street) == .street && ScoreLevel.of(.town) == .street)
        #expect(ScoreLevel.of(.community) == .community && ScoreLevel.of(.village) == .community)
        #expect(ScoreLevel.of(.department) == .department)
        for k: OrgKind in [.agency, .school, .hospital, .company, .window] { #expect(ScoreLevel.of(k) == .unit) }
        for k: OrgKind in [.city, .grid, .office, .leadingGroup, .workingGroup] { #expect(ScoreLevel.of(k) == nil, "\(k)") }
    }

    @Test func levelBelow() {
        #expect(ScoreLevel.below(.city) == .district)
        #expect(ScoreLevel.below(.county) == .street)
        #expect(ScoreLevel.below(.town) == .community)
        #expect(ScoreLevel.below(.community) == nil && ScoreLevel.below(.department) == nil)
    }

    /// Found by the city: a reporter at the city itself, or in a body or unit directly under it; a district, a
    /// district's office or anything deeper is local.
    @Test func cityLevelReporters() {
        #expect(UnitScoring.isCityLevel(path: OrgPath("/1/")!, kind: .city))
        #expect(UnitScoring.isCityLevel(path: OrgPath("/1/5/")!, kind: .office))
        #expect(UnitScoring.isCityLevel(path: OrgPath("/1/6/")!, kind: .department))
        #expect(!UnitScoring.isCityLevel(path: OrgPath("/1/7/")!, kind: .district))
        #expect(!UnitScoring.isCityLevel(path: OrgPath("/1/7/9/")!, kind: .office))
        #expect(!UnitScoring.isCityLevel(path: OrgPath("/1/7/9/12/")!, kind: .grid))
    }

    @Test func detailRoundTripsThroughJSON() throws {
        let scheme = ScoringScheme.standard
        let t = TerritoryScoring.score(values: [.field: 9000], negative: NegativeOutcome.of([]), scheme: scheme)
        let u = UnitScoring.score([UnitFinding(kind: .late(closed: false), source: "case", sourceID: 7, label: "2026-00000007")], scheme: scheme)
        let d = ScoreDetail(territory: t, unit: u, visits: 3, lostVisits: [4, 5], impressions: 1, incidents: [9], lateCases: [7], due: 2, onTime: 1, deferred: 0)
        let back = try JSONDecoder().decode(ScoreDetail.self, from: JSONEncoder().encode(d))
        #expect(back == d)
        #expect(back.unit?.lines.first?.points == -200)
    }

    /// The direct writer gives what JSONEncoder gives: the same value back, whatever the labels hold (quotes,
    /// backslashes, control characters, Chinese, emoji), with and without the optional parts.
    @Test func directJSONDecodesLikeTheEncoders() throws {
        let scheme = ScoringScheme.standard
        let t = TerritoryScoring.score(values: [.field: 9000], negative: NegativeOutcome.of([]), scheme: scheme)
        var u = UnitScoring.score([
            UnitFinding(kind: .late(closed: true), source: "case", sourceID: 7, label: "2026-00000007"),
            UnitFinding(kind: .clean(cityLevel: true), source: "visit", sourceID: 8, label: "点位\"甲\"\\乙\n丙\t\u{01}\u{1F}丁 🚧 /"),
        ], scheme: scheme)
        u.lines[0].note = "超期\r\n“引号”"
        let samples = [
            ScoreDetail(territory: t, unit: u, visits: 3, lostVisits: [4, 5], impressions: 1, incidents: [9], lateCases: [7, -1, Int64.max], due: 2, onTime: 1, deferred: 0),
            ScoreDetail(unit: UnitScore(base: 10000, lines: [], total: 0, vetoed: true, card: nil, problems: 0, late: 0, clean: 0)),
            ScoreDetail(),
        ]
        for d in samples {
            let direct = try d.json()
            #expect(try JSONDecoder().decode(ScoreDetail.self, from: Data(direct.utf8)) == d)
            #expect(try JSONSerialization.jsonObject(with: Data(direct.utf8)) as? NSDictionary == JSONSerialization.jsonObject(with: JSONEncoder().encode(d)) as? NSDictionary)
        }
    }

    /// Explanations are written in chunks bounded by count and by size; an item bigger than the size is a chunk of
    /// its own; every item is in exactly one chunk, in order.
    @Test func explanationChunksAreBoundedByCountAndSize() {
        #expect(ScoreDetail.chunks([], maxCount: 200, maxBytes: 100).isEmpty)
        #expect(ScoreDetail.chunks([10, 10, 10], maxCount: 2, maxBytes: 100) == [0..<2, 2..<3])
        #expect(ScoreDetail.chunks([60, 40, 1], maxCount: 200, maxBytes: 100) == [0..<2, 2..<3])
        #expect(ScoreDetail.chunks([500, 10, 10, 500, 10], maxCount: 200, maxBytes: 100) == [0..<1, 1..<3, 3..<4, 4..<5])
        let sizes = (0..<1000).map { ($0 * 7919) % 3000 }
        let c = ScoreDetail.chunks(sizes, maxCount: 50, maxBytes: 4000)
        #expect(c.flatMap { Array($0) } == Array(0..<1000))
        for r in c {
            #expect(r.count <= 50)
            #expect(r.count == 1 || r.map { sizes[$0] }.reduce(0, +) <= 4000)
        }
        #expect(ScoreDetail(unit: UnitScore(base: 10000, lines: [], total: 0, vetoed: false, card: nil, problems: 0, late: 0, clean: 0), lateCases: [1, 2]).estimatedSize == 256 + 16)
    }
}

@Suite struct NoticeCommendationTests {
    typealias C = NoticeCommendation.Candidate

    /// Territories: green and ranked are praised in ranking order (at most `praise`), red ones criticised (a vetoed
    /// one without a total too); a green territory without a rank is not praised.
    @Test func territoriesByCard() {
        let t = [C(orgID: 1, name: "东城", total: 9500, rank: 1, card: .green), C(orgID: 2, name: "西城", total: 9300, rank: 2, card: .green),
                 C(orgID: 3, name: "北城", total: 9100, rank: nil, card: .green), C(orgID: 4, name: "中城", total: 9000, rank: 3, card: .green),
                 C(orgID: 5, name: "南城", total: 6000, rank: 4, card: .red), C(orgID: 6, name: "新城", total: nil, rank: nil, card: .red)]
        let r = NoticeCommendation.select(territories: t, units: [], greenMin: 9000, praise: 2, criticise: 5)
        #expect(r.praised.map(\.orgID) == [1, 2])
        #expect(r.praised[0].reason == "得分 95，绿牌")
        #expect(r.criticised.map(\.orgID) == [5, 6])
        #expect(r.criticised.map(\.reason) == ["得分 60，红牌", "红牌"])
    }

    /// Units: praised at greenMin exactly and not below it, never with a late case, best first; criticised only with
    /// a red card, lowest first; equal totals by org id; no total, no mention.
    @Test func unitsAtTheirEdges() {
        let u = [C(orgID: 10, name: "甲", total: 9000, rank: 1, card: .green), C(orgID: 11, name: "乙", total: 8999, rank: 2, card: .yellow),
                 C(orgID: 12, name: "丙", total: 9800, rank: 3, card: .green, late: 1), C(orgID: 13, name: "丁", total: 9000, rank: 1, card: .green),
                 C(orgID: 14, name: "戊", total: 5000, rank: 5, card: .red), C(orgID: 15, name: "己", total: 5000, rank: 5, card: .red),
                 C(orgID: 16, name: "庚", total: 4000, rank: 7, card: .red), C(orgID: 17, name: "辛", total: nil, rank: nil, card: .red)]
        let r = NoticeCommendation.select(territories: [], units: u, greenMin: 9000, praise: 3, criticise: 2)
        #expect(r.praised.map(\.orgID) == [10, 13])
        #expect(r.praised[0].reason == "考核得分 90，无超期案卷")
        #expect(r.criticised.map(\.orgID) == [16, 14])
        #expect(r.criticised[0].reason == "考核得分 40，红牌")
    }

    /// The black plaque's holder is criticised for it once: appended when not yet named, not repeated when it is.
    @Test func blackPlaqueOnce() {
        let red = C(orgID: 20, name: "住建局", total: 5000, rank: 9, card: .red)
        let plaque = NoticeFacts.Named(orgID: 20, name: "住建局", reason: "本月红色督办单 3 张")
        let named = NoticeCommendation.select(territories: [], units: [red], greenMin: 9000, plaque: plaque)
        #expect(named.criticised.map(\.orgID) == [20])
        #expect(named.criticised[0].reason == "考核得分 50，红牌")
        let other = NoticeCommendation.select(territories: [], units: [], greenMin: 9000, plaque: plaque)
        #expect(other.criticised == [.init(orgID: 20, name: "住建局", reason: "流动黑牌")])
        #expect(other.praised.isEmpty)
    }
}
