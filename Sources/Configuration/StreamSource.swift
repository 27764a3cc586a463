/// Where a stream's MPEG-TS comes from: a file (`file:/srv/cam1.ts`) or the
/// network (a `MediaAddress`, possibly SSM).
public enum StreamSource: Hashable, Sendable, CustomStringConvertible, Codable {
    /// An MPEG-TS file, by absolute path, played paced by its PCR.
    case file(path: String)
    /// A UDP or RTP input.
    case network(MediaAddress)

    /// What a valid source looks like, for error messages.
    public static let rule = "file:/ABSOLUTE/PATH, udp://[SOURCE@]HOST:PORT or rtp://[SOURCE@]HOST:PORT"

    /// Parses `file:/path` or a media URL.
    public init?(_ text: String) {
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst(5))
            guard FilePath.isValid(path) else { return nil }
            self = .file(path: path)
        } else if let address = MediaAddress(text) {
            self = .network(address)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .file(let path): "file:" + path
        case .network(let address): address.description
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let source = StreamSource(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not \(StreamSource.rule)"))
        }
        self = source
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
