import Foundation
import SQLKit
import WenmingCore

public struct DrawRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var scopeId: Int64
    public var scopePath: String
    public var algorithm: String
    public var spec: String
    public var listSize: Int
    public var listDigest: String
    public var commitment: String
    public var seed: String
    public var status: String
    public var scheduledAt: Int64
    public var createdBy: Int64?
    public var createdByName: String
    public var createdAt: Int64
    public var ranAt: Int64?
    public var resultDigest: String?
    public var pickCount: Int?
    public var isDone: Bool { status == "done" }
    /// The seed is revealed only once the draw has run.
    public var revealedSeed: String? { isDone ? seed : nil }
}

public struct DrawPickItem: Sendable { public var ord: Int; public var kind: String; public var category: String; public var district: String; public var code: String; public var pointID: Int64; public var pointName: String; public var categoryName: String; public var districtName: String }

/// The computer draw (电脑抽签): freezing the list of declared points in scope with a committed seed, running
/// at the scheduled time, keeping every draw, and recomputing any of them. The algorithm is WenmingCore's
/// `DrawAlgorithm` (docs/design/draw-algorithm.md).
///
/// Kept and unalterable: the database refuses changes to a draw's list, spec, seed and commitment, any second
/// run, and deletion (triggers of migration 0005); `verify` detects what a trigger could not stop.
public struct DrawService: Sendable {
    let db: Database
    let clock: any Clock
    let newSeed: @Sendable () -> String

    public init(db: Database, clock: any Clock, newSeed: @escaping @Sendable () -> String = {
        var g = SystemRandomNumberGenerator(); return DrawAlgorithm.newSeed(using: &g)
    }) {
        self.db = db; self.clock = clock; self.newSeed = newSeed
    }

    static func scopeVisible(_ d: DrawRow, _ actor: Identity) -> Bool {
        guard let p = OrgPath(d.scopePath) else { return false }
        return actor.orgPath.contains(p) || p.contains(actor.orgPath)
    }

    public func list(actor: Identity) async throws -> [DrawRow] {
        try actor.require(.viewPoints)
        let (lo, hi) = scopeRange(actor.orgPath)
        let mine = actor.orgPath.description
        // The same rule as `scopeVisible`, in SQL so that the limit applies to what the user may see.
        return try await db.read { db in
            try await db.raw("""
                SELECT * FROM draws WHERE (scope_path >= \(bind: lo) AND scope_path < \(bind: hi)) OR \(bind: mine) LIKE scope_path || '%'
                ORDER BY id DESC LIMIT 500
                """).all(decoding: DrawRow.self, with: .snakeCase)
        }.filter { Self.scopeVisible($0, actor) }
    }

    public func get(_ id: Int64, actor: Identity) async throws -> DrawRow {
        try actor.require(.viewPoints)
        guard let d = try await Self.fetch(db, id), Self.scopeVisible(d, actor) else { throw AppError.notFound }
        return d
    }

    static func fetch(_ db: Database, _ id: Int64) async throws -> DrawRow? {
        try await db.read { try await $0.raw("SELECT * FROM draws WHERE id = \(bind: id)").first(decoding: DrawRow.self, with: .snakeCase) }
    }

    /// The declared, active points of a territory as draw entries (category code, district code).
    static func candidates(_ db: any SQLDatabase, scopePath: String) async throws -> [(Int64, DrawAlgorithm.Entry)] {
        try await db.raw("""
            SELECT p.id, p.code, c.code AS category, COALESCE(d.code, '-') AS district FROM points p
            JOIN point_categories c ON c.id = p.category_id LEFT JOIN orgs d ON d.id = p.district_id
            WHERE p.declared = 1 AND p.active = 1 AND p.territory_path >= \(bind: scopePath) AND p.territory_path < \(bind: scopePath + "~")
            """).all().map {
            (try $0.decode(column: "id", as: Int64.self),
             DrawAlgorithm.Entry(code: try $0.decode(column: "code", as: String.self), category: try $0.decode(column: "category", as: String.self),
                                 district: try $0.decode(column: "district", as: String.self)))
        }
    }

    public struct NewDraw: Sendable {
        public var name: String
        public var scopeID: Int64?
        public var spec: DrawAlgorithm.Spec
        /// When it runs; nil or past: now.
        public var at: Date?
        public init(name: String, scopeID: Int64?, spec: DrawAlgorithm.Spec, at: Date?) { self.name = name; self.scopeID = scopeID; self.spec = spec; self.at = at }
    }

    /// Freezes the list and commits to a fresh seed; the draw runs at its time (at once when that is now).
    public func create(_ n: NewDraw, actor: Identity) async throws -> DrawRow {
        try actor.require(.runDraws)
        var problems = n.spec.problems()
        let name = n.name.trimmed()
        if name.isEmpty { problems["name"] = Msg.requiredField("抽签名称") } else if name.count > 100 { problems["name"] = "名称不能超过 100 字" }
        let now = clock.now()
        if let at = n.at, at.timeIntervalSince(now) > 366 * 86400 { problems["at"] = "抽签时间不能晚于一年以后" }
        if !problems.isEmpty { throw AppError.validation(problems) }
        let seed = newSeed()
        let at = max(n.at ?? now, now)
        let d = try await db.write { tx -> DrawRow in
            let scope: OrgRow
            if let sid = n.scopeID {
                guard let o = try await OrgService.fetch(tx, id: sid), o.orgKind.family == .territory else { throw AppError.validation(["scope": "抽签范围须为市、区县或街道"]) }
                scope = o
            } else {
                guard let o = try await OrgService.fetch(tx, id: actor.orgID) else { throw AppError.notFound }
                scope = o
            }
            try actor.requireScope(scope.orgPath)
            let cands = try await Self.candidates(tx, scopePath: scope.path)
            let frozen: [DrawAlgorithm.Entry]
            do { frozen = try DrawAlgorithm.freeze(cands.map(\.1)) } catch { throw AppError.conflict("点位清单无法冻结：\(error)") }
            if frozen.isEmpty { throw AppError.validation(["scope": "范围内没有已申报且启用的点位，无法抽签"]) }
            let present = Set(frozen.map(\.category))
            let named = Set((n.spec.strata + n.spec.randomViewing).filter { $0.count > 0 }.map(\.category))
            if present.isDisjoint(with: named) { throw AppError.validation(["quota": "所填点位类型在范围内都没有已申报且启用的点位，抽不到任何点位"]) }
            let ids = Dictionary(uniqueKeysWithValues: cands.map { ($0.1.code, $0.0) })
            let row = try await tx.raw("""
                INSERT INTO draws (name, scope_id, scope_path, algorithm, spec, list_size, list_digest, commitment, seed, status, scheduled_at,
                  created_by, created_by_name, created_at)
                VALUES (\(bind: name), \(bind: scope.id), \(bind: scope.path), \(bind: DrawAlgorithm.version), \(bind: n.spec.canonical), \(bind: frozen.count),
                  \(bind: DrawAlgorithm.listDigest(frozen)), \(bind: DrawAlgorithm.commitment(seedHex: seed)!), \(bind: seed), 'scheduled', \(bind: at.epoch),
                  \(bind: actor.userID), \(bind: actor.displayName), \(bind: now.epoch))
                RETURNING *
                """).first(decoding: DrawRow.self, with: .snakeCase)!
            // The frozen list, in its canonical order, many rows per statement.
            for chunkStart in stride(from: 0, to: frozen.count, by: 400) {
                let chunk = frozen[chunkStart..<min(chunkStart + 400, frozen.count)]
                var q = SQLQueryString("INSERT INTO draw_entries (draw_id, ord, point_id, code, category, district) VALUES ")
                for (k, e) in chunk.enumerated() {
                    if k > 0 { q.appendLiteral(", ") }
                    q.appendInterpolation("(\(bind: row.id), \(bind: chunkStart + k), \(bind: ids[e.code]!), \(bind: e.code), \(bind: e.category), \(bind: e.district))" as SQLQueryString)
                }
                try await tx.raw(q).run()
            }
            try await Audit.record(tx, actor: actor, action: "create", entity: "draw", entityID: row.id,
                                   summary: "冻结抽签清单“\(name)”：\(frozen.count) 个点位，承诺值 \(row.commitment.prefix(16))…", scope: scope.orgPath, at: now, ip: actor.ip)
            return row
        }
        if at <= now { return try await run(d.id, actor: actor) }
        return d
    }

    /// Runs a scheduled draw whose time has come: once; a second run is refused (and the database refuses it too).
    public func run(_ id: Int64, actor: Identity?) async throws -> DrawRow {
        if let actor { try actor.require(.runDraws) }
        let now = clock.now()
        // On PostgreSQL the row is locked so that a click and the sweep (or two servers) cannot both run it;
        // SQLite has one writer.
        let lock = db.engine == .postgres ? " FOR UPDATE" : ""
        return try await db.write { tx -> DrawRow in
            guard let d = try await tx.raw("SELECT * FROM draws WHERE id = \(bind: id)\(unsafeRaw: lock)").first(decoding: DrawRow.self, with: .snakeCase) else { throw AppError.notFound }
            if let actor { try actor.requireScope(OrgPath(d.scopePath)!) }
            guard d.status == "scheduled" else { throw AppError.conflict(d.isDone ? "该抽签已经执行，不能重新抽签" : "该抽签已取消") }
            guard d.scheduledAt <= now.epoch else { throw AppError.conflict("未到预定的抽签时间 \(Fmt.dateTime(d.scheduledAt))") }
            let entries = try await Self.entries(tx, id)
            // The list must still be the one committed to (rows can be appended past the triggers).
            guard entries.count == d.listSize, DrawAlgorithm.listDigest(entries.map(\.1)) == d.listDigest else {
                throw AppError.conflict("冻结清单与记录的摘要不一致，拒绝抽签（清单可能被改动）")
            }
            guard let spec = DrawAlgorithm.Spec(canonical: d.spec) else { throw AppError.conflict("抽签规则无法读取") }
            let picks = try DrawAlgorithm.run(frozen: entries.map(\.1), spec: spec, seedHex: d.seed)   // recomputes the list digest
            let ids = Dictionary(uniqueKeysWithValues: entries.map { ($0.1.code, $0.0) })
            for (i, p) in picks.enumerated() {
                try await tx.raw("""
                    INSERT INTO draw_picks (draw_id, ord, kind, category, district, code, point_id)
                    VALUES (\(bind: id), \(bind: i), \(bind: p.kind.rawValue), \(bind: p.category), \(bind: p.district), \(bind: p.code), \(bind: ids[p.code]!))
                    """).run()
            }
            try await tx.raw("""
                UPDATE draws SET status = 'done', ran_at = \(bind: now.epoch), result_digest = \(bind: DrawAlgorithm.resultDigest(picks)), pick_count = \(bind: picks.count)
                WHERE id = \(bind: id) AND status = 'scheduled'
                """).run()
            // Rounds waiting for this draw get its points, those in the round's own territory.
            for r in try await tx.raw("SELECT id, scope_path FROM rounds WHERE draw_id = \(bind: id)").all() {
                let rid = try r.decode(column: "id", as: Int64.self), scope = try r.decode(column: "scope_path", as: String.self)
                try await tx.raw("""
                    INSERT INTO round_points (round_id, point_id, via)
                    SELECT \(bind: rid), k.point_id, 'draw' FROM draw_picks k JOIN points p ON p.id = k.point_id
                    WHERE k.draw_id = \(bind: id) AND p.territory_path >= \(bind: scope) AND p.territory_path < \(bind: scope + "~")
                    ON CONFLICT DO NOTHING
                    """).run()
            }
            try await Audit.record(tx, actor: actor, action: "run", entity: "draw", entityID: id,
                                   summary: "执行抽签“\(d.name)”：抽中 \(picks.count) 个点位，公开种子 \(d.seed)", scope: OrgPath(d.scopePath)!, at: now, ip: actor?.ip)
            return try await tx.raw("SELECT * FROM draws WHERE id = \(bind: id)").first(decoding: DrawRow.self, with: .snakeCase)!
        }
    }

    /// Cancels a draw that has not run yet (its list and commitment stay on record).
    public func cancel(_ id: Int64, actor: Identity) async throws {
        try actor.require(.runDraws)
        let now = clock.now()
        try await db.write { tx in
            guard let d = try await tx.raw("SELECT * FROM draws WHERE id = \(bind: id)").first(decoding: DrawRow.self, with: .snakeCase) else { throw AppError.notFound }
            try actor.requireScope(OrgPath(d.scopePath)!)
            guard d.status == "scheduled" else { throw AppError.conflict("只能取消尚未执行的抽签") }
            if let r = try await tx.raw("SELECT name FROM rounds WHERE draw_id = \(bind: id) AND status = 'open' LIMIT 1").first() {
                throw AppError.conflict("检查“\(try r.decode(column: "name", as: String.self))”正在使用该抽签，不能取消")
            }
            try await tx.raw("UPDATE draws SET status = 'cancelled' WHERE id = \(bind: id)").run()
            try await Audit.record(tx, actor: actor, action: "cancel", entity: "draw", entityID: id, summary: "取消抽签“\(d.name)”", scope: OrgPath(d.scopePath)!, at: now, ip: actor.ip)
        }
    }

    /// Runs every scheduled draw whose time has come (the server's sweep). Returns the ids run.
    public func runDue() async throws -> [Int64] {
        let now = clock.now()
        let due = try await db.read { db in
            try await db.raw("SELECT id FROM draws WHERE status = 'scheduled' AND scheduled_at <= \(bind: now.epoch) ORDER BY scheduled_at").all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var ran: [Int64] = []
        var failure: (any Error)?
        for id in due {
            // One draw that cannot run does not hold up the others; the first unexpected error is reported after.
            do { _ = try await run(id, actor: nil); ran.append(id) } catch AppError.conflict { continue } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        return ran
    }

    static func entries(_ db: any SQLDatabase, _ id: Int64) async throws -> [(Int64, DrawAlgorithm.Entry)] {
        try await db.raw("SELECT point_id, code, category, district FROM draw_entries WHERE draw_id = \(bind: id) ORDER BY ord").all().map {
            (try $0.decode(column: "point_id", as: Int64.self),
             DrawAlgorithm.Entry(code: try $0.decode(column: "code", as: String.self), category: try $0.decode(column: "category", as: String.self),
                                 district: try $0.decode(column: "district", as: String.self)))
        }
    }

    public func frozenList(_ id: Int64, actor: Identity) async throws -> [DrawAlgorithm.Entry] {
        _ = try await get(id, actor: actor)
        return try await db.read { try await Self.entries($0, id) }.map(\.1)
    }

    public func picks(_ id: Int64, actor: Identity) async throws -> [DrawPickItem] {
        _ = try await get(id, actor: actor)
        return try await db.read { db in
            try await db.raw("""
                SELECT k.*, p.name AS point_name, COALESCE(c.name, k.category) AS category_name, COALESCE(d.name, k.district) AS district_name
                FROM draw_picks k JOIN points p ON p.id = k.point_id LEFT JOIN point_categories c ON c.code = k.category
                LEFT JOIN orgs d ON d.id = p.district_id
                WHERE k.draw_id = \(bind: id) ORDER BY k.ord
                """).all().map {
                DrawPickItem(ord: try $0.decode(column: "ord", as: Int.self), kind: try $0.decode(column: "kind", as: String.self),
                             category: try $0.decode(column: "category", as: String.self), district: try $0.decode(column: "district", as: String.self),
                             code: try $0.decode(column: "code", as: String.self), pointID: try $0.decode(column: "point_id", as: Int64.self),
                             pointName: try $0.decode(column: "point_name", as: String.self), categoryName: try $0.decode(column: "category_name", as: String.self),
                             districtName: try $0.decode(column: "district_name", as: String.self))
            }
        }
    }

    /// Recomputes a draw from what is stored (its list, spec and seed) and compares with its record.
    /// Not scoped: anyone may check any draw; the CLI calls it.
    public static func verify(_ db: Database, id: Int64) async throws -> (DrawRow, DrawAlgorithm.Verification?) {
        guard let d = try await fetch(db, id) else { throw AppError.notFound }
        guard d.isDone else { return (d, nil) }
        guard let spec = DrawAlgorithm.Spec(canonical: d.spec) else {
            return (d, DrawAlgorithm.Verification(listDigestMatches: false, commitmentMatches: false, sampleMatches: false, recomputed: []))
        }
        let (entries, rows) = try await db.read { db in
            (try await Self.entries(db, id).map(\.1),
             try await db.raw("SELECT kind, category, district, code FROM draw_picks WHERE draw_id = \(bind: id) ORDER BY ord").all().map {
                (try $0.decode(column: "kind", as: String.self), try $0.decode(column: "category", as: String.self),
                 try $0.decode(column: "district", as: String.self), try $0.decode(column: "code", as: String.self))
             })
        }
        // A stored kind the algorithm does not know cannot match anything it recomputes.
        let picks = rows.compactMap { r in DrawAlgorithm.Kind(rawValue: r.0).map { DrawAlgorithm.Pick(kind: $0, category: r.1, district: r.2, code: r.3) } }
        var v = DrawAlgorithm.verify(entries: entries, recordedListDigest: d.listDigest, spec: spec, seedHex: d.seed,
                                     recordedCommitment: d.commitment, recordedPicks: picks)
        if picks.count != rows.count { v.sampleMatches = false }
        if let rd = d.resultDigest, rd != DrawAlgorithm.resultDigest(picks) { v.sampleMatches = false }
        return (d, v)
    }

    public func verify(_ id: Int64, actor: Identity) async throws -> DrawAlgorithm.Verification? {
        _ = try await get(id, actor: actor)
        return try await Self.verify(db, id: id).1
    }
}
