import Foundation
import Testing
@testable import WenmingCore

enum TT {
    static let tz = TimeZone(identifier: "Asia/Shanghai")!
    static let utc = TimeZone(identifier: "UTC")!

    /// A fixed moment from an ISO 8601 string such as "2026-03-10T10:00:00+08:00".
    static func d(_ s: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: s) else { fatalError("bad test date \(s)") }
        return date
    }

    static func facts(_ status: TaskStatus, assigned: String = "2026-03-01T09:00:00+08:00", claimed: String? = nil,
                      deadline: String? = nil, milestones: [(due: String, done: Bool)] = [], reported: Set<String> = []) -> TaskFacts {
        TaskFacts(status: status, assignedAt: d(assigned), claimedAt: claimed.map(d), deadline: deadline,
                  milestones: milestones, reportedPeriods: reported)
    }

    /// Tuesday 2026-03-10 10:00 in Shanghai: ISO week 2026-W11.
    static let now = d("2026-03-10T10:00:00+08:00")

    static func lag(_ t: TaskFacts, now: Date = now, cadence: ReportCadence = .weekly, grace: Int = 3, tz: TimeZone = tz) -> [LagReason] {
        TaskHealth.lag(t, now: now, cadence: cadence, claimGraceDays: grace, tz: tz)
    }
}

// MARK: - Task flow

@Suite struct TaskFlowTests {
    /// Every allowed transition; every pair not listed must be refused.
    static let allowed: [TaskStatus: [TaskAction: TaskStatus]] = [
        .assigned: [.claim: .claimed, .requestAdjustment: .adjustmentRequested, .revoke: .withdrawn],
        .claimed: [.requestAdjustment: .adjustmentRequested, .complete: .completed, .revoke: .withdrawn],
        .adjustmentRequested: [.approveAdjustment: .withdrawn, .rejectAdjustment: .assigned],
        .withdrawn: [:],
        .completed: [.reopen: .claimed],
    ]

    @Test(arguments: TaskStatus.allCases, TaskAction.allCases)
    func next(status: TaskStatus, action: TaskAction) {
        #expect(TaskFlow.next(status, action) == Self.allowed[status]?[action])
        // Only a rejected adjustment depends on whether the unit had claimed the task before asking.
        let expectedIfClaimed = (status, action) == (.adjustmentRequested, .rejectAdjustment) ? .claimed : Self.allowed[status]?[action]
        #expect(TaskFlow.next(status, action, wasClaimed: true) == expectedIfClaimed)
    }

    @Test func tableCoversEveryStatusAndHasNineTransitions() {
        #expect(Set(Self.allowed.keys) == Set(TaskStatus.allCases))
        #expect(Self.allowed.values.map(\.count).reduce(0, +) == 9)
        let count = TaskStatus.allCases.flatMap { s in TaskAction.allCases.compactMap { TaskFlow.next(s, $0) } }.count
        #expect(count == 9)
    }

    @Test(arguments: TaskStatus.allCases, TaskAction.allCases)
    func problemWithAReasonIsNilExactlyWhenAllowed(status: TaskStatus, action: TaskAction) {
        let p = TaskFlow.problem(status, action, reason: "整改需要")
        if TaskFlow.next(status, action) == nil {
            #expect(p == "当前状态为“\(status.label)”，不能“\(action.label)”")
        } else {
            #expect(p == nil)
        }
    }

    @Test func refusedMessage() {
        #expect(TaskFlow.problem(.assigned, .complete, reason: "") == "当前状态为“待认领”，不能“报告完成”")
        #expect(TaskFlow.problem(.withdrawn, .claim, reason: "x") == "当前状态为“已调整撤回”，不能“认领”")
    }

    static let needReason: [(TaskStatus, TaskAction, String)] = [
        (.assigned, .requestAdjustment, "“申请调整”须填写理由"),
        (.claimed, .requestAdjustment, "“申请调整”须填写理由"),
        (.adjustmentRequested, .rejectAdjustment, "“驳回调整”须填写理由"),
        (.completed, .reopen, "“退回重办”须填写理由"),
        (.assigned, .revoke, "“撤回分解”须填写理由"),
        (.claimed, .revoke, "“撤回分解”须填写理由"),
    ]

    @Test(arguments: needReason)
    func reasonRequired(status: TaskStatus, action: TaskAction, message: String) {
        #expect(TaskFlow.problem(status, action, reason: "") == message)
        #expect(TaskFlow.problem(status, action, reason: " \n\t ") == message)
        #expect(TaskFlow.problem(status, action, reason: "责任不在本单位") == nil)
    }

    @Test func reasonOptionalForClaimApproveComplete() {
        #expect(TaskFlow.problem(.assigned, .claim, reason: "") == nil)
        #expect(TaskFlow.problem(.adjustmentRequested, .approveAdjustment, reason: "") == nil)
        #expect(TaskFlow.problem(.claimed, .complete, reason: "") == nil)
    }

    @Test func reasonLength() {
        let max = String(repeating: "理", count: 1000), over = max + "由"
        #expect(TaskFlow.problem(.completed, .reopen, reason: max) == nil)
        #expect(TaskFlow.problem(.completed, .reopen, reason: over) == "理由不能超过 1000 字")
        #expect(TaskFlow.problem(.assigned, .claim, reason: over) == "理由不能超过 1000 字")
    }

    @Test func flags() {
        #expect(TaskAction.allCases.filter(\.byOffice) == [.approveAdjustment, .rejectAdjustment, .reopen, .revoke])
        #expect(TaskAction.allCases.filter(\.needsReason) == [.requestAdjustment, .rejectAdjustment, .reopen, .revoke])
        #expect(TaskStatus.adjustmentRequested.rawValue == "adjustment_requested")
        #expect(TaskAction(rawValue: "request_adjustment") == .requestAdjustment)
    }

    static let actionTable: [(TaskStatus, [TaskAction], [TaskAction])] = [   // status, unit's, office's
        (.assigned, [.claim, .requestAdjustment], [.revoke]),
        (.claimed, [.requestAdjustment, .complete], [.revoke]),
        (.adjustmentRequested, [], [.approveAdjustment, .rejectAdjustment]),
        (.withdrawn, [], []),
        (.completed, [], [.reopen]),
    ]

    @Test(arguments: actionTable)
    func actions(status: TaskStatus, unit: [TaskAction], office: [TaskAction]) {
        #expect(TaskFlow.actions(from: status, office: false) == unit)
        #expect(TaskFlow.actions(from: status, office: true) == office)
    }
}

// MARK: - Report periods

@Suite struct ReportCadenceTests {
    static let weekly: [(String, String, String)] = [   // moment, period in Shanghai, period in UTC
        ("2026-01-01T12:00:00+08:00", "2026-W01", "2026-W01"),
        ("2027-01-01T12:00:00+08:00", "2026-W53", "2026-W53"),   // a Friday, still in 2026's week 53
        ("2027-01-03T23:00:00+08:00", "2026-W53", "2026-W53"),
        ("2027-01-04T08:00:00+08:00", "2027-W01", "2027-W01"),
        ("2024-12-30T09:00:00+08:00", "2025-W01", "2025-W01"),   // a Monday in December, already 2025's week 1
        ("2021-01-03T12:00:00+08:00", "2020-W53", "2020-W53"),
        ("2025-12-29T00:00:00+08:00", "2026-W01", "2025-W52"),   // Monday 00:00 in Shanghai is Sunday 16:00 UTC
        ("2026-11-22T23:30:00+08:00", "2026-W47", "2026-W47"),   // Sunday late evening
        ("2026-11-23T00:30:00+08:00", "2026-W48", "2026-W47"),   // just after midnight: Monday only in Shanghai
        ("2026-11-22T17:00:00Z", "2026-W48", "2026-W47"),
        ("2026-11-22T15:59:59Z", "2026-W47", "2026-W47"),
    ]

    @Test(arguments: weekly)
    func weeklyPeriod(moment: String, shanghai: String, utc: String) {
        #expect(ReportCadence.weekly.period(of: TT.d(moment), in: TT.tz) == shanghai)
        #expect(ReportCadence.weekly.period(of: TT.d(moment), in: TT.utc) == utc)
    }

    static let monthly: [(String, String, String)] = [
        ("2026-11-15T12:00:00+08:00", "2026-11", "2026-11"),
        ("2026-11-30T23:30:00+08:00", "2026-11", "2026-11"),
        ("2026-11-30T16:30:00Z", "2026-12", "2026-11"),
        ("2026-12-31T20:00:00Z", "2027-01", "2026-12"),
        ("2026-01-01T00:00:00+08:00", "2026-01", "2025-12"),
    ]

    @Test(arguments: monthly)
    func monthlyPeriod(moment: String, shanghai: String, utc: String) {
        #expect(ReportCadence.monthly.period(of: TT.d(moment), in: TT.tz) == shanghai)
        #expect(ReportCadence.monthly.period(of: TT.d(moment), in: TT.utc) == utc)
    }

    static func weeks(_ from: String, _ to: String, tz: TimeZone = TT.tz) -> [String] {
        ReportCadence.weekly.completedPeriods(from: TT.d(from), to: TT.d(to), in: tz)
    }

    static func months(_ from: String, _ to: String, tz: TimeZone = TT.tz) -> [String] {
        ReportCadence.monthly.completedPeriods(from: TT.d(from), to: TT.d(to), in: tz)
    }

    @Test func emptyWhenStartIsNotBeforeNow() {
        #expect(Self.weeks("2026-03-10T10:00:00+08:00", "2026-03-10T10:00:00+08:00") == [])
        #expect(Self.weeks("2026-03-20T10:00:00+08:00", "2026-03-10T10:00:00+08:00") == [])
        #expect(Self.months("2026-05-01T00:00:00+08:00", "2026-03-10T10:00:00+08:00") == [])
    }

    @Test func currentPeriodIsExcluded() {
        // Same week: nothing complete yet.
        #expect(Self.weeks("2026-01-05T09:00:00+08:00", "2026-01-11T23:59:00+08:00") == [])
        #expect(Self.weeks("2026-01-07T09:00:00+08:00", "2026-01-19T08:00:00+08:00") == ["2026-W02", "2026-W03"])
        #expect(Self.months("2026-03-01T00:00:00+08:00", "2026-03-31T23:59:00+08:00") == [])
        #expect(Self.months("2026-03-31T23:00:00+08:00", "2026-04-01T00:00:00+08:00") == ["2026-03"])
    }

    @Test func spansYearBoundaries() {
        #expect(Self.weeks("2026-12-23T10:00:00+08:00", "2027-01-13T10:00:00+08:00") == ["2026-W52", "2026-W53", "2027-W01"])
        #expect(Self.weeks("2024-12-25T10:00:00+08:00", "2025-01-07T10:00:00+08:00") == ["2024-W52", "2025-W01"])
        #expect(Self.months("2026-11-15T10:00:00+08:00", "2027-02-01T00:00:00+08:00") == ["2026-11", "2026-12", "2027-01"])
    }

    @Test func monthEndsDoNotSkipMonths() {
        #expect(Self.months("2026-01-31T10:00:00+08:00", "2026-05-01T00:00:00+08:00") == ["2026-01", "2026-02", "2026-03", "2026-04"])
        #expect(Self.months("2024-01-31T10:00:00+08:00", "2024-03-30T00:00:00+08:00") == ["2024-01", "2024-02"])
    }

    @Test func exactlyOnePerWeekOverAYear() {
        let w = Self.weeks("2026-01-05T00:00:00+08:00", "2027-01-04T00:00:00+08:00")
        #expect(w == (2...53).map { String(format: "2026-W%02d", $0) })
    }

    @Test func exactlyOnePerWeekOverSixYears() {
        let w = Self.weeks("2020-06-01T08:00:00+08:00", "2026-06-01T08:00:00+08:00")
        #expect(w.count == 313)
        #expect(Set(w).count == w.count)
        #expect(w.first == "2020-W23")
        #expect(w.last == "2026-W22")
        #expect(w == w.sorted())
        // Consecutive: the next of each is week + 1, or week 1 of the next year after week 52/53.
        for (a, b) in zip(w, w.dropFirst()) {
            let ya = Int(a.prefix(4))!, wa = Int(a.suffix(2))!, yb = Int(b.prefix(4))!, wb = Int(b.suffix(2))!
            let ok = (ya == yb && wb == wa + 1) || (yb == ya + 1 && wb == 1 && (wa == 52 || wa == 53))
            #expect(ok, "\(a) → \(b)")
        }
        #expect(w.filter { $0.hasSuffix("W53") } == ["2020-W53"])
    }

    @Test func timeZoneDecidesTheWeekBoundary() {
        // Sunday 23:30 → Monday 00:30 in Shanghai crosses a week; in UTC both are Sunday afternoon.
        let from = "2026-01-11T23:30:00+08:00", to = "2026-01-12T00:30:00+08:00"
        #expect(Self.weeks(from, to) == ["2026-W02"])
        #expect(Self.weeks(from, to, tz: TT.utc) == [])
    }

    @Test func labels() {
        #expect(ReportCadence.weekly.label == "每周")
        #expect(ReportCadence.monthly.label == "每月")
    }
}

// MARK: - Lagging tasks

@Suite struct TaskHealthTests {
    @Test(arguments: [(2.0, [LagReason]()), (3.0 - 60.0 / 86_400, []), (3.0, [.unclaimed(days: 3)]), (10.5, [.unclaimed(days: 10)])])
    func unclaimedAfterGraceDays(daysAgo: Double, expected: [LagReason]) {
        let assigned = TT.now.addingTimeInterval(-daysAgo * 86_400)
        let t = TaskFacts(status: .assigned, assignedAt: assigned, claimedAt: nil, deadline: nil, milestones: [], reportedPeriods: [])
        #expect(TT.lag(t) == expected)
    }

    @Test func adjustmentRequestedIsNotUnclaimed() {
        #expect(TT.lag(TT.facts(.adjustmentRequested, assigned: "2026-01-01T09:00:00+08:00")) == [])
        #expect(TT.lag(TT.facts(.adjustmentRequested, assigned: "2026-01-01T09:00:00+08:00", deadline: "2026-03-01"))
                == [.pastDeadline("2026-03-01")])
    }

    @Test func claimedWithoutMilestonesHasNoPlan() {
        #expect(TT.lag(TT.facts(.claimed, claimed: "2026-03-10T09:00:00+08:00")) == [.noPlan])
    }

    @Test func overdueMilestones() {
        let claimed = "2026-03-09T09:00:00+08:00"   // this week: no report due yet
        #expect(TT.lag(TT.facts(.claimed, claimed: claimed, milestones: [("2026-03-09", false)])) == [.overdueMilestones(1)])
        #expect(TT.lag(TT.facts(.claimed, claimed: claimed, milestones: [("2026-03-10", false)])) == [])   // due today
        #expect(TT.lag(TT.facts(.claimed, claimed: claimed, milestones: [("2026-03-09", true)])) == [])
        #expect(TT.lag(TT.facts(.claimed, claimed: claimed, milestones: [
            ("2026-03-01", false), ("2026-03-09", false), ("2026-03-09", true), ("2026-03-10", false), ("2026-04-01", false),
        ])) == [.overdueMilestones(2)])
    }

    @Test func todayIsTakenInTheOfficesTimeZone() {
        // 17:00 UTC on the 9th is 01:00 on the 10th in Shanghai.
        let now = TT.d("2026-03-09T17:00:00Z")
        let t = TT.facts(.claimed, claimed: "2026-03-09T09:00:00+08:00", deadline: "2026-03-09", milestones: [("2026-03-09", false)])
        #expect(TT.lag(t, now: now, tz: TT.tz) == [.overdueMilestones(1), .pastDeadline("2026-03-09")])
        #expect(TT.lag(t, now: now, tz: TT.utc) == [])
        #expect(TaskHealth.day(now, TT.tz) == "2026-03-10")
        #expect(TaskHealth.day(now, TT.utc) == "2026-03-09")
    }

    @Test func missingWeeklyReports() {
        let base = TT.facts(.claimed, claimed: "2026-02-18T10:00:00+08:00", milestones: [("2026-04-01", false)])
        #expect(TT.lag(base) == [.missingReports(["2026-W08", "2026-W09", "2026-W10"])])
        var t = base
        t.reportedPeriods = ["2026-W09"]
        #expect(TT.lag(t) == [.missingReports(["2026-W08", "2026-W10"])])
        t.reportedPeriods = ["2026-W08", "2026-W09", "2026-W10"]
        #expect(TT.lag(t) == [])
        t.reportedPeriods = ["2026-W08", "2026-W09", "2026-W10", "2026-W11", "2026-02"]   // extra periods do no harm
        #expect(TT.lag(t) == [])
        t.claimedAt = nil                                                                  // never claimed: nothing to report
        t.reportedPeriods = []
        #expect(TT.lag(t) == [])
    }

    @Test func missingMonthlyReports() {
        var t = TT.facts(.claimed, claimed: "2026-01-15T10:00:00+08:00", milestones: [("2026-04-01", false)], reported: ["2026-01"])
        #expect(TT.lag(t, cadence: .monthly) == [.missingReports(["2026-02"])])
        t.reportedPeriods = ["2026-01", "2026-02"]
        #expect(TT.lag(t, cadence: .monthly) == [])
    }

    @Test func pastDeadline() {
        let ok = TT.facts(.claimed, claimed: "2026-03-09T09:00:00+08:00", milestones: [("2026-04-01", false)])
        for (deadline, expected) in [("2026-03-09", [LagReason.pastDeadline("2026-03-09")]), ("2026-03-10", []), ("2026-12-31", []), ("", [])] {
            var t = ok
            t.deadline = deadline
            #expect(TT.lag(t) == expected, "deadline \(deadline)")
        }
        var t = ok
        t.deadline = nil
        #expect(TT.lag(t) == [])
        // An assignment still within its grace days can be past its deadline.
        let fresh = TT.facts(.assigned, assigned: "2026-03-09T09:00:00+08:00", deadline: "2026-03-01")
        #expect(TT.lag(fresh) == [.pastDeadline("2026-03-01")])
    }

    @Test func reasonsComeInOrder() {
        let t = TT.facts(.claimed, claimed: "2026-02-25T10:00:00+08:00", deadline: "2026-03-01")
        #expect(TT.lag(t) == [.noPlan, .missingReports(["2026-W09", "2026-W10"]), .pastDeadline("2026-03-01")])
        let u = TT.facts(.claimed, claimed: "2026-02-25T10:00:00+08:00", deadline: "2026-03-01",
                         milestones: [("2026-03-02", false)], reported: ["2026-W10"])
        #expect(TT.lag(u) == [.overdueMilestones(1), .missingReports(["2026-W09"]), .pastDeadline("2026-03-01")])
        let a = TT.facts(.assigned, assigned: "2026-02-01T09:00:00+08:00", deadline: "2026-03-01")
        #expect(TT.lag(a) == [.unclaimed(days: 37), .pastDeadline("2026-03-01")])
    }

    @Test(arguments: [TaskStatus.completed, .withdrawn])
    func finishedTasksNeverLag(status: TaskStatus) {
        let t = TT.facts(status, assigned: "2025-01-01T09:00:00+08:00", claimed: "2025-01-02T09:00:00+08:00",
                         deadline: "2025-02-01", milestones: [("2025-01-10", false)])
        #expect(TT.lag(t) == [])
        #expect(TT.lag(t, cadence: .monthly, grace: 0) == [])
    }

    @Test func descriptions() {
        #expect(LagReason.unclaimed(days: 5).description == "分配 5 天仍未认领")
        #expect(LagReason.overdueMilestones(2).description == "2 个节点逾期未完成")
        #expect(LagReason.missingReports(["2026-W08", "2026-W10"]).description == "缺少进度报告：2026-W08、2026-W10")
        #expect(LagReason.pastDeadline("2026-03-01").description == "已过完成时限 2026-03-01")
        #expect(LagReason.noPlan.description == "已认领但未制定工作计划")
    }
}

// MARK: - Carrying a decomposition to a new edition

@Suite struct EditionCarryOverTests {
    static func a(_ code: String, _ unit: Int64, _ role: AssignmentRole) -> CarriedAssignment {
        CarriedAssignment(standardCode: code, unitID: unit, role: role, person: "联系人\(unit)", deadline: "2026-12-31")
    }

    @Test func carriedByCode() {
        let old = [Self.a("S1", 1, .lead), Self.a("S1", 2, .supporting), Self.a("S2", 3, .lead), Self.a("S4", 4, .responsible)]
        let plan = EditionCarryOver.plan(old: old, oldStandards: ["S1", "S2", "S3", "S4"], newStandards: ["S1", "S3", "S4", "S5"])
        #expect(plan.carried == [Self.a("S1", 1, .lead), Self.a("S1", 2, .supporting), Self.a("S4", 4, .responsible)])
        #expect(plan.unassignedNew == ["S3", "S5"])   // S3 existed but had no owner; S5 is new
        #expect(plan.droppedOld == ["S2"])
    }

    @Test func identicalEditions() {
        let old = [Self.a("S1", 1, .lead), Self.a("S2", 1, .lead)]
        let plan = EditionCarryOver.plan(old: old, oldStandards: ["S1", "S2"], newStandards: ["S1", "S2"])
        #expect(plan.carried == old)
        #expect(plan.unassignedNew.isEmpty)
        #expect(plan.droppedOld.isEmpty)
    }

    @Test func nothingInCommon() {
        let plan = EditionCarryOver.plan(old: [Self.a("S1", 1, .lead)], oldStandards: ["S1"], newStandards: ["T1", "T2"])
        #expect(plan.carried.isEmpty)
        #expect(plan.unassignedNew == ["T1", "T2"])
        #expect(plan.droppedOld == ["S1"])
        let empty = EditionCarryOver.plan(old: [], oldStandards: [], newStandards: [])
        #expect(empty.carried.isEmpty && empty.unassignedNew.isEmpty && empty.droppedOld.isEmpty)
    }

    @Test func roleLabels() {
        #expect(AssignmentRole.allCases.map(\.label) == ["牵头单位", "责任单位", "配合单位"])
        #expect(TaskStatus.allCases.map(\.label) == ["待认领", "已认领", "申请调整中", "已调整撤回", "已完成"])
    }
}
