import Foundation

/// The states of a problem case (案卷), after the 数字化城管 standard:
/// 信息采集 → 立案 (or 注销) → 派遣 → 处理 → 反馈 → 核查结案 (pass → 结案; fail → 返工),
/// with 缓办 (the clock stops), 转办申请 (the unit says it is not theirs) and reopening a closed case.
public enum CaseState: String, CaseIterable, Sendable, Codable {
    case reported
    case registered
    case cancelled
    case dispatched
    case processing
    case fedBack = "fed_back"
    case closed
    case deferred
    case rework
    case transferRequested = "transfer_requested"

    public var label: String {
        switch self {
        case .reported: "待立案"
        case .registered: "已立案"
        case .cancelled: "已注销"
        case .dispatched: "已派遣"
        case .processing: "处理中"
        case .fedBack: "已反馈待核查"
        case .closed: "已结案"
        case .deferred: "缓办"
        case .rework: "返工"
        case .transferRequested: "转办申请中"
        }
    }

    /// Closed (销号) or cancelled (注销): nothing is pending. A closed case can still be reopened.
    public var isFinished: Bool { self == .closed || self == .cancelled }
    /// The case is with the responsible unit (派遣 until 反馈), its clock running.
    public var isWithUnit: Bool { [.dispatched, .processing, .rework].contains(self) }
}

/// Who acts on a case: the office (创文办 staff and inspectors), the responsible unit, or the reporter.
public enum CaseActor: String, CaseIterable, Sendable, Codable {
    case office, unit, reporter

    public var label: String {
        switch self {
        case .office: "创文办/督查员"
        case .unit: "责任单位"
        case .reporter: "上报人"
        }
    }

    /// The side a role acts for; nil for roles that only view cases (领导).
    public init?(role: Role) {
        switch role {
        case .officeAdmin, .inspector: self = .office
        case .liaison, .unitHead: self = .unit
        case .gridWorker, .volunteer, .supervisor, .citizen: self = .reporter
        case .leader: return nil
        }
    }
}

public enum CaseAction: String, CaseIterable, Sendable, Codable {
    case register, cancel, withdraw, dispatch, accept, feedback, pass, fail
    case postpone = "defer", resume
    case requestTransfer = "request_transfer", reassign, refuseTransfer = "refuse_transfer"
    case reopen

    public var label: String {
        switch self {
        case .register: "立案"
        case .cancel: "注销"
        case .withdraw: "撤回上报"
        case .dispatch: "派遣"
        case .accept: "签收处理"
        case .feedback: "处理反馈"
        case .pass: "核查通过（结案）"
        case .fail: "核查不通过（返工）"
        case .postpone: "缓办"
        case .resume: "恢复办理"
        case .requestTransfer: "申请转办"
        case .reassign: "同意转办（改派）"
        case .refuseTransfer: "驳回转办"
        case .reopen: "重新打开"
        }
    }

    /// Who may take the action.
    public var actor: CaseActor {
        switch self {
        case .accept, .feedback, .requestTransfer: .unit
        case .withdraw: .reporter
        case .register, .cancel, .dispatch, .pass, .fail, .postpone, .resume, .reassign, .refuseTransfer, .reopen: .office
        }
    }

    /// Actions that must say why: 注销, 缓办 (the approved reason), 返工, 转办 and its refusal, reopening.
    public var needsReason: Bool { [.cancel, .postpone, .fail, .requestTransfer, .refuseTransfer, .reopen].contains(self) }
    /// 处理反馈 must come with after-photos (整改后照片).
    public var needsAfterPhotos: Bool { self == .feedback }
    /// A failed verification and a reopened case each count as one rework round (返工) for the unit.
    public var countsAsRework: Bool { self == .fail || self == .reopen }
}

public enum CaseFlow {
    /// The state after `action`, or nil when the action is not allowed from `state`.
    public static func next(_ state: CaseState, _ action: CaseAction) -> CaseState? {
        switch (state, action) {
        case (.reported, .register): .registered
        case (.reported, .cancel), (.registered, .cancel), (.reported, .withdraw): .cancelled
        case (.registered, .dispatch): .dispatched
        case (.dispatched, .accept), (.rework, .accept): .processing
        case (.dispatched, .feedback), (.processing, .feedback), (.rework, .feedback): .fedBack
        case (.fedBack, .pass): .closed
        case (.fedBack, .fail): .rework
        case (.dispatched, .postpone), (.processing, .postpone), (.rework, .postpone): .deferred
        case (.deferred, .resume): .processing
        case (.dispatched, .requestTransfer), (.processing, .requestTransfer): .transferRequested
        case (.transferRequested, .reassign): .dispatched
        case (.transferRequested, .refuseTransfer): .processing
        case (.closed, .reopen): .rework
        default: nil
        }
    }

    /// Why the action cannot be taken, or nil when it can. Checked in order: the state, the actor
    /// (when given), the reason (required ones must be non-blank; at most 1000 characters), the photos.
    public static func problem(_ state: CaseState, _ action: CaseAction, reason: String = "", hasAfterPhotos: Bool = false,
                               actor: CaseActor? = nil) -> String? {
        guard next(state, action) != nil else { return Msg.caseActionNotAllowed(state, action) }
        if let actor, actor != action.actor { return Msg.caseActorNotAllowed(actor, action) }
        if action.needsReason && reason.trimmed().isEmpty { return Msg.caseReasonRequired(action) }
        if reason.count > 1000 { return Msg.caseReasonTooLong }
        if action.needsAfterPhotos && !hasAfterPhotos { return Msg.afterPhotosRequired }
        return nil
    }

    /// The actions open to `actor` in `state`, in declaration order.
    public static func actions(from state: CaseState, actor: CaseActor) -> [CaseAction] {
        CaseAction.allCases.filter { $0.actor == actor && next(state, $0) != nil }
    }
}

extension Msg {
    public static func caseActionNotAllowed(_ s: CaseState, _ a: CaseAction) -> String { "案卷当前状态为“\(s.label)”，不能“\(a.label)”" }
    public static func caseActorNotAllowed(_ who: CaseActor, _ a: CaseAction) -> String {
        "“\(a.label)”只能由\(a.actor.label)办理，\(who.label)不能办理"
    }
    public static func caseReasonRequired(_ a: CaseAction) -> String { "“\(a.label)”须填写理由" }
    public static let caseReasonTooLong = "理由不能超过 1000 字"
    public static let afterPhotosRequired = "处理反馈须上传整改后照片"
}
