package org.diskfarm.boot.tftp;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Logs bad input without letting a client flood the log: one line per client address and kind of problem per
 * interval (a minute by default); the next line says how many were left out in between. The table forgets entries
 * older than the interval once it holds {@link #MAX_ENTRIES}, so spoofed source addresses cannot grow it without
 * bound.
 *
 * <p>Threads: any thread may report at any time; two threads reporting the same problem at the same instant may both
 * log it.
 */
final class TftpProblemLog {
    static final int MAX_ENTRIES = 10_000;

    /** The kinds of trouble logged apart from each other. */
    enum Kind {
        MALFORMED_PACKET, UNKNOWN_OPCODE, WRITE_REQUEST, BAD_MODE, BAD_OPTIONS, REFUSED_NAME, WRONG_TRANSFER_ID,
        UNEXPECTED_PACKET, CLIENT_ERROR, TIMED_OUT, BUSY, READ_FAILED
    }

    private record Key(InetAddress client, Kind kind) {
    }

    private static final class Entry {
        volatile long loggedAt;
        final AtomicLong suppressed = new AtomicLong();

        Entry(long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }

    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    /** @param clock nanoseconds, as {@link System#nanoTime()} (tests pass their own) */
    TftpProblemLog(System.Logger log, long intervalNanos, LongSupplier clock) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /** Logs {@code format} (a {@link java.text.MessageFormat} pattern) unless this problem was logged recently. */
    void report(InetAddress client, Kind kind, Level level, String format, Object... args) {
        if (!log.isLoggable(level)) {
            return;
        }
        long now = clock.getAsLong();
        Key key = new Key(client, kind);
        Entry entry = entries.get(key);
        if (entry != null && now - entry.loggedAt < intervalNanos) {
            entry.suppressed.incrementAndGet();
            return;
        }
        long suppressed = 0;
        if (entry == null) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.values().removeIf(e -> now - e.loggedAt >= intervalNanos);
                if (entries.size() >= MAX_ENTRIES) {
                    entries.clear();  // a flood from many addresses: forget them all rather than grow
                }
            }
            entries.put(key, new Entry(now));
        } else {
            entry.loggedAt = now;
            suppressed = entry.suppressed.getAndSet(0);
        }
        String line = suppressed == 0 ? format
                : format + " (" + suppressed + " more like it from this client since the last such line)";
        log.log(level, line, args);
    }

    /** Entries held now (tests). */
    int size() {
        return entries.size();
    }
}
