import Foundation

/// Every tunable number of the platform with its default. The office changes them on the settings page
/// (stored in the database); nothing else in the code hard-codes them.
public struct Settings: Sendable, Equatable, Codable {
    public var loginMaxFailures = 5
    public var loginWindowMinutes = 15
    public var loginLockoutMinutes = 15
    public var sessionHours = 12
    public var passwordMinLength = 8
    public var uploadMaxMB = 10
    public var importMaxRows = 20_000
    public var pageSize = 50
    public var apiRequestsPerMinute = 600
    /// Progress reports on claimed tasks: 0 weekly, 1 monthly.
    public var progressReportMonthly = 0
    /// Days after assignment before an unclaimed task counts as lagging.
    public var claimGraceDays = 3
    /// Urgent cases must be dispatched within this many minutes of being reported.
    public var urgentDispatchMinutes = 30
    /// Overdue working days before a white / yellow / red supervision notice (督办单); white 0 = as soon as overdue.
    public var escalationWhiteDays = 0
    public var escalationYellowDays = 1
    public var escalationRedDays = 3
    /// Red notices in a row for one unit before its head is summoned (约谈).
    public var summonsRedCount = 3
    /// How often the server looks for overdue cases (minutes).
    public var escalationSweepMinutes = 5
    /// Photos per case step (report, feedback).
    public var casePhotosMax = 6
    /// How often the server checks whether the running periods' scores need recomputing (minutes).
    public var scoreSweepMinutes = 10
    /// The dashboard's "due soon": open cases whose deadline falls within this many hours.
    public var dueSoonHours = 72
    /// Seconds one reading of the dashboard is reused for the same org and role (0 = read every time).
    public var dashboardCacheSeconds = 30

    public init() {}

    /// The escalation thresholds in working minutes of `calendar`.
    public func escalationPolicy(minutesPerDay: Int) -> EscalationPolicy {
        EscalationPolicy(white: max(1, escalationWhiteDays * minutesPerDay), yellow: max(1, escalationYellowDays * minutesPerDay),
                         red: max(1, escalationRedDays * minutesPerDay), redsForSummons: summonsRedCount)
    }

    public var loginThrottle: LoginThrottle {
        LoginThrottle(maxFailures: loginMaxFailures, window: TimeInterval(loginWindowMinutes * 60),
                      lockout: TimeInterval(loginLockoutMinutes * 60))
    }

    /// The settings as editable fields: key, Chinese label, value, allowed range.
    public struct Field: Sendable { public let key: String; public let label: String; public let range: ClosedRange<Int> }

    public static let fields: [Field] = [
        .init(key: "loginMaxFailures", label: "连续登录失败几次后锁定", range: 3...20),
        .init(key: "loginWindowMinutes", label: "失败计数窗口（分钟）", range: 1...1440),
        .init(key: "loginLockoutMinutes", label: "锁定时长（分钟）", range: 1...1440),
        .init(key: "sessionHours", label: "登录有效期（小时）", range: 1...720),
        .init(key: "passwordMinLength", label: "密码最短长度", range: 8...64),
        .init(key: "uploadMaxMB", label: "上传文件大小上限（MB）", range: 1...200),
        .init(key: "importMaxRows", label: "单次导入最多行数", range: 100...200_000),
        .init(key: "pageSize", label: "列表每页条数", range: 10...500),
        .init(key: "apiRequestsPerMinute", label: "每个令牌每分钟 API 请求上限", range: 10...1_000_000),
        .init(key: "progressReportMonthly", label: "进度报告周期（0 = 每周，1 = 每月）", range: 0...1),
        .init(key: "claimGraceDays", label: "任务分配后几天内须认领", range: 1...60),
        .init(key: "urgentDispatchMinutes", label: "紧急案卷须在上报后几分钟内派遣", range: 5...1440),
        .init(key: "escalationWhiteDays", label: "超期几个工作日发白色督办单（0 = 一超期即发）", range: 0...60),
        .init(key: "escalationYellowDays", label: "超期几个工作日发黄色督办单", range: 0...60),
        .init(key: "escalationRedDays", label: "超期几个工作日发红色督办单", range: 0...60),
        .init(key: "summonsRedCount", label: "同一单位连续几张红色督办单后约谈负责人", range: 1...20),
        .init(key: "escalationSweepMinutes", label: "每隔几分钟检查一次超期案卷", range: 1...1440),
        .init(key: "casePhotosMax", label: "每次上报或反馈最多几张照片", range: 1...20),
        .init(key: "scoreSweepMinutes", label: "每隔几分钟检查一次是否需要重算测评得分", range: 1...1440),
        .init(key: "dueSoonHours", label: "领导驾驶舱“即将到期”的时间范围（小时）", range: 1...720),
        .init(key: "dashboardCacheSeconds", label: "领导驾驶舱的一次读取可沿用几秒（同一单位、同一角色共用；0 = 每次重新读取）", range: 0...600),
    ]

    public var reportCadence: ReportCadence { progressReportMonthly == 1 ? .monthly : .weekly }

    public subscript(key: String) -> Int? {
        get {
            switch key {
            case "loginMaxFailures": loginMaxFailures
            case "loginWindowMinutes": loginWindowMinutes
            case "loginLockoutMinutes": loginLockoutMinutes
            case "sessionHours": sessionHours
            case "passwordMinLength": passwordMinLength
            case "uploadMaxMB": uploadMaxMB
            case "importMaxRows": importMaxRows
            case "pageSize": pageSize
            case "apiRequestsPerMinute": apiRequestsPerMinute
            case "progressReportMonthly": progressReportMonthly
            case "claimGraceDays": claimGraceDays
            case "urgentDispatchMinutes": urgentDispatchMinutes
            case "escalationWhiteDays": escalationWhiteDays
            case "escalationYellowDays": escalationYellowDays
            case "escalationRedDays": escalationRedDays
            case "summonsRedCount": summonsRedCount
            case "escalationSweepMinutes": escalationSweepMinutes
            case "casePhotosMax": casePhotosMax
            case "scoreSweepMinutes": scoreSweepMinutes
            case "dueSoonHours": dueSoonHours
            case "dashboardCacheSeconds": dashboardCacheSeconds
            default: nil
            }
        }
        set {
            guard let v = newValue else { return }
            switch key {
            case "loginMaxFailures": loginMaxFailures = v
            case "loginWindowMinutes": loginWindowMinutes = v
            case "loginLockoutMinutes": loginLockoutMinutes = v
            case "sessionHours": sessionHours = v
            case "passwordMinLength": passwordMinLength = v
            case "uploadMaxMB": uploadMaxMB = v
            case "importMaxRows": importMaxRows = v
            case "pageSize": pageSize = v
            case "apiRequestsPerMinute": apiRequestsPerMinute = v
            case "progressReportMonthly": progressReportMonthly = v
            case "claimGraceDays": claimGraceDays = v
            case "urgentDispatchMinutes": urgentDispatchMinutes = v
            case "escalationWhiteDays": escalationWhiteDays = v
            case "escalationYellowDays": escalationYellowDays = v
            case "escalationRedDays": escalationRedDays = v
            case "summonsRedCount": summonsRedCount = v
            case "escalationSweepMinutes": escalationSweepMinutes = v
            case "casePhotosMax": casePhotosMax = v
            case "scoreSweepMinutes": scoreSweepMinutes = v
            case "dueSoonHours": dueSoonHours = v
            case "dashboardCacheSeconds": dashboardCacheSeconds = v
            default: break
            }
        }
    }

    /// Applies stored overrides; returns the problems of values that are unknown or out of range.
    public mutating func apply(_ values: [String: String]) -> [String: String] {
        var problems: [String: String] = [:]
        let thresholds = (escalationWhiteDays, escalationYellowDays, escalationRedDays)
        for (k, raw) in values {
            guard let f = Settings.fields.first(where: { $0.key == k }) else { problems[k] = Msg.invalidField(k); continue }
            guard let v = Int(raw.trimmed()), f.range.contains(v) else {
                problems[k] = "“\(f.label)”须为 \(f.range.lowerBound)–\(f.range.upperBound) 之间的整数"
                continue
            }
            self[k] = v
        }
        if !(escalationWhiteDays <= escalationYellowDays && escalationYellowDays <= escalationRedDays) {
            problems["escalationYellowDays"] = "督办单阈值须满足：白色 ≤ 黄色 ≤ 红色"
            (escalationWhiteDays, escalationYellowDays, escalationRedDays) = thresholds
        }
        return problems
    }
}
