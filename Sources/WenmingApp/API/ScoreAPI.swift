import Foundation
import OpenAPIRuntime
import WenmingAPI
import WenmingCore

/// Scores, rankings and notices over JSON, read with the same services (and scope checks) as the pages.
extension APIHandler {
    static func points(_ hundredths: Int) -> Double { Double(hundredths) / 100 }

    static func runJSON(_ r: ScoreRunRow) -> Components.Schemas.ScoreRun {
        .init(id: r.id, period: r.period, status: r.isPublished ? .published : .draft, version: r.version, schemeVersion: r.schemeVersion,
              computedAt: r.computedAt, publishedAt: r.publishedAt, note: r.note.isEmpty ? nil : r.note)
    }

    static func scoreJSON(_ r: ScoreRow, before: Int?) -> Components.Schemas.ScoreEntry {
        .init(orgId: r.orgID, name: r.name, level: .init(rawValue: r.level.rawValue)!, total: r.total.map(points), rank: r.rank, peers: r.peers,
              card: r.card.flatMap { .init(rawValue: $0.rawValue) }, eligible: r.eligible, lost: points(r.lost),
              change: RoundScoring.change(r.total, since: before).map(points), due: r.due, onTime: r.onTime, deferred: r.deferred, late: r.late)
    }

    func listScores(_ input: Operations.ListScores.Input) async throws -> Operations.ListScores.Output {
        let me = try APIIdentity.require()
        try me.require(.viewScores)
        let p = try ScoreService.period(input.query.period)
        guard let level = ScoreLevel(rawValue: input.query.level.trimmed()) else {
            throw AppError.validation(["level": "测评层级写成 district（区县）、street（街道）、community（社区）、department（部门）或 unit（单位）"])
        }
        let run = try await s.scores.run(p, id: input.query.run, live: input.query.live == true)
        let rows = try await s.scores.level(level, run: run.id, actor: me)
        let before = try await s.scores.before(p, orgs: rows.map(\.orgID))
        return .ok(.init(body: .json(.init(run: Self.runJSON(run), rows: rows.map { Self.scoreJSON($0, before: before[$0.orgID]?.total ?? nil) }))))
    }

    func getScore(_ input: Operations.GetScore.Input) async throws -> Operations.GetScore.Output {
        let me = try APIIdentity.require()
        try me.require(.viewScores)
        let p = try ScoreService.period(input.query.period)
        let run = try await s.scores.run(p, id: input.query.run, live: input.query.live == true)
        let (row, _) = try await s.scores.scored(input.path.orgId, run: run.id, actor: me)
        let explanation = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data((row.detailJSON ?? "{}").utf8))
        let before = try await s.scores.before(p, orgs: [row.orgID])[row.orgID]?.total ?? nil
        return .ok(.init(body: .json(.init(run: Self.runJSON(run), score: Self.scoreJSON(row, before: before), explanation: .init(additionalProperties: explanation)))))
    }

    func listNotices(_ input: Operations.ListNotices.Input) async throws -> Operations.ListNotices.Output {
        let me = try APIIdentity.require()
        try me.require(.viewScores)
        let items = input.query.inbox == true ? try await s.notices.inbox(actor: me, limit: 200) : try await s.notices.list(actor: me)
        return .ok(.init(body: .json(.init(items: items.map { i in
            .init(id: i.n.id, number: i.n.number, kind: .init(rawValue: i.n.kind) ?? .monthly, period: i.n.period, scopeId: i.n.scopeId, title: i.n.title,
                  issuer: i.n.issuer, status: i.n.isIssued ? .issued : .draft, createdAt: i.n.createdAt, issuedAt: i.n.issuedAt, named: i.named, read: i.read)
        }))))
    }

    func getNotice(_ input: Operations.GetNotice.Input) async throws -> Operations.GetNotice.Output {
        let me = try APIIdentity.require()
        let (n, units) = try await s.notices.get(input.path.id, actor: me)
        return .ok(.init(body: .json(.init(
            id: n.id, number: n.number, kind: .init(rawValue: n.kind) ?? .monthly, period: n.period, scopeId: n.scopeId, title: n.title, body: n.body,
            issuer: n.issuer, status: n.isIssued ? .issued : .draft, createdAt: n.createdAt, issuedAt: n.issuedAt,
            units: units.map { .init(orgId: $0.orgID, code: $0.code, name: $0.name, reason: $0.reason) }))))
    }
}
