package org.diskfarm.farm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.diskfarm.testkit.TestPostgres;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The two engines a farm runs on, for parameterized tests: each test gets a fresh embedded database in a temporary
 * folder or a fresh PostgreSQL database, with a clock the test moves by hand. Register as an extension so that
 * everything opened is closed after each test.
 */
final class FarmEngines implements AfterEachCallback {
    enum Engine { EMBEDDED, POSTGRESQL }

    /** A settable clock. */
    static final class TestClock extends Clock {
        final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-26T04:00:00Z").toEpochMilli());

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }

    private final List<AutoCloseable> opened = new ArrayList<>();

    static Stream<Engine> engines() {
        return Stream.of(Engine.values());
    }

    /** A location of a fresh, empty farm database on {@code engine}. */
    FarmDatabase.Location location(Engine engine) throws Exception {
        if (engine == Engine.EMBEDDED) {
            Path dir = Files.createTempDirectory("farm-test");
            return FarmDatabase.Location.embedded(dir);
        }
        TestPostgres pg = TestPostgres.create();
        opened.add(pg);
        return new FarmDatabase.Location(pg.url(), TestPostgres.USER, null);
    }

    /** A farm on a fresh database of {@code engine}, with {@code clock}. */
    Farm farm(Engine engine, Clock clock) throws Exception {
        FarmDatabase db = FarmDatabase.open(location(engine));
        opened.add(0, db);
        return new Farm(db, clock);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        opened.clear();
    }
}
