import Foundation
import Hummingbird
import Logging
import WenmingCore

/// Settings of one running instance, from the environment (`WENMING_DATA_DIR`, `DATABASE_URL`, `PORT`, …).
public struct AppConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDir = "./data"
    public var databaseURL: String?
    public var resourcesDir = Views.locateResources()
    public var bcryptCost: UInt8 = 12

    public init() {}

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> AppConfig {
        var c = AppConfig()
        if let v = env["HOST"], !v.isEmpty { c.host = v }
        if let v = env["PORT"], let p = Int(v) { c.port = p }
        if let v = env["WENMING_DATA_DIR"], !v.isEmpty { c.dataDir = v }
        if let v = env["DATABASE_URL"], !v.isEmpty { c.databaseURL = v }
        if let v = env["WENMING_BCRYPT_COST"], let n = UInt8(v), (4...31).contains(n) { c.bcryptCost = n }
        return c
    }

    /// The database to open: `DATABASE_URL`, else `<data dir>/wenming.sqlite`.
    public var effectiveDatabaseURL: String {
        databaseURL ?? URL(fileURLWithPath: dataDir).appendingPathComponent("wenming.sqlite").standardizedFileURL.path
    }
}

/// Everything a request handler needs, built once at start-up.
public struct Services: Sendable {
    public let config: AppConfig
    public let db: Database
    public let clock: any Clock
    public let settings: SettingsStore
    public let hasher: PasswordHasher
    public let auth: AuthService
    public let orgs: OrgService
    public let users: UserService
    public let groups: GroupService
    public let index: IndexService
    public let negative: NegativeService
    public let tasks: TaskService
    public let cases: CaseService
    public let points: PointService
    public let draws: DrawService
    public let rounds: RoundService
    public let scores: ScoreService
    public let notices: NoticeService
    public let dashboard: DashboardService
    public let views: Views

    public init(config: AppConfig, db: Database, clock: any Clock = SystemClock()) async throws {
        self.config = config
        self.db = db
        self.clock = clock
        settings = SettingsStore(db: db, clock: clock)
        hasher = PasswordHasher(cost: config.bcryptCost)
        auth = AuthService(db: db, clock: clock, hasher: hasher, settings: settings)
        orgs = OrgService(db: db, clock: clock)
        users = UserService(db: db, clock: clock, hasher: hasher, settings: settings)
        groups = GroupService(db: db, clock: clock)
        index = IndexService(db: db, clock: clock)
        negative = NegativeService(db: db, clock: clock)
        tasks = TaskService(db: db, clock: clock, settings: settings, dataDir: config.dataDir, tz: Fmt.zone)
        let files = FileStore(dataDir: config.dataDir, settings: settings)
        cases = CaseService(db: db, clock: clock, settings: settings, files: files)
        points = PointService(db: db, clock: clock)
        draws = DrawService(db: db, clock: clock)
        rounds = RoundService(db: db, clock: clock, cases: cases, points: points, files: files, settings: settings)
        scores = ScoreService(db: db, clock: clock, zone: Fmt.zone)
        notices = NoticeService(db: db, clock: clock, scores: scores)
        dashboard = DashboardService(db: db, clock: clock, scores: scores)
        views = try await Views(directory: config.resourcesDir + "/Resources/Templates")
    }
}

public func buildRouter(_ s: Services) -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorMiddleware(views: s.views, auth: s.auth))
    router.add(middleware: FileMiddleware(s.config.resourcesDir + "/Public", urlBasePath: "/static", searchForIndexHtml: false))
    router.add(middleware: IdentityMiddleware(auth: s.auth, limiter: RateLimiter(), settings: s.settings))
    router.add(middleware: CSRFMiddleware(settings: s.settings))
    WebRoutes(s: s).register(on: router)
    APIRoutes.register(on: router, services: s)
    return router
}

public func buildApplication(_ s: Services, logger: Logger = Logger(label: "wenming", factory: DeferredLogHandler.init)) -> some ApplicationProtocol {
    Application(router: buildRouter(s), configuration: .init(address: .hostname(s.config.host, port: s.config.port), serverName: "Wenming"),
                logger: logger)
}
