import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// Pages for the organisation tree, unit pages, import/export, campaign bodies and adoption.
struct OrgPages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/orgs") { req, ctx in try await list(req, ctx) }
        r.get("/orgs/new") { req, ctx in try await newForm(req, ctx) }
        r.post("/orgs") { req, ctx in try await create(req, ctx) }
        r.get("/orgs/import") { req, ctx in try await importForm(req, ctx) }
        r.post("/orgs/import") { req, ctx in try await importFile(req, ctx) }
        r.get("/orgs/export.csv") { req, ctx in try await export(req, ctx, xlsx: false) }
        r.get("/orgs/export.xlsx") { req, ctx in try await export(req, ctx, xlsx: true) }
        r.get("/orgs/template.xlsx") { req, ctx in try template(req, ctx) }
        r.get("/orgs/:id") { req, ctx in try await show(req, ctx) }
        r.get("/orgs/:id/edit") { req, ctx in try await editForm(req, ctx) }
        r.post("/orgs/:id") { req, ctx in try await update(req, ctx) }
        r.post("/orgs/:id/move") { req, ctx in try await move(req, ctx) }
        r.post("/orgs/:id/deactivate") { req, ctx in try await setActive(req, ctx, false) }
        r.post("/orgs/:id/activate") { req, ctx in try await setActive(req, ctx, true) }
        r.post("/orgs/:id/members") { req, ctx in try await addMember(req, ctx) }
        r.post("/members/:id/remove") { req, ctx in try await removeMember(req, ctx) }
        r.get("/groups") { req, ctx in try await groups(req, ctx) }
        r.get("/adoptions") { req, ctx in try await adoptions(req, ctx) }
        r.post("/adoptions") { req, ctx in try await createAdoption(req, ctx) }
        r.post("/adoptions/:id/end") { req, ctx in try await endAdoption(req, ctx) }
    }

    // MARK: list / search

    struct ListView: Sendable {
        var q: String
        var kinds: [Option]
        var rows: [OrgVM]
        var hasRows: Bool
        var pager: Pager
        var inactive: Bool
        var canManage: Bool
        var canExport: Bool
        var scopeID: Int64
    }

    func list(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let qv = web.query(req)
        var q = OrgService.SearchQuery()
        q.text = qv.trimmed("q")
        q.kinds = qv["kind"].split(separator: ",").compactMap { OrgKind(rawValue: String($0)) }
        if q.kinds.isEmpty { q.family = OrgKind.Family(rawValue: qv["family"]) }
        q.includeInactive = qv["inactive"] == "1"
        q.page = PageWindow(page: Int(qv["page"]) ?? 1, pageSize: 1).page
        q.pageSize = try await s.settings.current().pageSize
        let (rows, total) = try await s.orgs.search(q, actor: me)
        let parents = try await s.orgs.byIDs(rows.compactMap(\.parentId))
        let data = ListView(q: q.text, kinds: kindOptions(OrgKind.allCases, selected: qv["kind"]),
                            rows: rows.map { OrgVM($0, parent: $0.parentId.flatMap { parents[$0] }) }, hasRows: !rows.isEmpty,
                            pager: Pager(page: q.page, pageSize: q.pageSize, total: total, base: "/orgs",
                                         query: [("q", q.text), ("kind", qv["kind"]), ("family", qv["family"]), ("inactive", qv["inactive"])]),
                            inactive: q.includeInactive, canManage: me.can(.manageOrgs), canExport: me.can(.exportOrgs), scopeID: me.orgID)
        return try web.render(ctx, req, "orgs/list", title: "组织架构", data: data)
    }

    // MARK: one node

    struct ShowView: Sendable {
        var org: OrgVM
        var crumbs: [Crumb]
        var childGroups: [ChildGroup]
        var hasChildren: Bool
        var users: [UserVM]
        var hasUsers: Bool
        var adopts: [AdoptionVM]
        var adoptedBy: [AdoptionVM]
        var memberships: [MembershipVM]
        var members: [MemberVM]
        var history: [AuditVM]
        var canManage: Bool
        var canEdit: Bool
        var canUsers: Bool
        var canGroups: Bool
        var canAudit: Bool
        var childKinds: [Option]
        var canAddChild: Bool
        var isScopeRoot: Bool
    }
    struct AdoptionVM: Sendable { var id: Int64; var unitID: Int64; var unitName: String; var kindLabel: String; var targetName: String; var targetID: Int64?; var since: String; var active: Bool }
    struct MembershipVM: Sendable { var groupID: Int64; var groupName: String; var lead: Bool }
    struct MemberVM: Sendable { var membershipID: Int64; var orgID: Int64; var name: String; var code: String; var lead: Bool }

    static func adoptionVM(_ a: GroupService.AdoptionView) -> AdoptionVM {
        AdoptionVM(id: a.adoption.id, unitID: a.unit.id, unitName: a.unit.name, kindLabel: AdoptionKind(rawValue: a.adoption.kind)?.label ?? a.adoption.kind,
                   targetName: a.adoption.targetName, targetID: a.target?.id, since: Fmt.dateTime(a.adoption.createdAt), active: a.adoption.active != 0)
    }

    func show(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let row = try await s.orgs.get(try web.id(ctx), actor: me)
        let crumbs = try await s.orgs.ancestors(of: row, actor: me).map { Crumb(id: $0.id, name: $0.name) }
        let children = try await s.orgs.children(of: row.id, actor: me)
        let sector = try await row.sectorId.asyncMap { try await s.orgs.byIDs([$0])[$0] } ?? nil
        var users: [UserVM] = []
        if me.can(.viewUsers) {
            var q = UserService.Query()
            q.orgID = row.id
            q.pageSize = 200
            users = try await s.users.list(q, actor: me).rows.filter { $0.org.id == row.id }.map(UserVM.init)
        }
        let adopts = row.orgKind.isUnit ? try await s.groups.adoptions(actor: me, unitID: row.id).map(Self.adoptionVM) : []
        let adoptedBy = row.orgKind.isTerritory ? try await s.groups.adoptions(actor: me, targetID: row.id).map(Self.adoptionVM) : []
        var memberships: [MembershipVM] = []
        var members: [MemberVM] = []
        if me.can(.viewGroups) {
            if row.orgKind.isUnit {
                memberships = try await s.groups.memberships(of: row.id, actor: me).map { MembershipVM(groupID: $0.group.id, groupName: $0.group.name, lead: $0.isLead) }
            }
            if row.orgKind.family == .body {
                members = try await s.groups.members(of: row.id, actor: me).map { MemberVM(membershipID: $0.membershipID, orgID: $0.org.id, name: $0.org.name, code: $0.org.code, lead: $0.isLead) }
            }
        }
        var history: [AuditVM] = []
        if me.can(.viewAudit) {
            var f = Audit.Filter()
            f.entity = "org"
            f.entityID = row.id
            history = try await Audit.list(s.db, actor: me, filter: f, pageSize: 20).entries.map(AuditVM.init)
        }
        let childKinds = OrgKind.allCases.filter { $0.allowedParents.contains(row.orgKind) }
        let data = ShowView(org: OrgVM(row, sector: sector), crumbs: crumbs, childGroups: groupChildren(children), hasChildren: !children.isEmpty,
                            users: users, hasUsers: !users.isEmpty, adopts: adopts, adoptedBy: adoptedBy, memberships: memberships,
                            members: members, history: history, canManage: me.can(.manageOrgs),
                            canEdit: me.can(.manageOrgs) || (me.can(.editUnitProfile) && (row.orgKind.isUnit || row.id == me.orgID)),
                            canUsers: me.can(.manageUsers), canGroups: me.can(.manageGroups), canAudit: me.can(.viewAudit),
                            childKinds: kindOptions(childKinds, selected: nil), canAddChild: me.can(.manageOrgs) && !childKinds.isEmpty,
                            isScopeRoot: row.id == me.orgID)
        return try web.render(ctx, req, "orgs/show", title: row.name, data: data)
    }

    // MARK: create / edit

    struct FormView: Sendable {
        var isNew: Bool
        var id: Int64?
        var code: String
        var name: String
        var kinds: [Option]
        var parentID: String
        var parentName: String
        var sectors: [Option]
        var address: String
        var contact: String
        var phone: String
        var leaderName: String
        var leaderTitle: String
        var duty: String
        var isBody: Bool
        var isUnit: Bool
        var full: Bool
        var active: Bool
    }

    func sectorOptions(_ me: Identity, selected: Int64?) async throws -> [Option] {
        [Option(value: "", label: "（无）", selected: selected == nil)] +
            (try await s.orgs.departments(actor: me)).map { Option(value: String($0.id), label: $0.name, selected: $0.id == selected) }
    }

    func newForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.manageOrgs)
        let q = web.query(req)
        let parent = try await s.orgs.get(q.int64("parent") ?? me.orgID, actor: me)
        let kinds = OrgKind.allCases.filter { $0.allowedParents.contains(parent.orgKind) }
        let kind = OrgKind(rawValue: q["kind"]) ?? kinds.first ?? .agency
        let data = FormView(isNew: true, id: nil, code: "", name: "", kinds: kindOptions(kinds, selected: kind.rawValue), parentID: String(parent.id),
                            parentName: parent.name, sectors: try await sectorOptions(me, selected: nil), address: "", contact: "", phone: "",
                            leaderName: "", leaderTitle: "", duty: "", isBody: kind.family == .body, isUnit: kind.isUnit, full: true, active: true)
        return try web.render(ctx, req, "orgs/form", title: "新建组织", data: data)
    }

    func input(_ f: FormValues) -> OrgInput {
        var i = OrgInput(code: f.trimmed("code"), name: f.trimmed("name"), kind: f["kind"], parentID: f.int64("parentID"), sectorID: f.int64("sectorID"))
        i.address = f.trimmed("address"); i.contact = f.trimmed("contact"); i.phone = f.trimmed("phone")
        i.leaderName = f.trimmed("leaderName"); i.leaderTitle = f.trimmed("leaderTitle"); i.duty = f.trimmed("duty")
        return i
    }

    func create(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let i = input(ctx.form)
        do {
            let row = try await s.orgs.create(i, actor: me)
            return web.redirect("/orgs/\(row.id)", flash: "已新建“\(row.name)”")
        } catch let e as AppError {
            let parent = try? await i.parentID.asyncMap { try await s.orgs.get($0, actor: me) }
            let kinds = parent.map { p in OrgKind.allCases.filter { $0.allowedParents.contains(p.orgKind) } } ?? OrgKind.allCases
            let kind = OrgKind(rawValue: i.kind)
            let data = FormView(isNew: true, id: nil, code: i.code, name: i.name, kinds: kindOptions(kinds, selected: i.kind),
                                parentID: i.parentID.map(String.init) ?? "", parentName: parent?.name ?? "",
                                sectors: try await sectorOptions(me, selected: i.sectorID), address: i.address, contact: i.contact,
                                phone: i.phone, leaderName: i.leaderName, leaderTitle: i.leaderTitle, duty: i.duty,
                                isBody: kind?.family == .body, isUnit: kind?.isUnit ?? false, full: true, active: true)
            return try web.retry(ctx, req, "orgs/form", title: "新建组织", data: data, error: e)
        }
    }

    func formView(_ me: Identity, _ row: OrgRow, overriding i: OrgInput? = nil) async throws -> FormView {
        FormView(isNew: false, id: row.id, code: row.code, name: i?.name ?? row.name, kinds: kindOptions([row.orgKind], selected: row.kind),
                 parentID: row.parentId.map(String.init) ?? "", parentName: "", sectors: try await sectorOptions(me, selected: i?.sectorID ?? row.sectorId),
                 address: i?.address ?? row.address, contact: i?.contact ?? row.contact, phone: i?.phone ?? row.phone,
                 leaderName: i?.leaderName ?? row.leaderName, leaderTitle: i?.leaderTitle ?? row.leaderTitle, duty: i?.duty ?? row.duty,
                 isBody: row.orgKind.family == .body, isUnit: row.orgKind.isUnit, full: me.can(.manageOrgs), active: row.isActive)
    }

    func editForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        guard me.can(.manageOrgs) || me.can(.editUnitProfile) else { throw AppError.forbidden(Msg.forbidden) }
        let row = try await s.orgs.get(try web.id(ctx), actor: me)
        return try web.render(ctx, req, "orgs/form", title: "编辑：\(row.name)", data: try await formView(me, row))
    }

    func update(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let row = try await s.orgs.get(id, actor: me)
        var i = input(ctx.form)
        if !me.can(.manageOrgs) { i.name = row.name; i.sectorID = row.sectorId; i.leaderName = row.leaderName; i.leaderTitle = row.leaderTitle; i.duty = row.duty }
        do {
            _ = try await s.orgs.update(id, i, actor: me)
            return web.redirect("/orgs/\(id)", flash: "已保存")
        } catch let e as AppError {
            return try web.retry(ctx, req, "orgs/form", title: "编辑：\(row.name)", data: try await formView(me, row, overriding: i), error: e)
        }
    }

    func move(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let code = ctx.form.trimmed("parentCode")
        guard let parent = try await s.db.read({ try await OrgService.fetch($0, code: code) }) else {
            throw AppError.badRequest(Msg.parentNotFound(code))
        }
        let row = try await s.orgs.move(id, to: parent.id, actor: me)
        return web.redirect("/orgs/\(row.id)", flash: "已移动到“\(parent.name)”之下")
    }

    func setActive(_ req: Request, _ ctx: AppContext, _ active: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        let row = try await s.orgs.setActive(try web.id(ctx), active, actor: me)
        return web.redirect("/orgs/\(row.id)", flash: active ? "已启用" : "已停用（历史记录仍保留）")
    }

    // MARK: import / export

    struct ImportView: Sendable { var columns: [String]; var kinds: String; var maxMB: Int }

    func importForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.importOrgs)
        return try web.render(ctx, req, "orgs/import", title: "导入组织", data: importView(maxMB: try await s.settings.current().uploadMaxMB))
    }

    func importView(maxMB: Int) -> ImportView {
        ImportView(columns: OrgImport.columns.map { $0.header + ($0.required ? "（必填）" : "") },
                   kinds: OrgKind.allCases.map(\.label).joined(separator: "、"), maxMB: maxMB)
    }

    func importFile(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.importOrgs)
        let settings = try await s.settings.current()
        do {
            let result = try await s.orgs.importTable(try await web.uploadedTable(ctx), actor: me, maxRows: settings.importMaxRows)
            return web.redirect("/orgs/import", flash: "导入成功：新建 \(result.created) 个，更新 \(result.updated) 个，未变 \(result.unchanged) 个")
        } catch let e as AppError {
            return try web.retry(ctx, req, "orgs/import", title: "导入组织", data: importView(maxMB: settings.uploadMaxMB), error: e)
        }
    }

    func export(_ req: Request, _ ctx: AppContext, xlsx: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        let rows = try await s.orgs.exportRows(actor: me)
        return try fileResponse(rows: rows, name: "组织架构-\(me.orgName)", xlsx: xlsx, sheet: "组织架构")
    }

    func template(_ req: Request, _ ctx: AppContext) throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.importOrgs)
        let rows = [OrgImport.columns.map(\.header), ["QC01-99", "示例社区", "社区", "QC01-01", "", "示例地址", "张三", "13900000000", "是"]]
        return try fileResponse(rows: rows, name: "组织导入模板", xlsx: true, sheet: "组织架构")
    }

    // MARK: groups and adoption

    struct GroupsView: Sendable { var bodies: [BodyVM]; var hasBodies: Bool }
    struct BodyVM: Sendable { var org: OrgVM; var members: [MemberVM]; var memberCount: Int }

    func groups(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        var out: [BodyVM] = []
        for b in try await s.groups.bodies(actor: me) {
            let m = try await s.groups.members(of: b.id, actor: me)
            out.append(BodyVM(org: OrgVM(b), members: m.filter(\.isLead).map { MemberVM(membershipID: $0.membershipID, orgID: $0.org.id, name: $0.org.name, code: $0.org.code, lead: true) },
                              memberCount: m.count))
        }
        return try web.render(ctx, req, "orgs/groups", title: "领导小组与工作组", data: GroupsView(bodies: out, hasBodies: !out.isEmpty))
    }

    func addMember(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        try await s.groups.addMember(groupID: id, memberCode: ctx.form["memberCode"], isLead: ctx.form["lead"] == "1", actor: me)
        return web.redirect("/orgs/\(id)", flash: "已添加成员单位")
    }

    func removeMember(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try await s.groups.removeMember(membershipID: try web.id(ctx), actor: me)
        let back = ctx.form.int64("back").map { "/orgs/\($0)" } ?? "/groups"
        return web.redirect(back, flash: "已移除成员单位")
    }

    struct AdoptionsView: Sendable { var rows: [AdoptionVM]; var hasRows: Bool; var canManage: Bool; var kinds: [Option]; var ended: Bool }

    func adoptions(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let ended = web.query(req)["ended"] == "1"
        let rows = try await s.groups.adoptions(actor: me, includeEnded: ended).map(Self.adoptionVM)
        return try web.render(ctx, req, "orgs/adoptions", title: "包保关系",
                              data: AdoptionsView(rows: rows, hasRows: !rows.isEmpty, canManage: me.can(.manageAdoptions),
                                                  kinds: AdoptionKind.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: false) }, ended: ended))
    }

    func createAdoption(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        guard let unit = try await s.db.read({ try await OrgService.fetch($0, code: f.trimmed("unitCode")) }) else {
            throw AppError.badRequest("包保单位编码“\(f.trimmed("unitCode"))”不存在")
        }
        guard let kind = AdoptionKind(rawValue: f["kind"]) else { throw AppError.badRequest(Msg.invalidField("包保类型")) }
        var targetID: Int64?
        if kind == .community {
            guard let t = try await s.db.read({ try await OrgService.fetch($0, code: f.trimmed("targetCode")) }) else {
                throw AppError.badRequest("包保社区编码“\(f.trimmed("targetCode"))”不存在")
            }
            targetID = t.id
        }
        _ = try await s.groups.createAdoption(unitID: unit.id, kind: kind, targetID: targetID, targetName: f.trimmed("targetName"), actor: me)
        return web.redirect("/adoptions", flash: "已建立包保关系")
    }

    func endAdoption(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try await s.groups.endAdoption(id: try web.id(ctx), actor: me)
        return web.redirect("/adoptions", flash: "已结束包保关系")
    }
}

/// A CSV (UTF-8 with BOM, opens in Excel) or XLSX download.
func fileResponse(rows: [[String]], name: String, xlsx: Bool, sheet: String) throws -> Response {
    let data: Data = xlsx ? try XLSX.write(sheets: [(name: sheet, rows: rows)]) : Data(CSV.write(rows).utf8)
    var h = HTTPFields()
    h[.contentType] = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8"
    let file = name + (xlsx ? ".xlsx" : ".csv")
    h[.contentDisposition] = "attachment; filename=\"export.\(xlsx ? "xlsx" : "csv")\"; filename*=UTF-8''\(FormEncoding.escape(file))"
    return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
