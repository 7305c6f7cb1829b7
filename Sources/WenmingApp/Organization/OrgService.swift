import Foundation
import SQLKit
import WenmingCore

public struct OrgRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var kind: String
    public var parentId: Int64?
    public var path: String
    public var depth: Int
    public var sectorId: Int64?
    public var address: String
    public var contact: String
    public var phone: String
    public var leaderName: String
    public var leaderTitle: String
    public var duty: String
    public var active: Int
    public var createdAt: Int64
    public var updatedAt: Int64

    /// The row of `SELECT * FROM orgs` (or any row with these columns), read column by column: the same values as
    /// `decode(model:with: .snakeCase)` without the Decoder machinery, which cost ~8 % of an intake's CPU.
    init(row r: any SQLRow) throws {
        id = try r.decode(column: "id", as: Int64.self)
        code = try r.decode(column: "code", as: String.self)
        name = try r.decode(column: "name", as: String.self)
        kind = try r.decode(column: "kind", as: String.self)
        parentId = try r.int64OrNil("parent_id")
        path = try r.decode(column: "path", as: String.self)
        depth = try r.decode(column: "depth", as: Int.self)
        sectorId = try r.int64OrNil("sector_id")
        address = try r.decode(column: "address", as: String.self)
        contact = try r.decode(column: "contact", as: String.self)
        phone = try r.decode(column: "phone", as: String.self)
        leaderName = try r.decode(column: "leader_name", as: String.self)
        leaderTitle = try r.decode(column: "leader_title", as: String.self)
        duty = try r.decode(column: "duty", as: String.self)
        active = try r.decode(column: "active", as: Int.self)
        createdAt = try r.decode(column: "created_at", as: Int64.self)
        updatedAt = try r.decode(column: "updated_at", as: Int64.self)
    }

    public var orgKind: OrgKind { OrgKind(stored: kind) }
    public var orgPath: OrgPath { OrgPath(path)! }
    public var isActive: Bool { active != 0 }
}

/// What a create or edit form sends.
public struct OrgInput: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    public var kind: String
    public var parentID: Int64?
    public var sectorID: Int64?
    public var address: String = ""
    public var contact: String = ""
    public var phone: String = ""
    public var leaderName: String = ""
    public var leaderTitle: String = ""
    public var duty: String = ""
    public init(code: String, name: String, kind: String, parentID: Int64?, sectorID: Int64? = nil) {
        self.code = code; self.name = name; self.kind = kind; self.parentID = parentID; self.sectorID = sectorID
    }
}

/// Audit snapshot of an org: the fields a person would care about.
struct OrgSnapshot: Encodable {
    var code, name, kind, path, address, contact, phone, leaderName, leaderTitle, duty: String
    var parentId, sectorId: Int64?
    var active: Bool
    init(_ r: OrgRow) {
        code = r.code; name = r.name; kind = r.kind; path = r.path; address = r.address; contact = r.contact
        phone = r.phone; leaderName = r.leaderName; leaderTitle = r.leaderTitle; duty = r.duty
        parentId = r.parentId; sectorId = r.sectorId; active = r.isActive
    }
}

/// Organisations (条块): every read is filtered by the actor's scope, every write checks it and is audited.
public struct OrgService: Sendable {
    let db: Database
    let clock: any Clock

    public init(db: Database, clock: any Clock) { self.db = db; self.clock = clock }

    static func decode(_ rows: [any SQLRow]) throws -> [OrgRow] {
        try rows.map { try OrgRow(row: $0) }
    }

    static func fetch(_ db: any SQLDatabase, id: Int64) async throws -> OrgRow? {
        try await decode(Database.prepared { try await db.raw("SELECT * FROM orgs WHERE id = \(bind: id)").all() }).first
    }

    static func fetch(_ db: any SQLDatabase, code: String) async throws -> OrgRow? {
        try await decode(db.raw("SELECT * FROM orgs WHERE code = \(bind: code)").all()).first
    }

    /// Loads a node the actor may see, or throws 404 / 403.
    static func visible(_ db: any SQLDatabase, id: Int64, actor: Identity) async throws -> OrgRow {
        try actor.require(.viewOrgs)
        guard let row = try await fetch(db, id: id) else { throw AppError.notFound }
        try actor.requireScope(row.orgPath)
        return row
    }

    public func get(_ id: Int64, actor: Identity) async throws -> OrgRow {
        try await db.read { try await Self.visible($0, id: id, actor: actor) }
    }

    public func byIDs(_ ids: [Int64]) async throws -> [Int64: OrgRow] {
        guard !ids.isEmpty else { return [:] }
        let list = Set(ids).map(String.init).joined(separator: ",")
        let rows = try await db.read { try await Self.decode($0.raw("SELECT * FROM orgs WHERE id IN (\(unsafeRaw: list))").all()) }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
    }

    /// The chain from the actor's scope root down to the node (for breadcrumbs), inside the scope only.
    public func ancestors(of row: OrgRow, actor: Identity) async throws -> [OrgRow] {
        let ids = Array(row.orgPath.ids.dropLast().dropFirst(actor.orgPath.depth))
        let map = try await byIDs(ids)
        return ids.compactMap { map[$0] }
    }

    public func children(of id: Int64, actor: Identity, includeInactive: Bool = true) async throws -> [OrgRow] {
        try await db.read { db in
            _ = try await Self.visible(db, id: id, actor: actor)
            let rows = try await Self.decode(db.raw("SELECT * FROM orgs WHERE parent_id = \(bind: id) ORDER BY kind, code").all())
            return includeInactive ? rows : rows.filter(\.isActive)
        }
    }

    public struct SearchQuery: Sendable {
        public var text = ""
        public var kind: OrgKind?
        /// Several kinds at once (e.g. 区 and 县); takes precedence over `kind`.
        public var kinds: [OrgKind] = []
        public var family: OrgKind.Family?
        public var includeInactive = false
        public var under: Int64?
        public var page = 1
        public var pageSize = 50
        public init() {}
    }

    public func search(_ q: SearchQuery, actor: Identity) async throws -> (rows: [OrgRow], total: Int) {
        try actor.require(.viewOrgs)
        return try await db.read { db in
            var root = actor.orgPath
            if let under = q.under { root = try await Self.visible(db, id: under, actor: actor).orgPath }
            let (lo, hi) = scopeRange(root)
            var c = SQLQueryString("path >= \(bind: lo) AND path < \(bind: hi)")
            let t = q.text.trimmed()
            if !t.isEmpty {
                let p = SearchText.containsPattern(t)
                c.appendInterpolation(unsafeRaw: " AND (LOWER(name) LIKE ")
                c.appendInterpolation(bind: p)
                c.appendInterpolation(unsafeRaw: " ESCAPE '\\' OR LOWER(code) LIKE ")
                c.appendInterpolation(bind: p)
                c.appendInterpolation(unsafeRaw: " ESCAPE '\\' OR LOWER(address) LIKE ")
                c.appendInterpolation(bind: p)
                c.appendInterpolation(unsafeRaw: " ESCAPE '\\')")
            }
            let kinds = q.kinds.isEmpty ? (q.kind.map { [$0] } ?? []) : q.kinds
            if !kinds.isEmpty {
                c.appendInterpolation(unsafeRaw: " AND kind IN (\(kinds.map { "'\($0.rawValue)'" }.joined(separator: ",")))")
            }
            if let f = q.family {
                let kinds = OrgKind.allCases.filter { $0.family == f }.map { "'\($0.rawValue)'" }.joined(separator: ",")
                c.appendInterpolation(unsafeRaw: " AND kind IN (\(kinds))")
            }
            if !q.includeInactive { c.appendInterpolation(unsafeRaw: " AND active = 1") }
            let total = try await db.raw("SELECT COUNT(*) AS n FROM orgs WHERE \(c)").first()?.decode(column: "n", as: Int.self) ?? 0
            let w = PageWindow(page: q.page, pageSize: q.pageSize)
            let rows = try await Self.decode(db.raw("SELECT * FROM orgs WHERE \(c) ORDER BY path LIMIT \(unsafeRaw: String(w.limit)) OFFSET \(unsafeRaw: String(w.offset))").all())
            return (rows, total)
        }
    }

    /// Counts of active nodes by kind inside the actor's scope (home page, dashboards).
    public func countsByKind(actor: Identity) async throws -> [OrgKind: Int] {
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            var out: [OrgKind: Int] = [:]
            for r in try await db.raw("SELECT kind, COUNT(*) AS n FROM orgs WHERE path >= \(bind: lo) AND path < \(bind: hi) AND active = 1 GROUP BY kind").all() {
                if let k = OrgKind(rawValue: try r.decode(column: "kind", as: String.self)) { out[k] = try r.decode(column: "n", as: Int.self) }
            }
            return out
        }
    }

    /// Territories in scope down to community/village level (where a problem can be placed), in tree order.
    public func territories(actor: Identity) async throws -> [OrgRow] {
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            try await Self.decode(db.raw("""
                SELECT * FROM orgs WHERE path >= \(bind: lo) AND path < \(bind: hi) AND active = 1
                  AND kind IN ('district','county','street','town','community','village') ORDER BY path LIMIT 5000
                """).all())
        }
    }

    /// Sector departments (条管) the actor may pick: departments in scope, plus city departments for anyone.
    public func departments(actor: Identity) async throws -> [OrgRow] {
        try await db.read { db in
            try await Self.decode(db.raw("SELECT * FROM orgs WHERE kind = 'department' AND active = 1 ORDER BY path").all())
        }.filter { actor.inScope($0.orgPath) || $0.depth == 1 }
    }

    // MARK: writes

    static func validate(_ input: OrgInput) throws -> OrgKind {
        var problems: [String: String] = [:]
        let code = input.code.trimmed()
        if let p = OrgRules.validateCode(code) { problems["code"] = p }
        if let p = OrgRules.validateName(input.name) { problems["name"] = p }
        let kind = OrgKind(codeOrLabel: input.kind)
        if kind == nil { problems["kind"] = Msg.unknownKind(input.kind) }
        for (k, v) in [("address", input.address), ("contact", input.contact), ("phone", input.phone), ("leaderName", input.leaderName), ("leaderTitle", input.leaderTitle)] where v.count > 200 {
            problems[k] = Msg.invalidField(k)
        }
        if input.duty.count > 2000 { problems["duty"] = Msg.invalidField("duty") }
        if !problems.isEmpty { throw AppError.validation(problems) }
        return kind!
    }

    static func checkSector(_ db: any SQLDatabase, _ sectorID: Int64?) async throws {
        guard let sectorID else { return }
        guard let s = try await fetch(db, id: sectorID) else { throw AppError.validation(["sectorID": Msg.sectorNotFound(String(sectorID))]) }
        if let p = OrgRules.sectorProblem(sectorKind: s.orgKind) { throw AppError.validation(["sectorID": p]) }
    }

    public func create(_ input: OrgInput, actor: Identity) async throws -> OrgRow {
        try actor.require(.manageOrgs)
        let kind = try Self.validate(input)
        let now = clock.now()
        return try await db.writeTree { tx in
            var parentPath: OrgPath?
            var parentKind: OrgKind?
            if let pid = input.parentID {
                guard let p = try await Self.fetch(tx, id: pid) else { throw AppError.validation(["parentID": Msg.parentNotFound(String(pid))]) }
                try actor.requireScope(p.orgPath)
                parentPath = p.orgPath
                parentKind = p.orgKind
            } else {
                // Only the very first node (the city) may be created without a parent.
                let any = try await tx.raw("SELECT id FROM orgs LIMIT 1").all()
                if !any.isEmpty { throw AppError.validation(["parentID": kind == .city ? Msg.rootExists : Msg.parentRequired(kind)]) }
            }
            if let p = OrgRules.parentProblem(kind: kind, parent: parentKind) { throw AppError.validation(["parentID": p]) }
            if input.sectorID != nil && !kind.isUnit { throw AppError.validation(["sectorID": Msg.sectorOnlyForUnits]) }
            try await Self.checkSector(tx, input.sectorID)
            let code = input.code.trimmed()
            if try await Self.fetch(tx, code: code) != nil { throw AppError.validation(["code": Msg.codeTaken(code)]) }
            let row = try await Self.insert(tx, code: code, name: input.name.trimmed(), kind: kind,
                                            parentID: input.parentID, parentPath: parentPath, sectorID: input.sectorID,
                                            address: input.address, contact: input.contact, phone: input.phone,
                                            leaderName: input.leaderName, leaderTitle: input.leaderTitle, duty: input.duty,
                                            active: true, now: now)
            try await Audit.record(tx, actor: actor, action: "create", entity: "org", entityID: row.id,
                                   summary: "新建\(kind.label)“\(row.name)”（\(row.code)）", after: OrgSnapshot(row), scope: row.orgPath, at: now)
            return row
        }
    }

    /// Inserts a node and sets its path (the id is only known after the insert).
    static func insert(_ tx: any SQLDatabase, code: String, name: String, kind: OrgKind, parentID: Int64?, parentPath: OrgPath?,
                       sectorID: Int64?, address: String, contact: String, phone: String, leaderName: String = "",
                       leaderTitle: String = "", duty: String = "", active: Bool, now: Date) async throws -> OrgRow {
        let depth = parentPath.map { $0.ids.count } ?? 0
        guard let idRow = try await tx.raw("""
            INSERT INTO orgs (code, name, kind, parent_id, path, depth, sector_id, address, contact, phone, leader_name, leader_title, duty, active, created_at, updated_at)
            VALUES (\(bind: code), \(bind: name), \(bind: kind.rawValue), \(bind: parentID), '/', \(bind: depth), \(bind: sectorID),
                    \(bind: address), \(bind: contact), \(bind: phone), \(bind: leaderName), \(bind: leaderTitle), \(bind: duty),
                    \(bind: active ? 1 : 0), \(bind: now.epoch), \(bind: now.epoch)) RETURNING id
            """).first() else { throw AppError.conflict(Msg.codeTaken(code)) }
        let id = try idRow.decode(column: "id", as: Int64.self)
        let path = (parentPath?.child(id) ?? OrgPath(ids: [id])).description
        try await tx.raw("UPDATE orgs SET path = \(bind: path) WHERE id = \(bind: id)").run()
        return try await fetch(tx, id: id)!
    }

    /// Edits a node's details. Office admins edit everything but code, kind and parent (move has its own
    /// action); liaisons and unit heads may edit the contact details of units in their scope and of their own org.
    public func update(_ id: Int64, _ input: OrgInput, actor: Identity) async throws -> OrgRow {
        let full = actor.can(.manageOrgs)
        guard full || actor.can(.editUnitProfile) else { throw AppError.forbidden(Msg.forbidden) }
        if let p = OrgRules.validateName(input.name), full { throw AppError.validation(["name": p]) }
        let now = clock.now()
        return try await db.writeTree { tx in
            guard let before = try await Self.fetch(tx, id: id) else { throw AppError.notFound }
            try actor.requireScope(before.orgPath)
            var after = before
            if full {
                _ = try Self.validate(OrgInput(code: before.code, name: input.name, kind: before.kind, parentID: nil))
                if input.sectorID != before.sectorId {
                    if input.sectorID != nil && !before.orgKind.isUnit { throw AppError.validation(["sectorID": Msg.sectorOnlyForUnits]) }
                    try await Self.checkSector(tx, input.sectorID)
                }
                after.name = input.name.trimmed()
                after.sectorId = input.sectorID
                after.leaderName = input.leaderName
                after.leaderTitle = input.leaderTitle
                after.duty = input.duty
            } else if !(before.orgKind.isUnit || before.id == actor.orgID) {
                // Liaisons and unit heads keep the contact details of units in their scope and of their own org.
                throw AppError.forbidden(Msg.forbidden)
            }
            for (k, v) in [("address", input.address), ("contact", input.contact), ("phone", input.phone)] where v.count > 200 {
                throw AppError.validation([k: Msg.invalidField(k)])
            }
            after.address = input.address
            after.contact = input.contact
            after.phone = input.phone
            after.updatedAt = now.epoch
            if after == before { return before }
            try await tx.raw("""
                UPDATE orgs SET name = \(bind: after.name), sector_id = \(bind: after.sectorId), address = \(bind: after.address),
                  contact = \(bind: after.contact), phone = \(bind: after.phone), leader_name = \(bind: after.leaderName),
                  leader_title = \(bind: after.leaderTitle), duty = \(bind: after.duty), updated_at = \(bind: after.updatedAt)
                WHERE id = \(bind: id)
                """).run()
            try await Audit.record(tx, actor: actor, action: "update", entity: "org", entityID: id,
                                   summary: "修改“\(after.name)”（\(after.code)）", before: OrgSnapshot(before), after: OrgSnapshot(after),
                                   scope: after.orgPath, at: now)
            return after
        }
    }

    /// Moves a node (and its subtree) under a new parent, inside one transaction.
    public func move(_ id: Int64, to newParentID: Int64, actor: Identity) async throws -> OrgRow {
        try actor.require(.manageOrgs)
        let now = clock.now()
        return try await db.writeTree { tx in
            guard let node = try await Self.fetch(tx, id: id) else { throw AppError.notFound }
            try actor.requireScope(node.orgPath)
            if node.orgPath == actor.orgPath { throw AppError.forbidden(Msg.outOfScope) }  // one's own scope root stays put
            guard let parent = try await Self.fetch(tx, id: newParentID) else { throw AppError.validation(["parentID": Msg.parentNotFound(String(newParentID))]) }
            try actor.requireScope(parent.orgPath)
            if let p = OrgRules.moveProblem(node: node.orgPath, newParent: parent.orgPath) { throw AppError.validation(["parentID": p]) }
            if let p = OrgRules.parentProblem(kind: node.orgKind, parent: parent.orgKind) { throw AppError.validation(["parentID": p]) }
            if node.parentId == parent.id { return node }
            try await Self.rebase(tx, from: node.orgPath, to: parent.orgPath.child(node.id), newParentID: parent.id, nodeID: node.id, now: now)
            let after = try await Self.fetch(tx, id: id)!
            try await Audit.record(tx, actor: actor, action: "move", entity: "org", entityID: id,
                                   summary: "把“\(node.name)”移到“\(parent.name)”之下", before: OrgSnapshot(node), after: OrgSnapshot(after),
                                   scope: after.orgPath, at: now)
            return after
        }
    }

    /// Rewrites the paths of a subtree after its root moved.
    static func rebase(_ tx: any SQLDatabase, from old: OrgPath, to new: OrgPath, newParentID: Int64, nodeID: Int64, now: Date) async throws {
        let (lo, hi) = scopeRange(old)
        let oldLen = old.description.count
        let delta = new.depth - old.depth
        try await tx.raw("UPDATE orgs SET parent_id = \(bind: newParentID), updated_at = \(bind: now.epoch) WHERE id = \(bind: nodeID)").run()
        try await tx.raw("""
            UPDATE orgs SET path = \(bind: new.description) || substr(path, CAST(\(bind: oldLen + 1) AS INTEGER)), depth = depth + CAST(\(bind: delta) AS INTEGER)
            WHERE path >= \(bind: lo) AND path < \(bind: hi)
            """).run()
        // Copies of paths kept beside the rows that scope checks read (cases, their counters, notices, summonses).
        for (table, column) in [("cases", "territory_path"), ("cases", "unit_path"), ("case_counts", "territory_path"), ("case_counts", "unit_path"),
                                ("supervision_notices", "unit_path"), ("summonses", "unit_path"), ("notice_units", "org_path")] {
            try await tx.raw("""
                UPDATE \(unsafeRaw: table) SET \(unsafeRaw: column) = \(bind: new.description) || substr(\(unsafeRaw: column), CAST(\(bind: oldLen + 1) AS INTEGER))
                WHERE \(unsafeRaw: column) >= \(bind: lo) AND \(unsafeRaw: column) < \(bind: hi)
                """).run()
        }
    }

    /// Deactivates or reactivates a node. Nothing is ever deleted: history refers to it.
    public func setActive(_ id: Int64, _ active: Bool, actor: Identity) async throws -> OrgRow {
        try actor.require(.manageOrgs)
        let now = clock.now()
        return try await db.writeTree { tx in
            guard let node = try await Self.fetch(tx, id: id) else { throw AppError.notFound }
            try actor.requireScope(node.orgPath)
            if node.isActive == active { throw AppError.conflict(active ? Msg.alreadyActive : Msg.alreadyInactive) }
            if !active {
                if node.parentId == nil { throw AppError.conflict(Msg.cannotDeactivateRoot) }
                if node.orgPath == actor.orgPath { throw AppError.conflict(Msg.cannotDeactivateOwnScope) }
                let kids = try await tx.raw("SELECT COUNT(*) AS n FROM orgs WHERE parent_id = \(bind: id) AND active = 1").first()?.decode(column: "n", as: Int.self) ?? 0
                if kids > 0 { throw AppError.conflict(Msg.hasActiveChildren) }
            } else if let pid = node.parentId, let p = try await Self.fetch(tx, id: pid), !p.isActive {
                throw AppError.conflict("上级组织“\(p.name)”已停用，请先启用上级")
            }
            try await tx.raw("UPDATE orgs SET active = \(bind: active ? 1 : 0), updated_at = \(bind: now.epoch) WHERE id = \(bind: id)").run()
            var after = node
            after.active = active ? 1 : 0
            try await Audit.record(tx, actor: actor, action: active ? "activate" : "deactivate", entity: "org", entityID: id,
                                   summary: "\(active ? "启用" : "停用")“\(node.name)”（\(node.code)）", before: OrgSnapshot(node),
                                   after: OrgSnapshot(after), scope: node.orgPath, at: now)
            return after
        }
    }

    // MARK: import / export

    /// Rows of the org sheet for everything in the actor's scope, parents first.
    public func exportRows(actor: Identity) async throws -> [[String]] {
        try actor.require(.exportOrgs)
        let (lo, hi) = scopeRange(actor.orgPath)
        let rows = try await db.read { db in
            try await Self.decode(db.raw("SELECT * FROM orgs WHERE path >= \(bind: lo) AND path < \(bind: hi) ORDER BY depth, path").all())
        }
        let all = try await db.read { db in
            try await db.raw("SELECT id, code FROM orgs").all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "code", as: String.self)) }
        }
        let codes = Dictionary(uniqueKeysWithValues: all)
        var out = [OrgImport.columns.map(\.header)]
        for r in rows {
            out.append([r.code, r.name, r.orgKind.label, r.parentId.flatMap { codes[$0] } ?? "", r.sectorId.flatMap { codes[$0] } ?? "",
                        r.address, r.contact, r.phone, r.isActive ? "是" : "否"])
        }
        return out
    }

    public struct ImportResult: Sendable { public var created = 0; public var updated = 0; public var unchanged = 0 }

    /// All-or-nothing import: every row is checked first; one transaction writes them all or none.
    public func importTable(_ table: Table, actor: Identity, maxRows: Int) async throws -> ImportResult {
        try actor.require(.importOrgs)
        let (parsed, parseIssues) = OrgImport.parse(table, maxRows: maxRows)
        if !parseIssues.isEmpty { throw AppError.importFailed(parseIssues) }
        let now = clock.now()
        return try await db.writeTree { tx in
            let all = try await Self.decode(tx.raw("SELECT * FROM orgs").all())
            let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
            var existing: [String: ExistingOrg] = [:]
            for o in all {
                existing[o.code] = ExistingOrg(code: o.code, kind: o.orgKind, parentCode: o.parentId.flatMap { byID[$0]?.code },
                                               inScope: actor.inScope(o.orgPath))
            }
            let (ordered, issues) = OrgImport.plan(parsed, existing: existing)
            if !issues.isEmpty { throw AppError.importFailed(issues) }
            var result = ImportResult()
            var codeToID = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0.id) })
            for r in ordered {
                let parentID = r.parentCode.flatMap { codeToID[$0] }
                var sectorID = r.sectorCode.flatMap { codeToID[$0] }
                if let old = try await Self.fetch(tx, code: r.code) {
                    var r = r
                    // Columns the file does not have keep their stored values.
                    if !r.present.contains("sector_code") { sectorID = old.sectorId }
                    if !r.present.contains("address") { r.address = old.address }
                    if !r.present.contains("contact") { r.contact = old.contact }
                    if !r.present.contains("phone") { r.phone = old.phone }
                    if !r.present.contains("active") { r.active = old.isActive }
                    if old.id == actor.orgID && !r.active {
                        throw AppError.importFailed([ImportIssue(row: r.rowNumber, column: "启用", message: Msg.cannotDeactivateOwnScope)])
                    }
                    var changed = false
                    if old.parentId != parentID, let pid = parentID, let parent = try await Self.fetch(tx, id: pid) {
                        if parent.orgPath.ids.contains(old.id) { throw AppError.importFailed([ImportIssue(row: r.rowNumber, column: "上级编码", message: Msg.moveIntoOwnSubtree)]) }
                        try await Self.rebase(tx, from: old.orgPath, to: parent.orgPath.child(old.id), newParentID: pid, nodeID: old.id, now: now)
                        changed = true
                    }
                    if old.name != r.name || old.sectorId != sectorID || old.address != r.address || old.contact != r.contact
                        || old.phone != r.phone || old.isActive != r.active {
                        try await tx.raw("""
                            UPDATE orgs SET name = \(bind: r.name), sector_id = \(bind: sectorID), address = \(bind: r.address),
                              contact = \(bind: r.contact), phone = \(bind: r.phone), active = \(bind: r.active ? 1 : 0), updated_at = \(bind: now.epoch)
                            WHERE id = \(bind: old.id)
                            """).run()
                        changed = true
                    }
                    if changed {
                        let after = try await Self.fetch(tx, id: old.id)!
                        try await Audit.record(tx, actor: actor, action: "update", entity: "org", entityID: old.id,
                                               summary: "导入更新“\(after.name)”（\(after.code)）", before: OrgSnapshot(old),
                                               after: OrgSnapshot(after), scope: after.orgPath, at: now)
                        result.updated += 1
                    } else { result.unchanged += 1 }
                } else {
                    let parent = try await parentID.asyncMap { try await Self.fetch(tx, id: $0) } ?? nil
                    let row = try await Self.insert(tx, code: r.code, name: r.name, kind: r.kind, parentID: parentID,
                                                    parentPath: parent?.orgPath, sectorID: sectorID, address: r.address,
                                                    contact: r.contact, phone: r.phone, active: r.active, now: now)
                    codeToID[r.code] = row.id
                    try await Audit.record(tx, actor: actor, action: "create", entity: "org", entityID: row.id,
                                           summary: "导入新建\(r.kind.label)“\(row.name)”（\(row.code)）", after: OrgSnapshot(row),
                                           scope: row.orgPath, at: now)
                    result.created += 1
                }
            }
            // No active node may sit under an inactive one (the rule 停用 enforces one node at a time).
            let (lo, hi) = scopeRange(actor.orgPath)
            if let bad = try await tx.raw("""
                SELECT c.code AS child, p.code AS parent FROM orgs c JOIN orgs p ON p.id = c.parent_id
                WHERE c.active = 1 AND p.active = 0 AND c.path >= \(bind: lo) AND c.path < \(bind: hi) LIMIT 1
                """).first() {
                let child = try bad.decode(column: "child", as: String.self), parent = try bad.decode(column: "parent", as: String.self)
                let row = parsed.first { $0.code == parent }?.rowNumber ?? parsed.first { $0.code == child }?.rowNumber ?? 0
                throw AppError.importFailed([ImportIssue(row: row, column: "启用", message: Msg.inactiveParent(child: child, parent: parent))])
            }
            try await Audit.record(tx, actor: actor, action: "import", entity: "org", entityID: nil,
                                   summary: "导入组织：新建 \(result.created)，更新 \(result.updated)，未变 \(result.unchanged)",
                                   scope: actor.orgPath, at: now)
            return result
        }
    }
}

extension Optional {
    func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let w): try await f(w)
        case .none: nil
        }
    }
}
