/// An RTCP source description (RFC 3550 §6.5, PT 202). A sender must include
/// its CNAME in every compound packet (§6.1), which is how receivers tie the
/// SSRC to an endpoint across SSRC changes.
public struct RTCPSourceDescription: Equatable, Sendable {
    /// Packet type.
    public static let packetType: UInt8 = 202
    /// Item type of CNAME (§6.5.1).
    public static let cnameItem: UInt8 = 1

    /// One SDES item: type and value (at most 255 bytes, UTF-8 text).
    public struct Item: Equatable, Sendable {
        public var type: UInt8
        public var value: [UInt8]
        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }
    }

    /// The items about one source.
    public struct Chunk: Equatable, Sendable {
        public var ssrc: UInt32
        public var items: [Item]
        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }

        /// The CNAME, if the chunk has one.
        public var cname: String? {
            items.first { $0.type == RTCPSourceDescription.cnameItem }.map { String(decoding: $0.value, as: UTF8.self) }
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    /// One chunk with only a CNAME (truncated to 255 bytes, the item length limit).
    public init(ssrc: UInt32, cname: String) {
        chunks = [Chunk(ssrc: ssrc, items: [Item(type: Self.cnameItem, value: Array(cname.utf8.prefix(255)))])]
    }

    /// Appends the packet: each chunk's items, an END item, null octets to the
    /// next 32-bit boundary (§6.5). At most 31 chunks, items of at most 255 bytes.
    public func encode(into bytes: inout [UInt8]) {
        var body: [UInt8] = []
        let used = chunks.prefix(31)
        for chunk in used {
            RTCPBytes.append32(chunk.ssrc, to: &body)
            for item in chunk.items where item.type != 0 {
                let value = item.value.prefix(255)
                body.append(item.type)
                body.append(UInt8(value.count))
                body += value
            }
            body.append(0)
            while body.count % 4 != 0 { body.append(0) }
        }
        RTCPBytes.appendHeader(count: used.count, type: Self.packetType, bodyBytes: body.count, to: &bytes)
        bytes += body
    }

    init(decoding bytes: [UInt8], body range: Range<Int>, count: Int) throws(RTCPError) {
        chunks = []
        var cursor = range.lowerBound
        for _ in 0..<count {
            guard cursor + 4 <= range.upperBound else { throw .malformedSourceDescription("chunk SSRC truncated") }
            var chunk = Chunk(ssrc: RTCPBytes.read32(bytes, cursor), items: [])
            cursor += 4
            while true {
                guard cursor < range.upperBound else { throw .malformedSourceDescription("chunk has no END item") }
                let type = bytes[cursor]
                if type == 0 {
                    // END, then null octets up to the next 32-bit boundary.
                    cursor += 1
                    cursor = min(range.upperBound, (cursor - range.lowerBound + 3) / 4 * 4 + range.lowerBound)
                    break
                }
                guard cursor + 2 <= range.upperBound else { throw .malformedSourceDescription("item header truncated") }
                let length = Int(bytes[cursor + 1])
                guard cursor + 2 + length <= range.upperBound else {
                    throw .malformedSourceDescription("item of \(length) bytes runs past the packet")
                }
                chunk.items.append(Item(type: type, value: Array(bytes[(cursor + 2)..<(cursor + 2 + length)])))
                cursor += 2 + length
            }
            chunks.append(chunk)
        }
    }
}
