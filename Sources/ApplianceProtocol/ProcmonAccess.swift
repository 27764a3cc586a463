import Configuration

/// procmon's permission table (procmon.sock).
public enum ProcmonAccess {
    public static let table = AccessTable(daemon: "procmon", [
        (ProcmonMethod.Processes.name, AccessRule("reading the process table", callers: AccessRule.anyCaller)),
        (ProcmonMethod.Start.name, AccessRule("starting a service", callers: [.privileged: .allowed])),
        (ProcmonMethod.Stop.name, AccessRule("stopping a service", callers: [.privileged: .allowed])),
        (ProcmonMethod.Restart.name, AccessRule("restarting a service", callers: [.privileged: .allowed])),
        (ProcmonMethod.RealtimeThread.name, AccessRule("raising a thread to SCHED_FIFO",
            callers: AccessRule.anyCaller.mapValues { _ in
                .limited("a running service whose manifest has realtime-priority, for one of its own threads")
            })),
        (ProcmonMethod.Log.name, AccessRule("reading a service's log", callers: [.privileged: .allowed], roles: [.admin: .allowed])),
        (ProcmonMethod.NetworkProcesses.name, AccessRule("listing the processes' sockets",
            callers: [.privileged: .allowed], roles: AccessRule.anyRole)),
    ])
}
