import CApplianceSystem
import Glibc

/// Delivers process signals as an async sequence, through a signalfd.
///
/// `install` must run first thing in `main`, before any thread exists: it
/// blocks the signals so that every later thread inherits the mask and the
/// signals reach only the signalfd (no handler runs at an arbitrary point).
/// SIGCHLD stays a real signal here, never ignored, so children are reaped
/// by us and their exit status is seen.
public final class SignalWatcher: Sendable {
    public let signals: AsyncStream<Int32>

    private init(signals: AsyncStream<Int32>) {
        self.signals = signals
    }

    public static func install(_ watched: [Int32]) -> SignalWatcher {
        // A peer closing a socket mid-write must be an EPIPE error on that
        // write, never the end of the daemon (writev has no MSG_NOSIGNAL).
        signal(SIGPIPE, SIG_IGN)
        let fd = watched.withUnsafeBufferPointer { appliance_signalfd($0.baseAddress, Int32($0.count)) }
        precondition(fd >= 0, "signalfd failed: \(errnoText())")
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .unbounded)
        DedicatedThread.start(name: "signals") {
            while true {
                var sender: pid_t = 0
                let signal = appliance_signalfd_read(fd, &sender)
                if signal < 0 { continue }
                continuation.yield(signal)
            }
        }
        return SignalWatcher(signals: stream)
    }
}
