import Foundation
import SQLKit
import WenmingCore

/// The whole org table in memory, for placing and routing cases without a query per lookup (an intake
/// otherwise reads the orgs table four times; docs/design/rectification-loop.md, "Routing from memory").
struct OrgTree: Sendable {
    private let byID: [Int64: OrgRow]
    private let byCode: [String: OrgRow]
    /// The active department under a district that a city department manages (条管), the lowest id when several.
    private let localDepartment: [Branch: OrgRow]
    private struct Branch: Hashable { var district, sector: Int64 }

    init(_ rows: [OrgRow]) {
        byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        byCode = Dictionary(rows.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var local: [Branch: OrgRow] = [:]
        for o in rows.sorted(by: { $0.id < $1.id }) where o.orgKind == .department && o.isActive {
            guard let parent = o.parentId, let sector = o.sectorId else { continue }
            let key = Branch(district: parent, sector: sector)
            if local[key] == nil { local[key] = o }
        }
        localDepartment = local
    }

    func org(_ id: Int64) -> OrgRow? { byID[id] }
    func org(code: String) -> OrgRow? { byCode[code] }

    /// The street or town holding a territory (the territory itself when it is one); nil above street level.
    func street(of territory: OrgRow) -> OrgRow? {
        if [.street, .town].contains(territory.orgKind) { return territory }
        return territory.orgPath.ids.dropLast().reversed().lazy.compactMap { byID[$0] }
            .first { [.street, .town].contains($0.orgKind) && $0.isActive }
    }

    /// The department for a type in a territory: the district department that the type's (city) department
    /// manages (条管) when the territory's district has one, else the named department itself.
    func department(code: String, territory: OrgRow) -> OrgRow? {
        guard !code.isEmpty, let dept = byCode[code], dept.isActive else { return nil }
        let ids = territory.orgPath.ids
        if ids.count >= 2, let local = localDepartment[Branch(district: ids[1], sector: dept.id)] { return local }
        return dept
    }

    /// The responsible unit proposed for a new case of a type whose department is `departmentCode` (the office may
    /// override it at dispatch): the rule is `CaseRouting.route`.
    func route(departmentCode: String, territory: OrgRow, pointAdopter: OrgRow? = nil) -> (OrgRow, RouteVia)? {
        let dept = department(code: departmentCode, territory: territory)
        let street = street(of: territory)
        guard let r = CaseRouting.route(pointAdopter: pointAdopter?.id, typeDepartment: dept?.id, territoryStreet: street?.id) else { return nil }
        return ([pointAdopter, dept, street].compactMap { $0 }.first { $0.id == r.unit }!, r.via)
    }
}

extension Database {
    /// The org tree as of at most a few seconds ago (`Database.orgTrees`), and as of this process's last change to it.
    func orgTree() async throws -> OrgTree {
        try await orgTrees.value(0) { OrgTree(try await read { try await OrgService.decode($0.raw("SELECT * FROM orgs").all()) }) }
    }

    /// A change to the org tree: one transaction, serialised with the others (`lockTree`); the in-memory tree is
    /// dropped once it is committed (or rolled back), and so are the cached identities (a user's org name and path).
    func writeTree<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        defer { orgTrees.invalidate(); identities.invalidate() }
        return try await write { tx in
            try await lockTree(tx)
            return try await body(tx)
        }
    }
}
