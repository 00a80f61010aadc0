package org.diskfarm.nbd;

import java.time.Duration;
import java.util.Objects;
import org.diskfarm.transport.PollingSelectStrategy;

/**
 * How an {@link NbdServer} treats its connections. Only the handshake has a deadline: a connection in transmission may
 * stay idle for ever (an idle diskless machine is normal); dead peers are found by TCP instead.
 *
 * @param handshakeTimeout  a client that has not finished the handshake this long after connecting is closed
 * @param tcpUserTimeout    TCP_USER_TIMEOUT (epoll only): a connection whose sent data stays unacknowledged this long
 *                          is dropped, so a dead peer with replies in flight is found quickly
 * @param keepAliveIdle     TCP keepalive: idle time before the first probe (finds a dead peer that sends nothing)
 * @param keepAliveInterval time between probes
 * @param keepAliveProbes   unanswered probes before the connection is dropped
 * @param zeroCopyMinBytes  READs (and file spans within them) of at least this many bytes are sent from the file with
 *                          sendfile; shorter ones are copied, which is cheaper for small reads.
 *                          {@link Integer#MAX_VALUE} turns zero-copy off
 * @param inlineReadMaxBytes READs of at most this many bytes from a {@link org.diskfarm.block.BlockDevice#isConcurrent()
 *                          concurrent} device are served on the connection's event loop instead of a virtual thread:
 *                          the two thread hand-offs cost a small read about a third of its latency. Such a read
 *                          touches the file as sendfile does (the page cache, or the disk on a miss); 0 turns it off
 * @param pollWindow        an event loop that runs out of work keeps polling for new work this long before it sleeps
 *                          ({@link PollingSelectStrategy}): a client with one request in flight gets its replies sooner,
 *                          for up to this much CPU each time a loop runs dry; {@link Duration#ZERO} turns it off
 */
public record NbdServerOptions(Duration handshakeTimeout, Duration tcpUserTimeout, Duration keepAliveIdle,
        Duration keepAliveInterval, int keepAliveProbes, int zeroCopyMinBytes, int inlineReadMaxBytes,
        Duration pollWindow) {

    /**
     * 30 s handshake, 30 s user timeout, keepalive after 30 s idle every 10 s, 3 probes; zero-copy from 64 KiB; reads
     * up to 64 KiB inline; a 50 µs poll window.
     */
    public static final NbdServerOptions DEFAULTS = new NbdServerOptions(Duration.ofSeconds(30),
            Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(10), 3, 64 << 10, 64 << 10,
            Duration.ofNanos(50_000));

    public NbdServerOptions {
        requirePositive(handshakeTimeout, "handshakeTimeout");
        requirePositive(tcpUserTimeout, "tcpUserTimeout");
        requirePositive(keepAliveIdle, "keepAliveIdle");
        requirePositive(keepAliveInterval, "keepAliveInterval");
        if (keepAliveProbes < 1 || zeroCopyMinBytes < 0 || inlineReadMaxBytes < 0) {
            throw new IllegalArgumentException("keepAliveProbes must be at least 1, zeroCopyMinBytes and "
                    + "inlineReadMaxBytes at least 0");
        }
        PollingSelectStrategy.requireWindow(pollWindow);
        if (keepAliveIdle.toSeconds() < 1 || keepAliveInterval.toSeconds() < 1) {
            throw new IllegalArgumentException("keepalive times are whole seconds, at least 1");
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + d);
        }
    }

    public NbdServerOptions withHandshakeTimeout(Duration timeout) {
        return new NbdServerOptions(timeout, tcpUserTimeout, keepAliveIdle, keepAliveInterval, keepAliveProbes,
                zeroCopyMinBytes, inlineReadMaxBytes, pollWindow);
    }

    public NbdServerOptions withTcpUserTimeout(Duration timeout) {
        return new NbdServerOptions(handshakeTimeout, timeout, keepAliveIdle, keepAliveInterval, keepAliveProbes,
                zeroCopyMinBytes, inlineReadMaxBytes, pollWindow);
    }

    public NbdServerOptions withKeepAlive(Duration idle, Duration interval, int probes) {
        return new NbdServerOptions(handshakeTimeout, tcpUserTimeout, idle, interval, probes, zeroCopyMinBytes,
                inlineReadMaxBytes, pollWindow);
    }

    public NbdServerOptions withZeroCopyMinBytes(int bytes) {
        return new NbdServerOptions(handshakeTimeout, tcpUserTimeout, keepAliveIdle, keepAliveInterval,
                keepAliveProbes, bytes, inlineReadMaxBytes, pollWindow);
    }

    public NbdServerOptions withInlineReadMaxBytes(int bytes) {
        return new NbdServerOptions(handshakeTimeout, tcpUserTimeout, keepAliveIdle, keepAliveInterval,
                keepAliveProbes, zeroCopyMinBytes, bytes, pollWindow);
    }

    public NbdServerOptions withPollWindow(Duration window) {
        return new NbdServerOptions(handshakeTimeout, tcpUserTimeout, keepAliveIdle, keepAliveInterval,
                keepAliveProbes, zeroCopyMinBytes, inlineReadMaxBytes, window);
    }
}
