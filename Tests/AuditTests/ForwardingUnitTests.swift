import Configuration
import Foundation
import Glibc
import TestSupport
import Testing
@testable import Audit

/// RFC 5425 framing, permitted-peer matching and the journal reader the
/// forwarders follow, without a network.
@Suite struct ForwardingUnitTests {
    @Test func octetCountingFramesByByteLengthNotCharacters() {
        var buffer: [UInt8] = []
        OctetCounting.frame("<13>1 - - - - - é", into: &buffer)
        // "é" is two octets: the message is 18 octets long.
        #expect(String(decoding: buffer, as: UTF8.self) == "18 <13>1 - - - - - é")
        #expect(OctetCounting.decode(buffer[...]) == .message(Array("<13>1 - - - - - é".utf8), consumed: buffer.count))
    }

    @Test func octetCountingDecoderWaitsForWholeFramesAndRefusesGarbage() {
        #expect(OctetCounting.decode(Array("12 <13>1".utf8)[...]) == .incomplete)
        #expect(OctetCounting.decode(Array("12".utf8)[...]) == .incomplete)
        #expect(OctetCounting.decode(Array("012 x".utf8)[...]) == .invalid("MSG-LEN starts with 0"))
        #expect(OctetCounting.decode(Array(" x".utf8)[...]) == .invalid("MSG-LEN is empty"))
        #expect(OctetCounting.decode(Array("1a x".utf8)[...]) == .invalid("MSG-LEN has a non-digit byte 97"))
        #expect(OctetCounting.decode(Array("99999999 x".utf8)[...]) == .invalid("MSG-LEN exceeds \(OctetCounting.maximumLength)"))
    }

    /// Random frames written back to back come apart exactly, and random
    /// bytes never crash the decoder (bounded: 5 000 streams).
    @Test func framingRoundTripsAndSurvivesRandomBytes() {
        var generator = SeededGenerator(seed: 5425)
        for _ in 0..<5_000 {
            let messages = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                String((0..<Int.random(in: 1...300, using: &generator)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7e, using: &generator))) })
            }
            var stream: [UInt8] = []
            for message in messages { OctetCounting.frame(message, into: &stream) }
            var offset = 0
            var decoded: [String] = []
            while case .message(let bytes, let consumed) = OctetCounting.decode(stream[offset...]) {
                decoded.append(String(decoding: bytes, as: UTF8.self))
                offset += consumed
            }
            #expect(decoded == messages && offset == stream.count)
            let noise = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = OctetCounting.decode(noise[...])
        }
    }

    @Test func aPermittedPeerNameMustBeInTheSubjectAltNames() {
        let peer = NetworkHost("collector.example.net")!
        #expect(PermittedPeer.matches(peer, dnsNames: ["other.example.net", "Collector.Example.NET."], addresses: []))
        #expect(PermittedPeer.matches(peer, dnsNames: ["*.example.net"], addresses: []))
        #expect(!PermittedPeer.matches(peer, dnsNames: ["*.net"], addresses: []), "a wildcard never spans a public suffix alone")
        #expect(!PermittedPeer.matches(peer, dnsNames: ["*.collector.example.net"], addresses: []), "the star stands for one label, not none")
        #expect(!PermittedPeer.matches(NetworkHost("a.b.example.net")!, dnsNames: ["*.example.net"], addresses: []), "nor for two")
        #expect(!PermittedPeer.matches(peer, dnsNames: ["localhost"], addresses: [[127, 0, 0, 1]]), "the connected address is not the permitted name")
        #expect(PermittedPeer.matches(NetworkHost("192.0.2.7")!, dnsNames: [], addresses: [[192, 0, 2, 7]]))
        #expect(!PermittedPeer.matches(NetworkHost("192.0.2.7")!, dnsNames: ["192.0.2.7"], addresses: []), "an address must be an iPAddress entry")
    }

    func folder() -> String { NSTemporaryDirectory() + "reader-" + UUID().uuidString.prefix(8) }

    func events(_ range: Range<Int>) -> [(acceptedMicros: Int64, text: String)] {
        range.map { (Int64($0), "<109>1 - h app - m - event \($0)") }
    }

    /// The reader follows appends across segment boundaries in bounded
    /// batches, never past what was committed, and can go back to resend.
    @Test func theReaderFollowsTheJournalAcrossSegmentsAndSeeksBack() throws {
        let path = folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try AuditJournal(folder: path, segmentBytes: 1500)
        let reader = JournalReader(journal: journal, from: 1)
        #expect(reader.next(limit: 10, byteLimit: 1 << 20).records.isEmpty)
        _ = try journal.append(events(0..<40))
        var seen: [UInt64] = []
        while true {
            let batch = reader.next(limit: 7, byteLimit: 1 << 20).records
            #expect(batch.count <= 7)
            if batch.isEmpty { break }
            seen += batch.map(\.sequence)
        }
        #expect(seen == Array(1...40))
        for start in stride(from: 40, to: 90, by: 10) { _ = try journal.append(events(start..<(start + 10))) }
        #expect(journal.segmentCount >= 3)
        seen = []
        while case let batch = reader.next(limit: 100, byteLimit: 300).records, !batch.isEmpty { seen += batch.map(\.sequence) }
        #expect(seen == Array(41...90), "byte-limited batches still deliver every record once")
        reader.seek(to: 12)
        #expect(reader.next(limit: 3, byteLimit: 1 << 20).records.map(\.sequence) == [12, 13, 14])
        #expect(reader.next(limit: 1, byteLimit: 1 << 20).records.first?.text == "<109>1 - h app - m - event 14")
    }

    /// Events removed by retention before a slow destination read them are
    /// reported as skipped, and reading resumes at the oldest kept.
    @Test func eventsRemovedByRetentionAreReportedAsSkipped() throws {
        let path = folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try AuditJournal(folder: path, segmentBytes: 1500)
        _ = try journal.append(events(0..<30))
        _ = try journal.append(events(30..<60))
        let reader = JournalReader(journal: journal, from: 3)
        let removed = try #require(journal.enforceRetention(maximumBytes: 2000, maximumAgeSeconds: 1 << 40, now: 0))
        let (records, skipped) = reader.next(limit: 5, byteLimit: 1 << 20)
        #expect(skipped == 3..<removed.upperBound)
        #expect(records.first?.sequence == removed.upperBound)
    }
}
