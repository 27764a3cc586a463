import Glibc
import Testing
@testable import ApplianceCore

@Suite struct AtomicFileTests {
    @Test func writeReplacesContentsWithTheGivenModeAndLeavesNoTemporary() throws {
        var template = Array("/tmp/atomic-test-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        let path = folder + "/startup-config"
        try AtomicFile.write("one\n", to: path)
        try AtomicFile.write("two\n", to: path, mode: 0o640)
        #expect(try AtomicFile.read(path) == Array("two\n".utf8))
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o640)
        let entries = try AtomicFile.entries(in: folder)
        #expect(entries == ["startup-config"])
        unlink(path)
        rmdir(folder)
        #expect(try AtomicFile.read(path) == nil)
    }

    @Test func makeFoldersCreatesParents() throws {
        var template = Array("/tmp/atomic-test-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        try AtomicFile.makeFolders(folder + "/a/b/c")
        #expect(access(folder + "/a/b/c", F_OK) == 0)
        rmdir(folder + "/a/b/c"); rmdir(folder + "/a/b"); rmdir(folder + "/a"); rmdir(folder)
    }
}

@Suite struct ListenSocketsTests {
    @Test func socketsPassedToThisPidAreNamedInOrder() {
        let sockets = ListenSockets.parse(listenPID: "42", listenFDs: "2", listenFDNames: "https:http", ownPID: 42)
        #expect(sockets?.sockets.map(\.name) == ["https", "http"])
        #expect(sockets?.fd(named: "http") == 4)
    }

    @Test func socketsMeantForAnotherPidAreIgnored() {
        #expect(ListenSockets.parse(listenPID: "41", listenFDs: "2", listenFDNames: nil, ownPID: 42) == nil)
        #expect(ListenSockets.parse(listenPID: nil, listenFDs: "2", listenFDNames: nil, ownPID: 42) == nil)
        #expect(ListenSockets.parse(listenPID: "42", listenFDs: "zero", listenFDNames: nil, ownPID: 42) == nil)
    }

    @Test func missingOrMismatchedNamesBecomeUnknown() {
        #expect(ListenSockets.parse(listenPID: "42", listenFDs: "2", listenFDNames: "one", ownPID: 42)?.sockets.map(\.name) == ["unknown", "unknown"])
    }
}

@Suite struct AppliancePathsTests {
    @Test func applianceRootGivesTheImagePaths() {
        let paths = AppliancePaths(root: "/")
        #expect(paths.isApplianceRoot)
        #expect(paths.controlSocket("configd") == "/run/appliance/configd.sock")
        #expect(paths.logFile("webd") == "/var/log/webd.log")
        #expect(paths.initialAdminPasswordFile == "/var/lib/appliance/configd/initial-admin-password")
    }

    @Test func aDevelopmentRootPrefixesEverythingAndDropsTrailingSlashes() {
        let paths = AppliancePaths(root: "/tmp/dev//")
        #expect(!paths.isApplianceRoot)
        #expect(paths.auditSocket == "/tmp/dev/run/appliance/audit.sock")
        #expect(paths.stateDirectory("sessmgrd") == "/tmp/dev/var/lib/appliance/sessmgrd")
    }
}
