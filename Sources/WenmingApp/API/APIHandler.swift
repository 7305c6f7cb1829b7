import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import WenmingAPI
import WenmingCore

/// The caller of the current API request, set by `IdentityMiddleware` for the generated handlers,
/// which see only their typed input.
enum APIIdentity {
    @TaskLocal static var current: Identity?
    @TaskLocal static var remoteIP: String = ""

    static func require() throws -> Identity {
        guard let i = current else { throw AppError.unauthorized }
        return i
    }
}

enum APIRoutes {
    static func register(on router: Router<AppContext>, services: Services) {
        do {
            // Compact JSON: the runtime's default is sorted and pretty-printed, which only costs CPU and bytes here.
            try APIHandler(s: services).registerHandlers(on: router, configuration: .init(jsonEncodingOptions: []))
        } catch {
            fatalError("OpenAPI handlers could not be registered: \(error)")
        }
    }
}

/// Implements the operations of Sources/WenmingAPI/openapi.yaml with the same services as the pages.
struct APIHandler: APIProtocol {
    let s: Services

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        _ = try await s.db.read { try await $0.raw("SELECT 1 AS one").all() }
        return .ok(.init(body: .json(.init(status: "ok", database: s.db.engine == .sqlite ? .sqlite : .postgres))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let body) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        let user = try await s.auth.authenticate(username: body.username, password: body.password, ip: APIIdentity.remoteIP)
        guard var me = try await s.db.read({ try await AuthService.identity($0, userID: user.id) }) else { throw AppError.unauthorized }
        me.ip = APIIdentity.remoteIP
        let name = (body.name ?? "").trimmed()
        let (token, _) = try await s.auth.createToken(actor: me, name: name.isEmpty ? "API 登录" : name)
        return .created(.init(body: .json(.init(token: token, user: Self.me(me)))))
    }

    /// The page asked for, clamped; the page size defaults to the office's setting.
    func window(page: Int?, pageSize: Int?) async throws -> PageWindow {
        let defaultSize = try await s.settings.current().pageSize
        return PageWindow(page: page ?? 1, pageSize: pageSize ?? defaultSize)
    }

    static func me(_ i: Identity) -> Components.Schemas.Me {
        .init(id: i.userID, username: i.username, displayName: i.displayName, role: .init(rawValue: i.role.rawValue)!,
              roleLabel: i.role.label, orgId: i.orgID, orgName: i.orgName, scopePath: i.orgPath.description,
              permissions: i.role.permissions.map(\.rawValue).sorted())
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        .ok(.init(body: .json(Self.me(try APIIdentity.require()))))
    }

    static func org(_ r: OrgRow) -> Components.Schemas.Org {
        .init(id: r.id, code: r.code, name: r.name, kind: .init(rawValue: r.kind)!, kindLabel: r.orgKind.label, parentId: r.parentId,
              sectorId: r.sectorId, path: r.path, active: r.isActive, address: r.address, contact: r.contact, phone: r.phone,
              leaderName: r.leaderName, leaderTitle: r.leaderTitle, duty: r.duty)
    }

    func listOrgs(_ input: Operations.ListOrgs.Input) async throws -> Operations.ListOrgs.Output {
        let me = try APIIdentity.require()
        var q = OrgService.SearchQuery()
        q.text = input.query.q ?? ""
        q.kind = input.query.kind.flatMap { OrgKind(rawValue: $0.rawValue) }
        q.under = input.query.under
        q.includeInactive = input.query.includeInactive ?? false
        let w = try await window(page: input.query.page, pageSize: input.query.pageSize)
        (q.page, q.pageSize) = (w.page, w.pageSize)
        let (rows, total) = try await s.orgs.search(q, actor: me)
        return .ok(.init(body: .json(.init(items: rows.map(Self.org), total: total, page: q.page, pageSize: q.pageSize))))
    }

    func createOrg(_ input: Operations.CreateOrg.Input) async throws -> Operations.CreateOrg.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        var i = OrgInput(code: b.code, name: b.name, kind: b.kind.rawValue, parentID: b.parentId, sectorID: b.sectorId)
        i.address = b.address ?? ""; i.contact = b.contact ?? ""; i.phone = b.phone ?? ""
        i.leaderName = b.leaderName ?? ""; i.leaderTitle = b.leaderTitle ?? ""; i.duty = b.duty ?? ""
        return .created(.init(body: .json(Self.org(try await s.orgs.create(i, actor: me)))))
    }

    func importOrgs(_ input: Operations.ImportOrgs.Input) async throws -> Operations.ImportOrgs.Output {
        let me = try APIIdentity.require()
        try me.require(.importOrgs)
        guard case .binary(let body) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        let settings = try await s.settings.current()
        let limit = settings.uploadMaxMB * 1024 * 1024
        let data: Data
        do { data = try await Data(collecting: body, upTo: limit) } catch { throw AppError.payloadTooLarge(Msg.uploadTooLarge(settings.uploadMaxMB)) }
        let r = try await s.orgs.importTable(try decodeTable(filename: nil, data: data), actor: me, maxRows: settings.importMaxRows)
        return .ok(.init(body: .json(.init(created: r.created, updated: r.updated, unchanged: r.unchanged))))
    }

    func exportOrgs(_ input: Operations.ExportOrgs.Input) async throws -> Operations.ExportOrgs.Output {
        let me = try APIIdentity.require()
        let rows = try await s.orgs.exportRows(actor: me)
        return .ok(.init(body: .csv(HTTPBody(CSV.write(rows)))))
    }

    func getOrg(_ input: Operations.GetOrg.Input) async throws -> Operations.GetOrg.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(Self.org(try await s.orgs.get(input.path.id, actor: me)))))
    }

    func updateOrg(_ input: Operations.UpdateOrg.Input) async throws -> Operations.UpdateOrg.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        let row = try await s.orgs.get(input.path.id, actor: me)
        var i = OrgInput(code: row.code, name: b.name ?? row.name, kind: row.kind, parentID: row.parentId,
                         sectorID: b.sectorId.map { $0 == 0 ? nil : $0 } ?? row.sectorId)
        i.address = b.address ?? row.address; i.contact = b.contact ?? row.contact; i.phone = b.phone ?? row.phone
        i.leaderName = b.leaderName ?? row.leaderName; i.leaderTitle = b.leaderTitle ?? row.leaderTitle; i.duty = b.duty ?? row.duty
        if !me.can(.manageOrgs) && (b.name != nil || b.sectorId != nil || b.leaderName != nil || b.leaderTitle != nil || b.duty != nil) {
            throw AppError.forbidden(Msg.forbidden)
        }
        return .ok(.init(body: .json(Self.org(try await s.orgs.update(input.path.id, i, actor: me)))))
    }

    func listOrgChildren(_ input: Operations.ListOrgChildren.Input) async throws -> Operations.ListOrgChildren.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(try await s.orgs.children(of: input.path.id, actor: me).map(Self.org))))
    }

    func moveOrg(_ input: Operations.MoveOrg.Input) async throws -> Operations.MoveOrg.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        return .ok(.init(body: .json(Self.org(try await s.orgs.move(input.path.id, to: b.parentId, actor: me)))))
    }

    func setOrgActive(_ input: Operations.SetOrgActive.Input) async throws -> Operations.SetOrgActive.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        return .ok(.init(body: .json(Self.org(try await s.orgs.setActive(input.path.id, b.active, actor: me)))))
    }

    static func user(_ v: UserView) -> Components.Schemas.User {
        .init(id: v.user.id, username: v.user.username, displayName: v.user.displayName, role: .init(rawValue: v.user.role)!,
              orgId: v.org.id, orgName: v.org.name, phone: v.user.phone, active: v.user.isActive)
    }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let me = try APIIdentity.require()
        var q = UserService.Query()
        q.text = input.query.q ?? ""
        q.role = input.query.role.flatMap { Role(rawValue: $0.rawValue) }
        q.orgID = input.query.org
        let w = try await window(page: input.query.page, pageSize: input.query.pageSize)
        (q.page, q.pageSize) = (w.page, w.pageSize)
        let (rows, total) = try await s.users.list(q, actor: me)
        return .ok(.init(body: .json(.init(items: rows.map(Self.user), total: total, page: q.page, pageSize: q.pageSize))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        let v = try await s.users.create(UserInput(username: b.username, displayName: b.displayName, role: b.role.rawValue, orgID: b.orgId,
                                                   phone: b.phone ?? "", password: b.password), actor: me)
        return .created(.init(body: .json(Self.user(v))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(Self.user(try await s.users.get(input.path.id, actor: me)))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        let v = try await s.users.get(input.path.id, actor: me)
        let after = try await s.users.update(v.user.id, UserInput(username: v.user.username, displayName: b.displayName ?? v.user.displayName,
                                                                 role: b.role?.rawValue ?? v.user.role, orgID: b.orgId ?? v.org.id,
                                                                 phone: b.phone ?? v.user.phone), active: b.active, actor: me)
        return .ok(.init(body: .json(Self.user(after))))
    }

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        let me = try APIIdentity.require()
        var f = Audit.Filter()
        f.entity = input.query.entity ?? ""
        f.entityID = input.query.entityId
        f.action = input.query.action ?? ""
        f.page = input.query.page ?? 1
        let (rows, total) = try await Audit.list(s.db, actor: me, filter: f, pageSize: try await s.settings.current().pageSize)
        let items = rows.map {
            Components.Schemas.AuditEntry(id: $0.id, at: Date(epoch: $0.at), actorId: $0.actorId, actorName: $0.actorName, action: $0.action,
                                          entity: $0.entity, entityId: $0.entityId, summary: $0.summary, before: $0.beforeJson,
                                          after: $0.afterJson, ip: $0.ip)
        }
        return .ok(.init(body: .json(.init(items: items, total: total, page: f.page))))
    }
}

extension APIHandler {
    func listIndexSystems(_ input: Operations.ListIndexSystems.Input) async throws -> Operations.ListIndexSystems.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(try await s.index.systems(actor: me).map {
            .init(id: $0.id, code: $0.code, name: $0.name, edition: $0.edition, totalScore: $0.totalScore.map { Score(hundredths: $0).description },
                  prerequisiteThreshold: $0.prerequisiteThreshold.map { Score(hundredths: $0).description }, weightPercent: $0.weightPercent,
                  predecessorId: $0.predecessorId, sample: $0.isSample != 0)
        })))
    }

    func listIndexNodes(_ input: Operations.ListIndexNodes.Input) async throws -> Operations.ListIndexNodes.Output {
        let me = try APIIdentity.require()
        _ = try await s.index.system(input.path.id, actor: me)
        let nodes = try await s.index.nodes(system: input.path.id, actor: me).sorted { ($0.level, $0.sort) < ($1.level, $1.sort) }
        return .ok(.init(body: .json(nodes.map { n in
            .init(id: n.id, parentId: n.parentId, code: n.code, level: [.project: .project, .content: .content, .standard: .standard][n.indexLevel]!,
                  title: n.title, body: n.body, score: n.scoreValue.description, methods: n.methodList.compactMap { .init(rawValue: $0.rawValue) },
                  categories: n.categoryList, nature: StandardNature(rawValue: n.nature).flatMap { .init(rawValue: $0.rawValue) })
        })))
    }

    static func task(_ t: TaskView) -> Components.Schemas.Task {
        .init(id: t.a.id, standardId: t.standard.id, standardCode: t.standard.code, standard: t.standard.body.isEmpty ? t.standard.title : t.standard.body,
              systemId: t.system.id, unitId: t.unit.id, unitName: t.unit.name, role: .init(rawValue: t.a.role)!, status: .init(rawValue: t.a.status)!,
              statusLabel: t.a.taskStatus.label, person: t.a.person, deadline: t.a.deadline)
    }

    func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(try await s.tasks.mine(actor: me).map(Self.task))))
    }

    func getTask(_ input: Operations.GetTask.Input) async throws -> Operations.GetTask.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(Self.task(try await s.tasks.get(input.path.id, actor: me)))))
    }

    func actOnTask(_ input: Operations.ActOnTask.Input) async throws -> Operations.ActOnTask.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body, let action = TaskAction(rawValue: b.action.rawValue) else { throw AppError.badRequest(Msg.malformedRequest) }
        _ = try await s.tasks.act(input.path.id, action: action, reason: b.reason ?? "", actor: me)
        return .ok(.init(body: .json(Self.task(try await s.tasks.get(input.path.id, actor: me)))))
    }

    func reportOnTask(_ input: Operations.ReportOnTask.Input) async throws -> Operations.ReportOnTask.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        return .ok(.init(body: .json(.init(period: try await s.tasks.submitReport(input.path.id, body: b.body, files: [], actor: me)))))
    }
}
