import Foundation
import Hummingbird
import WenmingCore

/// Pages for campaigns, index systems, point categories and the negative list.
struct EvaluationPages: Sendable {
    let s: Services
    let web: WebRoutes

    func register(on r: Router<AppContext>) {
        r.get("/campaigns") { req, ctx in try await campaigns(req, ctx) }
        r.get("/campaigns/new") { req, ctx in try await campaignForm(req, ctx, id: nil) }
        r.post("/campaigns") { req, ctx in try await saveCampaign(req, ctx, id: nil) }
        r.get("/campaigns/:id") { req, ctx in try await campaignForm(req, ctx, id: try web.id(ctx)) }
        r.post("/campaigns/:id") { req, ctx in try await saveCampaign(req, ctx, id: try web.id(ctx)) }
        r.get("/index") { req, ctx in try await systems(req, ctx) }
        r.post("/index/import") { req, ctx in try await importSystem(req, ctx) }
        r.get("/index/:id") { req, ctx in try await tree(req, ctx) }
        r.get("/index/:id/export.csv") { req, ctx in try await export(req, ctx, xlsx: false) }
        r.get("/index/:id/export.xlsx") { req, ctx in try await export(req, ctx, xlsx: true) }
        r.get("/index/nodes/:id") { req, ctx in try await nodeForm(req, ctx) }
        r.post("/index/nodes/:id") { req, ctx in try await saveNode(req, ctx) }
        r.get("/categories") { req, ctx in try await categories(req, ctx) }
        r.post("/categories") { req, ctx in try await addCategory(req, ctx) }
        r.get("/negative") { req, ctx in try await negative(req, ctx) }
        r.post("/negative/import") { req, ctx in try await importNegative(req, ctx) }
        r.get("/negative/export.xlsx") { req, ctx in try await exportNegative(req, ctx) }
        r.post("/negative/incidents") { req, ctx in try await recordIncident(req, ctx) }
        r.post("/negative/incidents/:id/withdraw") { req, ctx in try await withdrawIncident(req, ctx) }
    }

    // MARK: campaigns

    struct CampaignVM: Sendable { var id: Int64; var name: String; var start: String; var end: String; var phase: String? }
    struct CampaignsView: Sendable { var rows: [CampaignVM]; var canManage: Bool }

    func campaigns(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let today = TaskHealth.day(s.clock.now(), Fmt.zone)
        var rows: [CampaignVM] = []
        for c in try await s.negative.campaigns(actor: me) {
            let (_, phases, _) = try await s.negative.campaign(c.id, actor: me)
            rows.append(CampaignVM(id: c.id, name: c.name, start: c.startDate, end: c.endDate, phase: CampaignRules.phase(on: today, phases)?.label))
        }
        return try web.render(ctx, req, "evaluation/campaigns", title: "创建周期", data: CampaignsView(rows: rows, canManage: me.can(.manageIndex) && me.orgPath.ids.count == 1))
    }

    struct PhaseVM: Sendable { var key: String; var label: String; var start: String; var end: String }
    struct SystemOption: Sendable { var id: Int64; var label: String; var checked: Bool }
    struct CampaignForm: Sendable { var id: Int64?; var name: String; var start: String; var end: String; var notes: String; var phases: [PhaseVM]; var systems: [SystemOption]; var canManage: Bool }

    func campaignForm(_ req: Request, _ ctx: AppContext, id: Int64?, overriding f: FormValues? = nil) async throws -> CampaignForm {
        let me = try ctx.requireIdentity()
        let systems = try await s.index.systems(actor: me)
        var form = CampaignForm(id: id, name: "", start: "", end: "", notes: "", phases: CampaignPhase.allCases.map { PhaseVM(key: $0.rawValue, label: $0.label, start: "", end: "") },
                                systems: systems.map { SystemOption(id: $0.id, label: "\($0.name)（\($0.edition)）", checked: false) }, canManage: me.can(.manageIndex) && me.orgPath.ids.count == 1)
        if let id {
            let (c, phases, chosen) = try await s.negative.campaign(id, actor: me)
            form.name = c.name; form.start = c.startDate; form.end = c.endDate; form.notes = c.notes
            form.phases = phases.map { PhaseVM(key: $0.phase.rawValue, label: $0.phase.label, start: $0.start, end: $0.end) }
            form.systems = form.systems.map { var o = $0; o.checked = chosen.contains(o.id); return o }
        }
        if let f {
            form.name = f.trimmed("name"); form.start = f.trimmed("start"); form.end = f.trimmed("end"); form.notes = f.trimmed("notes")
            form.phases = form.phases.map { PhaseVM(key: $0.key, label: $0.label, start: f.trimmed("start_" + $0.key), end: f.trimmed("end_" + $0.key)) }
            let chosen = Set(f.all("system").compactMap { Int64($0) })
            form.systems = form.systems.map { var o = $0; o.checked = chosen.contains(o.id); return o }
        }
        return form
    }

    func campaignForm(_ req: Request, _ ctx: AppContext, id: Int64?) async throws -> Response {
        let data = try await campaignForm(req, ctx, id: id, overriding: nil)
        return try web.render(ctx, req, "evaluation/campaign", title: id == nil ? "新建创建周期" : data.name, data: data)
    }

    func saveCampaign(_ req: Request, _ ctx: AppContext, id: Int64?) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        let phases = CampaignPhase.allCases.map { PhaseDates(phase: $0, start: f.trimmed("start_" + $0.rawValue), end: f.trimmed("end_" + $0.rawValue)) }
        do {
            let cid = try await s.negative.saveCampaign(id: id, name: f.trimmed("name"), start: f.trimmed("start"), end: f.trimmed("end"), notes: f.trimmed("notes"),
                                                        phases: phases, systems: f.all("system").compactMap { Int64($0) }, actor: me)
            return web.redirect("/campaigns/\(cid)", flash: "已保存")
        } catch let e as AppError {
            let data = try await campaignForm(req, ctx, id: id, overriding: f)
            return try web.retry(ctx, req, "evaluation/campaign", title: "创建周期", data: data, error: e)
        }
    }

    // MARK: index systems

    struct SystemVM: Sendable { var id: Int64; var code: String; var name: String; var edition: String; var total: String; var prerequisite: String?; var sample: Bool; var predecessor: String?; var retired: Bool = false }
    struct SystemsView: Sendable { var rows: [SystemVM]; var canManage: Bool; var predecessors: [Option]; var columns: [String]; var methods: String; var result: ImportResultVM? }
    struct ImportResultVM: Sendable { var systemID: Int64; var nodes: Int; var assignments: Int; var carried: Int; var unassigned: [String]; var dropped: [String] }

    /// "须达到 85 分，占总分 20%" for a prerequisite system; nil otherwise.
    static func prerequisiteText(_ s: IndexSystemRow) -> String? {
        guard let t = s.prerequisiteThreshold else { return nil }
        return "前置条件：须达到 \(Score(hundredths: t)) 分" + (s.weightPercent.map { "，占总分 \($0)%" } ?? "")
    }

    func systemsView(_ me: Identity, result: ImportResultVM? = nil) async throws -> SystemsView {
        let systems = try await s.index.systems(actor: me)
        let names = Dictionary(uniqueKeysWithValues: systems.map { ($0.id, "\($0.name)（\($0.edition)）") })
        return SystemsView(
            rows: systems.map { SystemVM(id: $0.id, code: $0.code, name: $0.name, edition: $0.edition,
                                         total: $0.totalScore.map { Score(hundredths: $0).description } ?? "—",
                                         prerequisite: Self.prerequisiteText($0), sample: $0.isSample != 0, predecessor: $0.predecessorId.flatMap { names[$0] },
                                         retired: $0.active == 0) },
            canManage: me.can(.manageIndex) && me.orgPath.ids.count == 1,
            predecessors: [Option(value: "", label: "（无，全新体系）", selected: true)] + systems.map { Option(value: String($0.id), label: names[$0.id]!, selected: false) },
            columns: IndexImport.columns.map { $0.header + ($0.required ? "（必填）" : "") },
            methods: CollectionMethod.allCases.map(\.label).joined(separator: "、"), result: result)
    }

    func systems(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "evaluation/systems", title: "测评体系", data: try await systemsView(me))
    }

    func importSystem(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            let table = try await web.uploadedTable(ctx)
            var input = IndexService.SystemInput(code: f.trimmed("code"), name: f.trimmed("name"), edition: f.trimmed("edition"))
            input.totalScore = f.trimmed("total"); input.threshold = f.trimmed("threshold"); input.weightPercent = f.trimmed("weight")
            input.predecessorID = f.int64("predecessor")
            input.isSample = f["sample"] == "1"
            let r = try await s.index.importSystem(input, table: table, actor: me, maxRows: try await s.settings.current().importMaxRows)
            let vm = ImportResultVM(systemID: r.systemID, nodes: r.nodes, assignments: r.assignments, carried: r.carried, unassigned: r.unassignedNew, dropped: r.droppedOld)
            return try web.render(ctx, req, "evaluation/systems", title: "测评体系", data: try await systemsView(me, result: vm))
        } catch let e as AppError {
            return try web.retry(ctx, req, "evaluation/systems", title: "测评体系", data: try await systemsView(me), error: e)
        }
    }

    struct TreeRow: Sendable { var id: Int64; var code: String; var title: String; var body: String; var levelLabel: String; var level: Int; var score: String; var methods: String; var categories: String; var nature: String; var mismatch: String?; var isStandard: Bool }
    struct TreeView: Sendable { var system: SystemVM; var rows: [TreeRow]; var totals: [TotalVM]; var methodCounts: [TotalVM]; var mismatches: [String]; var ok: Bool; var canManage: Bool }
    struct TotalVM: Sendable { var label: String; var count: Int; var score: String }

    func tree(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let sys = try await s.index.system(try web.id(ctx), actor: me)
        let nodes = try await s.index.nodes(system: sys.id, actor: me)
        let core = IndexService.coreNodes(nodes)
        let mism = IndexTree.mismatches(core, declaredTotal: sys.totalScore.map { Score(hundredths: $0) })
        let byCode = Dictionary(mism.compactMap { m in m.code.map { ($0, m.description) } }, uniquingKeysWith: { a, _ in a })
        // Depth-first order: each node followed by its children.
        var children: [Int64?: [IndexNodeRow]] = [:]
        for n in nodes { children[n.parentId, default: []].append(n) }
        var ordered: [IndexNodeRow] = []
        func walk(_ p: Int64?) { for c in children[p] ?? [] { ordered.append(c); walk(c.id) } }
        walk(nil)
        let rows = ordered.map { n in
            TreeRow(id: n.id, code: n.code, title: n.title, body: n.body, levelLabel: n.indexLevel.label, level: n.level, score: n.scoreValue.description,
                    methods: n.methodList.map(\.label).joined(separator: "、"), categories: n.categories, nature: StandardNature(rawValue: n.nature)?.label ?? "",
                    mismatch: byCode[n.code], isStandard: n.indexLevel == .standard)
        }
        let vm = SystemVM(id: sys.id, code: sys.code, name: sys.name, edition: sys.edition, total: sys.totalScore.map { Score(hundredths: $0).description } ?? "—",
                          prerequisite: Self.prerequisiteText(sys),
                          sample: sys.isSample != 0, predecessor: nil)
        let data = TreeView(system: vm, rows: rows,
                            totals: IndexTree.totals(core).map { TotalVM(label: $0.level.label, count: $0.count, score: $0.score.description) },
                            methodCounts: IndexTree.methodCounts(core).map { TotalVM(label: $0.0.label, count: $0.1, score: "") },
                            mismatches: mism.map(\.description), ok: mism.isEmpty, canManage: me.can(.manageIndex) && me.orgPath.ids.count == 1)
        return try web.render(ctx, req, "evaluation/tree", title: "\(sys.name)（\(sys.edition)）", data: data)
    }

    func export(_ req: Request, _ ctx: AppContext, xlsx: Bool) async throws -> Response {
        let me = try ctx.requireIdentity()
        let sys = try await s.index.system(try web.id(ctx), actor: me)
        return try fileResponse(rows: try await s.index.exportRows(system: sys.id, actor: me), name: "\(sys.name)-\(sys.edition)", xlsx: xlsx, sheet: "测评体系")
    }

    struct NodeForm: Sendable { var id: Int64; var systemID: Int64; var code: String; var levelLabel: String; var title: String; var body: String; var score: String; var isStandard: Bool; var methods: [Option]; var categories: [Option]; var natures: [Option] }

    func nodeForm(_ me: Identity, _ n: IndexNodeRow, f: FormValues? = nil) async throws -> NodeForm {
        let methods = f.map { Set($0.all("method")) } ?? Set(n.methodList.map(\.rawValue))
        let cats = f.map { Set($0.all("category")) } ?? Set(n.categoryList)
        let nature = f?["nature"] ?? n.nature
        return NodeForm(id: n.id, systemID: n.systemId, code: n.code, levelLabel: n.indexLevel.label, title: f?.trimmed("title") ?? n.title,
                        body: f?.trimmed("body") ?? n.body, score: f?.trimmed("score") ?? n.scoreValue.description, isStandard: n.indexLevel == .standard,
                        methods: CollectionMethod.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: methods.contains($0.rawValue)) },
                        categories: try await s.index.categories().map { Option(value: $0.name, label: $0.name, selected: cats.contains($0.name)) },
                        natures: [Option(value: "", label: "（未定）", selected: nature.isEmpty)] + StandardNature.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == nature) })
    }

    func nodeForm(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let n = try await s.index.node(try web.id(ctx), actor: me)
        return try web.render(ctx, req, "evaluation/node", title: "\(n.code) \(n.title)", data: try await nodeForm(me, n))
    }

    func saveNode(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let n = try await s.index.node(try web.id(ctx), actor: me)
        let f = ctx.form
        do {
            try await s.index.updateNode(n.id, title: f.trimmed("title"), text: f.trimmed("body"), score: f.trimmed("score"), methods: f.all("method"),
                                         categories: f.all("category"), nature: f["nature"], actor: me)
            return web.redirect("/index/\(n.systemId)#n\(n.id)", flash: "已保存 \(n.code)")
        } catch let e as AppError {
            return try web.retry(ctx, req, "evaluation/node", title: "\(n.code) \(n.title)", data: try await nodeForm(me, n, f: f), error: e)
        }
    }

    struct CategoryVM: Sendable { var code: String; var name: String; var checkRecords: Bool }
    struct CategoriesView: Sendable { var rows: [CategoryVM]; var canManage: Bool }

    func categoriesView(_ me: Identity) async throws -> CategoriesView {
        try me.require(.viewIndex)
        return CategoriesView(rows: try await s.index.categories().map { CategoryVM(code: $0.code, name: $0.name, checkRecords: $0.checkRecords) },
                              canManage: me.can(.manageIndex) && me.orgPath.ids.count == 1)
    }

    func categories(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "evaluation/categories", title: "点位类型", data: try await categoriesView(me))
    }

    func addCategory(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        do {
            try await s.index.addCategory(code: ctx.form.trimmed("code"), name: ctx.form.trimmed("name"), checkRecords: ctx.form["records"] == "1", actor: me)
            return web.redirect("/categories", flash: "已新增点位类型")
        } catch let e as AppError {
            return try web.retry(ctx, req, "evaluation/categories", title: "点位类型", data: try await categoriesView(me), error: e)
        }
    }

    // MARK: negative list

    struct ItemVM: Sendable { var id: Int64; var areaName: String; var code: String; var title: String; var consequence: String; var veto: Bool; var sample: Bool }
    struct IncidentVM: Sendable { var id: Int64; var org: String; var orgID: Int64; var item: String; var consequence: String; var on: String; var description: String; var evidence: String?; var active: Bool; var withdrawnReason: String }
    struct OutcomeVM: Sendable { var org: String; var orgID: Int64; var summary: String; var vetoed: Bool }
    struct NegativeView: Sendable { var items: [ItemVM]; var incidents: [IncidentVM]; var outcomes: [OutcomeVM]; var canManage: Bool; var canRecord: Bool; var hasSample: Bool; var today: String }

    func negativeView(_ me: Identity) async throws -> NegativeView {
        let items = try await s.negative.items(actor: me)
        let incidents = try await s.negative.incidents(actor: me)
        var byOrg: [Int64: (OrgRow, [NegativeItem])] = [:]
        for i in incidents where i.incident.status == "active" {
            byOrg[i.org.id, default: (i.org, [])].1.append(i.item.item)
        }
        let outcomes = byOrg.values.sorted { $0.0.path < $1.0.path }.map { (org, items) in
            let o = NegativeOutcome.of(items)
            return OutcomeVM(org: org.name, orgID: org.id, summary: o.summary, vetoed: o.vetoed)
        }
        return NegativeView(items: items.map { ItemVM(id: $0.id, areaName: $0.areaName, code: $0.code, title: $0.title, consequence: $0.item.consequence, veto: $0.veto != 0, sample: $0.isSample != 0) },
                            incidents: incidents.map { IncidentVM(id: $0.incident.id, org: $0.org.name, orgID: $0.org.id, item: "\($0.item.code) \($0.item.title)",
                                                                  consequence: $0.item.item.consequence, on: $0.incident.occurredOn, description: $0.incident.description,
                                                                  evidence: $0.incident.evidence.nonEmpty, active: $0.incident.status == "active", withdrawnReason: $0.incident.withdrawnReason) },
                            outcomes: outcomes, canManage: me.can(.manageIndex) && me.orgPath.ids.count == 1, canRecord: me.can(.recordIncidents),
                            hasSample: items.contains { $0.isSample != 0 }, today: TaskHealth.day(s.clock.now(), Fmt.zone))
    }

    func negative(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try web.render(ctx, req, "evaluation/negative", title: "负面清单", data: try await negativeView(me))
    }

    func importNegative(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        do {
            let r = try await s.negative.importItems(try await web.uploadedTable(ctx), isSample: false, actor: me, maxRows: try await s.settings.current().importMaxRows)
            return web.redirect("/negative", flash: "导入成功：新增 \(r.created) 项，更新 \(r.updated) 项")
        } catch let e as AppError {
            return try web.retry(ctx, req, "evaluation/negative", title: "负面清单", data: try await negativeView(me), error: e)
        }
    }

    func exportNegative(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        return try fileResponse(rows: try await s.negative.exportRows(actor: me), name: "负面清单", xlsx: true, sheet: "负面清单")
    }

    func recordIncident(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        let f = ctx.form
        do {
            guard let org = try await s.db.read({ try await OrgService.fetch($0, code: f.trimmed("orgCode")) }) else {
                throw AppError.validation(["orgCode": "组织编码“\(f.trimmed("orgCode"))”不存在"])
            }
            guard let item = f.int64("itemID") else { throw AppError.validation(["itemID": Msg.requiredField("负面清单项目")]) }
            _ = try await s.negative.recordIncident(itemID: item, orgID: org.id, occurredOn: f.trimmed("occurredOn"), description: f.trimmed("description"),
                                                    evidence: f.trimmed("evidence"), actor: me)
            return web.redirect("/negative#incidents", flash: "已记录负面清单事件")
        } catch let e as AppError {
            return try web.retry(ctx, req, "evaluation/negative", title: "负面清单", data: try await negativeView(me), error: e)
        }
    }

    func withdrawIncident(_ req: Request, _ ctx: AppContext) async throws -> Response {
        let me = try ctx.requireIdentity()
        try await s.negative.withdrawIncident(try web.id(ctx), reason: ctx.form.trimmed("reason"), actor: me)
        return web.redirect("/negative#incidents", flash: "已撤销该事件")
    }
}
