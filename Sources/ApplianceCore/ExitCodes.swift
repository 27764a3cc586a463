/// The appliance's exit statuses, named once. The numbers are sysexits.h's
/// where one fits; procmon, the tests and the man pages read them.
public enum ExitCodes {
    public static let success: Int32 = 0
    /// A request failed (procmon's control commands, `cli -c`, `sessmgrd --play`).
    public static let failure: Int32 = 1
    /// A command line the CLI refuses: 2, as the shells' builtins do, since
    /// sshd runs the CLI as a login shell.
    public static let shellUsage: Int32 = 2
    /// EX_USAGE: a daemon's command line refused (ArgumentParser's own code).
    public static let usage: Int32 = 64
    /// EX_UNAVAILABLE: the daemon to talk to does not answer.
    public static let unavailable: Int32 = 69
    /// EX_OSERR: the system refused (a folder, a socket, a file, exec).
    public static let systemError: Int32 = 71
    /// EX_CONFIG: a configuration or manifest that does not parse.
    public static let configError: Int32 = 78

    /// A control call's failure as a front end's status: a daemon that is
    /// down or silent is 69, so scripts can tell it from a refused request.
    public static func of(_ error: any Error) -> Int32 {
        guard let error = error as? ControlError else { return failure }
        return error.code == .unavailable || error.code == .timeout ? unavailable : failure
    }
}
