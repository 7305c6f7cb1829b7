/// Evaluation index systems (测评体系): 测评项目 → 测评内容 → 测评标准.
public enum IndexLevel: Int, CaseIterable, Sendable, Codable, Comparable {
    case project = 1, content = 2, standard = 3

    public var label: String {
        switch self {
        case .project: "测评项目"
        case .content: "测评内容"
        case .standard: "测评标准"
        }
    }

    public init?(label: String) {
        let t = label.trimmed()
        guard let l = IndexLevel.allCases.first(where: { $0.label == t || String($0.rawValue) == t }) else { return nil }
        self = l
    }

    public var parentLevel: IndexLevel? { IndexLevel(rawValue: rawValue - 1) }
    public static func < (l: IndexLevel, r: IndexLevel) -> Bool { l.rawValue < r.rawValue }
}

/// How a standard is assessed (测评方法).
public enum CollectionMethod: String, CaseIterable, Sendable, Codable {
    case field, material, survey, online, overall, report

    public var label: String {
        switch self {
        case .field: "实地考察"
        case .material: "材料审核"
        case .survey: "问卷调查"
        case .online: "网上申报"
        case .overall: "整体评价"
        case .report: "听取汇报"
        }
    }

    public init?(label: String) {
        let t = label.trimmed()
        guard let m = CollectionMethod.allCases.first(where: { $0.label == t || $0.rawValue == t }) else { return nil }
        self = m
    }
}

public enum StandardNature: String, CaseIterable, Sendable, Codable {
    case qualitative, quantitative
    public var label: String { self == .qualitative ? "定性" : "定量" }
    public init?(label: String) {
        let t = label.trimmed()
        guard let n = StandardNature.allCases.first(where: { $0.label == t || $0.rawValue == t }) else { return nil }
        self = n
    }
}

/// The point categories (点位类型) field standards apply to. The list is the office's to extend; these are
/// the categories of DOMAIN.md §5 that a new installation starts with.
public enum PointCategories {
    public static let defaults: [(code: String, name: String)] = [
        ("PC01", "主次干道"), ("PC02", "背街小巷"), ("PC03", "公厕"), ("PC04", "小型餐馆"), ("PC05", "娱乐场所"),
        ("PC06", "网吧"), ("PC07", "营业厅"), ("PC08", "农贸市场"), ("PC09", "商场超市"), ("PC10", "广场公园"),
        ("PC11", "长途汽车站"), ("PC12", "公交总站"), ("PC13", "政务大厅"), ("PC14", "医院"), ("PC15", "小学"),
        ("PC16", "中学"), ("PC17", "旅游集散中心"), ("PC18", "旅行社"), ("PC19", "公共图书馆"), ("PC20", "名胜古迹"),
        ("PC21", "社区"), ("PC22", "未成年人校外活动场所"), ("PC23", "建筑工地"), ("PC24", "老旧小区"),
    ]
}

/// Splits a multi-valued cell: "实地考察、材料审核" (also accepts ，, ; and ；).
public func splitList(_ s: String) -> [String] {
    s.split(whereSeparator: { "、,，;；".contains($0) }).map { $0.trimmed() }.filter { !$0.isEmpty }
}

/// One node of an index tree as the rules see it.
public struct IndexNode: Sendable, Equatable {
    public var code: String
    public var parentCode: String?
    public var level: IndexLevel
    public var title: String
    public var text: String
    public var score: Score
    public var methods: [CollectionMethod]
    public var categories: [String]      // category names
    public var nature: StandardNature?
    public init(code: String, parentCode: String?, level: IndexLevel, title: String, text: String = "", score: Score,
                methods: [CollectionMethod] = [], categories: [String] = [], nature: StandardNature? = nil) {
        self.code = code; self.parentCode = parentCode; self.level = level; self.title = title; self.text = text
        self.score = score; self.methods = methods; self.categories = categories; self.nature = nature
    }
}

/// Where the scores of a tree do not add up.
public struct ScoreMismatch: Sendable, Equatable, CustomStringConvertible {
    public var code: String?      // nil: the system total
    public var title: String
    public var declared: Score
    public var childrenSum: Score
    public var description: String {
        "“\(title)”分值为 \(declared)，下级合计 \(childrenSum)，相差 \(declared - childrenSum)"
    }
}

public enum IndexTree {
    /// Every node whose score differs from the sum of its children (nodes without children are not checked),
    /// and the system total against the sum of the projects when a total is declared.
    public static func mismatches(_ nodes: [IndexNode], declaredTotal: Score?) -> [ScoreMismatch] {
        var sums: [String: Score] = [:]
        var hasChildren = Set<String>()
        for n in nodes {
            if let p = n.parentCode { sums[p, default: .zero] += n.score; hasChildren.insert(p) }
        }
        var out: [ScoreMismatch] = []
        for n in nodes where hasChildren.contains(n.code) {
            let s = sums[n.code] ?? .zero
            if s != n.score { out.append(ScoreMismatch(code: n.code, title: "\(n.code) \(n.title)", declared: n.score, childrenSum: s)) }
        }
        if let total = declaredTotal {
            let s = nodes.filter { $0.parentCode == nil }.reduce(Score.zero) { $0 + $1.score }
            if s != total { out.append(ScoreMismatch(code: nil, title: "体系总分", declared: total, childrenSum: s)) }
        }
        return out
    }

    /// Counts and scores per level: for the tree page's totals line.
    public static func totals(_ nodes: [IndexNode]) -> [(level: IndexLevel, count: Int, score: Score)] {
        IndexLevel.allCases.map { l in
            let ns = nodes.filter { $0.level == l }
            return (l, ns.count, ns.reduce(.zero) { $0 + $1.score })
        }
    }

    /// Standards per collection method.
    public static func methodCounts(_ nodes: [IndexNode]) -> [(CollectionMethod, Int)] {
        CollectionMethod.allCases.map { m in (m, nodes.filter { $0.level == .standard && $0.methods.contains(m) }.count) }
    }
}
