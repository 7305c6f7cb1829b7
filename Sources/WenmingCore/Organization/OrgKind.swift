/// The kinds of node in Wenming's organisation tree (条块).
///
/// One tree holds the territory (块: 市 → 区/县 → 街道/镇 → 社区/村 → 网格), the units that sit in a
/// territory (属地), and the campaign bodies. A user's scope is a node and its subtree.
public enum OrgKind: String, CaseIterable, Sendable, Codable, Hashable {
    case city
    case district
    case county
    case street
    case town
    case community
    case village
    case grid
    case department
    case agency
    case school
    case hospital
    case company
    case window
    case leadingGroup = "leading_group"
    case office
    case workingGroup = "working_group"

    /// The Chinese name shown in the UI and accepted in imports.
    public var label: String {
        switch self {
        case .city: "市"
        case .district: "区"
        case .county: "县"
        case .street: "街道"
        case .town: "镇"
        case .community: "社区"
        case .village: "村"
        case .grid: "网格"
        case .department: "部门"
        case .agency: "机关"
        case .school: "学校"
        case .hospital: "医院"
        case .company: "企业"
        case .window: "窗口单位"
        case .leadingGroup: "领导小组"
        case .office: "创文办"
        case .workingGroup: "工作组"
        }
    }

    /// Accepts the code (`district`) or the Chinese label (`区`).
    public init?(codeOrLabel raw: String) {
        let s = raw.trimmed()
        if let k = OrgKind(rawValue: s) { self = k; return }
        if let k = OrgKind.allCases.first(where: { $0.label == s }) { self = k; return }
        return nil
    }

    /// The kind stored in `orgs.kind`; an unknown value reads as an agency.
    public init(stored raw: String) { self = OrgKind(rawValue: raw) ?? .agency }

    public enum Family: String, Sendable { case territory, unit, body }

    public var family: Family {
        switch self {
        case .city, .district, .county, .street, .town, .community, .village, .grid: .territory
        case .department, .agency, .school, .hospital, .company, .window: .unit
        case .leadingGroup, .office, .workingGroup: .body
        }
    }

    public var isTerritory: Bool { family == .territory }
    public var isUnit: Bool { family == .unit }

    /// Territorial level: 0 city, 1 district/county, 2 street/town, 3 community/village, 4 grid.
    public var territorialLevel: Int? {
        switch self {
        case .city: 0
        case .district, .county: 1
        case .street, .town: 2
        case .community, .village: 3
        case .grid: 4
        default: nil
        }
    }

    /// The kinds a node of this kind may hang under. Empty means it is a root (only the city).
    public var allowedParents: Set<OrgKind> {
        switch self {
        case .city: []
        case .district, .county: [.city]
        case .street, .town: [.district, .county]
        case .community, .village: [.street, .town]
        case .grid: [.community, .village]
        case .department: [.city, .district, .county]
        case .agency, .school, .hospital, .company, .window:
            [.city, .district, .county, .street, .town, .community, .village]
        case .leadingGroup, .office: [.city, .district, .county]
        case .workingGroup: [.leadingGroup, .office]
        }
    }

    public func mayHangUnder(_ parent: OrgKind?) -> Bool {
        guard let parent else { return allowedParents.isEmpty }
        return allowedParents.contains(parent)
    }
}
