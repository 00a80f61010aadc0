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
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

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
        public String describe() {
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query);
        }
    }

    private final Location location;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    private FarmDatabase(Location location, HikariDataSource pool) {
        this.location = location;
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
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
        // A farm whose database is gone must answer "unavailable" quickly, not hang: a short wait for a connection,
        // and (PostgreSQL) bounded connect and socket timeouts so that a half-open connection ends.
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(2_000);
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
            // Transactions take the write lock when they begin (BEGIN IMMEDIATE) and wait for it up to the busy
            // timeout. A deferred transaction that read first cannot write after another process wrote to the file
            // (SQLITE_BUSY_SNAPSHOT, no wait): two servers on one machine may share the embedded file.
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        } else {
            config.setUsername(location.user());
            config.setPassword(location.password());
            config.setMaximumPoolSize(4);
            config.addDataSourceProperty("connectTimeout", "3");
            config.addDataSourceProperty("socketTimeout", "30");
            config.addDataSourceProperty("tcpKeepAlive", "true");
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
            Flyway.configure().dataSource(pool).locations("classpath:db/migration")
                    .placeholders(java.util.Map.of("generated_id", location.sqlite()
                            ? "INTEGER PRIMARY KEY" // SQLite: an alias of the rowid, assigned on insert
                            : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"))
                    .load().migrate();
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

    /** Runs {@code work} in one transaction; see {@link #unavailable} for what a lost database becomes. */
    public <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.inTransaction(work);
        } catch (JdbiException e) {
            throw translate(e);
        }
    }

    /** Runs {@code work} on one connection without a transaction of its own (reads). */
    public <T> T withHandle(HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException e) {
            throw translate(e);
        }
    }

    /**
     * A database error as the farm reports it: a lost or refused connection is UNAVAILABLE, a broken uniqueness or
     * reference rule (two servers racing to add the same device) CONFLICT; anything else is rethrown.
     */
    private RuntimeException translate(JdbiException e) {
        if (unavailable(e)) {
            return new FarmException(FarmException.Kind.UNAVAILABLE, "farm database " + location.describe()
                    + " is unreachable: " + firstLine(rootMessage(e)) + "; nothing was changed", e);
        }
        SQLException sql = find(e, SQLException.class);
        if (sql != null && (String.valueOf(sql.getSQLState()).startsWith("23")
                || String.valueOf(sql.getMessage()).contains("constraint failed"))) {
            return new FarmException(FarmException.Kind.CONFLICT, "the change conflicts with another one made at the "
                    + "same time: " + firstLine(sql.getMessage()), e);
        }
        return e;
    }

    /** True if {@code e} says the database could not be reached (SQLState class 08, or no connection to be had). */
    static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof org.jdbi.v3.core.ConnectionException
                    || t instanceof java.net.ConnectException || t instanceof java.net.SocketException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** True if the database answers now (a cheap query on a pooled connection). */
    public boolean answers() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** {@code postgresql} or {@code embedded}. */
    public String kind() {
        return embedded() ? "embedded" : "postgresql";
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
