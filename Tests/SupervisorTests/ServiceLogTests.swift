import Foundation
import Glibc
import Testing
@testable import Supervisor

@Suite struct ServiceLogTests {
    /// Output past the size bound rotates name.log → name.log.1 → name.log.2,
    /// keeps at most `keptFiles` old files, and loses no line of the newest.
    @Test func outputIsRotatedBySizeKeepingTheNewestFiles() throws {
        let folder = NSTemporaryDirectory() + "servicelog-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/svc.log"
        let log = try ServiceLog(path: path, maximumBytes: 1000, keptFiles: 2)
        log.start()
        for line in 0..<100 {
            let text = Array(String(format: "line %03d %@\n", line, String(repeating: "x", count: 40)).utf8)
            _ = text.withUnsafeBytes { write(log.writeFD, $0.baseAddress, $0.count) }
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("line 099 " + String(repeating: "x", count: 40) + "\n") { break }
            usleep(10_000)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == ["svc.log", "svc.log.1", "svc.log.2"])
        for file in files {
            let size = try #require(FileManager.default.attributesOfItem(atPath: folder + "/" + file)[.size] as? Int)
            #expect(size <= 1000, "\(file) is \(size) bytes")
        }
        let newest = try String(contentsOfFile: path, encoding: .utf8)
        let previous = try String(contentsOfFile: path + ".1", encoding: .utf8)
        #expect(newest.hasSuffix("line 099 " + String(repeating: "x", count: 40) + "\n"))
        // The two newest files together hold a contiguous run of lines ending at the last one.
        let numbers = (previous + newest).split(separator: "\n").compactMap { Int($0.dropFirst(5).prefix(3)) }
        #expect(numbers == Array((numbers.first ?? 0)...99))
    }
}
