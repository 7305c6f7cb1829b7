import Foundation

/// A unit's part in a standard (责任分解): 牵头 (lead), 责任 (responsible) or 配合 (supporting).
public enum AssignmentRole: String, CaseIterable, Sendable, Codable {
    case lead, responsible, supporting
    public var label: String {
        switch self {
        case .lead: "牵头单位"
        case .responsible: "责任单位"
        case .supporting: "配合单位"
        }
    }
}

/// The life of one assignment: the office assigns, the unit claims (认领) or asks for an adjustment,
/// the office approves (the assignment is withdrawn) or rejects (it stands), the unit reports it done.
public enum TaskStatus: String, CaseIterable, Sendable, Codable {
    case assigned
    case claimed
    case adjustmentRequested = "adjustment_requested"
    case withdrawn
    case completed

    public var label: String {
        switch self {
        case .assigned: "待认领"
        case .claimed: "已认领"
        case .adjustmentRequested: "申请调整中"
        case .withdrawn: "已调整撤回"
        case .completed: "已完成"
        }
    }
}

public enum TaskAction: String, CaseIterable, Sendable, Codable {
    case claim, requestAdjustment = "request_adjustment", approveAdjustment = "approve_adjustment"
    case rejectAdjustment = "reject_adjustment", complete, reopen
    /// The office takes back an assignment made in error (the unit has not finished it).
    case revoke

    public var label: String {
        switch self {
        case .claim: "认领"
        case .requestAdjustment: "申请调整"
        case .approveAdjustment: "同意调整"
        case .rejectAdjustment: "驳回调整"
        case .complete: "报告完成"
        case .reopen: "退回重办"
        case .revoke: "撤回分解"
        }
    }

    /// Whether the action is the unit's (liaison/head) or the office's.
    public var byOffice: Bool { [.approveAdjustment, .rejectAdjustment, .reopen, .revoke].contains(self) }
    /// Actions that must say why.
    public var needsReason: Bool { [.requestAdjustment, .rejectAdjustment, .reopen, .revoke].contains(self) }
}

public enum TaskFlow {
    /// The status after `action`, or nil when the action is not allowed from `status`.
    /// A rejected adjustment returns the task to where it was: 已认领 when the unit had claimed it, else 待认领.
    public static func next(_ status: TaskStatus, _ action: TaskAction, wasClaimed: Bool = false) -> TaskStatus? {
        switch (status, action) {
        case (.assigned, .claim): .claimed
        case (.assigned, .requestAdjustment), (.claimed, .requestAdjustment): .adjustmentRequested
        case (.adjustmentRequested, .approveAdjustment): .withdrawn
        case (.adjustmentRequested, .rejectAdjustment): wasClaimed ? .claimed : .assigned
        case (.claimed, .complete): .completed
        case (.completed, .reopen): .claimed
        case (.assigned, .revoke), (.claimed, .revoke): .withdrawn
        default: nil
        }
    }

    public static func problem(_ status: TaskStatus, _ action: TaskAction, reason: String) -> String? {
        guard next(status, action) != nil else { return "当前状态为“\(status.label)”，不能“\(action.label)”" }
        if action.needsReason && reason.trimmed().isEmpty { return "“\(action.label)”须填写理由" }
        if reason.count > 1000 { return "理由不能超过 1000 字" }
        return nil
    }

    /// The actions open to someone in a given status.
    public static func actions(from status: TaskStatus, office: Bool) -> [TaskAction] {
        TaskAction.allCases.filter { $0.byOffice == office && next(status, $0) != nil }
    }
}

/// Progress reports are due every week or every month.
public enum ReportCadence: String, CaseIterable, Sendable, Codable {
    case weekly, monthly
    public var label: String { self == .weekly ? "每周" : "每月" }

    func calendar(_ tz: TimeZone) -> Calendar {
        var c = Calendar(identifier: .iso8601)
        c.timeZone = tz
        return c
    }

    /// The period a moment falls in: "2026-W47" (ISO week) or "2026-11".
    public func period(of date: Date, in tz: TimeZone) -> String {
        let c = calendar(tz)
        switch self {
        case .weekly:
            let p = c.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return String(format: "%04d-W%02d", p.yearForWeekOfYear!, p.weekOfYear!)
        case .monthly:
            let p = c.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", p.year!, p.month!)
        }
    }

    /// Every period from the one containing `start` up to, but not including, the one containing `now`:
    /// the periods whose report should already have been filed.
    public func completedPeriods(from start: Date, to now: Date, in tz: TimeZone) -> [String] {
        guard start < now else { return [] }
        let c = calendar(tz)
        let current = period(of: now, in: tz)
        var out: [String] = []
        var d = start
        let step: Calendar.Component = self == .weekly ? .weekOfYear : .month
        // Move to the start of the period so that stepping never skips one.
        if let interval = c.dateInterval(of: step == .weekOfYear ? .weekOfYear : .month, for: start) { d = interval.start }
        while true {
            let p = period(of: d, in: tz)
            if p == current || out.count > 600 { break }
            out.append(p)
            guard let n = c.date(byAdding: step, value: 1, to: d) else { break }
            d = n
        }
        return out
    }
}

/// Why a task is lagging (回头望).
public enum LagReason: Sendable, Equatable, CustomStringConvertible {
    case unclaimed(days: Int)
    case overdueMilestones(Int)
    case missingReports([String])
    case pastDeadline(String)
    case noPlan

    public var description: String {
        switch self {
        case .unclaimed(let d): "分配 \(d) 天仍未认领"
        case .overdueMilestones(let n): "\(n) 个节点逾期未完成"
        case .missingReports(let ps): "缺少进度报告：\(ps.joined(separator: "、"))"
        case .pastDeadline(let d): "已过完成时限 \(d)"
        case .noPlan: "已认领但未制定工作计划"
        }
    }
}

public struct TaskFacts: Sendable {
    public var status: TaskStatus
    public var assignedAt: Date
    public var claimedAt: Date?
    public var deadline: String?              // YYYY-MM-DD
    public var milestones: [(due: String, done: Bool)]
    public var reportedPeriods: Set<String>
    public init(status: TaskStatus, assignedAt: Date, claimedAt: Date?, deadline: String?, milestones: [(due: String, done: Bool)], reportedPeriods: Set<String>) {
        self.status = status; self.assignedAt = assignedAt; self.claimedAt = claimedAt; self.deadline = deadline
        self.milestones = milestones; self.reportedPeriods = reportedPeriods
    }
}

public enum TaskHealth {
    /// The reasons a task lags at `now`; empty when it is on track. Withdrawn and completed tasks never lag.
    public static func lag(_ t: TaskFacts, now: Date, cadence: ReportCadence, claimGraceDays: Int, tz: TimeZone) -> [LagReason] {
        var out: [LagReason] = []
        let today = day(now, tz)
        switch t.status {
        case .withdrawn, .completed: return []
        case .assigned, .adjustmentRequested:
            let days = Int(now.timeIntervalSince(t.assignedAt) / 86_400)
            if t.status == .assigned && days >= claimGraceDays { out.append(.unclaimed(days: days)) }
        case .claimed:
            if t.milestones.isEmpty { out.append(.noPlan) }
            let overdue = t.milestones.filter { !$0.done && $0.due < today }.count
            if overdue > 0 { out.append(.overdueMilestones(overdue)) }
            if let c = t.claimedAt {
                let missing = cadence.completedPeriods(from: c, to: now, in: tz).filter { !t.reportedPeriods.contains($0) }
                if !missing.isEmpty { out.append(.missingReports(missing)) }
            }
        }
        if let d = t.deadline, !d.isEmpty, d < today { out.append(.pastDeadline(d)) }
        return out
    }

    /// `YYYY-MM-DD` of a moment in a time zone.
    public static func day(_ date: Date, _ tz: TimeZone) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = tz
        let p = c.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", p.year!, p.month!, p.day!)
    }
}

/// Carrying a decomposition over to a new edition of an index system, matched by standard code.
public struct CarriedAssignment: Sendable, Equatable {
    public var standardCode: String
    public var unitID: Int64
    public var role: AssignmentRole
    public var person: String
    public var deadline: String
    public init(standardCode: String, unitID: Int64, role: AssignmentRole, person: String, deadline: String) {
        self.standardCode = standardCode; self.unitID = unitID; self.role = role; self.person = person; self.deadline = deadline
    }
}

public enum EditionCarryOver {
    /// Which old assignments carry over (their standard code exists in the new edition), which new standards
    /// have no owner yet, and which old standards are gone.
    public static func plan(old: [CarriedAssignment], oldStandards: [String], newStandards: [String])
        -> (carried: [CarriedAssignment], unassignedNew: [String], droppedOld: [String]) {
        let newSet = Set(newStandards)
        let carried = old.filter { newSet.contains($0.standardCode) }
        let covered = Set(carried.map(\.standardCode))
        let oldSet = Set(oldStandards)
        return (carried, newStandards.filter { !covered.contains($0) }, oldStandards.filter { !newSet.contains($0) && oldSet.contains($0) })
    }
}
