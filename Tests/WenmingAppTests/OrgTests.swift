import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

@Suite("Organisations")
struct OrgTests {
    @Test func createValidatesAndAudits() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let street = env.fx.ids["QC01-01"]!
            // A grid cannot hang under a street; a duplicate code is refused; nothing is written either time.
            let before = try await env.orgCount()
            await #expect(throws: AppError.self) {
                _ = try await env.s.orgs.create(OrgInput(code: "X1", name: "错层网格", kind: "grid", parentID: street), actor: admin)
            }
            await #expect(throws: AppError.validation(["code": Msg.codeTaken("QC01")])) {
                _ = try await env.s.orgs.create(OrgInput(code: "QC01", name: "重复编码社区", kind: "community", parentID: street), actor: admin)
            }
            await #expect(throws: AppError.self) {
                _ = try await env.s.orgs.create(OrgInput(code: "bad code!", name: "坏编码", kind: "community", parentID: street), actor: admin)
            }
            #expect(try await env.orgCount() == before)
            let row = try await env.s.orgs.create(OrgInput(code: "QC01-01-03", name: "新月社区", kind: "社区", parentID: street), actor: admin)
            #expect(row.orgPath == (try await env.org("QC01-01")).orgPath.child(row.id))
            let audit = try await Audit.list(env.s.db, actor: admin, filter: { var f = Audit.Filter(); f.entity = "org"; f.entityID = row.id; return f }(), pageSize: 10)
            #expect(audit.entries.count == 1)
            #expect(audit.entries[0].action == "create")
            #expect(audit.entries[0].afterJson?.contains("新月社区") == true)
            #expect(audit.entries[0].ip == "127.0.0.1")
        }
    }

    @Test func moveRewritesTheSubtreeAndRefusesCycles() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let street = try await env.org("QC01-01")
            let community = try await env.org("QC01-01-01")
            // Into its own subtree: refused.
            await #expect(throws: AppError.validation(["parentID": Msg.moveIntoOwnSubtree])) {
                _ = try await env.s.orgs.move(street.id, to: community.id, actor: admin)
            }
            // A community under a district: wrong kind of parent.
            await #expect(throws: AppError.self) { _ = try await env.s.orgs.move(community.id, to: env.fx.ids["QC02"]!, actor: admin) }
            // Move the street with its communities and grid to the other district.
            _ = try await env.s.orgs.move(street.id, to: env.fx.ids["QC02"]!, actor: admin)
            let moved = try await env.org("QC01-01-01-G1")
            #expect(moved.orgPath.ids.prefix(2) == [env.fx.ids["QC"]!, env.fx.ids["QC02"]!][...])
            #expect(moved.depth == 4)
            // The district admin of 明湖区 has lost it; the grid worker still sees their own grid.
            let mh = try await env.identity("mh_admin")
            await #expect(throws: AppError.forbidden(Msg.outOfScope)) { _ = try await env.s.orgs.get(moved.id, actor: mh) }
            let grid = try await env.identity("grid01")
            #expect(try await env.s.orgs.get(moved.id, actor: grid).id == moved.id)
        }
    }

    @Test func moveOutsideScopeIsRefused() async throws {
        try await withApp { env, client in
            let mh = try await env.identity("mh_admin")
            await #expect(throws: AppError.forbidden(Msg.outOfScope)) {
                _ = try await env.s.orgs.move(env.fx.ids["QC01-01"]!, to: env.fx.ids["QC02"]!, actor: mh)
            }
            await #expect(throws: AppError.forbidden(Msg.outOfScope)) {
                _ = try await env.s.orgs.move(env.fx.ids["QC02-01"]!, to: env.fx.ids["QC01"]!, actor: mh)
            }
            #expect(try await env.org("QC01-01").parentId == env.fx.ids["QC01"])
        }
    }

    @Test func deactivateNeverDeletes() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            await #expect(throws: AppError.conflict(Msg.hasActiveChildren)) {
                _ = try await env.s.orgs.setActive(env.fx.ids["QC01-01-01"]!, false, actor: admin)
            }
            _ = try await env.s.orgs.setActive(env.fx.ids["QC01-01-01-G1"]!, false, actor: admin)
            let g = try await env.org("QC01-01-01-G1")
            #expect(!g.isActive)
            await #expect(throws: AppError.conflict(Msg.alreadyInactive)) { _ = try await env.s.orgs.setActive(g.id, false, actor: admin) }
            await #expect(throws: AppError.conflict(Msg.cannotDeactivateRoot)) { _ = try await env.s.orgs.setActive(env.fx.ids["QC"]!, false, actor: admin) }
            // Search hides inactive nodes unless asked.
            var q = OrgService.SearchQuery()
            q.text = "柳荫社区第一网格"
            #expect(try await env.s.orgs.search(q, actor: admin).total == 0)
            q.includeInactive = true
            #expect(try await env.s.orgs.search(q, actor: admin).total == 1)
            _ = try await env.s.orgs.setActive(g.id, true, actor: admin)
            #expect(try await env.org("QC01-01-01-G1").isActive)
        }
    }

    @Test func searchFindsByNameCodeAndKindWithinScope() async throws {
        try await withApp { env, client in
            let s = try await env.session("mh_admin")
            let r = try await client.execute(uri: "/orgs?q=" + FormEncoding.escape("社区"), method: .get, headers: s.headers)
            let html = String(buffer: r.body)
            #expect(html.contains("柳荫社区"))
            #expect(html.contains("桃源社区"))
            #expect(!html.contains("东关社区"))
            let k = String(buffer: try await client.execute(uri: "/orgs?kind=school", method: .get, headers: s.headers).body)
            #expect(k.contains("明湖区实验小学"))
            #expect(!k.contains("东城区第一中学"))
        }
    }

    @Test func auditLogCannotBeAlteredEvenDirectly() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            _ = try await env.s.orgs.update(env.fx.ids["QC01"]!, OrgInput(code: "QC01", name: "明湖区（改）", kind: "district", parentID: nil), actor: admin)
            await #expect(throws: (any Error).self) {
                try await env.s.db.write { try await $0.raw("UPDATE audit_log SET summary = 'x'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await env.s.db.write { try await $0.raw("DELETE FROM audit_log").run() }
            }
            let n = try await env.s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM audit_log WHERE summary = 'x'").first()!.decode(column: "n", as: Int.self) }
            #expect(n == 0)
        }
    }

    @Test func groupsAndAdoptions() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let wg = env.fx.ids["QC-WG01"]!
            try await env.s.groups.addMember(groupID: wg, memberCode: "QC-D01", isLead: true, actor: admin)
            await #expect(throws: AppError.conflict(Msg.alreadyMember)) { try await env.s.groups.addMember(groupID: wg, memberCode: "QC-D01", isLead: false, actor: admin) }
            await #expect(throws: AppError.validation(["memberCode": Msg.memberMustBeUnit])) {
                try await env.s.groups.addMember(groupID: wg, memberCode: "QC01", isLead: false, actor: admin)
            }
            let members = try await env.s.groups.members(of: wg, actor: admin)
            #expect(members.map(\.org.code) == ["QC-D01"])
            #expect(members[0].isLead)
            let id = try await env.s.groups.createAdoption(unitID: env.fx.ids["QC01-U01"]!, kind: .community, targetID: env.fx.ids["QC01-01-01"]!, targetName: "", actor: admin)
            await #expect(throws: AppError.validation(["targetID": Msg.adoptionTargetMustBeTerritory])) {
                _ = try await env.s.groups.createAdoption(unitID: env.fx.ids["QC01-U01"]!, kind: .community, targetID: env.fx.ids["QC01"]!, targetName: "", actor: admin)
            }
            let mh = try await env.identity("mh_admin")
            #expect(try await env.s.groups.adoptions(actor: mh).map(\.adoption.id) == [id])
            let dc = try await env.identity("dc_liaison")
            #expect(try await env.s.groups.adoptions(actor: dc).isEmpty)
            await #expect(throws: AppError.forbidden(Msg.outOfScope)) {
                _ = try await env.s.groups.createAdoption(unitID: env.fx.ids["QC02-U01"]!, kind: .road, targetID: nil, targetName: "东关路", actor: mh)
            }
            try await env.s.groups.endAdoption(id: id, actor: admin)
            #expect(try await env.s.groups.adoptions(actor: mh).isEmpty)
        }
    }

    @Test func everyPageRendersForAnAdmin() async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            let id = env.fx.ids["QC01-U01"]!
            for uri in ["/", "/orgs", "/orgs/\(id)", "/orgs/\(id)/edit", "/orgs/new?parent=\(env.fx.ids["QC01"]!)", "/orgs/import", "/groups",
                        "/orgs/\(env.fx.ids["QC-WG01"]!)", "/adoptions", "/users", "/users/new", "/users/\(env.fx.users["grid01"]!)",
                        "/audit", "/settings", "/account"] {
                let r = try await client.execute(uri: uri, method: .get, headers: s.headers)
                #expect(r.status == .ok, "\(uri)")
                #expect(String(buffer: r.body).contains("</html>"), "\(uri)")
            }
            let missing = try await client.execute(uri: "/orgs/999999", method: .get, headers: s.headers)
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body).contains(Msg.notFound))
        }
    }
}

@Suite("Hardening")
struct HardeningTests {
    @Test func absurdPageNumbersAndSizesAreClamped() async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            for uri in ["/orgs?page=9223372036854775807", "/users?page=9223372036854775807", "/audit?page=-5", "/orgs?page=abc"] {
                #expect(try await client.execute(uri: uri, method: .get, headers: s.headers).status == .ok, "\(uri)")
            }
            let token = try await env.token("admin")
            let r = try await client.execute(uri: "/api/v1/orgs?pageSize=-1&page=9223372036854775807", method: .get, headers: bearer(token))
            #expect(r.status == .ok)
            #expect(decodeJSON(r.body)["page"] as? Int == PageWindow.maxPage)
            #expect(decodeJSON(r.body)["pageSize"] as? Int == 1)
            let ok = decodeJSON(try await client.execute(uri: "/api/v1/orgs?pageSize=100000", method: .get, headers: bearer(token)).body)
            #expect(ok["pageSize"] as? Int == PageWindow.maxPageSize)
        }
    }

    @Test func searchTreatsWildcardsLiterally() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            var q = OrgService.SearchQuery()
            q.text = "%"
            #expect(try await env.s.orgs.search(q, actor: admin).total == 0)
            q.text = "qc01-u01"   // codes match case-insensitively on both engines
            #expect(try await env.s.orgs.search(q, actor: admin).rows.map(\.code) == ["QC01-U01"])
        }
    }

    @Test func temporaryPasswordMustBeChangedBeforeAnythingElse() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            try await env.s.users.resetPassword(env.fx.users["mh_liaison"]!, newPassword: "Temp12345", actor: admin)
            let r = try await env.s.auth.login(username: "mh_liaison", password: "Temp12345", ip: "127.0.0.1")
            var h = HTTPFields()
            h[.cookie] = "wm_session=\(r.token)"
            let home = try await client.execute(uri: "/orgs", method: .get, headers: h)
            #expect(home.status == .found)
            #expect(home.headers[.location] == "/account?must=1")
            #expect(try await client.execute(uri: "/account", method: .get, headers: h).status == .ok)
        }
    }

    @Test func tokenExchangeOpensNoBrowserSession() async throws {
        try await withApp { env, client in
            var h = HTTPFields()
            h[.contentType] = "application/json"
            let r = try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: h, body: json(["username": "leader", "password": testPassword]))
            #expect(r.status == .created)
            let n = try await env.s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM sessions").first()!.decode(column: "n", as: Int.self) }
            #expect(n == 0)
        }
    }

    @Test func resetRevokesTheUsersTokens() async throws {
        try await withApp { env, client in
            let token = try await env.token("grid01")
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token)).status == .ok)
            try await env.s.users.resetPassword(env.fx.users["grid01"]!, newPassword: "Temp12345", actor: try await env.identity("admin"))
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token)).status == .unauthorized)
        }
    }

    @Test func errorPagesKeepTheMenu() async throws {
        try await withApp { env, client in
            let s = try await env.session("mh_admin")
            let r = try await client.execute(uri: "/orgs/\(env.fx.ids["QC02"]!)", method: .get, headers: s.headers)
            #expect(r.status == .forbidden)
            let html = String(buffer: r.body)
            #expect(html.contains(Msg.outOfScope))
            #expect(html.contains("退出"))
        }
    }
}
