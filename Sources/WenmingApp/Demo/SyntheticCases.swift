import Foundation
import SQLKit
import WenmingCore

/// Generates problem cases for the demo city at scale (`wenming generate`): a realistic mix of types,
/// sources, states and delays over a span of years, routed like real cases, with the running counters,
/// numbering and supervision notices consistent with them. Deterministic for a given seed.
public enum SyntheticCases {
    /// The demo city's generator, with probabilities as fractions.
    struct Rng {
        var base: DemoCity.RNG
        init(state: UInt64) { base = DemoCity.RNG(seed: state) }
        mutating func int(_ n: Int) -> Int { base.int(max(1, n)) }
        mutating func unit() -> Double { base.unit() }
        mutating func chance(_ p: Double) -> Bool { base.unit() < p }
        mutating func weighted(_ w: [Int]) -> Int { base.weighted(w) }
    }

    /// Relative frequency of each default type (by code) and of each source.
    static let typeWeights: [String: Int] = ["LT": 14, "LX": 4, "LR": 12, "LTH": 8, "LDJ": 2, "LDD": 9, "ZD": 12, "XGG": 10, "JG": 3, "MD": 3,
                                             "LD": 3, "SS": 4, "GY": 4, "XC": 5, "HJ": 10, "LH": 2, "QT": 3]
    static let sourceWeights: [(CaseSource, Int)] = [(.gridPatrol, 40), (.citizenPhoto, 18), (.inspection, 15), (.undercover, 8), (.mockEvaluation, 7),
                                                     (.hotline, 8), (.media, 2), (.higherUp, 2)]

    public struct Result: Sendable { public var cases = 0; public var notices = 0; public var seconds = 0.0 }

    /// The demo's cases: a few thousand over the last four months, added only when there are no cases yet.
    /// A territory's spot on the demo map (latitude, longitude): districts around the city centre, their
    /// streets on rings, each node nudged by its id.
    static func spot(_ g: OrgRow) -> (Double, Double) {
        let ids = g.orgPath.ids
        let d = Double(ids.count >= 2 ? ids[1] % 7 : 0), st = Double(ids.count >= 3 ? ids[2] % 11 : 0)
        let angle = d / 7 * 2 * Double.pi, r = 0.06 + st * 0.004
        return (30.62 + r * sin(angle) + Double(g.id % 13) * 0.0012, 104.06 + r * cos(angle) * 1.15 + Double(g.id % 17) * 0.0011)
    }

    public static func loadDemoCases(_ s: Services) async throws -> Int {
        let n = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM cases").first()!.decode(column: "n", as: Int64.self) }
        guard n == 0 else { return 0 }
        return try await generate(s, count: 3000, days: 120).cases
    }

    /// Adds `count` cases reported over the `days` before now. Needs the demo city (its grids and departments).
    public static func generate(_ s: Services, count: Int, days: Int = 730, seed: UInt64 = 2026, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Result {
        let started = Date()
        var rng = Rng(state: seed)
        let now = s.clock.now()
        let cal = try await s.cases.calendar()
        let types = try await s.cases.types().filter { typeWeights[$0.code] != nil }
        guard !types.isEmpty else { throw AppError.conflict("没有可用的问题类型") }
        let orgs = try await s.db.read { try await OrgService.decode($0.raw("SELECT * FROM orgs WHERE active = 1").all()) }
        let grids = orgs.filter { $0.orgKind == .grid }.sorted { $0.id < $1.id }
        guard !grids.isEmpty else { throw AppError.conflict("数据库里没有网格：请先载入演示城市（wenming demo）") }
        // A grid patrol case is reported by a grid worker of its grid when there is one; other cases (and grids
        // without a worker) carry their channel as the reporter's name and no user, as cases taken from a hotline or
        // another system do. Reporters see their own cases, so one worker reporting everything would see the city's.
        var gridWorker: [Int64: (Int64, String)] = [:]
        for r in try await s.db.read({ try await $0.raw("SELECT id, org_id, display_name, username FROM users WHERE role = 'grid_worker' AND active = 1 ORDER BY id").all() }) {
            let org = try r.decode(column: "org_id", as: Int64.self)
            if gridWorker[org] == nil {
                gridWorker[org] = (try r.decode(column: "id", as: Int64.self),
                                   "\(try r.decode(column: "display_name", as: String.self))（\(try r.decode(column: "username", as: String.self))）")
            }
        }

        // Routing as CaseService does it, memoised per (grid, type).
        let tree = OrgTree(orgs)
        var routeMemo: [String: (OrgRow, RouteVia)] = [:]
        func route(_ g: OrgRow, _ t: CaseTypeRow) -> (OrgRow, RouteVia)? {
            let key = "\(g.id)|\(t.code)"
            if let r = routeMemo[key] { return r }
            guard let out = tree.route(departmentCode: t.departmentCode, territory: g) else { return nil }
            routeMemo[key] = out
            return out
        }
        // Each grid gets a spot on the map: districts around the city centre, grids scattered within.
        func spot(_ g: OrgRow) -> (Double, Double) { Self.spot(g) }

        let typeW = types.map { typeWeights[$0.code]! }
        let start = now.epoch - Int64(days) * 86_400
        let span = max(1, now.epoch - start - 3600)
        // Numbers continue each year's sequence.
        var seqs: [String: Int64] = [:]
        for r in try await s.db.read({ try await $0.raw("SELECT name, last FROM sequences").all() }) {
            seqs[try r.decode(column: "name", as: String.self)] = try r.decode(column: "last", as: Int64.self)
        }
        let greg = Calendar.gregorian(WorkCalendar.shanghai)
        // Reported times ascending, so that ids and numbers follow time like in real life.
        var times = (0..<count).map { _ in start + Int64(rng.int(Int(span))) }
        times.sort()

        var result = Result()
        let batch = 400
        var i = 0
        while i < count {
            let n = min(batch, count - i)
            var rows: [[any Encodable & Sendable]] = []
            var overdueByRow: [Int64] = []
            for k in 0..<n {
                let reported = times[i + k]
                let g = grids[rng.int(grids.count)]
                let t = types[rng.weighted(typeW)]
                let source = sourceWeights[rng.weighted(sourceWeights.map(\.1))].0
                let urgent = rng.chance(0.04)
                let rule = t.def.rule(for: urgent ? .urgent : .normal)
                let year = greg.component(.year, from: Date(epoch: reported))
                let seqName = "case-\(year)"
                let seq = (seqs[seqName] ?? 0) + 1
                seqs[seqName] = seq
                let routed = route(g, t)
                let age = now.epoch - reported
                // Older cases are mostly finished; the last weeks hold the open ones.
                var state: CaseState
                let roll = rng.unit()
                if roll < 0.03 { state = .cancelled }
                else if age > 30 * 86_400 { state = roll < 0.985 ? .closed : (roll < 0.993 ? .deferred : .processing) }
                else if age > 7 * 86_400 { state = roll < 0.80 ? .closed : [.processing, .fedBack, .rework, .deferred, .dispatched][rng.int(5)] }
                else { state = [.reported, .registered, .dispatched, .processing, .fedBack, .closed, .rework][rng.weighted([8, 4, 14, 20, 10, 40, 4])] }
                if routed == nil && state != .reported && state != .cancelled { state = .reported }
                var registered: Int64?, dispatched: Int64?, deadline: Int64?, fedBack: Int64?, closed: Int64?, paused: Int64?, onTime: Int?
                var rework = 0, deferred = 0
                if ![.reported, .cancelled].contains(state) || (state == .cancelled && rng.chance(0.5)) {
                    registered = reported + Int64(60 + rng.int(4 * 3600))
                }
                if ![.reported, .registered, .cancelled].contains(state), let reg = registered {
                    let d = reg + Int64(60 + rng.int(urgent ? 1500 : 6 * 3600))
                    dispatched = d
                    deadline = Deadline.deadline(from: Date(epoch: d), rule: rule, pauses: [], calendar: cal)?.epoch
                    if state == .rework || (state == .closed && rng.chance(0.08)) { rework = 1 + (rng.chance(0.2) ? 1 : 0) }
                    if state == .deferred || (state == .closed && rng.chance(0.02)) {
                        deferred = 1
                        if state == .deferred { paused = min(now.epoch - 60, d + Int64(rng.int(3 * 86_400))) }
                    }
                    if [.fedBack, .closed].contains(state) || rework > 0 {
                        let dl = deadline ?? d + 86_400
                        // About 85% are fixed within the deadline.
                        let fix = rng.chance(0.85) ? d + Int64(Double(dl - d) * (0.15 + 0.8 * rng.unit())) : dl + Int64(600 + rng.int(5 * 86_400))
                        fedBack = min(now.epoch - 30, fix)
                    }
                    if state == .closed, let fb = fedBack {
                        closed = min(now.epoch - 10, fb + Int64(600 + rng.int(8 * 3600)))
                        onTime = closed! <= (deadline ?? closed!) ? 1 : 0
                    }
                }
                let (lat, lng) = spot(g)
                let worker = source == .gridPatrol ? gridWorker[g.id] : nil
                let (reporterID, reporterName): (Int64?, String) = worker.map { ($0.0, $0.1) } ?? (nil, "\(source.label)（演示数据）")
                var level = EscalationLevel.none
                var overdueMin: Int64 = 0
                if CaseService.clockStates.contains(state), let dl = deadline, dl < now.epoch {
                    overdueMin = Int64(cal.workingMinutes(from: Date(epoch: dl), to: now))
                    let s0 = Settings()
                    level = s0.escalationPolicy(minutesPerDay: cal.minutesPerDay).level(overdueMinutes: Int(overdueMin))
                }
                let unit = dispatched != nil || state == .reported || state == .registered ? routed?.0 : nil
                let number = CaseNumber.format(year: year, sequence: seq)
                rows.append([
                    number, source.rawValue, t.code, "\(t.name)：\(g.name)附近，\(["路口", "人行道", "小区门口", "商铺门前", "公交站", "背街小巷"][rng.int(6)])", g.name,
                    Int64((lat + rng.unit() * 0.004) * 1_000_000), Int64((lng + rng.unit() * 0.004) * 1_000_000), g.id, g.path,
                    unit?.id, unit?.path, routed?.1.rawValue ?? "", urgent ? "urgent" : "normal", rule.code, state.rawValue,
                    reporterID, reporterName, reported, urgent ? reported + 1800 : nil, registered, dispatched, deadline, fedBack, closed, paused,
                    Int64(0), deferred, rework, onTime, level.rawValue, closed ?? fedBack ?? dispatched ?? reported,
                ])
                overdueByRow.append(overdueMin)
            }
            let columns = ["number", "source", "type_code", "description", "address", "lat_e6", "lng_e6", "territory_id", "territory_path", "unit_id", "unit_path",
                           "route_via", "urgency", "rule", "state", "reporter_id", "reporter_name", "reported_at", "dispatch_due_at", "registered_at",
                           "dispatched_at", "deadline_at", "fed_back_at", "closed_at", "paused_at", "paused_seconds", "was_deferred", "rework_count",
                           "closed_on_time", "escalation", "updated_at"]
            let year = greg.component(.year, from: now)
            let noticeSeqStart = seqs["notice-\(year)"] ?? 0
            let batchRows = rows, batchOverdue = overdueByRow
            let issued = try await s.db.write { tx in
                var noticeSeq = noticeSeqStart
                let q = SQLQueryString.insert("cases", columns, batchRows, suffix: " RETURNING id, escalation, unit_id, unit_path, deadline_at")
                let ids = try await tx.raw(q).all()
                // Supervision notices for the overdue ones, every level up to the earned one.
                var noticeRows: [[any Encodable & Sendable]] = []
                for (ri, r) in ids.enumerated() {
                    let lv = try r.decode(column: "escalation", as: Int.self)
                    guard lv > 0, let uid = try r.int64OrNil("unit_id"), let up = try r.stringOrNil("unit_path") else { continue }
                    let cid = try r.decode(column: "id", as: Int64.self)
                    let overdue = batchOverdue[ri]
                    for l in EscalationPolicy.notices(from: .none, to: EscalationLevel(rawValue: lv) ?? .none) {
                        noticeSeq += 1
                        noticeRows.append(["督\(CaseNumber.format(year: year, sequence: noticeSeq))", cid, uid, up, l.rawValue, overdue, now.epoch])
                    }
                }
                if !noticeRows.isEmpty {
                    let nq = SQLQueryString.insert("supervision_notices", ["number", "case_id", "unit_id", "unit_path", "level", "overdue_minutes", "issued_at"], noticeRows)
                    try await tx.raw(nq).run()
                }
                let events = try ids.enumerated().map { ri, r in
                    let row = batchRows[ri]
                    return CaseService.eventRow(try r.decode(column: "id", as: Int64.self), actor: nil, action: "generate", from: "", to: row[14] as! String,
                                                reason: "合成数据（wenming generate）", unitID: nil, now: Date(epoch: row[17] as! Int64))
                }
                try await tx.raw(.insert("case_events", CaseService.eventColumns, events)).run()
                return noticeRows.count
            }
            result.notices += issued
            seqs["notice-\(year)"] = noticeSeqStart + Int64(issued)
            i += n
            result.cases += n
            progress?(result.cases)
        }
        let finalSeqs = seqs
        try await s.db.write { tx in
            for (name, last) in finalSeqs {
                try await tx.raw("INSERT INTO sequences (name, last) VALUES (\(bind: name), \(bind: last)) ON CONFLICT (name) DO UPDATE SET last = \(bind: last)").run()
            }
        }
        // Summonses follow from the generated notices like from real ones.
        _ = try await s.cases.escalate()
        try await s.db.refreshStatistics(tables: ["cases", "case_events", "case_counts", "case_totals", "case_due", "supervision_notices", "summonses", "sequences"],
                                         compact: ["case_counts", "case_totals", "case_due", "sequences"])
        result.seconds = Date().timeIntervalSince(started)
        return result
    }
}

