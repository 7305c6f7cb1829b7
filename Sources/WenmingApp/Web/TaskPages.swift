import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// The 责任分解表, bulk assignment, "my tasks", a task's page (claim / adjust / plan / report) and 回头望.
struct TaskPages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/tasks") { req, ctx in try await table(req, ctx, print: false) }
        r.get("/tasks/print") { req, ctx in try await table(req, ctx, print: true) }
        r.get("/tasks/export.xlsx") { req, ctx in try await export(req, ctx, xlsx: true) }
        r.get("/tasks/export.csv") { req, ctx in try await export(req, ctx, xlsx: false) }
        r.post("/tasks/assign") { req, ctx in try await assign(req, ctx) }
        r.post("/tasks/bulk") { req, ctx in try await bulk(req, ctx) }
        r.get("/tasks/mine") { req, ctx in try await mine(req, ctx) }
        r.get("/tasks/lookback") { req, ctx in try await lookback(req, ctx) }
        r.get("/tasks/:id") { req, ctx in try await show(req, ctx) }
        r.post("/tasks/:id/act") { req, ctx in try await act(req, ctx) }
        r.post("/tasks/:id/milestones") { req, ctx in try await addMilestone(req, ctx) }
        r.post("/milestones/:id/done") { req, ctx in try await milestoneDone(req, ctx) }
        r.post("/tasks/:id/reports") { req, ctx in try await report(req, ctx) }
        r.get("/files/:id") { req, ctx in try await file(req, ctx) }
    }

    func filter(_ q: FormValues) -> TaskService.TableFilter {
        var f = TaskService.TableFilter()
        f.system = q.int64("system")
        f.unitID = q.int64("unit")
        f.groupID = q.int64("group")
        f.projectCode = q.trimmed("project")
        f.status = TaskStatus(rawValue: q["status"])
        return f
    }

    struct UnitCell: Sendable { var taskID: Int64; var name: String; var orgID: Int64; var status: String; var person: String?; var deadline: String? }
    struct RowVM: Sendable { var project: String; var content: String; var code: String; var standard: String; var score: String; var methods: String; var nodeID: Int64; var lead: [UnitCell]; var responsible: [UnitCell]; var supporting: [UnitCell]; var unassigned: Bool }
    struct TableView: Sendable {
        var systemID: Int64; var systemName: String; var sample: Bool
        var rows: [RowVM]; var count: Int; var unassigned: Int?
        var systems: [Option]; var projects: [Option]; var groups: [Option]; var statuses: [Option]; var methods: [Option]; var roles: [Option]
        var bulkProjects: [Option]; var bulkGroups: [Option]
        var unit: String?; var unitCode: String; var query: String; var canAssign: Bool; var printedAt: String
    }

    func tableView(_ req: Request, _ me: Identity, _ q: FormValues) async throws -> TableView {
        var q = q
        // The filter form names a unit by its code; links carry its id.
        let askedCode = q.trimmed("unitCode")
        if !askedCode.isEmpty {
            guard let u = try await s.db.read({ try await OrgService.fetch($0, code: askedCode) }) else {
                throw AppError.badRequest("单位编码“\(askedCode)”不存在")
            }
            q.values["unit"] = [String(u.id)]
        }
        let f = filter(q)
        let (sys, rows) = try await s.tasks.table(f, actor: me)
        let systems = try await s.index.systems(actor: me)
        let nodes = try await s.index.nodes(system: sys.id, actor: me)
        let groups = try await (me.can(.viewGroups) ? s.groups.bodies(actor: me) : []).filter { $0.orgKind == .workingGroup || $0.orgKind == .office }
        func cells(_ r: TaskService.TableRow, _ role: AssignmentRole) -> [UnitCell] {
            r.tasks.filter { $0.a.taskRole == role }.map { UnitCell(taskID: $0.a.id, name: $0.unit.name, orgID: $0.unit.id, status: $0.a.taskStatus.label, person: $0.a.person.nonEmpty, deadline: $0.a.deadline.nonEmpty) }
        }
        let vms = rows.map { r in
            RowVM(project: r.project?.title ?? "", content: r.content?.title ?? "", code: r.standard.code,
                  standard: r.standard.body.isEmpty ? r.standard.title : r.standard.body, score: r.standard.scoreValue.description,
                  methods: r.standard.methodList.map(\.label).joined(separator: "、"), nodeID: r.standard.id,
                  lead: cells(r, .lead), responsible: cells(r, .responsible), supporting: cells(r, .supporting), unassigned: r.tasks.isEmpty)
        }
        let query = FormEncoding.encode([("system", String(sys.id)), ("unit", q["unit"]), ("group", q["group"]), ("project", q["project"]), ("status", q["status"])].filter { !$0.1.isEmpty })
        var unitName: String?
        var unitCode = ""
        if let u = f.unitID {
            let org = try await s.orgs.get(u, actor: me)
            unitName = org.name
            unitCode = org.code
        }
        return TableView(
            systemID: sys.id, systemName: "\(sys.name)（\(sys.edition)）", sample: sys.isSample != 0, rows: vms, count: vms.count,
            unassigned: vms.contains(where: \.unassigned) ? vms.filter(\.unassigned).count : nil,
            systems: systems.map { Option(value: String($0.id), label: "\($0.name)（\($0.edition)）", selected: $0.id == sys.id) },
            projects: [Option(value: "", label: "全部项目", selected: f.projectCode.isEmpty)] + nodes.filter { $0.indexLevel == .project }.map { Option(value: $0.code, label: "\($0.code) \($0.title)", selected: $0.code == f.projectCode) },
            groups: [Option(value: "", label: "全部工作组", selected: f.groupID == nil)] + groups.map { Option(value: String($0.id), label: $0.name, selected: $0.id == f.groupID) },
            statuses: [Option(value: "", label: "全部状态", selected: f.status == nil)] + TaskStatus.allCases.filter { $0 != .withdrawn }.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == f.status) },
            methods: CollectionMethod.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: false) },
            roles: AssignmentRole.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == .responsible) },
            bulkProjects: nodes.filter { $0.indexLevel == .project }.map { Option(value: $0.code, label: "\($0.code) \($0.title)", selected: false) },
            bulkGroups: [Option(value: "", label: "（不按工作组，分解给左边填写的单位）", selected: true)] + groups.map { Option(value: String($0.id), label: $0.name, selected: false) },
            unit: unitName, unitCode: unitCode, query: query, canAssign: me.can(.assignTasks), printedAt: Fmt.dateTime(s.clock.now().epoch))
    }

    func table(_ req: Request, _ ctx: AppContext, print: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        do {
            let data = try await tableView(req, me, web.query(req))
            return try web.render(ctx, req, print ? "tasks/print" : "tasks/table", title: "责任分解表", data: data)
        } catch AppError.notFound {
            throw AppError.badRequest("还没有测评体系。请先在“测评体系”页面导入（可使用自带的示例体系）")
        }
    }

    func export(_ req: Request, _ ctx: AppContext, xlsx: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try fileResponse(rows: try await s.tasks.tableRows(filter(web.query(req)), actor: me), name: "责任分解表", xlsx: xlsx, sheet: "责任分解表")
    }

    func assign(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        guard let node = f.int64("node"), let role = AssignmentRole(rawValue: f["role"]) else { throw AppError.badRequest(Msg.malformedRequest) }
        try await s.tasks.assign(standardID: node, unitCode: f.trimmed("unitCode"), role: role, person: f.trimmed("person"), deadline: f.trimmed("deadline"), actor: me)
        return web.redirect("/tasks?" + f.trimmed("back") + "#s\(node)", flash: "已分解")
    }

    func bulk(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        guard let system = f.int64("system") else { throw AppError.badRequest(Msg.malformedRequest) }
        let selection: TaskService.BulkSelection
        switch f["by"] {
        case "project": selection = .project(f.trimmed("project"))
        case "method":
            guard let m = CollectionMethod(rawValue: f["method"]) else { throw AppError.badRequest(Msg.invalidField("测评方法")) }
            selection = .method(m)
        default: selection = .all
        }
        let target: TaskService.BulkTarget
        if let g = f.int64("group") { target = .workingGroup(g) } else {
            guard let role = AssignmentRole(rawValue: f["role"]) else { throw AppError.badRequest(Msg.invalidField("职责")) }
            target = .unit(f.trimmed("unitCode"), role)
        }
        let r = try await s.tasks.bulkAssign(system: system, selection: selection, target: target, person: f.trimmed("person"), deadline: f.trimmed("deadline"), actor: me)
        return web.redirect("/tasks?system=\(system)", flash: "批量分解完成：新增 \(r.created) 项" + (r.skipped > 0 ? "，跳过已存在或已有牵头单位的 \(r.skipped) 项" : ""))
    }

    struct TaskVM: Sendable { var id: Int64; var code: String; var standard: String; var system: String; var unit: String; var role: String; var status: String; var deadline: String; var person: String; var reasons: [String] }
    struct MineView: Sendable { var rows: [TaskVM]; var open: Int?; var scope: String }

    static func vm(_ t: TaskView, reasons: [LagReason] = []) -> TaskVM {
        TaskVM(id: t.a.id, code: t.standard.code, standard: t.standard.body.isEmpty ? t.standard.title : t.standard.body, system: t.system.name,
               unit: t.unit.name, role: t.a.taskRole.label, status: t.a.taskStatus.label, deadline: t.a.deadline, person: t.a.person, reasons: reasons.map(\.description))
    }

    func mine(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let tasks = try await s.tasks.mine(actor: me)
        return try web.render(ctx, req, "tasks/mine", title: "我的任务",
                              data: MineView(rows: tasks.map { Self.vm($0) }, open: tasks.contains { $0.a.taskStatus == .assigned } ? tasks.filter { $0.a.taskStatus == .assigned }.count : nil, scope: me.orgName))
    }

    struct LookbackView: Sendable { var rows: [TaskVM]; var generatedAt: String; var cadence: String }

    func lookback(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let lag = try await s.tasks.lookback(actor: me)
        return try web.render(ctx, req, "tasks/lookback", title: "回头望：滞后标准",
                              data: LookbackView(rows: lag.map { Self.vm($0.task, reasons: $0.reasons) }, generatedAt: Fmt.dateTime(s.clock.now().epoch),
                                                 cadence: try await s.settings.current().reportCadence.label))
    }

    struct EventVM: Sendable { var at: String; var actor: String; var action: String; var status: String; var reason: String }
    struct MilestoneVM: Sendable { var id: Int64; var title: String; var due: String; var done: String?; var overdue: Bool }
    struct FileVM: Sendable { var id: Int64; var name: String; var size: String }
    struct ReportVM: Sendable { var period: String; var body: String; var at: String; var files: [FileVM] }
    struct ActionVM: Sendable { var action: String; var label: String; var needsReason: Bool }
    struct ShowView: Sendable {
        var task: TaskVM; var body: String; var title: String; var score: String; var methods: String; var systemID: Int64
        var events: [EventVM]; var milestones: [MilestoneVM]; var reports: [ReportVM]; var actions: [ActionVM]
        var canWork: Bool; var claimed: Bool; var period: String; var cadence: String; var lag: [String]; var accept: String; var maxMB: Int
    }

    func show(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        return try web.render(ctx, req, "tasks/show", title: "任务", data: try await showView(id, me))
    }

    /// Runs a step on a task; when the step is refused the task page is shown again with the message
    /// (instead of a bare error page). The form fields come back empty.
    func onTask(_ req: Request, _ ctx: AppContext, _ step: (Identity, Int64) async throws -> String) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        do {
            let flash = try await step(me, id)
            return web.redirect("/tasks/\(id)", flash: flash)
        } catch let e as AppError {
            switch e {
            case .validation, .badRequest, .conflict, .payloadTooLarge:
                return try web.render(ctx, req, "tasks/show", title: "任务", data: try await showView(id, me), error: e.message, status: e.status)
            default: throw e
            }
        }
    }

    func showView(_ id: Int64, _ me: Identity) async throws -> ShowView {
        let t = try await s.tasks.get(id, actor: me)
        let settings = try await s.settings.current()
        let today = TaskHealth.day(s.clock.now(), Fmt.zone)
        let ms = try await s.tasks.milestones(id, actor: me)
        let reps = try await s.tasks.reports(id, actor: me)
        let files = try await s.tasks.attachments(ownerKind: "report", ownerIDs: reps.map(\.id))
        let unitActions = me.can(.workTasks) ? TaskFlow.actions(from: t.a.taskStatus, office: false) : []
        let officeActions = me.can(.assignTasks) ? TaskFlow.actions(from: t.a.taskStatus, office: true) : []
        let facts = TaskFacts(status: t.a.taskStatus, assignedAt: Date(epoch: t.a.assignedAt), claimedAt: t.a.claimedAt.map { Date(epoch: $0) },
                              deadline: t.a.deadline, milestones: ms.map { ($0.dueDate, $0.doneOn != nil) }, reportedPeriods: Set(reps.map(\.period)))
        let lag = TaskHealth.lag(facts, now: s.clock.now(), cadence: settings.reportCadence, claimGraceDays: settings.claimGraceDays, tz: Fmt.zone)
        let data = ShowView(
            task: Self.vm(t), body: t.standard.body, title: t.standard.title, score: t.standard.scoreValue.description,
            methods: t.standard.methodList.map(\.label).joined(separator: "、"), systemID: t.system.id,
            events: try await s.tasks.events(id, actor: me).map { e in
                EventVM(at: Fmt.dateTime(e.at), actor: e.actorName, action: TaskAction(rawValue: e.action)?.label ?? (e.action == "assign" ? "分解" : e.action),
                        status: TaskStatus(rawValue: e.toStatus)?.label ?? e.toStatus, reason: e.reason)
            },
            milestones: ms.map { MilestoneVM(id: $0.id, title: $0.title, due: $0.dueDate, done: $0.doneOn, overdue: $0.doneOn == nil && $0.dueDate < today) },
            reports: reps.map { r in ReportVM(period: r.period, body: r.body, at: Fmt.dateTime(r.submittedAt),
                                              files: files.filter { $0.ownerId == r.id }.map { FileVM(id: $0.id, name: $0.filename, size: "\(max(1, $0.size / 1024)) KB") }) },
            actions: (unitActions + officeActions).map { ActionVM(action: $0.rawValue, label: $0.label, needsReason: $0.needsReason) },
            canWork: me.can(.workTasks), claimed: t.a.taskStatus == .claimed, period: settings.reportCadence.period(of: s.clock.now(), in: Fmt.zone),
            cadence: settings.reportCadence.label, lag: lag.map(\.description), accept: ".jpg,.jpeg,.png,.webp,.heic,.pdf,.docx,.xlsx", maxMB: settings.uploadMaxMB)
        return data
    }

    func act(_ req: Request, _ ctx: AppContext) async throws -> Response {
        try await onTask(req, ctx) { me, id in
            guard let action = TaskAction(rawValue: ctx.form["action"]) else { throw AppError.badRequest(Msg.malformedRequest) }
            let to = try await s.tasks.act(id, action: action, reason: ctx.form.trimmed("reason"), actor: me)
            return "已\(action.label)，当前状态：\(to.label)"
        }
    }

    func addMilestone(_ req: Request, _ ctx: AppContext) async throws -> Response {
        try await onTask(req, ctx) { me, id in
            try await s.tasks.addMilestone(id, title: ctx.form.trimmed("title"), due: ctx.form.trimmed("due"), actor: me)
            return "已增加计划节点"
        }
    }

    func milestoneDone(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let task = try await s.tasks.completeMilestone(try web.id(ctx), actor: me)
        return web.redirect("/tasks/\(task)", flash: "节点已完成")
    }

    func report(_ req: Request, _ ctx: AppContext) async throws -> Response {
        try await onTask(req, ctx) { me, id in
            let files = ctx.uploads.filter { $0.name == "files" && !$0.body.isEmpty }.map { Upload(filename: $0.filename ?? "附件", bytes: $0.body) }
            let period = try await s.tasks.submitReport(id, body: ctx.form.trimmed("body"), files: files, actor: me)
            return "已报送 \(period) 进度"
        }
    }

    func file(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let (a, data) = try await s.tasks.attachment(try web.id(ctx), actor: me)
        var h = HTTPFields()
        h[.contentType] = a.contentType
        h[.contentDisposition] = "attachment; filename=\"file\"; filename*=UTF-8''\(FormEncoding.escape(a.filename))"
        h[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
