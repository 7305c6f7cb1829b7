import Foundation
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

// MARK: - Helpers (prefixed `cs` so they cannot clash with other test files)

/// A small JPEG-looking upload (the magic bytes are what the store checks); `seed` makes the content differ.
private func csJPEG(_ name: String = "a.jpg", _ seed: UInt8 = 0) -> Upload {
    let head: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
    return Upload(filename: name, bytes: head + [UInt8](repeating: 0, count: 100) + [seed])
}

/// Epoch seconds of a Beijing wall-clock time written `yyyy-MM-dd HH:mm`.
private func csEpoch(_ s: String) -> Int64 {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = WorkCalendar.shanghai
    let p = s.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
    let d = cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4]))!
    return Int64(d.timeIntervalSince1970)
}


extension TestEnv {
    /// Files a case as `user` in `territory` (an org code).
    func csReport(_ user: String = "grid01", type: String = "LR", in territory: String = "QC01-01-01-G1", source: CaseSource = .gridPatrol,
                  urgency: CaseUrgency = .normal, photos: [Upload] = []) async throws -> CaseRow {
        let draft = CaseDraft(source: source, typeCode: type, description: "测试问题（\(type)）", address: "湖滨路 1 号",
                              latitude: nil, longitude: nil, urgency: urgency)
        return try await s.cases.report(.init(draft: draft, territoryID: fx.ids[territory]!, photos: photos), actor: try await identity(user))
    }

    /// "state#events" of a case, read straight from the tables.
    func csSnapshot(_ id: Int64) async throws -> String {
        try await s.db.read { db -> String in
            let st = try await db.raw("SELECT state FROM cases WHERE id = \(bind: id)").first()!.decode(column: "state", as: String.self)
            let n = try await db.raw("SELECT COUNT(*) AS n FROM case_events WHERE case_id = \(bind: id)").first()!.decode(column: "n", as: Int.self)
            return "\(st)#\(n)"
        }
    }

    /// The actions of a case's events, in order.
    func csActions(_ id: Int64) async throws -> [String] {
        try await s.db.read { db -> [String] in
            try await db.raw("SELECT action FROM case_events WHERE case_id = \(bind: id) ORDER BY id").all().map { try $0.decode(column: "action", as: String.self) }
        }
    }

    func csCount(_ sql: String) async throws -> Int {
        try await s.db.read { db -> Int in try await db.raw("\(unsafeRaw: sql)").first()!.decode(column: "n", as: Int.self) }
    }

    /// The running counters against a count of the cases themselves (`countersAgree`).
    func csCountersAgree() async throws { try await countersAgree(s.db) }

    /// Moves the test clock to a Beijing wall-clock time (`yyyy-MM-dd HH:mm`).
    func csSetClock(_ beijing: String) {
        clock.advance(TimeInterval(csEpoch(beijing)) - clock.now().timeIntervalSince1970)
    }

    /// One escalation sweep, as "notices+summonses".
    func csEscalate() async throws -> String {
        let r = try await s.cases.escalate()
        return "\(r.notices)+\(r.summonses)"
    }

    /// A step that must be refused with the given kind of AppError, leaving the case's state and events as they were.
    func csRefused(_ kind: String, case id: Int64, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async throws {
        let before = try await csSnapshot(id)
        let e = await thrownAppError(body)
        #expect(appErrorKind(e) == kind, "got \(String(describing: e))", sourceLocation: sourceLocation)
        let after = try await csSnapshot(id)
        #expect(after == before, sourceLocation: sourceLocation)
    }
}

// MARK: - Tests

/// The running counters (case_totals by state, case_counts by territory, unit and state, case_due by deadline day)
/// against a count of the cases themselves.
func countersAgree(_ db: Database) async throws {
    // Each row as "key/key/…=n", the count last.
    func rows(_ sql: String) async throws -> [String] {
        try await db.read { db in
            try await db.raw("\(unsafeRaw: sql)").all().map { r in
                try r.allColumns.dropLast().map { try r.decode(column: $0, as: String.self) }.joined(separator: "/")
                    + "=" + String(r.decode(column: "n", as: Int64.self))
            }
        }
    }
    let byState = try await rows("SELECT state, CAST(COUNT(*) AS BIGINT) AS n FROM cases GROUP BY state ORDER BY state")
    let totals = try await rows("SELECT state, CAST(SUM(n) AS BIGINT) AS n FROM case_totals GROUP BY state HAVING SUM(n) > 0 ORDER BY state")
    let counts = try await rows("""
        SELECT CAST(territory_id AS TEXT) AS t, CAST(unit_id AS TEXT) AS u, state, CAST(SUM(n) AS BIGINT) AS n FROM case_counts
        GROUP BY territory_id, unit_id, state HAVING SUM(n) > 0 ORDER BY 1, 2, 3
        """)
    let fromCases = try await rows("""
        SELECT CAST(territory_id AS TEXT) AS t, CAST(COALESCE(unit_id, 0) AS TEXT) AS u, state, CAST(COUNT(*) AS BIGINT) AS n FROM cases
        GROUP BY territory_id, COALESCE(unit_id, 0), state ORDER BY 1, 2, 3
        """)
    let clock = CaseService.sqlList(CaseService.clockStates)
    let due = try await rows("SELECT CAST(day AS TEXT) AS d, n FROM case_due WHERE n <> 0 ORDER BY day")
    let dueFromCases = try await rows("""
        SELECT CAST(deadline_at / 86400 AS TEXT) AS d, CAST(COUNT(*) AS BIGINT) AS n FROM cases
        WHERE state IN (\(clock)) AND deadline_at IS NOT NULL GROUP BY deadline_at / 86400 ORDER BY deadline_at / 86400
        """)
    #expect(!byState.isEmpty)
    #expect(totals == byState)
    #expect(counts == fromCases)
    #expect(due == dueFromCases)
}

@Suite("Rectification cases")
struct CaseTests {
    @Test func theFullLoopFromReportToClosure() async throws {
        try await withApp { env, _ in
            let grid = try await env.identity("grid01")
            let mh = try await env.identity("mh_admin")
            let admin = try await env.identity("admin")
            let liaison = try await env.identity("school_liaison")
            let inspector = try await env.identity("inspector")
            let gridID = env.fx.ids["QC01-01-01-G1"]!
            let t0: Int64 = 1_795_000_000

            let draft = CaseDraft(source: .gridPatrol, typeCode: "LR", description: "湖边步道有成堆垃圾", address: "湖滨路 1 号",
                                  latitude: nil, longitude: nil, urgency: .normal)
            let c = try await env.s.cases.report(.init(draft: draft, territoryID: gridID, photos: [csJPEG("a.jpg")]), actor: grid)
            #expect(c.number == "2026-00000001")
            #expect(c.state == "reported")
            #expect(c.territoryId == gridID)
            #expect(c.unitId == env.fx.ids["QC01-01"])   // the street above the grid
            #expect(c.routeVia == "territory")
            #expect(c.rule == "h24")
            #expect(c.reporterId == env.fx.users["grid01"])
            #expect(c.reportedAt == t0)
            #expect(c.dispatchedAt == nil && c.deadlineAt == nil && c.dispatchDueAt == nil && c.registeredAt == nil)
            let second = try await env.s.cases.report(.init(draft: draft, territoryID: gridID), actor: grid)
            #expect(second.number == "2026-00000002")

            env.clock.advance(600)
            let reg = try await env.s.cases.act(c.id, .init(.register), actor: mh)
            #expect(reg.state == "registered")
            #expect(reg.registeredAt == t0 + 600)

            env.clock.advance(600)
            let d = try await env.s.cases.act(c.id, .init(.dispatch, unitCode: "QC01-U01"), actor: mh)
            #expect(d.state == "dispatched")
            #expect(d.unitId == env.fx.ids["QC01-U01"])
            #expect(d.routeVia == "manual")
            #expect(d.dispatchedAt == t0 + 1200)
            #expect(d.deadlineAt == t0 + 1200 + 86_400)
            #expect(try await env.s.cases.get(c.id, actor: admin) == d)

            env.clock.advance(3600)
            let accepted = try await env.s.cases.act(c.id, .init(.accept), actor: liaison)
            #expect(accepted.state == "processing")
            #expect(try await env.csSnapshot(c.id) == "processing#4")

            // Feedback without an after-photo is refused and changes nothing.
            let noPhoto = await thrownAppError { _ = try await env.s.cases.act(c.id, .init(.feedback, reason: "已清理"), actor: liaison) }
            #expect(noPhoto == AppError.conflict(Msg.afterPhotosRequired))
            #expect(try await env.csSnapshot(c.id) == "processing#4")

            env.clock.advance(3600)
            let fb = try await env.s.cases.act(c.id, .init(.feedback, reason: "已清理完毕", photos: [csJPEG("after.jpg", 1)]), actor: liaison)
            #expect(fb.state == "fed_back")
            #expect(fb.fedBackAt == t0 + 8400)

            env.clock.advance(1800)
            let failed = try await env.s.cases.act(c.id, .init(.fail, reason: "垃圾仍有残留"), actor: inspector)
            #expect(failed.state == "rework")
            #expect(failed.reworkCount == 1)

            env.clock.advance(3600)
            let fb2 = try await env.s.cases.act(c.id, .init(.feedback, reason: "已彻底清理", photos: [csJPEG("after2.jpg", 2)]), actor: liaison)
            #expect(fb2.state == "fed_back")

            env.clock.advance(1800)
            let closed = try await env.s.cases.act(c.id, .init(.pass), actor: inspector)
            #expect(closed.state == "closed")
            #expect(closed.closedAt == t0 + 15_600)
            #expect(closed.closedOnTime == 1)
            #expect(closed.reworkCount == 1)

            // Events, in order, with sides and states.
            let events = try await env.s.cases.events(c.id, actor: admin)
            #expect(events.map(\.action) == ["report", "register", "dispatch", "accept", "feedback", "fail", "feedback", "pass"])
            #expect(events[5].fromState == "fed_back" && events[5].toState == "rework" && events[5].reason == "垃圾仍有残留")
            #expect(events[5].actorId == env.fx.users["inspector"])
            #expect(events[3].actorId == env.fx.users["school_liaison"])
            #expect(events[2].reason.hasPrefix("承办：明湖区实验小学"))
            #expect(events[7].toState == "closed")

            // Photos: one before, two after.
            let photos = try await env.s.cases.photos(c.id, actor: admin)
            #expect(photos.map { $0.1 } == ["before", "after", "after"])

            // The ledger.
            let ledger = try await env.s.cases.ledger(CaseService.Filter(), window: PageWindow(page: 1, pageSize: 50), actor: admin)
            #expect(ledger.items.map(\.c.number) == ["2026-00000002", "2026-00000001"])
            #expect(ledger.more == false)
            let row = try #require(ledger.items.first(where: { $0.c.id == c.id }))
            #expect(row.c.state == "closed")
            #expect(row.unitName == "明湖区实验小学")
            #expect(row.typeName == "乱扔乱吐")
            #expect(row.territoryName == "柳荫社区第一网格")
            var closedOnly = CaseService.Filter()
            closedOnly.state = .closed
            #expect(try await env.s.cases.ledger(closedOnly, window: PageWindow(page: 1, pageSize: 50), actor: admin).items.map(\.c.id) == [c.id])

            // Metrics of the school.
            let metrics = try await env.s.cases.metrics(from: Date(epoch: t0), to: Date(epoch: t0 + 86_400), actor: admin)
            #expect(metrics.count == 1)
            let school = try #require(metrics.first(where: { $0.unit.code == "QC01-U01" }))
            #expect(school.counts.due == 1)
            #expect(school.counts.closed == 1)
            #expect(school.counts.closedOnTime == 1)
            #expect(school.counts.verified == 1)
            #expect(school.counts.reworked == 1)
            #expect(school.counts.fixSeconds == 14_400)
            #expect(school.metrics.closureRate?.description == "100.00%")
            #expect(school.metrics.reworkRate?.description == "100.00%")
            #expect(school.metrics.onTimeRate?.description == "100.00%")
            #expect(school.metrics.meanHoursToFix == 4.0)

            // The unit's own counters.
            let counts = try await env.s.cases.statusCounts(actor: try await env.identity("school_head"))
            #expect((counts.byState[.closed] ?? 0) == 1)
            #expect((counts.byState[.reported] ?? 0) == 0)
            try await env.csCountersAgree()
        }
    }

    @Test func illegalStepsAndWrongSidesChangeNothing() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            let mhLiaison = try await env.identity("mh_liaison")
            let grid = try await env.identity("grid01")
            let leader = try await env.identity("leader")
            let school = try await env.identity("school_liaison")
            let inspector = try await env.identity("inspector")
            let c = try await env.csReport()
            #expect(try await env.csSnapshot(c.id) == "reported#1")

            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.pass), actor: admin) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.register), actor: mhLiaison) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.register), actor: leader) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.withdraw), actor: admin) }
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.cancel), actor: admin) }
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.dispatch, unitCode: "QC01-U01"), actor: admin) }
            #expect(try await env.csSnapshot(c.id) == "reported#1")

            try await env.s.cases.act(c.id, .init(.register), actor: mh)
            #expect(try await env.csSnapshot(c.id) == "registered#2")
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.dispatch, unitCode: "QC01-U01"), actor: grid) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.dispatch, unitCode: "QC01-U01"), actor: leader) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.accept), actor: school) }
            try await env.csRefused("validation", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.dispatch, unitCode: "QC01"), actor: mh) }
            #expect(try await env.csSnapshot(c.id) == "registered#2")

            try await env.s.cases.act(c.id, .init(.dispatch, unitCode: "QC01-U01"), actor: mh)
            #expect(try await env.csSnapshot(c.id) == "dispatched#3")
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.postpone), actor: mh) }
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.postpone, reason: "  \n "), actor: mh) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.postpone, reason: "等待审批"), actor: school) }
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.requestTransfer), actor: school) }
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.pass), actor: inspector) }
            #expect(try await env.csSnapshot(c.id) == "dispatched#3")

            try await env.s.cases.act(c.id, .init(.requestTransfer, reason: "不属于学校职责范围"), actor: school)
            #expect(try await env.csSnapshot(c.id) == "transfer_requested#4")
            // 改派 to the same unit, to nobody, out of scope, or by the unit itself: refused.
            try await env.csRefused("validation", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.reassign, unitCode: "QC01-U01"), actor: mh) }
            try await env.csRefused("validation", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.reassign), actor: mh) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.reassign, unitCode: "QC02-U01"), actor: mh) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.reassign, unitCode: "QC01-D01"), actor: school) }
            #expect(try await env.csSnapshot(c.id) == "transfer_requested#4")

            let re = try await env.s.cases.act(c.id, .init(.reassign, unitCode: "QC01-D01"), actor: mh)
            #expect(re.state == "dispatched")
            #expect(re.unitId == env.fx.ids["QC01-D01"])
            #expect(re.routeVia == "manual")
            #expect(try await env.csSnapshot(c.id) == "dispatched#5")
            // The school no longer holds the case.
            try await env.csRefused("forbidden", case: c.id) {
                _ = try await env.s.cases.act(c.id, .init(.feedback, reason: "已处理", photos: [csJPEG("x.jpg", 9)]), actor: school)
            }

            try await env.s.cases.act(c.id, .init(.feedback, reason: "已处理", photos: [csJPEG("after.jpg", 3)]), actor: mhLiaison)
            #expect(try await env.csSnapshot(c.id) == "fed_back#6")
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.fail), actor: inspector) }
            try await env.csRefused("conflict", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.fail, reason: "   "), actor: inspector) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.fail, reason: "不合格"), actor: grid) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.pass), actor: leader) }
            try await env.csRefused("forbidden", case: c.id) { _ = try await env.s.cases.act(c.id, .init(.pass), actor: mhLiaison) }
            #expect(try await env.csSnapshot(c.id) == "fed_back#6")
            #expect(try await env.csActions(c.id) == ["report", "register", "dispatch", "request_transfer", "reassign", "feedback"])
        }
    }

    @Test func visibilityFollowsTerritoryUnitAndReporter() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            let dc = try await env.identity("dc_liaison")
            let school = try await env.identity("school_liaison")
            let citizen = try await env.identity("citizen")
            let grid = try await env.identity("grid01")
            let page = PageWindow(page: 1, pageSize: 50)
            func ledgerIDs(_ who: Identity) async throws -> [Int64] {
                try await env.s.cases.ledger(CaseService.Filter(), window: page, actor: who).items.map(\.c.id)
            }

            let c1 = try await env.csReport()                                                         // QC01, by grid01
            let c2 = try await env.csReport("dc_liaison", in: "QC02-01-01-G1", source: .inspection)  // QC02
            let c3 = try await env.csReport("citizen", source: .citizenPhoto)                        // QC01, by a citizen
            #expect(c2.unitId == env.fx.ids["QC02-01"])

            // Another district's liaison.
            let e1 = await thrownAppError { _ = try await env.s.cases.get(c1.id, actor: dc) }
            #expect(e1 == AppError.forbidden(Msg.outOfScope))
            let e2 = await thrownAppError { _ = try await env.s.cases.events(c1.id, actor: dc) }
            #expect(appErrorKind(e2) == "forbidden")
            #expect(try await ledgerIDs(dc) == [c2.id])
            #expect(try await ledgerIDs(admin) == [c3.id, c2.id, c1.id])
            #expect(try await ledgerIDs(mh) == [c3.id, c1.id])
            #expect(try await ledgerIDs(grid) == [c3.id, c1.id])
            // Open cases of a district or a whole scope (on SQLite walked along the open-case index) and of a grid.
            var open = CaseService.Filter(); open.open = true
            var inQC01 = open; inQC01.territoryID = env.fx.ids["QC01"]
            var inQC02 = open; inQC02.territoryID = env.fx.ids["QC02"]
            #expect(try await env.s.cases.ledger(inQC01, window: page, actor: admin).items.map(\.c.id) == [c3.id, c1.id])
            #expect(try await env.s.cases.ledger(inQC02, window: page, actor: admin).items.map(\.c.id) == [c2.id])
            var byNumber = inQC01; byNumber.text = " \(c1.number) "
            #expect(try await env.s.cases.ledger(byNumber, window: page, actor: admin).items.map(\.c.id) == [c1.id])
            #expect(try await env.s.cases.ledger(open, window: page, actor: mh).items.map(\.c.id) == [c3.id, c1.id])
            #expect(try await env.s.cases.ledger(open, window: page, actor: dc).items.map(\.c.id) == [c2.id])
            var inGrid = open; inGrid.territoryID = env.fx.ids["QC02-01-01-G1"]
            #expect(try await env.s.cases.ledger(inGrid, window: page, actor: admin).items.map(\.c.id) == [c2.id])

            // The school sees the case only once it is dispatched to the school.
            let e3 = await thrownAppError { _ = try await env.s.cases.get(c1.id, actor: school) }
            #expect(appErrorKind(e3) == "forbidden")
            #expect(try await ledgerIDs(school).isEmpty)
            try await env.s.cases.act(c1.id, .init(.register), actor: mh)
            try await env.csRefused("forbidden", case: c1.id) { _ = try await env.s.cases.act(c1.id, .init(.dispatch, unitCode: "QC02-U01"), actor: mh) }
            #expect(try await env.csSnapshot(c1.id) == "registered#2")
            try await env.s.cases.act(c1.id, .init(.dispatch, unitCode: "QC01-U01"), actor: mh)
            #expect(try await env.s.cases.get(c1.id, actor: school).state == "dispatched")
            #expect(try await ledgerIDs(school) == [c1.id])
            let e4 = await thrownAppError { _ = try await env.s.cases.get(c3.id, actor: school) }
            #expect(appErrorKind(e4) == "forbidden")

            // A citizen sees only what they reported.
            #expect(try await ledgerIDs(citizen) == [c3.id])
            #expect(try await env.s.cases.get(c3.id, actor: citizen).id == c3.id)
            let e5 = await thrownAppError { _ = try await env.s.cases.get(c1.id, actor: citizen) }
            #expect(appErrorKind(e5) == "forbidden")
            let e6 = await thrownAppError { _ = try await env.s.cases.statusCounts(actor: citizen) }
            #expect(appErrorKind(e6) == "forbidden")
            let e7 = await thrownAppError { _ = try await env.csReport("citizen", source: .gridPatrol) }
            #expect(appErrorKind(e7) == "validation")

            // A grid worker cannot report in another district.
            let e8 = await thrownAppError { _ = try await env.csReport("grid01", in: "QC02-01-01-G1") }
            #expect(e8 == AppError.forbidden(Msg.outOfScope))
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM cases") == 3)

            // A district office cannot act on another district's case.
            try await env.csRefused("forbidden", case: c2.id) { _ = try await env.s.cases.act(c2.id, .init(.register), actor: mh) }
            try await env.s.cases.act(c2.id, .init(.register), actor: admin)
            try await env.csRefused("forbidden", case: c2.id) { _ = try await env.s.cases.act(c2.id, .init(.dispatch, unitCode: "QC01-U01"), actor: mh) }
            try await env.csRefused("forbidden", case: c2.id) { _ = try await env.s.cases.act(c2.id, .init(.dispatch), actor: mh) }
            #expect(try await env.csSnapshot(c2.id) == "registered#2")

            // Status counts: c1 dispatched (QC01 → school), c2 registered (QC02), c3 reported (QC01).
            let all = try await env.s.cases.statusCounts(actor: admin)
            #expect((all.byState[.reported] ?? 0) == 1)
            #expect((all.byState[.registered] ?? 0) == 1)
            #expect((all.byState[.dispatched] ?? 0) == 1)
            #expect(all.overdue == 0)
            let east = try await env.s.cases.statusCounts(actor: dc)
            #expect((east.byState[.reported] ?? 0) == 0)
            #expect((east.byState[.registered] ?? 0) == 1)
            #expect((east.byState[.dispatched] ?? 0) == 0)
            let west = try await env.s.cases.statusCounts(actor: mh)
            #expect((west.byState[.reported] ?? 0) == 1)
            #expect((west.byState[.registered] ?? 0) == 0)
            #expect((west.byState[.dispatched] ?? 0) == 1)
            let unit = try await env.s.cases.statusCounts(actor: school)
            #expect((unit.byState[.dispatched] ?? 0) == 1)
            #expect((unit.byState[.reported] ?? 0) == 0)
            #expect((unit.byState[.registered] ?? 0) == 0)
        }
    }

    @Test func overdueCasesEscalateWhiteYellowRedAndThreeRedsSummonTheHead() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let deptID = env.fx.ids["QC01-D01"]!
            let schoolID = env.fx.ids["QC01-U01"]!
            try await env.s.cases.saveType(code: "T3", name: "一日办结", departmentCode: "", rule: "d1", urgentRule: "h24", active: true, actor: admin)

            env.csSetClock("2026-11-19 10:00")   // Thursday
            let a = try await env.csReport(type: "T3")
            #expect(a.rule == "d1")
            let da = try await env.s.cases.registerAndDispatch(a.id, unitCode: "QC01-U01", actor: admin)
            #expect(da.deadlineAt == csEpoch("2026-11-20 10:00"))
            #expect(try await env.csEscalate() == "0+0")

            env.csSetClock("2026-11-20 09:59")
            #expect(try await env.csEscalate() == "0+0")

            // 30 working minutes overdue: white.
            env.csSetClock("2026-11-20 10:30")
            #expect(try await env.csEscalate() == "1+0")
            #expect(try await env.s.cases.get(a.id, actor: admin).escalation == 1)
            var ns = try await env.s.cases.notices(actor: admin)
            #expect(ns.count == 1)
            #expect(ns.first?.n.level == 1)
            #expect(ns.first?.n.overdueMinutes == 30)
            #expect(ns.first?.n.unitId == schoolID)
            #expect(ns.first?.n.number == "督2026-00000001")
            #expect(ns.first?.caseNumber == a.number)
            #expect(ns.first?.unitName == "明湖区实验小学")
            #expect(try await env.csEscalate() == "0+0")
            #expect(try await env.s.cases.notices(actor: admin).count == 1)

            // Yellow after one full working day (420 minutes) overdue: Fri 10:00–17:30 is 360, Mon 09:00–10:00 is 60.
            env.csSetClock("2026-11-23 09:59")
            #expect(try await env.csEscalate() == "0+0")
            env.csSetClock("2026-11-23 10:00")
            #expect(try await env.csEscalate() == "1+0")
            #expect(try await env.s.cases.get(a.id, actor: admin).escalation == 2)
            ns = try await env.s.cases.notices(actor: admin)
            #expect(ns.map(\.n.level) == [2, 1])
            #expect(ns.first?.n.overdueMinutes == 420)
            #expect(try await env.csEscalate() == "0+0")

            // Red after three working days (1260 minutes): Wednesday 10:00.
            env.csSetClock("2026-11-25 09:59")
            #expect(try await env.csEscalate() == "0+0")
            env.csSetClock("2026-11-25 10:00")
            #expect(try await env.csEscalate() == "1+0")
            #expect(try await env.s.cases.get(a.id, actor: admin).escalation == 3)
            ns = try await env.s.cases.notices(actor: admin)
            #expect(ns.map(\.n.level) == [3, 2, 1])
            #expect(ns.first?.n.overdueMinutes == 1260)
            #expect(try await env.csEscalate() == "0+0")
            #expect(try await env.s.cases.summonses(actor: admin).isEmpty)
            let escalations = try await env.s.cases.events(a.id, actor: admin).filter({ $0.action == "escalate" })
            #expect(escalations.count == 3)
            #expect(escalations.allSatisfy { $0.actorId == nil && $0.actorName == "系统" })
            // Scope of notices.
            #expect(try await env.s.cases.notices(actor: try await env.identity("school_liaison")).count == 3)
            #expect(try await env.s.cases.notices(actor: try await env.identity("dc_liaison")).isEmpty)

            // Three cases of one unit turn red in a row: its head is summoned.
            var batch: [Int64] = []
            for _ in 0..<3 { batch.append(try await env.csReport(type: "T3").id) }
            #expect(try await env.s.cases.bulkDispatch(batch, unitCode: "QC01-D01", actor: admin) == 3)
            #expect(try await env.s.cases.get(batch[0], actor: admin).deadlineAt == csEpoch("2026-11-26 10:00"))
            env.csSetClock("2026-11-27 10:00")       // 420 minutes overdue: white and yellow for each
            #expect(try await env.csEscalate() == "6+0")
            #expect(try await env.s.cases.summonses(actor: admin).isEmpty)
            env.csSetClock("2026-12-01 10:00")       // 1260 minutes overdue: red for each
            #expect(try await env.csEscalate() == "3+1")
            #expect(try await env.csEscalate() == "0+0")

            let sm = try await env.s.cases.summonses(actor: admin)
            #expect(sm.count == 1)
            let summons = try #require(sm.first)
            #expect(summons.0.unitId == deptID)
            #expect(summons.1 == "明湖区城市管理局")
            #expect(summons.0.reason == "连续 3 张红色督办单")
            #expect(summons.0.headName == "单位主要负责人")
            #expect(summons.0.heldAt == nil)
            let deptNotices = try await env.s.cases.notices(actor: admin, unitID: deptID)
            #expect(deptNotices.count == 9)
            #expect(deptNotices.allSatisfy { $0.n.summonsId == summons.0.id })
            #expect(deptNotices.prefix(3).allSatisfy { $0.n.level == 3 })
            let schoolNotices = try await env.s.cases.notices(actor: admin, unitID: schoolID)
            #expect(schoolNotices.count == 3)
            #expect(schoolNotices.allSatisfy { $0.n.summonsId == nil })
            #expect(try await env.s.cases.notices(actor: admin).count == 12)
            #expect(try await env.s.cases.summonses(actor: try await env.identity("mh_admin")).count == 1)
            #expect(try await env.s.cases.summonses(actor: try await env.identity("dc_liaison")).isEmpty)

            // Recording the summons: once, with a note.
            let noNote = await thrownAppError { try await env.s.cases.holdSummons(summons.0.id, note: "  ", actor: admin) }
            #expect(appErrorKind(noNote) == "validation")
            try await env.s.cases.holdSummons(summons.0.id, note: "已约谈局长，限期整改", actor: admin)
            let again = await thrownAppError { try await env.s.cases.holdSummons(summons.0.id, note: "再次登记", actor: admin) }
            #expect(appErrorKind(again) == "conflict")
            #expect(try await env.s.cases.summonses(actor: admin).first?.0.heldAt == csEpoch("2026-12-01 10:00"))
        }
    }

    /// The city-wide overdue figure sums case_due's earlier days and counts today's part from the cases; a scoped user's
    /// is counted from the cases. Both must equal a plain count at every step, across the UTC day boundary (08:00 in
    /// Beijing), deferral, rework and closure.
    @Test func theOverdueFigureAgreesWithAPlainCountAtEveryStep() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            let liaison = try await env.identity("school_liaison")
            let inspector = try await env.identity("inspector")
            try await env.s.cases.saveType(code: "T3", name: "一日办结", departmentCode: "", rule: "d1", urgentRule: "h24", active: true, actor: admin)
            func expectOverdue(_ n: Int, _ where_: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let now = env.clock.now().epoch
                let plain = try await env.csCount("""
                    SELECT COUNT(*) AS n FROM cases WHERE state IN (\(CaseService.sqlList(CaseService.clockStates))) AND deadline_at < \(now)
                    """)
                #expect(plain == n, "plain count \(where_)", sourceLocation: sourceLocation)
                #expect(try await env.s.cases.statusCounts(actor: admin).overdue == n, "city-wide \(where_)", sourceLocation: sourceLocation)
                #expect(try await env.s.cases.statusCounts(actor: mh).overdue == n, "district \(where_)", sourceLocation: sourceLocation)
                try await env.csCountersAgree()
            }

            env.csSetClock("2026-11-19 10:00")   // Thursday; deadline Friday 10:00 (02:00 UTC)
            let a = try await env.csReport(type: "T3")
            _ = try await env.s.cases.registerAndDispatch(a.id, unitCode: "QC01-U01", actor: admin)
            env.csSetClock("2026-11-19 16:30")   // deadline Friday 16:30 (08:30 UTC, the same UTC day)
            let b = try await env.csReport(type: "T3")
            _ = try await env.s.cases.registerAndDispatch(b.id, unitCode: "QC01-U01", actor: admin)
            try await expectOverdue(0, "before either deadline")

            env.csSetClock("2026-11-20 10:00")
            try await expectOverdue(0, "at a's deadline to the second")
            env.clock.advance(1)
            try await expectOverdue(1, "a second after a's deadline, counted from today's part of the index")
            env.csSetClock("2026-11-20 16:31")
            try await expectOverdue(2, "both overdue the same UTC day")
            env.csSetClock("2026-11-21 07:59")   // still Friday in UTC
            try await expectOverdue(2, "before the UTC day turns")
            env.csSetClock("2026-11-21 08:00")   // Saturday 00:00 UTC: both from case_due's earlier days
            try await expectOverdue(2, "after the UTC day turns")

            // Deferral stops b's clock: no longer overdue; resuming gives it a new deadline in the future.
            _ = try await env.s.cases.act(b.id, .init(.postpone, reason: "等待配合"), actor: mh)
            try await expectOverdue(1, "with b deferred")
            _ = try await env.s.cases.act(b.id, .init(.resume), actor: mh)
            let resumed = try await env.s.cases.get(b.id, actor: admin)
            let bOverdue = resumed.deadlineAt! < env.clock.now().epoch ? 1 : 0
            try await expectOverdue(1 + bOverdue, "after b resumes")

            // a is fed back (out of the clock), failed (rework, back on it) and then passed (closed).
            _ = try await env.s.cases.act(a.id, .init(.accept), actor: liaison)
            _ = try await env.s.cases.act(a.id, .init(.feedback, reason: "已整改", photos: [csJPEG("after.jpg")]), actor: liaison)
            try await expectOverdue(bOverdue, "with a fed back")
            _ = try await env.s.cases.act(a.id, .init(.fail, reason: "仍有垃圾"), actor: inspector)
            let rework = try await env.s.cases.get(a.id, actor: admin)
            try await expectOverdue((rework.deadlineAt! < env.clock.now().epoch ? 1 : 0) + bOverdue, "with a in rework")
            _ = try await env.s.cases.act(a.id, .init(.feedback, reason: "已再次整改", photos: [csJPEG("after2.jpg")]), actor: liaison)
            _ = try await env.s.cases.act(a.id, .init(.pass), actor: inspector)
            try await expectOverdue(bOverdue, "with a closed")
        }
    }

    @Test func deferralStopsTheClockAcrossHolidaysAndAdjustedWorkdays() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            let text = "日期,类型,名称\n2026-11-23,放假,测试假日\n2026-11-28,调休上班,调休\n"
            let imported = try await env.s.cases.importHolidays(Table(rawRows: try CSV.parse(text)), actor: admin)
            #expect(imported.days == 2)
            #expect(imported.years == [2026])
            let hs = try await env.s.cases.holidays(year: 2026)
            #expect(hs.map(\.day) == ["2026-11-23", "2026-11-28"])
            #expect(hs.map(\.kind) == ["holiday", "workday"])
            #expect(hs.map(\.name) == ["测试假日", "调休"])
            let cal = try await env.s.cases.calendar()
            #expect(!cal.isWorkingDay("2026-11-23"))   // Monday, a holiday
            #expect(cal.isWorkingDay("2026-11-28"))    // Saturday, 调休上班
            #expect(cal.isWorkingDay("2026-11-24"))
            #expect(!cal.isWorkingDay("2026-11-29"))
            try await env.s.cases.saveType(code: "T5", name: "三日办结", departmentCode: "", rule: "d3", urgentRule: "h24", active: true, actor: admin)

            // Case A: dispatched Thursday 19th 10:00; 3 working days skip the weekend and Monday's holiday.
            env.csSetClock("2026-11-19 10:00")
            let a = try await env.csReport(type: "T5")
            let da = try await env.s.cases.registerAndDispatch(a.id, unitCode: "QC01-U01", actor: mh)
            let dispatchedA = try #require(da.dispatchedAt)
            #expect(dispatchedA == csEpoch("2026-11-19 10:00"))
            #expect(da.deadlineAt == csEpoch("2026-11-25 10:00"))
            #expect(Fmt.dateTime(da.deadlineAt) == "2026-11-25 10:00")
            #expect(da.deadlineAt == Deadline.deadline(from: Date(epoch: dispatchedA), rule: .workingDays(3), pauses: [], calendar: cal)?.epoch)
            // Without the holiday it would have been Tuesday.
            #expect(WorkCalendar().addWorkingDays(3, to: Date(epoch: dispatchedA)).epoch == csEpoch("2026-11-24 10:00"))

            env.csSetClock("2026-11-20 10:00")
            let pa = try await env.s.cases.act(a.id, .init(.postpone, reason: "等待园林部门配合"), actor: mh)
            #expect(pa.state == "deferred")
            #expect(pa.wasDeferred == 1)
            #expect(pa.pausedAt == csEpoch("2026-11-20 10:00"))
            #expect(pa.deadlineAt == da.deadlineAt)
            // While deferred the case is not overdue and not escalated, even long past its deadline.
            env.csSetClock("2026-11-24 11:00")
            #expect(try await env.csEscalate() == "0+0")
            let ra = try await env.s.cases.act(a.id, .init(.resume), actor: mh)
            #expect(ra.state == "processing")
            #expect(ra.pausedAt == nil)
            #expect(ra.wasDeferred == 1)
            #expect(ra.pausedSeconds == 349_200)   // Fri 10:00 → Tue 11:00, natural seconds
            // Paused working time: Fri 10:00–17:30 (6 h) + Tue 09:00–11:00 (2 h) = 8 h; the weekend and the holiday do not count.
            let pauseA = Pause(start: Date(epoch: csEpoch("2026-11-20 10:00")), end: Date(epoch: csEpoch("2026-11-24 11:00")))
            #expect(cal.workingSeconds(from: pauseA.start, to: pauseA.end!) == 28_800)
            let expectedA = Deadline.deadline(from: Date(epoch: dispatchedA), rule: .workingDays(3), pauses: [pauseA], calendar: cal)
            #expect(ra.deadlineAt == expectedA?.epoch)
            #expect(ra.deadlineAt == csEpoch("2026-11-26 11:00"))
            #expect(Fmt.dateTime(ra.deadlineAt) == "2026-11-26 11:00")
            #expect(try await env.s.cases.get(a.id, actor: admin) == ra)
            #expect(try await env.csActions(a.id) == ["report", "register", "dispatch", "defer", "resume"])

            // Case B: dispatched Thursday 26th 10:00; Saturday 28th is a working day (调休).
            env.csSetClock("2026-11-26 10:00")
            let b = try await env.csReport(type: "T5")
            let dispB = try await env.s.cases.registerAndDispatch(b.id, unitCode: "QC01-U01", actor: mh)
            let dispatchedB = try #require(dispB.dispatchedAt)
            #expect(dispB.deadlineAt == csEpoch("2026-11-30 10:00"))
            #expect(WorkCalendar().addWorkingDays(3, to: Date(epoch: dispatchedB)).epoch == csEpoch("2026-12-01 10:00"))
            env.csSetClock("2026-11-27 17:00")
            _ = try await env.s.cases.act(b.id, .init(.postpone, reason: "雨天无法施工"), actor: mh)
            env.csSetClock("2026-11-30 09:30")
            let rb = try await env.s.cases.act(b.id, .init(.resume), actor: mh)
            #expect(rb.pausedSeconds == 232_200)
            #expect(rb.wasDeferred == 1)
            // Paused working time: Fri 17:00–17:30 + all of Saturday (7 h) + Mon 09:00–09:30 = 8 h.
            let pauseB = Pause(start: Date(epoch: csEpoch("2026-11-27 17:00")), end: Date(epoch: csEpoch("2026-11-30 09:30")))
            #expect(cal.workingSeconds(from: pauseB.start, to: pauseB.end!) == 28_800)
            let expectedB = Deadline.deadline(from: Date(epoch: dispatchedB), rule: .workingDays(3), pauses: [pauseB], calendar: cal)
            #expect(rb.deadlineAt == expectedB?.epoch)
            #expect(Fmt.dateTime(rb.deadlineAt) == "2026-12-01 11:00")
            #expect(rb.deadlineAt == csEpoch("2026-12-01 11:00"))
        }
    }

    @Test func aBrokenHolidaySheetIsRefusedWhole() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let bad = "日期,类型,名称\n2026-11-23,放假,测试假日\n2026-11-24,补班,错误类型\n"
            let e = await thrownAppError { _ = try await env.s.cases.importHolidays(Table(rawRows: try CSV.parse(bad)), actor: admin) }
            guard case .importFailed(let issues)? = e else {
                Issue.record("expected importFailed, got \(String(describing: e))")
                return
            }
            #expect(issues.count == 1)
            #expect(issues.first?.row == 3)
            #expect(issues.first?.column == "类型")
            #expect(issues.first?.message == Msg.unknownHolidayType("补班"))
            #expect(try await env.s.cases.holidays(year: 2026).isEmpty)
            #expect(try await env.s.cases.calendar().isWorkingDay("2026-11-23"))

            let badDate = "日期,类型,名称\n2026-02-30,放假,不存在的日子\n"
            let e2 = await thrownAppError { _ = try await env.s.cases.importHolidays(Table(rawRows: try CSV.parse(badDate)), actor: admin) }
            #expect(appErrorKind(e2) == "importFailed")

            // Only the city office imports the calendar.
            let good = "日期,类型,名称\n2026-11-23,放假,测试假日\n"
            let e3 = await thrownAppError {
                _ = try await env.s.cases.importHolidays(Table(rawRows: try CSV.parse(good)), actor: try await env.identity("mh_admin"))
            }
            #expect(appErrorKind(e3) == "forbidden")
            #expect(try await env.s.cases.holidays(year: 2026).isEmpty)
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM holidays") == 0)
        }
    }

    @Test func photosAreCheckedByContentAndCountBeforeAnythingIsWritten() async throws {
        try await withApp { env, _ in
            let grid = try await env.identity("grid01")
            let gridID = env.fx.ids["QC01-01-01-G1"]!
            let draft = CaseDraft(source: .gridPatrol, typeCode: "LR", description: "路边垃圾", address: "湖滨路 1 号",
                                  latitude: nil, longitude: nil, urgency: .normal)
            let pdf = Upload(filename: "scan.jpg", bytes: Array("%PDF-1.4\n1 0 obj\n<< >>\nendobj\n".utf8))
            let text = Upload(filename: "note.jpg", bytes: Array("这不是照片，只是文字".utf8))
            for photos in [[pdf], [text], [csJPEG("ok.jpg"), pdf]] {
                let e = await thrownAppError { _ = try await env.s.cases.report(.init(draft: draft, territoryID: gridID, photos: photos), actor: grid) }
                #expect(appErrorKind(e) == "badRequest", "\(photos.map(\.filename))")
            }
            let seven = (0..<7).map { csJPEG("p\($0).jpg", UInt8($0)) }
            let tooMany = await thrownAppError { _ = try await env.s.cases.report(.init(draft: draft, territoryID: gridID, photos: seven), actor: grid) }
            guard case .validation(let fields)? = tooMany else {
                Issue.record("expected validation, got \(String(describing: tooMany))")
                return
            }
            #expect(fields["photos"] == "照片最多 6 张")
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM cases") == 0)
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM case_events") == 0)
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM attachments WHERE owner_kind = 'case'") == 0)

            // Six real photos (one PNG) are fine, and the refused reports used no number.
            let six = Array(seven.prefix(5)) + [Upload(filename: "x.png", bytes: Array(pngBytes))]
            let ok = try await env.s.cases.report(.init(draft: draft, territoryID: gridID, photos: six), actor: grid)
            #expect(ok.number == "2026-00000001")
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM attachments WHERE owner_kind = 'case'") == 6)

            // The same checks on feedback.
            let admin = try await env.identity("admin")
            let liaison = try await env.identity("school_liaison")
            _ = try await env.s.cases.registerAndDispatch(ok.id, unitCode: "QC01-U01", actor: admin)
            try await env.csRefused("badRequest", case: ok.id) {
                _ = try await env.s.cases.act(ok.id, .init(.feedback, reason: "已处理", photos: [pdf]), actor: liaison)
            }
            try await env.csRefused("validation", case: ok.id) {
                _ = try await env.s.cases.act(ok.id, .init(.feedback, reason: "已处理", photos: seven), actor: liaison)
            }
            #expect(try await env.csSnapshot(ok.id) == "dispatched#3")
            #expect(try await env.csCount("SELECT COUNT(*) AS n FROM attachments WHERE owner_kind = 'case'") == 6)
        }
    }

    @Test func aUnitsOpenListHoldsItsOpenCasesByDeadline() async throws {
        try await withApp { env, _ in
            let mh = try await env.identity("mh_admin")
            let school = try await env.identity("school_liaison")
            let unit = env.fx.ids["QC01-U01"]!
            let a = try await env.csReport(), b = try await env.csReport(), c = try await env.csReport()
            let other = try await env.csReport(), late = try await env.csReport(), reported = try await env.csReport()
            // b is dispatched an hour before a, so its deadline comes first although its id is higher.
            #expect(try await env.s.cases.bulkDispatch([b.id, c.id], unitCode: "QC01-U01", actor: mh) == 2)
            env.clock.advance(3600)
            #expect(try await env.s.cases.bulkDispatch([a.id, late.id], unitCode: "QC01-U01", actor: mh) == 2)
            #expect(try await env.s.cases.bulkDispatch([other.id], unitCode: "QC01-D01", actor: mh) == 1)
            // Finished cases leave the list; each open state stays in it.
            try await env.s.db.write { tx in
                try await tx.raw("UPDATE cases SET state = 'closed' WHERE id = \(bind: c.id)").run()
                try await tx.raw("UPDATE cases SET state = 'deferred' WHERE id = \(bind: late.id)").run()
            }
            let all = try await env.s.cases.unitOpen(unit, window: PageWindow(page: 1, pageSize: 50), actor: school)
            #expect(all.items.map(\.c.id) == [b.id, a.id, late.id] && !all.more)
            #expect(!all.items.map(\.c.id).contains(reported.id) && !all.items.map(\.c.id).contains(other.id))
            let first = try await env.s.cases.unitOpen(unit, window: PageWindow(page: 1, pageSize: 2), actor: school)
            #expect(first.items.map(\.c.id) == [b.id, a.id] && first.more)
            let second = try await env.s.cases.unitOpen(unit, window: PageWindow(page: 2, pageSize: 2), actor: school)
            #expect(second.items.map(\.c.id) == [late.id] && !second.more)
            // Another unit's list is out of the liaison's scope.
            await #expect(throws: AppError.self) { _ = try await env.s.cases.unitOpen(env.fx.ids["QC01-D01"]!, window: PageWindow(page: 1, pageSize: 50), actor: school) }
            try await env.csCountersAgree()
        }
    }

    @Test func bulkDispatchIsAllOrNothing() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            let now = env.clock.now().epoch
            let a = try await env.csReport()
            let b = try await env.csReport()
            #expect(try await env.s.cases.bulkDispatch([a.id, b.id], unitCode: "QC01-U01", actor: mh) == 2)
            for id in [a.id, b.id] {
                let c = try await env.s.cases.get(id, actor: admin)
                #expect(c.state == "dispatched")
                #expect(c.unitId == env.fx.ids["QC01-U01"])
                #expect(c.routeVia == "manual")
                #expect(c.registeredAt == now)
                #expect(c.dispatchedAt == now)
                #expect(c.deadlineAt == now + 86_400)
                #expect(try await env.csActions(id) == ["report", "register", "dispatch"])
            }

            // One case of the batch is out of scope: nothing is dispatched, not even the one before it.
            let c = try await env.csReport()                                                         // QC01
            let d = try await env.csReport("dc_liaison", in: "QC02-01-01-G1", source: .inspection)  // QC02
            #expect(c.id < d.id)
            let before = try await env.s.cases.statusCounts(actor: admin)
            let e = await thrownAppError { _ = try await env.s.cases.bulkDispatch([d.id, c.id], unitCode: "QC01-U01", actor: mh) }
            #expect(e == AppError.forbidden(Msg.outOfScope))
            #expect(try await env.csSnapshot(c.id) == "reported#1")
            #expect(try await env.csSnapshot(d.id) == "reported#1")
            let cAfter = try await env.s.cases.get(c.id, actor: admin)
            #expect(cAfter.registeredAt == nil && cAfter.dispatchedAt == nil && cAfter.deadlineAt == nil)
            #expect(cAfter.unitId == env.fx.ids["QC01-01"])
            let after = try await env.s.cases.statusCounts(actor: admin)
            #expect(after.byState == before.byState)
            try await env.csCountersAgree()
            #expect((after.byState[.reported] ?? 0) == 2)
            #expect((after.byState[.dispatched] ?? 0) == 2)
            #expect((after.byState[.registered] ?? 0) == 0)

            // An already dispatched case in the batch: refused with its number, the rest untouched.
            let e2 = await thrownAppError { _ = try await env.s.cases.bulkDispatch([c.id, b.id], unitCode: "QC01-U01", actor: mh) }
            #expect(appErrorKind(e2) == "conflict")
            #expect(e2?.message.contains(b.number) == true)
            #expect(try await env.csSnapshot(c.id) == "reported#1")
            #expect(try await env.csSnapshot(b.id) == "dispatched#3")

            // Nothing selected; a role without manageCases.
            let e3 = await thrownAppError { _ = try await env.s.cases.bulkDispatch([], unitCode: "QC01-U01", actor: mh) }
            #expect(appErrorKind(e3) == "badRequest")
            let e4 = await thrownAppError { _ = try await env.s.cases.bulkDispatch([c.id], unitCode: "QC01-U01", actor: try await env.identity("inspector")) }
            #expect(appErrorKind(e4) == "forbidden")
            #expect(try await env.csSnapshot(c.id) == "reported#1")

            let schoolLedger = try await env.s.cases.ledger(CaseService.Filter(), window: PageWindow(page: 1, pageSize: 50), actor: try await env.identity("school_liaison"))
            #expect(schoolLedger.items.map(\.c.id) == [b.id, a.id])
        }
    }

    @Test func listsShowTheNamesOfTypesAndUnitsAsTheyAreNow() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            try await env.s.cases.saveType(code: "RD", name: "道路设施损坏", departmentCode: "QC-D01", rule: "d3", urgentRule: "h4", active: true, actor: admin)
            let c = try await env.csReport(type: "RD")
            #expect(try await env.s.cases.bulkDispatch([c.id], unitCode: "", actor: mh) == 1)
            func listed() async throws -> CaseItem {
                try #require(try await env.s.cases.ledger(CaseService.Filter(), window: PageWindow(page: 1, pageSize: 50), actor: admin).items.first { $0.c.id == c.id })
            }
            let before = try await listed()
            #expect(before.typeName == "道路设施损坏")
            #expect(before.unitName == (try await env.org("QC-D01")).name)
            #expect(before.territoryName == (try await env.org("QC01-01-01-G1")).name)
            // Lists take the names from memory; a renamed type shows at once, and a retired one keeps its name on old cases.
            try await env.s.cases.saveType(code: "RD", name: "道路设施破损", departmentCode: "QC-D01", rule: "d3", urgentRule: "h4", active: false, actor: admin)
            #expect(try await listed().typeName == "道路设施破损")
            #expect(!(try await env.s.cases.types()).contains { $0.code == "RD" })
            // So does a renamed unit.
            try await env.s.db.writeTree { try await $0.raw("UPDATE orgs SET name = '市城管局' WHERE code = 'QC-D01'").run() }
            #expect(try await listed().unitName == "市城管局")
        }
    }

    @Test func typesRouteToTheDistrictDepartmentTheCityOneManages() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let mh = try await env.identity("mh_admin")
            let cityDept = env.fx.ids["QC-D01"]!

            // Only the city office maintains the taxonomy, and only with real units and rules.
            let e1 = await thrownAppError { try await env.s.cases.saveType(code: "RD", name: "道路设施损坏", departmentCode: "QC-D01", rule: "d3", urgentRule: "h4", active: true, actor: mh) }
            #expect(appErrorKind(e1) == "forbidden")
            let e2 = await thrownAppError { try await env.s.cases.saveType(code: "RD", name: "道路设施损坏", departmentCode: "NO-SUCH", rule: "d3", urgentRule: "h4", active: true, actor: admin) }
            #expect(appErrorKind(e2) == "validation")
            let e3 = await thrownAppError { try await env.s.cases.saveType(code: "RD", name: "道路设施损坏", departmentCode: "QC01-01", rule: "d3", urgentRule: "h4", active: true, actor: admin) }
            #expect(appErrorKind(e3) == "validation")
            let e4 = await thrownAppError { try await env.s.cases.saveType(code: "RD", name: "道路设施损坏", departmentCode: "QC-D01", rule: "w3", urgentRule: "h4", active: true, actor: admin) }
            #expect(appErrorKind(e4) == "validation")
            let typesBefore = try await env.s.cases.types()
            #expect(!typesBefore.contains(where: { $0.code == "RD" }))

            try await env.s.cases.saveType(code: "rd", name: "道路设施损坏", departmentCode: "QC-D01", rule: "d3", urgentRule: "h4", active: true, actor: admin)
            let typesAfter = try await env.s.cases.types()
            let rd = try #require(typesAfter.first(where: { $0.code == "RD" }))
            #expect(rd.departmentCode == "QC-D01" && rd.rule == "d3" && rd.urgentRule == "h4")

            // Without a district department, the city department.
            let first = try await env.csReport(type: "RD")
            #expect(first.unitId == cityDept)
            #expect(first.routeVia == "type")
            #expect(first.rule == "d3")

            // Once 明湖区城市管理局 is the district branch of the city department, QC01 cases go to it.
            try await env.s.db.writeTree { try await $0.raw("UPDATE orgs SET sector_id = \(bind: cityDept) WHERE code = 'QC01-D01'").run() }
            let local = try await env.csReport(type: "RD")
            #expect(local.unitId == env.fx.ids["QC01-D01"])
            #expect(local.routeVia == "type")
            // 东城区 has no such branch.
            let east = try await env.csReport("dc_liaison", type: "RD", in: "QC02-01-01-G1", source: .inspection)
            #expect(east.unitId == cityDept)
            // Routing reads the org tree from memory: a change to the tree counts from the very next intake.
            let branch = try #require(env.fx.ids["QC01-D01"])
            _ = try await env.s.orgs.setActive(branch, false, actor: admin)
            #expect(try await env.csReport(type: "RD").unitId == cityDept)
            _ = try await env.s.orgs.setActive(branch, true, actor: admin)
            #expect(try await env.csReport(type: "RD").unitId == branch)
            // Urgent: the urgent rule and a dispatch deadline.
            let urgent = try await env.csReport(type: "RD", urgency: .urgent)
            #expect(urgent.rule == "h4")
            #expect(urgent.dispatchDueAt == urgent.reportedAt + 1800)

            // Dispatching without naming a unit uses the proposed one.
            let now = env.clock.now().epoch
            #expect(try await env.s.cases.bulkDispatch([local.id, urgent.id], unitCode: "", actor: mh) == 2)
            let l = try await env.s.cases.get(local.id, actor: admin)
            #expect(l.unitId == env.fx.ids["QC01-D01"])
            #expect(l.routeVia == "type")
            // Reported Wednesday 19:06 (after hours): 3 working days from Thursday 09:00 → Tuesday 24th 09:00.
            #expect(Fmt.dateTime(l.deadlineAt) == "2026-11-24 09:00")
            #expect(l.deadlineAt == csEpoch("2026-11-24 09:00"))
            let u = try await env.s.cases.get(urgent.id, actor: admin)
            #expect(u.deadlineAt == now + 4 * 3600)
            #expect(try await env.s.cases.get(local.id, actor: try await env.identity("mh_liaison")).state == "dispatched")

            // An inactive type cannot be reported.
            try await env.s.cases.saveType(code: "RD", name: "道路设施损坏", departmentCode: "QC-D01", rule: "d3", urgentRule: "h4", active: false, actor: admin)
            let e5 = await thrownAppError { _ = try await env.csReport(type: "RD") }
            #expect(appErrorKind(e5) == "validation")
        }
    }
}
