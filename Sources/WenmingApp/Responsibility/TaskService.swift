import Crypto
import Foundation
import SQLKit
import WenmingCore

public struct AssignmentRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var nodeId: Int64
    public var orgId: Int64
    public var role: String
    public var person: String
    public var deadline: String
    public var status: String
    public var assignedAt: Int64
    public var claimedAt: Int64?
    public var completedAt: Int64?
    public var updatedAt: Int64
    public var taskStatus: TaskStatus { TaskStatus(rawValue: status) ?? .assigned }
    public var taskRole: AssignmentRole { AssignmentRole(rawValue: role) ?? .responsible }
}

/// An assignment with its standard and unit, as lists show it.
public struct TaskView: Sendable {
    public var a: AssignmentRow
    public var standard: IndexNodeRow
    public var unit: OrgRow
    public var system: IndexSystemRow
}

public struct MilestoneRow: Codable, Sendable { public var id: Int64; public var assignmentId: Int64; public var title: String; public var dueDate: String; public var doneOn: String?; public var createdAt: Int64 }
public struct ReportRow: Codable, Sendable { public var id: Int64; public var assignmentId: Int64; public var period: String; public var body: String; public var submittedAt: Int64; public var submittedBy: Int64? }
public struct EventRow: Codable, Sendable { public var id: Int64; public var assignmentId: Int64; public var at: Int64; public var actorId: Int64?; public var actorName: String; public var action: String; public var fromStatus: String; public var toStatus: String; public var reason: String }
public struct AttachmentRow: Codable, Sendable { public var id: Int64; public var ownerKind: String; public var ownerId: Int64; public var orgId: Int64; public var filename: String; public var contentType: String; public var size: Int64; public var sha256: String; public var storedPath: String; public var uploadedBy: Int64?; public var createdAt: Int64 }

/// Responsibility decomposition (责任分解): assignments of standards to units, claiming and adjustment,
/// plans with milestones, progress reports, and the look-back (回头望).
public struct TaskService: Sendable {
    let db: Database
    let clock: any Clock
    let settings: SettingsStore
    let dataDir: String
    let tz: TimeZone

    static func decode(_ r: any SQLRow) throws -> AssignmentRow { try r.decode(model: AssignmentRow.self, with: .snakeCase) }

    /// Adds one assignment (status 待认领) and its first event. At most one 牵头单位 per standard.
    static func insertAssignment(_ tx: any SQLDatabase, nodeID: Int64, orgID: Int64, role: AssignmentRole, person: String, deadline: String,
                                 actor: Identity, now: Date) async throws {
        if role == .lead, let other = try await tx.raw("SELECT o.name FROM assignments a JOIN orgs o ON o.id = a.org_id WHERE a.node_id = \(bind: nodeID) AND a.role = 'lead' AND a.status <> 'withdrawn' AND a.org_id <> \(bind: orgID)").first() {
            throw AppError.conflict("该标准已有牵头单位“\(try other.decode(column: "name", as: String.self))”")
        }
        if let existing = try await tx.raw("SELECT * FROM assignments WHERE node_id = \(bind: nodeID) AND org_id = \(bind: orgID)").first().map(decode) {
            guard existing.taskStatus == .withdrawn else { throw AppError.conflict("该单位已分配了这条标准") }
            try await tx.raw("""
                UPDATE assignments SET role = \(bind: role.rawValue), person = \(bind: person), deadline = \(bind: deadline), status = 'assigned',
                  assigned_at = \(bind: now.epoch), claimed_at = NULL, completed_at = NULL, updated_at = \(bind: now.epoch) WHERE id = \(bind: existing.id)
                """).run()
            try await event(tx, existing.id, actor: actor, action: "assign", from: .withdrawn, to: .assigned, reason: "", now: now)
            return
        }
        let id = try await tx.raw("""
            INSERT INTO assignments (node_id, org_id, role, person, deadline, status, assigned_at, updated_at)
            VALUES (\(bind: nodeID), \(bind: orgID), \(bind: role.rawValue), \(bind: person), \(bind: deadline), 'assigned', \(bind: now.epoch), \(bind: now.epoch)) RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        try await event(tx, id, actor: actor, action: "assign", from: .assigned, to: .assigned, reason: "", now: now)
    }

    static func event(_ tx: any SQLDatabase, _ id: Int64, actor: Identity, action: String, from: TaskStatus, to: TaskStatus, reason: String, now: Date) async throws {
        try await tx.raw("""
            INSERT INTO assignment_events (assignment_id, at, actor_id, actor_name, action, from_status, to_status, reason)
            VALUES (\(bind: id), \(bind: now.epoch), \(bind: actor.userID), \(bind: actor.signature), \(bind: action),
                    \(bind: from.rawValue), \(bind: to.rawValue), \(bind: reason))
            """).run()
    }

    static func validateDeadline(_ d: String) throws {
        if !d.isEmpty && !CivilDate.isValid(d) { throw AppError.validation(["deadline": Msg.badDate(d)]) }
    }

    /// Assigns one standard to one unit in the actor's scope.
    public func assign(standardID: Int64, unitCode: String, role: AssignmentRole, person: String, deadline: String, actor: Identity) async throws {
        try actor.require(.assignTasks)
        try Self.validateDeadline(deadline)
        if person.count > 50 { throw AppError.validation(["person": Msg.invalidField("责任人")]) }
        let now = clock.now()
        try await db.write { tx in
            guard let node = try await tx.raw("SELECT * FROM index_nodes WHERE id = \(bind: standardID)").first()?.decode(model: IndexNodeRow.self, with: .snakeCase) else { throw AppError.notFound }
            guard node.indexLevel == .standard else { throw AppError.badRequest("只能把“测评标准”分解到单位") }
            let unit = try await Self.unit(tx, code: unitCode, actor: actor)
            try await Self.insertAssignment(tx, nodeID: node.id, orgID: unit.id, role: role, person: person, deadline: deadline, actor: actor, now: now)
            try await Audit.record(tx, actor: actor, action: "assign", entity: "assignment", entityID: node.id,
                                   summary: "把标准 \(node.code) 分解给“\(unit.name)”（\(role.label)）", scope: unit.orgPath, at: now)
        }
    }

    static func unit(_ tx: any SQLDatabase, code: String, actor: Identity) async throws -> OrgRow {
        guard let unit = try await OrgService.fetch(tx, code: code.trimmed()), unit.isActive, unit.orgKind.isUnit else {
            throw AppError.validation(["unit": Msg.unknownUnit(code)])
        }
        try actor.requireScope(unit.orgPath)
        return unit
    }

    public enum BulkSelection: Sendable {
        case project(String)            // every standard under a project code
        case method(CollectionMethod)   // every standard using a method
        case all
    }

    public enum BulkTarget: Sendable {
        case unit(String, AssignmentRole)
        /// A working group: its lead member unit becomes 牵头单位, the other members 配合单位.
        case workingGroup(Int64)
    }

    /// Bulk assignment: the selected standards of a system to a unit, or to a working group's member units.
    /// One transaction; standards that already have what would be added are skipped and counted.
    public func bulkAssign(system: Int64, selection: BulkSelection, target: BulkTarget, person: String, deadline: String, actor: Identity) async throws -> (created: Int, skipped: Int) {
        try actor.require(.assignTasks)
        try Self.validateDeadline(deadline)
        let now = clock.now()
        return try await db.write { tx in
            let nodes = try await IndexService.nodes(tx, system: system)
            guard !nodes.isEmpty else { throw AppError.notFound }
            let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
            func projectCode(_ n: IndexNodeRow) -> String? {
                var cur: IndexNodeRow? = n
                while let c = cur, c.indexLevel != .project { cur = c.parentId.flatMap { byID[$0] } }
                return cur?.code
            }
            let standards = nodes.filter { n in
                guard n.indexLevel == .standard else { return false }
                switch selection {
                case .project(let code): return projectCode(n) == code
                case .method(let m): return n.methodList.contains(m)
                case .all: return true
                }
            }
            if standards.isEmpty { throw AppError.badRequest("没有符合条件的测评标准") }
            var targets: [(OrgRow, AssignmentRole)] = []
            switch target {
            case .unit(let code, let role): targets = [(try await Self.unit(tx, code: code, actor: actor), role)]
            case .workingGroup(let gid):
                guard let g = try await OrgService.fetch(tx, id: gid), g.orgKind.family == .body else { throw AppError.notFound }
                try actor.requireScope(g.orgPath)
                for m in try await tx.raw("SELECT member_id, is_lead FROM group_members WHERE group_id = \(bind: gid) ORDER BY is_lead DESC, id").all() {
                    guard let u = try await OrgService.fetch(tx, id: try m.decode(column: "member_id", as: Int64.self)), u.isActive else { continue }
                    try actor.requireScope(u.orgPath)
                    targets.append((u, try m.decode(column: "is_lead", as: Int.self) != 0 ? .lead : .supporting))
                }
                if targets.isEmpty { throw AppError.badRequest("该工作组还没有成员单位") }
            }
            var created = 0, skipped = 0
            for s in standards {
                for (u, role) in targets {
                    do {
                        try await Self.insertAssignment(tx, nodeID: s.id, orgID: u.id, role: role, person: person, deadline: deadline, actor: actor, now: now)
                        created += 1
                    } catch AppError.conflict { skipped += 1 }
                }
            }
            try await Audit.record(tx, actor: actor, action: "assign", entity: "assignment", entityID: nil,
                                   summary: "批量分解：\(standards.count) 条标准，新增 \(created) 项，跳过 \(skipped) 项", scope: actor.orgPath, at: now)
            return (created, skipped)
        }
    }

    public struct TableFilter: Sendable {
        public var system: Int64?
        public var unitID: Int64?
        public var groupID: Int64?
        public var projectCode: String = ""
        public var status: TaskStatus?
        public init() {}
    }

    /// One row of the 责任分解表: a standard with its units.
    public struct TableRow: Sendable {
        public var project: IndexNodeRow?
        public var content: IndexNodeRow?
        public var standard: IndexNodeRow
        public var tasks: [TaskView]
    }

    /// The 责任分解表 of a system: every standard with the assignments the actor may see.
    /// With a unit or working-group filter only the standards those units hold are listed.
    public func table(_ f: TableFilter, actor: Identity) async throws -> (system: IndexSystemRow, rows: [TableRow]) {
        try actor.require(.viewTasks)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            let systems = try await IndexService.systems(db)
            // Without a choice: the most recently imported system still in force.
            guard let sys = systems.first(where: { $0.id == f.system }) ?? systems.filter({ $0.active != 0 }).max(by: { $0.id < $1.id }) else { throw AppError.notFound }
            let nodes = try await IndexService.nodes(db, system: sys.id)
            let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
            var units: Set<Int64>?
            if let u = f.unitID {
                let org = try await OrgService.visible(db, id: u, actor: actor)
                let (ulo, uhi) = scopeRange(org.orgPath)
                units = Set(try await db.raw("SELECT id FROM orgs WHERE path >= \(bind: ulo) AND path < \(bind: uhi)").all().map { try $0.decode(column: "id", as: Int64.self) })
            }
            if let g = f.groupID {
                let members = Set(try await db.raw("SELECT member_id FROM group_members WHERE group_id = \(bind: g)").all().map { try $0.decode(column: "member_id", as: Int64.self) })
                units = units.map { $0.intersection(members) } ?? members
            }
            let rows = try await db.raw("""
                SELECT a.*, o.path AS org_path FROM assignments a JOIN orgs o ON o.id = a.org_id JOIN index_nodes n ON n.id = a.node_id
                WHERE n.system_id = \(bind: sys.id) AND o.path >= \(bind: lo) AND o.path < \(bind: hi) ORDER BY a.role, o.code
                """).all()
            let orgIDs = try rows.map { try $0.decode(column: "org_id", as: Int64.self) }
            let orgs = try await OrgService.decode(db.raw("SELECT * FROM orgs WHERE id IN (\(unsafeRaw: orgIDs.isEmpty ? "0" : Set(orgIDs).map(String.init).joined(separator: ",")))").all())
            let orgByID = Dictionary(uniqueKeysWithValues: orgs.map { ($0.id, $0) })
            var byNode: [Int64: [TaskView]] = [:]
            for r in rows {
                let a = try Self.decode(r)
                if a.taskStatus == .withdrawn { continue }
                if let s = f.status, a.taskStatus != s { continue }
                if let units, !units.contains(a.orgId) { continue }
                guard let n = byID[a.nodeId], let o = orgByID[a.orgId] else { continue }
                byNode[a.nodeId, default: []].append(TaskView(a: a, standard: n, unit: o, system: sys))
            }
            let filtered = units != nil || f.status != nil
            var out: [TableRow] = []
            for n in nodes where n.indexLevel == .standard {
                let content = n.parentId.flatMap { byID[$0] }
                let project = content?.parentId.flatMap { byID[$0] }
                if !f.projectCode.isEmpty && project?.code != f.projectCode { continue }
                let tasks = (byNode[n.id] ?? []).sorted { ($0.a.taskRole == .lead ? 0 : $0.a.taskRole == .responsible ? 1 : 2, $0.unit.code) < ($1.a.taskRole == .lead ? 0 : $1.a.taskRole == .responsible ? 1 : 2, $1.unit.code) }
                if filtered && tasks.isEmpty { continue }
                out.append(TableRow(project: project, content: content, standard: n, tasks: tasks))
            }
            return (sys, out)
        }
    }

    /// The 责任分解表 as a sheet.
    public func tableRows(_ f: TableFilter, actor: Identity) async throws -> [[String]] {
        let (_, rows) = try await table(f, actor: actor)
        var out = [["测评项目", "测评内容", "标准编码", "测评标准", "分值", "测评方法", "牵头单位", "责任单位", "配合单位", "责任人", "完成时限", "状态"]]
        for r in rows {
            func names(_ role: AssignmentRole) -> String { r.tasks.filter { $0.a.taskRole == role }.map(\.unit.name).joined(separator: "、") }
            let persons = Array(Set(r.tasks.map(\.a.person).filter { !$0.isEmpty })).sorted().joined(separator: "、")
            let deadlines = Array(Set(r.tasks.map(\.a.deadline).filter { !$0.isEmpty })).sorted().joined(separator: "、")
            let status = r.tasks.isEmpty ? "未分解" : r.tasks.map { "\($0.unit.name)：\($0.a.taskStatus.label)" }.joined(separator: "；")
            out.append([r.project?.title ?? "", r.content?.title ?? "", r.standard.code, r.standard.body.isEmpty ? r.standard.title : r.standard.body,
                        r.standard.scoreValue.description, r.standard.methodList.map(\.label).joined(separator: "、"),
                        names(.lead), names(.responsible), names(.supporting), persons, deadlines, status])
        }
        return out
    }

    /// Loads an assignment the actor may see (its unit lies in the actor's scope).
    static func visible(_ db: any SQLDatabase, id: Int64, actor: Identity) async throws -> TaskView {
        try actor.require(.viewTasks)
        guard let a = try await db.raw("SELECT * FROM assignments WHERE id = \(bind: id)").first().map(decode) else { throw AppError.notFound }
        guard let unit = try await OrgService.fetch(db, id: a.orgId) else { throw AppError.notFound }
        try actor.requireScope(unit.orgPath)
        guard let n = try await db.raw("SELECT * FROM index_nodes WHERE id = \(bind: a.nodeId)").first()?.decode(model: IndexNodeRow.self, with: .snakeCase),
              let s = try await db.raw("SELECT * FROM index_systems WHERE id = \(bind: n.systemId)").first()?.decode(model: IndexSystemRow.self, with: .snakeCase) else { throw AppError.notFound }
        return TaskView(a: a, standard: n, unit: unit, system: s)
    }

    public func get(_ id: Int64, actor: Identity) async throws -> TaskView {
        try await db.read { try await Self.visible($0, id: id, actor: actor) }
    }

    /// The tasks of units in the actor's scope ("我的任务"), not withdrawn.
    public func mine(actor: Identity, includeDone: Bool = true) async throws -> [TaskView] {
        try actor.require(.viewTasks)
        let (lo, hi) = scopeRange(actor.orgPath)
        let ids = try await db.read { db in
            try await db.raw("""
                SELECT a.id FROM assignments a JOIN orgs o ON o.id = a.org_id JOIN index_nodes n ON n.id = a.node_id
                JOIN index_systems s ON s.id = n.system_id
                WHERE o.path >= \(bind: lo) AND o.path < \(bind: hi) AND a.status <> 'withdrawn' AND s.active = 1 ORDER BY a.deadline, a.id LIMIT 2000
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var out: [TaskView] = []
        for id in ids { out.append(try await get(id, actor: actor)) }
        return includeDone ? out : out.filter { $0.a.taskStatus != .completed }
    }

    /// Assignments per status among the units in the actor's scope (the home page's work list).
    public func statusCounts(actor: Identity) async throws -> [TaskStatus: Int] {
        try actor.require(.viewTasks)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            var out: [TaskStatus: Int] = [:]
            for r in try await db.raw("""
                SELECT a.status, COUNT(*) AS n FROM assignments a JOIN orgs o ON o.id = a.org_id JOIN index_nodes n ON n.id = a.node_id
                JOIN index_systems s ON s.id = n.system_id
                WHERE o.path >= \(bind: lo) AND o.path < \(bind: hi) AND s.active = 1 GROUP BY a.status
                """).all() {
                if let s = TaskStatus(rawValue: try r.decode(column: "status", as: String.self)) { out[s] = try r.decode(column: "n", as: Int.self) }
            }
            return out
        }
    }

    /// A step of the claim/adjustment workflow, checked by `TaskFlow`, recorded and audited.
    public func act(_ id: Int64, action: TaskAction, reason: String, actor: Identity) async throws -> TaskStatus {
        try actor.require(action.byOffice ? .assignTasks : .workTasks)
        let now = clock.now()
        return try await db.write { tx in
            let t = try await Self.visible(tx, id: id, actor: actor)
            if let p = TaskFlow.problem(t.a.taskStatus, action, reason: reason) { throw AppError.conflict(p) }
            let to = TaskFlow.next(t.a.taskStatus, action, wasClaimed: t.a.claimedAt != nil)!
            if action == .complete {
                let open = try await tx.raw("SELECT COUNT(*) AS n FROM milestones WHERE assignment_id = \(bind: id) AND done_on IS NULL").first()!.decode(column: "n", as: Int.self)
                if open > 0 { throw AppError.conflict("还有 \(open) 个节点未完成，不能报告完成") }
            }
            let updated = try await tx.raw("""
                UPDATE assignments SET status = \(bind: to.rawValue), updated_at = \(bind: now.epoch),
                  claimed_at = \(bind: action == .claim ? now.epoch : t.a.claimedAt),
                  completed_at = \(bind: action == .complete ? now.epoch : (to == .completed ? t.a.completedAt : nil))
                WHERE id = \(bind: id) AND status = \(bind: t.a.status) RETURNING id
                """).first()
            // The status guard makes a concurrent second step on the same task update nothing.
            if updated == nil { throw AppError.conflict("该任务刚被他人处理过，请刷新后重试") }
            try await Self.event(tx, id, actor: actor, action: action.rawValue, from: t.a.taskStatus, to: to, reason: reason, now: now)
            try await Audit.record(tx, actor: actor, action: action.rawValue, entity: "assignment", entityID: id,
                                   summary: "“\(t.unit.name)”对标准 \(t.standard.code)：\(action.label)\(reason.isEmpty ? "" : "（\(reason)）")",
                                   scope: t.unit.orgPath, at: now)
            return to
        }
    }

    public func events(_ id: Int64, actor: Identity) async throws -> [EventRow] {
        try await db.read { db in
            _ = try await Self.visible(db, id: id, actor: actor)
            return try await db.raw("SELECT * FROM assignment_events WHERE assignment_id = \(bind: id) ORDER BY id").all()
                .map { try $0.decode(model: EventRow.self, with: .snakeCase) }
        }
    }

    // MARK: plans and progress

    public func milestones(_ id: Int64, actor: Identity) async throws -> [MilestoneRow] {
        try await db.read { db in
            _ = try await Self.visible(db, id: id, actor: actor)
            return try await db.raw("SELECT * FROM milestones WHERE assignment_id = \(bind: id) ORDER BY due_date, id").all()
                .map { try $0.decode(model: MilestoneRow.self, with: .snakeCase) }
        }
    }

    /// The unit adds a milestone to the plan of a claimed task.
    public func addMilestone(_ id: Int64, title: String, due: String, actor: Identity) async throws {
        try actor.require(.workTasks)
        let t = title.trimmed()
        if t.isEmpty || t.count > 200 { throw AppError.validation(["title": Msg.requiredField("节点名称")]) }
        if !CivilDate.isValid(due) { throw AppError.validation(["due": Msg.badDate(due)]) }
        let now = clock.now()
        if due < TaskHealth.day(now, tz) { throw AppError.validation(["due": "节点日期不能早于今天"]) }
        try await db.write { tx in
            let task = try await Self.visible(tx, id: id, actor: actor)
            guard task.a.taskStatus == .claimed else { throw AppError.conflict("任务认领后才能制定计划") }
            if !task.a.deadline.isEmpty && due > task.a.deadline { throw AppError.validation(["due": "节点日期不能晚于完成时限 \(task.a.deadline)"]) }
            try await tx.raw("INSERT INTO milestones (assignment_id, title, due_date, created_at) VALUES (\(bind: id), \(bind: t), \(bind: due), \(bind: now.epoch))").run()
            try await Audit.record(tx, actor: actor, action: "create", entity: "milestone", entityID: id,
                                   summary: "“\(task.unit.name)”为标准 \(task.standard.code) 增加节点“\(t)”（\(due)）", scope: task.unit.orgPath, at: now)
        }
    }

    public func completeMilestone(_ milestoneID: Int64, actor: Identity) async throws -> Int64 {
        try actor.require(.workTasks)
        let now = clock.now()
        let today = TaskHealth.day(now, tz)
        return try await db.write { tx in
            guard let m = try await tx.raw("SELECT * FROM milestones WHERE id = \(bind: milestoneID)").first()?.decode(model: MilestoneRow.self, with: .snakeCase) else { throw AppError.notFound }
            let task = try await Self.visible(tx, id: m.assignmentId, actor: actor)
            guard task.a.taskStatus == .claimed else { throw AppError.conflict("只有进行中的任务可以更新节点") }
            guard m.doneOn == nil else { throw AppError.conflict("该节点已完成") }
            try await tx.raw("UPDATE milestones SET done_on = \(bind: today) WHERE id = \(bind: milestoneID)").run()
            try await Audit.record(tx, actor: actor, action: "update", entity: "milestone", entityID: milestoneID,
                                   summary: "“\(task.unit.name)”完成节点“\(m.title)”", scope: task.unit.orgPath, at: now)
            return m.assignmentId
        }
    }

    public func reports(_ id: Int64, actor: Identity) async throws -> [ReportRow] {
        try await db.read { db in
            _ = try await Self.visible(db, id: id, actor: actor)
            return try await db.raw("SELECT * FROM progress_reports WHERE assignment_id = \(bind: id) ORDER BY period DESC").all()
                .map { try $0.decode(model: ReportRow.self, with: .snakeCase) }
        }
    }

    var files: FileStore { FileStore(dataDir: dataDir, settings: settings) }

    /// The unit files the progress report of the current period (one per period; a second one replaces the text).
    public func submitReport(_ id: Int64, body: String, files: [Upload], actor: Identity) async throws -> String {
        try actor.require(.workTasks)
        let text = body.trimmed()
        if text.isEmpty { throw AppError.validation(["body": Msg.requiredField("进度情况")]) }
        if text.count > 2000 { throw AppError.validation(["body": "进度情况不能超过 2000 字"]) }
        let checked = try await self.files.check(files)
        let cadence = try await settings.current().reportCadence
        let now = clock.now()
        let period = cadence.period(of: now, in: tz)
        return try await self.files.withStored(checked) { stored in
            try await writeReport(id, text: text, period: period, stored: stored, actor: actor, now: now)
        }
    }

    func writeReport(_ id: Int64, text: String, period: String, stored: [FileStore.Stored], actor: Identity, now: Date) async throws -> String {
        try await db.write { tx in
            let task = try await Self.visible(tx, id: id, actor: actor)
            guard task.a.taskStatus == .claimed else { throw AppError.conflict("任务认领后、完成前才能报送进度") }
            let existing = try await tx.raw("SELECT id FROM progress_reports WHERE assignment_id = \(bind: id) AND period = \(bind: period)").first()
            let reportID: Int64
            if let e = existing {
                reportID = try e.decode(column: "id", as: Int64.self)
                try await tx.raw("UPDATE progress_reports SET body = \(bind: text), submitted_at = \(bind: now.epoch), submitted_by = \(bind: actor.userID) WHERE id = \(bind: reportID)").run()
            } else {
                reportID = try await tx.raw("INSERT INTO progress_reports (assignment_id, period, body, submitted_at, submitted_by) VALUES (\(bind: id), \(bind: period), \(bind: text), \(bind: now.epoch), \(bind: actor.userID)) RETURNING id").first()!.decode(column: "id", as: Int64.self)
            }
            for f in stored {
                try await FileStore.attach(tx, f, ownerKind: "report", ownerID: reportID, orgID: task.unit.id, phase: "", actor: actor, now: now)
            }
            try await Audit.record(tx, actor: actor, action: "report", entity: "assignment", entityID: id,
                                   summary: "“\(task.unit.name)”报送标准 \(task.standard.code) 的 \(period) 进度（附件 \(stored.count) 个）",
                                   scope: task.unit.orgPath, at: now)
            return period
        }
    }

    public func attachments(ownerKind: String, ownerIDs: [Int64]) async throws -> [AttachmentRow] {
        guard !ownerIDs.isEmpty else { return [] }
        return try await db.read { db in
            try await db.raw("SELECT * FROM attachments WHERE owner_kind = \(bind: ownerKind) AND owner_id IN (\(unsafeRaw: ownerIDs.map(String.init).joined(separator: ","))) ORDER BY id").all()
                .map { try $0.decode(model: AttachmentRow.self, with: .snakeCase) }
        }
    }

    /// An attachment for download: only for users whose scope covers the unit it belongs to.
    public func attachment(_ id: Int64, actor: Identity) async throws -> (AttachmentRow, Data) {
        try actor.require(.viewTasks)
        guard let a = try await db.read({ try await $0.raw("SELECT * FROM attachments WHERE id = \(bind: id) AND owner_kind = 'report'").first() })?.decode(model: AttachmentRow.self, with: .snakeCase) else { throw AppError.notFound }
        guard let org = try await db.read({ try await OrgService.fetch($0, id: a.orgId) }) else { throw AppError.notFound }
        try actor.requireScope(org.orgPath)
        guard let data = files.read(a.storedPath) else { throw AppError.notFound }
        return (a, data)
    }

    // MARK: look-back (回头望)

    public struct Lagging: Sendable { public var task: TaskView; public var reasons: [LagReason] }

    /// Every task in scope that lags, with why: unclaimed past the grace days, no plan, overdue milestones,
    /// missing progress reports, past its deadline.
    public func lookback(actor: Identity) async throws -> [Lagging] {
        let s = try await settings.current()
        let now = clock.now()
        let tasks = try await mine(actor: actor, includeDone: false)
        let ids = tasks.map(\.a.id)
        guard !ids.isEmpty else { return [] }
        let list = ids.map(String.init).joined(separator: ",")
        let (ms, reps) = try await db.read { db in
            (try await db.raw("SELECT assignment_id, due_date, done_on FROM milestones WHERE assignment_id IN (\(unsafeRaw: list))").all(),
             try await db.raw("SELECT assignment_id, period FROM progress_reports WHERE assignment_id IN (\(unsafeRaw: list))").all())
        }
        var milestones: [Int64: [(due: String, done: Bool)]] = [:]
        for m in ms {
            milestones[try m.decode(column: "assignment_id", as: Int64.self), default: []].append(
                (try m.decode(column: "due_date", as: String.self), try m.stringOrNil("done_on") != nil))
        }
        var periods: [Int64: Set<String>] = [:]
        for r in reps { periods[try r.decode(column: "assignment_id", as: Int64.self), default: []].insert(try r.decode(column: "period", as: String.self)) }
        return tasks.compactMap { t in
            let facts = TaskFacts(status: t.a.taskStatus, assignedAt: Date(epoch: t.a.assignedAt), claimedAt: t.a.claimedAt.map { Date(epoch: $0) },
                                  deadline: t.a.deadline, milestones: milestones[t.a.id] ?? [], reportedPeriods: periods[t.a.id] ?? [])
            let r = TaskHealth.lag(facts, now: now, cadence: s.reportCadence, claimGraceDays: s.claimGraceDays, tz: tz)
            return r.isEmpty ? nil : Lagging(task: t, reasons: r)
        }
    }
}
