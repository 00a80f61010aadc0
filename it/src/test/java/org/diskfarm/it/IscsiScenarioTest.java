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
 * Streaming a vDisk over iSCSI (DOMAIN.md), with initiators we did not write: libiscsi's tools (iscsi-ls, iscsi-inq,
 * iscsi-readcapacity16) and QEMU's iSCSI driver (qemu-img, qemu-io; Debian package qemu-block-extra). The same
 * exports and rules as NBD: a Standard-mode device writes into its own cache, a Private-mode vDisk is durable and
 * exclusive. The server runs as its own process with {@code --demo} (vDisks {@code demo}, Private, and {@code lab},
 * Standard with a RAM cache; devices 52:54:00:00:00:01 and :02 on {@code lab}).
 */
class IscsiScenarioTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String DEMO = "iqn.2026-11.org.diskfarm:vdisk.demo";
    private static final String LAB = "iqn.2026-11.org.diskfarm:vdisk.lab";
    private static final String PC01 = "iqn.2026-11.org.diskfarm:device.525400000001";
    private static final String PC02 = "iqn.2026-11.org.diskfarm:device.525400000002";

    private Path data;

    @BeforeEach
    void folder() {
        data = TestFiles.tempDir("iscsi");
    }

    @AfterEach
    void clean() {
        TestFiles.deleteTree(data);
    }

    @Test
    void discoveryListsEveryVDiskAndDeviceAndTheLunsAnswer() throws Exception {
        try (ServerProcess server = ServerProcess.start(data, "--demo")) {
            assertThat(Files.readString(server.stdout)).contains(server.lun(PC01));
            String list = ok("iscsi-ls", "-s", server.portal());
            assertThat(list).contains("Target:" + DEMO + " Portal:127.0.0.1:" + server.iscsiPort + ",1",
                    "Target:" + LAB, "Target:" + PC01, "Target:" + PC02, "DIRECT_ACCESS");
            String inquiry = ok("iscsi-inq", server.lun(LAB));
            assertThat(inquiry).contains("DISKFARM");
            String serial = ok("iscsi-inq", "-e", "1", "-c", "128", server.lun(LAB));
            String capacity = ok("iscsi-readcapacity16", server.lun(LAB));
            long size = Vhd.info(data.resolve("store/lab.vhd")).virtualSize();
            assertThat(capacity).contains("LOGICAL BLOCK LENGTH IN BYTES:512",
                    "RETURNED LOGICAL BLOCK ADDRESS:" + (size / 512 - 1), "Total size:" + size);
            // The disk's identity is the vDisk's, not the connection's: the same after a restart.
            server.terminate();
            try (ServerProcess again = ServerProcess.start(data)) {
                assertThat(ok("iscsi-inq", "-e", "1", "-c", "128", again.lun(LAB))).isEqualTo(serial);
            }
        }
    }

    @Test
    void aWholeLunReadThroughQemuEqualsTheVDisk() throws Exception {
        try (ServerProcess server = ServerProcess.start(data, "--demo")) {
            ok("qemu-img", "compare", "-f", "raw", "-F", "vpc", server.lun(LAB),
                    data.resolve("store/lab.vhd").toString());
            Path copy = data.resolve("copy.raw");
            ok("qemu-img", "convert", "-f", "raw", "-O", "raw", server.lun(DEMO), copy.toString());
            ok("qemu-img", "compare", "-f", "raw", "-F", "vpc", copy.toString(),
                    data.resolve("store/demo.vhd").toString());
        }
    }

    @Test
    void aStandardModeDeviceWritesIntoItsOwnCache() throws Exception {
        try (ServerProcess server = ServerProcess.start(data, "--demo")) {
            ok("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", server.lun(PC01));
            ok("qemu-io", "-f", "raw", "-c", "read -P 0x5a 1M 64k", server.lun(PC01));
            ok("qemu-io", "-f", "raw", "-r", "-c", "read -P 0 1M 64k", server.lun(PC02));
            ok("qemu-io", "-f", "raw", "-r", "-c", "read -P 0 1M 64k", server.lun(LAB));
            // The vDisk export of a Standard-mode vDisk is read-only.
            ClientProcess.Result refused = ClientProcess.run(List.of("qemu-io", "-f", "raw", "-c",
                    "write -P 0x11 0 4k", server.lun(LAB)), TIMEOUT);
            assertThat(refused.stdout() + refused.stderr()).containsIgnoringCase("protect");
            ok("curl", "-sf", "-X", "POST", "-H", "Authorization: Bearer " + Files.readString(
                    data.resolve("api-token")).strip(), "http://127.0.0.1:" + server.httpPort
                    + "/api/v1/devices/52:54:00:00:00:01/boot");
            ok("qemu-io", "-f", "raw", "-r", "-c", "read -P 0 1M 64k", server.lun(PC01));
        }
        try (VhdDevice lab = Vhd.open(data.resolve("store/lab.vhd"), false)) {
            ByteBuffer read = ByteBuffer.allocate(64 << 10);
            lab.read(1L << 20, read);
            assertThat(read.array()).isEqualTo(new byte[64 << 10]);
        }
    }

    @Test
    void twentyDevicesWritingAtOnceOverIscsiKeepTheirDataApart() throws Exception {
        Files.createDirectories(data);
        StringBuilder devices = new StringBuilder("mac,name,vdisk\n");
        for (int i = 1; i <= 20; i++) {
            devices.append(String.format("52:54:00:00:01:%02x,pc%02d,lab%n", i, i));
        }
        Files.writeString(data.resolve("devices.csv"), devices);
        try (ServerProcess server = ServerProcess.start(data, "--demo")) {
            List<Process> writers = new java.util.ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                String target = String.format("iqn.2026-11.org.diskfarm:device.5254000001%02x", i);
                writers.add(new ProcessBuilder("qemu-io", "-f", "raw", "-c", "write -P " + i + " 8M 1M",
                        "-c", "read -P " + i + " 8M 1M", server.lun(target))
                        .redirectErrorStream(true).redirectOutput(data.resolve("writer" + i + ".log").toFile())
                        .start());
            }
            for (int i = 0; i < writers.size(); i++) {
                assertThat(writers.get(i).waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                String log = Files.readString(data.resolve("writer" + (i + 1) + ".log"));
                assertThat(writers.get(i).exitValue()).as(log).isZero();
                assertThat(log).doesNotContain("Pattern verification failed");
            }
            for (int i = 1; i <= 20; i++) {
                ok("qemu-io", "-f", "raw", "-r", "-c", "read -P " + i + " 8M 1M",
                        server.lun(String.format("iqn.2026-11.org.diskfarm:device.5254000001%02x", i)));
            }
        }
    }

    @Test
    void privateModeWritesSurviveAKill9AndASecondInitiatorIsRefused() throws Exception {
        ServerProcess first = ServerProcess.start(data, "--demo");
        Path log = data.resolve("client.log");
        Process client = new ProcessBuilder("stdbuf", "-oL", "qemu-io", "-f", "raw", "-c", "write -P 0x4d 7M 128k",
                "-c", "flush", "-c", "read -P 0x4d 7M 128k", "-c", "sleep 600000", first.lun(DEMO))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            for (int i = 0; i < 600 && !Files.readString(log).contains("read 131072/131072"); i++) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("read 131072/131072");
            assertThat(data.resolve("store/demo.lok")).exists();
            ClientProcess.Result second = ClientProcess.run(List.of("iscsi-inq", first.lun(DEMO)), TIMEOUT);
            assertThat(second.exitCode()).as(second.describe()).isNotZero();
            assertThat(first.log()).contains("demo");
            first.kill();
        } finally {
            client.destroyForcibly();
            client.waitFor(30, TimeUnit.SECONDS);
        }
        try (ServerProcess second = ServerProcess.start(data)) {
            ok("qemu-io", "-f", "raw", "-c", "read -P 0x4d 7M 128k", second.lun(DEMO));
        }
    }

    @Test
    void aTargetWithChapSecretsRefusesInitiatorsWithoutThem() throws Exception {
        Files.createDirectories(data);
        Files.writeString(data.resolve("chap-secrets.csv"), """
                target,user,secret,target_user,target_secret
                lab,labuser,lab-secret-123,,
                """);
        try (ServerProcess server = ServerProcess.start(data, "--demo")) {
            ClientProcess.Result without = ClientProcess.run(List.of("iscsi-inq", server.lun(LAB)), TIMEOUT);
            assertThat(without.exitCode()).as(without.describe()).isNotZero();
            ClientProcess.Result wrong = ClientProcess.run(List.of("iscsi-inq",
                    "iscsi://labuser%wrong-secret-12@127.0.0.1:" + server.iscsiPort + "/" + LAB + "/0"), TIMEOUT);
            assertThat(wrong.exitCode()).as(wrong.describe()).isNotZero();
            assertThat(ok("iscsi-inq", "iscsi://labuser%lab-secret-123@127.0.0.1:" + server.iscsiPort + "/" + LAB
                    + "/0")).contains("DISKFARM");
            // Targets without a line need no CHAP.
            assertThat(ok("iscsi-inq", server.lun(PC01))).contains("DISKFARM");
        }
    }

    private static String ok(String... command) {
        ClientProcess.Result result = ClientProcess.run(List.of(command), TIMEOUT);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result.stdout();
    }
}
