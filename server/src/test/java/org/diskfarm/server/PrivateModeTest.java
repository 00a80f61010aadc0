package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.server.ServerFixture.tryRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.ClientProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Private mode: one client reads and writes the vDisk itself, under its lock. */
class PrivateModeTest {
    private ServerFixture farm;
    private Path lok;

    @BeforeEach
    void start() {
        farm = new ServerFixture();
        farm.vdisk("desk", VDiskProperties.DEFAULTS, 3);
        lok = farm.store().resolve("desk.lok");
        farm.start();
    }

    @AfterEach
    void stop() {
        farm.close();
    }

    @Test
    void flushedWritesSurviveARestartOfTheServer() {
        farm.qemuIo("desk", "write -P 0x5a 1M 128k", "flush");
        farm.restart();
        farm.qemuIo("desk", "read -P 0x5a 1M 128k");
    }

    @Test
    void unflushedWritesAreFlushedWhenTheServerStops() {
        farm.qemuIo("desk", "write -P 0x6b 2M 64k");
        farm.restart();
        farm.qemuIo("desk", "read -P 0x6b 2M 64k");
        // The client has gone; the server closes its device (and deletes the lock) on a worker thread just after.
        for (int i = 0; i < 300 && java.nio.file.Files.exists(lok); i++) {
            sleep(100);
        }
        assertThat(lok).doesNotExist();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aSecondClientIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        Process holder = new ProcessBuilder(farm.qemuIoCommand("desk", "write -P 1 0 4k", "sleep 600000"))
                .redirectErrorStream(true).start();
        try {
            waitFor(lok, true);
            assertThat(Files.readString(lok)).contains("server = \"test-server\"", "client = \"127.0.0.1:");
            ClientProcess.Result second = tryRun(farm.qemuIoCommand("desk", "read 0 4k").toArray(String[]::new));
            assertThat(second.exitCode()).isNotZero();
            assertThat(second.stderr()).contains("vDisk desk is in use (Private mode) by client 127.0.0.1:",
                    "on server test-server");
            // A device assigned the same vDisk is refused too.
            MacAddress pc = farm.device(1, "desk");
            assertThat(tryRun(farm.qemuIoCommand(pc, "read 0 4k").toArray(String[]::new)).stderr())
                    .contains("is in use (Private mode)");
        } finally {
            holder.destroy();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        waitFor(lok, false);
        farm.qemuIo("desk", "read -P 1 0 4k");
    }

    @Test
    void aDeviceExportOfAPrivateVDiskWritesTheVDisk() {
        MacAddress pc = farm.device(2, "desk");
        farm.qemuIo(pc, "write -P 0x77 4M 64k", "flush");
        farm.qemuIo("desk", "read -P 0x77 4M 64k");
    }

    /** Polls for the lock file to appear or go; bounded by count, not by a time budget the test asserts. */
    private static void waitFor(Path file, boolean present) throws InterruptedException {
        for (int i = 0; i < 600 && Files.exists(file) != present; i++) {
            Thread.sleep(100);
        }
        assertThat(Files.exists(file)).as(file + (present ? " appears" : " goes")).isEqualTo(present);
    }
}
