package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket-level fuzzing: a seeded, fixed number of connections each misbehave in one way (garbage at each stage, bad
 * magic, unknown options and commands, flags that do not apply, reads over 32 MiB and past the end, writes over 32 MiB,
 * requests cut short, clients vanishing mid-request). Each time the server must answer with an error (and go on
 * serving that connection) or close it; a well-behaved client on another connection must read correct data after
 * every case; and each bad connection costs at most one log line and no stack trace.
 */
class NbdServerFuzzTest {
    private static final long SEED = 20261125L;
    private static final int CASES = 400;
    private static final long SIZE = 4L << 20;

    enum Case {
        FLAGS_WITH_UNKNOWN_BITS, OPTION_WITH_BAD_MAGIC, UNKNOWN_OPTION, REQUEST_WITH_BAD_MAGIC, UNKNOWN_COMMAND,
        UNKNOWN_FLAG, READ_OVER_32_MIB, PAST_THE_END, WRITE_OVER_32_MIB, REQUEST_CUT_SHORT, VANISH_MID_WRITE,
        RANDOM_BYTES_THEN_EOF
    }

    @TempDir
    Path dir;
    private byte[] goldContent;
    private NbdServer server;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws IOException {
        Path gold = TestFiles.writePatternFile(dir.resolve("gold.raw"), SIZE, 17);
        Path disk = TestFiles.writePatternFile(dir.resolve("disk.raw"), SIZE, 18);
        goldContent = Files.readAllBytes(gold);
        Map<String, Path> files = Map.of("gold", gold, "disk", disk);
        Map<String, NbdExportInfo> infos = new ConcurrentHashMap<>();
        for (var entry : files.entrySet()) {
            try (BlockDevice device = RawFileDevice.open(entry.getValue(), false)) {
                infos.put(entry.getKey(), NbdExportInfo.of(entry.getKey(), "", device, false));
            }
        }
        NbdExports exports = new NbdExports() {
            @Override
            public Optional<NbdExportInfo> lookup(String name) {
                return Optional.ofNullable(infos.get(name));
            }

            @Override
            public List<String> names() {
                return List.of("gold", "disk");
            }

            @Override
            public Optional<String> defaultExport() {
                return Optional.of("gold");
            }
        };
        Logger.getLogger("").addHandler(capture);
        server = NbdServer.start(new InetSocketAddress("127.0.0.1", 0), exports,
                (name, client) -> RawFileDevice.open(files.get(name), name.equals("disk")),
                NbdServerOptions.DEFAULTS.withZeroCopyMinBytes(0));
    }

    @AfterEach
    void stop() {
        server.close();
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void misbehavingConnectionsGetAnErrorOrAreClosedAndOthersAreServed() throws IOException {
        Random random = new Random(SEED);
        List<Integer> badPorts = new ArrayList<>();
        int[] seen = new int[Case.values().length];
        try (NbdRawClient good = NbdRawClient.open(server.port(), "gold")) {
            for (int i = 0; i < CASES; i++) {
                Case kind = Case.values()[random.nextInt(Case.values().length)];
                seen[kind.ordinal()]++;
                String context = "case " + i + ": " + kind;
                Integer badPort = play(kind, random, context);
                if (badPort != null) {
                    badPorts.add(badPort);
                }
                int length = 1 + random.nextInt(256 << 10);
                long offset = random.nextLong(SIZE - length + 1);
                assertThat(good.read(offset, length)).as("good client after %s", context)
                        .isEqualTo(Arrays.copyOfRange(goldContent, (int) offset, (int) offset + length));
            }
        }
        assertThat(seen).as("every case ran").doesNotContain(0);
        assertOneLineAtMostPerBadConnection(badPorts);
    }

    /** Plays one case; returns the local port of a connection the server should have closed, else null. */
    private Integer play(Case kind, Random random, String context) throws IOException {
        switch (kind) {
            case FLAGS_WITH_UNKNOWN_BITS -> {
                try (NbdRawClient c = NbdRawClient.connect(server.port())) {
                    int flags = random.nextInt() | (4 << random.nextInt(30)); // an undefined bit set
                    c.sendRaw(ByteBuffer.allocate(4).putInt(flags).array());
                    c.sendRaw(randomBytes(random, random.nextInt(100)));
                    assertThat(c.closedByServer()).as(context).isTrue();
                    return c.localPort();
                }
            }
            case OPTION_WITH_BAD_MAGIC -> {
                try (NbdRawClient c = NbdRawClient.connect(server.port())) {
                    c.sendRaw(ByteBuffer.allocate(4).putInt(NbdFlags.Client.FIXED_NEWSTYLE).array());
                    byte[] garbage = randomBytes(random, 16 + random.nextInt(200));
                    garbage[0] = (byte) ~(NbdWire.IHAVEOPT >>> 56);
                    c.sendRaw(garbage);
                    assertThat(c.closedByServer()).as(context).isTrue();
                    return c.localPort();
                }
            }
            case UNKNOWN_OPTION -> {
                try (NbdRawClient c = NbdRawClient.connect(server.port())) {
                    c.sendRaw(ByteBuffer.allocate(4).putInt(NbdFlags.Client.FIXED_NEWSTYLE).array());
                    int option = 100 + random.nextInt(1 << 20);
                    c.send(new NbdOptionRequest(option, ByteBuffer.wrap(randomBytes(random, random.nextInt(2000))))
                            .encode());
                    NbdOptionReply reply = c.nextOptionReply();
                    assertThat(reply.option()).as(context).isEqualTo(option);
                    assertThat(reply.type()).as(context).isEqualTo(NbdOptionReplyType.ERR_UNSUP.code());
                    c.send(new NbdOptionRequest(NbdOption.EXPORT_NAME,
                            ByteBuffer.wrap("gold".getBytes(StandardCharsets.UTF_8))).encode());
                    c.readData(8 + 2 + 124); // size, flags, zeros (no NO_ZEROES here)
                    assertThat(c.read(512, 512)).as(context).isEqualTo(Arrays.copyOfRange(goldContent, 512, 1024));
                    return null;
                }
            }
            case REQUEST_WITH_BAD_MAGIC -> {
                try (NbdRawClient c = NbdRawClient.open(server.port(), "gold")) {
                    byte[] garbage = randomBytes(random, NbdRequest.SIZE + random.nextInt(200));
                    garbage[0] = (byte) ~(NbdWire.REQUEST_MAGIC >>> 24);
                    c.sendRaw(garbage);
                    assertThat(c.closedByServer()).as(context).isTrue();
                    return c.localPort();
                }
            }
            case UNKNOWN_COMMAND -> {
                int type = 9 + random.nextInt(65536 - 9);
                return answeredWithError(request(type, 0, random.nextLong(SIZE), random.nextInt(4096)), context);
            }
            case UNKNOWN_FLAG -> {
                int flags = (1 << (5 + random.nextInt(11))) | random.nextInt(32);
                return answeredWithError(request(NbdCommand.READ.code(), flags, 0, 512), context);
            }
            case READ_OVER_32_MIB -> {
                long length = (32L << 20) + 1 + random.nextLong(0xffff_ffffL - (32L << 20));
                return answeredWithError(request(NbdCommand.READ.code(), 0, 0, length), context);
            }
            case PAST_THE_END -> {
                int length = 1 + random.nextInt(65536);
                long offset = random.nextBoolean() ? SIZE - length + 1 + random.nextInt(1 << 20) : random.nextLong();
                int type = random.nextBoolean() ? NbdCommand.READ.code() : NbdCommand.TRIM.code();
                return answeredWithError(request(type, 0, offset, length), context);
            }
            case WRITE_OVER_32_MIB -> {
                try (NbdRawClient c = NbdRawClient.open(server.port(), "disk")) {
                    long length = (32L << 20) + 1 + random.nextLong(0xffff_ffffL - (32L << 20));
                    c.send(request(NbdCommand.WRITE.code(), 0, 0, length));
                    assertThat(c.closedByServer()).as(context).isTrue();
                    return c.localPort();
                }
            }
            case REQUEST_CUT_SHORT -> {
                try (NbdRawClient c = NbdRawClient.open(server.port(), "gold")) {
                    ByteBuffer whole = request(NbdCommand.READ.code(), 0, 0, 4096);
                    c.send(whole.limit(1 + random.nextInt(NbdRequest.SIZE - 1)));
                    return null; // and the client vanishes
                }
            }
            case VANISH_MID_WRITE -> {
                try (NbdRawClient c = NbdRawClient.open(server.port(), "disk")) {
                    int length = 1 + random.nextInt(1 << 20);
                    c.send(request(NbdCommand.WRITE.code(), 0, random.nextLong(SIZE - length + 1), length));
                    c.sendRaw(randomBytes(random, random.nextInt(length)));
                    return null;
                }
            }
            case RANDOM_BYTES_THEN_EOF -> {
                boolean inTransmission = random.nextBoolean();
                try (NbdRawClient c = inTransmission ? NbdRawClient.open(server.port(), "gold")
                        : NbdRawClient.connect(server.port())) {
                    c.sendRaw(randomBytes(random, 1 + random.nextInt(300)));
                    c.shutdownOutput();
                    assertThat(c.closedByServer()).as(context).isTrue();
                    return c.localPort();
                }
            }
            default -> throw new AssertionError(kind);
        }
    }

    /** Sends one request on a fresh connection: it must get an error reply, and the connection must go on. */
    private Integer answeredWithError(ByteBuffer request, String context) throws IOException {
        try (NbdRawClient c = NbdRawClient.open(server.port(), "gold")) {
            long cookie = request.getLong(8);
            c.send(request);
            NbdSimpleReply reply = c.nextReply();
            assertThat(reply.cookie()).as(context).isEqualTo(cookie);
            assertThat(reply.error()).as(context).isNotZero();
            assertThat(c.read(0, 4096)).as(context + ", then a read").isEqualTo(Arrays.copyOf(goldContent, 4096));
            return null;
        }
    }

    private static ByteBuffer request(int type, int flags, long offset, long length) {
        ByteBuffer buffer = ByteBuffer.allocate(NbdRequest.SIZE);
        buffer.putInt(NbdWire.REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(0xc00c1e)
                .putLong(offset).putInt((int) length);
        return buffer.flip();
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Each closed bad connection logged at most one line at INFO or above, and nothing logged a stack trace. */
    private void assertOneLineAtMostPerBadConnection(List<Integer> badPorts) {
        SimpleFormatter formatter = new SimpleFormatter();
        List<String> lines = new ArrayList<>();
        for (LogRecord record : records) {
            assertThat(record.getThrown()).as("stack trace logged: %s", formatter.formatMessage(record)).isNull();
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                lines.add(formatter.formatMessage(record));
            }
        }
        assertThat(lines).as("bad connections are logged").anyMatch(l -> l.contains("closing"));
        for (int port : badPorts) {
            String address = ":" + port;
            assertThat(lines.stream().filter(l -> l.contains(address + ")") || l.contains(address + ":")
                    || l.endsWith(address)).count()).as("lines for the connection from port %d", port)
                    .isLessThanOrEqualTo(1);
        }
    }
}
