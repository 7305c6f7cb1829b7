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

    /// The hand-written readers of the hottest models give what the Decoder gives, NULL parents and sectors included.
    @Test func directOrgAndUserReadersMatchTheDecoder() async throws {
        try await TestDB.with { db in
            try await db.write { tx in
                try await tx.raw("""
                    INSERT INTO orgs (code, name, kind, parent_id, path, depth, sector_id, address, contact, phone, leader_name, leader_title, duty, active, created_at, updated_at)
                    VALUES ('C', '示范市', 'city', NULL, '/1/', 0, NULL, '', '', '', '', '', '', 1, 1, 2)
                    """).run()
                let city = try await tx.raw("SELECT id FROM orgs WHERE code = 'C'").first()!.decode(column: "id", as: Int64.self)
                try await tx.raw("""
                    INSERT INTO orgs (code, name, kind, parent_id, path, depth, sector_id, address, contact, phone, leader_name, leader_title, duty, active, created_at, updated_at)
                    VALUES ('D', '城管局', 'department', \(bind: city), '/1/2/', 1, \(bind: city), '湖滨路 1 号', '张三', '028-1', '李四', '局长', '市容', 0, 3, 4)
                    """).run()
                try await tx.raw("""
                    INSERT INTO users (username, display_name, role, org_id, phone, password_hash, active, must_change_password, created_at, updated_at)
                    VALUES ('u1', '王五', 'unit_liaison', \(bind: city), '139', 'h', 1, 0, 5, 6)
                    """).run()
            }
            let (orgs, users) = try await db.read { db in
                (try await db.raw("SELECT * FROM orgs ORDER BY code").all(), try await db.raw("SELECT * FROM users").all())
            }
            #expect(orgs.count == 2 && users.count == 1)
            for r in orgs { #expect(try OrgRow(row: r) == r.decode(model: OrgRow.self, keyDecodingStrategy: .convertFromSnakeCase)) }
            #expect(try OrgRow(row: orgs[0]).parentId == nil && OrgRow(row: orgs[1]).sectorId != nil)
            #expect(try OrgRow(row: orgs[1]).leaderTitle == "局长")
            #expect(try UserRow(row: users[0]) == users[0].decode(model: UserRow.self, keyDecodingStrategy: .convertFromSnakeCase))
            #expect(try UserRow(row: users[0]).displayName == "王五")
        }
    }
}
