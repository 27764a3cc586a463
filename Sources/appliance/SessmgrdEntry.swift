import ApplianceCore
import ArgumentParser
import Configuration
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Sessmgr

struct SessmgrdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessmgrd",
        abstract: "The appliance's stream daemon: MPEG-TS paced by its PCR, out as RTP or UDP.",
        discussion: """
        sessmgrd follows configd's streams section and runs each running stream on a thread of \
        its own: it reads the source (a TS file played in a loop with continuity kept, or TS on \
        UDP/RTP, multicast with source-specific joins), sends 7 TS packets per datagram at the \
        moment the stream's PCR says (clock_nanosleep on absolute CLOCK_MONOTONIC deadlines), as \
        RTP (RFC 3550/2250, PT 33, RTCP sender reports on port+1) or raw TS over UDP, and \
        checkpoints each stream every 200 ms under <root>/var/lib/appliance/sessmgrd/streams so \
        that a restarted sessmgrd resumes it (same SSRC, sequence continuing). Each stream that \
        asks for it is shaped with an HTB class and u32 filter by the shaper service (sessmgrd \
        --shaper, the one process with CAP_NET_ADMIN, run tc for sessmgrd on <root>/run/appliance/shaper.sock); \
        sessmgrd itself holds no capability.

        File sources are read from the media folder only: <root>/srv, or --media-folder DIR. \
        file:/srv/NAME (or the folder's own path) names a file in it; a path elsewhere, a \
        symbolic link, a FIFO or a device is refused.

        <root>/run/appliance/sessmgrd.sock answers list, status, start NAME and stop NAME. \
        See sessmgrd(8).

        --play FILE --to URL streams FILE once to URL and exits (benchmarks, checks), \
        printing the stream's status as JSON.

        SIGTERM stops (checkpoints kept: the next start resumes); SIGHUP reads the \
        configuration from configd again at once (it is followed live anyway).
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: ArgumentHelp("The folder file sources are read from (default: <root>/srv).", valueName: "dir"))
    var mediaFolder: String?

    @Flag(help: "Run as the shaper service: hold CAP_NET_ADMIN and run tc for sessmgrd (shaper.sock), nothing else.")
    var shaper = false

    @Option(help: "Stream this TS file once and exit (no daemon).")
    var play: String?

    @Option(help: "With --play: the destination, rtp://HOST:PORT or udp://HOST:PORT.")
    var to: String?

    func validate() throws {
        if play != nil {
            guard let to, MediaAddress(to) != nil else { throw ValidationError("--play needs --to rtp://HOST:PORT or udp://HOST:PORT") }
        }
    }

    func run() throws {
        if let play, let to, let destination = MediaAddress(to) {
            let path = AppliancePaths.absolute(play)
            let config = StreamConfig(name: "play", source: .file(path: path), destination: destination)
            // The caller's own file, read with the caller's own rights: its folder is the media folder.
            let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            let status = StreamPlayer.playOnce(config, media: MediaFolder(folder: folder.isEmpty ? "/" : folder))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            throw ExitCode(status.state == "error" ? ExitCodes.failure : ExitCodes.success)
        }
        if shaper { try daemon.run("shaper") { await ShaperService.run(paths: $0.paths, signals: $0.signals) } }
        let media = mediaFolder.map { MediaFolder(folder: $0) } ?? MediaFolder(paths: daemon.paths)
        try daemon.run("sessmgrd") { await Sessmgrd.run(paths: $0.paths, media: media, signals: $0.signals) }
    }
}

