import Foundation
import Testing
@testable import WenmingCore

/// Builders shared by the index import tests.
enum IX {
    static let header = IndexImport.columns.map(\.header)
    static let categories: Set<String> = Set(PointCategories.defaults.map(\.name))
    static let units: Set<String> = ["U1", "U2", "U3"]

    /// One data row in the order of `IndexImport.columns`.
    static func row(_ code: String, _ parent: String, _ level: String, _ title: String, _ score: String,
                    text: String = "", methods: String = "", cats: String = "", nature: String = "",
                    lead: String = "", resp: String = "", sup: String = "", person: String = "", deadline: String = "") -> [String] {
        [code, parent, level, title, text, score, methods, cats, nature, lead, resp, sup, person, deadline]
    }

    static func plan(_ rows: [[String]], header: [String] = header, maxRows: Int = 1000)
        -> (rows: [IndexImportRow], issues: [ImportIssue], mismatches: [ScoreMismatch]) {
        IndexImport.plan(Table(rawRows: [header] + rows), categories: categories, unitCodes: units, maxRows: maxRows)
    }

    /// A small valid tree P1 (5) → C1 (5) → S1 (2) + S2 (3), used as a base for single-problem tests.
    static let base: [[String]] = [
        row("P1", "", "测评项目", "思想道德", "5"),
        row("C1", "P1", "测评内容", "理想信念", "5"),
        row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", cats: "社区"),
        row("S2", "C1", "测评标准", "学习制度", "3", methods: "材料审核"),
    ]

    static func issue(_ row: Int, _ column: String, _ message: String) -> ImportIssue {
        ImportIssue(row: row, column: column, message: message)
    }

    static func node(_ code: String, _ parent: String?, _ level: IndexLevel, _ score: String,
                     methods: [CollectionMethod] = []) -> IndexNode {
        IndexNode(code: code, parentCode: parent, level: level, title: code, score: Score(score)!, methods: methods)
    }
}

@Suite struct IndexImportValidTests {
    @Test func childrenBeforeParentsComeBackParentsFirst() {
        let (rows, issues, mismatches) = IX.plan([
            IX.row("S2", "C1", "测评标准", "学习制度", "3", text: "有制度文件", methods: "材料审核、网上申报", nature: "定性",
                   lead: "U1", resp: "U2、U3", sup: "U3", person: "张三", deadline: "2026-12-31"),
            IX.row("S1", "C1", "测评标准", "学习阵地", "2.5", methods: "实地考察", cats: "社区、老旧小区", nature: "定量"),
            IX.row("C2", "P1", "测评内容", "宣讲", "4.5"),
            IX.row("C1", "P1", "测评内容", "理想信念", "5.5"),
            IX.row("S3", "C2", "测评标准", "宣讲活动", "4.5", methods: "survey"),
            IX.row("P1", "", "测评项目", "思想道德", "10"),
        ])
        #expect(issues.isEmpty)
        #expect(mismatches.isEmpty)
        #expect(rows.map(\.node.code) == ["P1", "C2", "C1", "S2", "S1", "S3"])
        #expect(rows.map(\.rowNumber) == [7, 4, 5, 2, 3, 6])
        // Every parent precedes its children.
        for (i, r) in rows.enumerated() {
            if let p = r.node.parentCode {
                let pi = rows.firstIndex { $0.node.code == p }
                #expect(pi != nil && pi! < i, "\(r.node.code) before its parent \(p)")
            }
        }
        let s2 = rows.first { $0.node.code == "S2" }!
        #expect(s2 == IndexImportRow(
            rowNumber: 2,
            node: IndexNode(code: "S2", parentCode: "C1", level: .standard, title: "学习制度", text: "有制度文件",
                            score: Score(hundredths: 300), methods: [.material, .online], categories: [], nature: .qualitative),
            lead: ["U1"], responsible: ["U2", "U3"], supporting: ["U3"], person: "张三", deadline: "2026-12-31"))
        let s1 = rows.first { $0.node.code == "S1" }!
        #expect(s1.node.categories == ["社区", "老旧小区"])
        #expect(s1.node.methods == [.field])
        #expect(s1.node.nature == .quantitative)
        #expect(s1.node.score == Score(hundredths: 250))
        #expect(rows.first { $0.node.code == "S3" }!.node.methods == [.survey])
        let p1 = rows.first!
        #expect(p1.node.parentCode == nil)
        #expect(p1.node.level == .project)
        #expect(p1.lead.isEmpty && p1.person.isEmpty && p1.deadline.isEmpty)
    }

    @Test func levelsByNumberKeysAsHeadersAndListSeparators() {
        let keyHeader = IndexImport.columns.map(\.key)
        let (rows, issues, _) = IX.plan([
            IX.row("P1", "", "1", "项目", "4"),
            IX.row("C1", "P1", "2", "内容", "4"),
            IX.row("S1", "C1", "3", "标准", "4", methods: " 实地考察，材料审核;问卷调查；field ", cats: "公厕,  医院"),
        ], header: keyHeader)
        #expect(issues.isEmpty)
        #expect(rows.map(\.node.level) == [.project, .content, .standard])
        #expect(rows.last?.node.methods == [.field, .material, .survey]) // duplicate "field" dropped
        #expect(rows.last?.node.categories == ["公厕", "医院"])
    }

    @Test func onlyRequiredColumns() {
        let (rows, issues, _) = IX.plan([
            ["P1", "", "测评项目", "项目", "0"],
        ], header: ["编码", "上级编码", "层级", "名称", "分值"])
        #expect(issues.isEmpty)
        #expect(rows.count == 1)
        #expect(rows.first?.node.score == .zero)
    }

    @Test func formulaGuardIsUndone() {
        let (rows, issues, _) = IX.plan([
            IX.row("P1", "", "测评项目", "'=SUM(A1)", "1"),
            IX.row("C1", "P1", "测评内容", "'-负面", "1", text: "'@提及"),
            IX.row("S1", "C1", "测评标准", "'普通'", "1", text: "'+86 电话", methods: "材料审核", person: "'+张三"),
        ])
        #expect(issues.isEmpty)
        let byCode = Dictionary(uniqueKeysWithValues: rows.map { ($0.node.code, $0) })
        #expect(byCode["P1"]?.node.title == "=SUM(A1)")
        #expect(byCode["C1"]?.node.title == "-负面")
        #expect(byCode["C1"]?.node.text == "@提及")
        #expect(byCode["S1"]?.node.title == "'普通'")     // a ' before anything else stays
        #expect(byCode["S1"]?.node.text == "+86 电话")
        #expect(byCode["S1"]?.person == "+张三")
    }

    @Test func cellsAreTrimmed() {
        let (rows, issues, _) = IX.plan([
            [" P1 ", "", " 测评项目 ", " 项目\n", " ", " 2.5 ", "", "", "", "", "", "", "", ""],
            [" C1 ", " P1", "测评内容 ", "内容", "", "2.5", "", "", "", "", "", "", "", ""],
            ["S1", "C1 ", "测评标准", "标准", "", " 2.5 ", " 材料审核 ", "", " 定性 ", "", "", "", " 李四 ", " 2026-12-31 "],
        ])
        #expect(issues.isEmpty)
        #expect(rows.first?.node.code == "P1")
        #expect(rows.first?.node.title == "项目")
        #expect(rows.first?.node.score == Score(hundredths: 250))
        #expect(rows.last?.person == "李四")
        #expect(rows.last?.deadline == "2026-12-31")
    }

    @Test func leapDayDeadlineIsValid() {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", lead: "U1", deadline: "2028-02-29")
        let (rows, issues, _) = IX.plan(r)
        #expect(issues.isEmpty)
        #expect(rows.first { $0.node.code == "S1" }?.deadline == "2028-02-29")
    }
}

@Suite struct IndexImportProblemTests {
    /// Plans `rows` and expects exactly `expected` (in any order) and no rows.
    static func expectIssues(_ rows: [[String]], _ expected: [ImportIssue], sourceLocation: SourceLocation = #_sourceLocation) {
        let (planned, issues, _) = IX.plan(rows)
        #expect(planned.isEmpty, "all-or-nothing", sourceLocation: sourceLocation)
        #expect(Set(issues.map(\.description)) == Set(expected.map(\.description)), sourceLocation: sourceLocation)
        #expect(issues.count == expected.count, sourceLocation: sourceLocation)
        // Sorted by row then column.
        let keys = issues.map { "\(String(format: "%05d", $0.row))\($0.column)" }
        #expect(keys == keys.sorted(), sourceLocation: sourceLocation)
    }

    @Test func baseIsValid() {
        let (rows, issues, _) = IX.plan(IX.base)
        #expect(issues.isEmpty)
        #expect(rows.count == 4)
    }

    @Test func duplicateCodes() {
        Self.expectIssues([
            IX.row("P1", "", "测评项目", "甲", "1"),
            IX.row("P2", "", "测评项目", "乙", "1"),
            IX.row("P1", "", "测评项目", "丙", "1"),
        ], [IX.issue(4, "编码", Msg.duplicateCode("P1", firstRow: 2))])
    }

    @Test(arguments: ["", " ", "abc 1", "编码", String(repeating: "A", count: 33)])
    func badCode(code: String) {
        let (rows, issues, _) = IX.plan([IX.row(code, "", "测评项目", "甲", "1")])
        #expect(rows.isEmpty)
        #expect(issues.count == 1)
        #expect(issues.first?.row == 2)
        #expect(issues.first?.column == "编码")
        #expect(issues.first?.message == OrgRules.validateCode(code.trimmingCharacters(in: .whitespaces)))
    }

    @Test func emptyTitle() {
        Self.expectIssues([IX.row("P1", "", "测评项目", " ", "1")], [IX.issue(2, "名称", Msg.nameRequired)])
    }

    @Test(arguments: ["测评指标", "4", "0", "", "project"])
    func unknownLevel(level: String) {
        Self.expectIssues([IX.row("P1", "", level, "甲", "1")], [IX.issue(2, "层级", Msg.unknownLevel(level))])
    }

    @Test(arguments: ["abc", "-1", "1.234", "", "１２", "1."])
    func badScore(score: String) {
        Self.expectIssues([IX.row("P1", "", "测评项目", "甲", score)], [IX.issue(2, "分值", Msg.badScore(score))])
    }

    @Test func unknownMethod() {
        var r = IX.base
        r[3] = IX.row("S2", "C1", "测评标准", "学习制度", "3", methods: "材料审核、飞行检查")
        Self.expectIssues(r, [IX.issue(5, "测评方法", Msg.unknownMethod("飞行检查"))])
    }

    @Test func onlyUnknownMethodAlsoLacksAMethod() {
        var r = IX.base
        r[3] = IX.row("S2", "C1", "测评标准", "学习制度", "3", methods: "飞行检查")
        Self.expectIssues(r, [IX.issue(5, "测评方法", Msg.unknownMethod("飞行检查")),
                              IX.issue(5, "测评方法", Msg.standardNeedsMethod)])
    }

    @Test func unknownCategory() {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", cats: "社区、火星基地")
        Self.expectIssues(r, [IX.issue(4, "适用点位", Msg.unknownCategory("火星基地"))])
    }

    @Test func categoriesWithoutFieldVisit() {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "材料审核、问卷调查", cats: "社区")
        Self.expectIssues(r, [IX.issue(4, "适用点位", Msg.categoriesNeedField)])
    }

    @Test func unknownNature() {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", nature: "定级")
        Self.expectIssues(r, [IX.issue(4, "性质", Msg.unknownNature("定级"))])
    }

    @Test func methodOnAProjectRow() {
        var r = IX.base
        r[0] = IX.row("P1", "", "测评项目", "思想道德", "5", methods: "实地考察")
        Self.expectIssues(r, [IX.issue(2, "测评方法", Msg.onlyStandards("测评方法"))])
    }

    @Test func categoriesOnAContentRow() {
        var r = IX.base
        r[1] = IX.row("C1", "P1", "测评内容", "理想信念", "5", cats: "社区")
        Self.expectIssues(r, [IX.issue(3, "适用点位", Msg.onlyStandards("适用点位"))])
    }

    @Test func standardWithoutMethod() {
        var r = IX.base
        r[3] = IX.row("S2", "C1", "测评标准", "学习制度", "3")
        Self.expectIssues(r, [IX.issue(5, "测评方法", Msg.standardNeedsMethod)])
    }

    @Test func standardUnderAProject() {
        Self.expectIssues([
            IX.row("P1", "", "测评项目", "思想道德", "5"),
            IX.row("S1", "P1", "测评标准", "学习阵地", "5", methods: "实地考察"),
        ], [IX.issue(3, "上级编码", Msg.levelUnder("测评标准", "测评项目"))])
    }

    @Test func projectUnderAProjectAndStandardUnderAStandard() {
        var r = IX.base
        r.append(IX.row("P2", "P1", "测评项目", "乙", "0"))
        r.append(IX.row("S3", "S2", "测评标准", "丙", "3", methods: "实地考察"))
        // P2 (0) adds nothing to P1; S3 (3) matches S2 (3) and is not counted under C1.
        Self.expectIssues(r, [IX.issue(6, "上级编码", Msg.levelUnder("测评项目", "测评项目")),
                              IX.issue(7, "上级编码", Msg.levelUnder("测评标准", "测评标准"))])
    }

    @Test func contentWithoutParent() {
        Self.expectIssues([IX.row("C1", "", "测评内容", "理想信念", "5")],
                          [IX.issue(2, "上级编码", Msg.needsParent("测评内容"))])
    }

    @Test func standardWithoutParent() {
        Self.expectIssues([IX.row("S1", "", "测评标准", "学习阵地", "5", methods: "实地考察")],
                          [IX.issue(2, "上级编码", Msg.needsParent("测评标准"))])
    }

    @Test func parentMissing() {
        var r = IX.base
        r.append(IX.row("C9", "PX", "测评内容", "游离", "1"))
        Self.expectIssues(r, [IX.issue(6, "上级编码", Msg.parentNotFound("PX"))])
    }

    @Test func unknownUnitCodes() {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", lead: "U9")
        r[3] = IX.row("S2", "C1", "测评标准", "学习制度", "3", methods: "材料审核", resp: "U1、X1", sup: "Y1")
        Self.expectIssues(r, [IX.issue(4, "牵头单位", Msg.unknownUnit("U9")),
                              IX.issue(5, "责任单位", Msg.unknownUnit("X1")),
                              IX.issue(5, "配合单位", Msg.unknownUnit("Y1"))])
    }

    @Test func twoLeadUnits() {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", lead: "U1、U2")
        Self.expectIssues(r, [IX.issue(4, "牵头单位", Msg.oneLead)])
    }

    @Test func unitColumnsOnNonStandardRows() {
        var r = IX.base
        r[0] = IX.row("P1", "", "测评项目", "思想道德", "5", lead: "U1")
        r[1] = IX.row("C1", "P1", "测评内容", "理想信念", "5", resp: "U2", sup: "U3")
        Self.expectIssues(r, [IX.issue(2, "牵头单位", Msg.onlyStandards("牵头单位")),
                              IX.issue(3, "责任单位", Msg.onlyStandards("责任单位")),
                              IX.issue(3, "配合单位", Msg.onlyStandards("配合单位"))])
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "2026/12/31", "2026-1-5", "明年", "2027-02-29", "1899-12-31", "2026-00-10", "2026-12-00"])
    func badDeadline(deadline: String) {
        var r = IX.base
        r[2] = IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", lead: "U1", deadline: deadline)
        Self.expectIssues(r, [IX.issue(4, "完成时限", Msg.badDate(deadline))])
    }

    @Test func scoresNotAddingUp() {
        let (rows, issues, mismatches) = IX.plan([
            IX.row("P1", "", "测评项目", "思想道德", "10"),
            IX.row("C1", "P1", "测评内容", "理想信念", "4"),
            IX.row("C2", "P1", "测评内容", "宣讲", "5.5"),
            IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察"),
            IX.row("S2", "C1", "测评标准", "学习制度", "2", methods: "实地考察"),
            IX.row("S3", "C2", "测评标准", "宣讲活动", "5", methods: "实地考察"),
        ])
        #expect(rows.isEmpty)
        #expect(issues.map(\.row) == [2, 4])
        #expect(issues.allSatisfy { $0.column == "分值" })
        #expect(issues[0].message == "“P1 思想道德”分值为 10，下级合计 9.5，相差 0.5")
        #expect(issues[1].message == "“C2 宣讲”分值为 5.5，下级合计 5，相差 0.5")
        #expect(issues[0].description == "第 2 行“分值”列：“P1 思想道德”分值为 10，下级合计 9.5，相差 0.5")
        #expect(mismatches == [
            ScoreMismatch(code: "P1", title: "P1 思想道德", declared: Score("10")!, childrenSum: Score("9.5")!),
            ScoreMismatch(code: "C2", title: "C2 宣讲", declared: Score("5.5")!, childrenSum: Score("5")!),
        ])
    }

    @Test func childrenExceedingParent() {
        var r = IX.base
        r[3] = IX.row("S2", "C1", "测评标准", "学习制度", "3.25", methods: "材料审核")
        let (_, issues, _) = IX.plan(r)
        // C1 (5) now has 5.25 below it; P1 (5) still matches C1.
        #expect(issues == [IX.issue(3, "分值", "“C1 理想信念”分值为 5，下级合计 5.25，相差 -0.25")])
    }

    @Test func severalProblemsAreAllReportedSortedByRowThenColumn() {
        let (rows, issues, _) = IX.plan([
            IX.row("S1", "C1", "测评标准", "学习阵地", "2", methods: "实地考察", cats: "火星", deadline: "2026-02-30"),
            IX.row("C1", "P1", "测评内容", "理想信念", "2"),
            IX.row("P1", "", "测评层", "思想道德", "2"),
            IX.row("C1", "P1", "测评内容", "重复", "x"),
        ])
        #expect(rows.isEmpty)
        // P1 is refused for its level; C1 (row 3) is not also told that its parent is missing.
        #expect(issues.map(\.description) == [
            "第 2 行“完成时限”列：" + Msg.badDate("2026-02-30"),
            "第 2 行“适用点位”列：" + Msg.unknownCategory("火星"),
            "第 4 行“层级”列：" + Msg.unknownLevel("测评层"),
            "第 5 行“分值”列：" + Msg.badScore("x"),
            "第 5 行“编码”列：" + Msg.duplicateCode("C1", firstRow: 3),
        ])
    }

    @Test func headerProblems() {
        let missing = IX.plan([["P1", "", "测评项目", "甲"]], header: ["编码", "上级编码", "层级", "名称"])
        #expect(missing.issues == [ImportIssue(row: 0, column: "分值", message: Msg.missingColumn("分值"))])
        let unknown = IX.plan([IX.row("P1", "", "测评项目", "甲", "1") + ["x"]], header: IX.header + ["备注"])
        #expect(unknown.issues == [ImportIssue(row: 1, column: "备注", message: Msg.unknownColumn("备注"))])
        let twice = IX.plan([IX.row("P1", "", "测评项目", "甲", "1") + ["1"]], header: IX.header + ["score"])
        #expect(twice.issues == [ImportIssue(row: 1, column: "score", message: Msg.duplicateColumn("分值"))])
        let empty = IndexImport.plan(Table(rawRows: []), categories: [], unitCodes: [], maxRows: 10)
        #expect(empty.issues == [ImportIssue(row: 0, column: "", message: Msg.emptyFile)])
        let onlyHeader = IX.plan([])
        #expect(onlyHeader.issues == [ImportIssue(row: 0, column: "", message: Msg.noDataRows)])
        let tooMany = IX.plan(IX.base, maxRows: 3)
        #expect(tooMany.issues == [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(3))])
        #expect(IX.plan(IX.base, maxRows: 4).issues.isEmpty)
    }

    @Test func emptyLinesKeepSpreadsheetRowNumbers() {
        let (_, issues, _) = IX.plan([
            IX.row("P1", "", "测评项目", "甲", "1"),
            [""],
            ["", "", ""],
            IX.row("P2", "", "测评项目", "乙", "y"),
        ])
        #expect(issues == [IX.issue(5, "分值", Msg.badScore("y"))])
    }
}

@Suite struct IndexTreeTests {
    static let nodes: [IndexNode] = [
        IX.node("P1", nil, .project, "10"),
        IX.node("P2", nil, .project, "5"),
        IX.node("P3", nil, .project, "2"),          // no children: not checked
        IX.node("C1", "P1", .content, "6"),
        IX.node("C2", "P1", .content, "4"),
        IX.node("C3", "P2", .content, "4"),          // P2 declares 5
        IX.node("S1", "C1", .standard, "3.5", methods: [.field, .material]),
        IX.node("S2", "C1", .standard, "2.5", methods: [.field]),
        IX.node("S3", "C2", .standard, "4.25", methods: [.survey]),   // C2 declares 4
        IX.node("S4", "C3", .standard, "4", methods: [.report, .overall]),
    ]

    @Test func mismatchesWithoutDeclaredTotal() {
        #expect(IndexTree.mismatches(Self.nodes, declaredTotal: nil) == [
            ScoreMismatch(code: "P2", title: "P2 P2", declared: Score("5")!, childrenSum: Score("4")!),
            ScoreMismatch(code: "C2", title: "C2 C2", declared: Score("4")!, childrenSum: Score("4.25")!),
        ])
    }

    @Test func mismatchesWithDeclaredTotal() {
        let m = IndexTree.mismatches(Self.nodes, declaredTotal: Score("20")!)
        #expect(m.count == 3)
        #expect(m.last == ScoreMismatch(code: nil, title: "体系总分", declared: Score("20")!, childrenSum: Score("17")!))
        #expect(m.last?.description == "“体系总分”分值为 20，下级合计 17，相差 3")
        // A matching total adds nothing.
        #expect(IndexTree.mismatches(Self.nodes, declaredTotal: Score("17")!).count == 2)
    }

    @Test func consistentTreeHasNoMismatch() {
        let ok: [IndexNode] = [
            IX.node("P1", nil, .project, "0.3"),
            IX.node("C1", "P1", .content, "0.3"),
            IX.node("S1", "C1", .standard, "0.1"),
            IX.node("S2", "C1", .standard, "0.2"),
        ]
        #expect(IndexTree.mismatches(ok, declaredTotal: nil).isEmpty)
        #expect(IndexTree.mismatches(ok, declaredTotal: Score("0.3")!).isEmpty)
        #expect(IndexTree.mismatches([], declaredTotal: nil).isEmpty)
        #expect(IndexTree.mismatches([], declaredTotal: Score("100")!) ==
                [ScoreMismatch(code: nil, title: "体系总分", declared: Score("100")!, childrenSum: .zero)])
    }

    @Test func mismatchDescription() {
        let m = ScoreMismatch(code: "C1", title: "C1 理想信念", declared: Score("4")!, childrenSum: Score("5.5")!)
        #expect(m.description == "“C1 理想信念”分值为 4，下级合计 5.5，相差 -1.5")
    }

    @Test func totals() {
        let t = IndexTree.totals(Self.nodes)
        #expect(t.map { $0.level } == [.project, .content, .standard])
        #expect(t.map { $0.count } == [3, 3, 4])
        #expect(t.map { $0.score } == [Score("17")!, Score("14")!, Score("14.25")!])
        let none = IndexTree.totals([])
        #expect(none.map { $0.count } == [0, 0, 0])
        #expect(none.map { $0.score } == [.zero, .zero, .zero])
    }

    @Test func methodCounts() {
        var nodes = Self.nodes
        nodes.append(IX.node("C9", "P3", .content, "0", methods: [.online]))  // not a standard: not counted
        let counts = IndexTree.methodCounts(nodes)
        #expect(counts.map { $0.0 } == CollectionMethod.allCases)
        #expect(counts.map { $0.1 } == [2, 1, 1, 0, 1, 1])  // field, material, survey, online, overall, report
    }
}

@Suite struct IndexLevelAndMethodTests {
    @Test func levelLabels() {
        #expect(IndexLevel.allCases.map(\.label) == ["测评项目", "测评内容", "测评标准"])
        #expect(IndexLevel(label: " 测评内容 ") == .content)
        #expect(IndexLevel(label: "3") == .standard)
        #expect(IndexLevel(label: "standard") == nil)
        #expect(IndexLevel.project.parentLevel == nil)
        #expect(IndexLevel.content.parentLevel == .project)
        #expect(IndexLevel.standard.parentLevel == .content)
        #expect(IndexLevel.project < .standard)
    }

    @Test func methodLabels() {
        #expect(CollectionMethod.allCases.map(\.label) == ["实地考察", "材料审核", "问卷调查", "网上申报", "整体评价", "听取汇报"])
        for m in CollectionMethod.allCases {
            #expect(CollectionMethod(label: m.label) == m)
            #expect(CollectionMethod(label: m.rawValue) == m)
        }
        #expect(CollectionMethod(label: "实地") == nil)
        #expect(StandardNature(label: "定量") == .quantitative)
        #expect(StandardNature(label: "qualitative") == .qualitative)
        #expect(StandardNature(label: "定级") == nil)
    }

    @Test func splitListSeparators() {
        #expect(splitList("实地考察、材料审核") == ["实地考察", "材料审核"])
        #expect(splitList("a,b，c;d；e") == ["a", "b", "c", "d", "e"])
        #expect(splitList(" a 、、 b ,") == ["a", "b"])
        #expect(splitList("") == [])
    }

    @Test func pointCategoryDefaults() {
        let d = PointCategories.defaults
        #expect(d.count == 24)
        #expect(Set(d.map(\.code)).count == 24)
        #expect(Set(d.map(\.name)).count == 24)
        #expect(d.first?.name == "主次干道")
    }
}

@Suite struct SampleFileTests {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // WenmingCoreTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repository root
        .appendingPathComponent("Resources/Samples")

    static func table(_ name: String) throws -> Table {
        let data = try Data(contentsOf: samples.appendingPathComponent(name))
        return Table(rawRows: try CSV.parse(data: data))
    }

    static func index(_ name: String) throws -> [IndexImportRow] {
        let (rows, issues, mismatches) = IndexImport.plan(try table(name), categories: IX.categories, unitCodes: [], maxRows: 5000)
        #expect(issues.isEmpty, "\(name): \(issues.prefix(5).map(\.description))")
        #expect(mismatches.isEmpty)
        return rows
    }

    @Test func nationalSample() throws {
        let rows = try Self.index("index-national-sample.csv")
        let nodes = rows.map(\.node)
        let totals = IndexTree.totals(nodes)
        #expect(totals[0].count == 7)
        #expect(totals[1].count >= 50)
        #expect(totals[2].count >= 150)
        #expect(totals[0].score == Score("1000")!)
        #expect(totals[1].score == Score("1000")!)
        #expect(totals[2].score == Score("1000")!)
        #expect(IndexTree.mismatches(nodes, declaredTotal: Score("1000")!).isEmpty)
        for (m, n) in IndexTree.methodCounts(nodes) { #expect(n > 0, "\(m.label) unused") }
        #expect(rows.count == nodes.count)
        #expect(rows.allSatisfy { $0.lead.isEmpty && $0.responsible.isEmpty && $0.supporting.isEmpty })
        // Field standards name categories; every category named is a default one.
        #expect(nodes.contains { !$0.categories.isEmpty })
        #expect(nodes.allSatisfy { $0.categories.allSatisfy(IX.categories.contains) })
    }

    @Test func minorsSample() throws {
        let nodes = try Self.index("index-minors-sample.csv").map(\.node)
        let totals = IndexTree.totals(nodes)
        #expect(totals[0].score == Score("100")!)
        #expect(totals[2].score == Score("100")!)
        #expect(totals.allSatisfy { $0.count > 0 })
        #expect(IndexTree.mismatches(nodes, declaredTotal: Score("100")!).isEmpty)
    }

    @Test func negativeListSample() throws {
        let (items, issues) = NegativeListImport.plan(try Self.table("negative-list-sample.csv"), maxRows: 5000)
        #expect(issues.isEmpty, "\(issues.prefix(5).map(\.description))")
        #expect(items.count == 30)
        #expect(items.filter(\.veto).count == 13)
        #expect(Set(items.map(\.code)).count == 30)
        #expect(items.filter { $0.penalty == .deduct }.allSatisfy { ($0.points ?? .zero) > .zero })
        #expect(items.filter { $0.penalty == .suspend }.allSatisfy { ($0.months ?? 0) > 0 })
        #expect(items.first == NegativeItem(areaCode: "N01", areaName: "安全生产", code: "N01-01", title: "发生重大及以上生产安全责任事故",
                                            penalty: .revoke, points: nil, months: nil, veto: true))
    }
}

@Suite struct IndexImportStandardOnlyColumnsTests {
    /// 责任人 and 完成时限 belong to standards, like the unit columns: on other rows they would be dropped silently.
    @Test func personAndDeadlineOnlyOnStandards() {
        let (_, issues, _) = IX.plan([
            IX.row("P1", "", "测评项目", "项目", "1", person: "张三"),
            IX.row("C1", "P1", "测评内容", "内容", "1", deadline: "2026-12-31"),
            IX.row("S1", "C1", "测评标准", "标准", "1", methods: "材料审核"),
        ])
        #expect(issues.map(\.description) == [
            "第 2 行“责任人”列：" + Msg.onlyStandards("责任人"),
            "第 3 行“完成时限”列：" + Msg.onlyStandards("完成时限"),
        ])
    }
}
