import Foundation
import SQLKit
import WenmingCore

/// Synthetic inspection results for benchmarks: monthly rounds over every district and the city for `days`
/// back, and `count` visits spread over them (each a point's totals; no item rows), with impressions.
public enum SyntheticInspections {
    public struct Result: Sendable { public var rounds: Int; public var visits: Int; public var points: Int; public var seconds: Double }

    public static func generate(_ s: Services, count: Int, days: Int = 730, seed: UInt64 = 2027) async throws -> Result {
        let started = Date()
        let pointCount = max(2_000, count / 5)
        let added = try await DemoPoints.synthesize(s, count: pointCount)
        let (orgs, points, adminID) = try await s.db.read { db in
            let orgs = try await OrgService.decode(db.raw("SELECT * FROM orgs WHERE active = 1 ORDER BY id").all())
            let points = try await db.raw("SELECT id, district_id FROM points WHERE active = 1 ORDER BY id").all()
                .map { (try $0.decode(column: "id", as: Int64.self), try $0.int64OrNil("district_id")) }
            let admin = try await db.raw("SELECT id FROM users WHERE role = 'office_admin' ORDER BY id LIMIT 1").first()?.decode(column: "id", as: Int64.self)
            return (orgs, points, admin)
        }
        guard let city = orgs.first(where: { $0.orgKind == .city }), let adminID else { throw AppError.conflict("请先载入演示城市（wenming demo）") }
        let districts = orgs.filter { [.district, .county].contains($0.orgKind) }
        let units = orgs.filter { $0.orgKind.family == .unit }.map(\.id)
        var rng = DemoCity.RNG(seed: seed)
        let now = s.clock.now()
        let months = max(1, days / 30)
        // Points without an adopting unit get one, so that clean points count for units.
        try await s.db.write { tx in
            if !units.isEmpty {
                for (i, p) in points.enumerated() where i % 3 != 2 {
                    try await tx.raw("UPDATE points SET adopter_id = \(bind: units[(i * 31) % units.count]) WHERE id = \(bind: p.0) AND adopter_id IS NULL").run()
                }
            }
        }
        var byDistrict: [Int64: [Int64]] = [:]
        for p in points { byDistrict[p.1 ?? 0, default: []].append(p.0) }
        struct R { var scope: OrgRow; var day: String; var pool: [Int64] }
        var rounds: [R] = []
        for m in 0..<months {
            let day = Fmt.date(now.epoch - Int64(m) * 30 * 86_400 - 86_400)
            rounds.append(R(scope: city, day: day, pool: points.map(\.0)))
            for d in districts { rounds.append(R(scope: d, day: day, pool: byDistrict[d.id] ?? [])) }
        }
        rounds = rounds.filter { !$0.pool.isEmpty }
        let perRound = max(1, count / max(1, rounds.count))
        let planned = rounds
        let impressions = planned.map { _ in ImpressionAspect.allCases.map { _ in 70 + rng.int(30) } }
        let ids = try await s.db.write { tx in
            var ids: [Int64] = []
            for (i, r) in planned.enumerated() {
                let id = try await tx.raw("""
                    INSERT INTO rounds (name, kind, scope_id, scope_path, start_date, end_date, draw_id, status, notes, created_by, created_at)
                    VALUES (\(bind: "合成检查 \(r.scope.name) \(r.day)"), 'mock', \(bind: r.scope.id), \(bind: r.scope.path), \(bind: r.day), \(bind: r.day), NULL, 'closed', '', \(bind: adminID), \(bind: now.epoch)) RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
                for (k, aspect) in ImpressionAspect.allCases.enumerated() {
                    try await tx.raw("INSERT INTO impressions (round_id, user_id, aspect, score, at) VALUES (\(bind: id), \(bind: adminID), \(bind: aspect.rawValue), \(bind: impressions[i][k]), \(bind: now.epoch))").run()
                }
                ids.append(id)
            }
            return ids
        }
        var visits = 0
        for (i, r) in planned.enumerated() {
            let n = min(perRound + (i < count % max(1, planned.count) ? 1 : 0), r.pool.count)
            guard n > 0 else { continue }
            let offset = rng.int(r.pool.count)
            var built: [(Int64, Int64)] = []
            for k in 0..<n {
                let u = rng.unit()
                built.append((r.pool[(offset + k) % r.pool.count], u < 0.3 ? 0 : Int64(rng.int(4000))))
            }
            let rows = built, roundID = ids[i]
            try await s.db.write { tx in
                for start in stride(from: 0, to: rows.count, by: 500) {
                    var q = SQLQueryString("INSERT INTO visits (round_id, point_id, inspector_id, inspector_name, visited_at, notes, full_h, lost_h) VALUES ")
                    for (k, v) in rows[start..<min(start + 500, rows.count)].enumerated() {
                        if k > 0 { q.appendLiteral(", ") }
                        q.appendInterpolation("(\(bind: roundID), \(bind: v.0), \(bind: adminID), '合成', \(bind: now.epoch), '', 10000, \(bind: v.1))" as SQLQueryString)
                    }
                    try await tx.raw(q).run()
                }
            }
            visits += rows.count
        }
        return Result(rounds: planned.count, visits: visits, points: added, seconds: Date().timeIntervalSince(started))
    }
}
