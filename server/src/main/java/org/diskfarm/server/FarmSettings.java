package org.diskfarm.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.diskfarm.farm.FarmDatabase;

/**
 * How a server takes part in its farm.
 *
 * @param database     the farm database: the embedded file in the data folder, or a shared PostgreSQL
 * @param lease        how long a server counts as up after its last heartbeat; it beats three times per lease
 * @param scanInterval how often the store folders are scanned for changes
 * @param apiToken     a token set by the administrator (config file), accepted besides the farm's own; or null
 * @param reads        who may read the API without a token
 */
public record FarmSettings(FarmDatabase.Location database, Duration lease, Duration scanInterval, String apiToken,
        ApiReads reads) {
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(10);

    /** Who may read the API (GET) without a token. */
    public enum ApiReads {
        /** Anyone who can reach the port. */
        OPEN,
        /** Clients on this machine's loopback addresses (the default). */
        LOOPBACK,
        /** Nobody: every request needs the token. */
        TOKEN;

        static ApiReads parse(String text) {
            for (ApiReads reads : values()) {
                if (reads.name().equalsIgnoreCase(text.strip())) {
                    return reads;
                }
            }
            throw new IllegalArgumentException("api-reads must be open, loopback or token, not '" + text + "'");
        }
    }

    public FarmSettings {
        Objects.requireNonNull(database);
        Objects.requireNonNull(reads);
        if (lease.toMillis() < 300 || lease.toHours() > 1) {
            throw new IllegalArgumentException("lease must be between 300 ms and 1 h: " + lease);
        }
        if (scanInterval.toMillis() < 100) {
            throw new IllegalArgumentException("scan interval must be at least 100 ms: " + scanInterval);
        }
    }

    /** The embedded database of {@code data} with the default lease, scan interval and read policy. */
    public static FarmSettings embedded(Path data) {
        return new FarmSettings(FarmDatabase.Location.embedded(data), DEFAULT_LEASE, DEFAULT_SCAN_INTERVAL, null,
                ApiReads.LOOPBACK);
    }

    public FarmSettings withDatabase(FarmDatabase.Location location) {
        return new FarmSettings(location, lease, scanInterval, apiToken, reads);
    }

    public FarmSettings withLease(Duration value) {
        return new FarmSettings(database, value, scanInterval, apiToken, reads);
    }

    public FarmSettings withApiToken(String value) {
        return new FarmSettings(database, lease, scanInterval, value, reads);
    }
}
