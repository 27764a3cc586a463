/// The PMT (ISO/IEC 13818-1 §2.4.4.8): a program's PCR PID and elementary streams.
public struct ProgramMapTable: Equatable, Sendable {
    /// One elementary stream of the program.
    public struct ElementaryStream: Equatable, Sendable {
        /// stream_type (Table 2-34), e.g. 0x1B H.264, 0x24 HEVC, 0x0F AAC (ADTS), 0x06 private PES.
        public var streamType: UInt8
        /// elementary_PID.
        public var pid: UInt16
        /// The ES_info descriptors, undecoded.
        public var descriptors: [UInt8]
        public init(streamType: UInt8, pid: UInt16, descriptors: [UInt8] = []) {
            self.streamType = streamType
            self.pid = pid
            self.descriptors = descriptors
        }
    }

    /// table_id of the PMT.
    public static let tableID: UInt8 = 0x02

    /// program_number.
    public var programNumber: UInt16
    /// version_number.
    public var version: UInt8
    /// PCR_PID: the packets whose PCRs clock this program (0x1FFF: none).
    public var pcrPID: UInt16
    /// The program_info descriptors, undecoded.
    public var programInfo: [UInt8]
    /// The elementary streams, in section order.
    public var streams: [ElementaryStream]

    /// Parses the PMT section starting in the packet at `offset`.
    public init(packet bytes: [UInt8], at offset: Int = 0) throws(PSIError) {
        let section = try PSISection(packet: bytes, at: offset, expecting: ProgramMapTable.tableID)
        let body = section.body
        guard body.count >= 4 else { throw .malformedBody("PMT shorter than PCR_PID and program_info_length") }
        programNumber = section.tableIDExtension
        version = section.version
        pcrPID = UInt16(body[0] & 0x1F) << 8 | UInt16(body[1])
        let infoLength = Int(body[2] & 0x0F) << 8 | Int(body[3])
        guard 4 + infoLength <= body.count else { throw .malformedBody("program_info_length \(infoLength) runs past the section") }
        programInfo = Array(body[4..<(4 + infoLength)])
        streams = []
        var index = 4 + infoLength
        while index < body.count {
            guard index + 5 <= body.count else { throw .malformedBody("elementary stream entry truncated") }
            let esLength = Int(body[index + 3] & 0x0F) << 8 | Int(body[index + 4])
            guard index + 5 + esLength <= body.count else { throw .malformedBody("ES_info_length \(esLength) runs past the section") }
            streams.append(ElementaryStream(
                streamType: body[index],
                pid: UInt16(body[index + 1] & 0x1F) << 8 | UInt16(body[index + 2]),
                descriptors: Array(body[(index + 5)..<(index + 5 + esLength)])))
            index += 5 + esLength
        }
    }

    public init(programNumber: UInt16, version: UInt8 = 0, pcrPID: UInt16, programInfo: [UInt8] = [],
                streams: [ElementaryStream]) {
        self.programNumber = programNumber
        self.version = version
        self.pcrPID = pcrPID
        self.programInfo = programInfo
        self.streams = streams
    }

    /// The complete section bytes (with CRC_32).
    public func encoded() -> [UInt8] {
        var body: [UInt8] = [0xE0 | UInt8(pcrPID >> 8), UInt8(pcrPID & 0xFF),
                             0xF0 | UInt8(programInfo.count >> 8), UInt8(programInfo.count & 0xFF)]
        body += programInfo
        for stream in streams {
            body += [stream.streamType, 0xE0 | UInt8(stream.pid >> 8), UInt8(stream.pid & 0xFF),
                     0xF0 | UInt8(stream.descriptors.count >> 8), UInt8(stream.descriptors.count & 0xFF)]
            body += stream.descriptors
        }
        return PSISection(tableID: Self.tableID, tableIDExtension: programNumber, version: version, body: body)
            .encoded()
    }
}
