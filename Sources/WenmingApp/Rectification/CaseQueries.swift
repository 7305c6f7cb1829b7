import Foundation
import SQLKit
import WenmingCore

/// A case as lists show it: with its type, territory and unit names.
public struct CaseItem: Sendable {
    public var c: CaseRow
    public var typeName: String
    public var territoryName: String
    public var unitName: String?
}

extension CaseService {
    // MARK: - Scope clauses

    /// The SQL condition for cases `actor` may see: reporters see their own; with `viewCases`, the cases in
    /// their territory and those dispatched to units in their scope. A unit's users have no territory.
    static func scopeClause(_ actor: Identity, alias a: String = "c") -> SQLQueryString {
        let (lo, hi) = scopeRange(actor.orgPath)
        guard actor.can(.viewCases) else { return SQLQueryString("\(unsafeRaw: a).reporter_id = \(bind: actor.userID)") }
        let unit = SQLQueryString("(\(unsafeRaw: a).unit_path >= \(bind: lo) AND \(unsafeRaw: a).unit_path < \(bind: hi) AND \(unsafeRaw: a).dispatched_at IS NOT NULL)")
        if actor.orgKind.family == .unit {
            return SQLQueryString("(\(unit) OR \(unsafeRaw: a).reporter_id = \(bind: actor.userID))")
        }
        return SQLQueryString("((\(unsafeRaw: a).territory_path >= \(bind: lo) AND \(unsafeRaw: a).territory_path < \(bind: hi)) OR \(unit) OR \(unsafeRaw: a).reporter_id = \(bind: actor.userID))")
    }

    /// Whether every case is visible to `actor` (a city-level user who may view cases): the scope condition can
    /// then be left out, which lets the database use the indexes of the other conditions.
    static func seesEverything(_ actor: Identity) -> Bool { actor.can(.viewCases) && actor.orgPath.ids.count == 1 && actor.orgKind.family != .unit }

    /// Lists read the cases alone; the names of their types, territories and units come from memory (`Names`).
    /// Joining case_types and orgs twice made PostgreSQL plan a four-table query on every request: 1.7 ms of
    /// planning and 0.95 ms of execution for a unit's open list, against 0.4 ms and 0.05 ms without the joins
    /// (docs/benchmarks.md, "PostgreSQL reads with names from memory").
    static let itemSelect = "SELECT c.* FROM cases c"

    /// The names a case list shows: every type (also retired ones, which old cases keep) and the org tree, both as
    /// of at most a few seconds ago and as of this process's last change to them.
    struct Names {
        let types: [String: String]
        let tree: OrgTree
        func item(_ r: any SQLRow) throws -> CaseItem {
            let c = try CaseService.decode(r)
            return CaseItem(c: c, typeName: types[c.typeCode] ?? c.typeCode, territoryName: tree.org(c.territoryId)?.name ?? "",
                            unitName: c.unitId.flatMap { tree.org($0)?.name })
        }
    }

    /// Read before a list's query, outside its read (a miss reads the tables itself).
    func nameBook() async throws -> Names {
        let types = try await types(includeInactive: true)
        return Names(types: Dictionary(types.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }), tree: try await db.orgTree())
    }

    // MARK: - Ledger (台账)

    public struct Filter: Sendable {
        public var unitID: Int64?
        public var territoryID: Int64?
        public var typeCode = ""
        public var source: CaseSource?
        public var state: CaseState?
        public var open = false
        public var overdue = false
        public var urgency: CaseUrgency?
        /// Reported on or after / before (yyyy-MM-dd, Beijing time).
        public var from = ""
        public var to = ""
        public var text = ""
        public var mine = false
        /// Open cases whose deadline falls within this many hours from now.
        public var dueHours: Int?
        public init() {}
    }

    /// The filter's condition on `cases c`, and the depth of its territory filter's path (1 the city, 2 a district) if any.
    func whereClause(_ f: Filter, actor: Identity, db: any SQLDatabase) async throws -> (sql: SQLQueryString, territoryDepth: Int?) {
        var q = SQLQueryString("1 = 1")
        var depth: Int?
        var implied = Self.seesEverything(actor)
        if let u = f.unitID {
            let org = try await OrgService.visible(db, id: u, actor: actor)
            let (lo, hi) = scopeRange(org.orgPath)
            q.appendInterpolation(unsafeRaw: " AND c.unit_path >= "); q.appendInterpolation(bind: lo)
            q.appendInterpolation(unsafeRaw: " AND c.unit_path < "); q.appendInterpolation(bind: hi)
        }
        if let t = f.territoryID {
            let org = try await OrgService.visible(db, id: t, actor: actor)
            // A territory inside the actor's own territory scope implies the scope condition.
            if actor.can(.viewCases) && actor.orgKind.family != .unit && actor.orgPath.contains(org.orgPath) { implied = true }
            depth = org.orgPath.ids.count
            let (lo, hi) = scopeRange(org.orgPath)
            q.appendInterpolation(unsafeRaw: " AND c.territory_path >= "); q.appendInterpolation(bind: lo)
            q.appendInterpolation(unsafeRaw: " AND c.territory_path < "); q.appendInterpolation(bind: hi)
        }
        if !f.typeCode.isEmpty { q.appendInterpolation(unsafeRaw: " AND c.type_code = "); q.appendInterpolation(bind: f.typeCode) }
        if let s = f.source { q.appendInterpolation(unsafeRaw: " AND c.source = "); q.appendInterpolation(bind: s.rawValue) }
        if let s = f.state { q.appendInterpolation(unsafeRaw: " AND c.state = "); q.appendInterpolation(bind: s.rawValue) }
        if f.open { q.appendInterpolation(unsafeRaw: " AND c.state IN (\(Self.sqlList(Self.openStates)))") }
        if let u = f.urgency { q.appendInterpolation(unsafeRaw: " AND c.urgency = "); q.appendInterpolation(bind: u.rawValue) }
        if f.overdue {
            q.appendInterpolation(unsafeRaw: " AND c.state IN (\(Self.sqlList(Self.clockStates))) AND c.deadline_at < ")
            q.appendInterpolation(bind: clock.now().epoch)
        }
        if f.mine { q.appendInterpolation(unsafeRaw: " AND c.reporter_id = "); q.appendInterpolation(bind: actor.userID) }
        if let h = f.dueHours {
            let now = clock.now().epoch
            q.appendInterpolation(unsafeRaw: " AND c.state IN (\(Self.sqlList(Self.clockStates))) AND c.deadline_at >= ")
            q.appendInterpolation(bind: now)
            q.appendInterpolation(unsafeRaw: " AND c.deadline_at < ")
            q.appendInterpolation(bind: now + Int64(h) * 3600)
        }
        for (day, op, field) in [(f.from, ">=", "from"), (f.to, "<", "to")] where !day.isEmpty {
            guard let d = Fmt.day(day) else { throw AppError.validation([field: Msg.badDate(day)]) }
            let t = op == "<" ? d.epoch + 86_400 : d.epoch
            q.appendInterpolation(unsafeRaw: " AND c.reported_at \(op) "); q.appendInterpolation(bind: t)
        }
        let text = f.text.trimmed()
        if !text.isEmpty {
            if CaseNumber.looksLike(text) {
                q.appendInterpolation(unsafeRaw: " AND c.number = "); q.appendInterpolation(bind: text)
            } else {
                q.appendInterpolation(unsafeRaw: " AND (LOWER(c.description) LIKE "); q.appendInterpolation(bind: SearchText.containsPattern(text))
                q.appendInterpolation(unsafeRaw: " ESCAPE '\\' OR LOWER(c.address) LIKE "); q.appendInterpolation(bind: SearchText.containsPattern(text))
                q.appendInterpolation(unsafeRaw: " ESCAPE '\\')")
            }
        }
        if !implied {
            q.appendInterpolation(unsafeRaw: " AND ")
            q.appendInterpolation(Self.scopeClause(actor))
        }
        return (q, depth)
    }

    /// One page of the ledger, newest first; `more` says whether another page follows (no count over a million rows).
    public func ledger(_ f: Filter, window: PageWindow, actor: Identity) async throws -> (items: [CaseItem], more: Bool) {
        guard actor.can(.viewCases) || actor.can(.reportCases) else { throw AppError.forbidden(Msg.forbidden) }
        let names = try await nameBook()
        return try await db.read { db in
            let (w, depth) = try await whereClause(f, actor: actor, db: db)
            // Open cases of a whole district or the city, newest first: SQLite's planner would take every open case of
            // the district from the (state, territory) index and sort them (~16 ms at a million cases); walking the
            // open-case index backwards by id and keeping the district's stops at the page (~0.2 ms). For a street or
            // a grid, whose cases are a small share of the open ones, the range lookup and sort stay the better plan, as
            // does the look-up of one case number (0.1 ms by its index; 37 ms walking a district's open cases).
            let walkOpen = self.db.engine == .sqlite && f.open && f.unitID == nil && (depth ?? 0) <= 2
                && !CaseNumber.looksLike(f.text.trimmed())
            // The page's ids first (an index can often answer that alone), then their rows and names.
            let rows = try await db.raw("""
                \(unsafeRaw: Self.itemSelect) WHERE c.id IN (SELECT c.id FROM cases c\(unsafeRaw: walkOpen ? " INDEXED BY cases_open" : "") WHERE \(w) ORDER BY c.id DESC
                  LIMIT \(unsafeRaw: String(window.limit + 1)) OFFSET \(unsafeRaw: String(window.offset))) ORDER BY c.id DESC
                """).all()
            let items = try rows.prefix(window.limit).map(names.item)
            return (Array(items), rows.count > window.limit)
        }
    }

    public static let exportHeader = ["案卷编号", "来源", "问题类型", "问题描述", "地址", "经度", "纬度", "所在区域", "承办单位", "分派方式", "紧急程度",
                                      "状态", "上报人", "上报时间", "派遣时间", "处置时限", "办结期限", "反馈时间", "结案时间", "是否按期", "返工次数", "督办等级", "是否缓办"]

    /// The ledger as rows for XLSX/CSV, all matching cases (up to `limit`), newest first.
    public func exportRows(_ f: Filter, actor: Identity, limit: Int = 200_000) async throws -> [[String]] {
        try actor.require(.viewCases)
        let now = clock.now()
        let names = try await nameBook()
        return try await db.read { db in
            let w = try await whereClause(f, actor: actor, db: db).sql
            let rows = try await db.raw("\(unsafeRaw: Self.itemSelect) WHERE \(w) ORDER BY c.id DESC LIMIT \(unsafeRaw: String(limit))").all()
            var out: [[String]] = [Self.exportHeader]
            out.reserveCapacity(rows.count + 1)
            for r in rows {
                let i = try names.item(r)
                let c = i.c
                out.append([
                    c.number, c.caseSource.label, i.typeName, c.description, c.address,
                    c.lngE6.map(CivilText.millionths) ?? "", c.latE6.map(CivilText.millionths) ?? "",
                    i.territoryName, c.dispatchedAt == nil ? "" : (i.unitName ?? ""), RouteVia(rawValue: c.routeVia)?.label ?? "", c.caseUrgency.label,
                    c.isOverdue(at: now) ? c.caseState.label + "（超期）" : c.caseState.label, c.reporterName, Fmt.dateTime(c.reportedAt),
                    Fmt.dateTime(c.dispatchedAt), c.deadlineRule.label, Fmt.dateTime(c.deadlineAt), Fmt.dateTime(c.fedBackAt), Fmt.dateTime(c.closedAt),
                    c.closedOnTime.map { $0 == 1 ? "是" : "否" } ?? "", String(c.reworkCount), c.level.short, c.wasDeferred == 1 ? "是" : "",
                ])
            }
            return out
        }
    }

    // MARK: - Counts, the unit's list, the inbox

    /// Cases by state in the actor's scope, from the running counters (city-wide: case_totals; a subtree: case_counts
    /// by its paths); plus the number overdue now.
    public func statusCounts(actor: Identity) async throws -> (byState: [CaseState: Int], overdue: Int) {
        try actor.require(.viewCases)
        let (lo, hi) = scopeRange(actor.orgPath)
        let undispatched = Self.sqlList([.reported, .registered, .cancelled])
        let now = clock.now().epoch
        let everything = Self.seesEverything(actor)
        return try await db.read { db in
            var q: SQLQueryString
            if everything {
                q = "SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM case_totals GROUP BY state"
            } else if actor.orgKind.family == .unit {
                q = SQLQueryString("SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM case_counts WHERE unit_path >= \(bind: lo) AND unit_path < \(bind: hi) AND state NOT IN (\(unsafeRaw: undispatched)) GROUP BY state")
            } else {
                q = SQLQueryString("SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM case_counts WHERE (territory_path >= \(bind: lo) AND territory_path < \(bind: hi)) OR (unit_path >= \(bind: lo) AND unit_path < \(bind: hi) AND state NOT IN (\(unsafeRaw: undispatched))) GROUP BY state")
            }
            // The city-wide reads bind no scope, so one plan serves every request (Database.prepared); a scope's path
            // range does not.
            func read(_ q: SQLQueryString) async throws -> [any SQLRow] {
                everything ? try await Database.prepared { try await db.raw(q).all() } : try await db.raw(q).all()
            }
            var out: [CaseState: Int] = [:]
            for r in try await read(q) {
                if let s = CaseState(rawValue: try r.decode(column: "state", as: String.self)) { out[s] = Int(try r.decode(column: "n", as: Int64.self)) }
            }
            var q2: SQLQueryString
            if everything {
                // case_due's days before today, and today's running cases past their deadline from the index.
                let day = Self.dueDay(now)
                q2 = """
                    SELECT CAST((SELECT COALESCE(SUM(n), 0) FROM case_due WHERE day < \(bind: day))
                      + (SELECT COUNT(*) FROM cases c WHERE c.state IN (\(unsafeRaw: Self.sqlList(Self.clockStates)))
                         AND c.deadline_at >= \(bind: day * 86400) AND c.deadline_at < \(bind: now)) AS BIGINT) AS n
                    """
            } else {
                q2 = "SELECT COUNT(*) AS n FROM cases c WHERE c.state IN (\(unsafeRaw: Self.sqlList(Self.clockStates))) AND c.deadline_at < \(bind: now) AND "
                q2.appendInterpolation(Self.scopeClause(actor))
            }
            let overdue = try await read(q2)[0].decode(column: "n", as: Int64.self)
            return (out, Int(overdue))
        }
    }

    /// The day under which case_due counts a deadline: whole UTC days since 1970, as the triggers' `deadline_at / 86400`
    /// (integer division; deadlines are after 1970).
    static func dueDay(_ t: Int64) -> Int64 { t / 86400 }

    /// The open cases of one unit (派给本单位、未结案), most urgent deadline first.
    public func unitOpen(_ unitID: Int64, window: PageWindow, actor: Identity) async throws -> (items: [CaseItem], more: Bool) {
        try actor.require(.viewCases)
        let names = try await nameBook()
        return try await db.read { db in
            let unit = try await OrgService.visible(db, id: unitID, actor: actor)
            // One plan serves every unit: the walk of cases_unit_open from the unit's first deadline.
            let rows = try await Database.prepared {
                try await db.raw("""
                    \(unsafeRaw: Self.itemSelect) WHERE c.id IN (SELECT id FROM cases WHERE unit_id = \(bind: unit.id)
                      AND state IN (\(unsafeRaw: Self.sqlList(Self.unitOpenStates)))
                      ORDER BY deadline_at, id LIMIT \(unsafeRaw: String(window.limit + 1)) OFFSET \(unsafeRaw: String(window.offset)))
                    ORDER BY c.deadline_at, c.id
                    """).all()
            }
            return (Array(try rows.prefix(window.limit).map(names.item)), rows.count > window.limit)
        }
    }

    /// What needs the actor now (the inbox on the home page): for the office, reports to register, cases to
    /// dispatch (urgent ones past their dispatch time first), transfer requests; for inspectors, cases to
    /// verify; for a unit, the cases dispatched to it that are not yet fed back, most overdue first.
    public func inbox(actor: Identity, limit: Int = 20) async throws -> [CaseItem] {
        guard actor.can(.viewCases) else { return [] }
        let (lo, hi) = scopeRange(actor.orgPath)
        let names = try await nameBook()
        return try await db.read { db in
            var parts: [SQLQueryString] = []
            if actor.can(.manageCases) {
                parts.append("(c.territory_path >= \(bind: lo) AND c.territory_path < \(bind: hi) AND c.state IN ('reported','registered','transfer_requested','fed_back'))")
            } else if actor.can(.verifyCases) {
                parts.append("(c.territory_path >= \(bind: lo) AND c.territory_path < \(bind: hi) AND c.state = 'fed_back')")
            }
            if actor.can(.handleCases) {
                parts.append("(c.unit_path >= \(bind: lo) AND c.unit_path < \(bind: hi) AND c.state IN ('dispatched','processing','rework'))")
            }
            guard !parts.isEmpty else { return [] }
            var out: [CaseItem] = []
            for p in parts {
                let rows = try await db.raw("\(unsafeRaw: Self.itemSelect) WHERE \(p) ORDER BY COALESCE(c.deadline_at, c.dispatch_due_at, c.reported_at + 315360000), c.id LIMIT \(unsafeRaw: String(limit))").all()
                out += try rows.map(names.item)
            }
            return Array(out.prefix(limit))
        }
    }

    // MARK: - Metrics (综合评价)

    public struct UnitMetrics: Sendable { public var unit: OrgRow; public var counts: CaseCounts; public var metrics: CaseMetrics }

    /// Per unit in the actor's scope: the cases dispatched to it in [from, to) — 应结案 — and the rates.
    public func metrics(from: Date, to: Date, actor: Identity) async throws -> [UnitMetrics] {
        try actor.require(.viewCases)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            let rows = try await db.raw("""
                SELECT unit_id, COUNT(*) AS due,
                  SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END) AS closed,
                  SUM(CASE WHEN state = 'closed' AND closed_on_time = 1 THEN 1 ELSE 0 END) AS ontime,
                  SUM(CASE WHEN state = 'deferred' THEN 1 ELSE 0 END) AS deferred,
                  SUM(CASE WHEN fed_back_at IS NOT NULL THEN 1 ELSE 0 END) AS verified,
                  SUM(CASE WHEN rework_count > 0 THEN 1 ELSE 0 END) AS reworked,
                  CAST(SUM(CASE WHEN state = 'closed' THEN closed_at - dispatched_at ELSE 0 END) AS BIGINT) AS fix
                FROM cases WHERE dispatched_at >= \(bind: from.epoch) AND dispatched_at < \(bind: to.epoch)
                  AND unit_path >= \(bind: lo) AND unit_path < \(bind: hi) AND state <> 'cancelled'
                GROUP BY unit_id
                """).all()
            var out: [UnitMetrics] = []
            for r in rows {
                guard let uid = try r.int64OrNil("unit_id"), let unit = try await OrgService.fetch(db, id: uid) else { continue }
                func n(_ c: String) throws -> Int { Int(try r.int64OrNil(c) ?? 0) }
                let counts = CaseCounts(due: try n("due"), closed: try n("closed"), closedOnTime: try n("ontime"), deferred: try n("deferred"),
                                        verified: try n("verified"), reworked: try n("reworked"), fixSeconds: try r.int64OrNil("fix") ?? 0)
                out.append(UnitMetrics(unit: unit, counts: counts, metrics: CaseMetrics(counts)))
            }
            return out.sorted { ($0.metrics.onTimeRate?.basisPoints ?? 10_001, $0.unit.code) < ($1.metrics.onTimeRate?.basisPoints ?? 10_001, $1.unit.code) }
        }
    }

    /// Located cases in scope for the map (newest first, at most `limit`).
    public func mapPoints(_ f: Filter, actor: Identity, limit: Int = 2000) async throws -> [CaseItem] {
        try actor.require(.viewCases)
        let names = try await nameBook()
        return try await db.read { db in
            let w = try await whereClause(f, actor: actor, db: db).sql
            return try await db.raw("\(unsafeRaw: Self.itemSelect) WHERE \(w) AND c.lat_e6 IS NOT NULL ORDER BY c.id DESC LIMIT \(unsafeRaw: String(limit))").all().map(names.item)
        }
    }

    // MARK: - Escalation (督办)

    /// Looks for overdue cases and issues the supervision notices they have earned (white → yellow → red,
    /// every level skipped included), then summons the head of every unit whose last notices are enough reds in a row.
    /// Run by the server every few minutes; safe to run twice: a case's `escalation` column records the level it
    /// holds, so a level is issued once per dispatch (改派 and 重新打开 start a new round at level 0).
    @discardableResult
    public func escalate() async throws -> (notices: Int, summonses: Int) {
        let s = try await settings.current()
        let cal = try await calendar()
        let policy = s.escalationPolicy(minutesPerDay: cal.minutesPerDay)
        let now = clock.now()
        let year = Calendar.gregorian(WorkCalendar.shanghai).component(.year, from: now)
        return try await db.write { tx in
            // Several server instances on one PostgreSQL database sweep one at a time.
            if db.engine == .postgres { try await tx.raw("SELECT pg_advisory_xact_lock(71209)").run() }
            let rows = try await tx.raw("""
                SELECT * FROM cases WHERE state IN (\(unsafeRaw: Self.sqlList(Self.clockStates))) AND deadline_at < \(bind: now.epoch) AND escalation < 3
                ORDER BY deadline_at, id LIMIT 5000
                """).all().map(Self.decode)
            var issued = 0
            var units = Set<Int64>()
            for c in rows {
                guard let d = c.deadlineAt, let uid = c.unitId, let up = c.unitPath else { continue }
                let overdue = Deadline.overdueWorkingMinutes(deadline: Date(epoch: d), now: now, calendar: cal)
                let earned = policy.level(overdueMinutes: overdue)
                let levels = EscalationPolicy.notices(from: c.level, to: earned)
                guard !levels.isEmpty else { continue }
                for l in levels {
                    let seq = try await Self.nextNumber(tx, name: "notice-\(year)")
                    try await tx.raw("""
                        INSERT INTO supervision_notices (number, case_id, unit_id, unit_path, level, overdue_minutes, issued_at)
                        VALUES (\(bind: "督\(CaseNumber.format(year: year, sequence: seq))"), \(bind: c.id), \(bind: uid), \(bind: up), \(bind: l.rawValue), \(bind: overdue), \(bind: now.epoch))
                        """).run()
                    try await Self.event(tx, c.id, actor: nil, action: "escalate", from: c.state, to: c.state,
                                         reason: "超期 \(overdue) 分钟（工作时间），发\(l.label)", unitID: uid, now: now)
                    issued += 1
                }
                try await tx.raw("UPDATE cases SET escalation = \(bind: earned.rawValue) WHERE id = \(bind: c.id)").run()
                units.insert(uid)
            }
            // Every unit with notices not yet covered by a summons is checked, not only those notified just now.
            for r in try await tx.raw("SELECT DISTINCT unit_id FROM supervision_notices WHERE summons_id IS NULL").all() {
                units.insert(try r.decode(column: "unit_id", as: Int64.self))
            }
            var summoned = 0
            for uid in units.sorted() {
                let levels = try await tx.raw("SELECT level FROM supervision_notices WHERE unit_id = \(bind: uid) AND summons_id IS NULL ORDER BY id").all()
                    .map { EscalationLevel(rawValue: try $0.decode(column: "level", as: Int.self)) ?? .none }
                guard policy.summonsDue(noticesSinceLastSummons: levels), let unit = try await OrgService.fetch(tx, id: uid) else { continue }
                let head = unit.leaderName.isEmpty ? "单位主要负责人" : unit.leaderName + (unit.leaderTitle.isEmpty ? "" : "（\(unit.leaderTitle)）")
                let sid = try await tx.raw("""
                    INSERT INTO summonses (unit_id, unit_path, head_name, reason, issued_at)
                    VALUES (\(bind: uid), \(bind: unit.path), \(bind: head), \(bind: "连续 \(policy.redsForSummons) 张红色督办单"), \(bind: now.epoch)) RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
                try await tx.raw("UPDATE supervision_notices SET summons_id = \(bind: sid) WHERE unit_id = \(bind: uid) AND summons_id IS NULL").run()
                try await Audit.record(tx, actor: nil, action: "summons", entity: "unit", entityID: uid,
                                       summary: "“\(unit.name)”连续 \(policy.redsForSummons) 张红色督办单，约谈\(head)", scope: unit.orgPath, at: now)
                summoned += 1
            }
            return (issued, summoned)
        }
    }

    public struct NoticeItem: Sendable { public var n: NoticeRow; public var caseNumber: String; public var caseID: Int64; public var unitName: String }

    /// Supervision notices for units in the actor's scope, newest first.
    public func notices(actor: Identity, unitID: Int64? = nil, limit: Int = 200) async throws -> [NoticeItem] {
        try actor.require(.viewCases)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            var q = SQLQueryString("""
                SELECT n.*, c.number AS case_number, o.name AS unit_name FROM supervision_notices n JOIN cases c ON c.id = n.case_id JOIN orgs o ON o.id = n.unit_id
                WHERE ((n.unit_path >= \(bind: lo) AND n.unit_path < \(bind: hi)) OR (c.territory_path >= \(bind: lo) AND c.territory_path < \(bind: hi)))
                """)
            if let u = unitID { q.appendInterpolation(unsafeRaw: " AND n.unit_id = "); q.appendInterpolation(bind: u) }
            q.appendInterpolation(unsafeRaw: " ORDER BY n.id DESC LIMIT \(limit)")
            return try await db.raw(q).all().map { r in
                NoticeItem(n: try r.decode(model: NoticeRow.self, with: .snakeCase), caseNumber: try r.decode(column: "case_number", as: String.self),
                           caseID: try r.decode(column: "case_id", as: Int64.self), unitName: try r.decode(column: "unit_name", as: String.self))
            }
        }
    }

    public func summonses(actor: Identity) async throws -> [(SummonsRow, String)] {
        try actor.require(.viewCases)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            try await db.raw("SELECT s.*, o.name AS unit_name FROM summonses s JOIN orgs o ON o.id = s.unit_id WHERE s.unit_path >= \(bind: lo) AND s.unit_path < \(bind: hi) ORDER BY s.id DESC LIMIT 200").all()
                .map { (try $0.decode(model: SummonsRow.self, with: .snakeCase), try $0.decode(column: "unit_name", as: String.self)) }
        }
    }

    /// Records that a summons took place (date and note).
    public func holdSummons(_ id: Int64, note: String, actor: Identity) async throws {
        try actor.require(.manageCases)
        let text = note.trimmed()
        if text.isEmpty { throw AppError.validation(["note": Msg.requiredField("约谈情况")]) }
        if text.count > 2000 { throw AppError.validation(["note": "约谈情况不能超过 2000 字"]) }
        let now = clock.now()
        try await db.write { tx in
            guard let s = try await tx.raw("SELECT * FROM summonses WHERE id = \(bind: id)").first()?.decode(model: SummonsRow.self, with: .snakeCase) else { throw AppError.notFound }
            try actor.requireScope(OrgPath(s.unitPath)!)
            if s.heldAt != nil { throw AppError.conflict("这次约谈已登记") }
            try await tx.raw("UPDATE summonses SET held_at = \(bind: now.epoch), note = \(bind: text) WHERE id = \(bind: id)").run()
            try await Audit.record(tx, actor: actor, action: "summons_held", entity: "unit", entityID: s.unitId, summary: "登记约谈：\(s.headName)", scope: OrgPath(s.unitPath)!, at: now)
        }
    }

    /// Each unit's record in [from, to): notices by level, and its cases overdue now.
    public func records(from: Date, to: Date, actor: Identity) async throws -> [(UnitRecord, String)] {
        try actor.require(.viewCases)
        let (lo, hi) = scopeRange(actor.orgPath)
        let now = clock.now().epoch
        return try await db.read { db in
            var recs: [Int64: UnitRecord] = [:]
            for r in try await db.raw("""
                SELECT unit_id, level, COUNT(*) AS n FROM supervision_notices WHERE issued_at >= \(bind: from.epoch) AND issued_at < \(bind: to.epoch)
                  AND unit_path >= \(bind: lo) AND unit_path < \(bind: hi) GROUP BY unit_id, level
                """).all() {
                let u = try r.decode(column: "unit_id", as: Int64.self), n = Int(try r.decode(column: "n", as: Int64.self))
                var rec = recs[u] ?? UnitRecord(unitID: u, reds: 0, yellows: 0, whites: 0, overdueOpen: 0)
                switch EscalationLevel(rawValue: try r.decode(column: "level", as: Int.self)) {
                case .red: rec.reds += n
                case .yellow: rec.yellows += n
                case .white: rec.whites += n
                default: break
                }
                recs[u] = rec
            }
            for r in try await db.raw("""
                SELECT unit_id, COUNT(*) AS n FROM cases WHERE state IN (\(unsafeRaw: Self.sqlList(Self.clockStates))) AND deadline_at < \(bind: now)
                  AND unit_path >= \(bind: lo) AND unit_path < \(bind: hi) GROUP BY unit_id
                """).all() {
                guard let u = try r.int64OrNil("unit_id") else { continue }
                var rec = recs[u] ?? UnitRecord(unitID: u, reds: 0, yellows: 0, whites: 0, overdueOpen: 0)
                rec.overdueOpen = Int(try r.decode(column: "n", as: Int64.self))
                recs[u] = rec
            }
            var out: [(UnitRecord, String)] = []
            for rec in recs.values {
                let name = try await OrgService.fetch(db, id: rec.unitID)?.name ?? "#\(rec.unitID)"
                out.append((rec, name))
            }
            return out.sorted { BlackPlaque.isWorse($0.0, than: $1.0) }
        }
    }

    /// Awards the rotating black plaque (流动黑牌) of a month (yyyy-MM) to the worst unit of the city; kept for good.
    public func awardPlaque(month: String, actor: Identity) async throws -> PlaqueRow {
        try actor.require(.manageCases)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("流动黑牌由市级创文办评定") }
        guard month.count == 7, let start = Fmt.day(month + "-01") else { throw AppError.validation(["month": "月份格式为 2026-11"]) }
        var cal = Calendar.gregorian(Fmt.zone)
        cal.timeZone = Fmt.zone
        let end = cal.date(byAdding: .month, value: 1, to: start)!
        if end > clock.now() { throw AppError.conflict("\(month) 还没有结束，月末后再评定") }
        let recs = try await records(from: start, to: end, actor: actor).map(\.0)
        guard let worst = BlackPlaque.holder(recs) else { throw AppError.conflict("\(month) 没有单位被督办，不评流动黑牌") }
        let now = clock.now()
        return try await db.write { tx in
            if try await tx.raw("SELECT period FROM black_plaques WHERE period = \(bind: month)").first() != nil { throw AppError.conflict("\(month) 的流动黑牌已评定，不能重评") }
            try await tx.raw("""
                INSERT INTO black_plaques (period, unit_id, reds, yellows, whites, overdue_open, decided_at, decided_by)
                VALUES (\(bind: month), \(bind: worst.unitID), \(bind: worst.reds), \(bind: worst.yellows), \(bind: worst.whites), \(bind: worst.overdueOpen), \(bind: now.epoch), \(bind: actor.userID))
                """).run()
            let name = try await OrgService.fetch(tx, id: worst.unitID)?.name ?? ""
            try await Audit.record(tx, actor: actor, action: "black_plaque", entity: "unit", entityID: worst.unitID,
                                   summary: "\(month) 流动黑牌：\(name)（红 \(worst.reds)、黄 \(worst.yellows)、白 \(worst.whites)，超期未办 \(worst.overdueOpen)）", scope: actor.orgPath, at: now)
            return PlaqueRow(period: month, unitId: worst.unitID, reds: worst.reds, yellows: worst.yellows, whites: worst.whites, overdueOpen: worst.overdueOpen, decidedAt: now.epoch, decidedBy: actor.userID)
        }
    }

    /// The black plaques awarded so far (city-wide; every user who may view cases may see who holds it).
    public func plaques(actor: Identity) async throws -> [(PlaqueRow, String)] {
        try actor.require(.viewCases)
        return try await db.read { db in
            try await db.raw("SELECT p.*, o.name AS unit_name FROM black_plaques p JOIN orgs o ON o.id = p.unit_id ORDER BY p.period DESC LIMIT 24").all()
                .map { (try $0.decode(model: PlaqueRow.self, with: .snakeCase), try $0.decode(column: "unit_name", as: String.self)) }
        }
    }
}
