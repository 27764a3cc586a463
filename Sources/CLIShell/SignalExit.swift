import ApplianceProtocol
import ApplianceCore
import CApplianceSystem
import Configuration
import Glibc
import Synchronization

/// How the CLI leaves on a hang-up (the ssh connection dropped: SIGHUP),
/// SIGTERM or SIGINT: the terminal's settings are put back (echo on), the
/// configd session is logged out, and the CLI exits with 128 + the signal.
/// Without this a dropped ssh session would leave its configd session open
/// until it expired, and a few such drops reach the account's session cap.
///
/// The signals are read on a signalfd by a thread of their own (no handler
/// runs at an arbitrary point): `install` runs first thing in `main`, before
/// any thread exists, so every later thread inherits the blocked mask.
public enum SignalExit {
    static let watched: [Int32] = [SIGHUP, SIGTERM, SIGINT]
    /// The configd session to log out, and where configd is.
    private static let session = Mutex<(paths: AppliancePaths, token: String)?>(nil)
    /// The terminal's settings to put back, while the CLI has changed them.
    private static let terminal = Mutex<termios?>(nil)

    public static func install() {
        // A reader gone mid-write is an EPIPE error on that write, never the end
        // of the CLI before it logged out.
        signal(SIGPIPE, SIG_IGN)
        let fd = watched.withUnsafeBufferPointer { appliance_signalfd($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { return }
        DedicatedThread.start(name: "signals") {
            var sender: pid_t = 0
            var signal: Int32 = -1
            while signal < 0 { signal = appliance_signalfd_read(fd, &sender) }
            leave(signal)
        }
    }

    /// The session to log out when a signal ends the CLI (nil: none).
    public static func logOut(_ token: String?, paths: AppliancePaths) {
        session.withLock { $0 = token.map { (paths, $0) } }
    }

    /// Remembers the terminal's settings from before a change (raw mode, no echo).
    static func terminalChanged(from saved: termios) { terminal.withLock { $0 = saved } }
    /// The settings were put back.
    static func terminalRestored() { terminal.withLock { $0 = nil } }

    static func leave(_ signal: Int32) -> Never {
        if var saved = terminal.withLock({ $0 }) {
            tcsetattr(0, TCSANOW, &saved)
            // The line the CLI was on (a prompt) is left for the next one.
            _ = "\r\n".utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, 2) }
        }
        if let (paths, token) = session.withLock({ $0 }) {
            _ = try? ControlClient(paths: paths, daemon: "configd", timeout: .seconds(2))
                .callBlocking(ConfigdMethod.Logout.self, .init(session: token))
        }
        _exit(128 + signal)
    }
}
