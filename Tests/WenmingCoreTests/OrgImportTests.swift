import Testing
@testable import WenmingCore

// MARK: - Parsing

@Suite struct OrgImportParseTests {
    static let chineseHeader = ["编码", "名称", "类型", "上级编码", "条管部门编码", "地址", "联系人", "电话", "启用"]
    static let keyHeader = ["code", "name", "kind", "parent_code", "sector_code", "address", "contact", "phone", "active"]
    static let minimalHeader = ["编码", "名称", "类型", "上级编码"]

    static func parse(_ raw: [[String]], maxRows: Int = 1000) -> (rows: [OrgImportRow], issues: [ImportIssue]) {
        OrgImport.parse(Table(rawRows: raw), maxRows: maxRows)
    }

    /// The rows without their `present` column set, for comparing with rows built by hand.
    static func bare(_ rows: [OrgImportRow]) -> [OrgImportRow] { rows.map { var r = $0; r.present = []; return r } }

    static let optionalKeys: Set<String> = Set(OrgImport.columns.filter { !$0.required }.map(\.key))

    @Test func chineseHeadersAccepted() {
        let (rows, issues) = Self.parse([
            Self.chineseHeader,
            ["D1", "一区", "区", "C", "", "人民路 1 号", "张三", "0571-1234", "是"],
            ["U1", "一区实验小学", "学校", "D1", "EDU", "", "", "", "否"],
        ])
        #expect(issues.isEmpty)
        #expect(Self.bare(rows) == [
            OrgImportRow(rowNumber: 2, code: "D1", name: "一区", kind: .district, parentCode: "C", sectorCode: nil,
                         address: "人民路 1 号", contact: "张三", phone: "0571-1234", active: true),
            OrgImportRow(rowNumber: 3, code: "U1", name: "一区实验小学", kind: .school, parentCode: "D1", sectorCode: "EDU",
                         address: "", contact: "", phone: "", active: false),
        ])
        // Every optional column is in the file, so an update may overwrite each of them.
        #expect(rows.allSatisfy { $0.present.isSuperset(of: Self.optionalKeys) })
    }

    @Test func englishKeysAccepted() {
        let (rows, issues) = Self.parse([
            Self.keyHeader,
            ["S1", "东街道", "street", "D1", "", "addr", "李四", "110", "1"],
        ])
        #expect(issues.isEmpty)
        #expect(Self.bare(rows) == [
            OrgImportRow(rowNumber: 2, code: "S1", name: "东街道", kind: .street, parentCode: "D1", sectorCode: nil,
                         address: "addr", contact: "李四", phone: "110", active: true),
        ])
        #expect(rows.first?.present.isSuperset(of: Self.optionalKeys) == true)
    }

    @Test func columnsInAnyOrderMixedSpellingsAndPaddedCells() {
        let (rows, issues) = Self.parse([
            [" kind ", "上级编码", "name", " 编码", "active"],
            ["  社区 ", " S1 ", " 幸福社区\n", "M1  ", " 停用 "],
        ])
        #expect(issues.isEmpty)
        #expect(rows.count == 1)
        #expect(rows.first?.code == "M1")
        #expect(rows.first?.name == "幸福社区")
        #expect(rows.first?.kind == .community)
        #expect(rows.first?.parentCode == "S1")
        #expect(rows.first?.active == false)
    }

    @Test func optionalColumnsMayBeOmittedAndShortRowsArePadded() {
        let (rows, issues) = Self.parse([
            Self.minimalHeader,
            ["C", "文明市", "市"],          // no parent cell at all
            ["D1", "一区", "district", ""],
        ])
        #expect(issues.isEmpty)
        #expect(rows.map(\.code) == ["C", "D1"])
        #expect(rows.map(\.parentCode) == [nil, nil])
        #expect(rows.allSatisfy { $0.active && $0.sectorCode == nil && $0.address.isEmpty && $0.phone.isEmpty })
        // No optional column in the file: an update must keep the stored values of all of them.
        #expect(rows.allSatisfy { $0.present.isDisjoint(with: Self.optionalKeys) })
    }

    @Test func presentNamesTheOptionalColumnsOfTheFile() {
        let (rows, issues) = Self.parse([
            Self.minimalHeader + ["电话", "active"],
            ["D1", "一区", "区", "C", "", ""],   // empty cells: the column is still present
        ])
        #expect(issues.isEmpty)
        #expect(rows.first?.present.intersection(Self.optionalKeys) == ["phone", "active"])
    }

    @Test func rowNumbersAreSpreadsheetRows() {
        let (rows, issues) = Self.parse([
            ["", ""],
            Self.minimalHeader,
            ["D1", "一区", "区", "C"],
            ["", "", "", ""],
            [" ", "", "", ""],
            ["D2", "二区", "区", "C"],
        ])
        #expect(issues.isEmpty)
        #expect(rows.map(\.rowNumber) == [3, 6])
    }

    @Test func unknownColumnReportedWithItsHeader() {
        let (rows, issues) = Self.parse([
            Self.minimalHeader + ["备注"],
            ["D1", "一区", "区", "C", "x"],
        ])
        #expect(rows.isEmpty)
        #expect(issues == [ImportIssue(row: 1, column: "备注", message: Msg.unknownColumn("备注"))])
    }

    @Test func unknownColumnRowIsTheHeaderRow() {
        let (_, issues) = Self.parse([
            [],
            ["", "  "],
            Self.minimalHeader + ["Remarks"],
            ["D1", "一区", "区", "C", "x"],
        ])
        #expect(issues == [ImportIssue(row: 3, column: "Remarks", message: Msg.unknownColumn("Remarks"))])
        #expect(issues.first?.description == "第 3 行“Remarks”列：无法识别的列“Remarks”")
    }

    @Test func blankHeaderCellsAreIgnored() {
        let (rows, issues) = Self.parse([
            ["编码", "", "名称", "类型", "上级编码", " "],
            ["D1", "ignored", "一区", "区", "C", "ignored"],
        ])
        #expect(issues.isEmpty)
        #expect(rows.map(\.name) == ["一区"])
    }

    @Test(arguments: [
        (["名称", "类型", "上级编码"], ["编码"]),
        (["编码", "名称", "类型"], ["上级编码"]),
        (["code", "kind"], ["名称", "上级编码"]),
        (["地址", "电话"], ["编码", "名称", "类型", "上级编码"]),
    ] as [([String], [String])])
    func missingRequiredColumns(header: [String], missing: [String]) {
        let (rows, issues) = Self.parse([header, header.map { _ in "x" }])
        #expect(rows.isEmpty)
        #expect(issues == missing.map { ImportIssue(row: 0, column: $0, message: Msg.missingColumn($0)) })
    }

    @Test func unknownAndMissingColumnsReportedTogether() {
        let (_, issues) = Self.parse([["编码", "名称", "类别", "上级编码"], ["D1", "一区", "区", "C"]])
        #expect(issues == [
            ImportIssue(row: 1, column: "类别", message: Msg.unknownColumn("类别")),
            ImportIssue(row: 0, column: "类型", message: Msg.missingColumn("类型")),
        ])
    }

    @Test(arguments: [
        [[String]](),
        [[]],
        [[""], ["", " "], ["\t"]],
    ] as [[[String]]])
    func emptyFile(raw: [[String]]) {
        let (rows, issues) = Self.parse(raw)
        #expect(rows.isEmpty)
        #expect(issues == [ImportIssue(row: 0, column: "", message: Msg.emptyFile)])
        #expect(issues.first?.description == Msg.emptyFile)
    }

    @Test(arguments: [
        [OrgImportParseTests.chineseHeader],
        [OrgImportParseTests.chineseHeader, ["", "", ""], [" "]],
        [[], OrgImportParseTests.keyHeader, []],
    ] as [[[String]]])
    func headerOnlyFile(raw: [[String]]) {
        let (rows, issues) = Self.parse(raw)
        #expect(rows.isEmpty)
        #expect(issues == [ImportIssue(row: 0, column: "", message: Msg.noDataRows)])
    }

    @Test(arguments: [(3, 3, true), (3, 4, true), (3, 2, false), (1, 0, false), (101, 100, false)] as [(Int, Int, Bool)])
    func maxRows(count: Int, maxRows: Int, ok: Bool) {
        let raw = [Self.minimalHeader] + (0..<count).map { ["D\($0)", "区\($0)", "区", "C"] }
        let (rows, issues) = Self.parse(raw, maxRows: maxRows)
        if ok {
            #expect(issues.isEmpty)
            #expect(rows.count == count)
        } else {
            #expect(rows.isEmpty)
            #expect(issues == [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(maxRows))])
        }
    }

    @Test(arguments: ["省", "District", "", "  ", "区县", "leadingGroup"])
    func badKindReportedWithRowAndColumn(kindText: String) {
        let (rows, issues) = Self.parse([
            Self.minimalHeader,
            ["D1", "一区", "区", "C"],
            [],
            ["X1", "某地", kindText, "C"],
            ["D2", "二区", "county", "C"],
        ])
        let trimmed = kindText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(issues == [ImportIssue(row: 4, column: "类型", message: Msg.unknownKind(trimmed))])
        #expect(rows.map(\.code) == ["D1", "D2"])  // the bad row is left out, the good ones are kept
    }

    @Test(arguments: ["也许", "2", "on", "√", "启"])
    func badActiveReported(value: String) {
        let (rows, issues) = Self.parse([
            Self.minimalHeader + ["启用"],
            ["D1", "一区", "区", "C", value],
        ])
        #expect(rows.isEmpty)
        #expect(issues == [ImportIssue(row: 2, column: "启用", message: Msg.badActive(value))])
    }

    @Test(arguments: [
        ("", true), ("是", true), ("1", true), ("true", true), ("TRUE", true), ("Yes", true), ("y", true),
        ("启用", true), (" 是 ", true),
        ("否", false), ("0", false), ("false", false), ("No", false), ("N", false), ("停用", false),
        ("也许", nil), ("2", nil), ("ok", nil), ("是的", nil),
    ] as [(String, Bool?)])
    func parseActive(text: String, expected: Bool?) {
        #expect(OrgImport.parseActive(text) == expected)
    }

    @Test func cellProblemsNameTheirColumn() {
        let long = String(repeating: "a", count: 33)
        let (rows, issues) = Self.parse([
            Self.minimalHeader + ["启用"],
            ["", "名", "区", "C", ""],
            ["OK1", " ", "区", "C", ""],
            ["编码1", "名", "区", "C", ""],
            [long, "", "镇镇", "C", "x"],
        ])
        #expect(rows.isEmpty)
        #expect(issues == [
            ImportIssue(row: 2, column: "编码", message: Msg.codeRequired),
            ImportIssue(row: 3, column: "名称", message: Msg.nameRequired),
            ImportIssue(row: 4, column: "编码", message: Msg.codeChars),
            ImportIssue(row: 5, column: "编码", message: Msg.codeTooLong),
            ImportIssue(row: 5, column: "名称", message: Msg.nameRequired),
            ImportIssue(row: 5, column: "类型", message: Msg.unknownKind("镇镇")),
            ImportIssue(row: 5, column: "启用", message: Msg.badActive("x")),
        ])
    }

    @Test func columnsAreIdentifiedByHeaderNotPosition() {
        // Same data, two column orders: same rows.
        let a = Self.parse([["编码", "名称", "类型", "上级编码"], ["D1", "一区", "区", "C"]])
        let b = Self.parse([["上级编码", "类型", "名称", "编码"], ["C", "区", "一区", "D1"]])
        #expect(a.issues.isEmpty && b.issues.isEmpty)
        #expect(a.rows.count == 1)
        #expect(a.rows == b.rows)
    }

    /// A column given twice (Chinese header and key, or the same header twice) is refused: otherwise which
    /// cell wins would depend on dictionary iteration order.
    @Test(arguments: [
        (["编码", "code", "名称", "类型", "上级编码"], "code", "编码"),
        (["编码", "名称", "类型", "上级编码", "编码"], "编码", "编码"),
        (["编码", "名称", "name", "类型", "上级编码"], "name", "名称"),
        (["编码", "名称", "类型", "上级编码", "启用", "active"], "active", "启用"),
    ] as [([String], String, String)])
    func duplicateColumnIsReported(header: [String], column: String, canonical: String) {
        let (rows, issues) = Self.parse([header, header.indices.map { "A\($0)" }])
        #expect(rows.isEmpty)
        #expect(issues == [ImportIssue(row: 1, column: column, message: Msg.duplicateColumn(canonical))])
    }

    @Test(arguments: [
        (0, "", "文件是空的，没有表头"),
        (0, "编码", "“编码”列：文件是空的，没有表头"),
        (7, "", "第 7 行：文件是空的，没有表头"),
        (7, "编码", "第 7 行“编码”列：文件是空的，没有表头"),
    ] as [(Int, String, String)])
    func issueDescription(row: Int, column: String, expected: String) {
        #expect(ImportIssue(row: row, column: column, message: Msg.emptyFile).description == expected)
    }
}

// MARK: - Planning

@Suite struct OrgImportPlanTests {
    static func row(_ n: Int, _ code: String, _ kind: OrgKind, parent: String?, sector: String? = nil,
                    name: String? = nil) -> OrgImportRow {
        OrgImportRow(rowNumber: n, code: code, name: name ?? "名\(code)", kind: kind, parentCode: parent, sectorCode: sector,
                     address: "", contact: "", phone: "", active: true)
    }

    /// An existing tree: city C → district D → street S → community M → grid G, plus a city department DEP,
    /// an agency AG, and district D2 (with street S2) outside the importing user's scope.
    static let existing: [String: ExistingOrg] = {
        let list = [
            ExistingOrg(code: "C", kind: .city, parentCode: nil, inScope: true),
            ExistingOrg(code: "D", kind: .district, parentCode: "C", inScope: true),
            ExistingOrg(code: "S", kind: .street, parentCode: "D", inScope: true),
            ExistingOrg(code: "M", kind: .community, parentCode: "S", inScope: true),
            ExistingOrg(code: "G", kind: .grid, parentCode: "M", inScope: true),
            ExistingOrg(code: "DEP", kind: .department, parentCode: "C", inScope: true),
            ExistingOrg(code: "AG", kind: .agency, parentCode: "D", inScope: true),
            ExistingOrg(code: "LG", kind: .leadingGroup, parentCode: "C", inScope: true),
            ExistingOrg(code: "D2", kind: .district, parentCode: "C", inScope: false),
            ExistingOrg(code: "S2", kind: .street, parentCode: "D2", inScope: false),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.code, $0) })
    }()

    static func plan(_ rows: [OrgImportRow], existing: [String: ExistingOrg] = existing)
        -> (ordered: [OrgImportRow], issues: [ImportIssue]) {
        OrgImport.plan(rows, existing: existing)
    }

    @Test func validImportIsOrderedParentsFirst() {
        let rows = [
            Self.row(2, "G1", .grid, parent: "M1"),
            Self.row(3, "M1", .community, parent: "S1"),
            Self.row(4, "S1", .street, parent: "D"),              // existing parent
            Self.row(5, "A1", .agency, parent: "M1", sector: "DEP"),
            Self.row(6, "G2", .grid, parent: "M"),               // existing parent
            Self.row(7, "WG", .workingGroup, parent: "LG"),
        ]
        let (ordered, issues) = Self.plan(rows)
        #expect(issues.isEmpty)
        // depth 0: S1 (4), G2 (6), WG (7); depth 1: M1 (3); depth 2: G1 (2), A1 (5)
        #expect(ordered.map(\.code) == ["S1", "G2", "WG", "M1", "G1", "A1"])
        #expect(ordered.sorted { $0.rowNumber < $1.rowNumber } == rows)
        // Every imported parent precedes its child.
        var done: Set<String> = []
        for r in ordered {
            if let p = r.parentCode { #expect(done.contains(p) || Self.existing[p] != nil, "\(r.code) before \(p)") }
            done.insert(r.code)
        }
    }

    @Test func deepChainInReverseFileOrder() {
        let rows = [
            Self.row(2, "g", .grid, parent: "v"),
            Self.row(3, "v", .village, parent: "t"),
            Self.row(4, "t", .town, parent: "k"),
            Self.row(5, "k", .county, parent: "C"),
        ]
        let (ordered, issues) = Self.plan(rows)
        #expect(issues.isEmpty)
        #expect(ordered.map(\.code) == ["k", "t", "v", "g"])
    }

    @Test func firstCityIntoAnEmptyDatabase() {
        let rows = [
            Self.row(2, "D", .district, parent: "C"),
            Self.row(3, "C", .city, parent: nil),
            Self.row(4, "U", .department, parent: "C"),
        ]
        let (ordered, issues) = Self.plan(rows, existing: [:])
        #expect(issues.isEmpty)
        #expect(ordered.map(\.code) == ["C", "D", "U"])
    }

    @Test func updatingExistingInScopeNodesIsAllowed() {
        let rows = [
            Self.row(2, "M", .community, parent: "S", name: "改名社区"),
            Self.row(3, "C", .city, parent: nil, name: "文明市"),    // updating the existing city is not a second city
            Self.row(4, "AG", .agency, parent: "M", sector: "DEP"),  // moved down to a community
        ]
        let (ordered, issues) = Self.plan(rows)
        #expect(issues.isEmpty)
        // M and C have no imported parent (depth 0, file order); AG hangs under imported M, so it comes last.
        #expect(ordered.map(\.code) == ["M", "C", "AG"])
    }

    @Test func duplicateCodesReportLaterRowsNamingTheFirst() {
        let rows = [
            Self.row(2, "X", .street, parent: "D"),
            Self.row(3, "Y", .street, parent: "D"),
            Self.row(5, "X", .street, parent: "D"),
            Self.row(9, "X", .town, parent: "D"),
        ]
        let (ordered, issues) = Self.plan(rows)
        #expect(ordered.isEmpty)
        #expect(issues == [
            ImportIssue(row: 5, column: "编码", message: Msg.duplicateCode("X", firstRow: 2)),
            ImportIssue(row: 9, column: "编码", message: Msg.duplicateCode("X", firstRow: 2)),
        ])
        #expect(issues.first?.message.contains("第 2 行") == true)
    }

    @Test func unknownParent() {
        let (ordered, issues) = Self.plan([Self.row(4, "S9", .street, parent: "NOPE")])
        #expect(ordered.isEmpty)
        #expect(issues == [ImportIssue(row: 4, column: "上级编码", message: Msg.parentNotFound("NOPE"))])
    }

    @Test(arguments: [
        (OrgKind.grid, "S", OrgKind.street),
        (.grid, "G", .grid),
        (.community, "D", .district),
        (.street, "C", .city),
        (.district, "D", .district),
        (.department, "S", .street),
        (.agency, "G", .grid),
        (.school, "AG", .agency),
        (.workingGroup, "D", .district),
        (.office, "S", .street),
        (.leadingGroup, "LG", .leadingGroup),
        (.county, "DEP", .department),
    ] as [(OrgKind, String, OrgKind)])
    func parentKindNotAllowed(kind: OrgKind, parent: String, parentKind: OrgKind) {
        let (ordered, issues) = Self.plan([Self.row(3, "NEW", kind, parent: parent)])
        #expect(ordered.isEmpty)
        #expect(issues == [ImportIssue(row: 3, column: "上级编码",
                                       message: Msg.parentKindNotAllowed(kind: kind, parent: parentKind))])
    }

    @Test func parentKindIsTakenFromTheImportedRowFirst() {
        // P is new and a street, so a community may hang under it; a grid may not.
        let ok = Self.plan([Self.row(2, "P", .street, parent: "D"), Self.row(3, "Q", .community, parent: "P")])
        #expect(ok.issues.isEmpty)
        let bad = Self.plan([Self.row(2, "P", .street, parent: "D"), Self.row(3, "Q", .grid, parent: "P")])
        #expect(bad.issues == [ImportIssue(row: 3, column: "上级编码", message: Msg.parentKindNotAllowed(kind: .grid, parent: .street))])
    }

    @Test(arguments: [OrgKind.district, .street, .grid, .department, .workingGroup])
    func nonRootWithoutParent(kind: OrgKind) {
        let (_, issues) = Self.plan([Self.row(2, "N", kind, parent: nil)])
        #expect(issues == [ImportIssue(row: 2, column: "上级编码", message: Msg.parentRequired(kind))])
    }

    @Test func parentOutOfScope() {
        let (ordered, issues) = Self.plan([
            Self.row(2, "S9", .street, parent: "D2"),
            Self.row(3, "M9", .community, parent: "S2"),
        ])
        #expect(ordered.isEmpty)
        #expect(issues == [
            ImportIssue(row: 2, column: "上级编码", message: Msg.outOfScope),
            ImportIssue(row: 3, column: "上级编码", message: Msg.outOfScope),
        ])
    }

    @Test func movingAnInScopeNodeUnderAnOutOfScopeParentIsRefused() {
        let (_, issues) = Self.plan([Self.row(2, "M", .community, parent: "S2")])
        #expect(issues == [ImportIssue(row: 2, column: "上级编码", message: Msg.outOfScope)])
    }

    /// A district-level user re-importing an export of their own district: the district row names the
    /// city (outside the scope) as its parent, unchanged. That is allowed; moving it elsewhere is not.
    static let districtScope: [String: ExistingOrg] = {
        let list = [
            ExistingOrg(code: "C", kind: .city, parentCode: nil, inScope: false),
            ExistingOrg(code: "D", kind: .district, parentCode: "C", inScope: true),
            ExistingOrg(code: "S", kind: .street, parentCode: "D", inScope: true),
            ExistingOrg(code: "DEP", kind: .department, parentCode: "C", inScope: false),
            ExistingOrg(code: "D2", kind: .district, parentCode: "C", inScope: false),
            ExistingOrg(code: "K", kind: .county, parentCode: "C", inScope: false),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.code, $0) })
    }()

    @Test func scopeRootMayKeepItsOutOfScopeParent() {
        let (ordered, issues) = Self.plan([
            Self.row(2, "D", .district, parent: "C", name: "改名区"),
            Self.row(3, "S", .street, parent: "D"),
            Self.row(4, "U", .school, parent: "S", sector: "DEP"),   // a city department as sector is fine
        ], existing: Self.districtScope)
        #expect(issues.isEmpty)
        #expect(ordered.map(\.code) == ["D", "S", "U"])
    }

    @Test(arguments: [
        ("D", OrgKind.district, "K"),    // scope root moved to another out-of-scope parent
        ("S", .street, "D2"),            // an in-scope node moved out
        ("N", .street, "K"),             // a new node out of scope
    ] as [(String, OrgKind, String)])
    func outOfScopeParentsOtherwiseRefused(code: String, kind: OrgKind, parent: String) {
        let (ordered, issues) = Self.plan([Self.row(2, code, kind, parent: parent)], existing: Self.districtScope)
        #expect(ordered.isEmpty)
        #expect(issues == [ImportIssue(row: 2, column: "上级编码", message: Msg.outOfScope)])
    }

    @Test func rootMayNotBeDeactivated() {
        var city = Self.row(2, "C", .city, parent: nil)
        city.active = false
        let (ordered, issues) = Self.plan([city])
        #expect(ordered.isEmpty)
        #expect(issues == [ImportIssue(row: 2, column: "启用", message: Msg.cannotDeactivateRoot)])
        // Any other node may be imported inactive.
        var street = Self.row(3, "S", .street, parent: "D")
        street.active = false
        #expect(Self.plan([street]).issues.isEmpty)
    }

    @Test(arguments: [OrgKind.district, .street, .community, .grid, .office, .workingGroup])
    func sectorOnlyForUnits(kind: OrgKind) {
        let parent: String = switch kind {
        case .district, .office: "C"
        case .street: "D"
        case .community: "S"
        case .grid: "M"
        default: "LG"
        }
        #expect(Self.plan([Self.row(2, "N", kind, parent: parent)]).issues.isEmpty, "\(kind) without sector")
        let (ordered, issues) = Self.plan([Self.row(2, "N", kind, parent: parent, sector: "DEP")])
        #expect(ordered.isEmpty)
        #expect(issues == [ImportIssue(row: 2, column: "条管部门编码", message: Msg.sectorOnlyForUnits)])
    }

    @Test func updatingAnOutOfScopeCode() {
        // Even an otherwise harmless update (same kind, same parent) of an out-of-scope node is refused, once.
        let (ordered, issues) = Self.plan([
            Self.row(2, "S2", .street, parent: "D2", name: "改名"),
            Self.row(3, "D2", .district, parent: "C"),
        ])
        #expect(ordered.isEmpty)
        #expect(issues == [
            ImportIssue(row: 2, column: "编码", message: Msg.outOfScope),
            ImportIssue(row: 3, column: "编码", message: Msg.outOfScope),
        ])
    }

    @Test func changingTheKindOfAnExistingCode() {
        let (ordered, issues) = Self.plan([
            Self.row(2, "M", .village, parent: "S"),
            Self.row(3, "D", .county, parent: "C"),
        ])
        #expect(ordered.isEmpty)
        #expect(issues == [
            ImportIssue(row: 2, column: "类型", message: Msg.kindChangeNotAllowed),
            ImportIssue(row: 3, column: "类型", message: Msg.kindChangeNotAllowed),
        ])
    }

    @Test func secondCityNextToAnExistingOne() {
        let (ordered, issues) = Self.plan([Self.row(2, "C2", .city, parent: nil)])
        #expect(ordered.isEmpty)
        #expect(issues == [ImportIssue(row: 2, column: "类型", message: Msg.rootExists)])
    }

    @Test func twoCitiesInOneImport() {
        let (ordered, issues) = Self.plan([
            Self.row(2, "C1", .city, parent: nil),
            Self.row(3, "C2", .city, parent: nil),
        ], existing: [:])
        #expect(ordered.isEmpty)
        #expect(issues == [
            ImportIssue(row: 2, column: "类型", message: Msg.rootExists),
            ImportIssue(row: 3, column: "类型", message: Msg.rootExists),
        ])
    }

    @Test func cityWithAParentIsRefused() {
        // Existing D hangs under C, so this is also a loop C → D → C.
        let (_, issues) = Self.plan([Self.row(2, "C", .city, parent: "D")])
        #expect(issues == [
            ImportIssue(row: 2, column: "上级编码", message: Msg.parentKindNotAllowed(kind: .city, parent: .district)),
            ImportIssue(row: 2, column: "上级编码", message: Msg.cycle(["C", "D", "C"])),
        ])
        // A new city under a new district in an empty database: only the kind rule is broken.
        let (_, fresh) = Self.plan([Self.row(2, "X", .city, parent: "Y"), Self.row(3, "Y", .district, parent: nil)], existing: [:])
        #expect(fresh.contains(ImportIssue(row: 2, column: "上级编码", message: Msg.parentKindNotAllowed(kind: .city, parent: .district))))
        #expect(fresh.contains(ImportIssue(row: 3, column: "上级编码", message: Msg.parentRequired(.district))))
    }

    @Test func cycleAmongImportedRows() {
        // A (street) under B (district) is fine by kind; B under A is not — and together they form a loop.
        let (ordered, issues) = Self.plan([
            Self.row(2, "A", .street, parent: "B"),
            Self.row(3, "B", .district, parent: "A"),
        ])
        #expect(ordered.isEmpty)
        let cycles = issues.filter { $0.message.hasPrefix("上下级关系形成循环") }
        #expect(cycles == [ImportIssue(row: 2, column: "上级编码", message: Msg.cycle(["A", "B", "A"]))])
        #expect(issues.contains(ImportIssue(row: 3, column: "上级编码", message: Msg.parentKindNotAllowed(kind: .district, parent: .street))))
    }

    @Test func selfParentIsACycle() {
        let (ordered, issues) = Self.plan([Self.row(2, "A", .street, parent: "A")])
        #expect(ordered.isEmpty)
        #expect(issues.contains(ImportIssue(row: 2, column: "上级编码", message: Msg.cycle(["A", "A"]))))
    }

    @Test func threeRowCycleReportedOnce() {
        let (_, issues) = Self.plan([
            Self.row(2, "Z", .grid, parent: "P"),      // leads into the loop but is not in it
            Self.row(3, "P", .community, parent: "Q"),
            Self.row(4, "Q", .street, parent: "R"),
            Self.row(5, "R", .district, parent: "P"),
        ])
        let cycles = issues.filter { $0.message.hasPrefix("上下级关系形成循环") }
        #expect(cycles == [ImportIssue(row: 3, column: "上级编码", message: Msg.cycle(["P", "Q", "R", "P"]))])
    }

    @Test func reparentingAnExistingNodeUnderItsOwnDescendant() {
        // Existing D → S → M. Import D with parent M (a child of S, which is D's child).
        let (ordered, issues) = Self.plan([Self.row(2, "D", .district, parent: "M")])
        #expect(ordered.isEmpty)
        #expect(issues.contains(ImportIssue(row: 2, column: "上级编码", message: Msg.cycle(["D", "M", "S", "D"]))))
    }

    @Test func reparentingAcrossImportedAndExistingRowsMakesACycle() {
        // New N under existing M; existing S (M's parent) moved under N: N → M → S → N.
        let (ordered, issues) = Self.plan([
            Self.row(2, "N", .agency, parent: "M"),
            Self.row(3, "S", .street, parent: "N"),
        ])
        #expect(ordered.isEmpty)
        let cycles = issues.filter { $0.message.hasPrefix("上下级关系形成循环") }
        // Reported once, from the first imported row on the loop.
        #expect(cycles == [ImportIssue(row: 2, column: "上级编码", message: Msg.cycle(["N", "M", "S", "N"]))])
        #expect(issues.contains(ImportIssue(row: 3, column: "上级编码", message: Msg.parentKindNotAllowed(kind: .street, parent: .agency))))
    }

    @Test func sectorMustBeADepartment() {
        let (ordered, issues) = Self.plan([
            Self.row(2, "U1", .school, parent: "D", sector: "AG"),
            Self.row(3, "U2", .school, parent: "D", sector: "NOPE"),
            Self.row(4, "U3", .school, parent: "D", sector: "DEP"),
            Self.row(5, "DEP2", .department, parent: "D"),
            Self.row(6, "U4", .hospital, parent: "M", sector: "DEP2"),
            Self.row(7, "U5", .hospital, parent: "M", sector: "U4"),
        ])
        #expect(ordered.isEmpty)
        #expect(issues == [
            ImportIssue(row: 2, column: "条管部门编码", message: Msg.sectorMustBeDepartment),
            ImportIssue(row: 3, column: "条管部门编码", message: Msg.sectorNotFound("NOPE")),
            ImportIssue(row: 7, column: "条管部门编码", message: Msg.sectorMustBeDepartment),
        ])
    }

    @Test func validSectorsPass() {
        let (ordered, issues) = Self.plan([
            Self.row(2, "U4", .hospital, parent: "M", sector: "DEP2"),
            Self.row(3, "DEP2", .department, parent: "D"),
            Self.row(4, "U3", .school, parent: "D", sector: "DEP"),
        ])
        #expect(issues.isEmpty)
        #expect(ordered.count == 3)
    }

    @Test func issuesAreSortedByRowThenColumn() {
        let (_, issues) = Self.plan([
            Self.row(9, "S9", .street, parent: "NOPE"),
            Self.row(4, "M", .village, parent: "S"),
            Self.row(2, "X", .grid, parent: "S"),
            Self.row(6, "X", .grid, parent: "M"),
        ])
        #expect(issues.map(\.row) == [2, 4, 6, 9])
        #expect(issues.map(\.column) == ["上级编码", "类型", "编码", "上级编码"])
    }

    @Test func emptyImportPlansNothing() {
        let (ordered, issues) = Self.plan([])
        #expect(ordered.isEmpty && issues.isEmpty)
    }

    @Test func parseThenPlanEndToEnd() {
        let table = Table(rawRows: [
            ["编码", "名称", "类型", "上级编码", "条管部门编码"],
            ["G1", "一号网格", "网格", "M1", ""],
            ["M1", "幸福社区", "社区", "S", ""],
            ["W1", "政务大厅", "窗口单位", "M1", "DEP"],
        ])
        let parsed = OrgImport.parse(table, maxRows: 100)
        #expect(parsed.issues.isEmpty)
        let (ordered, issues) = OrgImport.plan(parsed.rows, existing: Self.existing)
        #expect(issues.isEmpty)
        #expect(ordered.map(\.code) == ["M1", "G1", "W1"])
        #expect(ordered.map(\.rowNumber) == [3, 2, 4])
    }
}
