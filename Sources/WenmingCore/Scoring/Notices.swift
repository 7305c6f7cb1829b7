import Foundation

/// Notices (通报): composed from the period's data, edited by the office, then issued under a number and frozen.
public enum NoticeKind: String, CaseIterable, Sendable, Codable {
    case weekly, monthly, round
    public var label: String {
        switch self {
        case .weekly: "周通报"
        case .monthly: "月度通报"
        case .round: "检查情况通报"
        }
    }
}

public enum NoticeStatus: String, Sendable, Codable {
    case draft, issued
    public var label: String { self == .draft ? "草稿" : "已签发" }
}

/// The facts a notice is written from, gathered by the app for one period and scope.
public struct NoticeFacts: Sendable, Equatable {
    public struct Ranked: Sendable, Equatable {
        public var name: String
        public var total: Int?
        public var rank: Int?
        public var change: Int?
        public var card: Card?
        public var note: String
        public init(name: String, total: Int?, rank: Int?, change: Int?, card: Card?, note: String = "") {
            self.name = name; self.total = total; self.rank = rank; self.change = change; self.card = card; self.note = note
        }
    }
    public struct Named: Sendable, Equatable, Hashable {
        public var orgID: Int64
        public var name: String
        public var reason: String
        public init(orgID: Int64, name: String, reason: String) { self.orgID = orgID; self.name = name; self.reason = reason }
    }

    public var kind: NoticeKind
    public var scopeName: String
    public var periodLabel: String
    public var issuer: String
    public var date: String
    public var rankingTitle: String
    public var ranking: [Ranked]
    public var problems: Int
    public var problemsByType: [(name: String, count: Int)]
    public var overdueTotal: Int
    public var overdueByUnit: [Named]
    public var notices: (white: Int, yellow: Int, red: Int)
    public var summonses: Int
    public var blackPlaque: Named?
    public var praised: [Named]
    public var criticised: [Named]

    public init(kind: NoticeKind, scopeName: String, periodLabel: String, issuer: String, date: String, rankingTitle: String = "测评排名",
                ranking: [Ranked] = [], problems: Int = 0, problemsByType: [(name: String, count: Int)] = [], overdueTotal: Int = 0,
                overdueByUnit: [Named] = [], notices: (white: Int, yellow: Int, red: Int) = (0, 0, 0), summonses: Int = 0,
                blackPlaque: Named? = nil, praised: [Named] = [], criticised: [Named] = []) {
        self.kind = kind; self.scopeName = scopeName; self.periodLabel = periodLabel; self.issuer = issuer; self.date = date
        self.rankingTitle = rankingTitle; self.ranking = ranking; self.problems = problems; self.problemsByType = problemsByType
        self.overdueTotal = overdueTotal; self.overdueByUnit = overdueByUnit; self.notices = notices; self.summonses = summonses
        self.blackPlaque = blackPlaque; self.praised = praised; self.criticised = criticised
    }

    public static func == (a: NoticeFacts, b: NoticeFacts) -> Bool {
        a.kind == b.kind && a.scopeName == b.scopeName && a.periodLabel == b.periodLabel && a.ranking == b.ranking && a.problems == b.problems
            && a.problemsByType.map(\.name) == b.problemsByType.map(\.name) && a.problemsByType.map(\.count) == b.problemsByType.map(\.count)
            && a.overdueTotal == b.overdueTotal && a.overdueByUnit == b.overdueByUnit && a.notices == b.notices && a.summonses == b.summonses
            && a.blackPlaque == b.blackPlaque && a.praised == b.praised && a.criticised == b.criticised
    }
}

public enum NoticeComposer {
    public static let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

    /// The notice's title and body in the office's usual form; the office edits both before issuing.
    public static func compose(_ f: NoticeFacts) -> (title: String, body: String) {
        let title = "关于\(f.periodLabel)\(f.scopeName)文明城市创建工作情况的通报"
        var sections: [(String, [String])] = []
        if !f.ranking.isEmpty {
            sections.append((f.rankingTitle, f.ranking.map { r in
                var s = "\(r.rank.map { "第 \($0) 名" } ?? "不排名")　\(r.name)　\(r.total.map { Score(hundredths: $0).description + " 分" } ?? "无数据")"
                if let c = r.change { s += c > 0 ? "（比上期↑\(Score(hundredths: c))）" : c < 0 ? "（比上期↓\(Score(hundredths: -c))）" : "（与上期持平）" }
                if let card = r.card { s += "　\(card.label)" }
                if !r.note.isEmpty { s += "　\(r.note)" }
                return s
            }))
        }
        var found = ["本期共发现问题 \(f.problems) 个。"]
        if !f.problemsByType.isEmpty {
            found = ["本期共发现问题 \(f.problems) 个，其中：" + f.problemsByType.prefix(8).map { "\($0.name) \($0.count) 个" }.joined(separator: "，") + "。"]
        }
        sections.append(("发现问题情况", found))
        var rect = ["截至通报日，超过办结期限仍未办结的问题 \(f.overdueTotal) 件。"]
        if !f.overdueByUnit.isEmpty {
            rect.append("超期未办结较多的单位：" + f.overdueByUnit.prefix(10).map { "\($0.name)（\($0.reason)）" }.joined(separator: "、") + "。")
        }
        rect.append("本期发出督办单：白色 \(f.notices.white) 张、黄色 \(f.notices.yellow) 张、红色 \(f.notices.red) 张；约谈单位负责人 \(f.summonses) 次。")
        if let b = f.blackPlaque { rect.append("本期流动黑牌由\(b.name)持有（\(b.reason)）。") }
        sections.append(("问题整改与督办情况", rect))
        if !f.praised.isEmpty {
            sections.append(("表扬", ["对以下单位（区域）予以通报表扬：" + f.praised.map { "\($0.name)（\($0.reason)）" }.joined(separator: "；") + "。"]))
        }
        if !f.criticised.isEmpty {
            sections.append(("批评", ["对以下单位（区域）予以通报批评，限期整改：" + f.criticised.map { "\($0.name)（\($0.reason)）" }.joined(separator: "；") + "。"]))
        }
        var body = ["各区、街道创文办，各成员单位：", "", "现将\(f.periodLabel)\(f.scopeName)文明城市创建工作情况通报如下。", ""]
        for (i, (heading, lines)) in sections.enumerated() {
            body.append("\(numerals[min(i, numerals.count - 1)])、\(heading)")
            body.append(contentsOf: lines)
            body.append("")
        }
        body.append("请各单位对照通报的问题，举一反三，认真整改，按期办结，整改情况报\(f.issuer)。")
        body.append("")
        body.append(f.issuer)
        body.append(f.date)
        return (title, body.joined(separator: "\n"))
    }

    /// Problems of an edited notice; empty when it may be saved.
    public static func problems(title: String, body: String) -> [String: String] {
        var p: [String: String] = [:]
        let t = title.trimmed()
        if t.isEmpty || t.count > 200 { p["title"] = "请填写标题（200 字以内）" }
        let b = body.trimmed()
        if b.isEmpty { p["body"] = "正文不能为空" } else if b.count > 100_000 { p["body"] = "正文不能超过 100000 字" }
        return p
    }
}

public enum NoticeNumber {
    /// "创文通报〔2026〕7号".
    public static func format(prefix: String = "创文通报", year: Int, sequence: Int64) -> String { "\(prefix)〔\(year)〕\(sequence)号" }
}

/// Who a periodic notice praises and criticises (通报表扬 / 通报批评), from the period's scores.
public enum NoticeCommendation {
    /// One scored org as the rule sees it.
    public struct Candidate: Sendable, Equatable {
        public var orgID: Int64
        public var name: String
        public var total: Int?
        public var rank: Int?
        public var card: Card?
        /// Late cases counted against it in the period.
        public var late: Int
        public init(orgID: Int64, name: String, total: Int?, rank: Int?, card: Card?, late: Int = 0) {
            self.orgID = orgID; self.name = name; self.total = total; self.rank = rank; self.card = card; self.late = late
        }
    }

    /// - Territories (in ranking order): praised, the first `praise` ranked ones with a green card; criticised, the
    ///   first `criticise` with a red card.
    /// - Departments and units: praised, the `praise` best totals of at least `greenMin` without a late case;
    ///   criticised, the `criticise` lowest totals with a red card. Ties by org id; orgs without a total are left out.
    /// - The holder of the black plaque is criticised for it unless already named.
    public static func select(territories: [Candidate], units: [Candidate], greenMin: Int, plaque: NoticeFacts.Named? = nil,
                              praise: Int = 3, criticise: Int = 5) -> (praised: [NoticeFacts.Named], criticised: [NoticeFacts.Named]) {
        var praised = territories.filter { $0.card == .green && $0.rank != nil }.prefix(praise)
            .map { NoticeFacts.Named(orgID: $0.orgID, name: $0.name, reason: "得分 \(Score(hundredths: $0.total ?? 0))，绿牌") }
        var criticised = territories.filter { $0.card == .red }.prefix(criticise)
            .map { c in NoticeFacts.Named(orgID: c.orgID, name: c.name, reason: c.total.map { "得分 \(Score(hundredths: $0))，红牌" } ?? "红牌") }
        let scored = units.filter { $0.total != nil }
        praised += scored.filter { $0.total! >= greenMin && $0.late == 0 }
            .sorted { ($0.total!, -$0.orgID) > ($1.total!, -$1.orgID) }.prefix(praise)
            .map { .init(orgID: $0.orgID, name: $0.name, reason: "考核得分 \(Score(hundredths: $0.total!))，无超期案卷") }
        criticised += scored.filter { $0.card == .red }.sorted { ($0.total!, $0.orgID) < ($1.total!, $1.orgID) }.prefix(criticise)
            .map { .init(orgID: $0.orgID, name: $0.name, reason: "考核得分 \(Score(hundredths: $0.total!))，红牌") }
        if let p = plaque, !criticised.contains(where: { $0.orgID == p.orgID }) { criticised.append(.init(orgID: p.orgID, name: p.name, reason: "流动黑牌")) }
        return (praised, criticised)
    }
}
