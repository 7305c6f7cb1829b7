import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

// MARK: - Helpers (prefixed `sc` so they cannot clash with other test files)

/// Epoch seconds of a Beijing wall-clock time written `yyyy-MM-dd HH:mm`.
private func scEpoch(_ s: String) -> Int64 {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = WorkCalendar.shanghai
    let p = s.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
    return Int64(cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4]))!.timeIntervalSince1970)
}

private func scVisit(_ verdicts: [RoundService.Verdict]) -> RoundService.Visit {
    RoundService.Visit(verdicts: verdicts, notes: "", latitude: nil, longitude: nil, recordsOK: nil, photos: [])
}

/// A small JPEG-looking upload (the store checks the magic bytes).
private func scPhoto(_ seed: UInt8) -> Upload {
    Upload(filename: "after.jpg", bytes: [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0, count: 100) + [seed])
}

private let scNovember = Period("2026-11")!
private let scDecember = Period("2026-12")!

private func scKeys(_ e: AppError?) -> Set<String> {
    if case .validation(let m)? = e { return Set(m.keys) }
    return []
}

private func scPart(_ t: TerritoryScore?, _ c: ScoreComponent) -> ComponentPart? { t?.parts.first { $0.component == c } }

/// The fixed November data set (see `scSeedNovember`).
private struct ScMonth {
    var roundA: Int64, roundB: Int64
    var p1: Int64, p2: Int64, p3: Int64, q2: Int64, q3: Int64
    var vP1: Int64, vP3: Int64, vQ2: Int64, vQ3: Int64
    var x: CaseRow, y: CaseRow, z: CaseRow
    var pass: [RoundService.Verdict]
}

extension TestEnv {
    fileprivate func scSetClock(_ beijing: String) {
        clock.advance(TimeInterval(scEpoch(beijing)) - clock.now().timeIntervalSince1970)
    }

    /// Adds a user the way the fixture does.
    fileprivate func scAddUser(_ username: String, _ role: Role, at org: String) async throws {
        let hash = try await s.hasher.hash(testPassword)
        let now = clock.now().epoch, orgID = fx.ids[org]!
        try await s.db.write { tx in
            try await tx.raw("""
                INSERT INTO users (username, display_name, role, org_id, phone, password_hash, active, must_change_password, created_at, updated_at)
                VALUES (\(bind: username), \(bind: "测试" + username), \(bind: role.rawValue), \(bind: orgID), '', \(bind: hash), 1, 0, \(bind: now), \(bind: now))
                """).run()
        }
    }

    /// One org's stored score in a run, by org code, as the city admin sees it.
    fileprivate func scRow(_ code: String, run: Int64) async throws -> ScoreRow {
        try #require(try await s.scores.one(fx.ids[code]!, run: run, actor: try await identity("admin")), "no score for \(code)")
    }

    /// Every stored score of a run, as text: what a frozen run must keep.
    fileprivate func scScores(_ run: Int64) async throws -> [String] {
        try await s.db.read { db in
            try await db.raw("SELECT org_id, total_h, rank, peers, card, eligible, lost_h, due, on_time, late, detail FROM scores WHERE run_id = \(bind: run) ORDER BY org_id").all().map { r in
                "\(try r.decode(column: "org_id", as: Int64.self))|\(try r.decode(column: "total_h", as: Int64?.self).map(String.init) ?? "-")|\(try r.decode(column: "rank", as: Int?.self).map(String.init) ?? "-")|\(try r.decode(column: "peers", as: Int.self))|\(try r.decode(column: "card", as: String.self))|\(try r.decode(column: "eligible", as: Int.self))|\(try r.decode(column: "lost_h", as: Int64.self))|\(try r.decode(column: "due", as: Int.self))|\(try r.decode(column: "on_time", as: Int.self))|\(try r.decode(column: "late", as: Int.self))|\(try r.decode(column: "detail", as: String.self))"
            }
        }
    }

    fileprivate func scRunRow(_ id: Int64) async throws -> ScoreRunRow {
        try await s.db.read { try await $0.raw("SELECT * FROM score_runs WHERE id = \(bind: id)").first()!.decode(model: ScoreRunRow.self, keyDecodingStrategy: .convertFromSnakeCase) }
    }

    /// A notice and the units it names, as stored.
    fileprivate func scNoticeState(_ id: Int64) async throws -> String {
        try await s.db.read { db -> String in
            let n = try await db.raw("SELECT * FROM notices WHERE id = \(bind: id)").first()!.decode(model: NoticeRecord.self, keyDecodingStrategy: .convertFromSnakeCase)
            let u = try await db.raw("SELECT org_id, org_path, reason FROM notice_units WHERE notice_id = \(bind: id) ORDER BY org_id").all().map {
                "\(try $0.decode(column: "org_id", as: Int64.self))|\(try $0.decode(column: "org_path", as: String.self))|\(try $0.decode(column: "reason", as: String.self))"
            }
            return ([String(describing: n)] + u).joined(separator: "\n")
        }
    }

    /// The November data set, recorded on 2026-11-18 (the fixture's clock); the clock is then set to 2026-12-02 10:00,
    /// so November is a past month.
    ///
    /// 明湖区 (QC01), round A (mock, scope 明湖区, start 2026-11-10), points 001/002/003; 002 is left unvisited:
    ///   001 (柳荫社区, adopted by the school): P06-04-02 fails → lost 9.5 of 19.5 → 10 / 19.5 = 51.28 % → 5128
    ///   003 (桃源社区): all pass → 10000
    ///   impression by the inspector: 80 / 90 / 70 / 100 → (8000 + 9000 + 7000 + 10000) / 4 = 8500
    /// 东城区 (QC02), round B (mock, scope 东城区, start 2026-11-12), by the supervisor:
    ///   QC02-PC03-002 (东关社区): P06-04-03 deducted 2 → (1950 − 200) / 1950 = 89.74 % → 8974
    ///   QC02-PC03-003 (东关社区第一网格, adopted by 东城区第一中学): all pass → 10000
    /// Cases (LR: 24 natural hours), dispatched on 2026-11-18:
    ///   x: 柳荫社区第一网格, to its street 湖滨街道, closed on time
    ///   z: 柳荫社区第一网格, to 明湖区城市管理局, left open (overdue since 2026-11-19)
    ///   y: 东关社区, to its street 东关街道, left open (overdue since 2026-11-19)
    fileprivate func scSeedNovember() async throws -> ScMonth {
        try await insSeedPoints()
        _ = try await importNational()
        let ck = try await insToiletChecklist()
        let s1 = try #require(ck["P06-04-01"]).id, s2 = try #require(ck["P06-04-02"]).id, s3 = try #require(ck["P06-04-03"]).id
        let pass = [s1, s2, s3].map { RoundService.Verdict(standardID: $0, code: "pass") }
        let inspector = try await identity("inspector"), supervisor = try await identity("supervisor")
        let admin = try await identity("admin"), mh = try await identity("mh_admin"), grid = try await identity("grid01")
        let p1 = try await insPointID("QC01-PC03-001"), p2 = try await insPointID("QC01-PC03-002"), p3 = try await insPointID("QC01-PC03-003")
        let q2 = try await insPointID("QC02-PC03-002"), q3 = try await insPointID("QC02-PC03-003")

        let a = try await insRound(insNewRound(name: "十一月明湖区模拟测评", start: "2026-11-10", points: ["QC01-PC03-001", "QC01-PC03-002", "QC01-PC03-003"]))
        let b = try await insRound(insNewRound(name: "十一月东城区模拟测评", scope: "QC02", start: "2026-11-12", members: ["supervisor"],
                                               points: ["QC02-PC03-002", "QC02-PC03-003"]), by: "admin")
        let vP1 = try await s.rounds.recordVisit(round: a, point: p1, scVisit([pass[0], .init(standardID: s2, code: "fail", note: "便池积粪", caseType: "HJ"), pass[2]]),
                                                 actor: inspector).visitID
        let vP3 = try await s.rounds.recordVisit(round: a, point: p3, scVisit(pass), actor: inspector).visitID
        let vQ2 = try await s.rounds.recordVisit(round: b, point: q2, scVisit([pass[0], pass[1], .init(standardID: s3, code: "deduct", deduction: "2", note: "照明损坏", caseType: "QT")]),
                                                 actor: supervisor).visitID
        let vQ3 = try await s.rounds.recordVisit(round: b, point: q3, scVisit(pass), actor: supervisor).visitID
        try await s.rounds.saveImpression(round: a, scores: [.sanitation: "80", .civility: "90", .facilities: "70", .atmosphere: "100"], actor: inspector)

        let litter = CaseDraft(source: .gridPatrol, typeCode: "LR", description: "湖边步道有垃圾", address: "湖滨路 1 号", latitude: nil, longitude: nil, urgency: .normal)
        let x = try await s.cases.report(.init(draft: litter, territoryID: fx.ids["QC01-01-01-G1"]!), actor: grid)
        let z = try await s.cases.report(.init(draft: litter, territoryID: fx.ids["QC01-01-01-G1"]!), actor: grid)
        let hot = CaseDraft(source: .hotline, typeCode: "LR", description: "东关路垃圾", address: "东关路 2 号", latitude: nil, longitude: nil, urgency: .normal)
        let y = try await s.cases.report(.init(draft: hot, territoryID: fx.ids["QC02-01-01"]!), actor: admin)
        clock.advance(600)
        let xd = try await s.cases.registerAndDispatch(x.id, unitCode: "", actor: mh)
        let zd = try await s.cases.registerAndDispatch(z.id, unitCode: "QC01-D01", actor: mh)
        let yd = try await s.cases.registerAndDispatch(y.id, unitCode: "", actor: admin)
        #expect(xd.unitId == fx.ids["QC01-01"] && zd.unitId == fx.ids["QC01-D01"] && yd.unitId == fx.ids["QC02-01"])
        clock.advance(3600)
        _ = try await s.cases.act(x.id, .init(.feedback, reason: "已清理", photos: [scPhoto(1)]), actor: try await identity("mh_liaison"))
        clock.advance(1800)
        let xc = try await s.cases.act(x.id, .init(.pass), actor: mh)
        #expect(xc.state == "closed" && xc.closedOnTime == 1)
        scSetClock("2026-12-02 10:00")
        return ScMonth(roundA: a, roundB: b, p1: p1, p2: p2, p3: p3, q2: q2, q3: q3, vP1: vP1, vP3: vP3, vQ2: vQ2, vQ3: vQ3,
                       x: xd, y: yd, z: zd, pass: pass)
    }
}

// MARK: - Tests

@Suite("Scores, rankings, notices and the dashboard")
struct ScoreAppTests {
    // MARK: 1. Territories by hand

    @Test func aMonthsTerritoryScoresMatchTheHandComputation() async throws {
        try await withApp { env, _ in
            let m = try await env.scSeedNovember()
            let admin = try await env.identity("admin")
            let run = try await env.s.scores.compute(scNovember)
            #expect(run.status == "draft" && run.version == nil && run.schemeVersion == 1 && run.period == "2026-11")

            // Standard scheme: field 50, impression 10, rectification 20, survey 20 (no data), materials 0.
            // 明湖区: field (5128 + 10000) / 2 = 7564; impression 8500; rectification: x on time, z not → 1 / 2 = 5000.
            //   Weights with data: 50 + 10 + 20 = 80 → shares 6250 / 1250 / 2500.
            //   (7564·50 + 8500·10 + 5000·20) / 80 = (378200 + 85000 + 100000) / 80 = 563200 / 80 = 7040.
            //   Field 75.64 ≥ 60: eligible. 70 ≤ 70.40 < 80: yellow. Lost 100 − 70.40 = 29.60.
            // 东城区: field (8974 + 10000) / 2 = 9487; no impression; rectification: y not on time → 0 / 1 = 0.
            //   Weights with data: 50 + 20 = 70 → shares 7143 / 2857.
            //   (9487·50 + 0·20) / 70 = 474350 / 70 = 6776.4 → 6776. Below 70: red. Lost 32.24.
            let districts = try await env.s.scores.level(.district, run: run.id, actor: admin, detail: true)
            #expect(districts.map(\.name) == ["明湖区", "东城区"])
            let qc01 = try #require(districts.first), qc02 = try #require(districts.last)
            let t1 = try #require(try qc01.detail()?.territory), t2 = try #require(try qc02.detail()?.territory)

            #expect(t1.parts.map(\.component) == [.field, .impression, .rectification, .survey])
            #expect(scPart(t1, .field)?.value == 7564 && scPart(t1, .field)?.share == 6250 && scPart(t1, .field)?.basis == "2 个点位次")
            #expect(scPart(t1, .impression)?.value == 8500 && scPart(t1, .impression)?.share == 1250 && scPart(t1, .impression)?.basis == "4 项评分")
            #expect(scPart(t1, .rectification)?.value == 5000 && scPart(t1, .rectification)?.share == 2500)
            #expect(scPart(t1, .rectification)?.basis == "按期结案 1 / (应结案 2 − 缓办 0)")
            #expect(scPart(t1, .survey)?.value == nil && scPart(t1, .survey)?.share == 0 && scPart(t1, .survey)?.weight == 20)
            #expect(t1.weighted == 7040 && t1.total == 7040 && t1.deducted == 0 && t1.failed.isEmpty && !t1.vetoed && t1.card == .yellow)
            #expect(qc01.total == 7040 && qc01.rank == 1 && qc01.peers == 2 && qc01.card == .yellow && qc01.eligible)
            #expect(qc01.due == 2 && qc01.onTime == 1 && qc01.deferred == 0 && qc01.late == 1 && qc01.lost == 2960)
            #expect(qc01.onTimeRate?.description == "50.00%")
            let d1 = try #require(try qc01.detail())
            #expect(d1.visits == 2 && d1.lostVisits == [m.vP1] && d1.impressions == 4 && d1.lateCases == [m.z.id] && d1.incidents.isEmpty)

            #expect(scPart(t2, .field)?.value == 9487 && scPart(t2, .field)?.share == 7143)
            #expect(scPart(t2, .impression)?.value == nil && scPart(t2, .impression)?.share == 0)
            #expect(scPart(t2, .rectification)?.value == 0 && scPart(t2, .rectification)?.share == 2857)
            #expect(t2.weighted == 6776 && t2.total == 6776 && t2.card == .red && t2.failed.isEmpty)
            #expect(qc02.total == 6776 && qc02.rank == 2 && qc02.peers == 2 && qc02.card == .red && qc02.eligible)
            #expect(qc02.due == 1 && qc02.onTime == 0 && qc02.late == 1 && qc02.lost == 3224)
            let d2 = try #require(try qc02.detail())
            #expect(d2.visits == 2 && d2.lostVisits == [m.vQ2] && d2.impressions == 0 && d2.lateCases == [m.y.id])

            // Communities: 桃源社区 only 003 → 10000 (green, 1st). 东关社区 holds both 东城区 points and y → 6776 (2nd).
            // 柳荫社区: field 5128 (001 only) < 60 → not ranked, red, whatever its weighted score:
            //   (5128·50 + 5000·20) / 70 = 356400 / 70 = 5091.4 → 5091.
            let communities = try await env.s.scores.level(.community, run: run.id, actor: admin, detail: true)
            #expect(communities.map(\.name) == ["桃源社区", "东关社区", "柳荫社区"])
            #expect(communities.map(\.total) == [10000, 6776, 5091])
            #expect(communities.map(\.rank) == [1, 2, nil] && communities.allSatisfy { $0.peers == 2 })
            #expect(communities.map(\.card) == [.green, .red, .red] && communities.map(\.eligible) == [true, true, false])
            #expect(try communities.last?.detail()?.territory?.ineligibleReason == "未达基本条件：实地考察")

            // Units (base 100): the school loses 1 for the problem the district's inspector found at 001 (a mock
            // evaluation case, not closed); 东城区第一中学 gains 1 for its clean point in a district round; the
            // department loses 2 for z, overdue.
            let school = try await env.scRow("QC01-U01", run: run.id), dcSchool = try await env.scRow("QC02-U01", run: run.id)
            let dept = try await env.scRow("QC01-D01", run: run.id)
            #expect(school.total == 9900 && dcSchool.total == 10100 && dept.total == 9800)
            #expect(try school.detail()?.unit?.lines.map { "\($0.kind)|\($0.source)|\($0.points)" } == ["problem|case|-100"])
            #expect(try dcSchool.detail()?.unit?.lines.map { "\($0.kind)|\($0.sourceID)|\($0.points)" } == ["clean|\(m.vQ3)|100"])
            #expect(try dept.detail()?.unit?.lines.map { "\($0.kind)|\($0.sourceID)|\($0.points)|\($0.note)" } == ["late|\(m.z.id)|-200|超期未办结"])
            #expect(dept.late == 1 && dept.due == 1 && dept.onTime == 0)
        }
    }

    /// A street that handles a case in its own territory is both the case's territory and its unit; the case
    /// counts once in its 按期结案率 (the rectification query adds the case's unit only when it is not already
    /// one of the territories on its path).
    @Test func aCaseHandledByItsOwnStreetCountsOnceInTheStreetsRectification() async throws {
        try await withApp { env, _ in
            _ = try await env.scSeedNovember()
            let admin = try await env.identity("admin")
            let run = try await env.s.scores.compute(scNovember)
            let streets = try await env.s.scores.level(.street, run: run.id, actor: admin, detail: true)
            #expect(streets.map(\.name) == ["湖滨街道", "东关街道"])
            let hb = try await env.scRow("QC01-01", run: run.id), dg = try await env.scRow("QC02-01", run: run.id)
            // 湖滨街道: x (on time, handled by the street) and z (late, handled by the department) were dispatched
            // in its territory: 1 / 2 = 50 %. Field as 明湖区 (7564), no impression (the round was the district's):
            //   (7564·50 + 5000·20) / 70 = 478200 / 70 = 6831.4 → 6831.
            // 东关街道: y only: 0 / 1.
            #expect(hb.due == 2 && hb.onTime == 1)
            #expect(hb.total == 6831)
            #expect(dg.due == 1 && dg.onTime == 0)
            // What does not depend on the double count.
            let hbt = try hb.detail()?.territory, dgt = try dg.detail()?.territory
            #expect(scPart(hbt, .field)?.value == 7564 && scPart(dgt, .field)?.value == 9487)
            #expect(dg.total == 6776)
        }
    }

    // MARK: 2. Units

    @Test func aUnitLosesForProblemsFoundByChecksAndGainsForCleanPointsTracedToTheirSources() async throws {
        try await withApp { env, client in
            try await env.insSeedPoints()
            _ = try await env.importNational()
            try await env.scAddUser("city_inspector", .inspector, at: "QC")
            let cityInspector = try await env.identity("city_inspector"), inspector = try await env.identity("inspector")
            let admin = try await env.identity("admin")
            let ck = try await env.insToiletChecklist()
            let pass = ck.values.map { RoundService.Verdict(standardID: $0.id, code: "pass") }
            let p1 = try await env.insPointID("QC01-PC03-001"), p2 = try await env.insPointID("QC01-PC03-002"), q1 = try await env.insPointID("QC02-PC03-001")
            let school = env.fx.ids["QC01-U01"]!

            // A round that started in October, visited now: its clean point counts for October, not November.
            let oct = try await env.insRound(env.insNewRound(name: "十月底检查", kind: .routine, start: "2026-10-30", points: ["QC01-PC03-001"]))
            let vOct = try await env.s.rounds.recordVisit(round: oct, point: p1, scVisit(pass), actor: inspector).visitID

            // Problems at 001 (adopted by the school), all proposed to the school.
            func report(_ type: String, _ source: CaseSource, _ who: Identity) async throws -> CaseRow {
                env.clock.advance(60)
                let d = CaseDraft(source: source, typeCode: type, description: "公厕问题 \(type)", address: "", latitude: nil, longitude: nil, urgency: .normal)
                return try await env.s.cases.report(.init(draft: d, territoryID: nil, pointID: p1), actor: who)
            }
            let c1 = try await report("HJ", .inspection, cityInspector)   // found by the city: −2
            let c2 = try await report("QT", .inspection, inspector)       // found by the district: −1
            let c3 = try await report("HJ", .inspection, cityInspector)   // the city again, same point and type: a repeat, −2 again
            let c4 = try await report("HJ", .hotline, admin)              // not a check source: nothing
            for c in [c1, c2, c3, c4] { #expect(c.unitId == school && c.routeVia == "point" && c.state == "reported") }

            // A city round: clean points adopted by the school (in 东城区) and by 明湖区城市管理局 → +2 each.
            let city = try await env.insRound(env.insNewRound(name: "市级督查", kind: .routine, start: "2026-11-12", members: ["city_inspector"],
                                                              points: ["QC02-PC03-001", "QC01-PC03-002"]), by: "admin")
            let vCity = try await env.s.rounds.recordVisit(round: city, point: q1, scVisit(pass), actor: cityInspector).visitID
            let vCityDept = try await env.s.rounds.recordVisit(round: city, point: p2, scVisit(pass), actor: cityInspector).visitID
            // A district round: the school's point 001 clean → +1.
            let district = try await env.insRound(env.insNewRound(name: "区级督查", kind: .routine, start: "2026-11-13", points: ["QC01-PC03-001"]))
            let vDistrict = try await env.s.rounds.recordVisit(round: district, point: p1, scVisit(pass), actor: inspector).visitID

            // November (the running month: computing it is allowed).
            // School: 100 − 2 − 1 − 2 + 2 + 1 = 98. Problems by time reported, then clean points by visit.
            let run = try await env.s.scores.compute(scNovember)
            let row = try await env.scRow("QC01-U01", run: run.id)
            let u = try #require(try row.detail()?.unit)
            #expect(u.lines.map { "\($0.kind)|\($0.source)|\($0.sourceID)|\($0.points)" } == [
                "problem|case|\(c1.id)|-200", "problem|case|\(c2.id)|-100", "problem|case|\(c3.id)|-200",
                "clean|visit|\(vCity)|200", "clean|visit|\(vDistrict)|100",
            ])
            #expect(u.lines.map(\.label) == [c1.number, c2.number, c3.number, "QC02-PC03-001", "QC01-PC03-001"])
            #expect(u.lines.map(\.note) == ["市级检查发现", "区、街道检查发现", "市级检查发现；重复发现（本期第 2 次），再次扣分", "市级检查点位无问题", "区、街道检查点位无问题"])
            #expect(u.base == 10000 && u.total == 9800 && u.lost == 500 && u.gained == 300 && u.problems == 3 && u.clean == 2 && u.late == 0)
            #expect(row.total == 9800 && row.card == .green && row.eligible && row.lost == 500)
            // Departments: 明湖区城市管理局 100 + 2 = 102, first; the two city departments 100, both second.
            let depts = try await env.s.scores.level(.department, run: run.id, actor: admin)
            #expect(depts.map(\.name) == ["明湖区城市管理局", "青川市城市管理局", "青川市教育局"])
            #expect(depts.map(\.total) == [10200, 10000, 10000] && depts.map(\.rank) == [1, 2, 2] && depts.allSatisfy { $0.peers == 3 })
            #expect(try depts.first?.detail() == nil)   // level() without detail
            #expect(try await env.scRow("QC01-D01", run: run.id).detail()?.unit?.lines.map { "\($0.sourceID)|\($0.points)" } == ["\(vCityDept)|200"])
            // Units: 东城区第一中学 100 first, the school 98 second.
            let units = try await env.s.scores.level(.unit, run: run.id, actor: admin)
            #expect(units.map(\.name) == ["东城区第一中学", "明湖区实验小学"] && units.map(\.rank) == [1, 2])

            // October: only the clean point of the round that started then (a district round: +1).
            let october = try await env.s.scores.compute(Period("2026-10")!)
            let o = try #require(try await env.scRow("QC01-U01", run: october.id).detail()?.unit)
            #expect(o.lines.map { "\($0.kind)|\($0.sourceID)|\($0.points)" } == ["clean|\(vOct)|100"] && o.total == 10100)

            // The score page links each line to its case or visit.
            let a = try await env.session("admin")
            let page = try await client.execute(uri: "/scores/org/\(school)?period=2026-11&run=\(run.id)", method: .get, headers: a.headers)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            for needle in ["/cases/\(c1.id)", "/cases/\(c2.id)", "/cases/\(c3.id)", "/rounds/\(city)/points/\(q1)", "/rounds/\(district)/points/\(p1)", "重复发现", "98"] {
                #expect(html.contains(needle), "page lacks \(needle)")
            }
            #expect(!html.contains("/cases/\(c4.id)\""))
        }
    }

    // MARK: 3. Scope

    @Test func scoresAreSeenOnlyWithinTheUsersScope() async throws {
        try await withApp { env, client in
            _ = try await env.scSeedNovember()
            let run = try await env.s.scores.compute(scNovember)
            let mh = try await env.identity("mh_admin"), leader = try await env.identity("leader"), dc = try await env.identity("dc_liaison")
            let schoolHead = try await env.identity("school_head")
            let qc01 = env.fx.ids["QC01"]!, qc02 = env.fx.ids["QC02"]!
            // 明湖区's admin: its own district, street and units only — also when it asks for a wider range.
            #expect(try await env.s.scores.level(.district, run: run.id, actor: mh).map(\.name) == ["明湖区"])
            #expect(try await env.s.scores.level(.district, run: run.id, actor: mh, within: (try await env.org("QC")).orgPath).map(\.name) == ["明湖区"])
            #expect(try await env.s.scores.level(.street, run: run.id, actor: mh).map(\.name) == ["湖滨街道"])
            #expect(try await env.s.scores.level(.unit, run: run.id, actor: mh).map(\.name) == ["明湖区实验小学"])
            #expect(try await env.s.scores.level(.department, run: run.id, actor: mh).map(\.name) == ["明湖区城市管理局"])
            #expect(try await env.s.scores.one(qc01, run: run.id, actor: mh)?.total == 7040)
            let foreign = appErrorKind(await thrownAppError { _ = try await env.s.scores.one(qc02, run: run.id, actor: mh) })
            #expect(foreign == "forbidden" || foreign == "notFound", "\(foreign)")
            let trend = appErrorKind(await thrownAppError { _ = try await env.s.scores.trend(qc02, periods: [scNovember], actor: mh) })
            #expect(trend == "forbidden" || trend == "notFound", "\(trend)")
            // 东城区's liaison: 东城区 only. The school's head: the school only, not its district.
            #expect(try await env.s.scores.level(.district, run: run.id, actor: dc).map(\.name) == ["东城区"])
            #expect(try await env.s.scores.level(.unit, run: run.id, actor: schoolHead).map(\.name) == ["明湖区实验小学"])
            let up = appErrorKind(await thrownAppError { _ = try await env.s.scores.one(qc01, run: run.id, actor: schoolHead) })
            #expect(up == "forbidden" || up == "notFound", "\(up)")
            // The leader sees the whole city.
            #expect(try await env.s.scores.level(.district, run: run.id, actor: leader).map(\.name) == ["明湖区", "东城区"])
            // Without viewScores: refused.
            for u in ["citizen", "volunteer", "grid01", "supervisor"] {
                let who = try await env.identity(u)
                #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.level(.district, run: run.id, actor: who) }) == "forbidden", "\(u)")
                #expect(appErrorKind(await thrownAppError { _ = try await env.s.dashboard.view(actor: who) }) == "forbidden", "\(u)")
            }

            // Pages: another district's score is not shown; citizens and volunteers are refused.
            let m = try await env.session("mh_admin")
            let other = try await client.execute(uri: "/scores/org/\(qc02)?period=2026-11", method: .get, headers: m.headers)
            #expect(other.status != .ok)
            #expect(other.status == .forbidden || other.status == .notFound, "\(other.status)")
            #expect(!String(buffer: other.body).contains("67.76"))
            let own = try await client.execute(uri: "/scores/org/\(qc01)?period=2026-11", method: .get, headers: m.headers)
            #expect(own.status == .ok && String(buffer: own.body).contains("70.4"))
            let ranking = try await client.execute(uri: "/scores?period=2026-11&level=district", method: .get, headers: m.headers)
            #expect(ranking.status == .ok && String(buffer: ranking.body).contains("明湖区") && !String(buffer: ranking.body).contains("东城区</a>"))
            for u in ["citizen", "volunteer"] {
                let s = try await env.session(u)
                for uri in ["/scores", "/dashboard", "/notices", "/scores/scheme", "/scores/org/\(qc01)?period=2026-11"] {
                    #expect(try await client.execute(uri: uri, method: .get, headers: s.headers).status == .forbidden, "\(u) \(uri)")
                }
            }
        }
    }

    /// The JSON API answers with the same scores and notices as the pages, within the caller's scope: another
    /// district's score is refused, a unit's explanation traces its late case, bad input is a 400 in Chinese.
    @Test func theScoresAndNoticesAPIAnswerWithinTheCallersScope() async throws {
        try await withApp { env, client in
            let m = try await env.scSeedNovember()
            let qc01 = env.fx.ids["QC01"]!, qc02 = env.fx.ids["QC02"]!, dept = env.fx.ids["QC01-D01"]!
            let mh = try await env.token("mh_admin")
            func get(_ uri: String, _ token: String) async throws -> TestResponse { try await client.execute(uri: uri, method: .get, headers: bearer(token)) }

            let list = try await get("/api/v1/scores?period=2026-11&level=district", mh)
            #expect(list.status == .ok)
            let body = decodeJSON(list.body)
            let rows = body["rows"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["name"] as? String } == ["明湖区"])
            #expect(rows.first?["total"] as? Double == 70.4 && rows.first?["rank"] as? Int == 1 && rows.first?["card"] as? String == "yellow")
            #expect((body["run"] as? [String: Any])?["status"] as? String == "draft")

            #expect([.forbidden, .notFound].contains(try await get("/api/v1/scores/\(qc02)?period=2026-11", mh).status))
            let own = decodeJSON(try await get("/api/v1/scores/\(qc01)?period=2026-11", mh).body)
            #expect((own["score"] as? [String: Any])?["total"] as? Double == 70.4)
            #expect((own["explanation"] as? [String: Any])?["territory"] != nil)
            let unit = decodeJSON(try await get("/api/v1/scores/\(dept)?period=2026-11", mh).body)
            let lines = ((unit["explanation"] as? [String: Any])?["unit"] as? [String: Any])?["lines"] as? [[String: Any]] ?? []
            #expect(lines.contains { $0["kind"] as? String == "late" && $0["label"] as? String == m.z.number && $0["sourceID"] as? Int == Int(m.z.id) }, "\(lines)")

            let bad = try await get("/api/v1/scores?period=2026-13&level=district", mh)
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("期间写成"))
            let badLevel = try await get("/api/v1/scores?period=2026-11&level=planet", mh)
            #expect(badLevel.status == .badRequest && String(buffer: badLevel.body).contains("测评层级写成"))
            #expect(try await get("/api/v1/scores?period=2026-11&level=district", try await env.token("citizen")).status == .forbidden)

            // Notices: the district liaison of the unit a notice criticises finds it in its inbox; drafts stay the office's.
            let admin = try await env.identity("admin")
            let id = try await env.s.notices.draft(kind: .monthly, period: "2026-11", scopeID: env.fx.ids["QC"]!, roundID: nil, actor: admin, rounds: env.s.rounds)
            let dc = try await env.token("dc_liaison")
            #expect(try await get("/api/v1/notices/\(id)", dc).status == .notFound)
            #expect((decodeJSON(try await get("/api/v1/notices", dc).body)["items"] as? [Any])?.isEmpty == true)
            let number = try await env.s.notices.issue(id, actor: admin)
            let inbox = decodeJSON(try await get("/api/v1/notices?inbox=true", dc).body)["items"] as? [[String: Any]] ?? []
            #expect(inbox.map { $0["number"] as? String } == [number] && inbox.first?["read"] as? Bool == false)
            let one = decodeJSON(try await get("/api/v1/notices/\(id)", dc).body)
            #expect(one["status"] as? String == "issued" && (one["body"] as? String)?.contains("东城区") == true)
            #expect((one["units"] as? [[String: Any]])?.contains { $0["code"] as? String == "QC02" && ($0["reason"] as? String)?.hasPrefix("批评") == true } == true)
            #expect((decodeJSON(try await get("/api/v1/notices?inbox=true", dc).body)["items"] as? [[String: Any]])?.first?["read"] as? Bool == true)
            let school = try await env.token("school_liaison")
            #expect(try await get("/api/v1/notices/\(id)", school).status == .notFound)
            #expect((decodeJSON(try await get("/api/v1/notices?inbox=true", school).body)["items"] as? [Any])?.isEmpty == true)
        }
    }

    // MARK: 4. Publishing

    @Test func publishedVersionsAreFrozenAndCorrectionsBecomeNewVersions() async throws {
        try await withApp { env, _ in
            let m = try await env.scSeedNovember()
            let admin = try await env.identity("admin"), mh = try await env.identity("mh_admin"), leader = try await env.identity("leader")
            // The running month (December) cannot be published yet; nor may a district or a leader publish.
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.publish(scDecember, note: "", actor: admin) }) == "conflict")
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.publish(scNovember, note: "", actor: mh) }) == "forbidden")
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.publish(scNovember, note: "", actor: leader) }) == "forbidden")
            #expect(try await env.s.scores.runs(scNovember).allSatisfy { !$0.isPublished })

            let v1 = try await env.s.scores.publish(scNovember, note: "", actor: admin)
            #expect(v1.status == "published" && v1.version == 1 && v1.publishedBy == admin.userID && v1.publishedAt == env.clock.now().epoch)
            #expect(try await env.scRunRow(v1.id).version == 1)
            #expect(try await env.s.scores.level(.district, run: v1.id, actor: admin).map(\.total) == [7040, 6776])
            // Nothing changed since: publishing again is refused.
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.publish(scNovember, note: "再发一次", actor: admin) }) == "conflict")

            // The database refuses to change a published run or its scores.
            let frozen = try await env.scScores(v1.id)
            let runBefore = try await env.scRunRow(v1.id)
            let qc = try await env.org("QC")
            for sql in [
                "UPDATE scores SET total_h = 10000 WHERE run_id = \(v1.id)",
                "UPDATE scores SET rank = 1 WHERE run_id = \(v1.id) AND org_id = \(env.fx.ids["QC02"]!)",
                "DELETE FROM scores WHERE run_id = \(v1.id)",
                "INSERT INTO scores (run_id, org_id, level, org_path, peers, eligible, detail) VALUES (\(v1.id), \(qc.id), 'district', '\(qc.path)', 0, 1, '{}')",
                "UPDATE score_runs SET status = 'draft' WHERE id = \(v1.id)",
                "UPDATE score_runs SET note = '改' WHERE id = \(v1.id)",
                "UPDATE score_runs SET version = 9 WHERE id = \(v1.id)",
                "DELETE FROM score_runs WHERE id = \(v1.id)",
            ] {
                #expect(await env.insRefuses(sql), "not refused: \(sql)")
            }
            #expect(try await env.scScores(v1.id) == frozen)
            #expect(try await env.scRunRow(v1.id) == runBefore)

            // An input changes: 002 of round A (started in November) is visited now, all good.
            // 明湖区 field (5128 + 10000 + 10000) / 3 = 8376; (8376·50 + 85000 + 100000) / 80 = 603800 / 80 = 7547.5 → 7548.
            _ = try await env.s.rounds.recordVisit(round: m.roundA, point: m.p2, scVisit(m.pass), actor: try await env.identity("inspector"))
            let noNote = await thrownAppError { _ = try await env.s.scores.publish(scNovember, note: "  ", actor: admin) }
            #expect(appErrorKind(noNote) == "validation" && scKeys(noNote) == ["note"])
            #expect(try await env.s.scores.runs(scNovember).compactMap(\.version) == [1])
            let v2 = try await env.s.scores.publish(scNovember, note: "补录明湖区点位检查结果", actor: admin)
            #expect(v2.version == 2 && v2.note == "补录明湖区点位检查结果" && v2.id != v1.id)
            #expect(try await env.s.scores.level(.district, run: v2.id, actor: admin).map(\.total) == [7548, 6776])
            #expect(try await env.s.scores.runs(scNovember).map(\.version) == [2, 1])
            #expect(try await env.s.scores.run(scNovember).id == v2.id)
            #expect(try await env.s.scores.run(scNovember, id: v1.id).version == 1)
            // Version 1 is as it was.
            #expect(try await env.scScores(v1.id) == frozen)
            #expect(try await env.s.scores.level(.district, run: v1.id, actor: admin).map(\.total) == [7040, 6776])
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'scores_published'") == 2)
        }
    }

    // MARK: 5. Keeping drafts current

    @Test func theSweepRecomputesOnlyWhenItsInputsChanged() async throws {
        try await withApp { env, _ in
            // The fixture's clock: 2026-11-18. Running month, last month, quarter and year.
            let all = [Period("2026-11")!, Period("2026-10")!, Period("2026-Q4")!, Period("2026")!]
            #expect(try await env.s.scores.sweep() == all)
            #expect(try await env.s.scores.sweep() == [])
            #expect(try await env.s.scores.sweep() == [])
            let first = try #require(try await env.s.scores.runs(scNovember).first)

            // A case filed: everything is recomputed, the month's draft replaced (one draft per period).
            let draft = CaseDraft(source: .gridPatrol, typeCode: "LR", description: "垃圾", address: "湖滨路", latitude: nil, longitude: nil, urgency: .normal)
            _ = try await env.s.cases.report(.init(draft: draft, territoryID: env.fx.ids["QC01-01-01-G1"]!), actor: try await env.identity("grid01"))
            env.clock.advance(60)
            let again = try await env.s.scores.sweep()
            #expect(again.contains(scNovember) && again == all)
            let runs = try await env.s.scores.runs(scNovember)
            #expect(runs.count == 1 && runs[0].id != first.id && runs[0].inputs != first.inputs && runs[0].computedAt == first.computedAt + 60)
            #expect(try await env.s.scores.sweep() == [])

            // Last month published and unchanged: not recomputed. A future period cannot be computed.
            _ = try await env.s.scores.publish(Period("2026-10")!, note: "", actor: try await env.identity("admin"))
            #expect(try await env.s.scores.sweep() == [])
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.compute(scDecember) }) == "conflict")
        }
    }

    /// The fingerprint the sweep and publishing compare is read on either engine (on PostgreSQL a SUM over BIGINT
    /// is NUMERIC, so the negative-list checksum is cast back to BIGINT).
    @Test func theFingerprintIsReadOnEitherEngine() async throws {
        try await withApp { env, _ in
            let fp = try await env.s.db.read { try await ScoreService.fingerprint($0) }
            #expect(!fp.isEmpty)
            #expect(try await env.s.scores.sweep().count == 4)
        }
    }

    // MARK: 6. The scheme

    @Test func aSchemeChangeIsANewVersionUsedByTheNextComputation() async throws {
        try await withApp { env, _ in
            _ = try await env.scSeedNovember()
            let admin = try await env.identity("admin")
            let before = try await env.s.scores.compute(scNovember)
            #expect(before.schemeVersion == 1)

            // Weights summing to 90: refused, nothing saved.
            var bad = ScoringScheme.standard
            bad.weights[.survey] = 10
            let e = await thrownAppError { _ = try await env.s.scores.saveScheme(bad, note: "", actor: admin) }
            #expect(appErrorKind(e) == "validation" && scKeys(e).contains("w_field"))
            var yearsBad = ScoringScheme.standard
            yearsBad.yearWeights = [20, 20, 20]
            #expect(scKeys(await thrownAppError { _ = try await env.s.scores.saveScheme(yearsBad, note: "", actor: admin) }) == ["yearWeights"])
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.saveScheme(ScoringScheme.standard, note: "", actor: admin) }) == "conflict")
            var good = ScoringScheme.standard
            good.weights[.field] = 60
            good.weights[.survey] = 10
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.saveScheme(good, note: "", actor: try await env.identity("mh_admin")) }) == "forbidden")
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.scores.saveScheme(good, note: "", actor: try await env.identity("leader")) }) == "forbidden")
            #expect(try await env.s.scores.scheme().version == 1)
            #expect(try await env.s.scores.schemeHistory().count == 1)

            // A valid change: version 2, used by the next computation.
            #expect(try await env.s.scores.saveScheme(good, note: "实地考察权重调整为 60", actor: admin) == 2)
            let current = try await env.s.scores.scheme()
            #expect(current.version == 2 && current.scheme == good && current.note == "实地考察权重调整为 60")
            #expect(try await env.s.scores.schemeHistory().map(\.version) == [2, 1])
            let after = try await env.s.scores.compute(scNovember)
            #expect(after.schemeVersion == 2)
            // 明湖区: (7564·60 + 8500·10 + 5000·20) / 90 = 638840 / 90 = 7098.2 → 7098.
            // 东城区: (9487·60 + 0·20) / 80 = 569220 / 80 = 7115.25 → 7115: now first.
            let rows = try await env.s.scores.level(.district, run: after.id, actor: admin)
            #expect(rows.map(\.name) == ["东城区", "明湖区"] && rows.map(\.total) == [7115, 7098] && rows.map(\.rank) == [1, 2])
            // Old versions are kept as written.
            #expect(await env.insRefuses("UPDATE scoring_schemes SET note = '改' WHERE version = 1"))
            #expect(await env.insRefuses("DELETE FROM scoring_schemes WHERE version = 1"))
            #expect(try await env.s.scores.schemeHistory().count == 2)
        }
    }

    // MARK: 7. Notices

    @Test func aNoticeIsDraftedEditedIssuedFrozenAndReachesTheUnitsItNames() async throws {
        try await withApp { env, _ in
            _ = try await env.scSeedNovember()
            let admin = try await env.identity("admin"), leader = try await env.identity("leader")
            let qc = env.fx.ids["QC"]!
            let id = try await env.s.notices.draft(kind: .monthly, period: "2026-11", scopeID: qc, roundID: nil, actor: admin, rounds: env.s.rounds)
            let (n, units) = try await env.s.notices.get(id, actor: admin)
            #expect(n.status == "draft" && n.number == nil && n.kind == "monthly" && n.period == "2026-11" && n.scopeId == qc)
            #expect(n.title == "关于2026年11月青川市文明城市创建工作情况的通报" && n.title.contains("2026年11月"))
            #expect(n.issuer == "市文明创建工作办公室")
            #expect(n.body.contains("区县测评排名（实时计算）"))
            #expect(n.body.contains("第 1 名　明湖区　70.4 分　黄牌"), "\(n.body)")
            #expect(n.body.contains("第 2 名　东城区　67.76 分　红牌"))
            #expect(n.body.contains("超过办结期限仍未办结的问题 2 件"))
            // Named: 东城区 (red card), the units holding overdue cases (z, y), and the best units without late cases
            // (东城区第一中学 101, then the two city departments at 100, by id).
            let reasons = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.reason) })
            #expect(reasons == ["QC02": "批评：得分 67.76，红牌", "QC01-D01": "超期未办结：1 件", "QC02-01": "超期未办结：1 件",
                                "QC02-U01": "表扬：考核得分 101，无超期案卷", "QC-D01": "表扬：考核得分 100，无超期案卷", "QC-D02": "表扬：考核得分 100，无超期案卷"])

            // Drafts are the office's: a leader neither reads nor lists them.
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.notices.get(id, actor: leader) }) == "notFound")
            #expect(!(try await env.s.notices.list(actor: leader)).contains { $0.n.id == id })
            #expect(try await env.s.notices.list(actor: admin).contains { $0.n.id == id })
            #expect(appErrorKind(await thrownAppError { try await env.s.notices.save(id, title: "x", body: "y", units: "", actor: leader) }) == "forbidden")

            // An unknown unit code: refused, nothing changed.
            let state = try await env.scNoticeState(id)
            let e = await thrownAppError { try await env.s.notices.save(id, title: "新标题", body: "正文", units: "QC02 批评\nNOPE 不存在", actor: admin) }
            #expect(appErrorKind(e) == "validation" && scKeys(e) == ["units"])
            if case .validation(let f)? = e { #expect(f["units"]?.contains("NOPE") == true) }
            let empty = await thrownAppError { try await env.s.notices.save(id, title: " ", body: "正文", units: "", actor: admin) }
            #expect(scKeys(empty) == ["title"])
            #expect(try await env.scNoticeState(id) == state)

            // Edited: a new title and the one unit the office names.
            let title = "关于2026年11月青川市文明城市创建工作情况的通报（修订）"
            try await env.s.notices.save(id, title: " \(title) ", body: n.body + "\n特此通报。", units: "QC02-U01 点位问题整改不力\n", actor: admin)
            let (edited, named) = try await env.s.notices.get(id, actor: admin)
            #expect(edited.title == title && edited.body.hasSuffix("特此通报。") && edited.status == "draft")
            #expect(named.map { "\($0.code)|\($0.reason)" } == ["QC02-U01|点位问题整改不力"])

            // Issued: numbered, frozen.
            let number = try await env.s.notices.issue(id, actor: admin)
            #expect(number == "创文通报〔2026〕1号")
            let (issued, _) = try await env.s.notices.get(id, actor: admin)
            #expect(issued.status == "issued" && issued.number == number && issued.issuedBy == admin.userID && issued.issuedAt == env.clock.now().epoch)
            let frozen = try await env.scNoticeState(id)
            #expect(appErrorKind(await thrownAppError { try await env.s.notices.save(id, title: "改", body: "改", units: "", actor: admin) }) == "conflict")
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.notices.issue(id, actor: admin) }) == "conflict")
            #expect(appErrorKind(await thrownAppError { try await env.s.notices.deleteDraft(id, actor: admin) }) == "conflict")
            let school = env.fx.ids["QC01-U01"]!, schoolPath = try await env.org("QC01-U01").path
            for sql in [
                "UPDATE notices SET title = '篡改' WHERE id = \(id)",
                "UPDATE notices SET status = 'draft' WHERE id = \(id)",
                "DELETE FROM notices WHERE id = \(id)",
                "DELETE FROM notice_units WHERE notice_id = \(id)",
                "INSERT INTO notice_units (notice_id, org_id, org_path, reason) VALUES (\(id), \(school), '\(schoolPath)', '追加')",
            ] {
                #expect(await env.insRefuses(sql), "not refused: \(sql)")
            }
            #expect(try await env.scNoticeState(id) == frozen)

            // The named unit's district liaison finds it in the inbox; a liaison whose units are not named neither
            // finds nor reads it. The leader now reads it (issued, in scope).
            let dc = try await env.identity("dc_liaison")
            let inbox = try await env.s.notices.inbox(actor: dc)
            #expect(inbox.map(\.n.id) == [id] && inbox.first?.read == false && inbox.first?.named == 1)
            #expect(try await env.s.notices.get(id, actor: dc).0.number == number)
            #expect(try await env.s.notices.inbox(actor: dc).first?.read == true)
            for u in ["school_liaison", "mh_liaison"] {
                let who = try await env.identity(u)
                #expect(try await env.s.notices.inbox(actor: who).isEmpty, "\(u)")
                #expect(appErrorKind(await thrownAppError { _ = try await env.s.notices.get(id, actor: who) }) == "notFound", "\(u)")
            }
            #expect(try await env.s.notices.get(id, actor: leader).0.status == "issued")
            #expect(try await env.s.notices.list(actor: leader).map(\.n.id) == [id])

            // A draft may be deleted (by the office only); the next issued notice takes the next number.
            let second = try await env.s.notices.draft(kind: .monthly, period: "2026-11", scopeID: qc, roundID: nil, actor: admin, rounds: env.s.rounds)
            #expect(appErrorKind(await thrownAppError { try await env.s.notices.deleteDraft(second, actor: leader) }) == "forbidden")
            try await env.s.notices.deleteDraft(second, actor: admin)
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.notices.get(second, actor: admin) }) == "notFound")
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM notice_units WHERE notice_id = \(second)") == 0)
            let third = try await env.s.notices.draft(kind: .monthly, period: "2026-11", scopeID: qc, roundID: nil, actor: admin, rounds: env.s.rounds)
            #expect(try await env.s.notices.issue(third, actor: admin) == "创文通报〔2026〕2号")
            // A notice cannot be drafted for a month with a bad period, or for a unit.
            #expect(scKeys(await thrownAppError { _ = try await env.s.notices.draft(kind: .monthly, period: "2026-13", scopeID: qc, roundID: nil, actor: admin, rounds: env.s.rounds) }) == ["period"])
            #expect(scKeys(await thrownAppError { _ = try await env.s.notices.draft(kind: .monthly, period: "2026-11", scopeID: school, roundID: nil, actor: admin, rounds: env.s.rounds) }) == ["scope"])
        }
    }

    /// A round's notice names the units that lost points in it. On PostgreSQL `SUM(vi.lost_h)` (BIGINT) is NUMERIC,
    /// which NoticeService.draft decodes as Int64, so a round notice cannot be drafted there.
    @Test func aRoundNoticeNamesTheUnitsThatLostPoints() async throws {
        try await withApp { env, _ in
            let m = try await env.scSeedNovember()
            let mh = try await env.identity("mh_admin")
            do {
                let id = try await env.s.notices.draft(kind: .round, period: "", scopeID: env.fx.ids["QC01"]!, roundID: m.roundA, actor: mh, rounds: env.s.rounds)
                let (n, units) = try await env.s.notices.get(id, actor: mh)
                #expect(n.kind == "round" && n.period == "round:\(m.roundA)" && n.issuer == "明湖区文明创建工作办公室")
                #expect(n.title == "关于“十一月明湖区模拟测评”明湖区文明城市创建工作情况的通报")
                // Round A: 001 5128, 003 10000 (002 not visited) → 湖滨街道 (5128 + 10000) / 2 = 7564.
                #expect(n.body.contains("第 1 名　明湖区 湖滨街道　75.64 分　2 个点位"), "\(n.body)")
                // The school answers for 001's lost 9.5 points.
                #expect(units.map { "\($0.code)|\($0.reason)" } == ["QC01-U01|检查发现问题：1 项问题，失分 9.5"])
                #expect(try await env.s.notices.issue(id, actor: mh) == "明湖区创文通报〔2026〕1号")
            }
        }
    }

    /// With `dashboardCacheSeconds` the dashboard is one reading per org and role for that long: a second leader of
    /// the city within the window gets the same reading (even though a case has become overdue meanwhile), a district
    /// gets its own, and once the window has passed the reading is taken again and shows the new overdue case.
    @Test func theDashboardIsOneReadingPerScopeForItsCacheSeconds() async throws {
        try await withApp { env, _ in
            let data = try await env.scSeedNovember()
            let admin = try await env.identity("admin"), mh = try await env.identity("mh_admin")
            let first = try await env.s.dashboard.view(actor: admin, cacheSeconds: 30)
            let fresh = try await env.s.dashboard.view(actor: admin)
            #expect(first.overdueTotal == fresh.overdueTotal)
            let district = try await env.s.dashboard.view(actor: mh, cacheSeconds: 30)
            #expect(district.scope.id != first.scope.id && district.overdueTotal < first.overdueTotal)

            // Within the window the same reading, even after y's deadline has been moved to next week in the database;
            // past the window the reading is taken again and y no longer counts as overdue.
            env.clock.advance(10)
            let nextWeek = env.clock.now().epoch + 7 * 86_400
            try await env.s.db.write { try await $0.raw("UPDATE cases SET deadline_at = \(bind: nextWeek) WHERE id = \(bind: data.y.id)").run() }
            env.clock.advance(10)
            let within = try await env.s.dashboard.view(actor: admin, cacheSeconds: 30)
            #expect(within.countedAt == first.countedAt && within.overdueTotal == first.overdueTotal)
            env.clock.advance(11)
            let after = try await env.s.dashboard.view(actor: admin, cacheSeconds: 30)
            #expect(after.countedAt > first.countedAt && after.overdueTotal == first.overdueTotal - 1)
            // A district's reading is its own.
            #expect(try await env.s.dashboard.view(actor: mh, cacheSeconds: 30).scope.id == district.scope.id)
        }
    }

    // MARK: 8. Pages

    @Test func thePagesRenderForTheCityAdmin() async throws {
        try await withApp { env, client in
            _ = try await env.scSeedNovember()
            let admin = try await env.identity("admin")
            let a = try await env.session("admin")
            func get(_ uri: String, _ s: Session) async throws -> TestResponse { try await client.execute(uri: uri, method: .get, headers: s.headers) }
            func post(_ uri: String, _ s: Session, _ fields: [(String, String)]) async throws -> TestResponse {
                try await client.execute(uri: uri, method: .post, headers: formHeaders(s), body: WenmingAppTests.form([("_csrf", s.csrf)] + fields))
            }

            // The dashboard before anything was computed for December: overdue y and z, one under each district.
            let view = try await env.s.dashboard.view(actor: admin)
            #expect(view.period == scDecember && view.run == nil && view.overdueTotal == 2)
            #expect(Set(view.overdue.map { "\($0.name)|\($0.count)" }) == ["明湖区|1", "东城区|1"])

            let id = try await env.s.notices.draft(kind: .monthly, period: "2026-11", scopeID: env.fx.ids["QC"]!, roundID: nil, actor: admin, rounds: env.s.rounds)
            let qc01 = env.fx.ids["QC01"]!
            for (uri, needles) in [
                ("/dashboard", ["领导驾驶舱", "青川市", "超期未办案卷"]),
                ("/scores?period=2026-11", ["2026年11月区县排名", "明湖区", "70.4", "67.76", "黄牌", "红牌"]),
                ("/scores?period=2026-11&level=community", ["柳荫社区", "未达基本条件：实地考察"]),
                ("/scores?period=2026-11&level=department", ["明湖区城市管理局", "98"]),
                ("/scores/scheme", ["测评方案（当前第 1 版）", "实地考察"]),
                ("/scores/org/\(qc01)?period=2026-11", ["明湖区", "实地考察", "总体印象", "问题整改", "70.4"]),
                ("/notices", ["通报", "关于2026年11月青川市文明城市创建工作情况的通报"]),
                ("/notices/\(id)", ["关于2026年11月青川市文明城市创建工作情况的通报", "排名"]),
                ("/notices/\(id)/print", ["关于2026年11月青川市文明城市创建工作情况的通报", "第 1 名"]),
            ] {
                let r = try await get(uri, a)
                #expect(r.status == .ok, "\(uri): \(r.status)")
                let text = String(buffer: r.body)
                for n in needles { #expect(text.contains(n), "\(uri) lacks \(n)") }
            }
            let export = try await get("/notices/\(id)/export.html", a)
            #expect(export.status == .ok && export.headers[.contentDisposition]?.hasPrefix("attachment") == true)

            // Publishing through the page: a district admin is refused; the city admin publishes version 1.
            let m = try await env.session("mh_admin")
            #expect(try await post("/scores/publish", m, [("period", "2026-11")]).status == .forbidden)
            #expect(try await env.s.scores.runs(scNovember).allSatisfy { !$0.isPublished })
            let published = try await post("/scores/publish", a, [("period", "2026-11"), ("level", "district")])
            #expect(published.status == .found)
            #expect(try await env.s.scores.runs(scNovember).first?.version == 1)
            #expect(String(buffer: try await get("/scores?period=2026-11", a).body).contains("已发布第 1 版"))
            // The running month: not published, back to the page with the reason.
            let running = try await post("/scores/publish", a, [("period", "2026-12")])
            #expect(running.status == .found && running.headers[.location]?.contains("live=1") == true)
            #expect(try await env.s.scores.runs(scDecember).allSatisfy { !$0.isPublished })

            // A scheme form whose weights do not add up: 400 with the reason, no new version.
            var fields: [(String, String)] = [("w_field", "50"), ("w_impression", "10"), ("w_rectification", "20"), ("w_materials", "0"), ("w_survey", "10"),
                                              ("pre_field", "60"), ("greenMin", "90"), ("yellowBelow", "80"), ("redBelow", "70"), ("unitBase", "100"),
                                              ("cityProblem", "2"), ("localProblem", "1"), ("onSpotHours", "24"), ("lateCase", "2"), ("cityClean", "2"),
                                              ("localClean", "1"), ("yearWeights", "15/25/60"), ("note", "试")]
            fields += [("source", "inspection"), ("source", "undercover"), ("source", "mock_evaluation")]
            let bad = try await post("/scores/scheme", a, fields)
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("各分项权重之和须为 100，现在是 90"))
            #expect(try await env.s.scores.scheme().version == 1)
            fields[4] = ("w_survey", "20")
            fields[0] = ("w_field", "45")
            fields[1] = ("w_impression", "15")
            let ok = try await post("/scores/scheme", a, fields)
            #expect(ok.status == .found)
            let saved = try await env.s.scores.scheme()
            #expect(saved.version == 2 && saved.scheme.weights[.field] == 45 && saved.scheme.weights[.impression] == 15 && saved.note == "试")

            // The issued notice prints with its number; the named unit's district reads it.
            _ = try await env.s.notices.issue(id, actor: admin)
            let printed = String(buffer: try await get("/notices/\(id)/print", a).body)
            #expect(printed.contains("创文通报〔2026〕1号"))
            let dc = try await env.session("dc_liaison")
            #expect(try await get("/notices/\(id)", dc).status == .ok)
            #expect(try await get("/notices/\(id)", try await env.session("school_liaison")).status == .notFound)
            #expect(try await get("/dashboard", m).status == .ok)
            #expect(try await get("/dashboard", try await env.session("school_head")).status == .ok)
        }
    }
}
