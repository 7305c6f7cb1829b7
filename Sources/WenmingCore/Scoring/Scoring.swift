import Foundation

/// Red / yellow / green cards (红黄绿牌) derived from a total and the scheme's lines.
public enum Card: String, Sendable, Codable, CaseIterable {
    case green, yellow, red
    public var label: String {
        switch self {
        case .green: "绿牌"
        case .yellow: "黄牌"
        case .red: "红牌"
        }
    }

    /// Vetoed or below a prerequisite: red. Otherwise by the total: below the red line red, below the yellow line
    /// yellow, at or above the green line green, else none. No total, no card.
    public static func of(total: Int?, vetoed: Bool, failedPrerequisite: Bool, scheme: ScoringScheme) -> Card? {
        if vetoed || failedPrerequisite { return .red }
        guard let t = total else { return nil }
        if t < scheme.redBelow.hundredths { return .red }
        if t < scheme.yellowBelow.hundredths { return .yellow }
        if t >= scheme.greenMin.hundredths { return .green }
        return nil
    }
}

/// Rounds `n / d` half away from zero (d > 0).
@inline(__always) func divRound(_ n: Int, _ d: Int) -> Int { n >= 0 ? (2 * n + d) / (2 * d) : -((2 * -n + d) / (2 * d)) }

// MARK: - Territories

/// One component of a territory's score as computed.
public struct ComponentPart: Sendable, Codable, Equatable {
    public var component: ScoreComponent
    /// The scheme's weight.
    public var weight: Int
    /// The component's score, hundredths of a point on 0–100; nil when it has no data this period.
    public var value: Int?
    /// The share it carried after the weights of the components without data were redistributed, in basis points
    /// (10000 = all of the score); 0 when it had no data.
    public var share: Int
    /// What the value rests on ("38 个点位", "按期结案 41/45").
    public var basis: String
    public init(component: ScoreComponent, weight: Int, value: Int?, share: Int, basis: String) {
        self.component = component; self.weight = weight; self.value = value; self.share = share; self.basis = basis
    }
}

public struct TerritoryScore: Sendable, Codable, Equatable {
    public var parts: [ComponentPart]
    /// The weighted score before deductions, hundredths; nil without any weighted data.
    public var weighted: Int?
    /// Negative-list deductions, hundredths.
    public var deducted: Int
    public var total: Int?
    public var vetoed: Bool
    /// Components below their prerequisite (or without data where one is set).
    public var failed: [ScoreComponent]
    public var card: Card?
    public var eligible: Bool { total != nil && !vetoed && failed.isEmpty }

    /// Why it is not ranked, in the office's words; nil when eligible.
    public var ineligibleReason: String? {
        if vetoed { return "负面清单一票否决" }
        if !failed.isEmpty { return "未达基本条件：" + failed.map(\.label).joined(separator: "、") }
        if total == nil { return "本期无测评数据" }
        return nil
    }
}

public enum TerritoryScoring {
    /// The territory's score: the weighted mean of the components that have data (weights of the others are
    /// shared among them in proportion), less the negative-list deductions (not below 0). A veto makes it
    /// ineligible; so does a component below its prerequisite, or without data when it has one.
    public static func score(values: [ScoreComponent: Int], basis: [ScoreComponent: String] = [:], negative: NegativeOutcome,
                             scheme: ScoringScheme) -> TerritoryScore {
        let present = ScoreComponent.allCases.filter { values[$0] != nil && (scheme.weights[$0] ?? 0) > 0 }
        let presentWeight = present.reduce(0) { $0 + scheme.weights[$1]! }
        var parts: [ComponentPart] = []
        var sum = 0
        for c in ScoreComponent.allCases {
            let w = scheme.weights[c] ?? 0
            let v = values[c]
            guard w > 0 || v != nil else { continue }
            let share = present.contains(c) ? divRound(w * 10000, presentWeight) : 0
            if present.contains(c) { sum += v! * w }
            parts.append(ComponentPart(component: c, weight: w, value: v, share: share, basis: basis[c] ?? (v == nil ? "暂无数据" : "")))
        }
        let weighted: Int? = presentWeight > 0 ? divRound(sum, presentWeight) : nil
        let total = weighted.map { max(0, $0 - negative.deducted.hundredths) }
        let failed = ScoreComponent.allCases.filter { c in
            guard let min = scheme.prerequisites[c] else { return false }
            guard let v = values[c] else { return true }
            return v < min.hundredths
        }
        let card = Card.of(total: total, vetoed: negative.vetoed, failedPrerequisite: !failed.isEmpty, scheme: scheme)
        return TerritoryScore(parts: parts, weighted: weighted, deducted: negative.deducted.hundredths, total: total,
                              vetoed: negative.vetoed, failed: failed, card: card)
    }
}

// MARK: - Units (单位考核)

/// What a unit's assessment rests on, one fact per case, visit or incident.
public struct UnitFinding: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A problem found by a check; `cityLevel` when found by the city; `fixedAt` when closed.
        case problem(cityLevel: Bool, reportedAt: Int64, closedAt: Int64?, repeatKey: String)
        /// A case past its deadline (closed late, or still open after it).
        case late(closed: Bool)
        /// A point adopted by the unit inspected without any problem.
        case clean(cityLevel: Bool)
        /// A negative-list incident against the unit.
        case negative(NegativeItem)
    }
    public var kind: Kind
    /// "case", "visit" or "incident", with its id: where the points came from.
    public var source: String
    public var sourceID: Int64
    /// The source as people know it: a case number, a point code, a negative-list item.
    public var label: String
    public init(kind: Kind, source: String, sourceID: Int64, label: String) {
        self.kind = kind; self.source = source; self.sourceID = sourceID; self.label = label
    }
}

/// One line of a unit's score: points gained (+) or lost (−) and why.
public struct ScoreLine: Sendable, Codable, Equatable {
    public var kind: String
    public var source: String
    public var sourceID: Int64
    public var label: String
    /// Signed hundredths.
    public var points: Int
    public var note: String
    public init(kind: String, source: String, sourceID: Int64, label: String, points: Int, note: String) {
        self.kind = kind; self.source = source; self.sourceID = sourceID; self.label = label; self.points = points; self.note = note
    }
}

public struct UnitScore: Sendable, Codable, Equatable {
    public var base: Int
    public var lines: [ScoreLine]
    public var total: Int
    public var vetoed: Bool
    public var card: Card?
    public var problems: Int
    public var late: Int
    public var clean: Int
    public var eligible: Bool { !vetoed }
    public var lost: Int { -lines.filter { $0.points < 0 }.reduce(0) { $0 + $1.points } }
    public var gained: Int { lines.filter { $0.points > 0 }.reduce(0) { $0 + $1.points } }
}

public enum UnitScoring {
    /// Start at the base; each problem found by a check loses the city or local deduction, half of it when the
    /// problem was closed within the on-spot hours of being reported; a repeat (same point or place and type as
    /// an earlier problem of the period) is deducted again and marked; each late case loses the late deduction;
    /// each clean point gains the city or local bonus; negative-list deductions follow, and a veto marks the
    /// unit ineligible. Never below 0.
    public static func score(_ findings: [UnitFinding], scheme: ScoringScheme) -> UnitScore {
        var lines: [ScoreLine] = []
        var seen: [String: Int] = [:]
        var problems = 0, late = 0, clean = 0, vetoed = false
        // Problems in the order they were reported, then late cases, clean points and incidents, each by source id; the
        // keys are computed once (a year's biggest unit has thousands of findings).
        func key(_ f: UnitFinding) -> (Int, Int64, Int64) {
            switch f.kind {
            case .problem(_, let at, _, _): (0, at, f.sourceID)
            case .late: (1, 0, f.sourceID)
            case .clean: (2, 0, f.sourceID)
            case .negative: (3, 0, f.sourceID)
            }
        }
        let keys = findings.map(key)
        let ordered = findings.indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }.map { findings[$0] }
        let onSpotNote = "；\(scheme.onSpotHours) 小时内整改到位，减半扣分"
        for f in ordered {
            switch f.kind {
            case let .problem(city, reportedAt, closedAt, repeatKey):
                problems += 1
                var pts = (city ? scheme.cityProblem : scheme.localProblem).hundredths
                var note = city ? "市级检查发现" : "区、街道检查发现"
                if let c = closedAt, c - reportedAt <= Int64(scheme.onSpotHours) * 3600 {
                    pts = divRound(pts, 2)
                    note += onSpotNote
                }
                if !repeatKey.isEmpty {
                    let n = (seen[repeatKey] ?? 0) + 1
                    seen[repeatKey] = n
                    if n > 1 { note += "；重复发现（本期第 \(n) 次），再次扣分" }
                }
                lines.append(ScoreLine(kind: "problem", source: f.source, sourceID: f.sourceID, label: f.label, points: -pts, note: note))
            case let .late(closed):
                late += 1
                lines.append(ScoreLine(kind: "late", source: f.source, sourceID: f.sourceID, label: f.label, points: -scheme.lateCase.hundredths,
                                       note: closed ? "超期办结" : "超期未办结"))
            case let .clean(city):
                clean += 1
                lines.append(ScoreLine(kind: "clean", source: f.source, sourceID: f.sourceID, label: f.label,
                                       points: (city ? scheme.cityClean : scheme.localClean).hundredths,
                                       note: city ? "市级检查点位无问题" : "区、街道检查点位无问题"))
            case let .negative(item):
                if item.veto { vetoed = true }
                let pts = item.penalty == .deduct ? (item.points ?? .zero).hundredths : 0
                lines.append(ScoreLine(kind: "negative", source: f.source, sourceID: f.sourceID, label: f.label, points: -pts, note: item.consequence))
            }
        }
        let total = max(0, scheme.unitBase.hundredths + lines.reduce(0) { $0 + $1.points })
        return UnitScore(base: scheme.unitBase.hundredths, lines: lines, total: total, vetoed: vetoed,
                         card: Card.of(total: total, vetoed: vetoed, failedPrerequisite: false, scheme: scheme),
                         problems: problems, late: late, clean: clean)
    }
}

// MARK: - Rankings and years

public enum Ranking {
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var total: Int?
        public var eligible: Bool
        public init(id: Int64, total: Int?, eligible: Bool) { self.id = id; self.total = total; self.eligible = eligible }
    }

    /// Ranks of the eligible entries by total, highest first; equal totals share a rank and the next rank skips
    /// (1, 2, 2, 4). Ineligible entries and entries without a total have no rank.
    public static func ranks(_ entries: [Entry]) -> [Int64: Int] {
        let ranked = entries.filter { $0.eligible && $0.total != nil }.sorted { ($0.total!, -$0.id) > ($1.total!, -$1.id) }
        var out: [Int64: Int] = [:]
        for (i, e) in ranked.enumerated() {
            out[e.id] = i > 0 && ranked[i - 1].total == e.total ? out[ranked[i - 1].id]! : i + 1
        }
        return out
    }

    /// Display order: ranked entries by rank, then ineligible ones by total, then those without a total; ties by id.
    public static func order(_ entries: [Entry]) -> [Entry] {
        let r = ranks(entries)
        return entries.sorted { a, b in
            let ka = (r[a.id] ?? Int.max, a.total == nil ? 1 : 0, -(a.total ?? 0), a.id)
            let kb = (r[b.id] ?? Int.max, b.total == nil ? 1 : 0, -(b.total ?? 0), b.id)
            return ka < kb
        }
    }
}

public enum MultiYear {
    /// Final = Σ weightᵢ × scoreᵢ over two years ago, last year and this year (e.g. 15/25/60). A year without a
    /// score drops out and the others' weights are scaled up in proportion; without this year's score there is
    /// no final score. Returns the total (hundredths) and the years (0, 1, 2) that had no score.
    public static func compose(_ scores: [Int?], weights: [Int]) -> (total: Int?, missing: [Int]) {
        guard scores.count == 3, weights.count == 3 else { return (nil, [0, 1, 2]) }
        let missing = (0..<3).filter { scores[$0] == nil }
        guard scores[2] != nil else { return (nil, missing) }
        let present = (0..<3).filter { scores[$0] != nil }
        let w = present.reduce(0) { $0 + weights[$1] }
        guard w > 0 else { return (nil, missing) }
        return (divRound(present.reduce(0) { $0 + scores[$1]! * weights[$1] }, w), missing)
    }
}

// MARK: - Levels and stored details

/// The peer groups that are ranked: territories by their level, units split into departments and other units.
public enum ScoreLevel: String, CaseIterable, Sendable, Codable {
    case district, street, community, department, unit
    public var label: String {
        switch self {
        case .district: "区县"
        case .street: "街道（镇）"
        case .community: "社区（村）"
        case .department: "部门"
        case .unit: "单位"
        }
    }
    public var isTerritory: Bool { [.district, .street, .community].contains(self) }

    public static func of(_ kind: OrgKind) -> ScoreLevel? {
        switch kind {
        case .district, .county: .district
        case .street, .town: .street
        case .community, .village: .community
        case .department: .department
        case .agency, .school, .hospital, .company, .window: .unit
        default: nil
        }
    }

    /// The level ranked directly below a territory (the city's districts, a district's streets, …).
    public static func below(_ kind: OrgKind) -> ScoreLevel? {
        switch kind {
        case .city: .district
        case .district, .county: .street
        case .street, .town: .community
        default: nil
        }
    }
}

extension UnitScoring {
    /// Whether a problem reported by someone bound to an org at `path` of `kind` was found by the city: the
    /// reporter sits at the city itself or in a body or unit directly under it (the city office, a city department).
    public static func isCityLevel(path: OrgPath, kind: OrgKind) -> Bool {
        path.ids.count == 1 || (path.ids.count == 2 && kind.family != .territory)
    }
}

/// What is stored with each score so that it explains itself after the data has moved on.
public struct ScoreDetail: Sendable, Codable, Equatable {
    public var territory: TerritoryScore?
    public var unit: UnitScore?
    /// Territories: the visits in the period (count) and those that lost points (ids).
    public var visits: Int
    public var lostVisits: [Int64]
    public var impressions: Int
    /// Negative-list incidents counted (ids).
    public var incidents: [Int64]
    /// Cases past their deadline in the period (ids).
    public var lateCases: [Int64]
    public var due: Int
    public var onTime: Int
    public var deferred: Int
    public init(territory: TerritoryScore? = nil, unit: UnitScore? = nil, visits: Int = 0, lostVisits: [Int64] = [], impressions: Int = 0,
                incidents: [Int64] = [], lateCases: [Int64] = [], due: Int = 0, onTime: Int = 0, deferred: Int = 0) {
        self.territory = territory; self.unit = unit; self.visits = visits; self.lostVisits = lostVisits; self.impressions = impressions
        self.incidents = incidents; self.lateCases = lateCases; self.due = due; self.onTime = onTime; self.deferred = deferred
    }
}

extension ScoreDetail {
    /// About how many bytes `json()` writes (a line of a unit's explanation is ~100 bytes, an id ~8).
    public var estimatedSize: Int { 256 + (unit?.lines.count ?? 0) * 96 + (lateCases.count + lostVisits.count + incidents.count) * 8 }

    /// Consecutive ranges of `sizes` holding at most `maxCount` items and, unless a single item is bigger, at most
    /// `maxBytes` bytes: the explanations of a period are written in such chunks, so that one department's thousands
    /// of lines do not hold up a chunk of two hundred small ones.
    public static func chunks(_ sizes: [Int], maxCount: Int, maxBytes: Int) -> [Range<Int>] {
        var out: [Range<Int>] = [], start = 0, bytes = 0
        for (i, size) in sizes.enumerated() {
            if i > start && (i - start >= maxCount || bytes + size > maxBytes) {
                out.append(start..<i)
                start = i; bytes = 0
            }
            bytes += size
        }
        if start < sizes.count { out.append(start..<sizes.count) }
        return out
    }

    /// The JSON `JSONEncoder` writes for this value (the synthesized keys, nil values left out), written directly. A
    /// year's explanations hold some 200,000 lines, and the generic encoder took a third of the year's computation.
    /// The small territory part still goes through `JSONEncoder`.
    public func json() throws -> String {
        var w = JSONText()
        w.bytes.reserveCapacity(estimatedSize)
        w.raw("{")
        if let territory {
            w.key("territory"); w.bytes.append(contentsOf: try JSONEncoder().encode(territory)); w.raw(",")
        }
        if let u = unit {
            w.key("unit"); w.raw("{")
            w.key("base"); w.int(u.base); w.raw(",")
            w.key("lines"); w.raw("[")
            for (i, l) in u.lines.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{")
                w.key("kind"); w.string(l.kind); w.raw(",")
                w.key("source"); w.string(l.source); w.raw(",")
                w.key("sourceID"); w.int(l.sourceID); w.raw(",")
                w.key("label"); w.string(l.label); w.raw(",")
                w.key("points"); w.int(l.points); w.raw(",")
                w.key("note"); w.string(l.note)
                w.raw("}")
            }
            w.raw("],")
            w.key("total"); w.int(u.total); w.raw(",")
            w.key("vetoed"); w.raw(u.vetoed ? "true" : "false"); w.raw(",")
            if let c = u.card { w.key("card"); w.string(c.rawValue); w.raw(",") }
            w.key("problems"); w.int(u.problems); w.raw(",")
            w.key("late"); w.int(u.late); w.raw(",")
            w.key("clean"); w.int(u.clean)
            w.raw("},")
        }
        w.key("visits"); w.int(visits); w.raw(",")
        w.key("lostVisits"); w.ints(lostVisits); w.raw(",")
        w.key("impressions"); w.int(impressions); w.raw(",")
        w.key("incidents"); w.ints(incidents); w.raw(",")
        w.key("lateCases"); w.ints(lateCases); w.raw(",")
        w.key("due"); w.int(due); w.raw(",")
        w.key("onTime"); w.int(onTime); w.raw(",")
        w.key("deferred"); w.int(deferred)
        w.raw("}")
        return w.text
    }
}

/// A minimal JSON writer into UTF-8 bytes: strings escaped as RFC 8259 requires (quote, backslash, control
/// characters), integers written digit by digit (appending to a `String` piece by piece was most of the cost).
struct JSONText {
    var bytes: [UInt8] = []
    var text: String { String(decoding: bytes, as: UTF8.self) }
    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func key(_ k: String) { bytes.append(0x22); bytes.append(contentsOf: k.utf8); bytes.append(0x22); bytes.append(0x3A) }
    mutating func int<I: BinaryInteger>(_ v: I) {
        if v == 0 { bytes.append(0x30); return }
        if v < 0 { bytes.append(0x2D) }
        var m = v.magnitude, t = m, n = 0
        while t > 0 { n += 1; t /= 10 }
        bytes.append(contentsOf: repeatElement(0x30, count: n))
        var i = bytes.count
        while m > 0 { i -= 1; bytes[i] = UInt8(truncatingIfNeeded: m % 10) + 0x30; m /= 10 }
    }
    mutating func ints(_ v: [Int64]) {
        bytes.append(0x5B)
        for (i, x) in v.enumerated() { if i > 0 { bytes.append(0x2C) }; int(x) }
        bytes.append(0x5D)
    }
    mutating func string(_ s: String) {
        bytes.append(0x22)
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes.append(contentsOf: s.utf8)
        } else {
            for u in s.unicodeScalars {
                switch u {
                case "\"": raw("\\\"")
                case "\\": raw("\\\\")
                case "\n": raw("\\n")
                case "\r": raw("\\r")
                case "\t": raw("\\t")
                case _ where u.value < 0x20:
                    let h = String(u.value, radix: 16)
                    raw("\\u" + String(repeating: "0", count: 4 - h.count) + h)
                default: UTF8.encode(u) { bytes.append($0) }
                }
            }
        }
        bytes.append(0x22)
    }
}
