package org.diskfarm.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A PostgreSQL database of its own for one test, on the machine's PostgreSQL (127.0.0.1:5432, trust auth, user
 * postgres; {@code run-tests} starts it if it is down), dropped again by {@link #close}. Tests of the farm run on both
 * engines, so a missing PostgreSQL fails them with one clear line rather than skipping half of the proof.
 */
public final class TestPostgres implements AutoCloseable {
    /** Where the machine's PostgreSQL answers; DISKFARM_TEST_POSTGRES may point elsewhere (ending in '/'). */
    public static final String SERVER = System.getenv().getOrDefault("DISKFARM_TEST_POSTGRES",
            "jdbc:postgresql://127.0.0.1:5432/");
    public static final String USER = "postgres";

    private final String name;

    private TestPostgres(String name) {
        this.name = name;
    }

    /** Creates an empty database with a fresh name. */
    public static TestPostgres create() {
        String name = "diskfarm_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name);
        return new TestPostgres(name);
    }

    /** The JDBC URL of this database. */
    public String url() {
        return SERVER + name;
    }

    public String name() {
        return name;
    }

    /** The port PostgreSQL listens on, from {@link #SERVER}. */
    public static int port() {
        String rest = SERVER.substring(SERVER.indexOf("//") + 2);
        String hostPort = rest.substring(0, rest.indexOf('/'));
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, null);
             Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " (user " + USER + "): " + e.getMessage()
                    + " (run-tests starts it; DISKFARM_TEST_POSTGRES names another)", e);
        }
    }
}
