package org.diskfarm.transport;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a server's event loop waits for work: when it runs out of work it keeps polling (non-blocking {@code epoll_wait})
 * for up to a short window before it goes to sleep in a blocking {@code epoll_wait}.
 *
 * <p>Why: a client with one request in flight (a booting machine reading its disk one block at a time) sends its next
 * request a few tens of microseconds after our reply. A loop that went to sleep must then be woken by the kernel, and
 * on a virtual machine waking an idle vCPU costs more than serving the read: measured with NBD on the 2-core benchmark
 * machine, 4 KiB reads at queue depth 1 went from 13,400 to 31,600 per second with a 50 µs window
 * (docs/benchmarks.md). The same idea is the kernel's busy polling and SPDK's polled targets, bounded here to a window
 * after each piece of work.
 *
 * <p>What it costs: an active loop burns up to one window of CPU each time it runs dry. So that a loop whose work
 * arrives just too late for the window does not pay that on every request, a poll that found nothing makes the loop
 * sleep straight away for the next 1, 2, 4 ... up to {@value #MAX_BACKOFF} times it runs dry (the count resets when a
 * poll finds work): a client that stopped sending costs one window, then a window per {@value #MAX_BACKOFF} wake-ups.
 * A loop that has pending tasks never polls or sleeps; it asks for ready events without waiting, as Netty's default
 * strategy does.
 *
 * <p>One instance per event loop (Netty asks the factory once per loop); not thread-safe, it needs not be.
 */
public final class PollingSelectStrategy implements SelectStrategy {
    static final int MAX_BACKOFF = 64;
    /** The longest window {@link #requireWindow} accepts. */
    public static final Duration MAX_WINDOW = Duration.ofMillis(10);

    private final long windowNanos;
    private final LongSupplier clock;
    private boolean polling;
    private long pollDeadline;
    private int sleepsWithoutPolling;
    private int backoff;

    PollingSelectStrategy(long windowNanos, LongSupplier clock) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("poll window must be positive, not " + windowNanos + " ns");
        }
        this.windowNanos = windowNanos;
        this.clock = clock;
    }

    /**
     * Checks a poll window as the servers' options take it: between zero (no polling) and {@link #MAX_WINDOW}.
     *
     * @return {@code window}
     */
    public static Duration requireWindow(Duration window) {
        Objects.requireNonNull(window, "pollWindow");
        if (window.isNegative() || window.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("pollWindow must be between 0 and 10 ms, not " + window);
        }
        return window;
    }

    /** A factory for Netty's IO handlers: one strategy per loop with the given window; none (Netty's) for zero. */
    public static SelectStrategyFactory factory(Duration window) {
        requireWindow(window);
        if (window.isZero()) {
            return DefaultSelectStrategyFactory.INSTANCE;
        }
        long nanos = window.toNanos();
        return () -> new PollingSelectStrategy(nanos, System::nanoTime);
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        int ready = selectNow.get();
        if (ready != 0 || hasTasks) {
            if (polling) {
                polling = false;
                backoff = 0;
            }
            return ready;
        }
        if (!polling) {
            if (sleepsWithoutPolling > 0) {
                sleepsWithoutPolling--;
                return SELECT;
            }
            polling = true;
            pollDeadline = clock.getAsLong() + windowNanos;
            return CONTINUE;
        }
        if (clock.getAsLong() - pollDeadline < 0) {
            Thread.onSpinWait();
            return CONTINUE;
        }
        polling = false;
        backoff = backoff == 0 ? 1 : Math.min(backoff * 2, MAX_BACKOFF);
        sleepsWithoutPolling = backoff;
        return SELECT;
    }
}
