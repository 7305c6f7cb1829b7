import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

/// The rectification loop through its pages and its JSON API, as users drive it.
@Suite("Rectification pages and API")
struct CasePageTests {
    func text(_ r: TestResponse) -> String { String(buffer: r.body) }

    @Test func aGridWorkerReportsFromThePhonePageAndTheLoopRunsToClosure() async throws {
        try await withApp { env, client in
            let grid = try await env.session("grid01")
            let form = try await client.execute(uri: "/cases/new", method: .get, headers: grid.headers)
            #expect(form.status == .ok)
            #expect(text(form).contains("上报问题") && text(form).contains("柳荫社区第一网格") && text(form).contains("capture=\"environment\""))

            // Wrong input comes back with the message and nothing is written.
            let bad = try await env.upload(client, grid, uri: "/cases", fields: [("type", "LR"), ("description", " "), ("address", "湖滨路 1 号")], files: [])
            #expect(bad.status == .badRequest)
            #expect(text(bad).contains("“问题描述”不能为空"))
            let notPhoto = try await env.upload(client, grid, uri: "/cases", fields: [("type", "LR"), ("description", "垃圾"), ("address", "湖滨路 1 号")],
                                                files: [("photos", "现场.jpg", Data("not an image".utf8))])
            #expect(notPhoto.status == .badRequest)
            #expect(try await caseCount(env) == 0)

            let ok = try await env.upload(client, grid, uri: "/cases", fields: [("type", "LR"), ("description", "路边垃圾堆放未清理"), ("address", "湖滨路 1 号"),
                                                                                ("lat", "30.612345"), ("lng", "104.065432")],
                                          files: [("photos", "现场.png", pngBytes)])
            #expect(ok.status == .found)
            let location = try #require(ok.headers[.location])
            let id = try #require(Int64(location.split(separator: "/").last ?? ""))
            let page = text(try await client.execute(uri: "/cases/\(id)", method: .get, headers: grid.headers))
            #expect(page.contains("2026-00000001") && page.contains("待立案") && page.contains("整改前"))
            let photos = try await env.s.cases.photos(id, actor: try await env.identity("admin"))
            #expect(photos.count == 1 && photos[0].1 == "before")
            let img = try await client.execute(uri: "/cases/\(id)/photos/\(photos[0].0.id)", method: .get, headers: grid.headers)
            #expect(img.status == .ok && img.headers[.contentType] == "image/png")
            let other = try await env.session("dc_liaison")
            #expect(try await client.execute(uri: "/cases/\(id)/photos/\(photos[0].0.id)", method: .get, headers: other.headers).status == .forbidden)
            #expect(try await client.execute(uri: "/cases/\(id)", method: .get, headers: other.headers).status == .forbidden)

            // The office sees it in its inbox and registers and dispatches it to the school in one step.
            let admin = try await env.session("admin")
            #expect(text(try await client.execute(uri: "/", method: .get, headers: admin.headers)).contains("待我处理的案卷"))
            let dispatched = try await client.execute(uri: "/cases/\(id)/act", method: .post, headers: formHeaders(admin),
                                                      body: WenmingAppTests.form([("_csrf", admin.csrf), ("action", "register_dispatch"), ("unitCode", "QC01-U01")]))
            #expect(dispatched.status == .found)
            #expect(try await env.s.cases.get(id, actor: try await env.identity("admin")).caseState == .dispatched)

            // The school's liaison finds it, accepts it and feeds back with an after-photo.
            let school = try await env.session("school_liaison")
            #expect(text(try await client.execute(uri: "/", method: .get, headers: school.headers)).contains("2026-00000001"))
            #expect(try await client.execute(uri: "/cases/\(id)/act", method: .post, headers: formHeaders(school),
                                             body: WenmingAppTests.form([("_csrf", school.csrf), ("action", "accept")])).status == .found)
            let noPhoto = try await env.upload(client, school, uri: "/cases/\(id)/act", fields: [("action", "feedback"), ("reason", "已清理")], files: [])
            #expect(noPhoto.status == .conflict)
            #expect(text(noPhoto).contains("处理反馈须上传整改后照片"))
            #expect(try await env.upload(client, school, uri: "/cases/\(id)/act", fields: [("action", "feedback"), ("reason", "已清理")],
                                         files: [("photos", "整改后.png", pngBytes)]).status == .found)

            // The inspector fails it once (a reason is required), then passes the second feedback.
            let inspector = try await env.session("inspector")
            let reasonless = try await client.execute(uri: "/cases/\(id)/act", method: .post, headers: formHeaders(inspector),
                                                      body: WenmingAppTests.form([("_csrf", inspector.csrf), ("action", "fail"), ("reason", "")]))
            #expect(reasonless.status == .conflict)
            #expect(text(reasonless).contains("须填写理由"))
            #expect(try await client.execute(uri: "/cases/\(id)/act", method: .post, headers: formHeaders(inspector),
                                             body: WenmingAppTests.form([("_csrf", inspector.csrf), ("action", "fail"), ("reason", "仍有垃圾")])).status == .found)
            #expect(try await env.upload(client, school, uri: "/cases/\(id)/act", fields: [("action", "feedback"), ("reason", "再次清理")],
                                         files: [("photos", "整改后2.png", pngBytes)]).status == .found)
            #expect(try await client.execute(uri: "/cases/\(id)/act", method: .post, headers: formHeaders(inspector),
                                             body: WenmingAppTests.form([("_csrf", inspector.csrf), ("action", "pass")])).status == .found)

            // 销号 shows in the ledger and its export; the export of another district does not contain it.
            let ledger = text(try await client.execute(uri: "/cases?state=closed", method: .get, headers: admin.headers))
            #expect(ledger.contains("2026-00000001") && ledger.contains("已结案"))
            let csv = text(try await client.execute(uri: "/cases/export.csv", method: .get, headers: admin.headers))
            let lines = csv.split(whereSeparator: \.isNewline)
            #expect(lines.count == 2)
            #expect(lines[0].contains("案卷编号") && lines[1].contains("2026-00000001") && lines[1].contains("已结案") && lines[1].contains(",是,1,"))
            #expect(!text(try await client.execute(uri: "/cases/export.csv", method: .get, headers: other.headers)).contains("2026-00000001"))
            let xlsx = try await client.execute(uri: "/cases/export.xlsx", method: .get, headers: admin.headers)
            #expect(xlsx.status == .ok && Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            let page2 = text(try await client.execute(uri: "/cases/\(id)", method: .get, headers: admin.headers))
            #expect(page2.contains("已结案") && page2.contains("核查不通过（返工）") && page2.contains("仍有垃圾"))
        }
    }

    @Test func theOfficePagesRenderForTheRolesThatUseThemAndRefuseOthers() async throws {
        try await withApp { env, client in
            _ = try await env.s.cases.report(.init(draft: CaseDraft(source: .gridPatrol, typeCode: "ZD", description: "占道经营", address: "湖滨路",
                                                                   latitude: 30.61, longitude: 104.06, urgency: .urgent), territoryID: nil),
                                             actor: try await env.identity("grid01"))
            let admin = try await env.session("admin")
            for (uri, needle) in [("/cases", "问题台账"), ("/cases/map", "<circle"), ("/cases/metrics", "单位整改绩效"), ("/cases/supervision", "流动黑牌"),
                                  ("/cases/setup", "乱扔乱吐"), ("/cases?overdue=1&type=ZD&from=2026-01-01&to=2026-12-31&q=占道", "没有符合条件的案卷")] {
                let r = try await client.execute(uri: uri, method: .get, headers: admin.headers)
                #expect(r.status == .ok, "\(uri)")
                #expect(text(r).contains(needle), "\(uri) lacks \(needle)")
            }
            #expect(text(try await client.execute(uri: "/cases?type=ZD", method: .get, headers: admin.headers)).contains("2026-00000001"))
            #expect(try await client.execute(uri: "/cases?from=2026-13-01", method: .get, headers: admin.headers).status == .badRequest)
            let citizen = try await env.session("citizen")
            let mine = try await client.execute(uri: "/cases", method: .get, headers: citizen.headers)
            #expect(mine.status == .ok && text(mine).contains("我上报的问题") && !text(mine).contains("2026-00000001"))
            #expect(try await client.execute(uri: "/cases/export.csv", method: .get, headers: citizen.headers).status == .forbidden)
            #expect(try await client.execute(uri: "/cases/metrics", method: .get, headers: citizen.headers).status == .forbidden)
            let leader = try await env.session("leader")
            #expect(try await client.execute(uri: "/cases/new", method: .get, headers: leader.headers).status == .forbidden)
            // Forms without the CSRF token change nothing.
            let grid = try await env.session("grid01")
            let forged = try await client.execute(uri: "/cases", method: .post, headers: formHeaders(grid),
                                                  body: WenmingAppTests.form([("type", "LR"), ("description", "x"), ("address", "y")]))
            #expect(forged.status == .forbidden)
            #expect(try await caseCount(env) == 1)
            // Only the city office edits types; a bad deadline code is refused.
            let mh = try await env.session("mh_admin")
            #expect(try await client.execute(uri: "/cases/types", method: .post, headers: formHeaders(mh),
                                             body: WenmingAppTests.form([("_csrf", mh.csrf), ("code", "NEW"), ("name", "新类型"), ("rule", "d3"), ("urgentRule", "h24"), ("active", "1")])).status == .forbidden)
            #expect(try await client.execute(uri: "/cases/types", method: .post, headers: formHeaders(admin),
                                             body: WenmingAppTests.form([("_csrf", admin.csrf), ("code", "NEW"), ("name", "新类型"), ("rule", "3天"), ("urgentRule", "h24"), ("active", "1")])).status == .badRequest)
        }
    }

    @Test func theJSONIntakeValidatesRoutesNumbersAndScopes() async throws {
        try await withApp { env, client in
            let grid = try await env.token("grid01")
            let created = try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(grid, json: true),
                                                   body: json(["type": "LR", "description": "路边垃圾", "address": "湖滨路 2 号", "latitude": 30.6, "longitude": 104.1,
                                                               "photos": [["filename": "a.png", "data": pngBytes.base64EncodedString()]]]))
            #expect(created.status == .created)
            let c = decodeJSON(created.body)
            #expect(c["number"] as? String == "2026-00000001")
            #expect(c["state"] as? String == "reported" && c["routeVia"] as? String == "territory" && c["source"] as? String == "grid_patrol")
            let id = try #require(c["id"] as? Int)

            for (body, needle) in [(["type": "LR", "description": ""] as [String: Any], "问题描述"), (["type": "NOPE", "description": "x", "address": "y"], "问题类型"),
                                   (["type": "LR", "description": "x", "latitude": 95, "longitude": 104], "纬度"),
                                   (["type": "LR", "description": "x", "address": "y", "photos": [["filename": "a.jpg", "data": Data("text".utf8).base64EncodedString()]]], "不是允许的文件类型")] {
                let r = try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(grid, json: true), body: json(body))
                #expect(r.status == .badRequest, "\(body)")
                #expect(String(buffer: r.body).contains(needle), "\(String(buffer: r.body))")
            }
            let citizen = try await env.token("citizen")
            #expect(try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(citizen, json: true),
                                             body: json(["type": "LR", "description": "x", "address": "y", "source": "hotline", "territoryId": env.fx.ids["QC01-01-01"]!])).status == .badRequest)
            let leader = try await env.token("leader")
            #expect(try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(leader, json: true),
                                             body: json(["type": "LR", "description": "x", "address": "y", "territoryId": env.fx.ids["QC01-01-01"]!])).status == .forbidden)
            #expect(try await caseCount(env) == 1)

            let dc = try await env.token("dc_liaison")
            #expect(try await client.execute(uri: "/api/v1/cases/\(id)", method: .get, headers: bearer(dc)).status == .forbidden)
            let dcList = decodeJSON(try await client.execute(uri: "/api/v1/cases", method: .get, headers: bearer(dc)).body)
            #expect((dcList["items"] as? [Any])?.isEmpty == true)

            let admin = try await env.token("admin")
            let illegal = try await client.execute(uri: "/api/v1/cases/\(id)/actions", method: .post, headers: bearer(admin, json: true), body: json(["action": "pass"]))
            #expect(illegal.status == .conflict)
            #expect(String(buffer: illegal.body).contains("不能“核查通过（结案）”"))
            let reg = try await client.execute(uri: "/api/v1/cases/\(id)/actions", method: .post, headers: bearer(admin, json: true), body: json(["action": "register"]))
            #expect(decodeJSON(reg.body)["state"] as? String == "registered")
            let disp = decodeJSON(try await client.execute(uri: "/api/v1/cases/\(id)/actions", method: .post, headers: bearer(admin, json: true),
                                                           body: json(["action": "dispatch", "unitCode": "QC01-U01"])).body)
            #expect(disp["state"] as? String == "dispatched" && disp["unitId"] as? Int == Int(env.fx.ids["QC01-U01"]!))
            #expect((disp["deadlineAt"] as? Int ?? 0) == (disp["dispatchedAt"] as? Int ?? -1) + 86_400)

            let counts = decodeJSON(try await client.execute(uri: "/api/v1/cases/counts", method: .get, headers: bearer(admin)).body)
            let states = counts["states"] as? [[String: Any]] ?? []
            #expect(states.first { $0["state"] as? String == "dispatched" }?["count"] as? Int == 1)
            #expect(states.first { $0["state"] as? String == "reported" }?["count"] as? Int == 0)

            let school = try await env.token("school_liaison")
            let open = decodeJSON(try await client.execute(uri: "/api/v1/units/\(env.fx.ids["QC01-U01"]!)/open-cases", method: .get, headers: bearer(school)).body)
            #expect((open["items"] as? [[String: Any]])?.map { $0["number"] as? String } == ["2026-00000001"])
            #expect(try await client.execute(uri: "/api/v1/units/\(env.fx.ids["QC02-U01"]!)/open-cases", method: .get, headers: bearer(school)).status == .forbidden)
            let list = decodeJSON(try await client.execute(uri: "/api/v1/cases?state=dispatched&open=true", method: .get, headers: bearer(school)).body)
            #expect((list["items"] as? [Any])?.count == 1 && list["more"] as? Bool == false)
            #expect(try await client.execute(uri: "/api/v1/cases?state=bogus", method: .get, headers: bearer(school)).status == .badRequest)
        }
    }

    @Test func movingATerritoryMovesItsCasesScopeWithIt() async throws {
        try await withApp { env, _ in
            let c = try await env.s.cases.report(.init(draft: CaseDraft(source: .gridPatrol, typeCode: "LR", description: "垃圾", address: "湖滨路",
                                                                       latitude: nil, longitude: nil, urgency: .normal), territoryID: nil),
                                                 actor: try await env.identity("grid01"))
            let mh = try await env.identity("mh_admin"), dc = try await env.identity("dc_liaison")
            #expect(try await env.s.cases.get(c.id, actor: mh).id == c.id)
            // 湖滨街道 moves from 明湖区 to 东城区: the case follows it.
            _ = try await env.s.orgs.move(env.fx.ids["QC01-01"]!, to: env.fx.ids["QC02"]!, actor: try await env.identity("admin"))
            await #expect(throws: AppError.self) { _ = try await env.s.cases.get(c.id, actor: mh) }
            #expect(try await env.s.cases.get(c.id, actor: dc).territoryPath.hasPrefix(try await env.org("QC02").path))
            #expect(try await env.s.cases.statusCounts(actor: dc).byState[.reported] == 1)
            #expect(try await env.s.cases.statusCounts(actor: mh).byState[.reported] == nil)
        }
    }

    @Test func aReassignedCaseEscalatesAgainFromWhiteWithoutBreakingTheSweep() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let c = try await env.s.cases.report(.init(draft: CaseDraft(source: .gridPatrol, typeCode: "LR", description: "垃圾", address: "湖滨路",
                                                                       latitude: nil, longitude: nil, urgency: .normal), territoryID: nil),
                                                 actor: try await env.identity("grid01"))
            _ = try await env.s.cases.registerAndDispatch(c.id, unitCode: "QC01-U01", actor: admin)
            // A week later (h24 rule, 4 working days overdue) the school's case is red; the school asks for a transfer and the office reassigns it.
            env.clock.advance(7 * 86_400)
            #expect(try await env.s.cases.escalate().notices == 3)
            #expect(try await env.s.cases.get(c.id, actor: admin).level == .red)
            _ = try await env.s.cases.act(c.id, .init(.requestTransfer, reason: "不属于学校管辖"), actor: try await env.identity("school_liaison"))
            let moved = try await env.s.cases.act(c.id, .init(.reassign, unitCode: "QC01-D01"), actor: admin)
            #expect(moved.level == EscalationLevel.none && moved.caseState == .dispatched && moved.unitId == env.fx.ids["QC01-D01"])
            // Overdue again: the new unit gets its own notices; the sweep keeps working.
            env.clock.advance(7 * 86_400)
            #expect(try await env.s.cases.escalate().notices == 3)
            let notices = try await env.s.cases.notices(actor: admin)
            #expect(notices.count == 6)
            #expect(notices.filter { $0.n.unitId == env.fx.ids["QC01-D01"] }.count == 3)
            #expect(try await env.s.cases.escalate().notices == 0)
        }
    }

    @Test func registerAndDispatchIsOneTransaction() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let c = try await env.s.cases.report(.init(draft: CaseDraft(source: .gridPatrol, typeCode: "LR", description: "垃圾", address: "湖滨路",
                                                                       latitude: nil, longitude: nil, urgency: .normal), territoryID: nil),
                                                 actor: try await env.identity("grid01"))
            await #expect(throws: AppError.self) { _ = try await env.s.cases.registerAndDispatch(c.id, unitCode: "NOPE", actor: admin) }
            let after = try await env.s.cases.get(c.id, actor: admin)
            #expect(after.caseState == .reported && after.registeredAt == nil)
            #expect(try await env.s.cases.events(c.id, actor: admin).count == 1)
        }
    }

    func caseCount(_ env: TestEnv) async throws -> Int {
        try await env.s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM cases").first()!.decode(column: "n", as: Int.self) }
    }
}
