import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WenmingApp
import WenmingCore

/// For each role: what it may read and write inside its scope, and that everything outside is refused —
/// through the pages and through the JSON API.
@Suite("Scope matrix")
struct ScopeMatrixTests {
    struct Case: Sendable, CustomStringConvertible {
        var user: String
        var readInside: [String]
        var readOutside: [String]
        var canRead: Bool = true
        var editInside: String?        // an org whose phone the user may change
        var editOutside: String?       // an org the user must not change
        var description: String { user }
    }

    static let cases: [Case] = [
        Case(user: "admin", readInside: ["QC", "QC02-01-01", "QC01-01-01-G1"], readOutside: [], editInside: "QC02-U01", editOutside: nil),
        Case(user: "leader", readInside: ["QC01", "QC02-U01"], readOutside: [], editInside: nil, editOutside: "QC02-U01"),
        Case(user: "mh_admin", readInside: ["QC01", "QC01-01-01", "QC01-U01"], readOutside: ["QC", "QC02", "QC02-01-01", "QC-D01"],
             editInside: "QC01-U01", editOutside: "QC02-U01"),
        Case(user: "mh_liaison", readInside: ["QC01-U01", "QC01-01-01-G1"], readOutside: ["QC02-U01", "QC"],
             editInside: "QC01-U01", editOutside: "QC02-U01"),
        Case(user: "dc_liaison", readInside: ["QC02-U01"], readOutside: ["QC01-U01", "QC01"], editInside: "QC02-U01", editOutside: "QC01-U01"),
        Case(user: "grid01", readInside: ["QC01-01-01-G1"], readOutside: ["QC01-01-01", "QC01-01-02", "QC02-01-01-G1"],
             editInside: nil, editOutside: "QC01-01-01-G1"),
        Case(user: "school_liaison", readInside: ["QC01-U01"], readOutside: ["QC01-01", "QC02-U01"], editInside: "QC01-U01", editOutside: "QC02-U01"),
        Case(user: "school_head", readInside: ["QC01-U01"], readOutside: ["QC01"], editInside: "QC01-U01", editOutside: "QC01-01"),
        Case(user: "inspector", readInside: ["QC01-01-01"], readOutside: ["QC02-01-01"], editInside: nil, editOutside: "QC01-U01"),
        Case(user: "supervisor", readInside: ["QC02"], readOutside: [], editInside: nil, editOutside: "QC02-U01"),
        Case(user: "volunteer", readInside: [], readOutside: ["QC01-01-01"], canRead: false, editInside: nil, editOutside: "QC01-01-01"),
        Case(user: "citizen", readInside: [], readOutside: ["QC"], canRead: false, editInside: nil, editOutside: "QC"),
    ]

    @Test(arguments: cases)
    func pagesAndAPIRespectScope(_ c: Case) async throws {
        try await withApp { env, client in
            let s = try await env.session(c.user)
            let token = try await env.token(c.user)
            for code in c.readInside {
                let id = env.fx.ids[code]!
                let page = try await client.execute(uri: "/orgs/\(id)", method: .get, headers: s.headers)
                #expect(page.status == .ok, "\(c.user) should see \(code)")
                let api = try await client.execute(uri: "/api/v1/orgs/\(id)", method: .get, headers: bearer(token))
                #expect(api.status == .ok, "\(c.user) API should see \(code)")
            }
            for code in c.readOutside {
                let id = env.fx.ids[code]!
                let page = try await client.execute(uri: "/orgs/\(id)", method: .get, headers: s.headers)
                #expect(page.status == .forbidden, "\(c.user) must not see \(code)")
                #expect(!String(buffer: page.body).contains(try await env.org(code).name + " <span"))
                let api = try await client.execute(uri: "/api/v1/orgs/\(id)", method: .get, headers: bearer(token))
                #expect(api.status == .forbidden, "\(c.user) API must not see \(code)")
                #expect(decodeJSON(api.body)["error"] as? String != nil)
            }
            if let code = c.editInside {
                let id = env.fx.ids[code]!
                let r = try await client.execute(uri: "/orgs/\(id)", method: .post, headers: formHeaders(s),
                                                 body: form([("_csrf", s.csrf), ("name", try await env.org(code).name), ("phone", "0571-1234567")]))
                #expect(r.status == .found, "\(c.user) may edit \(code)")
                #expect(try await env.org(code).phone == "0571-1234567")
                let api = try await client.execute(uri: "/api/v1/orgs/\(id)", method: .patch, headers: bearer(token, json: true),
                                                   body: json(["phone": "0571-7654321"]))
                #expect(api.status == .ok)
                #expect(try await env.org(code).phone == "0571-7654321")
            }
            if let code = c.editOutside {
                let id = env.fx.ids[code]!
                let before = try await env.org(code)
                let r = try await client.execute(uri: "/orgs/\(id)", method: .post, headers: formHeaders(s),
                                                 body: form([("_csrf", s.csrf), ("name", "被篡改"), ("phone", "110")]))
                #expect(r.status == .forbidden, "\(c.user) must not edit \(code)")
                let api = try await client.execute(uri: "/api/v1/orgs/\(id)", method: .patch, headers: bearer(token, json: true),
                                                   body: json(["phone": "110"]))
                #expect(api.status == .forbidden)
                #expect(try await env.org(code) == before)
            }
            // Lists contain only what is in scope.
            let me = try await env.identity(c.user)
            let list = try await client.execute(uri: "/api/v1/orgs?pageSize=500&includeInactive=true", method: .get, headers: bearer(token))
            if c.canRead {
                #expect(list.status == .ok)
                let items = decodeJSON(list.body)["items"] as? [[String: Any]] ?? []
                #expect(!items.isEmpty)
                for it in items { #expect(me.orgPath.contains(OrgPath(it["path"] as! String)!), "\(c.user) list leaked \(it["code"]!)") }
                let total = decodeJSON(list.body)["total"] as? Int
                var expected = 0
                for (code, _, _, _) in Fixture.orgs where me.inScope(try await env.org(code).orgPath) { expected += 1 }
                #expect(total == expected)
            } else {
                #expect(list.status == .forbidden)
            }
        }
    }

    @Test func userListsAndUserPagesAreScoped() async throws {
        try await withApp { env, client in
            let s = try await env.session("mh_admin")
            let page = try await client.execute(uri: "/users", method: .get, headers: s.headers)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("测试mh_liaison"))
            #expect(html.contains("测试grid01"))
            #expect(!html.contains("测试dc_liaison"))
            #expect(!html.contains("测试leader"))
            let other = try await client.execute(uri: "/users/\(env.fx.users["dc_liaison"]!)", method: .get, headers: s.headers)
            #expect(other.status == .forbidden)
            // Creating a user in another district is refused and creates nothing.
            let r = try await client.execute(uri: "/users", method: .post, headers: formHeaders(s), body: form([
                ("_csrf", s.csrf), ("username", "intruder"), ("displayName", "越权用户"), ("role", "liaison"),
                ("orgCode", "QC02"), ("password", "Passw0rd99")]))
            #expect(r.status == .forbidden)
            #expect(try await env.s.db.read { try await UserService.fetch($0, username: "intruder") } == nil)
            // Resetting the password of a user outside the scope is refused.
            let reset = try await client.execute(uri: "/users/\(env.fx.users["dc_liaison"]!)/reset", method: .post, headers: formHeaders(s),
                                                 body: form([("_csrf", s.csrf), ("password", "Hijack2026")]))
            #expect(reset.status == .forbidden)
        }
    }

    @Test func auditIsScopedAndOnlyForAdmins() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            _ = try await env.s.orgs.update(env.fx.ids["QC02-U01"]!, OrgInput(code: "QC02-U01", name: "东城区第一中学（新校区）", kind: "school", parentID: nil), actor: admin)
            _ = try await env.s.orgs.update(env.fx.ids["QC01-U01"]!, OrgInput(code: "QC01-U01", name: "明湖区实验小学（本部）", kind: "school", parentID: nil), actor: admin)
            let mh = try await env.session("mh_admin")
            let page = String(buffer: try await client.execute(uri: "/audit", method: .get, headers: mh.headers).body)
            #expect(page.contains("明湖区实验小学（本部）"))
            #expect(!page.contains("东城区第一中学（新校区）"))
            let liaison = try await env.session("mh_liaison")
            #expect(try await client.execute(uri: "/audit", method: .get, headers: liaison.headers).status == .forbidden)
        }
    }
}
