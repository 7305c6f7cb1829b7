import Foundation
import Testing
@testable import WenmingCore

enum NL {
    static let header = NegativeListImport.columns.map(\.header)

    static func item(_ code: String, _ penalty: Penalty, points: String? = nil, months: Int? = nil, veto: Bool = false) -> NegativeItem {
        NegativeItem(areaCode: "N01", areaName: "安全生产", code: code, title: "事项 \(code)", penalty: penalty,
                     points: points.map { Score($0)! }, months: months, veto: veto)
    }

    static func row(_ area: String, _ areaName: String, _ code: String, _ title: String, _ penalty: String,
                    points: String = "", months: String = "", veto: String = "") -> [String] {
        [area, areaName, code, title, penalty, points, months, veto]
    }

    static func plan(_ rows: [[String]], header: [String] = header, maxRows: Int = 1000) -> (items: [NegativeItem], issues: [ImportIssue]) {
        NegativeListImport.plan(Table(rawRows: [header] + rows), maxRows: maxRows)
    }
}

@Suite struct NegativeConsequenceTests {
    static let cases: [(NegativeItem, String)] = [
        (NL.item("a", .deduct, points: "5"), "扣 5 分"),
        (NL.item("b", .deduct, points: "2.5", veto: true), "扣 2.5 分；一票否决：本周期不得参评"),
        (NL.item("c", .deduct), "扣 0 分"),
        (NL.item("d", .suspend, months: 12), "暂停评选资格 12 个月"),
        (NL.item("e", .suspend, months: 6, veto: true), "暂停评选资格 6 个月；一票否决：本周期不得参评"),
        (NL.item("f", .suspend), "暂停评选资格 0 个月"),
        (NL.item("g", .revoke), "撤销已获称号，次年不得申报"),
        (NL.item("h", .revoke, veto: true), "撤销已获称号，次年不得申报；一票否决：本周期不得参评"),
    ]

    @Test(arguments: cases)
    func consequence(item: NegativeItem, text: String) {
        #expect(item.consequence == text)
    }

    @Test func penaltyLabels() {
        #expect(Penalty.allCases.map(\.label) == ["扣分", "暂停评选", "撤销称号"])
        for p in Penalty.allCases {
            #expect(Penalty(label: p.label) == p)
            #expect(Penalty(label: " \(p.rawValue) ") == p)
        }
        #expect(Penalty(label: "罚款") == nil)
        #expect(Penalty(label: "") == nil)
    }
}

@Suite struct NegativeOutcomeTests {
    @Test func emptyHasNoEffect() {
        let o = NegativeOutcome.of([])
        #expect(o == NegativeOutcome(deducted: .zero, vetoed: false, revoked: false, suspendedMonths: 0))
        #expect(o.summary == "无影响")
    }

    @Test func deductionsAreSummedExactly() {
        let o = NegativeOutcome.of([NL.item("a", .deduct, points: "0.1"), NL.item("b", .deduct, points: "0.2"),
                                    NL.item("c", .deduct, points: "10")])
        #expect(o.deducted == Score("10.3")!)
        #expect(!o.vetoed && !o.revoked && o.suspendedMonths == 0)
        #expect(o.summary == "扣 10.3 分")
    }

    @Test func suspensionIsTheLongestNotTheSum() {
        let o = NegativeOutcome.of([NL.item("a", .suspend, months: 6), NL.item("b", .suspend, months: 24),
                                    NL.item("c", .suspend, months: 12)])
        #expect(o.suspendedMonths == 24)
        #expect(o.deducted == .zero)
        #expect(o.summary == "暂停评选 24 个月")
    }

    @Test func everything() {
        let o = NegativeOutcome.of([
            NL.item("a", .deduct, points: "5"),
            NL.item("b", .deduct, points: "2.5"),
            NL.item("c", .suspend, months: 6),
            NL.item("d", .suspend, months: 12, veto: true),
            NL.item("e", .revoke),
        ])
        #expect(o == NegativeOutcome(deducted: Score("7.5")!, vetoed: true, revoked: true, suspendedMonths: 12))
        #expect(o.summary == "一票否决，撤销称号，暂停评选 12 个月，扣 7.5 分")
    }

    @Test func vetoAlone() {
        // A deduction item flagged as a veto: both count.
        let o = NegativeOutcome.of([NL.item("a", .deduct, points: "3", veto: true)])
        #expect(o.vetoed)
        #expect(o.summary == "一票否决，扣 3 分")
        let r = NegativeOutcome.of([NL.item("r", .revoke)])
        #expect(r.summary == "撤销称号")
    }

    @Test func pointsOnOtherPenaltiesAreIgnored() {
        // Only .deduct items deduct; points on a suspend/revoke item do not count.
        let o = NegativeOutcome.of([NL.item("a", .suspend, points: "9", months: 3), NL.item("b", .revoke, points: "4")])
        #expect(o.deducted == .zero)
        #expect(o.suspendedMonths == 3)
        #expect(o.summary == "撤销称号，暂停评选 3 个月")
    }
}

@Suite struct NegativeListImportTests {
    @Test func validRows() {
        let (items, issues) = NL.plan([
            NL.row("N01", "安全生产", "N01-01", "重大事故", "撤销称号", veto: "是"),
            NL.row("N01", "安全生产", "N01-02", "较大事故", "暂停评选", months: "12", veto: "1"),
            NL.row("N02", "生态环境", "N02-01", "空气质量", "扣分", points: "2.5", veto: "否"),
            NL.row("N02", "生态环境", "N02-02", "水质", "deduct", points: "10"),          // 一票否决 empty: no
            NL.row("N02", "生态环境", "N02-03", "督察", "suspend", months: "120", veto: "no"),
            NL.row("N02", "生态环境", "N02-04", "'=通报", "扣分", points: "0.05"),
        ])
        #expect(issues.isEmpty)
        #expect(items == [
            NegativeItem(areaCode: "N01", areaName: "安全生产", code: "N01-01", title: "重大事故", penalty: .revoke, points: nil, months: nil, veto: true),
            NegativeItem(areaCode: "N01", areaName: "安全生产", code: "N01-02", title: "较大事故", penalty: .suspend, points: nil, months: 12, veto: true),
            NegativeItem(areaCode: "N02", areaName: "生态环境", code: "N02-01", title: "空气质量", penalty: .deduct, points: Score("2.5"), months: nil, veto: false),
            NegativeItem(areaCode: "N02", areaName: "生态环境", code: "N02-02", title: "水质", penalty: .deduct, points: Score("10"), months: nil, veto: false),
            NegativeItem(areaCode: "N02", areaName: "生态环境", code: "N02-03", title: "督察", penalty: .suspend, points: nil, months: 120, veto: false),
            NegativeItem(areaCode: "N02", areaName: "生态环境", code: "N02-04", title: "=通报", penalty: .deduct, points: Score("0.05"), months: nil, veto: false),
        ])
    }

    @Test func unusedNumbersAreIgnored() {
        // A revoke row with points and months: neither is kept.
        let (items, issues) = NL.plan([NL.row("N01", "安全生产", "N01-01", "重大事故", "撤销称号", points: "5", months: "3")])
        #expect(issues.isEmpty)
        #expect(items.first?.points == nil)
        #expect(items.first?.months == nil)
    }

    static func expectOne(_ row: [String], _ column: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (items, issues) = NL.plan([row])
        #expect(items.isEmpty, sourceLocation: sourceLocation)
        #expect(issues == [ImportIssue(row: 2, column: column, message: message)], sourceLocation: sourceLocation)
    }

    @Test(arguments: ["罚款", "", "扣", "deduction"])
    func badPenalty(text: String) {
        Self.expectOne(NL.row("N01", "安全生产", "N01-01", "事项", text, points: "5"), "处罚", Msg.unknownPenalty(text))
    }

    @Test(arguments: ["", "0", "0.00", "abc", "-5", "1.234"])
    func deductWithoutValidPoints(points: String) {
        Self.expectOne(NL.row("N01", "安全生产", "N01-01", "事项", "扣分", points: points), "扣分", Msg.badScore(points))
    }

    @Test(arguments: ["", "0", "121", "-1", "1.5", "十二", "abc"])
    func suspendWithoutValidMonths(months: String) {
        Self.expectOne(NL.row("N01", "安全生产", "N01-01", "事项", "暂停评选", months: months), "暂停月数", Msg.badMonths(months))
    }

    @Test(arguments: ["1", "120", " 6 "])
    func suspendMonthsInRange(months: String) {
        let (items, issues) = NL.plan([NL.row("N01", "安全生产", "N01-01", "事项", "暂停评选", months: months)])
        #expect(issues.isEmpty)
        #expect(items.first?.months == Int(months.trimmingCharacters(in: .whitespaces)))
    }

    @Test(arguments: ["可能", "x", "2", "是的"])
    func badVeto(text: String) {
        Self.expectOne(NL.row("N01", "安全生产", "N01-01", "事项", "撤销称号", veto: text), "一票否决", Msg.badYesNo(text))
    }

    @Test(arguments: [("是", true), ("1", true), ("yes", true), ("Y", true), ("否", false), ("0", false), ("", false), ("NO", false)])
    func vetoValues(text: String, veto: Bool) {
        let (items, issues) = NL.plan([NL.row("N01", "安全生产", "N01-01", "事项", "撤销称号", veto: text)])
        #expect(issues.isEmpty)
        #expect(items.first?.veto == veto)
    }

    @Test func areaCodeWithTwoNames() {
        let (items, issues) = NL.plan([
            NL.row("N01", "安全生产", "N01-01", "事项一", "撤销称号"),
            NL.row("N01", "安全", "N01-02", "事项二", "撤销称号"),
            NL.row("N01", "安全生产", "N01-03", "事项三", "撤销称号"),
        ])
        #expect(items.isEmpty)
        #expect(issues == [ImportIssue(row: 3, column: "领域", message: Msg.areaNameDiffers("N01", "安全生产"))])
    }

    @Test func duplicateCodes() {
        let (items, issues) = NL.plan([
            NL.row("N01", "安全生产", "N01-01", "事项一", "撤销称号"),
            NL.row("N01", "安全生产", "N01-02", "事项二", "撤销称号"),
            NL.row("N02", "生态环境", "N01-01", "事项三", "扣分", points: "2"),
        ])
        #expect(items.isEmpty)
        #expect(issues == [ImportIssue(row: 4, column: "编码", message: Msg.duplicateCode("N01-01", firstRow: 2))])
    }

    @Test func badCodesNamesAndTitle() {
        let (items, issues) = NL.plan([
            NL.row("N 1", "", "", "", "撤销称号"),
            NL.row("N02", "生态环境", "N02-01", String(repeating: "长", count: 301), "撤销称号"),
        ])
        #expect(items.isEmpty)
        #expect(Set(issues.map(\.description)) == Set([
            ImportIssue(row: 2, column: "编码", message: Msg.codeRequired),
            ImportIssue(row: 2, column: "领域编码", message: Msg.codeChars),
            ImportIssue(row: 2, column: "领域", message: Msg.nameRequired),
            ImportIssue(row: 2, column: "项目", message: Msg.nameRequired),
            ImportIssue(row: 3, column: "项目", message: Msg.nameRequired),
        ].map(\.description)))
        #expect(issues.count == 5)
        // A 300-character title is fine.
        #expect(NL.plan([NL.row("N02", "生态环境", "N02-01", String(repeating: "长", count: 300), "撤销称号")]).issues.isEmpty)
    }

    @Test func problemsOnSeveralRowsAreAllReported() {
        let (items, issues) = NL.plan([
            NL.row("N01", "安全生产", "N01-01", "事项一", "扣分"),
            NL.row("N01", "安全生产", "N01-02", "事项二", "暂停评选", months: "0"),
            NL.row("N01", "安全生产", "N01-03", "事项三", "罚款"),
            NL.row("N01", "安全生产", "N01-04", "事项四", "撤销称号", veto: "也许"),
        ])
        #expect(items.isEmpty)
        #expect(issues.map(\.description) == [
            "第 2 行“扣分”列：" + Msg.badScore(""),
            "第 3 行“暂停月数”列：" + Msg.badMonths("0"),
            "第 4 行“处罚”列：" + Msg.unknownPenalty("罚款"),
            "第 5 行“一票否决”列：" + Msg.badYesNo("也许"),
        ])
    }

    @Test func headerAndSizeProblems() {
        let missing = NL.plan([["N01", "安全生产", "N01-01", "事项"]], header: ["领域编码", "领域", "编码", "项目"])
        #expect(missing.issues == [ImportIssue(row: 0, column: "处罚", message: Msg.missingColumn("处罚"))])
        #expect(NL.plan([]).issues == [ImportIssue(row: 0, column: "", message: Msg.noDataRows)])
        #expect(NegativeListImport.plan(Table(rawRows: []), maxRows: 10).issues == [ImportIssue(row: 0, column: "", message: Msg.emptyFile)])
        let two = [NL.row("N01", "安全生产", "N01-01", "一", "撤销称号"), NL.row("N01", "安全生产", "N01-02", "二", "撤销称号")]
        #expect(NL.plan(two, maxRows: 1).issues == [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(1))])
        #expect(NL.plan(two, maxRows: 2).items.count == 2)
        // Keys work as headers too, in any order.
        let keyed = NL.plan([["撤销称号", "N01-01", "事项", "N01", "安全生产"]], header: ["penalty", "code", "title", "area_code", "area"])
        #expect(keyed.issues.isEmpty)
        #expect(keyed.items.first?.penalty == .revoke)
        #expect(keyed.items.first?.areaName == "安全生产")
    }
}
