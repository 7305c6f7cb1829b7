/// Every user-facing message of the rules, in one place (Simplified Chinese).
/// An English UI replaces this table; nothing else in the code spells a message out.
public enum Msg {
    public static let codeRequired = "编码不能为空"
    public static let codeTooLong = "编码不能超过 32 个字符"
    public static let codeChars = "编码只能包含字母、数字、短横线、下划线和点"
    public static let nameRequired = "名称不能为空"
    public static let nameTooLong = "名称不能超过 100 个字符"
    public static let moveIntoOwnSubtree = "不能把组织移动到它自己或它的下级之下（会形成循环）"
    public static let sectorMustBeDepartment = "条管部门必须是“部门”类型的组织"
    public static let rootExists = "已存在市级根节点，只能有一个“市”"
    public static func parentRequired(_ k: OrgKind) -> String { "“\(k.label)”必须指定上级组织" }
    public static func parentKindNotAllowed(kind: OrgKind, parent: OrgKind) -> String {
        if kind.allowedParents.isEmpty { return "“\(kind.label)”是最上级组织，不能设在其他组织之下" }
        let allowed = kind.allowedParents.map(\.label).sorted().joined(separator: "、")
        return "“\(kind.label)”不能设在“\(parent.label)”之下（允许的上级：\(allowed)）"
    }
    public static func unknownKind(_ s: String) -> String {
        "未知的组织类型“\(s)”（可用：\(OrgKind.allCases.map(\.label).joined(separator: "、"))）"
    }
    public static func duplicateCode(_ c: String, firstRow: Int) -> String { "编码“\(c)”重复（第 \(firstRow) 行已使用）" }
    public static func codeTaken(_ c: String) -> String { "编码“\(c)”已被其他组织使用" }
    public static func parentNotFound(_ c: String) -> String { "上级编码“\(c)”不存在" }
    public static func sectorNotFound(_ c: String) -> String { "条管部门编码“\(c)”不存在" }
    public static func cycle(_ codes: [String]) -> String { "上下级关系形成循环：\(codes.joined(separator: " → "))" }
    public static func missingColumn(_ c: String) -> String { "缺少必需的列“\(c)”" }
    public static func unknownColumn(_ c: String) -> String { "无法识别的列“\(c)”" }
    public static func duplicateColumn(_ c: String) -> String { "列“\(c)”出现了两次" }
    public static func unknownLevel(_ s: String) -> String { "层级须为 测评项目、测评内容 或 测评标准，而不是“\(s)”" }
    public static func badScore(_ s: String) -> String { "分值须为不小于 0 的数，最多两位小数，而不是“\(s)”" }
    public static func unknownMethod(_ s: String) -> String { "未知的测评方法“\(s)”（可用：\(CollectionMethod.allCases.map(\.label).joined(separator: "、"))）" }
    public static func unknownCategory(_ s: String) -> String { "未知的点位类型“\(s)”（请先在“点位类型”中添加）" }
    public static func unknownNature(_ s: String) -> String { "性质须为 定性 或 定量，而不是“\(s)”" }
    public static let standardNeedsMethod = "测评标准至少要有一种测评方法"
    public static let categoriesNeedField = "只有采用“实地考察”的测评标准才能填写适用点位"
    public static func onlyStandards(_ col: String) -> String { "“\(col)”只能填在测评标准行上" }
    public static func unknownUnit(_ c: String) -> String { "单位编码“\(c)”不存在、已停用或不在您的管辖范围内" }
    public static let oneLead = "每条标准只能有一个牵头单位"
    public static func badDate(_ s: String) -> String { "日期须写成 YYYY-MM-DD，例如 2026-12-31，而不是“\(s)”" }
    public static func levelUnder(_ child: String, _ parent: String) -> String { "“\(child)”不能放在“\(parent)”之下" }
    public static func needsParent(_ level: String) -> String { "“\(level)”必须填写上级编码" }
    public static func unknownPenalty(_ s: String) -> String { "处罚须为 扣分、暂停评选 或 撤销称号，而不是“\(s)”" }
    public static func badMonths(_ s: String) -> String { "暂停月数须为 1–120 的整数，而不是“\(s)”" }
    public static func badYesNo(_ s: String) -> String { "只能填 是 或 否，而不是“\(s)”" }
    public static func areaNameDiffers(_ code: String, _ name: String) -> String { "领域编码“\(code)”已对应领域“\(name)”" }
    public static let emptyFile = "文件是空的，没有表头"
    public static let noDataRows = "文件只有表头，没有数据行"
    public static func tooManyRows(_ n: Int) -> String { "一次最多导入 \(n) 行" }
    public static func badActive(_ s: String) -> String { "“启用”列只能填 是/否（或 1/0），而不是“\(s)”" }
    public static let kindChangeNotAllowed = "已存在组织的类型不能通过导入修改"

    public static func passwordTooShort(_ n: Int) -> String { "密码至少需要 \(n) 个字符" }
    public static let passwordNeedsLetterAndDigit = "密码必须同时包含字母和数字"
    public static let passwordTooLong = "密码不能超过 72 个字节"
    public static let usernameInvalid = "用户名须为 3–32 位字母、数字、下划线、短横线或点"
    public static let displayNameRequired = "姓名不能为空"
    public static func roleNotAllowedAt(_ r: Role, _ k: OrgKind) -> String {
        "“\(r.label)”不能绑定到“\(k.label)”类型的组织（允许：\(r.allowedOrgKinds.map(\.label).sorted().joined(separator: "、"))）"
    }
    public static let loginFailed = "用户名或密码错误"
    public static func lockedOut(minutes: Int) -> String { "登录失败次数过多，请 \(minutes) 分钟后再试" }
    public static let accountDisabled = "该账号已停用，请联系创文办管理员"
    public static let notLoggedIn = "请先登录"
    public static let forbidden = "您没有权限执行此操作"
    public static let outOfScope = "该对象不在您的管辖范围内"
    public static let notFound = "找不到该对象"
    public static let csrfFailed = "表单已过期或来源不可信，请刷新页面后重试"
    public static let wrongCurrentPassword = "当前密码不正确"
    public static let passwordMismatch = "两次输入的新密码不一致"
    public static let tooManyRequests = "请求过于频繁，请稍后再试"
    public static func uploadTooLarge(_ mb: Int) -> String { "文件太大（上限 \(mb) MB）" }
    public static let uploadUnreadable = "无法识别的文件：请上传 .xlsx 或 .csv（UTF-8）文件"
    public static let alreadyInactive = "该组织已停用"
    public static let alreadyActive = "该组织已是启用状态"
    public static let hasActiveChildren = "该组织下还有启用中的下级组织，请先停用或移走它们"
    public static let cannotDeactivateSelf = "不能停用自己的账号"
    public static let cannotDeactivateRoot = "不能停用市级根节点"
    public static let cannotDeactivateOwnScope = "不能停用您自己管辖范围的根节点"
    public static let sectorOnlyForUnits = "只有单位（部门、机关、学校、医院、企业、窗口单位）可以设置条管部门"
    public static func inactiveParent(child: String, parent: String) -> String { "“\(child)”仍在启用，但它的上级“\(parent)”已停用或将被停用" }
    public static let mustChangePassword = "请先修改管理员为您设置的临时密码"
    public static let duplicateData = "数据已存在（可能是他人同时提交了相同的编码或用户名），请刷新后重试"
    public static let usernameTaken = "用户名已被使用"
    public static let adoptionTargetRequired = "请选择包保的社区或填写包保的路段/点位名称"
    public static let adopterMustBeUnit = "包保单位必须是部门、机关、学校、医院、企业或窗口单位"
    public static let adoptionTargetMustBeTerritory = "包保对象只能是社区/村或网格"
    public static let memberMustBeUnit = "工作组成员必须是单位或部门"
    public static let groupMustBeBody = "只能向领导小组、创文办或工作组添加成员"
    public static let alreadyMember = "该单位已是成员"
    public static func invalidField(_ f: String) -> String { "字段“\(f)”的值无效" }
    public static func requiredField(_ f: String) -> String { "“\(f)”不能为空" }
    public static let malformedRequest = "请求格式不正确"

    /// What is wrong with a JSON body that did not decode, in Chinese, naming the field by its path
    /// (`items[2].code`), so that an API client's author sees which field to fix.
    public static func malformedRequest(_ e: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { p, k in
                if let i = k.intValue, k.stringValue.hasPrefix("Index") || k.stringValue == "\(i)" { return p + "[\(i)]" }
                return p.isEmpty ? k.stringValue : p + "." + k.stringValue
            }
        }
        func kind(_ t: Any.Type) -> String {
            switch t {
            case is String.Type, is Substring.Type: "文本"
            case is Int.Type, is Int64.Type, is Int32.Type, is Double.Type, is Float.Type: "数字"
            case is Bool.Type: "true 或 false"
            case is [Any].Type: "数组"
            case is [String: Any].Type: "对象"
            default: "\(t)"
            }
        }
        let detail: String
        switch e {
        case .keyNotFound(let k, let c): detail = "缺少字段“\(path(c.codingPath + [k]))”"
        case .valueNotFound(_, let c): detail = "字段“\(path(c.codingPath))”不能为 null"
        case .typeMismatch(let t, let c):
            // A space between Chinese and Latin text ("应为 true 或 false"), none between Chinese words ("应为数字").
            let k = kind(t), gap = k.first?.isASCII == true ? " " : ""
            if !c.codingPath.isEmpty {
                detail = "字段“\(path(c.codingPath))”的类型不对，应为\(gap)\(k)"
            } else if t is String.Type || t is Substring.Type || t is any Numeric.Type || t is Bool.Type {
                // A text, number or true/false at the root is a path or query parameter (the URI decoder reads each
                // parameter on its own and names none); a body's root is an object.
                detail = "路径或查询参数的值不对，应为\(gap)\(k)"
            } else {
                detail = "应为 JSON 对象"
            }
        case .dataCorrupted(let c): detail = c.codingPath.isEmpty ? "不是有效的 JSON" : "字段“\(path(c.codingPath))”的值无效"
        @unknown default: detail = "无法解析"
        }
        return malformedRequest + "：" + detail
    }
    public static let tokenNameRequired = "请为令牌起一个名称"
}
