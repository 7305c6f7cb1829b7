import Foundation
import SQLKit
import WenmingCore

public struct IndexSystemRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var edition: String
    public var totalScore: Int?
    public var prerequisiteThreshold: Int?
    public var weightPercent: Int?
    public var isSample: Int
    public var predecessorId: Int64?
    public var active: Int
    public var createdAt: Int64
}

public struct IndexNodeRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var systemId: Int64
    public var parentId: Int64?
    public var level: Int
    public var code: String
    public var title: String
    public var body: String
    public var score: Int
    public var methods: String
    public var categories: String
    public var nature: String
    public var sort: Int

    public var indexLevel: IndexLevel { IndexLevel(rawValue: level) ?? .standard }
    public var methodList: [CollectionMethod] { methods.split(separator: ",").compactMap { CollectionMethod(rawValue: String($0)) } }
    public var categoryList: [String] { splitList(categories) }
    public var scoreValue: Score { Score(hundredths: score) }
}

/// What an index-system import did.
public struct IndexImportResult: Sendable {
    public var systemID: Int64
    public var nodes: Int
    public var assignments: Int
    public var carried: Int
    public var unassignedNew: [String]
    public var droppedOld: [String]
}

/// Index systems, their trees, point categories, the negative list and campaigns. Reference data of the
/// whole city: every logged-in user with `viewIndex` reads it; city-level office admins change it.
public struct IndexService: Sendable {
    let db: Database
    let clock: any Clock

    static func requireCityAdmin(_ actor: Identity) throws {
        try actor.require(.manageIndex)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("测评体系、负面清单和创建周期由市级创文办维护") }
    }

    static func systems(_ db: any SQLDatabase) async throws -> [IndexSystemRow] {
        try await db.raw("SELECT * FROM index_systems ORDER BY code, edition").all().map { try $0.decode(model: IndexSystemRow.self, with: .snakeCase) }
    }

    public func systems(actor: Identity) async throws -> [IndexSystemRow] {
        try actor.require(.viewIndex)
        return try await db.read { try await Self.systems($0) }
    }

    public func system(_ id: Int64, actor: Identity) async throws -> IndexSystemRow {
        try actor.require(.viewIndex)
        guard let s = try await db.read({ try await $0.raw("SELECT * FROM index_systems WHERE id = \(bind: id)").first() }) else { throw AppError.notFound }
        return try s.decode(model: IndexSystemRow.self, with: .snakeCase)
    }

    static func nodes(_ db: any SQLDatabase, system: Int64) async throws -> [IndexNodeRow] {
        try await db.raw("SELECT * FROM index_nodes WHERE system_id = \(bind: system) ORDER BY sort").all()
            .map { try $0.decode(model: IndexNodeRow.self, with: .snakeCase) }
    }

    public func nodes(system: Int64, actor: Identity) async throws -> [IndexNodeRow] {
        try actor.require(.viewIndex)
        return try await db.read { try await Self.nodes($0, system: system) }
    }

    public func node(_ id: Int64, actor: Identity) async throws -> IndexNodeRow {
        try actor.require(.viewIndex)
        guard let r = try await db.read({ try await $0.raw("SELECT * FROM index_nodes WHERE id = \(bind: id)").first() }) else { throw AppError.notFound }
        return try r.decode(model: IndexNodeRow.self, with: .snakeCase)
    }

    /// The rules' view of stored nodes.
    static func coreNodes(_ rows: [IndexNodeRow]) -> [IndexNode] {
        let codes = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.code) })
        return rows.map { r in
            IndexNode(code: r.code, parentCode: r.parentId.flatMap { codes[$0] }, level: r.indexLevel, title: r.title, text: r.body,
                      score: r.scoreValue, methods: r.methodList, categories: r.categoryList, nature: StandardNature(rawValue: r.nature))
        }
    }

    public func categories() async throws -> [(code: String, name: String, checkRecords: Bool)] {
        try await db.read { db in
            try await db.raw("SELECT code, name, check_records FROM point_categories WHERE active = 1 ORDER BY code").all().map {
                (try $0.decode(column: "code", as: String.self), try $0.decode(column: "name", as: String.self),
                 try $0.decode(column: "check_records", as: Int.self) != 0)
            }
        }
    }

    public func addCategory(code: String, name: String, checkRecords: Bool, actor: Identity) async throws {
        try Self.requireCityAdmin(actor)
        if let p = OrgRules.validateCode(code) { throw AppError.validation(["code": p]) }
        if let p = OrgRules.validateName(name) { throw AppError.validation(["name": p]) }
        let now = clock.now()
        try await db.write { tx in
            if try await tx.raw("SELECT id FROM point_categories WHERE code = \(bind: code) OR name = \(bind: name)").first() != nil {
                throw AppError.validation(["code": "点位类型的编码或名称已存在"])
            }
            try await tx.raw("INSERT INTO point_categories (code, name, check_records, active, created_at) VALUES (\(bind: code), \(bind: name), \(bind: checkRecords ? 1 : 0), 1, \(bind: now.epoch))").run()
            try await Audit.record(tx, actor: actor, action: "create", entity: "point_category", entityID: nil,
                                   summary: "新增点位类型“\(name)”（\(code)）", scope: actor.orgPath, at: now)
        }
    }

    public struct SystemInput: Sendable {
        public var code: String
        public var name: String
        public var edition: String
        public var totalScore: String = ""
        public var threshold: String = ""
        public var weightPercent: String = ""
        public var isSample = false
        public var predecessorID: Int64?
        public init(code: String, name: String, edition: String) { self.code = code; self.name = name; self.edition = edition }
    }

    /// Imports a whole system (a new one, or a new edition of an existing one) from a table, all or nothing.
    /// With a predecessor, the decomposition carries over by standard code, except where the file names its own units.
    public func importSystem(_ input: SystemInput, table: Table, actor: Identity, maxRows: Int) async throws -> IndexImportResult {
        try Self.requireCityAdmin(actor)
        var problems: [String: String] = [:]
        if let p = OrgRules.validateCode(input.code) { problems["code"] = p }
        if let p = OrgRules.validateName(input.name) { problems["name"] = p }
        if input.edition.trimmed().isEmpty || input.edition.count > 50 { problems["edition"] = Msg.requiredField("版本") }
        let total = input.totalScore.isEmpty ? nil : Score(input.totalScore)
        if !input.totalScore.isEmpty && total == nil { problems["totalScore"] = Msg.badScore(input.totalScore) }
        let threshold = input.threshold.isEmpty ? nil : Score(input.threshold)
        if !input.threshold.isEmpty && threshold == nil { problems["threshold"] = Msg.badScore(input.threshold) }
        let weight = input.weightPercent.isEmpty ? nil : Int(input.weightPercent)
        if !input.weightPercent.isEmpty && !(weight.map { (1...100).contains($0) } ?? false) { problems["weightPercent"] = "权重须为 1–100 的整数（百分比）" }
        if !problems.isEmpty { throw AppError.validation(problems) }
        let now = clock.now()
        let cats = Set(try await categories().map(\.name))
        return try await db.write { tx in
            // Units the file may name: active units anywhere in the city (the city admin's scope).
            let units = try await tx.raw("SELECT id, code, kind FROM orgs WHERE active = 1").all()
            var unitIDs: [String: Int64] = [:]
            for u in units where OrgKind(rawValue: try u.decode(column: "kind", as: String.self))?.isUnit == true {
                unitIDs[try u.decode(column: "code", as: String.self)] = try u.decode(column: "id", as: Int64.self)
            }
            let (rows, issues, _) = IndexImport.plan(table, categories: cats, unitCodes: Set(unitIDs.keys), maxRows: maxRows)
            if !issues.isEmpty { throw AppError.importFailed(issues) }
            if let total {
                let m = IndexTree.mismatches(rows.map(\.node), declaredTotal: total).filter { $0.code == nil }
                if let m = m.first { throw AppError.importFailed([ImportIssue(row: 0, column: "分值", message: m.description)]) }
            }
            if try await tx.raw("SELECT id FROM index_systems WHERE code = \(bind: input.code) AND edition = \(bind: input.edition)").first() != nil {
                throw AppError.validation(["edition": "体系“\(input.code)”的“\(input.edition)”版已存在"])
            }
            let sys = try await tx.raw("""
                INSERT INTO index_systems (code, name, edition, total_score, prerequisite_threshold, weight_percent, is_sample, predecessor_id, active, created_at)
                VALUES (\(bind: input.code), \(bind: input.name), \(bind: input.edition), \(bind: total?.hundredths), \(bind: threshold?.hundredths),
                        \(bind: weight), \(bind: input.isSample ? 1 : 0), \(bind: input.predecessorID), 1, \(bind: now.epoch)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            var ids: [String: Int64] = [:]
            // Sort keeps the file's order within the tree (rows come parents-first).
            let fileOrder = Dictionary(uniqueKeysWithValues: rows.map { ($0.node.code, $0.rowNumber) })
            for r in rows {
                let n = r.node
                let id = try await tx.raw("""
                    INSERT INTO index_nodes (system_id, parent_id, level, code, title, body, score, methods, categories, nature, sort)
                    VALUES (\(bind: sys), \(bind: n.parentCode.flatMap { ids[$0] }), \(bind: n.level.rawValue), \(bind: n.code), \(bind: n.title),
                            \(bind: n.text), \(bind: n.score.hundredths), \(bind: n.methods.map(\.rawValue).joined(separator: ",")),
                            \(bind: n.categories.joined(separator: "、")), \(bind: n.nature?.rawValue ?? ""), \(bind: fileOrder[n.code] ?? 0)) RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
                ids[n.code] = id
            }
            var assigned = 0
            var named = Set<String>()
            for r in rows where r.node.level == .standard {
                for (role, list) in [(AssignmentRole.lead, r.lead), (.responsible, r.responsible), (.supporting, r.supporting)] {
                    for u in list {
                        try await TaskService.insertAssignment(tx, nodeID: ids[r.node.code]!, orgID: unitIDs[u]!, role: role, person: r.person,
                                                               deadline: r.deadline, actor: actor, now: now)
                        assigned += 1
                        named.insert(r.node.code)
                    }
                }
            }
            var carried = 0
            var unassigned: [String] = []
            var dropped: [String] = []
            if let pred = input.predecessorID {
                let oldNodes = try await Self.nodes(tx, system: pred)
                let oldStd = oldNodes.filter { $0.indexLevel == .standard }
                let oldCode = Dictionary(uniqueKeysWithValues: oldNodes.map { ($0.id, $0.code) })
                // The new edition replaces the old one: its tasks leave 我的任务 and 回头望.
                try await tx.raw("UPDATE index_systems SET active = 0 WHERE id = \(bind: pred)").run()
                let old = try await tx.raw("SELECT a.node_id, a.org_id, a.role, a.person, a.deadline FROM assignments a JOIN index_nodes n ON n.id = a.node_id JOIN orgs o ON o.id = a.org_id WHERE n.system_id = \(bind: pred) AND a.status <> 'withdrawn' AND o.active = 1").all().map {
                    CarriedAssignment(standardCode: oldCode[try $0.decode(column: "node_id", as: Int64.self)] ?? "", unitID: try $0.decode(column: "org_id", as: Int64.self),
                                      role: AssignmentRole(rawValue: try $0.decode(column: "role", as: String.self)) ?? .responsible,
                                      person: try $0.decode(column: "person", as: String.self), deadline: try $0.decode(column: "deadline", as: String.self))
                }
                let newStd = rows.filter { $0.node.level == .standard }.map(\.node.code)
                let plan = EditionCarryOver.plan(old: old.filter { !named.contains($0.standardCode) }, oldStandards: oldStd.map(\.code), newStandards: newStd)
                for c in plan.carried {
                    try await TaskService.insertAssignment(tx, nodeID: ids[c.standardCode]!, orgID: c.unitID, role: c.role, person: c.person,
                                                           deadline: c.deadline, actor: actor, now: now)
                    carried += 1
                }
                unassigned = plan.unassignedNew.filter { !named.contains($0) }
                dropped = plan.droppedOld
            }
            try await Audit.record(tx, actor: actor, action: "import", entity: "index_system", entityID: sys,
                                   summary: "导入测评体系“\(input.name)”\(input.edition)：\(rows.count) 个节点，分解 \(assigned) 条，沿用上一版 \(carried) 条",
                                   scope: actor.orgPath, at: now)
            return IndexImportResult(systemID: sys, nodes: rows.count, assignments: assigned, carried: carried, unassignedNew: unassigned, droppedOld: dropped)
        }
    }

    /// The system as a table in the import format, including its decomposition: export → import is exact.
    /// The decomposition columns hold only the units inside the actor's scope (none without `viewTasks`).
    public func exportRows(system: Int64, actor: Identity) async throws -> [[String]] {
        try actor.require(.viewIndex)
        let (lo, hi) = actor.can(.viewTasks) ? scopeRange(actor.orgPath) : ("~", "~")
        return try await db.read { db in
            let nodes = try await Self.nodes(db, system: system)
            let codes = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.code) })
            let asg = try await db.raw("""
                SELECT a.node_id, a.role, a.person, a.deadline, o.code FROM assignments a JOIN orgs o ON o.id = a.org_id JOIN index_nodes n ON n.id = a.node_id
                WHERE n.system_id = \(bind: system) AND a.status <> 'withdrawn' AND o.path >= \(bind: lo) AND o.path < \(bind: hi) ORDER BY o.code
                """).all()
            var byNode: [Int64: [(AssignmentRole, String, String, String)]] = [:]
            for a in asg {
                byNode[try a.decode(column: "node_id", as: Int64.self), default: []].append((
                    AssignmentRole(rawValue: try a.decode(column: "role", as: String.self)) ?? .responsible, try a.decode(column: "code", as: String.self),
                    try a.decode(column: "person", as: String.self), try a.decode(column: "deadline", as: String.self)))
            }
            var out = [IndexImport.columns.map(\.header)]
            for n in nodes {
                let a = byNode[n.id] ?? []
                func units(_ r: AssignmentRole) -> String { a.filter { $0.0 == r }.map(\.1).joined(separator: "、") }
                out.append([n.code, n.parentId.flatMap { codes[$0] } ?? "", n.indexLevel.label, n.title, n.body, n.scoreValue.description,
                            n.methodList.map(\.label).joined(separator: "、"), n.categories, StandardNature(rawValue: n.nature)?.label ?? "",
                            units(.lead), units(.responsible), units(.supporting), a.first?.2 ?? "", a.first?.3 ?? ""])
            }
            return out
        }
    }

    /// Edits one node (title, text, score, methods, categories, nature) of a system.
    public func updateNode(_ id: Int64, title: String, text: String, score: String, methods: [String], categories: [String], nature: String,
                           actor: Identity) async throws {
        try Self.requireCityAdmin(actor)
        var p: [String: String] = [:]
        if let e = OrgRules.validateName(title) { p["title"] = e }
        let sc = Score(score)
        if sc == nil { p["score"] = Msg.badScore(score) }
        let ms = methods.compactMap { CollectionMethod(rawValue: $0) }
        let known = Set(try await self.categories().map(\.name))
        for c in categories where !known.contains(c) { p["categories"] = Msg.unknownCategory(c) }
        if !categories.isEmpty && !ms.contains(.field) { p["categories"] = Msg.categoriesNeedField }
        if text.count > 2000 { p["text"] = Msg.invalidField("标准内容") }
        let now = clock.now()
        guard let before = try await db.read({ try await $0.raw("SELECT * FROM index_nodes WHERE id = \(bind: id)").first() })?
            .decode(model: IndexNodeRow.self, with: .snakeCase) else { throw AppError.notFound }
        let isStd = before.indexLevel == .standard
        if isStd && ms.isEmpty { p["methods"] = Msg.standardNeedsMethod }
        if !p.isEmpty { throw AppError.validation(p) }
        let newScore = sc!
        try await db.write { tx in
            try await tx.raw("""
                UPDATE index_nodes SET title = \(bind: title), body = \(bind: text), score = \(bind: newScore.hundredths),
                  methods = \(bind: isStd ? ms.map(\.rawValue).joined(separator: ",") : ""), categories = \(bind: isStd ? categories.joined(separator: "、") : ""),
                  nature = \(bind: isStd ? (StandardNature(rawValue: nature)?.rawValue ?? "") : "") WHERE id = \(bind: id)
                """).run()
            try await Audit.record(tx, actor: actor, action: "update", entity: "index_node", entityID: id,
                                   summary: "修改测评体系节点 \(before.code)：分值 \(before.scoreValue) → \(newScore)", before: before, scope: actor.orgPath, at: now)
        }
    }
}
