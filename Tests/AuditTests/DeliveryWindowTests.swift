import Testing
@testable import Audit

/// The forwarder's delivery bookkeeping with synthetic clock readings and
/// `SIOCOUTQ` values: no socket, no event loop.
@Suite struct DeliveryWindowTests {
    static let second: UInt64 = 1_000_000_000

    func makeWindow(confirmed: UInt64 = 0, highestSent: UInt64 = 0, saved: Bool = true, limit: UInt64 = 8 << 20) -> DeliveryWindow {
        let cursor = ForwardCursor(confirmed: confirmed, highestSent: highestSent)
        var window = DeliveryWindow(cursor: cursor, saved: saved ? cursor : nil, grace: 3 * Self.second, limit: limit, now: 0)
        window.connectionOpened()
        window.handshakeCompleted(bytes: 500)
        return window
    }

    @Test func aBatchIsAcknowledgedOnlyWhenTheCollectorsTCPHasAllItsCiphertext() {
        var window = makeWindow()
        _ = window.wrote(first: 1, last: 10, count: 10, cipherEnd: 1_500)
        _ = window.wrote(first: 11, last: 20, count: 10, cipherEnd: 2_500)
        // The kernel took 2 500 bytes; 1 001 are still unacknowledged: 1 499 acknowledged.
        window.kernelReported(written: 2_500, unacknowledged: 1_001, now: 1)
        #expect(window.acknowledged == 1_499)
        #expect(window.inFlight.map(\.ackedAt) == [nil, nil])
        window.kernelReported(written: 2_500, unacknowledged: 1_000, now: 2)
        #expect(window.inFlight.map(\.ackedAt) == [2, nil])
        window.kernelReported(written: 2_500, unacknowledged: 0, now: 5)
        #expect(window.inFlight.map(\.ackedAt) == [2, 5], "an earlier stamp is kept")
    }

    @Test func aNegativeOrOversizedQueueReadingNeverAcknowledgesTooMuch() {
        var window = makeWindow()
        _ = window.wrote(first: 1, last: 1, count: 1, cipherEnd: 600)
        window.kernelReported(written: 600, unacknowledged: 5_000, now: 1)
        #expect(window.acknowledged == 0)
        window.kernelReported(written: 600, unacknowledged: -1, now: 1)
        #expect(window.acknowledged == 600)
    }

    @Test func anAcknowledgedBatchIsConfirmedAfterTheGraceAndInOrder() {
        var window = makeWindow()
        _ = window.wrote(first: 1, last: 10, count: 10, cipherEnd: 1_000)
        _ = window.wrote(first: 11, last: 20, count: 10, cipherEnd: 2_000)
        window.kernelReported(written: 1_000, unacknowledged: 0, now: 10 * Self.second)
        window.kernelReported(written: 2_000, unacknowledged: 0, now: 11 * Self.second)
        window.confirm(now: 13 * Self.second - 1)
        #expect(window.cursor.confirmed == 0, "acknowledged is not yet confirmed")
        window.confirm(now: 13 * Self.second)
        #expect(window.cursor.confirmed == 10)
        #expect(window.inFlight.count == 1)
        window.confirm(now: 14 * Self.second)
        #expect(window.cursor.confirmed == 20 && window.inFlight.isEmpty)
    }

    @Test func anUnacknowledgedBatchHoldsBackTheOnesAfterIt() {
        var window = makeWindow()
        _ = window.wrote(first: 1, last: 10, count: 10, cipherEnd: 1_000)
        _ = window.wrote(first: 11, last: 20, count: 10, cipherEnd: 2_000)
        window.kernelReported(written: 2_000, unacknowledged: 1_500, now: 0)
        window.confirm(now: 100 * Self.second)
        #expect(window.cursor.confirmed == 0 && window.inFlight.count == 2)
    }

    @Test func theWindowStopsWritingAtItsLimitOfUnacknowledgedCiphertext() {
        var window = makeWindow(limit: 4_000)
        #expect(window.hasRoom(enqueued: 3_999))
        #expect(!window.hasRoom(enqueued: 4_000))
        window.kernelReported(written: 4_000, unacknowledged: 1_000, now: 0)
        #expect(window.hasRoom(enqueued: 6_999))
        #expect(!window.hasRoom(enqueued: 7_000))
    }

    @Test func resendsAreCountedFromTheHighestSequenceEverSent() {
        var window = makeWindow(confirmed: 100, highestSent: 150)
        #expect(window.resumeSequence == 101)
        let all = window.wrote(first: 101, last: 140, count: 40, cipherEnd: 1_000)
        let some = window.wrote(first: 141, last: 160, count: 20, cipherEnd: 2_000)
        let none = window.wrote(first: 161, last: 170, count: 10, cipherEnd: 3_000)
        #expect(all == 40 && some == 10 && none == 0)
        #expect(window.cursor.highestSent == 170)
    }

    @Test func aBrokenConnectionKeepsOnlyWhatPassedTheGraceAndResendsTheRest() {
        var window = makeWindow()
        _ = window.wrote(first: 1, last: 10, count: 10, cipherEnd: 1_000)
        _ = window.wrote(first: 11, last: 20, count: 10, cipherEnd: 2_000)
        window.kernelReported(written: 2_000, unacknowledged: 1_000, now: 0)
        let tookData = window.connectionLost(now: 3 * Self.second)
        #expect(tookData, "the collector took data beyond the handshake")
        #expect(window.cursor.confirmed == 10)
        #expect(window.inFlight.isEmpty)
        #expect(window.resumeSequence == 11)
        #expect(window.acknowledged == 0)
    }

    @Test func aConnectionThatTookOnlyTheHandshakeDidNotTakeData() {
        var window = makeWindow()
        window.kernelReported(written: 500, unacknowledged: 0, now: 0)
        let afterHandshake = window.connectionLost(now: 0)
        #expect(!afterHandshake)
        window.connectionOpened()
        let beforeHandshake = window.connectionLost(now: 0)
        #expect(!beforeHandshake, "nor one that never completed its handshake")
    }

    @Test func retentionGapsMoveTheCursorPastTheLostEvents() {
        var window = makeWindow(confirmed: 5, highestSent: 5)
        window.skipped(6..<40)
        #expect(window.cursor.confirmed == 39 && window.resumeSequence == 40)
        window.skipped(1..<3)
        #expect(window.cursor.confirmed == 39, "never backwards")
    }

    @Test func theCursorIsWrittenWhenChangedAtMostOnceASecondUnlessForced() {
        var window = makeWindow(confirmed: 0, highestSent: 0)
        #expect(window.cursorToSave(force: true, now: 0) == nil, "unchanged: nothing to write")
        _ = window.wrote(first: 1, last: 4, count: 4, cipherEnd: 1_000)
        #expect(window.cursorToSave(force: false, now: Self.second - 1) == nil)
        let due = window.cursorToSave(force: false, now: Self.second)
        #expect(due == ForwardCursor(confirmed: 0, highestSent: 4))
        window.cursorWritten(due!, now: Self.second)
        #expect(window.cursorToSave(force: false, now: 5 * Self.second) == nil)
        window.skipped(1..<3)
        #expect(window.cursorToSave(force: false, now: 2 * Self.second - 1) == nil)
        #expect(window.cursorToSave(force: true, now: 2 * Self.second - 1) == ForwardCursor(confirmed: 2, highestSent: 4))
    }

    @Test func aNewDestinationsCursorIsDueAtOnce() {
        let cursor = ForwardCursor(confirmed: 41, highestSent: 41)
        let window = DeliveryWindow(cursor: cursor, saved: nil, grace: 0, limit: 1, now: 0)
        #expect(window.cursorToSave(force: true, now: 0) == cursor)
    }
}
