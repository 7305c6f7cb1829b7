import Foundation
import Testing
@testable import WenmingCore

// MARK: - Verdicts

@Suite struct ItemVerdictTests {
    static let five = Score(hundredths: 500)

    @Test func passAndFail() {
        let p = ItemVerdict.parse("pass", deduction: "", full: Self.five)
        #expect(p.verdict == .pass && p.problem == nil)
        let f = ItemVerdict.parse("fail", deduction: "3", full: Self.five)  // the deduction is ignored
        #expect(f.verdict == .fail && f.problem == nil)
    }

    @Test(arguments: [("1.5", 150), (" 2 ", 200), ("0.25", 25), ("5", 500), ("5.00", 500), ("0.01", 1)])
    func validDeduction(text: String, hundredths: Int) {
        let r = ItemVerdict.parse("deduct", deduction: text, full: Self.five)
        #expect(r.verdict == .deduct(Score(hundredths: hundredths)))
        #expect(r.problem == nil)
    }

    @Test(arguments: ["0", "0.00", "", "  ", "abc", "-1", "+1", "1.234", "1e2"])
    func deductionMustBeAPositiveScore(text: String) {
        let r = ItemVerdict.parse("deduct", deduction: text, full: Self.five)
        #expect(r.verdict == nil)
        #expect(r.problem == "请填写扣分（大于 0）")
    }

    @Test func deductionAboveTheStandardsScore() {
        let r = ItemVerdict.parse("deduct", deduction: "5.01", full: Self.five)
        #expect(r.verdict == nil)
        #expect(r.problem == "扣分不能超过该标准的分值 5")
        #expect(ItemVerdict.parse("deduct", deduction: "3", full: Score(hundredths: 250)).problem == "扣分不能超过该标准的分值 2.5")
        #expect(ItemVerdict.parse("deduct", deduction: "0.5", full: .zero).problem == "扣分不能超过该标准的分值 0")
    }

    @Test func emptyAndUnknownCodes() {
        let e = ItemVerdict.parse("", deduction: "", full: Self.five)
        #expect(e.verdict == nil && e.problem == "请选择合格、不合格或扣分")
        let g = ItemVerdict.parse("maybe", deduction: "1", full: Self.five)
        #expect(g.verdict == nil && g.problem == "无效的评价“maybe”")
        #expect(ItemVerdict.parse("PASS", deduction: "", full: Self.five).problem == "无效的评价“PASS”")
        #expect(ItemVerdict.parse(" pass", deduction: "", full: Self.five).verdict == nil)
    }

    @Test func lostClampsToTheStandard() {
        #expect(ItemVerdict.pass.lost(of: Self.five) == .zero)
        #expect(ItemVerdict.fail.lost(of: Self.five) == Self.five)
        #expect(ItemVerdict.fail.lost(of: .zero) == .zero)
        #expect(ItemVerdict.deduct(Score(hundredths: 200)).lost(of: Self.five) == Score(hundredths: 200))
        #expect(ItemVerdict.deduct(Score(hundredths: 500)).lost(of: Self.five) == Self.five)
        #expect(ItemVerdict.deduct(Score(hundredths: 700)).lost(of: Self.five) == Self.five)
        #expect(ItemVerdict.deduct(Score(hundredths: -300)).lost(of: Self.five) == .zero)
        #expect(ItemVerdict.deduct(Score(hundredths: 100)).lost(of: .zero) == .zero)
    }

    @Test func codesLabelsAndProblems() {
        #expect([ItemVerdict.pass, .fail, .deduct(Score(hundredths: 1))].map(\.code) == ["pass", "fail", "deduct"])
        #expect([ItemVerdict.pass, .fail, .deduct(Score(hundredths: 1))].map(\.label) == ["合格", "不合格", "扣分"])
        #expect(!ItemVerdict.pass.isProblem)
        #expect(ItemVerdict.fail.isProblem)
        #expect(ItemVerdict.deduct(Score(hundredths: 50)).isProblem)
        // Every code parses back.
        for v in [ItemVerdict.pass, .fail, .deduct(Score(hundredths: 150))] {
            #expect(ItemVerdict.parse(v.code, deduction: "1.5", full: Self.five).verdict == v)
        }
    }
}

// MARK: - Rounds and impressions

@Suite struct RoundKindTests {
    @Test(arguments: [
        (RoundKind.mock, CaseSource.mockEvaluation), (.routine, .inspection), (.undercover, .undercover),
        (.external, .undercover), (.special, .inspection),
    ])
    func caseSource(kind: RoundKind, source: CaseSource) {
        #expect(kind.caseSource == source)
    }

    @Test func labels() {
        #expect(RoundKind.allCases.count == 5)
        #expect(Set(RoundKind.allCases.map(\.label)).count == 5)
        #expect(RoundKind.mock.label == "模拟测评")
        #expect(RoundKind(rawValue: "undercover") == .undercover)
        #expect(RoundKind(rawValue: "暗访") == nil)
    }
}

@Suite struct ImpressionAspectTests {
    @Test(arguments: [("0", 0), ("100", 100), ("85", 85), (" 60 ", 60), ("007", 7)])
    func valid(text: String, value: Int) {
        #expect(ImpressionAspect.parse(text) == value)
    }

    @Test(arguments: ["-1", "101", "abc", "", " ", "85.5", "1e2", "９０"])
    func invalid(text: String) {
        #expect(ImpressionAspect.parse(text) == nil)
    }

    @Test func aspects() {
        #expect(ImpressionAspect.allCases.map(\.label) == ["环境卫生", "市民素质", "公共设施", "氛围营造"])
    }
}

// MARK: - Round scoring

@Suite struct RoundScoringTests {
    typealias Item = RoundScoring.Item

    static func item(_ point: Int64, _ standard: Int64, full: Int, lost: Int, unit: Int64? = nil) -> Item {
        Item(pointID: point, standardID: standard, full: Score(hundredths: full), lost: Score(hundredths: lost), unitID: unit)
    }

    @Test func pointScore() {
        #expect(RoundScoring.pointScore([]) == nil)
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 0, lost: 0)]) == nil)
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 500, lost: 0), Self.item(1, 2, full: 300, lost: 0),
                                         Self.item(1, 3, full: 200, lost: 0)]) == 10000)
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 500, lost: 500)]) == 0)
        // 2 of 3 points kept: 66.666… % → 66.67 %.
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 200, lost: 0), Self.item(1, 2, full: 100, lost: 100)]) == 6667)
        // 6 of 7: 85.714… % → 85.71 %.
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 400, lost: 100), Self.item(1, 2, full: 300, lost: 0)]) == 8571)
        // 7.99 of 8: 99.875 % exactly; halves round away from zero → 99.88 %.
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 800, lost: 1)]) == 9988)
        // 1 of 3: 33.333… % → 33.33 %.
        #expect(RoundScoring.pointScore([Self.item(1, 1, full: 300, lost: 200)]) == 3333)
    }

    @Test func scoreFromTotalsIsThePointScore() {
        #expect(RoundScoring.score(full: .zero, lost: .zero) == nil)
        #expect(RoundScoring.score(full: Score(hundredths: 700), lost: Score(hundredths: 100)) == 8571)
        #expect(RoundScoring.score(full: Score(hundredths: 800), lost: Score(hundredths: 1)) == 9988)
        #expect(RoundScoring.score(full: Score(hundredths: 500), lost: Score(hundredths: 500)) == 0)
    }

    @Test func mean() {
        #expect(RoundScoring.mean([]) == nil)
        #expect(RoundScoring.mean([9000]) == 9000)
        #expect(RoundScoring.mean([10000, 6667]) == 8334)  // 8333.5 rounds up
        #expect(RoundScoring.mean([1, 2]) == 2)
        #expect(RoundScoring.mean([1, 2, 2]) == 2)          // 1.67
        #expect(RoundScoring.mean([0, 0, 1]) == 0)          // 0.33
    }

    @Test func groupScores() {
        let items = [
            Self.item(1, 1, full: 1000, lost: 0),                                   // point 1: 100 %   group A
            Self.item(2, 1, full: 500, lost: 500), Self.item(2, 2, full: 500, lost: 0),  // point 2: 50 %  group A
            Self.item(3, 1, full: 400, lost: 100),                                  // point 3: 75 %    group B
            Self.item(4, 1, full: 500, lost: 0),                                    // point 4: no group
            Self.item(5, 1, full: 0, lost: 0),                                      // point 5: empty checklist, group A
            Self.item(6, 1, full: 500, lost: 400),                                  // point 6: 20 %    group C
        ]
        let groupOf: [Int64: String] = [1: "A", 2: "A", 3: "B", 5: "A", 6: "C"]
        let g = RoundScoring.groupScores(items) { groupOf[$0] }
        // Lowest score first; equal scores by key.
        #expect(g.map { "\($0.key) \($0.score) \($0.points)" } == ["C 2000 1", "A 7500 2", "B 7500 1"])
        #expect(RoundScoring.groupScores([]) { _ in "A" }.isEmpty)
        #expect(RoundScoring.groupScores(items) { _ in nil }.isEmpty)
    }

    static let lossItems = [
        item(1, 10, full: 500, lost: 200, unit: 100),
        item(2, 10, full: 500, lost: 100, unit: 101),
        item(1, 20, full: 300, lost: 300, unit: 100),
        item(2, 30, full: 200, lost: 0, unit: 101),     // lost nothing: left out
        item(3, 40, full: 200, lost: 100, unit: nil),   // no answerable unit
        item(3, 50, full: 200, lost: 0, unit: 102),     // lost nothing: left out
    ]

    @Test func lostByStandard() {
        let r = RoundScoring.lostBy(Self.lossItems) { (i: Item) -> Int64? in i.standardID }
        #expect(r.map { $0.key } == [10, 20, 40])            // 3 and 3 tie: by key; then 1
        #expect(r.map { $0.lost } == [Score(hundredths: 300), Score(hundredths: 300), Score(hundredths: 100)])
        #expect(r.map { $0.items } == [2, 1, 1])
        #expect(!r.contains { $0.key == 30 || $0.key == 50 })
    }

    @Test func lostByUnit() {
        let r = RoundScoring.lostBy(Self.lossItems) { (i: Item) -> Int64? in i.unitID }
        #expect(r.map { $0.key } == [100, 101])
        #expect(r.map { $0.lost } == [Score(hundredths: 500), Score(hundredths: 100)])
        #expect(r.map { $0.items } == [2, 1])
        #expect(RoundScoring.lostBy([Self.item(1, 1, full: 100, lost: 0, unit: 1)]) { (i: Item) -> Int64? in i.unitID }.isEmpty)
    }

    @Test func change() {
        #expect(RoundScoring.change(8000, since: 7500) == 500)
        #expect(RoundScoring.change(7000, since: 7500) == -500)
        #expect(RoundScoring.change(7500, since: 7500) == 0)
        #expect(RoundScoring.change(nil, since: 7500) == nil)
        #expect(RoundScoring.change(8000, since: nil) == nil)
        #expect(RoundScoring.change(nil, since: nil) == nil)
    }

    @Test func percent() {
        #expect(RoundScoring.percent(10000) == "100")
        #expect(RoundScoring.percent(6667) == "66.67")
        #expect(RoundScoring.percent(8750) == "87.5")  // Score's shortest form (the doc comment says "87.50")
        #expect(RoundScoring.percent(5) == "0.05")
    }
}

// MARK: - Points

enum PointFixtures {
    static let categories: Set<String> = ["PC02", "背街小巷", "PC03", "公厕"]
    static let territories: Set<String> = ["D01", "S0101", "C010101"]
    static let units: Set<String> = ["U1", "U2"]

    static func draft(code: String = "PT-001", name: String = "人民路", category: String = "PC02", address: String = "人民路 1 号",
                      latitude: Double? = nil, longitude: Double? = nil, territory: String = "S0101", adopter: String = "") -> PointDraft {
        PointDraft(code: code, name: name, category: category, address: address, latitude: latitude, longitude: longitude,
                   territory: territory, adopter: adopter, declared: true, active: true)
    }

    static func problems(_ d: PointDraft) -> [String: String] {
        d.problems(categories: categories, territories: territories, units: units)
    }

    static let header = PointImport.columns.map(\.header)

    /// One data row in the order of `PointImport.columns`.
    static func row(_ code: String, _ name: String, _ category: String, address: String = "", longitude: String = "", latitude: String = "",
                    territory: String = "S0101", adopter: String = "", declared: String = "", active: String = "") -> [String] {
        [code, name, category, address, longitude, latitude, territory, adopter, declared, active]
    }

    static func plan(_ rows: [[String]], header: [String] = header, maxRows: Int = 100) -> (rows: [PointDraft], issues: [ImportIssue]) {
        PointImport.plan(Table(rawRows: [header] + rows), categories: categories, territories: territories, units: units, maxRows: maxRows)
    }

    static func issue(_ row: Int, _ column: String, _ message: String) -> ImportIssue {
        ImportIssue(row: row, column: column, message: message)
    }

    static func unknownTerritory(_ t: String) -> String { "所属区域“\(t)”不存在、不是区县/街道/社区/网格，或不在您的管辖范围内" }
}

@Suite struct PointDraftTests {
    typealias P = PointFixtures

    @Test func validDraft() {
        #expect(P.problems(P.draft()).isEmpty)
        #expect(P.problems(P.draft(category: "背街小巷", latitude: 30.5, longitude: 114.3, territory: "D01", adopter: "U1")).isEmpty)
        #expect(P.problems(P.draft(address: "", latitude: -90, longitude: 180)).isEmpty)
        #expect(P.problems(P.draft(name: String(repeating: "名", count: 100), address: String(repeating: "址", count: 200))).isEmpty)
    }

    @Test func code() {
        #expect(P.problems(P.draft(code: "")) == ["code": Msg.codeRequired])
        #expect(P.problems(P.draft(code: "点位1")) == ["code": Msg.codeChars])
        #expect(P.problems(P.draft(code: "P 1")) == ["code": Msg.codeChars])
        #expect(P.problems(P.draft(code: String(repeating: "A", count: 33))) == ["code": Msg.codeTooLong])
        #expect(P.problems(P.draft(code: String(repeating: "A", count: 32))).isEmpty)
    }

    @Test func name() {
        #expect(P.problems(P.draft(name: "")) == ["name": Msg.nameRequired])
        #expect(P.problems(P.draft(name: "   ")) == ["name": Msg.nameRequired])
        #expect(P.problems(P.draft(name: String(repeating: "名", count: 101))) == ["name": Msg.nameTooLong])
    }

    @Test func categoryAddressTerritoryAdopter() {
        #expect(P.problems(P.draft(category: "")) == ["category": Msg.requiredField("点位类型")])
        #expect(P.problems(P.draft(category: "PC99")) == ["category": Msg.unknownCategory("PC99")])
        #expect(P.problems(P.draft(address: String(repeating: "址", count: 201))) == ["address": "地址不能超过 200 字"])
        #expect(P.problems(P.draft(territory: "")) == ["territory": Msg.requiredField("所属区域")])
        #expect(P.problems(P.draft(territory: "X9")) == ["territory": P.unknownTerritory("X9")])
        #expect(P.problems(P.draft(adopter: "U9")) == ["adopter": Msg.unknownUnit("U9")])
    }

    @Test func coordinates() {
        #expect(P.problems(P.draft(latitude: 30, longitude: nil)) == ["latitude": "经度和纬度须同时填写"])
        #expect(P.problems(P.draft(latitude: nil, longitude: 114)) == ["latitude": "经度和纬度须同时填写"])
        #expect(P.problems(P.draft(latitude: 90.01, longitude: 114)) == ["latitude": "纬度须在 −90 到 90 之间"])
        #expect(P.problems(P.draft(latitude: 30, longitude: -180.5)) == ["longitude": "经度须在 −180 到 180 之间"])
        #expect(P.problems(P.draft(latitude: .nan, longitude: .nan))
            == ["latitude": "纬度须在 −90 到 90 之间", "longitude": "经度须在 −180 到 180 之间"])
    }

    @Test func severalProblemsAtOnce() {
        let p = P.problems(P.draft(code: "", name: "", category: "PC99", latitude: 1, territory: "", adopter: "U9"))
        #expect(Set(p.keys) == ["code", "name", "category", "latitude", "territory", "adopter"])
    }
}

@Suite struct PointImportTests {
    typealias P = PointFixtures

    @Test func header() {
        #expect(P.header == ["编码", "名称", "点位类型", "地址", "经度", "纬度", "所属区域编码", "包保单位编码", "申报", "启用"])
    }

    @Test func validTable() {
        let r = P.plan([
            P.row("PT-001", "人民路", "PC02", address: "人民路全段", longitude: "114.30", latitude: "30.60", territory: "S0101", adopter: "U1"),
            P.row(" PT-002 ", " 解放路公厕 ", "公厕", territory: "D01", declared: "否", active: "停用"),
            P.row("PT-003", "'=花园路", "背街小巷", territory: "C010101", declared: "已申报", active: "1"),
        ])
        #expect(r.issues.isEmpty)
        #expect(r.rows.count == 3)
        #expect(r.rows[0] == PointDraft(code: "PT-001", name: "人民路", category: "PC02", address: "人民路全段", latitude: 30.6, longitude: 114.3,
                                        territory: "S0101", adopter: "U1", declared: true, active: true))
        #expect(r.rows[1] == PointDraft(code: "PT-002", name: "解放路公厕", category: "公厕", address: "", latitude: nil, longitude: nil,
                                        territory: "D01", adopter: "", declared: false, active: false))
        #expect(r.rows[2].name == "=花园路")  // the export's formula guard is undone
        #expect(r.rows[2].declared && r.rows[2].active)
    }

    @Test func columnsMayBeGivenByKeyAndInAnyOrder() {
        let r = P.plan([["S0101", "PC02", "路", "PT-9"]], header: ["territory", "category", "name", "code"])
        #expect(r.issues.isEmpty)
        #expect(r.rows.map(\.code) == ["PT-9"])
        #expect(r.rows.first?.declared == true && r.rows.first?.active == true)
    }

    @Test func allOrNothing() {
        let r = P.plan([
            P.row("PT-001", "好点位", "PC02"),
            P.row("P 2", "坏编码", "PC02"),
        ])
        #expect(r.rows.isEmpty)
        #expect(r.issues == [P.issue(3, "编码", Msg.codeChars)])
    }

    @Test func everyProblemByRowAndColumn() {
        let r = P.plan([
            P.row("PT-001", "好点位", "PC02"),                                    // row 2
            P.row("P 3", "坏编码", "PC02"),                                       // row 3
            P.row("PT-004", "未知类型", "PC99"),                                  // row 4
            P.row("PT-005", "未知区域", "PC02", territory: "X9"),                 // row 5
            P.row("PT-006", "未知包保单位", "PC02", adopter: "U9"),               // row 6
            P.row("PT-007", "只有纬度", "PC02", latitude: "30.5"),                // row 7
            P.row("PT-008", "申报有误", "PC02", declared: "也许"),                // row 8
            P.row("PT-001", "重复编码", "PC02"),                                  // row 9
            P.row("PT-010", "经度不是数字", "PC02", longitude: "abc", latitude: "30"),  // row 10
            [],                                                                   // row 11: empty, skipped
            P.row("PT-012", "启用有误", "PC02", active: "maybe"),                 // row 12
            P.row("", "", "", territory: "", adopter: "", declared: "x"),        // row 13: only an invalid 申报
        ])
        #expect(r.rows.isEmpty)
        #expect(r.issues == [
            P.issue(3, "编码", Msg.codeChars),
            P.issue(4, "点位类型", Msg.unknownCategory("PC99")),
            P.issue(5, "所属区域编码", P.unknownTerritory("X9")),
            P.issue(6, "包保单位编码", Msg.unknownUnit("U9")),
            P.issue(7, "纬度", "经度和纬度须同时填写"),
            P.issue(8, "申报", "申报须填 是 或 否"),
            P.issue(9, "编码", Msg.duplicateCode("PT-001", firstRow: 2)),
            P.issue(10, "经度", "“abc”不是数字"),
            P.issue(10, "纬度", "经度和纬度须同时填写"),
            P.issue(12, "启用", "启用须填 是 或 否"),
            P.issue(13, "申报", "申报须填 是 或 否"),
            P.issue(13, "点位类型", Msg.requiredField("点位类型")),
            P.issue(13, "编码", Msg.codeRequired),
            P.issue(13, "名称", Msg.nameRequired),
            P.issue(13, "所属区域编码", Msg.requiredField("所属区域")),
        ])
    }

    @Test func duplicateCodeNamesTheFirstRow() {
        let r = P.plan([P.row("A", "一", "PC02"), P.row("B", "二", "PC02"), P.row("A", "三", "PC02"), P.row("A", "四", "PC02")])
        #expect(r.issues == [P.issue(4, "编码", Msg.duplicateCode("A", firstRow: 2)), P.issue(5, "编码", Msg.duplicateCode("A", firstRow: 2))])
    }

    @Test func headerProblems() {
        #expect(PointImport.plan(Table(rawRows: []), categories: P.categories, territories: P.territories, units: P.units, maxRows: 10).issues
            == [P.issue(0, "", Msg.emptyFile)])
        #expect(P.plan([]).issues == [P.issue(0, "", Msg.noDataRows)])

        var missing = P.header
        missing.removeAll { $0 == "所属区域编码" }
        #expect(P.plan([["PT-1", "名", "PC02"]], header: missing).issues == [P.issue(0, "所属区域编码", Msg.missingColumn("所属区域编码"))])

        let unknown = P.header + ["备注"]
        #expect(P.plan([P.row("PT-1", "名", "PC02") + ["x"]], header: unknown).issues == [P.issue(1, "备注", Msg.unknownColumn("备注"))])

        let twice = P.header + ["名称"]
        #expect(P.plan([P.row("PT-1", "名", "PC02") + ["名"]], header: twice).issues == [P.issue(1, "名称", Msg.duplicateColumn("名称"))])

        // The key is accepted as a header too, so key + Chinese header is a duplicate.
        let keyTwice = P.header + ["code"]
        #expect(P.plan([P.row("PT-1", "名", "PC02") + ["PT-1"]], header: keyTwice).issues == [P.issue(1, "code", Msg.duplicateColumn("编码"))])

        let onlyOptional = ["地址", "申报"]
        #expect(P.plan([["x", "是"]], header: onlyOptional).issues == [
            P.issue(0, "编码", Msg.missingColumn("编码")), P.issue(0, "名称", Msg.missingColumn("名称")),
            P.issue(0, "点位类型", Msg.missingColumn("点位类型")), P.issue(0, "所属区域编码", Msg.missingColumn("所属区域编码")),
        ])
    }

    @Test func rowLimit() {
        let rows = [P.row("PT-1", "一", "PC02"), P.row("PT-2", "二", "PC02")]
        #expect(P.plan(rows, maxRows: 1).issues == [P.issue(0, "", Msg.tooManyRows(1))])
        #expect(P.plan(rows, maxRows: 2).issues.isEmpty)
    }

    @Test(arguments: [("", true), ("是", true), ("1", true), ("TRUE", true), ("Yes", true), ("y", true), ("启用", true), ("已申报", true),
                      ("否", false), ("0", false), ("false", false), ("NO", false), ("n", false), ("停用", false), ("未申报", false),
                      (" 是 ", true)])
    func yesNo(text: String, value: Bool) {
        #expect(PointImport.yesNo(text, default: true) == value)
    }

    @Test func yesNoDefaultAndGarbage() {
        #expect(PointImport.yesNo("", default: false) == false)
        #expect(PointImport.yesNo("  ", default: false) == false)
        #expect(PointImport.yesNo("maybe", default: true) == nil)
        #expect(PointImport.yesNo("2", default: true) == nil)
    }
}
