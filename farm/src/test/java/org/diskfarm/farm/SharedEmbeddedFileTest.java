package org.diskfarm.farm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one machine may share the embedded file: their transactions wait for each other (BEGIN IMMEDIATE and
 * the busy timeout) instead of failing with SQLITE_BUSY_SNAPSHOT when one wrote between the other's read and write.
 */
class SharedEmbeddedFileTest {
    @TempDir
    Path dir;

    @Test
    void twoPoolsOnOneFileWriteConcurrentlyWithoutLosingAChange() throws Exception {
        FarmDatabase.Location file = FarmDatabase.Location.embedded(dir);
        try (FarmDatabase one = FarmDatabase.open(file); FarmDatabase two = FarmDatabase.open(file);
             ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Farm a = new Farm(one, Clock.systemUTC());
            Farm b = new Farm(two, Clock.systemUTC());
            Future<?> first = threads.submit(() -> add(a, 0));
            Future<?> second = threads.submit(() -> add(b, 1));
            first.get();
            second.get();
            assertThat(a.devices().all()).hasSize(80);
            assertThat(b.audit().list(1000, 0).items().stream().filter(e -> e.action().equals("device.add")))
                    .hasSize(80);
        }
    }

    /** 40 devices, each in a transaction that reads (duplicate checks) before it writes. */
    private static void add(Farm farm, int which) {
        for (int i = 0; i < 40; i++) {
            farm.devices().add(List.of(new Devices.New(String.format("52:54:00:00:%02x:%02x", which, i),
                    "pc-" + which + "-" + i, "", null, null)), "test");
            farm.stores().ensure("default", "srv" + which, "/srv/" + which + "/" + i);
        }
    }
}
