/// Roles of DOMAIN.md §1. Each user has one role and is bound to one org node; the scope is that node's subtree.
public enum Role: String, CaseIterable, Sendable, Codable, Hashable {
    case officeAdmin = "office_admin"
    case leader
    case liaison
    case unitHead = "unit_head"
    case inspector
    case gridWorker = "grid_worker"
    case volunteer
    case supervisor
    case citizen

    public var label: String {
        switch self {
        case .officeAdmin: "创文办管理员"
        case .leader: "领导"
        case .liaison: "联络员"
        case .unitHead: "单位负责人"
        case .inspector: "督查员"
        case .gridWorker: "网格员"
        case .volunteer: "志愿者"
        case .supervisor: "社会监督员"
        case .citizen: "市民"
        }
    }

    public init?(codeOrLabel raw: String) {
        let s = raw.trimmed()
        if let r = Role(rawValue: s) { self = r; return }
        if let r = Role.allCases.first(where: { $0.label == s }) { self = r; return }
        return nil
    }

    public var permissions: Set<Permission> {
        switch self {
        case .officeAdmin: Set(Permission.allCases)
        case .leader: [.viewOrgs, .viewUsers, .exportOrgs, .viewGroups, .viewIndex, .viewTasks, .viewCases, .viewPoints, .viewScores]
        case .liaison, .unitHead: [.viewOrgs, .viewUsers, .editUnitProfile, .viewGroups, .viewIndex, .viewTasks, .workTasks,
                                   .reportCases, .viewCases, .handleCases, .viewPoints, .viewScores]
        case .inspector: [.viewOrgs, .viewGroups, .viewIndex, .viewTasks, .recordIncidents, .reportCases, .viewCases, .verifyCases, .viewPoints, .inspect, .viewScores]
        case .supervisor: [.viewOrgs, .viewGroups, .viewIndex, .reportCases, .viewPoints, .inspect]
        case .gridWorker: [.viewOrgs, .viewIndex, .reportCases, .viewCases, .viewPoints]
        case .volunteer, .citizen: [.reportCases]
        }
    }

    public func can(_ p: Permission) -> Bool { permissions.contains(p) }

    /// Where a user of this role may be bound.
    public var allowedOrgKinds: Set<OrgKind> {
        let territory: Set<OrgKind> = [.city, .district, .county, .street, .town, .community, .village]
        let units: Set<OrgKind> = [.department, .agency, .school, .hospital, .company, .window]
        switch self {
        case .officeAdmin: return [.city, .district, .county, .office]
        case .leader: return territory.union([.leadingGroup, .office, .workingGroup])
        case .liaison, .unitHead: return territory.union(units)
        case .inspector, .supervisor: return territory.union([.office, .workingGroup]).union(units)
        case .gridWorker: return [.grid, .community, .village]
        case .volunteer, .citizen: return territory.union([.grid]).union(units)
        }
    }

    /// Which roles an actor of this role may give to users it creates or edits (always within its scope).
    public var assignableRoles: [Role] { self == .officeAdmin ? Role.allCases : [] }
}

/// What a role may do; where it may do it is the scope.
public enum Permission: String, CaseIterable, Sendable {
    case viewOrgs, manageOrgs, editUnitProfile, importOrgs, exportOrgs
    case viewUsers, manageUsers
    case viewGroups, manageGroups, manageAdoptions
    case viewAudit
    case viewIndex, manageIndex, recordIncidents
    case viewTasks, assignTasks, workTasks
    /// Cases (问题整改): report one; see those in scope; act for the responsible unit; verify on site
    /// (核查); run the office's steps (立案, 派遣, 缓办, 转办, settings of the loop).
    case reportCases, viewCases, handleCases, verifyCases, manageCases
    case viewPoints, managePoints, runDraws, manageRounds, inspect
    /// Scores, rankings and notices (通报): see them in scope; compute, publish, change the scheme, write and issue notices.
    case viewScores, manageScores
}
