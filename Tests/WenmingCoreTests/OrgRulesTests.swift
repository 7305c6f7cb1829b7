import Testing
@testable import WenmingCore

// MARK: - OrgKind

@Suite struct OrgKindRuleTests {
    /// The whole parent table, written out independently of the source.
    static let expectedParents: [OrgKind: Set<OrgKind>] = [
        .city: [],
        .district: [.city],
        .county: [.city],
        .street: [.district, .county],
        .town: [.district, .county],
        .community: [.street, .town],
        .village: [.street, .town],
        .grid: [.community, .village],
        .department: [.city, .district, .county],
        .agency: [.city, .district, .county, .street, .town, .community, .village],
        .school: [.city, .district, .county, .street, .town, .community, .village],
        .hospital: [.city, .district, .county, .street, .town, .community, .village],
        .company: [.city, .district, .county, .street, .town, .community, .village],
        .window: [.city, .district, .county, .street, .town, .community, .village],
        .leadingGroup: [.city, .district, .county],
        .office: [.city, .district, .county],
        .workingGroup: [.leadingGroup, .office],
    ]

    @Test func tableCoversEveryKind() {
        #expect(Set(Self.expectedParents.keys) == Set(OrgKind.allCases))
        #expect(OrgKind.allCases.count == 17)
    }

    @Test(arguments: OrgKind.allCases)
    func allowedParents(kind: OrgKind) {
        #expect(kind.allowedParents == Self.expectedParents[kind])
    }

    @Test(arguments: OrgKind.allCases)
    func mayHangUnderMatchesAllowedParents(kind: OrgKind) {
        for parent in OrgKind.allCases {
            #expect(kind.mayHangUnder(parent) == Self.expectedParents[kind]!.contains(parent), "\(kind) under \(parent)")
        }
        #expect(kind.mayHangUnder(nil) == (kind == .city), "\(kind) as root")
    }

    @Test func onlyTheCityIsARoot() {
        #expect(OrgKind.allCases.filter { $0.mayHangUnder(nil) } == [.city])
        #expect(OrgKind.allCases.filter { $0.allowedParents.isEmpty } == [.city])
        // Nothing may hang under… nothing but the city may be a root, and the city hangs under nothing.
        for parent in OrgKind.allCases { #expect(!OrgKind.city.mayHangUnder(parent)) }
    }

    @Test func territorialChainStepsDownOneLevelAtATime() {
        let territories = OrgKind.allCases.filter(\.isTerritory)
        #expect(Set(territories) == [.city, .district, .county, .street, .town, .community, .village, .grid])
        for k in territories where k != .city {
            let level = k.territorialLevel!
            let expected = Set(territories.filter { $0.territorialLevel == level - 1 })
            #expect(k.allowedParents == expected, "\(k)")
        }
    }

    @Test(arguments: [
        (OrgKind.city, 0), (.district, 1), (.county, 1), (.street, 2), (.town, 2),
        (.community, 3), (.village, 3), (.grid, 4),
    ] as [(OrgKind, Int)])
    func territorialLevels(kind: OrgKind, level: Int) {
        #expect(kind.territorialLevel == level)
        #expect(kind.family == .territory)
        #expect(kind.isTerritory && !kind.isUnit)
    }

    @Test func nonTerritoriesHaveNoLevel() {
        for k in OrgKind.allCases where !k.isTerritory { #expect(k.territorialLevel == nil, "\(k)") }
    }

    @Test func families() {
        #expect(Set(OrgKind.allCases.filter(\.isUnit)) == [.department, .agency, .school, .hospital, .company, .window])
        #expect(Set(OrgKind.allCases.filter { $0.family == .body }) == [.leadingGroup, .office, .workingGroup])
    }

    @Test func unitsSitUnderTerritoriesButNeverGrids() {
        for unit in OrgKind.allCases where unit.isUnit {
            #expect(!unit.mayHangUnder(.grid), "\(unit) under grid")
            #expect(unit.allowedParents.allSatisfy { $0.isTerritory }, "\(unit)")
            #expect(unit.mayHangUnder(.city), "\(unit) under city")
            #expect(unit.mayHangUnder(.district) && unit.mayHangUnder(.county), "\(unit)")
        }
        // Departments (条管部门) only at city/district/county level.
        for k: OrgKind in [.street, .town, .community, .village] { #expect(!OrgKind.department.mayHangUnder(k)) }
        // Non-department units reach down to community/village.
        for unit: OrgKind in [.agency, .school, .hospital, .company, .window] {
            #expect(unit.mayHangUnder(.community) && unit.mayHangUnder(.village), "\(unit)")
        }
    }

    @Test func nothingHangsUnderAUnitOrAGrid() {
        for child in OrgKind.allCases {
            for parent in OrgKind.allCases where parent.isUnit || parent == .grid || parent == .workingGroup {
                #expect(!child.mayHangUnder(parent), "\(child) under \(parent)")
            }
        }
    }

    @Test func workingGroupsOnlyUnderLeadingGroupOrOffice() {
        let parents = OrgKind.allCases.filter { OrgKind.workingGroup.mayHangUnder($0) }
        #expect(Set(parents) == [.leadingGroup, .office])
        // And only working groups hang under bodies.
        for child in OrgKind.allCases where child != .workingGroup {
            #expect(!child.mayHangUnder(.leadingGroup) && !child.mayHangUnder(.office), "\(child)")
        }
    }

    @Test func noKindMayHangUnderItself() {
        for k in OrgKind.allCases { #expect(!k.mayHangUnder(k), "\(k)") }
    }

    @Test(arguments: OrgKind.allCases)
    func initFromCodeAndLabel(kind: OrgKind) {
        #expect(OrgKind(codeOrLabel: kind.rawValue) == kind)
        #expect(OrgKind(codeOrLabel: kind.label) == kind)
        #expect(OrgKind(codeOrLabel: "  \(kind.label) ") == kind)
        #expect(OrgKind(codeOrLabel: "\t\(kind.rawValue)  ") == kind)
    }

    @Test func storedKindsReadBackAndUnknownOnesAreAgencies() {
        for k in OrgKind.allCases { #expect(OrgKind(stored: k.rawValue) == k) }
        #expect(OrgKind(stored: "ministry") == .agency)
        #expect(OrgKind(stored: "区") == .agency)
    }

    @Test(arguments: [
        ("district", OrgKind.district), ("区", .district), ("县", .county), ("leading_group", .leadingGroup),
        ("领导小组", .leadingGroup), ("working_group", .workingGroup), ("工作组", .workingGroup),
        ("创文办", .office), ("office", .office), ("窗口单位", .window), ("网格", .grid), ("村", .village),
    ] as [(String, OrgKind)])
    func initKnownSpellings(text: String, kind: OrgKind) {
        #expect(OrgKind(codeOrLabel: text) == kind)
    }

    @Test(arguments: [
        "", " ", "District", "DISTRICT", "leadingGroup", "workingGroup", "Leading_Group", "省", "市级", "区县",
        "窗口", "city,district", "cit y", "0", "市 区",
    ])
    func initRejectsJunk(text: String) {
        #expect(OrgKind(codeOrLabel: text) == nil)
    }

    @Test func labelsAndCodesAreUnique() {
        #expect(Set(OrgKind.allCases.map(\.label)).count == OrgKind.allCases.count)
        #expect(Set(OrgKind.allCases.map(\.rawValue)).count == OrgKind.allCases.count)
        #expect(OrgKind.leadingGroup.rawValue == "leading_group")
        #expect(OrgKind.workingGroup.rawValue == "working_group")
    }
}

// MARK: - OrgPath

@Suite struct OrgPathRuleTests {
    @Test(arguments: [
        ("/1/", [1]),
        ("/1/7/42/", [1, 7, 42]),
        ("/3/2/1/", [3, 2, 1]),
        ("/9223372036854775807/", [Int64.max]),
    ] as [(String, [Int64])])
    func parsesAndPrints(text: String, ids: [Int64]) throws {
        let p = try #require(OrgPath(text))
        #expect(p.ids == ids)
        #expect(p.description == text)
        #expect(OrgPath(ids: ids).description == text)
        #expect(OrgPath(p.description) == p)
        #expect(p.depth == ids.count - 1)
        #expect(p.nodeID == ids.last)
    }

    @Test(arguments: [
        "", "/", "//", "///", "1", "1/", "/1", "1/2/", "/1/2", "/a/", "/1/a/", "/0/", "/1/0/", "/-1/", "/1.5/",
        "/ 1/", "/1 /", " /1/", "/9223372036854775808/", "/1,2/", "\\1\\", "/１/", "/١/", "/1/\u{0}/", "/99999999999999999999/",
    ])
    func rejectsInvalid(text: String) {
        #expect(OrgPath(text) == nil)
    }

    /// The parser drops empty segments, so a doubled slash is tolerated and printed canonically.
    /// Paths come from the database in one canonical form; anything else is refused, not normalised.
    @Test(arguments: ["/1//2/", "/01/", "/+1/", "/1/ 2/"])
    func nonCanonicalPathsAreRefused(_ s: String) {
        #expect(OrgPath(s) == nil)
    }

    @Test func childAppendsAnID() {
        let p = OrgPath(ids: [1, 7])
        #expect(p.child(42) == OrgPath(ids: [1, 7, 42]))
        #expect(p.child(42).description == "/1/7/42/")
        #expect(p.child(42).depth == 2)
        #expect(OrgPath(ids: [5]).depth == 0)
    }

    @Test(arguments: [
        ("/1/", "/1/", true),
        ("/1/2/", "/1/2/", true),
        ("/1/", "/1/2/", true),
        ("/1/", "/1/2/3/", true),
        ("/1/2/", "/1/2/3/4/", true),
        ("/1/2/", "/1/", false),        // ancestor
        ("/1/2/", "/1/23/", false),     // sibling sharing a digit prefix
        ("/1/23/", "/1/2/", false),
        ("/1/2/", "/1/23/4/", false),
        ("/1/2/", "/1/3/", false),      // sibling
        ("/1/2/", "/2/", false),
        ("/1/2/", "/11/2/", false),
        ("/12/", "/1/2/", false),
        ("/1/2/", "/2/1/2/", false),    // same ids, different place
        ("/2/", "/1/2/", false),
    ] as [(String, String, Bool)])
    func contains(scope: String, other: String, expected: Bool) throws {
        let a = try #require(OrgPath(scope)), b = try #require(OrgPath(other))
        #expect(a.contains(b) == expected)
    }

    @Test(arguments: [
        ("/1/2/5/", "/1/2/", "/1/3/2/", "/1/3/2/5/"),
        ("/1/2/", "/1/2/", "/1/3/2/", "/1/3/2/"),          // the moved root itself
        ("/1/2/5/6/", "/1/2/", "/1/3/9/2/", "/1/3/9/2/5/6/"),
        ("/1/2/3/4/", "/1/2/3/", "/1/3/", "/1/3/4/"),        // moved up a level
        ("/1/2/5/", "/1/2/", "/2/", "/2/5/"),
    ] as [(String, String, String, String)])
    func rebases(node: String, oldRoot: String, newRoot: String, expected: String) throws {
        let p = try #require(OrgPath(node))
        let r = p.rebased(from: try #require(OrgPath(oldRoot)), to: try #require(OrgPath(newRoot)))
        #expect(r?.description == expected)
    }

    @Test(arguments: [
        ("/1/4/", "/1/2/"),
        ("/1/23/", "/1/2/"),
        ("/1/", "/1/2/"),
        ("/9/2/5/", "/1/2/"),
    ] as [(String, String)])
    func rebaseOutsideTheSubtreeIsNil(node: String, oldRoot: String) throws {
        let p = try #require(OrgPath(node))
        #expect(p.rebased(from: try #require(OrgPath(oldRoot)), to: OrgPath(ids: [1, 3, 2])) == nil)
    }
}

// MARK: - OrgRules

@Suite struct OrgRulesValidationTests {
    @Test(arguments: [
        ("", Msg.codeRequired as String?),
        ("a", nil),
        ("A-z_0.9", nil),
        ("DEMO-01.sub_2", nil),
        (String(repeating: "a", count: 32), nil),
        (String(repeating: "a", count: 33), Msg.codeTooLong),
        (String(repeating: "9", count: 31) + "Z", nil),
        ("编码", Msg.codeChars),
        ("abc编", Msg.codeChars),
        (String(repeating: "编", count: 33), Msg.codeTooLong),
        ("a b", Msg.codeChars),
        (" a", Msg.codeChars),
        ("a\n", Msg.codeChars),
        ("a/b", Msg.codeChars),
        ("a,b", Msg.codeChars),
        ("a%b", Msg.codeChars),
        ("Ａ1", Msg.codeChars),   // full-width letter
        ("é", Msg.codeChars),
        ("١٢", Msg.codeChars),    // Arabic-Indic digits
        ("a'--", Msg.codeChars),
    ] as [(String, String?)])
    func validateCode(code: String, expected: String?) {
        #expect(OrgRules.validateCode(code) == expected)
    }

    @Test(arguments: [
        ("", Msg.nameRequired as String?),
        ("   ", Msg.nameRequired),
        ("\t\n ", Msg.nameRequired),
        ("\u{3000}\u{3000}", Msg.nameRequired),  // ideographic spaces
        ("文明办", nil),
        ("x", nil),
        (" 文明办 ", nil),
        (String(repeating: "文", count: 100), nil),
        (String(repeating: "文", count: 101), Msg.nameTooLong),
        ("  " + String(repeating: "文", count: 100) + "\n", nil),  // counted after trimming
        (String(repeating: "a", count: 101), Msg.nameTooLong),
    ] as [(String, String?)])
    func validateName(name: String, expected: String?) {
        #expect(OrgRules.validateName(name) == expected)
    }

    @Test(arguments: OrgKind.allCases)
    func parentProblemAgreesWithAllowedParents(kind: OrgKind) {
        for parent in OrgKind.allCases {
            let p = OrgRules.parentProblem(kind: kind, parent: parent)
            if kind.allowedParents.contains(parent) {
                #expect(p == nil, "\(kind) under \(parent)")
            } else {
                #expect(p == Msg.parentKindNotAllowed(kind: kind, parent: parent), "\(kind) under \(parent)")
            }
        }
        let root = OrgRules.parentProblem(kind: kind, parent: nil)
        #expect(root == (kind == .city ? nil : Msg.parentRequired(kind)))
    }

    @Test func parentProblemMessagesNameTheKinds() throws {
        let m = try #require(OrgRules.parentProblem(kind: .grid, parent: .street))
        #expect(m.contains("网格") && m.contains("街道") && m.contains("社区") && m.contains("村"))
        let r = try #require(OrgRules.parentProblem(kind: .district, parent: nil))
        #expect(r.contains("区"))
    }

    @Test(arguments: [
        ("/1/2/", "/1/2/", false),         // into itself
        ("/1/2/", "/1/2/3/", false),       // into a child
        ("/1/2/", "/1/2/3/4/", false),     // into a grandchild
        ("/1/2/", "/1/3/", true),          // to a sibling
        ("/1/2/", "/1/23/", true),         // sibling with a common digit prefix
        ("/1/2/", "/1/", true),            // its current parent
        ("/1/2/3/", "/1/", true),          // up to an ancestor
        ("/1/2/", "/1/3/2/", true),        // deeper elsewhere
    ] as [(String, String, Bool)])
    func moveProblem(node: String, newParent: String, allowed: Bool) throws {
        let p = OrgRules.moveProblem(node: try #require(OrgPath(node)), newParent: try #require(OrgPath(newParent)))
        #expect(p == (allowed ? nil : Msg.moveIntoOwnSubtree))
    }

    @Test(arguments: OrgKind.allCases)
    func sectorMustBeDepartment(kind: OrgKind) {
        #expect(OrgRules.sectorProblem(sectorKind: kind) == (kind == .department ? nil : Msg.sectorMustBeDepartment))
    }

    @Test func noSectorIsFine() {
        #expect(OrgRules.sectorProblem(sectorKind: nil) == nil)
    }
}
