/// Import of an index system file (XLSX or CSV): one row per node, optionally with the decomposition
/// (牵头/责任/配合单位, 责任人, 完成时限) of each standard. All-or-nothing: either every row is valid, or
/// the problems are listed by row and column and nothing is written.
public struct IndexImportRow: Sendable, Equatable {
    public var rowNumber: Int
    public var node: IndexNode
    public var lead: [String]          // unit codes
    public var responsible: [String]
    public var supporting: [String]
    public var person: String
    public var deadline: String        // YYYY-MM-DD or ""
}

public enum IndexImport {
    public static let columns: [OrgImport.Column] = [
        .init(key: "code", header: "编码", required: true),
        .init(key: "parent_code", header: "上级编码", required: true),
        .init(key: "level", header: "层级", required: true),
        .init(key: "title", header: "名称", required: true),
        .init(key: "text", header: "标准内容", required: false),
        .init(key: "score", header: "分值", required: true),
        .init(key: "methods", header: "测评方法", required: false),
        .init(key: "categories", header: "适用点位", required: false),
        .init(key: "nature", header: "性质", required: false),
        .init(key: "lead", header: "牵头单位", required: false),
        .init(key: "responsible", header: "责任单位", required: false),
        .init(key: "supporting", header: "配合单位", required: false),
        .init(key: "person", header: "责任人", required: false),
        .init(key: "deadline", header: "完成时限", required: false),
    ]

    static func h(_ key: String) -> String { columns.first { $0.key == key }!.header }

    /// Checks a table and returns its rows parents-first, or the problems.
    /// - Parameters:
    ///   - categories: the known point category names.
    ///   - unitCodes: the codes of units that may be named in the decomposition columns (active units in scope).
    public static func plan(_ table: Table, categories: Set<String>, unitCodes: Set<String>, maxRows: Int)
        -> (rows: [IndexImportRow], issues: [ImportIssue], mismatches: [ScoreMismatch]) {
        var issues: [ImportIssue] = []
        let (keyAt, headerIssues) = OrgImport.mapHeader(table, columns: columns)
        if !headerIssues.isEmpty { return ([], headerIssues, []) }
        if table.rows.isEmpty { return ([], [ImportIssue(row: 0, column: "", message: Msg.noDataRows)], []) }
        if table.rows.count > maxRows { return ([], [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(maxRows))], []) }

        var rows: [IndexImportRow] = []
        var firstRow: [String: Int] = [:]
        // Codes of every row, including rows refused for other reasons, so their children are not also told
        // that their parent is missing.
        var seenCodes = Set<String>()
        for (idx, cells) in table.rows.enumerated() {
            let rowNo = table.rowNumbers[idx]
            var v: [String: String] = [:]
            for (i, key) in keyAt where i < cells.count { v[key] = OrgImport.unguard(cells[i].trimmed()) }
            func issue(_ key: String, _ m: String) { issues.append(ImportIssue(row: rowNo, column: h(key), message: m)) }
            let code = v["code"] ?? ""
            seenCodes.insert(code)
            if let p = OrgRules.validateCode(code) { issue("code", p) }
            else if let f = firstRow[code] { issue("code", Msg.duplicateCode(code, firstRow: f)) }
            else { firstRow[code] = rowNo }
            let title = v["title"] ?? ""
            if let p = OrgRules.validateName(title) { issue("title", p) }
            guard let level = IndexLevel(label: v["level"] ?? "") else { issue("level", Msg.unknownLevel(v["level"] ?? "")); continue }
            guard let score = Score(v["score"] ?? "") else { issue("score", Msg.badScore(v["score"] ?? "")); continue }
            var methods: [CollectionMethod] = []
            for m in splitList(v["methods"] ?? "") {
                if let cm = CollectionMethod(label: m) { if !methods.contains(cm) { methods.append(cm) } } else { issue("methods", Msg.unknownMethod(m)) }
            }
            let cats = splitList(v["categories"] ?? "")
            for c in cats where !categories.contains(c) { issue("categories", Msg.unknownCategory(c)) }
            var nature: StandardNature?
            if let n = v["nature"], !n.isEmpty {
                nature = StandardNature(label: n)
                if nature == nil { issue("nature", Msg.unknownNature(n)) }
            }
            if level == .standard {
                if methods.isEmpty { issue("methods", Msg.standardNeedsMethod) }
                if !cats.isEmpty && !methods.contains(.field) { issue("categories", Msg.categoriesNeedField) }
            } else {
                if !methods.isEmpty { issue("methods", Msg.onlyStandards("测评方法")) }
                if !cats.isEmpty { issue("categories", Msg.onlyStandards("适用点位")) }
            }
            let lead = splitList(v["lead"] ?? ""), resp = splitList(v["responsible"] ?? ""), sup = splitList(v["supporting"] ?? "")
            for (key, list) in [("lead", lead), ("responsible", resp), ("supporting", sup)] {
                for u in list where !unitCodes.contains(u) { issue(key, Msg.unknownUnit(u)) }
                if !list.isEmpty && level != .standard { issue(key, Msg.onlyStandards(h(key))) }
            }
            if lead.count > 1 { issue("lead", Msg.oneLead) }
            let deadline = v["deadline"] ?? ""
            if level != .standard {
                if !(v["person"] ?? "").isEmpty { issue("person", Msg.onlyStandards(h("person"))) }
                if !deadline.isEmpty { issue("deadline", Msg.onlyStandards(h("deadline"))) }
            }
            if !deadline.isEmpty && !CivilDate.isValid(deadline) { issue("deadline", Msg.badDate(deadline)) }
            let parent = (v["parent_code"] ?? "").isEmpty ? nil : v["parent_code"]
            rows.append(IndexImportRow(rowNumber: rowNo,
                                       node: IndexNode(code: code, parentCode: parent, level: level, title: title, text: v["text"] ?? "",
                                                       score: score, methods: methods, categories: cats, nature: nature),
                                       lead: lead, responsible: resp, supporting: sup, person: v["person"] ?? "", deadline: deadline))
        }
        // The tree: parents exist, sit one level up; projects have no parent.
        let byCode = Dictionary(rows.map { ($0.node.code, $0) }, uniquingKeysWith: { a, _ in a })
        for r in rows {
            let n = r.node
            if let pc = n.parentCode {
                guard let p = byCode[pc] else {
                    if !seenCodes.contains(pc) { issues.append(.init(row: r.rowNumber, column: h("parent_code"), message: Msg.parentNotFound(pc))) }
                    continue
                }
                if n.level.parentLevel != p.node.level {
                    issues.append(.init(row: r.rowNumber, column: h("parent_code"), message: Msg.levelUnder(n.level.label, p.node.level.label)))
                }
            } else if n.level != .project {
                issues.append(.init(row: r.rowNumber, column: h("parent_code"), message: Msg.needsParent(n.level.label)))
            }
        }
        let nodes = rows.map(\.node)
        // Scores must add up: each parent equals the sum of its children.
        let mismatches = IndexTree.mismatches(nodes, declaredTotal: nil)
        for m in mismatches {
            if let code = m.code, let r = byCode[code] {
                issues.append(.init(row: r.rowNumber, column: h("score"), message: m.description))
            }
        }
        if !issues.isEmpty { return ([], issues.sorted { ($0.row, $0.column) < ($1.row, $1.column) }, mismatches) }
        let ordered = rows.sorted { ($0.node.level, $0.rowNumber) < ($1.node.level, $1.rowNumber) }
        return (ordered, [], [])
    }
}

/// Calendar dates written `YYYY-MM-DD` (deadlines, phases). Compared as strings, which sort correctly.
public enum CivilDate {
    public static func isValid(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), (1900...2999).contains(y), (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }
}
