package org.diskfarm.store;

import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VDiskLockTest {
    @TempDir
    Path dir;

    private VDiskFiles files() {
        return VDiskFiles.of(dir.resolve("win11.vhd"));
    }

    private void writeLock(LockHolder holder) throws IOException {
        Files.writeString(files().lok(), holder.toText());
    }

    private static LockHolder holder(String host, long pid, Instant processStart) {
        return new LockHolder("srv-old", "10.0.0.9:4000", host, pid, processStart,
                Instant.parse("2024-01-02T03:04:05Z"));
    }

    private static void assertBusy(Runnable action, String... parts) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(StorageException.class, e -> {
            assertThat(e.kind()).isEqualTo(StorageException.Kind.BUSY);
            assertThat(e.getMessage()).doesNotContain("\n").contains(parts);
        });
    }

    /** A process of this host that stays alive until its stdin is closed. */
    private static Process liveChild() throws IOException {
        return new ProcessBuilder("cat").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static Instant startOf(Process process) {
        return process.toHandle().info().startInstant().orElseThrow();
    }

    @Test
    void acquireWritesTheHolderAndCloseDeletesTheFile() throws IOException {
        VDiskLock lock = VDiskLock.acquire(files(), "srv1", "10.0.0.7:51234");
        String text = Files.readString(files().lok());
        assertThat(text).contains("server = \"srv1\"", "client = \"10.0.0.7:51234\"",
                "host = \"" + LockHolder.thisHost() + "\"", "pid = \"" + ProcessHandle.current().pid() + "\"",
                "process_start = ", "since = ");
        LockHolder written = LockHolder.parse(text).orElseThrow();
        assertThat(written).isEqualTo(lock.holder());
        assertThat(written.processStart()).isEqualTo(ProcessHandle.current().info().startInstant().orElseThrow());

        lock.close();
        assertThat(files().lok()).doesNotExist();
        lock.close();
        assertThat(files().lok()).doesNotExist();
    }

    @Test
    void aSecondAcquireWhileHeldIsBusyAndNamesTheHolder() {
        try (VDiskLock first = VDiskLock.acquire(files(), "srv1", "device pc01 (52:54:00:00:00:01)")) {
            assertBusy(() -> VDiskLock.acquire(files(), "srv1", "10.0.0.8:1"),
                    "win11", "device pc01 (52:54:00:00:00:01)", "srv1");
            assertThat(VDiskLock.holder(files())).contains(first.holder());
            assertThat(VDiskLock.removeIfStale(files())).isFalse();
        }
        assertThat(VDiskLock.holder(files())).isEmpty();
        VDiskLock.acquire(files(), "srv1", "10.0.0.8:1").close();
    }

    @Test
    void closingAnOldLockDoesNotDeleteTheLockOfTheNextHolder() {
        VDiskLock first = VDiskLock.acquire(files(), "srv1", "a");
        first.close();
        try (VDiskLock second = VDiskLock.acquire(files(), "srv1", "b")) {
            first.close();
            assertThat(VDiskLock.holder(files())).contains(second.holder());
        }
    }

    @Test
    void aStaleLockOfADeadProcessIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writeLock(holder(LockHolder.thisHost(), gone.pid(), Instant.parse("2024-01-01T00:00:00Z")));
        assertThat(VDiskLock.holder(files())).isEmpty();
        try (VDiskLock lock = VDiskLock.acquire(files(), "srv1", "new")) {
            assertThat(LockHolder.parse(Files.readString(files().lok()))).contains(lock.holder());
        }
    }

    @Test
    void removeIfStaleDeletesOnlyAStaleLock() throws Exception {
        assertThat(VDiskLock.removeIfStale(files())).isFalse();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writeLock(holder(LockHolder.thisHost(), gone.pid(), Instant.parse("2024-01-01T00:00:00Z")));
        assertThat(VDiskLock.removeIfStale(files())).isTrue();
        assertThat(files().lok()).doesNotExist();
    }

    @Test
    void aRunningProcessIsTheHolderOnlyIfItStartedWhenTheLockSays() throws Exception {
        Process child = liveChild();
        try {
            Instant start = startOf(child);
            writeLock(holder(LockHolder.thisHost(), child.pid(), start.plusMillis(400)));
            assertThat(VDiskLock.holder(files())).isPresent();
            assertBusy(() -> VDiskLock.acquire(files(), "srv1", "new"), "10.0.0.9:4000", "srv-old");
            assertThat(VDiskLock.removeIfStale(files())).isFalse();

            writeLock(holder(LockHolder.thisHost(), child.pid(), start.minus(Duration.ofHours(1))));
            assertThat(VDiskLock.holder(files())).isEmpty();
            assertThat(VDiskLock.removeIfStale(files())).isTrue();
        } finally {
            child.destroy();
            child.waitFor();
        }
    }

    @Test
    void aReusedPidWithAnotherStartTimeIsStale() throws IOException {
        ProcessHandle init = ProcessHandle.of(1).orElseThrow();
        Instant start = init.info().startInstant().orElseThrow();
        writeLock(holder(LockHolder.thisHost(), 1, start.plus(Duration.ofDays(3))));
        assertThat(VDiskLock.holder(files())).isEmpty();
        VDiskLock.acquire(files(), "srv1", "new").close();
    }

    @Test
    void aLockOfAnotherHostIsNeverStale() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writeLock(holder("other-host.example", gone.pid(), Instant.EPOCH));
        assertThat(VDiskLock.holder(files())).isPresent();
        assertThat(VDiskLock.removeIfStale(files())).isFalse();
        assertBusy(() -> VDiskLock.acquire(files(), "srv1", "new"),
                "10.0.0.9:4000", "srv-old", "other-host.example", "delete " + files().lok());
        assertThat(files().lok()).exists();
    }

    @Test
    void aLockOfThisProcessThatNoLockObjectHoldsIsStale() throws IOException {
        writeLock(LockHolder.ofThisProcess("srv1", "before a crash of the export"));
        assertThat(VDiskLock.holder(files())).isEmpty();
        try (VDiskLock lock = VDiskLock.acquire(files(), "srv1", "new")) {
            assertThat(lock.holder().client()).isEqualTo("new");
        }
    }

    @Test
    void aBusyMessageOfThisHostDoesNotTellToDeleteTheFile() {
        try (VDiskLock ignored = VDiskLock.acquire(files(), "srv1", "a")) {
            assertThatThrownBy(() -> VDiskLock.acquire(files(), "srv1", "b")).hasMessageNotContaining("delete");
        }
    }

    @Test
    void anEmptyOrGarbageLockFileIsStale() throws IOException {
        for (String text : new String[] {"", "server = \"srv1\"\nclient = \"a\"\nho", "\u0000\u0000garbage"}) {
            Files.writeString(files().lok(), text);
            assertThat(VDiskLock.holder(files())).as(text).isEmpty();
            VDiskLock.acquire(files(), "srv1", "new").close();
            assertThat(files().lok()).doesNotExist();

            Files.writeString(files().lok(), text);
            assertThat(VDiskLock.removeIfStale(files())).as(text).isTrue();
            assertThat(files().lok()).doesNotExist();
        }
    }

    @Test
    void aMissingStoreFolderIsNotFound() {
        Path missing = dir.resolve("no-such-folder");
        assertThatThrownBy(() -> VDiskLock.acquire(VDiskFiles.of(missing.resolve("x.vhd")), "srv1", "a"))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void threadsRacingForOneVDiskGetExactlyOneLock() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<VDiskLock>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String client = "client-" + t;
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            return VDiskLock.acquire(files(), "srv1", client);
                        } catch (StorageException e) {
                            assertThat(e.kind()).isEqualTo(StorageException.Kind.BUSY);
                            return null;
                        }
                    }));
                }
                List<VDiskLock> won = new ArrayList<>();
                for (Future<VDiskLock> result : results) {
                    if (result.get() != null) {
                        won.add(result.get());
                    }
                }
                assertThat(won).as("round %d", round).hasSize(1);
                assertThat(VDiskLock.holder(files())).contains(won.getFirst().holder());
                won.forEach(VDiskLock::close);
                assertThat(files().lok()).doesNotExist();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
