package org.diskfarm.farm;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The farm database: an embedded SQLite file under the data folder by default, or a PostgreSQL database that several
 * servers share. Both run the same migrations ({@code db/migration}, Flyway) when a server opens it, and the same SQL
 * afterwards (portable: BIGINT epoch milliseconds, INTEGER flags, no JSON types).
 *
 * <p>SQLite: WAL journal (readers do not wait for the writer), a 5 s busy timeout, foreign keys on, and one pooled
 * connection, since SQLite has one writer anyway. PostgreSQL: a small pool (HikariCP).
 *
 * <p>Threads: the data source is thread-safe.
 */
public final class FarmDatabase implements AutoCloseable {
    /** What a farm database is reached with; the password never comes from the command line. */
    public record Location(String url, String user, String password) {
        public Location {
            Objects.requireNonNull(url, "url");
        }

        /** The embedded database of a data folder: {@code DATA/farm.db}. */
        public static Location embedded(Path data) {
            return new Location("jdbc:sqlite:" + data.resolve("farm.db").toAbsolutePath(), null, null);
        }

        boolean sqlite() {
            return url.startsWith("jdbc:sqlite:");
        }

        /** The URL without credentials, for messages. */
        String describe() {
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query);
        }
    }

    private final Location location;
    private final HikariDataSource pool;

    private FarmDatabase(Location location, HikariDataSource pool) {
        this.location = location;
        this.pool = pool;
    }

    /**
     * Opens the database and brings its schema up to date.
     *
     * @throws IllegalStateException with one line naming the database if it cannot be reached or migrated
     */
    public static FarmDatabase open(Location location) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(location.url());
        config.setPoolName("farm-db");
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(-1); // fail on first use below, with our own message
        if (location.sqlite()) {
            Path file = Path.of(location.url().substring("jdbc:sqlite:".length()));
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("farm database " + file + ": cannot create its folder: "
                        + e.getMessage(), e);
            }
            config.setMaximumPoolSize(1);
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("busy_timeout", "5000");
            config.addDataSourceProperty("foreign_keys", "true");
        } else {
            config.setUsername(location.user());
            config.setPassword(location.password());
            config.setMaximumPoolSize(4);
        }
        HikariDataSource pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("farm database " + location.describe() + " does not answer: "
                    + firstLine(e.getMessage()), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new IllegalStateException("farm database " + location.describe() + ": migration failed: "
                    + firstLine(e.getMessage()), e);
        }
        return new FarmDatabase(location, pool);
    }

    public DataSource dataSource() {
        return pool;
    }

    public Location location() {
        return location;
    }

    /** True for the embedded SQLite file. */
    public boolean embedded() {
        return location.sqlite();
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
