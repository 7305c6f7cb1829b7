import Foundation
import SQLKit
import WenmingCore

public struct ScoreRunRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var period: String
    public var schemeVersion: Int
    public var status: String
    public var version: Int?
    public var inputs: String
    public var computedAt: Int64
    public var tookMs: Int
    public var publishedAt: Int64?
    public var publishedBy: Int64?
    public var publishedByName: String?
    public var note: String
    public var isPublished: Bool { status == "published" }
}

public struct ScoreRow: Sendable {
    public var runID: Int64
    public var orgID: Int64
    public var level: ScoreLevel
    public var orgPath: OrgPath
    public var name: String
    public var total: Int?
    public var rank: Int?
    public var peers: Int
    public var card: Card?
    public var eligible: Bool
    public var lost: Int
    public var due: Int
    public var onTime: Int
    public var deferred: Int
    public var late: Int
    public var detailJSON: String?
    public var onTimeRate: Rate? { Rate(onTime, due - deferred) }
    public func detail() throws -> ScoreDetail? {
        try detailJSON.map { try JSONDecoder().decode(ScoreDetail.self, from: Data($0.utf8)) }
    }
}

/// Scores and rankings per period (DOMAIN.md §8): computed city-wide from the inspections, impressions, cases and
/// negative-list incidents of the period with the current scheme version, stored as a draft that follows its
/// inputs, and published as numbered versions that never change afterwards.
public struct ScoreService: Sendable {
    let db: Database
    let clock: any Clock
    public let zone: TimeZone
    let gate = ComputeGate()

    public init(db: Database, clock: any Clock, zone: TimeZone) { self.db = db; self.clock = clock; self.zone = zone }

    /// One computation at a time per process: two sweeps or clicks never build drafts at the same time (an
    /// actor alone would not do: it admits the next caller while the first awaits the database).
    actor ComputeGate {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func acquire() async {
            if busy { await withCheckedContinuation { waiting.append($0) } } else { busy = true }
        }
        func release() {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
    }

    // MARK: - Schemes

    public struct SchemeVersion: Sendable { public var version: Int; public var scheme: ScoringScheme; public var note: String; public var by: String; public var at: Int64 }

    public func scheme() async throws -> SchemeVersion {
        try await db.read { try await Self.scheme($0) }
    }

    static func scheme(_ db: any SQLDatabase, version: Int? = nil) async throws -> SchemeVersion {
        let q: SQLQueryString = version.map { "SELECT * FROM scoring_schemes WHERE version = \(bind: $0)" } ?? "SELECT * FROM scoring_schemes ORDER BY version DESC LIMIT 1"
        guard let r = try await db.raw(q).first() else { throw AppError.notFound }
        return try schemeVersion(r)
    }

    static func schemeVersion(_ r: any SQLRow) throws -> SchemeVersion {
        SchemeVersion(version: try r.decode(column: "version", as: Int.self), scheme: try ScoringScheme.decode(json: try r.decode(column: "config", as: String.self)),
                      note: try r.decode(column: "note", as: String.self), by: try r.decode(column: "created_by_name", as: String.self),
                      at: try r.decode(column: "created_at", as: Int64.self))
    }

    public func schemeHistory() async throws -> [SchemeVersion] {
        try await db.read { try await $0.raw("SELECT * FROM scoring_schemes ORDER BY version DESC").all().map(Self.schemeVersion) }
    }

    /// Saves a new scheme version (the old ones are kept). Only the city's office changes the scheme.
    public func saveScheme(_ scheme: ScoringScheme, note: String, actor: Identity) async throws -> Int {
        try actor.require(.manageScores)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("测评方案由市级创文办制定") }
        let p = scheme.problems()
        if !p.isEmpty { throw AppError.validation(p) }
        let now = clock.now()
        return try await db.write { tx in
            let current = try await Self.scheme(tx)
            if current.scheme == scheme { throw AppError.conflict("方案没有变化，未保存新版本") }
            let v = current.version + 1
            try await tx.raw("""
                INSERT INTO scoring_schemes (version, config, note, created_by, created_by_name, created_at)
                VALUES (\(bind: v), \(bind: scheme.json), \(bind: String(note.trimmed().prefix(200))), \(bind: actor.userID),
                        \(bind: actor.signature), \(bind: now.epoch))
                """).run()
            try await Audit.record(tx, actor: actor, action: "scheme_saved", entity: "scoring_scheme", entityID: Int64(v),
                                   summary: "测评方案第 \(v) 版", before: current.scheme.json, after: scheme.json, scope: actor.orgPath, at: now)
            return v
        }
    }

    // MARK: - Computing

    /// A cheap fingerprint of everything a score reads; a draft is recomputed when it differs.
    static func fingerprint(_ db: any SQLDatabase) async throws -> String {
        let r = try await db.raw("""
            SELECT (SELECT MAX(id) FROM case_events) AS e, (SELECT MAX(id) FROM visits) AS v, (SELECT COUNT(*) FROM impressions) AS i,
                   (SELECT MAX(at) FROM impressions) AS ia, (SELECT MAX(id) FROM negative_incidents) AS n,
                   (SELECT COUNT(*) FROM negative_incidents WHERE status <> 'active') AS nw, (SELECT MAX(version) FROM scoring_schemes) AS s,
                   (SELECT MAX(updated_at) FROM orgs) AS o, (SELECT MAX(updated_at) FROM points) AS p, (SELECT MAX(id) FROM cases) AS c,
                   (SELECT CAST(COALESCE(SUM(COALESCE(points, 0) * 3 + veto * 7 + active * 11 + LENGTH(penalty) * 13 + id), 0) AS BIGINT) FROM negative_items) AS ni
            """).first()!
        return try ["e", "v", "i", "ia", "n", "nw", "s", "o", "p", "c", "ni"].map { String(try r.int64OrNil($0) ?? 0) }.joined(separator: ".")
    }

    /// Computes the period's scores now and stores them as its draft (replacing the previous draft). Returns the run.
    @discardableResult
    public func compute(_ period: Period) async throws -> ScoreRunRow {
        let (start, _) = period.bounds(in: zone)
        guard start <= clock.now() else { throw AppError.conflict("\(period.label)尚未开始，不能计算") }
        await gate.acquire()
        do {
            let r = try await computeNow(period)
            await gate.release()
            return r
        } catch {
            await gate.release()
            throw error
        }
    }

    func computeNow(_ period: Period) async throws -> ScoreRunRow {
        let began = DispatchTime.now().uptimeNanoseconds
        let (start, end) = period.bounds(in: zone)
        let now = clock.now()
        let cutoff = min(end, now).epoch
        let s = start.epoch, e = end.epoch
        let (schemeV, fp) = try await db.read { db in (try await Self.scheme(db), try await Self.fingerprint(db)) }
        let scheme = schemeV.scheme
        let inputs = try await Self.gather(db, s: s, e: e, cutoff: cutoff, scheme: scheme)
        let rows = await Self.score(inputs, scheme: scheme)
        let took = Int((DispatchTime.now().uptimeNanoseconds - began) / 1_000_000)
        // The explanations (a year's hold ~200,000 lines, most of them a few departments') are written as JSON
        // chunk by chunk (≤ 200 rows, ~1 MB) on every core, while the write transaction below stores the chunks
        // before them.
        let chunks = ScoreDetail.chunks(rows.map(\.detail.estimatedSize), maxCount: 200, maxBytes: 1 << 20)
        let encoded = chunks.map { range in Task { try rows[range].map { try $0.detail.json() } } }
        return try await db.write { tx in
            if db.engine == .postgres {
                // Another server on the same PostgreSQL database may be computing too: one at a time.
                try await tx.raw("SELECT pg_advisory_xact_lock(71208)").run()
                // A draft is derived data the sweep recomputes: its commit need not wait for the WAL flush.
                try await tx.raw("SET LOCAL synchronous_commit = off").run()
            }
            if let old = try await tx.raw("SELECT id FROM score_runs WHERE period = \(bind: period.description) AND status = 'draft'").first() {
                let id = try old.decode(column: "id", as: Int64.self)
                try await tx.raw("DELETE FROM scores WHERE run_id = \(bind: id)").run()
                try await tx.raw("DELETE FROM score_runs WHERE id = \(bind: id)").run()
            }
            let id = try await tx.raw("""
                INSERT INTO score_runs (period, scheme_version, status, inputs, computed_at, took_ms)
                VALUES (\(bind: period.description), \(bind: schemeV.version), 'draft', \(bind: fp), \(bind: now.epoch), \(bind: took)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            for (k, range) in chunks.enumerated() {
                let details = try await encoded[k].value
                var q = SQLQueryString("INSERT INTO scores (run_id, org_id, level, org_path, total_h, rank, peers, card, eligible, lost_h, due, on_time, deferred, late, detail) VALUES ")
                for (i, r) in rows[range].enumerated() {
                    if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                    let json = details[i]
                    let part: SQLQueryString = "(\(bind: id), \(bind: r.orgID), \(bind: r.level.rawValue), \(bind: r.path.description), \(bind: r.total.map(Int64.init)), \(bind: r.rank), \(bind: r.peers), \(bind: r.card?.rawValue ?? ""), \(bind: r.eligible ? 1 : 0), \(bind: Int64(r.lost)), \(bind: r.detail.due), \(bind: r.detail.onTime), \(bind: r.detail.deferred), \(bind: r.late), \(bind: json))"
                    q.appendInterpolation(part)
                }
                try await tx.raw(q).run()
            }
            return ScoreRunRow(id: id, period: period.description, schemeVersion: schemeV.version, status: "draft", version: nil, inputs: fp,
                               computedAt: now.epoch, tookMs: took, publishedAt: nil, publishedBy: nil, publishedByName: nil, note: "")
        }
    }

    /// Everything one period's scores read, as plain values.
    struct Inputs: Sendable {
        struct Org: Sendable { var id: Int64; var path: OrgPath; var level: ScoreLevel; var kind: OrgKind }
        var orgs: [Org] = []
        var visitScores: [Int64: (sum: Int, n: Int)] = [:]
        var lostVisits: [Int64: [Int64]] = [:]
        var impressions: [Int64: (sum: Int, n: Int)] = [:]
        var rect: [Int64: (due: Int, onTime: Int, deferred: Int)] = [:]
        var lateCases: [Int64: [Int64]] = [:]
        var incidents: [Int64: [(id: Int64, item: NegativeItem)]] = [:]
        var findings: [Int64: [UnitFinding]] = [:]

        /// Adds another part's inputs to these.
        mutating func merge(_ o: Inputs) {
            for (k, v) in o.visitScores { let a = visitScores[k] ?? (0, 0); visitScores[k] = (a.sum + v.sum, a.n + v.n) }
            for (k, v) in o.impressions { let a = impressions[k] ?? (0, 0); impressions[k] = (a.sum + v.sum, a.n + v.n) }
            for (k, v) in o.rect { let a = rect[k] ?? (0, 0, 0); rect[k] = (a.due + v.due, a.onTime + v.onTime, a.deferred + v.deferred) }
            for (k, v) in o.lostVisits { lostVisits[k, default: []] += v }
            for (k, v) in o.lateCases { lateCases[k, default: []] += v }
            for (k, v) in o.incidents { incidents[k, default: []] += v }
            for (k, v) in o.findings { findings[k, default: []] += v }
        }
    }

    /// The org tree as the gatherers need it: each org's path, the active scored territories, and the scored orgs.
    struct OrgTable: Sendable {
        var territoryIDs: Set<Int64> = []
        var pathOf: [Int64: String] = [:]
        var scored: [Inputs.Org] = []
        /// Whether a check by a user of this org is a city-level check (every org, active or not).
        var cityLevel: [Int64: Bool] = [:]

        static func read(_ db: any SQLDatabase) async throws -> OrgTable {
            var t = OrgTable()
            for r in try await db.raw("SELECT id, path, kind, active FROM orgs").all() {
                let id = try r.decode(column: "id", as: Int64.self), text = try r.decode(column: "path", as: String.self)
                t.pathOf[id] = text
                guard let path = OrgPath(text), let kind = OrgKind(rawValue: try r.decode(column: "kind", as: String.self)) else { continue }
                t.cityLevel[id] = UnitScoring.isCityLevel(path: path, kind: kind)
                guard try r.decode(column: "active", as: Int.self) != 0, let level = ScoreLevel.of(kind) else { continue }
                if level.isTerritory { t.territoryIDs.insert(id) }
                t.scored.append(.init(id: id, path: path, level: level, kind: kind))
            }
            return t
        }

        /// The scored territories on a path: each node of it (territory levels only). A year's rows repeat a few
        /// thousand paths, so each is parsed once per gatherer (`cache`).
        func territories(_ pathText: String, _ cache: inout [String: [Int64]]) -> [Int64] {
            if let hit = cache[pathText] { return hit }
            let ids = OrgPath(pathText)?.ids.filter(territoryIDs.contains) ?? []
            cache[pathText] = ids
            return ids
        }
    }

    /// Reads one period's inputs: the org tree first, then three independent parts on their own read connections at
    /// once (the cases' rectification and lateness, the problems found by checks, the inspections and incidents).
    static func gather(_ db: Database, s: Int64, e: Int64, cutoff: Int64, scheme: ScoringScheme) async throws -> Inputs {
        let table = try await db.read { try await OrgTable.read($0) }
        async let rect = db.read { try await Self.gatherRectification($0, table: table, s: s, e: e, cutoff: cutoff) }
        // The problems found by checks are the most rows (~130,000 in a year): two halves of the period at once.
        let mid = s + (e - s) / 2
        async let checks1 = db.read { try await Self.gatherChecks($0, table: table, s: s, e: mid, scheme: scheme) }
        async let checks2 = db.read { try await Self.gatherChecks($0, table: table, s: mid, e: e, scheme: scheme) }
        var inp = try await db.read { try await Self.gatherInspections($0, table: table, s: s, e: e) }
        inp.merge(try await rect)
        inp.merge(try await checks1)
        inp.merge(try await checks2)
        inp.orgs = table.scored
        return inp
    }

    /// Field visits, overall impressions and negative-list incidents of the period.
    static func gatherInspections(_ db: any SQLDatabase, table: OrgTable, s: Int64, e: Int64) async throws -> Inputs {
        var inp = Inputs()
        var cache: [String: [Int64]] = [:]
        func territories(_ path: String) -> [Int64] { table.territories(path, &cache) }
        // Inspections belong to the period their round started in (a round's visits may be typed in later).
        let (d0, d1) = (Fmt.date(s), Fmt.date(e))
        // Field visits of the period's rounds: point scores up the territory tree; clean points to the adopting unit.
        for r in try await db.raw("""
            SELECT v.id, v.full_h, v.lost_h, p.territory_path, p.adopter_id, p.code, r.scope_path FROM visits v JOIN points p ON p.id = v.point_id
            JOIN rounds r ON r.id = v.round_id WHERE r.start_date >= \(bind: d0) AND r.start_date < \(bind: d1)
            """).all() {
            let full = try r.decode(column: "full_h", as: Int64.self), lost = try r.decode(column: "lost_h", as: Int64.self)
            guard let score = RoundScoring.score(full: Score(hundredths: Int(full)), lost: Score(hundredths: Int(lost))) else { continue }
            let vid = try r.decode(column: "id", as: Int64.self)
            for t in territories(try r.decode(column: "territory_path", as: String.self)) {
                let a = inp.visitScores[t] ?? (0, 0)
                inp.visitScores[t] = (a.sum + score, a.n + 1)
                if lost > 0 { inp.lostVisits[t, default: []].append(vid) }
            }
            if lost == 0, let adopter = try r.int64OrNil("adopter_id") {
                let scope = OrgPath(try r.decode(column: "scope_path", as: String.self))
                inp.findings[adopter, default: []].append(UnitFinding(kind: .clean(cityLevel: scope?.ids.count == 1), source: "visit", sourceID: vid,
                                                                       label: try r.decode(column: "code", as: String.self)))
            }
        }
        // Overall impressions of the period's rounds: to the round's territory and those above it.
        for r in try await db.raw("""
            SELECT r.scope_path, i.score FROM impressions i JOIN rounds r ON r.id = i.round_id WHERE r.start_date >= \(bind: d0) AND r.start_date < \(bind: d1)
            """).all() {
            let v = try r.decode(column: "score", as: Int.self) * 100
            for t in territories(try r.decode(column: "scope_path", as: String.self)) {
                let a = inp.impressions[t] ?? (0, 0)
                inp.impressions[t] = (a.sum + v, a.n + 1)
            }
        }
        // Negative-list incidents of the period: a territory's count for it and the territories above it.
        for r in try await db.raw("""
            SELECT i.id, i.org_id, o.path, o.kind, n.area_code, n.area_name, n.code, n.title, n.penalty, n.points, n.months, n.veto
            FROM negative_incidents i JOIN negative_items n ON n.id = i.item_id JOIN orgs o ON o.id = i.org_id
            WHERE i.status = 'active' AND i.occurred_on >= \(bind: d0) AND i.occurred_on < \(bind: d1)
            """).all() {
            let item = NegativeItem(areaCode: try r.decode(column: "area_code", as: String.self), areaName: try r.decode(column: "area_name", as: String.self),
                                    code: try r.decode(column: "code", as: String.self), title: try r.decode(column: "title", as: String.self),
                                    penalty: Penalty(rawValue: try r.decode(column: "penalty", as: String.self)) ?? .deduct,
                                    points: try r.int64OrNil("points").map { Score(hundredths: Int($0)) },
                                    months: try r.intOrNil("months"), veto: try r.decode(column: "veto", as: Int.self) != 0)
            let id = try r.decode(column: "id", as: Int64.self), org = try r.decode(column: "org_id", as: Int64.self)
            let kind = OrgKind(rawValue: try r.decode(column: "kind", as: String.self))
            if kind?.family == .territory {
                for t in territories(try r.decode(column: "path", as: String.self)) { inp.incidents[t, default: []].append((id, item)) }
            } else {
                inp.findings[org, default: []].append(UnitFinding(kind: .negative(item), source: "incident", sourceID: id, label: "\(item.code) \(item.title)"))
            }
        }
        return inp
    }

    /// 应结案 and on-time counts of the cases dispatched in the period, and the cases late in it.
    static func gatherRectification(_ db: any SQLDatabase, table: OrgTable, s: Int64, e: Int64, cutoff: Int64) async throws -> Inputs {
        var inp = Inputs()
        var cache: [String: [Int64]] = [:]
        func territories(_ path: String) -> [Int64] { table.territories(path, &cache) }
        // Rectification: the cases dispatched in the period (应结案), as in the ledger's metrics.
        // Grouped by ids, not paths: the index cases_rect answers it alone (paths come from the org table).
        for r in try await db.raw("""
            SELECT territory_id, unit_id, COUNT(*) AS due, SUM(CASE WHEN state = 'closed' AND closed_on_time = 1 THEN 1 ELSE 0 END) AS ontime,
              SUM(CASE WHEN state = 'deferred' THEN 1 ELSE 0 END) AS deferred
            FROM cases WHERE dispatched_at >= \(bind: s) AND dispatched_at < \(bind: e) AND state <> 'cancelled' GROUP BY territory_id, unit_id
            """).all() {
            let due = Int(try r.decode(column: "due", as: Int64.self)), on = Int(try r.int64OrNil("ontime") ?? 0)
            let df = Int(try r.int64OrNil("deferred") ?? 0)
            var targets = territories(table.pathOf[try r.decode(column: "territory_id", as: Int64.self)] ?? "")
            // A street handling its own case is one target, not two.
            if let u = try r.int64OrNil("unit_id"), !targets.contains(u) { targets.append(u) }
            for t in targets {
                let a = inp.rect[t] ?? (0, 0, 0)
                inp.rect[t] = (a.due + due, a.onTime + on, a.deferred + df)
            }
        }
        // Late cases: their deadline fell in the period (up to now) and they were closed late or are still open.
        // Two branches, so that the closed ones come from the partial index cases_late alone (it holds every column
        // read here; the state is a constant there).
        for r in try await db.raw("""
            SELECT id, number, unit_id, 'closed' AS state, territory_id FROM cases WHERE deadline_at >= \(bind: s) AND deadline_at < \(bind: cutoff)
              AND state = 'closed' AND closed_on_time = 0
            UNION ALL
            SELECT id, number, unit_id, state, territory_id FROM cases WHERE deadline_at >= \(bind: s) AND deadline_at < \(bind: cutoff)
              AND state IN (\(unsafeRaw: CaseService.sqlList(CaseService.clockStates)))
            """).all() {
            let id = try r.decode(column: "id", as: Int64.self)
            for t in territories(table.pathOf[try r.decode(column: "territory_id", as: Int64.self)] ?? "") { inp.lateCases[t, default: []].append(id) }
            if let u = try r.int64OrNil("unit_id") {
                inp.findings[u, default: []].append(UnitFinding(kind: .late(closed: try r.decode(column: "state", as: String.self) == "closed"), source: "case",
                                                                sourceID: id, label: try r.decode(column: "number", as: String.self)))
            }
        }
        return inp
    }

    /// The problems found by checks in the period, with who found them, as findings of their units.
    static func gatherChecks(_ db: any SQLDatabase, table: OrgTable, s: Int64, e: Int64, scheme: ScoringScheme) async throws -> Inputs {
        var inp = Inputs()
        // Problems found by checks, with who found them.
        // In CaseSource's order, as the partial index cases_checks lists the default ones (SQLite matches its condition by text).
        let sources = CaseSource.allCases.filter(scheme.checkSources.contains).map { "'\($0.rawValue)'" }.joined(separator: ",")
        if !sources.isEmpty {
            // The reporter's org decides city or local (OrgTable); the address matters only without a point.
            for r in try await db.raw("""
                SELECT c.id, c.number, c.unit_id, c.reported_at, c.closed_at, c.state, c.point_id, c.type_code,
                       CASE WHEN c.point_id IS NULL THEN c.address END AS address, u.org_id AS rorg
                FROM cases c LEFT JOIN users u ON u.id = c.reporter_id
                WHERE c.reported_at >= \(bind: s) AND c.reported_at < \(bind: e) AND c.source IN (\(unsafeRaw: sources)) AND c.unit_id IS NOT NULL AND c.state <> 'cancelled'
                """).all() {
                let unit = try r.decode(column: "unit_id", as: Int64.self)
                let city = try r.int64OrNil("rorg").flatMap { table.cityLevel[$0] } ?? false
                let type = try r.decode(column: "type_code", as: String.self)
                let key: String
                if let p = try r.int64OrNil("point_id") { key = "p\(p)|\(type)" }
                else {
                    let a = (try r.stringOrNil("address") ?? "").trimmed()
                    key = a.isEmpty ? "" : "a\(a)|\(type)"
                }
                let closed = try r.decode(column: "state", as: String.self) == "closed" ? try r.int64OrNil("closed_at") : nil
                inp.findings[unit, default: []].append(UnitFinding(
                    kind: .problem(cityLevel: city, reportedAt: try r.decode(column: "reported_at", as: Int64.self), closedAt: closed, repeatKey: key),
                    source: "case", sourceID: try r.decode(column: "id", as: Int64.self), label: try r.decode(column: "number", as: String.self)))
            }
        }
        return inp
    }

    struct Computed: Sendable {
        var orgID: Int64; var level: ScoreLevel; var path: OrgPath; var total: Int?; var rank: Int?; var peers: Int; var card: Card?
        var eligible: Bool; var lost: Int; var late: Int; var detail: ScoreDetail
    }

    /// The scores of every ranked org from the gathered inputs: the rules are Core's. Orgs are scored in groups of
    /// 32 on every core (a department's thousands of findings take as long as hundreds of small units), then ranked.
    static func score(_ inp: Inputs, scheme: ScoringScheme) async -> [Computed] {
        let groups = stride(from: 0, to: inp.orgs.count, by: 32).map { $0..<min(inp.orgs.count, $0 + 32) }
        var parts = [[Computed]](repeating: [], count: groups.count)
        await withTaskGroup(of: (Int, [Computed]).self) { g in
            for (k, range) in groups.enumerated() { g.addTask { (k, Self.score(inp, orgs: range, scheme: scheme)) } }
            for await (k, part) in g { parts[k] = part }
        }
        return rank(parts.flatMap { $0 })
    }

    /// The scores of the orgs `inp.orgs[range]`, unranked.
    static func score(_ inp: Inputs, orgs range: Range<Int>, scheme: ScoringScheme) -> [Computed] {
        var out: [Computed] = []
        out.reserveCapacity(range.count)
        for o in inp.orgs[range] {
            let rect = inp.rect[o.id] ?? (0, 0, 0)
            if o.level.isTerritory {
                var values: [ScoreComponent: Int] = [:], basis: [ScoreComponent: String] = [:]
                if let v = inp.visitScores[o.id], v.n > 0 { values[.field] = Int((Double(v.sum) / Double(v.n)).rounded()); basis[.field] = "\(v.n) 个点位次" }
                if let v = inp.impressions[o.id], v.n > 0 { values[.impression] = Int((Double(v.sum) / Double(v.n)).rounded()); basis[.impression] = "\(v.n) 项评分" }
                if let r = Rate(rect.onTime, rect.due - rect.deferred) { values[.rectification] = r.basisPoints; basis[.rectification] = "按期结案 \(rect.onTime) / (应结案 \(rect.due) − 缓办 \(rect.deferred))" }
                let incidents = inp.incidents[o.id] ?? []
                let ts = TerritoryScoring.score(values: values, basis: basis, negative: NegativeOutcome.of(incidents.map(\.item)), scheme: scheme)
                let late = inp.lateCases[o.id] ?? []
                let lost = ts.weighted.map { 10000 - $0 + ts.deducted } ?? 0
                out.append(Computed(orgID: o.id, level: o.level, path: o.path, total: ts.total, rank: nil, peers: 0, card: ts.card, eligible: ts.eligible,
                                    lost: lost, late: late.count,
                                    detail: ScoreDetail(territory: ts, visits: inp.visitScores[o.id]?.n ?? 0, lostVisits: inp.lostVisits[o.id] ?? [],
                                                        impressions: inp.impressions[o.id]?.n ?? 0, incidents: incidents.map(\.id), lateCases: late,
                                                        due: rect.due, onTime: rect.onTime, deferred: rect.deferred)))
            } else {
                let us = UnitScoring.score(inp.findings[o.id] ?? [], scheme: scheme)
                out.append(Computed(orgID: o.id, level: o.level, path: o.path, total: us.total, rank: nil, peers: 0, card: us.card, eligible: us.eligible,
                                    lost: us.lost, late: us.late,
                                    detail: ScoreDetail(unit: us, due: rect.due, onTime: rect.onTime, deferred: rect.deferred)))
            }
        }
        return out
    }

    /// Ranks within each level (Core's ranking).
    static func rank(_ scored: [Computed]) -> [Computed] {
        var out = scored
        for level in ScoreLevel.allCases {
            let idx = out.indices.filter { out[$0].level == level }
            let ranks = Ranking.ranks(idx.map { Ranking.Entry(id: out[$0].orgID, total: out[$0].total, eligible: out[$0].eligible) })
            for i in idx { out[i].rank = ranks[out[i].orgID]; out[i].peers = ranks.count }
        }
        return out
    }

    // MARK: - Keeping drafts current

    /// Recomputes the drafts of the running month, quarter and year, and of last month, when their inputs changed.
    /// Returns the periods recomputed.
    public func sweep() async throws -> [Period] {
        let now = clock.now()
        let m = Period.containing(now, kind: .month, in: zone)
        var done: [Period] = []
        for p in [m, m.previous, Period.containing(now, kind: .quarter, in: zone), Period.containing(now, kind: .year, in: zone)] {
            let (fp, latest) = try await db.read { db in
                (try await Self.fingerprint(db), try await db.raw("SELECT inputs FROM score_runs WHERE period = \(bind: p.description) ORDER BY id DESC LIMIT 1").first())
            }
            if let l = latest, try l.decode(column: "inputs", as: String.self) == fp { continue }
            try await compute(p)
            done.append(p)
        }
        return done
    }

    // MARK: - Publishing

    /// Publishes the period's draft as its next version. Later corrections publish again as a new version; the
    /// earlier versions stay as they were.
    public func publish(_ period: Period, note: String, actor: Identity) async throws -> ScoreRunRow {
        try actor.require(.manageScores)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("全市测评结果由市级创文办发布") }
        let (_, end) = period.bounds(in: zone)
        let now = clock.now()
        if end > now { throw AppError.conflict("\(period.label)尚未结束，期末后再发布") }
        // Bring the draft up to date first: what is published is what the data say now.
        let fp = try await db.read { try await Self.fingerprint($0) }
        let draft = try await db.read { db in try await db.raw("SELECT * FROM score_runs WHERE period = \(bind: period.description) AND status = 'draft'").first() }
        if try draft == nil || draft!.decode(column: "inputs", as: String.self) != fp {
            let latest = try await runs(period).first
            if latest?.isPublished == true && latest?.inputs == fp { throw AppError.conflict("数据没有变化，\(period.label)已发布的第 \(latest!.version ?? 0) 版仍是最新结果") }
            try await compute(period)
        }
        return try await db.write { tx in
            guard let d = try await tx.raw("SELECT * FROM score_runs WHERE period = \(bind: period.description) AND status = 'draft'").first()?
                .decode(model: ScoreRunRow.self, with: .snakeCase) else { throw AppError.conflict("没有可发布的计算结果") }
            let v = (try await tx.raw("SELECT MAX(version) AS v FROM score_runs WHERE period = \(bind: period.description)").first()?.intOrNil("v") ?? 0) + 1
            let text = String(note.trimmed().prefix(500))
            if v > 1 && text.isEmpty { throw AppError.validation(["note": "更正发布须说明更正原因"]) }
            let who = actor.signature
            try await tx.raw("""
                UPDATE score_runs SET status = 'published', version = \(bind: v), published_at = \(bind: now.epoch), published_by = \(bind: actor.userID),
                  published_by_name = \(bind: who), note = \(bind: text) WHERE id = \(bind: d.id)
                """).run()
            try await Audit.record(tx, actor: actor, action: "scores_published", entity: "score_run", entityID: d.id,
                                   summary: "发布\(period.label)测评结果第 \(v) 版\(v > 1 ? "（更正：\(text)）" : "")", scope: actor.orgPath, at: now)
            var r = d
            r.status = "published"; r.version = v; r.publishedAt = now.epoch; r.publishedBy = actor.userID; r.publishedByName = who; r.note = text
            return r
        }
    }

    // MARK: - Reading

    public func runs(_ period: Period) async throws -> [ScoreRunRow] {
        try await db.read { db in
            try await db.raw("SELECT * FROM score_runs WHERE period = \(bind: period.description) ORDER BY id DESC").all()
                .map { try $0.decode(model: ScoreRunRow.self, with: .snakeCase) }
        }
    }

    /// The run to show for a period: the one asked for, else the latest published version, else the draft
    /// (computed now when the period has none yet).
    public func run(_ period: Period, id: Int64? = nil, live: Bool = false) async throws -> ScoreRunRow {
        let all = try await runs(period)
        if let id {
            guard let r = all.first(where: { $0.id == id }) else { throw AppError.notFound }
            return r
        }
        if !live, let p = all.first(where: \.isPublished) { return p }
        if let d = all.first(where: { !$0.isPublished }) { return d }
        if let p = all.first { return p }
        return try await compute(period)
    }

    /// The run a comparison uses for the period before: published if any, else its draft, else none (no
    /// computation is started for it here).
    func comparisonRun(_ period: Period) async throws -> ScoreRunRow? {
        let all = try await runs(period)
        return all.first(where: \.isPublished) ?? all.first
    }

    /// Totals and ranks of the given orgs in the period before `period` (its comparison run), for the change since
    /// then; empty when that period has no run.
    public func before(_ period: Period, orgs: [Int64]) async throws -> [Int64: (total: Int?, rank: Int?)] {
        guard let prev = try await comparisonRun(period.previous) else { return [:] }
        return try await totals(run: prev.id, orgs: orgs)
    }

    /// A period as the office writes it (`2026-11`, `2026-Q4`, `2026`).
    public static func period(_ text: String) throws -> Period {
        guard let p = Period(text.trimmed()) else {
            throw AppError.validation(["period": "期间写成 2026-11（月）、2026-Q4（季度）或 2026（年）"])
        }
        return p
    }

    /// One org's score in a run with its explanation; an org that is not scored (the city, a grid) is refused.
    public func scored(_ orgID: Int64, run: Int64, actor: Identity) async throws -> (row: ScoreRow, detail: ScoreDetail) {
        guard let row = try await one(orgID, run: run, actor: actor), let d = try row.detail() else {
            throw AppError.badRequest("该组织不参加测评排名（只有区县、街道、社区和各单位有得分）")
        }
        return (row, d)
    }

    static let rowSelect = "SELECT s.*, o.name FROM scores s JOIN orgs o ON o.id = s.org_id"

    static func row(_ r: any SQLRow, detail: Bool) throws -> ScoreRow {
        ScoreRow(runID: try r.decode(column: "run_id", as: Int64.self), orgID: try r.decode(column: "org_id", as: Int64.self),
                 level: ScoreLevel(rawValue: try r.decode(column: "level", as: String.self)) ?? .unit,
                 orgPath: OrgPath(try r.decode(column: "org_path", as: String.self))!, name: try r.decode(column: "name", as: String.self),
                 total: try r.int64OrNil("total_h").map(Int.init), rank: try r.intOrNil("rank"),
                 peers: try r.decode(column: "peers", as: Int.self), card: Card(rawValue: try r.decode(column: "card", as: String.self)),
                 eligible: try r.decode(column: "eligible", as: Int.self) != 0, lost: Int(try r.decode(column: "lost_h", as: Int64.self)),
                 due: try r.decode(column: "due", as: Int.self), onTime: try r.decode(column: "on_time", as: Int.self),
                 deferred: try r.decode(column: "deferred", as: Int.self), late: try r.decode(column: "late", as: Int.self),
                 detailJSON: detail ? try r.decode(column: "detail", as: String.self) : nil)
    }

    /// The scores of one level in the actor's scope from a run, in ranking order.
    public func level(_ level: ScoreLevel, run: Int64, actor: Identity, within: OrgPath? = nil, detail: Bool = false) async throws -> [ScoreRow] {
        try actor.require(.viewScores)
        let (lo, hi) = scopeRange(within ?? actor.orgPath)
        let rows = try await db.read { db in
            try await db.raw("""
                SELECT s.run_id, s.org_id, s.level, s.org_path, s.total_h, s.rank, s.peers, s.card, s.eligible, s.lost_h, s.due, s.on_time, s.deferred, s.late, o.name
                  \(unsafeRaw: detail ? ", s.detail" : "")
                FROM scores s JOIN orgs o ON o.id = s.org_id
                WHERE s.run_id = \(bind: run) AND s.level = \(bind: level.rawValue) AND s.org_path >= \(bind: lo) AND s.org_path < \(bind: hi)
                """).all().map { try Self.row($0, detail: detail) }
        }
        let visible = rows.filter { actor.inScope($0.orgPath) }
        let order = Ranking.order(visible.map { Ranking.Entry(id: $0.orgID, total: $0.total, eligible: $0.eligible) }).map(\.id)
        let byID = Dictionary(uniqueKeysWithValues: visible.map { ($0.orgID, $0) })
        return order.compactMap { byID[$0] }
    }

    /// One org's score in a run, with its stored explanation. Outside the actor's scope: forbidden.
    public func one(_ orgID: Int64, run: Int64, actor: Identity) async throws -> ScoreRow? {
        try actor.require(.viewScores)
        let org = try await db.read { try await OrgService.visible($0, id: orgID, actor: actor) }
        try actor.requireScope(org.orgPath)
        return try await db.read { db in
            try await db.raw("\(unsafeRaw: Self.rowSelect) WHERE s.run_id = \(bind: run) AND s.org_id = \(bind: orgID)").first().map { try Self.row($0, detail: true) }
        }
    }

    /// An org's totals over the periods, from each period's comparison run (published, else draft). Periods
    /// without any run have no value.
    public func trend(_ orgID: Int64, periods: [Period], actor: Identity) async throws -> [(Period, Int?)] {
        try actor.require(.viewScores)
        let org = try await db.read { try await OrgService.visible($0, id: orgID, actor: actor) }
        try actor.requireScope(org.orgPath)
        var out: [(Period, Int?)] = []
        for p in periods {
            guard let r = try await comparisonRun(p) else { out.append((p, nil)); continue }
            let t = try await db.read { db in
                try await db.raw("SELECT total_h FROM scores WHERE run_id = \(bind: r.id) AND org_id = \(bind: orgID)").first()?.int64OrNil("total_h")
            }
            out.append((p, t.map(Int.init)))
        }
        return out
    }

    /// Totals and ranks of the given orgs in a run, by org id (for the change since the last period).
    public func totals(run: Int64, orgs: [Int64]) async throws -> [Int64: (total: Int?, rank: Int?)] {
        guard !orgs.isEmpty else { return [:] }
        return try await db.read { db in
            var out: [Int64: (Int?, Int?)] = [:]
            for chunk in stride(from: 0, to: orgs.count, by: 500) {
                let list = orgs[chunk..<min(orgs.count, chunk + 500)].map(String.init).joined(separator: ",")
                for r in try await db.raw("SELECT org_id, total_h, rank FROM scores WHERE run_id = \(bind: run) AND org_id IN (\(unsafeRaw: list))").all() {
                    out[try r.decode(column: "org_id", as: Int64.self)] = (try r.int64OrNil("total_h").map(Int.init), try r.intOrNil("rank"))
                }
            }
            return out
        }
    }

    /// Multi-year composition for an org: this year's and the two before, from each year's comparison run.
    public func multiYear(_ orgID: Int64, year: Int, actor: Identity) async throws -> (years: [(Int, Int?)], total: Int?, missing: [Int], weights: [Int]) {
        let scheme = try await scheme().scheme
        let periods = [year - 2, year - 1, year].compactMap { Period(kind: .year, year: $0, index: 1) }
        let t = try await trend(orgID, periods: periods, actor: actor)
        let r = MultiYear.compose(t.map(\.1), weights: scheme.yearWeights)
        return (t.map { ($0.0.year, $0.1) }, r.total, r.missing, scheme.yearWeights)
    }
}
