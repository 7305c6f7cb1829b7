import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// The server-rendered Chinese UI. Handlers are thin: read the form, call a service, render.
struct WebRoutes: Sendable {
    let s: Services

    func register(on r: Router<AppContext>) {
        r.get("/") { req, ctx in try await home(req, ctx) }
        r.get("/login") { req, ctx in try loginPage(req, ctx, error: nil, status: .ok) }
        r.post("/login") { req, ctx in try await login(req, ctx) }
        r.post("/logout") { req, ctx in try await logout(req, ctx) }
        r.get("/account") { req, ctx in try await account(req, ctx) }
        r.post("/account/password") { req, ctx in try await changePassword(req, ctx) }
        r.post("/account/tokens") { req, ctx in try await createToken(req, ctx) }
        r.post("/account/tokens/:id/revoke") { req, ctx in try await revokeToken(req, ctx) }
        r.get("/healthz") { _, _ in "ok" }
        r.get("/api/openapi.yaml") { _, _ in try openAPIDocument() }
        r.get("/api/docs") { _, _ in Response.redirect(to: "/api/openapi.yaml") }
        OrgPages(s: s, web: self).register(on: r)
        UserPages(s: s, web: self).register(on: r)
        AdminPages(s: s, web: self).register(on: r)
        EvaluationPages(s: s, web: self).register(on: r)
        TaskPages(s: s, web: self).register(on: r)
        CasePages(s: s, web: self).register(on: r)
        InspectionPages(s: s, web: self).register(on: r)
        ScorePages(s: s, web: self).register(on: r)
    }

    // MARK: helpers shared by the page groups

    func page<T: Sendable>(_ ctx: AppContext, _ req: Request, title: String, data: T, error: String? = nil, errors: [String] = []) -> Page<T> {
        Page(title: title, me: ctx.identity.map(MeView.init), csrf: ctx.identity?.csrf ?? "", flash: flash(req),
             error: error, errors: errors, data: data)
    }

    func render<T: Sendable>(_ ctx: AppContext, _ req: Request, _ template: String, title: String, data: T,
                             error: String? = nil, errors: [String] = [], status: HTTPResponse.Status = .ok) throws -> Response {
        var resp = try s.views.response(page(ctx, req, title: title, data: data, error: error, errors: errors), template, status: status)
        if flash(req) != nil { resp.setCookie(appCookie("wm_flash", "", maxAge: 0, sameSite: .lax)) }
        return resp
    }

    func flash(_ req: Request) -> String? {
        guard let v = req.cookies["wm_flash"]?.value, !v.isEmpty else { return nil }
        return v.removingPercentEncoding
    }

    /// Redirect after a successful POST, with a one-time message.
    func redirect(_ to: String, flash: String? = nil) -> Response {
        var r = Response.redirect(to: to, type: .found)
        if let flash { r.setCookie(appCookie("wm_flash", FormEncoding.escape(flash), sameSite: .lax)) }
        return r
    }

    /// The spreadsheet uploaded in the form's `file` field, read as XLSX or CSV by its content.
    func uploadedTable(_ ctx: AppContext) async throws -> Table {
        guard let file = ctx.uploads.first(where: { $0.name == "file" }), !file.body.isEmpty else { throw AppError.badRequest("请选择要导入的文件") }
        let maxMB = try await s.settings.current().uploadMaxMB
        if file.body.count > maxMB * 1024 * 1024 { throw AppError.payloadTooLarge(Msg.uploadTooLarge(maxMB)) }
        return try decodeTable(filename: file.filename, data: Data(file.body))
    }

    func query(_ req: Request) -> FormValues { FormValues(FormEncoding.decode(req.uri.query ?? "")) }

    /// The `lat`/`lng` fields of a form (the locate button fills them): both empty, or both numbers.
    func coordinates(_ f: FormValues) throws -> (latitude: Double?, longitude: Double?) {
        if f.trimmed("lat").isEmpty && f.trimmed("lng").isEmpty { return (nil, nil) }
        guard let a = Double(f.trimmed("lat")), let b = Double(f.trimmed("lng")) else {
            throw AppError.validation(["latitude": "经纬度须为数字，且须同时填写"])
        }
        return (a, b)
    }

    func id(_ ctx: AppContext, _ name: String = "id") throws -> Int64 {
        guard let v = ctx.parameters.get(name), let i = Int64(v) else { throw AppError.notFound }
        return i
    }

    /// Renders `template` again with the user's input and the errors when a service refuses it.
    func retry<T: Sendable>(_ ctx: AppContext, _ req: Request, _ template: String, title: String, data: T, error: AppError) throws -> Response {
        switch error {
        case .validation, .badRequest, .conflict, .importFailed:
            let errs: [String] = if case .importFailed(let l) = error { l.map(\.description) } else { [] }
            return try render(ctx, req, template, title: title, data: data, error: error.message, errors: errs, status: error.status)
        default: throw error
        }
    }

    // MARK: login / home / account

    struct LoginView: Sendable { var username: String; var next: String; var pre: String; var demo: Bool }

    func loginPage(_ req: Request, _ ctx: AppContext, error: String?, status: HTTPResponse.Status, username: String = "") throws -> Response {
        if ctx.identity != nil && error == nil { return Response.redirect(to: "/", type: .found) }
        let pre = AuthService.randomToken(bytes: 16)
        let next = query(req)["next"]
        let data = LoginView(username: username, next: next.hasPrefix("/") && !next.hasPrefix("//") ? next : "/", pre: pre,
                             demo: ProcessInfo.processInfo.environment["WENMING_DEMO_HINT"] == "1")
        var resp = try s.views.response(Page(title: "登录", me: nil, csrf: pre, flash: flash(req), error: error, errors: [], data: data), "login", status: status)
        resp.setCookie(appCookie("wm_pre", pre, sameSite: .strict))
        return resp
    }

    func login(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let f = ctx.form
        let username = f.trimmed("username")
        do {
            let r = try await s.auth.login(username: username, password: f["password"], ip: ctx.remoteIP)
            let next = f["next"].hasPrefix("/") && !f["next"].hasPrefix("//") ? f["next"] : "/"
            var resp = Response.redirect(to: r.user.mustChangePassword != 0 ? "/account?must=1" : next, type: .found)
            let hours = try await s.settings.current().sessionHours
            resp.setCookie(appCookie("wm_session", r.token, maxAge: hours * 3600, sameSite: .lax))
            resp.setCookie(appCookie("wm_pre", "", maxAge: 0, sameSite: .strict))
            return resp
        } catch let e as AppError {
            return try loginPage(req, ctx, error: e.message, status: e.status, username: username)
        }
    }

    func logout(_ req: Request, _ ctx: AppContext) async throws -> Response {
        if let me = ctx.identity { try await s.auth.logout(me) }
        var r = redirect("/login", flash: "您已安全退出")
        r.setCookie(appCookie("wm_session", "", maxAge: 0, sameSite: .lax))
        return r
    }

    struct HomeView: Sendable {
        var scopeName: String
        var scopeKind: String
        var counts: [CountVM]
        var recent: [AuditVM]
        var hasRecent: Bool
        var orgID: Int64
        var work: [WorkVM]
        var inbox: [CasePages.ItemVM]
        var notices: [ScorePages.NoticeItemVM]
        var canReport: Bool
    }
    struct CountVM: Sendable { var label: String; var value: Int; var url: String }
    struct WorkVM: Sendable { var label: String; var url: String; var note: String }

    func home(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        var counts: [CountVM] = []
        if me.can(.viewOrgs) {
            let c = try await s.orgs.countsByKind(actor: me)
            let groups: [(String, [OrgKind], String)] = [
                ("区/县", [.district, .county], "territory"), ("街道/镇", [.street, .town], "territory"),
                ("社区/村", [.community, .village], "territory"), ("网格", [.grid], "territory"),
                ("部门", [.department], "unit"), ("其他单位", [.agency, .school, .hospital, .company, .window], "unit"),
            ]
            for (label, kinds, _) in groups {
                let n = kinds.reduce(0) { $0 + (c[$1] ?? 0) }
                if n > 0 { counts.append(CountVM(label: label, value: n, url: "/orgs?kind=" + kinds.map(\.rawValue).joined(separator: ","))) }
            }
        }
        var recent: [AuditVM] = []
        if me.can(.viewAudit) {
            var f = Audit.Filter()
            f.page = 1
            recent = try await Audit.list(s.db, actor: me, filter: f, pageSize: 8).entries.map(AuditVM.init)
        }
        var work: [WorkVM] = []
        if me.mustChangePassword { work.append(WorkVM(label: "修改初始密码", url: "/account", note: "管理员为您设置了临时密码，请尽快修改")) }
        if me.can(.viewTasks) {
            let c = try await s.tasks.statusCounts(actor: me)
            if me.can(.workTasks), let n = c[.assigned], n > 0 { work.append(WorkVM(label: "认领任务（\(n) 项待认领）", url: "/tasks/mine", note: "责任分解表分给本单位的测评标准")) }
            if me.can(.workTasks), let n = c[.claimed], n > 0 { work.append(WorkVM(label: "推进任务（\(n) 项进行中）", url: "/tasks/mine", note: "制定计划、报送进度")) }
            if me.can(.assignTasks), let n = c[.adjustmentRequested], n > 0 {
                work.append(WorkVM(label: "审批调整申请（\(n) 项）", url: "/tasks?status=adjustment_requested", note: "单位申请调整的责任分解"))
            }
            work.append(WorkVM(label: "回头望", url: "/tasks/lookback", note: "未认领、节点逾期、缺少进度报告的标准"))
        }
        if me.can(.viewScores) {
            work.append(WorkVM(label: "领导驾驶舱", url: "/dashboard", note: "排名、变化、慢单位、超期和即将到期的事项"))
            work.append(WorkVM(label: "测评排名", url: "/scores", note: "区县、街道、社区、部门和单位的得分与排名，每一分可追溯"))
        }
        if me.can(.viewCases) {
            let c = try await s.cases.statusCounts(actor: me)
            if c.overdue > 0 { work.append(WorkVM(label: "超期未办案卷（\(c.overdue) 件）", url: "/cases?overdue=1", note: "已过办结期限，正在督办")) }
            if me.can(.handleCases) && me.orgKind.family == .unit {
                work.append(WorkVM(label: "本单位的案卷", url: "/cases?unit=\(me.orgID)&open=1", note: "派给本单位、尚未办结的问题"))
            }
            work.append(WorkVM(label: "问题台账", url: "/cases", note: "全部问题案卷、筛选与导出"))
        } else if me.can(.reportCases) {
            work.append(WorkVM(label: "我上报的问题", url: "/cases?mine=1", note: "查看办理进度"))
        }
        if me.can(.manageOrgs) { work.append(WorkVM(label: "维护组织架构", url: "/orgs/\(me.orgID)", note: "新建、移动、停用组织，导入导出")) }
        if me.can(.manageUsers) { work.append(WorkVM(label: "管理用户与账号", url: "/users", note: "新建账号、分配角色、重置密码")) }
        if me.can(.editUnitProfile) && !me.can(.manageOrgs) { work.append(WorkVM(label: "完善本单位信息", url: "/orgs/\(me.orgID)", note: "地址、联系人、电话")) }
        if me.can(.viewGroups) { work.append(WorkVM(label: "查看领导小组与工作组", url: "/groups", note: "成员单位与分工")) }
        let data = HomeView(scopeName: me.orgName, scopeKind: me.orgKind.label, counts: counts, recent: recent, hasRecent: !recent.isEmpty,
                            orgID: me.orgID, work: work, inbox: try await s.cases.inbox(actor: me).map { CasePages(s: s, web: self).vm($0, now: s.clock.now()) },
                            notices: try await s.notices.inbox(actor: me, limit: 10).map(ScorePages(s: s, web: self).noticeItem),
                            canReport: me.can(.reportCases))
        return try render(ctx, req, "home", title: "工作台", data: data)
    }

    struct AccountView: Sendable {
        var user: UserVM
        var tokens: [TokenVM]
        var newToken: String?
        var must: Bool
        var minLength: Int
    }
    struct TokenVM: Sendable { var id: Int64; var name: String; var prefix: String; var created: String; var lastUsed: String; var revoked: Bool }

    func accountView(_ me: Identity, newToken: String? = nil, must: Bool = false) async throws -> AccountView {
        let u = try await s.users.get(me.userID, actor: me)
        let t = try await s.auth.tokens(actor: me).map {
            TokenVM(id: $0.id, name: $0.name, prefix: $0.prefix, created: Fmt.dateTime($0.createdAt), lastUsed: Fmt.dateTime($0.lastUsedAt), revoked: $0.revokedAt != nil)
        }
        return AccountView(user: UserVM(u), tokens: t, newToken: newToken, must: must || me.mustChangePassword,
                           minLength: try await s.settings.current().passwordMinLength)
    }

    func account(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try render(ctx, req, "account", title: "我的账号", data: try await accountView(me, must: query(req)["must"] == "1"))
    }

    func changePassword(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            try await s.users.changePassword(actor: me, current: f["current"], new: f["password"], confirm: f["confirm"])
            return redirect("/account", flash: "密码已修改")
        } catch let e as AppError {
            return try retry(ctx, req, "account", title: "我的账号", data: try await accountView(me), error: e)
        }
    }

    func createToken(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        do {
            let (secret, _) = try await s.auth.createToken(actor: me, name: ctx.form["name"])
            return try render(ctx, req, "account", title: "我的账号", data: try await accountView(me, newToken: secret))
        } catch let e as AppError {
            return try retry(ctx, req, "account", title: "我的账号", data: try await accountView(me), error: e)
        }
    }

    func revokeToken(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try await s.auth.revokeToken(id: try id(ctx), actor: me)
        return redirect("/account", flash: "令牌已吊销")
    }

    func openAPIDocument() throws -> Response {
        // Resources/openapi.yaml links to Sources/WenmingAPI/openapi.yaml, the one spec the server types are generated from.
        let path = s.config.resourcesDir + "/Resources/openapi.yaml"
        guard let data = FileManager.default.contents(atPath: path) else { throw AppError.notFound }
        var h = HTTPFields()
        h[.contentType] = "application/yaml; charset=utf-8"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Every cookie of the platform: HttpOnly, path /, SameSite as given, Secure when served over HTTPS.
func appCookie(_ name: String, _ value: String, maxAge: Int? = nil, sameSite: Cookie.SameSite) -> Cookie {
    Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: AppContext.secureCookies, httpOnly: true, sameSite: sameSite)
}

/// Reads an uploaded spreadsheet (XLSX or CSV, told apart by content) into a table, with a Chinese error.
func decodeTable(filename: String?, data: Data) throws -> Table {
    do { return Table(rawRows: try TableFile.decode(filename: filename, data: data)) } catch let e as SpreadsheetError {
        throw AppError.badRequest(e.description)
    } catch { throw AppError.badRequest(Msg.uploadUnreadable) }
}
