import Foundation
import SQLKit
import WenmingCore

/// The office's settings: defaults from `Settings`, overridden by rows of the `settings` table.
/// Cached for a few seconds so that several app instances pick up a change quickly without a query per request.
public final class SettingsStore: @unchecked Sendable {
    let db: Database
    let clock: any Clock
    private let lock = NSLock()
    private var cached: (Settings, Date)?

    public init(db: Database, clock: any Clock) { self.db = db; self.clock = clock }

    public func current() async throws -> Settings {
        let now = clock.now()
        if let (s, at) = lock.withLock({ cached }), now.timeIntervalSince(at) < 5, now >= at { return s }
        let rows = try await db.read { try await $0.raw("SELECT key, value FROM settings").all() }
        var values: [String: String] = [:]
        for r in rows { values[try r.decode(column: "key", as: String.self)] = try r.decode(column: "value", as: String.self) }
        var s = Settings()
        _ = s.apply(values)
        lock.withLock { cached = (s, now) }
        return s
    }

    /// Validates and saves the submitted values (all or none) and records the change.
    public func save(_ values: [String: String], actor: Identity) async throws -> Settings {
        try actor.require(.manageOrgs)
        guard actor.orgPath.ids.count == 1 else { throw AppError.forbidden("只有市级创文办管理员可以修改系统设置") }
        let before = try await current()
        var updated = before
        let problems = updated.apply(values)
        if !problems.isEmpty { throw AppError.validation(problems) }
        let after = updated
        let now = clock.now()
        try await db.write { tx in
            for f in Settings.fields {
                let v = String(after[f.key]!)
                try await tx.raw("DELETE FROM settings WHERE key = \(bind: f.key)").run()
                try await tx.raw("INSERT INTO settings (key, value, updated_at) VALUES (\(bind: f.key), \(bind: v), \(bind: now.epoch))").run()
            }
            try await Audit.record(tx, actor: actor, action: "settings", entity: "settings", entityID: nil, summary: "修改系统设置",
                                   before: before, after: after, scope: actor.orgPath, at: now)
        }
        lock.withLock { cached = (after, now) }
        return after
    }
}
