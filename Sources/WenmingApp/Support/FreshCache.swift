import Foundation

/// Values read from the database and kept for a few seconds: reloaded when older than `maxAge`, and dropped at once
/// when this process changes what they were read from (`invalidate`, `remove`). Another server process on the same
/// PostgreSQL database sees such a change within `maxAge` (admin guide §8).
final class FreshCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    let maxAge: Duration
    /// More keys than this and the cache starts again empty: it holds what is in use, not everything ever seen.
    let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: (value: Value, at: ContinuousClock.Instant)] = [:]
    private var generation = 0

    init(maxAge: Duration, capacity: Int = 10_000) { self.maxAge = maxAge; self.capacity = capacity }

    /// The value for `key`, loaded by `load` when missing or too old. Nothing is kept when `load` finds nothing.
    func lookup(_ key: Key, _ load: () async throws -> Value?) async throws -> Value? {
        let now = ContinuousClock.now
        let (cached, gen) = lock.withLock { (entries[key], generation) }
        if let cached, now - cached.at < maxAge { return cached.value }
        guard let value = try await load() else { return nil }
        // A value loaded while a change was being committed may be the old one: keep it only if nothing changed since.
        lock.withLock {
            guard generation == gen else { return }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, now)
        }
        return value
    }

    /// The value for `key`, loaded by `load` when missing or too old.
    func value(_ key: Key, _ load: () async throws -> Value) async throws -> Value {
        // `load` always gives a value, so `lookup` does too.
        try await lookup(key) { try await load() as Value? }!
    }

    /// Drops one key (and keeps any load under way from storing an older value).
    func remove(_ key: Key) { lock.withLock { entries[key] = nil; generation += 1 } }

    /// Drops everything (and keeps any load under way from storing an older value).
    func invalidate() { lock.withLock { entries.removeAll(); generation += 1 } }
}
