import Foundation
import SQLKit
import WenmingCore

/// Campaign bodies (领导小组, 创文办, 工作组) and their member units; adoption (包保) relations.
public struct GroupService: Sendable {
    let db: Database
    let clock: any Clock

    public struct Member: Sendable { public var membershipID: Int64; public var org: OrgRow; public var isLead: Bool }

    public func bodies(actor: Identity) async throws -> [OrgRow] {
        try actor.require(.viewGroups)
        var q = OrgService.SearchQuery()
        q.family = .body
        q.pageSize = 500
        return try await OrgService(db: db, clock: clock).search(q, actor: actor).rows
    }

    public func members(of groupID: Int64, actor: Identity) async throws -> [Member] {
        try actor.require(.viewGroups)
        return try await db.read { db in
            let g = try await OrgService.visible(db, id: groupID, actor: actor)
            guard g.orgKind.family == .body else { throw AppError.badRequest(Msg.groupMustBeBody) }
            let rows = try await db.raw("SELECT m.id AS mid, m.is_lead, o.* FROM group_members m JOIN orgs o ON o.id = m.member_id WHERE m.group_id = \(bind: groupID) ORDER BY m.is_lead DESC, o.path").all()
            return try rows.map { r in
                Member(membershipID: try r.decode(column: "mid", as: Int64.self),
                       org: try OrgRow(row: r),
                       isLead: try r.decode(column: "is_lead", as: Int.self) != 0)
            }
        }
    }

    /// The bodies a unit belongs to (shown on the unit's page).
    public func memberships(of orgID: Int64, actor: Identity) async throws -> [(group: OrgRow, isLead: Bool)] {
        try await db.read { db in
            _ = try await OrgService.visible(db, id: orgID, actor: actor)
            let rows = try await db.raw("SELECT m.is_lead, o.* FROM group_members m JOIN orgs o ON o.id = m.group_id WHERE m.member_id = \(bind: orgID) ORDER BY o.path").all()
            return try rows.map { (try OrgRow(row: $0), try $0.decode(column: "is_lead", as: Int.self) != 0) }
        }
    }

    public func addMember(groupID: Int64, memberCode: String, isLead: Bool, actor: Identity) async throws {
        try actor.require(.manageGroups)
        let now = clock.now()
        try await db.write { tx in
            guard let g = try await OrgService.fetch(tx, id: groupID) else { throw AppError.notFound }
            try actor.requireScope(g.orgPath)
            guard g.orgKind.family == .body else { throw AppError.badRequest(Msg.groupMustBeBody) }
            guard let m = try await OrgService.fetch(tx, code: memberCode.trimmed()) else {
                throw AppError.validation(["memberCode": Msg.notFound])
            }
            try actor.requireScope(m.orgPath)
            guard m.orgKind.isUnit else { throw AppError.validation(["memberCode": Msg.memberMustBeUnit]) }
            guard m.isActive else { throw AppError.validation(["memberCode": Msg.alreadyInactive]) }
            let exists = try await tx.raw("SELECT id FROM group_members WHERE group_id = \(bind: groupID) AND member_id = \(bind: m.id)").first()
            if exists != nil { throw AppError.conflict(Msg.alreadyMember) }
            let r = try await tx.raw("INSERT INTO group_members (group_id, member_id, is_lead, created_at) VALUES (\(bind: groupID), \(bind: m.id), \(bind: isLead ? 1 : 0), \(bind: now.epoch)) RETURNING id").first()!
            try await Audit.record(tx, actor: actor, action: "member_add", entity: "group_member", entityID: try r.decode(column: "id", as: Int64.self),
                                   summary: "“\(g.name)”添加\(isLead ? "牵头" : "成员")单位“\(m.name)”", scope: g.orgPath, at: now)
        }
    }

    public func removeMember(membershipID: Int64, actor: Identity) async throws {
        try actor.require(.manageGroups)
        let now = clock.now()
        try await db.write { tx in
            guard let r = try await tx.raw("SELECT group_id, member_id FROM group_members WHERE id = \(bind: membershipID)").first() else { throw AppError.notFound }
            guard let g = try await OrgService.fetch(tx, id: try r.decode(column: "group_id", as: Int64.self)),
                  let m = try await OrgService.fetch(tx, id: try r.decode(column: "member_id", as: Int64.self)) else { throw AppError.notFound }
            try actor.requireScope(g.orgPath)
            try await tx.raw("DELETE FROM group_members WHERE id = \(bind: membershipID)").run()
            try await Audit.record(tx, actor: actor, action: "member_remove", entity: "group_member", entityID: membershipID,
                                   summary: "“\(g.name)”移除成员单位“\(m.name)”", scope: g.orgPath, at: now)
        }
    }

    // MARK: adoption (包保)

    public struct AdoptionRow: Codable, Sendable {
        public var id: Int64
        public var unitId: Int64
        public var kind: String
        public var targetId: Int64?
        public var targetName: String
        public var active: Int
        public var createdAt: Int64
        public var endedAt: Int64?
    }

    public struct AdoptionView: Sendable { public var adoption: AdoptionRow; public var unit: OrgRow; public var target: OrgRow? }

    /// Adoptions where the adopting unit or the adopted target lies in the actor's scope.
    public func adoptions(actor: Identity, unitID: Int64? = nil, targetID: Int64? = nil, includeEnded: Bool = false) async throws -> [AdoptionView] {
        try actor.require(.viewOrgs)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            var c = SQLQueryString("((u.path >= \(bind: lo) AND u.path < \(bind: hi)) OR (t.path >= \(bind: lo) AND t.path < \(bind: hi)))")
            if let unitID { c.appendInterpolation(unsafeRaw: " AND a.unit_id = "); c.appendInterpolation(bind: unitID) }
            if let targetID { c.appendInterpolation(unsafeRaw: " AND a.target_id = "); c.appendInterpolation(bind: targetID) }
            if !includeEnded { c.appendInterpolation(unsafeRaw: " AND a.active = 1") }
            let rows = try await db.raw("SELECT a.id FROM adoptions a JOIN orgs u ON u.id = a.unit_id LEFT JOIN orgs t ON t.id = a.target_id WHERE \(c) ORDER BY u.path, a.id LIMIT 2000").all()
            var out: [AdoptionView] = []
            for r in rows {
                let a = try await db.raw("SELECT * FROM adoptions WHERE id = \(bind: try r.decode(column: "id", as: Int64.self))").first()!
                    .decode(model: AdoptionRow.self, with: .snakeCase)
                let unit = try await OrgService.fetch(db, id: a.unitId)!
                let target = try await a.targetId.asyncMap { try await OrgService.fetch(db, id: $0) } ?? nil
                out.append(AdoptionView(adoption: a, unit: unit, target: target))
            }
            return out
        }
    }

    public func createAdoption(unitID: Int64, kind: AdoptionKind, targetID: Int64?, targetName: String, actor: Identity) async throws -> Int64 {
        try actor.require(.manageAdoptions)
        let now = clock.now()
        return try await db.write { tx in
            guard let unit = try await OrgService.fetch(tx, id: unitID) else { throw AppError.validation(["unitID": Msg.notFound]) }
            try actor.requireScope(unit.orgPath)
            guard unit.orgKind.isUnit else { throw AppError.validation(["unitID": Msg.adopterMustBeUnit]) }
            var name = targetName.trimmed()
            var target: OrgRow?
            if kind == .community {
                guard let tid = targetID, let t = try await OrgService.fetch(tx, id: tid) else { throw AppError.validation(["targetID": Msg.adoptionTargetRequired]) }
                guard [.community, .village, .grid].contains(t.orgKind) else { throw AppError.validation(["targetID": Msg.adoptionTargetMustBeTerritory]) }
                try actor.requireScope(t.orgPath)
                target = t
                name = t.name
            } else if name.isEmpty || name.count > 100 {
                throw AppError.validation(["targetName": Msg.adoptionTargetRequired])
            }
            let r = try await tx.raw("""
                INSERT INTO adoptions (unit_id, kind, target_id, target_name, active, created_at) VALUES
                (\(bind: unitID), \(bind: kind.rawValue), \(bind: target?.id), \(bind: name), 1, \(bind: now.epoch)) RETURNING id
                """).first()!
            let id = try r.decode(column: "id", as: Int64.self)
            try await Audit.record(tx, actor: actor, action: "create", entity: "adoption", entityID: id,
                                   summary: "“\(unit.name)”包保\(kind.label)“\(name)”", scope: unit.orgPath, at: now)
            return id
        }
    }

    public func endAdoption(id: Int64, actor: Identity) async throws {
        try actor.require(.manageAdoptions)
        let now = clock.now()
        try await db.write { tx in
            guard let a = try await tx.raw("SELECT * FROM adoptions WHERE id = \(bind: id)").first()?
                .decode(model: AdoptionRow.self, with: .snakeCase) else { throw AppError.notFound }
            guard let unit = try await OrgService.fetch(tx, id: a.unitId) else { throw AppError.notFound }
            try actor.requireScope(unit.orgPath)
            guard a.active != 0 else { throw AppError.conflict("该包保关系已结束") }
            try await tx.raw("UPDATE adoptions SET active = 0, ended_at = \(bind: now.epoch) WHERE id = \(bind: id)").run()
            try await Audit.record(tx, actor: actor, action: "adoption_end", entity: "adoption", entityID: id,
                                   summary: "结束“\(unit.name)”对“\(a.targetName)”的包保", scope: unit.orgPath, at: now)
        }
    }
}
