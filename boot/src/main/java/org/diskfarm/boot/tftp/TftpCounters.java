package org.diskfarm.boot.tftp;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link TftpStats}.
 *
 * <p>Threads: updated by every event loop and request thread without locks; {@link #snapshot()} from any thread (its
 * fields are read one after the other, not at one instant).
 */
final class TftpCounters {
    final LongAdder started = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder aborted = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder retransmitted = new LongAdder();
    final LongAdder badPackets = new LongAdder();

    TftpStats snapshot() {
        return new TftpStats(started.sum(), completed.sum(), aborted.sum(), failed.sum(), refused.sum(), bytesSent.sum(),
                retransmitted.sum(), badPackets.sum());
    }
}
