import Testing
@testable import ApplianceCore

@Suite struct LineFramerTests {
    @Test func linesSplitTheSameWhetherFedWholeOrOneByteAtATime() {
        let input = Array("{\"a\":1}\r\nsecond\n\nthird".utf8)
        var whole = LineFramer(maximumLength: 100)
        let wholeFrames = whole.append(input)
        var bytewise = LineFramer(maximumLength: 100)
        var byteFrames: [LineFramer.Frame] = []
        for byte in input { byteFrames += bytewise.append([byte]) }
        #expect(wholeFrames == [.line(Array("{\"a\":1}".utf8)), .line(Array("second".utf8)), .line([])])
        #expect(byteFrames == wholeFrames)
        #expect(whole.pendingCount == 5)
    }

    @Test func anOversizedLineIsReportedOnceAndFramingResumesAfterIt() {
        var framer = LineFramer(maximumLength: 4)
        #expect(framer.append(Array("12345678".utf8)) == [.oversized])
        #expect(framer.pendingCount == 0)
        #expect(framer.append(Array("9\nok\n".utf8)) == [.line(Array("ok".utf8))])
    }

    @Test func aLineOfExactlyTheBoundIsAccepted() {
        var framer = LineFramer(maximumLength: 4)
        #expect(framer.append(Array("1234\n".utf8)) == [.line(Array("1234".utf8))])
    }
}
