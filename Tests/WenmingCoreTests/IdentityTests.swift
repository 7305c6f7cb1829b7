import Foundation
import Testing
@testable import WenmingCore

// MARK: - Passwords and usernames

@Suite struct PasswordPolicyTests {
    static let a71 = String(repeating: "a", count: 71)

    @Test(arguments: [
        ("abc12", 8, Msg.passwordTooShort(8) as String?),
        ("", 8, Msg.passwordTooShort(8)),
        ("abc", 8, Msg.passwordTooShort(8)),          // too short wins over letter+digit
        ("abcdef12", 8, nil),
        ("abcdefg1", 8, nil),
        ("1234567a", 8, nil),
        ("abcdefg1", 9, Msg.passwordTooShort(9)),     // the minimum comes from the argument
        ("abc1", 4, nil),
        ("abcd1234", 10, Msg.passwordTooShort(10)),
        ("abcdefghij12", 12, nil),
        ("abcdefghij1", 12, Msg.passwordTooShort(12)),
        ("abcdefgh", 8, Msg.passwordNeedsLetterAndDigit),
        ("12345678", 8, Msg.passwordNeedsLetterAndDigit),
        ("!@#$%^&*", 8, Msg.passwordNeedsLetterAndDigit),
        ("        ", 8, Msg.passwordNeedsLetterAndDigit),
        ("1234-5678!", 8, Msg.passwordNeedsLetterAndDigit),
        ("pass word 1", 8, nil),
        ("Passw0rd2026", 8, nil),
    ] as [(String, Int, String?)])
    func basicRules(password: String, minLength: Int, expected: String?) {
        #expect(PasswordPolicy.problem(password, minLength: minLength) == expected)
    }

    @Test(arguments: [
        (a71 + "1", nil as String?),                                     // 72 bytes: the bcrypt limit, allowed
        (a71 + "12", Msg.passwordTooLong),                               // 73 bytes
        (String(repeating: "a1", count: 50), Msg.passwordTooLong),
        (String(repeating: "密", count: 23) + "1", nil),                 // 70 bytes
        (String(repeating: "密", count: 24) + "1", Msg.passwordTooLong), // 25 characters but 73 bytes
        (String(repeating: "密", count: 24), Msg.passwordNeedsLetterAndDigit), // exactly 72 bytes, no digit
        (String(repeating: "a", count: 70) + "é1", Msg.passwordTooLong), // é is 2 bytes: 73
        (String(repeating: "a", count: 69) + "é1", nil),                 // 72
        (String(repeating: "😀", count: 18) + "a1", Msg.passwordTooLong), // 74 bytes, 20 characters
        (String(repeating: "😀", count: 6) + "a1", nil),
    ] as [(String, String?)])
    func byteLimit(password: String, expected: String?) {
        #expect(PasswordPolicy.problem(password, minLength: 8) == expected)
    }

    /// Chinese characters are letters (CharacterSet.letters covers category Lo), so a Chinese password with a
    /// digit passes; length is counted in characters, not bytes.
    @Test(arguments: [
        ("密码密码密码12", nil as String?),
        ("文明城市创建2026", nil),
        ("密码密码密码密码", Msg.passwordNeedsLetterAndDigit),
        ("密码1", Msg.passwordTooShort(8)),  // 7 bytes… and only 3 characters
        ("密码密码密1", Msg.passwordTooShort(8)),  // 16 bytes but 6 characters
    ] as [(String, String?)])
    func chineseCharactersCountAsLetters(password: String, expected: String?) {
        #expect(PasswordPolicy.problem(password, minLength: 8) == expected)
    }

    @Test(arguments: [
        ("abc", true), ("ab", false), ("", false), ("a", false),
        (String(repeating: "u", count: 32), true), (String(repeating: "u", count: 33), false),
        ("zhang.san", true), ("Zhang_San-01", true), ("user.name_1-2", true), ("123", true), ("...", true),
        ("张三", false), ("张三abc", false), ("a b c", false), (" abc", false), ("abc\n", false),
        ("a@b.cn", false), ("a+b", false), ("ｕｓｅｒ", false), ("josé", false), ("a/b", false),
    ] as [(String, Bool)])
    func usernames(name: String, ok: Bool) {
        #expect(PasswordPolicy.usernameProblem(name) == (ok ? nil : Msg.usernameInvalid))
    }
}

// MARK: - Login throttle

@Suite struct LoginThrottleTests {
    static let t0 = Date(timeIntervalSinceReferenceDate: 800_000_000)
    static func at(_ s: TimeInterval) -> Date { t0.addingTimeInterval(s) }

    /// Default throttle: 5 failures, 15-minute window, 15-minute lockout.
    @Test(arguments: [
        ([], 0, nil),
        ([0, 10, 20, 30], 40, nil),                          // 4 failures: not locked
        ([0, 10, 20, 30, 40], 50, 940),                      // 5 within the window: last + lockout
        ([0, 10, 20, 30, 40], 40, 940),                      // at the moment of the fifth failure
        ([40, 0, 30, 10, 20], 50, 940),                      // order of the input does not matter
        ([0, 10, 20, 30, 40, 50], 60, 950),                  // runs from the latest failure
        ([0, 240, 480, 720, 960], 970, nil),                 // spread over more than the window
        ([0, 1, 2, 3, 900], 901, nil),                       // span exactly the window: not inside it
        ([0, 1, 2, 3, 899], 900, 1799),                      // span one second under the window
        ([0, 1, 2, 3, 899], 1798, 1799),                     // just before the lock ends (first failure still counted)
        ([0, 10, 20, 30, 40], 939, 940),                     // one second before expiry
        ([0, 10, 20, 30, 40], 940, nil),                     // exactly at expiry: unlocked
        ([0, 10, 20, 30, 40], 941, nil),                     // expired
        ([0, 10, 20, 30, 40], 5000, nil),
        ([0, 500, 600, 700, 800, 1300], 1310, 2200),         // the later five also fall in one window
        ([0, 500, 600, 700, 800, 1300], 1699, 2200),
        ([0, 10, 20, 30, 40, 2000, 2010, 2020, 2030, 2040], 2050, 2940), // a second burst
        ([0, 10, 20, 30, 40, 2000, 2010, 2020, 2030], 2050, nil),        // old burst expired, new one has 4
        ([0, 1000, 1010, 1020, 1030], 1040, nil),           // an old failure does not complete a new burst
    ] as [([TimeInterval], TimeInterval, TimeInterval?)])
    func defaultThrottle(failures: [TimeInterval], now: TimeInterval, until: TimeInterval?) {
        let t = LoginThrottle()
        #expect(t.lockedUntil(failures: failures.map(Self.at), now: Self.at(now)) == until.map(Self.at))
    }

    @Test(arguments: [
        ([0, 30, 59], 60, 359),
        ([0, 30, 60], 61, nil),
        ([0, 30], 31, nil),
        ([0, 30, 59], 359, nil),
        ([0, 30, 59], 358, 359),
    ] as [([TimeInterval], TimeInterval, TimeInterval?)])
    func customThrottle(failures: [TimeInterval], now: TimeInterval, until: TimeInterval?) {
        let t = LoginThrottle(maxFailures: 3, window: 60, lockout: 300)
        #expect(t.lockedUntil(failures: failures.map(Self.at), now: Self.at(now)) == until.map(Self.at))
    }

    @Test func defaults() {
        let t = LoginThrottle()
        #expect(t.maxFailures == 5 && t.window == 900 && t.lockout == 900)
    }
}

// MARK: - Roles

@Suite struct RoleTests {
    @Test func officeAdminHasEveryPermission() {
        #expect(Role.officeAdmin.permissions == Set(Permission.allCases))
        for p in Permission.allCases { #expect(Role.officeAdmin.can(p), "\(p)") }
    }

    @Test(arguments: [Role.citizen, .volunteer])
    func publicRolesMayOnlyReportCases(role: Role) {
        #expect(role.permissions == [.reportCases])
        for p in Permission.allCases where p != .reportCases { #expect(!role.can(p), "\(role) \(p)") }
    }

    @Test func leaderIsReadOnly() {
        let leader = Role.leader
        for p: Permission in [.manageOrgs, .manageUsers, .manageGroups, .manageAdoptions, .importOrgs, .editUnitProfile, .viewAudit] {
            #expect(!leader.can(p), "leader \(p)")
        }
        for p: Permission in [.viewOrgs, .viewUsers, .viewGroups, .exportOrgs] { #expect(leader.can(p), "leader \(p)") }
        #expect(leader.permissions.allSatisfy { $0.rawValue.hasPrefix("view") || $0.rawValue.hasPrefix("export") })
        #expect(leader.can(.viewCases) && !leader.can(.reportCases) && !leader.can(.manageCases))
    }

    @Test(arguments: [
        (Role.officeAdmin, Set(Permission.allCases)),
        (.leader, [.viewOrgs, .viewUsers, .exportOrgs, .viewGroups, .viewIndex, .viewTasks, .viewCases, .viewPoints, .viewScores]),
        (.liaison, [.viewOrgs, .viewUsers, .editUnitProfile, .viewGroups, .viewIndex, .viewTasks, .workTasks, .reportCases, .viewCases, .handleCases, .viewPoints, .viewScores]),
        (.unitHead, [.viewOrgs, .viewUsers, .editUnitProfile, .viewGroups, .viewIndex, .viewTasks, .workTasks, .reportCases, .viewCases, .handleCases, .viewPoints, .viewScores]),
        (.inspector, [.viewOrgs, .viewGroups, .viewIndex, .viewTasks, .recordIncidents, .reportCases, .viewCases, .verifyCases, .viewPoints, .inspect, .viewScores]),
        (.supervisor, [.viewOrgs, .viewGroups, .viewIndex, .reportCases, .viewPoints, .inspect]),
        (.gridWorker, [.viewOrgs, .viewIndex, .reportCases, .viewCases, .viewPoints]),
        (.volunteer, [.reportCases]),
        (.citizen, [.reportCases]),
    ] as [(Role, Set<Permission>)])
    func permissionTable(role: Role, expected: Set<Permission>) {
        #expect(role.permissions == expected)
        for p in Permission.allCases { #expect(role.can(p) == expected.contains(p), "\(role) \(p)") }
    }

    @Test func onlyTheOfficeAdminManagesImportsOrAudits() {
        let powerful: [Permission] = [.manageOrgs, .manageUsers, .manageGroups, .manageAdoptions, .importOrgs, .viewAudit,
                                      .manageIndex, .assignTasks, .manageCases, .managePoints, .runDraws, .manageRounds]
        for r in Role.allCases where r != .officeAdmin {
            for p in powerful { #expect(!r.can(p), "\(r) \(p)") }
        }
    }

    @Test func gridWorkerKinds() {
        #expect(Role.gridWorker.allowedOrgKinds == [.grid, .community, .village])
    }

    @Test func officeAdminKinds() {
        #expect(Role.officeAdmin.allowedOrgKinds == [.city, .district, .county, .office])
    }

    @Test(arguments: Role.allCases)
    func allowedKindsAreSensible(role: Role) {
        let kinds = role.allowedOrgKinds
        #expect(!kinds.isEmpty)
        if role != .gridWorker && role != .volunteer && role != .citizen {
            #expect(!kinds.contains(.grid), "\(role) at grid")
        }
        if role != .leader && role != .officeAdmin { #expect(!kinds.contains(.leadingGroup), "\(role) at leading group") }
        if role == .leader { #expect(kinds.allSatisfy { !$0.isUnit }, "leader at a unit") }
        if role == .liaison || role == .unitHead {
            #expect(kinds.isSuperset(of: [.department, .agency, .school, .hospital, .company, .window]))
            #expect(kinds.allSatisfy { $0.family != .body })
        }
    }

    @Test(arguments: Role.allCases)
    func assignableRoles(role: Role) {
        #expect(role.assignableRoles == (role == .officeAdmin ? Role.allCases : []))
    }

    @Test(arguments: Role.allCases)
    func initFromCodeOrLabel(role: Role) {
        #expect(Role(codeOrLabel: role.rawValue) == role)
        #expect(Role(codeOrLabel: " \(role.label) ") == role)
    }

    @Test(arguments: ["", "admin", "officeAdmin", "Leader", "管理员", "grid worker"])
    func initRejectsJunk(text: String) {
        #expect(Role(codeOrLabel: text) == nil)
    }

    @Test func rawValuesAndLabelsAreUnique() {
        #expect(Set(Role.allCases.map(\.label)).count == Role.allCases.count)
        #expect(Role.officeAdmin.rawValue == "office_admin")
        #expect(Role.gridWorker.rawValue == "grid_worker")
        #expect(Role.unitHead.rawValue == "unit_head")
    }
}

// MARK: - Settings

@Suite struct SettingsTests {
    static let defaults: [String: Int] = [
        "loginMaxFailures": 5, "loginWindowMinutes": 15, "loginLockoutMinutes": 15, "sessionHours": 12,
        "passwordMinLength": 8, "uploadMaxMB": 10, "importMaxRows": 20_000, "pageSize": 50,
        "apiRequestsPerMinute": 600, "progressReportMonthly": 0, "claimGraceDays": 3,
        "urgentDispatchMinutes": 30, "escalationWhiteDays": 0, "escalationYellowDays": 1, "escalationRedDays": 3,
        "summonsRedCount": 3, "escalationSweepMinutes": 5, "casePhotosMax": 6, "scoreSweepMinutes": 10, "dueSoonHours": 72, "dashboardCacheSeconds": 30,
    ]
    static let keys = Settings.fields.map(\.key)

    /// Reads each field through its stored property, not through the subscript under test.
    static func property(_ s: Settings, _ key: String) -> Int? {
        switch key {
        case "loginMaxFailures": s.loginMaxFailures
        case "loginWindowMinutes": s.loginWindowMinutes
        case "loginLockoutMinutes": s.loginLockoutMinutes
        case "sessionHours": s.sessionHours
        case "passwordMinLength": s.passwordMinLength
        case "uploadMaxMB": s.uploadMaxMB
        case "importMaxRows": s.importMaxRows
        case "pageSize": s.pageSize
        case "apiRequestsPerMinute": s.apiRequestsPerMinute
        case "progressReportMonthly": s.progressReportMonthly
        case "claimGraceDays": s.claimGraceDays
        case "urgentDispatchMinutes": s.urgentDispatchMinutes
        case "escalationWhiteDays": s.escalationWhiteDays
        case "escalationYellowDays": s.escalationYellowDays
        case "escalationRedDays": s.escalationRedDays
        case "summonsRedCount": s.summonsRedCount
        case "escalationSweepMinutes": s.escalationSweepMinutes
        case "casePhotosMax": s.casePhotosMax
        case "scoreSweepMinutes": s.scoreSweepMinutes
        case "dueSoonHours": s.dueSoonHours
        case "dashboardCacheSeconds": s.dashboardCacheSeconds
        default: nil
        }
    }

    @Test func fieldsAreTheDocumentedSettings() {
        #expect(Set(Self.keys) == Set(Self.defaults.keys))
        #expect(Self.keys.count == Self.defaults.count)
        #expect(Settings.fields.allSatisfy { !$0.label.isEmpty })
    }

    @Test(arguments: keys)
    func defaultValue(key: String) {
        let s = Settings()
        #expect(s[key] == Self.defaults[key])
        #expect(Self.property(s, key) == Self.defaults[key])
        let f = Settings.fields.first { $0.key == key }!
        #expect(f.range.contains(Self.defaults[key]!), "default of \(key) outside \(f.range)")
    }

    @Test(arguments: keys)
    func subscriptSetsTheMatchingProperty(key: String) {
        var s = Settings()
        let f = Settings.fields.first { $0.key == key }!
        let v = f.range.lowerBound + 1
        s[key] = v
        #expect(s[key] == v)
        #expect(Self.property(s, key) == v)
        // Every other field is untouched.
        for other in Self.keys where other != key { #expect(s[other] == Self.defaults[other], "\(other) changed by \(key)") }
    }

    @Test func subscriptUnknownKeyAndNil() {
        var s = Settings()
        #expect(s["nope"] == nil)
        #expect(s["PageSize"] == nil)
        s["nope"] = 3
        #expect(s == Settings())
        s["pageSize"] = nil
        #expect(s.pageSize == 50)
    }

    @Test func applyValidValues() {
        var s = Settings()
        let problems = s.apply(["pageSize": "100", "sessionHours": " 24 ", "importMaxRows": "200000"])
        #expect(problems.isEmpty)
        #expect(s.pageSize == 100 && s.sessionHours == 24 && s.importMaxRows == 200_000)
    }

    @Test(arguments: keys)
    func applyBoundsAreInclusive(key: String) {
        let f = Settings.fields.first { $0.key == key }!
        let thresholds = ["escalationWhiteDays", "escalationYellowDays", "escalationRedDays"]
        for v in [f.range.lowerBound, f.range.upperBound] {
            var s = Settings()
            // The three escalation thresholds must stay ordered, so they move together here.
            let values = thresholds.contains(key) ? Dictionary(uniqueKeysWithValues: thresholds.map { ($0, String(v)) }) : [key: String(v)]
            #expect(s.apply(values).isEmpty, "\(key)=\(v)")
            #expect(s[key] == v)
        }
    }

    @Test func escalationThresholdsMustBeOrdered() {
        var s = Settings()
        let p = s.apply(["escalationWhiteDays": "2"])
        #expect(p["escalationYellowDays"] == "督办单阈值须满足：白色 ≤ 黄色 ≤ 红色")
        #expect(s.escalationWhiteDays == 0 && s.escalationYellowDays == 1 && s.escalationRedDays == 3)
        #expect(s.apply(["escalationWhiteDays": "2", "escalationYellowDays": "4", "escalationRedDays": "4"]).isEmpty)
        #expect(s.escalationPolicy(minutesPerDay: 420) == EscalationPolicy(white: 840, yellow: 1680, red: 1680, redsForSummons: 3))
    }

    @Test(arguments: keys)
    func applyOutOfRangeLeavesValue(key: String) {
        let f = Settings.fields.first { $0.key == key }!
        let expectedMessage = "“\(f.label)”须为 \(f.range.lowerBound)–\(f.range.upperBound) 之间的整数"
        for v in [f.range.lowerBound - 1, f.range.upperBound + 1, -1, 0] where !f.range.contains(v) {
            var s = Settings()
            let problems = s.apply([key: String(v)])
            #expect(problems == [key: expectedMessage], "\(key)=\(v)")
            #expect(s == Settings(), "\(key)=\(v) changed the settings")
        }
    }

    @Test(arguments: ["abc", "", " ", "1.5", "10MB", "二十", "0x10", "1e3", "99999999999999999999999"])
    func applyNonNumericLeavesValue(raw: String) {
        var s = Settings()
        let problems = s.apply(["pageSize": raw])
        #expect(problems.keys.sorted() == ["pageSize"])
        #expect(problems["pageSize"]?.contains("列表每页条数") == true)
        #expect(s.pageSize == 50)
    }

    @Test func applyUnknownKey() {
        var s = Settings()
        let problems = s.apply(["fooBar": "10", "page_size": "20"])
        #expect(problems == ["fooBar": Msg.invalidField("fooBar"), "page_size": Msg.invalidField("page_size")])
        #expect(s == Settings())
    }

    @Test func applyMixedAppliesOnlyTheGoodOnes() {
        var s = Settings()
        let problems = s.apply(["pageSize": "20", "sessionHours": "0", "loginMaxFailures": "x", "what": "1", "uploadMaxMB": "200"])
        #expect(Set(problems.keys) == ["sessionHours", "loginMaxFailures", "what"])
        #expect(s.pageSize == 20 && s.uploadMaxMB == 200)
        #expect(s.sessionHours == 12 && s.loginMaxFailures == 5)
    }

    @Test func loginThrottleDefaults() {
        #expect(Settings().loginThrottle == LoginThrottle(maxFailures: 5, window: 900, lockout: 900))
    }

    @Test(arguments: [(7, 30, 60), (3, 1, 1), (20, 1440, 1440)] as [(Int, Int, Int)])
    func loginThrottleDerived(maxFailures: Int, windowMinutes: Int, lockoutMinutes: Int) {
        var s = Settings()
        #expect(s.apply(["loginMaxFailures": "\(maxFailures)", "loginWindowMinutes": "\(windowMinutes)",
                         "loginLockoutMinutes": "\(lockoutMinutes)"]).isEmpty)
        let t = s.loginThrottle
        #expect(t.maxFailures == maxFailures)
        #expect(t.window == TimeInterval(windowMinutes * 60))
        #expect(t.lockout == TimeInterval(lockoutMinutes * 60))
    }
}
