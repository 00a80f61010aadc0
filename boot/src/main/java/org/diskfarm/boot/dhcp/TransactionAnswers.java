package org.diskfarm.boot.dhcp;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The answer given to each recent client transaction (MAC address and {@code xid}), so that retransmissions of one
 * DHCP exchange, and iPXE's ProxyDHCPREQUEST on port 4011 that follows its DISCOVER with the same {@code xid}, get
 * the same answer as the first request, and the {@link BootPolicy} is asked once per exchange. That matters for a
 * policy with memory ({@link IpxeChainPolicy}): asked again for a retransmitted DISCOVER it would already have
 * moved on to its next answer.
 *
 * <p>Entries live for {@link #TTL} (longer than a PXE ROM's DHCP retries, 4+8+16+32 s in PXE 2.1) and at most
 * {@value #MAX_ENTRIES} are kept, the oldest dropped first. Thread-safe: one lock, held while the policy answers, so
 * two ports asking for one transaction at once still agree.
 */
final class TransactionAnswers {
    static final Duration TTL = Duration.ofSeconds(90);
    static final int MAX_ENTRIES = 4096;

    private record Key(String mac, int xid) {
    }

    private record Given(Optional<BootAnswer> answer, Instant at) {
    }

    private final InstantSource clock;
    /** Guarded by {@code this}. */
    private final LinkedHashMap<Key, Given> entries = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Given> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    TransactionAnswers(InstantSource clock) {
        this.clock = clock;
    }

    /** The answer already given to this transaction, or else {@code policy}'s, remembered for the next time. */
    synchronized Optional<BootAnswer> answer(String mac, int xid, Supplier<Optional<BootAnswer>> policy) {
        Key key = new Key(mac, xid);
        Instant now = clock.instant();
        Given e = entries.get(key);
        if (e != null && now.isBefore(e.at().plus(TTL))) {
            return e.answer();
        }
        Optional<BootAnswer> answer = policy.get();
        entries.remove(key);
        entries.put(key, new Given(answer, now));
        return answer;
    }
}
