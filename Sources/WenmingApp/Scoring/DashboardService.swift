import Foundation
import SQLKit
import WenmingCore

/// The leaders' dashboard (领导驾驶舱): for the user's scope, where it stands, what got worse, which units are
/// slow, what is overdue and what is due next. It reads the stored scores of the running month (kept current by
/// the sweep) and a few indexed counts; it never computes scores itself, so that it stays fast.
public struct DashboardService: Sendable {
    let db: Database
    let clock: any Clock
    let scores: ScoreService

    /// The dashboard per scope and role, kept for a few seconds (a setting): many leaders opening it at once share
    /// one reading instead of each running its dozen queries. A reading past its age is taken again once, however
    /// many requests ask meanwhile (they wait for the same one).
    let snapshots = Snapshots()

    actor Snapshots {
        private var entries: [String: View] = [:]
        private var taking: [String: Task<View, any Error>] = [:]

        func get(_ key: String, now: Date, maxAge: Int, take: @escaping @Sendable () async throws -> View) async throws -> View {
            if let v = entries[key], now.timeIntervalSince(v.countedAt) < Double(maxAge) { return v }
            if let running = taking[key] { return try await running.value }
            let task = Task { try await take() }
            taking[key] = task
            defer { taking[key] = nil }
            let v = try await task.value
            if entries.count > 1000 { entries.removeAll() }
            entries[key] = v
            return v
        }
    }

    public struct Moved: Sendable { public var row: ScoreRow; public var before: Int?; public var change: Int? }
    public struct Overdue: Sendable { public var orgID: Int64; public var name: String; public var count: Int }
    public struct Due: Sendable { public var day: String; public var what: String; public var who: String; public var url: String }

    public struct View: Sendable {
        public var scope: OrgRow
        public var period: Period
        public var run: ScoreRunRow?
        public var own: ScoreRow?
        public var ownBefore: Int?
        public var level: ScoreLevel?
        public var children: [Moved]
        public var worse: [Moved]
        public var slow: [ScoreRow]
        public var overdueTotal: Int
        public var overdue: [Overdue]
        public var dueSoon: Int
        public var dueSoonHours: Int
        public var calendar: [Due]
        public var cards: [Card: Int]
        /// When this reading was taken (its scores are those of the run named; its counts are of this moment).
        public var countedAt: Date
    }

    /// The dashboard for the user's scope. With `cacheSeconds` > 0 it may be a reading up to that old, taken for
    /// the same org and role (everything on it depends on those alone); the page says when it was taken.
    public func view(actor: Identity, dueSoonHours: Int = 72, cacheSeconds: Int = 0) async throws -> View {
        try actor.require(.viewScores)
        let now = clock.now()
        guard cacheSeconds > 0 else { return try await take(actor: actor, dueSoonHours: dueSoonHours, now: now) }
        let key = "\(actor.orgID)|\(actor.role.rawValue)|\(dueSoonHours)"
        return try await snapshots.get(key, now: now, maxAge: cacheSeconds) { try await take(actor: actor, dueSoonHours: dueSoonHours, now: now) }
    }

    func take(actor: Identity, dueSoonHours: Int, now: Date) async throws -> View {
        let period = Period.containing(now, kind: .month, in: scores.zone)
        let scope = try await db.read { try await OrgService.visible($0, id: actor.orgID, actor: actor) }
        let all = try await scores.runs(period)
        let run = all.first                                  // the newest: the live draft, or the version just published
        var own: ScoreRow?, ownBefore: Int?
        var children: [Moved] = [], slow: [ScoreRow] = []
        let level = ScoreLevel.below(scope.orgKind)
        if let run {
            own = try await scores.one(scope.id, run: run.id, actor: actor)
            if let own { ownBefore = try await scores.before(period, orgs: [own.orgID])[own.orgID]?.total ?? nil }
            if let level {
                let rows = try await scores.level(level, run: run.id, actor: actor).filter { $0.orgID != scope.id }
                let before = try await scores.before(period, orgs: rows.map(\.orgID))
                children = rows.map { r in
                    let b = before[r.orgID]?.total ?? nil
                    return Moved(row: r, before: b, change: RoundScoring.change(r.total, since: b))
                }
            }
            let (lo, hi) = scopeRange(actor.orgPath)
            slow = try await db.read { db in
                try await db.raw("""
                    SELECT s.run_id, s.org_id, s.level, s.org_path, s.total_h, s.rank, s.peers, s.card, s.eligible, s.lost_h, s.due, s.on_time, s.deferred, s.late, o.name
                    FROM scores s JOIN orgs o ON o.id = s.org_id
                    WHERE s.run_id = \(bind: run.id) AND s.level IN ('department', 'unit') AND s.org_path >= \(bind: lo) AND s.org_path < \(bind: hi)
                      AND s.late > 0
                    ORDER BY s.late DESC, (s.on_time * 1.0) / (CASE WHEN s.due - s.deferred > 0 THEN s.due - s.deferred ELSE 1 END), s.org_id LIMIT 8
                    """).all().map { try ScoreService.row($0, detail: false) }
            }
        }
        let worse = children.filter { ($0.change ?? 0) < 0 }.sorted { ($0.change!, $0.row.orgID) < ($1.change!, $1.row.orgID) }
        var cards: [Card: Int] = [:]
        for c in children { if let card = c.row.card { cards[card, default: 0] += 1 } }
        let (lo, hi) = scopeRange(actor.orgPath)
        let depth = actor.orgPath.ids.count
        let unitScope = actor.orgKind.family == .unit
        let (overdueRows, dueSoon) = try await db.read { db in
            let col = unitScope ? "unit_path" : "territory_path"
            // `|| ''` keeps the planner on the state/deadline index: overdue open cases are few, a territory's
            // cases are many (on SQLite the path index was chosen and the city-wide count read every case).
            let path = col + " || ''"
            let rows = try await db.raw("""
                SELECT \(unsafeRaw: col) AS p, COUNT(*) AS n FROM cases WHERE state IN (\(unsafeRaw: CaseService.sqlList(CaseService.clockStates)))
                  AND deadline_at < \(bind: now.epoch) AND \(unsafeRaw: path) >= \(bind: lo) AND \(unsafeRaw: path) < \(bind: hi) GROUP BY \(unsafeRaw: col)
                """).all().map { (try $0.decode(column: "p", as: String.self), try $0.decode(column: "n", as: Int.self)) }
            let soon = try await db.raw("""
                SELECT COUNT(*) AS n FROM cases WHERE state IN (\(unsafeRaw: CaseService.sqlList(CaseService.clockStates)))
                  AND deadline_at >= \(bind: now.epoch) AND deadline_at < \(bind: now.epoch + Int64(dueSoonHours) * 3600)
                  AND \(unsafeRaw: path) >= \(bind: lo) AND \(unsafeRaw: path) < \(bind: hi)
                """).first()!.decode(column: "n", as: Int.self)
            return (rows, soon)
        }
        // Overdue cases under each org directly below the scope (or the scope itself).
        var byChild: [Int64: Int] = [:]
        var total = 0
        for (p, n) in overdueRows {
            total += n
            guard let path = OrgPath(p) else { continue }
            byChild[path.ids.count > depth ? path.ids[depth] : path.nodeID, default: 0] += n
        }
        let top = Array(byChild.sorted(by: { ($0.value, -$0.key) > ($1.value, -$1.key) }).prefix(10))
        let names: [Int64: String] = top.isEmpty ? [:] : try await db.read { db in
            var names: [Int64: String] = [:]
            for r in try await db.raw("SELECT id, name FROM orgs WHERE id IN (\(unsafeRaw: top.map { String($0.key) }.joined(separator: ",")))").all() {
                names[try r.decode(column: "id", as: Int64.self)] = try r.decode(column: "name", as: String.self)
            }
            return names
        }
        let overdue = top.map { Overdue(orgID: $0.key, name: names[$0.key] ?? "#\($0.key)", count: $0.value) }
        let calendar = try await dueNext(actor: actor, now: now)
        return View(scope: scope, period: period, run: run, own: own, ownBefore: ownBefore, level: level, children: children, worse: Array(worse.prefix(5)),
                    slow: slow, overdueTotal: total, overdue: overdue, dueSoon: dueSoon, dueSoonHours: dueSoonHours, calendar: calendar, cards: cards,
                    countedAt: now)
    }

    /// Deadlines of the next 30 days: campaign phases starting or ending, task milestones and task deadlines in scope.
    func dueNext(actor: Identity, now: Date, days: Int = 30) async throws -> [Due] {
        let today = Fmt.date(now.epoch), until = Fmt.date(now.epoch + Int64(days) * 86_400)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            var out: [Due] = []
            for r in try await db.raw("""
                SELECT c.id, c.name, p.phase, p.start_date, p.end_date FROM campaign_phases p JOIN campaigns c ON c.id = p.campaign_id
                WHERE (p.start_date >= \(bind: today) AND p.start_date <= \(bind: until)) OR (p.end_date >= \(bind: today) AND p.end_date <= \(bind: until))
                """).all() {
                let phase = CampaignPhase(rawValue: try r.decode(column: "phase", as: String.self))?.label ?? ""
                let name = try r.decode(column: "name", as: String.self), id = try r.decode(column: "id", as: Int64.self)
                let s = try r.decode(column: "start_date", as: String.self), e = try r.decode(column: "end_date", as: String.self)
                if s >= today && s <= until { out.append(Due(day: s, what: "“\(phase)”阶段开始", who: name, url: "/campaigns/\(id)")) }
                if e >= today && e <= until { out.append(Due(day: e, what: "“\(phase)”阶段结束", who: name, url: "/campaigns/\(id)")) }
            }
            if actor.can(.viewTasks) {
                for r in try await db.raw("""
                    SELECT m.title, m.due_date, a.id, o.name FROM milestones m JOIN assignments a ON a.id = m.assignment_id JOIN orgs o ON o.id = a.org_id
                    WHERE m.done_on IS NULL AND m.due_date >= \(bind: today) AND m.due_date <= \(bind: until) AND o.path >= \(bind: lo) AND o.path < \(bind: hi)
                    ORDER BY m.due_date LIMIT 20
                    """).all() {
                    out.append(Due(day: try r.decode(column: "due_date", as: String.self), what: "节点：" + (try r.decode(column: "title", as: String.self)),
                                   who: try r.decode(column: "name", as: String.self), url: "/tasks/\(try r.decode(column: "id", as: Int64.self))"))
                }
                for r in try await db.raw("""
                    SELECT a.id, a.deadline, n.code, o.name FROM assignments a JOIN index_nodes n ON n.id = a.node_id JOIN orgs o ON o.id = a.org_id
                    WHERE a.status <> 'completed' AND a.deadline >= \(bind: today) AND a.deadline <= \(bind: until) AND o.path >= \(bind: lo) AND o.path < \(bind: hi)
                    ORDER BY a.deadline LIMIT 20
                    """).all() {
                    out.append(Due(day: try r.decode(column: "deadline", as: String.self), what: "任务完成时限：" + (try r.decode(column: "code", as: String.self)),
                                   who: try r.decode(column: "name", as: String.self), url: "/tasks/\(try r.decode(column: "id", as: Int64.self))"))
                }
            }
            return out.sorted { ($0.day, $0.what) < ($1.day, $1.what) }.prefix(20).map { $0 }
        }
    }
}
