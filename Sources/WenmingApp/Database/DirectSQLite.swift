import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import VaporCSQLite
import CWenmingSQLite

/// An SQLite connection used directly through the C API: a statement runs to completion on the calling
/// thread, with no hand-over to a thread pool and back per statement. At a million cases SQLite answers in
/// microseconds and the hand-overs were most of the cost (docs/design/database.md). Statements are prepared
/// once per connection and reused. A connection is used by one task at a time (the writer under its lock,
/// readers checked out of a pool), so it needs no locking of its own.
final class DirectSQLite: @unchecked Sendable {
    let raw: OpaquePointer
    private var statements: [String: Kept] = [:]

    /// A prepared statement kept for reuse, with the result columns it last gave: a row's name index is built once per
    /// statement, not once per query (it was ~3 % of an intake's CPU), and checked against the statement's names
    /// before each reuse.
    private final class Kept {
        let stmt: OpaquePointer
        var columns: DirectRow.Columns?
        init(_ stmt: OpaquePointer) { self.stmt = stmt }
    }

    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        var description: String { "SQLite error \(code): \(message)" }
    }

    /// Opens (creating if needed) the database file; readers are made read-only with `PRAGMA query_only`.
    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let msg = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open"
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw Failure(code: rc, message: msg)
        }
        raw = handle
        // Plans never depend on bound values. Without this, SQLite marked statements such as the identity join and the
        // unit's case list "re-prepare when a value is bound", so every use re-parsed and re-planned them (~6 % of an
        // intake's CPU). The app's partial indexes are matched by literal conditions in the SQL text, never by binds.
        let q = wenming_sqlite_enable_qpsg(UnsafeMutableRawPointer(handle))
        guard q == SQLITE_OK else {
            sqlite_nio_sqlite3_close_v2(handle)
            throw Failure(code: q, message: "cannot enable the query planner stability guarantee")
        }
    }

    deinit {
        for k in statements.values { sqlite_nio_sqlite3_finalize(k.stmt) }
        sqlite_nio_sqlite3_close_v2(raw)
    }

    private func fail(_ rc: Int32) -> Failure { Failure(code: rc, message: String(cString: sqlite_nio_sqlite3_errmsg(raw))) }

    /// Runs one statement with its binds, calling `onRow` for every result row.
    func run(_ sql: String, _ binds: [Cell], onRow: (DirectRow) -> Void) throws {
        let stmt: OpaquePointer, kept: Kept?
        if let k = statements[sql] {
            (stmt, kept) = (k.stmt, k)
        } else {
            var s: OpaquePointer?
            let rc = sqlite_nio_sqlite3_prepare_v3(raw, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else { throw fail(rc) }
            // At most 500 statements are kept per connection; past that (SQL built with literal lists), one is used once.
            kept = statements.count < 500 ? Kept(s) : nil
            if let kept { statements[sql] = kept }
            stmt = s
        }
        defer {
            sqlite_nio_sqlite3_reset(stmt)
            sqlite_nio_sqlite3_clear_bindings(stmt)
            if kept == nil { sqlite_nio_sqlite3_finalize(stmt) }
        }
        for (i, b) in binds.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch b {
            case .null: rc = sqlite_nio_sqlite3_bind_null(stmt, idx)
            case .integer(let v): rc = sqlite_nio_sqlite3_bind_int64(stmt, idx, v)
            case .real(let v): rc = sqlite_nio_sqlite3_bind_double(stmt, idx, v)
            case .text(let v): rc = sqlite_nio_sqlite3_bind_text(stmt, idx, v, -1, Self.transient)
            case .blob(let v):
                rc = v.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count), Self.transient) }
            }
            guard rc == SQLITE_OK else { throw fail(rc) }
        }
        var columns: DirectRow.Columns?
        while true {
            let rc = sqlite_nio_sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw fail(rc) }
            let n = sqlite_nio_sqlite3_column_count(stmt)
            if columns == nil {
                if let known = kept?.columns, known.same(as: stmt, count: n) {
                    columns = known
                } else {
                    columns = DirectRow.Columns(names: (0..<n).map { String(cString: sqlite_nio_sqlite3_column_name(stmt, $0)) })
                    kept?.columns = columns
                }
            }
            var values: [Cell] = []
            values.reserveCapacity(Int(n))
            for c in 0..<n {
                switch sqlite_nio_sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: values.append(.integer(sqlite_nio_sqlite3_column_int64(stmt, c)))
                case SQLITE_FLOAT: values.append(.real(sqlite_nio_sqlite3_column_double(stmt, c)))
                case SQLITE_TEXT: values.append(.text(String(cString: sqlite_nio_sqlite3_column_text(stmt, c))))
                case SQLITE_BLOB:
                    let len = Int(sqlite_nio_sqlite3_column_bytes(stmt, c))
                    if let p = sqlite_nio_sqlite3_column_blob(stmt, c) { values.append(.blob(Data(bytes: p, count: len))) } else { values.append(.blob(Data())) }
                default: values.append(.null)
                }
            }
            onRow(DirectRow(columns: columns!, values: values))
        }
    }

    /// How often SQLite has re-prepared a kept statement since it was prepared (the planner-stability test reads it).
    func reprepares(_ sql: String) -> Int32 {
        statements[sql].map { sqlite_nio_sqlite3_stmt_status($0.stmt, SQLITE_STMTSTATUS_REPREPARE, 0) } ?? -1
    }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A value as SQLite stores it.
enum Cell: Sendable, Equatable {
    case null, integer(Int64), real(Double), text(String), blob(Data)

    /// The SQLite value of a bind, through its `Encodable` conformance (optionals, integers, strings, …).
    static func of(_ e: any Encodable) throws -> Cell {
        let enc = CellEncoder()
        try e.encode(to: enc)
        return enc.value
    }
}

/// A result row of `DirectSQLite`, decoded the way SQLKit expects (`decode(column:as:)`, models via `SQLRowDecoder`).
struct DirectRow: SQLRow, @unchecked Sendable {
    final class Columns: @unchecked Sendable {
        let names: [String]
        let index: [String: Int]
        init(names: [String]) {
            self.names = names
            var idx: [String: Int] = [:]
            for (i, n) in names.enumerated() where idx[n] == nil { idx[n] = i }
            index = idx
        }
        /// Whether a statement's result columns are these, compared byte for byte without making strings.
        func same(as stmt: OpaquePointer, count n: Int32) -> Bool {
            guard names.count == Int(n) else { return false }
            for i in 0..<Int(n) {
                guard let p = sqlite_nio_sqlite3_column_name(stmt, Int32(i)) else { return false }
                let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))
                if !names[i].utf8.elementsEqual(bytes) { return false }
            }
            return true
        }
    }
    let columns: Columns
    let values: [Cell]

    var allColumns: [String] { columns.names }
    func contains(column: String) -> Bool { columns.index[column] != nil }
    func cell(_ column: String) throws -> Cell {
        guard let i = columns.index[column] else { throw DecodingError.keyNotFound(SQLCodingKey(column), .init(codingPath: [], debugDescription: "no column \(column)")) }
        return values[i]
    }
    func decodeNil(column: String) throws -> Bool { try cell(column) == .null }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        let c = try cell(column)
        // The common cases without the Decoder machinery (a year's scores decode over a million cells).
        switch c {
        case .integer(let v): if DirectDecoding.readsInteger(D.self) { return DirectDecoding.integer(v, as: D.self) }
        case .text(let v): if DirectDecoding.readsText(D.self) { return DirectDecoding.text(v, as: D.self) }
        case .null: if DirectDecoding.readsNull(D.self) { return DirectDecoding.null(as: D.self) }
        default: break
        }
        return try D(from: CellDecoder(cell: c, column: column))
    }
}

struct SQLCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Decodes one cell into Swift's primitive types (and optionals of them).
struct CellDecoder: Decoder, SingleValueDecodingContainer {
    let cell: Cell
    let column: String
    var codingPath: [any CodingKey] { [SQLCodingKey(column)] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw mismatch("keyed container") }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch("unkeyed container") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func mismatch(_ what: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "column \(column) holds \(cell), not \(what)"))
    }
    func decodeNil() -> Bool { cell == .null }
    func integer() throws -> Int64 {
        switch cell {
        case .integer(let v): return v
        case .real(let d) where d.rounded() == d: return Int64(d)
        case .text(let s): if let v = Int64(s) { return v }; throw mismatch("an integer")
        default: throw mismatch("an integer")
        }
    }
    func decode(_ type: Bool.Type) throws -> Bool { try integer() != 0 }
    func decode(_ type: String.Type) throws -> String {
        switch cell {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .real(let d): return String(d)
        case .blob(let d): return String(decoding: d, as: UTF8.self)
        case .null: throw mismatch("a string")
        }
    }
    func decode(_ type: Double.Type) throws -> Double {
        switch cell {
        case .real(let d): return d
        case .integer(let v): return Double(v)
        case .text(let s): if let d = Double(s) { return d }; throw mismatch("a number")
        default: throw mismatch("a number")
        }
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { Int(try integer()) }
    func decode(_ type: Int8.Type) throws -> Int8 { Int8(truncatingIfNeeded: try integer()) }
    func decode(_ type: Int16.Type) throws -> Int16 { Int16(truncatingIfNeeded: try integer()) }
    func decode(_ type: Int32.Type) throws -> Int32 { Int32(truncatingIfNeeded: try integer()) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    func decode(_ type: UInt.Type) throws -> UInt { UInt(try integer()) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { UInt8(truncatingIfNeeded: try integer()) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { UInt16(truncatingIfNeeded: try integer()) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { UInt32(truncatingIfNeeded: try integer()) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { UInt64(try integer()) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Data.self, case .blob(let d) = cell { return d as! T }
        if T.self == Data.self, case .text(let s) = cell { return Data(s.utf8) as! T }
        return try T(from: self)
    }
}

/// Captures the single primitive an `Encodable` bind encodes to.
final class CellEncoder: Encoder, SingleValueEncodingContainer {
    var value: Cell = .null
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    struct Unsupported: Error, CustomStringConvertible { var description: String { "only single values can be bound to SQLite" } }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> { fatalError("SQLite binds are single values") }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("SQLite binds are single values") }
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() { value = .null }
    func encode(_ v: Bool) { value = .integer(v ? 1 : 0) }
    func encode(_ v: String) { value = .text(v) }
    func encode(_ v: Double) { value = .real(v) }
    func encode(_ v: Float) { value = .real(Double(v)) }
    func encode(_ v: Int) { value = .integer(Int64(v)) }
    func encode(_ v: Int8) { value = .integer(Int64(v)) }
    func encode(_ v: Int16) { value = .integer(Int64(v)) }
    func encode(_ v: Int32) { value = .integer(Int64(v)) }
    func encode(_ v: Int64) { value = .integer(v) }
    func encode(_ v: UInt) { value = .integer(Int64(v)) }
    func encode(_ v: UInt8) { value = .integer(Int64(v)) }
    func encode(_ v: UInt16) { value = .integer(Int64(v)) }
    func encode(_ v: UInt32) { value = .integer(Int64(v)) }
    func encode(_ v: UInt64) { value = .integer(Int64(bitPattern: v)) }
    func encode<T: Encodable>(_ v: T) throws {
        if let d = v as? Data { value = .blob(d); return }
        if let b = v as? [UInt8] { value = .blob(Data(b)); return }
        try v.encode(to: self)
    }
}

/// `DirectSQLite` as an SQLKit database: SQL is serialized with SQLite's dialect and run at once.
struct DirectSQLiteDatabase: SQLDatabase {
    let conn: DirectSQLite
    let logger: Logger
    let eventLoop: any EventLoop
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        do {
            try runSync(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try runSync(query, onRow)
    }

    func runSync(_ query: any SQLExpression, _ onRow: (any SQLRow) -> ()) throws {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        let binds = try serializer.binds.map { try Cell.of($0) }
        try conn.run(serializer.sql, binds) { onRow($0) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R { try await closure(self) }
}
