import Foundation

public enum PasswordPolicy {
    /// Why `password` is not acceptable, or nil. Bcrypt reads at most 72 bytes, so longer ones are refused.
    public static func problem(_ password: String, minLength: Int) -> String? {
        if password.count < minLength { return Msg.passwordTooShort(minLength) }
        if password.utf8.count > 72 { return Msg.passwordTooLong }
        let hasLetter = password.unicodeScalars.contains { CharacterSet.letters.contains($0) }
        let hasDigit = password.unicodeScalars.contains { CharacterSet.decimalDigits.contains($0) }
        if !(hasLetter && hasDigit) { return Msg.passwordNeedsLetterAndDigit }
        return nil
    }

    public static func usernameProblem(_ u: String) -> String? {
        guard (3...32).contains(u.count) else { return Msg.usernameInvalid }
        let ok = u.unicodeScalars.allSatisfy { s in
            (s.value >= 48 && s.value <= 57) || (s.value >= 65 && s.value <= 90) || (s.value >= 97 && s.value <= 122)
                || s == "-" || s == "_" || s == "."
        }
        return ok ? nil : Msg.usernameInvalid
    }
}

/// Throttling of failed logins: after `maxFailures` failures inside `window`, the account (or address)
/// is locked until `lockout` has passed since the last failure.
public struct LoginThrottle: Sendable, Equatable {
    public var maxFailures: Int
    public var window: TimeInterval
    public var lockout: TimeInterval

    public init(maxFailures: Int = 5, window: TimeInterval = 15 * 60, lockout: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
        self.lockout = lockout
    }

    /// Given the times of recent failures (since the last success), the moment the lock ends, or nil when not locked.
    public func lockedUntil(failures: [Date], now: Date) -> Date? {
        guard maxFailures >= 1 else { return nil }
        let recent = failures.filter { now.timeIntervalSince($0) < window + lockout }.sorted()
        guard recent.count >= maxFailures else { return nil }
        // Look for `maxFailures` failures that fall inside one window; the lock runs from the last of them.
        var lockEnd: Date?
        for i in (maxFailures - 1)..<recent.count {
            let first = recent[i - maxFailures + 1]
            if recent[i].timeIntervalSince(first) < window {
                let end = recent[i].addingTimeInterval(lockout)
                if end > now { lockEnd = max(lockEnd ?? end, end) }
            }
        }
        return lockEnd
    }
}
