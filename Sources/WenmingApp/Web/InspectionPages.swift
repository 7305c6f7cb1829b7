import Foundation
import Hummingbird
import NIOCore
import WenmingCore

/// Points (点位), the computer draw (电脑抽签) and inspection rounds (实地考察/督查) with their phone visit form
/// and printable results.
struct InspectionPages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/points") { req, ctx in try await points(req, ctx) }
        r.get("/points/new") { req, ctx in try await pointForm(req, ctx) }
        r.post("/points") { req, ctx in try await savePoint(req, ctx, id: nil) }
        r.post("/points/import") { req, ctx in try await importPoints(req, ctx) }
        r.get("/points/export.xlsx") { req, ctx in try await exportPoints(req, ctx, xlsx: true) }
        r.get("/points/export.csv") { req, ctx in try await exportPoints(req, ctx, xlsx: false) }
        r.get("/points/map") { req, ctx in try await pointMap(req, ctx) }
        r.get("/points/:id") { req, ctx in try await point(req, ctx) }
        r.post("/points/:id") { req, ctx in try await savePoint(req, ctx, id: try web.id(ctx)) }
        r.get("/draws") { req, ctx in try await draws(req, ctx) }
        r.post("/draws") { req, ctx in try await createDraw(req, ctx) }
        r.get("/draws/:id") { req, ctx in try await draw(req, ctx) }
        r.post("/draws/:id/run") { req, ctx in try await runDraw(req, ctx) }
        r.post("/draws/:id/cancel") { req, ctx in try await cancelDraw(req, ctx) }
        r.get("/draws/:id/list.tsv") { req, ctx in try await drawList(req, ctx) }
        r.get("/draws/:id/spec.txt") { req, ctx in try await drawSpec(req, ctx) }
        r.get("/rounds") { req, ctx in try await rounds(req, ctx) }
        r.post("/rounds") { req, ctx in try await createRound(req, ctx) }
        r.get("/rounds/:id") { req, ctx in try await round(req, ctx) }
        r.post("/rounds/:id/close") { req, ctx in try await closeRound(req, ctx) }
        r.post("/rounds/:id/impression") { req, ctx in try await impression(req, ctx) }
        r.get("/rounds/:id/report") { req, ctx in try await report(req, ctx) }
        r.get("/rounds/:id/report.xlsx") { req, ctx in try await reportXLSX(req, ctx) }
        r.get("/rounds/:id/points/:pid") { req, ctx in try await visitPage(req, ctx) }
        r.post("/rounds/:id/points/:pid") { req, ctx in try await recordVisit(req, ctx) }
    }

    static func pct(_ h: Int?) -> String { h.map { RoundScoring.percent($0) } ?? "—" }
    static func delta(_ h: Int?) -> String {
        guard let h else { return "" }
        return h > 0 ? "↑\(RoundScoring.percent(h))" : h < 0 ? "↓\(RoundScoring.percent(-h))" : "持平"
    }

    // MARK: - Points

    struct PointVM: Sendable { var id: Int64; var code: String; var name: String; var category: String; var territory: String; var adopter: String?; var address: String; var declared: Bool; var active: Bool }
    struct PointsView: Sendable {
        var items: [PointVM]; var total: Int; var categories: [Option]; var territories: [Option]; var text: String; var canManage: Bool
        var prev: String?; var next: String?; var page: Int; var query: String; var declaredOnly: Bool
    }

    func vm(_ i: PointItem) -> PointVM {
        PointVM(id: i.p.id, code: i.p.code, name: i.p.name, category: i.categoryName, territory: i.territoryName, adopter: i.adopterName,
                address: i.p.address, declared: i.p.declared != 0, active: i.p.active != 0)
    }

    func option(_ o: OrgRow, chosen: Int64?) -> Option {
        Option(value: String(o.id), label: String(repeating: "　", count: max(0, o.depth - 1)) + o.name + "（\(o.orgKind.label)）", selected: o.id == chosen)
    }

    /// Territories (district … village) in scope; `extra`: a territory to offer even when the list leaves it out
    /// (a point's grid when it is edited).
    func territoryOptions(_ me: Identity, chosen: Int64?, extra: Int64? = nil) async throws -> [Option] {
        var list = try await s.orgs.territories(actor: me)
        if let extra, !list.contains(where: { $0.id == extra }), let o = try await s.db.read({ try await OrgService.fetch($0, id: extra) }) { list.insert(o, at: 0) }
        return list.map { option($0, chosen: chosen) }
    }

    /// Where a draw or a round may range: the user's own territory first (the city for a city admin), then the
    /// districts and streets in it.
    func scopeOptions(_ me: Identity, chosen: Int64?) async throws -> [Option] {
        let pick = chosen ?? me.orgID
        var out: [Option] = []
        if me.orgKind.family == .territory, let own = try await s.db.read({ try await OrgService.fetch($0, id: me.orgID) }) { out.append(option(own, chosen: pick)) }
        out += try await s.orgs.territories(actor: me).filter { [.district, .county, .street, .town].contains($0.orgKind) && $0.id != me.orgID }
            .map { option($0, chosen: pick) }
        return out
    }

    func pointsView(_ me: Identity, _ q: FormValues) async throws -> PointsView {
        var f = PointService.Filter()
        f.categoryID = q.int64("category"); f.territoryID = q.int64("territory"); f.text = q.trimmed("q"); f.declaredOnly = q["declared"] == "1"
        f.includeInactive = q["inactive"] == "1"
        let page = max(1, Int(q["page"]) ?? 1), size = 50
        let (items, total) = try await s.points.list(f, actor: me, limit: size, offset: (page - 1) * size)
        let pairs = ["category", "territory", "q", "declared", "inactive"].map { ($0, q[$0]) }.filter { !$0.1.isEmpty }
        func url(_ p: Int) -> String { "/points?" + FormEncoding.encode(pairs + [("page", String(p))]) }
        return PointsView(items: items.map(vm), total: total,
                          categories: try await s.points.categories().map { Option(value: String($0.id), label: $0.name, selected: $0.id == f.categoryID) },
                          territories: try await territoryOptions(me, chosen: f.territoryID), text: f.text, canManage: me.can(.managePoints),
                          prev: page > 1 ? url(page - 1) : nil, next: page * size < total ? url(page + 1) : nil, page: page,
                          query: FormEncoding.encode(pairs), declaredOnly: f.declaredOnly)
    }

    func points(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "points/list", title: "点位", data: try await pointsView(me, web.query(req)))
    }

    func importPoints(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        do {
            let n = try await s.points.importTable(try await web.uploadedTable(ctx), actor: me, maxRows: try await s.settings.current().importMaxRows)
            return web.redirect("/points", flash: "已导入 \(n) 个点位")
        } catch let e as AppError {
            return try web.retry(ctx, req, "points/list", title: "点位", data: try await pointsView(me, FormValues([:])), error: e)
        }
    }

    func exportPoints(_ req: Request, _ ctx: AppContext, xlsx: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try fileResponse(rows: try await s.points.exportRows(actor: me), name: "点位清单", xlsx: xlsx, sheet: "点位")
    }

    struct FormView: Sendable {
        var id: Int64?; var code: String; var name: String; var categories: [Option]; var address: String; var lat: String; var lng: String
        var territories: [Option]; var adopterCode: String; var declared: Bool; var active: Bool
        var history: [HistoryVM]; var visits: [VisitVM]; var point: PointVM?; var canManage: Bool; var checklist: [String]; var canReport: Bool
    }
    struct HistoryVM: Sendable { var at: String; var actor: String; var change: String }
    struct VisitVM: Sendable { var round: String; var roundID: Int64; var pointID: Int64; var at: String; var score: String }

    func formView(_ me: Identity, id: Int64?, _ f: FormValues?) async throws -> FormView {
        var item: PointItem?
        if let id { item = try await s.points.get(id, actor: me) } else { try me.require(.managePoints) }
        let cats = try await s.points.categories()
        let catValue = f?["category"] ?? item?.categoryCode ?? ""
        let terrID = f?.int64("territory") ?? item?.p.territoryId
        var history: [HistoryVM] = [], visits: [VisitVM] = [], checklist: [String] = []
        if let id, let item {
            history = try await s.points.history(id, actor: me).map { HistoryVM(at: Fmt.dateTime($0.at), actor: $0.actorName, change: $0.change) }
            visits = try await s.db.read { db in
                try await db.raw("SELECT v.round_id, r.name, v.visited_at, v.full_h, v.lost_h FROM visits v JOIN rounds r ON r.id = v.round_id WHERE v.point_id = \(bind: id) ORDER BY v.visited_at DESC LIMIT 20").all()
            }.map { r in
                let full = try r.decode(column: "full_h", as: Int.self), lost = try r.decode(column: "lost_h", as: Int.self)
                return VisitVM(round: try r.decode(column: "name", as: String.self), roundID: try r.decode(column: "round_id", as: Int64.self), pointID: id,
                               at: Fmt.dateTime(try r.decode(column: "visited_at", as: Int64.self)),
                               score: Self.pct(RoundScoring.score(full: Score(hundredths: full), lost: Score(hundredths: lost))))
            }
            checklist = try await s.points.checklist(categoryName: item.categoryName).map { "\($0.code) \($0.title)（\($0.score) 分）" }
        }
        let terr = try await territoryOptions(me, chosen: terrID, extra: item?.p.territoryId)
        return FormView(
            id: id, code: f?.trimmed("code") ?? item?.p.code ?? "", name: f?["name"] ?? item?.p.name ?? "",
            categories: cats.map { Option(value: $0.code, label: $0.name, selected: $0.code == catValue) },
            address: f?["address"] ?? item?.p.address ?? "", lat: f?["lat"] ?? item?.p.latE6.map(CivilText.millionths) ?? "",
            lng: f?["lng"] ?? item?.p.lngE6.map(CivilText.millionths) ?? "", territories: terr,
            adopterCode: f?.trimmed("adopter") ?? item?.adopterCode ?? "", declared: f.map { $0["declared"] == "1" } ?? (item.map { $0.p.declared != 0 } ?? true),
            active: f.map { $0["active"] == "1" } ?? (item.map { $0.p.active != 0 } ?? true),
            history: history, visits: visits, point: item.map(vm), canManage: me.can(.managePoints) && (item.map { me.inScope(OrgPath($0.p.territoryPath)!) } ?? true),
            checklist: checklist, canReport: me.can(.reportCases))
    }

    func pointForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "points/show", title: "登记点位", data: try await formView(me, id: nil, nil))
    }

    func point(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await formView(me, id: try web.id(ctx), nil)
        return try web.render(ctx, req, "points/show", title: "点位 \(v.name)", data: v)
    }

    func savePoint(_ req: Request, _ ctx: AppContext, id: Int64?) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            let (lat, lng) = try web.coordinates(f)
            var territoryCode = ""
            if let tid = f.int64("territory"), let o = try await s.db.read({ try await OrgService.fetch($0, id: tid) }) { territoryCode = o.code }
            var code = f.trimmed("code")
            if let id { code = try await s.points.get(id, actor: me).p.code }
            let d = PointDraft(code: code, name: f["name"], category: f.trimmed("category"), address: f.trimmed("address"), latitude: lat, longitude: lng,
                               territory: territoryCode, adopter: f.trimmed("adopter"), declared: f["declared"] == "1", active: f["active"] == "1")
            let saved = try await s.points.save(d, existingID: id, actor: me)
            return web.redirect("/points/\(saved)", flash: id == nil ? "已登记点位 \(d.code)" : "已保存")
        } catch let e as AppError {
            return try web.retry(ctx, req, "points/show", title: "点位", data: try await formView(me, id: id, f), error: e)
        }
    }

    static let palette = ["#1565c0", "#c62828", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e", "#ad1457", "#558b2f", "#283593", "#00695c"]

    struct PointMapView: Sendable { var dots: [CasePages.DotVM]; var count: Int; var legend: [CasePages.LegendVM]; var byResult: Bool; var bounds: String; var missing: Int? }

    func pointMap(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let q = web.query(req)
        let byResult = q["color"] == "result"
        var f = PointService.Filter(); f.categoryID = q.int64("category")
        let items = try await s.points.list(f, actor: me, limit: 20000).items
        let cats = try await s.points.categories()
        let colorOf = Dictionary(uniqueKeysWithValues: cats.enumerated().map { ($0.element.id, Self.palette[$0.offset % Self.palette.count]) })
        let scores = byResult ? try await s.points.latestScores(actor: me) : [:]
        func resultColor(_ h: Int?) -> String { guard let h else { return "#9e9e9e" }; return h >= 9000 ? "#2e7d32" : h >= 7500 ? "#f9a825" : "#c62828" }
        let located = items.filter { $0.p.latitude != nil }
        let proj = MapProjection(located.map { ($0.p.longitude!, $0.p.latitude!) }, width: 900, height: 600)
        let dots = located.map { i -> CasePages.DotVM in
            let (x, y) = proj.point(i.p.longitude!, i.p.latitude!)
            return CasePages.DotVM(x: String(format: "%.1f", x), y: String(format: "%.1f", y),
                                   color: byResult ? resultColor(scores[i.p.id]) : colorOf[i.p.categoryId] ?? "#555",
                                   title: "\(i.p.name)（\(i.categoryName)）" + (byResult ? " 最近得分 \(Self.pct(scores[i.p.id]))" : ""), id: i.p.id)
        }
        let present = Set(located.map(\.p.categoryId))
        let legend: [CasePages.LegendVM] = byResult
            ? [("#2e7d32", "90 分及以上"), ("#f9a825", "75–90 分"), ("#c62828", "低于 75 分"), ("#9e9e9e", "尚未检查")].map { CasePages.LegendVM(color: $0.0, label: $0.1) }
            : cats.filter { present.contains($0.id) }.map { CasePages.LegendVM(color: colorOf[$0.id]!, label: $0.name) }
        return try web.render(ctx, req, "points/map", title: "点位分布图",
                              data: PointMapView(dots: dots, count: dots.count, legend: legend, byResult: byResult, bounds: proj.description, missing: items.count > located.count ? items.count - located.count : nil))
    }

    // MARK: - Draws

    struct DrawVM: Sendable { var id: Int64; var name: String; var status: String; var done: Bool; var scheduled: Bool; var at: String; var size: Int; var picks: Int?; var commitment: String; var by: String }
    struct QuotaVM: Sendable { var code: String; var name: String; var value: String; var view: Bool; var viewValue: String }
    struct DrawsView: Sendable { var draws: [DrawVM]; var canRun: Bool; var quotas: [QuotaVM]; var scopes: [Option]; var name: String; var at: String; var perDistrict: Bool }

    static func statusLabel(_ s: String) -> String { s == "done" ? "已抽签" : s == "cancelled" ? "已取消" : "待抽签" }

    func drawVM(_ d: DrawRow) -> DrawVM {
        DrawVM(id: d.id, name: d.name, status: Self.statusLabel(d.status), done: d.isDone, scheduled: d.status == "scheduled", at: Fmt.dateTime(d.scheduledAt),
               size: d.listSize, picks: d.pickCount, commitment: d.commitment, by: d.createdByName)
    }

    func drawsView(_ me: Identity, _ f: FormValues?) async throws -> DrawsView {
        let cats = try await s.points.categories()
        let quotas = cats.map { c in
            QuotaVM(code: c.code, name: c.name, value: f?["q_\(c.code)"] ?? "", view: DrawAlgorithm.randomViewingCategories.contains(c.name),
                    viewValue: f?["v_\(c.code)"] ?? "")
        }
        let next = Date(epoch: (s.clock.now().epoch / 3600 + 1) * 3600)
        let c = Fmt.calendar.dateComponents([.year, .month, .day, .hour, .minute], from: next)
        let defaultAt = String(format: "%04d-%02d-%02dT%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        return DrawsView(draws: try await s.draws.list(actor: me).map(drawVM), canRun: me.can(.runDraws), quotas: quotas,
                         scopes: try await scopeOptions(me, chosen: f?.int64("scope")),
                         name: f?["name"] ?? "", at: f?["at"] ?? defaultAt, perDistrict: f?["perDistrict"] == "1")
    }

    func draws(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "draws/list", title: "电脑抽签", data: try await drawsView(me, nil))
    }

    /// `2026-11-22T15:00` (datetime-local) in the platform's zone.
    static func localDateTime(_ s: String) -> Date? {
        let parts = s.split(separator: "T")
        guard parts.count == 2, let day = Fmt.day(String(parts[0])) else { return nil }
        let hm = parts[1].split(separator: ":").compactMap { Int($0) }
        guard hm.count >= 2, (0..<24).contains(hm[0]), (0..<60).contains(hm[1]) else { return nil }
        return day.addingTimeInterval(Double(hm[0] * 3600 + hm[1] * 60))
    }

    func createDraw(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            let cats = try await s.points.categories()
            var strata: [DrawAlgorithm.Quota] = [], views: [DrawAlgorithm.Quota] = []
            var bad: [String: String] = [:]
            let perDistrict = f["perDistrict"] == "1"
            let scopeID = f.int64("scope") ?? me.orgID
            var districts: [String] = []
            if perDistrict {
                districts = try await s.db.read { db in
                    guard let scope = try await OrgService.fetch(db, id: scopeID) else { return [] }
                    return try await db.raw("""
                        SELECT DISTINCT d.code FROM points p JOIN orgs d ON d.id = p.district_id
                        WHERE p.territory_path >= \(bind: scope.path) AND p.territory_path < \(bind: scope.path + "~") ORDER BY d.code
                        """).all().map { try $0.decode(column: "code", as: String.self) }
                }
            }
            for c in cats {
                for (key, isView) in [("q_\(c.code)", false), ("v_\(c.code)", true)] {
                    let raw = f.trimmed(key)
                    if raw.isEmpty { continue }
                    guard let n = Int(raw), n >= 0, n <= 10000 else { bad["quota"] = "“\(c.name)”的抽取数量须为 0–10000 的整数"; continue }
                    if n == 0 { continue }
                    if isView { views.append(.init(category: c.code, count: n)) }
                    else if perDistrict { strata += districts.map { .init(category: c.code, district: $0, count: n) } }
                    else { strata.append(.init(category: c.code, count: n)) }
                }
            }
            if !bad.isEmpty { throw AppError.validation(bad) }
            let atRaw = f.trimmed("at")
            var at: Date?
            if !atRaw.isEmpty {
                guard let d = Self.localDateTime(atRaw) else { throw AppError.validation(["at": "抽签时间格式不正确"]) }
                at = d
            }
            let d = try await s.draws.create(.init(name: f["name"], scopeID: scopeID, spec: .init(strata: strata, randomViewing: views), at: at), actor: me)
            return web.redirect("/draws/\(d.id)", flash: d.isDone ? "已抽签，抽中 \(d.pickCount ?? 0) 个点位" : "清单已冻结，将于 \(Fmt.dateTime(d.scheduledAt)) 自动抽签")
        } catch let e as AppError {
            return try web.retry(ctx, req, "draws/list", title: "电脑抽签", data: try await drawsView(me, f), error: e)
        }
    }

    struct PickVM: Sendable { var ord: Int; var kind: String; var category: String; var district: String; var code: String; var name: String; var pointID: Int64 }
    struct SpecVM: Sendable { var line: String }
    struct DrawView: Sendable {
        var d: DrawVM; var algorithm: String; var digest: String; var seed: String?; var ran: String?; var resultDigest: String?
        var picks: [PickVM]; var spec: [SpecVM]; var canRun: Bool; var due: Bool; var verify: VerifyVM?; var scope: String
    }
    struct VerifyVM: Sendable { var ok: Bool; var list: Bool; var commitment: Bool; var sample: Bool }

    func drawView(_ id: Int64, _ me: Identity, verify: Bool) async throws -> DrawView {
        let d = try await s.draws.get(id, actor: me)
        let picks = d.isDone ? try await s.draws.picks(id, actor: me) : []
        let cats = Dictionary(uniqueKeysWithValues: try await s.points.categories().map { ($0.code, $0.name) })
        let spec = (DrawAlgorithm.Spec(canonical: d.spec)).map { sp in
            sp.strata.map { SpecVM(line: "分层抽取 \(cats[$0.category] ?? $0.category)\($0.district == DrawAlgorithm.anyDistrict ? "（全范围）" : "（\($0.district)）") \($0.count) 个") }
                + sp.randomViewing.map { SpecVM(line: "随机查看 \(cats[$0.category] ?? $0.category) \($0.count) 个") }
        } ?? []
        var v: VerifyVM?
        if verify, let r = try await s.draws.verify(id, actor: me) {
            v = VerifyVM(ok: r.ok, list: r.listDigestMatches, commitment: r.commitmentMatches, sample: r.sampleMatches)
        }
        let scope = try await s.db.read { try await OrgService.fetch($0, id: d.scopeId) }?.name ?? ""
        return DrawView(d: drawVM(d), algorithm: d.algorithm, digest: d.listDigest, seed: d.revealedSeed, ran: d.ranAt.map { Fmt.dateTime($0) },
                        resultDigest: d.resultDigest,
                        picks: picks.map { PickVM(ord: $0.ord + 1, kind: $0.kind == "view" ? "随机查看" : "分层抽取", category: $0.categoryName, district: $0.districtName, code: $0.code, name: $0.pointName, pointID: $0.pointID) },
                        spec: spec, canRun: me.can(.runDraws) && d.status == "scheduled" && me.inScope(OrgPath(d.scopePath)!), due: d.scheduledAt <= s.clock.now().epoch, verify: v, scope: scope)
    }

    func draw(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await drawView(try web.id(ctx), me, verify: web.query(req)["verify"] == "1")
        return try web.render(ctx, req, "draws/show", title: "抽签 \(v.d.name)", data: v)
    }

    func runDraw(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        do {
            let d = try await s.draws.run(id, actor: me)
            return web.redirect("/draws/\(id)", flash: "已抽签，抽中 \(d.pickCount ?? 0) 个点位")
        } catch let e as AppError {
            return try web.retry(ctx, req, "draws/show", title: "抽签", data: try await drawView(id, me, verify: false), error: e)
        }
    }

    func cancelDraw(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        do {
            try await s.draws.cancel(id, actor: me)
            return web.redirect("/draws/\(id)", flash: "已取消该抽签")
        } catch let e as AppError {
            return try web.retry(ctx, req, "draws/show", title: "抽签", data: try await drawView(id, me, verify: false), error: e)
        }
    }

    static func text(_ body: String, name: String) -> Response {
        var h = HTTPFields()
        h[.contentType] = "text/plain; charset=utf-8"
        h[.contentDisposition] = "attachment; filename=\"\(name)\""
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The frozen list as the algorithm reads it: `code TAB category TAB district` per line, canonical order.
    func drawList(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let list = try await s.draws.frozenList(id, actor: me)
        return Self.text(String(decoding: DrawAlgorithm.canonicalBytes(list), as: UTF8.self), name: "draw-\(id)-list.tsv")
    }

    func drawSpec(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        return Self.text(try await s.draws.get(id, actor: me).spec, name: "draw-\(id)-spec.txt")
    }

    // MARK: - Rounds

    struct RoundVM: Sendable { var id: Int64; var name: String; var kind: String; var dates: String; var open: Bool; var status: String }
    struct RoundsView: Sendable {
        var rounds: [RoundVM]; var canManage: Bool; var kinds: [Option]; var draws: [Option]; var scopes: [Option]
        var name: String; var start: String; var end: String; var members: String; var points: String; var notes: String
    }

    func roundVM(_ r: RoundRow) -> RoundVM {
        RoundVM(id: r.id, name: r.name, kind: r.roundKind.label, dates: r.startDate == r.endDate ? r.startDate : "\(r.startDate) 至 \(r.endDate)", open: r.isOpen, status: r.isOpen ? "进行中" : "已结束")
    }

    func roundsView(_ me: Identity, _ f: FormValues?) async throws -> RoundsView {
        let today = Fmt.date(s.clock.now().epoch)
        let draws = me.can(.manageRounds) ? try await s.draws.list(actor: me).filter { $0.status != "cancelled" } : []
        return RoundsView(
            rounds: try await s.rounds.list(actor: me).map(roundVM), canManage: me.can(.manageRounds),
            kinds: RoundKind.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (f?["kind"] ?? "mock")) },
            draws: draws.map { Option(value: String($0.id), label: "\($0.name)（\(Self.statusLabel($0.status))，\(Fmt.dateTime($0.scheduledAt))）", selected: String($0.id) == f?["draw"]) },
            scopes: me.can(.manageRounds) ? try await scopeOptions(me, chosen: f?.int64("scope")) : [],
            name: f?["name"] ?? "", start: f?["start"] ?? String(today), end: f?["end"] ?? String(today), members: f?["members"] ?? "",
            points: f?["points"] ?? "", notes: f?["notes"] ?? "")
    }

    func rounds(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "rounds/list", title: "实地检查", data: try await roundsView(me, nil))
    }

    static func list(_ s: String) -> [String] {
        s.split(whereSeparator: { " ,，、;；\n\r\t".contains($0) }).map(String.init)
    }

    func createRound(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            let id = try await s.rounds.create(.init(name: f["name"], kind: RoundKind(rawValue: f["kind"]), scopeID: f.int64("scope"), startDate: f.trimmed("start"),
                                                     endDate: f.trimmed("end"), members: Self.list(f["members"]), drawID: f.int64("draw"),
                                                     pointCodes: Self.list(f["points"]), notes: f["notes"]), actor: me)
            return web.redirect("/rounds/\(id)", flash: "已创建检查")
        } catch let e as AppError {
            return try web.retry(ctx, req, "rounds/list", title: "实地检查", data: try await roundsView(me, f), error: e)
        }
    }

    struct RoundPointVM: Sendable { var id: Int64; var code: String; var name: String; var category: String; var territory: String; var adopter: String?; var visited: Bool; var score: String; var via: String; var inspector: String? }
    struct AspectVM: Sendable { var key: String; var label: String; var value: String }
    struct RoundView: Sendable {
        var r: RoundVM; var scope: String; var members: String; var points: [RoundPointVM]; var visited: Int; var total: Int
        var canRecord: Bool; var isMember: Bool; var canManage: Bool; var aspects: [AspectVM]; var drawID: Int64?; var drawPending: Bool; var notes: String?
    }

    func roundView(_ id: Int64, _ me: Identity, _ f: FormValues? = nil) async throws -> RoundView {
        let r = try await s.rounds.get(id, actor: me)
        let members = try await s.rounds.members(id, actor: me)
        let pts = try await s.rounds.roundPoints(id, actor: me)
        let isMember = members.contains { $0.id == me.userID }
        let mine = try await s.db.read { db in
            try await db.raw("SELECT aspect, score FROM impressions WHERE round_id = \(bind: id) AND user_id = \(bind: me.userID)").all().map {
                (try $0.decode(column: "aspect", as: String.self), try $0.decode(column: "score", as: Int.self))
            }
        }
        var drawPending = false
        if let did = r.drawId { drawPending = (try? await s.draws.get(did, actor: me))?.status == "scheduled" }
        let scope = try await s.db.read { try await OrgService.fetch($0, id: r.scopeId) }?.name ?? ""
        return RoundView(
            r: roundVM(r), scope: scope, members: members.map { "\($0.name)（\($0.username)）" }.joined(separator: "、"),
            points: pts.map { p in
                RoundPointVM(id: p.point.p.id, code: p.point.p.code, name: p.point.p.name, category: p.point.categoryName, territory: p.point.territoryName,
                             adopter: p.point.adopterName, visited: p.visited,
                             score: p.visited ? Self.pct(RoundScoring.score(full: Score(hundredths: p.full), lost: Score(hundredths: p.lost))) : "",
                             via: p.via == "draw" ? "抽签" : "指定", inspector: p.inspector)
            },
            visited: pts.filter(\.visited).count, total: pts.count,
            canRecord: r.isOpen && ((me.can(.inspect) && isMember) || (me.can(.manageRounds) && me.inScope(OrgPath(r.scopePath)!))),
            isMember: isMember && me.can(.inspect) && r.isOpen, canManage: me.can(.manageRounds) && me.inScope(OrgPath(r.scopePath)!) && r.isOpen,
            aspects: ImpressionAspect.allCases.map { a in AspectVM(key: a.rawValue, label: a.label, value: f?[a.rawValue] ?? mine.first { $0.0 == a.rawValue }.map { String($0.1) } ?? "") },
            drawID: r.drawId, drawPending: drawPending, notes: r.notes.isEmpty ? nil : r.notes)
    }

    func round(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await roundView(try web.id(ctx), me)
        return try web.render(ctx, req, "rounds/show", title: v.r.name, data: v)
    }

    func closeRound(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        do {
            try await s.rounds.close(id, actor: me)
            return web.redirect("/rounds/\(id)/report", flash: "检查已结束")
        } catch let e as AppError {
            return try web.retry(ctx, req, "rounds/show", title: "实地检查", data: try await roundView(id, me), error: e)
        }
    }

    func impression(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let id = try web.id(ctx)
        let f = ctx.form
        do {
            var scores: [ImpressionAspect: String] = [:]
            for a in ImpressionAspect.allCases { scores[a] = f[a.rawValue] }
            try await s.rounds.saveImpression(round: id, scores: scores, actor: me)
            return web.redirect("/rounds/\(id)", flash: "已保存整体评价")
        } catch let e as AppError {
            return try web.retry(ctx, req, "rounds/show", title: "实地检查", data: try await roundView(id, me, f), error: e)
        }
    }

    // MARK: - Visit (phone)

    struct ItemVM: Sendable { var id: Int64; var code: String; var title: String; var body: String; var score: String; var verdict: String; var deduction: String; var note: String; var types: [Option]; var pass: Bool; var fail: Bool; var deduct: Bool; var itemError: String? }
    struct DoneItemVM: Sendable { var code: String; var title: String; var verdict: String; var lost: String; var note: String; var caseID: Int64?; var caseNumber: String?; var bad: Bool }
    struct VisitView: Sendable {
        var roundID: Int64; var roundName: String; var point: PointVM; var items: [ItemVM]; var done: [DoneItemVM]; var visited: Bool; var score: String?
        var checkRecords: Bool; var recordsOK: Bool; var recordsBad: Bool; var notes: String; var lat: String; var lng: String; var maxPhotos: Int; var maxMB: Int
        var canRecord: Bool; var empty: Bool
    }

    func visitView(_ roundID: Int64, _ pointID: Int64, _ me: Identity, _ f: FormValues? = nil, errors: [String: String] = [:]) async throws -> VisitView {
        let r = try await s.rounds.get(roundID, actor: me)
        let pts = try await s.rounds.roundPoints(roundID, actor: me)
        guard let rp = pts.first(where: { $0.point.p.id == pointID }) else { throw AppError.notFound }
        let checklist = try await s.points.checklist(categoryName: rp.point.categoryName)
        let types = try await s.cases.types()
        let cat = try await s.points.categories().first { $0.id == rp.point.p.categoryId }
        let done = rp.visited ? try await s.rounds.visitItems(round: roundID, point: pointID, actor: me) : []
        let st = try await s.settings.current()
        // The same test as the service's (RoundService.mayRecord): a team member, or an administrator of the round's territory.
        let member = try await s.rounds.members(roundID, actor: me).contains { $0.id == me.userID }
        let mayRecord = (me.can(.inspect) && member) || (me.can(.manageRounds) && me.inScope(OrgPath(r.scopePath)!))
        let items = checklist.map { c -> ItemVM in
            let v = f?["v_\(c.id)"] ?? ""
            let t = f?["t_\(c.id)"] ?? "QT"
            return ItemVM(id: c.id, code: c.code, title: c.title, body: c.body, score: c.score.description, verdict: v, deduction: f?["d_\(c.id)"] ?? "",
                          note: f?["n_\(c.id)"] ?? "", types: types.map { Option(value: $0.code, label: $0.name, selected: $0.code == t) },
                          pass: v == "pass", fail: v == "fail", deduct: v == "deduct",
                          itemError: [errors["item\(c.id)"], errors["note\(c.id)"], errors["type\(c.id)"]].compactMap { $0 }.joined(separator: "；").nonEmpty)
        }
        let verdictLabel = ["pass": "合格", "fail": "不合格", "deduct": "扣分"]
        return VisitView(
            roundID: roundID, roundName: r.name, point: vm(rp.point), items: items,
            done: done.map { DoneItemVM(code: $0.code, title: $0.title, verdict: verdictLabel[$0.verdict] ?? $0.verdict, lost: Score(hundredths: $0.lost).description,
                                        note: $0.note, caseID: $0.caseID, caseNumber: $0.caseNumber, bad: $0.verdict != "pass") },
            visited: rp.visited,
            score: rp.visited ? Self.pct(RoundScoring.score(full: Score(hundredths: rp.full), lost: Score(hundredths: rp.lost))) : nil,
            checkRecords: cat?.checkRecords ?? false, recordsOK: f?["records"] == "ok", recordsBad: f?["records"] == "bad", notes: f?["notes"] ?? "",
            lat: f?["lat"] ?? "", lng: f?["lng"] ?? "", maxPhotos: st.casePhotosMax, maxMB: st.uploadMaxMB,
            canRecord: r.isOpen && !rp.visited && mayRecord, empty: checklist.isEmpty)
    }

    func visitPage(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await visitView(try web.id(ctx), try web.id(ctx, "pid"), me)
        return try web.render(ctx, req, "rounds/visit", title: "检查 \(v.point.name)", data: v)
    }

    func recordVisit(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let rid = try web.id(ctx), pid = try web.id(ctx, "pid")
        let f = ctx.form
        do {
            let (lat, lng) = try web.coordinates(f)
            var verdicts: [RoundService.Verdict] = []
            for k in f.values.keys.sorted() where k.hasPrefix("v_") {
                guard let sid = Int64(k.dropFirst(2)) else { continue }
                verdicts.append(.init(standardID: sid, code: f[k], deduction: f["d_\(sid)"], note: f["n_\(sid)"], caseType: f["t_\(sid)"]))
            }
            let records: Bool? = f["records"] == "ok" ? true : f["records"] == "bad" ? false : nil
            let r = try await s.rounds.recordVisit(round: rid, point: pid, .init(verdicts: verdicts, notes: f["notes"], latitude: lat, longitude: lng,
                                                                                 recordsOK: records, photos: CasePages.photos(ctx)), actor: me)
            return web.redirect("/rounds/\(rid)/points/\(pid)", flash: r.cases.isEmpty ? "已保存，全部合格" : "已保存，生成整改案卷 \(r.cases.count) 件")
        } catch let e as AppError {
            var errs: [String: String] = [:]
            if case .validation(let m) = e { errs = m }
            switch e {
            case .validation, .badRequest, .conflict, .payloadTooLarge:
                return try web.render(ctx, req, "rounds/visit", title: "检查", data: try await visitView(rid, pid, me, f, errors: errs), error: e.message, status: e.status)
            default: throw e
            }
        }
    }

    // MARK: - Report

    struct GroupVM: Sendable { var key: String; var score: String; var points: Int; var change: String }
    struct LostVM: Sendable { var key: String; var lost: String; var items: Int }
    struct ImpressionVM: Sendable { var label: String; var mean: String; var count: Int }
    struct ReportView: Sendable {
        var r: RoundVM; var overall: String; var previous: String?; var previousID: Int64?; var change: String?; var visited: Int; var planned: Int; var cases: Int
        var byCategory: [GroupVM]; var byStreet: [GroupVM]; var byDistrict: [GroupVM]; var byStandard: [LostVM]; var byUnit: [LostVM]; var impressions: [ImpressionVM]
        var points: [RoundPointVM]; var printedAt: String
    }

    func reportView(_ id: Int64, _ me: Identity) async throws -> ReportView {
        let res = try await s.rounds.results(id, actor: me)
        let rv = try await roundView(id, me)
        func g(_ l: [(key: String, score: Int, points: Int)], prev: [String: Int] = [:]) -> [GroupVM] {
            l.map { GroupVM(key: $0.key, score: Self.pct($0.score), points: $0.points, change: Self.delta(RoundScoring.change($0.score, since: prev[$0.key]))) }
        }
        return ReportView(
            r: roundVM(res.round), overall: Self.pct(res.overall), previous: res.previous?.name, previousID: res.previous?.id,
            change: Self.delta(RoundScoring.change(res.overall, since: res.previousOverall)).nonEmpty, visited: res.visited, planned: res.planned, cases: res.cases,
            byCategory: g(res.byCategory), byStreet: g(res.byStreet), byDistrict: g(res.byDistrict, prev: res.previousByDistrict),
            byStandard: res.byStandard.map { LostVM(key: $0.key, lost: $0.lost.description, items: $0.items) },
            byUnit: res.byUnit.map { LostVM(key: $0.key, lost: $0.lost.description, items: $0.items) },
            impressions: res.impressions.map { ImpressionVM(label: $0.aspect.label, mean: Self.pct($0.mean), count: $0.count) },
            points: rv.points.filter(\.visited), printedAt: Fmt.dateTime(s.clock.now().epoch))
    }

    func report(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await reportView(try web.id(ctx), me)
        return try web.render(ctx, req, "rounds/report", title: "\(v.r.name) 检查结果", data: v)
    }

    func reportXLSX(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let v = try await reportView(try web.id(ctx), me)
        let sheets: [(name: String, rows: [[String]])] = [
            ("概况", [["检查", v.r.name], ["类型", v.r.kind], ["日期", v.r.dates], ["总体得分", v.overall], ["上一轮", v.previous ?? "无"], ["变化", v.change ?? ""],
                     ["已检查点位", String(v.visited)], ["计划点位", String(v.planned)], ["生成案卷", String(v.cases)]]
                + v.impressions.map { ["整体评价·\($0.label)", $0.mean] }),
            ("点位得分", [["编码", "点位", "类型", "区域", "包保单位", "得分", "检查人"]] + v.points.map { [$0.code, $0.name, $0.category, $0.territory, $0.adopter ?? "", $0.score, $0.inspector ?? ""] }),
            ("分类得分", [["点位类型", "得分", "点位数"]] + v.byCategory.map { [$0.key, $0.score, String($0.points)] }),
            ("街道得分", [["街道", "得分", "点位数"]] + v.byStreet.map { [$0.key, $0.score, String($0.points)] }),
            ("区县得分", [["区县", "得分", "点位数", "较上一轮"]] + v.byDistrict.map { [$0.key, $0.score, String($0.points), $0.change] }),
            ("按标准失分", [["测评标准", "失分", "问题数"]] + v.byStandard.map { [$0.key, $0.lost, String($0.items)] }),
            ("按单位失分", [["责任单位", "失分", "问题数"]] + v.byUnit.map { [$0.key, $0.lost, String($0.items)] }),
        ]
        let data = try XLSX.write(sheets: sheets)
        var h = HTTPFields()
        h[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        h[.contentDisposition] = "attachment; filename=\"report.xlsx\"; filename*=UTF-8''\(FormEncoding.escape(v.r.name + "检查结果.xlsx"))"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
