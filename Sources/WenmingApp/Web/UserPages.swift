import Foundation
import Hummingbird
import WenmingCore

/// User management pages (office admins) and user lists (anyone who may view users in their scope).
struct UserPages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/users") { req, ctx in try await list(req, ctx) }
        r.get("/users/new") { req, ctx in try await newForm(req, ctx) }
        r.post("/users") { req, ctx in try await create(req, ctx) }
        r.get("/users/:id") { req, ctx in try await show(req, ctx) }
        r.post("/users/:id") { req, ctx in try await update(req, ctx) }
        r.post("/users/:id/reset") { req, ctx in try await reset(req, ctx) }
        r.post("/users/:id/deactivate") { req, ctx in try await setActive(req, ctx, false) }
        r.post("/users/:id/activate") { req, ctx in try await setActive(req, ctx, true) }
    }

    struct ListView: Sendable { var q: String; var roles: [Option]; var rows: [UserVM]; var hasRows: Bool; var pager: Pager; var canManage: Bool }

    func list(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let qv = web.query(req)
        var q = UserService.Query()
        q.text = qv.trimmed("q")
        q.role = Role(rawValue: qv["role"])
        q.orgID = qv.int64("org")
        q.page = PageWindow(page: Int(qv["page"]) ?? 1, pageSize: 1).page
        q.pageSize = try await s.settings.current().pageSize
        let (rows, total) = try await s.users.list(q, actor: me)
        let data = ListView(q: q.text, roles: roleOptions(Role.allCases, selected: qv["role"]), rows: rows.map(UserVM.init), hasRows: !rows.isEmpty,
                            pager: Pager(page: q.page, pageSize: q.pageSize, total: total, base: "/users",
                                         query: [("q", q.text), ("role", qv["role"]), ("org", qv["org"])]),
                            canManage: me.can(.manageUsers))
        return try web.render(ctx, req, "users/list", title: "用户管理", data: data)
    }

    struct FormView: Sendable {
        var isNew: Bool
        var id: Int64?
        var username: String
        var displayName: String
        var roles: [Option]
        var orgCode: String
        var orgName: String?
        var phone: String
        var active: Bool
        var mustChange: Bool
        var minLength: Int
        var canManage: Bool
        var isSelf: Bool
    }

    func newForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.manageUsers)
        let org = try await s.orgs.get(web.query(req).int64("org") ?? me.orgID, actor: me)
        let data = FormView(isNew: true, id: nil, username: "", displayName: "", roles: roleOptions(me.role.assignableRoles, selected: Role.liaison.rawValue),
                            orgCode: org.code, orgName: org.name, phone: "", active: true, mustChange: true,
                            minLength: try await s.settings.current().passwordMinLength, canManage: true, isSelf: false)
        return try web.render(ctx, req, "users/form", title: "新建用户", data: data)
    }

    func orgByCode(_ code: String, _ me: Identity) async throws -> OrgRow {
        guard let o = try await s.db.read({ try await OrgService.fetch($0, code: code) }) else {
            throw AppError.validation(["orgID": "组织编码“\(code)”不存在"])
        }
        try me.requireScope(o.orgPath)
        return o
    }

    func create(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            let org = try await orgByCode(f.trimmed("orgCode"), me)
            let v = try await s.users.create(UserInput(username: f.trimmed("username"), displayName: f.trimmed("displayName"), role: f["role"],
                                                       orgID: org.id, phone: f.trimmed("phone"), password: f["password"]), actor: me)
            return web.redirect("/users/\(v.user.id)", flash: "已新建用户 \(v.user.username)，首次登录须修改密码")
        } catch let e as AppError {
            let data = FormView(isNew: true, id: nil, username: f.trimmed("username"), displayName: f.trimmed("displayName"),
                                roles: roleOptions(me.role.assignableRoles, selected: f["role"]), orgCode: f.trimmed("orgCode"), orgName: nil,
                                phone: f.trimmed("phone"), active: true, mustChange: true,
                                minLength: try await s.settings.current().passwordMinLength, canManage: true, isSelf: false)
            return try web.retry(ctx, req, "users/form", title: "新建用户", data: data, error: e)
        }
    }

    func view(_ me: Identity, _ v: UserView) async throws -> FormView {
        FormView(isNew: false, id: v.user.id, username: v.user.username, displayName: v.user.displayName,
                 roles: roleOptions(me.can(.manageUsers) ? me.role.assignableRoles : [v.user.userRole], selected: v.user.role),
                 orgCode: v.org.code, orgName: v.org.name, phone: v.user.phone, active: v.user.isActive, mustChange: v.user.mustChangePassword != 0,
                 minLength: try await s.settings.current().passwordMinLength, canManage: me.can(.manageUsers), isSelf: v.user.id == me.userID)
    }

    func show(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await s.users.get(try web.id(ctx), actor: me)
        return try web.render(ctx, req, "users/form", title: "用户：\(v.user.displayName)", data: try await view(me, v))
    }

    func update(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let f = ctx.form
        let before = try await s.users.get(id, actor: me)
        do {
            let org = try await orgByCode(f.trimmed("orgCode"), me)
            _ = try await s.users.update(id, UserInput(username: before.user.username, displayName: f.trimmed("displayName"), role: f["role"],
                                                       orgID: org.id, phone: f.trimmed("phone")), actor: me)
            return web.redirect("/users/\(id)", flash: "已保存")
        } catch let e as AppError {
            var data = try await view(me, before)
            data.displayName = f.trimmed("displayName"); data.phone = f.trimmed("phone"); data.orgCode = f.trimmed("orgCode")
            return try web.retry(ctx, req, "users/form", title: "用户：\(before.user.displayName)", data: data, error: e)
        }
    }

    func reset(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        do {
            try await s.users.resetPassword(id, newPassword: ctx.form["password"], actor: me)
            return web.redirect("/users/\(id)", flash: "密码已重置，用户下次登录须修改密码")
        } catch let e as AppError {
            let v = try await s.users.get(id, actor: me)
            return try web.retry(ctx, req, "users/form", title: "用户：\(v.user.displayName)", data: try await view(me, v), error: e)
        }
    }

    func setActive(_ req: Request, _ ctx: AppContext, _ active: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        try await s.users.setActive(id, active, actor: me)
        return web.redirect("/users/\(id)", flash: active ? "账号已启用" : "账号已停用")
    }
}

/// Audit log and settings.
struct AdminPages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/audit") { req, ctx in try await audit(req, ctx) }
        r.get("/settings") { req, ctx in try await settings(req, ctx) }
        r.post("/settings") { req, ctx in try await saveSettings(req, ctx) }
    }

    struct AuditView: Sendable {
        var rows: [AuditVM]
        var hasRows: Bool
        var pager: Pager
        var actor: String
        var from: String
        var to: String
        var entities: [Option]
        var actions: [Option]
    }

    func audit(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let q = web.query(req)
        var f = Audit.Filter()
        f.actor = q.trimmed("actor")
        f.entity = q["entity"]
        f.action = q["action"]
        f.from = Fmt.day(q["from"])
        f.to = Fmt.day(q["to"]).map { $0.addingTimeInterval(86400) }
        f.entityID = q.int64("entityId")
        f.page = PageWindow(page: Int(q["page"]) ?? 1, pageSize: 1).page
        let size = try await s.settings.current().pageSize
        let (rows, total) = try await Audit.list(s.db, actor: me, filter: f, pageSize: size)
        let data = AuditView(rows: rows.map(AuditVM.init), hasRows: !rows.isEmpty,
                             pager: Pager(page: f.page, pageSize: size, total: total, base: "/audit",
                                          query: [("actor", f.actor), ("entity", f.entity), ("entityId", q["entityId"]), ("action", f.action), ("from", q["from"]), ("to", q["to"])]),
                             actor: f.actor, from: q["from"], to: q["to"],
                             entities: [Option(value: "", label: "全部对象", selected: f.entity.isEmpty)] +
                                Audit.entityLabels.sorted { $0.key < $1.key }.map { Option(value: $0.key, label: $0.value, selected: $0.key == f.entity) },
                             actions: [Option(value: "", label: "全部操作", selected: f.action.isEmpty)] +
                                Audit.actionLabels.sorted { $0.key < $1.key }.map { Option(value: $0.key, label: $0.value, selected: $0.key == f.action) })
        return try web.render(ctx, req, "audit", title: "审计日志", data: data)
    }

    struct SettingsView: Sendable { var fields: [SettingVM] }
    struct SettingVM: Sendable { var key: String; var label: String; var value: String; var range: String }

    func settingsView(_ values: Settings, overrides: [String: String] = [:]) -> SettingsView {
        SettingsView(fields: Settings.fields.map {
            SettingVM(key: $0.key, label: $0.label, value: overrides[$0.key] ?? String(values[$0.key]!), range: "\($0.range.lowerBound)–\($0.range.upperBound)")
        })
    }

    func settings(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.manageOrgs)
        guard me.orgPath.ids.count == 1 else { throw AppError.forbidden("只有市级创文办管理员可以修改系统设置") }
        return try web.render(ctx, req, "settings", title: "系统设置", data: settingsView(try await s.settings.current()))
    }

    func saveSettings(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        var values: [String: String] = [:]
        for f in Settings.fields { values[f.key] = ctx.form[f.key] }
        do {
            _ = try await s.settings.save(values, actor: me)
            return web.redirect("/settings", flash: "设置已保存")
        } catch let e as AppError {
            return try web.retry(ctx, req, "settings", title: "系统设置", data: settingsView(try await s.settings.current(), overrides: values), error: e)
        }
    }
}
