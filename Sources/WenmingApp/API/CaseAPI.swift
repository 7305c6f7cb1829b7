import Foundation
import OpenAPIRuntime
import WenmingAPI
import WenmingCore

/// The rectification loop over JSON: intake, the ledger, counts, a case and its steps.
extension APIHandler {
    static func caseJSON(_ c: CaseRow, now: Date) -> Components.Schemas.Case {
        .init(id: c.id, number: c.number, source: c.source, typeCode: c.typeCode, description: c.description, address: c.address,
              latitude: c.latitude, longitude: c.longitude, territoryId: c.territoryId, pointId: c.pointId, standardId: c.standardId, unitId: c.dispatchedAt == nil ? nil : c.unitId,
              routeVia: c.routeVia, urgency: .init(rawValue: c.urgency) ?? .normal, state: c.state, stateLabel: c.caseState.label,
              reportedAt: c.reportedAt, dispatchedAt: c.dispatchedAt, deadlineAt: c.deadlineAt, closedAt: c.closedAt,
              overdue: c.isOverdue(at: now), escalation: c.escalation, reworkCount: c.reworkCount)
    }

    static func uploads(_ photos: [Components.Schemas.Photo]?) throws -> [Upload] {
        try (photos ?? []).map { p in
            guard let d = Data(base64Encoded: p.data, options: .ignoreUnknownCharacters) else { throw AppError.validation(["photos": "照片“\(p.filename)”不是有效的 Base64 数据"]) }
            return Upload(filename: p.filename, bytes: Array(d))
        }
    }

    func createCase(_ input: Operations.CreateCase.Input) async throws -> Operations.CreateCase.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body else { throw AppError.badRequest(Msg.malformedRequest) }
        let source: CaseSource
        if let raw = b.source?.rawValue {
            guard let s = CaseSource(rawValue: raw) else { throw AppError.badRequest(Msg.malformedRequest) }
            source = s
        } else { source = CaseSource.default(for: me.role) }
        let draft = CaseDraft(source: source, typeCode: b._type.trimmed(), description: b.description, address: b.address ?? "",
                              latitude: b.latitude, longitude: b.longitude, urgency: b.urgent == true ? .urgent : .normal)
        let c = try await s.cases.report(.init(draft: draft, territoryID: b.territoryId, standardID: b.standardId, pointID: b.pointId, photos: try Self.uploads(b.photos)), actor: me)
        return .created(.init(body: .json(Self.caseJSON(c, now: s.clock.now()))))
    }

    func listCases(_ input: Operations.ListCases.Input) async throws -> Operations.ListCases.Output {
        let me = try APIIdentity.require()
        let q = input.query
        var f = CaseService.Filter()
        if let st = q.state, !st.isEmpty {
            guard let v = CaseState(rawValue: st) else { throw AppError.validation(["state": Msg.invalidField("状态")]) }
            f.state = v
        }
        f.typeCode = q._type ?? ""
        f.unitID = q.unitId
        f.territoryID = q.territoryId
        f.overdue = q.overdue ?? false
        f.open = q.open ?? false
        let w = try await window(page: q.page, pageSize: q.pageSize)
        let (items, more) = try await s.cases.ledger(f, window: w, actor: me)
        let now = s.clock.now()
        return .ok(.init(body: .json(.init(page: w.page, more: more, items: items.map { Self.caseJSON($0.c, now: now) }))))
    }

    func caseCounts(_ input: Operations.CaseCounts.Input) async throws -> Operations.CaseCounts.Output {
        let me = try APIIdentity.require()
        let c = try await s.cases.statusCounts(actor: me)
        return .ok(.init(body: .json(.init(overdue: c.overdue, states: CaseState.allCases.map { .init(state: $0.rawValue, label: $0.label, count: c.byState[$0] ?? 0) }))))
    }

    func getCase(_ input: Operations.GetCase.Input) async throws -> Operations.GetCase.Output {
        let me = try APIIdentity.require()
        return .ok(.init(body: .json(Self.caseJSON(try await s.cases.get(input.path.id, actor: me), now: s.clock.now()))))
    }

    func actOnCase(_ input: Operations.ActOnCase.Input) async throws -> Operations.ActOnCase.Output {
        let me = try APIIdentity.require()
        guard case .json(let b) = input.body, let action = CaseAction(rawValue: b.action.rawValue) else { throw AppError.badRequest(Msg.malformedRequest) }
        let c = try await s.cases.act(input.path.id, .init(action, reason: b.reason ?? "", unitCode: b.unitCode ?? "", photos: try Self.uploads(b.photos)), actor: me)
        return .ok(.init(body: .json(Self.caseJSON(c, now: s.clock.now()))))
    }

    func listUnitOpenCases(_ input: Operations.ListUnitOpenCases.Input) async throws -> Operations.ListUnitOpenCases.Output {
        let me = try APIIdentity.require()
        let w = try await window(page: input.query.page, pageSize: input.query.pageSize)
        let (items, more) = try await s.cases.unitOpen(input.path.id, window: w, actor: me)
        let now = s.clock.now()
        return .ok(.init(body: .json(.init(page: w.page, more: more, items: items.map { Self.caseJSON($0.c, now: now) }))))
    }
}
