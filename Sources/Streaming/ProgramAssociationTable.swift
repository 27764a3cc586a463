/// The PAT (ISO/IEC 13818-1 §2.4.4.3): which PID carries each program's PMT.
public struct ProgramAssociationTable: Equatable, Sendable {
    /// One program_number → program_map_PID entry.
    public struct Program: Equatable, Sendable {
        public var programNumber: UInt16
        public var pmtPID: UInt16
        public init(programNumber: UInt16, pmtPID: UInt16) {
            self.programNumber = programNumber
            self.pmtPID = pmtPID
        }
    }

    /// table_id of the PAT.
    public static let tableID: UInt8 = 0x00

    /// transport_stream_id.
    public var transportStreamID: UInt16
    /// version_number.
    public var version: UInt8
    /// The programs, in section order (program_number 0 excluded).
    public var programs: [Program]
    /// The network_PID (program_number 0), if listed.
    public var networkPID: UInt16?

    /// Parses the PAT section starting in the packet at `offset`.
    public init(packet bytes: [UInt8], at offset: Int = 0) throws(PSIError) {
        let section = try PSISection(packet: bytes, at: offset, expecting: ProgramAssociationTable.tableID)
        guard section.body.count % 4 == 0 else { throw .malformedBody("PAT program loop is not a multiple of 4 bytes") }
        transportStreamID = section.tableIDExtension
        version = section.version
        programs = []
        networkPID = nil
        var index = 0
        while index < section.body.count {
            let number = UInt16(section.body[index]) << 8 | UInt16(section.body[index + 1])
            let pid = UInt16(section.body[index + 2] & 0x1F) << 8 | UInt16(section.body[index + 3])
            if number == 0 { networkPID = pid } else { programs.append(Program(programNumber: number, pmtPID: pid)) }
            index += 4
        }
    }

    public init(transportStreamID: UInt16, version: UInt8 = 0, programs: [Program], networkPID: UInt16? = nil) {
        self.transportStreamID = transportStreamID
        self.version = version
        self.programs = programs
        self.networkPID = networkPID
    }

    /// The complete section bytes (with CRC_32).
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        if let networkPID { body += [0, 0, 0xE0 | UInt8(networkPID >> 8), UInt8(networkPID & 0xFF)] }
        for program in programs {
            body += [UInt8(program.programNumber >> 8), UInt8(program.programNumber & 0xFF),
                     0xE0 | UInt8(program.pmtPID >> 8), UInt8(program.pmtPID & 0xFF)]
        }
        return PSISection(tableID: Self.tableID, tableIDExtension: transportStreamID, version: version, body: body)
            .encoded()
    }
}
