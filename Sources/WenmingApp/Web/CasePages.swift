import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// The rectification loop's pages: report (phone), the case page with its steps, the ledger (台账) with
/// export and bulk dispatch, the map, unit metrics, supervision (督办单, 约谈, 流动黑牌), types and holidays.
struct CasePages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/cases") { req, ctx in try await ledger(req, ctx) }
        r.get("/cases/new") { req, ctx in try await newForm(req, ctx) }
        r.post("/cases") { req, ctx in try await create(req, ctx) }
        r.get("/cases/export.xlsx") { req, ctx in try await export(req, ctx, xlsx: true) }
        r.get("/cases/export.csv") { req, ctx in try await export(req, ctx, xlsx: false) }
        r.post("/cases/dispatch") { req, ctx in try await bulkDispatch(req, ctx) }
        r.get("/cases/map") { req, ctx in try await map(req, ctx) }
        r.get("/cases/metrics") { req, ctx in try await metrics(req, ctx) }
        r.get("/cases/supervision") { req, ctx in try await supervision(req, ctx) }
        r.post("/cases/plaque") { req, ctx in try await plaque(req, ctx) }
        r.post("/summonses/:id/held") { req, ctx in try await held(req, ctx) }
        r.get("/cases/setup") { req, ctx in try await setup(req, ctx) }
        r.post("/cases/types") { req, ctx in try await saveType(req, ctx) }
        r.post("/cases/holidays") { req, ctx in try await importHolidays(req, ctx) }
        r.get("/cases/:id") { req, ctx in try await show(req, ctx) }
        r.post("/cases/:id/act") { req, ctx in try await act(req, ctx) }
        r.get("/cases/:id/photos/:pid") { req, ctx in try await photo(req, ctx) }
    }

    // MARK: - View models

    struct ItemVM: Sendable {
        var id: Int64; var number: String; var type: String; var description: String; var territory: String; var unit: String?
        var state: String; var stateKey: String; var overdue: Bool; var level: String?; var urgent: Bool; var reported: String; var deadline: String?
        var source: String; var selectable: Bool
    }

    func vm(_ i: CaseItem, now: Date) -> ItemVM {
        let c = i.c
        return ItemVM(id: c.id, number: c.number, type: i.typeName, description: String(c.description.prefix(60)), territory: i.territoryName,
                      unit: i.unitName, state: c.caseState.label, stateKey: c.state, overdue: c.isOverdue(at: now), level: c.level.short.nonEmpty,
                      urgent: c.caseUrgency == .urgent, reported: Fmt.dateTime(c.reportedAt), deadline: c.deadlineAt.map { Fmt.dateTime($0) },
                      source: c.caseSource.label, selectable: [.reported, .registered].contains(c.caseState))
    }

    func filter(_ q: FormValues) -> CaseService.Filter {
        var f = CaseService.Filter()
        f.unitID = q.int64("unit")
        f.territoryID = q.int64("territory")
        f.typeCode = q.trimmed("type")
        f.source = CaseSource(rawValue: q["source"])
        f.state = CaseState(rawValue: q["state"])
        f.open = q["open"] == "1"
        f.overdue = q["overdue"] == "1"
        f.urgency = CaseUrgency(rawValue: q["urgency"])
        f.from = q.trimmed("from")
        f.to = q.trimmed("to")
        f.text = q.trimmed("q")
        f.mine = q["mine"] == "1"
        f.dueHours = q.int64("due").map { Int(clamping: $0) }.flatMap { (1...720).contains($0) ? $0 : nil }
        return f
    }

    static let filterKeys = ["unit", "territory", "type", "source", "state", "open", "overdue", "urgency", "from", "to", "q", "mine", "due"]

    // MARK: - Ledger

    struct LedgerView: Sendable {
        var items: [ItemVM]; var counts: [CountVM]; var overdue: Int?; var query: String; var prev: String?; var next: String?; var page: Int
        var types: [Option]; var sources: [Option]; var states: [Option]; var urgencies: [Option]
        var from: String; var to: String; var text: String; var openOnly: Bool; var overdueOnly: Bool; var mineOnly: Bool
        var canDispatch: Bool; var canReport: Bool; var canView: Bool; var filterNote: String?
    }
    struct CountVM: Sendable { var label: String; var value: Int; var url: String }

    func ledger(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let q = web.query(req)
        let f = filter(q)
        let page = max(1, q.int64("page").map { Int(clamping: $0) } ?? 1)
        let size = try await s.settings.current().pageSize
        let (items, more) = try await s.cases.ledger(f, window: PageWindow(page: page, pageSize: size), actor: me)
        let now = s.clock.now()
        var counts: [CountVM] = []
        var overdue: Int?
        if me.can(.viewCases) {
            let c = try await s.cases.statusCounts(actor: me)
            counts = CaseState.allCases.compactMap { st in c.byState[st].flatMap { $0 > 0 ? CountVM(label: st.label, value: $0, url: "/cases?state=\(st.rawValue)") : nil } }
            overdue = c.overdue
        }
        let pairs = Self.filterKeys.map { ($0, q[$0]) }.filter { !$0.1.isEmpty }
        let query = FormEncoding.encode(pairs)
        func pageURL(_ p: Int) -> String { "/cases?" + FormEncoding.encode(pairs + [("page", String(p))]) }
        var notes: [String] = []
        if let u = f.unitID { notes.append("承办单位：" + (try await s.orgs.get(u, actor: me).name)) }
        if let t = f.territoryID { notes.append("区域：" + (try await s.orgs.get(t, actor: me).name)) }
        if let h = f.dueHours { notes.append("\(h) 小时内到期、尚未办结") }
        let types = try await s.cases.types()
        let data = LedgerView(
            items: items.map { vm($0, now: now) }, counts: counts, overdue: overdue, query: query,
            prev: page > 1 ? pageURL(page - 1) : nil, next: more ? pageURL(page + 1) : nil, page: page,
            types: types.map { Option(value: $0.code, label: $0.name, selected: $0.code == f.typeCode) },
            sources: CaseSource.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == f.source) },
            states: CaseState.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == f.state) },
            urgencies: CaseUrgency.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == f.urgency) },
            from: f.from, to: f.to, text: f.text, openOnly: f.open, overdueOnly: f.overdue, mineOnly: f.mine,
            canDispatch: me.can(.manageCases), canReport: me.can(.reportCases), canView: me.can(.viewCases),
            filterNote: notes.isEmpty ? nil : notes.joined(separator: "；"))
        return try web.render(ctx, req, "cases/ledger", title: me.can(.viewCases) ? "问题台账" : "我上报的问题", data: data)
    }

    func export(_ req: Request, _ ctx: AppContext, xlsx: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try fileResponse(rows: try await s.cases.exportRows(filter(web.query(req)), actor: me), name: "问题台账", xlsx: xlsx, sheet: "问题台账")
    }

    func bulkDispatch(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let ids = ctx.form.all("case").compactMap { Int64($0) }
        let n = try await s.cases.bulkDispatch(ids, unitCode: ctx.form.trimmed("unitCode"), actor: me)
        return web.redirect("/cases?" + ctx.form.trimmed("back"), flash: "已派遣 \(n) 件")
    }

    // MARK: - Report (phone)

    struct NewView: Sendable {
        var types: [Option]; var sources: [Option]; var territories: [Option]; var fixedTerritory: String?
        var description: String; var address: String; var lat: String; var lng: String; var urgent: Bool; var maxPhotos: Int; var maxMB: Int
        var point: String
    }

    func newView(_ me: Identity, _ f: FormValues = FormValues([:])) async throws -> NewView {
        try me.require(.reportCases)
        let st = try await s.settings.current()
        let types = try await s.cases.types()
        var territories: [Option] = []
        var fixed: String?
        if me.orgKind == .grid {
            fixed = me.orgName
        } else {
            let chosen = f.int64("territory")
            territories = try await s.orgs.territories(actor: me).map { o in
                Option(value: String(o.id), label: String(repeating: "　", count: max(0, o.depth - 1)) + o.name + "（\(o.orgKind.label)）", selected: o.id == chosen)
            }
        }
        let allowed = CaseSource.allowed(for: me.role)
        let chosenSource = CaseSource(rawValue: f["source"]) ?? CaseSource.default(for: me.role)
        return NewView(types: types.map { Option(value: $0.code, label: $0.name, selected: $0.code == f["type"]) },
                       sources: allowed.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == chosenSource) },
                       territories: territories, fixedTerritory: fixed, description: f["description"], address: f["address"],
                       lat: f["lat"], lng: f["lng"], urgent: f["urgency"] == "urgent", maxPhotos: st.casePhotosMax, maxMB: st.uploadMaxMB,
                       point: f["point"])
    }

    func newForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        // `?point=CODE` (from a point's page) fills in the point.
        return try web.render(ctx, req, "cases/new", title: "上报问题", data: try await newView(me, FormValues(["point": [web.query(req)["point"]]])))
    }

    static func photos(_ ctx: AppContext) -> [Upload] {
        ctx.uploads.filter { $0.name == "photos" && !$0.body.isEmpty }.map { Upload(filename: $0.filename ?? "照片", bytes: $0.body) }
    }

    func create(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            let (lat, lng) = try web.coordinates(f)
            let source = CaseSource(rawValue: f["source"]) ?? CaseSource.default(for: me.role)
            let draft = CaseDraft(source: source, typeCode: f.trimmed("type"), description: f["description"], address: f["address"],
                                  latitude: lat, longitude: lng, urgency: f["urgency"] == "urgent" ? .urgent : .normal)
            var pointID: Int64?
            let pointCode = f.trimmed("point")
            if !pointCode.isEmpty {
                guard let id = try await s.db.read({ try await $0.raw("SELECT id FROM points WHERE code = \(bind: pointCode) AND active = 1").first() })?
                    .decode(column: "id", as: Int64.self) else { throw AppError.validation(["point": "点位编码“\(pointCode)”不存在或已停用"]) }
                pointID = id
            }
            let c = try await s.cases.report(.init(draft: draft, territoryID: f.int64("territory"), pointID: pointID, photos: Self.photos(ctx)), actor: me)
            return web.redirect("/cases/\(c.id)", flash: "已上报，案卷编号 \(c.number)")
        } catch let e as AppError {
            return try web.retry(ctx, req, "cases/new", title: "上报问题", data: try await newView(me, f), error: e)
        }
    }

    // MARK: - The case page

    struct PhotoVM: Sendable { var url: String; var name: String }
    struct EventVM: Sendable { var at: String; var actor: String; var action: String; var state: String?; var reason: String? }
    struct ActionVM: Sendable { var action: String; var label: String; var needsReason: Bool; var needsPhotos: Bool; var needsUnit: Bool; var primary: Bool }
    struct ShowView: Sendable {
        var id: Int64; var number: String; var type: String; var source: String; var description: String; var address: String
        var lat: String?; var lng: String?; var territory: String; var unit: String?; var via: String?; var urgency: String; var urgent: Bool
        var state: String; var overdue: Bool; var level: String?; var rule: String; var reporter: String; var reported: String
        var dispatchDue: String?; var dispatched: String?; var deadline: String?; var closed: String?; var rework: Int; var deferred: Bool
        var before: [PhotoVM]; var after: [PhotoVM]; var events: [EventVM]; var actions: [ActionVM]; var standard: String?
        var maxPhotos: Int; var canRegisterDispatch: Bool; var proposedCode: String
    }

    func showView(_ id: Int64, _ me: Identity) async throws -> ShowView {
        let c = try await s.cases.get(id, actor: me)
        let now = s.clock.now()
        let types = try await s.cases.types(includeInactive: true)
        let territory = try await s.db.read { try await OrgService.fetch($0, id: c.territoryId) }
        var unit: OrgRow?
        if let uid = c.unitId { unit = try await s.db.read { try await OrgService.fetch($0, id: uid) } }
        let photos = try await s.cases.photos(id, actor: me)
        var standard: String?
        if let sid = c.standardId, let r = try await s.db.read({ try await $0.raw("SELECT code, title FROM index_nodes WHERE id = \(bind: sid)").first() }) {
            standard = "\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "title", as: String.self))"
        }
        var actions: [CaseAction] = []
        if let side = CaseActor(role: me.role) {
            actions = CaseFlow.actions(from: c.caseState, actor: side).filter { a in (try? CaseService.authorize(c, a, me)) != nil }
        }
        let st = try await s.settings.current()
        func pv(_ l: [(AttachmentRow, String)]) -> [PhotoVM] { l.map { PhotoVM(url: "/cases/\(id)/photos/\($0.0.id)", name: $0.0.filename) } }
        return ShowView(
            id: c.id, number: c.number, type: types.first { $0.code == c.typeCode }?.name ?? c.typeCode, source: c.caseSource.label,
            description: c.description, address: c.address, lat: c.latE6.map(CivilText.millionths), lng: c.lngE6.map(CivilText.millionths),
            territory: territory?.name ?? "", unit: unit?.name, via: RouteVia(rawValue: c.routeVia)?.label, urgency: c.caseUrgency.label, urgent: c.caseUrgency == .urgent,
            state: c.caseState.label, overdue: c.isOverdue(at: now), level: c.level == .none ? nil : c.level.label, rule: c.deadlineRule.label,
            reporter: c.reporterName, reported: Fmt.dateTime(c.reportedAt),
            dispatchDue: c.dispatchedAt == nil ? c.dispatchDueAt.map { Fmt.dateTime($0) } : nil,
            dispatched: c.dispatchedAt.map { Fmt.dateTime($0) }, deadline: c.deadlineAt.map { Fmt.dateTime($0) }, closed: c.closedAt.map { Fmt.dateTime($0) },
            rework: c.reworkCount, deferred: c.caseState == .deferred,
            before: pv(photos.filter { $0.1 == "before" }), after: pv(photos.filter { $0.1 == "after" }),
            events: try await s.cases.events(id, actor: me).map { e in
                EventVM(at: Fmt.dateTime(e.at), actor: e.actorName,
                        action: CaseAction(rawValue: e.action)?.label ?? (e.action == "report" ? "上报" : e.action == "escalate" ? "督办" : e.action),
                        state: e.action == "escalate" ? nil : CaseState(rawValue: e.toState)?.label, reason: e.reason.nonEmpty)
            },
            actions: actions.map { a in
                ActionVM(action: a.rawValue, label: a.label, needsReason: a.needsReason, needsPhotos: a.needsAfterPhotos,
                         needsUnit: a == .dispatch || a == .reassign, primary: [.register, .dispatch, .accept, .feedback, .pass, .resume].contains(a))
            },
            standard: standard, maxPhotos: st.casePhotosMax,
            canRegisterDispatch: c.caseState == .reported && actions.contains(.register), proposedCode: unit?.code ?? "")
    }

    func show(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let data = try await showView(try web.id(ctx), me)
        return try web.render(ctx, req, "cases/show", title: "案卷 \(data.number)", data: data)
    }

    func act(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let f = ctx.form
        do {
            let c: CaseRow
            if f["action"] == "register_dispatch" {
                c = try await s.cases.registerAndDispatch(id, unitCode: f.trimmed("unitCode"), actor: me)
            } else {
                guard let action = CaseAction(rawValue: f["action"]) else { throw AppError.badRequest(Msg.malformedRequest) }
                c = try await s.cases.act(id, .init(action, reason: f["reason"], unitCode: f.trimmed("unitCode"), photos: Self.photos(ctx)), actor: me)
            }
            return web.redirect("/cases/\(id)", flash: "已办理，当前状态：\(c.caseState.label)")
        } catch let e as AppError {
            switch e {
            case .validation, .badRequest, .conflict, .payloadTooLarge:
                return try web.render(ctx, req, "cases/show", title: "案卷", data: try await showView(id, me), error: e.message, status: e.status)
            default: throw e
            }
        }
    }

    func photo(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let (a, data) = try await s.cases.photo(caseID: try web.id(ctx), photoID: try web.id(ctx, "pid"), actor: me)
        var h = HTTPFields()
        h[.contentType] = a.contentType
        h[.contentDisposition] = "inline; filename=\"photo\"; filename*=UTF-8''\(FormEncoding.escape(a.filename))"
        h[.cacheControl] = "private, max-age=3600"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: - Map

    struct DotVM: Sendable { var x: String; var y: String; var color: String; var title: String; var id: Int64 }
    struct LegendVM: Sendable { var color: String; var label: String }
    struct MapView: Sendable { var dots: [DotVM]; var count: Int; var legend: [LegendVM]; var query: String; var bounds: String }

    static func color(_ c: CaseRow, now: Date) -> String {
        if c.isOverdue(at: now) { return "#c62828" }
        switch c.caseState {
        case .closed: return "#2e7d32"
        case .cancelled: return "#9e9e9e"
        case .reported, .registered: return "#f9a825"
        default: return "#1565c0"
        }
    }

    func map(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let q = web.query(req)
        let items = try await s.cases.mapPoints(filter(q), actor: me)
        let now = s.clock.now()
        let proj = MapProjection(items.compactMap { i in i.c.longitude.flatMap { lo in i.c.latitude.map { (lo, $0) } } }, width: 900, height: 600)
        let dots = items.compactMap { i -> DotVM? in
            guard let lo = i.c.longitude, let la = i.c.latitude else { return nil }
            let (x, y) = proj.point(lo, la)
            return DotVM(x: String(format: "%.1f", x), y: String(format: "%.1f", y), color: Self.color(i.c, now: now),
                         title: "\(i.c.number) \(i.typeName) \(i.c.caseState.label)", id: i.c.id)
        }
        let legend = [("#f9a825", "待立案/待派遣"), ("#1565c0", "办理中"), ("#c62828", "超期"), ("#2e7d32", "已结案"), ("#9e9e9e", "已注销")].map { LegendVM(color: $0.0, label: $0.1) }
        let pairs = Self.filterKeys.map { ($0, q[$0]) }.filter { !$0.1.isEmpty }
        return try web.render(ctx, req, "cases/map", title: "问题分布图",
                              data: MapView(dots: dots, count: dots.count, legend: legend, query: FormEncoding.encode(pairs), bounds: proj.description))
    }

    // MARK: - Metrics

    struct MetricVM: Sendable { var unitID: Int64; var unit: String; var due: Int; var closed: Int; var onTime: Int; var deferred: Int; var closure: String; var onTimeRate: String; var rework: String; var hours: String; var low: Bool }
    struct MetricsView: Sendable { var month: String; var rows: [MetricVM]; var from: String; var to: String }

    static func month(_ raw: String, now: Date) -> (String, Date, Date)? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = Fmt.zone
        let m = raw.isEmpty ? String(Fmt.dateTime(now.epoch).prefix(7)) : raw
        guard m.count == 7, let start = Fmt.day(m + "-01"), let end = cal.date(byAdding: .month, value: 1, to: start) else { return nil }
        return (m, start, end)
    }

    func metrics(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let q = web.query(req)
        guard let (m, start, end) = Self.month(q.trimmed("month"), now: s.clock.now()) else { throw AppError.badRequest("月份格式为 2026-11") }
        let rows = try await s.cases.metrics(from: start, to: end, actor: me)
        let vms = rows.map { r in
            MetricVM(unitID: r.unit.id, unit: r.unit.name, due: r.counts.due, closed: r.counts.closed, onTime: r.counts.closedOnTime, deferred: r.counts.deferred,
                     closure: r.metrics.closureRate?.description ?? "—", onTimeRate: r.metrics.onTimeRate?.description ?? "—",
                     rework: r.metrics.reworkRate?.description ?? "—", hours: r.metrics.meanHoursToFix.map { String(format: "%.1f", $0) } ?? "—",
                     low: (r.metrics.onTimeRate?.basisPoints ?? 10_000) < 8_000)
        }
        return try web.render(ctx, req, "cases/metrics", title: "单位整改绩效",
                              data: MetricsView(month: m, rows: vms, from: Fmt.date(start.epoch), to: Fmt.date(end.epoch - 1)))
    }

    // MARK: - Supervision

    struct NoticeVM: Sendable { var number: String; var caseID: Int64; var caseNumber: String; var unit: String; var level: String; var levelKey: Int; var issued: String; var overdue: String }
    struct SummonsVM: Sendable { var id: Int64; var unit: String; var head: String; var reason: String; var issued: String; var held: String?; var note: String }
    struct RecordVM: Sendable { var unit: String; var reds: Int; var yellows: Int; var whites: Int; var overdue: Int }
    struct PlaqueVM: Sendable { var period: String; var unit: String; var detail: String }
    struct SupervisionView: Sendable {
        var notices: [NoticeVM]; var summonses: [SummonsVM]; var records: [RecordVM]; var plaques: [PlaqueVM]; var month: String; var lastMonth: String
        var canManage: Bool; var candidate: String?
    }

    func supervision(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let q = web.query(req)
        let now = s.clock.now()
        guard let (m, start, end) = Self.month(q.trimmed("month"), now: now) else { throw AppError.badRequest("月份格式为 2026-11") }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = Fmt.zone
        let last = String(Fmt.dateTime(cal.date(byAdding: .month, value: -1, to: Self.month("", now: now)!.1)!.epoch).prefix(7))
        let notices = try await s.cases.notices(actor: me)
        let recs = try await s.cases.records(from: start, to: end, actor: me)
        let worst = BlackPlaque.holder(recs.map(\.0))
        let data = SupervisionView(
            notices: notices.map { n in
                let l = EscalationLevel(rawValue: n.n.level) ?? .white
                return NoticeVM(number: n.n.number, caseID: n.caseID, caseNumber: n.caseNumber, unit: n.unitName, level: l.label, levelKey: l.rawValue,
                                issued: Fmt.dateTime(n.n.issuedAt), overdue: "\(n.n.overdueMinutes / 60) 小时 \(n.n.overdueMinutes % 60) 分")
            },
            summonses: try await s.cases.summonses(actor: me).map { SummonsVM(id: $0.0.id, unit: $0.1, head: $0.0.headName, reason: $0.0.reason, issued: Fmt.dateTime($0.0.issuedAt), held: $0.0.heldAt.map { Fmt.dateTime($0) }, note: $0.0.note) },
            records: recs.map { RecordVM(unit: $0.1, reds: $0.0.reds, yellows: $0.0.yellows, whites: $0.0.whites, overdue: $0.0.overdueOpen) },
            plaques: try await s.cases.plaques(actor: me).map { PlaqueVM(period: $0.0.period, unit: $0.1, detail: "红 \($0.0.reds)、黄 \($0.0.yellows)、白 \($0.0.whites)，超期未办 \($0.0.overdueOpen)") },
            month: m, lastMonth: last, canManage: me.can(.manageCases) && me.orgPath.ids.count == 1,
            candidate: worst.flatMap { w in recs.first { $0.0.unitID == w.unitID }?.1 })
        return try web.render(ctx, req, "cases/supervision", title: "督办与约谈", data: data)
    }

    func plaque(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let p = try await s.cases.awardPlaque(month: ctx.form.trimmed("month"), actor: me)
        return web.redirect("/cases/supervision", flash: "\(p.period) 流动黑牌已评定")
    }

    func held(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try await s.cases.holdSummons(try web.id(ctx), note: ctx.form["note"], actor: me)
        return web.redirect("/cases/supervision", flash: "已登记约谈情况")
    }

    // MARK: - Types and holidays

    struct TypeVM: Sendable { var code: String; var name: String; var department: String; var rule: String; var urgentRule: String; var ruleLabel: String; var urgentLabel: String; var active: Bool }
    struct HolidayVM: Sendable { var day: String; var kind: String; var name: String }
    struct SetupView: Sendable { var types: [TypeVM]; var holidays: [HolidayVM]; var year: Int; var canEdit: Bool }

    func setupView(_ me: Identity, year: Int?) async throws -> SetupView {
        try me.require(.viewCases)
        let year = year ?? Calendar.gregorian(Fmt.zone).component(.year, from: s.clock.now())
        let types = try await s.cases.types(includeInactive: true)
        return SetupView(
            types: types.map { t in TypeVM(code: t.code, name: t.name, department: t.departmentCode, rule: t.rule, urgentRule: t.urgentRule,
                                           ruleLabel: t.def.rule.label, urgentLabel: t.def.urgentRule.label, active: t.active != 0) },
            holidays: try await s.cases.holidays(year: year).map { HolidayVM(day: $0.day, kind: HolidayKind(rawValue: $0.kind)?.label ?? $0.kind, name: $0.name) },
            year: year, canEdit: me.can(.manageCases) && me.orgPath.ids.count == 1)
    }

    func setup(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let data = try await setupView(me, year: web.query(req).int64("year").map { Int(clamping: $0) })
        return try web.render(ctx, req, "cases/setup", title: "问题类型与节假日", data: data)
    }

    /// Runs a change from the setup page; a refused one shows the page again with its message and row errors.
    func onSetup(_ req: Request, _ ctx: AppContext, _ change: (Identity) async throws -> Response) async throws -> Response {
        let me = try ctx.requireIdentity()
        do { return try await change(me) } catch let e as AppError {
            return try web.retry(ctx, req, "cases/setup", title: "问题类型与节假日", data: try await setupView(me, year: nil), error: e)
        }
    }

    func saveType(_ req: Request, _ ctx: AppContext) async throws -> Response {
        try await onSetup(req, ctx) { me in
            let f = ctx.form
            try await s.cases.saveType(code: f["code"], name: f["name"], departmentCode: f["department"], rule: f["rule"], urgentRule: f["urgentRule"],
                                       active: f["active"] == "1", actor: me)
            return web.redirect("/cases/setup", flash: "问题类型已保存")
        }
    }

    func importHolidays(_ req: Request, _ ctx: AppContext) async throws -> Response {
        try await onSetup(req, ctx) { me in
            let r = try await s.cases.importHolidays(try await web.uploadedTable(ctx), actor: me)
            return web.redirect("/cases/setup?year=\(r.years.first ?? 0)", flash: "已导入 \(r.years.map(String.init).joined(separator: "、")) 年节假日安排，共 \(r.days) 天")
        }
    }
}

/// Longitude/latitude to SVG coordinates: an equirectangular projection fitted to the points, with a margin.
struct MapProjection: CustomStringConvertible {
    let minLon: Double, maxLon: Double, minLat: Double, maxLat: Double, width: Double, height: Double
    init(_ pts: [(Double, Double)], width: Double, height: Double) {
        let lons = pts.map(\.0), lats = pts.map(\.1)
        var a = lons.min() ?? 0, b = lons.max() ?? 1, c = lats.min() ?? 0, d = lats.max() ?? 1
        if b - a < 1e-4 { a -= 0.01; b += 0.01 }
        if d - c < 1e-4 { c -= 0.01; d += 0.01 }
        minLon = a; maxLon = b; minLat = c; maxLat = d
        self.width = width; self.height = height
    }
    func point(_ lon: Double, _ lat: Double) -> (Double, Double) {
        let m = 20.0
        return (m + (lon - minLon) / (maxLon - minLon) * (width - 2 * m), m + (maxLat - lat) / (maxLat - minLat) * (height - 2 * m))
    }
    var description: String { String(format: "经度 %.4f–%.4f，纬度 %.4f–%.4f", minLon, maxLon, minLat, maxLat) }
}
