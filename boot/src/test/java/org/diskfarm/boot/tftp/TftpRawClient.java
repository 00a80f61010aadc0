package org.diskfarm.boot.tftp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A TFTP client for tests, written from the RFCs and nothing else: it sends any datagram, receives with a timeout, and
 * downloads with the windowsize rules of RFC 7440 as a receiver (ACK the last block of each window; on a gap ACK the
 * last block received in order; on a repeated block ACK the last one again). It can drop one of its own ACKs to make
 * the server retransmit, and send every ACK twice to look for the Sorcerer's Apprentice.
 *
 * <p>Threads: one thread per client.
 */
final class TftpRawClient implements AutoCloseable {
    /** A datagram received: the sender and the decoded packet, or the raw bytes if they do not decode. */
    record Received(InetSocketAddress from, byte[] bytes) {
        TftpPacket packet() {
            try {
                return TftpPacket.decode(ByteBuffer.wrap(bytes));
            } catch (TftpPacketException e) {
                throw new AssertionError("server sent a malformed packet: " + e.getMessage(), e);
            }
        }

        TftpError error() {
            if (!(packet() instanceof TftpError error)) {
                throw new AssertionError("expected an ERROR, got " + packet());
            }
            return error;
        }
    }

    /** What a download got. */
    record Download(byte[] data, TftpOptionAck optionAck, InetSocketAddress serverTid, long blocks,
            long duplicateBlocks) {
    }

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private long dropAckOf = -1;
    private long dropDataBlock = -1;
    private boolean doubleAcks;
    private Duration timeout = Duration.ofSeconds(5);

    TftpRawClient(InetSocketAddress server) {
        this.server = server;
        try {
            InetAddress local = server.getAddress() instanceof Inet6Address ? InetAddress.getByName("::1")
                    : InetAddress.getLoopbackAddress();
            socket = new DatagramSocket(new InetSocketAddress(local, 0));
            socket.setReceiveBufferSize(4 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Leaves out the ACK of this block (counted from 1 across rollovers) the first time it is due. */
    TftpRawClient dropAckOf(long block) {
        this.dropAckOf = block;
        return this;
    }

    /** Ignores DATA block {@code block} (counted from 1) the first time it arrives, as if the network lost it. */
    TftpRawClient dropDataBlock(long block) {
        this.dropDataBlock = block;
        return this;
    }

    /** Sends every ACK twice. */
    TftpRawClient doubleAcks() {
        this.doubleAcks = true;
        return this;
    }

    /** How long to wait for a datagram before resending (downloads) or giving up (receive). */
    TftpRawClient timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(TftpPacket packet, InetSocketAddress to) {
        ByteBuffer buf = packet.encode();
        sendRaw(Arrays.copyOfRange(buf.array(), 0, buf.limit()), to);
    }

    void send(TftpPacket packet) {
        send(packet, server);
    }

    void sendRaw(byte[] bytes, InetSocketAddress to) {
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram, or empty if none arrives within the timeout. */
    Optional<Received> receive() {
        byte[] buf = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(new Received((InetSocketAddress) packet.getSocketAddress(),
                Arrays.copyOf(buf, packet.getLength())));
    }

    Received receiveOrFail() {
        return receive().orElseThrow(() -> new AssertionError("no answer within " + timeout));
    }

    /**
     * Downloads {@code name} in octet mode with these options and returns what arrived; fails on an ERROR or after five
     * silent timeouts in a row.
     */
    Download download(String name, TftpOption... options) {
        return download(TftpRequest.read(name, TftpMode.OCTET, options));
    }

    Download download(TftpRequest request) {
        send(request);
        int blockSize = TftpServerOptions.DEFAULT_BLOCK_SIZE;
        int windowSize = 1;
        TftpOptionAck oack = null;
        InetSocketAddress tid = null;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long expected = 1;
        long inWindow = 0;
        long duplicates = 0;
        int silences = 0;
        TftpPacket lastSent = request;
        while (true) {
            Optional<Received> got = receive();
            if (got.isEmpty()) {
                if (++silences == 5) {
                    throw new AssertionError("server silent after block " + (expected - 1));
                }
                send(lastSent, tid == null ? server : tid);
                continue;
            }
            silences = 0;
            Received r = got.get();
            if (tid == null) {
                tid = r.from();
            } else if (!tid.equals(r.from())) {
                throw new AssertionError("packet from " + r.from() + " during a transfer with " + tid);
            }
            TftpPacket packet = r.packet();
            if (packet instanceof TftpOptionAck o) {
                if (expected == 1 && oack == null) {
                    oack = o;
                    blockSize = o.value(TftpOption.BLKSIZE).map(Integer::parseInt).orElse(blockSize);
                    windowSize = o.value(TftpOption.WINDOWSIZE).map(Integer::parseInt).orElse(windowSize);
                } else {
                    duplicates++;
                }
                lastSent = ack(0, tid);
            } else if (packet instanceof TftpData d && d.block() == (int) (expected & 0xffff)
                    && expected == dropDataBlock) {
                dropDataBlock = -1;
            } else if (packet instanceof TftpData d && d.block() == (int) (expected & 0xffff)) {
                data.writeBytes(d.data());
                boolean last = d.data().length < blockSize;
                if (last || ++inWindow == windowSize) {
                    lastSent = ackUnlessDropped(expected, tid);
                    inWindow = 0;
                }
                if (last) {
                    return new Download(data.toByteArray(), oack, tid, expected, duplicates);
                }
                expected++;
            } else if (packet instanceof TftpData d) {
                long ahead = (d.block() - expected) & 0xffff;
                if (ahead >= 0x8000) {
                    duplicates++;  // a block we have: the server resent a window
                }
                // RFC 7440: a gap or a repeat is answered with the ACK of the last block received in order
                lastSent = ack(expected - 1, tid);
                inWindow = 0;
            } else if (packet instanceof TftpError e) {
                throw new AssertionError("server sent ERROR " + e.code() + ": " + e.message());
            } else {
                throw new AssertionError("unexpected " + packet);
            }
        }
    }

    private TftpPacket ackUnlessDropped(long block, InetSocketAddress tid) {
        TftpAck ack = new TftpAck((int) (block & 0xffff));
        if (block == dropAckOf) {
            dropAckOf = -1;
            return ack;
        }
        return ack(block, tid);
    }

    private TftpPacket ack(long block, InetSocketAddress tid) {
        TftpAck ack = new TftpAck((int) (block & 0xffff));
        send(ack, tid);
        if (doubleAcks) {
            send(ack, tid);
        }
        return ack;
    }

    @Override
    public void close() {
        socket.close();
    }
}
