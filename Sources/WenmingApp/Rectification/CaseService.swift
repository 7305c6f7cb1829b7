import Foundation
import SQLKit
import WenmingCore

public struct CaseRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var number: String
    public var source: String
    public var typeCode: String
    public var description: String
    public var address: String
    public var latE6: Int64?
    public var lngE6: Int64?
    public var territoryId: Int64
    public var territoryPath: String
    public var unitId: Int64?
    public var unitPath: String?
    public var routeVia: String
    public var standardId: Int64?
    public var pointId: Int64?
    public var urgency: String
    public var rule: String
    public var state: String
    public var reporterId: Int64?
    public var reporterName: String
    public var reportedAt: Int64
    public var dispatchDueAt: Int64?
    public var registeredAt: Int64?
    public var dispatchedAt: Int64?
    public var deadlineAt: Int64?
    public var fedBackAt: Int64?
    public var closedAt: Int64?
    public var pausedAt: Int64?
    public var pausedSeconds: Int64
    public var wasDeferred: Int
    public var reworkCount: Int
    public var closedOnTime: Int?
    public var escalation: Int
    public var updatedAt: Int64

    public var caseState: CaseState { CaseState(rawValue: state) ?? .reported }
    public var caseSource: CaseSource { CaseSource(rawValue: source) ?? .inspection }
    public var caseUrgency: CaseUrgency { CaseUrgency(rawValue: urgency) ?? .normal }
    public var level: EscalationLevel { EscalationLevel(rawValue: escalation) ?? .none }
    public var deadlineRule: DeadlineRule { DeadlineRule(code: rule) ?? .ordinary }
    public var latitude: Double? { latE6.map { Double($0) / 1_000_000 } }
    public var longitude: Double? { lngE6.map { Double($0) / 1_000_000 } }
    /// Overdue: with the unit (clock running) past its deadline.
    public func isOverdue(at now: Date) -> Bool {
        guard let d = deadlineAt else { return false }
        return CaseService.clockStates.contains(caseState) && d < now.epoch
    }
}

public struct CaseTypeRow: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var departmentCode: String
    public var rule: String
    public var urgentRule: String
    public var active: Int
    public var sort: Int
    public var def: CaseTypeDef {
        CaseTypeDef(code: code, name: name, departmentCode: departmentCode, rule: DeadlineRule(code: rule) ?? .ordinary,
                    urgentRule: DeadlineRule(code: urgentRule) ?? .onTheSpot)
    }
}

public struct CaseEventRow: Codable, Sendable { public var id: Int64; public var caseId: Int64; public var at: Int64; public var actorId: Int64?; public var actorName: String; public var action: String; public var fromState: String; public var toState: String; public var reason: String; public var unitId: Int64?; public var ip: String }
public struct NoticeRow: Codable, Sendable { public var id: Int64; public var number: String; public var caseId: Int64; public var unitId: Int64; public var unitPath: String; public var level: Int; public var overdueMinutes: Int64; public var issuedAt: Int64; public var summonsId: Int64? }
public struct SummonsRow: Codable, Sendable { public var id: Int64; public var unitId: Int64; public var unitPath: String; public var headName: String; public var reason: String; public var issuedAt: Int64; public var heldAt: Int64?; public var note: String }
public struct PlaqueRow: Codable, Sendable { public var period: String; public var unitId: Int64; public var reds: Int; public var yellows: Int; public var whites: Int; public var overdueOpen: Int; public var decidedAt: Int64; public var decidedBy: Int64? }

/// The rectification loop (问题整改): intake, routing, the lifecycle, deadlines in working time, escalation,
/// the ledger and unit metrics. The rules are WenmingCore's (`CaseFlow`, `Deadline`, `EscalationPolicy`, …);
/// this service stores and checks scope.
///
/// Visibility: a user sees a case when its territory is in the user's scope, when it has been dispatched to
/// a unit in the user's scope, or when the user reported it.
public struct CaseService: Sendable {
    let db: Database
    let clock: any Clock
    let settings: SettingsStore
    let files: FileStore
    let cache: CaseCache
    /// New cases arriving while the writer is busy are numbered and inserted together (`WriteGroup`).
    let intake: WriteGroup<Intake, CaseRow>

    public init(db: Database, clock: any Clock, settings: SettingsStore, files: FileStore) {
        self.db = db; self.clock = clock; self.settings = settings; self.files = files
        cache = CaseCache(clock: clock)
        intake = WriteGroup(db) { items, tx in try await Self.file(tx, items) }
    }

    /// States in which the unit's clock runs (deferral stops it).
    public static let clockStates: [CaseState] = [.dispatched, .processing, .rework, .transferRequested]
    static let openStates: [CaseState] = CaseState.allCases.filter { !$0.isFinished }
    /// A unit's open cases (dispatched to it and not finished), in the order of the index cases_unit_open's condition.
    static let unitOpenStates: [CaseState] = clockStates + [.deferred, .fedBack]
    static func sqlList(_ states: [CaseState]) -> String { states.map { "'\($0.rawValue)'" }.joined(separator: ",") }
    static let photoKinds: Set<FileKind> = [.jpeg, .png, .webp, .heic]
    static let photoKindsText = "JPEG、PNG、WebP、HEIC 图片"

    /// Column by column rather than through `Codable` with key conversion: the ledger export decodes 100,000 rows.
    static func decode(_ r: any SQLRow) throws -> CaseRow {
        func v<T: Decodable>(_ c: String, _ t: T.Type = T.self) throws -> T { try r.decode(column: c, as: T.self) }
        func v(_ c: String) throws -> Int64? { try r.int64OrNil(c) }
        func v(_ c: String) throws -> Int? { try r.intOrNil(c) }
        func v(_ c: String) throws -> String? { try r.stringOrNil(c) }
        return CaseRow(
            id: try v("id"), number: try v("number"), source: try v("source"), typeCode: try v("type_code"), description: try v("description"),
            address: try v("address"), latE6: try v("lat_e6"), lngE6: try v("lng_e6"), territoryId: try v("territory_id"), territoryPath: try v("territory_path"),
            unitId: try v("unit_id"), unitPath: try v("unit_path"), routeVia: try v("route_via"), standardId: try v("standard_id"), pointId: try v("point_id"),
            urgency: try v("urgency"), rule: try v("rule"), state: try v("state"), reporterId: try v("reporter_id"), reporterName: try v("reporter_name"),
            reportedAt: try v("reported_at"), dispatchDueAt: try v("dispatch_due_at"), registeredAt: try v("registered_at"), dispatchedAt: try v("dispatched_at"),
            deadlineAt: try v("deadline_at"), fedBackAt: try v("fed_back_at"), closedAt: try v("closed_at"), pausedAt: try v("paused_at"),
            pausedSeconds: try v("paused_seconds"), wasDeferred: try v("was_deferred"), reworkCount: try v("rework_count"), closedOnTime: try v("closed_on_time"),
            escalation: try v("escalation"), updatedAt: try v("updated_at"))
    }

    // MARK: - Calendar and taxonomy

    /// The working calendar: default hours and weekends plus the imported holidays and 调休 days.
    public func calendar() async throws -> WorkCalendar {
        if let c = cache.calendar() { return c }
        let rows = try await db.read { try await $0.raw("SELECT day, kind, name FROM holidays").all() }
        var sched = HolidaySchedule()
        for r in rows {
            let day = try r.decode(column: "day", as: String.self)
            if try r.decode(column: "kind", as: String.self) == HolidayKind.workday.rawValue { sched.workdays.insert(day) } else { sched.holidays.insert(day) }
            sched.names[day] = try r.decode(column: "name", as: String.self)
        }
        let cal = WorkCalendar().adding(sched)
        cache.store(calendar: cal)
        return cal
    }

    public struct HolidayRow: Codable, Sendable { public var day: String; public var kind: String; public var name: String }

    public func holidays(year: Int) async throws -> [HolidayRow] {
        try await db.read { db in
            try await db.raw("SELECT day, kind, name FROM holidays WHERE day >= \(bind: "\(year)-01-01") AND day <= \(bind: "\(year)-12-31") ORDER BY day").all()
                .map { try $0.decode(model: HolidayRow.self) }
        }
    }

    /// Imports a holiday sheet (日期/类型/名称). The years the sheet covers are replaced as a whole; one transaction.
    public func importHolidays(_ table: Table, actor: Identity) async throws -> (days: Int, years: [Int]) {
        try actor.require(.manageCases)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("节假日安排由市级创文办导入") }
        let (sched, issues) = WorkCalendar.parseHolidays(table)
        if !issues.isEmpty { throw AppError.importFailed(issues) }
        let all = sched.holidays.union(sched.workdays)
        if all.isEmpty { throw AppError.badRequest("文件里没有日期") }
        let years = Array(Set(all.compactMap { Int($0.prefix(4)) })).sorted()
        let now = clock.now()
        try await db.write { tx in
            for y in years { try await tx.raw("DELETE FROM holidays WHERE day >= \(bind: "\(y)-01-01") AND day <= \(bind: "\(y)-12-31")").run() }
            for d in all.sorted() {
                let kind = sched.workdays.contains(d) ? HolidayKind.workday : HolidayKind.holiday
                try await tx.raw("INSERT INTO holidays (day, kind, name) VALUES (\(bind: d), \(bind: kind.rawValue), \(bind: sched.names[d] ?? ""))").run()
            }
            try await Audit.record(tx, actor: actor, action: "import", entity: "holidays", entityID: nil,
                                   summary: "导入 \(years.map(String.init).joined(separator: "、")) 年节假日安排：\(sched.holidays.count) 天放假，\(sched.workdays.count) 天调休上班",
                                   scope: actor.orgPath, at: now)
        }
        cache.clear()
        return (all.count, years)
    }

    public func types(includeInactive: Bool = false) async throws -> [CaseTypeRow] {
        let rows: [CaseTypeRow]
        if let t = cache.types() { rows = t } else {
            rows = try await db.read { db in
                try await db.raw("SELECT * FROM case_types ORDER BY sort, code").all().map { try $0.decode(model: CaseTypeRow.self, with: .snakeCase) }
            }
            cache.store(types: rows)
        }
        return includeInactive ? rows : rows.filter { $0.active != 0 }
    }

    /// Adds or edits a problem type (city office only).
    public func saveType(code: String, name: String, departmentCode: String, rule: String, urgentRule: String, active: Bool, actor: Identity) async throws {
        try actor.require(.manageCases)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("问题类型由市级创文办维护") }
        let code = code.trimmed().uppercased(), name = name.trimmed()
        let dept = departmentCode.trimmed()
        var p: [String: String] = [:]
        if code.isEmpty || code.count > 20 || !code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) { p["code"] = "类型编码须为 1–20 位字母、数字或“-”" }
        if name.isEmpty || name.count > 40 { p["name"] = "类型名称须为 1–40 字" }
        guard let r = DeadlineRule(code: rule), let u = DeadlineRule(code: urgentRule) else {
            p["rule"] = "处置时限写作 h24（24 自然小时）、d3（3 个工作日）或 m90（90 分钟工作时间）"
            throw AppError.validation(p)
        }
        if !p.isEmpty { throw AppError.validation(p) }
        let now = clock.now()
        try await db.write { tx in
            if !dept.isEmpty {
                guard let o = try await OrgService.fetch(tx, code: dept), o.orgKind.family == .unit else { throw AppError.validation(["department": Msg.unknownUnit(dept)]) }
            }
            let exists = try await tx.raw("SELECT code FROM case_types WHERE code = \(bind: code)").first() != nil
            if exists {
                try await tx.raw("UPDATE case_types SET name = \(bind: name), department_code = \(bind: dept), rule = \(bind: r.code), urgent_rule = \(bind: u.code), active = \(bind: active ? 1 : 0) WHERE code = \(bind: code)").run()
            } else {
                let sort = try await tx.raw("SELECT COALESCE(MAX(sort), 0) + 1 AS s FROM case_types").first()!.decode(column: "s", as: Int.self)
                try await tx.raw("INSERT INTO case_types (code, name, department_code, rule, urgent_rule, active, sort) VALUES (\(bind: code), \(bind: name), \(bind: dept), \(bind: r.code), \(bind: u.code), \(bind: active ? 1 : 0), \(bind: sort))").run()
            }
            try await Audit.record(tx, actor: actor, action: exists ? "update" : "create", entity: "case_type", entityID: nil,
                                   summary: "\(exists ? "修改" : "新增")问题类型 \(code) \(name)（\(r.label)，紧急 \(u.label)）", scope: actor.orgPath, at: now)
        }
        cache.clear()
    }

    // MARK: - Numbering and counters

    static func nextNumber(_ tx: any SQLDatabase, name: String) async throws -> Int64 {
        try await nextNumbers(tx, name: name, count: 1)
    }

    /// Takes the next `count` numbers of the sequence `name` (1, 2, 3, … per name) and returns the first of them.
    static func nextNumbers(_ tx: any SQLDatabase, name: String, count: Int) async throws -> Int64 {
        let last = try await tx.raw("""
            INSERT INTO sequences (name, last) VALUES (\(bind: name), \(bind: Int64(count)))
            ON CONFLICT (name) DO UPDATE SET last = sequences.last + \(bind: Int64(count)) RETURNING last
            """).first()!.decode(column: "last", as: Int64.self)
        return last - Int64(count) + 1
    }

    static let eventColumns = ["case_id", "at", "actor_id", "actor_name", "action", "from_state", "to_state", "reason", "unit_id", "ip"]

    static func eventRow(_ caseID: Int64, actor: Identity?, action: String, from: String, to: String, reason: String, unitID: Int64?, now: Date) -> [any Encodable & Sendable] {
        [caseID, now.epoch, actor?.userID, actor?.signature ?? "系统", action, from, to, reason, unitID, actor?.ip ?? ""]
    }

    static func event(_ tx: any SQLDatabase, _ caseID: Int64, actor: Identity?, action: String, from: String, to: String, reason: String, unitID: Int64?, now: Date) async throws {
        try await tx.raw(.insert("case_events", eventColumns, [eventRow(caseID, actor: actor, action: action, from: from, to: to, reason: reason, unitID: unitID, now: now)])).run()
    }

    // MARK: - Dispatch

    /// Where a case may be sent: an active unit, or a street/town/community (属地) — not a city or district.
    static func target(_ db: any SQLDatabase, code: String) async throws -> OrgRow {
        guard let o = try await OrgService.fetch(db, code: code.trimmed()), o.isActive,
              o.orgKind.family == .unit || [.street, .town, .community, .village].contains(o.orgKind) else {
            throw AppError.validation(["unit": "“\(code)”不是可以承办案卷的单位或街道社区"])
        }
        return o
    }

    // MARK: - Intake

    public struct Report: Sendable {
        public var draft: CaseDraft
        /// The grid, community or street where the problem is; nil: the reporter's own territory.
        public var territoryID: Int64?
        public var standardID: Int64?
        /// The inspection point where the problem is: it places the case in the point's territory and routes it
        /// to the point's adopting unit.
        public var pointID: Int64?
        public var photos: [Upload]
        public init(draft: CaseDraft, territoryID: Int64?, standardID: Int64? = nil, pointID: Int64? = nil, photos: [Upload] = []) {
            self.draft = draft; self.territoryID = territoryID; self.standardID = standardID; self.pointID = pointID; self.photos = photos
        }
    }

    /// What a new case needs besides its draft, once placed and routed.
    struct Filing: Sendable {
        var draft: CaseDraft
        var type: CaseTypeRow
        var territory: OrgRow
        var routed: (OrgRow, RouteVia)?
        var standardID: Int64?
        var pointID: Int64?
        var dispatchDue: Int64?
    }

    /// A new case to number and insert: its filing, who reports it and when, and its photos (before), already stored.
    struct Intake: Sendable {
        var filing: Filing
        var actor: Identity
        var now: Date
        var photos: [FileStore.Stored] = []
    }

    static let intakeColumns = ["number", "source", "type_code", "description", "address", "lat_e6", "lng_e6", "territory_id", "territory_path",
                                "unit_id", "unit_path", "route_via", "standard_id", "point_id", "urgency", "rule", "state", "reporter_id",
                                "reporter_name", "reported_at", "dispatch_due_at", "updated_at"]

    /// Numbers and inserts new cases with their first events and photos, inside the caller's transaction, and returns
    /// them as stored, in order. However many cases there are, it takes one statement for each year's numbers, one for
    /// the cases and one for the events (plus one per photo): on PostgreSQL each statement is a round trip.
    static func file(_ tx: any SQLDatabase, _ intakes: [Intake]) async throws -> [CaseRow] {
        guard !intakes.isEmpty else { return [] }
        let greg = Calendar.gregorian(WorkCalendar.shanghai)
        let years = intakes.map { greg.component(.year, from: $0.now) }
        var next: [Int: Int64] = [:]
        // Years in order, so that two writers never take two years' sequence rows in opposite orders.
        for year in Set(years).sorted() {
            next[year] = try await nextNumbers(tx, name: "case-\(year)", count: years.count { $0 == year })
        }
        let numbers = years.map { year in
            defer { next[year]! += 1 }
            return CaseNumber.format(year: year, sequence: next[year]!)
        }
        let rows: [[any Encodable & Sendable]] = zip(intakes, numbers).map { i, number in
            let f = i.filing, d = f.draft
            return [number, d.source.rawValue, f.type.code, d.description.trimmed(), d.address.trimmed(),
                    PointService.e6(d.latitude), PointService.e6(d.longitude),
                    f.territory.id, f.territory.path, f.routed?.0.id, f.routed?.0.path, f.routed?.1.rawValue ?? "", f.standardID, f.pointID,
                    d.urgency.rawValue, f.type.def.rule(for: d.urgency).code, CaseState.reported.rawValue, i.actor.userID,
                    i.actor.signature, i.now.epoch, f.dispatchDue, i.now.epoch]
        }
        let inserted = try await tx.raw(.insert("cases", intakeColumns, rows, suffix: " RETURNING *")).all().map(decode)
        // RETURNING does not promise the rows' order: each case is found again by its number.
        let byNumber = Dictionary(inserted.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        let cases = try numbers.map { n in
            guard let c = byNumber[n] else { throw DatabaseError.groupMismatch(items: numbers.count, outputs: inserted.count) }
            return c
        }
        let events = zip(intakes, cases).map { i, c in
            eventRow(c.id, actor: i.actor, action: "report", from: "", to: CaseState.reported.rawValue,
                     reason: i.filing.routed.map { "建议承办：\($0.0.name)（\($0.1.label)）" } ?? "", unitID: c.unitId, now: i.now)
        }
        try await tx.raw(.insert("case_events", eventColumns, events)).run()
        for (i, c) in zip(intakes, cases) {
            for f in i.photos {
                try await FileStore.attach(tx, f, ownerKind: "case", ownerID: c.id, orgID: i.filing.territory.id, phase: "before", actor: i.actor, now: i.now)
            }
        }
        return cases
    }

    /// A point's territory and adopting unit (when it is active), for placing and routing a case found there.
    static func pointPlace(_ tree: OrgTree, territoryID: Int64?, adopterID: Int64?) throws -> (territory: OrgRow, adopter: OrgRow?) {
        guard let tid = territoryID, let t = tree.org(tid) else { throw AppError.validation(["point": "所选点位不存在"]) }
        return (t, adopterID.flatMap { tree.org($0) }.flatMap { $0.isActive ? $0 : nil })
    }

    /// Where a point is, as a new case at it needs to know.
    struct PointPlace: Sendable {
        var address: String
        var latitude, longitude: Double?
        var territoryID: Int64
        var adopterID: Int64?
    }

    /// Files a new case (信息采集): validated, placed in its territory, routed to a proposed unit, numbered,
    /// and recorded — one transaction. Returns the case as stored.
    public func report(_ r: Report, actor: Identity) async throws -> CaseRow {
        try actor.require(.reportCases)
        var draft = r.draft
        // At a point, its address and position stand in for the ones the reporter left out.
        let point = try await r.pointID.asyncMap { pid in
            try await db.read { db -> PointPlace? in
                try await db.raw("SELECT name, address, lat_e6, lng_e6, territory_id, adopter_id FROM points WHERE id = \(bind: pid)").first().map {
                    let address = try $0.decode(column: "address", as: String.self)
                    return PointPlace(address: address.isEmpty ? try $0.decode(column: "name", as: String.self) : address,
                                      latitude: try $0.int64OrNil("lat_e6").map { Double($0) / 1_000_000 },
                                      longitude: try $0.int64OrNil("lng_e6").map { Double($0) / 1_000_000 },
                                      territoryID: try $0.decode(column: "territory_id", as: Int64.self), adopterID: try $0.int64OrNil("adopter_id"))
                }
            }
        } ?? nil
        if let p = point, draft.address.trimmed().isEmpty, draft.latitude == nil, draft.longitude == nil {
            draft.address = p.address
            draft.latitude = p.latitude
            draft.longitude = p.longitude
        }
        let types = try await types()
        var problems = draft.problems(knownTypes: Set(types.map(\.code)))
        if !CaseSource.allowed(for: actor.role).contains(draft.source) { problems["source"] = "您不能以“\(draft.source.label)”来源上报" }
        let s = try await settings.current()
        if r.photos.count > s.casePhotosMax { problems["photos"] = "照片最多 \(s.casePhotosMax) 张" }
        if !problems.isEmpty { throw AppError.validation(problems) }
        let type = types.first { $0.code == draft.typeCode }!
        let checked = try await files.check(r.photos, allowed: Self.photoKinds, allowedDescription: Self.photoKindsText)
        let now = clock.now()
        let dispatchDue: Int64? = draft.urgency == .urgent ? now.epoch + Int64(s.urgentDispatchMinutes * 60) : nil
        // Placing and routing read the org tree in memory; the writer's transaction holds just the numbering and the
        // inserts (with one SQLite writer, its time is the intake's ceiling).
        let tree = try await db.orgTree()
        let territory: OrgRow
        var adopter: OrgRow?
        if r.pointID != nil {
            (territory, adopter) = try Self.pointPlace(tree, territoryID: point?.territoryID, adopterID: point?.adopterID)
        } else if let tid = r.territoryID {
            guard let t = tree.org(tid), t.isActive else { throw AppError.validation(["territory": "所选位置不存在"]) }
            territory = t
        } else {
            guard let t = tree.org(actor.orgID) else { throw AppError.notFound }
            territory = t
        }
        guard territory.orgKind.family == .territory, territory.orgKind != .city else {
            throw AppError.validation(["territory": "请选择问题所在的区县、街道、社区或网格"])
        }
        try actor.requireScope(territory.orgPath)
        if let sid = r.standardID {
            guard try await db.read({ try await $0.raw("SELECT id FROM index_nodes WHERE id = \(bind: sid) AND level = \(bind: IndexLevel.standard.rawValue)").first() }) != nil else {
                throw AppError.validation(["standard": "所选测评标准不存在"])
            }
        }
        let routed = tree.route(departmentCode: type.departmentCode, territory: territory, pointAdopter: adopter)
        let filing = Filing(draft: draft, type: type, territory: territory, routed: routed, standardID: r.standardID, pointID: r.pointID, dispatchDue: dispatchDue)
        return try await files.withStored(checked) { stored in
            try await intake.submit(Intake(filing: filing, actor: actor, now: now, photos: stored))
        }
    }

    // MARK: - Visibility

    /// Whether `actor` may see `c`: reporters always see their own; otherwise viewCases and the scope rule.
    static func canSee(_ c: CaseRow, _ actor: Identity) -> Bool {
        if c.reporterId == actor.userID { return true }
        guard actor.can(.viewCases) else { return false }
        if actor.inScope(OrgPath(c.territoryPath)!) { return true }
        if c.dispatchedAt != nil, let up = c.unitPath.flatMap(OrgPath.init), actor.inScope(up) { return true }
        return false
    }

    static func visible(_ db: any SQLDatabase, id: Int64, actor: Identity) async throws -> CaseRow {
        guard let c = try await db.raw("SELECT * FROM cases WHERE id = \(bind: id)").first().map(decode) else { throw AppError.notFound }
        guard canSee(c, actor) else { throw AppError.forbidden(Msg.outOfScope) }
        return c
    }

    public func get(_ id: Int64, actor: Identity) async throws -> CaseRow {
        try await db.read { try await Self.visible($0, id: id, actor: actor) }
    }

    public func events(_ id: Int64, actor: Identity) async throws -> [CaseEventRow] {
        try await db.read { db in
            _ = try await Self.visible(db, id: id, actor: actor)
            return try await db.raw("SELECT * FROM case_events WHERE case_id = \(bind: id) ORDER BY id").all()
                .map { try $0.decode(model: CaseEventRow.self, with: .snakeCase) }
        }
    }

    public func photos(_ id: Int64, actor: Identity) async throws -> [(AttachmentRow, String)] {
        try await db.read { db in
            _ = try await Self.visible(db, id: id, actor: actor)
            return try await db.raw("SELECT * FROM attachments WHERE owner_kind = 'case' AND owner_id = \(bind: id) ORDER BY id").all()
                .map { (try $0.decode(model: AttachmentRow.self, with: .snakeCase), try $0.decode(column: "phase", as: String.self)) }
        }
    }

    /// A case photo, only for users who may see the case.
    public func photo(caseID: Int64, photoID: Int64, actor: Identity) async throws -> (AttachmentRow, Data) {
        let a = try await db.read { db -> AttachmentRow in
            _ = try await Self.visible(db, id: caseID, actor: actor)
            guard let a = try await db.raw("SELECT * FROM attachments WHERE id = \(bind: photoID) AND owner_kind = 'case' AND owner_id = \(bind: caseID)").first() else { throw AppError.notFound }
            return try a.decode(model: AttachmentRow.self, with: .snakeCase)
        }
        guard let data = files.read(a.storedPath) else { throw AppError.notFound }
        return (a, data)
    }

    // MARK: - The lifecycle

    /// Checks that `actor` may take `action` on `c`: the side (office / unit / reporter), the permission, and the scope.
    static func authorize(_ c: CaseRow, _ action: CaseAction, _ actor: Identity) throws {
        switch action.actor {
        case .office:
            let ok = (action == .pass || action == .fail) ? (actor.can(.verifyCases) || actor.can(.manageCases)) : actor.can(.manageCases)
            guard ok else { throw AppError.forbidden("“\(action.label)”须由创文办\((action == .pass || action == .fail) ? "或督查员" : "")办理") }
            try actor.requireScope(OrgPath(c.territoryPath)!)
        case .unit:
            guard actor.can(.handleCases) else { throw AppError.forbidden("“\(action.label)”须由责任单位办理") }
            guard let up = c.unitPath.flatMap(OrgPath.init), c.dispatchedAt != nil, actor.inScope(up) else { throw AppError.forbidden("这件案卷不是派给您单位的") }
        case .reporter:
            guard c.reporterId == actor.userID else { throw AppError.forbidden("只有上报人可以撤回") }
        }
    }

    public struct Step: Sendable {
        public var action: CaseAction
        public var reason: String
        /// For 派遣 and 改派: the unit's code; empty keeps the proposed unit.
        public var unitCode: String
        public var photos: [Upload]
        public init(_ action: CaseAction, reason: String = "", unitCode: String = "", photos: [Upload] = []) {
            self.action = action; self.reason = reason; self.unitCode = unitCode; self.photos = photos
        }
    }

    /// Takes one step of the lifecycle: checked against the state machine, the actor's side and scope, the
    /// reason and photos it needs; its effects on the clock; one transaction with the event (the counters
    /// follow by trigger).
    @discardableResult
    public func act(_ id: Int64, _ step: Step, actor: Identity) async throws -> CaseRow {
        try await act(id, steps: [step], actor: actor)
    }

    /// Several steps on one case in one transaction (立案并派遣): all are taken, or none.
    @discardableResult
    public func act(_ id: Int64, steps: [Step], actor: Identity) async throws -> CaseRow {
        try actor.require(.reportCases)  // every role that acts on cases has it; leaders only read
        let s = try await settings.current()
        var checked: [[(Upload, FileKind)]] = []
        for step in steps {
            if step.photos.count > s.casePhotosMax { throw AppError.validation(["photos": "照片最多 \(s.casePhotosMax) 张"]) }
            checked.append(try await files.check(step.photos, allowed: Self.photoKinds, allowedDescription: Self.photoKindsText))
        }
        let cal = try await calendar()
        let types = try await types(includeInactive: true)
        let now = clock.now()
        let counts = checked.map(\.count)
        return try await files.withStored(checked.flatMap { $0 }) { stored in
            try await db.write { tx in
                var last: CaseRow?
                var offset = 0
                for (i, step) in steps.enumerated() {
                    let mine = Array(stored[offset..<(offset + counts[i])])
                    offset += counts[i]
                    last = try await Self.apply(tx, id: id, step: step, stored: mine, calendar: cal, types: types, now: now, actor: actor)
                }
                guard let last else { throw AppError.badRequest(Msg.malformedRequest) }
                return last
            }
        }
    }

    /// One step inside a transaction.
    static func apply(_ tx: any SQLDatabase, id: Int64, step: Step, stored: [FileStore.Stored], calendar cal: WorkCalendar, types: [CaseTypeRow],
                      now: Date, actor: Identity) async throws -> CaseRow {
        let c = try await Self.visible(tx, id: id, actor: actor)
        try Self.authorize(c, step.action, actor)
        let side = step.action.actor
        if let p = CaseFlow.problem(c.caseState, step.action, reason: step.reason, hasAfterPhotos: !stored.isEmpty, actor: side) {
            throw AppError.conflict(p)
        }
        let to = CaseFlow.next(c.caseState, step.action)!
        var u = c
        u.state = to.rawValue
        u.updatedAt = now.epoch
        let type = types.first { $0.code == c.typeCode }
        func restartClock() {
            u.dispatchedAt = now.epoch
            u.deadlineAt = Deadline.deadline(from: now, rule: c.deadlineRule, pauses: [], calendar: cal)?.epoch
            u.pausedSeconds = 0
            u.escalation = 0
        }
        switch step.action {
        case .register:
            u.registeredAt = now.epoch
        case .dispatch, .reassign:
            var target: OrgRow?
            if !step.unitCode.isEmpty {
                target = try await Self.target(tx, code: step.unitCode)
                try actor.requireScope(target!.orgPath)
                // Confirming the proposed unit is not an override.
                if target!.id != c.unitId { u.routeVia = RouteVia.manual.rawValue }
            } else if step.action == .dispatch, let uid = c.unitId {
                target = try await OrgService.fetch(tx, id: uid)
            }
            guard let t = target else { throw AppError.validation(["unit": step.action == .reassign ? "改派须选择新的承办单位" : "请选择承办单位"]) }
            if step.action == .reassign && t.id == c.unitId { throw AppError.validation(["unit": "改派须选择另一个单位"]) }
            u.unitId = t.id
            u.unitPath = t.path
            restartClock()
            if type == nil { throw AppError.conflict("案卷的问题类型已不存在") }
        case .feedback:
            u.fedBackAt = now.epoch
        case .pass:
            u.closedAt = now.epoch
            u.closedOnTime = (u.deadlineAt.map { now.epoch <= $0 } ?? true) ? 1 : 0
        case .fail:
            u.reworkCount += 1
        case .postpone:
            u.pausedAt = now.epoch
            u.wasDeferred = 1
            try await tx.raw("INSERT INTO case_pauses (case_id, started_at) VALUES (\(bind: c.id), \(bind: now.epoch))").run()
        case .resume:
            try await tx.raw("UPDATE case_pauses SET ended_at = \(bind: now.epoch) WHERE case_id = \(bind: c.id) AND ended_at IS NULL").run()
            let pauses = try await tx.raw("SELECT started_at, ended_at FROM case_pauses WHERE case_id = \(bind: c.id)").all().map {
                Pause(start: Date(epoch: try $0.decode(column: "started_at", as: Int64.self)), end: try $0.int64OrNil("ended_at").map { Date(epoch: $0) })
            }
            if let d = c.dispatchedAt {
                let since = pauses.filter { $0.start.epoch >= d }
                u.deadlineAt = Deadline.deadline(from: Date(epoch: d), rule: c.deadlineRule, pauses: since, calendar: cal)?.epoch
                u.pausedSeconds = since.reduce(0) { $0 + ($1.end ?? now).epoch - $1.start.epoch }
            }
            u.pausedAt = nil
            // A resumed case is measured against its extended deadline; earlier notices stand.
        case .reopen:
            u.closedAt = nil
            u.closedOnTime = nil
            u.reworkCount += 1
            restartClock()
        case .cancel, .withdraw, .accept, .requestTransfer, .refuseTransfer:
            break
        }
        let updated = try await tx.raw("""
            UPDATE cases SET state = \(bind: u.state), unit_id = \(bind: u.unitId), unit_path = \(bind: u.unitPath), route_via = \(bind: u.routeVia),
              registered_at = \(bind: u.registeredAt), dispatched_at = \(bind: u.dispatchedAt), deadline_at = \(bind: u.deadlineAt),
              fed_back_at = \(bind: u.fedBackAt), closed_at = \(bind: u.closedAt), paused_at = \(bind: u.pausedAt), paused_seconds = \(bind: u.pausedSeconds),
              was_deferred = \(bind: u.wasDeferred), rework_count = \(bind: u.reworkCount), closed_on_time = \(bind: u.closedOnTime),
              escalation = \(bind: u.escalation), updated_at = \(bind: u.updatedAt)
            WHERE id = \(bind: c.id) AND state = \(bind: c.state) RETURNING id
            """).first()
        if updated == nil { throw AppError.conflict(Msg.caseChangedMeanwhile) }
        var reason = step.reason.trimmed()
        if step.action == .dispatch || step.action == .reassign, let uid = u.unitId, let t = try await OrgService.fetch(tx, id: uid) {
            let due = u.deadlineAt.map { "，时限 \(c.deadlineRule.label)，须于 \(Fmt.dateTime($0)) 前办结" } ?? ""
            reason = "承办：\(t.name)\(due)" + (reason.isEmpty ? "" : "；\(reason)")
        }
        try await Self.event(tx, c.id, actor: actor, action: step.action.rawValue, from: c.state, to: u.state, reason: reason, unitID: u.unitId, now: now)
        for f in stored {
            try await FileStore.attach(tx, f, ownerKind: "case", ownerID: c.id, orgID: u.unitId ?? c.territoryId, phase: step.action == .feedback ? "after" : "step", actor: actor, now: now)
        }
        return u
    }

    /// 立案并派遣: the office registers a reported case and dispatches it, in one transaction.
    public func registerAndDispatch(_ id: Int64, unitCode: String, actor: Identity) async throws -> CaseRow {
        let c = try await get(id, actor: actor)
        return try await act(id, steps: (c.caseState == .reported ? [Step(.register)] : []) + [Step(.dispatch, unitCode: unitCode)], actor: actor)
    }

    /// Dispatches many registered (or reported: they are registered first) cases at once, each to its proposed
    /// unit or to `unitCode`. All or nothing: the first case that cannot be dispatched stops the batch, named by its number.
    public func bulkDispatch(_ ids: [Int64], unitCode: String, actor: Identity) async throws -> Int {
        try actor.require(.manageCases)
        guard !ids.isEmpty else { throw AppError.badRequest("请先勾选要派遣的案卷") }
        guard ids.count <= 500 else { throw AppError.badRequest("一次最多派遣 500 件") }
        let cal = try await calendar()
        let types = try await types(includeInactive: true)
        let now = clock.now()
        return try await db.write { tx in
            var n = 0
            for id in Set(ids).sorted() {
                let c = try await Self.visible(tx, id: id, actor: actor)
                do {
                    if c.caseState == .reported {
                        _ = try await Self.apply(tx, id: id, step: Step(.register, reason: "批量立案"), stored: [], calendar: cal, types: types, now: now, actor: actor)
                    }
                    _ = try await Self.apply(tx, id: id, step: Step(.dispatch, unitCode: unitCode), stored: [], calendar: cal, types: types, now: now, actor: actor)
                } catch let e as AppError {
                    switch e {
                    case .conflict(let m): throw AppError.conflict("\(c.number)：\(m)")
                    case .validation(let f): throw AppError.validation(f.mapValues { "\(c.number)：\($0)" })
                    default: throw e
                    }
                }
                n += 1
            }
            try await Audit.record(tx, actor: actor, action: "dispatch", entity: "case", entityID: nil, summary: "批量派遣案卷 \(n) 件", scope: actor.orgPath, at: now)
            return n
        }
    }
}

extension Msg {
    public static let caseChangedMeanwhile = "案卷刚被他人办理过，请刷新后再试"
}

extension Calendar {
    static func gregorian(_ tz: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = tz
        return c
    }
}

/// Holidays and the taxonomy change rarely; they are cached for a few seconds like the settings.
final class CaseCache: @unchecked Sendable {
    let clock: any Clock
    private let lock = NSLock()
    private var cal: (WorkCalendar, Date)?
    private var typeList: ([CaseTypeRow], Date)?
    init(clock: any Clock) { self.clock = clock }

    private func fresh(_ at: Date) -> Bool { let now = clock.now(); return now >= at && now.timeIntervalSince(at) < 5 }
    func calendar() -> WorkCalendar? { lock.withLock { cal.flatMap { fresh($0.1) ? $0.0 : nil } } }
    func types() -> [CaseTypeRow]? { lock.withLock { typeList.flatMap { fresh($0.1) ? $0.0 : nil } } }
    func store(calendar c: WorkCalendar) { lock.withLock { cal = (c, clock.now()) } }
    func store(types t: [CaseTypeRow]) { lock.withLock { typeList = (t, clock.now()) } }
    func clear() { lock.withLock { cal = nil; typeList = nil } }
}
