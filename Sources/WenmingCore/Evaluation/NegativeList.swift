/// The negative list (负面清单): areas and items, each with a penalty and possibly a veto (一票否决).
public enum Penalty: String, CaseIterable, Sendable, Codable {
    case deduct, suspend, revoke
    public var label: String {
        switch self {
        case .deduct: "扣分"
        case .suspend: "暂停评选"
        case .revoke: "撤销称号"
        }
    }
    public init?(label: String) {
        let t = label.trimmed()
        guard let p = Penalty.allCases.first(where: { $0.label == t || $0.rawValue == t }) else { return nil }
        self = p
    }
}

public struct NegativeItem: Sendable, Equatable {
    public var areaCode: String
    public var areaName: String
    public var code: String
    public var title: String
    public var penalty: Penalty
    public var points: Score?       // for .deduct
    public var months: Int?         // for .suspend
    public var veto: Bool
    public init(areaCode: String, areaName: String, code: String, title: String, penalty: Penalty, points: Score?, months: Int?, veto: Bool) {
        self.areaCode = areaCode; self.areaName = areaName; self.code = code; self.title = title
        self.penalty = penalty; self.points = points; self.months = months; self.veto = veto
    }

    /// What an incident against this item means, in the office's words.
    public var consequence: String {
        var parts: [String] = []
        switch penalty {
        case .deduct: parts.append("扣 \(points ?? .zero) 分")
        case .suspend: parts.append("暂停评选资格 \(months ?? 0) 个月")
        case .revoke: parts.append("撤销已获称号，次年不得申报")
        }
        if veto { parts.append("一票否决：本周期不得参评") }
        return parts.joined(separator: "；")
    }
}

/// The consequence of all incidents recorded against one territory or unit in a period.
public struct NegativeOutcome: Sendable, Equatable {
    public var deducted: Score
    public var vetoed: Bool
    public var revoked: Bool
    public var suspendedMonths: Int

    public static func of(_ items: [NegativeItem]) -> NegativeOutcome {
        NegativeOutcome(deducted: items.filter { $0.penalty == .deduct }.reduce(.zero) { $0 + ($1.points ?? .zero) },
                        vetoed: items.contains { $0.veto }, revoked: items.contains { $0.penalty == .revoke },
                        suspendedMonths: items.filter { $0.penalty == .suspend }.map { $0.months ?? 0 }.max() ?? 0)
    }

    public var summary: String {
        if !vetoed && !revoked && suspendedMonths == 0 && deducted == .zero { return "无影响" }
        var p: [String] = []
        if vetoed { p.append("一票否决") }
        if revoked { p.append("撤销称号") }
        if suspendedMonths > 0 { p.append("暂停评选 \(suspendedMonths) 个月") }
        if deducted != .zero { p.append("扣 \(deducted) 分") }
        return p.joined(separator: "，")
    }
}

public enum NegativeListImport {
    public static let columns: [OrgImport.Column] = [
        .init(key: "area_code", header: "领域编码", required: true),
        .init(key: "area", header: "领域", required: true),
        .init(key: "code", header: "编码", required: true),
        .init(key: "title", header: "项目", required: true),
        .init(key: "penalty", header: "处罚", required: true),
        .init(key: "points", header: "扣分", required: false),
        .init(key: "months", header: "暂停月数", required: false),
        .init(key: "veto", header: "一票否决", required: false),
    ]

    public static func plan(_ table: Table, maxRows: Int) -> (items: [NegativeItem], issues: [ImportIssue]) {
        let (keyAt, headerIssues) = OrgImport.mapHeader(table, columns: columns)
        if !headerIssues.isEmpty { return ([], headerIssues) }
        if table.rows.isEmpty { return ([], [ImportIssue(row: 0, column: "", message: Msg.noDataRows)]) }
        if table.rows.count > maxRows { return ([], [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(maxRows))]) }
        func h(_ k: String) -> String { columns.first { $0.key == k }!.header }
        var issues: [ImportIssue] = []
        var items: [NegativeItem] = []
        var seen: [String: Int] = [:]
        var areaNames: [String: String] = [:]
        for (idx, cells) in table.rows.enumerated() {
            let rowNo = table.rowNumbers[idx]
            var v: [String: String] = [:]
            for (i, key) in keyAt where i < cells.count { v[key] = OrgImport.unguard(cells[i].trimmed()) }
            func issue(_ k: String, _ m: String) { issues.append(ImportIssue(row: rowNo, column: h(k), message: m)) }
            let code = v["code"] ?? "", areaCode = v["area_code"] ?? ""
            if let p = OrgRules.validateCode(code) { issue("code", p) } else if let f = seen[code] { issue("code", Msg.duplicateCode(code, firstRow: f)) } else { seen[code] = rowNo }
            if let p = OrgRules.validateCode(areaCode) { issue("area_code", p) }
            let area = v["area"] ?? ""
            if let p = OrgRules.validateName(area) { issue("area", p) }
            if let known = areaNames[areaCode], known != area { issue("area", Msg.areaNameDiffers(areaCode, known)) } else { areaNames[areaCode] = area }
            let title = v["title"] ?? ""
            if title.trimmed().isEmpty || title.count > 300 { issue("title", Msg.nameRequired) }
            guard let penalty = Penalty(label: v["penalty"] ?? "") else { issue("penalty", Msg.unknownPenalty(v["penalty"] ?? "")); continue }
            var points: Score?
            var months: Int?
            switch penalty {
            case .deduct:
                points = Score(v["points"] ?? "")
                if points == nil || points == .zero { issue("points", Msg.badScore(v["points"] ?? "")) }
            case .suspend:
                months = Int(v["months"] ?? "")
                if months == nil || !(1...120).contains(months!) { issue("months", Msg.badMonths(v["months"] ?? "")) }
            case .revoke: break
            }
            guard let veto = OrgImport.parseActive((v["veto"] ?? "").isEmpty ? "否" : v["veto"]!) else { issue("veto", Msg.badYesNo(v["veto"] ?? "")); continue }
            items.append(NegativeItem(areaCode: areaCode, areaName: area, code: code, title: title, penalty: penalty, points: points, months: months, veto: veto))
        }
        return issues.isEmpty ? (items, []) : ([], issues)
    }
}
