import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// Scores and rankings (测评排名), the scoring scheme, notices (通报) and the leaders' dashboard (领导驾驶舱).
struct ScorePages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/dashboard") { req, ctx in try await dashboard(req, ctx) }
        r.get("/scores") { req, ctx in try await ranking(req, ctx) }
        r.post("/scores/compute") { req, ctx in try await compute(req, ctx) }
        r.post("/scores/publish") { req, ctx in try await publish(req, ctx) }
        r.get("/scores/scheme") { req, ctx in try await schemePage(req, ctx) }
        r.post("/scores/scheme") { req, ctx in try await saveScheme(req, ctx) }
        r.get("/scores/org/:id") { req, ctx in try await orgScore(req, ctx) }
        r.get("/notices") { req, ctx in try await notices(req, ctx) }
        r.post("/notices") { req, ctx in try await draftNotice(req, ctx) }
        r.get("/notices/:id") { req, ctx in try await notice(req, ctx) }
        r.post("/notices/:id") { req, ctx in try await saveNotice(req, ctx) }
        r.post("/notices/:id/issue") { req, ctx in try await issueNotice(req, ctx) }
        r.post("/notices/:id/delete") { req, ctx in try await deleteNotice(req, ctx) }
        r.get("/notices/:id/print") { req, ctx in try await printNotice(req, ctx, download: false) }
        r.get("/notices/:id/export.html") { req, ctx in try await printNotice(req, ctx, download: true) }
    }

    /// Scores and changes print as in the round reports.
    static func pts(_ h: Int?) -> String { InspectionPages.pct(h) }
    static func change(_ h: Int?) -> String { InspectionPages.delta(h) }
    static func signed(_ h: Int) -> String { h > 0 ? "+\(Score(hundredths: h))" : h < 0 ? "−\(Score(hundredths: -h))" : "0" }

    /// The period asked for (`period=`), else the running month.
    func period(_ q: FormValues) throws -> Period {
        let t = q.trimmed("period")
        if t.isEmpty { return Period.containing(s.clock.now(), kind: .month, in: Fmt.zone) }
        return try ScoreService.period(t)
    }

    // MARK: - Rankings

    struct RankVM: Sendable {
        var orgID: Int64; var name: String; var rank: String; var total: String; var card: String?; var cardKey: String; var change: String
        var rankChange: String; var reason: String?; var lost: String; var late: Int; var onTime: String; var url: String; var position: Int
    }
    struct RunVM: Sendable { var id: Int64; var label: String; var at: String; var note: String; var current: Bool; var url: String }
    struct RankingView: Sendable {
        var period: String; var periodLabel: String; var levels: [Option]; var level: String; var levelLabel: String; var rows: [RankVM]
        var runLabel: String; var runNote: String?; var published: Bool; var runs: [RunVM]; var canManage: Bool; var canPublish: Bool
        var newerDraft: String?; var chart: String; var prevURL: String; var nextURL: String; var periodKinds: [Option]
        var computedAt: String; var tookMs: Int; var scheme: Int; var cards: String; var isTerritory: Bool; var multiYear: Bool
        var plaque: String?
    }

    func runLabel(_ r: ScoreRunRow) -> String {
        r.isPublished ? "已发布第 \(r.version ?? 1) 版\((r.version ?? 1) > 1 ? "（更正版）" : "")" : "实时计算（未发布）"
    }

    func ranking(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.viewScores)
        let q = web.query(req)
        let p = try period(q)
        let defaultLevel: ScoreLevel = ScoreLevel.below(me.orgKind) ?? ScoreLevel.of(me.orgKind) ?? .district
        let level = ScoreLevel(rawValue: q["level"]) ?? defaultLevel
        let run = try await s.scores.run(p, id: q.int64("run"), live: q["live"] == "1")
        let all = try await s.scores.runs(p)
        let rows = try await s.scores.level(level, run: run.id, actor: me, detail: level.isTerritory)
        let before = try await s.scores.before(p, orgs: rows.map(\.orgID))
        let base = "/scores?level=\(level.rawValue)&period="
        var vms: [RankVM] = []
        for (i, r) in rows.enumerated() {
            let b = before[r.orgID]
            let reason: String? = r.eligible ? nil : (try r.detail()?.territory?.ineligibleReason ?? (r.total == nil ? "本期无测评数据" : "负面清单一票否决"))
            var rc = ""
            if let now = r.rank, let was = b?.rank ?? nil { rc = now < was ? "↑\(was - now)" : now > was ? "↓\(now - was)" : "—" }
            vms.append(RankVM(orgID: r.orgID, name: r.name, rank: r.rank.map(String.init) ?? "—", total: Self.pts(r.total), card: r.card?.label, cardKey: r.card?.rawValue ?? "",
                              change: Self.change(RoundScoring.change(r.total, since: b?.total ?? nil)), rankChange: rc, reason: reason,
                              lost: Score(hundredths: r.lost).description, late: r.late, onTime: r.onTimeRate?.description ?? "—",
                              url: "/scores/org/\(r.orgID)?period=\(p.description)&run=\(run.id)", position: i + 1))
        }
        // After publishing, the draft follows the data; say so only when it differs from what was published here.
        var newer: String?
        if run.isPublished, let draft = all.first(where: { !$0.isPublished }), draft.id > run.id {
            let live = try await s.scores.totals(run: draft.id, orgs: rows.map(\.orgID))
            if rows.contains(where: { r in live[r.orgID].map { $0.total != r.total || $0.rank != r.rank } ?? true }) {
                newer = "/scores?level=\(level.rawValue)&period=\(p.description)&live=1"
            }
        }
        // The rotating black plaque (流动黑牌) of a month, on the units' rankings: as awarded, or as the rule now
        // points while the month is open or not yet decided.
        var plaque: String?
        if !level.isTerritory, p.kind == .month, me.can(.viewCases) {
            if let awarded = try await s.cases.plaques(actor: me).first(where: { $0.0.period == p.description }) {
                plaque = "\(p.label)流动黑牌：\(awarded.1)（红色督办单 \(awarded.0.reds) 张、黄色 \(awarded.0.yellows) 张，已评定）"
            } else {
                let (start, end) = p.bounds(in: Fmt.zone)
                let records = try await s.cases.records(from: start, to: end, actor: me)
                if let worst = BlackPlaque.holder(records.map(\.0)), let name = records.first(where: { $0.0.unitID == worst.unitID })?.1 {
                    plaque = "按规则，\(p.label)流动黑牌目前应由\(name)持有（红色督办单 \(worst.reds) 张、黄色 \(worst.yellows) 张、超期未办 \(worst.overdueOpen) 件；月末由市创文办评定）"
                }
            }
        }
        var cardCounts: [String] = []
        for c in Card.allCases { let n = rows.filter { $0.card == c }.count; if n > 0 { cardCounts.append("\(c.label) \(n)") } }
        let data = RankingView(
            period: p.description, periodLabel: p.label,
            levels: ScoreLevel.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == level) }, level: level.rawValue, levelLabel: level.label,
            rows: vms, runLabel: runLabel(run), runNote: run.note.isEmpty ? nil : run.note, published: run.isPublished,
            runs: all.map { RunVM(id: $0.id, label: runLabel($0), at: Fmt.dateTime($0.publishedAt ?? $0.computedAt), note: $0.note, current: $0.id == run.id,
                                  url: "/scores?level=\(level.rawValue)&period=\(p.description)&run=\($0.id)") },
            canManage: me.can(.manageScores), canPublish: me.can(.manageScores) && me.orgPath.ids.count == 1 && p.bounds(in: Fmt.zone).end <= s.clock.now(), newerDraft: newer,
            chart: SVGChart.distribution(rows.compactMap(\.total), title: "\(level.label)得分分布"),
            prevURL: base + p.previous.description, nextURL: base + p.next.description,
            periodKinds: Period.Kind.allCases.map { k in
                let c = Period.containing(s.clock.now(), kind: k, in: Fmt.zone)
                return Option(value: base + c.description, label: k.label, selected: k == p.kind)
            },
            computedAt: Fmt.dateTime(run.computedAt), tookMs: run.tookMs, scheme: run.schemeVersion, cards: cardCounts.joined(separator: "，"),
            isTerritory: level.isTerritory, multiYear: p.kind == .year, plaque: plaque)
        return try web.render(ctx, req, "scores/ranking", title: "\(p.label)\(level.label)排名", data: data)
    }

    func compute(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.manageScores)
        let p = try period(ctx.form)
        let r = try await s.scores.compute(p)
        return web.redirect("/scores?period=\(p.description)&level=\(ctx.form.trimmed("level"))&live=1", flash: "已按最新数据重算\(p.label)得分（用时 \(r.tookMs) 毫秒）")
    }

    func publish(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let p = try period(ctx.form)
        let back = "/scores?period=\(p.description)&level=\(ctx.form.trimmed("level"))"
        do {
            let r = try await s.scores.publish(p, note: ctx.form["note"], actor: me)
            return web.redirect(back, flash: "已发布\(p.label)测评结果第 \(r.version ?? 1) 版")
        } catch let e as AppError {
            switch e {
            case .validation, .conflict: return web.redirect(back + "&live=1", flash: "未发布：" + e.message)
            default: throw e
            }
        }
    }

    // MARK: - One org's score, explained

    struct PartVM: Sendable { var label: String; var weight: Int; var share: String; var value: String; var basis: String; var explanation: String; var failed: Bool }
    struct LineVM: Sendable { var kind: String; var label: String; var url: String?; var points: String; var note: String; var negative: Bool }
    struct VisitVM: Sendable { var id: Int64; var point: String; var pointID: Int64; var roundID: Int64; var round: String; var score: String; var at: String; var items: [ItemVM] }
    struct ItemVM: Sendable { var standard: String; var verdict: String; var lost: String; var note: String; var caseID: Int64?; var caseNumber: String? }
    struct CaseVM: Sendable { var id: Int64; var number: String; var type: String; var unit: String; var state: String; var deadline: String }
    struct OrgScoreView: Sendable {
        var orgID: Int64; var name: String; var level: String; var period: String; var periodLabel: String; var runLabel: String; var total: String
        var rank: String; var peers: Int; var card: String?; var cardKey: String; var reason: String?; var territory: Bool
        var parts: [PartVM]; var weighted: String; var deducted: String; var failed: String?
        var lines: [LineVM]; var base: String; var gained: String; var lost: String
        var visits: [VisitVM]; var visitsTotal: Int; var lostVisits: Int; var lateCases: [CaseVM]; var lateTotal: Int; var incidents: [String]
        var trend: String; var years: [String]; var multiYear: String?; var ledgerOverdue: String; var ledgerLate: String
        var rect: String; var backURL: String; var shown: Int
    }

    func orgScore(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let q = web.query(req)
        let p = try period(q)
        let run = try await s.scores.run(p, id: q.int64("run"), live: q["live"] == "1")
        let (row, d) = try await s.scores.scored(id, run: run.id, actor: me)
        let limit = 200
        var parts: [PartVM] = [], lines: [LineVM] = [], visits: [VisitVM] = [], late: [CaseVM] = [], incidents: [String] = []
        var weighted = "—", deducted = "0", failed: String?
        if let t = d.territory {
            parts = t.parts.map { PartVM(label: $0.component.label, weight: $0.weight, share: $0.value == nil ? "—" : RoundScoring.percent($0.share) + "%",
                                         value: Self.pts($0.value), basis: $0.basis, explanation: $0.component.explanation, failed: t.failed.contains($0.component)) }
            weighted = Self.pts(t.weighted); deducted = Score(hundredths: t.deducted).description
            failed = t.failed.isEmpty ? nil : t.failed.map(\.label).joined(separator: "、")
            visits = try await visitDetails(Array(d.lostVisits.prefix(limit)))
            late = try await caseDetails(Array(d.lateCases.prefix(limit)))
            incidents = try await incidentDetails(d.incidents)
        }
        if let u = d.unit {
            let caseIDs = u.lines.filter { $0.source == "case" }.map(\.sourceID)
            let known = Set(try await caseDetails(caseIDs).map(\.id))
            let points = try await visitPointIDs(u.lines.filter { $0.source == "visit" }.map(\.sourceID))
            lines = u.lines.map { l in
                let url: String? = switch l.source {
                case "case": known.contains(l.sourceID) ? "/cases/\(l.sourceID)" : nil
                case "visit": points[l.sourceID].map { "/rounds/\($0.round)/points/\($0.point)" }
                default: "/negative"
                }
                let kind = ["problem": "发现问题", "late": "超期", "clean": "无问题点位", "negative": "负面清单"][l.kind] ?? l.kind
                return LineVM(kind: kind, label: l.label, url: url, points: Self.signed(l.points), note: l.note, negative: l.points < 0)
            }
        }
        let trendPeriods = p.trailing(6)
        let t = try await s.scores.trend(id, periods: trendPeriods, actor: me)
        var years: [String] = [], multi: String?
        if p.kind == .year {
            let m = try await s.scores.multiYear(id, year: p.year, actor: me)
            years = zip(m.years, m.weights).map { "\($0.0.0) 年：\(Self.pts($0.0.1))（权重 \($0.1)%）" }
            multi = Self.pts(m.total) + (m.missing.isEmpty ? "" : "（缺少 \(m.missing.map { String(p.year - 2 + $0) }.joined(separator: "、")) 年得分，其权重按比例分给其余年份）")
        }
        let reason = d.territory?.ineligibleReason ?? (d.unit?.vetoed == true ? "负面清单一票否决" : nil)
        let (start, end) = p.bounds(in: Fmt.zone)
        let lastDay = Fmt.date(end.epoch - 86_400)
        let filterKey = row.level.isTerritory ? "territory" : "unit"
        let data = OrgScoreView(
            orgID: id, name: row.name, level: row.level.label, period: p.description, periodLabel: p.label, runLabel: runLabel(run),
            total: Self.pts(row.total), rank: row.rank.map(String.init) ?? "不排名", peers: row.peers, card: row.card?.label, cardKey: row.card?.rawValue ?? "",
            reason: reason, territory: d.territory != nil, parts: parts, weighted: weighted, deducted: deducted, failed: failed, lines: lines,
            base: Self.pts(d.unit?.base), gained: Self.pts(d.unit?.gained), lost: Self.pts(d.unit?.lost),
            visits: visits, visitsTotal: d.visits, lostVisits: d.lostVisits.count, lateCases: late, lateTotal: d.lateCases.count, incidents: incidents,
            trend: SVGChart.trend(t.map { (label: $0.0.kind == .month ? "\($0.0.index)月" : $0.0.description, value: $0.1) }, title: "\(row.name)得分走势"),
            years: years, multiYear: multi,
            ledgerOverdue: "/cases?\(filterKey)=\(id)&overdue=1",
            ledgerLate: "/cases?\(filterKey)=\(id)&from=\(Fmt.date(start.epoch))&to=\(lastDay)",
            rect: d.due > 0 ? "应结案 \(d.due)，按期结案 \(d.onTime)，缓办 \(d.deferred)，按期结案率 \(Rate(d.onTime, d.due - d.deferred)?.description ?? "—")" : "本期没有派遣的案卷",
            backURL: "/scores?period=\(p.description)&level=\(row.level.rawValue)&run=\(run.id)", shown: limit)
        return try web.render(ctx, req, "scores/org", title: "\(row.name) \(p.label)得分", data: data)
    }

    func visitDetails(_ ids: [Int64]) async throws -> [VisitVM] {
        guard !ids.isEmpty else { return [] }
        let list = ids.map(String.init).joined(separator: ",")
        return try await s.db.read { db in
            var items: [Int64: [ItemVM]] = [:]
            for r in try await db.raw("""
                SELECT vi.visit_id, vi.verdict, vi.lost_h, vi.note, vi.case_id, n.code, n.title, c.number FROM visit_items vi JOIN index_nodes n ON n.id = vi.standard_id
                LEFT JOIN cases c ON c.id = vi.case_id WHERE vi.visit_id IN (\(unsafeRaw: list)) AND vi.lost_h > 0 ORDER BY vi.id
                """).all() {
                items[try r.decode(column: "visit_id", as: Int64.self), default: []].append(ItemVM(
                    standard: "\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "title", as: String.self))",
                    verdict: ["pass": "合格", "fail": "不合格", "deduct": "扣分"][try r.decode(column: "verdict", as: String.self)] ?? "",
                    lost: Score(hundredths: Int(try r.decode(column: "lost_h", as: Int64.self))).description, note: try r.decode(column: "note", as: String.self),
                    caseID: try r.int64OrNil("case_id"), caseNumber: try r.stringOrNil("number")))
            }
            return try await db.raw("""
                SELECT v.id, v.round_id, v.point_id, v.full_h, v.lost_h, v.visited_at, p.code, p.name, r.name AS round_name FROM visits v
                JOIN points p ON p.id = v.point_id JOIN rounds r ON r.id = v.round_id WHERE v.id IN (\(unsafeRaw: list)) ORDER BY v.lost_h DESC, v.id
                """).all().map { r in
                let id = try r.decode(column: "id", as: Int64.self)
                let score = RoundScoring.score(full: Score(hundredths: Int(try r.decode(column: "full_h", as: Int64.self))), lost: Score(hundredths: Int(try r.decode(column: "lost_h", as: Int64.self))))
                return VisitVM(id: id, point: "\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "name", as: String.self))",
                               pointID: try r.decode(column: "point_id", as: Int64.self), roundID: try r.decode(column: "round_id", as: Int64.self),
                               round: try r.decode(column: "round_name", as: String.self), score: Self.pts(score), at: Fmt.dateTime(try r.decode(column: "visited_at", as: Int64.self)),
                               items: items[id] ?? [])
            }
        }
    }

    func visitPointIDs(_ ids: [Int64]) async throws -> [Int64: (round: Int64, point: Int64)] {
        guard !ids.isEmpty else { return [:] }
        return try await s.db.read { db in
            var out: [Int64: (Int64, Int64)] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let list = ids[chunk..<min(ids.count, chunk + 500)].map(String.init).joined(separator: ",")
                for r in try await db.raw("SELECT id, round_id, point_id FROM visits WHERE id IN (\(unsafeRaw: list))").all() {
                    out[try r.decode(column: "id", as: Int64.self)] = (try r.decode(column: "round_id", as: Int64.self), try r.decode(column: "point_id", as: Int64.self))
                }
            }
            return out
        }
    }

    func caseDetails(_ ids: [Int64]) async throws -> [CaseVM] {
        guard !ids.isEmpty else { return [] }
        return try await s.db.read { db in
            var out: [CaseVM] = []
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let list = ids[chunk..<min(ids.count, chunk + 500)].map(String.init).joined(separator: ",")
                out += try await db.raw("""
                    SELECT c.id, c.number, c.state, c.deadline_at, t.name AS type_name, o.name AS unit_name FROM cases c JOIN case_types t ON t.code = c.type_code
                    LEFT JOIN orgs o ON o.id = c.unit_id WHERE c.id IN (\(unsafeRaw: list)) ORDER BY c.deadline_at, c.id
                    """).all().map { r in
                    CaseVM(id: try r.decode(column: "id", as: Int64.self), number: try r.decode(column: "number", as: String.self),
                           type: try r.decode(column: "type_name", as: String.self), unit: try r.stringOrNil("unit_name") ?? "",
                           state: CaseState(rawValue: try r.decode(column: "state", as: String.self))?.label ?? "", deadline: Fmt.dateTime(try r.int64OrNil("deadline_at")))
                }
            }
            return out
        }
    }

    func incidentDetails(_ ids: [Int64]) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let list = ids.map(String.init).joined(separator: ",")
        return try await s.db.read { db in
            try await db.raw("""
                SELECT i.occurred_on, i.description, n.code, n.title, o.name FROM negative_incidents i JOIN negative_items n ON n.id = i.item_id
                JOIN orgs o ON o.id = i.org_id WHERE i.id IN (\(unsafeRaw: list)) ORDER BY i.occurred_on
                """).all().map { r in
                "\(try r.decode(column: "occurred_on", as: String.self)) \(try r.decode(column: "name", as: String.self))：\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "title", as: String.self))（\(try r.decode(column: "description", as: String.self))）"
            }
        }
    }

    // MARK: - Scheme

    struct SchemeView: Sendable {
        var version: Int; var weights: [WeightVM]; var f: [String: String]; var sources: [Option]; var history: [HistoryVM]; var canEdit: Bool; var note: String
    }
    struct WeightVM: Sendable { var key: String; var label: String; var weight: String; var pre: String; var explanation: String }
    struct HistoryVM: Sendable { var version: Int; var note: String; var by: String; var at: String }

    func schemeView(_ me: Identity, scheme: ScoringScheme, form: FormValues? = nil) async throws -> SchemeView {
        let current = try await s.scores.scheme()
        func v(_ k: String, _ d: String) -> String { form.map { $0[k] } ?? d }
        let f: [String: String] = [
            "greenMin": v("greenMin", scheme.greenMin.description), "yellowBelow": v("yellowBelow", scheme.yellowBelow.description),
            "redBelow": v("redBelow", scheme.redBelow.description), "unitBase": v("unitBase", scheme.unitBase.description),
            "cityProblem": v("cityProblem", scheme.cityProblem.description), "localProblem": v("localProblem", scheme.localProblem.description),
            "onSpotHours": v("onSpotHours", String(scheme.onSpotHours)), "lateCase": v("lateCase", scheme.lateCase.description),
            "cityClean": v("cityClean", scheme.cityClean.description), "localClean": v("localClean", scheme.localClean.description),
            "yearWeights": v("yearWeights", scheme.yearWeights.map(String.init).joined(separator: "/")),
        ]
        let chosen = form.map { Set($0.all("source")) } ?? Set(scheme.checkSources.map(\.rawValue))
        return SchemeView(
            version: current.version,
            weights: ScoreComponent.allCases.map { c in
                WeightVM(key: c.rawValue, label: c.label, weight: v("w_" + c.rawValue, String(scheme.weights[c] ?? 0)),
                         pre: v("pre_" + c.rawValue, scheme.prerequisites[c]?.description ?? ""), explanation: c.explanation)
            },
            f: f, sources: CaseSource.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: chosen.contains($0.rawValue)) },
            history: try await s.scores.schemeHistory().map { HistoryVM(version: $0.version, note: $0.note, by: $0.by, at: Fmt.dateTime($0.at)) },
            canEdit: me.can(.manageScores) && me.orgPath.ids.count == 1, note: form?["note"] ?? "")
    }

    func schemePage(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.viewScores)
        return try web.render(ctx, req, "scores/scheme", title: "测评方案", data: try await schemeView(me, scheme: try await s.scores.scheme().scheme))
    }

    func saveScheme(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.manageScores)
        let f = ctx.form
        let (scheme, problems) = ScoringScheme.parse(f.values.mapValues { $0.first ?? "" }, sources: f.all("source"))
        do {
            if !problems.isEmpty { throw AppError.validation(problems) }
            let v = try await s.scores.saveScheme(scheme, note: f["note"], actor: me)
            return web.redirect("/scores/scheme", flash: "已保存测评方案第 \(v) 版；此后计算的得分按新方案，已发布的结果不变")
        } catch let e as AppError {
            return try web.retry(ctx, req, "scores/scheme", title: "测评方案", data: try await schemeView(me, scheme: scheme, form: f), error: e)
        }
    }

    // MARK: - Dashboard

    struct DashView: Sendable {
        var scope: String; var period: String; var periodLabel: String; var runLabel: String?; var computedAt: String
        var ownTotal: String?; var ownRank: String?; var ownPeers: Int; var ownChange: String; var ownCard: String?; var ownCardKey: String; var ownURL: String?
        var level: String?; var children: [ChildVM]; var worse: [ChildVM]; var slow: [SlowVM]; var overdueTotal: Int; var overdue: [OverdueVM]
        var dueSoon: Int; var dueSoonHours: Int; var calendar: [DueVM]; var cards: String; var rankingURL: String; var chart: String
        var noScores: Bool; var countedAt: String; var sharedFor: Int?
    }
    struct ChildVM: Sendable { var name: String; var total: String; var rank: String; var change: String; var card: String?; var cardKey: String; var url: String }
    struct SlowVM: Sendable { var name: String; var rate: String; var late: Int; var due: Int; var url: String; var casesURL: String }
    struct OverdueVM: Sendable { var name: String; var count: Int; var url: String }
    struct DueVM: Sendable { var day: String; var what: String; var who: String; var url: String }

    func dashboard(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.viewScores)
        let settings = try await s.settings.current()
        let v = try await s.dashboard.view(actor: me, dueSoonHours: settings.dueSoonHours, cacheSeconds: settings.dashboardCacheSeconds)
        let p = v.period.description
        func child(_ m: DashboardService.Moved) -> ChildVM {
            ChildVM(name: m.row.name, total: Self.pts(m.row.total), rank: m.row.rank.map(String.init) ?? "—", change: Self.change(m.change), card: m.row.card?.label,
                    cardKey: m.row.card?.rawValue ?? "", url: "/scores/org/\(m.row.orgID)?period=\(p)&live=1")
        }
        let unitScope = me.orgKind.family == .unit
        let data = DashView(
            scope: v.scope.name, period: p, periodLabel: v.period.label, runLabel: v.run.map(runLabel), computedAt: v.run.map { Fmt.dateTime($0.computedAt) } ?? "",
            ownTotal: v.own.map { Self.pts($0.total) }, ownRank: v.own?.rank.map(String.init), ownPeers: v.own?.peers ?? 0,
            ownChange: Self.change(RoundScoring.change(v.own?.total, since: v.ownBefore)), ownCard: v.own?.card?.label, ownCardKey: v.own?.card?.rawValue ?? "",
            ownURL: v.own.map { "/scores/org/\($0.orgID)?period=\(p)&live=1" },
            level: v.level?.label, children: v.children.map(child), worse: v.worse.map(child),
            slow: v.slow.map { SlowVM(name: $0.name, rate: $0.onTimeRate?.description ?? "—", late: $0.late, due: $0.due, url: "/scores/org/\($0.orgID)?period=\(p)&live=1",
                                      casesURL: "/cases?unit=\($0.orgID)&overdue=1") },
            overdueTotal: v.overdueTotal,
            overdue: v.overdue.map { OverdueVM(name: $0.name, count: $0.count, url: "/cases?\(unitScope ? "unit" : "territory")=\($0.orgID)&overdue=1") },
            dueSoon: v.dueSoon, dueSoonHours: v.dueSoonHours, calendar: v.calendar.map { DueVM(day: $0.day, what: $0.what, who: $0.who, url: $0.url) },
            cards: Card.allCases.compactMap { c in v.cards[c].map { "\(c.label) \($0)" } }.joined(separator: "，"),
            rankingURL: "/scores?period=\(p)&live=1" + (v.level.map { "&level=\($0.rawValue)" } ?? ""),
            chart: SVGChart.distribution(v.children.compactMap(\.row.total), title: "得分分布"), noScores: v.run == nil,
            countedAt: Fmt.dateTime(v.countedAt.epoch), sharedFor: settings.dashboardCacheSeconds > 0 ? settings.dashboardCacheSeconds : nil)
        return try web.render(ctx, req, "dashboard", title: "领导驾驶舱", data: data)
    }

    // MARK: - Notices

    struct NoticeItemVM: Sendable { var id: Int64; var number: String; var title: String; var kind: String; var status: String; var issued: Bool; var at: String; var named: Int; var unread: Bool }
    struct NoticesView: Sendable {
        var items: [NoticeItemVM]; var canManage: Bool; var kinds: [Option]; var scopes: [Option]; var rounds: [Option]; var month: String; var day: String
    }

    func noticeItem(_ i: NoticeService.ListItem) -> NoticeItemVM {
        NoticeItemVM(id: i.n.id, number: i.n.number ?? "（未编号）", title: i.n.title, kind: i.n.noticeKind.label, status: NoticeStatus(rawValue: i.n.status)?.label ?? "",
                     issued: i.n.isIssued, at: Fmt.dateTime(i.n.issuedAt ?? i.n.updatedAt), named: i.named, unread: i.n.isIssued && !i.read)
    }

    func noticesView(_ me: Identity, form: FormValues? = nil) async throws -> NoticesView {
        var scopes: [Option] = []
        if me.can(.manageScores) {
            scopes = try await InspectionPages(s: s, web: web).scopeOptions(me, chosen: form?.int64("scope"))
        }
        let rounds = me.can(.manageScores) ? try await s.rounds.list(actor: me).prefix(50).map { Option(value: String($0.id), label: $0.name, selected: form?.int64("round") == $0.id) } : []
        let now = s.clock.now()
        return NoticesView(
            items: try await s.notices.list(actor: me).map(noticeItem), canManage: me.can(.manageScores),
            kinds: NoticeKind.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: form?["kind"] == $0.rawValue) },
            scopes: scopes, rounds: Array(rounds),
            month: form?["month"] ?? Period.containing(now, kind: .month, in: Fmt.zone).previous.description,
            day: form?["day"] ?? Fmt.date(now.epoch))
    }

    func notices(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.viewScores)
        return try web.render(ctx, req, "notices/list", title: "通报", data: try await noticesView(me))
    }

    func draftNotice(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try me.require(.manageScores)
        let f = ctx.form
        do {
            guard let kind = NoticeKind(rawValue: f["kind"]) else { throw AppError.validation(["kind": "请选择通报类型"]) }
            guard let scope = f.int64("scope") else { throw AppError.validation(["scope": "请选择通报范围"]) }
            let period = kind == .monthly ? f.trimmed("month") : f.trimmed("day")
            let id = try await s.notices.draft(kind: kind, period: period, scopeID: scope, roundID: f.int64("round"), actor: me, rounds: s.rounds)
            return web.redirect("/notices/\(id)", flash: "已根据数据生成通报草稿，请核对、修改后签发")
        } catch let e as AppError {
            return try web.retry(ctx, req, "notices/list", title: "通报", data: try await noticesView(me, form: f), error: e)
        }
    }

    struct NoticeView: Sendable {
        var id: Int64; var number: String?; var title: String; var body: String; var paragraphs: [Para]; var kind: String; var status: String; var issued: Bool
        var issuer: String; var issuedAt: String; var issuedBy: String; var createdBy: String; var units: [UnitVM]; var unitsText: String; var canEdit: Bool
        var scope: String
        /// The print stylesheet itself, for the downloaded file (which has no server to fetch it from).
        var css: String?
    }
    struct Para: Sendable { var text: String; var heading: Bool }
    struct UnitVM: Sendable { var name: String; var code: String; var reason: String }

    func noticeView(_ me: Identity, _ n: NoticeRecord, _ units: [NoticeUnit], title: String? = nil, body: String? = nil, unitsText: String? = nil) async throws -> NoticeView {
        let b = body ?? n.body
        let scope = try await s.db.read { try await OrgService.fetch($0, id: n.scopeId)?.name ?? "" }
        return NoticeView(
            id: n.id, number: n.number, title: title ?? n.title, body: b,
            paragraphs: b.split(separator: "\n", omittingEmptySubsequences: false).map { l in
                let t = String(l)
                return Para(text: t, heading: NoticeComposer.numerals.contains { t.hasPrefix($0 + "、") })
            },
            kind: n.noticeKind.label, status: NoticeStatus(rawValue: n.status)?.label ?? "", issued: n.isIssued, issuer: n.issuer,
            issuedAt: Fmt.dateTime(n.issuedAt), issuedBy: n.issuedByName ?? "", createdBy: n.createdByName,
            units: units.map { UnitVM(name: $0.name, code: $0.code, reason: $0.reason) },
            unitsText: unitsText ?? units.map { "\($0.code) \($0.reason)" }.joined(separator: "\n"),
            canEdit: !n.isIssued && me.can(.manageScores) && me.inScope(OrgPath(n.scopePath)!), scope: scope, css: nil)
    }

    func notice(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let (n, units) = try await s.notices.get(try web.id(ctx), actor: me)
        return try web.render(ctx, req, "notices/show", title: n.title, data: try await noticeView(me, n, units))
    }

    func saveNotice(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let f = ctx.form
        do {
            try await s.notices.save(id, title: f["title"], body: f["body"], units: f["units"], actor: me)
            return web.redirect("/notices/\(id)", flash: "已保存草稿")
        } catch let e as AppError {
            let (n, units) = try await s.notices.get(id, actor: me, markRead: false)
            return try web.retry(ctx, req, "notices/show", title: n.title,
                                 data: try await noticeView(me, n, units, title: f["title"], body: f["body"], unitsText: f["units"]), error: e)
        }
    }

    func issueNotice(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let number = try await s.notices.issue(id, actor: me)
        return web.redirect("/notices/\(id)", flash: "已签发 \(number)；被点名的单位已在工作台收到")
    }

    func deleteNotice(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try await s.notices.deleteDraft(try web.id(ctx), actor: me)
        return web.redirect("/notices", flash: "已删除草稿")
    }

    func printNotice(_ req: Request, _ ctx: AppContext, download: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        let (n, units) = try await s.notices.get(try web.id(ctx), actor: me)
        var view = try await noticeView(me, n, units)
        if download { view.css = (try? String(contentsOfFile: s.config.resourcesDir + "/Public/css/notice.css", encoding: .utf8)) ?? "" }
        var resp = try s.views.response(web.page(ctx, req, title: n.title, data: view), "notices/print", status: .ok)
        if download {
            let name = (n.number ?? "通报草稿-\(n.id)") + ".html"
            resp.headers[.contentDisposition] = "attachment; filename=\"notice-\(n.id).html\"; filename*=UTF-8''\(FormEncoding.escape(name))"
        }
        return resp
    }
}
