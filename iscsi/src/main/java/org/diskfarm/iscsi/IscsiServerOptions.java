package org.diskfarm.iscsi;

import java.time.Duration;
import java.util.Objects;
import org.diskfarm.transport.PollingSelectStrategy;

/**
 * How an {@link IscsiServer} treats its connections.
 *
 * @param loginTimeout   a connection that has not reached full feature phase this long after connecting is closed
 * @param nopInInterval  the target sends a NOP-In ping to an initiator that has been silent this long
 * @param nopInTimeout   a ping unanswered this long ends the connection (a dead or half-open initiator)
 * @param pollWindow     as NBD's: an event loop that runs dry polls this long before it sleeps
 *                       ({@link PollingSelectStrategy}), at most 10 ms; ZERO turns it off
 * @param advertisedHost the host (address or name) SendTargets names in TargetAddress, the one initiators must use
 *                       to reach this target (behind NAT, or a server bound to 0.0.0.0); null names the address the
 *                       connection came in on
 */
public record IscsiServerOptions(Duration loginTimeout, Duration nopInInterval, Duration nopInTimeout,
        Duration pollWindow, String advertisedHost) {

    /** 30 s login, ping after 30 s of silence, 30 s to answer; a 50 µs poll window. */
    public static final IscsiServerOptions DEFAULTS = new IscsiServerOptions(Duration.ofSeconds(30),
            Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofNanos(50_000), null);

    public IscsiServerOptions {
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(nopInInterval, "nopInInterval");
        Objects.requireNonNull(nopInTimeout, "nopInTimeout");
        PollingSelectStrategy.requireWindow(pollWindow);
        if (loginTimeout.isNegative() || loginTimeout.isZero() || nopInInterval.isNegative() || nopInInterval.isZero()
                || nopInTimeout.isNegative() || nopInTimeout.isZero()) {
            throw new IllegalArgumentException("iSCSI timeouts must be positive");
        }
    }

    public IscsiServerOptions withLoginTimeout(Duration timeout) {
        return new IscsiServerOptions(timeout, nopInInterval, nopInTimeout, pollWindow, advertisedHost);
    }

    public IscsiServerOptions withNopIn(Duration interval, Duration timeout) {
        return new IscsiServerOptions(loginTimeout, interval, timeout, pollWindow, advertisedHost);
    }

    public IscsiServerOptions withPollWindow(Duration window) {
        return new IscsiServerOptions(loginTimeout, nopInInterval, nopInTimeout, window, advertisedHost);
    }

    public IscsiServerOptions withAdvertisedHost(String host) {
        return new IscsiServerOptions(loginTimeout, nopInInterval, nopInTimeout, pollWindow, host);
    }
}
