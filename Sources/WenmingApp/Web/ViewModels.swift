import Foundation
import WenmingCore

/// Preformatted rows for templates.
struct OrgVM: Sendable {
    var id: Int64
    var code: String
    var name: String
    var kind: String
    var kindLabel: String
    var active: Bool
    // Optional so that an empty value hides its line (Mustache treats "" as a value).
    var address: String?
    var contact: String?
    var phone: String?
    var leaderName: String?
    var leaderTitle: String?
    var duty: String?
    var isBody: Bool
    var isUnit: Bool
    var isTerritory: Bool
    var sectorName: String?
    var sectorID: Int64?
    var parentName: String?
    var parentID: Int64?
    var updated: String

    init(_ r: OrgRow, sector: OrgRow? = nil, parent: OrgRow? = nil) {
        id = r.id; code = r.code; name = r.name; kind = r.kind; kindLabel = r.orgKind.label; active = r.isActive
        address = r.address.nonEmpty; contact = r.contact.nonEmpty; phone = r.phone.nonEmpty; leaderName = r.leaderName.nonEmpty
        leaderTitle = r.leaderTitle.nonEmpty; duty = r.duty.nonEmpty; isBody = r.orgKind.family == .body; isUnit = r.orgKind.isUnit; isTerritory = r.orgKind.isTerritory
        sectorName = sector?.name; sectorID = r.sectorId; parentName = parent?.name; parentID = r.parentId
        updated = Fmt.dateTime(r.updatedAt)
    }
}

struct UserVM: Sendable {
    var id: Int64
    var username: String
    var displayName: String
    var role: String
    var roleLabel: String
    var orgName: String
    var orgID: Int64
    var orgCode: String
    var phone: String
    var active: Bool
    var mustChange: Bool
    var created: String
    init(_ v: UserView) {
        id = v.user.id; username = v.user.username; displayName = v.user.displayName; role = v.user.role
        roleLabel = v.user.userRole.label; orgName = v.org.name; orgID = v.org.id; orgCode = v.org.code
        phone = v.user.phone; active = v.user.isActive; mustChange = v.user.mustChangePassword != 0
        created = Fmt.dateTime(v.user.createdAt)
    }
}

struct AuditVM: Sendable {
    var id: Int64
    var at: String
    var actor: String
    var action: String
    var entity: String
    var entityID: String
    var summary: String
    var before: String?
    var after: String?
    var ip: String
    init(_ e: Audit.Entry) {
        id = e.id; at = Fmt.dateTime(e.at); actor = e.actorName
        action = Audit.actionLabels[e.action] ?? e.action
        entity = Audit.entityLabels[e.entity] ?? e.entity
        entityID = e.entityId.map(String.init) ?? ""
        summary = e.summary; before = e.beforeJson; after = e.afterJson; ip = e.ip
    }
}

struct Option: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

struct Crumb: Sendable { var id: Int64; var name: String }

struct FieldErrors: Sendable {
    var all: [String: String]
    subscript(_ k: String) -> String? { all[k] }
}

func kindOptions(_ kinds: [OrgKind], selected: String?) -> [Option] {
    kinds.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
}

func roleOptions(_ roles: [Role], selected: String?) -> [Option] {
    roles.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == selected) }
}

extension String {
    /// nil for an empty string, for template sections that should vanish when there is nothing to show.
    var nonEmpty: String? { isEmpty ? nil : self }
}

/// Children of a node grouped by kind, in the order of `OrgKind.allCases` (territory, units, bodies).
struct ChildGroup: Sendable { var label: String; var count: Int; var rows: [OrgVM] }

func groupChildren(_ rows: [OrgRow]) -> [ChildGroup] {
    OrgKind.allCases.compactMap { k in
        let rs = rows.filter { $0.orgKind == k }.sorted { $0.code < $1.code }
        return rs.isEmpty ? nil : ChildGroup(label: k.label, count: rs.count, rows: rs.map { OrgVM($0) })
    }
}
