import Foundation
import SQLKit
import WenmingCore

/// The append-only audit trail. Every change records who, when, what, before/after and from where,
/// inside the same transaction as the change itself.
public enum Audit {
    public struct Entry: Codable, Sendable {
        public var id: Int64
        public var at: Int64
        public var actorId: Int64?
        public var actorName: String
        public var action: String
        public var entity: String
        public var entityId: Int64?
        public var summary: String
        public var beforeJson: String?
        public var afterJson: String?
        public var ip: String
        public var scopePath: String
    }

    static func json(_ v: (any Encodable)?) -> String? {
        guard let v else { return nil }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let d = try? enc.encode(v) else { return nil }
        return String(decoding: d, as: UTF8.self)
    }

    public static func record(
        _ tx: any SQLDatabase, actor: Identity?, action: String, entity: String, entityID: Int64?,
        summary: String, before: (any Encodable)? = nil, after: (any Encodable)? = nil,
        scope: OrgPath, at: Date, ip: String? = nil
    ) async throws {
        try await tx.raw("""
            INSERT INTO audit_log (at, actor_id, actor_name, action, entity, entity_id, summary, before_json, after_json, ip, scope_path)
            VALUES (\(bind: at.epoch), \(bind: actor?.userID), \(bind: actor?.signature ?? "系统"),
                    \(bind: action), \(bind: entity), \(bind: entityID), \(bind: summary), \(bind: json(before)), \(bind: json(after)),
                    \(bind: ip ?? actor?.ip ?? ""), \(bind: scope.description))
            """).run()
    }

    public struct Filter: Sendable {
        public var actor: String = ""
        public var entity: String = ""
        public var action: String = ""
        public var entityID: Int64?
        public var from: Date?
        public var to: Date?
        public var page = 1
        public init() {}
    }

    public static let actionLabels: [String: String] = [
        "create": "新建", "update": "修改", "move": "移动", "deactivate": "停用", "activate": "启用",
        "import": "导入", "login": "登录", "login_failed": "登录失败", "logout": "退出", "password_change": "修改密码",
        "password_reset": "重置密码", "token_create": "创建令牌", "token_revoke": "吊销令牌", "member_add": "添加成员",
        "member_remove": "移除成员", "adoption_end": "结束包保", "settings": "修改设置", "demo_load": "载入演示数据",
        "assign": "分解任务", "claim": "认领", "request_adjustment": "申请调整", "approve_adjustment": "同意调整",
        "reject_adjustment": "驳回调整", "complete": "报告完成", "reopen": "退回重办", "revoke": "撤回分解", "report": "报送进度", "withdraw": "撤销",
    ]
    public static let entityLabels: [String: String] = [
        "org": "组织", "user": "用户", "session": "会话", "api_token": "API 令牌", "group_member": "工作组成员",
        "adoption": "包保关系", "settings": "系统设置", "system": "系统",
        "index_system": "测评体系", "index_node": "测评体系节点", "point_category": "点位类型", "negative_item": "负面清单",
        "negative_incident": "负面清单事件", "campaign": "创建周期", "assignment": "责任分解", "milestone": "计划节点",
    ]

    /// Entries inside the actor's scope, newest first.
    public static func list(_ db: Database, actor: Identity, filter: Filter, pageSize: Int) async throws -> (entries: [Entry], total: Int) {
        try actor.require(.viewAudit)
        let (lo, hi) = scopeRange(actor.orgPath)
        return try await db.read { db in
            var conds = SQLQueryString("scope_path >= \(bind: lo) AND scope_path < \(bind: hi)")
            if !filter.actor.isEmpty {
                conds.appendInterpolation(unsafeRaw: " AND LOWER(actor_name) LIKE ")
                conds.appendInterpolation(bind: SearchText.containsPattern(filter.actor))
                conds.appendInterpolation(unsafeRaw: " ESCAPE '\\'")
            }
            if !filter.entity.isEmpty { conds.appendInterpolation(unsafeRaw: " AND entity = "); conds.appendInterpolation(bind: filter.entity) }
            if !filter.action.isEmpty { conds.appendInterpolation(unsafeRaw: " AND action = "); conds.appendInterpolation(bind: filter.action) }
            if let e = filter.entityID { conds.appendInterpolation(unsafeRaw: " AND entity_id = "); conds.appendInterpolation(bind: e) }
            if let f = filter.from { conds.appendInterpolation(unsafeRaw: " AND at >= "); conds.appendInterpolation(bind: f.epoch) }
            if let t = filter.to { conds.appendInterpolation(unsafeRaw: " AND at < "); conds.appendInterpolation(bind: t.epoch) }
            let total = try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE \(conds)").first()?.decode(column: "n", as: Int.self) ?? 0
            let w = PageWindow(page: filter.page, pageSize: pageSize)
            let rows = try await db.raw("SELECT * FROM audit_log WHERE \(conds) ORDER BY id DESC LIMIT \(unsafeRaw: String(w.limit)) OFFSET \(unsafeRaw: String(w.offset))").all()
            return (try rows.map { try $0.decode(model: Entry.self, with: .snakeCase) }, total)
        }
    }
}
