import Crypto
import Foundation
import SQLKit
import WenmingCore

/// Login, sessions (stored in the database so several app instances share them), CSRF tokens,
/// login throttling, and API tokens.
public struct AuthService: Sendable {
    let db: Database
    let clock: any Clock
    let hasher: PasswordHasher
    let settings: SettingsStore

    public static func randomToken(bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        return Hex.encode((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    public static func sha256(_ s: String) -> String {
        Hex.encode(SHA256.hash(data: Data(s.utf8)))
    }


    public struct LoginResult: Sendable { public var token: String; public var csrf: String; public var user: UserRow; public var expires: Date }

    /// Checks the throttle, then the password, and opens a browser session. Failures and successes are
    /// recorded; so is the login in the audit log.
    public func login(username: String, password: String, ip: String) async throws -> LoginResult {
        let user = try await authenticate(username: username, password: password, ip: ip)
        let s = try await settings.current()
        let now = clock.now()
        let token = Self.randomToken()
        let csrf = Self.randomToken(bytes: 16)
        let expires = now.addingTimeInterval(TimeInterval(s.sessionHours * 3600))
        try await db.write { tx in
            try await tx.raw("""
                INSERT INTO sessions (id, user_id, csrf, created_at, expires_at, ip) VALUES
                (\(bind: Self.sha256(token)), \(bind: user.id), \(bind: csrf), \(bind: now.epoch), \(bind: expires.epoch), \(bind: ip))
                """).run()
            try await tx.raw("DELETE FROM sessions WHERE expires_at < \(bind: now.epoch)").run()
            if var who = try await Self.identity(tx, userID: user.id) {
                who.ip = ip
                try await Audit.record(tx, actor: who, action: "login", entity: "session", entityID: user.id,
                                       summary: "\(user.username) 登录", scope: who.orgPath, at: now, ip: ip)
            }
        }
        return LoginResult(token: token, csrf: csrf, user: user, expires: expires)
    }

    /// Checks the throttle and the password; records the attempt. Used by the login form and the API token exchange.
    public func authenticate(username: String, password: String, ip: String) async throws -> UserRow {
        let s = try await settings.current()
        let now = clock.now()
        let throttle = s.loginThrottle
        let since = now.addingTimeInterval(-(throttle.window + throttle.lockout)).epoch
        let (userFailures, ipFailures) = try await db.read { db -> ([Date], [Date]) in
            let lastOK = try await db.raw("SELECT MAX(at) AS t FROM login_attempts WHERE username = \(bind: username) AND success = 1").first()?.int64OrNil("t") ?? nil
            let from = max(since, (lastOK ?? 0) + 1)
            let uf = try await db.raw("SELECT at FROM login_attempts WHERE username = \(bind: username) AND success = 0 AND at >= \(bind: from)").all()
                .map { Date(epoch: try $0.decode(column: "at", as: Int64.self)) }
            let ipf = try await db.raw("SELECT at FROM login_attempts WHERE ip = \(bind: ip) AND success = 0 AND at >= \(bind: since)").all()
                .map { Date(epoch: try $0.decode(column: "at", as: Int64.self)) }
            return (uf, ipf)
        }
        // Per account: the configured limit. Per address: four times that, so one machine cannot sweep many accounts.
        var ipThrottle = throttle
        ipThrottle.maxFailures = throttle.maxFailures * 4
        if let until = throttle.lockedUntil(failures: userFailures, now: now) ?? ipThrottle.lockedUntil(failures: ipFailures, now: now) {
            let minutes = Int((until.timeIntervalSince(now) / 60).rounded(.up))
            throw AppError.tooManyRequests(Msg.lockedOut(minutes: max(1, minutes)))
        }
        let user = try await db.read { try await UserService.fetch($0, username: username) }
        // An unknown user costs the same Bcrypt work as a known one, so timing does not reveal usernames.
        let ok = if let user { try await hasher.verify(password, hash: user.passwordHash) } else { (try await hasher.hash(password)).isEmpty }
        guard let user, ok else {
            try await db.write { tx in
                try await tx.raw("INSERT INTO login_attempts (username, ip, at, success) VALUES (\(bind: username), \(bind: ip), \(bind: now.epoch), 0)").run()
                if let user, let org = try await OrgService.fetch(tx, id: user.orgId) {
                    try await Audit.record(tx, actor: nil, action: "login_failed", entity: "user", entityID: user.id,
                                           summary: "用户 \(username) 登录失败（密码错误）", scope: org.orgPath, at: now, ip: ip)
                }
            }
            throw AppError.badRequest(Msg.loginFailed)
        }
        guard user.isActive else { throw AppError.forbidden(Msg.accountDisabled) }
        try await db.write { tx in
            try await tx.raw("INSERT INTO login_attempts (username, ip, at, success) VALUES (\(bind: username), \(bind: ip), \(bind: now.epoch), 1)").run()
            // Attempts older than a day no longer matter to any throttle.
            try await tx.raw("DELETE FROM login_attempts WHERE at < \(bind: now.epoch - 86_400)").run()
        }
        return user
    }

    /// The identity of an active user: the user's row and its org's name, kind and path, in one query (every
    /// authenticated request resolves one).
    static func identity(_ db: any SQLDatabase, userID: Int64) async throws -> Identity? {
        guard let r = try await db.raw("SELECT \(unsafeRaw: identityColumns) FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = \(bind: userID)").first()
        else { return nil }
        return try identity(r)
    }

    /// The columns `identity(_:)` reads, of `users u JOIN orgs o`: a session or token look-up joins them to its own row, so
    /// that resolving the caller of a request is one query, not two.
    static let identityColumns = "u.*, o.name AS org_name, o.kind AS org_kind, o.path AS org_path"

    /// The identity in a row holding `identityColumns`, or nil for a disabled user.
    static func identity(_ r: any SQLRow) throws -> Identity? {
        let u = try UserRow(row: r)
        guard u.isActive, let path = OrgPath(try r.decode(column: "org_path", as: String.self)) else { return nil }
        return Identity(userID: u.id, username: u.username, displayName: u.displayName, role: u.userRole, orgID: u.orgId,
                        orgName: try r.decode(column: "org_name", as: String.self),
                        orgKind: OrgKind(stored: try r.decode(column: "org_kind", as: String.self)), orgPath: path,
                        mustChangePassword: u.mustChangePassword != 0, csrf: nil, sessionID: nil)
    }

    /// The identity behind a session cookie, or nil when the session is unknown or expired.
    public func resolveSession(token: String) async throws -> Identity? {
        let now = clock.now().epoch
        let sid = Self.sha256(token)
        return try await db.read { db in
            guard let r = try await db.raw("""
                SELECT s.csrf AS session_csrf, s.expires_at AS session_expires_at, \(unsafeRaw: Self.identityColumns)
                FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id WHERE s.id = \(bind: sid)
                """).first() else { return nil }
            guard try r.decode(column: "session_expires_at", as: Int64.self) > now, var id = try Self.identity(r) else { return nil }
            id.csrf = try r.decode(column: "session_csrf", as: String.self)
            id.sessionID = sid
            return id
        }
    }

    public func logout(_ actor: Identity) async throws {
        guard let sid = actor.sessionID else { return }
        let now = clock.now()
        try await db.write { tx in
            try await tx.raw("DELETE FROM sessions WHERE id = \(bind: sid)").run()
            try await Audit.record(tx, actor: actor, action: "logout", entity: "session", entityID: actor.userID,
                                   summary: "\(actor.username) 退出登录", scope: actor.orgPath, at: now)
        }
    }

    // MARK: API tokens

    public struct TokenRow: Codable, Sendable {
        public var id: Int64
        public var userId: Int64
        public var name: String
        public var prefix: String
        public var createdAt: Int64
        public var lastUsedAt: Int64?
        public var revokedAt: Int64?
    }

    /// Creates an API token; the secret is returned once and only its hash is stored.
    public func createToken(actor: Identity, name: String) async throws -> (token: String, row: TokenRow) {
        let n = name.trimmed()
        guard !n.isEmpty, n.count <= 50 else { throw AppError.validation(["name": Msg.tokenNameRequired]) }
        let secret = "wm_" + Self.randomToken()
        let now = clock.now()
        let row = try await db.write { tx -> TokenRow in
            let r = try await tx.raw("""
                INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES
                (\(bind: actor.userID), \(bind: n), \(bind: Self.sha256(secret)), \(bind: String(secret.prefix(10))), \(bind: now.epoch))
                RETURNING id, user_id, name, prefix, created_at, last_used_at, revoked_at
                """).first()!
            let t = try r.decode(model: TokenRow.self, with: .snakeCase)
            try await Audit.record(tx, actor: actor, action: "token_create", entity: "api_token", entityID: t.id,
                                   summary: "\(actor.username) 创建 API 令牌“\(n)”", scope: actor.orgPath, at: now)
            return t
        }
        return (secret, row)
    }

    public func tokens(actor: Identity) async throws -> [TokenRow] {
        try await db.read { db in
            try await db.raw("SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = \(bind: actor.userID) ORDER BY id DESC").all()
                .map { try $0.decode(model: TokenRow.self, with: .snakeCase) }
        }
    }

    public func revokeToken(id: Int64, actor: Identity) async throws {
        let now = clock.now()
        try await db.writeUsers { tx in
            guard let r = try await tx.raw("SELECT user_id, revoked_at FROM api_tokens WHERE id = \(bind: id)").first(),
                  try r.decode(column: "user_id", as: Int64.self) == actor.userID else { throw AppError.notFound }
            try await tx.raw("UPDATE api_tokens SET revoked_at = \(bind: now.epoch) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
            try await Audit.record(tx, actor: actor, action: "token_revoke", entity: "api_token", entityID: id,
                                   summary: "\(actor.username) 吊销 API 令牌", scope: actor.orgPath, at: now)
        }
    }

    /// Who an API token speaks for, as `resolveToken` keeps it for a few seconds (`Database.identities`).
    struct TokenHolder: Sendable {
        var identity: Identity
        var tokenID: Int64
        var lastUsed: Int64?
    }

    /// The identity behind a bearer token, or nil. `last_used_at` is refreshed at most every five minutes,
    /// so that API traffic does not turn every read into a write.
    ///
    /// A token's holder is kept in memory for up to five seconds: every API request resolves one, and reading it
    /// was the largest single cost of a case intake (docs/benchmarks.md). Revoking a token and every change to users
    /// or orgs in this process drop the kept holders at once (`writeUsers`, `writeTree`).
    /// The caller passes the token's hash (`sha256`), which the rate limiter keys on too.
    public func resolveToken(hash h: String) async throws -> Identity? {
        let now = clock.now().epoch
        let found = try await db.identities.lookup(h) {
            try await db.read { db -> TokenHolder? in
                guard let r = try await db.raw("""
                    SELECT t.id AS token_id, t.revoked_at AS token_revoked_at, t.last_used_at AS token_last_used_at, \(unsafeRaw: Self.identityColumns)
                    FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id WHERE t.token_hash = \(bind: h)
                    """).first(),
                      try r.int64OrNil("token_revoked_at") == nil, let id = try Self.identity(r) else { return nil }
                return TokenHolder(identity: id, tokenID: try r.decode(column: "token_id", as: Int64.self), lastUsed: try r.int64OrNil("token_last_used_at"))
            }
        }
        guard let found else { return nil }
        if (found.lastUsed ?? 0) < now - 300 {
            try await db.write { try await $0.raw("UPDATE api_tokens SET last_used_at = \(bind: now) WHERE id = \(bind: found.tokenID)").run() }
            db.identities.remove(h)
        }
        return found.identity
    }
}

extension Database {
    /// A change to users or API tokens: one transaction; the API callers kept in memory are dropped once it ends.
    func writeUsers<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { identities.invalidate() }
        return try await write(body)
    }
}
