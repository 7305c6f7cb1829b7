import Foundation
import Testing
@testable import WenmingCore

@Suite struct CampaignRulesTests {
    static func ph(_ p: CampaignPhase, _ start: String, _ end: String) -> PhaseDates { PhaseDates(phase: p, start: start, end: end) }

    /// A year in five consecutive phases.
    static let year: [PhaseDates] = [
        ph(.launch, "2026-01-01", "2026-02-28"),
        ph(.selfCheck, "2026-03-01", "2026-04-30"),
        ph(.improve, "2026-05-01", "2026-08-31"),
        ph(.assault, "2026-09-01", "2026-10-31"),
        ph(.review, "2026-11-01", "2026-12-31"),
    ]

    static func problems(name: String = "2026 年度创建周期", start: String = "2026-01-01", end: String = "2026-12-31",
                         phases: [PhaseDates] = year) -> [String: String] {
        CampaignRules.problems(name: name, start: start, end: end, phases: phases)
    }

    @Test func validCampaign() {
        #expect(Self.problems() == [:])
        #expect(Self.problems(phases: []) == [:])
        #expect(Self.problems(start: "2026-06-01", end: "2026-06-01", phases: [Self.ph(.launch, "2026-06-01", "2026-06-01")]) == [:])
        // Leap day.
        #expect(Self.problems(start: "2028-02-29", end: "2028-12-31", phases: []) == [:])
    }

    @Test(arguments: ["", "   ", String(repeating: "名", count: 101)])
    func badName(name: String) {
        #expect(Self.problems(name: name) == ["name": Msg.nameRequired])
    }

    @Test func hundredCharacterNameIsFine() {
        #expect(Self.problems(name: String(repeating: "名", count: 100)) == [:])
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "2026/01/01", "", "2026-1-1", "2027-02-29"])
    func badStart(start: String) {
        #expect(Self.problems(start: start, phases: []) == ["start": Msg.badDate(start)])
    }

    @Test func badBothDates() {
        #expect(Self.problems(start: "x", end: "2026-04-31", phases: []) == ["start": Msg.badDate("x"), "end": Msg.badDate("2026-04-31")])
    }

    @Test func endBeforeStart() {
        #expect(Self.problems(start: "2026-12-31", end: "2026-01-01", phases: []) == ["end": "结束日期不能早于开始日期"])
        // Across a year.
        #expect(Self.problems(start: "2027-01-01", end: "2026-12-31", phases: []) == ["end": "结束日期不能早于开始日期"])
    }

    @Test func phaseOutsideTheCampaign() {
        var ps = Self.year
        ps[0] = Self.ph(.launch, "2025-12-01", "2026-02-28")
        #expect(Self.problems(phases: ps) == ["phase_launch": "“全面启动”超出了创建周期的起止日期"])
        ps = Self.year
        ps[4] = Self.ph(.review, "2026-11-01", "2027-01-15")
        #expect(Self.problems(phases: ps) == ["phase_review": "“全面迎评”超出了创建周期的起止日期"])
    }

    @Test func overlappingPhases() {
        var ps = Self.year
        ps[1] = Self.ph(.selfCheck, "2026-02-15", "2026-04-30")
        #expect(Self.problems(phases: ps) == ["phase_self_check": "“对标自查”与上一阶段重叠或顺序颠倒"])
        // Sharing a day counts as overlapping.
        ps = Self.year
        ps[2] = Self.ph(.improve, "2026-04-30", "2026-08-31")
        #expect(Self.problems(phases: ps) == ["phase_improve": "“整改提升”与上一阶段重叠或顺序颠倒"])
    }

    @Test func outOfOrderPhases() {
        let ps = [
            Self.ph(.launch, "2026-01-01", "2026-02-28"),
            Self.ph(.selfCheck, "2026-05-01", "2026-08-31"),
            Self.ph(.improve, "2026-03-01", "2026-04-30"),
        ]
        #expect(Self.problems(phases: ps) == ["phase_improve": "“整改提升”与上一阶段重叠或顺序颠倒"])
    }

    @Test func phaseEndingBeforeItStarts() {
        var ps = Self.year
        ps[3] = Self.ph(.assault, "2026-10-31", "2026-09-01")
        #expect(Self.problems(phases: ps) == ["phase_assault": "“集中攻坚”结束早于开始"])
    }

    @Test func phaseWithBadOrHalfDates() {
        var ps = Self.year
        ps[1] = Self.ph(.selfCheck, "2026-03-01", "")
        ps[2] = Self.ph(.improve, "2026-02-30", "2026-08-31")
        #expect(Self.problems(phases: ps) == ["phase_self_check": "“对标自查”的日期无效", "phase_improve": "“整改提升”的日期无效"])
    }

    @Test func emptyPhasesAreAllowed() {
        let ps = [
            Self.ph(.launch, "2026-01-01", "2026-02-28"),
            Self.ph(.selfCheck, "", ""),
            Self.ph(.improve, "2026-03-01", "2026-08-31"),
            Self.ph(.assault, "", ""),
            Self.ph(.review, "", ""),
        ]
        #expect(Self.problems(phases: ps) == [:])
        #expect(Self.problems(phases: CampaignPhase.allCases.map { Self.ph($0, "", "") }) == [:])
    }

    @Test func severalProblemsAtOnce() {
        let p = CampaignRules.problems(name: "", start: "2026-01-01", end: "2026-06-30", phases: [
            Self.ph(.launch, "2026-01-01", "2026-03-31"),
            Self.ph(.selfCheck, "2026-03-15", "2026-07-31"),
        ])
        #expect(p == ["name": Msg.nameRequired, "phase_self_check": "“对标自查”与上一阶段重叠或顺序颠倒"])
    }

    static let days: [(String, CampaignPhase?)] = [
        ("2026-01-01", .launch),
        ("2026-02-28", .launch),
        ("2026-03-01", .selfCheck),
        ("2026-06-15", .improve),
        ("2026-10-31", .assault),
        ("2026-12-31", .review),
        ("2025-12-31", nil),
        ("2027-01-01", nil),
    ]

    @Test(arguments: days)
    func phaseOn(day: String, phase: CampaignPhase?) {
        #expect(CampaignRules.phase(on: day, Self.year) == phase)
    }

    @Test func phaseOnWithGapsAndEmptyPhases() {
        let ps = [
            Self.ph(.launch, "2026-01-01", "2026-01-31"),
            Self.ph(.selfCheck, "", ""),
            Self.ph(.improve, "2026-03-01", "2026-03-31"),
        ]
        #expect(CampaignRules.phase(on: "2026-02-15", ps) == nil)   // between phases
        #expect(CampaignRules.phase(on: "2026-03-31", ps) == .improve)
        #expect(CampaignRules.phase(on: "", ps) == nil)
        #expect(CampaignRules.phase(on: "2026-01-15", []) == nil)
    }

    @Test func phaseLabelsAndKeys() {
        #expect(CampaignPhase.allCases.map(\.label) == ["全面启动", "对标自查", "整改提升", "集中攻坚", "全面迎评"])
        #expect(CampaignPhase.allCases.map(\.rawValue) == ["launch", "self_check", "improve", "assault", "review"])
    }

    static let civil: [(String, Bool)] = [
        ("2026-02-28", true), ("2026-02-29", false), ("2028-02-29", true), ("2100-02-29", false), ("2000-02-29", true),
        ("2026-04-30", true), ("2026-04-31", false), ("2026-12-31", true), ("1900-01-01", true), ("2999-12-31", true),
        ("3000-01-01", false), ("1899-12-31", false), ("2026-1-01", false), ("26-01-01", false), ("2026-01-01 ", false),
        ("2026-01-01T00:00", false), ("+026-01-01", false), ("２０２６-01-01", false), ("", false),
    ]

    @Test(arguments: civil)
    func civilDate(text: String, valid: Bool) {
        #expect(CivilDate.isValid(text) == valid)
    }
}
