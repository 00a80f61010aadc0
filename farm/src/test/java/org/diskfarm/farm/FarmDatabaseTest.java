package org.diskfarm.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.diskfarm.testkit.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm database on both engines it runs on: the embedded SQLite file and PostgreSQL (127.0.0.1:5432, trust
 * auth, as on these machines and in CI; each test gets a database of its own, dropped afterwards).
 */
class FarmDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void theEmbeddedDatabaseIsMigratedAndKeepsItsRules() throws Exception {
        FarmDatabase.Location location = FarmDatabase.Location.embedded(dir);
        long migrations;
        try (FarmDatabase db = FarmDatabase.open(location)) {
            assertThat(db.embedded()).isTrue();
            schemaRules(db);
            migrations = count(db, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1");
        }
        assertThat(migrations).as("every migration ran").isEqualTo(2);
        assertThat(dir.resolve("farm.db")).exists();
        try (FarmDatabase again = FarmDatabase.open(location)) {
            assertThat(count(again, "SELECT COUNT(*) FROM devices")).as("the data survives a reopen").isEqualTo(1);
            assertThat(count(again, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1"))
                    .as("migrations run once").isEqualTo(migrations);
        }
    }

    @Test
    void postgresqlRunsTheSameMigrationsAndRules() {
        withPostgres(location -> {
            try (FarmDatabase db = FarmDatabase.open(location)) {
                assertThat(db.embedded()).isFalse();
                schemaRules(db);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            try (FarmDatabase again = FarmDatabase.open(location)) {
                assertThat(count(again, "SELECT COUNT(*) FROM devices")).isEqualTo(1);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aDatabaseThatDoesNotAnswerIsOneClearLine() {
        FarmDatabase.Location nowhere = new FarmDatabase.Location("jdbc:postgresql://127.0.0.1:1/farm", "farm", null);
        assertThatThrownBy(() -> FarmDatabase.open(nowhere)).isInstanceOfSatisfying(IllegalStateException.class,
                e -> assertThat(e.getMessage()).startsWith("farm database jdbc:postgresql://127.0.0.1:1/farm does not "
                        + "answer: ").doesNotContain("\n"));
    }

    /** A device needs a unique MAC and name, and a vDisk and collection that exist. */
    private static void schemaRules(FarmDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO stores (name, default_path) VALUES ('main', '/srv/diskfarm/store')");
            s.executeUpdate("INSERT INTO vdisks (name, store, size_bytes, mode, write_cache_type, "
                    + "write_cache_size, updated_at) VALUES ('win10', 'main', 1048576, 'standard', 'ram', 4294967296, 0)");
            insertDevice(c, "52:54:00:12:34:56", "pc01", "win10");
            assertThatThrownBy(() -> insertDevice(c, "52:54:00:12:34:56", "pc02", "win10"))
                    .as("a MAC is listed once").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> insertDevice(c, "52:54:00:12:34:57", "pc01", "win10"))
                    .as("a name is used once").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> insertDevice(c, "52:54:00:12:34:58", "pc03", "nope"))
                    .as("the vDisk must exist (foreign keys are on)").isInstanceOf(SQLException.class);
        }
    }

    private static void insertDevice(Connection c, String mac, String name, String vdisk) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO devices (mac, name, vdisk) VALUES (?, ?, ?)")) {
            p.setString(1, mac);
            p.setString(2, name);
            p.setString(3, vdisk);
            p.executeUpdate();
        }
    }

    private static long count(FarmDatabase db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Runs {@code test} on a new PostgreSQL database, dropped afterwards. */
    private static void withPostgres(Consumer<FarmDatabase.Location> test) {
        try (TestPostgres pg = TestPostgres.create()) {
            test.accept(new FarmDatabase.Location(pg.url(), TestPostgres.USER, null));
        }
    }
}
