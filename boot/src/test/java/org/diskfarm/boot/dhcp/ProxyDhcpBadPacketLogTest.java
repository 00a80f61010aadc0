package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.boot.dhcp.PxePackets.ip;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BadPacketLog}: once per kind per source, then counted until the interval has passed. */
class ProxyDhcpBadPacketLogTest {
    private Instant now = Instant.parse("2026-01-01T08:00:00Z");
    private final List<String> lines = new ArrayList<>();
    private final BadPacketLog log = new BadPacketLog(Duration.ofMinutes(1), () -> now, lines::add);

    @Test
    void firstOfAKindFromASourceIsLogged() {
        log.report(DhcpFormatException.Kind.TRUNCATED, ip("10.0.0.7"), "datagram of 10 bytes");

        assertThat(lines).containsExactly(
                "proxy DHCP: dropped a datagram from 10.0.0.7 (TRUNCATED): datagram of 10 bytes");
    }

    @Test
    void repeatsWithinTheIntervalAreCountedAndTheCountLoggedWithTheNext() {
        for (int i = 0; i < 1000; i++) {
            log.report(DhcpFormatException.Kind.TRUNCATED, ip("10.0.0.7"), "short");
        }
        now = now.plusSeconds(60);
        log.report(DhcpFormatException.Kind.TRUNCATED, ip("10.0.0.7"), "short");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).endsWith("short (and 999 more like it not logged)");
    }

    @Test
    void eachKindAndEachSourceHasItsOwnAllowance() {
        log.report(DhcpFormatException.Kind.TRUNCATED, ip("10.0.0.7"), "a");
        log.report(DhcpFormatException.Kind.BAD_OVERLOAD, ip("10.0.0.7"), "b");
        log.report(DhcpFormatException.Kind.TRUNCATED, ip("10.0.0.8"), "c");
        log.report(DhcpFormatException.Kind.TRUNCATED, ip("10.0.0.7"), "d");

        assertThat(lines).hasSize(3);
    }

    @Test
    void memoryIsBoundedAndAForgottenSourceIsLoggedAgain() {
        for (int i = 0; i <= BadPacketLog.MAX_SOURCES; i++) {
            log.report("flood", ip("10.9." + (i >> 8) + "." + (i & 0xff)), "x");
        }
        log.report("flood", ip("10.9.0.0"), "x");

        assertThat(lines).hasSize(BadPacketLog.MAX_SOURCES + 2);
    }
}
