import Foundation
import HummingbirdBcrypt
import NIOPosix
import SQLKit
import WenmingCore

public struct UserRow: Codable, Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var role: String
    public var orgId: Int64
    public var phone: String
    public var passwordHash: String
    public var active: Int
    public var mustChangePassword: Int
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The row of `SELECT * FROM users`, read column by column (see `OrgRow.init(row:)`).
    init(row r: any SQLRow) throws {
        id = try r.decode(column: "id", as: Int64.self)
        username = try r.decode(column: "username", as: String.self)
        displayName = try r.decode(column: "display_name", as: String.self)
        role = try r.decode(column: "role", as: String.self)
        orgId = try r.decode(column: "org_id", as: Int64.self)
        phone = try r.decode(column: "phone", as: String.self)
        passwordHash = try r.decode(column: "password_hash", as: String.self)
        active = try r.decode(column: "active", as: Int.self)
        mustChangePassword = try r.decode(column: "must_change_password", as: Int.self)
        createdAt = try r.decode(column: "created_at", as: Int64.self)
        updatedAt = try r.decode(column: "updated_at", as: Int64.self)
    }

    public var userRole: Role { Role(rawValue: role) ?? .citizen }
    public var isActive: Bool { active != 0 }
}

/// A user joined with the org it is bound to (what lists and pages show).
public struct UserView: Sendable {
    public var user: UserRow
    public var org: OrgRow
}

struct UserSnapshot: Encodable {
    var username, displayName, role, phone: String
    var orgId: Int64
    var active: Bool
    init(_ u: UserRow) { username = u.username; displayName = u.displayName; role = u.role; phone = u.phone; orgId = u.orgId; active = u.isActive }
}

public struct UserInput: Sendable, Codable {
    public var username: String
    public var displayName: String
    public var role: String
    public var orgID: Int64
    public var phone: String = ""
    public var password: String?
    public init(username: String, displayName: String, role: String, orgID: Int64, phone: String = "", password: String? = nil) {
        self.username = username; self.displayName = displayName; self.role = role; self.orgID = orgID; self.phone = phone; self.password = password
    }
}

/// Bcrypt hashing, off the event loops (it is deliberately slow).
public struct PasswordHasher: Sendable {
    public let cost: UInt8
    public init(cost: UInt8) { self.cost = cost }
    public func hash(_ password: String) async throws -> String {
        let c = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: c) }
    }
    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

public struct UserService: Sendable {
    let db: Database
    let clock: any Clock
    let hasher: PasswordHasher
    let settings: SettingsStore

    static func decode(_ rows: [any SQLRow]) throws -> [UserRow] {
        try rows.map { try UserRow(row: $0) }
    }

    static func fetch(_ db: any SQLDatabase, id: Int64) async throws -> UserRow? {
        try await decode(db.raw("SELECT * FROM users WHERE id = \(bind: id)").all()).first
    }

    static func fetch(_ db: any SQLDatabase, username: String) async throws -> UserRow? {
        try await decode(db.raw("SELECT * FROM users WHERE username = \(bind: username)").all()).first
    }

    /// Loads a user the actor may see (bound to an org in the actor's scope), or throws.
    static func visible(_ db: any SQLDatabase, id: Int64, actor: Identity) async throws -> UserView {
        guard let u = try await fetch(db, id: id) else { throw AppError.notFound }
        guard let org = try await OrgService.fetch(db, id: u.orgId) else { throw AppError.notFound }
        if u.id != actor.userID {
            try actor.require(.viewUsers)
            try actor.requireScope(org.orgPath)
        }
        return UserView(user: u, org: org)
    }

    public func get(_ id: Int64, actor: Identity) async throws -> UserView {
        try await db.read { try await Self.visible($0, id: id, actor: actor) }
    }

    public struct Query: Sendable {
        public var text = ""
        public var role: Role?
        public var orgID: Int64?
        public var page = 1
        public var pageSize = 50
        public init() {}
    }

    public func list(_ q: Query, actor: Identity) async throws -> (rows: [UserView], total: Int) {
        try actor.require(.viewUsers)
        return try await db.read { db in
            var root = actor.orgPath
            if let oid = q.orgID { root = try await OrgService.visible(db, id: oid, actor: actor).orgPath }
            let (lo, hi) = scopeRange(root)
            var c = SQLQueryString("o.path >= \(bind: lo) AND o.path < \(bind: hi)")
            let t = q.text.trimmed()
            if !t.isEmpty {
                let p = SearchText.containsPattern(t)
                c.appendInterpolation(unsafeRaw: " AND (LOWER(u.username) LIKE ")
                c.appendInterpolation(bind: p)
                c.appendInterpolation(unsafeRaw: " ESCAPE '\\' OR LOWER(u.display_name) LIKE ")
                c.appendInterpolation(bind: p)
                c.appendInterpolation(unsafeRaw: " ESCAPE '\\')")
            }
            if let r = q.role { c.appendInterpolation(unsafeRaw: " AND u.role = "); c.appendInterpolation(bind: r.rawValue) }
            let total = try await db.raw("SELECT COUNT(*) AS n FROM users u JOIN orgs o ON o.id = u.org_id WHERE \(c)").first()?.decode(column: "n", as: Int.self) ?? 0
            let w = PageWindow(page: q.page, pageSize: q.pageSize)
            let rows = try await db.raw("SELECT u.id FROM users u JOIN orgs o ON o.id = u.org_id WHERE \(c) ORDER BY o.path, u.username LIMIT \(unsafeRaw: String(w.limit)) OFFSET \(unsafeRaw: String(w.offset))").all()
            var out: [UserView] = []
            for r in rows { out.append(try await Self.visible(db, id: try r.decode(column: "id", as: Int64.self), actor: actor)) }
            return (out, total)
        }
    }

    func validate(_ input: UserInput, isNew: Bool, settings s: Settings) throws -> Role {
        var p: [String: String] = [:]
        if isNew, let e = PasswordPolicy.usernameProblem(input.username) { p["username"] = e }
        let name = input.displayName.trimmed()
        if name.isEmpty || name.count > 50 { p["displayName"] = Msg.displayNameRequired }
        if input.phone.count > 30 { p["phone"] = Msg.invalidField("电话") }
        let role = Role(codeOrLabel: input.role)
        if role == nil { p["role"] = Msg.invalidField("角色") }
        if let pw = input.password, let e = PasswordPolicy.problem(pw, minLength: s.passwordMinLength) { p["password"] = e }
        if isNew && input.password == nil { p["password"] = Msg.passwordTooShort(s.passwordMinLength) }
        if !p.isEmpty { throw AppError.validation(p) }
        return role!
    }

    public func create(_ input: UserInput, actor: Identity) async throws -> UserView {
        try actor.require(.manageUsers)
        let s = try await settings.current()
        let role = try validate(input, isNew: true, settings: s)
        guard actor.role.assignableRoles.contains(role) else { throw AppError.forbidden(Msg.forbidden) }
        let hash = try await hasher.hash(input.password!)
        let now = clock.now()
        return try await db.writeUsers { tx in
            guard let org = try await OrgService.fetch(tx, id: input.orgID) else { throw AppError.validation(["orgID": Msg.notFound]) }
            try actor.requireScope(org.orgPath)
            guard role.allowedOrgKinds.contains(org.orgKind) else { throw AppError.validation(["role": Msg.roleNotAllowedAt(role, org.orgKind)]) }
            if try await Self.fetch(tx, username: input.username) != nil { throw AppError.validation(["username": Msg.usernameTaken]) }
            let idRow = try await tx.raw("""
                INSERT INTO users (username, display_name, role, org_id, phone, password_hash, active, must_change_password, created_at, updated_at)
                VALUES (\(bind: input.username), \(bind: input.displayName.trimmed()), \(bind: role.rawValue),
                        \(bind: org.id), \(bind: input.phone), \(bind: hash), 1, 1, \(bind: now.epoch), \(bind: now.epoch)) RETURNING id
                """).first()!
            let u = try await Self.fetch(tx, id: try idRow.decode(column: "id", as: Int64.self))!
            try await Audit.record(tx, actor: actor, action: "create", entity: "user", entityID: u.id,
                                   summary: "新建用户 \(u.username)（\(u.displayName)，\(role.label)，\(org.name)）",
                                   after: UserSnapshot(u), scope: org.orgPath, at: now)
            return UserView(user: u, org: org)
        }
    }

    /// Edits name, role, org and phone, and optionally the active flag, in one transaction.
    public func update(_ id: Int64, _ input: UserInput, active: Bool? = nil, actor: Identity) async throws -> UserView {
        try actor.require(.manageUsers)
        let s = try await settings.current()
        var inp = input
        inp.password = nil
        let role = try validate(inp, isNew: false, settings: s)
        guard actor.role.assignableRoles.contains(role) else { throw AppError.forbidden(Msg.forbidden) }
        let now = clock.now()
        return try await db.writeUsers { tx in
            let before = try await Self.visible(tx, id: id, actor: actor)
            try actor.requireScope(before.org.orgPath)
            guard let org = try await OrgService.fetch(tx, id: input.orgID) else { throw AppError.validation(["orgID": Msg.notFound]) }
            try actor.requireScope(org.orgPath)
            guard role.allowedOrgKinds.contains(org.orgKind) else { throw AppError.validation(["role": Msg.roleNotAllowedAt(role, org.orgKind)]) }
            if id == actor.userID && (role != actor.role || org.id != actor.orgID) { throw AppError.forbidden("不能修改自己的角色或所属组织") }
            if id == actor.userID && active == false { throw AppError.conflict(Msg.cannotDeactivateSelf) }
            let isActive = active ?? before.user.isActive
            try await tx.raw("""
                UPDATE users SET display_name = \(bind: input.displayName.trimmed()), role = \(bind: role.rawValue),
                  org_id = \(bind: org.id), phone = \(bind: input.phone), active = \(bind: isActive ? 1 : 0), updated_at = \(bind: now.epoch)
                WHERE id = \(bind: id)
                """).run()
            if !isActive && before.user.isActive {
                try await tx.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run()
                try await tx.raw("UPDATE api_tokens SET revoked_at = \(bind: now.epoch) WHERE user_id = \(bind: id) AND revoked_at IS NULL").run()
            }
            let after = try await Self.fetch(tx, id: id)!
            try await Audit.record(tx, actor: actor, action: "update", entity: "user", entityID: id,
                                   summary: "修改用户 \(after.username)", before: UserSnapshot(before.user), after: UserSnapshot(after),
                                   scope: org.orgPath, at: now)
            return UserView(user: after, org: org)
        }
    }

    public func setActive(_ id: Int64, _ active: Bool, actor: Identity) async throws {
        try actor.require(.manageUsers)
        if id == actor.userID && !active { throw AppError.conflict(Msg.cannotDeactivateSelf) }
        let now = clock.now()
        try await db.writeUsers { tx in
            let v = try await Self.visible(tx, id: id, actor: actor)
            try actor.requireScope(v.org.orgPath)
            try await tx.raw("UPDATE users SET active = \(bind: active ? 1 : 0), updated_at = \(bind: now.epoch) WHERE id = \(bind: id)").run()
            if !active {
                try await tx.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run()
                try await tx.raw("UPDATE api_tokens SET revoked_at = \(bind: now.epoch) WHERE user_id = \(bind: id) AND revoked_at IS NULL").run()
            }
            var after = v.user
            after.active = active ? 1 : 0
            try await Audit.record(tx, actor: actor, action: active ? "activate" : "deactivate", entity: "user", entityID: id,
                                   summary: "\(active ? "启用" : "停用")用户 \(v.user.username)", before: UserSnapshot(v.user),
                                   after: UserSnapshot(after), scope: v.org.orgPath, at: now)
        }
    }

    /// Admin reset: sets a new password the user must change at next login; ends their sessions.
    public func resetPassword(_ id: Int64, newPassword: String, actor: Identity) async throws {
        try actor.require(.manageUsers)
        let s = try await settings.current()
        if let e = PasswordPolicy.problem(newPassword, minLength: s.passwordMinLength) { throw AppError.validation(["password": e]) }
        let hash = try await hasher.hash(newPassword)
        let now = clock.now()
        try await db.writeUsers { tx in
            let v = try await Self.visible(tx, id: id, actor: actor)
            try actor.requireScope(v.org.orgPath)
            try await tx.raw("UPDATE users SET password_hash = \(bind: hash), must_change_password = 1, updated_at = \(bind: now.epoch) WHERE id = \(bind: id)").run()
            try await tx.raw("DELETE FROM sessions WHERE user_id = \(bind: id)").run()
            try await tx.raw("UPDATE api_tokens SET revoked_at = \(bind: now.epoch) WHERE user_id = \(bind: id) AND revoked_at IS NULL").run()
            try await Audit.record(tx, actor: actor, action: "password_reset", entity: "user", entityID: id,
                                   summary: "重置用户 \(v.user.username) 的密码", scope: v.org.orgPath, at: now)
        }
    }

    /// The user changes their own password; other sessions of theirs end.
    public func changePassword(actor: Identity, current: String, new: String, confirm: String) async throws {
        let s = try await settings.current()
        guard new == confirm else { throw AppError.validation(["confirm": Msg.passwordMismatch]) }
        if let e = PasswordPolicy.problem(new, minLength: s.passwordMinLength) { throw AppError.validation(["password": e]) }
        guard let u = try await db.read({ try await Self.fetch($0, id: actor.userID) }) else { throw AppError.unauthorized }
        guard try await hasher.verify(current, hash: u.passwordHash) else { throw AppError.validation(["current": Msg.wrongCurrentPassword]) }
        if current == new { throw AppError.validation(["password": "新密码不能与当前密码相同"]) }
        let hash = try await hasher.hash(new)
        let now = clock.now()
        try await db.writeUsers { tx in
            try await tx.raw("UPDATE users SET password_hash = \(bind: hash), must_change_password = 0, updated_at = \(bind: now.epoch) WHERE id = \(bind: u.id)").run()
            try await tx.raw("DELETE FROM sessions WHERE user_id = \(bind: u.id) AND id <> \(bind: actor.sessionID ?? "")").run()
            try await Audit.record(tx, actor: actor, action: "password_change", entity: "user", entityID: u.id,
                                   summary: "\(u.username) 修改了自己的密码", scope: actor.orgPath, at: now)
        }
    }
}
