import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

public enum SQLEngine: String, Sendable { case sqlite, postgres }

/// The one door to the database. Every feature reads through `read` and changes through `write`.
///
/// - SQLite (the embedded default, WAL mode): all writes go through one writer connection, one
///   transaction at a time (`BEGIN IMMEDIATE` … `COMMIT`), while reads use their own connections.
///   One writer avoids connections fighting over SQLite's write lock (see docs/design/database.md).
/// - PostgreSQL: both doors lease a connection from the pool; `write` wraps the body in a real transaction.
public final class Database: Sendable {
    public let engine: SQLEngine
    private let backend: Backend
    let logger: Logger
    /// The org tree (`orgTree()`), under the one key 0.
    let orgTrees = FreshCache<Int, OrgTree>(maxAge: .seconds(5))
    /// API callers by token hash (`AuthService.resolveToken`); dropped by every change to users, tokens and orgs.
    let identities = FreshCache<String, AuthService.TokenHolder>(maxAge: .seconds(5))

    enum Backend: Sendable {
        case sqlite(writer: DirectSQLiteDatabase, readers: ReaderPool, lock: AsyncLock, thread: WriterThread)
        case postgres(client: PostgresClient, runner: Task<Void, Never>)
    }

    private init(engine: SQLEngine, backend: Backend, logger: Logger) {
        self.engine = engine
        self.backend = backend
        self.logger = logger
    }

    /// Opens the database named by `url`: `postgres://user:pass@host:port/db[?search_path=schema]`, or
    /// `sqlite:///absolute/path.sqlite` / a plain file path for SQLite.
    public static func open(url: String, logger: Logger = Logger(label: "wenming.db")) async throws -> Database {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await openPostgres(url: url, logger: logger)
        }
        var path = url
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
        return try await openSQLite(path: path, logger: logger)
    }

    public static func openSQLite(path: String, readers: Int = 4, logger: Logger) async throws -> Database {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        func connect(readOnly: Bool) throws -> DirectSQLiteDatabase {
            let c = DirectSQLiteDatabase(conn: try DirectSQLite(path: path), logger: logger, eventLoop: loop)
            // WAL lets readers run beside the writer; synchronous=NORMAL in WAL survives a killed process
            // (the WAL is in the OS cache), which is what "acknowledged means kept" needs.
            // Memory-mapped reads and a larger page cache: at a million cases, index lookups otherwise go through
            // read() calls on a 2 MB cache (docs/benchmarks.md). WENMING_SQLITE_MMAP_MB=0 turns mapping off.
            let mmapMB = Int(ProcessInfo.processInfo.environment["WENMING_SQLITE_MMAP_MB"] ?? "") ?? 2048
            var pragmas = ["PRAGMA busy_timeout=10000", "PRAGMA mmap_size=\(max(0, mmapMB) * 1_048_576)", "PRAGMA cache_size=-32768"]
            // The writer's statement journals (an insert that fires the counter triggers inside a batch's transaction
            // needs one) stay in memory: in a temporary file they cost a pwrite per page, ~5 % of an intake's CPU.
            pragmas += readOnly ? ["PRAGMA query_only=ON"]
                : ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"]
            for p in pragmas { try c.runSync(SQLRaw(p)) { _ in } }
            return c
        }
        let writer = try connect(readOnly: false)
        let pool = ReaderPool(limit: max(1, readers) * 4) { try connect(readOnly: true) }
        return Database(engine: .sqlite, backend: .sqlite(writer: writer, readers: pool, lock: AsyncLock(), thread: WriterThread()), logger: logger)
    }

    public static func openPostgres(url: String, logger: Logger) async throws -> Database {
        guard let comps = URLComponents(string: url), let host = comps.host else {
            throw DatabaseError.badURL(url)
        }
        let dbName = comps.path.split(separator: "/").first.map(String.init)
        var config = PostgresClient.Configuration(
            host: host, port: comps.port ?? 5432, username: comps.user ?? "postgres",
            password: comps.password, database: dbName, tls: .disable)
        config.options.maximumConnections = 32
        if let sp = comps.queryItems?.first(where: { $0.name == "search_path" })?.value {
            config.options.additionalStartupParameters = [("search_path", sp)]
        }
        var quiet = logger
        quiet.logLevel = .warning
        let client = PostgresClient(configuration: config, backgroundLogger: quiet)
        let runner = Task { await client.run() }
        let db = Database(engine: .postgres, backend: .postgres(client: client, runner: runner), logger: logger)
        // Fail early with a clear message when the server is not reachable.
        do { _ = try await db.read { try await $0.raw("SELECT 1 AS one").all() } } catch {
            runner.cancel()
            throw DatabaseError.connect("\(String(reflecting: error))")
        }
        return db
    }

    /// Runs `body` on a read connection. Do not write here.
    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let readers, _, _):
            let c = try readers.checkOut()
            defer { readers.checkIn(c) }
            return try await body(c)
        case .postgres(let client, _):
            return try await client.withConnection { conn in try await body(DirectPostgresDatabase(conn)) }
        }
    }

    /// Runs the reads in `body` as named prepared statements on PostgreSQL: parsed and planned once per connection,
    /// after which PostgreSQL may keep one generic plan for every value bound (its default `plan_cache_mode`). Only for
    /// reads whose best plan does not depend on the values: look-ups by a key, a unit's list by its id. A range of paths
    /// or dates can need another index for a city than for a street (the ledger's generic plan took 5 ms where its own
    /// took 0.2), so those stay unnamed and are planned with their values each time. On SQLite nothing changes.
    /// Design: docs/design/rectification-loop.md.
    static func prepared<T>(_ body: () async throws -> T) async rethrows -> T {
        try await NamedStatement.$wanted.withValue(true, operation: body)
    }

    /// Runs `body` inside one transaction: all of it is kept, or none of it.
    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let writer, _, let lock, let thread):
            // IMMEDIATE takes the write lock at once, so the transaction never has to upgrade later. SQLite's calls
            // block; on the writer's own thread they never hold up a thread that serves requests.
            return try await withTaskExecutorPreference(thread) {
                try await lock.withLock { try await Self.transaction(writer, begin: "BEGIN IMMEDIATE", body) }
            }
        case .postgres(let client, _):
            return try await client.withConnection { conn in try await Self.transaction(DirectPostgresDatabase(conn), begin: "BEGIN", body) }
        }
    }

    private static func transaction<T: Sendable>(_ db: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await db.raw("\(unsafeRaw: begin)").run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// After a bulk load into `tables` (`wenming generate`): fresh planner statistics, and on PostgreSQL a vacuum of
    /// those tables, which also marks the loaded pages all-visible. Without it the next reads run while autovacuum
    /// works through the load on the same cores, and index-only scans (the overdue count) visit every heap row to
    /// check its visibility. VACUUM cannot run inside a transaction, so on PostgreSQL it runs on a plain connection.
    ///
    /// `compact` names small tables that the load updated row by row (the running counters): on PostgreSQL they are
    /// rewritten (`VACUUM FULL`). A load in large transactions leaves every update's old row version behind until it
    /// commits, so case_totals' 144 rows had spread over ~1,000 pages and each status count read all of them (1.8 ms);
    /// day-to-day changes, one short transaction each, are pruned in place and do not grow them like that.
    public func refreshStatistics(tables: [String], compact: [String] = []) async throws {
        switch backend {
        case .sqlite:
            try await write { try await $0.raw("ANALYZE").run() }
        case .postgres(let client, _):
            try await client.withConnection { conn in
                let db = DirectPostgresDatabase(conn)
                if !compact.isEmpty { try await db.raw("VACUUM (FULL) \(unsafeRaw: compact.joined(separator: ", "))").run() }
                try await db.raw("VACUUM (ANALYZE) \(unsafeRaw: tables.joined(separator: ", "))").run()
            }
        }
    }

    /// Serialises writes to the org tree. On SQLite the single writer already does; on PostgreSQL a
    /// transaction-scoped advisory lock keeps a move and a create under the moved node from interleaving.
    public func lockTree(_ tx: any SQLDatabase) async throws {
        if engine == .postgres { try await tx.raw("SELECT pg_advisory_xact_lock(71208)").run() }
    }

    public func close() async {
        switch backend {
        case .sqlite:
            break  // connections close when the last reference goes
        case .postgres(_, let runner):
            runner.cancel()
        }
    }
}

public enum DatabaseError: Error, CustomStringConvertible {
    case badURL(String)
    case connect(String)
    /// A group write's body broke its contract (one output per item).
    case groupMismatch(items: Int, outputs: Int)
    public var description: String {
        switch self {
        case .badURL(let u): "无法解析数据库地址：\(u)"
        case .connect(let e): "无法连接数据库：\(e)"
        case .groupMismatch(let i, let o): "成组写入出错：\(i) 项只得到 \(o) 个结果"
        }
    }
}

/// The SQLite writer's own thread. Its statements block while SQLite works (and, at a WAL checkpoint, while the disk
/// syncs); `Database.write` runs there so that Swift's cooperative threads, which serve the requests, never wait for
/// the writer or the disk.
final class WriterThread: TaskExecutor, @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let loop: any EventLoop

    init() { loop = group.next() }

    /// The thread ends with the database that owned it (tests open hundreds of databases in one process).
    deinit { group.shutdownGracefully(queue: .global()) { _ in } }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

/// A FIFO async mutex: the SQLite writer runs one transaction at a time.
final class AsyncLock: @unchecked Sendable {
    private let mutex = NSLock()
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if mutex.withLock({ () -> Bool in if !locked { locked = true; return true }; return false }) { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let acquired = mutex.withLock { () -> Bool in
                if !locked { locked = true; return true }
                waiters.append(c)
                return false
            }
            if acquired { c.resume() }
        }
    }

    private func release() {
        // Ownership passes straight to the next waiter, if any.
        let next = mutex.withLock { () -> CheckedContinuation<Void, Never>? in
            if waiters.isEmpty { locked = false; return nil }
            return waiters.removeFirst()
        }
        next?.resume()
    }
}

/// Commits many small writes of one kind together (case intake): the items submitted while a group is being
/// written wait, and are handed to `body` as the next group, in one transaction (`Database.write`). Each caller
/// returns only after its group has committed. When a group fails, each of its items is written again alone, in a
/// transaction of its own, so one item's failure never undoes another's work.
///
/// `body` gets the group's items in order and returns one output per item, in the same order. Writing a group
/// with a few multi-row statements instead of a few statements per item is what makes this pay on PostgreSQL,
/// where each statement is a round trip (docs/design/database.md).
public final class WriteGroup<Item: Sendable, Output: Sendable>: Sendable {
    private struct Job: Sendable {
        let item: Item
        let done: @Sendable (Result<Output, any Error>) -> Void
    }
    private let queue: Batcher<Job>

    public init(_ db: Database, maxGroup: Int = 256, _ body: @escaping @Sendable ([Item], any SQLDatabase) async throws -> [Output]) {
        @Sendable func write(_ items: [Item]) async throws -> [Output] {
            let out = try await db.write { try await body(items, $0) }
            guard out.count == items.count else { throw DatabaseError.groupMismatch(items: items.count, outputs: out.count) }
            return out
        }
        queue = Batcher(maxBatch: maxGroup) { jobs in
            do {
                for (j, o) in zip(jobs, try await write(jobs.map(\.item))) { j.done(.success(o)) }
            } catch {
                if jobs.count == 1 { jobs[0].done(.failure(error)); return }
                for j in jobs {
                    do { j.done(.success(try await write([j.item])[0])) } catch { j.done(.failure(error)) }
                }
            }
        }
    }

    /// Writes `item` with the next group and returns its output once that group has committed.
    public func submit(_ item: Item) async throws -> Output {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Output, any Error>) in
            queue.enqueue(Job(item: item, done: { c.resume(with: $0) }))
        }
    }
}

/// A queue drained by one task at a time: whatever arrived while the last batch ran (up to `maxBatch`) is the next.
final class Batcher<Job: Sendable>: @unchecked Sendable {
    private let mutex = NSLock()
    private var queue: [Job] = []
    private var draining = false
    let maxBatch: Int
    let execute: @Sendable ([Job]) async -> Void

    init(maxBatch: Int, execute: @escaping @Sendable ([Job]) async -> Void) { self.maxBatch = maxBatch; self.execute = execute }

    func enqueue(_ job: Job) {
        let start = mutex.withLock { () -> Bool in
            queue.append(job)
            if draining { return false }
            draining = true
            return true
        }
        if start { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let batch = mutex.withLock { () -> [Job] in
                let b = Array(queue.prefix(maxBatch))
                queue.removeFirst(b.count)
                if b.isEmpty { draining = false }
                return b
            }
            if batch.isEmpty { return }
            await execute(batch)
        }
    }
}

/// Read connections for SQLite: one per concurrent reader, opened on demand up to `limit` and reused.
/// A connection checked in when `limit` are already free is dropped (and so closed).
final class ReaderPool: @unchecked Sendable {
    private let mutex = NSLock()
    private var free: [DirectSQLiteDatabase] = []
    let limit: Int
    let open: () throws -> DirectSQLiteDatabase

    init(limit: Int, open: @escaping () throws -> DirectSQLiteDatabase) { self.limit = limit; self.open = open }

    func checkOut() throws -> DirectSQLiteDatabase {
        if let c = mutex.withLock({ free.popLast() }) { return c }
        return try open()
    }

    func checkIn(_ c: DirectSQLiteDatabase) {
        mutex.withLock { if free.count < limit { free.append(c) } }
    }
}
