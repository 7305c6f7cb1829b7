import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

func sampleTable(_ name: String) throws -> Table {
    Table(rawRows: try CSV.parse(data: try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/Resources/Samples/" + name))))
}

extension TestEnv {
    /// The national sample imported as the city admin.
    func importNational(edition: String = "2026版", predecessor: Int64? = nil, table: Table? = nil) async throws -> IndexImportResult {
        var input = IndexService.SystemInput(code: "QG", name: "全国文明城市测评体系（示例）", edition: edition)
        input.totalScore = "1000"
        input.isSample = true
        input.predecessorID = predecessor
        return try await s.index.importSystem(input, table: try table ?? sampleTable("index-national-sample.csv"), actor: try await identity("admin"), maxRows: 10_000)
    }

    func standard(_ system: Int64, _ code: String) async throws -> IndexNodeRow {
        let row = try await s.db.read { try await $0.raw("SELECT * FROM index_nodes WHERE system_id = \(bind: system) AND code = \(bind: code)").first() }
        return try #require(row, "no standard \(code)").decode(model: IndexNodeRow.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func upload(_ client: any TestClientProtocol, _ s: Session, uri: String, fields: [(String, String)], files: [(String, String, Data)]) async throws -> TestResponse {
        let boundary = "----wenming\(UUID().uuidString.prefix(8))"
        var body = Data()
        for (k, v) in [("_csrf", s.csrf)] + fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8))
        }
        for (field, name, data) in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        var h = s.headers
        h[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(bytes: body))
    }
}

let pngBytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89])

@Suite("Index systems and the negative list")
struct IndexSystemTests {
    @Test func importingTheSampleThroughThePageShowsAConsistentTree() async throws {
        try await withApp { env, client in
            let s = try await env.session("admin")
            let csv = try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/Resources/Samples/index-national-sample.csv"))
            let r = try await env.upload(client, s, uri: "/index/import", fields: [("code", "QG"), ("name", "全国文明城市测评体系"), ("edition", "2026版"), ("total", "1000"), ("sample", "1")],
                                         files: [("file", "sample.csv", csv)])
            #expect(r.status == .ok)
            #expect(String(buffer: r.body).contains("导入成功"))
            let sys = try await env.s.index.systems(actor: try await env.identity("leader"))
            #expect(sys.count == 1)
            let tree = String(buffer: try await client.execute(uri: "/index/\(sys[0].id)", method: .get, headers: s.headers).body)
            #expect(tree.contains("分值逐级核对无误"))
            #expect(tree.contains("示例体系"))
            #expect(tree.contains("P06-01-01"))
        }
    }

    @Test func aBrokenCopyIsRefusedWholeWithRowsAndColumns() async throws {
        try await withApp { env, client in
            var rows = try sampleTable("index-national-sample.csv")
            // Wrong total on a standard, a duplicate code, an unknown unit, a standard under a missing parent.
            let i = rows.rows.firstIndex { $0[0] == "P01-01-01" }!
            rows.rows[i][5] = "99"
            rows.rows[i + 1][0] = "P01-01-01"
            rows.rows[i + 2][9] = "NO-SUCH-UNIT"
            rows.rows.append(["P09-01-01", "P09-01", "测评标准", "孤儿标准", "", "1", "材料审核", "", "定性", "", "", "", "", ""])
            rows.rowNumbers.append(rows.rowNumbers.last! + 1)
            let before = try await env.s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM index_nodes").first()!.decode(column: "n", as: Int.self) }
            do {
                _ = try await env.importNational(table: rows)
                Issue.record("the broken copy was imported")
            } catch AppError.importFailed(let issues) {
                let text = issues.map(\.description).joined(separator: "\n")
                #expect(text.contains("“分值”列"))
                #expect(text.contains("重复"))
                #expect(text.contains("NO-SUCH-UNIT"))
                #expect(text.contains("P09-01"))
                #expect(issues.allSatisfy { $0.row > 0 })
            }
            let after = try await env.s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM index_nodes").first()!.decode(column: "n", as: Int.self) }
            #expect(after == before)
            #expect(try await env.s.index.systems(actor: try await env.identity("admin")).isEmpty)
        }
    }

    @Test func exportReimportsExactlyAndNewEditionsCarryTheDecompositionOver() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let first = try await env.importNational()
            _ = try await env.s.tasks.bulkAssign(system: first.systemID, selection: .project("P06"), target: .unit("QC-D01", .lead), person: "王科长", deadline: "2026-10-31", actor: admin)
            let exported = try await env.s.index.exportRows(system: first.systemID, actor: admin)
            // Round trip: the export imports as a new edition and exports identically.
            var edited = Table(rawRows: exported)
            // The new edition drops one standard of P06 and adds another (sum kept).
            let drop = edited.rows.firstIndex { $0[0] == "P06-01-01" }!
            var added = edited.rows[drop]
            added[0] = "P06-01-99"
            edited.rows[drop] = added
            let second = try await env.importNational(edition: "2027版", predecessor: first.systemID, table: edited)
            #expect(second.carried == 0)   // the file names its own units: nothing to carry
            #expect(second.assignments > 0)
            let third = try await env.importNational(edition: "2028版", predecessor: second.systemID, table: {
                var t = try sampleTable("index-national-sample.csv")
                t.rows = t.rows.map { var r = $0; if r[0] == "P06-01-01" { r[0] = "P06-01-99" }; return r }
                return t
            }())
            #expect(third.carried == second.assignments)
            #expect(third.droppedOld.isEmpty)
            #expect(!third.unassignedNew.contains("P06-01-99"))
            #expect(third.unassignedNew.contains("P01-01-01"))
            let roundTrip = try await env.s.index.exportRows(system: second.systemID, actor: admin)
            let expected = [edited.header] + edited.rows
            #expect(roundTrip.count == expected.count)
            for (a, b) in zip(roundTrip, expected) where a != b { Issue.record("export differs: \(a) vs \(b)"); break }
        }
    }

    @Test func negativeListIncidentsAreScopedAndShowTheirConsequence() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            _ = try await env.s.negative.importItems(try sampleTable("negative-list-sample.csv"), isSample: true, actor: admin, maxRows: 100)
            let items = try await env.s.negative.items(actor: admin)
            let veto = items.first { $0.veto != 0 }!
            let inspector = try await env.identity("inspector")   // bound to 明湖区
            let id = try await env.s.negative.recordIncident(itemID: veto.id, orgID: env.fx.ids["QC01-U01"]!, occurredOn: "2026-11-01",
                                                             description: "发生责任事故", evidence: "市应急局通报 2026-15 号", actor: inspector)
            await #expect(throws: AppError.forbidden(Msg.outOfScope)) {
                _ = try await env.s.negative.recordIncident(itemID: veto.id, orgID: env.fx.ids["QC02-U01"]!, occurredOn: "2026-11-01",
                                                            description: "越权记录", evidence: "", actor: inspector)
            }
            await #expect(throws: AppError.self) {
                _ = try await env.s.negative.recordIncident(itemID: veto.id, orgID: env.fx.ids["QC01-U01"]!, occurredOn: "2099-01-01",
                                                            description: "未来事件", evidence: "", actor: inspector)
            }
            let s = try await env.session("mh_admin")
            let page = String(buffer: try await client.execute(uri: "/negative", method: .get, headers: s.headers).body)
            #expect(page.contains("一票否决"))
            #expect(page.contains("发生责任事故"))
            let dc = try await env.session("dc_liaison")
            #expect(!String(buffer: try await client.execute(uri: "/negative", method: .get, headers: dc.headers).body).contains("发生责任事故"))
            try await env.s.negative.withdrawIncident(id, reason: "经核实不属实", actor: admin)
            let after = try await env.s.negative.incidents(actor: admin)
            #expect(after.first?.incident.status == "withdrawn")
        }
    }

    @Test func campaignsValidateTheirPhases() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let sys = try await env.importNational()
            let good = [PhaseDates(phase: .launch, start: "2026-03-01", end: "2026-03-31"), PhaseDates(phase: .review, start: "2026-11-01", end: "2026-12-31")]
            let id = try await env.s.negative.saveCampaign(id: nil, name: "2026 年度迎检", start: "2026-03-01", end: "2026-12-31", notes: "", phases: good, systems: [sys.systemID], actor: admin)
            let (_, phases, systems) = try await env.s.negative.campaign(id, actor: admin)
            #expect(systems == [sys.systemID])
            #expect(phases.count == 5)
            let bad = [PhaseDates(phase: .launch, start: "2026-03-01", end: "2026-06-30"), PhaseDates(phase: .selfCheck, start: "2026-05-01", end: "2026-07-31")]
            await #expect(throws: AppError.self) {
                _ = try await env.s.negative.saveCampaign(id: id, name: "x", start: "2026-03-01", end: "2026-12-31", notes: "", phases: bad, systems: [], actor: admin)
            }
            let mh = try await env.identity("mh_admin")
            await #expect(throws: AppError.self) {
                _ = try await env.s.negative.saveCampaign(id: nil, name: "区里自建", start: "2026-03-01", end: "2026-12-31", notes: "", phases: [], systems: [], actor: mh)
            }
            let s = try await env.session("admin")
            #expect(String(buffer: try await client.execute(uri: "/campaigns", method: .get, headers: s.headers).body).contains("2026 年度迎检"))
        }
    }
}

@Suite("Responsibility decomposition")
struct ResponsibilityTests {
    @Test func decomposeExportAndPrint() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let sys = try await env.importNational()
            for (code, role) in [("QC-D01", AssignmentRole.lead), ("QC-D02", .responsible), ("QC01-D01", .supporting)] {
                let r = try await env.s.tasks.bulkAssign(system: sys.systemID, selection: .project("P01"), target: .unit(code, role), person: "张三", deadline: "2026-10-31", actor: admin)
                #expect(r.created > 0 && r.skipped == 0)
            }
            // A second lead for the same project is skipped, not duplicated.
            let again = try await env.s.tasks.bulkAssign(system: sys.systemID, selection: .project("P01"), target: .unit("QC-D02", .lead), person: "", deadline: "", actor: admin)
            #expect(again.created == 0 && again.skipped > 0)
            let s = try await env.session("admin")
            let page = String(buffer: try await client.execute(uri: "/tasks?system=\(sys.systemID)&project=P01", method: .get, headers: s.headers).body)
            #expect(page.contains("青川市城市管理局") && page.contains("青川市教育局") && page.contains("明湖区城市管理局"))
            let print = try await client.execute(uri: "/tasks/print?system=\(sys.systemID)&project=P01", method: .get, headers: s.headers)
            #expect(print.status == .ok && String(buffer: print.body).contains("责任分解表"))
            let x = try await client.execute(uri: "/tasks/export.xlsx?system=\(sys.systemID)&unit=\(env.fx.ids["QC-D02"]!)", method: .get, headers: s.headers)
            let rows = try XLSX.read(Data(x.body.readableBytesView))
            #expect(rows[0][6] == "牵头单位")
            #expect(rows.count > 1)
            #expect(rows.dropFirst().allSatisfy { $0[7].contains("青川市教育局") })
            // Filtering by working group shows the standards its members hold.
            try await env.s.groups.addMember(groupID: env.fx.ids["QC-WG01"]!, memberCode: "QC-D01", isLead: true, actor: admin)
            let byGroup = try await env.s.tasks.table({ var f = TaskService.TableFilter(); f.system = sys.systemID; f.groupID = env.fx.ids["QC-WG01"]; return f }(), actor: admin)
            #expect(!byGroup.rows.isEmpty && byGroup.rows.allSatisfy { $0.standard.code.hasPrefix("P01") })
        }
    }

    @Test func claimAdjustAndTheOfficeDecides() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let sys = try await env.importNational()
            for code in ["P04-01-01", "P04-01-02", "P04-01-03"] {
                try await env.s.tasks.assign(standardID: try await env.standard(sys.systemID, code).id, unitCode: "QC01-U01", role: .responsible, person: "李老师", deadline: "2026-12-31", actor: admin)
            }
            let liaison = try await env.identity("school_liaison")
            let mine = try await env.s.tasks.mine(actor: liaison)
            #expect(mine.count == 3)
            let (a, b, c) = (mine[0].a.id, mine[1].a.id, mine[2].a.id)
            #expect(try await env.s.tasks.act(a, action: .claim, reason: "", actor: liaison) == .claimed)
            #expect(try await env.s.tasks.act(b, action: .claim, reason: "", actor: liaison) == .claimed)
            await #expect(throws: AppError.self) { _ = try await env.s.tasks.act(a, action: .claim, reason: "", actor: liaison) }
            await #expect(throws: AppError.self) { _ = try await env.s.tasks.act(c, action: .requestAdjustment, reason: "  ", actor: liaison) }
            #expect(try await env.s.tasks.act(c, action: .requestAdjustment, reason: "该项属教育局职责", actor: liaison) == .adjustmentRequested)
            // The unit cannot decide its own request; another district's liaison cannot even see it.
            await #expect(throws: AppError.forbidden(Msg.forbidden)) { _ = try await env.s.tasks.act(c, action: .approveAdjustment, reason: "", actor: liaison) }
            await #expect(throws: AppError.forbidden(Msg.outOfScope)) { _ = try await env.s.tasks.get(c, actor: try await env.identity("dc_liaison")) }
            #expect(try await env.s.tasks.act(c, action: .rejectAdjustment, reason: "学校为责任主体", actor: admin) == .assigned)
            // A claimed task whose adjustment is refused goes back to 已认领, not 待认领.
            #expect(try await env.s.tasks.act(b, action: .requestAdjustment, reason: "人手不足", actor: liaison) == .adjustmentRequested)
            #expect(try await env.s.tasks.act(b, action: .rejectAdjustment, reason: "请克服困难", actor: admin) == .claimed)
            #expect(try await env.s.tasks.act(c, action: .requestAdjustment, reason: "再次申请", actor: liaison) == .adjustmentRequested)
            #expect(try await env.s.tasks.act(c, action: .approveAdjustment, reason: "", actor: admin) == .withdrawn)
            let events = try await env.s.tasks.events(c, actor: admin).map(\.action)
            #expect(events == ["assign", "request_adjustment", "reject_adjustment", "request_adjustment", "approve_adjustment"])
            #expect(try await env.s.tasks.mine(actor: liaison).count == 2)
            // The office takes back an assignment made in error, with a reason; the unit cannot.
            await #expect(throws: AppError.forbidden(Msg.forbidden)) { _ = try await env.s.tasks.act(a, action: .revoke, reason: "分错了", actor: liaison) }
            #expect(try await env.s.tasks.act(a, action: .revoke, reason: "分解有误，改由教育局承担", actor: admin) == .withdrawn)
            #expect(try await env.s.tasks.mine(actor: liaison).count == 1)
            // Through the page: the task page offers exactly the unit's next actions.
            let s = try await env.session("school_liaison")
            let page = String(buffer: try await client.execute(uri: "/tasks/\(b)", method: .get, headers: s.headers).body)
            #expect(page.contains(">申请调整</button>") && !page.contains(">认领</button>"))
        }
    }

    @Test func plansReportsAttachmentsAndTheLookBack() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let sys = try await env.importNational()
            try await env.s.tasks.assign(standardID: try await env.standard(sys.systemID, "P03-01-01").id, unitCode: "QC01-U01", role: .lead, person: "李老师", deadline: "2026-12-31", actor: admin)
            try await env.s.tasks.assign(standardID: try await env.standard(sys.systemID, "P03-01-02").id, unitCode: "QC01-U01", role: .lead, person: "", deadline: "", actor: admin)
            let liaison = try await env.identity("school_liaison")
            let tasks = try await env.s.tasks.mine(actor: liaison)
            let t = tasks.first { $0.standard.code == "P03-01-01" }!.a.id
            _ = try await env.s.tasks.act(t, action: .claim, reason: "", actor: liaison)
            await #expect(throws: AppError.self) { try await env.s.tasks.addMilestone(t, title: "排查", due: "2027-01-31", actor: liaison) }  // after the deadline
            await #expect(throws: AppError.validation(["due": "节点日期不能早于今天"])) { try await env.s.tasks.addMilestone(t, title: "排查", due: "2026-01-05", actor: liaison) }
            // A refused step shows the task page again with the message.
            let sl = try await env.session("school_liaison")
            let refused = try await client.execute(uri: "/tasks/\(t)/milestones", method: .post, headers: formHeaders(sl),
                                                   body: form([("_csrf", sl.csrf), ("title", "排查"), ("due", "2026-13-01")]))
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("工作计划与节点") && String(buffer: refused.body).contains("YYYY-MM-DD"))
            try await env.s.tasks.addMilestone(t, title: "完成排查", due: "2026-11-30", actor: liaison)
            let s = try await env.session("school_liaison")
            let bad = try await env.upload(client, s, uri: "/tasks/\(t)/reports", fields: [("body", "已完成排查")], files: [("files", "photo.png", Data("not an image".utf8))])
            #expect(bad.status == .badRequest)
            #expect(try await env.s.tasks.reports(t, actor: liaison).isEmpty)
            let ok = try await env.upload(client, s, uri: "/tasks/\(t)/reports", fields: [("body", "已完成排查，整改 3 处")], files: [("files", "现场.png", pngBytes)])
            #expect(ok.status == .found)
            let reps = try await env.s.tasks.reports(t, actor: liaison)
            #expect(reps.count == 1)
            let files = try await env.s.tasks.attachments(ownerKind: "report", ownerIDs: reps.map(\.id))
            #expect(files.count == 1 && files[0].contentType == "image/png")
            #expect(try await client.execute(uri: "/files/\(files[0].id)", method: .get, headers: s.headers).status == .ok)
            let dc = try await env.session("dc_liaison")
            #expect(try await client.execute(uri: "/files/\(files[0].id)", method: .get, headers: dc.headers).status == .forbidden)
            // Three weeks later: the unclaimed task lags, the claimed one misses reports and its milestone is overdue.
            env.clock.advance(21 * 86_400)
            let lag = try await env.s.tasks.lookback(actor: admin)
            let byCode = Dictionary(uniqueKeysWithValues: lag.map { ($0.task.standard.code, $0.reasons) })
            #expect(byCode["P03-01-02"]?.contains { if case .unclaimed = $0 { true } else { false } } == true)
            #expect(byCode["P03-01-01"]?.contains { if case .missingReports(let p) = $0 { p.count >= 2 } else { false } } == true)
            #expect(byCode["P03-01-01"]?.contains(.overdueMilestones(1)) == true)
            let page = String(buffer: try await client.execute(uri: "/tasks/lookback", method: .get, headers: (try await env.session("admin")).headers).body)
            #expect(page.contains("缺少进度报告") && page.contains("明湖区实验小学"))
            // Completing needs every milestone done.
            await #expect(throws: AppError.self) { _ = try await env.s.tasks.act(t, action: .complete, reason: "", actor: liaison) }
            let m = try await env.s.tasks.milestones(t, actor: liaison)[0]
            _ = try await env.s.tasks.completeMilestone(m.id, actor: liaison)
            #expect(try await env.s.tasks.act(t, action: .complete, reason: "", actor: liaison) == .completed)
        }
    }

    @Test func everyNewPageRendersForEachRole() async throws {
        try await withApp { env, client in
            let sys = try await env.importNational()
            for user in ["admin", "leader", "mh_admin", "school_liaison", "inspector", "grid01"] {
                let s = try await env.session(user)
                let me = try await env.identity(user)
                var uris = ["/index", "/index/\(sys.systemID)", "/negative", "/campaigns", "/categories"]
                if me.can(.viewTasks) { uris += ["/tasks", "/tasks/mine", "/tasks/lookback", "/tasks/print"] }
                for uri in uris {
                    let r = try await client.execute(uri: uri, method: .get, headers: s.headers)
                    #expect(r.status == .ok, "\(user) \(uri)")
                }
                if !me.can(.viewTasks) { #expect(try await client.execute(uri: "/tasks", method: .get, headers: s.headers).status == .forbidden) }
            }
            let citizen = try await env.session("citizen")
            #expect(try await client.execute(uri: "/index", method: .get, headers: citizen.headers).status == .forbidden)
        }
    }
}

@Suite("Evaluation and task API")
struct EvaluationAPITests {
    @Test func unitsWorkTheirTasksThroughTheAPI() async throws {
        try await withApp { env, client in
            let admin = try await env.identity("admin")
            let sys = try await env.importNational()
            try await env.s.tasks.assign(standardID: try await env.standard(sys.systemID, "P04-01-01").id, unitCode: "QC01-U01", role: .lead, person: "", deadline: "", actor: admin)
            let token = try await env.token("school_liaison")
            let systems = try JSONSerialization.jsonObject(with: Data(try await client.execute(uri: "/api/v1/index-systems", method: .get, headers: bearer(token)).body.readableBytesView)) as! [[String: Any]]
            #expect(systems.first?["totalScore"] as? String == "1000")
            let nodes = try JSONSerialization.jsonObject(with: Data(try await client.execute(uri: "/api/v1/index-systems/\(sys.systemID)/nodes", method: .get, headers: bearer(token)).body.readableBytesView)) as! [[String: Any]]
            #expect(nodes.count == sys.nodes)
            #expect(nodes.first?["level"] as? String == "project")
            let tasks = try JSONSerialization.jsonObject(with: Data(try await client.execute(uri: "/api/v1/tasks", method: .get, headers: bearer(token)).body.readableBytesView)) as! [[String: Any]]
            #expect(tasks.count == 1)
            let id = tasks[0]["id"] as! Int
            let claim = try await client.execute(uri: "/api/v1/tasks/\(id)/actions", method: .post, headers: bearer(token, json: true), body: json(["action": "claim"]))
            #expect(claim.status == .ok)
            #expect(decodeJSON(claim.body)["status"] as? String == "claimed")
            let twice = try await client.execute(uri: "/api/v1/tasks/\(id)/actions", method: .post, headers: bearer(token, json: true), body: json(["action": "claim"]))
            #expect(twice.status == .conflict)
            let rep = try await client.execute(uri: "/api/v1/tasks/\(id)/reports", method: .post, headers: bearer(token, json: true), body: json(["body": "本周完成宣传栏更新"]))
            #expect(rep.status == .ok)
            let other = try await env.token("dc_liaison")
            #expect(try await client.execute(uri: "/api/v1/tasks/\(id)", method: .get, headers: bearer(other)).status == .forbidden)
            let approve = try await client.execute(uri: "/api/v1/tasks/\(id)/actions", method: .post, headers: bearer(token, json: true), body: json(["action": "approve_adjustment"]))
            #expect(approve.status == .forbidden)
        }
    }
}
