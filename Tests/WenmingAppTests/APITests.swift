import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import WenmingApp
import WenmingCore

@Suite("JSON API")
struct APITests {
    @Test func tokenLoginMeAndUnauthenticated() async throws {
        try await withApp { env, client in
            var h = HTTPFields()
            h[.contentType] = "application/json"
            let r = try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: h,
                                             body: json(["username": "mh_admin", "password": testPassword, "name": "脚本"]))
            #expect(r.status == .created)
            let token = decodeJSON(r.body)["token"] as! String
            let me = decodeJSON(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token)).body)
            #expect(me["username"] as? String == "mh_admin")
            #expect(me["orgName"] as? String == "明湖区")
            let bad = try await client.execute(uri: "/api/v1/auth/token", method: .post, headers: h, body: json(["username": "mh_admin", "password": "x"]))
            #expect(bad.status == .badRequest)
            #expect(decodeJSON(bad.body)["error"] as? String == Msg.loginFailed)
            #expect(try await client.execute(uri: "/api/v1/me", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer("wm_nonsense")).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/health", method: .get).status == .ok)
        }
    }

    @Test func malformedBodiesAre400NotServerErrors() async throws {
        try await withApp { env, client in
            let token = try await env.token("admin")
            for body in ["{", "[]", "{\"code\": 5}", "{\"code\":\"X\",\"name\":\"Y\",\"kind\":\"planet\",\"parentId\":1}"] {
                let r = try await client.execute(uri: "/api/v1/orgs", method: .post, headers: bearer(token, json: true), body: ByteBuffer(string: body))
                #expect(r.status == .badRequest, "\(body)")
                #expect((decodeJSON(r.body)["error"] as? String)?.isEmpty == false)
            }
            // The message says, in Chinese, which field is wrong.
            let missing = try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(token, json: true),
                                                   body: ByteBuffer(string: #"{"typeCode":"XGG","description":"小广告","territoryId":1}"#))
            #expect(missing.status == .badRequest)
            #expect(decodeJSON(missing.body)["error"] as? String == "请求格式不正确：缺少字段“type”")
            let r = try await client.execute(uri: "/api/v1/orgs/abc", method: .get, headers: bearer(token))
            #expect(r.status == .badRequest)
            #expect(decodeJSON(r.body)["error"] as? String == "请求格式不正确：路径或查询参数的值不对，应为数字")
            let page = try await client.execute(uri: "/api/v1/cases?page=abc", method: .get, headers: bearer(token))
            #expect(page.status == .badRequest)
            #expect(decodeJSON(page.body)["error"] as? String == "请求格式不正确：路径或查询参数的值不对，应为数字")
        }
    }

    @Test func createMoveAndDeactivateThroughTheAPI() async throws {
        try await withApp { env, client in
            let token = try await env.token("admin")
            let c = try await client.execute(uri: "/api/v1/orgs", method: .post, headers: bearer(token, json: true),
                                             body: json(["code": "QC01-01-09", "name": "新建社区", "kind": "community", "parentId": env.fx.ids["QC01-01"]!]))
            #expect(c.status == .created)
            let id = decodeJSON(c.body)["id"] as! Int
            let dup = try await client.execute(uri: "/api/v1/orgs", method: .post, headers: bearer(token, json: true),
                                               body: json(["code": "QC01-01-09", "name": "重复", "kind": "community", "parentId": env.fx.ids["QC01-01"]!]))
            #expect(dup.status == .badRequest)
            #expect((decodeJSON(dup.body)["error"] as? String)?.contains("已被") == true)
            let m = try await client.execute(uri: "/api/v1/orgs/\(id)/move", method: .post, headers: bearer(token, json: true),
                                             body: json(["parentId": env.fx.ids["QC02-01"]!]))
            #expect(m.status == .ok)
            #expect((decodeJSON(m.body)["path"] as? String)?.contains("/\(env.fx.ids["QC02"]!)/") == true)
            let d = try await client.execute(uri: "/api/v1/orgs/\(id)/active", method: .put, headers: bearer(token, json: true), body: json(["active": false]))
            #expect(d.status == .ok)
            #expect(decodeJSON(d.body)["active"] as? Bool == false)
            let kids = try await client.execute(uri: "/api/v1/orgs/\(env.fx.ids["QC01-01"]!)/children", method: .get, headers: bearer(token))
            #expect((try JSONSerialization.jsonObject(with: Data(kids.body.readableBytesView)) as? [Any])?.count == 3)
        }
    }

    @Test func usersThroughTheAPI() async throws {
        try await withApp { env, client in
            let token = try await env.token("mh_admin")
            let ok = try await client.execute(uri: "/api/v1/users", method: .post, headers: bearer(token, json: true), body: json([
                "username": "new_grid", "displayName": "新网格员", "role": "grid_worker", "orgId": env.fx.ids["QC01-01-01-G1"]!, "password": "Grid2026x"]))
            #expect(ok.status == .created)
            // A grid worker cannot be bound to a district; a weak password is refused; another district is out of scope.
            let wrongKind = try await client.execute(uri: "/api/v1/users", method: .post, headers: bearer(token, json: true), body: json([
                "username": "bad_grid", "displayName": "错绑", "role": "grid_worker", "orgId": env.fx.ids["QC01"]!, "password": "Grid2026x"]))
            #expect(wrongKind.status == .badRequest)
            let weak = try await client.execute(uri: "/api/v1/users", method: .post, headers: bearer(token, json: true), body: json([
                "username": "weak_pw", "displayName": "弱密码", "role": "liaison", "orgId": env.fx.ids["QC01"]!, "password": "12345678"]))
            #expect(weak.status == .badRequest)
            #expect((decodeJSON(weak.body)["error"] as? String)?.contains("字母") == true)
            let outside = try await client.execute(uri: "/api/v1/users", method: .post, headers: bearer(token, json: true), body: json([
                "username": "outside", "displayName": "越权", "role": "liaison", "orgId": env.fx.ids["QC02"]!, "password": "Grid2026x"]))
            #expect(outside.status == .forbidden)
            let list = decodeJSON(try await client.execute(uri: "/api/v1/users?pageSize=200", method: .get, headers: bearer(token)).body)
            let names = (list["items"] as! [[String: Any]]).map { $0["username"] as! String }
            #expect(names.contains("new_grid"))
            #expect(!names.contains("dc_liaison"))
            let patch = try await client.execute(uri: "/api/v1/users/\(env.fx.users["dc_liaison"]!)", method: .patch, headers: bearer(token, json: true),
                                                 body: json(["displayName": "改名"]))
            #expect(patch.status == .forbidden)
            let audit = decodeJSON(try await client.execute(uri: "/api/v1/audit?entity=user", method: .get, headers: bearer(token)).body)
            #expect((audit["items"] as? [[String: Any]])?.contains { ($0["summary"] as? String)?.contains("new_grid") == true } == true)
        }
    }

    @Test func revokedTokensStopWorking() async throws {
        try await withApp { env, client in
            let me = try await env.identity("leader")
            let (token, row) = try await env.s.auth.createToken(actor: me, name: "临时")
            // Used twice: its holder is kept in memory (the first use stamps the token and reloads it).
            for _ in 0..<2 { #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token)).status == .ok) }
            try await env.s.auth.revokeToken(id: row.id, actor: me)
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token)).status == .unauthorized)
            // A disabled user's tokens stop working too.
            let (other, _) = try await env.s.auth.createToken(actor: try await env.identity("volunteer"), name: "志愿服务")
            let me2 = decodeJSON(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(other)).body)
            #expect(me2["username"] as? String == "volunteer")
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(other)).status == .ok)
            try await env.s.users.setActive(env.fx.users["volunteer"]!, false, actor: try await env.identity("admin"))
            #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(other)).status == .unauthorized)
        }
    }

    /// A token's holder is kept in memory for a few seconds; a change through the services shows at once.
    @Test func tokenHoldersAreKeptUntilTheyChange() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let token = try await env.token("leader")
            func me() async throws -> [String: Any] { decodeJSON(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token)).body) }
            #expect(try await me()["displayName"] as? String != "改名以后")
            // (The first use stamps the token's last use and reloads its holder; from the second on it is kept.)
            #expect(try await me()["displayName"] as? String != "改名以后")
            // Behind the services' back (as another server process would), the change shows only once the holder is reloaded.
            let leaderID = env.fx.users["leader"]!
            try await env.s.db.write { try await $0.raw("UPDATE users SET display_name = '改名以后' WHERE id = \(bind: leaderID)").run() }
            #expect(try await me()["displayName"] as? String != "改名以后")
            // Through the services, at once: a user's edit, and an org's.
            let u = try await env.s.users.get(leaderID, actor: admin).user
            try await env.s.users.update(leaderID, UserInput(username: u.username, displayName: "新名字", role: u.role, orgID: u.orgId), actor: admin)
            #expect(try await me()["displayName"] as? String == "新名字")
            let org = try await env.s.orgs.get(u.orgId, actor: admin)
            var edit = OrgInput(code: org.code, name: "青川市改名", kind: org.kind, parentID: org.parentId)
            edit.sectorID = org.sectorId
            _ = try await env.s.orgs.update(u.orgId, edit, actor: admin)
            #expect(try await me()["orgName"] as? String == "青川市改名")
        }
    }
}

@Suite("Demo city")
struct DemoLoadTests {
    @Test func loadsOnceAndNeverDuplicates() async throws {
        try await withServices { s in
            let first = try await DemoLoader.load(s)
            #expect(first.orgs == DemoCity.build().orgs.count)
            #expect(first.users == DemoCity.build().users.count)
            let second = try await DemoLoader.load(s)
            #expect(second == DemoLoader.Result())
            let r = try await s.auth.login(username: "mh_liaison", password: DemoCity.password, ip: "127.0.0.1")
            let me = try await s.auth.resolveSession(token: r.token)!
            #expect(me.orgName == "明湖区")
            let counts = try await s.orgs.countsByKind(actor: me)
            #expect((counts[.street] ?? 0) > 0)
            #expect(counts[.district] == 1)
        }
    }
}
