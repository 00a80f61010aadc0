package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.Extent;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server in-process on 127.0.0.1, driven by real clients as processes: nbdinfo, nbdcopy (libnbd-bin), qemu-img and
 * qemu-io (qemu-utils); and by a raw socket for what those clients cannot send. Two exports over sparse files with
 * patterned data: {@code gold} read-only, {@code disk} read-write.
 */
class NbdServerClientsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final long SIZE = 8L << 20;
    private static final long SEED = 42;
    private static final int DATA = 256 << 10;
    private static final long[] DATA_AT = {0, 1L << 20, (5L << 20) + (64 << 10)};

    @TempDir
    Path dir;
    private Path gold;
    private Path disk;
    private static final String BROKEN = "broken";
    private NbdServer server;
    private Map<String, NbdExportInfo> infos;
    private NbdExports exports;
    private NbdExportOpener opener;
    private String base;

    @BeforeEach
    void start() {
        gold = TestFiles.writeSparseFile(dir.resolve("gold.raw"), SIZE, SEED, DATA, DATA_AT);
        disk = TestFiles.writeSparseFile(dir.resolve("disk.raw"), SIZE, SEED, DATA, DATA_AT);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("gold", gold);
        files.put("disk", disk);
        infos = new LinkedHashMap<>();
        for (var entry : files.entrySet()) {
            try (BlockDevice device = open(entry.getKey(), entry.getValue())) {
                infos.put(entry.getKey(), NbdExportInfo.of(entry.getKey(), "test " + entry.getKey(), device, false));
            }
        }
        NbdExportInfo goldInfo = infos.get("gold");
        infos.put(BROKEN, new NbdExportInfo(BROKEN, "", goldInfo.size(), true, false, false, false,
                goldInfo.limits()));
        exports = new NbdExports() {
            @Override
            public Optional<NbdExportInfo> lookup(String name) {
                return Optional.ofNullable(infos.get(name));
            }

            @Override
            public List<String> names() {
                return List.copyOf(infos.keySet());
            }

            @Override
            public Optional<String> defaultExport() {
                return Optional.of("gold");
            }
        };
        opener = (name, client) -> {
            if (name.equals(BROKEN)) {
                throw new StorageException(StorageException.Kind.IO_ERROR, "the disk behind broken is gone");
            }
            return open(name, files.get(name));
        };
        server = NbdServer.start(new InetSocketAddress("127.0.0.1", 0), exports, opener);
        base = "nbd://127.0.0.1:" + server.port() + "/";
    }

    private static BlockDevice open(String name, Path file) {
        return RawFileDevice.open(file, name.equals("disk"));
    }

    @Test
    void nioTransportServesNbdcopyToo() {
        try (NbdServer nio = NbdServer.start(new InetSocketAddress("127.0.0.1", 0), exports, opener, false)) {
            Path out = dir.resolve("nio.raw");
            run("nbdcopy", "nbd://127.0.0.1:" + nio.port() + "/gold", out.toString());
            assertThat(TestFiles.sha256(out)).isEqualTo(TestFiles.sha256(gold));
        }
    }

    @Test
    void qemuImgMapShowsDataWhereTheFileHasIt() {
        String out = run("qemu-img", "map", "--output=json", "-f", "raw", base + "gold");
        Matcher m = Pattern.compile("\\{[^}]*\"start\": (\\d+), \"length\": (\\d+),[^}]*\"data\": (true|false)")
                .matcher(out);
        List<long[]> shown = new ArrayList<>();
        while (m.find()) {
            shown.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    m.group(3).equals("true") ? 0 : 3});
        }
        assertThat(shown).as(out).isNotEmpty();
        assertThat(toStrings(merge(shown))).isEqualTo(toStrings(merge(fileExtents())));
    }

    @Test
    void pipelinedReadsAreAllAnsweredByCookie() throws IOException {
        pipelinedReads(32, 64 << 10);
    }

    @Test
    void manyMorePipelinedReadsThanTheInFlightLimitAreAllAnswered() throws IOException {
        pipelinedReads(500, 4096);
    }

    private void pipelinedReads(int count, int length) throws IOException {
        try (NbdRawClient client = NbdRawClient.open(server.port(), "gold")) {
            for (int i = 0; i < count; i++) {
                client.sendRead(1000 + i, (long) i * 3 * length % (SIZE - length), length);
            }
            Map<Long, byte[]> answers = new HashMap<>();
            for (int i = 0; i < count; i++) {
                NbdSimpleReply reply = client.nextReply();
                assertThat(reply.error()).isZero();
                answers.put(reply.cookie(), client.readData(length));
            }
            byte[] file = Files.readAllBytes(gold);
            for (int i = 0; i < count; i++) {
                int offset = (int) ((long) i * 3 * length % (SIZE - length));
                assertThat(answers.get(1000L + i)).as("cookie %d", 1000 + i)
                        .isEqualTo(Arrays.copyOfRange(file, offset, offset + length));
            }
        }
    }

    @Test
    void exportThatCannotBeOpenedClosesOnlyThatConnection() throws IOException {
        try (NbdRawClient good = NbdRawClient.open(server.port(), "gold");
                NbdRawClient broken = NbdRawClient.open(server.port(), BROKEN)) {
            assertThat(broken.closedByServer()).isTrue();
            assertThat(good.read(0, 512)).isEqualTo(TestFiles.pattern(SEED, 0, 512));
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nbdinfoListsBothExports() {
        String out = run("nbdinfo", "--list", "nbd://127.0.0.1:" + server.port());
        assertThat(out).contains("export=\"gold\"").contains("export=\"disk\"");
    }

    @Test
    void nbdinfoMapShowsTheFilesDataAndHoles() {
        List<long[]> shown = new ArrayList<>();
        for (String line : run("nbdinfo", "--map", base + "gold").strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            shown.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
        assertThat(toStrings(merge(shown))).isEqualTo(toStrings(merge(fileExtents())));
        assertThat(merge(shown)).anyMatch(e -> e[2] == 3).anyMatch(e -> e[2] == 0);
    }

    @Test
    void nbdcopyToAFileEqualsTheSource() {
        Path out = dir.resolve("out.raw");
        run("nbdcopy", base + "gold", out.toString());
        assertThat(TestFiles.sha256(out)).isEqualTo(TestFiles.sha256(gold));
    }

    @Test
    void qemuImgConvertAndCompareSeeTheSource() {
        Path out = dir.resolve("out.raw");
        run("qemu-img", "convert", "-f", "raw", "-O", "raw", base + "gold", out.toString());
        assertThat(TestFiles.sha256(out)).isEqualTo(TestFiles.sha256(gold));
        run("qemu-img", "compare", "-f", "raw", "-F", "raw", gold.toString(), base + "gold");
    }

    @Test
    void nbdcopyWritesAFileThroughTheExport() {
        Path src = TestFiles.writePatternFile(dir.resolve("src.raw"), SIZE, 7);
        run("nbdcopy", src.toString(), base + "disk");
        assertThat(TestFiles.sha256(disk)).isEqualTo(TestFiles.sha256(src));
    }

    @Test
    void qemuIoWriteAndFlushLandInTheFile() throws IOException {
        run("qemu-io", "-f", "raw", "-c", "write -P 0x78 4096 512", "-c", "flush", base + "disk");
        byte[] bytes = Files.readAllBytes(disk);
        byte[] expected = new byte[512];
        Arrays.fill(expected, (byte) 'x');
        assertThat(Arrays.copyOfRange(bytes, 4096, 4608)).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(bytes, 0, 4096)).isEqualTo(TestFiles.pattern(SEED, 0, 4096));
    }

    @Test
    void qemuIoFuaWriteZeroesAndDiscardLandInTheFile() throws IOException {
        run("qemu-io", "-f", "raw", "-c", "write -f -P 0x55 8192 4096", "-c", "write -z 1048576 65536",
                "-c", "discard 1114112 4096", "-c", "flush", base + "disk");
        byte[] bytes = Files.readAllBytes(disk);
        byte[] fives = new byte[4096];
        Arrays.fill(fives, (byte) 0x55);
        assertThat(Arrays.copyOfRange(bytes, 8192, 12288)).isEqualTo(fives);
        assertThat(Arrays.copyOfRange(bytes, 1 << 20, (1 << 20) + 65536)).isEqualTo(new byte[65536]);
        int after = (1 << 20) + 65536 + 4096;
        assertThat(Arrays.copyOfRange(bytes, after, after + 4096)).isEqualTo(TestFiles.pattern(SEED, after, 4096));
    }

    @Test
    void defaultExportServesTheEmptyName() {
        assertThat(run("nbdinfo", "--size", "nbd://127.0.0.1:" + server.port()).strip())
                .isEqualTo(Long.toString(SIZE));
    }

    @Test
    void clientVanishingMidWriteLeavesOthersServed() throws IOException {
        try (NbdRawClient good = NbdRawClient.open(server.port(), "disk")) {
            try (NbdRawClient quitter = NbdRawClient.open(server.port(), "disk")) {
                ByteBuffer header = ByteBuffer.allocate(NbdRequest.SIZE + 100);
                new NbdRequest(NbdCommand.WRITE, 0, 1, 0, 4096).encodeTo(header);
                quitter.send(header.flip());
            }
            assertThat(good.read(0, 4096)).isEqualTo(TestFiles.pattern(SEED, 0, 4096));
        }
        assertThat(TestFiles.sha256(disk)).isEqualTo(TestFiles.sha256(gold));
    }

    @Test
    void writeLongerThan32MiBClosesTheConnection() throws IOException {
        try (NbdRawClient client = NbdRawClient.open(server.port(), "disk")) {
            ByteBuffer header = ByteBuffer.allocate(NbdRequest.SIZE);
            new NbdRequest(NbdCommand.WRITE, 0, 1, 0, (32L << 20) + 1).encodeTo(header);
            client.send(header.flip());
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void closeReturnsAndClosesConnectedClients() throws IOException {
        try (NbdRawClient client = NbdRawClient.open(server.port(), "disk")) {
            assertThat(client.read(0, 512)).hasSize(512);
            server.close();
            server = null;
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void writeToReadOnlyExportFailsWithEpermAndReadsGoOn() throws IOException {
        try (NbdRawClient client = NbdRawClient.open(server.port(), "gold")) {
            assertThat(client.write(0, new byte[512])).isEqualTo(NbdError.EPERM.code());
            assertThat(client.read(1L << 20, 4096)).isEqualTo(TestFiles.pattern(SEED, 1L << 20, 4096));
        }
        assertThat(TestFiles.sha256(gold)).isEqualTo(TestFiles.sha256(disk));
    }

    @Test
    void qemuIoWriteToReadOnlyExportIsRefused() {
        ClientProcess.Result result = runAllowingFailure("qemu-io", "-f", "raw", "-c", "write 0 512", base + "gold");
        assertThat(result.exitCode() != 0 || result.stdout().contains("failed") || result.stderr().contains("only"))
                .as(result.describe()).isTrue();
    }

    @Test
    void garbageClientIsDroppedWhileAnotherKeepsWorking() throws IOException {
        try (NbdRawClient good = NbdRawClient.open(server.port(), "disk");
                NbdRawClient bad = NbdRawClient.connect(server.port())) {
            bad.sendRaw(new byte[] {0, 0, 0, 1});
            bad.sendRaw("this is not an NBD option at all, just garbage bytes".getBytes());
            assertThat(bad.closedByServer()).as("server closed the garbage connection").isTrue();
            assertThat(good.read(0, 4096)).isEqualTo(TestFiles.pattern(SEED, 0, 4096));
        }
        try (NbdRawClient bad = NbdRawClient.open(server.port(), "disk")) {
            bad.sendRaw(new byte[64]); // a request with bad magic
            assertThat(bad.closedByServer()).as("server closed after a bad request magic").isTrue();
        }
        assertThat(run("nbdinfo", "--size", base + "disk").strip()).isEqualTo(Long.toString(SIZE));
    }

    @Test
    void outOfRangeReadIsAnErrorReplyNotAClose() throws IOException {
        try (NbdRawClient client = NbdRawClient.open(server.port(), "gold")) {
            byte[] data = client.read(SIZE - 512, 512);
            assertThat(data).hasSize(512);
            try {
                client.read(SIZE, 512);
                fail("read past the end succeeded");
            } catch (IOException e) {
                assertThat(e.getMessage()).contains("errno " + NbdError.EINVAL.code());
            }
            assertThat(client.read(0, 512)).isEqualTo(TestFiles.pattern(SEED, 0, 512));
        }
    }

    /** The gold file's extents as {offset, length, nbdinfo type}: 0 for data, 3 for a hole (HOLE|ZERO). */
    private List<long[]> fileExtents() {
        List<long[]> expected = new ArrayList<>();
        try (BlockDevice device = RawFileDevice.open(gold, false)) {
            for (Extent e : device.extents(0, SIZE)) {
                expected.add(new long[] {e.offset(), e.length(), e.allocated() ? 0 : 3});
            }
        }
        return expected;
    }

    private static List<long[]> merge(List<long[]> extents) {
        List<long[]> merged = new ArrayList<>();
        for (long[] e : extents) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && last[2] == e[2] && last[0] + last[1] == e[0]) {
                last[1] += e[1];
            } else {
                merged.add(e.clone());
            }
        }
        return merged;
    }

    private static List<String> toStrings(List<long[]> extents) {
        return extents.stream().map(Arrays::toString).toList();
    }

    private static String run(String... command) {
        ClientProcess.Result result = runAllowingFailure(command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result.stdout();
    }

    private static ClientProcess.Result runAllowingFailure(String... command) {
        if (ClientProcess.find(command[0]) == null) {
            fail(command[0] + " is not installed: install libnbd-bin and qemu-utils (./run-tests does as root)");
        }
        return ClientProcess.run(List.of(command), TIMEOUT);
    }
}
