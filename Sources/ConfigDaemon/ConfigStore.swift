import Configuration
import ApplianceProtocol
import ApplianceCore

/// The startup configuration on disk: `var/lib/appliance/configd/startup-config`
/// (mode 0600: it holds password hashes and SNMP keys), written atomically
/// (temp file, fsync, rename, fsync of the folder), with a copy of the last
/// configuration that loaded or saved cleanly beside it.
public struct ConfigStore: Sendable {
    public let startupPath: String
    public let lastGoodPath: String
    public let rejectedPath: String

    public init(folder: String) {
        self.init(startupPath: folder + "/startup-config")
    }

    /// A startup configuration at another path (`configd --config FILE`); the
    /// last good copy and a rejected file go beside it.
    public init(startupPath: String) {
        self.startupPath = startupPath
        lastGoodPath = startupPath + ".last-good"
        rejectedPath = startupPath + ".rejected"
    }

    /// What loading found.
    public enum Loaded: Sendable {
        /// No startup configuration yet (first start).
        case none
        case loaded(ApplianceConfig)
        /// The file was refused (why), and the last good configuration (if any) is used instead.
        case refused(problem: String, fallback: ApplianceConfig?)
    }

    public func load(validator: ConfigValidator = ConfigValidator()) -> Loaded {
        let text: [UInt8]?
        do {
            text = try AtomicFile.read(startupPath, limit: ConfigParser.maximumTextSize)
        } catch {
            return .refused(problem: "\(error)", fallback: lastGood(validator))
        }
        guard let text else { return .none }
        do {
            let config = try ConfigParser.parse(String(decoding: text, as: UTF8.self))
            try validator.validate(config)
            return .loaded(config)
        } catch {
            return .refused(problem: "\(startupPath): \(error)", fallback: lastGood(validator))
        }
    }

    private func lastGood(_ validator: ConfigValidator) -> ApplianceConfig? {
        guard let bytes = try? AtomicFile.read(lastGoodPath, limit: ConfigParser.maximumTextSize),
              let config = try? ConfigParser.parse(String(decoding: bytes, as: UTF8.self)),
              (try? validator.validate(config)) != nil else { return nil }
        return config
    }

    /// Writes `config` as the startup configuration, then as the last good one.
    public func save(_ config: ApplianceConfig) throws(AtomicFile.WriteError) {
        let text = ConfigRenderer.render(config, secrets: .all)
        try AtomicFile.write(text, to: startupPath, mode: 0o600)
        try AtomicFile.write(text, to: lastGoodPath, mode: 0o600)
    }

    /// Removes temporary files a write cut short by a crash left behind (the
    /// rename never happened, so they were never the configuration).
    public func removeStaleTemporaries() {
        let folder = startupPath.lastIndex(of: "/").map { String(startupPath[..<$0]) } ?? "."
        let prefix = String(startupPath[(startupPath.lastIndex(of: "/").map { startupPath.index(after: $0) } ?? startupPath.startIndex)...])
        for name in (try? AtomicFile.entries(in: folder)) ?? [] where name.hasPrefix(prefix + ".") && name.contains(".tmp.") {
            unlink(folder + "/" + name)
        }
    }

    /// Keeps a refused file for the administrator to inspect, out of the way.
    public func setAsideRefused() {
        _ = rename(startupPath, rejectedPath)
    }
}

import Glibc
