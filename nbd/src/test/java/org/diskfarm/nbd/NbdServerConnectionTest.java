package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection's data path and lifetime with a raw client: zero-copy READs (every size is sent from the file here)
 * with simple and structured replies on epoll and NIO, the handshake deadline, idle connections left alone, socket
 * options, thread names, DISC after pipelined reads, and the device closed once after the connection ends.
 */
class NbdServerConnectionTest {
    private static final long SIZE = 8L << 20;
    private static final int DATA = 512 << 10;
    private static final long[] DATA_AT = {0, 2L << 20, (5L << 20) + (64 << 10)};
    private static final Duration HANDSHAKE = Duration.ofMillis(300);
    private static final NbdServerOptions OPTIONS = NbdServerOptions.DEFAULTS.withHandshakeTimeout(HANDSHAKE)
            .withZeroCopyMinBytes(0).withTcpUserTimeout(Duration.ofMillis(12_345))
            .withKeepAlive(Duration.ofSeconds(41), Duration.ofSeconds(7), 5);

    @TempDir
    Path dir;
    private Path gold;
    private byte[] content;
    private NbdExports exports;
    private final Set<String> threadNames = ConcurrentHashMap.newKeySet();
    private final AtomicInteger closes = new AtomicInteger();
    private final AtomicInteger copies = new AtomicInteger();
    private final AtomicInteger spans = new AtomicInteger();
    private NbdServer server;

    @BeforeEach
    void start() throws IOException {
        gold = TestFiles.writeSparseFile(dir.resolve("gold.raw"), SIZE, 11, DATA, DATA_AT);
        content = Files.readAllBytes(gold);
        NbdExportInfo info;
        try (BlockDevice device = RawFileDevice.open(gold, false)) {
            info = NbdExportInfo.of("gold", "", device, false);
        }
        exports = new NbdExports() {
            @Override
            public Optional<NbdExportInfo> lookup(String name) {
                return name.equals("gold") ? Optional.of(info) : Optional.empty();
            }

            @Override
            public List<String> names() {
                return List.of("gold");
            }

            @Override
            public Optional<String> defaultExport() {
                return Optional.of("gold");
            }
        };
    }

    private NbdServer server(boolean epoll) {
        server = NbdServer.start(new InetSocketAddress("127.0.0.1", 0), exports,
                (name, client) -> new Watched(RawFileDevice.open(gold, false)), OPTIONS, epoll);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "epoll {0}")
    @ValueSource(booleans = {true, false})
    void zeroCopyReadsAreTheFilesBytesWithSimpleAndStructuredReplies(boolean epoll) throws IOException {
        assumeTrue(!epoll || Epoll.isAvailable(), "epoll is not available here");
        NbdServer nbd = server(epoll);
        Random random = new Random(5);
        try (NbdRawClient simple = NbdRawClient.open(nbd.port(), "gold");
                NbdRawClient structured = NbdRawClient.openStructured(nbd.port(), "gold")) {
            int holes = 0;
            for (int i = 0; i < 40; i++) {
                int length = 1 + random.nextInt(3 << 20);
                long offset = random.nextLong(SIZE - length + 1);
                assertThat(simple.read(offset, length)).as("simple read %d at %d", length, offset)
                        .isEqualTo(Arrays.copyOfRange(content, (int) offset, (int) offset + length));
                holes += readStructured(structured, i, offset, length, i % 5 == 0);
            }
            assertThat(holes).as("hole chunks received").isPositive();
        }
    }

    /** One structured READ: reassembles its chunks, checks them against the file; returns how many were holes. */
    private int readStructured(NbdRawClient client, long cookie, long offset, int length, boolean df)
            throws IOException {
        client.sendRead(cookie, df ? NbdFlags.Command.DF : 0, offset, length);
        byte[] out = new byte[length];
        long covered = 0;
        int holes = 0;
        int content = 0;
        while (true) {
            NbdStructuredReply reply = client.nextChunk();
            assertThat(reply.cookie()).isEqualTo(cookie);
            switch (reply.chunk()) {
                case NbdChunk.OffsetData data -> {
                    ByteBuffer bytes = data.data();
                    covered += bytes.remaining();
                    bytes.get(out, (int) (data.offset() - offset), bytes.remaining());
                    content++;
                }
                case NbdChunk.OffsetHole hole -> {
                    covered += hole.holeSize();
                    holes++;
                    content++;
                }
                case NbdChunk.None none -> {
                }
                default -> throw new AssertionError("unexpected chunk " + reply.chunk());
            }
            if (reply.done()) {
                break;
            }
        }
        assertThat(covered).isEqualTo(length);
        if (df) {
            assertThat(content).as("DF: one content chunk").isEqualTo(1);
            assertThat(holes).isZero();
        }
        assertThat(out).isEqualTo(Arrays.copyOfRange(this.content, (int) offset, (int) offset + length));
        return holes;
    }

    @Test
    void clientThatNeverFinishesTheHandshakeIsClosed() throws IOException {
        NbdServer nbd = server(false);
        try (NbdRawClient silent = NbdRawClient.connect(nbd.port());
                NbdRawClient slow = NbdRawClient.connect(nbd.port())) {
            slow.send(ByteBuffer.allocate(4).putInt(NbdFlags.Client.FIXED_NEWSTYLE).flip());
            assertThat(silent.closedByServer()).isTrue();
            assertThat(slow.closedByServer()).isTrue();
        }
    }

    @Test
    void idleClientInTransmissionIsLeftAlone() throws IOException, InterruptedException {
        NbdServer nbd = server(false);
        try (NbdRawClient idle = NbdRawClient.open(nbd.port(), "gold")) {
            Thread.sleep(HANDSHAKE.multipliedBy(4).toMillis());
            assertThat(idle.read(4096, 4096)).isEqualTo(Arrays.copyOfRange(content, 4096, 8192));
        }
    }

    @Test
    void epollConnectionsGetTheUserTimeoutAndKeepaliveTimes() throws IOException {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        NbdServer nbd = server(true);
        try (NbdRawClient client = NbdRawClient.open(nbd.port(), "gold")) {
            client.read(0, 512);
            Channel channel = nbd.connections().stream()
                    .filter(c -> ((InetSocketAddress) c.remoteAddress()).getPort() == client.localPort())
                    .findFirst().orElseThrow();
            assertThat(channel.config().getOption(EpollChannelOption.TCP_USER_TIMEOUT)).isEqualTo(12_345);
            assertThat(channel.config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(41);
            assertThat(channel.config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(7);
            assertThat(channel.config().getOption(EpollChannelOption.TCP_KEEPCNT)).isEqualTo(5);
        }
    }

    @Test
    void thePollWindowIsBoundedInTheOptions() {
        assertThatThrownBy(() -> NbdServerOptions.DEFAULTS.withPollWindow(Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NbdServerOptions.DEFAULTS.withPollWindow(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(NbdServerOptions.DEFAULTS.withPollWindow(Duration.ZERO).pollWindow()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aLoneLargeReadIsSentFromTheFileAndReadsThatQueueUpAreCopied() throws IOException {
        NbdServer nbd = server(Epoll.isAvailable());
        int length = 128 << 10;
        try (NbdRawClient client = NbdRawClient.open(nbd.port(), "gold")) {
            client.read(0, 512); // the device is open from here on
            copies.set(0);
            spans.set(0);
            assertThat(client.read(0, length)).isEqualTo(Arrays.copyOfRange(content, 0, length));
            assertThat(spans.get()).as("file spans asked").isPositive();
            assertThat(copies.get()).as("copied reads").isZero();

            // Four requests in one write are decoded in one go, before any reply: all but the first have company.
            copies.set(0);
            ByteBuffer burst = ByteBuffer.allocate(4 * NbdRequest.SIZE);
            for (int i = 0; i < 4; i++) {
                new NbdRequest(NbdCommand.READ, 0, 10 + i, (long) i * length, length).encodeTo(burst);
            }
            client.send(burst.flip());
            for (int i = 0; i < 4; i++) {
                NbdSimpleReply reply = client.nextReply();
                assertThat(reply.error()).isZero();
                int offset = (int) (reply.cookie() - 10) * length;
                assertThat(client.readData(length)).isEqualTo(Arrays.copyOfRange(content, offset, offset + length));
            }
            assertThat(copies.get()).as("copied reads").isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void smallReadsAreServedOnTheEventLoopWithoutAHandOff() throws IOException {
        NbdServer nbd = server(false);
        try (NbdRawClient client = NbdRawClient.open(nbd.port(), "gold")) {
            client.read(0, 512); // the device opens on a virtual thread; a request that comes first waits there
            threadNames.clear();
            assertThat(client.read(4096, 4096)).isEqualTo(Arrays.copyOfRange(content, 4096, 8192));
            assertThat(threadNames).isNotEmpty().noneMatch(name -> name.startsWith("nbd-gold-"));
        }
    }

    @Test
    void requestsRunOnThreadsNamedAfterTheExportAndThePeer() throws IOException {
        NbdServer nbd = server(false);
        try (NbdRawClient client = NbdRawClient.open(nbd.port(), "gold")) {
            client.read(0, 128 << 10); // longer than the inline limit: served on a virtual thread
            assertThat(threadNames).contains("nbd-gold-127.0.0.1:" + client.localPort());
        }
    }

    @Test
    void disconnectAfterPipelinedReadsAnswersThemAllThenClosesAndClosesTheDeviceOnce() throws IOException,
            InterruptedException {
        NbdServer nbd = server(false);
        int count = 20;
        int length = 1 << 20;
        try (NbdRawClient client = NbdRawClient.open(nbd.port(), "gold")) {
            for (int i = 0; i < count; i++) {
                client.sendRead(100 + i, 0, (long) i * 300_000, length);
            }
            ByteBuffer disc = ByteBuffer.allocate(NbdRequest.SIZE);
            new NbdRequest(NbdCommand.DISC, 0, 999, 0, 0).encodeTo(disc);
            client.send(disc.flip());
            for (int i = 0; i < count; i++) {
                NbdSimpleReply reply = client.nextReply();
                assertThat(reply.error()).isZero();
                int offset = (int) ((reply.cookie() - 100) * 300_000);
                assertThat(client.readData(length)).isEqualTo(Arrays.copyOfRange(content, offset, offset + length));
            }
            assertThat(client.closedByServer()).isTrue();
        }
        for (int i = 0; i < 500 && closes.get() == 0; i++) {
            Thread.sleep(10); // the device is closed on the event loop just after the socket
        }
        assertThat(closes.get()).isEqualTo(1);
    }

    /** Records the threads that read, and counts closes. */
    private final class Watched extends ForwardingBlockDevice {
        Watched(BlockDevice delegate) {
            super(delegate);
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            threadNames.add(Thread.currentThread().getName());
            copies.incrementAndGet();
            super.read(offset, dst);
        }

        @Override
        public FileSpan fileSpan(long offset, long length) {
            threadNames.add(Thread.currentThread().getName());
            spans.incrementAndGet();
            return super.fileSpan(offset, length);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            super.close();
        }
    }
}
