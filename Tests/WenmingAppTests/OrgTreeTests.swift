import Foundation
import Testing
@testable import WenmingApp
import WenmingCore

@Suite("The org tree in memory (routing)")
struct OrgTreeTests {
    static func org(_ id: Int64, _ kind: OrgKind, _ path: [Int64], code: String? = nil, sector: Int64? = nil, active: Bool = true) -> OrgRow {
        var fields: [String: Any] = ["id": id, "code": code ?? "O\(id)", "name": "组织\(id)", "kind": kind.rawValue, "path": OrgPath(ids: path).description,
                                     "depth": path.count - 1, "address": "", "contact": "", "phone": "", "leaderName": "", "leaderTitle": "", "duty": "",
                                     "active": active ? 1 : 0, "createdAt": 0, "updatedAt": 0]
        if let p = path.dropLast().last { fields["parentId"] = p }
        if let sector { fields["sectorId"] = sector }
        return try! JSONDecoder().decode(OrgRow.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    /// The org `id` of `tree`, which the fixture holds.
    func at(_ tree: OrgTree, _ id: Int64) throws -> OrgRow { try #require(tree.org(id)) }

    // City 1 ─ district 2 ─ street 3 ─ community 4 ─ grid 5; city department 10 (code CG); district 2's branch 11
    // of it, a later (higher id) branch 12, and an inactive branch 9; district 6 has no branch.
    static let rows: [OrgRow] = [
        org(1, .city, [1]), org(2, .district, [1, 2]), org(3, .street, [1, 2, 3]), org(4, .community, [1, 2, 3, 4]),
        org(5, .grid, [1, 2, 3, 4, 5]), org(6, .district, [1, 6]), org(7, .street, [1, 6, 7]), org(8, .community, [1, 6, 7, 8]),
        org(10, .department, [1, 10], code: "CG"), org(9, .department, [1, 2, 9], sector: 10, active: false),
        org(11, .department, [1, 2, 11], sector: 10), org(12, .department, [1, 2, 12], sector: 10),
    ]

    @Test func aTerritoryIsRoutedToItsDistrictBranchOrTheCityDepartment() throws {
        let tree = OrgTree(Self.rows)
        // District 2 has active branches 11 and 12 of CG (and an inactive 9): the lowest active id.
        #expect(tree.department(code: "CG", territory: try at(tree, 5))?.id == 11)
        // District 6 has none: the city department itself.
        #expect(tree.department(code: "CG", territory: try at(tree, 8))?.id == 10)
        #expect(tree.department(code: "", territory: try at(tree, 8)) == nil)
        #expect(tree.department(code: "NOPE", territory: try at(tree, 8)) == nil)
        // By type first, by street when the type names no department.
        let viaType = try #require(tree.route(departmentCode: "CG", territory: try at(tree, 5)))
        #expect(viaType.0.id == 11 && viaType.1 == .type)
        let viaStreet = try #require(tree.route(departmentCode: "", territory: try at(tree, 5)))
        #expect(viaStreet.0.id == 3 && viaStreet.1 == .territory)
        // A point's adopting unit comes before both.
        let adopter = Self.org(20, .company, [1, 2, 20])
        #expect(tree.route(departmentCode: "CG", territory: try at(tree, 5), pointAdopter: adopter)?.0.id == 20)
    }

    @Test func theStreetIsTheNearestActiveOneAbove() throws {
        let tree = OrgTree(Self.rows)
        #expect(tree.street(of: try at(tree, 5))?.id == 3)
        #expect(tree.street(of: try at(tree, 3))?.id == 3)
        #expect(tree.street(of: try at(tree, 2)) == nil)
        // An inactive street is skipped; with none left above, nothing.
        let closed = OrgTree(Self.rows.map { $0.id == 3 ? Self.org(3, .street, [1, 2, 3], active: false) : $0 })
        #expect(closed.street(of: try at(closed, 5)) == nil)
        #expect(closed.route(departmentCode: "", territory: try at(closed, 5)) == nil)
        // A disabled city department routes nowhere by type.
        let noDept = OrgTree(Self.rows.map { $0.id == 10 ? Self.org(10, .department, [1, 10], code: "CG", active: false) : $0 })
        #expect(noDept.department(code: "CG", territory: try at(noDept, 8)) == nil)
    }

    @Test func theCacheKeepsATreeUntilTheTreeChanges() async throws {
        let cache = FreshCache<Int, OrgTree>(maxAge: .seconds(5))
        let loads = LoadCounter()
        let first = try await cache.value(0) { loads.bump(); return OrgTree(Self.rows) }
        _ = try await cache.value(0) { loads.bump(); return OrgTree(Self.rows) }
        #expect(loads.value == 1)
        #expect(first.org(5) != nil)
        cache.invalidate()
        let second = try await cache.value(0) { loads.bump(); return OrgTree(Array(Self.rows.prefix(3))) }
        #expect(loads.value == 2)
        #expect(second.org(5) == nil)
        // A tree loaded while the tree changed is used once, not kept.
        cache.invalidate()
        let stale = try await cache.value(0) { loads.bump(); cache.invalidate(); return OrgTree(Self.rows) }
        #expect(stale.org(5) != nil)
        let fresh = try await cache.value(0) { loads.bump(); return OrgTree(Array(Self.rows.prefix(3))) }
        #expect(fresh.org(5) == nil)
        #expect(loads.value == 4)
    }
}

final class LoadCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func bump() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
