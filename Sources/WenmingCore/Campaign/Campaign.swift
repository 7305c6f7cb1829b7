/// A campaign (创建周期) and its phases.
public enum CampaignPhase: String, CaseIterable, Sendable, Codable {
    case launch, selfCheck = "self_check", improve, assault, review
    public var label: String {
        switch self {
        case .launch: "全面启动"
        case .selfCheck: "对标自查"
        case .improve: "整改提升"
        case .assault: "集中攻坚"
        case .review: "全面迎评"
        }
    }
}

public struct PhaseDates: Sendable, Equatable {
    public var phase: CampaignPhase
    public var start: String
    public var end: String
    public init(phase: CampaignPhase, start: String, end: String) { self.phase = phase; self.start = start; self.end = end }
}

public enum CampaignRules {
    /// Problems with a campaign's dates: valid dates, start ≤ end, every phase inside the campaign, phases in
    /// order and not overlapping. Empty phases (no dates) are allowed while planning.
    public static func problems(name: String, start: String, end: String, phases: [PhaseDates]) -> [String: String] {
        var p: [String: String] = [:]
        let n = name.trimmed()
        if n.isEmpty || n.count > 100 { p["name"] = Msg.nameRequired }
        if !CivilDate.isValid(start) { p["start"] = Msg.badDate(start) }
        if !CivilDate.isValid(end) { p["end"] = Msg.badDate(end) }
        if p["start"] == nil && p["end"] == nil && start > end { p["end"] = "结束日期不能早于开始日期" }
        var previousEnd: String?
        for ph in phases where !(ph.start.isEmpty && ph.end.isEmpty) {
            let key = "phase_" + ph.phase.rawValue
            guard CivilDate.isValid(ph.start), CivilDate.isValid(ph.end) else { p[key] = "“\(ph.phase.label)”的日期无效"; continue }
            if ph.start > ph.end { p[key] = "“\(ph.phase.label)”结束早于开始"; continue }
            if ph.start < start || ph.end > end { p[key] = "“\(ph.phase.label)”超出了创建周期的起止日期" }
            if let pe = previousEnd, ph.start <= pe { p[key] = "“\(ph.phase.label)”与上一阶段重叠或顺序颠倒" }
            previousEnd = ph.end
        }
        return p
    }

    /// The phase a day falls in, if any.
    public static func phase(on day: String, _ phases: [PhaseDates]) -> CampaignPhase? {
        phases.first { !$0.start.isEmpty && $0.start <= day && day <= $0.end }?.phase
    }
}
