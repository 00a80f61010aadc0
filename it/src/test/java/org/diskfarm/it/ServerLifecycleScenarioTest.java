package org.diskfarm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A farm server's life as an operator sees it (DOMAIN.md: streaming a vDisk): started with {@code --demo}, stopped
 * with SIGTERM while a Private-mode client has unflushed writes, and killed with SIGKILL while a client holds the
 * lock. The server runs as its own process; the clients are qemu-io and nbdinfo. qemu-io runs under
 * {@code stdbuf -oL} so that its output reaches the log file line by line while it still runs.
 */
class ServerLifecycleScenarioTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private Path data;

    @BeforeEach
    void folder() {
        data = TestFiles.tempDir("lifecycle");
    }

    @AfterEach
    void clean() {
        TestFiles.deleteTree(data);
    }

    @Test
    void theDemoServesTwoVDisksAndTwoDevices() throws Exception {
        try (ServerProcess server = ServerProcess.start(data, "--demo")) {
            assertThat(Files.readString(server.stdout)).contains("demo: created vDisks demo (private) and lab",
                    "device  " + server.uri("52:54:00:00:00:01"), "Stop with Ctrl-C");
            String list = ok("nbdinfo", "--list", server.uri(""));
            assertThat(list).contains("export=\"demo\"", "export=\"lab\"", "export=\"52:54:00:00:00:01\"",
                    "export=\"52:54:00:00:00:02\"");
            ok("qemu-io", "-r", "-f", "raw", "-c", "read -P 0 1M 1M", server.uri("lab"));
            assertThat(server.terminate()).isEqualTo(143);
        }
    }

    @Test
    void sigtermFlushesAcknowledgedWritesAndReleasesTheLock() throws Exception {
        ServerProcess server = ServerProcess.start(data, "--demo");
        Path log = data.resolve("client.log");
        Process client = new ProcessBuilder("stdbuf", "-oL", "qemu-io", "-f", "raw", "-c", "write -P 0x3c 5M 256k",
                "-c", "sleep 600000", server.uri("demo"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            for (int i = 0; i < 600 && !Files.readString(log).contains("wrote 262144/262144"); i++) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("wrote 262144/262144");
            assertThat(data.resolve("store/demo.lok")).exists();
            assertThat(server.terminate()).isEqualTo(143);
        } finally {
            client.destroy();
            client.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(server.log()).contains("server scenario: stopped cleanly");
        assertThat(data.resolve("store/demo.lok")).doesNotExist();
        try (VhdDevice disk = Vhd.open(data.resolve("store/demo.vhd"), false)) {
            ByteBuffer read = ByteBuffer.allocate(256 << 10);
            disk.read(5L << 20, read);
            byte[] expected = new byte[256 << 10];
            java.util.Arrays.fill(expected, (byte) 0x3c);
            assertThat(read.array()).isEqualTo(expected);
        }
        assertThat(Vhd.check(data.resolve("store/demo.vhd")).problems()).isEmpty();
    }

    @Test
    void flushedWritesSurviveAKill9AndTheStaleLockIsRecognised() throws Exception {
        ServerProcess first = ServerProcess.start(data, "--demo");
        Path log = data.resolve("client.log");
        Process client = new ProcessBuilder("stdbuf", "-oL", "qemu-io", "-f", "raw", "-c", "write -P 0x4d 7M 128k",
                "-c", "flush", "-c", "read -P 0x4d 7M 128k", "-c", "sleep 600000", first.uri("demo"))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        try {
            // The read after the flush prints only once the flush was answered.
            for (int i = 0; i < 600 && !Files.readString(log).contains("read 131072/131072"); i++) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("read 131072/131072");
            assertThat(data.resolve("store/demo.lok")).exists();
            first.kill();
        } finally {
            client.destroyForcibly();
            client.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(data.resolve("store/demo.lok")).as("a killed server leaves its lock behind").exists();
        try (ServerProcess second = ServerProcess.start(data)) {
            assertThat(second.log()).contains("removing a stale lock");
            ok("qemu-io", "-f", "raw", "-c", "read -P 0x4d 7M 128k", second.uri("demo"));
        }
    }

    private static String ok(String... command) {
        ClientProcess.Result result = ClientProcess.run(List.of(command), TIMEOUT);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result.stdout();
    }
}
