import Foundation
import SQLKit
import WenmingCore

public struct PointRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var categoryId: Int64
    public var address: String
    public var latE6: Int64?
    public var lngE6: Int64?
    public var territoryId: Int64
    public var territoryPath: String
    public var districtId: Int64?
    public var adopterId: Int64?
    public var declared: Int
    public var active: Int
    public var createdAt: Int64
    public var updatedAt: Int64
    public var latitude: Double? { latE6.map { Double($0) / 1_000_000 } }
    public var longitude: Double? { lngE6.map { Double($0) / 1_000_000 } }
}

/// A point with the names a list shows.
public struct PointItem: Sendable {
    public var p: PointRow
    public var categoryCode: String
    public var categoryName: String
    public var territoryName: String
    public var territoryCode: String
    public var adopterName: String?
    public var adopterCode: String?
}

public struct CategoryRow: Sendable, Equatable { public var id: Int64; public var code: String; public var name: String; public var checkRecords: Bool }

/// A field standard of a category's checklist.
public struct ChecklistItem: Sendable, Equatable { public var id: Int64; public var code: String; public var title: String; public var body: String; public var score: Score }

public struct PointHistoryRow: Codable, Sendable { public var at: Int64; public var actorName: String; public var change: String }

/// The point registry (点位): who may see and change which points, import/export, checklists.
///
/// A user sees a point when its territory or its adopting unit is in the user's scope; only office
/// administrators change points, within their territory.
public struct PointService: Sendable {
    let db: Database
    let clock: any Clock

    public init(db: Database, clock: any Clock) { self.db = db; self.clock = clock }

    static let columns = """
        SELECT p.*, c.code AS category_code, c.name AS category_name, t.name AS territory_name, t.code AS territory_code,
          a.name AS adopter_name, a.code AS adopter_code
        """
    static let select = columns + """

        FROM points p JOIN point_categories c ON c.id = p.category_id JOIN orgs t ON t.id = p.territory_id LEFT JOIN orgs a ON a.id = p.adopter_id
        """

    static func item(_ r: any SQLRow) throws -> PointItem {
        PointItem(p: try r.decode(model: PointRow.self, with: .snakeCase),
                  categoryCode: try r.decode(column: "category_code", as: String.self), categoryName: try r.decode(column: "category_name", as: String.self),
                  territoryName: try r.decode(column: "territory_name", as: String.self), territoryCode: try r.decode(column: "territory_code", as: String.self),
                  adopterName: try r.stringOrNil("adopter_name"), adopterCode: try r.stringOrNil("adopter_code"))
    }

    /// The scope condition on `p` (points) for `actor`.
    static func scopeClause(_ actor: Identity) -> SQLQueryString {
        let (lo, hi) = scopeRange(actor.orgPath)
        return SQLQueryString("((p.territory_path >= \(bind: lo) AND p.territory_path < \(bind: hi)) OR p.adopter_id IN (SELECT id FROM orgs WHERE path >= \(bind: lo) AND path < \(bind: hi)))")
    }

    public func categories() async throws -> [CategoryRow] {
        try await db.read { db in
            try await db.raw("SELECT id, code, name, check_records FROM point_categories WHERE active = 1 ORDER BY code").all().map {
                CategoryRow(id: try $0.decode(column: "id", as: Int64.self), code: try $0.decode(column: "code", as: String.self),
                            name: try $0.decode(column: "name", as: String.self), checkRecords: try $0.decode(column: "check_records", as: Int.self) != 0)
            }
        }
    }

    public struct Filter: Sendable {
        public var categoryID: Int64?
        public var territoryID: Int64?
        public var text = ""
        public var declaredOnly = false
        public var includeInactive = false
        public init() {}
    }

    public func list(_ f: Filter, actor: Identity, limit: Int = 200, offset: Int = 0) async throws -> (items: [PointItem], total: Int) {
        try actor.require(.viewPoints)
        var w = [Self.scopeClause(actor)]
        if let c = f.categoryID { w.append("p.category_id = \(bind: c)") }
        if let t = f.territoryID {
            let path = try await db.read { try await OrgService.fetch($0, id: t) }?.path ?? "/0/"
            w.append("p.territory_path >= \(bind: path) AND p.territory_path < \(bind: path + "~")")
        }
        if !f.text.isEmpty {
            let pat = SearchText.containsPattern(f.text)
            w.append("(LOWER(p.name) LIKE \(bind: pat) ESCAPE '\\' OR LOWER(p.code) LIKE \(bind: pat) ESCAPE '\\' OR LOWER(p.address) LIKE \(bind: pat) ESCAPE '\\')")
        }
        if f.declaredOnly { w.append("p.declared = 1") }
        if !f.includeInactive { w.append("p.active = 1") }
        var clause = SQLQueryString("1 = 1")
        for c in w { clause.appendInterpolation(" AND (\(c))" as SQLQueryString) }
        let cond = clause
        return try await db.read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM points p WHERE \(cond)").first()!.decode(column: "n", as: Int.self)
            let items = try await db.raw("\(unsafeRaw: Self.select) WHERE \(cond) ORDER BY p.code LIMIT \(bind: limit) OFFSET \(bind: offset)").all().map(Self.item)
            return (items, total)
        }
    }

    public func get(_ id: Int64, actor: Identity) async throws -> PointItem {
        try actor.require(.viewPoints)
        guard let r = try await db.read({ try await $0.raw("\(unsafeRaw: Self.select) WHERE p.id = \(bind: id) AND \(Self.scopeClause(actor))").first() }) else {
            throw AppError.notFound
        }
        return try Self.item(r)
    }

    public func history(_ id: Int64, actor: Identity) async throws -> [PointHistoryRow] {
        _ = try await get(id, actor: actor)
        return try await db.read { db in
            try await db.raw("SELECT at, actor_name, change FROM point_history WHERE point_id = \(bind: id) ORDER BY id DESC").all(decoding: PointHistoryRow.self, with: .snakeCase)
        }
    }

    /// The field standards of the active index systems that apply to a category: the point's checklist.
    public func checklist(categoryName: String) async throws -> [ChecklistItem] {
        try await db.read { db in
            try await db.raw("""
                SELECT n.id, n.code, n.title, n.body, n.score, n.methods, n.categories FROM index_nodes n JOIN index_systems s ON s.id = n.system_id
                WHERE s.active = 1 AND n.level = \(bind: IndexLevel.standard.rawValue) AND n.categories LIKE \(bind: "%" + categoryName + "%") ORDER BY s.id, n.sort, n.id
                """).all().compactMap { r -> ChecklistItem? in
                let methods = try r.decode(column: "methods", as: String.self).split(separator: ",").map(String.init)
                guard methods.contains(CollectionMethod.field.rawValue), splitList(try r.decode(column: "categories", as: String.self)).contains(categoryName) else { return nil }
                return ChecklistItem(id: try r.decode(column: "id", as: Int64.self), code: try r.decode(column: "code", as: String.self),
                                     title: try r.decode(column: "title", as: String.self), body: try r.decode(column: "body", as: String.self),
                                     score: Score(hundredths: try r.decode(column: "score", as: Int.self)))
            }
        }
    }

    // MARK: - Changes

    /// What a draft may name for `actor`: categories by code and name, territories (district … grid) in scope
    /// by code, and active units anywhere by code (a city department may adopt a point in a district).
    struct Names { var categories: [String: Int64]; var territories: [String: OrgRow]; var units: [String: Int64] }

    static func names(_ db: any SQLDatabase, actor: Identity) async throws -> Names {
        var cats: [String: Int64] = [:]
        for r in try await db.raw("SELECT id, code, name FROM point_categories WHERE active = 1").all() {
            let id = try r.decode(column: "id", as: Int64.self)
            cats[try r.decode(column: "code", as: String.self)] = id
            cats[try r.decode(column: "name", as: String.self)] = id
        }
        let (lo, hi) = scopeRange(actor.orgPath)
        var terr: [String: OrgRow] = [:], units: [String: Int64] = [:]
        let kinds = [OrgKind.district, .county, .street, .town, .community, .village, .grid].map { "'\($0.rawValue)'" }.joined(separator: ",")
        for o in try await db.raw("SELECT * FROM orgs WHERE active = 1 AND kind IN (\(unsafeRaw: kinds)) AND path >= \(bind: lo) AND path < \(bind: hi)").all().map(OrgRow.init(row:)) {
            terr[o.code] = o
        }
        for r in try await db.raw("SELECT id, code, kind FROM orgs WHERE active = 1").all() where OrgKind(rawValue: try r.decode(column: "kind", as: String.self))?.isUnit == true {
            units[try r.decode(column: "code", as: String.self)] = try r.decode(column: "id", as: Int64.self)
        }
        return Names(categories: cats, territories: terr, units: units)
    }

    /// The district (区/县) a territory lies in: the first node of its path of that kind.
    static func district(_ db: any SQLDatabase, of t: OrgRow) async throws -> Int64? {
        for id in t.orgPath.ids {
            if let o = try await OrgService.fetch(db, id: id), [.district, .county].contains(o.orgKind) { return o.id }
        }
        return nil
    }

    static func e6(_ v: Double?) -> Int64? { v.map { Int64(($0 * 1_000_000).rounded()) } }

    /// Writes one checked draft (insert or update by code) with its history line, in the caller's transaction.
    @discardableResult
    static func upsert(_ tx: any SQLDatabase, _ d: PointDraft, names n: Names, actor: Identity, now: Date) async throws -> Int64 {
        let t = n.territories[d.territory]!
        let district = try await district(tx, of: t)
        let cat = n.categories[d.category]!
        let adopter = d.adopter.isEmpty ? nil : n.units[d.adopter]
        let summary = "\(d.name.trimmed())｜类型 \(d.category)｜区域 \(t.name)｜包保 \(d.adopter.isEmpty ? "无" : d.adopter)｜\(d.declared ? "已申报" : "未申报")｜\(d.active ? "启用" : "停用")｜\(d.address)"
        if let old = try await tx.raw("SELECT id, territory_path FROM points WHERE code = \(bind: d.code)").first() {
            let id = try old.decode(column: "id", as: Int64.self)
            // Changing a point outside one's scope is refused even when the new territory is inside it.
            try actor.requireScope(OrgPath(try old.decode(column: "territory_path", as: String.self))!)
            try await tx.raw("""
                UPDATE points SET name = \(bind: d.name.trimmed()), category_id = \(bind: cat), address = \(bind: d.address),
                  lat_e6 = \(bind: e6(d.latitude)), lng_e6 = \(bind: e6(d.longitude)), territory_id = \(bind: t.id), territory_path = \(bind: t.path),
                  district_id = \(bind: district), adopter_id = \(bind: adopter), declared = \(bind: d.declared ? 1 : 0), active = \(bind: d.active ? 1 : 0),
                  updated_at = \(bind: now.epoch) WHERE id = \(bind: id)
                """).run()
            try await tx.raw("INSERT INTO point_history (point_id, at, actor_id, actor_name, change) VALUES (\(bind: id), \(bind: now.epoch), \(bind: actor.userID), \(bind: actor.displayName), \(bind: "修改：" + summary))").run()
            return id
        }
        let id = try await tx.raw("""
            INSERT INTO points (code, name, category_id, address, lat_e6, lng_e6, territory_id, territory_path, district_id, adopter_id, declared, active, created_at, updated_at)
            VALUES (\(bind: d.code), \(bind: d.name.trimmed()), \(bind: cat), \(bind: d.address), \(bind: e6(d.latitude)), \(bind: e6(d.longitude)),
              \(bind: t.id), \(bind: t.path), \(bind: district), \(bind: adopter), \(bind: d.declared ? 1 : 0), \(bind: d.active ? 1 : 0), \(bind: now.epoch), \(bind: now.epoch))
            RETURNING id
            """).first()!.decode(column: "id", as: Int64.self)
        try await tx.raw("INSERT INTO point_history (point_id, at, actor_id, actor_name, change) VALUES (\(bind: id), \(bind: now.epoch), \(bind: actor.userID), \(bind: actor.displayName), \(bind: "登记：" + summary))").run()
        return id
    }

    /// Registers a new point or changes one (by code). `existingID`: the point being edited, whose code must match.
    public func save(_ d: PointDraft, existingID: Int64? = nil, actor: Identity) async throws -> Int64 {
        try actor.require(.managePoints)
        let now = clock.now()
        return try await db.write { tx in
            let n = try await Self.names(tx, actor: actor)
            let p = d.problems(categories: Set(n.categories.keys), territories: Set(n.territories.keys), units: Set(n.units.keys))
            if !p.isEmpty { throw AppError.validation(p) }
            let existing = try await tx.raw("SELECT id FROM points WHERE code = \(bind: d.code)").first().map { try $0.decode(column: "id", as: Int64.self) }
            if existing != existingID { throw AppError.validation(["code": existingID == nil ? "点位编码“\(d.code)”已被使用" : "编码不能修改"]) }
            let id = try await Self.upsert(tx, d, names: n, actor: actor, now: now)
            try await Audit.record(tx, actor: actor, action: existingID == nil ? "create" : "update", entity: "point", entityID: id,
                                   summary: "\(existingID == nil ? "登记" : "修改")点位 \(d.code) \(d.name.trimmed())", scope: n.territories[d.territory]!.orgPath, at: now, ip: actor.ip)
            return id
        }
    }

    /// Imports a table of points: every row checked first, then all written in one transaction, or none.
    public func importTable(_ table: Table, actor: Identity, maxRows: Int) async throws -> Int {
        try actor.require(.managePoints)
        let now = clock.now()
        return try await db.write { tx in
            let n = try await Self.names(tx, actor: actor)
            let (rows, issues) = PointImport.plan(table, categories: Set(n.categories.keys), territories: Set(n.territories.keys), units: Set(n.units.keys), maxRows: maxRows)
            if !issues.isEmpty { throw AppError.importFailed(issues) }
            for (i, d) in rows.enumerated() {
                do { try await Self.upsert(tx, d, names: n, actor: actor, now: now) } catch let e as AppError {
                    if case .forbidden = e { throw AppError.importFailed([ImportIssue(row: table.rowNumbers[i], column: "编码", message: "点位“\(d.code)”不在您的管辖范围内，不能修改")]) }
                    throw e
                }
            }
            try await Audit.record(tx, actor: actor, action: "import", entity: "point", entityID: nil, summary: "导入点位 \(rows.count) 个", scope: actor.orgPath, at: now, ip: actor.ip)
            return rows.count
        }
    }

    /// The registry in import format (a file exported can be edited and imported again).
    public func exportRows(actor: Identity) async throws -> [[String]] {
        var f = Filter(); f.includeInactive = true
        var out = [PointImport.columns.map(\.header)]
        var offset = 0
        while true {
            let page = try await list(f, actor: actor, limit: 5000, offset: offset).items
            // Someone who manages points gets the ones they may change, so the file imports again as it is; others get
            // everything they see (including points their unit adopts elsewhere).
            for i in page where !actor.can(.managePoints) || actor.inScope(OrgPath(i.p.territoryPath)!) {
                out.append([i.p.code, i.p.name, i.categoryName, i.p.address, i.p.lngE6.map(CivilText.millionths) ?? "",
                            i.p.latE6.map(CivilText.millionths) ?? "", i.territoryCode, i.adopterCode ?? "",
                            i.p.declared != 0 ? "是" : "否", i.p.active != 0 ? "是" : "否"])
            }
            if page.count < 5000 { break }
            offset += 5000
        }
        return out
    }

    /// The latest visit result of each point in scope (hundredths of a percent), for colouring the map.
    public func latestScores(actor: Identity) async throws -> [Int64: Int] {
        try await db.read { db in
            var out: [Int64: Int] = [:]
            for r in try await db.raw("""
                SELECT v.point_id, v.full_h, v.lost_h FROM visits v JOIN points p ON p.id = v.point_id
                WHERE \(Self.scopeClause(actor)) ORDER BY v.visited_at
                """).all() {
                let full = try r.decode(column: "full_h", as: Int.self), lost = try r.decode(column: "lost_h", as: Int.self)
                out[try r.decode(column: "point_id", as: Int64.self)] = RoundScoring.score(full: Score(hundredths: full), lost: Score(hundredths: lost))
            }
            return out
        }
    }
}
