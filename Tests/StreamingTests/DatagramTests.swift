import Testing
@testable import Streaming

@Suite struct DatagramTests {
    @Test(arguments: [
        // (mtu, IP header, RTP?, packets): 1316 + 12 + 8 + 20 = 1356 is the least MTU for 7 in RTP/IPv4.
        (1500, 20, true, 7), (1500, 20, false, 7), (1500, 40, true, 7), (1500, 40, false, 7),
        (1356, 20, true, 7), (1355, 20, true, 6), (1344, 20, false, 7), (1344, 20, true, 6),
        (1000, 20, true, 5), (1000, 20, false, 5), (1000, 40, true, 5), (1000, 40, false, 5), (999, 40, true, 4), (1011, 40, false, 5),
        (576, 20, true, 2), (576, 20, false, 2), (576, 40, true, 2), (576, 40, false, 2),
        (9000, 20, true, 7), (200, 40, true, 1), (0, 20, false, 1),
    ])
    func packetsPerDatagramFitTheMTU(mtu: Int, ipHeader: Int, rtp: Bool, expected: Int) {
        let count = DatagramSizing.packetsPerDatagram(mtu: mtu, ipHeaderSize: ipHeader, rtp: rtp)
        #expect(count == expected)
        if count > 1 { #expect(count * 188 + ipHeader + 8 + (rtp ? 12 : 0) <= mtu) }
    }

    @Test func datagramsCarrySevenPacketsAndTheSendTimeOfTheFirst() throws {
        var assembler = DatagramAssembler(packetsPerDatagram: 7)
        var datagrams: [Datagram] = []
        for index in UInt64(0)..<16 {
            let packet = SyntheticTS.packet(pid: 0x100, cc: UInt8(index & 15), payload: [UInt8](repeating: UInt8(index), count: 184))
            if let datagram = try assembler.append(packet, index: index, sendTime: 1000 + index * 10) { datagrams.append(datagram) }
        }
        #expect(datagrams.count == 2)
        #expect(datagrams.map(\.bytes.count) == [1316, 1316])
        #expect(datagrams.map(\.sendTime) == [1000, 1070])
        #expect(datagrams.map(\.firstPacketIndex) == [0, 7])
        #expect(datagrams[1].bytes[188 * 3 + 4] == 10)  // packet 10 is the fourth of the second datagram
        #expect(assembler.pendingPacketCount == 2)
        let flushed = assembler.flush()
        let rest = try #require(flushed)
        #expect(rest.packetCount == 2 && rest.sendTime == 1140)
        let again = assembler.flush()
        #expect(again == nil)
    }

    @Test func headerRoomIsReservedInFrontForRTP() throws {
        var assembler = DatagramAssembler(packetsPerDatagram: 2, headerRoom: 12)
        let packet = SyntheticTS.packet(pid: 0x100, cc: 0, payload: [UInt8](repeating: 9, count: 184))
        #expect(try assembler.append(packet, index: 0, sendTime: 0) == nil)
        let datagram = try #require(try assembler.append(packet, index: 1, sendTime: 5))
        #expect(datagram.bytes.count == 12 + 376)
        #expect(datagram.payloadSize == 376 && datagram.packetCount == 2)
        #expect(datagram.bytes[12] == 0x47 && datagram.bytes[200] == 0x47)
    }

    @Test func theAssemblerRefusesWhatIsNotAPacket() {
        var assembler = DatagramAssembler()
        #expect(throws: TSPacketError.truncated(available: 100)) {
            try assembler.append([UInt8](repeating: 0x47, count: 100), index: 0, sendTime: 0)
        }
        #expect(assembler.pendingPacketCount == 0)
        #expect(DatagramAssembler(packetsPerDatagram: 0).packetsPerDatagram == 1)
    }
}
