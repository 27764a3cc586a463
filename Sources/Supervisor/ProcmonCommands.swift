import ApplianceProtocol
import ApplianceCore
import Glibc

/// procmon's commands (`procmon status`, `start NAME`, `stop NAME`,
/// `restart NAME`): a client of the running procmon's control socket.
public enum ProcmonCommands {
    /// Why a command line is refused, or nil (`command` nil: run the appliance).
    public static func problem(command: String?, service: String?) -> String? {
        switch command {
        case nil, "status": service == nil ? nil : "\(command ?? "run") takes no service name"
        case "start", "stop", "restart": service != nil ? nil : "\(command!) needs a service name"
        default: "unknown command \"\(command!)\"; expected status, start, stop or restart"
        }
    }

    /// Runs one command, prints its table (or JSON) and returns the exit
    /// status: 0, 1 when procmon refused, 69 when it does not answer.
    public static func run(_ command: String, service: String?, json: Bool, paths: AppliancePaths) -> Int32 {
        let client = ControlClient(paths: paths, daemon: "procmon")
        do {
            switch command {
            case "status":
                let processes = try client.callBlocking(ProcmonMethod.Processes.self, NoValue())
                if json {
                    print(String(decoding: try ControlCodec.encodeResult(processes, id: 0), as: UTF8.self), terminator: "")
                } else {
                    print(ProcessTable.render(processes), terminator: "")
                }
            case "start":
                print(ProcessTable.render([try client.callBlocking(ProcmonMethod.Start.self, ServiceName(service!))]), terminator: "")
            case "stop":
                print(ProcessTable.render([try client.callBlocking(ProcmonMethod.Stop.self, ServiceName(service!))]), terminator: "")
            default:
                print(ProcessTable.render([try client.callBlocking(ProcmonMethod.Restart.self, ServiceName(service!))]), terminator: "")
            }
            return ExitCodes.success
        } catch {
            let text = "procmon: \((error as? ControlError)?.message ?? "\(error)")\n"
            _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            return ExitCodes.of(error)
        }
    }
}
