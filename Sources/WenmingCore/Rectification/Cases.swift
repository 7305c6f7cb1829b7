import Foundation

// MARK: - What a case is

/// Where a problem came from.
public enum CaseSource: String, CaseIterable, Sendable, Codable {
    case inspection, undercover, mockEvaluation = "mock_evaluation", gridPatrol = "grid_patrol"
    case citizenPhoto = "citizen_photo", hotline, media, higherUp = "higher_up"

    public var label: String {
        switch self {
        case .inspection: "督查"
        case .undercover: "暗访"
        case .mockEvaluation: "模拟测评"
        case .gridPatrol: "网格巡查"
        case .citizenPhoto: "市民随手拍"
        case .hotline: "热线"
        case .media: "媒体曝光"
        case .higherUp: "上级交办"
        }
    }

    /// The source a reporter's role files under when the form does not say (a grid worker patrols, a citizen snaps).
    public static func `default`(for role: Role) -> CaseSource {
        switch role {
        case .gridWorker: .gridPatrol
        case .citizen, .volunteer: .citizenPhoto
        case .supervisor: .undercover
        case .inspector: .inspection
        default: .inspection
        }
    }

    /// Sources a role may name: citizens and volunteers only report what they saw themselves.
    public static func allowed(for role: Role) -> [CaseSource] {
        switch role {
        case .citizen, .volunteer: [.citizenPhoto]
        case .gridWorker: [.gridPatrol, .citizenPhoto]
        case .supervisor: [.undercover, .citizenPhoto]
        default: CaseSource.allCases
        }
    }
}

public enum CaseUrgency: String, CaseIterable, Sendable, Codable {
    case normal, urgent
    public var label: String { self == .urgent ? "紧急" : "一般" }
}

extension DeadlineRule {
    /// The rule as stored and typed: `h24` (natural hours), `d3` (working days), `m30` (working minutes).
    public var code: String {
        switch self {
        case .naturalHours(let h): "h\(h)"
        case .workingDays(let d): "d\(d)"
        case .workingMinutes(let m): "m\(m)"
        }
    }

    /// Parses `h24`, `d3`, `m90`; bounded so that no rule runs past a year (h ≤ 8760, d ≤ 250, m ≤ 60000).
    public init?(code raw: String) {
        let s = raw.trimmed().lowercased()
        guard let first = s.first, let n = Int(s.dropFirst()), n > 0 else { return nil }
        switch first {
        case "h" where n <= 8760: self = .naturalHours(n)
        case "d" where n <= 250: self = .workingDays(n)
        case "m" where n <= 60_000: self = .workingMinutes(n)
        default: return nil
        }
    }
}

/// One entry of the problem taxonomy (问题类型): its default department (by org code, empty when the
/// territory handles it) and its deadlines for ordinary and urgent cases.
public struct CaseTypeDef: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var departmentCode: String
    public var rule: DeadlineRule
    public var urgentRule: DeadlineRule

    public init(code: String, name: String, departmentCode: String, rule: DeadlineRule, urgentRule: DeadlineRule) {
        self.code = code; self.name = name; self.departmentCode = departmentCode; self.rule = rule; self.urgentRule = urgentRule
    }

    public func rule(for urgency: CaseUrgency) -> DeadlineRule { urgency == .urgent ? urgentRule : rule }

    public enum CodingKeys: String, CodingKey { case code, name, departmentCode, rule, urgentRule }
    public init(from d: Decoder) throws {
        let c = try d.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        departmentCode = try c.decode(String.self, forKey: .departmentCode)
        guard let r = DeadlineRule(code: try c.decode(String.self, forKey: .rule)),
              let u = DeadlineRule(code: try c.decode(String.self, forKey: .urgentRule)) else {
            throw DecodingError.dataCorruptedError(forKey: .rule, in: c, debugDescription: "bad deadline rule")
        }
        rule = r; urgentRule = u
    }
    public func encode(to e: Encoder) throws {
        var c = e.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code); try c.encode(name, forKey: .name); try c.encode(departmentCode, forKey: .departmentCode)
        try c.encode(rule.code, forKey: .rule); try c.encode(urgentRule.code, forKey: .urgentRule)
    }
}

public enum CaseTaxonomy {
    /// The default taxonomy: the six 乱, street order, facilities, public-service ads, food hygiene and more.
    /// Department codes are the demo city's city departments (QC-D01 宣传部, QC-D02 城管局, QC-D03 市场监管局, QC-D04 交警,
    /// QC-D07 住建局); routing prefers the district department that the city one manages (条管);
    /// a city edits them on the 问题类型 page. Empty: the territory (street) handles it.
    public static let defaults: [CaseTypeDef] = [
        .init(code: "LT", name: "乱停乱放", departmentCode: "QC-D04", rule: .ordinary, urgentRule: .onTheSpot),
        .init(code: "LX", name: "乱行乱闯", departmentCode: "QC-D04", rule: .onTheSpot, urgentRule: .onTheSpot),
        .init(code: "LR", name: "乱扔乱吐", departmentCode: "", rule: .onTheSpot, urgentRule: .onTheSpot),
        .init(code: "LTH", name: "乱贴乱画", departmentCode: "QC-D02", rule: .ordinary, urgentRule: .onTheSpot),
        .init(code: "LDJ", name: "乱搭乱建", departmentCode: "QC-D02", rule: .complex, urgentRule: .workingDays(5)),
        .init(code: "LDD", name: "乱堆乱倒", departmentCode: "", rule: .ordinary, urgentRule: .onTheSpot),
        .init(code: "ZD", name: "占道经营", departmentCode: "QC-D02", rule: .ordinary, urgentRule: .onTheSpot),
        .init(code: "XGG", name: "小广告", departmentCode: "QC-D02", rule: .ordinary, urgentRule: .onTheSpot),
        .init(code: "JG", name: "井盖破损缺失", departmentCode: "QC-D07", rule: .ordinary, urgentRule: .naturalHours(4)),
        .init(code: "MD", name: "盲道占用损坏", departmentCode: "QC-D07", rule: .workingDays(5), urgentRule: .ordinary),
        .init(code: "LD", name: "路灯损坏", departmentCode: "QC-D07", rule: .ordinary, urgentRule: .onTheSpot),
        .init(code: "SS", name: "其他公共设施损坏", departmentCode: "QC-D07", rule: .workingDays(10), urgentRule: .ordinary),
        .init(code: "GY", name: "公益广告缺失破损", departmentCode: "QC-D01", rule: .workingDays(5), urgentRule: .ordinary),
        .init(code: "XC", name: "小餐饮卫生不达标", departmentCode: "QC-D03", rule: .workingDays(5), urgentRule: .ordinary),
        .init(code: "HJ", name: "环境卫生脏乱", departmentCode: "", rule: .onTheSpot, urgentRule: .onTheSpot),
        .init(code: "LH", name: "绿化损毁", departmentCode: "", rule: .workingDays(5), urgentRule: .ordinary),
        .init(code: "QT", name: "其他", departmentCode: "", rule: .ordinary, urgentRule: .onTheSpot),
    ]
}

/// Human-readable case numbers: `2026-00001234` (year, then an 8-digit sequence that restarts each year).
public enum CaseNumber {
    public static func format(year: Int, sequence: Int64) -> String {
        let s = String(sequence)
        return "\(year)-" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    /// Whether a search text has the shape of a case number ("2026-00001234"): the ledger then looks the number up
    /// exactly instead of searching descriptions and addresses.
    public static func looksLike(_ text: String) -> Bool {
        text.count == 13 && text.dropFirst(4).first == "-" && text.allSatisfy { $0.isNumber || $0 == "-" }
    }
}

// MARK: - Intake

/// What a reporter submits. Validated before anything is written.
public struct CaseDraft: Sendable, Equatable {
    public var source: CaseSource
    public var typeCode: String
    public var description: String
    public var address: String
    public var latitude: Double?
    public var longitude: Double?
    public var urgency: CaseUrgency

    public init(source: CaseSource, typeCode: String, description: String, address: String, latitude: Double?, longitude: Double?, urgency: CaseUrgency) {
        self.source = source; self.typeCode = typeCode; self.description = description; self.address = address
        self.latitude = latitude; self.longitude = longitude; self.urgency = urgency
    }

    /// Field problems, keyed by field name; empty when the draft is acceptable.
    public func problems(knownTypes: Set<String>) -> [String: String] {
        var p: [String: String] = [:]
        let d = description.trimmed()
        if d.isEmpty { p["description"] = Msg.requiredField("问题描述") } else if d.count > 2000 { p["description"] = "问题描述不能超过 2000 字" }
        if !knownTypes.contains(typeCode) { p["type"] = typeCode.isEmpty ? Msg.requiredField("问题类型") : "问题类型“\(typeCode)”不存在" }
        if address.count > 200 { p["address"] = "地址不能超过 200 字" }
        switch (latitude, longitude) {
        case (nil, nil): if address.trimmed().isEmpty { p["address"] = "请填写地址或定位" }
        case (let la?, let lo?):
            if !(la >= -90 && la <= 90) { p["latitude"] = "纬度须在 −90 到 90 之间" }
            if !(lo >= -180 && lo <= 180) { p["longitude"] = "经度须在 −180 到 180 之间" }
        default: p["latitude"] = "经纬度须同时填写"
        }
        return p
    }
}

// MARK: - Routing

/// How the responsible unit of a case was chosen.
public enum RouteVia: String, Sendable, Codable, CaseIterable {
    case point, type, territory, manual
    public var label: String {
        switch self {
        case .point: "按点位包保单位"
        case .type: "按问题类型主管部门"
        case .territory: "按属地街道"
        case .manual: "人工指定"
        }
    }
}

public enum CaseRouting {
    /// The unit a case goes to: a manual choice first, then the point's adopting unit, then the type's
    /// department, then the street (or town) that holds the territory. Nil when none is known.
    public static func route(manual: Int64? = nil, pointAdopter: Int64?, typeDepartment: Int64?, territoryStreet: Int64?) -> (unit: Int64, via: RouteVia)? {
        if let m = manual { return (m, .manual) }
        if let p = pointAdopter { return (p, .point) }
        if let t = typeDepartment { return (t, .type) }
        if let s = territoryStreet { return (s, .territory) }
        return nil
    }
}

// MARK: - Escalation

/// Supervision notice levels (督办单): white, yellow, red, by how long a case is overdue.
public enum EscalationLevel: Int, CaseIterable, Sendable, Codable, Comparable {
    case none = 0, white, yellow, red
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var label: String {
        switch self {
        case .none: "未督办"
        case .white: "白色督办单"
        case .yellow: "黄色督办单"
        case .red: "红色督办单"
        }
    }
    public var short: String {
        switch self {
        case .none: ""
        case .white: "白"
        case .yellow: "黄"
        case .red: "红"
        }
    }
}

/// Thresholds in overdue working minutes: a case overdue by at least `white` minutes gets a white notice, etc.
public struct EscalationPolicy: Sendable, Equatable {
    public var white: Int
    public var yellow: Int
    public var red: Int
    /// Consecutive red notices of one unit that lead to a summons (约谈) of its head.
    public var redsForSummons: Int

    public init(white: Int, yellow: Int, red: Int, redsForSummons: Int) {
        self.white = white; self.yellow = yellow; self.red = red; self.redsForSummons = redsForSummons
    }

    /// The level a case has earned after being overdue `overdueMinutes` working minutes (0 or less: not overdue).
    public func level(overdueMinutes: Int) -> EscalationLevel {
        guard overdueMinutes > 0 else { return .none }
        if overdueMinutes >= red { return .red }
        if overdueMinutes >= yellow { return .yellow }
        if overdueMinutes >= white { return .white }
        return .none
    }

    /// Whether the unit's notices, oldest first, since its last summons end with `redsForSummons` reds in a row.
    public func summonsDue(noticesSinceLastSummons levels: [EscalationLevel]) -> Bool {
        guard redsForSummons > 0, levels.count >= redsForSummons else { return false }
        return levels.suffix(redsForSummons).allSatisfy { $0 == .red }
    }

    /// The notices to issue when a case moves from `current` to `earned`: each level skipped is issued too,
    /// so a unit's record shows white → yellow → red even when the sweep was late.
    public static func notices(from current: EscalationLevel, to earned: EscalationLevel) -> [EscalationLevel] {
        guard earned > current else { return [] }
        return EscalationLevel.allCases.filter { $0 > current && $0 <= earned }
    }
}

/// One unit's record in a period, for the rotating black plaque (流动黑牌).
public struct UnitRecord: Sendable, Equatable {
    public var unitID: Int64
    public var reds: Int
    public var yellows: Int
    public var whites: Int
    public var overdueOpen: Int
    public init(unitID: Int64, reds: Int, yellows: Int, whites: Int, overdueOpen: Int) {
        self.unitID = unitID; self.reds = reds; self.yellows = yellows; self.whites = whites; self.overdueOpen = overdueOpen
    }
}

public enum BlackPlaque {
    /// Worst first: most red notices, then yellow, then white, then overdue open cases; ties go to the lower
    /// unit id so the order is deterministic.
    public static func isWorse(_ a: UnitRecord, than b: UnitRecord) -> Bool {
        let ka = [a.reds, a.yellows, a.whites, a.overdueOpen], kb = [b.reds, b.yellows, b.whites, b.overdueOpen]
        if ka != kb { return ka.lexicographicallyPrecedes(kb, by: >) }
        return a.unitID < b.unitID
    }

    /// The worst unit by `isWorse`. Nil when no unit has any notice or overdue case.
    public static func holder(_ records: [UnitRecord]) -> UnitRecord? {
        records.filter { $0.reds + $0.yellows + $0.whites + $0.overdueOpen > 0 }.min(by: isWorse)
    }
}

// MARK: - Metrics

/// Counts for one unit over one period: the cases dispatched to it in the period (应结案, cancelled excluded).
public struct CaseCounts: Sendable, Equatable {
    public var due: Int
    public var closed: Int
    public var closedOnTime: Int
    public var deferred: Int
    public var verified: Int
    public var reworked: Int
    public var fixSeconds: Int64

    public init(due: Int = 0, closed: Int = 0, closedOnTime: Int = 0, deferred: Int = 0, verified: Int = 0, reworked: Int = 0, fixSeconds: Int64 = 0) {
        self.due = due; self.closed = closed; self.closedOnTime = closedOnTime; self.deferred = deferred
        self.verified = verified; self.reworked = reworked; self.fixSeconds = fixSeconds
    }
}

/// A rate as parts per ten thousand, so that it prints exactly (e.g. 87.50%); nil when the denominator is 0.
public struct Rate: Sendable, Equatable, CustomStringConvertible {
    public let basisPoints: Int
    public init?(_ num: Int, _ den: Int) {
        guard den > 0 else { return nil }
        basisPoints = Int((Int64(max(0, num)) * 20_000 + Int64(den)) / (2 * Int64(den)))  // rounded half up
    }
    public var description: String { "\(basisPoints / 100).\(String(format: "%02d", basisPoints % 100))%" }
}

public struct CaseMetrics: Sendable, Equatable {
    /// 结案率 = 结案 / 应结案.
    public var closureRate: Rate?
    /// 按期结案率 = 按期结案 / (应结案 − 缓办).
    public var onTimeRate: Rate?
    /// 返工率 = cases sent back at least once / cases that reached verification.
    public var reworkRate: Rate?
    /// Mean hours from dispatch to closure over the closed cases, one decimal.
    public var meanHoursToFix: Double?

    public init(_ c: CaseCounts) {
        closureRate = Rate(c.closed, c.due)
        onTimeRate = Rate(c.closedOnTime, c.due - c.deferred)
        reworkRate = Rate(c.reworked, c.verified)
        meanHoursToFix = c.closed > 0 ? (Double(c.fixSeconds) / Double(c.closed) / 360).rounded() / 10 : nil
    }
}
