/// The demo city as plain values: what `wenming demo` loads. Generated deterministically by `DemoCity.build()`.
public struct DemoOrg: Sendable, Equatable {
    public var code: String
    public var name: String
    public var kind: OrgKind
    public var parentCode: String?
    public var sectorCode: String?     // 条管 department code, for units
    public var address: String
    public var contact: String          // contact person
    public var phone: String
    public init(code: String, name: String, kind: OrgKind, parentCode: String?, sectorCode: String? = nil,
                address: String = "", contact: String = "", phone: String = "") {
        self.code = code; self.name = name; self.kind = kind; self.parentCode = parentCode
        self.sectorCode = sectorCode; self.address = address; self.contact = contact; self.phone = phone
    }
}

public struct DemoUser: Sendable, Equatable {
    public var username: String
    public var displayName: String
    public var role: Role
    public var orgCode: String
    public var phone: String
    public init(username: String, displayName: String, role: Role, orgCode: String, phone: String = "") {
        self.username = username; self.displayName = displayName; self.role = role; self.orgCode = orgCode; self.phone = phone
    }
}

/// A member unit of a campaign body (领导小组 / 创文办 / 工作组).
public struct DemoMembership: Sendable, Equatable {
    public var groupCode: String
    public var memberCode: String
    public var isLead: Bool
    public init(groupCode: String, memberCode: String, isLead: Bool) {
        self.groupCode = groupCode; self.memberCode = memberCode; self.isLead = isLead
    }
}

/// The leader (组长) and duty of a campaign body.
public struct DemoGroupInfo: Sendable, Equatable {
    public var groupCode: String
    public var leaderName: String
    public var leaderTitle: String
    public var duty: String
    public init(groupCode: String, leaderName: String, leaderTitle: String, duty: String) {
        self.groupCode = groupCode; self.leaderName = leaderName; self.leaderTitle = leaderTitle; self.duty = duty
    }
}

/// 包保: a unit answers for a community/grid (targetCode) or a named road section or place (targetName).
public struct DemoAdoption: Sendable, Equatable {
    public var unitCode: String
    public var targetCode: String?
    public var targetName: String
    public var kind: AdoptionKind
    public init(unitCode: String, targetCode: String?, targetName: String, kind: AdoptionKind) {
        self.unitCode = unitCode; self.targetCode = targetCode; self.targetName = targetName; self.kind = kind
    }
}

public enum AdoptionKind: String, CaseIterable, Sendable, Codable {
    case community, road, place
    public var label: String {
        switch self {
        case .community: "社区/网格"
        case .road: "路段"
        case .place: "点位/场所"
        }
    }
}

public struct DemoCityData: Sendable {
    public var orgs: [DemoOrg]            // parents always before children
    public var users: [DemoUser]
    public var memberships: [DemoMembership]
    public var groupInfo: [DemoGroupInfo]
    public var adoptions: [DemoAdoption]
    public init(orgs: [DemoOrg], users: [DemoUser], memberships: [DemoMembership], groupInfo: [DemoGroupInfo], adoptions: [DemoAdoption]) {
        self.orgs = orgs; self.users = users; self.memberships = memberships; self.groupInfo = groupInfo; self.adoptions = adoptions
    }
}
