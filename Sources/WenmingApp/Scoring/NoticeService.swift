import Foundation
import SQLKit
import WenmingCore

public struct NoticeRecord: Codable, Sendable, Equatable {
    public var id: Int64
    public var number: String?
    public var kind: String
    public var period: String
    public var scopeId: Int64
    public var scopePath: String
    public var roundId: Int64?
    public var title: String
    public var body: String
    public var issuer: String
    public var status: String
    public var createdBy: Int64?
    public var createdByName: String
    public var createdAt: Int64
    public var updatedAt: Int64
    public var issuedAt: Int64?
    public var issuedBy: Int64?
    public var issuedByName: String?
    public var noticeKind: NoticeKind { NoticeKind(rawValue: kind) ?? .monthly }
    public var isIssued: Bool { status == NoticeStatus.issued.rawValue }
}

public struct NoticeUnit: Sendable, Equatable { public var orgID: Int64; public var name: String; public var code: String; public var reason: String }

/// Notices (通报): drafted from a period's data, edited by the office, issued under a number and then frozen;
/// the units they name find them in their inbox.
public struct NoticeService: Sendable {
    let db: Database
    let clock: any Clock
    let scores: ScoreService

    // MARK: - Drafting

    /// The window and wording of a notice's period: a month (`2026-11`), a week (any day of it, `2026-11-18`), or a round.
    func window(kind: NoticeKind, period text: String) throws -> (start: Date, end: Date, key: String, label: String, month: Period) {
        switch kind {
        case .monthly:
            guard let p = Period(text), p.kind == .month else { throw AppError.validation(["period": "月度通报的期间写成 2026-11 的形式"]) }
            let (s, e) = p.bounds(in: scores.zone)
            return (s, e, p.description, p.label, p)
        case .weekly:
            guard let day = Fmt.day(text.trimmed()) else { throw AppError.validation(["period": "周通报请填写这一周中的任一天，例如 2026-11-16"]) }
            let weekday = Fmt.calendar.component(.weekday, from: day)  // 1 = Sunday
            let monday = Fmt.calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day)!
            let sunday = Fmt.calendar.date(byAdding: .day, value: 6, to: monday)!
            let end = Fmt.calendar.date(byAdding: .day, value: 7, to: monday)!
            let key = Fmt.date(monday.epoch)
            let c0 = Fmt.calendar.dateComponents([.year, .month, .day], from: monday), c1 = Fmt.calendar.dateComponents([.month, .day], from: sunday)
            return (monday, end, key, "\(c0.year!)年\(c0.month!)月\(c0.day!)日至\(c1.month!)月\(c1.day!)日", Period.containing(monday, kind: .month, in: scores.zone))
        case .round:
            throw AppError.badRequest("检查情况通报按轮次生成")
        }
    }

    /// Drafts a notice for a period (or a round) and scope from the data, with the units it names.
    public func draft(kind: NoticeKind, period: String, scopeID: Int64, roundID: Int64?, actor: Identity, rounds: RoundService) async throws -> Int64 {
        try actor.require(.manageScores)
        let scope = try await db.read { try await OrgService.visible($0, id: scopeID, actor: actor) }
        try actor.requireScope(scope.orgPath)
        guard scope.orgKind.family == .territory, let below = ScoreLevel.below(scope.orgKind) else { throw AppError.validation(["scope": "通报范围须为市、区县或街道"]) }
        let now = clock.now()
        let issuer = (scope.orgKind == .city ? "市" : scope.name) + "文明创建工作办公室"
        var facts: NoticeFacts
        var key: String
        var named: [NoticeFacts.Named] = []
        let (lo, hi) = scopeRange(scope.orgPath)
        if kind == .round {
            guard let rid = roundID else { throw AppError.validation(["round": "请选择检查轮次"]) }
            let res = try await rounds.results(rid, actor: actor)
            guard scope.orgPath.contains(OrgPath(res.round.scopePath)!) || OrgPath(res.round.scopePath)!.contains(scope.orgPath) else {
                throw AppError.validation(["round": "该轮检查不在通报范围内"])
            }
            key = "round:\(rid)"
            let groups = below == .district ? res.byDistrict : res.byStreet
            let ranking = groups.sorted { $0.score > $1.score }.enumerated().map { i, g in
                NoticeFacts.Ranked(name: g.key, total: g.score, rank: i + 1, change: below == .district ? res.previousByDistrict[g.key].map { g.score - $0 } : nil, card: nil,
                                   note: "\(g.points) 个点位")
            }
            let unitLosses = try await db.read { db in
                try await db.raw("""
                    SELECT vi.unit_id, o.name, COUNT(*) AS n, CAST(SUM(vi.lost_h) AS BIGINT) AS lost FROM visit_items vi JOIN orgs o ON o.id = vi.unit_id
                    WHERE vi.round_id = \(bind: rid) AND vi.lost_h > 0 GROUP BY vi.unit_id, o.name ORDER BY lost DESC LIMIT 10
                    """).all().map { r in
                    NoticeFacts.Named(orgID: try r.decode(column: "unit_id", as: Int64.self), name: try r.decode(column: "name", as: String.self),
                                      reason: "\(try r.decode(column: "n", as: Int.self)) 项问题，失分 \(Score(hundredths: Int(try r.decode(column: "lost", as: Int64.self))))")
                }
            }
            let byType = try await db.read { db in
                try await db.raw("""
                    SELECT t.name, COUNT(*) AS n FROM visit_items vi JOIN cases c ON c.id = vi.case_id JOIN case_types t ON t.code = c.type_code
                    WHERE vi.round_id = \(bind: rid) GROUP BY t.name ORDER BY n DESC
                    """).all().map { (name: try $0.decode(column: "name", as: String.self), count: try $0.decode(column: "n", as: Int.self)) }
            }
            facts = NoticeFacts(kind: kind, scopeName: "", periodLabel: "“\(res.round.name)”", issuer: issuer, date: Fmt.date(now.epoch),
                                rankingTitle: "检查得分（点位平均分）", ranking: ranking,
                                problems: res.items.filter { $0.lost.hundredths > 0 }.count, problemsByType: byType, criticised: unitLosses)
            facts.overdueTotal = try await overdue(lo, hi).total
            named = unitLosses.map { .init(orgID: $0.orgID, name: $0.name, reason: "检查发现问题：" + $0.reason) }
        } else {
            let w = try window(kind: kind, period: period)
            key = w.key
            let run = try await scores.run(w.month, live: kind == .weekly)
            let rows = try await scores.level(below, run: run.id, actor: actor, within: scope.orgPath)
            let before = try await scores.before(w.month, orgs: rows.map(\.orgID))
            let ranking = rows.map { r in
                NoticeFacts.Ranked(name: r.name, total: r.total, rank: r.rank, change: RoundScoring.change(r.total, since: before[r.orgID]?.total ?? nil), card: r.card)
            }
            let (s, e) = (w.start.epoch, w.end.epoch)
            let (byType, total, levels, summons) = try await db.read { db in
                let byType = try await db.raw("""
                    SELECT t.name, COUNT(*) AS n FROM cases c JOIN case_types t ON t.code = c.type_code
                    WHERE c.reported_at >= \(bind: s) AND c.reported_at < \(bind: e) AND c.territory_path >= \(bind: lo) AND c.territory_path < \(bind: hi)
                      AND c.state <> 'cancelled' GROUP BY t.name ORDER BY n DESC
                    """).all().map { (name: try $0.decode(column: "name", as: String.self), count: try $0.decode(column: "n", as: Int.self)) }
                var levels = (white: 0, yellow: 0, red: 0)
                for r in try await db.raw("""
                    SELECT level, COUNT(*) AS n FROM supervision_notices WHERE issued_at >= \(bind: s) AND issued_at < \(bind: e)
                      AND unit_path >= \(bind: lo) AND unit_path < \(bind: hi) GROUP BY level
                    """).all() {
                    let n = try r.decode(column: "n", as: Int.self)
                    switch EscalationLevel(rawValue: try r.decode(column: "level", as: Int.self)) {
                    case .white: levels.white = n
                    case .yellow: levels.yellow = n
                    case .red: levels.red = n
                    default: break
                    }
                }
                let summons = try await db.raw("""
                    SELECT COUNT(*) AS n FROM summonses WHERE issued_at >= \(bind: s) AND issued_at < \(bind: e) AND unit_path >= \(bind: lo) AND unit_path < \(bind: hi)
                    """).first()!.decode(column: "n", as: Int.self)
                return (byType, byType.reduce(0) { $0 + $1.count }, levels, summons)
            }
            let od = try await overdue(lo, hi)
            var plaque: NoticeFacts.Named?
            if kind == .monthly, let r = try await db.read({ db in
                try await db.raw("SELECT p.unit_id, o.name, o.path, p.reds FROM black_plaques p JOIN orgs o ON o.id = p.unit_id WHERE p.period = \(bind: w.key)").first()
            }), scope.orgPath.contains(OrgPath(try r.decode(column: "path", as: String.self))!) {
                plaque = .init(orgID: try r.decode(column: "unit_id", as: Int64.self), name: try r.decode(column: "name", as: String.self),
                               reason: "本月红色督办单 \(try r.decode(column: "reds", as: Int.self)) 张")
            }
            // Praise and criticism: Core's rule over the ranked territories and the scored departments and units.
            let scheme = try await scores.scheme().scheme
            var units: [ScoreRow] = []
            for lv in [ScoreLevel.department, .unit] { units += try await scores.level(lv, run: run.id, actor: actor, within: scope.orgPath) }
            func candidate(_ r: ScoreRow) -> NoticeCommendation.Candidate {
                .init(orgID: r.orgID, name: r.name, total: r.total, rank: r.rank, card: r.card, late: r.late)
            }
            let (praised, criticised) = NoticeCommendation.select(territories: rows.map(candidate), units: units.map(candidate),
                                                                  greenMin: scheme.greenMin.hundredths, plaque: plaque)
            facts = NoticeFacts(kind: kind, scopeName: scope.name, periodLabel: w.label, issuer: issuer, date: Fmt.date(now.epoch),
                                rankingTitle: "\(below.label)测评排名（\(run.isPublished ? "已发布第 \(run.version ?? 1) 版" : "实时计算")）", ranking: ranking,
                                problems: total, problemsByType: byType, overdueTotal: od.total, overdueByUnit: od.units, notices: levels, summonses: summons,
                                blackPlaque: plaque, praised: praised, criticised: criticised)
            named = praised.map { .init(orgID: $0.orgID, name: $0.name, reason: "表扬：" + $0.reason) }
                + criticised.map { .init(orgID: $0.orgID, name: $0.name, reason: "批评：" + $0.reason) }
                + od.units.map { .init(orgID: $0.orgID, name: $0.name, reason: "超期未办结：" + $0.reason) }
        }
        if kind == .round { facts.scopeName = scope.name }
        let (title, body) = NoticeComposer.compose(facts)
        let who = actor.signature
        let keyFinal = key
        let namedFinal = named
        return try await db.write { tx in
            let id = try await tx.raw("""
                INSERT INTO notices (kind, period, scope_id, scope_path, round_id, title, body, issuer, status, created_by, created_by_name, created_at, updated_at)
                VALUES (\(bind: kind.rawValue), \(bind: keyFinal), \(bind: scope.id), \(bind: scope.path), \(bind: roundID), \(bind: title), \(bind: body), \(bind: issuer),
                        'draft', \(bind: actor.userID), \(bind: who), \(bind: now.epoch), \(bind: now.epoch)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            try await Self.setUnits(tx, id, namedFinal.map { ($0.orgID, $0.reason) })
            try await Audit.record(tx, actor: actor, action: "notice_drafted", entity: "notice", entityID: id, summary: "起草通报：\(title)", scope: scope.orgPath, at: now)
            return id
        }
    }

    /// Open cases past their deadline in a territory range, with the units holding the most.
    func overdue(_ lo: String, _ hi: String) async throws -> (total: Int, units: [NoticeFacts.Named]) {
        let now = clock.now().epoch
        return try await db.read { db in
            let rows = try await db.raw("""
                SELECT c.unit_id, o.name, COUNT(*) AS n FROM cases c JOIN orgs o ON o.id = c.unit_id
                WHERE c.state IN (\(unsafeRaw: CaseService.sqlList(CaseService.clockStates))) AND c.deadline_at < \(bind: now)
                  AND c.territory_path || '' >= \(bind: lo) AND c.territory_path || '' < \(bind: hi) GROUP BY c.unit_id, o.name ORDER BY n DESC, c.unit_id
                """).all()
            let all = try rows.map { (id: try $0.decode(column: "unit_id", as: Int64.self), name: try $0.decode(column: "name", as: String.self), n: try $0.decode(column: "n", as: Int.self)) }
            return (all.reduce(0) { $0 + $1.n }, all.prefix(10).map { .init(orgID: $0.id, name: $0.name, reason: "\($0.n) 件") })
        }
    }

    static func setUnits(_ tx: any SQLDatabase, _ id: Int64, _ units: [(Int64, String)]) async throws {
        try await tx.raw("DELETE FROM notice_units WHERE notice_id = \(bind: id)").run()
        var seen = Set<Int64>()
        for (org, reason) in units where seen.insert(org).inserted {
            guard let o = try await OrgService.fetch(tx, id: org) else { continue }
            try await tx.raw("INSERT INTO notice_units (notice_id, org_id, org_path, reason) VALUES (\(bind: id), \(bind: org), \(bind: o.path), \(bind: String(reason.prefix(200))))").run()
        }
    }

    // MARK: - Editing and issuing

    func editable(_ tx: any SQLDatabase, _ id: Int64, actor: Identity) async throws -> NoticeRecord {
        try actor.require(.manageScores)
        guard let n = try await tx.raw("SELECT * FROM notices WHERE id = \(bind: id)").first()?.decode(model: NoticeRecord.self, with: .snakeCase) else { throw AppError.notFound }
        try actor.requireScope(OrgPath(n.scopePath)!)
        if n.isIssued { throw AppError.conflict("通报已签发（\(n.number ?? "")），不能再修改") }
        return n
    }

    /// Saves the office's edits: title, body, and the units named (by code, one per line, `编码 说明`).
    public func save(_ id: Int64, title: String, body: String, units: String, actor: Identity) async throws {
        let base = NoticeComposer.problems(title: title, body: body)
        var parsed: [(String, String)] = []
        for line in units.split(whereSeparator: \.isNewline) {
            let t = line.trimmed()
            guard !t.isEmpty else { continue }
            let parts = t.split(separator: " ", maxSplits: 1)
            parsed.append((String(parts[0]), parts.count > 1 ? String(parts[1]).trimmed() : "通报点名"))
        }
        let list = parsed
        let now = clock.now()
        try await db.write { tx in
            let n = try await editable(tx, id, actor: actor)
            let scope = OrgPath(n.scopePath)!
            var resolved: [(Int64, String)] = []
            var unknown: [String] = []
            for (code, reason) in list {
                guard let o = try await OrgService.fetch(tx, code: code), o.isActive, scope.contains(o.orgPath) else { unknown.append(code); continue }
                resolved.append((o.id, reason))
            }
            var p = base
            if !unknown.isEmpty { p["units"] = "以下编码不存在、已停用或不在通报范围内：" + unknown.joined(separator: "、") }
            if !p.isEmpty { throw AppError.validation(p) }
            try await tx.raw("""
                UPDATE notices SET title = \(bind: title.trimmed()), body = \(bind: body.trimmed()),
                  updated_at = \(bind: now.epoch) WHERE id = \(bind: id)
                """).run()
            try await Self.setUnits(tx, id, resolved)
            try await Audit.record(tx, actor: actor, action: "notice_edited", entity: "notice", entityID: id, summary: "修改通报草稿：\(title)", scope: scope, at: now)
        }
    }

    /// Issues the draft: numbered (创文通报〔年〕N号, counted per issuing territory and year), frozen from then on.
    public func issue(_ id: Int64, actor: Identity) async throws -> String {
        let now = clock.now()
        let year = Fmt.calendar.component(.year, from: now)
        let who = actor.signature
        return try await db.write { tx in
            let n = try await editable(tx, id, actor: actor)
            let seq = try await CaseService.nextNumber(tx, name: "notice-\(n.scopeId)-\(year)")
            let prefix = n.scopeId == (OrgPath(n.scopePath)!.ids.first ?? 0) ? "创文通报" : "\(n.issuer.replacingOccurrences(of: "文明创建工作办公室", with: ""))创文通报"
            let number = NoticeNumber.format(prefix: prefix, year: year, sequence: seq)
            try await tx.raw("""
                UPDATE notices SET status = 'issued', number = \(bind: number), issued_at = \(bind: now.epoch), issued_by = \(bind: actor.userID),
                  issued_by_name = \(bind: who), updated_at = \(bind: now.epoch) WHERE id = \(bind: id)
                """).run()
            try await Audit.record(tx, actor: actor, action: "notice_issued", entity: "notice", entityID: id, summary: "签发通报 \(number)：\(n.title)",
                                   scope: OrgPath(n.scopePath)!, at: now)
            return number
        }
    }

    public func deleteDraft(_ id: Int64, actor: Identity) async throws {
        let now = clock.now()
        try await db.write { tx in
            let n = try await editable(tx, id, actor: actor)
            try await tx.raw("DELETE FROM notice_units WHERE notice_id = \(bind: id)").run()
            try await tx.raw("DELETE FROM notices WHERE id = \(bind: id)").run()
            try await Audit.record(tx, actor: actor, action: "notice_deleted", entity: "notice", entityID: id, summary: "删除通报草稿：\(n.title)", scope: OrgPath(n.scopePath)!, at: now)
        }
    }

    // MARK: - Reading

    /// Whether the actor may read the notice: its scope is in theirs (drafts only for those who manage notices),
    /// or, once issued, it names a unit in their scope.
    func readable(_ db: any SQLDatabase, _ n: NoticeRecord, actor: Identity) async throws -> Bool {
        guard actor.can(.viewScores) else { return false }
        if actor.inScope(OrgPath(n.scopePath)!) { return n.isIssued || actor.can(.manageScores) }
        guard n.isIssued else { return false }
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.raw("SELECT 1 AS x FROM notice_units WHERE notice_id = \(bind: n.id) AND org_path >= \(bind: lo) AND org_path < \(bind: hi)").first() != nil
    }

    public func get(_ id: Int64, actor: Identity, markRead: Bool = true) async throws -> (NoticeRecord, [NoticeUnit]) {
        try actor.require(.viewScores)
        let (n, units) = try await db.read { db -> (NoticeRecord, [NoticeUnit]) in
            guard let n = try await db.raw("SELECT * FROM notices WHERE id = \(bind: id)").first()?.decode(model: NoticeRecord.self, with: .snakeCase),
                  try await readable(db, n, actor: actor) else { throw AppError.notFound }
            let units = try await db.raw("SELECT u.org_id, u.reason, o.name, o.code FROM notice_units u JOIN orgs o ON o.id = u.org_id WHERE u.notice_id = \(bind: id) ORDER BY o.code").all()
                .map { NoticeUnit(orgID: try $0.decode(column: "org_id", as: Int64.self), name: try $0.decode(column: "name", as: String.self),
                                  code: try $0.decode(column: "code", as: String.self), reason: try $0.decode(column: "reason", as: String.self)) }
            return (n, units)
        }
        if markRead && n.isIssued {
            let now = clock.now().epoch
            try await db.write { tx in
                try await tx.raw("INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES (\(bind: id), \(bind: actor.userID), \(bind: now)) ON CONFLICT (notice_id, user_id) DO NOTHING").run()
            }
        }
        return (n, units)
    }

    public struct ListItem: Sendable { public var n: NoticeRecord; public var named: Int; public var read: Bool }

    /// The notices of the actor's scope (drafts for those who manage them) and the issued ones naming a unit in
    /// it, newest first.
    public func list(actor: Identity, limit: Int = 200) async throws -> [ListItem] {
        try actor.require(.viewScores)
        let (lo, hi) = scopeRange(actor.orgPath)
        let drafts = actor.can(.manageScores)
        return try await db.read { db in
            try await db.raw("""
                SELECT n.*, (SELECT COUNT(*) FROM notice_units u WHERE u.notice_id = n.id) AS named,
                  (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = \(bind: actor.userID)) AS seen
                FROM notices n WHERE (n.scope_path >= \(bind: lo) AND n.scope_path < \(bind: hi) \(unsafeRaw: drafts ? "" : "AND n.status = 'issued'"))
                  OR (n.status = 'issued' AND EXISTS (SELECT 1 FROM notice_units u WHERE u.notice_id = n.id AND u.org_path >= \(bind: lo) AND u.org_path < \(bind: hi)))
                ORDER BY n.id DESC LIMIT \(unsafeRaw: String(limit))
                """).all().map { ListItem(n: try $0.decode(model: NoticeRecord.self, with: .snakeCase),
                                          named: try $0.decode(column: "named", as: Int.self), read: try $0.decode(column: "seen", as: Int.self) > 0) }
        }
    }

    /// Issued notices that name a unit in the actor's scope (their inbox), newest first, with whether they read it.
    public func inbox(actor: Identity, limit: Int = 20) async throws -> [ListItem] {
        guard actor.can(.viewScores) else { return [] }
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            try await db.raw("""
                SELECT n.*, COUNT(*) AS named, (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = \(bind: actor.userID)) AS seen
                FROM notice_units u JOIN notices n ON n.id = u.notice_id
                WHERE u.org_path >= \(bind: lo) AND u.org_path < \(bind: hi) AND n.status = 'issued'
                GROUP BY n.id ORDER BY n.id DESC LIMIT \(unsafeRaw: String(limit))
                """).all().map { ListItem(n: try $0.decode(model: NoticeRecord.self, with: .snakeCase),
                                          named: try $0.decode(column: "named", as: Int.self), read: try $0.decode(column: "seen", as: Int.self) > 0) }
        }
    }
}
