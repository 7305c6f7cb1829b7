import Foundation
import SQLKit
import WenmingCore

public struct RoundRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var kind: String
    public var scopeId: Int64
    public var scopePath: String
    public var startDate: String
    public var endDate: String
    public var drawId: Int64?
    public var status: String
    public var notes: String
    public var createdBy: Int64?
    public var createdAt: Int64
    public var roundKind: RoundKind { RoundKind(rawValue: kind) ?? .routine }
    public var isOpen: Bool { status == "open" }
}

public struct RoundPointItem: Sendable { public var point: PointItem; public var via: String; public var visited: Bool; public var full: Int; public var lost: Int; public var inspector: String?; public var visitedAt: Int64? }
public struct VisitItemRow: Sendable { public var standardID: Int64; public var code: String; public var title: String; public var verdict: String; public var full: Int; public var lost: Int; public var note: String; public var caseID: Int64?; public var caseNumber: String? }

/// Inspection rounds (实地考察 / 督查): a team visits points against their checklists; every failed item
/// becomes a case of the rectification loop; the round's results attribute every lost point.
///
/// Who: office administrators create rounds in their territory; team members (inspectors, supervisors, or
/// administrators) record visits and their overall impression. A round is visible to its members and to users
/// whose scope holds the round's territory.
public struct RoundService: Sendable {
    let db: Database
    let clock: any Clock
    let cases: CaseService
    let points: PointService
    let files: FileStore
    let settings: SettingsStore

    public init(db: Database, clock: any Clock, cases: CaseService, points: PointService, files: FileStore, settings: SettingsStore) {
        self.db = db; self.clock = clock; self.cases = cases; self.points = points; self.files = files; self.settings = settings
    }

    static func fetch(_ db: any SQLDatabase, _ id: Int64) async throws -> RoundRow? {
        try await db.raw("SELECT * FROM rounds WHERE id = \(bind: id)").first(decoding: RoundRow.self, with: .snakeCase)
    }

    static func isMember(_ db: any SQLDatabase, _ roundID: Int64, _ userID: Int64) async throws -> Bool {
        try await db.raw("SELECT 1 AS x FROM round_members WHERE round_id = \(bind: roundID) AND user_id = \(bind: userID)").first() != nil
    }

    func visible(_ db: any SQLDatabase, _ id: Int64, _ actor: Identity) async throws -> RoundRow {
        guard let r = try await Self.fetch(db, id) else { throw AppError.notFound }
        if actor.can(.viewPoints) && actor.inScope(OrgPath(r.scopePath)!) { return r }
        if try await Self.isMember(db, id, actor.userID) { return r }
        throw AppError.notFound
    }

    public func get(_ id: Int64, actor: Identity) async throws -> RoundRow {
        try await db.read { try await visible($0, id, actor) }
    }

    public func list(actor: Identity) async throws -> [RoundRow] {
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            let scoped: SQLQueryString = actor.can(.viewPoints) ? "(scope_path >= \(bind: lo) AND scope_path < \(bind: hi)) OR " : ""
            return try await db.raw("""
                SELECT * FROM rounds WHERE \(scoped) id IN (SELECT round_id FROM round_members WHERE user_id = \(bind: actor.userID))
                ORDER BY start_date DESC, id DESC LIMIT 500
                """).all(decoding: RoundRow.self, with: .snakeCase)
        }
    }

    public struct NewRound: Sendable {
        public var name: String
        public var kind: RoundKind?
        public var scopeID: Int64?
        public var startDate: String
        public var endDate: String
        public var members: [String]       // usernames
        public var drawID: Int64?
        public var pointCodes: [String]
        public var notes: String
        public init(name: String, kind: RoundKind?, scopeID: Int64?, startDate: String, endDate: String, members: [String], drawID: Int64?, pointCodes: [String], notes: String = "") {
            self.name = name; self.kind = kind; self.scopeID = scopeID; self.startDate = startDate; self.endDate = endDate
            self.members = members; self.drawID = drawID; self.pointCodes = pointCodes; self.notes = notes
        }
    }

    /// Creates a round with its team and points (a draw's picks, now or when the draw runs, and/or chosen codes).
    public func create(_ n: NewRound, actor: Identity) async throws -> Int64 {
        try actor.require(.manageRounds)
        var p: [String: String] = [:]
        let name = n.name.trimmed()
        if name.isEmpty { p["name"] = Msg.requiredField("名称") } else if name.count > 100 { p["name"] = "名称不能超过 100 字" }
        if n.kind == nil { p["kind"] = "请选择督查类型" }
        if !CivilDate.isValid(n.startDate) { p["start"] = Msg.badDate(n.startDate) }
        if !CivilDate.isValid(n.endDate) { p["end"] = Msg.badDate(n.endDate) }
        if p["start"] == nil && p["end"] == nil && n.endDate < n.startDate { p["end"] = "结束日期不能早于开始日期" }
        let members = Array(Set(n.members.map { $0.trimmed() }.filter { !$0.isEmpty })).sorted()
        if members.isEmpty { p["members"] = "请至少指定一名检查组成员" }
        if n.drawID == nil && n.pointCodes.isEmpty { p["points"] = "请选择一次抽签，或填写要检查的点位编码" }
        if !p.isEmpty { throw AppError.validation(p) }
        let now = clock.now()
        return try await db.write { tx in
            let scope: OrgRow
            if let sid = n.scopeID {
                guard let o = try await OrgService.fetch(tx, id: sid), o.orgKind.family == .territory else { throw AppError.validation(["scope": "检查范围须为市、区县或街道"]) }
                scope = o
            } else { scope = try await OrgService.fetch(tx, id: actor.orgID)! }
            try actor.requireScope(scope.orgPath)
            var userIDs: [Int64] = []
            for u in members {
                guard let r = try await tx.raw("SELECT id, role, active FROM users WHERE username = \(bind: u)").first(),
                      try r.decode(column: "active", as: Int.self) != 0,
                      let role = Role(rawValue: try r.decode(column: "role", as: String.self)), role.can(.inspect) else {
                    throw AppError.validation(["members": "“\(u)”不是可用的督查员、社会监督员或管理员账号"])
                }
                userIDs.append(try r.decode(column: "id", as: Int64.self))
            }
            var draw: DrawRow?
            if let did = n.drawID {
                guard let d = try await tx.raw("SELECT * FROM draws WHERE id = \(bind: did)").first(decoding: DrawRow.self, with: .snakeCase),
                      d.status != "cancelled", scope.orgPath.contains(OrgPath(d.scopePath)!) || OrgPath(d.scopePath)!.contains(scope.orgPath) else {
                    throw AppError.validation(["draw": "所选抽签不存在、已取消或不在检查范围内"])
                }
                draw = d
            }
            var pointIDs: [Int64] = []
            for code in Set(n.pointCodes.map { $0.trimmed() }.filter { !$0.isEmpty }).sorted() {
                guard let r = try await tx.raw("SELECT id, territory_path, active FROM points WHERE code = \(bind: code)").first(),
                      try r.decode(column: "active", as: Int.self) != 0,
                      scope.orgPath.contains(OrgPath(try r.decode(column: "territory_path", as: String.self))!) else {
                    throw AppError.validation(["points": "点位“\(code)”不存在、已停用或不在检查范围内"])
                }
                pointIDs.append(try r.decode(column: "id", as: Int64.self))
            }
            let id = try await tx.raw("""
                INSERT INTO rounds (name, kind, scope_id, scope_path, start_date, end_date, draw_id, status, notes, created_by, created_at)
                VALUES (\(bind: name), \(bind: n.kind!.rawValue), \(bind: scope.id), \(bind: scope.path), \(bind: n.startDate), \(bind: n.endDate),
                  \(bind: n.drawID), 'open', \(bind: n.notes), \(bind: actor.userID), \(bind: now.epoch)) RETURNING id
                """).first()!.decode(column: "id", as: Int64.self)
            for u in userIDs { try await tx.raw("INSERT INTO round_members (round_id, user_id) VALUES (\(bind: id), \(bind: u))").run() }
            for pid in pointIDs { try await tx.raw("INSERT INTO round_points (round_id, point_id, via) VALUES (\(bind: id), \(bind: pid), 'chosen')").run() }
            if let d = draw, d.isDone {
                try await tx.raw("""
                    INSERT INTO round_points (round_id, point_id, via)
                    SELECT \(bind: id), k.point_id, 'draw' FROM draw_picks k JOIN points p ON p.id = k.point_id
                    WHERE k.draw_id = \(bind: d.id) AND p.territory_path >= \(bind: scope.path) AND p.territory_path < \(bind: scope.path + "~")
                    ON CONFLICT DO NOTHING
                    """).run()
            }
            try await Audit.record(tx, actor: actor, action: "create", entity: "round", entityID: id,
                                   summary: "创建\(n.kind!.label)“\(name)”，检查组 \(members.joined(separator: "、"))", scope: scope.orgPath, at: now, ip: actor.ip)
            return id
        }
    }

    public func close(_ id: Int64, actor: Identity) async throws {
        try actor.require(.manageRounds)
        let now = clock.now()
        try await db.write { tx in
            guard let r = try await Self.fetch(tx, id) else { throw AppError.notFound }
            try actor.requireScope(OrgPath(r.scopePath)!)
            guard r.isOpen else { throw AppError.conflict("该轮检查已经结束") }
            try await tx.raw("UPDATE rounds SET status = 'closed' WHERE id = \(bind: id)").run()
            try await Audit.record(tx, actor: actor, action: "close", entity: "round", entityID: id, summary: "结束检查“\(r.name)”", scope: OrgPath(r.scopePath)!, at: now, ip: actor.ip)
        }
    }

    public func members(_ id: Int64, actor: Identity) async throws -> [(id: Int64, name: String, username: String)] {
        _ = try await get(id, actor: actor)
        return try await db.read { db in
            try await db.raw("SELECT u.id, u.display_name, u.username FROM round_members m JOIN users u ON u.id = m.user_id WHERE m.round_id = \(bind: id) ORDER BY u.username").all().map {
                (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "display_name", as: String.self), try $0.decode(column: "username", as: String.self))
            }
        }
    }

    public func roundPoints(_ id: Int64, actor: Identity) async throws -> [RoundPointItem] {
        _ = try await get(id, actor: actor)
        return try await db.read { db in
            try await db.raw("""
                \(unsafeRaw: PointService.columns), rp.via, v.full_h, v.lost_h, v.inspector_name, v.visited_at
                FROM round_points rp JOIN points p ON p.id = rp.point_id JOIN point_categories c ON c.id = p.category_id JOIN orgs t ON t.id = p.territory_id
                LEFT JOIN orgs a ON a.id = p.adopter_id LEFT JOIN visits v ON v.round_id = rp.round_id AND v.point_id = rp.point_id
                WHERE rp.round_id = \(bind: id) ORDER BY c.code, p.code
                """).all().map { r in
                RoundPointItem(point: try PointService.item(r), via: try r.decode(column: "via", as: String.self),
                               visited: try r.int64OrNil("visited_at") != nil,
                               full: try r.intOrNil("full_h") ?? 0, lost: try r.intOrNil("lost_h") ?? 0,
                               inspector: try r.stringOrNil("inspector_name"), visitedAt: try r.int64OrNil("visited_at"))
            }
        }
    }

    /// Whether `actor` may record in the round: a team member, or an administrator whose scope holds it.
    static func mayRecord(_ db: any SQLDatabase, _ r: RoundRow, _ actor: Identity) async throws {
        if actor.can(.manageRounds) && actor.inScope(OrgPath(r.scopePath)!) { return }
        guard actor.can(.inspect), try await isMember(db, r.id, actor.userID) else { throw AppError.forbidden("只有本轮检查组成员可以录入检查结果") }
    }

    public struct Verdict: Sendable {
        public var standardID: Int64
        public var code: String          // pass | fail | deduct
        public var deduction: String
        public var note: String
        public var caseType: String
        public init(standardID: Int64, code: String, deduction: String = "", note: String = "", caseType: String = "") {
            self.standardID = standardID; self.code = code; self.deduction = deduction; self.note = note; self.caseType = caseType
        }
    }

    public struct Visit: Sendable {
        public var verdicts: [Verdict]
        public var notes: String
        public var latitude: Double?
        public var longitude: Double?
        public var recordsOK: Bool?
        public var photos: [Upload]
        public init(verdicts: [Verdict], notes: String, latitude: Double?, longitude: Double?, recordsOK: Bool?, photos: [Upload]) {
            self.verdicts = verdicts; self.notes = notes; self.latitude = latitude; self.longitude = longitude; self.recordsOK = recordsOK; self.photos = photos
        }
    }

    /// Records a visit: every checklist standard judged; each failed or deducted one filed as a case at the
    /// point (routed to its adopting unit) with the visit's photos. One transaction.
    public func recordVisit(round roundID: Int64, point pointID: Int64, _ v: Visit, actor: Identity) async throws -> (visitID: Int64, cases: [CaseRow]) {
        let (round, point) = try await db.read { db -> (RoundRow, PointItem) in
            let r = try await visible(db, roundID, actor)
            try await Self.mayRecord(db, r, actor)
            guard try await db.raw("SELECT 1 AS x FROM round_points WHERE round_id = \(bind: roundID) AND point_id = \(bind: pointID)").first() != nil,
                  let p = try await db.raw("\(unsafeRaw: PointService.select) WHERE p.id = \(bind: pointID)").first() else { throw AppError.notFound }
            return (r, try PointService.item(p))
        }
        guard round.isOpen else { throw AppError.conflict("该轮检查已经结束，不能再录入") }
        let checklist = try await points.checklist(categoryName: point.categoryName)
        let category = try await points.categories().first { $0.id == point.p.categoryId }
        let types = try await cases.types()
        let st = try await settings.current()
        var problems: [String: String] = [:]
        var judged: [(ChecklistItem, ItemVerdict, Verdict)] = []
        for item in checklist {
            guard let given = v.verdicts.first(where: { $0.standardID == item.id }) else { problems["item\(item.id)"] = "“\(item.code) \(item.title)”未评价"; continue }
            let (verdict, problem) = ItemVerdict.parse(given.code, deduction: given.deduction, full: item.score)
            if let problem { problems["item\(item.id)"] = "\(item.code)：\(problem)"; continue }
            if verdict!.isProblem {
                if given.note.trimmed().isEmpty { problems["note\(item.id)"] = "\(item.code)：不合格或扣分须写明问题" }
                if !types.contains(where: { $0.code == given.caseType && $0.active != 0 }) { problems["type\(item.id)"] = "\(item.code)：请选择问题类型" }
            }
            judged.append((item, verdict!, given))
        }
        if checklist.isEmpty { problems["checklist"] = "该点位类型在现行测评体系中没有实地考察标准，无法检查" }
        if category?.checkRecords == true && v.recordsOK == nil { problems["records"] = "该类点位须查看活动记录、投诉记录，请选择查看结果" }
        if v.notes.count > 2000 { problems["notes"] = "备注不能超过 2000 字" }
        if v.photos.count > st.casePhotosMax { problems["photos"] = "照片最多 \(st.casePhotosMax) 张" }
        if let la = v.latitude, let lo = v.longitude, !(la >= -90 && la <= 90 && lo >= -180 && lo <= 180) { problems["latitude"] = "定位不正确" }
        if !problems.isEmpty { throw AppError.validation(problems) }
        let checked = try await files.check(v.photos, allowed: CaseService.photoKinds, allowedDescription: CaseService.photoKindsText)
        let now = clock.now()
        // Placing and routing by the point (its adopting unit first), read before the transaction.
        let tree = try await db.orgTree()
        let (territory, adopter) = try CaseService.pointPlace(tree, territoryID: point.p.territoryId, adopterID: point.p.adopterId)
        var filings: [(ChecklistItem, CaseService.Filing)] = []
        for (item, verdict, given) in judged where verdict.isProblem {
            let type = types.first { $0.code == given.caseType }!
            let routed = tree.route(departmentCode: type.departmentCode, territory: territory, pointAdopter: adopter)
            let draft = CaseDraft(source: round.roundKind.caseSource, typeCode: type.code,
                                  description: "【\(round.roundKind.label)·\(point.p.name)】\(item.code) \(item.title)：\(given.note.trimmed())",
                                  address: point.p.address.isEmpty ? point.p.name : point.p.address,
                                  latitude: point.p.latitude ?? v.latitude, longitude: point.p.longitude ?? v.longitude, urgency: .normal)
            filings.append((item, CaseService.Filing(draft: draft, type: type, territory: territory, routed: routed, standardID: item.id, pointID: pointID, dispatchDue: nil)))
        }
        let full = checklist.reduce(0) { $0 + $1.score.hundredths }
        let judgedItems = judged, filed = filings
        let lost = judged.reduce(0) { $0 + $1.1.lost(of: $1.0.score).hundredths }
        return try await files.withStored(checked) { stored in
            try await db.write { tx in
                guard try await Self.fetch(tx, roundID)?.isOpen == true else { throw AppError.conflict("该轮检查已经结束，不能再录入") }
                if try await tx.raw("SELECT id FROM visits WHERE round_id = \(bind: roundID) AND point_id = \(bind: pointID)").first() != nil {
                    throw AppError.conflict("该点位在本轮已录入检查结果")
                }
                let visitID = try await tx.raw("""
                    INSERT INTO visits (round_id, point_id, inspector_id, inspector_name, visited_at, lat_e6, lng_e6, notes, records_ok, full_h, lost_h)
                    VALUES (\(bind: roundID), \(bind: pointID), \(bind: actor.userID), \(bind: actor.displayName), \(bind: now.epoch),
                      \(bind: PointService.e6(v.latitude)), \(bind: PointService.e6(v.longitude)), \(bind: v.notes), \(bind: v.recordsOK.map { $0 ? 1 : 0 }),
                      \(bind: full), \(bind: lost)) RETURNING id
                    """).first()!.decode(column: "id", as: Int64.self)
                for f in stored { try await FileStore.attach(tx, f, ownerKind: "visit", ownerID: visitID, orgID: territory.id, phase: "before", actor: actor, now: now) }
                var made: [CaseRow] = []
                for (item, verdict, given) in judgedItems {
                    var caseRow: CaseRow?
                    if verdict.isProblem, let filing = filed.first(where: { $0.0.id == item.id })?.1 {
                        let c = try await CaseService.file(tx, [.init(filing: filing, actor: actor, now: now, photos: stored)])[0]
                        made.append(c); caseRow = c
                    }
                    // 谁丢分谁负责: the point's adopting unit answers for its lost points, else the case's unit.
                    let unit = verdict.isProblem ? (adopter?.id ?? caseRow?.unitId) : nil
                    try await tx.raw("""
                        INSERT INTO visit_items (visit_id, round_id, point_id, standard_id, verdict, full_h, lost_h, note, unit_id, case_id)
                        VALUES (\(bind: visitID), \(bind: roundID), \(bind: pointID), \(bind: item.id), \(bind: verdict.code), \(bind: item.score.hundredths),
                          \(bind: verdict.lost(of: item.score).hundredths), \(bind: given.note), \(bind: unit), \(bind: caseRow?.id))
                        """).run()
                }
                try await Audit.record(tx, actor: actor, action: "visit", entity: "round", entityID: roundID,
                                       summary: "检查点位 \(point.p.code) \(point.p.name)：失分 \(Score(hundredths: lost))，生成案卷 \(made.count) 件",
                                       scope: territory.orgPath, at: now, ip: actor.ip)
                return (visitID, made)
            }
        }
    }

    public func visitItems(round roundID: Int64, point pointID: Int64, actor: Identity) async throws -> [VisitItemRow] {
        _ = try await get(roundID, actor: actor)
        return try await db.read { db in
            try await db.raw("""
                SELECT i.standard_id, n.code, n.title, i.verdict, i.full_h, i.lost_h, i.note, i.case_id, c.number
                FROM visit_items i JOIN index_nodes n ON n.id = i.standard_id LEFT JOIN cases c ON c.id = i.case_id
                WHERE i.round_id = \(bind: roundID) AND i.point_id = \(bind: pointID) ORDER BY i.id
                """).all().map {
                VisitItemRow(standardID: try $0.decode(column: "standard_id", as: Int64.self), code: try $0.decode(column: "code", as: String.self),
                             title: try $0.decode(column: "title", as: String.self), verdict: try $0.decode(column: "verdict", as: String.self),
                             full: try $0.decode(column: "full_h", as: Int.self), lost: try $0.decode(column: "lost_h", as: Int.self),
                             note: try $0.decode(column: "note", as: String.self), caseID: try $0.int64OrNil("case_id"),
                             caseNumber: try $0.stringOrNil("number"))
            }
        }
    }

    /// A member's overall impression (整体评价) of the round: the four aspects, 0–100 each; saved again replaces.
    public func saveImpression(round roundID: Int64, scores: [ImpressionAspect: String], actor: Identity) async throws {
        var p: [String: String] = [:]
        var values: [ImpressionAspect: Int] = [:]
        for a in ImpressionAspect.allCases {
            if let v = ImpressionAspect.parse(scores[a] ?? "") { values[a] = v } else { p[a.rawValue] = "“\(a.label)”须为 0–100 的整数" }
        }
        if !p.isEmpty { throw AppError.validation(p) }
        let now = clock.now()
        let given = values
        try await db.write { tx in
            let r = try await visible(tx, roundID, actor)
            guard actor.can(.inspect), try await Self.isMember(tx, roundID, actor.userID) else { throw AppError.forbidden("只有本轮检查组成员可以作整体评价") }
            guard r.isOpen else { throw AppError.conflict("该轮检查已经结束") }
            for (a, v) in given {
                try await tx.raw("""
                    INSERT INTO impressions (round_id, user_id, aspect, score, at) VALUES (\(bind: roundID), \(bind: actor.userID), \(bind: a.rawValue), \(bind: v), \(bind: now.epoch))
                    ON CONFLICT (round_id, user_id, aspect) DO UPDATE SET score = excluded.score, at = excluded.at
                    """).run()
            }
        }
    }

    // MARK: - Results

    public struct Results: Sendable {
        public var round: RoundRow
        public var items: [RoundScoring.Item]
        public var overall: Int?
        public var byCategory: [(key: String, score: Int, points: Int)]
        public var byStreet: [(key: String, score: Int, points: Int)]
        public var byDistrict: [(key: String, score: Int, points: Int)]
        public var byStandard: [(key: String, lost: Score, items: Int)]
        public var byUnit: [(key: String, lost: Score, items: Int)]
        public var impressions: [(aspect: ImpressionAspect, mean: Int?, count: Int)]
        public var previous: RoundRow?
        public var previousOverall: Int?
        public var previousByDistrict: [String: Int]
        public var visited: Int
        public var planned: Int
        public var cases: Int
    }

    static func items(_ db: any SQLDatabase, _ roundID: Int64) async throws -> [RoundScoring.Item] {
        try await db.raw("SELECT point_id, standard_id, full_h, lost_h, unit_id FROM visit_items WHERE round_id = \(bind: roundID)").all().map {
            RoundScoring.Item(pointID: try $0.decode(column: "point_id", as: Int64.self), standardID: try $0.decode(column: "standard_id", as: Int64.self),
                              full: Score(hundredths: try $0.decode(column: "full_h", as: Int.self)), lost: Score(hundredths: try $0.decode(column: "lost_h", as: Int.self)),
                              unitID: try $0.int64OrNil("unit_id"))
        }
    }

    /// Names for grouping: point → category, street (or the nearest territory above the grid) and district.
    static func pointGroups(_ db: any SQLDatabase, _ pointIDs: Set<Int64>) async throws -> [Int64: (category: String, street: String, district: String)] {
        guard !pointIDs.isEmpty else { return [:] }
        var out: [Int64: (String, String, String)] = [:]
        let ids = pointIDs.sorted().map(String.init).joined(separator: ",")
        let rows = try await db.raw("""
            SELECT p.id, p.territory_path, c.name AS category, COALESCE(d.name, '') AS district FROM points p
            JOIN point_categories c ON c.id = p.category_id LEFT JOIN orgs d ON d.id = p.district_id WHERE p.id IN (\(unsafeRaw: ids))
            """).all()
        var orgCache: [Int64: OrgRow] = [:]
        for r in rows {
            var street = ""
            for oid in OrgPath(try r.decode(column: "territory_path", as: String.self))!.ids {
                if orgCache[oid] == nil { orgCache[oid] = try await OrgService.fetch(db, id: oid) }
                if let o = orgCache[oid], [.street, .town].contains(o.orgKind) { street = o.name }
            }
            out[try r.decode(column: "id", as: Int64.self)] = (try r.decode(column: "category", as: String.self), street.isEmpty ? "（区县直属）" : street,
                                                              try r.decode(column: "district", as: String.self))
        }
        return out
    }

    public func results(_ roundID: Int64, actor: Identity) async throws -> Results {
        let round = try await get(roundID, actor: actor)
        return try await db.read { db in
            let items = try await Self.items(db, roundID)
            let groups = try await Self.pointGroups(db, Set(items.map(\.pointID)))
            var stdNames: [Int64: String] = [:], unitNames: [Int64: String] = [:]
            for id in Set(items.map(\.standardID)) {
                if let r = try await db.raw("SELECT code, title FROM index_nodes WHERE id = \(bind: id)").first() {
                    stdNames[id] = "\(try r.decode(column: "code", as: String.self)) \(try r.decode(column: "title", as: String.self))"
                }
            }
            for id in Set(items.compactMap(\.unitID)) { unitNames[id] = try await OrgService.fetch(db, id: id)?.name }
            let perPoint = Dictionary(grouping: items, by: \.pointID).compactMapValues(RoundScoring.pointScore)
            let byDistrict = RoundScoring.groupScores(items) { groups[$0]?.district }
            // The previous round of the same kind over the same territory.
            let prev = try await db.raw("""
                SELECT * FROM rounds WHERE kind = \(bind: round.kind) AND scope_id = \(bind: round.scopeId) AND id <> \(bind: round.id)
                  AND (start_date < \(bind: round.startDate) OR (start_date = \(bind: round.startDate) AND id < \(bind: round.id)))
                ORDER BY start_date DESC, id DESC LIMIT 1
                """).first(decoding: RoundRow.self, with: .snakeCase)
            var prevOverall: Int?, prevDistrict: [String: Int] = [:]
            if let prev {
                let pItems = try await Self.items(db, prev.id)
                let pGroups = try await Self.pointGroups(db, Set(pItems.map(\.pointID)))
                prevOverall = RoundScoring.mean(Array(Dictionary(grouping: pItems, by: \.pointID).compactMapValues(RoundScoring.pointScore).values))
                for g in RoundScoring.groupScores(pItems, group: { pGroups[$0]?.district }) { prevDistrict[g.key] = g.score }
            }
            var impressions: [(ImpressionAspect, Int?, Int)] = []
            let imp = try await db.raw("SELECT aspect, score FROM impressions WHERE round_id = \(bind: roundID)").all()
            for a in ImpressionAspect.allCases {
                let vals = try imp.filter { try $0.decode(column: "aspect", as: String.self) == a.rawValue }.map { try $0.decode(column: "score", as: Int.self) * 100 }
                impressions.append((a, RoundScoring.mean(vals), vals.count))
            }
            let planned = try await db.raw("SELECT COUNT(*) AS n FROM round_points WHERE round_id = \(bind: roundID)").first()!.decode(column: "n", as: Int.self)
            let nCases = try await db.raw("SELECT COUNT(*) AS n FROM visit_items WHERE round_id = \(bind: roundID) AND case_id IS NOT NULL").first()!.decode(column: "n", as: Int.self)
            return Results(
                round: round, items: items, overall: RoundScoring.mean(Array(perPoint.values)),
                byCategory: RoundScoring.groupScores(items) { groups[$0]?.category },
                byStreet: RoundScoring.groupScores(items) { groups[$0].map { "\($0.district) \($0.street)" } },
                byDistrict: byDistrict,
                byStandard: RoundScoring.lostBy(items) { stdNames[$0.standardID] },
                byUnit: RoundScoring.lostBy(items) { $0.unitID.map { unitNames[$0] ?? "#\($0)" } ?? "（未落实责任单位）" },
                impressions: impressions.map { (aspect: $0.0, mean: $0.1, count: $0.2) },
                previous: prev, previousOverall: prevOverall, previousByDistrict: prevDistrict,
                visited: perPoint.count, planned: planned, cases: nCases)
        }
    }
}

