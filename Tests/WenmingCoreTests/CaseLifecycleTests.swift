import Foundation
import Testing
@testable import WenmingCore

@Suite struct CaseFlowTests {
    /// Every allowed transition; every pair not listed must be refused.
    static let allowed: [CaseState: [CaseAction: CaseState]] = [
        .reported: [.register: .registered, .cancel: .cancelled, .withdraw: .cancelled],
        .registered: [.dispatch: .dispatched, .cancel: .cancelled],
        .cancelled: [:],
        .dispatched: [.accept: .processing, .feedback: .fedBack, .postpone: .deferred, .requestTransfer: .transferRequested],
        .processing: [.feedback: .fedBack, .postpone: .deferred, .requestTransfer: .transferRequested],
        .fedBack: [.pass: .closed, .fail: .rework],
        .closed: [.reopen: .rework],
        .deferred: [.resume: .processing],
        .rework: [.accept: .processing, .feedback: .fedBack, .postpone: .deferred],
        .transferRequested: [.reassign: .dispatched, .refuseTransfer: .processing],
    ]

    static let pairs: [(CaseState, CaseAction)] = CaseState.allCases.flatMap { s in CaseAction.allCases.map { (s, $0) } }

    @Test func tableCoversEveryState() {
        #expect(Set(Self.allowed.keys) == Set(CaseState.allCases))
        #expect(Self.pairs.count == 10 * 14)
    }

    @Test(arguments: pairs)
    func transition(state: CaseState, action: CaseAction) {
        let expected = Self.allowed[state]?[action]
        #expect(CaseFlow.next(state, action) == expected, "\(state) × \(action)")
        // A valid reason and photos: only the state decides.
        let p = CaseFlow.problem(state, action, reason: "现场核实", hasAfterPhotos: true)
        if expected == nil {
            #expect(p == Msg.caseActionNotAllowed(state, action))
        } else {
            #expect(p == nil)
            #expect(CaseFlow.problem(state, action, reason: "现场核实", hasAfterPhotos: true, actor: action.actor) == nil)
        }
    }

    @Test(arguments: pairs)
    func reasonAndPhotosRequired(state: CaseState, action: CaseAction) {
        guard CaseFlow.next(state, action) != nil else { return }
        let noReason = CaseFlow.problem(state, action, reason: "  \n", hasAfterPhotos: true)
        #expect(noReason == (action.needsReason ? Msg.caseReasonRequired(action) : nil))
        let noPhotos = CaseFlow.problem(state, action, reason: "原因", hasAfterPhotos: false)
        #expect(noPhotos == (action.needsAfterPhotos ? Msg.afterPhotosRequired : nil))
    }

    @Test func flags() {
        #expect(Set(CaseAction.allCases.filter(\.needsReason)) == [.cancel, .postpone, .fail, .requestTransfer, .refuseTransfer, .reopen])
        #expect(CaseAction.allCases.filter(\.needsAfterPhotos) == [.feedback])
        #expect(Set(CaseAction.allCases.filter(\.countsAsRework)) == [.fail, .reopen])
        #expect(Set(CaseAction.allCases.filter { $0.actor == .unit }) == [.accept, .feedback, .requestTransfer])
        #expect(CaseAction.allCases.filter { $0.actor == .reporter } == [.withdraw])
        #expect(Set(CaseState.allCases.filter(\.isFinished)) == [.closed, .cancelled])
        #expect(Set(CaseState.allCases.filter(\.isWithUnit)) == [.dispatched, .processing, .rework])
    }

    @Test func reasonLimitsAndOrder() {
        #expect(CaseFlow.problem(.fedBack, .fail, reason: String(repeating: "字", count: 1000)) == nil)
        #expect(CaseFlow.problem(.fedBack, .fail, reason: String(repeating: "字", count: 1001)) == Msg.caseReasonTooLong)
        #expect(CaseFlow.problem(.processing, .feedback, reason: String(repeating: "字", count: 1001), hasAfterPhotos: true) == Msg.caseReasonTooLong)
        #expect(CaseFlow.problem(.processing, .feedback) == Msg.afterPhotosRequired)
        #expect(CaseFlow.problem(.processing, .feedback, hasAfterPhotos: true) == nil)
        // State first, then actor, then reason.
        #expect(CaseFlow.problem(.closed, .fail) == Msg.caseActionNotAllowed(.closed, .fail))
        #expect(CaseFlow.problem(.fedBack, .fail, actor: .unit) == Msg.caseActorNotAllowed(.unit, .fail))
        #expect(CaseFlow.problem(.fedBack, .fail, actor: .office) == Msg.caseReasonRequired(.fail))
        #expect(CaseFlow.problem(.processing, .feedback, hasAfterPhotos: true, actor: .office) == Msg.caseActorNotAllowed(.office, .feedback))
        #expect(CaseFlow.problem(.reported, .withdraw, actor: .reporter) == nil)
        #expect(Msg.caseActionNotAllowed(.closed, .fail) == "案卷当前状态为“已结案”，不能“核查不通过（返工）”")
        #expect(Msg.caseActorNotAllowed(.unit, .fail) == "“核查不通过（返工）”只能由创文办/督查员办理，责任单位不能办理")
    }

    static let expectedActions: [CaseState: [CaseActor: [CaseAction]]] = [
        .reported: [.office: [.register, .cancel], .reporter: [.withdraw]],
        .registered: [.office: [.cancel, .dispatch]],
        .dispatched: [.office: [.postpone], .unit: [.accept, .feedback, .requestTransfer]],
        .processing: [.office: [.postpone], .unit: [.feedback, .requestTransfer]],
        .fedBack: [.office: [.pass, .fail]],
        .closed: [.office: [.reopen]],
        .deferred: [.office: [.resume]],
        .rework: [.office: [.postpone], .unit: [.accept, .feedback]],
        .transferRequested: [.office: [.reassign, .refuseTransfer]],
    ]

    @Test(arguments: CaseState.allCases.flatMap { s in CaseActor.allCases.map { (s, $0) } })
    func actions(state: CaseState, actor: CaseActor) {
        #expect(CaseFlow.actions(from: state, actor: actor) == (Self.expectedActions[state]?[actor] ?? []), "\(state) / \(actor)")
    }

    @Test func everyStateIsReachableFromReported() {
        var seen: Set<CaseState> = [.reported], queue: [CaseState] = [.reported]
        while let s = queue.popLast() {
            for a in CaseAction.allCases { if let n = CaseFlow.next(s, a), seen.insert(n).inserted { queue.append(n) } }
        }
        #expect(seen == Set(CaseState.allCases))
    }

    @Test func reworkRoundsAlongAPath() {
        // 上报 → 立案 → 派遣 → 反馈 → 返工 → 签收 → 反馈 → 结案 → 重新打开 → 反馈 → 结案: two rework rounds.
        let path: [CaseAction] = [.register, .dispatch, .feedback, .fail, .accept, .feedback, .pass, .reopen, .feedback, .pass]
        var s = CaseState.reported
        for a in path { s = try! #require(CaseFlow.next(s, a)) }
        #expect(s == .closed)
        #expect(path.filter(\.countsAsRework).count == 2)
        // 转办: refused → back to processing; reassigned → dispatched to another unit.
        #expect(CaseFlow.next(.transferRequested, .refuseTransfer) == .processing)
        #expect(CaseFlow.next(.transferRequested, .reassign) == .dispatched)
    }

    @Test func labelsAndCodes() {
        #expect(Set(CaseState.allCases.map(\.label)).count == CaseState.allCases.count)
        #expect(Set(CaseAction.allCases.map(\.label)).count == CaseAction.allCases.count)
        #expect(CaseState.fedBack.rawValue == "fed_back" && CaseState.transferRequested.rawValue == "transfer_requested")
        #expect(CaseAction.postpone.rawValue == "defer" && CaseAction.postpone.label == "缓办")
        #expect(CaseState(rawValue: "closed")?.label == "已结案")
        #expect(CaseAction.feedback.label == "处理反馈" && CaseAction.cancel.label == "注销")
    }

    @Test(arguments: [
        (Role.officeAdmin, CaseActor?.some(.office)), (.inspector, .office), (.liaison, .unit), (.unitHead, .unit),
        (.gridWorker, .reporter), (.volunteer, .reporter), (.supervisor, .reporter), (.citizen, .reporter), (.leader, nil),
    ])
    func actorOfRole(role: Role, expected: CaseActor?) {
        #expect(CaseActor(role: role) == expected)
    }

    @Test func everyRoleIsMapped() {
        #expect(Role.allCases.count == 9)
    }
}
