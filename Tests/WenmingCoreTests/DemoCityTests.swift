import Testing
@testable import WenmingCore

/// The demo city must load through the same validation as any import, and be the same on every run.
@Suite struct DemoCityTests {
    static let data = DemoCity.build()

    var data: DemoCityData { Self.data }
    var byCode: [String: DemoOrg] { Dictionary(uniqueKeysWithValues: data.orgs.map { ($0.code, $0) }) }

    static func codeChars(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in
            (c.value >= 48 && c.value <= 57) || (c.value >= 65 && c.value <= 90) || (c.value >= 97 && c.value <= 122)
                || c == "-" || c == "_" || c == "."
        }
    }

    func count(_ kinds: Set<OrgKind>) -> Int { data.orgs.filter { kinds.contains($0.kind) }.count }

    @Test func codesAreUniqueAndWellFormed() {
        var seen: Set<String> = []
        for o in data.orgs {
            #expect(seen.insert(o.code).inserted, "duplicate code \(o.code)")
            #expect((1...32).contains(o.code.count) && Self.codeChars(o.code), "bad code \(o.code)")
            #expect(OrgRules.validateCode(o.code) == nil, "rejected code \(o.code)")
        }
    }

    @Test func namesAreValidAndUniqueAmongSiblings() {
        var seen: Set<String> = []
        for o in data.orgs {
            #expect(OrgRules.validateName(o.name) == nil, "bad name \(o.name)")
            #expect(o.name == o.name.trimmingCharacters(in: .whitespacesAndNewlines), "untrimmed name \(o.name)")
            #expect((1...100).contains(o.name.count))
            #expect(seen.insert((o.parentCode ?? "") + "\u{1}" + o.name).inserted, "sibling name clash \(o.name)")
        }
    }

    @Test func parentsComeFirstAndKindsMayHangThere() {
        var kinds: [String: OrgKind] = [:]
        for o in data.orgs {
            if let p = o.parentCode {
                let pk = kinds[p]
                #expect(pk != nil, "parent \(p) of \(o.code) missing or later in the list")
                if let pk { #expect(o.kind.mayHangUnder(pk), "\(o.kind) may not hang under \(pk): \(o.code)") }
            } else {
                #expect(o.kind.mayHangUnder(nil), "only the city is a root: \(o.code)")
            }
            kinds[o.code] = o.kind
        }
        #expect(data.orgs.first?.code == "QC")
        #expect(data.orgs.first?.kind == .city)
        #expect(data.orgs.filter { $0.parentCode == nil }.count == 1)
    }

    @Test func sectorsAreDepartments() {
        let map = byCode
        var withSector = 0
        for o in data.orgs {
            guard let s = o.sectorCode else { continue }
            withSector += 1
            #expect(o.kind.isUnit, "sector on a non-unit \(o.code)")
            #expect(map[s]?.kind == .department, "sector \(s) of \(o.code) is not a department")
            #expect(OrgRules.sectorProblem(sectorKind: map[s]?.kind) == nil)
        }
        #expect(withSector >= 300)
        // 条管 by sector: schools → 教育局, hospitals → 卫健委.
        let jyj = data.orgs.first { $0.name == "青川市教育局" }!.code
        let wjw = data.orgs.first { $0.name == "青川市卫生健康委员会" }!.code
        #expect(data.orgs.filter { $0.kind == .school }.allSatisfy { $0.sectorCode == jyj })
        #expect(data.orgs.filter { $0.kind == .hospital }.allSatisfy { $0.sectorCode == wjw })
    }

    @Test func counts() {
        let cityDepts = data.orgs.filter { $0.kind == .department && $0.parentCode == "QC" }
        let otherUnits = data.orgs.filter { $0.kind.isUnit && !($0.kind == .department && $0.parentCode == "QC") }
        #expect((5...6).contains(count([.district, .county])))
        #expect(count([.district]) >= 1 && count([.county]) >= 1)
        #expect((35...45).contains(count([.street, .town])))
        #expect((230...270).contains(count([.community, .village])))
        #expect(count([.grid]) >= 500)
        #expect((55...70).contains(cityDepts.count))
        #expect(otherUnits.count >= 300)
        for k in [OrgKind.agency, .school, .hospital, .window, .company] { #expect(count([k]) > 0, "no \(k)") }
        #expect(count([.leadingGroup]) == 1)
        #expect(count([.workingGroup]) == 13)
        #expect(count([.office]) == 1 + count([.district, .county]))
        #expect((100...300).contains(data.users.count))
    }

    @Test func gridsPerCommunity() {
        var grids: [String: Int] = [:]
        for o in data.orgs where o.kind == .grid { grids[o.parentCode!, default: 0] += 1 }
        for o in data.orgs where o.kind == .community || o.kind == .village {
            #expect((2...4).contains(grids[o.code] ?? 0), "\(o.name) has \(grids[o.code] ?? 0) grids")
        }
    }

    @Test func districtDepartmentsAndOffices() {
        let map = byCode
        for d in data.orgs where d.kind == .district || d.kind == .county {
            let depts = data.orgs.filter { $0.parentCode == d.code && $0.kind == .department }
            #expect((3...5).contains(depts.count), "\(d.name) has \(depts.count) departments")
            #expect(depts.allSatisfy { $0.sectorCode.flatMap { map[$0] }?.parentCode == "QC" })
            #expect(data.orgs.contains { $0.parentCode == d.code && $0.kind == .office })
        }
        let first = data.orgs.first { $0.kind == .district || $0.kind == .county }!
        #expect(first.code == "QC01")
        #expect(first.name == "明湖区")
    }

    @Test func usersAreValidAndBoundWhereTheirRoleMayBe() {
        let map = byCode
        var seen: Set<String> = []
        for u in data.users {
            #expect(seen.insert(u.username).inserted, "duplicate username \(u.username)")
            #expect((3...32).contains(u.username.count) && Self.codeChars(u.username), "bad username \(u.username)")
            #expect(PasswordPolicy.usernameProblem(u.username) == nil)
            #expect(!u.displayName.isEmpty)
            let org = map[u.orgCode]
            #expect(org != nil, "\(u.username) bound to missing org \(u.orgCode)")
            if let org { #expect(u.role.allowedOrgKinds.contains(org.kind), "\(u.username): \(u.role) may not sit at \(org.kind)") }
        }
        for r in Role.allCases { #expect(data.users.contains { $0.role == r }, "no user with role \(r)") }
        #expect(PasswordPolicy.problem(DemoCity.password, minLength: Settings().passwordMinLength) == nil)
    }

    @Test func documentedLogins() throws {
        let map = byCode
        func user(_ name: String) throws -> DemoUser { try #require(data.users.first { $0.username == name }, "missing \(name)") }
        func org(_ u: DemoUser) -> DemoOrg { map[u.orgCode]! }

        let mh = try #require(data.orgs.first { $0.name == "明湖区" })
        let second = data.orgs.filter { $0.kind == .district || $0.kind == .county }[1]
        let cgj = try #require(data.orgs.first { $0.name == "青川市城市管理局" })
        let office = try #require(data.orgs.first { $0.kind == .office && $0.parentCode == "QC" })

        let expectations: [(String, Role, String)] = [
            ("admin", .officeAdmin, "QC"), ("leader", .leader, "QC"), ("supervisor", .supervisor, "QC"),
            ("citizen", .citizen, "QC"), ("mh_admin", .officeAdmin, mh.code), ("mh_liaison", .liaison, mh.code),
            ("cgj_liaison", .liaison, cgj.code), ("inspector", .inspector, "QC"),
            ("dj_liaison", .liaison, second.code),
        ]
        for (name, role, code) in expectations {
            let u = try user(name)
            #expect(u.role == role, "\(name) role")
            #expect(u.orgCode == code, "\(name) org")
        }

        // grid01: the first grid of the first community of 明湖区's first street.
        let street = try #require(data.orgs.first { $0.parentCode == mh.code && $0.kind.territorialLevel == 2 })
        let community = try #require(data.orgs.first { $0.parentCode == street.code && $0.kind.territorialLevel == 3 })
        let grid = try #require(data.orgs.first { $0.parentCode == community.code && $0.kind == .grid })
        let grid01 = try user("grid01")
        #expect(grid01.role == .gridWorker)
        #expect(grid01.orgCode == grid.code)

        // school_liaison and school_head share one school of 明湖区.
        let sl = try user("school_liaison"), sh = try user("school_head")
        #expect(sl.role == .liaison)
        #expect(sh.role == .unitHead)
        #expect(sl.orgCode == sh.orgCode)
        #expect(org(sl).kind == .school)
        #expect(isInside(sl.orgCode, mh.code, map))

        let v = try user("volunteer")
        #expect(v.role == .volunteer)
        #expect(org(v).kind == .community)
        #expect(isInside(v.orgCode, mh.code, map))

        // Cross-district isolation: the second district is not inside 明湖区 and vice versa.
        #expect(second.code != mh.code)
        #expect(!isInside(second.code, mh.code, map))
    }

    func isInside(_ code: String, _ ancestor: String, _ map: [String: DemoOrg]) -> Bool {
        var c: String? = code
        while let x = c {
            if x == ancestor { return true }
            c = map[x]?.parentCode
        }
        return false
    }

    @Test func campaignBodies() {
        let map = byCode
        let lg = data.orgs.first { $0.kind == .leadingGroup }!
        #expect(lg.parentCode == "QC")
        let wgs = data.orgs.filter { $0.kind == .workingGroup }
        #expect(wgs.allSatisfy { $0.parentCode == lg.code })
        for m in data.memberships {
            let g = map[m.groupCode]
            #expect(g.map { [.leadingGroup, .office, .workingGroup].contains($0.kind) } == true, "membership group \(m.groupCode)")
            #expect(map[m.memberCode]?.kind.isUnit == true, "membership member \(m.memberCode)")
        }
        for wg in wgs {
            let members = data.memberships.filter { $0.groupCode == wg.code }
            #expect((3...8).contains(members.count), "\(wg.name) has \(members.count) members")
            #expect(members.filter(\.isLead).count == 1, "\(wg.name) needs exactly one 牵头单位")
            #expect(Set(members.map(\.memberCode)).count == members.count)
        }
        #expect(data.memberships.filter { $0.groupCode == lg.code }.count >= 20)
        // Leaders and duties for the leading group, the city office and every working group.
        let infos = Dictionary(data.groupInfo.map { ($0.groupCode, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(infos.count == data.groupInfo.count)
        let cityOffice = data.orgs.first { $0.kind == .office && $0.parentCode == "QC" }!
        for body in [lg, cityOffice] + wgs {
            let info = infos[body.code]
            #expect(info != nil, "no group info for \(body.name)")
            #expect(info.map { !$0.leaderName.isEmpty && !$0.leaderTitle.isEmpty && !$0.duty.isEmpty } == true)
        }
        for info in data.groupInfo { #expect(map[info.groupCode]?.kind.family == .body) }
    }

    @Test func adoptions() {
        let map = byCode
        #expect(data.adoptions.count >= 150)
        for k in AdoptionKind.allCases { #expect(data.adoptions.contains { $0.kind == k }, "no \(k) adoption") }
        for a in data.adoptions {
            #expect(map[a.unitCode]?.kind.isUnit == true, "adopter \(a.unitCode) is not a unit")
            #expect(!a.targetName.isEmpty)
            if a.kind == .community {
                let t = a.targetCode.flatMap { map[$0] }
                #expect(t.map { [.community, .village, .grid].contains($0.kind) } == true, "target \(a.targetName)")
                #expect(t?.name == a.targetName)
            } else {
                #expect(a.targetCode == nil)
            }
        }
        let communities = count([.community, .village])
        let adopted = Set(data.adoptions.compactMap { a in a.targetCode.flatMap { map[$0] }.flatMap { [.community, .village].contains($0.kind) ? $0.code : nil } })
        #expect(adopted.count * 2 >= communities, "most communities should be adopted")
    }

    @Test func deterministic() {
        let a = DemoCity.build(), b = DemoCity.build()
        #expect(a.orgs == b.orgs)
        #expect(a.users == b.users)
        #expect(a.memberships == b.memberships)
        #expect(a.groupInfo == b.groupInfo)
        #expect(a.adoptions == b.adoptions)
        #expect(a.orgs == data.orgs)
    }
}
