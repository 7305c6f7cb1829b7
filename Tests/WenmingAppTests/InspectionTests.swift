import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

// MARK: - Helpers (prefixed `ins` so they cannot clash with other test files)

private let insOnPostgres = !(ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] ?? "").isEmpty


/// The field keys of a validation error (empty for anything else).
private func insKeys(_ e: AppError?) -> Set<String> {
    if case .validation(let m)? = e { return Set(m.keys) }
    return []
}

/// A point import table (columns in `PointImport.columns` order), data rows numbered from sheet row 2.
private func insTable(_ rows: [[String]]) -> Table {
    Table(header: PointImport.columns.map(\.header), rows: rows, rowNumbers: rows.indices.map { $0 + 2 })
}

/// One import row: code, name, category, address, longitude, latitude, territory, adopter, declared, active.
private func insRow(_ code: String, _ category: String, _ territory: String, adopter: String = "", declared: String = "是", active: String = "是",
                    lng: String = "104.060000", lat: String = "30.610000") -> [String] {
    [code, "点位 \(code)", category, "地址 \(code)", lng, lat, territory, adopter, declared, active]
}

/// The registry most tests start from. 明湖区 (QC01): four declared, active 公厕 (PC03) — one adopted by the district's
/// school, one by its department —, an undeclared and an inactive one, three 背街小巷 (PC02). 东城区 (QC02): three 公厕,
/// one of them adopted by 明湖区's school, and one 背街小巷.
private let insSeedRows: [[String]] = [
    insRow("QC01-PC03-001", "PC03", "QC01-01-01", adopter: "QC01-U01", lng: "104.061000", lat: "30.611000"),
    insRow("QC01-PC03-002", "公厕", "QC01-01-01-G1", adopter: "QC01-D01", lng: "104.062000", lat: "30.612000"),
    insRow("QC01-PC03-003", "PC03", "QC01-01-02", lng: "104.063000", lat: "30.613000"),
    insRow("QC01-PC03-004", "PC03", "QC01-01", lng: "", lat: ""),
    insRow("QC01-PC03-009", "PC03", "QC01-01-02", declared: "否"),
    insRow("QC01-PC03-010", "PC03", "QC01-01-02", active: "否"),
    insRow("QC01-PC02-001", "背街小巷", "QC01-01-01"),
    insRow("QC01-PC02-002", "PC02", "QC01-01-02"),
    insRow("QC01-PC02-003", "PC02", "QC01-01"),
    insRow("QC02-PC03-001", "PC03", "QC02-01-01", adopter: "QC01-U01", lng: "104.161000", lat: "30.711000"),
    insRow("QC02-PC03-002", "PC03", "QC02-01-01", lng: "104.162000", lat: "30.712000"),
    insRow("QC02-PC03-003", "PC03", "QC02-01-01-G1", adopter: "QC02-U01"),
    insRow("QC02-PC02-001", "PC02", "QC02-01"),
]

/// The seed's declared, active points: what a city-wide draw freezes.
private let insCityList = ["QC01-PC02-001", "QC01-PC02-002", "QC01-PC02-003", "QC01-PC03-001", "QC01-PC03-002", "QC01-PC03-003", "QC01-PC03-004",
                           "QC02-PC02-001", "QC02-PC03-001", "QC02-PC03-002", "QC02-PC03-003"]

private func insVisit(_ verdicts: [RoundService.Verdict], recordsOK: Bool? = nil) -> RoundService.Visit {
    RoundService.Visit(verdicts: verdicts, notes: "", latitude: nil, longitude: nil, recordsOK: recordsOK, photos: [])
}

extension TestEnv {
    func insSeedPoints() async throws {
        let n = try await s.points.importTable(insTable(insSeedRows), actor: try await identity("admin"), maxRows: 1000)
        #expect(n == insSeedRows.count)
    }

    func insPointID(_ code: String) async throws -> Int64 {
        try await s.db.read { try await $0.raw("SELECT id FROM points WHERE code = \(bind: code)").first()!.decode(column: "id", as: Int64.self) }
    }

    func insCount(_ sql: String) async throws -> Int {
        try await s.db.read { db -> Int in try await db.raw("\(unsafeRaw: sql)").first()!.decode(column: "n", as: Int.self) }
    }

    func insExec(_ sql: String) async throws {
        try await s.db.write { try await $0.raw("\(unsafeRaw: sql)").run() }
    }

    /// Whether the database refuses a raw statement.
    func insRefuses(_ sql: String) async -> Bool {
        do { try await insExec(sql); return false } catch { return true }
    }

    /// Points (every column but `updated_at` unless `withTimes`), draws and the row counts of every table these
    /// services write: what a refused step must leave as it was.
    func insState(withTimes: Bool = true) async throws -> String {
        try await s.db.read { db -> String in
            var out: [String] = []
            for t in ["points", "point_history", "draws", "draw_entries", "draw_picks", "rounds", "round_members", "round_points", "visits",
                      "visit_items", "impressions", "cases", "case_events", "attachments"] {
                out.append("\(t)=\(try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: t)").first()!.decode(column: "n", as: Int.self))")
            }
            for r in try await db.raw("SELECT * FROM points ORDER BY code").all() {
                var p = try r.decode(model: PointRow.self, keyDecodingStrategy: .convertFromSnakeCase)
                if !withTimes { p.updatedAt = 0 }
                out.append(String(describing: p))
            }
            for r in try await db.raw("SELECT * FROM draws ORDER BY id").all() {
                out.append(String(describing: try r.decode(model: DrawRow.self, keyDecodingStrategy: .convertFromSnakeCase)))
            }
            for r in try await db.raw("SELECT * FROM rounds ORDER BY id").all() {
                out.append(String(describing: try r.decode(model: RoundRow.self, keyDecodingStrategy: .convertFromSnakeCase)))
            }
            return out.joined(separator: "\n")
        }
    }

    /// A step that must be refused with the given kind of AppError and leave everything as it was.
    @discardableResult
    func insRefused(_ kind: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async throws -> AppError? {
        let before = try await insState()
        let e = await thrownAppError(body)
        #expect(appErrorKind(e) == kind, "got \(String(describing: e))", sourceLocation: sourceLocation)
        let after = try await insState()
        #expect(after == before, "a refused step changed the database", sourceLocation: sourceLocation)
        return e
    }

    func insNewRound(name: String = "明湖区模拟测评", kind: RoundKind? = .mock, scope: String? = nil, start: String = "2026-11-20", end: String? = nil,
                     members: [String] = ["inspector"], draw: Int64? = nil, points: [String]) -> RoundService.NewRound {
        RoundService.NewRound(name: name, kind: kind, scopeID: scope.map { fx.ids[$0]! }, startDate: start, endDate: end ?? start,
                              members: members, drawID: draw, pointCodes: points)
    }

    func insRound(_ n: RoundService.NewRound, by user: String = "mh_admin") async throws -> Int64 {
        try await s.rounds.create(n, actor: try await identity(user))
    }

    /// The 公厕 checklist of the national sample: P06-04-01 (5), P06-04-02 (9.5), P06-04-03 (5).
    func insToiletChecklist() async throws -> [String: ChecklistItem] {
        let list = try await s.points.checklist(categoryName: "公厕")
        return Dictionary(uniqueKeysWithValues: list.map { ($0.code, $0) })
    }

    func insCases(point: Int64) async throws -> [CaseRow] {
        try await s.db.read { try await $0.raw("SELECT * FROM cases WHERE point_id = \(bind: point) ORDER BY id").all().map(CaseService.decode) }
    }
}

// MARK: - Tests

@Suite("Points, draws and inspection rounds")
struct InspectionTests {
    // MARK: Points

    @Test func anOfficeAdminRegistersAndEditsAPointAndEachChangeIsInItsHistory() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            var d = PointDraft(code: "QC01-PC03-001", name: " 湖滨公厕 ", category: "PC03", address: "湖滨路 3 号", latitude: 30.612345, longitude: 104.065432,
                               territory: "QC01-01-01-G1", adopter: "QC01-U01", declared: true, active: true)
            let id = try await env.s.points.save(d, actor: admin)
            let p = try await env.s.points.get(id, actor: admin)
            #expect(p.p.code == "QC01-PC03-001" && p.p.name == "湖滨公厕" && p.p.address == "湖滨路 3 号")
            #expect(p.categoryCode == "PC03" && p.categoryName == "公厕")
            #expect(p.territoryCode == "QC01-01-01-G1" && p.p.territoryId == env.fx.ids["QC01-01-01-G1"])
            #expect(p.p.territoryPath == (try await env.org("QC01-01-01-G1")).path)
            #expect(p.p.districtId == env.fx.ids["QC01"])
            #expect(p.adopterCode == "QC01-U01" && p.p.adopterId == env.fx.ids["QC01-U01"] && p.adopterName == "明湖区实验小学")
            #expect(p.p.latE6 == 30_612_345 && p.p.lngE6 == 104_065_432)
            #expect(p.p.declared == 1 && p.p.active == 1 && p.p.createdAt == env.clock.now().epoch)
            var h = try await env.s.points.history(id, actor: admin)
            #expect(h.count == 1)
            let first = h.first?.change ?? ""
            #expect(first.hasPrefix("登记：") && first.hasSuffix("湖滨公厕｜类型 PC03｜区域 柳荫社区第一网格｜包保 QC01-U01｜已申报｜启用｜湖滨路 3 号"), "\(first)")
            #expect(first == "登记：湖滨公厕｜类型 PC03｜区域 柳荫社区第一网格｜包保 QC01-U01｜已申报｜启用｜湖滨路 3 号")
            #expect(h.first?.actorName == "测试admin")

            // An edit: category by name, another territory, no adopter, not declared, no position.
            env.clock.advance(60)
            d.name = "湖滨公厕（新）"; d.category = "公厕"; d.territory = "QC01-01-02"; d.adopter = ""; d.declared = false
            d.latitude = nil; d.longitude = nil
            #expect(try await env.s.points.save(d, existingID: id, actor: admin) == id)
            let q = try await env.s.points.get(id, actor: admin)
            #expect(q.p.name == "湖滨公厕（新）" && q.territoryCode == "QC01-01-02" && q.p.adopterId == nil && q.p.declared == 0)
            #expect(q.p.latE6 == nil && q.p.lngE6 == nil && q.p.districtId == env.fx.ids["QC01"])
            #expect(q.p.createdAt == p.p.createdAt && q.p.updatedAt == p.p.createdAt + 60)
            h = try await env.s.points.history(id, actor: admin)
            #expect(h.count == 2)
            #expect(h.first?.change.hasPrefix("修改：湖滨公厕（新）") == true && h.first?.change.contains("未申报") == true)
            #expect(h.first?.at == p.p.createdAt + 60)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM point_history WHERE point_id = \(id)") == 2)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM points") == 1)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'point'") == 2)
        }
    }

    @Test func invalidPointsAreRefusedAndChangeNothing() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin"), mh = try await env.identity("mh_admin")
            let good = PointDraft(code: "QC01-PC03-001", name: "湖滨公厕", category: "PC03", address: "", latitude: 30.6, longitude: 104.0,
                                  territory: "QC01-01-01", adopter: "QC01-U01", declared: true, active: true)
            let id = try await env.s.points.save(good, actor: admin)
            func variant(_ change: (inout PointDraft) -> Void) -> PointDraft {
                var d = good
                d.code = "QC01-PC03-002"
                change(&d)
                return d
            }
            let cases: [(PointDraft, Identity, String)] = [
                (variant { $0.category = "PC99" }, admin, "category"),
                (variant { $0.category = "" }, admin, "category"),
                (variant { $0.territory = "QC02-01-01" }, mh, "territory"),       // another district
                (variant { $0.territory = "QC01-U01" }, admin, "territory"),      // a unit is not a territory
                (variant { $0.territory = "QC" }, admin, "territory"),            // nor is the city
                (variant { $0.territory = "NOPE" }, admin, "territory"),
                (variant { $0.adopter = "NOPE" }, admin, "adopter"),
                (variant { $0.adopter = "QC01-01" }, admin, "adopter"),           // a street does not adopt
                (variant { $0.longitude = nil }, admin, "latitude"),              // latitude without longitude
                (variant { $0.latitude = nil }, admin, "latitude"),
                (variant { $0.latitude = 95 }, admin, "latitude"),
                (variant { $0.code = "湖滨 1" }, admin, "code"),
                (variant { $0.code = "" }, admin, "code"),
                (variant { $0.name = "  " }, admin, "name"),
            ]
            for (draft, actor, key) in cases {
                let e = try await env.insRefused("validation") { _ = try await env.s.points.save(draft, actor: actor) }
                #expect(insKeys(e).contains(key), "\(draft) by \(actor.username): \(String(describing: e))")
            }
            // A new point may not take an existing code, and an edit may not change its code.
            let taken = try await env.insRefused("validation") { _ = try await env.s.points.save(good, actor: admin) }
            #expect(insKeys(taken) == ["code"])
            let renamed = try await env.insRefused("validation") { _ = try await env.s.points.save(variant { _ in }, existingID: id, actor: admin) }
            #expect(insKeys(renamed) == ["code"])
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM point_history") == 1)
        }
    }

    @Test func pointsAreSeenByTerritoryOrAdopterAndChangedOnlyWithinTheTerritory() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let mh = try await env.identity("mh_admin"), school = try await env.identity("school_liaison"), dc = try await env.identity("dc_liaison")
            let adopted = try await env.insPointID("QC02-PC03-001")      // in 东城区, adopted by 明湖区's school
            let foreign = try await env.insPointID("QC02-PC03-002")      // in 东城区, not adopted from 明湖区
            let own = try await env.insPointID("QC01-PC03-003")

            func codes(_ who: Identity, inactive: Bool = true) async throws -> [String] {
                var f = PointService.Filter(); f.includeInactive = inactive
                return try await env.s.points.list(f, actor: who).items.map(\.p.code)
            }
            // 明湖区's admin: its own points and the one its school adopts in 东城区, nothing else.
            let mine = try await codes(mh)
            #expect(mine == insSeedRows.map { $0[0] }.filter { $0.hasPrefix("QC01-") || $0 == "QC02-PC03-001" }.sorted())
            #expect(try await env.s.points.list(PointService.Filter(), actor: mh).total == mine.count - 1)    // the inactive one is hidden by default
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.points.get(foreign, actor: mh) }) == "notFound")
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.points.history(foreign, actor: mh) }) == "notFound")
            #expect(try await env.s.points.get(adopted, actor: mh).p.code == "QC02-PC03-001")

            // It may not change 东城区's points, not even to move them into its own district, nor the one it only sees.
            for (id, code) in [(foreign, "QC02-PC03-002"), (adopted, "QC02-PC03-001")] {
                let d = PointDraft(code: code, name: "改到明湖区", category: "PC03", address: "", latitude: nil, longitude: nil,
                                   territory: "QC01-01-01", adopter: "", declared: true, active: true)
                try await env.insRefused("forbidden") { _ = try await env.s.points.save(d, existingID: id, actor: mh) }
            }
            // The same through an import: refused with the row, nothing written.
            let sneaky = insTable([insRow("QC01-PC03-050", "PC03", "QC01-01-01"), insRow("QC02-PC03-002", "PC03", "QC01-01-01")])
            let e = try await env.insRefused("importFailed") { _ = try await env.s.points.importTable(sneaky, actor: mh, maxRows: 100) }
            if case .importFailed(let issues)? = e { #expect(issues.map(\.row) == [3]) }

            // A liaison cannot register or change points, but sees what its unit adopts wherever it is.
            let d = PointDraft(code: "QC01-PC03-060", name: "学校公厕", category: "PC03", address: "", latitude: nil, longitude: nil,
                               territory: "QC01-01-01", adopter: "QC01-U01", declared: true, active: true)
            try await env.insRefused("forbidden") { _ = try await env.s.points.save(d, actor: school) }
            try await env.insRefused("forbidden") { _ = try await env.s.points.importTable(insTable([insRow("QC01-PC03-061", "PC03", "QC01-01-01")]), actor: school, maxRows: 100) }
            #expect(try await codes(school) == ["QC01-PC03-001", "QC02-PC03-001"])
            #expect(try await env.s.points.get(adopted, actor: school).adopterCode == "QC01-U01")
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.points.get(own, actor: school) }) == "notFound")
            // 东城区's liaison sees its district's points, including the one adopted from 明湖区.
            #expect(try await codes(dc) == ["QC02-PC02-001", "QC02-PC03-001", "QC02-PC03-002", "QC02-PC03-003"])
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.points.get(own, actor: dc) }) == "notFound")
            // Citizens do not see the registry at all.
            #expect(appErrorKind(await thrownAppError { _ = try await codes(try await env.identity("citizen")) }) == "forbidden")
        }
    }

    // MARK: Import

    @Test func anImportIsAllOrNothingAndAnExportImportsBackUnchanged() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin")
            let n = try await env.s.points.importTable(insTable(insSeedRows), actor: admin, maxRows: 1000)
            #expect(n == 13)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM points") == 13)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM point_history WHERE change LIKE '登记：%'") == 13)
            let p = try await env.s.points.get(try await env.insPointID("QC01-PC03-002"), actor: admin)
            #expect(p.categoryCode == "PC03" && p.territoryCode == "QC01-01-01-G1" && p.adopterCode == "QC01-D01" && p.p.latE6 == 30_612_000)
            let off = try await env.s.points.get(try await env.insPointID("QC01-PC03-010"), actor: admin)
            #expect(off.p.active == 0 && off.p.declared == 1)
            #expect(try await env.s.points.get(try await env.insPointID("QC01-PC03-009"), actor: admin).p.declared == 0)

            // One bad row among good ones: nothing is written, the problem names its sheet row and column.
            let bad = insTable([insRow("QC01-PC03-101", "PC03", "QC01-01-01"), insRow("QC01-PC03-102", "PC03", "QC09-01"),
                                insRow("QC01-PC03-103", "PC03", "QC01-01-01")])
            let e = try await env.insRefused("importFailed") { _ = try await env.s.points.importTable(bad, actor: admin, maxRows: 1000) }
            guard case .importFailed(let issues)? = e else { return }
            #expect(issues.map(\.row) == [3])
            #expect(issues.first?.column == "所属区域编码")
            // Other row problems: a bad flag, a bad coordinate, a code twice, an unknown category; too many rows.
            let worse = insTable([insRow("QC01-PC03-104", "PC03", "QC01-01-01", declared: "也许"), insRow("QC01-PC03-105", "PC03", "QC01-01-01", lng: "东经"),
                                  insRow("QC01-PC03-104", "PC03", "QC01-01-01"), insRow("QC01-PC03-106", "厕所", "QC01-01-01")])
            let e2 = try await env.insRefused("importFailed") { _ = try await env.s.points.importTable(worse, actor: admin, maxRows: 1000) }
            if case .importFailed(let l)? = e2 { #expect(Set(l.map(\.row)) == [2, 3, 4, 5]) }
            try await env.insRefused("importFailed") { _ = try await env.s.points.importTable(insTable(insSeedRows), actor: admin, maxRows: 5) }

            // The export, read back as a table, is accepted and changes nothing but the history.
            env.clock.advance(120)
            let before = try await env.insState(withTimes: false)
            let exported = try await env.s.points.exportRows(actor: admin)
            #expect(exported.count == 14 && exported[0] == PointImport.columns.map(\.header))
            #expect(try await env.s.points.importTable(Table(rawRows: exported), actor: admin, maxRows: 1000) == 13)
            let after = try await env.insState(withTimes: false)
            let unchanged = { (s: String) in s.split(separator: "\n").filter { !$0.hasPrefix("point_history=") && !$0.hasPrefix("audit") } }
            #expect(unchanged(after) == unchanged(before))
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM point_history") == 26)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM point_history WHERE change LIKE '修改：%'") == 13)
            #expect(try await env.s.points.exportRows(actor: admin) == exported)
        }
    }

    /// A district admin sees the points its units adopt elsewhere, but its export holds only the points it may change,
    /// so importing that very file back succeeds and changes nothing but history.
    @Test func aDistrictAdminCanImportItsOwnExportBack() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let mh = try await env.identity("mh_admin")
            let exported = try await env.s.points.exportRows(actor: mh)
            #expect(!exported.contains { $0.first == "QC02-PC03-001" })
            #expect(try await env.s.points.get(try await env.insPointID("QC02-PC03-001"), actor: mh).p.code == "QC02-PC03-001")
            let before = try await env.insState(withTimes: false)
            _ = try await env.s.points.importTable(Table(rawRows: exported), actor: mh, maxRows: 1000)
            let after = try await env.insState(withTimes: false)
            let unchanged = { (s: String) in s.split(separator: "\n").filter { !$0.hasPrefix("point_history=") } }
            #expect(unchanged(after) == unchanged(before))
        }
    }

    // MARK: Draws

    @Test func aDrawRunAtOnceFreezesTheDeclaredActivePointsInScopeAndVerifies() async throws {
        try await withApp { env, _ in
            let admin = try await env.identity("admin"), mh = try await env.identity("mh_admin")
            let spec = DrawAlgorithm.Spec(strata: [.init(category: "PC03", count: 2)], randomViewing: [.init(category: "PC02", count: 1)])
            // A scope without a single declared, active point cannot be drawn from.
            let empty = try await env.insRefused("validation") { _ = try await env.s.draws.create(.init(name: "空抽签", scopeID: nil, spec: spec, at: nil), actor: admin) }
            #expect(insKeys(empty) == ["scope"])
            try await env.insSeedPoints()
            let d = try await env.s.draws.create(.init(name: " 全市模拟测评抽签 ", scopeID: nil, spec: spec, at: nil), actor: admin)
            #expect(d.name == "全市模拟测评抽签" && d.status == "done" && d.algorithm == DrawAlgorithm.version)
            #expect(d.scopeId == env.fx.ids["QC"] && d.scheduledAt == env.clock.now().epoch && d.ranAt == env.clock.now().epoch)
            #expect(d.pickCount == 3 && d.listSize == insCityList.count && d.spec == spec.canonical)

            // The frozen list: declared and active points only, in code order, with category and district codes.
            let list = try await env.s.draws.frozenList(d.id, actor: admin)
            #expect(list.map(\.code) == insCityList)
            #expect(list.first { $0.code == "QC02-PC03-001" } == .init(code: "QC02-PC03-001", category: "PC03", district: "QC02"))
            #expect(list.first { $0.code == "QC01-PC02-003" } == .init(code: "QC01-PC02-003", category: "PC02", district: "QC01"))
            #expect(d.listDigest == DrawAlgorithm.listDigest(list))
            #expect(d.commitment == DrawAlgorithm.commitment(seedHex: d.seed) && d.revealedSeed == d.seed)

            // The picks are the algorithm's on that list and seed, recorded with their digest.
            let expected = try DrawAlgorithm.run(frozen: list, spec: spec, seedHex: d.seed)
            let picks = try await env.s.draws.picks(d.id, actor: admin)
            #expect(picks.map(\.code) == expected.map(\.code))
            #expect(picks.map(\.kind) == ["stratum", "stratum", "view"] && picks.map(\.ord) == [0, 1, 2])
            #expect(picks.prefix(2).allSatisfy { $0.category == "PC03" && $0.categoryName == "公厕" } && picks.last?.category == "PC02")
            for p in picks { #expect(p.pointID == (try await env.insPointID(p.code))) }
            #expect(d.resultDigest == DrawAlgorithm.resultDigest(expected))
            let v = try #require(try await env.s.draws.verify(d.id, actor: admin))
            #expect(v.ok && v.recomputed == expected)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'draw' AND entity_id = \(d.id)") == 2)

            // Once run, a draw is neither run again nor cancelled.
            try await env.insRefused("conflict") { _ = try await env.s.draws.run(d.id, actor: admin) }
            try await env.insRefused("conflict") { try await env.s.draws.cancel(d.id, actor: admin) }
            try await env.insRefused("forbidden") { _ = try await env.s.draws.run(d.id, actor: try await env.identity("inspector")) }

            // A district's draw covers its own points; a quota larger than its stratum takes the whole stratum.
            let md = try await env.s.draws.create(.init(name: "明湖区抽签", scopeID: nil, spec: .init(strata: [.init(category: "PC03", district: "QC01", count: 10)]), at: nil), actor: mh)
            #expect(md.scopeId == env.fx.ids["QC01"] && md.listSize == 7 && md.pickCount == 4)
            #expect(try await env.s.draws.frozenList(md.id, actor: mh).allSatisfy { $0.district == "QC01" })
            #expect(Set(try await env.s.draws.picks(md.id, actor: mh).map(\.code)) == ["QC01-PC03-001", "QC01-PC03-002", "QC01-PC03-003", "QC01-PC03-004"])
            // Visibility: the city's draw and the district's own, not another district's.
            #expect(Set(try await env.s.draws.list(actor: mh).map(\.id)) == [d.id, md.id])
            #expect(try await env.s.draws.list(actor: try await env.identity("dc_liaison")).map(\.id) == [d.id])
            #expect(appErrorKind(await thrownAppError { _ = try await env.s.draws.get(md.id, actor: try await env.identity("dc_liaison")) }) == "notFound")

            // Refused: another district's scope, a unit as scope, a bad spec, no name, a time too far ahead, a liaison.
            let ok = DrawService.NewDraw(name: "抽签", scopeID: nil, spec: spec, at: nil)
            func with(_ change: (inout DrawService.NewDraw) -> Void) -> DrawService.NewDraw { var n = ok; change(&n); return n }
            let qc02 = env.fx.ids["QC02"]!, unit = env.fx.ids["QC01-U01"]!
            try await env.insRefused("forbidden") { _ = try await env.s.draws.create(with { $0.scopeID = qc02 }, actor: mh) }
            for (n, key) in [(with { $0.scopeID = unit }, "scope"), (with { $0.spec = .init(strata: []) }, "quota"),
                             (with { $0.spec = .init(strata: [.init(category: "PC03", count: -1)]) }, "quota"),
                             (with { $0.spec = .init(strata: [.init(category: "PC03", count: 1), .init(category: "PC03", district: "QC01", count: 1)]) }, "mix"),
                             (with { $0.name = " " }, "name"), (with { $0.at = env.clock.now().addingTimeInterval(400 * 86400) }, "at")] {
                let e = try await env.insRefused("validation") { _ = try await env.s.draws.create(n, actor: admin) }
                #expect(insKeys(e).contains(key), "\(key): \(String(describing: e))")
            }
            try await env.insRefused("forbidden") { _ = try await env.s.draws.create(ok, actor: try await env.identity("school_liaison")) }
        }
    }

    @Test func aScheduledDrawRunsOnlyOnceItsTimeHasComeAndFeedsTheRoundWaitingForIt() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            _ = try await env.importNational()
            let mh = try await env.identity("mh_admin")
            let t0 = env.clock.now()
            let spec = DrawAlgorithm.Spec(strata: [.init(category: "PC03", count: 2)], randomViewing: [.init(category: "PC02", count: 1)])
            let d = try await env.s.draws.create(.init(name: "明湖区预定抽签", scopeID: nil, spec: spec, at: t0.addingTimeInterval(3600)), actor: mh)
            #expect(d.status == "scheduled" && d.scheduledAt == t0.epoch + 3600 && d.listSize == 7)
            #expect(d.pickCount == nil && d.ranAt == nil && d.resultDigest == nil && d.revealedSeed == nil)
            #expect(try await env.s.draws.verify(d.id, actor: mh) == nil)
            #expect(try await env.s.draws.picks(d.id, actor: mh).isEmpty)

            // A round may be set up on the draw before it runs; it has no points yet.
            let rid = try await env.insRound(env.insNewRound(draw: d.id, points: []))
            #expect(try await env.s.rounds.roundPoints(rid, actor: mh).isEmpty)

            try await env.insRefused("conflict") { _ = try await env.s.draws.run(d.id, actor: mh) }
            #expect(try await env.s.draws.runDue() == [])
            env.clock.advance(3599)
            #expect(try await env.s.draws.runDue() == [])
            #expect(try await env.s.draws.get(d.id, actor: mh).status == "scheduled")
            env.clock.advance(1)
            #expect(try await env.s.draws.runDue() == [d.id])
            let done = try await env.s.draws.get(d.id, actor: mh)
            #expect(done.status == "done" && done.ranAt == t0.epoch + 3600 && done.pickCount == 3 && done.seed == d.seed && done.commitment == d.commitment)
            #expect(try await env.s.draws.verify(d.id, actor: mh)?.ok == true)
            #expect(try await env.s.draws.runDue() == [])
            let picks = try await env.s.draws.picks(d.id, actor: mh)
            let rp = try await env.s.rounds.roundPoints(rid, actor: mh)
            #expect(Set(rp.map(\.point.p.code)) == Set(picks.map(\.code)) && rp.count == 3 && rp.allSatisfy { $0.via == "draw" })

            // A round created after the draw ran gets its picks at once, besides the points chosen for it.
            let rid2 = try await env.insRound(env.insNewRound(name: "第二轮", draw: d.id, points: ["QC01-PC03-004"]))
            let rp2 = try await env.s.rounds.roundPoints(rid2, actor: mh)
            #expect(Set(rp2.map(\.point.p.code)) == Set(picks.map(\.code) + ["QC01-PC03-004"]))
            #expect(rp2.first { $0.point.p.code == "QC01-PC03-004" }?.via == "chosen")

            // A draw cancelled before its time never runs, and a round cannot use it.
            let c = try await env.s.draws.create(.init(name: "取消的抽签", scopeID: nil, spec: spec, at: env.clock.now().addingTimeInterval(600)), actor: mh)
            try await env.insRefused("forbidden") { try await env.s.draws.cancel(c.id, actor: try await env.identity("dc_liaison")) }
            try await env.s.draws.cancel(c.id, actor: mh)
            #expect(try await env.s.draws.get(c.id, actor: mh).status == "cancelled")
            env.clock.advance(3600)
            #expect(try await env.s.draws.runDue() == [])
            try await env.insRefused("conflict") { _ = try await env.s.draws.run(c.id, actor: mh) }
            try await env.insRefused("conflict") { try await env.s.draws.cancel(c.id, actor: mh) }
            let e = try await env.insRefused("validation") { _ = try await env.insRound(env.insNewRound(draw: c.id, points: [])) }
            #expect(insKeys(e) == ["draw"])

            // A time already past when the draw is created: it runs at once.
            let past = try await env.s.draws.create(.init(name: "补抽", scopeID: nil, spec: spec, at: env.clock.now().addingTimeInterval(-3600)), actor: mh)
            #expect(past.status == "done" && past.scheduledAt == env.clock.now().epoch)
        }
    }

    /// A round over a draw of a wider scope (a district's round on the city's draw) must get only the picks in its own
    /// scope — the same rule as for points chosen by code.
    @Test func aRoundOverAWiderDrawGetsOnlyThePicksInItsScope() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let admin = try await env.identity("admin"), mh = try await env.identity("mh_admin")
            // Every declared, active 公厕 of the city is drawn: four in 明湖区, three in 东城区.
            let spec = DrawAlgorithm.Spec(strata: [.init(category: "PC03", count: 10)])
            let now = try await env.s.draws.create(.init(name: "全市抽签", scopeID: nil, spec: spec, at: nil), actor: admin)
            #expect(now.pickCount == 7)
            let later = try await env.s.draws.create(.init(name: "全市预定抽签", scopeID: nil, spec: spec, at: env.clock.now().addingTimeInterval(60)), actor: admin)
            let r1 = try await env.insRound(env.insNewRound(draw: now.id, points: []))
            let r2 = try await env.insRound(env.insNewRound(name: "第二轮", draw: later.id, points: []))
            env.clock.advance(60)
            #expect(try await env.s.draws.runDue() == [later.id])
            let qc01 = try await env.org("QC01")
            for rid in [r1, r2] {
                let codes = try await env.s.rounds.roundPoints(rid, actor: mh).map(\.point.p.code)
                #expect(codes.contains("QC01-PC03-001"))
                let paths = try await env.s.rounds.roundPoints(rid, actor: mh).map(\.point.p.territoryPath)
                #expect(!paths.isEmpty && paths.allSatisfy { qc01.orgPath.contains(OrgPath($0)!) }, "round \(rid) holds \(codes)")
            }
        }
    }

    @Test func theDatabaseRefusesToAlterOrDeleteADrawItsListOrItsPicks() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let admin = try await env.identity("admin")
            let spec = DrawAlgorithm.Spec(strata: [.init(category: "PC03", count: 2)], randomViewing: [.init(category: "PC02", count: 1)])
            let done = try await env.s.draws.create(.init(name: "已抽", scopeID: nil, spec: spec, at: nil), actor: admin)
            let scheduled = try await env.s.draws.create(.init(name: "待抽", scopeID: nil, spec: spec, at: env.clock.now().addingTimeInterval(3600)), actor: admin)
            // A bare draw row (no list) so that a refused DELETE is the trigger's doing, not a foreign key's.
            let zero = String(repeating: "0", count: 64)
            try await env.insExec("""
                INSERT INTO draws (name, scope_id, scope_path, algorithm, spec, list_size, list_digest, commitment, seed, status, scheduled_at, created_by_name, created_at)
                VALUES ('空', \(done.scopeId), '\(done.scopePath)', 'x', 'S\tPC03\t*\t1\n', 0, '\(zero)', '\(zero)', '\(zero)', 'scheduled', 0, 'x', 0)
                """)
            let bare = try await env.insCount("SELECT MAX(id) AS n FROM draws")
            let before = try await env.insState()
            let statements = [
                "UPDATE draws SET seed = '\(zero)' WHERE id = \(done.id)",
                "UPDATE draws SET seed = '\(zero)' WHERE id = \(scheduled.id)",
                "UPDATE draws SET commitment = '\(zero)' WHERE id = \(scheduled.id)",
                "UPDATE draws SET list_digest = '\(zero)', status = 'done' WHERE id = \(scheduled.id)",
                "UPDATE draws SET spec = 'S\tPC02\t*\t1\n' WHERE id = \(scheduled.id)",
                "UPDATE draws SET scheduled_at = 0 WHERE id = \(scheduled.id)",
                "UPDATE draws SET list_size = 99, status = 'cancelled' WHERE id = \(scheduled.id)",
                "UPDATE draws SET status = 'scheduled' WHERE id = \(done.id)",
                "UPDATE draws SET status = 'cancelled' WHERE id = \(done.id)",
                "UPDATE draws SET status = 'done' WHERE id = \(done.id)",
                "UPDATE draws SET result_digest = '\(zero)' WHERE id = \(done.id)",
                "UPDATE draws SET name = '改名' WHERE id = \(done.id)",
                "DELETE FROM draws WHERE id = \(bare)",
                "DELETE FROM draws WHERE id = \(done.id)",
                "UPDATE draw_entries SET category = 'PC02' WHERE draw_id = \(done.id) AND ord = 0",
                "UPDATE draw_entries SET ord = ord + 100 WHERE draw_id = \(scheduled.id)",
                "DELETE FROM draw_entries WHERE draw_id = \(done.id)",
                "UPDATE draw_picks SET code = 'QC01-PC03-001' WHERE draw_id = \(done.id) AND ord = 0",
                "DELETE FROM draw_picks WHERE draw_id = \(done.id)",
                "UPDATE point_history SET change = '篡改'",
                "DELETE FROM point_history",
            ]
            for sql in statements {
                #expect(await env.insRefuses(sql), "not refused: \(sql)")
            }
            #expect(try await env.insState() == before)
            #expect(try await env.s.draws.verify(done.id, actor: admin)?.ok == true)
            // The permitted transitions still work (so the refusals above were the guards, not broken SQL).
            try await env.insExec("UPDATE draws SET status = 'cancelled' WHERE id = \(bare)")
            env.clock.advance(3600)
            #expect(try await env.s.draws.run(scheduled.id, actor: nil).status == "done")
            #expect(try await env.s.draws.verify(scheduled.id, actor: admin)?.ok == true)
        }
    }

    /// What no trigger stops — appending to a draw's list or picks — `verify` detects.
    @Test func appendedEntriesOrPicksFailVerification() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let admin = try await env.identity("admin")
            let spec = DrawAlgorithm.Spec(strata: [.init(category: "PC03", count: 2)], randomViewing: [.init(category: "PC02", count: 1)])
            let a = try await env.s.draws.create(.init(name: "甲", scopeID: nil, spec: spec, at: nil), actor: admin)
            let b = try await env.s.draws.create(.init(name: "乙", scopeID: nil, spec: spec, at: nil), actor: admin)
            let pid = try await env.insPointID("QC01-PC03-009")
            try await env.insExec("INSERT INTO draw_entries (draw_id, ord, point_id, code, category, district) VALUES (\(a.id), \(a.listSize), \(pid), 'QC01-PC03-009', 'PC03', 'QC01')")
            let va = try #require(try await env.s.draws.verify(a.id, actor: admin))
            #expect(!va.ok && !va.listDigestMatches && va.commitmentMatches)
            let picked = Set(try await env.s.draws.picks(b.id, actor: admin).map(\.code))
            let extra = try #require(insCityList.first { $0.contains("PC03") && !picked.contains($0) })
            try await env.insExec("INSERT INTO draw_picks (draw_id, ord, kind, category, district, code, point_id) VALUES (\(b.id), 3, 'stratum', 'PC03', '*', '\(extra)', \(try await env.insPointID(extra)))")
            let vb = try #require(try await env.s.draws.verify(b.id, actor: admin))
            #expect(!vb.ok && vb.listDigestMatches && vb.commitmentMatches && !vb.sampleMatches)
        }
    }

    @Test(.enabled(if: !insOnPostgres, "drops SQLite triggers by name"))
    func tamperingThatBypassesTheTriggersIsDetected() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let admin = try await env.identity("admin")
            let spec = DrawAlgorithm.Spec(strata: [.init(category: "PC03", count: 2)], randomViewing: [.init(category: "PC02", count: 1)])
            var draws: [DrawRow] = []
            for i in 0..<5 { draws.append(try await env.s.draws.create(.init(name: "抽签\(i)", scopeID: nil, spec: spec, at: nil), actor: admin)) }
            for d in draws { #expect(try await env.s.draws.verify(d.id, actor: admin)?.ok == true) }
            for t in ["draws_guard", "draw_entries_no_update", "draw_picks_no_update"] { try await env.insExec("DROP TRIGGER \(t)") }

            // Another seed: its commitment no longer matches.
            let other = draws[0].seed == String(repeating: "a", count: 64) ? String(repeating: "b", count: 64) : String(repeating: "a", count: 64)
            try await env.insExec("UPDATE draws SET seed = '\(other)' WHERE id = \(draws[0].id)")
            let v0 = try #require(try await env.s.draws.verify(draws[0].id, actor: admin))
            #expect(!v0.ok && !v0.commitmentMatches && v0.listDigestMatches)

            // An entry of the frozen list changed: the list digest no longer matches.
            try await env.insExec("UPDATE draw_entries SET category = 'PC02' WHERE draw_id = \(draws[1].id) AND code = 'QC02-PC03-003'")
            let v1 = try #require(try await env.s.draws.verify(draws[1].id, actor: admin))
            #expect(!v1.ok && !v1.listDigestMatches && v1.commitmentMatches)

            // A pick's code changed to another point of the same stratum: the recomputed sample differs.
            let picks = try await env.s.draws.picks(draws[2].id, actor: admin)
            let swap = try #require(insCityList.first { $0.contains("PC03") && !picks.map(\.code).contains($0) })
            try await env.insExec("UPDATE draw_picks SET code = '\(swap)' WHERE draw_id = \(draws[2].id) AND ord = 0")
            let v2 = try #require(try await env.s.draws.verify(draws[2].id, actor: admin))
            #expect(!v2.ok && !v2.sampleMatches && v2.listDigestMatches && v2.commitmentMatches)

            // A pick's kind changed, or the recorded result digest: also a sample mismatch.
            try await env.insExec("UPDATE draw_picks SET kind = 'bogus' WHERE draw_id = \(draws[3].id) AND ord = 2")
            #expect(try await env.s.draws.verify(draws[3].id, actor: admin)?.sampleMatches == false)
            try await env.insExec("UPDATE draws SET result_digest = '\(String(repeating: "0", count: 64))' WHERE id = \(draws[4].id)")
            #expect(try await env.s.draws.verify(draws[4].id, actor: admin)?.sampleMatches == false)
            #expect(try await env.s.draws.verify(draws[4].id, actor: admin)?.listDigestMatches == true)
        }
    }

    // MARK: Rounds

    @Test func aDistrictAdminCreatesARoundAndBadRoundsChangeNothing() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let mh = try await env.identity("mh_admin")
            let rid = try await env.insRound(env.insNewRound(end: "2026-11-21", points: ["QC01-PC03-001", " QC01-PC03-002 ", "QC01-PC03-001"]))
            let r = try await env.s.rounds.get(rid, actor: mh)
            #expect(r.name == "明湖区模拟测评" && r.kind == "mock" && r.scopeId == env.fx.ids["QC01"] && r.status == "open")
            #expect(r.startDate == "2026-11-20" && r.endDate == "2026-11-21" && r.drawId == nil)
            #expect(try await env.s.rounds.members(rid, actor: mh).map(\.username) == ["inspector"])
            let rp = try await env.s.rounds.roundPoints(rid, actor: mh)
            #expect(rp.map(\.point.p.code) == ["QC01-PC03-001", "QC01-PC03-002"] && rp.allSatisfy { $0.via == "chosen" && !$0.visited })

            let base = env.insNewRound(points: ["QC01-PC03-003"])
            func with(_ change: (inout RoundService.NewRound) -> Void) -> RoundService.NewRound { var n = base; change(&n); return n }
            let bad: [(RoundService.NewRound, String)] = [
                (with { $0.members = [] }, "members"),
                (with { $0.members = [" "] }, "members"),
                (with { $0.members = ["mh_liaison"] }, "members"),          // a liaison does not inspect
                (with { $0.members = ["inspector", "grid01"] }, "members"),
                (with { $0.members = ["nobody"] }, "members"),
                (with { $0.startDate = "2026-13-01" }, "start"),
                (with { $0.endDate = "2026-02-30" }, "end"),
                (with { $0.endDate = "2026-11-19" }, "end"),                // before the start
                (with { $0.pointCodes = ["QC02-PC03-002"] }, "points"),     // another district
                (with { $0.pointCodes = ["QC02-PC03-001"] }, "points"),     // adopted from 明湖区, but lies in 东城区
                (with { $0.pointCodes = ["QC01-PC03-010"] }, "points"),     // inactive
                (with { $0.pointCodes = ["NOPE"] }, "points"),
                (with { $0.pointCodes = [] }, "points"),                    // neither a draw nor points
                (with { $0.kind = nil }, "kind"),
                (with { $0.name = " " }, "name"),
                (with { $0.scopeID = env.fx.ids["QC01-U01"] }, "scope"),
                (with { $0.drawID = 9999 }, "draw"),
            ]
            for (n, key) in bad {
                let e = try await env.insRefused("validation") { _ = try await env.insRound(n) }
                #expect(insKeys(e).contains(key), "\(key): \(String(describing: e))")
            }
            try await env.insRefused("forbidden") { _ = try await env.insRound(with { $0.scopeID = env.fx.ids["QC02"] }) }
            try await env.insRefused("forbidden") { _ = try await env.insRound(base, by: "inspector") }

            // Who sees it: the district and the city by scope, the team by membership; not another district, not a grid.
            let inspector = try await env.identity("inspector")
            #expect(try await env.s.rounds.list(actor: inspector).map(\.id) == [rid])
            #expect(try await env.s.rounds.list(actor: try await env.identity("admin")).map(\.id) == [rid])
            #expect(try await env.s.rounds.list(actor: try await env.identity("dc_liaison")).isEmpty)
            for u in ["dc_liaison", "grid01", "citizen"] {
                #expect(appErrorKind(await thrownAppError { _ = try await env.s.rounds.get(rid, actor: try await env.identity(u)) }) == "notFound", "\(u)")
            }
        }
    }

    @Test func aVisitJudgesEveryStandardAndFilesOneCasePerProblemAtThePointsAdopter() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            _ = try await env.importNational()
            let mh = try await env.identity("mh_admin"), inspector = try await env.identity("inspector")
            let rid = try await env.insRound(env.insNewRound(points: ["QC01-PC03-001", "QC01-PC03-002", "QC01-PC03-003", "QC01-PC03-004"]))
            let p1 = try await env.insPointID("QC01-PC03-001"), p2 = try await env.insPointID("QC01-PC03-002")
            let p3 = try await env.insPointID("QC01-PC03-003"), p4 = try await env.insPointID("QC01-PC03-004")
            let ck = try await env.insToiletChecklist()
            #expect(Set(ck.keys) == ["P06-04-01", "P06-04-02", "P06-04-03"])
            let s1 = try #require(ck["P06-04-01"]), s2 = try #require(ck["P06-04-02"]), s3 = try #require(ck["P06-04-03"])
            #expect(s1.score == Score(hundredths: 500) && s2.score == Score(hundredths: 950) && s3.score == Score(hundredths: 500))

            let allGood = [RoundService.Verdict(standardID: s1.id, code: "pass"), .init(standardID: s2.id, code: "pass"), .init(standardID: s3.id, code: "pass")]
            func verdicts(_ change: (inout [RoundService.Verdict]) -> Void) -> [RoundService.Verdict] { var v = allGood; change(&v); return v }
            // Refused, nothing written: a standard left unjudged, a deduction above the standard's score or not positive,
            // a problem without a note or a type, an unknown verdict.
            let bad: [([RoundService.Verdict], String)] = [
                (Array(allGood.prefix(2)), "item\(s3.id)"),
                (verdicts { $0[0] = .init(standardID: s1.id, code: "deduct", deduction: "6", note: "标识缺失", caseType: "QT") }, "item\(s1.id)"),
                (verdicts { $0[0] = .init(standardID: s1.id, code: "deduct", deduction: "5.01", note: "标识缺失", caseType: "QT") }, "item\(s1.id)"),
                (verdicts { $0[0] = .init(standardID: s1.id, code: "deduct", deduction: "0", note: "标识缺失", caseType: "QT") }, "item\(s1.id)"),
                (verdicts { $0[0] = .init(standardID: s1.id, code: "deduct", deduction: "", note: "标识缺失", caseType: "QT") }, "item\(s1.id)"),
                (verdicts { $0[1] = .init(standardID: s2.id, code: "fail", note: " ", caseType: "HJ") }, "note\(s2.id)"),
                (verdicts { $0[1] = .init(standardID: s2.id, code: "fail", note: "积粪", caseType: "") }, "type\(s2.id)"),
                (verdicts { $0[1] = .init(standardID: s2.id, code: "fail", note: "积粪", caseType: "NOPE") }, "type\(s2.id)"),
                (verdicts { $0[1] = .init(standardID: s2.id, code: "bad") }, "item\(s2.id)"),
                (verdicts { $0[1] = .init(standardID: s2.id, code: "") }, "item\(s2.id)"),
            ]
            for (v, key) in bad {
                let e = try await env.insRefused("validation") { _ = try await env.s.rounds.recordVisit(round: rid, point: p1, insVisit(v), actor: inspector) }
                #expect(insKeys(e).contains(key), "\(key): \(String(describing: e))")
            }
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM visits") == 0)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM cases") == 0)
            // Not on the team: refused; not able to see the round: not found; a point not in the round: not found.
            try await env.insRefused("forbidden") { _ = try await env.s.rounds.recordVisit(round: rid, point: p1, insVisit(allGood), actor: try await env.identity("supervisor")) }
            try await env.insRefused("notFound") { _ = try await env.s.rounds.recordVisit(round: rid, point: p1, insVisit(allGood), actor: try await env.identity("dc_liaison")) }
            try await env.insRefused("notFound") {
                _ = try await env.s.rounds.recordVisit(round: rid, point: try await env.insPointID("QC01-PC02-001"), insVisit(allGood), actor: inspector)
            }

            // One pass, one fail, one deduction: two cases of the mock evaluation at the point, for its adopting unit.
            let (visit, made) = try await env.s.rounds.recordVisit(round: rid, point: p1, insVisit(verdicts {
                $0[1] = .init(standardID: s2.id, code: "fail", note: "便池积粪", caseType: "HJ")
                $0[2] = .init(standardID: s3.id, code: "deduct", deduction: "2", note: "照明损坏", caseType: "QT")
            }), actor: inspector)
            #expect(made.count == 2)
            let cases = try await env.insCases(point: p1)
            #expect(cases.map(\.id) == made.map(\.id))
            #expect(cases.map(\.standardId) == [s2.id, s3.id])
            for c in cases {
                #expect(c.source == "mock_evaluation" && c.pointId == p1 && c.state == "reported")
                #expect(c.unitId == env.fx.ids["QC01-U01"] && c.routeVia == "point")
                #expect(c.territoryId == env.fx.ids["QC01-01-01"] && c.description.hasPrefix("【模拟测评·点位 QC01-PC03-001】"))
            }
            #expect(cases.first?.description.contains("公厕卫生：便池积粪") == true && cases.first?.typeCode == "HJ" && cases.last?.typeCode == "QT")
            let items = try await env.s.db.read { db in
                try await db.raw("SELECT standard_id, verdict, full_h, lost_h, unit_id, case_id FROM visit_items WHERE visit_id = \(bind: visit) ORDER BY id").all().map {
                    "\(try $0.decode(column: "standard_id", as: Int64.self))|\(try $0.decode(column: "verdict", as: String.self))|\(try $0.decode(column: "full_h", as: Int.self))|\(try $0.decode(column: "lost_h", as: Int.self))|\(try $0.decode(column: "unit_id", as: Int64?.self).map(String.init) ?? "-")|\(try $0.decode(column: "case_id", as: Int64?.self).map(String.init) ?? "-")"
                }
            }
            let school = env.fx.ids["QC01-U01"]!
            #expect(items == ["\(s1.id)|pass|500|0|-|-", "\(s2.id)|fail|950|950|\(school)|\(made[0].id)", "\(s3.id)|deduct|500|200|\(school)|\(made[1].id)"])
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM visits WHERE id = \(visit) AND full_h = 1950 AND lost_h = 1150 AND inspector_id = \(inspector.userID)") == 1)
            let shown = try await env.s.rounds.visitItems(round: rid, point: p1, actor: mh)
            #expect(shown.map(\.verdict) == ["pass", "fail", "deduct"] && shown[1].caseNumber == made[0].number)

            // The same point again: refused.
            try await env.insRefused("conflict") { _ = try await env.s.rounds.recordVisit(round: rid, point: p1, insVisit(allGood), actor: inspector) }
            // All good at another point: no case, no unit charged.
            #expect(try await env.s.rounds.recordVisit(round: rid, point: p2, insVisit(allGood), actor: inspector).cases.isEmpty)
            // The district admin (not on the team, but managing rounds there) may record; with no adopter the case's
            // unit (the street, for a type without a department) answers for the loss.
            let (_, m3) = try await env.s.rounds.recordVisit(round: rid, point: p3, insVisit(verdicts {
                $0[1] = .init(standardID: s2.id, code: "fail", note: "地面积水", caseType: "HJ")
            }), actor: mh)
            #expect(m3.count == 1 && m3.first?.routeVia == "territory" && m3.first?.unitId == env.fx.ids["QC01-01"])
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM visit_items WHERE point_id = \(p3) AND unit_id = \(env.fx.ids["QC01-01"]!)") == 1)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM visit_items WHERE point_id = \(p2) AND unit_id IS NOT NULL") == 0)

            // Results by hand: the checklist is worth F = 19.5; a point keeps (F − L) / F.
            //   001: L = 9.5 + 2 = 11.5 → 8 / 19.5 = 41.03 %; 002: 100 %; 003: L = 9.5 → 10 / 19.5 = 51.28 %.
            func score(_ full: Int, _ lost: Int) -> Int { Int((Double(full - lost) * 10000 / Double(full)).rounded()) }
            #expect(score(1950, 1150) == 4103 && score(1950, 950) == 5128)
            let res = try await env.s.rounds.results(rid, actor: mh)
            #expect(res.overall == Int((Double(4103 + 10000 + 5128) / 3).rounded()) && res.overall == 6410)
            #expect(res.visited == 3 && res.planned == 4 && res.cases == 3 && res.items.count == 9)
            #expect(res.byCategory.map { "\($0.key)|\($0.score)|\($0.points)" } == ["公厕|6410|3"])
            #expect(res.byDistrict.map { "\($0.key)|\($0.score)|\($0.points)" } == ["明湖区|6410|3"])
            #expect(res.byStreet.map { "\($0.key)|\($0.score)|\($0.points)" } == ["明湖区 湖滨街道|6410|3"])
            #expect(res.byUnit.map { "\($0.key)|\($0.lost.hundredths)|\($0.items)" } == ["明湖区实验小学|1150|2", "湖滨街道|950|1"])
            #expect(res.byStandard.map { "\($0.key)|\($0.lost.hundredths)|\($0.items)" } == ["P06-04-02 公厕卫生|1900|2", "P06-04-03 公厕设施|200|1"])
            #expect(res.previous == nil && res.previousOverall == nil)
            #expect(try await env.s.points.latestScores(actor: mh) == [p1: 4103, p2: 10000, p3: 5128])

            // Closed: no more visits or impressions; only a manager closes, once.
            try await env.insRefused("forbidden") { try await env.s.rounds.close(rid, actor: inspector) }
            try await env.s.rounds.close(rid, actor: mh)
            #expect(try await env.s.rounds.get(rid, actor: mh).status == "closed")
            try await env.insRefused("conflict") { try await env.s.rounds.close(rid, actor: mh) }
            try await env.insRefused("conflict") { _ = try await env.s.rounds.recordVisit(round: rid, point: p4, insVisit(allGood), actor: inspector) }
            try await env.insRefused("conflict") {
                try await env.s.rounds.saveImpression(round: rid, scores: [.sanitation: "80", .civility: "80", .facilities: "80", .atmosphere: "80"], actor: inspector)
            }
        }
    }

    /// A case reported at a point with the standard it violates: placed in the point's territory, proposed to its
    /// adopting unit, the standard kept (a standard id used to be refused: the check compared the level to a word).
    @Test func aCaseReportedAtAPointWithItsStandardGoesToTheAdopter() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            _ = try await env.importNational()
            let admin = try await env.identity("admin")
            let pid = try await env.insPointID("QC01-PC03-001")
            let point = try await env.s.points.get(pid, actor: admin)
            let standard = try #require(try await env.insToiletChecklist().values.first)
            let draft = CaseDraft(source: .inspection, typeCode: "HJ", description: "公厕地面积水", address: "", latitude: 30.6, longitude: 104.0, urgency: .normal)
            let c = try await env.s.cases.report(.init(draft: draft, territoryID: nil, standardID: standard.id, pointID: pid), actor: admin)
            #expect(c.pointId == pid && c.standardId == standard.id)
            #expect(c.territoryId == point.p.territoryId)
            #expect(c.unitId == point.p.adopterId && c.routeVia == RouteVia.point.rawValue)
            // Without an address or a position, the point's stand in.
            let bare = CaseDraft(source: .inspection, typeCode: "HJ", description: "洗手液缺失", address: " ", latitude: nil, longitude: nil, urgency: .normal)
            let c2 = try await env.s.cases.report(.init(draft: bare, territoryID: nil, pointID: pid), actor: admin)
            #expect(c2.address == (point.p.address.isEmpty ? point.p.name : point.p.address))
            #expect(c2.latE6 == point.p.latE6 && c2.lngE6 == point.p.lngE6)
            // A project (not a standard) is refused and nothing is written.
            let project = try await env.s.db.read { try await $0.raw("SELECT id FROM index_nodes WHERE level = 1 LIMIT 1").first()!.decode(column: "id", as: Int64.self) }
            let before = try await env.insCount("SELECT COUNT(*) AS n FROM cases")
            let e = await thrownAppError { _ = try await env.s.cases.report(.init(draft: draft, territoryID: nil, standardID: project, pointID: pid), actor: admin) }
            #expect(insKeys(e) == ["standard"])
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM cases") == before)
        }
    }

    /// The same through the JSON API: `pointId` places the case and routes it; a point outside the caller's scope is refused.
    @Test func theAPIAcceptsAPointAndRoutesToItsAdopter() async throws {
        try await withApp { env, client in
            try await env.insSeedPoints()
            let admin = try await env.identity("admin")
            let pid = try await env.insPointID("QC01-PC03-001"), foreign = try await env.insPointID("QC02-PC03-002")
            let point = try await env.s.points.get(pid, actor: admin)
            let token = try await env.token("mh_admin")
            let r = try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(token, json: true),
                                             body: json(["type": "HJ", "description": "公厕门口积水", "address": "湖滨路", "pointId": pid]))
            #expect(r.status == .created)
            let c = decodeJSON(r.body)
            #expect(c["pointId"] as? Int == Int(pid) && c["routeVia"] as? String == "point" && c["territoryId"] as? Int == Int(point.p.territoryId))
            let before = try await env.insCount("SELECT COUNT(*) AS n FROM cases")
            let refused = try await client.execute(uri: "/api/v1/cases", method: .post, headers: bearer(token, json: true),
                                                   body: json(["type": "HJ", "description": "别区的点位", "address": "x", "pointId": foreign]))
            #expect(refused.status == .forbidden)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM cases") == before)
        }
    }

    @Test func aPointWhoseCategoryChecksRecordsNeedsTheirResult() async throws {
        try await withApp { env, _ in
            _ = try await env.importNational()
            let admin = try await env.identity("admin"), inspector = try await env.identity("inspector")
            // 社区 (PC21) is one of the categories whose activity and complaint records are looked at.
            #expect(try await env.s.points.categories().first { $0.code == "PC21" }?.checkRecords == true)
            let pid = try await env.s.points.save(PointDraft(code: "QC01-PC21-001", name: "柳荫社区", category: "社区", address: "", latitude: nil, longitude: nil,
                                                             territory: "QC01-01-01", adopter: "", declared: true, active: true), actor: admin)
            let rid = try await env.insRound(env.insNewRound(points: ["QC01-PC21-001"]))
            let list = try await env.s.points.checklist(categoryName: "社区")
            #expect(!list.isEmpty)
            let pass = list.map { RoundService.Verdict(standardID: $0.id, code: "pass") }
            let e = try await env.insRefused("validation") { _ = try await env.s.rounds.recordVisit(round: rid, point: pid, insVisit(pass), actor: inspector) }
            #expect(insKeys(e) == ["records"])
            _ = try await env.s.rounds.recordVisit(round: rid, point: pid, insVisit(pass, recordsOK: false), actor: inspector)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM visits WHERE records_ok = 0 AND lost_h = 0") == 1)
        }
    }

    @Test func resultsCompareWithTheLatestEarlierRoundOfTheSameKindAndScope() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            _ = try await env.importNational()
            let mh = try await env.identity("mh_admin"), inspector = try await env.identity("inspector")
            let ck = try await env.insToiletChecklist()
            let ids = ck.values.map(\.id).sorted()
            let s2 = ck["P06-04-02"]!.id
            let p1 = try await env.insPointID("QC01-PC03-001"), p3 = try await env.insPointID("QC01-PC03-003")
            func visit(_ rid: Int64, _ point: Int64, failing: Set<Int64>) async throws {
                let v = ids.map { failing.contains($0) ? RoundService.Verdict(standardID: $0, code: "fail", note: "问题", caseType: "HJ") : .init(standardID: $0, code: "pass") }
                _ = try await env.s.rounds.recordVisit(round: rid, point: point, insVisit(v), actor: inspector)
            }
            // A: an earlier mock round, all good. C: a routine round in between, all bad. D: a mock round of a street.
            let a = try await env.insRound(env.insNewRound(name: "十月模拟测评", start: "2026-10-20", points: ["QC01-PC03-001"]))
            try await visit(a, p1, failing: [])
            let c = try await env.insRound(env.insNewRound(name: "日常督查", kind: .routine, start: "2026-11-01", points: ["QC01-PC03-001"]))
            try await visit(c, p1, failing: Set(ids))
            let d = try await env.insRound(env.insNewRound(name: "街道模拟测评", scope: "QC01-01", start: "2026-11-05", points: ["QC01-PC03-001"]))
            try await visit(d, p1, failing: Set(ids))
            // B: the current mock round. 001 fails 9.5 of 19.5 (51.28 %), 003 is all good: (5128 + 10000) / 2 = 7564.
            let b = try await env.insRound(env.insNewRound(name: "十一月模拟测评", start: "2026-11-20", points: ["QC01-PC03-001", "QC01-PC03-003"]))
            try await visit(b, p1, failing: [s2])
            try await visit(b, p3, failing: [])
            let rb = try await env.s.rounds.results(b, actor: mh)
            #expect(rb.overall == 7564)
            #expect(rb.previous?.id == a && rb.previousOverall == 10000 && rb.previousByDistrict == ["明湖区": 10000])
            #expect(RoundScoring.change(rb.overall, since: rb.previousOverall) == -2436)
            #expect(try await env.s.rounds.results(a, actor: mh).previous == nil)
            #expect(try await env.s.rounds.results(c, actor: mh).previous == nil)
            #expect(try await env.s.rounds.results(d, actor: mh).previous == nil)
            #expect(try await env.s.rounds.results(c, actor: mh).overall == 0)
            // Same start date: the one created earlier comes before. A later-created round with an earlier date comes
            // before by date.
            let e = try await env.insRound(env.insNewRound(name: "十一月补测", start: "2026-11-20", points: ["QC01-PC03-003"]))
            #expect(try await env.s.rounds.results(e, actor: mh).previous?.id == b)
            let f = try await env.insRound(env.insNewRound(name: "十一月初模拟测评", start: "2026-11-10", points: ["QC01-PC03-003"]))
            let rb2 = try await env.s.rounds.results(b, actor: mh)
            #expect(rb2.previous?.id == f && rb2.previousOverall == nil && rb2.previousByDistrict.isEmpty)
            #expect(try await env.s.rounds.results(f, actor: mh).previous?.id == a)
        }
    }

    @Test func teamMembersGiveTheirOverallImpression() async throws {
        try await withApp { env, _ in
            try await env.insSeedPoints()
            let mh = try await env.identity("mh_admin"), inspector = try await env.identity("inspector"), supervisor = try await env.identity("supervisor")
            let rid = try await env.insRound(env.insNewRound(members: ["inspector", "supervisor"], points: ["QC01-PC03-001"]))
            try await env.s.rounds.saveImpression(round: rid, scores: [.sanitation: "80", .civility: " 90 ", .facilities: "70", .atmosphere: "100"], actor: inspector)
            try await env.s.rounds.saveImpression(round: rid, scores: [.sanitation: "90", .civility: "90", .facilities: "0", .atmosphere: "95"], actor: supervisor)
            var res = try await env.s.rounds.results(rid, actor: mh)
            #expect(res.impressions.map { "\($0.aspect.rawValue)|\($0.mean.map(String.init) ?? "-")|\($0.count)" }
                    == ["sanitation|8500|2", "civility|9000|2", "facilities|3500|2", "atmosphere|9750|2"])
            // Saved again: replaced, not added.
            try await env.s.rounds.saveImpression(round: rid, scores: [.sanitation: "60", .civility: "90", .facilities: "70", .atmosphere: "100"], actor: inspector)
            res = try await env.s.rounds.results(rid, actor: mh)
            #expect(res.impressions.first?.mean == 7500 && res.impressions.first?.count == 2)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM impressions") == 8)

            for bad in ["101", "-1", "八十", "", "80.5"] {
                let e = try await env.insRefused("validation") {
                    try await env.s.rounds.saveImpression(round: rid, scores: [.sanitation: bad, .civility: "90", .facilities: "70", .atmosphere: "100"], actor: inspector)
                }
                #expect(insKeys(e) == ["sanitation"], "\(bad)")
            }
            let missing = try await env.insRefused("validation") { try await env.s.rounds.saveImpression(round: rid, scores: [.sanitation: "80"], actor: inspector) }
            #expect(insKeys(missing) == ["civility", "facilities", "atmosphere"])
            let full: [ImpressionAspect: String] = [.sanitation: "80", .civility: "80", .facilities: "80", .atmosphere: "80"]
            // The district admin sees the round but is not on its team; a liaison elsewhere does not even see it.
            try await env.insRefused("forbidden") { try await env.s.rounds.saveImpression(round: rid, scores: full, actor: mh) }
            try await env.insRefused("notFound") { try await env.s.rounds.saveImpression(round: rid, scores: full, actor: try await env.identity("dc_liaison")) }
        }
    }

    // MARK: Pages

    @Test func thePagesRenderForAnAdminAndRefuseThoseWhoMayNotSee() async throws {
        try await withApp { env, client in
            try await env.insSeedPoints()
            _ = try await env.importNational()
            let admin = try await env.identity("admin"), mh = try await env.identity("mh_admin")
            let d = try await env.s.draws.create(.init(name: "明湖区页面抽签", scopeID: nil, spec: .init(strata: [.init(category: "PC03", count: 2)]), at: nil), actor: mh)
            let rid = try await env.insRound(env.insNewRound(name: "页面模拟测评", points: ["QC01-PC03-001", "QC01-PC03-003"]))
            let p1 = try await env.insPointID("QC01-PC03-001"), p3 = try await env.insPointID("QC01-PC03-003")
            let ck = try await env.insToiletChecklist()
            let s2 = ck["P06-04-02"]!.id
            _ = try await env.s.rounds.recordVisit(round: rid, point: p1, insVisit(ck.values.map {
                $0.id == s2 ? .init(standardID: $0.id, code: "fail", note: "便池积粪", caseType: "HJ") : .init(standardID: $0.id, code: "pass")
            }), actor: try await env.identity("inspector"))

            let a = try await env.session("admin")
            let pc02 = try #require(try await env.s.points.categories().first { $0.code == "PC02" }).id
            func get(_ uri: String, _ s: Session) async throws -> TestResponse { try await client.execute(uri: uri, method: .get, headers: s.headers) }
            func text(_ r: TestResponse) -> String { String(buffer: r.body) }
            for (uri, needle) in [("/points", "QC02-PC03-002"), ("/points?category=\(pc02)", "QC01-PC02-003"),
                                  ("/points/map", "<circle"), ("/points/map?color=result", "<circle"), ("/points/\(p1)", "变更历史"), ("/points/new", "登记点位"),
                                  ("/draws", "明湖区页面抽签"), ("/draws/\(d.id)", d.commitment), ("/draws/\(d.id)?verify=1", "核验通过"),
                                  ("/draws/\(d.id)/spec.txt", "S\tPC03\t*\t2"), ("/rounds", "页面模拟测评"), ("/rounds/\(rid)", "页面模拟测评"),
                                  ("/rounds/\(rid)/report", "谁丢分谁负责"), ("/rounds/\(rid)/points/\(p1)", "便池积粪"), ("/rounds/\(rid)/points/\(p3)", "公厕卫生")] {
                let r = try await get(uri, a)
                #expect(r.status == .ok, "\(uri): \(r.status)")
                #expect(text(r).contains(needle), "\(uri) lacks \(needle)")
            }
            #expect(!text(try await get("/points?category=\(pc02)", a)).contains("QC01-PC03-001"))
            let tsv = try await get("/draws/\(d.id)/list.tsv", a)
            #expect(tsv.status == .ok)
            #expect(Array(tsv.body.readableBytesView) == DrawAlgorithm.canonicalBytes(try await env.s.draws.frozenList(d.id, actor: admin)))
            let report = text(try await get("/rounds/\(rid)/report", a))
            #expect(report.contains("51.28") && report.contains("明湖区实验小学"))
            let xlsx = try await get("/rounds/\(rid)/report.xlsx", a)
            #expect(xlsx.status == .ok && Array(xlsx.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            let csv = text(try await get("/points/export.csv", a))
            #expect(csv.contains("QC02-PC03-001") && csv.contains("所属区域编码"))

            // Those who may not see: a grid worker sees points (none of 明湖区's above its grid) and the district's draw,
            // not the round; a citizen sees none of it; another district neither the draw nor the round.
            let grid = try await env.session("grid01")
            #expect(try await get("/points", grid).status == .ok)
            #expect(!text(try await get("/points", grid)).contains("QC01-PC03-003"))
            #expect(try await get("/points/\(p3)", grid).status == .notFound)
            #expect(try await get("/points/new", grid).status == .forbidden)
            #expect(try await get("/rounds/\(rid)", grid).status == .notFound)
            #expect(try await get("/rounds/\(rid)/report", grid).status == .notFound)
            #expect(try await get("/rounds/\(rid)/report.xlsx", grid).status == .notFound)
            #expect(try await get("/rounds/\(rid)/points/\(p1)", grid).status == .notFound)
            #expect(!text(try await get("/rounds", grid)).contains("页面模拟测评"))
            let citizen = try await env.session("citizen")
            for uri in ["/points", "/points/map", "/points/\(p1)", "/points/export.csv", "/draws", "/draws/\(d.id)", "/draws/\(d.id)/list.tsv"] {
                #expect(try await get(uri, citizen).status == .forbidden, "\(uri)")
            }
            for uri in ["/rounds/\(rid)", "/rounds/\(rid)/report", "/rounds/\(rid)/points/\(p1)"] {
                #expect(try await get(uri, citizen).status == .notFound, "\(uri)")
            }
            let dc = try await env.session("dc_liaison")
            for uri in ["/draws/\(d.id)", "/draws/\(d.id)/list.tsv", "/rounds/\(rid)", "/points/\(p1)"] {
                #expect(try await get(uri, dc).status == .notFound, "\(uri)")
            }

            // A bad point form comes back with 400 and the message, and nothing is written.
            let before = try await env.insState()
            let qc0101 = env.fx.ids["QC01-01-01"]!
            let bad = try await client.execute(uri: "/points", method: .post, headers: formHeaders(a), body: WenmingAppTests.form([
                ("_csrf", a.csrf), ("code", "QC01-PC03-200"), ("name", "新公厕"), ("category", "PC99"), ("territory", String(qc0101)),
                ("lat", "30.6"), ("lng", ""), ("declared", "1"), ("active", "1")]))
            #expect(bad.status == .badRequest)
            #expect(text(bad).contains("经纬度须为数字，且须同时填写"))
            let bad2 = try await client.execute(uri: "/points", method: .post, headers: formHeaders(a), body: WenmingAppTests.form([
                ("_csrf", a.csrf), ("code", "QC01-PC03-200"), ("name", ""), ("category", "PC99"), ("territory", String(qc0101)), ("declared", "1"), ("active", "1")]))
            #expect(bad2.status == .badRequest)
            #expect(text(bad2).contains("未知的点位类型“PC99”") && text(bad2).contains("名称不能为空"))
            #expect(try await env.insState() == before)
            let ok = try await client.execute(uri: "/points", method: .post, headers: formHeaders(a), body: WenmingAppTests.form([
                ("_csrf", a.csrf), ("code", "QC01-PC03-200"), ("name", "新公厕"), ("category", "PC03"), ("territory", String(qc0101)),
                ("adopter", "QC01-D01"), ("declared", "1"), ("active", "1")]))
            #expect(ok.status == .found)
            let newID = try await env.insPointID("QC01-PC03-200")
            #expect(ok.headers[.location] == "/points/\(newID)")
            #expect(try await env.s.points.get(newID, actor: admin).adopterCode == "QC01-D01")
            // 明湖区's admin may not save 东城区's points: the one it cannot see is not found, the adopted one forbidden.
            let m = try await env.session("mh_admin")
            for (code, status) in [("QC02-PC03-002", HTTPResponse.Status.notFound), ("QC02-PC03-001", .forbidden)] {
                let r = try await client.execute(uri: "/points/\(try await env.insPointID(code))", method: .post, headers: formHeaders(m), body: WenmingAppTests.form([
                    ("_csrf", m.csrf), ("name", "改名"), ("category", "PC03"), ("territory", String(qc0101)), ("declared", "1"), ("active", "1")]))
                #expect(r.status == status, "\(code)")
            }
            // A draw run twice through its page: 409 with the reason; a bad impression: 400.
            let again = try await client.execute(uri: "/draws/\(d.id)/run", method: .post, headers: formHeaders(m), body: WenmingAppTests.form([("_csrf", m.csrf)]))
            #expect(again.status == .conflict && text(again).contains("该抽签已经执行"))
            let ins = try await env.session("inspector")
            let imp = try await client.execute(uri: "/rounds/\(rid)/impression", method: .post, headers: formHeaders(ins), body: WenmingAppTests.form([
                ("_csrf", ins.csrf), ("sanitation", "101"), ("civility", "90"), ("facilities", "90"), ("atmosphere", "90")]))
            #expect(imp.status == .badRequest && text(imp).contains("0–100"))
            // A visit through the phone form files its case.
            let fields = ck.values.map { ("v_\($0.id)", $0.id == s2 ? "fail" : "pass") } + [("n_\(s2)", "地面积水"), ("t_\(s2)", "HJ")]
            let visited = try await env.upload(client, ins, uri: "/rounds/\(rid)/points/\(p3)", fields: fields, files: [("photos", "现场.png", pngBytes)])
            #expect(visited.status == .found)
            #expect(try await env.insCases(point: p3).count == 1)
            #expect(try await env.insCount("SELECT COUNT(*) AS n FROM attachments WHERE owner_kind = 'visit'") == 1)
        }
    }

    // MARK: Demo data

    @Test func theDemoCitysPointsDrawsAndRoundsLoadConsistently() async throws {
        try await withServices { s in
            _ = try await DemoLoader.load(s)
            #expect(try await DemoLoader.loadCampaignSamples(s))
            let added = try await DemoPoints.load(s)
            #expect(added > 1000)
            #expect(try await DemoPoints.load(s) == 0)
            #expect(try await DemoPoints.loadRounds(s))
            #expect(try await DemoPoints.loadRounds(s) == false)
            let login = try await s.auth.login(username: "mh_admin", password: DemoCity.password, ip: "127.0.0.1")
            let mh = try #require(try await s.auth.resolveSession(token: login.token))
            let draws = try await s.draws.list(actor: mh)
            #expect(draws.count == 3 && draws.allSatisfy(\.isDone))
            for d in draws { #expect(try await DrawService.verify(s.db, id: d.id).1?.ok == true, "\(d.name)") }
            let rounds = try await s.rounds.list(actor: mh)
            #expect(rounds.count == 2)
            let current = try #require(rounds.first { $0.isOpen }), earlier = try #require(rounds.first { !$0.isOpen })
            let res = try await s.rounds.results(current.id, actor: mh)
            #expect(res.previous?.id == earlier.id && res.previousOverall != nil && res.overall != nil)
            #expect(res.visited == res.planned / 2 && res.planned > 0)
            let old = try await s.rounds.results(earlier.id, actor: mh)
            #expect(old.visited == old.planned)
            #expect(old.impressions.allSatisfy { $0.count == 2 } && old.impressions.first?.mean == 8600)
            // Every case a visit of the district's rounds filed is on record, at its point, from the mock evaluation.
            let (cid, eid) = (current.id, earlier.id)
            let n = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM visit_items i JOIN cases c ON c.id = i.case_id WHERE c.point_id = i.point_id AND c.source = 'mock_evaluation' AND i.round_id IN (\(bind: cid), \(bind: eid))").first()!.decode(column: "n", as: Int.self) }
            #expect(n == res.cases + old.cases && n > 0)
            // The demo's points of the district rounds lie in the district.
            let qc = try await s.db.read { try await OrgService.fetch($0, id: mh.orgID)! }
            for r in [current, earlier] {
                #expect(try await s.rounds.roundPoints(r.id, actor: mh).allSatisfy { qc.orgPath.contains(OrgPath($0.point.p.territoryPath)!) })
            }
            // The two city-wide mock evaluations: last month's closed and complete, this month's two-thirds visited,
            // each with the city inspector's impression.
            let admin = try #require(try await s.auth.resolveSession(token: try await s.auth.login(username: "admin", password: DemoCity.password, ip: "127.0.0.1").token))
            let city = try await s.rounds.list(actor: admin).filter { $0.scopeId == admin.orgID }
            #expect(city.count == 2)
            for r in city {
                let res = try await s.rounds.results(r.id, actor: admin)
                #expect(res.planned > 0 && (r.isOpen ? res.visited == res.planned * 2 / 3 : res.visited == res.planned), "\(r.name)")
                #expect(res.impressions.allSatisfy { $0.count == 1 })
            }
        }
    }
}
