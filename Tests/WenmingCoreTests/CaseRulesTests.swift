import Foundation
import Testing
@testable import WenmingCore

// MARK: - Sources

@Suite struct CaseSourceTests {
    @Test func labelsAreUniqueAndNonEmpty() {
        let labels = CaseSource.allCases.map(\.label)
        #expect(labels.count == 8)
        #expect(Set(labels).count == labels.count)
        #expect(labels.allSatisfy { !$0.isEmpty })
        #expect(CaseSource.citizenPhoto.label == "市民随手拍")
        #expect(CaseSource.citizenPhoto.rawValue == "citizen_photo")
    }

    static let expectedDefault: [Role: CaseSource] = [
        .officeAdmin: .inspection, .leader: .inspection, .liaison: .inspection, .unitHead: .inspection,
        .inspector: .inspection, .gridWorker: .gridPatrol, .volunteer: .citizenPhoto, .supervisor: .undercover,
        .citizen: .citizenPhoto,
    ]
    static let expectedAllowed: [Role: [CaseSource]] = [
        .officeAdmin: CaseSource.allCases, .leader: CaseSource.allCases, .liaison: CaseSource.allCases,
        .unitHead: CaseSource.allCases, .inspector: CaseSource.allCases,
        .gridWorker: [.gridPatrol, .citizenPhoto], .volunteer: [.citizenPhoto], .supervisor: [.undercover, .citizenPhoto],
        .citizen: [.citizenPhoto],
    ]

    @Test func tablesCoverEveryRole() {
        #expect(Set(Self.expectedDefault.keys) == Set(Role.allCases))
        #expect(Set(Self.expectedAllowed.keys) == Set(Role.allCases))
    }

    @Test(arguments: Role.allCases)
    func defaultAndAllowed(role: Role) {
        #expect(CaseSource.default(for: role) == Self.expectedDefault[role], "\(role)")
        #expect(CaseSource.allowed(for: role) == Self.expectedAllowed[role], "\(role)")
        #expect(CaseSource.allowed(for: role).contains(CaseSource.default(for: role)), "\(role)")
    }

    @Test func citizensAndVolunteersOnlyReportTheirOwnPhotos() {
        #expect(CaseSource.allowed(for: .citizen) == [.citizenPhoto])
        #expect(CaseSource.allowed(for: .volunteer) == [.citizenPhoto])
        #expect(!CaseSource.allowed(for: .citizen).contains(.inspection))
    }
}

// MARK: - Deadline rule codes

@Suite struct DeadlineRuleCodeTests {
    @Test(arguments: [
        (DeadlineRule.naturalHours(24), "h24"), (.workingDays(3), "d3"), (.workingMinutes(30), "m30"),
        (.naturalHours(1), "h1"), (.naturalHours(8760), "h8760"), (.workingDays(250), "d250"), (.workingMinutes(60_000), "m60000"),
    ])
    func roundTrip(rule: DeadlineRule, code: String) {
        #expect(rule.code == code)
        #expect(DeadlineRule(code: code) == rule)
    }

    @Test func namedRules() {
        #expect(DeadlineRule.onTheSpot.code == "h24")
        #expect(DeadlineRule.ordinary.code == "d3")
        #expect(DeadlineRule.complex.code == "d20")
    }

    @Test(arguments: ["", "x3", "d0", "h-1", "d251", "h8761", "m60001", "h", "d", "3", "dd3", "d3x", "h 3", "m0"])
    func rejects(code: String) {
        #expect(DeadlineRule(code: code) == nil, "\(code)")
    }

    @Test func trimsAndLowercases() {
        #expect(DeadlineRule(code: " D3 ") == .workingDays(3))
        #expect(DeadlineRule(code: "H24") == .naturalHours(24))
        #expect(DeadlineRule(code: "\tm90") == .workingMinutes(90))
    }
}

// MARK: - Taxonomy

@Suite struct CaseTypeDefTests {
    static let def = CaseTypeDef(code: "JG", name: "井盖破损缺失", departmentCode: "QC-D07", rule: .workingDays(5), urgentRule: .naturalHours(4))

    @Test func codableRoundTripUsesCodes() throws {
        let data = try JSONEncoder().encode(Self.def)
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(obj["rule"] as? String == "d5")
        #expect(obj["urgentRule"] as? String == "h4")
        #expect(obj["code"] as? String == "JG")
        #expect(obj["departmentCode"] as? String == "QC-D07")
        #expect(Set(obj.keys) == ["code", "name", "departmentCode", "rule", "urgentRule"])
        let back = try JSONDecoder().decode(CaseTypeDef.self, from: data)
        #expect(back == Self.def)
    }

    @Test func defaultsRoundTrip() throws {
        let data = try JSONEncoder().encode(CaseTaxonomy.defaults)
        #expect(try JSONDecoder().decode([CaseTypeDef].self, from: data) == CaseTaxonomy.defaults)
    }

    @Test func decodesHandWrittenJSON() throws {
        let json = #"{"code":"X","name":"某","departmentCode":"","rule":" D3 ","urgentRule":"m30"}"#
        let d = try JSONDecoder().decode(CaseTypeDef.self, from: Data(json.utf8))
        #expect(d == CaseTypeDef(code: "X", name: "某", departmentCode: "", rule: .workingDays(3), urgentRule: .workingMinutes(30)))
    }

    @Test(arguments: [
        #"{"code":"X","name":"某","departmentCode":"","rule":"d0","urgentRule":"h4"}"#,
        #"{"code":"X","name":"某","departmentCode":"","rule":"d3","urgentRule":"x4"}"#,
        #"{"code":"X","name":"某","departmentCode":"","rule":"","urgentRule":"h4"}"#,
        #"{"code":"X","name":"某","departmentCode":"","rule":3,"urgentRule":"h4"}"#,
        #"{"code":"X","name":"某","rule":"d3","urgentRule":"h4"}"#,
    ])
    func badJSONThrows(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CaseTypeDef.self, from: Data(json.utf8)) }
    }

    @Test func ruleForUrgency() {
        #expect(Self.def.rule(for: .normal) == .workingDays(5))
        #expect(Self.def.rule(for: .urgent) == .naturalHours(4))
        #expect(CaseUrgency.urgent.label == "紧急")
        #expect(CaseUrgency.normal.label == "一般")
    }

    @Test func defaultTaxonomy() {
        let d = CaseTaxonomy.defaults
        #expect(Set(d.map(\.code)).count == d.count)
        #expect(Set(d.map(\.name)).count == d.count)
        let names = Set(d.map(\.name))
        for n in ["乱停乱放", "乱行乱闯", "乱扔乱吐", "乱贴乱画", "乱搭乱建", "乱堆乱倒", "占道经营", "小广告"] {
            #expect(names.contains(n), "\(n)")
        }
        #expect(d.allSatisfy { !$0.code.isEmpty && !$0.name.isEmpty })
        // Every stored rule survives its own code.
        #expect(d.allSatisfy { DeadlineRule(code: $0.rule.code) == $0.rule && DeadlineRule(code: $0.urgentRule.code) == $0.urgentRule })
        let ldj = d.first { $0.code == "LDJ" }
        #expect(ldj?.rule == .complex)
        #expect(ldj?.urgentRule == .workingDays(5))
    }
}

// MARK: - Numbers

@Suite struct CaseNumberTests {
    @Test func format() {
        #expect(CaseNumber.format(year: 2026, sequence: 1234) == "2026-00001234")
        #expect(CaseNumber.format(year: 2026, sequence: 1) == "2026-00000001")
        #expect(CaseNumber.format(year: 2026, sequence: 12_345_678) == "2026-12345678")
        #expect(CaseNumber.format(year: 2026, sequence: 123_456_789) == "2026-123456789")
    }

    @Test func searchTextShapedLikeANumber() {
        #expect(CaseNumber.looksLike(CaseNumber.format(year: 2026, sequence: 1234)))
        #expect(CaseNumber.looksLike("2025-00000001"))
        for text in ["2026-0000123", "2026-000012345", "202600001234-", "2026000012345", "2026-0000123a", "占道经营", "", "2026-12345678 "] {
            #expect(!CaseNumber.looksLike(text), "\(text)")
        }
    }
}

// MARK: - Drafts

@Suite struct CaseDraftTests {
    static let types: Set<String> = ["LT", "ZD"]

    static func draft(type: String = "LT", description: String = "人行道上停满电动车", address: String = "人民路 1 号",
                      lat: Double? = nil, lng: Double? = nil) -> CaseDraft {
        CaseDraft(source: .gridPatrol, typeCode: type, description: description, address: address,
                  latitude: lat, longitude: lng, urgency: .normal)
    }

    @Test func acceptable() {
        #expect(Self.draft().problems(knownTypes: Self.types).isEmpty)
        #expect(Self.draft(description: String(repeating: "字", count: 2000)).problems(knownTypes: Self.types).isEmpty)
    }

    @Test func description() {
        #expect(Self.draft(description: "").problems(knownTypes: Self.types) == ["description": Msg.requiredField("问题描述")])
        #expect(Self.draft(description: "  \n ").problems(knownTypes: Self.types) == ["description": Msg.requiredField("问题描述")])
        #expect(Self.draft(description: String(repeating: "字", count: 2001)).problems(knownTypes: Self.types)
                == ["description": "问题描述不能超过 2000 字"])
    }

    @Test func type() {
        #expect(Self.draft(type: "NOPE").problems(knownTypes: Self.types) == ["type": "问题类型“NOPE”不存在"])
        #expect(Self.draft(type: "").problems(knownTypes: Self.types) == ["type": Msg.requiredField("问题类型")])
        #expect(Self.draft(type: "ZD").problems(knownTypes: Self.types).isEmpty)
    }

    @Test func location() {
        #expect(Self.draft(address: "人民路", lat: nil, lng: nil).problems(knownTypes: Self.types).isEmpty)
        #expect(Self.draft(address: "", lat: 30.5, lng: 114.3).problems(knownTypes: Self.types).isEmpty)
        #expect(Self.draft(address: "", lat: nil, lng: nil).problems(knownTypes: Self.types) == ["address": "请填写地址或定位"])
        #expect(Self.draft(address: "   ", lat: nil, lng: nil).problems(knownTypes: Self.types) == ["address": "请填写地址或定位"])
        #expect(Self.draft(address: "人民路", lat: 30.5, lng: nil).problems(knownTypes: Self.types) == ["latitude": "经纬度须同时填写"])
        #expect(Self.draft(address: "人民路", lat: nil, lng: 114.3).problems(knownTypes: Self.types) == ["latitude": "经纬度须同时填写"])
        #expect(Self.draft(address: String(repeating: "路", count: 201)).problems(knownTypes: Self.types) == ["address": "地址不能超过 200 字"])
    }

    @Test func coordinateRanges() {
        let t = Self.types
        #expect(Self.draft(lat: 91, lng: 0).problems(knownTypes: t) == ["latitude": "纬度须在 −90 到 90 之间"])
        #expect(Self.draft(lat: -91, lng: 0).problems(knownTypes: t) == ["latitude": "纬度须在 −90 到 90 之间"])
        #expect(Self.draft(lat: 0, lng: 181).problems(knownTypes: t) == ["longitude": "经度须在 −180 到 180 之间"])
        #expect(Self.draft(lat: 0, lng: -181).problems(knownTypes: t) == ["longitude": "经度须在 −180 到 180 之间"])
        #expect(Self.draft(lat: .nan, lng: 0).problems(knownTypes: t) == ["latitude": "纬度须在 −90 到 90 之间"])
        #expect(Self.draft(lat: 0, lng: .nan).problems(knownTypes: t) == ["longitude": "经度须在 −180 到 180 之间"])
        #expect(Self.draft(lat: .infinity, lng: -.infinity).problems(knownTypes: t).keys.sorted() == ["latitude", "longitude"])
        #expect(Self.draft(lat: 90, lng: 180).problems(knownTypes: t).isEmpty)
        #expect(Self.draft(lat: -90, lng: -180).problems(knownTypes: t).isEmpty)
    }

    @Test func severalProblemsAtOnce() {
        let p = Self.draft(type: "", description: "", address: "").problems(knownTypes: Self.types)
        #expect(p.keys.sorted() == ["address", "description", "type"])
    }
}

// MARK: - Routing

@Suite struct CaseRoutingTests {
    static func r(_ m: Int64?, _ p: Int64?, _ t: Int64?, _ s: Int64?) -> (Int64, RouteVia)? {
        CaseRouting.route(manual: m, pointAdopter: p, typeDepartment: t, territoryStreet: s).map { ($0.unit, $0.via) }
    }

    @Test func priority() {
        var x = Self.r(1, 2, 3, 4); #expect(x?.0 == 1); #expect(x?.1 == .manual)
        x = Self.r(nil, 2, 3, 4); #expect(x?.0 == 2); #expect(x?.1 == .point)
        x = Self.r(nil, nil, 3, 4); #expect(x?.0 == 3); #expect(x?.1 == .type)
        x = Self.r(nil, nil, nil, 4); #expect(x?.0 == 4); #expect(x?.1 == .territory)
        x = Self.r(1, nil, nil, nil); #expect(x?.0 == 1); #expect(x?.1 == .manual)
        x = Self.r(nil, 2, nil, 4); #expect(x?.0 == 2); #expect(x?.1 == .point)
        #expect(Self.r(nil, nil, nil, nil) == nil)
        let d = CaseRouting.route(pointAdopter: nil, typeDepartment: 7, territoryStreet: 8)
        #expect(d?.unit == 7); #expect(d?.via == .type)
    }

    @Test func labelsUnique() {
        #expect(Set(RouteVia.allCases.map(\.label)).count == RouteVia.allCases.count)
    }
}

// MARK: - Escalation

@Suite struct EscalationPolicyTests {
    static let p = EscalationPolicy(white: 1, yellow: 450, red: 1350, redsForSummons: 3)

    @Test(arguments: [
        (-5, EscalationLevel.none), (0, .none), (1, .white), (449, .white), (450, .yellow), (1349, .yellow),
        (1350, .red), (1_000_000, .red),
    ])
    func level(minutes: Int, expected: EscalationLevel) {
        #expect(Self.p.level(overdueMinutes: minutes) == expected, "\(minutes)")
    }

    @Test func belowWhite() {
        let q = EscalationPolicy(white: 60, yellow: 450, red: 1350, redsForSummons: 3)
        #expect(q.level(overdueMinutes: 59) == .none)
        #expect(q.level(overdueMinutes: 60) == .white)
        #expect(q.level(overdueMinutes: 0) == .none)
    }

    @Test func summons() {
        #expect(!Self.p.summonsDue(noticesSinceLastSummons: []))
        #expect(!Self.p.summonsDue(noticesSinceLastSummons: [.red, .red]))
        #expect(Self.p.summonsDue(noticesSinceLastSummons: [.red, .red, .red]))
        #expect(Self.p.summonsDue(noticesSinceLastSummons: [.white, .yellow, .red, .red, .red]))
        #expect(!Self.p.summonsDue(noticesSinceLastSummons: [.red, .red, .red, .white]))
        #expect(!Self.p.summonsDue(noticesSinceLastSummons: [.red, .red, .yellow, .red]))
        let zero = EscalationPolicy(white: 1, yellow: 450, red: 1350, redsForSummons: 0)
        #expect(!zero.summonsDue(noticesSinceLastSummons: [.red, .red, .red]))
        #expect(!zero.summonsDue(noticesSinceLastSummons: []))
        let one = EscalationPolicy(white: 1, yellow: 450, red: 1350, redsForSummons: 1)
        #expect(one.summonsDue(noticesSinceLastSummons: [.white, .red]))
        #expect(!one.summonsDue(noticesSinceLastSummons: [.red, .yellow]))
    }

    @Test func notices() {
        #expect(EscalationPolicy.notices(from: .none, to: .red) == [.white, .yellow, .red])
        #expect(EscalationPolicy.notices(from: .none, to: .white) == [.white])
        #expect(EscalationPolicy.notices(from: .white, to: .red) == [.yellow, .red])
        #expect(EscalationPolicy.notices(from: .yellow, to: .red) == [.red])
        #expect(EscalationPolicy.notices(from: .yellow, to: .yellow) == [])
        #expect(EscalationPolicy.notices(from: .red, to: .white) == [])
        #expect(EscalationPolicy.notices(from: .none, to: .none) == [])
    }

    @Test func levelOrderAndLabels() {
        #expect(EscalationLevel.allCases == [.none, .white, .yellow, .red])
        #expect(EscalationLevel.none < .white && EscalationLevel.white < .yellow && EscalationLevel.yellow < .red)
        #expect(Set(EscalationLevel.allCases.map(\.label)).count == 4)
        #expect(EscalationLevel.red.short == "红")
        #expect(EscalationLevel.none.short == "")
    }

    @Test func fromSettings() {
        let s = Settings()
        #expect(s.escalationPolicy(minutesPerDay: 450) == EscalationPolicy(white: 1, yellow: 450, red: 1350, redsForSummons: 3))
        var t = Settings()
        #expect(t.apply(["escalationWhiteDays": "2", "escalationYellowDays": "4", "escalationRedDays": "5", "summonsRedCount": "2"]).isEmpty)
        #expect(t.escalationPolicy(minutesPerDay: 480) == EscalationPolicy(white: 960, yellow: 1920, red: 2400, redsForSummons: 2))
    }

    @Test func settingsRefuseInconsistentOrOutOfRange() {
        var s = Settings()
        let p = s.apply(["escalationWhiteDays": "2"])
        #expect(p == ["escalationYellowDays": "督办单阈值须满足：白色 ≤ 黄色 ≤ 红色"])
        var t = Settings()
        #expect(t.apply(["escalationYellowDays": "4"]) == ["escalationYellowDays": "督办单阈值须满足：白色 ≤ 黄色 ≤ 红色"])
        var u = Settings()
        #expect(u.apply(["escalationRedDays": "61"]).keys.sorted() == ["escalationRedDays"])
        #expect(u.escalationRedDays == 3)
        #expect(u.apply(["escalationWhiteDays": "-1"]).keys.sorted() == ["escalationWhiteDays"])
        #expect(u.apply(["summonsRedCount": "0"]).keys.sorted() == ["summonsRedCount"])
        #expect(u.apply(["escalationYellowDays": "x"]).keys.sorted() == ["escalationYellowDays"])
        #expect(u.escalationWhiteDays == 0 && u.summonsRedCount == 3 && u.escalationYellowDays == 1)
        var v = Settings()
        #expect(v.apply(["escalationWhiteDays": "1", "escalationYellowDays": "1", "escalationRedDays": "1"]).isEmpty)
    }
}

// MARK: - Black plaque

@Suite struct BlackPlaqueTests {
    static func u(_ id: Int64, _ r: Int, _ y: Int, _ w: Int, _ o: Int) -> UnitRecord {
        UnitRecord(unitID: id, reds: r, yellows: y, whites: w, overdueOpen: o)
    }

    @Test func nobody() {
        #expect(BlackPlaque.holder([]) == nil)
        #expect(BlackPlaque.holder([Self.u(1, 0, 0, 0, 0), Self.u(2, 0, 0, 0, 0)]) == nil)
    }

    @Test func mostRedsWins() {
        #expect(BlackPlaque.holder([Self.u(1, 1, 9, 9, 9), Self.u(2, 2, 0, 0, 0), Self.u(3, 0, 50, 50, 50)])?.unitID == 2)
    }

    @Test func tieBreaks() {
        #expect(BlackPlaque.holder([Self.u(1, 2, 1, 9, 9), Self.u(2, 2, 3, 0, 0)])?.unitID == 2)
        #expect(BlackPlaque.holder([Self.u(1, 2, 3, 1, 9), Self.u(2, 2, 3, 4, 0)])?.unitID == 2)
        #expect(BlackPlaque.holder([Self.u(1, 2, 3, 4, 0), Self.u(2, 2, 3, 4, 5)])?.unitID == 2)
        #expect(BlackPlaque.holder([Self.u(9, 1, 1, 1, 1), Self.u(4, 1, 1, 1, 1), Self.u(7, 1, 1, 1, 1)])?.unitID == 4)
        #expect(BlackPlaque.holder([Self.u(4, 1, 1, 1, 1), Self.u(9, 1, 1, 1, 1)])?.unitID == 4)
        #expect(BlackPlaque.holder([Self.u(1, 0, 0, 0, 0), Self.u(2, 0, 0, 0, 1)])?.unitID == 2)
        #expect(BlackPlaque.holder([Self.u(5, 0, 0, 0, 3)]) == Self.u(5, 0, 0, 0, 3))
    }

    @Test func orderDoesNotMatter() {
        let recs = [Self.u(3, 1, 2, 0, 0), Self.u(1, 1, 2, 0, 0), Self.u(2, 1, 1, 9, 9), Self.u(4, 0, 0, 0, 0)]
        #expect(BlackPlaque.holder(recs)?.unitID == 1)
        #expect(BlackPlaque.holder(recs.reversed())?.unitID == 1)
    }
}

// MARK: - Metrics

@Suite struct RateTests {
    @Test func zeroDenominator() {
        #expect(Rate(0, 0) == nil)
        #expect(Rate(3, 0) == nil)
        #expect(Rate(3, -1) == nil)
    }

    @Test(arguments: [
        (7, 8, "87.50%", 8750), (1, 3, "33.33%", 3333), (2, 3, "66.67%", 6667), (0, 5, "0.00%", 0),
        (5, 5, "100.00%", 10_000), (1, 32, "3.13%", 313), (1, 10_000, "0.01%", 1), (1, 20_000, "0.01%", 1),
        (1, 20_001, "0.00%", 0), (1, 1, "100.00%", 10_000),
    ])
    func formats(num: Int, den: Int, text: String, bp: Int) {
        let r = Rate(num, den)
        #expect(r?.basisPoints == bp, "\(num)/\(den)")
        #expect(r?.description == text, "\(num)/\(den)")
    }

    @Test func negativeNumeratorClampsToZero() {
        #expect(Rate(-3, 5)?.description == "0.00%")
    }
}

@Suite struct CaseMetricsTests {
    @Test func rates() {
        let m = CaseMetrics(CaseCounts(due: 10, closed: 8, closedOnTime: 6, deferred: 2, verified: 9, reworked: 3, fixSeconds: 36_000))
        #expect(m.closureRate?.description == "80.00%")
        #expect(m.onTimeRate?.description == "75.00%")
        #expect(m.reworkRate?.description == "33.33%")
        #expect(m.meanHoursToFix == 1.3)  // 36000 s / 8 closed = 1.25 h, rounded to one decimal
    }

    @Test func meanHours() {
        #expect(CaseMetrics(CaseCounts(due: 4, closed: 4, fixSeconds: 36_000)).meanHoursToFix == 2.5)
        #expect(CaseMetrics(CaseCounts(due: 1, closed: 1, fixSeconds: 3_600)).meanHoursToFix == 1.0)
        #expect(CaseMetrics(CaseCounts(due: 3, closed: 3, fixSeconds: 10_000)).meanHoursToFix == 0.9)  // 0.926 h
        #expect(CaseMetrics(CaseCounts(due: 1, closed: 1, fixSeconds: 0)).meanHoursToFix == 0.0)
    }

    @Test func nilWhenNoDenominator() {
        let m = CaseMetrics(CaseCounts())
        #expect(m.closureRate == nil)
        #expect(m.onTimeRate == nil)
        #expect(m.reworkRate == nil)
        #expect(m.meanHoursToFix == nil)
        let allDeferred = CaseMetrics(CaseCounts(due: 2, closed: 0, deferred: 2, verified: 0))
        #expect(allDeferred.closureRate?.description == "0.00%")
        #expect(allDeferred.onTimeRate == nil)
        #expect(allDeferred.reworkRate == nil)
        #expect(allDeferred.meanHoursToFix == nil)
    }
}
