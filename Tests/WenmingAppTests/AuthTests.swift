import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

@Suite("Login, sessions, CSRF and throttling")
struct AuthTests {
    /// Fetches the login page for its pre-login CSRF cookie, then posts the form.
    func postLogin(_ client: any TestClientProtocol, _ username: String, _ password: String) async throws -> TestResponse {
        let page = try await client.execute(uri: "/login", method: .get)
        let pre = page.headers[values: .setCookie].first { $0.hasPrefix("wm_pre=") }!.split(separator: ";")[0].dropFirst("wm_pre=".count)
        var h = HTTPFields()
        h[.cookie] = "wm_pre=\(pre)"
        h[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: "/login", method: .post, headers: h,
                                        body: form([("_csrf", String(pre)), ("username", username), ("password", password)]))
    }

    @Test func loginSucceedsAndShowsWhoAndScope() async throws {
        try await withApp { env, client in
            let r = try await postLogin(client, "mh_liaison", testPassword)
            #expect(r.status == .found)
            let cookie = r.headers[values: .setCookie].first { $0.hasPrefix("wm_session=") }!
            let token = cookie.split(separator: ";")[0].dropFirst("wm_session=".count)
            var h = HTTPFields()
            h[.cookie] = "wm_session=\(token)"
            let home = try await client.execute(uri: "/", method: .get, headers: h)
            #expect(home.status == .ok)
            let html = String(buffer: home.body)
            #expect(html.contains("测试mh_liaison"))
            #expect(html.contains("明湖区"))
            #expect(html.contains("联络员"))
        }
    }

    @Test func wrongPasswordIsRefusedWithAClearMessage() async throws {
        try await withApp { env, client in
            let r = try await postLogin(client, "admin", "wrong-password-1")
            #expect(r.status == .badRequest)
            #expect(String(buffer: r.body).contains(Msg.loginFailed))
            #expect(!r.headers[values: .setCookie].contains { $0.hasPrefix("wm_session=") && !$0.hasPrefix("wm_session=;") })
            let n = try await env.s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM sessions").first()!.decode(column: "n", as: Int.self) }
            #expect(n == 0)
        }
    }

    @Test func repeatedFailuresLockTheAccountUntilTheLockoutPasses() async throws {
        try await withApp { env, client in
            for _ in 0..<5 {
                let r = try await postLogin(client, "admin", "wrong-password-1")
                #expect(r.status == .badRequest)
                env.clock.advance(10)
            }
            // Even the right password is refused while locked.
            let locked = try await postLogin(client, "admin", testPassword)
            #expect(locked.status == .tooManyRequests)
            #expect(String(buffer: locked.body).contains("登录失败次数过多"))
            env.clock.advance(16 * 60)
            let ok = try await postLogin(client, "admin", testPassword)
            #expect(ok.status == .found)
        }
    }

    @Test func loginWithoutThePreLoginTokenIsRefused() async throws {
        try await withApp { env, client in
            var h = HTTPFields()
            h[.contentType] = "application/x-www-form-urlencoded"
            let r = try await client.execute(uri: "/login", method: .post, headers: h,
                                             body: form([("_csrf", "forged"), ("username", "admin"), ("password", testPassword)]))
            #expect(r.status == .forbidden)
            #expect(String(buffer: r.body).contains(Msg.csrfFailed))
        }
    }

    @Test func forgedCSRFTokenChangesNothing() async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            let before = try await env.orgCount()
            let r = try await client.execute(uri: "/orgs", method: .post, headers: formHeaders(s),
                                             body: form([("_csrf", "not-the-token"), ("code", "QC01-99"), ("name", "伪造社区"),
                                                         ("kind", "street"), ("parentID", String(env.fx.ids["QC01"]!))]))
            #expect(r.status == .forbidden)
            #expect(try await env.orgCount() == before)
            // The same request with the real token works.
            let ok = try await client.execute(uri: "/orgs", method: .post, headers: formHeaders(s),
                                              body: form([("_csrf", s.csrf), ("code", "QC01-99"), ("name", "新街道"),
                                                          ("kind", "street"), ("parentID", String(env.fx.ids["QC01"]!))]))
            #expect(ok.status == .found)
            #expect(try await env.orgCount() == before + 1)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        try await withApp { env, client in
            let s = try await env.session("leader")
            let r = try await client.execute(uri: "/logout", method: .post, headers: formHeaders(s), body: form([("_csrf", s.csrf)]))
            #expect(r.status == .found)
            let home = try await client.execute(uri: "/", method: .get, headers: s.headers)
            #expect(home.status == .found)
            #expect(home.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test func sessionsExpire() async throws {
        try await withApp { env, client in
            let s = try await env.session("leader")
            #expect(try await client.execute(uri: "/", method: .get, headers: s.headers).status == .ok)
            env.clock.advance(13 * 3600)
            #expect(try await client.execute(uri: "/", method: .get, headers: s.headers).status == .found)
        }
    }

    @Test func passwordChangeAndAdminReset() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let uid = env.fx.users["grid01"]!
            await #expect(throws: AppError.self) { try await env.s.users.resetPassword(uid, newPassword: "short", actor: admin) }
            try await env.s.users.resetPassword(uid, newPassword: "Temp12345", actor: admin)
            let r = try await env.s.auth.login(username: "grid01", password: "Temp12345", ip: "127.0.0.1")
            #expect(r.user.mustChangePassword == 1)
            var me = try await env.s.auth.resolveSession(token: r.token)!
            me.ip = "127.0.0.1"
            await #expect(throws: AppError.validation(["current": Msg.wrongCurrentPassword])) {
                try await env.s.users.changePassword(actor: me, current: "nope", new: "NewPass2026", confirm: "NewPass2026")
            }
            await #expect(throws: AppError.validation(["confirm": Msg.passwordMismatch])) {
                try await env.s.users.changePassword(actor: me, current: "Temp12345", new: "NewPass2026", confirm: "NewPass2027")
            }
            try await env.s.users.changePassword(actor: me, current: "Temp12345", new: "NewPass2026", confirm: "NewPass2026")
            let again = try await env.s.auth.login(username: "grid01", password: "NewPass2026", ip: "127.0.0.1")
            #expect(again.user.mustChangePassword == 0)
        }
    }

    @Test func deactivatedUsersCannotLogIn() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let s = try await env.session("volunteer")
            try await env.s.users.setActive(env.fx.users["volunteer"]!, false, actor: admin)
            #expect(try await client.execute(uri: "/", method: .get, headers: s.headers).status == .found)
            await #expect(throws: AppError.forbidden(Msg.accountDisabled)) {
                _ = try await env.s.auth.login(username: "volunteer", password: testPassword, ip: "1.2.3.4")
            }
        }
    }
}
