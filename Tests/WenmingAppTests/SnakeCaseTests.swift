import Foundation
import SQLKit
import Testing
@testable import WenmingApp

/// `SQLRowDecoder.snakeCase` reads the same columns as SQLKit's `.convertFromSnakeCase`, key for key.
@Suite("Snake-case row decoding")
struct SnakeCaseTests {
    /// A row whose columns are whatever was asked for, recording the names asked.
    final class Recorder: SQLRow, @unchecked Sendable {
        var asked: [String] = []
        var allColumns: [String] { [] }
        func contains(column: String) -> Bool { asked.append(column); return true }
        func decodeNil(column: String) throws -> Bool { asked.append(column); return false }
        func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
            asked.append(column)
            if D.self == String.self { return column as! D }
            if D.self == Int64.self { return Int64(column.count) as! D }
            throw DecodingError.typeMismatch(D.self, .init(codingPath: [], debugDescription: column))
        }
    }

    struct Keys: Decodable, Equatable {
        var id: Int64
        var a: String
        var unitPath: String
        var parentId: Int64?
        var latE6: Int64
        var caseID: String
        var detailJSON: String
        var nextURLPath: String
        var URLValue: String
        var ABC: String
        var x2y: String
        var createdAtUTC: String
        var 名称: String
        var already_snake: String
    }

    @Test func sameColumnsAsSQLKitsConversion() throws {
        let ours = Recorder(), theirs = Recorder()
        let a = try ours.decode(model: Keys.self, with: .snakeCase)
        let b = try theirs.decode(model: Keys.self, keyDecodingStrategy: .convertFromSnakeCase)
        #expect(a == b)
        #expect(ours.asked == theirs.asked)
        #expect(ours.asked.contains("unit_path") && ours.asked.contains("lat_e6") && ours.asked.contains("parent_id"))
    }

    @Test func columnNamesOfCommonShapes() {
        #expect(SnakeCase.column(for: "id") == "id")
        #expect(SnakeCase.column(for: "x") == "x")
        #expect(SnakeCase.column(for: "") == "")
        #expect(SnakeCase.column(for: "leaderTitle") == "leader_title")
        #expect(SnakeCase.column(for: "closedOnTime") == "closed_on_time")
        #expect(SnakeCase.column(for: "latE6") == "lat_e6")
    }
}
