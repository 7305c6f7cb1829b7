import Foundation
import SQLKit
import WenmingCore

public struct NegativeItemRow: Codable, Sendable {
    public var id: Int64
    public var areaCode: String
    public var areaName: String
    public var code: String
    public var title: String
    public var penalty: String
    public var points: Int?
    public var months: Int?
    public var veto: Int
    public var isSample: Int
    public var active: Int
    public var createdAt: Int64
    public var item: NegativeItem {
        NegativeItem(areaCode: areaCode, areaName: areaName, code: code, title: title, penalty: Penalty(rawValue: penalty) ?? .deduct,
                     points: points.map { Score(hundredths: $0) }, months: months, veto: veto != 0)
    }
}

public struct IncidentRow: Codable, Sendable {
    public var id: Int64
    public var itemId: Int64
    public var orgId: Int64
    public var occurredOn: String
    public var description: String
    public var evidence: String
    public var status: String
    public var withdrawnReason: String
    public var createdBy: Int64?
    public var createdAt: Int64
}

public struct CampaignRow: Codable, Sendable {
    public var id: Int64
    public var name: String
    public var startDate: String
    public var endDate: String
    public var notes: String
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// The negative list with incidents recorded against territories and units, and campaigns with their phases.
public struct NegativeService: Sendable {
    let db: Database
    let clock: any Clock

    public func items(actor: Identity) async throws -> [NegativeItemRow] {
        try actor.require(.viewIndex)
        return try await db.read { db in
            try await db.raw("SELECT * FROM negative_items WHERE active = 1 ORDER BY area_code, code").all()
                .map { try $0.decode(model: NegativeItemRow.self, with: .snakeCase) }
        }
    }

    /// Replaces or extends the list from a file: codes already present are updated, new codes added. All or nothing.
    public func importItems(_ table: Table, isSample: Bool, actor: Identity, maxRows: Int) async throws -> (created: Int, updated: Int) {
        try IndexService.requireCityAdmin(actor)
        let (items, issues) = NegativeListImport.plan(table, maxRows: maxRows)
        if !issues.isEmpty { throw AppError.importFailed(issues) }
        let now = clock.now()
        return try await db.write { tx in
            var c = 0, u = 0
            for i in items {
                if try await tx.raw("SELECT id FROM negative_items WHERE code = \(bind: i.code)").first() != nil {
                    try await tx.raw("""
                        UPDATE negative_items SET area_code = \(bind: i.areaCode), area_name = \(bind: i.areaName), title = \(bind: i.title),
                          penalty = \(bind: i.penalty.rawValue), points = \(bind: i.points?.hundredths), months = \(bind: i.months),
                          veto = \(bind: i.veto ? 1 : 0), is_sample = \(bind: isSample ? 1 : 0), active = 1 WHERE code = \(bind: i.code)
                        """).run()
                    u += 1
                } else {
                    try await tx.raw("""
                        INSERT INTO negative_items (area_code, area_name, code, title, penalty, points, months, veto, is_sample, active, created_at)
                        VALUES (\(bind: i.areaCode), \(bind: i.areaName), \(bind: i.code), \(bind: i.title), \(bind: i.penalty.rawValue),
                                \(bind: i.points?.hundredths), \(bind: i.months), \(bind: i.veto ? 1 : 0), \(bind: isSample ? 1 : 0), 1, \(bind: now.epoch))
                        """).run()
                    c += 1
                }
            }
            try await Audit.record(tx, actor: actor, action: "import", entity: "negative_item", entityID: nil,
                                   summary: "导入负面清单：新增 \(c) 项，更新 \(u) 项", scope: actor.orgPath, at: now)
            return (c, u)
        }
    }

    public func exportRows(actor: Identity) async throws -> [[String]] {
        var out = [NegativeListImport.columns.map(\.header)]
        for r in try await items(actor: actor) {
            let i = r.item
            out.append([i.areaCode, i.areaName, i.code, i.title, i.penalty.label, i.points?.description ?? "", i.months.map(String.init) ?? "", i.veto ? "是" : "否"])
        }
        return out
    }

    /// Records an incident against a territory or unit in the actor's scope.
    public func recordIncident(itemID: Int64, orgID: Int64, occurredOn: String, description: String, evidence: String, actor: Identity) async throws -> Int64 {
        try actor.require(.recordIncidents)
        var p: [String: String] = [:]
        if !CivilDate.isValid(occurredOn) { p["occurredOn"] = Msg.badDate(occurredOn) }
        else if occurredOn > TaskHealth.day(clock.now(), Fmt.zone) { p["occurredOn"] = "发生日期不能晚于今天" }
        let d = description.trimmed()
        if d.isEmpty || d.count > 2000 { p["description"] = Msg.requiredField("情况说明") }
        if evidence.count > 2000 { p["evidence"] = Msg.invalidField("证据") }
        if !p.isEmpty { throw AppError.validation(p) }
        let now = clock.now()
        return try await db.write { tx in
            guard let item = try await tx.raw("SELECT * FROM negative_items WHERE id = \(bind: itemID) AND active = 1").first()?
                .decode(model: NegativeItemRow.self, with: .snakeCase) else { throw AppError.validation(["itemID": Msg.notFound]) }
            guard let org = try await OrgService.fetch(tx, id: orgID) else { throw AppError.validation(["orgID": Msg.notFound]) }
            try actor.requireScope(org.orgPath)
            guard org.orgKind.isTerritory || org.orgKind.isUnit else { throw AppError.validation(["orgID": "负面清单事件只能记在地区或单位上"]) }
            let id = try await tx.raw("""
                INSERT INTO negative_incidents (item_id, org_id, occurred_on, description, evidence, status, created_by, created_at)
                VALUES (\(bind: itemID), \(bind: orgID), \(bind: occurredOn), \(bind: d), \(bind: evidence), 'active', \(bind: actor.userID), \(bind: now.epoch)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            try await Audit.record(tx, actor: actor, action: "create", entity: "negative_incident", entityID: id,
                                   summary: "记录“\(org.name)”负面清单事件：\(item.code) \(item.title)（\(item.item.consequence)）", scope: org.orgPath, at: now)
            return id
        }
    }

    public func withdrawIncident(_ id: Int64, reason: String, actor: Identity) async throws {
        try IndexService.requireCityAdmin(actor)
        let r = reason.trimmed()
        if r.isEmpty { throw AppError.validation(["reason": Msg.requiredField("撤销理由")]) }
        let now = clock.now()
        try await db.write { tx in
            guard let inc = try await tx.raw("SELECT * FROM negative_incidents WHERE id = \(bind: id)").first()?
                .decode(model: IncidentRow.self, with: .snakeCase) else { throw AppError.notFound }
            guard let org = try await OrgService.fetch(tx, id: inc.orgId) else { throw AppError.notFound }
            try actor.requireScope(org.orgPath)
            guard inc.status == "active" else { throw AppError.conflict("该事件已撤销") }
            try await tx.raw("UPDATE negative_incidents SET status = 'withdrawn', withdrawn_reason = \(bind: r) WHERE id = \(bind: id)").run()
            try await Audit.record(tx, actor: actor, action: "withdraw", entity: "negative_incident", entityID: id,
                                   summary: "撤销“\(org.name)”的负面清单事件（\(r)）", scope: org.orgPath, at: now)
        }
    }

    public struct IncidentView: Sendable { public var incident: IncidentRow; public var item: NegativeItemRow; public var org: OrgRow }

    /// Incidents against orgs in the actor's scope (optionally one org and its subtree), newest first.
    public func incidents(actor: Identity, under orgID: Int64? = nil) async throws -> [IncidentView] {
        try actor.require(.viewIndex)
        return try await db.read { db in
            var root = actor.orgPath
            if let orgID { root = try await OrgService.visible(db, id: orgID, actor: actor).orgPath }
            let (lo, hi) = scopeRange(root)
            let rows = try await db.raw("""
                SELECT i.id FROM negative_incidents i JOIN orgs o ON o.id = i.org_id
                WHERE o.path >= \(bind: lo) AND o.path < \(bind: hi) ORDER BY i.occurred_on DESC, i.id DESC LIMIT 500
                """).all()
            var out: [IncidentView] = []
            for r in rows {
                let inc = try await db.raw("SELECT * FROM negative_incidents WHERE id = \(bind: try r.decode(column: "id", as: Int64.self))").first()!
                    .decode(model: IncidentRow.self, with: .snakeCase)
                let item = try await db.raw("SELECT * FROM negative_items WHERE id = \(bind: inc.itemId)").first()!
                    .decode(model: NegativeItemRow.self, with: .snakeCase)
                out.append(IncidentView(incident: inc, item: item, org: try await OrgService.fetch(db, id: inc.orgId)!))
            }
            return out
        }
    }

    // MARK: campaigns

    public func campaigns(actor: Identity) async throws -> [CampaignRow] {
        try actor.require(.viewIndex)
        return try await db.read { db in
            try await db.raw("SELECT * FROM campaigns ORDER BY start_date DESC, id DESC").all().map { try $0.decode(model: CampaignRow.self, with: .snakeCase) }
        }
    }

    public func campaign(_ id: Int64, actor: Identity) async throws -> (CampaignRow, [PhaseDates], [Int64]) {
        try actor.require(.viewIndex)
        return try await db.read { db in
            guard let c = try await db.raw("SELECT * FROM campaigns WHERE id = \(bind: id)").first()?.decode(model: CampaignRow.self, with: .snakeCase) else { throw AppError.notFound }
            let ph = try await db.raw("SELECT phase, start_date, end_date FROM campaign_phases WHERE campaign_id = \(bind: id)").all().compactMap { r -> PhaseDates? in
                guard let p = CampaignPhase(rawValue: try r.decode(column: "phase", as: String.self)) else { return nil }
                return PhaseDates(phase: p, start: try r.decode(column: "start_date", as: String.self), end: try r.decode(column: "end_date", as: String.self))
            }
            let phases = CampaignPhase.allCases.map { p in ph.first { $0.phase == p } ?? PhaseDates(phase: p, start: "", end: "") }
            let systems = try await db.raw("SELECT system_id FROM campaign_systems WHERE campaign_id = \(bind: id) ORDER BY system_id").all().map { try $0.decode(column: "system_id", as: Int64.self) }
            return (c, phases, systems)
        }
    }

    /// Creates (id nil) or edits a campaign with its phases and index systems, in one transaction.
    public func saveCampaign(id: Int64?, name: String, start: String, end: String, notes: String, phases: [PhaseDates], systems: [Int64], actor: Identity) async throws -> Int64 {
        try IndexService.requireCityAdmin(actor)
        let p = CampaignRules.problems(name: name, start: start, end: end, phases: phases)
        if !p.isEmpty { throw AppError.validation(p) }
        if notes.count > 2000 { throw AppError.validation(["notes": Msg.invalidField("说明")]) }
        let now = clock.now()
        return try await db.write { tx in
            let known = Set(try await tx.raw("SELECT id FROM index_systems").all().map { try $0.decode(column: "id", as: Int64.self) })
            for s in systems where !known.contains(s) { throw AppError.validation(["systems": Msg.notFound]) }
            let cid: Int64
            if let id {
                guard try await tx.raw("SELECT id FROM campaigns WHERE id = \(bind: id)").first() != nil else { throw AppError.notFound }
                try await tx.raw("UPDATE campaigns SET name = \(bind: name), start_date = \(bind: start), end_date = \(bind: end), notes = \(bind: notes), updated_at = \(bind: now.epoch) WHERE id = \(bind: id)").run()
                try await tx.raw("DELETE FROM campaign_phases WHERE campaign_id = \(bind: id)").run()
                try await tx.raw("DELETE FROM campaign_systems WHERE campaign_id = \(bind: id)").run()
                cid = id
            } else {
                cid = try await tx.raw("INSERT INTO campaigns (name, start_date, end_date, notes, created_at, updated_at) VALUES (\(bind: name), \(bind: start), \(bind: end), \(bind: notes), \(bind: now.epoch), \(bind: now.epoch)) RETURNING id").first()!.decode(column: "id", as: Int64.self)
            }
            for ph in phases {
                try await tx.raw("INSERT INTO campaign_phases (campaign_id, phase, start_date, end_date) VALUES (\(bind: cid), \(bind: ph.phase.rawValue), \(bind: ph.start), \(bind: ph.end))").run()
            }
            for s in Set(systems) { try await tx.raw("INSERT INTO campaign_systems (campaign_id, system_id) VALUES (\(bind: cid), \(bind: s))").run() }
            try await Audit.record(tx, actor: actor, action: id == nil ? "create" : "update", entity: "campaign", entityID: cid,
                                   summary: "\(id == nil ? "新建" : "修改")创建周期“\(name)”（\(start) 至 \(end)）", scope: actor.orgPath, at: now)
            return cid
        }
    }
}
