import Foundation

/// One inspection point (点位) as a form or an import row gives it, before it is checked against the registry.
public struct PointDraft: Sendable, Equatable {
    public var code: String
    public var name: String
    public var category: String      // category code or name
    public var address: String
    public var latitude: Double?
    public var longitude: Double?
    public var territory: String     // org code of the grid, community, street or district
    public var adopter: String       // org code of the adopting unit (包保单位), may be empty
    public var declared: Bool
    public var active: Bool

    public init(code: String, name: String, category: String, address: String, latitude: Double?, longitude: Double?,
                territory: String, adopter: String, declared: Bool, active: Bool) {
        self.code = code; self.name = name; self.category = category; self.address = address
        self.latitude = latitude; self.longitude = longitude; self.territory = territory; self.adopter = adopter
        self.declared = declared; self.active = active
    }

    /// Problems keyed by field, given what exists: category codes and names, territory org codes, unit org codes.
    public func problems(categories: Set<String>, territories: Set<String>, units: Set<String>) -> [String: String] {
        var p: [String: String] = [:]
        if let c = OrgRules.validateCode(code) { p["code"] = c }
        let n = name.trimmed()
        if n.isEmpty { p["name"] = Msg.nameRequired } else if n.count > 100 { p["name"] = Msg.nameTooLong }
        if category.isEmpty { p["category"] = Msg.requiredField("点位类型") }
        else if !categories.contains(category) { p["category"] = Msg.unknownCategory(category) }
        if address.count > 200 { p["address"] = "地址不能超过 200 字" }
        switch (latitude, longitude) {
        case (nil, nil): break
        case (let la?, let lo?):
            if !(la >= -90 && la <= 90) { p["latitude"] = "纬度须在 −90 到 90 之间" }
            if !(lo >= -180 && lo <= 180) { p["longitude"] = "经度须在 −180 到 180 之间" }
        default: p["latitude"] = "经度和纬度须同时填写"
        }
        if territory.isEmpty { p["territory"] = Msg.requiredField("所属区域") }
        else if !territories.contains(territory) { p["territory"] = "所属区域“\(territory)”不存在、不是区县/街道/社区/网格，或不在您的管辖范围内" }
        if !adopter.isEmpty && !units.contains(adopter) { p["adopter"] = Msg.unknownUnit(adopter) }
        return p
    }
}

/// Import and export of the point registry (XLSX or CSV), all or nothing, problems by row and column.
public enum PointImport {
    public static let columns: [OrgImport.Column] = [
        .init(key: "code", header: "编码", required: true),
        .init(key: "name", header: "名称", required: true),
        .init(key: "category", header: "点位类型", required: true),
        .init(key: "address", header: "地址", required: false),
        .init(key: "longitude", header: "经度", required: false),
        .init(key: "latitude", header: "纬度", required: false),
        .init(key: "territory", header: "所属区域编码", required: true),
        .init(key: "adopter", header: "包保单位编码", required: false),
        .init(key: "declared", header: "申报", required: false),
        .init(key: "active", header: "启用", required: false),
    ]
    static func header(_ key: String) -> String { columns.first { $0.key == key }!.header }

    public static func yesNo(_ s: String, default d: Bool) -> Bool? {
        switch s.trimmed().lowercased() {
        case "": d
        case "是", "1", "true", "yes", "y", "启用", "已申报": true
        case "否", "0", "false", "no", "n", "停用", "未申报": false
        default: nil
        }
    }

    /// Checks every row; returns the drafts in file order, or the problems (then nothing may be written).
    public static func plan(_ table: Table, categories: Set<String>, territories: Set<String>, units: Set<String>,
                            maxRows: Int) -> (rows: [PointDraft], issues: [ImportIssue]) {
        let (keyAt, headerIssues) = OrgImport.mapHeader(table, columns: columns)
        if !headerIssues.isEmpty { return ([], headerIssues) }
        if table.rows.isEmpty { return ([], [ImportIssue(row: 0, column: "", message: Msg.noDataRows)]) }
        if table.rows.count > maxRows { return ([], [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(maxRows))]) }
        var issues: [ImportIssue] = []
        var rows: [PointDraft] = []
        var firstRow: [String: Int] = [:]
        for (idx, cells) in table.rows.enumerated() {
            let rowNo = table.rowNumbers[idx]
            var v: [String: String] = [:]
            for (i, key) in keyAt where i < cells.count { v[key] = OrgImport.unguard(cells[i].trimmed()) }
            func issue(_ key: String, _ m: String) { issues.append(ImportIssue(row: rowNo, column: header(key), message: m)) }
            func coordinate(_ key: String) -> Double? {
                let s = v[key] ?? ""
                if s.isEmpty { return nil }
                guard let d = Double(s), d.isFinite else { issue(key, "“\(s)”不是数字"); return nil }
                return d
            }
            let declared = yesNo(v["declared"] ?? "", default: true)
            if declared == nil { issue("declared", "申报须填 是 或 否") }
            let active = yesNo(v["active"] ?? "", default: true)
            if active == nil { issue("active", "启用须填 是 或 否") }
            let d = PointDraft(code: v["code"] ?? "", name: v["name"] ?? "", category: v["category"] ?? "", address: v["address"] ?? "",
                               latitude: coordinate("latitude"), longitude: coordinate("longitude"), territory: v["territory"] ?? "",
                               adopter: v["adopter"] ?? "", declared: declared ?? true, active: active ?? true)
            for (k, m) in d.problems(categories: categories, territories: territories, units: units).sorted(by: { $0.key < $1.key }) {
                issue(k, m)
            }
            if !d.code.isEmpty {
                if let f = firstRow[d.code] { issue("code", Msg.duplicateCode(d.code, firstRow: f)) } else { firstRow[d.code] = rowNo }
            }
            rows.append(d)
        }
        return issues.isEmpty ? (rows, []) : ([], issues)
    }
}
