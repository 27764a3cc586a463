import ApplianceProtocol
import Testing
@testable import Supervisor

@Suite struct MemoryWatchTests {
    let t0 = ContinuousClock.now

    /// Feeds (rss, seconds after t0) samples and returns the verdicts.
    func verdicts(_ samples: [(Int, Double)]) -> [Bool] {
        var watch = MemoryWatch(limit: 100, grace: .seconds(3))
        return samples.map { watch.sample(rss: $0.0, at: t0 + .milliseconds(Int64($0.1 * 1000))) }
    }

    @Test func aSpikeShorterThanTheGraceIsTolerated() {
        #expect(verdicts([(150, 0), (150, 2), (50, 2.5), (150, 4)]) == [false, false, false, false])
    }

    @Test func overTheLimitForTheWholeGraceTriggers() {
        #expect(verdicts([(101, 0), (120, 2), (120, 3)]) == [false, false, true])
    }

    @Test func ownProcessResidentSizeIsRead() throws {
        let rss = try #require(ProcessMemory.residentBytes(of: getpid()))
        #expect(rss > 1 << 20)
        #expect(ProcessMemory.residentBytes(of: Int32.max) == nil)
    }
}

@Suite struct ProcessTableTests {
    @Test func rendersAlignedColumnsLikeShowProcesses() {
        let rows = [
            ProcessStatus(name: "configd", state: "running", pid: 812, startCount: 1, uptimeSeconds: 93_784, rssBytes: 10_695_475, memoryLimitBytes: nil, lastExit: nil, failureReason: nil, user: nil),
            ProcessStatus(name: "webd", state: "failed", pid: nil, startCount: 6, uptimeSeconds: nil, rssBytes: nil, memoryLimitBytes: nil, lastExit: "exit status 1", failureReason: "5 restarts failed in a row; last: exit status 1", user: nil),
        ]
        #expect(ProcessTable.render(rows) == """
        PID  State    Starts  Uptime       RSS       Process
        ---  -------  ------  -----------  --------  -------
        812  running  1       1d 02:03:04  10.2 MiB  configd
        -    failed   6       -            -         webd

        webd: 5 restarts failed in a row; last: exit status 1

        """)
    }

    @Test func byteSizesUseBinaryUnits() {
        #expect(ProcessTable.bytes(512 << 10) == "512.0 KiB")
        #expect(ProcessTable.bytes(3 << 30) == "3.0 GiB")
    }
}

import Glibc
