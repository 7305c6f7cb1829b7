import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing
@testable import WenmingApp
import WenmingCore

/// A fresh, migrated database per test: a temporary SQLite file, or — when `TEST_DATABASE_URL` is set —
/// a new schema on that PostgreSQL server, dropped afterwards.
struct TestDB {
    let db: Database
    let cleanup: @Sendable () async -> Void

    static func make() async throws -> TestDB {
        if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
            let schema = "t_" + AuthService.randomToken(bytes: 8)
            let admin = try await Database.open(url: url)
            try await admin.write { try await $0.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            let sep = url.contains("?") ? "&" : "?"
            let db = try await Database.open(url: url + sep + "search_path=" + schema)
            try await Migrations.run(on: db)
            return TestDB(db: db) {
                await db.close()
                try? await admin.write { try await $0.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                await admin.close()
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wenming-test-" + AuthService.randomToken(bytes: 8))
        let db = try await Database.openSQLite(path: dir.appendingPathComponent("t.sqlite").path, readers: 2, logger: .init(label: "test"))
        try await Migrations.run(on: db)
        return TestDB(db: db) {
            await db.close()
            try? FileManager.default.removeItem(at: dir)
        }
    }
}

extension TestDB {
    /// Runs `body` on a fresh, migrated database and removes it afterwards, also when `body` throws.
    static func with(_ body: (Database) async throws -> Void) async throws {
        let t = try await make()
        do { try await body(t.db) } catch {
            await t.cleanup()
            throw error
        }
        await t.cleanup()
    }
}

let testPassword = "Passw0rd2026"
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A small city: two districts with streets, communities and grids, departments, a school, campaign bodies,
/// and one user of each role the scope tests need.
struct Fixture {
    var ids: [String: Int64] = [:]
    var users: [String: Int64] = [:]

    static let orgs: [(String, String, OrgKind, String?)] = [
        ("QC", "青川市", .city, nil),
        ("QC01", "明湖区", .district, "QC"),
        ("QC01-01", "湖滨街道", .street, "QC01"),
        ("QC01-01-01", "柳荫社区", .community, "QC01-01"),
        ("QC01-01-01-G1", "柳荫社区第一网格", .grid, "QC01-01-01"),
        ("QC01-01-02", "桃源社区", .community, "QC01-01"),
        ("QC01-U01", "明湖区实验小学", .school, "QC01-01"),
        ("QC01-D01", "明湖区城市管理局", .department, "QC01"),
        ("QC02", "东城区", .district, "QC"),
        ("QC02-01", "东关街道", .street, "QC02"),
        ("QC02-01-01", "东关社区", .community, "QC02-01"),
        ("QC02-01-01-G1", "东关社区第一网格", .grid, "QC02-01-01"),
        ("QC02-U01", "东城区第一中学", .school, "QC02-01"),
        ("QC-D01", "青川市城市管理局", .department, "QC"),
        ("QC-D02", "青川市教育局", .department, "QC"),
        ("QC-LG", "创文领导小组", .leadingGroup, "QC"),
        ("QC-WG01", "市容秩序组", .workingGroup, "QC-LG"),
    ]

    static let people: [(String, Role, String)] = [
        ("admin", .officeAdmin, "QC"),
        ("leader", .leader, "QC"),
        ("mh_admin", .officeAdmin, "QC01"),
        ("mh_liaison", .liaison, "QC01"),
        ("dc_liaison", .liaison, "QC02"),
        ("grid01", .gridWorker, "QC01-01-01-G1"),
        ("school_liaison", .liaison, "QC01-U01"),
        ("school_head", .unitHead, "QC01-U01"),
        ("inspector", .inspector, "QC01"),
        ("supervisor", .supervisor, "QC"),
        ("volunteer", .volunteer, "QC01-01-01"),
        ("citizen", .citizen, "QC"),
    ]

    static func load(_ s: Services) async throws -> Fixture {
        let hash = try await s.hasher.hash(testPassword)
        let now = s.clock.now()
        return try await s.db.write { tx in
            var f = Fixture()
            var paths: [String: OrgPath] = [:]
            for (code, name, kind, parent) in orgs {
                let row = try await OrgService.insert(tx, code: code, name: name, kind: kind, parentID: parent.flatMap { f.ids[$0] },
                                                      parentPath: parent.flatMap { paths[$0] }, sectorID: kind == .school ? f.ids["QC-D02"] : nil,
                                                      address: "", contact: "", phone: "", active: true, now: now)
                f.ids[code] = row.id
                paths[code] = row.orgPath
            }
            for (u, role, org) in people {
                let r = try await tx.raw("""
                    INSERT INTO users (username, display_name, role, org_id, phone, password_hash, active, must_change_password, created_at, updated_at)
                    VALUES (\(bind: u), \(bind: "测试" + u), \(bind: role.rawValue), \(bind: f.ids[org]!), '', \(bind: hash), 1, 0, \(bind: now.epoch), \(bind: now.epoch))
                    RETURNING id
                    """).first()!
                f.users[u] = try r.decode(column: "id", as: Int64.self)
            }
            return f
        }
    }
}

/// A logged-in browser session: its cookie and CSRF token.
struct Session {
    let cookie: String
    let csrf: String
    var headers: HTTPFields {
        var h = HTTPFields()
        h[.cookie] = "wm_session=\(cookie)"
        return h
    }
}

final class TestEnv: @unchecked Sendable {
    let s: Services
    let fx: Fixture
    let clock: TestClock

    init(s: Services, fx: Fixture, clock: TestClock) { self.s = s; self.fx = fx; self.clock = clock }

    func session(_ username: String) async throws -> Session {
        let r = try await s.auth.login(username: username, password: testPassword, ip: "127.0.0.1")
        return Session(cookie: r.token, csrf: r.csrf)
    }

    func token(_ username: String) async throws -> String {
        let r = try await s.auth.login(username: username, password: testPassword, ip: "127.0.0.1")
        let me = try await s.auth.resolveSession(token: r.token)!
        return try await s.auth.createToken(actor: me, name: "test").token
    }

    /// The identity a request from 127.0.0.1 would carry.
    func identity(_ username: String) async throws -> Identity {
        let r = try await s.auth.login(username: username, password: testPassword, ip: "127.0.0.1")
        var i = try await s.auth.resolveSession(token: r.token)!
        i.ip = "127.0.0.1"
        return i
    }

    func orgCount() async throws -> Int {
        try await s.db.read { try await $0.raw("SELECT COUNT(*) AS n FROM orgs").first()!.decode(column: "n", as: Int.self) }
    }

    func org(_ code: String) async throws -> OrgRow {
        try await s.db.read { try await OrgService.fetch($0, code: code)! }
    }
}

/// Runs `body` with the services on a fresh database (nothing loaded), the clock at the tests' usual date.
func withServices(_ body: @Sendable (Services) async throws -> Void) async throws {
    try await withClockedServices { s, _ in try await body(s) }
}

/// `withServices`, with the test clock the services run on, for tests that move time.
func withClockedServices(_ body: @Sendable (Services, TestClock) async throws -> Void) async throws {
    let t = try await TestDB.make()
    do {
        var config = AppConfig()
        config.resourcesDir = repoRoot
        config.bcryptCost = 4
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await body(try await Services(config: config, db: t.db, clock: clock), clock)
    } catch {
        await t.cleanup()
        throw error
    }
    await t.cleanup()
}

/// Runs `body` with a fresh database, the fixture city and the router under test.
func withApp(_ body: @Sendable (TestEnv, any TestClientProtocol) async throws -> Void) async throws {
    try await withClockedServices { s, clock in
        let fx = try await Fixture.load(s)
        let env = TestEnv(s: s, fx: fx, clock: clock)
        let app = Application(router: buildRouter(s))
        try await app.test(.router) { client in try await body(env, client) }
    }
}

func form(_ pairs: [(String, String)]) -> ByteBuffer { ByteBuffer(string: FormEncoding.encode(pairs)) }

func formHeaders(_ s: Session) -> HTTPFields {
    var h = s.headers
    h[.contentType] = "application/x-www-form-urlencoded"
    return h
}

func bearer(_ token: String, json: Bool = false) -> HTTPFields {
    var h = HTTPFields()
    h[.authorization] = "Bearer \(token)"
    if json { h[.contentType] = "application/json" }
    return h
}

func json(_ o: Any) -> ByteBuffer { ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: o)) }

func decodeJSON(_ b: ByteBuffer) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(b.readableBytesView))) as? [String: Any] ?? [:]
}

/// Shared by the service tests. The AppError `body` throws; nil when it succeeds.
func thrownAppError(_ body: () async throws -> Void) async -> AppError? {
    do {
        try await body()
    } catch let e as AppError {
        return e
    } catch {
        Issue.record("unexpected error: \(error)")
    }
    return nil
}

func appErrorKind(_ e: AppError?) -> String {
    guard let e else { return "none" }
    switch e {
    case .badRequest: return "badRequest"
    case .validation: return "validation"
    case .unauthorized: return "unauthorized"
    case .forbidden: return "forbidden"
    case .notFound: return "notFound"
    case .conflict: return "conflict"
    case .tooManyRequests: return "tooManyRequests"
    case .payloadTooLarge: return "payloadTooLarge"
    case .importFailed: return "importFailed"
    }
}
