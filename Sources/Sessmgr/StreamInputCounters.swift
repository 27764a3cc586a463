import ApplianceProtocol
import Streaming

extension StreamInputCounters {
    /// The resynchroniser's counters, as `status` reports them.
    init(_ counters: TSResynchronizer.Counters) {
        self.init(packets: counters.packets, syncLosses: counters.syncLosses, skippedBytes: counters.skippedBytes,
                  invalidPackets: counters.invalidPackets, transportErrors: counters.transportErrors,
                  truncatedBytes: counters.truncatedBytes)
    }
}
