import Foundation
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgresKit's `SQLDatabase` on one pooled connection, with a faster way to read rows.
///
/// PostgresKit decodes every cell through its generic `Decodable` translation (a coding path, a user-info
/// dictionary and a metadata look-up per value); a year's scores read ~300,000 rows and spent half of their time
/// there (docs/benchmarks.md). Here a query runs on the connection itself (`PostgresConnection.query`), binds are
/// encoded exactly as PostgresKit encodes them (nil → NULL, `PostgresEncodable` values directly), and rows decode
/// integers and strings straight from the cell. Anything else — another type, a cell of another Postgres type, a
/// value PostgresKit would have to encode through `Encodable` — takes PostgresKit's own path, so the results are
/// PostgresKit's in every case.
struct DirectPostgresDatabase: SQLDatabase {
    let conn: PostgresConnection
    let base: any SQLDatabase
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { nil }

    init(_ conn: PostgresConnection) {
        self.conn = conn
        base = conn.sql(queryLogLevel: nil)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        var bindings = PostgresBindings(capacity: binds.count)
        // The parameter types name a prepared statement; they are only noted inside `Database.prepared`.
        var types: String? = NamedStatement.wanted ? "" : nil
        for bind in binds {
            guard try Self.append(bind, to: &bindings, types: &types) else { return try await base.execute(sql: query, onRow) }
        }
        // Rows arrive one at a time on the connection's event loop (as PostgresKit receives them), so the column
        // index found on the first row needs no lock.
        let columns = DirectPostgresRow.ColumnsOnce()
        if let types, let name = NamedStatement.names.name(sql, types: types) {
            try await NamedStatement.$current.withValue(.init(name: name, sql: sql)) {
                for try await row in try await conn.execute(NamedStatement(bindings: bindings), logger: logger) {
                    onRow(DirectPostgresRow(row, columns: columns.of(row)))
                }
            }
            return
        }
        _ = try await conn.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) { row in
            onRow(DirectPostgresRow(row, columns: columns.of(row)))
        }.get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R { try await closure(self) }

    /// Appends a bind the way PostgresKit's `PostgresDataTranslation.encode` does on its two fast paths; false when
    /// the value would need its slow path.
    /// `types`, when given, gets the bind's parameter type (as the statement is parsed with it) and format.
    static func append<T: Encodable>(_ value: T, to bindings: inout PostgresBindings, types: inout String?) throws -> Bool {
        if (value as Optional<Any>) == nil {
            bindings.appendNull()
            types? += ",null"
        } else if let v = value as? any PostgresThrowingDynamicTypeEncodable {
            try bindings.append(v, context: .default)
            types? += ",\(v.psqlType.rawValue)/\(v.psqlFormat.rawValue)"
        } else {
            return false
        }
        return true
    }
}

/// A row whose integers and strings decode straight from the cell's bytes; every other request goes to PostgresKit's row.
struct DirectPostgresRow: SQLRow, @unchecked Sendable {
    /// How a column's cells are read here: binary integers and text, or through PostgresKit.
    enum Kind { case int2, int4, int8, text, other }
    /// The result's column positions by name (the first name wins, as in PostgresNIO) and kinds, found once per query.
    final class Columns: @unchecked Sendable {
        let index: [String: Int]
        let kinds: [Kind]
        init(_ row: PostgresRow) {
            var idx: [String: Int] = [:], kinds: [Kind] = []
            for (i, cell) in row.enumerated() {
                if idx[cell.columnName] == nil { idx[cell.columnName] = i }
                guard cell.format == .binary else { kinds.append(.other); continue }
                switch cell.dataType {
                case .int2: kinds.append(.int2)
                case .int4: kinds.append(.int4)
                case .int8: kinds.append(.int8)
                case .text, .varchar: kinds.append(.text)
                default: kinds.append(.other)
                }
            }
            index = idx
            self.kinds = kinds
        }
    }
    /// The columns of one query's rows, found on its first row.
    final class ColumnsOnce: @unchecked Sendable {
        private var columns: Columns?
        func of(_ row: PostgresRow) -> Columns {
            if let c = columns { return c }
            let c = Columns(row)
            columns = c
            return c
        }
    }
    let row: PostgresRandomAccessRow
    let original: PostgresRow
    let columns: Columns

    init(_ row: PostgresRow, columns: Columns) {
        // The random-access row copies the cells' buffers in one pass (iterating the row's cells costs ~3× that).
        self.row = row.makeRandomAccess()
        original = row
        self.columns = columns
    }

    var allColumns: [String] { row.map(\.columnName) }
    func contains(column: String) -> Bool { columns.index[column] != nil }
    func decodeNil(column: String) throws -> Bool { columns.index[column].map { row[$0].bytes == nil } ?? true }

    /// The integer in a binary int2/int4/int8 cell of the right length.
    static func integer(_ b: ByteBuffer, _ kind: Kind) -> Int64? {
        switch (kind, b.readableBytes) {
        case (.int8, 8): b.getInteger(at: b.readerIndex, as: Int64.self).map { $0 }
        case (.int4, 4): b.getInteger(at: b.readerIndex, as: Int32.self).map(Int64.init)
        case (.int2, 2): b.getInteger(at: b.readerIndex, as: Int16.self).map(Int64.init)
        default: nil
        }
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        if let i = columns.index[column] {
            if let b = row[i].bytes {
                switch columns.kinds[i] {
                case .int2, .int4, .int8:
                    if DirectDecoding.readsInteger(D.self), let v = Self.integer(b, columns.kinds[i]) { return DirectDecoding.integer(v, as: D.self) }
                case .text:
                    if DirectDecoding.readsText(D.self) { return DirectDecoding.text(String(buffer: b), as: D.self) }
                case .other: break
                }
            } else if DirectDecoding.readsNull(D.self) {
                return DirectDecoding.null(as: D.self)
            }
        }
        return try original.sql().decode(column: column, as: D.self)
    }
}

/// A read prepared once per connection and executed by name afterwards (inside `Database.prepared`), so that
/// PostgreSQL parses and plans it once instead of on every request. PostgresNIO caches prepared statements per
/// connection by the statement type's static name and text; here both come from a task-local set around each
/// execution, and the name stands for the exact text and parameter types (the types an unnamed statement would be
/// parsed with), so the same name never means two statements.
struct NamedStatement: PostgresPreparedStatement {
    struct Current: Sendable { var name = "", sql = "" }
    @TaskLocal static var current = Current()
    /// Set by `Database.prepared` around the reads that may be prepared.
    @TaskLocal static var wanted = false
    static var name: String { current.name }
    static var sql: String { current.sql }
    typealias Row = PostgresRow
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// The names given so far, process-wide, at most `limit` of them: a statement whose text varies without end (a
    /// literal list, an offset) stops being prepared once the limit is reached, so no connection holds more than
    /// `limit` prepared statements.
    final class Names: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String: String] = [:]
        let limit: Int
        let enabled: Bool
        init(limit: Int, enabled: Bool) { self.limit = limit; self.enabled = enabled }

        func name(_ sql: String, types: String) -> String? {
            guard enabled, sql.hasPrefix("SELECT ") else { return nil }
            let key = sql + "\u{0}" + types
            return lock.withLock {
                if let n = names[key] { return n }
                guard names.count < limit else { return nil }
                let n = "w\(names.count + 1)"
                names[key] = n
                return n
            }
        }
    }
    static let names = Names(limit: 500, enabled: ProcessInfo.processInfo.environment["WENMING_PG_PREPARE"] != "0")
}
