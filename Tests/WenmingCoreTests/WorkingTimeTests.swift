import Foundation
import Testing
@testable import WenmingCore

enum WT {
    /// A fixed moment from an ISO 8601 string such as "2026-03-10T10:00:00+08:00".
    static func d(_ s: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: s) else { fatalError("bad test date \(s)") }
        return date
    }
    /// "2026-03-10 10:00" in Shanghai.
    static func t(_ s: String) -> Date { d(s.replacingOccurrences(of: " ", with: "T") + ":00+08:00") }

    /// A test calendar for 2026: 元旦 Thu 01-01 … Sat 01-03 off, Sun 01-04 worked;
    /// 春节 Sun 02-15 … Mon 02-23 off, Sat 02-14 and Sat 02-28 worked.
    static let cal = WorkCalendar(
        holidays: ["2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18",
                   "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23"],
        workdays: ["2026-01-04", "2026-02-14", "2026-02-28"])

    static func table(_ rows: [[String]]) -> Table { Table(rawRows: rows) }
}

@Suite struct WorkCalendarDayTests {
    @Test(arguments: [
        ("2026-03-10", true),   // Tuesday
        ("2026-03-13", true),   // Friday
        ("2026-03-14", false),  // Saturday
        ("2026-03-15", false),  // Sunday
        ("2026-01-01", false),  // 元旦, a Thursday
        ("2026-01-02", false),  // 元旦, a Friday
        ("2026-01-04", true),   // 调休 Sunday
        ("2026-02-14", true),   // 调休 Saturday before 春节
        ("2026-02-16", false),  // 春节, a Monday
        ("2026-02-23", false),  // last day of 春节, a Monday
        ("2026-02-24", true),   // back to work
        ("2026-02-28", true),   // 调休 Saturday after 春节
        ("2025-12-31", true),
        ("2026-02-30", false),  // malformed
        ("2026-3-10", false),   // malformed
        ("", false),
    ])
    func workingDay(day: String, expected: Bool) {
        #expect(WT.cal.isWorkingDay(day) == expected)
    }

    @Test func dayOfUsesTheCalendarsTimeZone() {
        #expect(WT.cal.day(of: WT.d("2026-03-10T23:30:00+08:00")) == "2026-03-10")
        #expect(WT.cal.day(of: WT.d("2026-03-10T16:30:00Z")) == "2026-03-11")   // 00:30 in Shanghai
        #expect(WT.cal.day(of: WT.d("2025-12-31T16:00:00Z")) == "2026-01-01")
        let utc = WorkCalendar(timeZone: TimeZone(identifier: "UTC")!)
        #expect(utc.day(of: WT.d("2026-03-10T16:30:00Z")) == "2026-03-10")
    }

    @Test func defaultsAndHourNormalisation() {
        let c = WorkCalendar()
        #expect(c.timeZone.identifier == "Asia/Shanghai")
        #expect(c.hours == [540..<720, 810..<1050])
        #expect(c.minutesPerDay == 420)
        #expect(c.weekendDays == [1, 7])
        let odd = WorkCalendar(hours: [700..<800, 540..<720, 1000..<2000, 300..<300])
        #expect(odd.hours == [540..<800, 1000..<1440])
    }

    @Test(arguments: [
        ("2026-03-10 08:59", false), ("2026-03-10 09:00", true), ("2026-03-10 11:59", true),
        ("2026-03-10 12:00", false), ("2026-03-10 13:29", false), ("2026-03-10 13:30", true),
        ("2026-03-10 17:29", true), ("2026-03-10 17:30", false), ("2026-03-14 10:00", false),
        ("2026-02-14 10:00", true), ("2026-01-01 10:00", false),
    ])
    func workingTime(at: String, expected: Bool) {
        #expect(WT.cal.isWorkingTime(WT.t(at)) == expected)
    }

    @Test func customHoursAndWeekend() {
        // A six-day week, 08:00–12:00 and 14:00–18:00.
        let c = WorkCalendar(hours: [480..<720, 840..<1080], weekendDays: [1])
        #expect(c.isWorkingDay("2026-03-14"))
        #expect(!c.isWorkingDay("2026-03-15"))
        #expect(c.addWorkingMinutes(60, to: WT.t("2026-03-14 11:30")) == WT.t("2026-03-14 14:30"))
        #expect(c.addWorkingMinutes(30, to: WT.t("2026-03-14 17:50")) == WT.t("2026-03-16 08:20"))
        #expect(c.minutesPerDay == 480)
    }

    @Test func calendarWithoutWorkingTimeNeverReachesADeadline() {
        let never = WorkCalendar(hours: [])
        #expect(never.addWorkingMinutes(1, to: WT.t("2026-03-10 10:00")) == .distantFuture)
        #expect(never.addWorkingDays(1, to: WT.t("2026-03-10 10:00")) == .distantFuture)
        let noDays = WorkCalendar(weekendDays: [1, 2, 3, 4, 5, 6, 7])
        #expect(noDays.addWorkingDays(1, to: WT.t("2026-03-10 10:00")) == .distantFuture)
        #expect(noDays.workingMinutes(from: WT.t("2026-03-10 10:00"), to: WT.t("2026-03-20 10:00")) == 0)
    }
}

@Suite struct AddWorkingMinutesTests {
    @Test(arguments: [
        // zero: the start, unchanged, even outside working hours
        ("2026-03-10 10:00", 0, "2026-03-10 10:00"),
        ("2026-03-10 22:00", 0, "2026-03-10 22:00"),
        ("2026-03-10 12:00", 0, "2026-03-10 12:00"),
        ("2026-03-10 10:00", -5, "2026-03-10 10:00"),
        // plain morning / afternoon
        ("2026-03-10 10:00", 60, "2026-03-10 11:00"),
        ("2026-03-10 14:00", 90, "2026-03-10 15:30"),
        // exact boundaries
        ("2026-03-10 09:00", 60, "2026-03-10 10:00"),
        ("2026-03-10 08:59", 1, "2026-03-10 09:01"),
        ("2026-03-10 11:59", 1, "2026-03-10 12:00"),
        ("2026-03-10 11:00", 60, "2026-03-10 12:00"),
        ("2026-03-10 12:00", 1, "2026-03-10 13:31"),
        ("2026-03-10 13:30", 240, "2026-03-10 17:30"),
        ("2026-03-10 16:30", 60, "2026-03-10 17:30"),
        ("2026-03-10 17:30", 1, "2026-03-11 09:01"),
        ("2026-03-10 09:00", 420, "2026-03-10 17:30"),
        ("2026-03-10 09:00", 421, "2026-03-11 09:01"),
        // lunch break
        ("2026-03-10 11:30", 60, "2026-03-10 14:00"),
        ("2026-03-10 12:45", 30, "2026-03-10 14:00"),
        // nights
        ("2026-03-10 17:00", 60, "2026-03-11 09:30"),
        ("2026-03-10 22:00", 30, "2026-03-11 09:30"),
        ("2026-03-11 03:00", 30, "2026-03-11 09:30"),
        ("2026-03-10 23:59", 180, "2026-03-11 12:00"),
        // weekends
        ("2026-03-13 17:00", 60, "2026-03-16 09:30"),
        ("2026-03-14 10:00", 30, "2026-03-16 09:30"),
        ("2026-03-13 09:00", 840, "2026-03-16 17:30"),
        // 元旦 across the year boundary: Dec 31 (Wed) then Jan 1–3 off, Sunday Jan 4 worked
        ("2025-12-31 17:00", 60, "2026-01-04 09:30"),
        ("2026-01-02 10:00", 10, "2026-01-04 09:10"),
        ("2025-12-31 09:00", 840, "2026-01-04 17:30"),
        ("2025-12-31 09:00", 841, "2026-01-05 09:01"),
        // 春节 week: Saturday Feb 14 worked, Feb 15–23 off, Saturday Feb 28 worked
        ("2026-02-13 17:00", 60, "2026-02-14 09:30"),
        ("2026-02-14 17:00", 60, "2026-02-24 09:30"),
        ("2026-02-13 09:00", 841, "2026-02-24 09:01"),
        ("2026-02-18 10:00", 1, "2026-02-24 09:01"),
        ("2026-02-28 14:00", 60, "2026-02-28 15:00"),
        ("2026-02-27 17:00", 60, "2026-02-28 09:30"),
        // a long stretch: 20 working days of minutes
        ("2026-03-10 09:00", 20 * 420, "2026-04-06 17:30"),
    ])
    func add(start: String, minutes: Int, expected: String) {
        let got = WT.cal.addWorkingMinutes(minutes, to: WT.t(start))
        #expect(got == WT.t(expected), "\(start) + \(minutes) → \(WT.cal.day(of: got)) \(got)")
        if minutes > 0 { #expect(WT.cal.workingMinutes(from: WT.t(start), to: got) == minutes) }
    }

    @Test func secondsAreKept() {
        #expect(WT.cal.addWorkingMinutes(1, to: WT.d("2026-03-10T11:59:30+08:00")) == WT.d("2026-03-10T13:30:30+08:00"))
        #expect(WT.cal.addWorkingSeconds(90, to: WT.t("2026-03-10 10:00")) == WT.d("2026-03-10T10:01:30+08:00"))
    }
}

@Suite struct WorkingMinutesTests {
    @Test(arguments: [
        ("2026-03-10 09:00", "2026-03-10 17:30", 420),
        ("2026-03-10 11:00", "2026-03-10 14:00", 90),
        ("2026-03-10 12:00", "2026-03-10 13:30", 0),
        ("2026-03-10 17:00", "2026-03-11 10:00", 90),
        ("2026-03-13 17:00", "2026-03-16 09:30", 60),
        ("2026-03-14 00:00", "2026-03-16 00:00", 0),
        ("2025-12-31 00:00", "2026-01-05 00:00", 840),
        ("2026-02-14 00:00", "2026-02-25 00:00", 840),
        ("2026-03-10 10:00", "2026-03-10 10:00", 0),
        ("2026-03-10 11:00", "2026-03-10 10:00", 0),
        ("2026-03-10 06:00", "2026-03-10 08:00", 0),
        ("2026-03-09 00:00", "2026-03-14 00:00", 5 * 420),
    ])
    func elapsed(from: String, to: String, expected: Int) {
        #expect(WT.cal.workingMinutes(from: WT.t(from), to: WT.t(to)) == expected)
    }

    @Test func partialMinutesRoundDown() {
        #expect(WT.cal.workingMinutes(from: WT.t("2026-03-10 10:00"), to: WT.d("2026-03-10T10:00:59+08:00")) == 0)
        #expect(WT.cal.workingMinutes(from: WT.t("2026-03-10 10:00"), to: WT.d("2026-03-10T10:02:01+08:00")) == 2)
    }
}

@Suite struct AddWorkingDaysTests {
    @Test(arguments: [
        ("2026-03-10 10:00", 3, "2026-03-13 10:00"),
        ("2026-03-12 10:00", 3, "2026-03-17 10:00"),      // over a weekend
        ("2026-03-10 10:00", 0, "2026-03-10 10:00"),
        ("2026-03-10 20:00", 0, "2026-03-11 09:00"),      // moved to the next working instant
        ("2026-03-10 09:00", 1, "2026-03-11 09:00"),
        ("2026-03-10 12:00", 1, "2026-03-11 12:00"),      // end of the morning keeps its clock time
        ("2026-03-10 12:30", 1, "2026-03-11 13:30"),      // lunch moves to 13:30
        ("2026-03-10 13:30", 1, "2026-03-11 13:30"),
        ("2026-03-10 17:30", 1, "2026-03-11 17:30"),      // end of the day keeps its clock time
        ("2026-03-10 17:31", 1, "2026-03-12 09:00"),      // after work → Wed 09:00, then one more day
        ("2026-03-10 20:00", 1, "2026-03-12 09:00"),
        ("2026-03-10 08:00", 1, "2026-03-11 09:00"),
        ("2026-03-14 10:00", 1, "2026-03-17 09:00"),      // Saturday → Monday 09:00, then Tuesday
        ("2026-03-10 10:00", 20, "2026-04-07 10:00"),
        ("2025-12-31 10:00", 1, "2026-01-04 10:00"),      // over 元旦, to the 调休 Sunday
        ("2025-12-31 10:00", 2, "2026-01-05 10:00"),
        ("2026-01-01 10:00", 1, "2026-01-05 09:00"),      // on a holiday → Jan 4 09:00, then Jan 5
        ("2026-02-12 15:00", 3, "2026-02-24 15:00"),      // Fri, 调休 Sat, then after 春节
        ("2026-02-24 10:00", 3, "2026-02-27 10:00"),
        ("2026-02-26 10:00", 2, "2026-02-28 10:00"),      // to the 调休 Saturday
    ])
    func add(start: String, days: Int, expected: String) {
        #expect(WT.cal.addWorkingDays(days, to: WT.t(start)) == WT.t(expected))
    }
}

@Suite struct DeadlineTests {
    @Test(arguments: [
        (DeadlineRule.onTheSpot, "2026-03-13 17:00", "2026-03-14 17:00"),     // 24 natural hours, weekend or not
        (DeadlineRule.onTheSpot, "2026-02-14 20:00", "2026-02-15 20:00"),
        (DeadlineRule.ordinary, "2026-03-10 10:00", "2026-03-13 10:00"),
        (DeadlineRule.ordinary, "2026-02-13 10:00", "2026-02-25 10:00"),
        (DeadlineRule.complex, "2026-03-10 10:00", "2026-04-07 10:00"),
        (DeadlineRule.workingMinutes(30), "2026-03-10 17:15", "2026-03-11 09:15"),
        (DeadlineRule.workingMinutes(30), "2026-03-10 10:00", "2026-03-10 10:30"),
        (DeadlineRule.naturalHours(0), "2026-03-10 10:00", "2026-03-10 10:00"),
    ])
    func plain(rule: DeadlineRule, start: String, expected: String) {
        #expect(rule.deadline(from: WT.t(start), in: WT.cal) == WT.t(expected))
        #expect(Deadline.deadline(from: WT.t(start), rule: rule, pauses: [], calendar: WT.cal) == WT.t(expected))
    }

    @Test func presetsAndLabels() {
        #expect(DeadlineRule.onTheSpot == .naturalHours(24))
        #expect(DeadlineRule.ordinary == .workingDays(3))
        #expect(DeadlineRule.complex == .workingDays(20))
        #expect(DeadlineRule.onTheSpot.label == "24 小时")
        #expect(DeadlineRule.ordinary.label == "3 个工作日")
        #expect(DeadlineRule.workingMinutes(30).label == "30 分钟（工作时间）")
        #expect(DeadlineRule.onTheSpot.isNatural && !DeadlineRule.ordinary.isNatural)
    }

    static func p(_ s: String, _ e: String?) -> Pause { Pause(start: WT.t(s), end: e.map(WT.t)) }

    /// Ordinary rule dispatched Tue 2026-03-10 10:00: due Fri 03-13 10:00 without pauses.
    @Test(arguments: [
        ([DeadlineTests.p("2026-03-11 10:00", "2026-03-12 10:00")], "2026-03-16 10:00"),                          // 420 working min
        ([DeadlineTests.p("2026-03-14 08:00", "2026-03-15 20:00")], "2026-03-13 10:00"),                          // after the deadline
        ([DeadlineTests.p("2026-03-11 18:00", "2026-03-12 08:00")], "2026-03-13 10:00"),                          // overnight: no working time
        ([DeadlineTests.p("2026-03-09 09:00", "2026-03-10 11:00")], "2026-03-13 11:00"),                          // only the part after start
        ([DeadlineTests.p("2026-03-13 10:00", "2026-03-13 15:00")], "2026-03-13 10:00"),                          // begins exactly at the deadline
        ([DeadlineTests.p("2026-03-13 09:00", "2026-03-13 15:00")], "2026-03-13 16:00"),                          // spans the deadline: 60 min left at 09:00
        ([DeadlineTests.p("2026-03-11 10:00", "2026-03-11 11:00"), DeadlineTests.p("2026-03-11 10:30", "2026-03-11 11:30")], "2026-03-13 11:30"), // overlap
        ([DeadlineTests.p("2026-03-12 14:00", "2026-03-12 15:00"), DeadlineTests.p("2026-03-11 10:00", "2026-03-11 11:00")], "2026-03-13 12:00"), // any order
        ([DeadlineTests.p("2026-03-11 09:00", "2026-03-11 17:30"), DeadlineTests.p("2026-03-13 14:00", "2026-03-13 15:00")], "2026-03-16 11:00"), // chained
        ([DeadlineTests.p("2026-03-11 11:00", "2026-03-11 10:00")], "2026-03-13 10:00"),                          // empty pause ignored
    ])
    func pausesExtendWorkingDeadlines(pauses: [Pause], expected: String) {
        #expect(Deadline.deadline(from: WT.t("2026-03-10 10:00"), rule: .ordinary, pauses: pauses, calendar: WT.cal) == WT.t(expected))
    }

    @Test func pausesExtendNaturalDeadlinesByNaturalTime() {
        let start = WT.t("2026-03-13 17:00")
        let got = Deadline.deadline(from: start, rule: .onTheSpot, pauses: [Self.p("2026-03-13 20:00", "2026-03-14 08:00")], calendar: WT.cal)
        #expect(got == WT.t("2026-03-15 05:00"))
        let after = Deadline.deadline(from: start, rule: .onTheSpot, pauses: [Self.p("2026-03-14 18:00", "2026-03-14 20:00")], calendar: WT.cal)
        #expect(after == WT.t("2026-03-14 17:00"))
    }

    @Test func workingMinutePauses() {
        // 30 working minutes from Tue 10:00, paused 10:10–10:20 → 10:40
        let got = Deadline.deadline(from: WT.t("2026-03-10 10:00"), rule: .workingMinutes(30),
                                    pauses: [Self.p("2026-03-10 10:10", "2026-03-10 10:20")], calendar: WT.cal)
        #expect(got == WT.t("2026-03-10 10:40"))
    }

    @Test func openPauses() {
        let start = WT.t("2026-03-10 10:00")
        // Still paused (缓办) before the deadline: no deadline yet.
        #expect(Deadline.deadline(from: start, rule: .ordinary, pauses: [Self.p("2026-03-11 10:00", nil)], calendar: WT.cal) == nil)
        #expect(Deadline.deadline(from: start, rule: .onTheSpot, pauses: [Self.p("2026-03-10 12:00", nil)], calendar: WT.cal) == nil)
        // A closed pause inside the open one changes nothing.
        #expect(Deadline.deadline(from: start, rule: .ordinary,
                                  pauses: [Self.p("2026-03-11 10:00", nil), Self.p("2026-03-12 10:00", "2026-03-12 11:00")],
                                  calendar: WT.cal) == nil)
        // An open pause that began only after the deadline: the case was already due.
        #expect(Deadline.deadline(from: start, rule: .ordinary, pauses: [Self.p("2026-03-16 10:00", nil)], calendar: WT.cal)
                == WT.t("2026-03-13 10:00"))
        // An open pause reached only thanks to an earlier extension still stops the clock.
        #expect(Deadline.deadline(from: start, rule: .ordinary,
                                  pauses: [Self.p("2026-03-11 09:00", "2026-03-11 17:30"), Self.p("2026-03-13 14:00", nil)],
                                  calendar: WT.cal) == nil)
    }

    @Test(arguments: [
        ("2026-03-13 10:00", "2026-03-13 09:00", 0),
        ("2026-03-13 10:00", "2026-03-13 10:00", 0),
        ("2026-03-13 10:00", "2026-03-13 11:30", 90),
        ("2026-03-13 10:00", "2026-03-14 10:00", 1440),
    ])
    func overdue(deadline: String, now: String, expected: Int) {
        #expect(Deadline.overdueMinutes(deadline: WT.t(deadline), now: WT.t(now)) == expected)
    }

    @Test func overdueDetails() {
        #expect(Deadline.overdueMinutes(deadline: WT.t("2026-03-13 10:00"), now: WT.d("2026-03-13T10:00:59+08:00")) == 0)
        #expect(Deadline.overdueWorkingMinutes(deadline: WT.t("2026-03-13 17:00"), now: WT.t("2026-03-16 10:00"), calendar: WT.cal) == 90)
        #expect(Deadline.overdueWorkingMinutes(deadline: WT.t("2026-03-13 17:00"), now: WT.t("2026-03-13 16:00"), calendar: WT.cal) == 0)
    }
}

@Suite struct HolidayImportTests {
    @Test func parsesASheet() {
        let t = WT.table([["日期", "类型", "名称"],
                          ["2026-01-01", "放假", "元旦"],
                          ["2026-01-02", "放假", "元旦"],
                          ["2026-01-04", "调休上班", "元旦"],
                          [" 2026-02-14 ", "班", ""],
                          ["2026-02-16", "休", "春节"]])
        let (s, issues) = WorkCalendar.parseHolidays(t)
        #expect(issues.isEmpty)
        #expect(s.holidays == ["2026-01-01", "2026-01-02", "2026-02-16"])
        #expect(s.workdays == ["2026-01-04", "2026-02-14"])
        #expect(s.names == ["2026-01-01": "元旦", "2026-01-02": "元旦", "2026-01-04": "元旦", "2026-02-16": "春节"])
        let c = WorkCalendar().adding(s)
        #expect(!c.isWorkingDay("2026-01-02"))
        #expect(c.isWorkingDay("2026-01-04"))
        #expect(c.isWorkingDay("2026-02-14"))
    }

    @Test func acceptsKeysAsHeadersAndNoNameColumn() {
        let (s, issues) = WorkCalendar.parseHolidays(WT.table([["date", "type"], ["2026-10-01", "holiday"], ["2026-09-26", "workday"]]))
        #expect(issues.isEmpty)
        #expect(s.holidays == ["2026-10-01"] && s.workdays == ["2026-09-26"])
    }

    @Test func reportsRowAndColumn() {
        let t = WT.table([["日期", "类型", "名称"],
                          ["2026-02-30", "放假", "x"],          // row 2: bad date
                          ["2026-10-01", "补休", "国庆"],       // row 3: unknown type
                          ["2026-10-02", "放假", "国庆"],       // row 4
                          ["2026-10-02", "放假", "国庆"],       // row 5: duplicate of row 4
                          ["2026-10-02", "调休上班", ""],       // row 6: both holiday and workday
                          ["20261003", "上课", ""],            // row 7: both cells bad
                          ["2026-10-04", "放假", String(repeating: "节", count: 101)]]) // row 8: name too long
        let (s, issues) = WorkCalendar.parseHolidays(t)
        #expect(s == HolidaySchedule())
        #expect(issues == [
            ImportIssue(row: 2, column: "日期", message: Msg.badDate("2026-02-30")),
            ImportIssue(row: 3, column: "类型", message: Msg.unknownHolidayType("补休")),
            ImportIssue(row: 5, column: "日期", message: Msg.duplicateHolidayDate("2026-10-02", firstRow: 4)),
            ImportIssue(row: 6, column: "日期", message: Msg.holidayAndWorkday("2026-10-02", firstRow: 4)),
            ImportIssue(row: 7, column: "日期", message: Msg.badDate("20261003")),
            ImportIssue(row: 7, column: "类型", message: Msg.unknownHolidayType("上课")),
            ImportIssue(row: 8, column: "名称", message: Msg.nameTooLong),
        ])
        #expect(issues[3].description == "第 6 行“日期”列：日期“2026-10-02”不能既放假又调休上班（第 4 行已填写为另一类型）")
    }

    @Test func sheetLevelProblems() {
        #expect(WorkCalendar.parseHolidays(WT.table([["日期", "名称"], ["2026-10-01", "国庆"]])).issues
                == [ImportIssue(row: 0, column: "类型", message: Msg.missingColumn("类型"))])
        #expect(WorkCalendar.parseHolidays(WT.table([["日期", "类型", "备注"], ["2026-10-01", "放假", ""]])).issues
                == [ImportIssue(row: 1, column: "备注", message: Msg.unknownColumn("备注"))])
        #expect(WorkCalendar.parseHolidays(WT.table([["日期", "类型"]])).issues == [ImportIssue(row: 0, column: "", message: Msg.noDataRows)])
        #expect(WorkCalendar.parseHolidays(WT.table([])).issues == [ImportIssue(row: 0, column: "", message: Msg.emptyFile)])
        let many = [["日期", "类型"], ["2026-10-01", "放假"], ["2026-10-02", "放假"]]
        #expect(WorkCalendar.parseHolidays(WT.table(many), maxRows: 1).issues == [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(1))])
    }

    @Test func kinds() {
        #expect(HolidayKind.holiday.label == "放假" && HolidayKind.workday.label == "调休上班")
        #expect(HolidayKind(label: "调休上班") == .workday && HolidayKind(label: " 放假 ") == .holiday && HolidayKind(label: "调休") == nil)
    }
}
