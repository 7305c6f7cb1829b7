import Foundation
import SQLKit
import WenmingCore

/// Loads the demo city (`DemoCity.build()`) into the database. Idempotent: everything is keyed by
/// code or username, so loading twice adds nothing the second time.
public enum DemoLoader {
    public struct Result: Sendable, Equatable { public var orgs = 0; public var users = 0; public var memberships = 0; public var adoptions = 0 }

    public static func load(_ s: Services) async throws -> Result {
        let city = DemoCity.build()
        let hash = try await s.hasher.hash(DemoCity.password)
        let now = s.clock.now()
        return try await s.db.writeTree { tx in
            var r = Result()
            if let other = try await tx.raw("SELECT code FROM orgs WHERE parent_id IS NULL AND code <> 'QC' LIMIT 1").first() {
                throw AppError.conflict("数据库中已有城市“\(try other.decode(column: "code", as: String.self))”，不能再载入演示城市")
            }
            var ids: [String: (Int64, OrgPath)] = [:]
            for row in try await tx.raw("SELECT id, code, path FROM orgs").all() {
                ids[try row.decode(column: "code", as: String.self)] = (try row.decode(column: "id", as: Int64.self),
                                                                         OrgPath(try row.decode(column: "path", as: String.self))!)
            }
            for o in city.orgs where ids[o.code] == nil {
                let parent = o.parentCode.flatMap { ids[$0] }
                let info = city.groupInfo.first { $0.groupCode == o.code }
                let row = try await OrgService.insert(tx, code: o.code, name: o.name, kind: o.kind, parentID: parent?.0, parentPath: parent?.1,
                                                      sectorID: o.sectorCode.flatMap { ids[$0]?.0 }, address: o.address, contact: o.contact,
                                                      phone: o.phone, leaderName: info?.leaderName ?? "", leaderTitle: info?.leaderTitle ?? "",
                                                      duty: info?.duty ?? "", active: true, now: now)
                ids[o.code] = (row.id, row.orgPath)
                r.orgs += 1
            }
            let users = Set(try await tx.raw("SELECT username FROM users").all().map { try $0.decode(column: "username", as: String.self) })
            for u in city.users where !users.contains(u.username) {
                guard let org = ids[u.orgCode] else { continue }
                try await tx.raw("""
                    INSERT INTO users (username, display_name, role, org_id, phone, password_hash, active, must_change_password, created_at, updated_at)
                    VALUES (\(bind: u.username), \(bind: u.displayName), \(bind: u.role.rawValue), \(bind: org.0), \(bind: u.phone), \(bind: hash), 1, 0,
                            \(bind: now.epoch), \(bind: now.epoch))
                    """).run()
                r.users += 1
            }
            var members = Set<String>()
            for m in try await tx.raw("SELECT group_id, member_id FROM group_members").all() {
                members.insert("\(try m.decode(column: "group_id", as: Int64.self))-\(try m.decode(column: "member_id", as: Int64.self))")
            }
            for m in city.memberships {
                guard let g = ids[m.groupCode], let u = ids[m.memberCode], !members.contains("\(g.0)-\(u.0)") else { continue }
                members.insert("\(g.0)-\(u.0)")
                try await tx.raw("INSERT INTO group_members (group_id, member_id, is_lead, created_at) VALUES (\(bind: g.0), \(bind: u.0), \(bind: m.isLead ? 1 : 0), \(bind: now.epoch))").run()
                r.memberships += 1
            }
            var adoptions = Set<String>()
            for a in try await tx.raw("SELECT unit_id, target_name FROM adoptions WHERE active = 1").all() {
                adoptions.insert("\(try a.decode(column: "unit_id", as: Int64.self))|\(try a.decode(column: "target_name", as: String.self))")
            }
            for a in city.adoptions {
                guard let u = ids[a.unitCode] else { continue }
                let key = "\(u.0)|\(a.targetName)"
                guard !adoptions.contains(key) else { continue }
                adoptions.insert(key)
                try await tx.raw("""
                    INSERT INTO adoptions (unit_id, kind, target_id, target_name, active, created_at)
                    VALUES (\(bind: u.0), \(bind: a.kind.rawValue), \(bind: a.targetCode.flatMap { ids[$0]?.0 }), \(bind: a.targetName), 1, \(bind: now.epoch))
                    """).run()
                r.adoptions += 1
            }
            if r != Result(), let root = ids["QC"] {
                try await Audit.record(tx, actor: nil, action: "demo_load", entity: "system", entityID: nil,
                                       summary: "载入演示城市：组织 \(r.orgs)，用户 \(r.users)，工作组成员 \(r.memberships)，包保 \(r.adoptions)",
                                       scope: root.1, at: now, ip: "")
            }
            return r
        }
    }

    /// The shipped samples (index systems, negative list), a 2026 campaign and a decomposition of the national
    /// sample to the demo city's working groups. Skipped when any index system exists already.
    public static func loadCampaignSamples(_ s: Services) async throws -> Bool {
        let existing = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM index_systems").first()!.decode(column: "n", as: Int.self) }
        guard existing == 0 else { return false }
        guard let adminID = try await s.db.read({ try await $0.raw("SELECT u.id FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.role = 'office_admin' AND o.parent_id IS NULL ORDER BY u.id LIMIT 1").first() })?.decode(column: "id", as: Int64.self),
              let admin = try await s.db.read({ try await AuthService.identity($0, userID: adminID) }) else { return false }
        let dir = s.config.resourcesDir + "/Resources/Samples/"
        func table(_ name: String) throws -> Table {
            guard let d = FileManager.default.contents(atPath: dir + name) else { throw AppError.notFound }
            return Table(rawRows: try CSV.parse(data: d))
        }
        var national = IndexService.SystemInput(code: "QGWMCS-SAMPLE", name: "全国文明城市测评体系（示例）", edition: "2026版")
        national.totalScore = "1000"
        national.isSample = true
        let n = try await s.index.importSystem(national, table: try table("index-national-sample.csv"), actor: admin, maxRows: 10_000)
        var minors = IndexService.SystemInput(code: "WCNR-SAMPLE", name: "未成年人思想道德建设测评体系（示例）", edition: "2026版")
        minors.totalScore = "100"; minors.threshold = "85"; minors.weightPercent = "20"; minors.isSample = true
        let m = try await s.index.importSystem(minors, table: try table("index-minors-sample.csv"), actor: admin, maxRows: 10_000)
        _ = try await s.negative.importItems(try table("negative-list-sample.csv"), isSample: true, actor: admin, maxRows: 10_000)
        let phases = [PhaseDates(phase: .launch, start: "2026-03-01", end: "2026-03-31"), PhaseDates(phase: .selfCheck, start: "2026-04-01", end: "2026-05-31"),
                      PhaseDates(phase: .improve, start: "2026-06-01", end: "2026-08-31"), PhaseDates(phase: .assault, start: "2026-09-01", end: "2026-10-31"),
                      PhaseDates(phase: .review, start: "2026-11-01", end: "2026-12-31")]
        _ = try await s.negative.saveCampaign(id: nil, name: "2026 年度全国文明城市测评迎检", start: "2026-03-01", end: "2026-12-31",
                                              notes: "演示数据：依据示例测评体系。", phases: phases, systems: [n.systemID, m.systemID], actor: admin)
        // Each project of the national sample goes to one working group: its lead member leads, the others support.
        let groups = try await s.db.read { db in
            try await db.raw("SELECT o.id FROM orgs o WHERE o.kind = 'working_group' AND EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = o.id) ORDER BY o.code").all()
                .map { try $0.decode(column: "id", as: Int64.self) }
        }
        if !groups.isEmpty {
            let projects = try await s.index.nodes(system: n.systemID, actor: admin).filter { $0.indexLevel == .project }
            // Deadlines two months from the day the demo is loaded, so the demo starts on time.
            let deadline = TaskHealth.day(s.clock.now().addingTimeInterval(61 * 86_400), Fmt.zone)
            for (i, p) in projects.enumerated() {
                _ = try await s.tasks.bulkAssign(system: n.systemID, selection: .project(p.code), target: .workingGroup(groups[(i * 2) % groups.count]),
                                                 person: "", deadline: deadline, actor: admin)
            }
        }
        return true
    }

    /// A fresh installation: the city root and its first office admin, when the database is empty.
    public static func bootstrap(_ s: Services, cityCode: String, cityName: String, admin: String, password: String) async throws {
        if let p = OrgRules.validateCode(cityCode) { throw AppError.validation(["code": p]) }
        if let p = OrgRules.validateName(cityName) { throw AppError.validation(["name": p]) }
        if let p = PasswordPolicy.usernameProblem(admin) { throw AppError.validation(["username": p]) }
        if let p = PasswordPolicy.problem(password, minLength: try await s.settings.current().passwordMinLength) { throw AppError.validation(["password": p]) }
        let hash = try await s.hasher.hash(password)
        let now = s.clock.now()
        try await s.db.writeTree { tx in
            if try await tx.raw("SELECT id FROM orgs LIMIT 1").first() != nil { throw AppError.conflict("数据库中已有组织，不能重复初始化") }
            let root = try await OrgService.insert(tx, code: cityCode, name: cityName, kind: .city, parentID: nil, parentPath: nil, sectorID: nil,
                                                   address: "", contact: "", phone: "", active: true, now: now)
            try await tx.raw("""
                INSERT INTO users (username, display_name, role, org_id, phone, password_hash, active, must_change_password, created_at, updated_at)
                VALUES (\(bind: admin), '创文办管理员', 'office_admin', \(bind: root.id), '', \(bind: hash), 1, 1, \(bind: now.epoch), \(bind: now.epoch))
                """).run()
            try await Audit.record(tx, actor: nil, action: "create", entity: "system", entityID: root.id,
                                   summary: "初始化：建立“\(cityName)”和首个管理员 \(admin)", scope: root.orgPath, at: now, ip: "")
        }
    }
}
