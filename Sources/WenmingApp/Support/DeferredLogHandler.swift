import Logging

/// Writes to standard output exactly as `StreamLogHandler` does, but formats the metadata only when a line is
/// written. `StreamLogHandler` formats its whole metadata each time a key is set, and Hummingbird sets one (the
/// request id) on every request while logging almost nothing: that formatting was about 4 % of the server's CPU
/// on small API calls (docs/benchmarks.md, "PostgreSQL reads with names from memory", under "Request logging").
public struct DeferredLogHandler: LogHandler {
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    public init(label: String) {
        self.label = label
        metadataProvider = LoggingSystem.metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var h = StreamLogHandler.standardOutput(label: label, metadataProvider: metadataProvider)
        h.logLevel = logLevel
        h.metadata = metadata
        h.log(event: event)
    }
}
