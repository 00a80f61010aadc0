package org.diskfarm.boot.dhcp;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Logs bad datagrams without letting a flood fill the log: the first of each kind from each source address is
 * logged, then the rest of that kind from that source are counted and the count is written with the next one logged
 * after {@code interval}. Clients without an address all send from 0.0.0.0 and so share one allowance per kind.
 *
 * <p>At most {@value #MAX_SOURCES} (kind, source) pairs are remembered, the oldest dropped first: a spoofed flood
 * from many addresses costs memory for those only, and a dropped pair is at worst logged once more. Thread-safe.
 */
final class BadPacketLog {
    static final int MAX_SOURCES = 1024;

    private record Key(Object kind, InetAddress source) {
    }

    private static final class Allowance {
        Instant logged;
        long suppressed;
    }

    private final Duration interval;
    private final InstantSource clock;
    private final Consumer<String> sink;
    /** Guarded by {@code this}. */
    private final LinkedHashMap<Key, Allowance> allowances = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Allowance> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    /** Writes one line per report that is not suppressed to {@code sink}. */
    BadPacketLog(Duration interval, InstantSource clock, Consumer<String> sink) {
        this.interval = interval;
        this.clock = clock;
        this.sink = sink;
    }

    /** Reports a bad datagram of {@code kind} from {@code source}; {@code detail} is one line saying what. */
    void report(Object kind, InetAddress source, String detail) {
        String line;
        synchronized (this) {
            Key key = new Key(kind, source);
            Instant now = clock.instant();
            Allowance a = allowances.computeIfAbsent(key, k -> new Allowance());
            if (a.logged != null && now.isBefore(a.logged.plus(interval))) {
                a.suppressed++;
                return;
            }
            line = "proxy DHCP: dropped a datagram from " + source.getHostAddress() + " (" + kind + "): " + detail
                    + (a.suppressed > 0 ? " (and " + a.suppressed + " more like it not logged)" : "");
            a.logged = now;
            a.suppressed = 0;
        }
        sink.accept(line);
    }
}
