import ApplianceProtocol
import Configuration
import Glibc
import Streaming
import Synchronization

/// Plays one stream once, on the calling thread, and returns its final
/// status: `sessmgrd --play`, for benchmarks and checks against other senders.
public enum StreamPlayer {
    /// `media`: where a file source is read from (`--play`: the file's own folder).
    public static func playOnce(_ config: StreamConfig, media: MediaFolder) -> StreamStatus {
        var initial = SessionManager.initialStatus(config)
        initial.state = "starting"
        let channel = StreamChannel(status: initial)
        let failure = Mutex<String?>(nil)
        StreamRunner.run(StreamPlan(config: config, media: media, loops: false), channel: channel) { event in
            if case .failed(let reason) = event { failure.withLock { $0 = reason } }
        }
        var status = channel.currentStatus
        if let reason = failure.withLock({ $0 }) {
            status.state = "error"
            status.reason = reason
        } else {
            status.state = "stopped"
        }
        return status
    }
}
