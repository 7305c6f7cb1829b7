import Foundation
import SQLKit
import WenmingCore

/// The demo city's inspection points (~1,200 over the categories of DOMAIN.md §5), a city-wide draw, and a
/// district's two mock evaluations (the earlier one complete, the current one half done) so that the round
/// report has data and a comparison.
public enum DemoPoints {
    /// How many points of a category each community, street or district gets.
    enum Per { case community(Int), street(Int), district(Int) }
    static let plan: [(String, Per)] = [
        ("主次干道", .street(2)), ("背街小巷", .street(3)), ("公厕", .street(2)), ("小型餐馆", .street(3)), ("娱乐场所", .street(1)),
        ("网吧", .street(1)), ("营业厅", .street(2)), ("农贸市场", .street(1)), ("商场超市", .street(1)), ("广场公园", .district(3)),
        ("长途汽车站", .district(1)), ("公交总站", .district(1)), ("政务大厅", .district(1)), ("医院", .district(2)), ("小学", .street(1)),
        ("中学", .district(3)), ("旅游集散中心", .district(1)), ("旅行社", .district(2)), ("公共图书馆", .district(1)), ("名胜古迹", .district(1)),
        ("社区", .community(1)), ("未成年人校外活动场所", .district(2)), ("建筑工地", .street(1)), ("老旧小区", .street(3)),
    ]

    /// A user's identity by username (the demo's and the benchmarks' way to act as someone).
    public static func account(_ s: Services, _ username: String) async throws -> Identity? {
        guard let id = try await s.db.read({ try await $0.raw("SELECT id FROM users WHERE username = \(bind: username)").first() })?.decode(column: "id", as: Int64.self) else { return nil }
        return try await s.db.read { try await AuthService.identity($0, userID: id) }
    }

    /// Loads the points once (nothing when any point exists). Returns how many were added.
    public static func load(_ s: Services) async throws -> Int {
        let n = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM points").first()!.decode(column: "n", as: Int.self) }
        guard n == 0, let admin = try await account(s, "admin") else { return 0 }
        let orgs = try await s.db.read { try await OrgService.decode($0.raw("SELECT * FROM orgs WHERE active = 1 ORDER BY id").all()) }
        let districts = orgs.filter { [.district, .county].contains($0.orgKind) }
        func children(_ o: OrgRow, _ kinds: Set<OrgKind>) -> [OrgRow] { orgs.filter { $0.parentId == o.id && kinds.contains($0.orgKind) } }
        let cats = Dictionary(uniqueKeysWithValues: try await s.points.categories().map { ($0.name, $0.code) })
        var rng = DemoCity.RNG(seed: 5150)
        var drafts: [PointDraft] = []
        for (di, d) in districts.enumerated() {
            let units = orgs.filter { $0.parentId == d.id && $0.orgKind.isUnit }
            let streets = children(d, [.street, .town])
            let prefix = d.code.replacingOccurrences(of: "QC-", with: "")
            var serial: [String: Int] = [:]
            func add(_ cat: String, _ place: OrgRow, _ label: String) {
                guard let code = cats[cat] else { return }
                serial[cat, default: 0] += 1
                let k = serial[cat]!
                let (la, lo) = SyntheticCases.spot(place)
                let adopter = k % 25 == 0 || units.isEmpty ? "" : units[(k + di + cat.count) % units.count].code
                drafts.append(PointDraft(code: "\(prefix)-\(code)-\(String(format: "%03d", k))", name: label, category: cat,
                                         address: "\(place.name)\(label.hasPrefix(place.name) ? "" : "辖区")",
                                         latitude: la + (rng.unit() - 0.5) * 0.004, longitude: lo + (rng.unit() - 0.5) * 0.004,
                                         territory: place.code, adopter: adopter, declared: k % 9 != 0, active: true))
            }
            for (cat, per) in plan {
                switch per {
                case .district(let m):
                    for i in 0..<m where !streets.isEmpty { add(cat, streets[(i * 3 + di) % streets.count], "\(d.name)\(cat)\(m > 1 ? "\(i + 1)号" : "")") }
                case .street(let m):
                    for st in streets {
                        let comms = children(st, [.community, .village])
                        for i in 0..<m {
                            let place = comms.isEmpty ? st : comms[i % comms.count]
                            add(cat, place, "\(st.name)\(cat)\(m > 1 ? "\(i + 1)号" : "")")
                        }
                    }
                case .community(let m):
                    for st in streets { for c in children(st, [.community, .village]) { for _ in 0..<m { add(cat, c, c.name) } } }
                }
            }
        }
        let now = s.clock.now()
        let all = drafts
        try await s.db.write { tx in
            let names = try await PointService.names(tx, actor: admin)
            for d in all { try await PointService.upsert(tx, d, names: names, actor: admin, now: now) }
        }
        return drafts.count
    }

    /// A city-wide draw (run), and for the first district a finished mock evaluation a month ago and a current one.
    public static func loadRounds(_ s: Services) async throws -> Bool {
        let n = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM draws").first()!.decode(column: "n", as: Int.self) }
        guard n == 0, let admin = try await account(s, "admin"), let mh = try await account(s, "mh_admin"),
              let inspector = try await account(s, "mh_inspector") else { return false }
        let cats = try await s.points.categories()
        func code(_ name: String) -> String { cats.first { $0.name == name }!.code }
        let citySpec = DrawAlgorithm.Spec(
            strata: ["主次干道", "背街小巷", "公厕", "农贸市场", "医院", "政务大厅", "社区", "小学"].map { .init(category: code($0), count: 6) },
            randomViewing: DrawAlgorithm.randomViewingCategories.map { .init(category: code($0), count: 2) })
        let cityDraw = try await s.draws.create(.init(name: "全市模拟测评抽签（演示）", scopeID: nil, spec: citySpec, at: nil), actor: admin)
        let districtSpec = DrawAlgorithm.Spec(
            strata: ["主次干道", "背街小巷", "公厕", "小型餐馆", "农贸市场", "社区"].map { .init(category: code($0), count: 2) },
            randomViewing: [.init(category: code("网吧"), count: 1)])
        let today = Fmt.date(s.clock.now().epoch)
        let monthAgo = Fmt.date(s.clock.now().epoch - 30 * 86400)
        var rng = DemoCity.RNG(seed: 77)
        for (i, (name, day)) in [("明湖区上月模拟测评（演示）", String(monthAgo)), ("明湖区本月模拟测评（演示）", String(today))].enumerated() {
            let d = try await s.draws.create(.init(name: name + "抽签", scopeID: mh.orgID, spec: districtSpec, at: nil), actor: mh)
            let rid = try await s.rounds.create(.init(name: name, kind: .mock, scopeID: mh.orgID, startDate: day, endDate: day,
                                                      members: [inspector.username, mh.username], drawID: d.id, pointCodes: []), actor: mh)
            let pts = try await s.rounds.roundPoints(rid, actor: mh)
            // The earlier round is complete; the current one has half its points visited.
            for p in pts.prefix(i == 0 ? pts.count : pts.count / 2) {
                let list = try await s.points.checklist(categoryName: p.point.categoryName)
                let verdicts = list.map { c -> RoundService.Verdict in
                    let r = rng.unit()
                    if r < (i == 0 ? 0.16 : 0.1) { return .init(standardID: c.id, code: "fail", note: "现场发现问题（演示）", caseType: "HJ") }
                    if r < 0.22 { return .init(standardID: c.id, code: "deduct", deduction: Score(hundredths: max(1, c.score.hundredths / 2)).description, note: "部分不达标（演示）", caseType: "QT") }
                    return .init(standardID: c.id, code: "pass")
                }
                let cat = cats.first { $0.id == p.point.p.categoryId }
                _ = try await s.rounds.recordVisit(round: rid, point: p.point.p.id,
                                                   .init(verdicts: verdicts, notes: "", latitude: nil, longitude: nil, recordsOK: cat?.checkRecords == true ? true : nil, photos: []),
                                                   actor: inspector)
            }
            if i == 0 {
                for a in [inspector, mh] where a.can(.inspect) {
                    try await s.rounds.saveImpression(round: rid, scores: [.sanitation: "86", .civility: "82", .facilities: "88", .atmosphere: "90"], actor: a)
                }
                try await s.rounds.close(rid, actor: mh)
            }
        }
        // Two city-wide mock evaluations on the city draw's points, so that every district has field scores this
        // month and last: districts differ in how often items fail.
        if let cityInspector = try await account(s, "inspector") {
            for (i, (name, day)) in [("全市上月模拟测评（演示）", String(monthAgo)), ("全市本月模拟测评（演示）", String(today))].enumerated() {
                let rid = try await s.rounds.create(.init(name: name, kind: .mock, scopeID: admin.orgID, startDate: day, endDate: day,
                                                          members: [cityInspector.username, admin.username], drawID: cityDraw.id, pointCodes: []), actor: admin)
                let pts = try await s.rounds.roundPoints(rid, actor: admin)
                for p in pts.prefix(i == 0 ? pts.count : pts.count * 2 / 3) {
                    let list = try await s.points.checklist(categoryName: p.point.categoryName)
                    let bias = 0.04 + 0.035 * Double((p.point.p.districtId ?? 0) % 5) + (i == 0 ? 0.03 : 0)
                    let verdicts = list.map { c -> RoundService.Verdict in
                        let r = rng.unit()
                        if r < bias { return .init(standardID: c.id, code: "fail", note: "现场发现问题（演示）", caseType: "HJ") }
                        if r < bias + 0.06 { return .init(standardID: c.id, code: "deduct", deduction: Score(hundredths: max(1, c.score.hundredths / 2)).description, note: "部分不达标（演示）", caseType: "QT") }
                        return .init(standardID: c.id, code: "pass")
                    }
                    let cat = cats.first { $0.id == p.point.p.categoryId }
                    _ = try await s.rounds.recordVisit(round: rid, point: p.point.p.id,
                                                       .init(verdicts: verdicts, notes: "", latitude: nil, longitude: nil, recordsOK: cat?.checkRecords == true ? true : nil, photos: []),
                                                       actor: cityInspector)
                }
                try await s.rounds.saveImpression(round: rid, scores: [.sanitation: i == 0 ? "80" : "84", .civility: "83", .facilities: "85", .atmosphere: "88"], actor: cityInspector)
                if i == 0 { try await s.rounds.close(rid, actor: admin) }
            }
        }
        return true
    }
}

extension DemoPoints {
    /// Adds synthetic declared points until the registry holds `count` (for benchmarks): spread over the demo
    /// city's streets and all categories, in batches of 500 rows per statement, one transaction.
    public static func synthesize(_ s: Services, count: Int) async throws -> Int {
        let have = try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM points").first()!.decode(column: "n", as: Int.self) }
        guard have < count else { return 0 }
        let orgs = try await s.db.read { try await OrgService.decode($0.raw("SELECT * FROM orgs WHERE active = 1 ORDER BY id").all()) }
        let byID = Dictionary(uniqueKeysWithValues: orgs.map { ($0.id, $0) })
        let streets = orgs.filter { [.street, .town].contains($0.orgKind) }
        let cats = try await s.points.categories()
        guard !streets.isEmpty, !cats.isEmpty else { throw AppError.conflict("请先载入演示城市（wenming demo）") }
        let now = s.clock.now().epoch
        let rows = (have..<count).map { i -> (String, Int64, OrgRow, Int64?) in
            let st = streets[i % streets.count]
            let district = st.orgPath.ids.compactMap { byID[$0] }.first { [.district, .county].contains($0.orgKind) }?.id
            return (String(format: "SYN-%07d", i), cats[(i / streets.count) % cats.count].id, st, district)
        }
        try await s.db.write { tx in
            for start in stride(from: 0, to: rows.count, by: 500) {
                var q = SQLQueryString("INSERT INTO points (code, name, category_id, territory_id, territory_path, district_id, declared, active, created_at, updated_at) VALUES ")
                for (k, r) in rows[start..<min(start + 500, rows.count)].enumerated() {
                    if k > 0 { q.appendLiteral(", ") }
                    q.appendInterpolation("(\(bind: r.0), \(bind: "合成点位" + r.0), \(bind: r.1), \(bind: r.2.id), \(bind: r.2.path), \(bind: r.3), 1, 1, \(bind: now), \(bind: now))" as SQLQueryString)
                }
                try await tx.raw(q).run()
            }
        }
        return rows.count
    }
}
