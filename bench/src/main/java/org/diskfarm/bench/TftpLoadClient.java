package org.diskfarm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The TFTP benchmark's load client: N transfers of one file at once, each a separate UDP socket (a client "machine"),
 * all driven by one selector per client thread so that the client spends as little of the shared CPUs as it can.
 * Written from the RFCs (1350, 2347, 2348, 2349, 7440), not from diskfarm's code, so that it tests diskfarm's server
 * and dnsmasq alike.
 *
 * <p>Each transfer sends an RRQ (octet) with {@code blksize}, {@code tsize=0} and, when the window asked for is above
 * 1, {@code windowsize}; takes the port of the first answer as the server's transfer ID (and connects its socket to
 * it); on an OACK checks what was granted ({@code tsize} must be the file's length) and sends ACK 0; a server that
 * leaves {@code windowsize} out of its OACK (dnsmasq) gets lock-step ACKs (window 1, RFC 7440 section 4); one that
 * answers with DATA 1 instead of an OACK gets 512-byte lock-step. A window is acknowledged when its last block (or the
 * file's last, short block) arrives; a block out of order is answered, once, with an ACK of the last block received in
 * order (RFC 7440); a repeat of the last acknowledged block (its ACK was lost) is acknowledged again. When nothing new
 * arrives for {@code timeout}, the last packet sent (RRQ or ACK) is sent again, up to {@code retries} times in a row.
 * Every block is compared with the file at its offset; a transfer that ends shorter or longer than the file fails.
 *
 * <p>Threads: {@link #run} starts {@code threads} platform threads, each owning a selector and a share of the
 * transfers, and returns when all are done. An instance is not reusable concurrently.
 */
final class TftpLoadClient {
    private static final int OP_RRQ = 1;
    private static final int OP_DATA = 3;
    private static final int OP_ACK = 4;
    private static final int OP_ERROR = 5;
    private static final int OP_OACK = 6;

    /** What is asked of the server: the file (and its expected bytes), the options, and the client's patience. */
    record Request(InetSocketAddress server, InetSocketAddress clientBind, String name, byte[] expected, int blksize,
                   int windowsize, long timeoutNanos, int retries) {
    }

    /**
     * One storm: wall time from the first RRQ to the end of the last transfer (its last block, or the moment a failed
     * one was given up), and what happened on the way.
     */
    record Result(int clients, long wallNanos, int completed, int failed, long timeouts, long requestTimeouts,
                  long duplicates, long gaps,
                  long packets, int grantedBlksize, int grantedWindow, long[] transferNanos, long[] firstAnswerNanos,
                  String firstFailure) {
        /** The median time of one transfer, in seconds. */
        double medianTransferSeconds() {
            long[] sorted = transferNanos.clone();
            Arrays.sort(sorted);
            return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2] / 1e9;
        }

        /** The median and the longest time from the start to a transfer's first answer (OACK, DATA or ERROR), in s. */
        double[] firstAnswerSeconds() {
            long[] sorted = firstAnswerNanos.clone();
            Arrays.sort(sorted);
            return sorted.length == 0 ? new double[] {Double.NaN, Double.NaN}
                    : new double[] {sorted[sorted.length / 2] / 1e9, sorted[sorted.length - 1] / 1e9};
        }

        boolean ok() {
            return failed == 0 && completed == clients;
        }
    }

    private final Request request;

    TftpLoadClient(Request request) {
        this.request = request;
    }

    /** Runs {@code clients} transfers at once on {@code threads} selector threads. */
    Result run(int clients, int threads) {
        List<Transfer> all = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> crash = new AtomicReference<>();
        long[] start = new long[1];
        try {
            for (int t = 0; t < threads; t++) {
                Worker w = new Worker();
                for (int i = t; i < clients; i += threads) {
                    Transfer transfer = new Transfer(w.selector);
                    w.transfers.add(transfer);
                    all.add(transfer);
                }
                workers.add(w);
            }
        } catch (IOException e) {
            workers.forEach(Worker::close);
            throw new UncheckedIOException("cannot open the client sockets", e);
        }
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Worker w = workers.get(t);
            running.add(Thread.ofPlatform().name("tftp-client-" + t).start(() -> {
                try {
                    ready.countDown();
                    go.await();
                    w.loop(start[0]);
                } catch (Throwable e) {
                    crash.compareAndSet(null, e);
                } finally {
                    w.close();
                }
            }));
        }
        try {
            ready.await();
            start[0] = System.nanoTime();
            go.countDown();
            for (Thread thread : running) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (crash.get() != null) {
            throw new IllegalStateException("the TFTP load client failed", crash.get());
        }
        long end = start[0];
        int completed = 0, failed = 0, blksize = 0, window = 0;
        long timeouts = 0, requestTimeouts = 0, duplicates = 0, gaps = 0, packets = 0;
        String firstFailure = null;
        List<Long> times = new ArrayList<>();
        List<Long> firstAnswers = new ArrayList<>();
        for (Transfer t : all) {
            if (t.firstAnswerNanos != 0) {
                firstAnswers.add(t.firstAnswerNanos - start[0]);
            }
            timeouts += t.timeouts;
            requestTimeouts += t.requestTimeouts;
            duplicates += t.duplicates;
            gaps += t.gaps;
            packets += t.packets;
            if (t.state == State.DONE) {
                completed++;
                end = Math.max(end, t.endNanos);
                times.add(t.endNanos - start[0]);
                blksize = Math.max(blksize, t.blksize);
                window = Math.max(window, t.window);
            } else {
                failed++;
                end = Math.max(end, t.endNanos);
                if (firstFailure == null) {
                    firstFailure = t.failure;
                }
            }
        }
        return new Result(clients, end - start[0], completed, failed, timeouts, requestTimeouts, duplicates, gaps,
                packets, blksize,
                window, times.stream().mapToLong(Long::longValue).toArray(),
                firstAnswers.stream().mapToLong(Long::longValue).toArray(), firstFailure);
    }

    /** One thread's selector and its transfers. */
    private final class Worker {
        final Selector selector;
        final List<Transfer> transfers = new ArrayList<>();
        /** Receives every datagram; big enough for any block a server might send (65464 + 4). */
        final ByteBuffer in = ByteBuffer.allocate(65536);
        final ByteBuffer out = ByteBuffer.allocate(1024);

        Worker() throws IOException {
            this.selector = Selector.open();
        }

        void loop(long start) throws IOException {
            int active = transfers.size();
            for (Transfer t : transfers) {
                t.start(start, out);
            }
            long nextCheck = start + request.timeoutNanos / 8;
            while (active > 0) {
                long waitMillis = Math.max(1, (nextCheck - System.nanoTime()) / 1_000_000);
                selector.select(waitMillis);
                for (SelectionKey key : selector.selectedKeys()) {
                    Transfer t = (Transfer) key.attachment();
                    if (t.state.active()) {
                        t.drain(in, out);
                        if (!t.state.active()) {
                            active--;
                            key.cancel();
                        }
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now >= nextCheck) {
                    nextCheck = now + request.timeoutNanos / 8;
                    for (Transfer t : transfers) {
                        if (t.state.active() && now >= t.deadline) {
                            t.timedOut(now, out);
                            if (!t.state.active()) {
                                active--;
                            }
                        }
                    }
                }
            }
        }

        void close() {
            for (Transfer t : transfers) {
                t.close();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private enum State {
        REQUESTED, RUNNING, DONE, FAILED;

        boolean active() {
            return this == REQUESTED || this == RUNNING;
        }
    }

    /** One transfer: its socket and where it stands. */
    private final class Transfer {
        final DatagramChannel channel;
        final SelectionKey key;
        State state = State.REQUESTED;
        int blksize = 512;
        int window = 1;
        /** The next block expected, counted from 1 without the 16-bit wrap. */
        long next = 1;
        long lastAcked;
        /** The block after which an out-of-order ACK was last sent, so a gap is answered once. */
        long gapAckedAt = -1;
        long deadline;
        int tries;
        long endNanos;
        /** When the server's first answer arrived (0 until then). */
        long firstAnswerNanos;
        long timeouts, requestTimeouts, duplicates, gaps, packets;
        String failure;
        /** The last packet sent (RRQ or ACK), sent again on a timeout. */
        byte[] lastSent;

        Transfer(Selector selector) throws IOException {
            channel = DatagramChannel.open(request.server().getAddress() instanceof java.net.Inet6Address
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            channel.bind(request.clientBind());
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ, this);
        }

        void start(long now, ByteBuffer out) throws IOException {
            out.clear();
            out.putShort((short) OP_RRQ);
            cstring(out, request.name());
            cstring(out, "octet");
            cstring(out, "blksize");
            cstring(out, Integer.toString(request.blksize()));
            cstring(out, "tsize");
            cstring(out, "0");
            if (request.windowsize() > 1) {
                cstring(out, "windowsize");
                cstring(out, Integer.toString(request.windowsize()));
            }
            out.flip();
            lastSent = new byte[out.remaining()];
            out.get(lastSent);
            sendLast(out);
            deadline = now + request.timeoutNanos();
        }

        void drain(ByteBuffer in, ByteBuffer out) {
            try {
                while (state.active()) {
                    in.clear();
                    if (!channel.isConnected()) {
                        SocketAddress from = channel.receive(in);
                        if (from == null) {
                            return;
                        }
                        if (!((InetSocketAddress) from).getAddress().equals(request.server().getAddress())) {
                            continue; // not the server: ignore
                        }
                        channel.connect(from); // the server's transfer ID (RFC 1350 section 4)
                        firstAnswerNanos = System.nanoTime();
                    } else if (channel.read(in) <= 0) {
                        return;
                    }
                    in.flip();
                    packets++;
                    handle(in, out);
                }
            } catch (IOException e) {
                fail("socket: " + e);
            }
        }

        private void handle(ByteBuffer in, ByteBuffer out) throws IOException {
            if (in.remaining() < 4) {
                return; // too short for any answer we expect; the timeout covers it
            }
            int op = in.getShort() & 0xffff;
            switch (op) {
                case OP_ERROR -> {
                    int code = in.getShort() & 0xffff;
                    String message = new String(in.array(), in.position(), Math.max(0, in.remaining() - 1),
                            StandardCharsets.UTF_8);
                    fail("ERROR " + code + " from the server: " + message);
                }
                case OP_OACK -> {
                    if (state == State.REQUESTED) {
                        optionAck(in, out);
                    } else if (next == 1) {
                        duplicates++; // our ACK 0 was lost or late: the server sent its OACK again
                        ack(0, out);
                    }
                }
                case OP_DATA -> {
                    if (state == State.REQUESTED) {
                        state = State.RUNNING; // no OACK: the server ignored every option (RFC 2347)
                        blksize = 512;
                        window = 1;
                    }
                    data(in, out);
                }
                default -> {
                    // not an answer to a read request; the timeout covers it
                }
            }
        }

        private void optionAck(ByteBuffer in, ByteBuffer out) throws IOException {
            int grantedBlksize = 512, grantedWindow = 1;
            long tsize = -1;
            byte[] a = in.array();
            int p = in.position(), end = in.limit();
            while (p < end) {
                int z = indexOfZero(a, p, end);
                int z2 = indexOfZero(a, z + 1, end);
                if (z < 0 || z2 < 0) {
                    fail("malformed OACK");
                    return;
                }
                String option = new String(a, p, z - p, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
                String value = new String(a, z + 1, z2 - z - 1, StandardCharsets.US_ASCII);
                switch (option) {
                    case "blksize" -> grantedBlksize = Integer.parseInt(value);
                    case "windowsize" -> grantedWindow = Integer.parseInt(value);
                    case "tsize" -> tsize = Long.parseLong(value);
                    default -> {
                    }
                }
                p = z2 + 1;
            }
            if (grantedBlksize < 8 || grantedBlksize > request.blksize()) {
                fail("OACK grants blksize " + grantedBlksize + " (asked " + request.blksize() + ")");
                return;
            }
            if (grantedWindow < 1 || grantedWindow > Math.max(1, request.windowsize())) {
                fail("OACK grants windowsize " + grantedWindow + " (asked " + request.windowsize() + ")");
                return;
            }
            if (tsize != -1 && tsize != request.expected().length) {
                fail("OACK says tsize " + tsize + ", the file has " + request.expected().length + " bytes");
                return;
            }
            blksize = grantedBlksize;
            window = grantedWindow;
            state = State.RUNNING;
            tries = 0;
            deadline = System.nanoTime() + request.timeoutNanos(); // the timeout runs from the last progress
            ack(0, out);
        }

        private void data(ByteBuffer in, ByteBuffer out) throws IOException {
            int block = in.getShort() & 0xffff;
            int expected16 = (int) (next & 0xffff);
            if (block == expected16) {
                int length = in.remaining();
                long offset = (next - 1) * blksize;
                byte[] file = request.expected();
                if (length > blksize || offset + length > file.length || Arrays.mismatch(in.array(), in.position(),
                        in.limit(), file, (int) offset, (int) offset + length) >= 0) {
                    fail("block " + next + " (" + length + " bytes at " + offset + ") differs from the file");
                    return;
                }
                next++;
                tries = 0;
                deadline = System.nanoTime() + request.timeoutNanos();
                if (length < blksize) {
                    if (offset + length != file.length) {
                        fail("the transfer ended after " + (offset + length) + " bytes; the file has " + file.length);
                        return;
                    }
                    ack(next - 1, out);
                    endNanos = System.nanoTime();
                    state = State.DONE;
                    close();
                } else if (next - 1 - lastAcked >= window) {
                    ack(next - 1, out);
                }
            } else if (((block - expected16) & 0xffff) >= 0x8000) {
                // a block already received: the server sent it again
                duplicates++;
                if (block == (int) (lastAcked & 0xffff) && lastAcked == next - 1) {
                    ack(lastAcked, out); // our ACK of it was lost or late
                }
            } else {
                // a block beyond the next one: one was lost; tell the server where we are, once (RFC 7440)
                gaps++;
                if (gapAckedAt != next - 1) {
                    gapAckedAt = next - 1;
                    ack(next - 1, out);
                }
            }
        }

        void timedOut(long now, ByteBuffer out) {
            if (++tries > request.retries()) {
                fail("no answer after " + request.retries() + " retransmissions (state " + state + ", next block "
                        + next + ")");
                return;
            }
            timeouts++;
            if (state == State.REQUESTED) {
                requestTimeouts++;
            }
            try {
                sendLast(out);
            } catch (IOException e) {
                fail("socket: " + e);
                return;
            }
            deadline = now + request.timeoutNanos();
        }

        private void ack(long block, ByteBuffer out) throws IOException {
            lastSent = new byte[] {0, OP_ACK, (byte) (block >> 8), (byte) block};
            lastAcked = block;
            sendLast(out);
        }

        private void sendLast(ByteBuffer out) throws IOException {
            out.clear();
            out.put(lastSent).flip();
            if (channel.isConnected()) {
                channel.write(out);
            } else {
                channel.send(out, request.server());
            }
        }

        private void fail(String why) {
            if (state.active()) {
                failure = why;
                endNanos = System.nanoTime();
                state = State.FAILED;
                close();
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private static void cstring(ByteBuffer out, String text) {
        out.put(text.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
    }

    private static int indexOfZero(byte[] a, int from, int end) {
        for (int i = from; i < end; i++) {
            if (a[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
