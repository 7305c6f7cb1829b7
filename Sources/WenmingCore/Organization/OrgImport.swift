/// Import of organisation rows (XLSX or CSV): parsing, validation and ordering, all-or-nothing.
///
/// Rows are keyed by code: a new code creates a node, a known code updates it. The result is either a
/// list of problems naming row and column, or the rows in an order where every parent comes first.
public struct OrgImportRow: Sendable, Equatable {
    public var rowNumber: Int
    public var code: String
    public var name: String
    public var kind: OrgKind
    public var parentCode: String?
    public var sectorCode: String?
    public var address: String
    public var contact: String
    public var phone: String
    public var active: Bool
    /// The keys of the columns the file has. When a known code is updated, a column the file
    /// does not have keeps its stored value instead of being cleared.
    public var present: Set<String> = []
}

/// What the importer needs to know of a node already in the database.
public struct ExistingOrg: Sendable, Equatable {
    public var code: String
    public var kind: OrgKind
    public var parentCode: String?
    /// Whether the importing user's scope covers this node.
    public var inScope: Bool
    public init(code: String, kind: OrgKind, parentCode: String?, inScope: Bool) {
        self.code = code; self.kind = kind; self.parentCode = parentCode; self.inScope = inScope
    }
}

public struct ImportIssue: Sendable, Equatable, CustomStringConvertible {
    public var row: Int        // spreadsheet row as the user sees it (header = 1); 0 for the whole file
    public var column: String  // the column's Chinese header, "" for the whole row
    public var message: String
    public init(row: Int, column: String, message: String) { self.row = row; self.column = column; self.message = message }
    public var description: String {
        if row == 0 { return column.isEmpty ? message : "“\(column)”列：\(message)" }
        return column.isEmpty ? "第 \(row) 行：\(message)" : "第 \(row) 行“\(column)”列：\(message)"
    }
}

public enum OrgImport {
    public struct Column: Sendable {
        public let key: String; public let header: String; public let required: Bool
        public init(key: String, header: String, required: Bool) { self.key = key; self.header = header; self.required = required }
    }

    /// The columns of the org sheet, in export order. Imports accept the Chinese header or the key.
    public static let columns: [Column] = [
        .init(key: "code", header: "编码", required: true),
        .init(key: "name", header: "名称", required: true),
        .init(key: "kind", header: "类型", required: true),
        .init(key: "parent_code", header: "上级编码", required: true),
        .init(key: "sector_code", header: "条管部门编码", required: false),
        .init(key: "address", header: "地址", required: false),
        .init(key: "contact", header: "联系人", required: false),
        .init(key: "phone", header: "电话", required: false),
        .init(key: "active", header: "启用", required: false),
    ]

    static func header(_ key: String) -> String { columns.first { $0.key == key }!.header }

    public static func parseActive(_ s: String) -> Bool? {
        switch s.trimmed().lowercased() {
        case "", "是", "1", "true", "yes", "y", "启用": true
        case "否", "0", "false", "no", "n", "停用": false
        default: nil
        }
    }

    /// Undoes the formula-injection guard of `CSV.write` (a `'` before `=`, `+`, `-`, `@`).
    static func unguard(_ s: String) -> String {
        guard s.hasPrefix("'"), let second = s.dropFirst().first, "=+-@".contains(second) else { return s }
        return String(s.dropFirst())
    }

    /// Maps each header cell to a column key; reports unknown, duplicated and missing required columns.
    public static func mapHeader(_ table: Table, columns: [Column]) -> (keyAt: [Int: String], issues: [ImportIssue]) {
        var issues: [ImportIssue] = []
        if table.header.isEmpty { return ([:], [ImportIssue(row: 0, column: "", message: Msg.emptyFile)]) }
        var keyAt: [Int: String] = [:]
        for (i, h) in table.header.enumerated() {
            let t = h.trimmed()
            if t.isEmpty { continue }
            if let c = columns.first(where: { $0.header == t || $0.key == t }) {
                if keyAt.values.contains(c.key) {
                    issues.append(ImportIssue(row: table.headerRowNumber, column: t, message: Msg.duplicateColumn(c.header)))
                }
                keyAt[i] = c.key
            } else {
                issues.append(ImportIssue(row: table.headerRowNumber, column: t, message: Msg.unknownColumn(t)))
            }
        }
        for c in columns where c.required && !keyAt.values.contains(c.key) {
            issues.append(ImportIssue(row: 0, column: c.header, message: Msg.missingColumn(c.header)))
        }
        return (keyAt, issues)
    }

    /// Reads the rows of a table, checking headers and the shape of each cell.
    public static func parse(_ table: Table, maxRows: Int) -> (rows: [OrgImportRow], issues: [ImportIssue]) {
        let (keyAt, headerIssues) = mapHeader(table, columns: columns)
        if !headerIssues.isEmpty { return ([], headerIssues) }
        var issues: [ImportIssue] = []
        if table.rows.isEmpty { return ([], [ImportIssue(row: 0, column: "", message: Msg.noDataRows)]) }
        if table.rows.count > maxRows { return ([], [ImportIssue(row: 0, column: "", message: Msg.tooManyRows(maxRows))]) }

        var out: [OrgImportRow] = []
        for (idx, cells) in table.rows.enumerated() {
            let rowNo = table.rowNumbers[idx]
            var v: [String: String] = [:]
            for (i, key) in keyAt where i < cells.count { v[key] = unguard(cells[i].trimmed()) }
            let code = v["code"] ?? ""
            let name = v["name"] ?? ""
            var rowOK = true
            if let p = OrgRules.validateCode(code) { issues.append(.init(row: rowNo, column: header("code"), message: p)); rowOK = false }
            if let p = OrgRules.validateName(name) { issues.append(.init(row: rowNo, column: header("name"), message: p)); rowOK = false }
            let kindText = v["kind"] ?? ""
            let kind = OrgKind(codeOrLabel: kindText)
            if kind == nil { issues.append(.init(row: rowNo, column: header("kind"), message: Msg.unknownKind(kindText))); rowOK = false }
            let active = parseActive(v["active"] ?? "")
            if active == nil { issues.append(.init(row: rowNo, column: header("active"), message: Msg.badActive(v["active"] ?? ""))); rowOK = false }
            let parent = (v["parent_code"] ?? "").isEmpty ? nil : v["parent_code"]
            let sector = (v["sector_code"] ?? "").isEmpty ? nil : v["sector_code"]
            if rowOK, let kind, let active {
                out.append(OrgImportRow(rowNumber: rowNo, code: code, name: name, kind: kind, parentCode: parent,
                                        sectorCode: sector, address: v["address"] ?? "", contact: v["contact"] ?? "",
                                        phone: v["phone"] ?? "", active: active, present: Set(keyAt.values)))
            }
        }
        return (out, issues)
    }

    /// Checks the rows against each other and the existing tree. Returns the rows ordered parents-first
    /// when there is no issue.
    public static func plan(_ rows: [OrgImportRow], existing: [String: ExistingOrg]) -> (ordered: [OrgImportRow], issues: [ImportIssue]) {
        var issues: [ImportIssue] = []
        var byCode: [String: OrgImportRow] = [:]
        for r in rows {
            if let first = byCode[r.code] {
                issues.append(.init(row: r.rowNumber, column: header("code"), message: Msg.duplicateCode(r.code, firstRow: first.rowNumber)))
            } else {
                byCode[r.code] = r
            }
        }
        func kindOf(_ code: String) -> OrgKind? { byCode[code]?.kind ?? existing[code]?.kind }
        func parentOf(_ code: String) -> String? {
            if let r = byCode[code] { return r.parentCode }
            return existing[code]?.parentCode
        }
        let existingCities = existing.values.filter { $0.kind == .city }.map(\.code)
        for r in rows where byCode[r.code]?.rowNumber == r.rowNumber {
            if let e = existing[r.code] {
                if !e.inScope { issues.append(.init(row: r.rowNumber, column: header("code"), message: Msg.outOfScope)); continue }
                if e.kind != r.kind { issues.append(.init(row: r.rowNumber, column: header("kind"), message: Msg.kindChangeNotAllowed)); continue }
            } else if r.kind == .city, !existingCities.isEmpty || rows.contains(where: { $0.kind == .city && $0.code != r.code }) {
                issues.append(.init(row: r.rowNumber, column: header("kind"), message: Msg.rootExists)); continue
            }
            if let pc = r.parentCode {
                guard let pk = kindOf(pc) else {
                    issues.append(.init(row: r.rowNumber, column: header("parent_code"), message: Msg.parentNotFound(pc))); continue
                }
                // A parent outside the scope is fine only when the row keeps the parent it already has
                // (the scope's own root row in a re-imported export).
                if byCode[pc] == nil, let pe = existing[pc], !pe.inScope, existing[r.code]?.parentCode != pc {
                    issues.append(.init(row: r.rowNumber, column: header("parent_code"), message: Msg.outOfScope)); continue
                }
                if let p = OrgRules.parentProblem(kind: r.kind, parent: pk) {
                    issues.append(.init(row: r.rowNumber, column: header("parent_code"), message: p)); continue
                }
            } else if let p = OrgRules.parentProblem(kind: r.kind, parent: nil) {
                issues.append(.init(row: r.rowNumber, column: header("parent_code"), message: p)); continue
            }
            if r.parentCode == nil && !r.active {
                issues.append(.init(row: r.rowNumber, column: header("active"), message: Msg.cannotDeactivateRoot)); continue
            }
            if let sc = r.sectorCode {
                if !r.kind.isUnit {
                    issues.append(.init(row: r.rowNumber, column: header("sector_code"), message: Msg.sectorOnlyForUnits)); continue
                }
                guard let sk = kindOf(sc) else {
                    issues.append(.init(row: r.rowNumber, column: header("sector_code"), message: Msg.sectorNotFound(sc))); continue
                }
                if let p = OrgRules.sectorProblem(sectorKind: sk) {
                    issues.append(.init(row: r.rowNumber, column: header("sector_code"), message: p))
                }
            }
        }
        // Cycles: follow each imported row's parents upward through the combined tree.
        var reported = Set<String>()
        for r in rows where byCode[r.code]?.rowNumber == r.rowNumber {
            var seen: [String] = [r.code]
            var cur = parentOf(r.code)
            while let c = cur {
                if c == r.code {
                    let cycle = seen + [c]
                    if reported.insert(Set(cycle).sorted().joined(separator: ",")).inserted {
                        issues.append(.init(row: r.rowNumber, column: header("parent_code"), message: Msg.cycle(cycle)))
                    }
                    break
                }
                if seen.contains(c) || seen.count > 64 { break }  // a cycle not through r: reported from its own rows
                seen.append(c)
                cur = parentOf(c)
            }
        }
        if !issues.isEmpty { return ([], issues.sorted { ($0.row, $0.column) < ($1.row, $1.column) }) }
        // Parents first: depth within the imported set.
        var depth: [String: Int] = [:]
        func d(_ code: String) -> Int {
            if let x = depth[code] { return x }
            guard let p = byCode[code]?.parentCode, byCode[p] != nil else { depth[code] = 0; return 0 }
            let x = d(p) + 1
            depth[code] = x
            return x
        }
        let ordered = rows.sorted { (d($0.code), $0.rowNumber) < (d($1.code), $1.rowNumber) }
        return (ordered, [])
    }
}
