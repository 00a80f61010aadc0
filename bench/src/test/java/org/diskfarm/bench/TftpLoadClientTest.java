package org.diskfarm.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TftpLoadClient} against a small TFTP server written here (RFC 1350, 2347-2349, 7440), which can leave
 * options out, drop a block or a request, or send wrong bytes: the client must finish byte-exact where the RFCs let
 * it, ACK as RFC 7440 says, and report a failure where the server is wrong.
 */
class TftpLoadClientTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static byte[] file(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static TftpLoadClient.Result fetch(FakeServer server, byte[] expected, int blksize, int window,
                                               int clients, long timeoutMillis) throws InterruptedException {
        TftpLoadClient.Result r = new TftpLoadClient(new TftpLoadClient.Request(server.address(),
                new InetSocketAddress(LOOPBACK, 0), "boot.bin", expected, blksize, window, timeoutMillis * 1_000_000,
                3)).run(clients, 1);
        server.awaitTransfersEnded(clients); // the client's last ACK reaches the server after the client is done
        return r;
    }

    @Test
    void windowsAreAcknowledgedAtTheirLastBlock() throws Exception {
        byte[] data = file(30_000); // 21 blocks of 1468, the last one short
        try (FakeServer server = new FakeServer(data, Behaviour.NORMAL)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.grantedBlksize()).isEqualTo(1468);
            assertThat(r.grantedWindow()).isEqualTo(8);
            assertThat(server.acks).containsExactly(0, 8, 16, 21);
            assertThat(server.options.peek()).containsEntry("blksize", "1468").containsEntry("windowsize", "8")
                    .containsEntry("tsize", "0");
        }
    }

    @Test
    void aServerThatLeavesWindowsizeOutGetsLockStep() throws Exception {
        byte[] data = file(10_000); // 7 blocks
        try (FakeServer server = new FakeServer(data, Behaviour.NO_WINDOWSIZE)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.grantedWindow()).isEqualTo(1);
            assertThat(server.acks).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void windowOneSendsNoWindowsizeOption() throws Exception {
        byte[] data = file(5000);
        try (FakeServer server = new FakeServer(data, Behaviour.NORMAL)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 1, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(server.options.peek()).containsOnlyKeys("blksize", "tsize");
            assertThat(server.acks).containsExactly(0, 1, 2, 3, 4);
        }
    }

    @Test
    void aServerThatIgnoresOptionsSends512ByteBlocks() throws Exception {
        byte[] data = file(10_000); // 20 blocks of 512
        try (FakeServer server = new FakeServer(data, Behaviour.NO_OPTIONS)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.grantedBlksize()).isEqualTo(512);
            assertThat(server.acks).hasSize(20).endsWith(20);
        }
    }

    @Test
    void aLostBlockIsReportedOnceAndTheWindowRestartsAfterTheLastBlockInOrder() throws Exception {
        byte[] data = file(30_000);
        try (FakeServer server = new FakeServer(data, Behaviour.DROP_BLOCK_3_ONCE)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.gaps()).isEqualTo(5); // blocks 4 to 8 of the first window; only 4 is answered (ACK 2)
            assertThat(server.acks).containsExactly(0, 2, 10, 18, 21);
            assertThat(r.timeouts()).isZero();
        }
    }

    @Test
    void aLostRequestIsSentAgainAfterTheTimeout() throws Exception {
        byte[] data = file(3000);
        try (FakeServer server = new FakeServer(data, Behaviour.DROP_FIRST_REQUEST)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 100);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.timeouts()).isEqualTo(1);
        }
    }

    @Test
    void theTimeoutRunsFromTheLastAnswerNotFromTheRequest() throws Exception {
        byte[] data = file(3000);
        // OACK after 600 ms, DATA 1 600 ms after ACK 0: 1.2 s from the RRQ, never 1 s without an answer (400 ms of
        // slack each time, so a busy machine's scheduling does not turn a pause into a timeout)
        try (FakeServer server = new FakeServer(data, Behaviour.SLOW_START)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.timeouts()).isZero();
            assertThat(r.firstAnswerSeconds()[0]).as("the server's own pause").isGreaterThanOrEqualTo(0.6);
        }
    }

    @Test
    void aFileOfWholeBlocksEndsWithAnEmptyBlock() throws Exception {
        byte[] data = file(2 * 1468);
        try (FakeServer server = new FakeServer(data, Behaviour.NORMAL)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(server.acks).containsExactly(0, 3);
        }
    }

    @Test
    void wrongBytesFailTheTransfer() throws Exception {
        byte[] data = file(10_000);
        try (FakeServer server = new FakeServer(data, Behaviour.CORRUPT_BLOCK_5)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.failed()).isEqualTo(1);
            assertThat(r.firstFailure()).contains("block 5").contains("differs");
        }
    }

    @Test
    void aWrongTsizeFailsTheTransfer() throws Exception {
        byte[] data = file(10_000);
        try (FakeServer server = new FakeServer(data, Behaviour.WRONG_TSIZE)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.failed()).isEqualTo(1);
            assertThat(r.firstFailure()).contains("tsize");
        }
    }

    @Test
    void aShortFileFailsTheTransfer() throws Exception {
        byte[] data = file(10_000);
        try (FakeServer server = new FakeServer(Arrays.copyOf(data, 9000), Behaviour.NO_OPTIONS)) {
            TftpLoadClient.Result r = fetch(server, data, 1468, 8, 1, 1000);
            assertThat(r.failed()).isEqualTo(1);
            assertThat(r.firstFailure()).contains("ended after 9000 bytes");
        }
    }

    @Test
    void anErrorFromTheServerFailsTheTransfer() throws Exception {
        try (FakeServer server = new FakeServer(file(100), Behaviour.NOT_FOUND)) {
            TftpLoadClient.Result r = fetch(server, file(100), 1468, 8, 1, 1000);
            assertThat(r.failed()).isEqualTo(1);
            assertThat(r.firstFailure()).contains("ERROR 1").contains("no such file");
        }
    }

    @Test
    void manyClientsAtOnceOnTwoThreads() throws Exception {
        byte[] data = file(74_213);
        try (FakeServer server = new FakeServer(data, Behaviour.NORMAL)) {
            TftpLoadClient.Result r = new TftpLoadClient(new TftpLoadClient.Request(server.address(),
                    new InetSocketAddress(LOOPBACK, 0), "boot.bin", data, 1468, 8, 1_000_000_000L, 5)).run(50, 2);
            assertThat(r.ok()).as(r.firstFailure()).isTrue();
            assertThat(r.completed()).isEqualTo(50);
            assertThat(r.transferNanos()).hasSize(50);
            assertThat(r.wallNanos()).isPositive();
        }
    }

    enum Behaviour {
        NORMAL, NO_WINDOWSIZE, NO_OPTIONS, DROP_BLOCK_3_ONCE, DROP_FIRST_REQUEST, CORRUPT_BLOCK_5, WRONG_TSIZE,
        NOT_FOUND, SLOW_START
    }

    /** A TFTP server for one file, one virtual thread per transfer, behaving as told. */
    private static final class FakeServer implements AutoCloseable {
        final byte[] data;
        final Behaviour behaviour;
        final DatagramSocket requests;
        final Thread listener;
        final ConcurrentLinkedQueue<Integer> acks = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Map<String, String>> options = new ConcurrentLinkedQueue<>();
        final AtomicBoolean droppedRequest = new AtomicBoolean();
        final AtomicBoolean droppedBlock = new AtomicBoolean();
        final AtomicInteger ended = new AtomicInteger();

        FakeServer(byte[] data, Behaviour behaviour) throws IOException {
            this.data = data;
            this.behaviour = behaviour;
            this.requests = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            this.listener = Thread.ofPlatform().daemon().start(this::listen);
        }

        void awaitTransfersEnded(int n) throws InterruptedException {
            for (int i = 0; i < 500 && ended.get() < n; i++) {
                Thread.sleep(10);
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) requests.getLocalSocketAddress();
        }

        private void listen() {
            byte[] buffer = new byte[1024];
            while (!requests.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    requests.receive(packet);
                } catch (IOException e) {
                    return;
                }
                if (behaviour == Behaviour.DROP_FIRST_REQUEST && droppedRequest.compareAndSet(false, true)) {
                    continue;
                }
                Map<String, String> asked = parseRequest(packet);
                options.add(asked);
                SocketAddress client = packet.getSocketAddress();
                Thread.ofVirtual().start(() -> {
                    try {
                        serve(client, asked);
                    } finally {
                        ended.incrementAndGet();
                    }
                });
            }
        }

        private static Map<String, String> parseRequest(DatagramPacket packet) {
            String[] fields = new String(packet.getData(), 2, packet.getLength() - 2, StandardCharsets.US_ASCII)
                    .split("\0");
            Map<String, String> asked = new LinkedHashMap<>();
            for (int i = 2; i + 1 < fields.length; i += 2) {
                asked.put(fields[i].toLowerCase(Locale.ROOT), fields[i + 1]);
            }
            return asked;
        }

        private void serve(SocketAddress client, Map<String, String> asked) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                socket.setSoTimeout(300);
                socket.connect(client);
                if (behaviour == Behaviour.NOT_FOUND) {
                    ByteBuffer error = ByteBuffer.allocate(64).putShort((short) 5).putShort((short) 1)
                            .put("no such file\0".getBytes(StandardCharsets.US_ASCII));
                    send(socket, error);
                    return;
                }
                int blksize = 512;
                int window = 1;
                if (behaviour != Behaviour.NO_OPTIONS && !asked.isEmpty()) {
                    Map<String, String> granted = new LinkedHashMap<>();
                    blksize = Integer.parseInt(asked.getOrDefault("blksize", "512"));
                    granted.put("blksize", Integer.toString(blksize));
                    if (asked.containsKey("windowsize") && behaviour != Behaviour.NO_WINDOWSIZE) {
                        window = Integer.parseInt(asked.get("windowsize"));
                        granted.put("windowsize", Integer.toString(window));
                    }
                    if (asked.containsKey("tsize")) {
                        granted.put("tsize", Integer.toString(data.length + (behaviour == Behaviour.WRONG_TSIZE
                                ? 1 : 0)));
                    }
                    ByteArrayOutputStream oack = new ByteArrayOutputStream();
                    oack.write(0);
                    oack.write(6);
                    for (Map.Entry<String, String> e : granted.entrySet()) {
                        oack.writeBytes((e.getKey() + "\0" + e.getValue() + "\0").getBytes(StandardCharsets.US_ASCII));
                    }
                    pauseIfSlow();
                    int ack = -1;
                    for (int tries = 0; tries < 5 && ack != 0; tries++) {
                        socket.send(new DatagramPacket(oack.toByteArray(), oack.size()));
                        ack = receiveAck(socket);
                    }
                    if (ack != 0) {
                        return;
                    }
                    pauseIfSlow();
                }
                int blocks = data.length / blksize + 1;
                int acked = 0;
                for (int tries = 0; acked < blocks && tries < 5; ) {
                    for (int b = acked + 1; b <= Math.min(blocks, acked + window); b++) {
                        if (behaviour == Behaviour.DROP_BLOCK_3_ONCE && b == 3 && droppedBlock.compareAndSet(false,
                                true)) {
                            continue;
                        }
                        int offset = (b - 1) * blksize;
                        int length = Math.min(blksize, data.length - offset);
                        ByteBuffer packet = ByteBuffer.allocate(4 + length).putShort((short) 3).putShort((short) b)
                                .put(data, offset, length);
                        if (behaviour == Behaviour.CORRUPT_BLOCK_5 && b == 5) {
                            packet.put(10, (byte) (packet.get(10) ^ 1));
                        }
                        send(socket, packet);
                    }
                    int ack = receiveAck(socket);
                    if (ack > acked) {
                        acked = ack;
                        tries = 0;
                    } else {
                        tries++;
                    }
                }
            } catch (IOException e) {
                // the transfer ends; the test sees it in the client's result
            }
        }

        private void pauseIfSlow() {
            if (behaviour == Behaviour.SLOW_START) {
                try {
                    Thread.sleep(600);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static void send(DatagramSocket socket, ByteBuffer packet) throws IOException {
            socket.send(new DatagramPacket(packet.array(), packet.position()));
        }

        /** The block number of the next ACK, -1 on a timeout. */
        private int receiveAck(DatagramSocket socket) throws IOException {
            byte[] buffer = new byte[516];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (true) {
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                ByteBuffer in = ByteBuffer.wrap(buffer, 0, packet.getLength());
                if (in.remaining() >= 4 && in.getShort() == 4) {
                    int block = in.getShort() & 0xffff;
                    acks.add(block);
                    return block;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            requests.close();
            listener.join();
        }
    }
}
