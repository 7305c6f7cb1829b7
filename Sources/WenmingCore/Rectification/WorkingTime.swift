import Foundation

/// The office's working calendar: which days are working days and which hours of them count.
///
/// Working hours are half-open minute ranges of the day (`540..<720` is 09:00–12:00): an instant at
/// exactly 12:00 is the end of the morning, not inside it. A day is a working day when it is an
/// adjusted working day (调休上班), or else when it is neither a holiday nor a weekend day.
/// Days are written `YYYY-MM-DD` in the calendar's time zone. Pure values: time is always passed in.
public struct WorkCalendar: Sendable, Equatable {
    public static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    /// 09:00–12:00 and 13:30–17:30.
    public static let defaultHours: [Range<Int>] = [540..<720, 810..<1050]
    /// Saturday and Sunday, as `Calendar` weekdays (1 = Sunday … 7 = Saturday).
    public static let defaultWeekend: Set<Int> = [1, 7]
    /// A calendar with no working time for this many days in a row is treated as never reaching a deadline.
    static let maxIdleDays = 3660

    public let timeZone: TimeZone
    /// Working periods of a day in minutes since midnight: sorted, non-empty, non-overlapping, within 0...1440.
    public let hours: [Range<Int>]
    /// Weekend days as `Calendar` weekdays (1 = Sunday … 7 = Saturday).
    public let weekendDays: Set<Int>
    /// Public holidays (放假), `YYYY-MM-DD`.
    public let holidays: Set<String>
    /// Adjusted working days (调休上班), `YYYY-MM-DD`; they win over weekends and holidays.
    public let workdays: Set<String>
    private let cal: Calendar

    /// Hours are clamped to the day, sorted and merged; empty ranges are dropped.
    public init(timeZone: TimeZone = WorkCalendar.shanghai, hours: [Range<Int>] = WorkCalendar.defaultHours,
                weekendDays: Set<Int> = WorkCalendar.defaultWeekend, holidays: Set<String> = [], workdays: Set<String> = []) {
        self.timeZone = timeZone
        var merged: [Range<Int>] = []
        for r in hours.map({ max(0, $0.lowerBound)..<max(max(0, $0.lowerBound), min(1440, $0.upperBound)) })
            .filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else { merged.append(r) }
        }
        self.hours = merged
        self.weekendDays = weekendDays
        self.holidays = holidays
        self.workdays = workdays
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        self.cal = c
    }

    /// The same calendar with an imported holiday schedule added.
    public func adding(_ schedule: HolidaySchedule) -> WorkCalendar {
        WorkCalendar(timeZone: timeZone, hours: hours, weekendDays: weekendDays,
                     holidays: holidays.union(schedule.holidays), workdays: workdays.union(schedule.workdays))
    }

    /// Working minutes in one working day (420 by default).
    public var minutesPerDay: Int { hours.reduce(0) { $0 + $1.count } }

    // MARK: Days

    /// The civil day `YYYY-MM-DD` of an instant, in the calendar's time zone.
    public func day(of date: Date) -> String {
        let c = cal.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Whether a `YYYY-MM-DD` day is a working day; false for a malformed day.
    public func isWorkingDay(_ day: String) -> Bool {
        guard CivilDate.isValid(day) else { return false }
        if workdays.contains(day) { return true }
        if holidays.contains(day) { return false }
        let p = day.split(separator: "-").compactMap { Int($0) }
        guard let noon = cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: 12)) else { return false }
        return !weekendDays.contains(cal.component(.weekday, from: noon))
    }

    private func startOfDay(_ d: Date) -> Date { cal.startOfDay(for: d) }
    private func nextDay(_ dayStart: Date) -> Date { startOfDay(cal.date(byAdding: .hour, value: 36, to: dayStart)!) }

    /// The working periods of the day that starts at `dayStart` (none on a non-working day).
    private func periods(_ dayStart: Date) -> [(start: Date, end: Date)] {
        guard isWorkingDay(day(of: dayStart)) else { return [] }
        return hours.map { (cal.date(byAdding: .minute, value: $0.lowerBound, to: dayStart)!,
                            cal.date(byAdding: .minute, value: $0.upperBound, to: dayStart)!) }
    }

    // MARK: Working time

    /// Whether the instant lies inside working time (periods are half-open: 12:00 and 17:30 are outside).
    public func isWorkingTime(_ t: Date) -> Bool {
        periods(startOfDay(t)).contains { $0.start <= t && t < $0.end }
    }

    /// The first working instant at or after `t`. With `includingEnds`, the exact end of a period
    /// (12:00, 17:30) counts as working time and is kept. `Date.distantFuture` when none is found.
    public func nextWorkingInstant(_ t: Date, includingEnds: Bool = false) -> Date {
        var ds = startOfDay(t)
        for _ in 0..<Self.maxIdleDays {
            for p in periods(ds) where includingEnds ? p.end >= t : p.end > t { return max(p.start, t) }
            ds = nextDay(ds)
        }
        return .distantFuture
    }

    /// The earliest instant by which `seconds` of working time have elapsed since `start`.
    /// Zero or less returns `start` unchanged.
    public func addWorkingSeconds(_ seconds: TimeInterval, to start: Date) -> Date {
        if seconds <= 0 { return start }
        var remaining = seconds
        var ds = startOfDay(start)
        var idle = 0
        while idle < Self.maxIdleDays {
            let ps = periods(ds).filter { $0.end > start }
            for p in ps {
                let from = max(p.start, start)
                let available = p.end.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            idle = ps.isEmpty ? idle + 1 : 0
            ds = nextDay(ds)
        }
        return .distantFuture
    }

    /// The earliest instant by which `minutes` working minutes have elapsed since `start`: only minutes
    /// inside working hours on working days count, so a start at night begins the next working morning,
    /// and lunch, weekends and holidays are skipped. An end exactly at a period's end stays there
    /// (11:00 + 60 → 12:00, not 13:30). Zero or less returns `start` unchanged.
    public func addWorkingMinutes(_ minutes: Int, to start: Date) -> Date {
        addWorkingSeconds(TimeInterval(minutes) * 60, to: start)
    }

    /// N working days later at the same working-time position: the same clock time on the Nth working
    /// day after the start's day. A start outside working hours first moves to the next working instant
    /// (a start exactly at the end of a period, 12:00 or 17:30, keeps its clock time; a start at 20:00 or
    /// on a Sunday moves to the next working day's first period). Zero or less returns that moved start.
    public func addWorkingDays(_ days: Int, to start: Date) -> Date {
        let p = nextWorkingInstant(start, includingEnds: true)
        if p == .distantFuture { return p }
        let ds0 = startOfDay(p)
        let offset = p.timeIntervalSince(ds0)
        var ds = ds0
        var count = 0, idle = 0
        while count < days {
            ds = nextDay(ds)
            if isWorkingDay(day(of: ds)) { count += 1; idle = 0 } else {
                idle += 1
                if idle >= Self.maxIdleDays { return .distantFuture }
            }
        }
        return ds.addingTimeInterval(offset)
    }

    /// Working seconds elapsed between two instants (0 when `to <= from`).
    public func workingSeconds(from: Date, to: Date) -> TimeInterval {
        guard to > from else { return 0 }
        var total: TimeInterval = 0
        var ds = startOfDay(from)
        while ds < to {
            for p in periods(ds) {
                let a = max(p.start, from), b = min(p.end, to)
                if b > a { total += b.timeIntervalSince(a) }
            }
            ds = nextDay(ds)
        }
        return total
    }

    /// Whole working minutes elapsed between two instants (0 when `to <= from`).
    public func workingMinutes(from: Date, to: Date) -> Int {
        Int(((workingSeconds(from: from, to: to) + 0.001) / 60).rounded(.down))
    }

    // MARK: Holiday import

    /// The columns of the yearly holiday sheet.
    public static let holidayColumns: [OrgImport.Column] = [
        .init(key: "date", header: "日期", required: true),
        .init(key: "type", header: "类型", required: true),
        .init(key: "name", header: "名称", required: false),
    ]

    /// Reads the yearly holiday sheet (日期 YYYY-MM-DD, 类型 放假 / 调休上班, 名称). On any issue the
    /// schedule is empty and every issue names its row and column.
    public static func parseHolidays(_ table: Table, maxRows: Int = 1000) -> (schedule: HolidaySchedule, issues: [ImportIssue]) {
        let (keyAt, headerIssues) = OrgImport.mapHeader(table, columns: holidayColumns)
        if !headerIssues.isEmpty { return (HolidaySchedule(), headerIssues) }
        if table.rows.isEmpty { return (HolidaySchedule(), [ImportIssue(row: 0, column: "", message: Msg.noDataRows)]) }
        if table.rows.count > maxRows { return (HolidaySchedule(), [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(maxRows))]) }
        func h(_ key: String) -> String { holidayColumns.first { $0.key == key }!.header }
        var issues: [ImportIssue] = []
        var schedule = HolidaySchedule()
        var seen: [String: (row: Int, kind: HolidayKind)] = [:]
        for (idx, cells) in table.rows.enumerated() {
            let rowNo = table.rowNumbers[idx]
            var v: [String: String] = [:]
            for (i, key) in keyAt where i < cells.count { v[key] = OrgImport.unguard(cells[i].trimmed()) }
            let date = v["date"] ?? "", typeText = v["type"] ?? "", name = v["name"] ?? ""
            let dateOK = CivilDate.isValid(date)
            if !dateOK { issues.append(.init(row: rowNo, column: h("date"), message: Msg.badDate(date))) }
            let kind = HolidayKind(label: typeText)
            if kind == nil { issues.append(.init(row: rowNo, column: h("type"), message: Msg.unknownHolidayType(typeText))) }
            if name.count > 100 { issues.append(.init(row: rowNo, column: h("name"), message: Msg.nameTooLong)) }
            guard dateOK, let kind else { continue }
            if let first = seen[date] {
                let msg = first.kind == kind ? Msg.duplicateHolidayDate(date, firstRow: first.row)
                                             : Msg.holidayAndWorkday(date, firstRow: first.row)
                issues.append(.init(row: rowNo, column: h("date"), message: msg))
                continue
            }
            seen[date] = (rowNo, kind)
            switch kind {
            case .holiday: schedule.holidays.insert(date)
            case .workday: schedule.workdays.insert(date)
            }
            if !name.isEmpty { schedule.names[date] = name }
        }
        if !issues.isEmpty { return (HolidaySchedule(), issues) }
        return (schedule, [])
    }
}

/// A row's 类型 in the holiday sheet.
public enum HolidayKind: String, CaseIterable, Sendable, Codable {
    case holiday, workday
    public var label: String {
        switch self {
        case .holiday: "放假"
        case .workday: "调休上班"
        }
    }
    /// Accepts the label, the key, and the short forms 休/假 and 班/上班.
    public init?(label raw: String) {
        switch raw.trimmed().lowercased() {
        case "放假", "休", "假", "holiday": self = .holiday
        case "调休上班", "上班", "班", "workday": self = .workday
        default: return nil
        }
    }
}

/// The result of a holiday import: holidays, adjusted working days and the festival names by day.
public struct HolidaySchedule: Sendable, Equatable {
    public var holidays: Set<String>
    public var workdays: Set<String>
    public var names: [String: String]
    public init(holidays: Set<String> = [], workdays: Set<String> = [], names: [String: String] = [:]) {
        self.holidays = holidays; self.workdays = workdays; self.names = names
    }
}

// MARK: - Deadlines

/// How long a unit has to fix a problem once it is dispatched.
public enum DeadlineRule: Sendable, Equatable, Hashable {
    /// Natural (wall-clock) hours, nights and holidays included: 立行立改 is 24 natural hours.
    case naturalHours(Int)
    /// The same clock time on the Nth working day (see `WorkCalendar.addWorkingDays`).
    case workingDays(Int)
    /// Minutes of working time (see `WorkCalendar.addWorkingMinutes`).
    case workingMinutes(Int)

    /// 立行立改: 24 natural hours.
    public static let onTheSpot = DeadlineRule.naturalHours(24)
    /// Ordinary problems: 3 working days.
    public static let ordinary = DeadlineRule.workingDays(3)
    /// Complex problems: up to 20 working days.
    public static let complex = DeadlineRule.workingDays(20)

    public var label: String {
        switch self {
        case .naturalHours(let h): Msg.naturalHoursLabel(h)
        case .workingDays(let d): Msg.workingDaysLabel(d)
        case .workingMinutes(let m): Msg.workingMinutesLabel(m)
        }
    }

    /// Whether paused time is measured in natural time (otherwise in working time).
    public var isNatural: Bool { if case .naturalHours = self { true } else { false } }

    /// The deadline for a case dispatched at `start`, without pauses.
    public func deadline(from start: Date, in calendar: WorkCalendar) -> Date {
        switch self {
        case .naturalHours(let h): start.addingTimeInterval(TimeInterval(max(0, h)) * 3600)
        case .workingDays(let d): calendar.addWorkingDays(d, to: start)
        case .workingMinutes(let m): calendar.addWorkingMinutes(m, to: start)
        }
    }
}

/// A stretch during which the case clock stood still (缓办). `end == nil`: still paused.
public struct Pause: Sendable, Equatable, Hashable {
    public var start: Date
    public var end: Date?
    public init(start: Date, end: Date?) { self.start = start; self.end = end }
}

public enum Deadline {
    /// The deadline of a case dispatched at `start`, extended by the time spent paused: working time for
    /// working-time rules, natural time for natural-hour rules. Pauses may overlap or come in any order;
    /// only the part after `start` counts, and a pause that begins at or after the (extended) deadline
    /// does not extend it (the case was already due). `nil` while a pause that began before the
    /// deadline is still open: the clock is stopped, so there is no deadline yet.
    public static func deadline(from start: Date, rule: DeadlineRule, pauses: [Pause], calendar: WorkCalendar) -> Date? {
        var due = rule.deadline(from: start, in: calendar)
        for p in merged(pauses) {
            let s = max(p.start, start)
            guard s < due else { break }
            guard let e = p.end else { return nil }
            guard e > s else { continue }
            if rule.isNatural {
                due = due.addingTimeInterval(e.timeIntervalSince(s))
            } else {
                due = calendar.addWorkingSeconds(calendar.workingSeconds(from: s, to: e), to: due)
            }
        }
        return due
    }

    /// Pauses sorted by start with overlapping ones joined; an open pause absorbs everything after it.
    static func merged(_ pauses: [Pause]) -> [Pause] {
        var out: [Pause] = []
        for p in pauses.sorted(by: { $0.start < $1.start }) {
            if let e = p.end, e <= p.start { continue }
            if let last = out.last, p.start <= (last.end ?? .distantFuture) {
                guard let lastEnd = last.end else { continue }
                out[out.count - 1].end = p.end.map { max($0, lastEnd) }
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// Whole natural minutes by which `now` is past `deadline` (0 when not overdue).
    public static func overdueMinutes(deadline: Date, now: Date) -> Int {
        let s = now.timeIntervalSince(deadline)
        return s <= 0 ? 0 : Int((s / 60).rounded(.down))
    }

    /// Whole working minutes by which `now` is past `deadline` (0 when not overdue).
    public static func overdueWorkingMinutes(deadline: Date, now: Date, calendar: WorkCalendar) -> Int {
        calendar.workingMinutes(from: deadline, to: now)
    }
}

extension Msg {
    public static func unknownHolidayType(_ s: String) -> String { "类型须为 放假 或 调休上班，而不是“\(s)”" }
    public static func duplicateHolidayDate(_ d: String, firstRow: Int) -> String { "日期“\(d)”重复（第 \(firstRow) 行已填写）" }
    public static func holidayAndWorkday(_ d: String, firstRow: Int) -> String {
        "日期“\(d)”不能既放假又调休上班（第 \(firstRow) 行已填写为另一类型）"
    }
    public static func naturalHoursLabel(_ h: Int) -> String { "\(h) 小时" }
    public static func workingDaysLabel(_ d: Int) -> String { "\(d) 个工作日" }
    public static func workingMinutesLabel(_ m: Int) -> String { "\(m) 分钟（工作时间）" }
}
