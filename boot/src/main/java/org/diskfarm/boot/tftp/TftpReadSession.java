package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * One read transfer: sends a file to one client from its own UDP port (a new transfer ID, RFC 1350 section 4) and
 * ends when the client acknowledges the last block, when it sends an ERROR, or after {@code retries} timeouts in a row.
 *
 * <p>Flow (RFC 1350 section 6, RFC 7440 section 4): after the OACK is acknowledged with block 0 (RFC 2347), or at once
 * without options, the server sends a window of {@code windowSize} blocks after the last acknowledged one and waits.
 * An ACK of any block in flight slides the window to start after it: the last block of the window is the normal
 * case, an earlier one means the client missed the block after it (RFC 7440: the new window starts from the ACK
 * received out of sequence). An ACK of the last acknowledged block again, or of anything older, is ignored, which
 * prevents the Sorcerer's Apprentice Syndrome (RFC 1123 section 4.2.3.1). A timeout resends the window from the last
 * acknowledged block (or the OACK). Block numbers are counted in 64 bits and cut to 16 on the wire, so they roll over
 * from 65535 to 0, as tftp-hpa, curl and iPXE expect; an ACK is matched against the blocks in flight, which can be
 * told apart because a window never exceeds 65535 blocks.
 *
 * <p>Packets on this port from any other address or port get ERROR 5 and are otherwise ignored (RFC 1350 section 4);
 * malformed ones and other opcodes from the client are ignored (the timeout covers them) and logged once a minute.
 *
 * <p>Threads: created on a request thread, then confined to its {@link TftpLoop}, from {@link #start()} on.
 */
final class TftpReadSession implements TftpLoop.Handler {
    private static final System.Logger LOG = System.getLogger(TftpReadSession.class.getName());
    /** Datagrams read per wake-up before other transfers on the loop get their turn. */
    private static final int RECEIVE_BATCH = 16;

    /** What the session needs from its server. */
    record Context(TftpCounters counters, TftpProblemLog problems, int retries, long defaultTimeoutNanos) {
    }

    /** What the session tells whoever started it; called on the loop thread. */
    interface Owner {
        /** The client answered (an ACK or an ERROR) for the first time: it has heard from this transfer. */
        void clientHeard();

        /** The transfer has ended and released its port and file. */
        void ended();
    }

    private final TftpLoop loop;
    private final DatagramChannel channel;
    private final InetSocketAddress client;
    private final String name;
    private final TftpFile file;
    private final TftpBlockSource source;
    private final int blockSize;
    private final int windowSize;
    private final long timeoutNanos;
    private final ByteBuffer optionAck;  // null when no options were accepted
    private final Context context;
    private final Owner owner;
    private boolean heard;

    private SelectionKey key;
    private boolean negotiating;
    private boolean writeBlocked;
    private boolean ended;
    private long lastAcked;
    private long nextToSend = 1;
    private long lastSent;
    private long finalBlock = Long.MAX_VALUE;  // known once a short block has been read
    private long bytes;
    private int retriesLeft;
    private long deadline;
    private long startedAt;

    TftpReadSession(TftpLoop loop, DatagramChannel channel, InetSocketAddress client, String name, TftpFile file,
            TftpMode mode, TftpNegotiation negotiation, long fileSize, Context context, Owner owner) {
        this.loop = loop;
        this.channel = channel;
        this.client = client;
        this.name = name;
        this.file = file;
        this.blockSize = negotiation.blockSize();
        this.windowSize = negotiation.windowSize();
        this.source = mode == TftpMode.NETASCII ? new TftpNetasciiSource(file, blockSize)
                : TftpBlockSource.octet(file, blockSize);
        this.timeoutNanos = negotiation.timeout() != null ? negotiation.timeout().toNanos()
                : context.defaultTimeoutNanos();
        TftpOptionAck oack = negotiation.optionAck(fileSize);
        this.optionAck = oack == null ? null : oack.encode();
        this.context = context;
        this.owner = owner;
    }

    /** Registers with the loop and sends the OACK or the first window. Loop thread. */
    void start() {
        try {
            key = loop.register(channel, this);
        } catch (IOException e) {
            onFailure(e);
            return;
        }
        loop.add(this);
        startedAt = loop.now();
        retriesLeft = context.retries();
        deadline = startedAt + timeoutNanos;
        if (optionAck != null) {
            negotiating = true;
            sendOptionAck();
        } else {
            sendWindow();
        }
    }

    @Override
    public void onReadable() throws IOException {
        ByteBuffer buf = loop.receiveBuffer;
        for (int i = 0; i < RECEIVE_BATCH && !ended; i++) {
            buf.clear();
            SocketAddress from = channel.receive(buf);
            if (from == null) {
                return;
            }
            buf.flip();
            if (from.equals(client)) {
                onPacket(buf);
            } else {
                onStranger((InetSocketAddress) from, buf);
            }
        }
    }

    @Override
    public void onWritable() {
        sendWindow();
    }

    private void onPacket(ByteBuffer buf) {
        int opcode = buf.remaining() >= 2 ? Short.toUnsignedInt(buf.getShort(0)) : -1;
        if (opcode == TftpOpcode.ACK.code() && buf.remaining() >= TftpAck.SIZE) {
            heard();
            onAck(Short.toUnsignedInt(buf.getShort(2)));
        } else if (opcode == TftpOpcode.ERROR.code() && buf.remaining() >= 4) {
            heard();
            clientError(buf);
        } else {
            context.counters().badPackets.increment();
            context.problems().report(client.getAddress(), TftpProblemLog.Kind.UNEXPECTED_PACKET, Level.INFO,
                    "TFTP {0}: ignored a {1}-byte packet ({2}) during the transfer of {3}",
                    TftpServer.describe(client), Integer.toString(buf.remaining()),
                    opcode < 0 ? "no opcode" : "opcode " + opcode, name);
        }
    }

    private void heard() {
        if (!heard) {
            heard = true;
            owner.clientHeard();
        }
    }

    private void onAck(int block) {
        if (negotiating) {
            if (block == 0) {  // RFC 2347: block 0 acknowledges the OACK
                negotiating = false;
                progress();
                sendWindow();
            }
            return;
        }
        long delta = (block - lastAcked) & 0xffff;
        if (delta == 0 || delta > lastSent - lastAcked) {
            return;  // a duplicate or an old ACK: resending on it would double every later block
        }
        lastAcked += delta;
        source.release(lastAcked);
        if (lastAcked >= finalBlock) {
            end(Outcome.COMPLETED, null);
            return;
        }
        nextToSend = lastAcked + 1;
        progress();
        sendWindow();
    }

    private void progress() {
        retriesLeft = context.retries();
        deadline = loop.now() + timeoutNanos;
    }

    /** Sends the blocks from {@link #nextToSend} to the end of the window, until the socket's buffer is full. */
    private void sendWindow() {
        if (ended) {
            return;
        }
        ByteBuffer buf = loop.sendBuffer;
        while (nextToSend <= Math.min(lastAcked + windowSize, finalBlock)) {
            buf.clear();
            TftpData.putHeader(buf, nextToSend);
            int length;
            try {
                length = source.read(nextToSend, buf);
            } catch (IOException e) {
                context.problems().report(client.getAddress(), TftpProblemLog.Kind.READ_FAILED, Level.WARNING,
                        "TFTP {0}: cannot read {1}: {2}", TftpServer.describe(client), name, e.toString());
                end(Outcome.FAILED, new TftpError(TftpErrorCode.NOT_DEFINED, "cannot read " + name));
                return;
            }
            if (length < blockSize) {
                finalBlock = nextToSend;
            }
            buf.flip();
            if (!send(buf)) {
                setWriteInterest(true);
                return;
            }
            context.counters().bytesSent.add(length);
            if (nextToSend <= lastSent) {
                context.counters().retransmitted.increment();
            }
            lastSent = Math.max(lastSent, nextToSend);
            bytes = Math.max(bytes, (nextToSend - 1) * blockSize + length);
            nextToSend++;
        }
        setWriteInterest(false);
    }

    private void sendOptionAck() {
        send(optionAck.duplicate());
    }

    /** Sends one datagram; false if the socket's send buffer is full (the caller waits until it is writable). */
    private boolean send(ByteBuffer packet) {
        try {
            return channel.send(packet, client) > 0;
        } catch (IOException e) {
            // Lost like any datagram: the timeout resends it, and gives up if the network stays unreachable.
            LOG.log(Level.DEBUG, "TFTP {0}: send failed: {1}", TftpServer.describe(client), e.toString());
            return true;
        }
    }

    private void setWriteInterest(boolean on) {
        if (on != writeBlocked && key.isValid()) {
            writeBlocked = on;
            key.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    /** Loop timer: resends on a timeout, gives up after the last retry. */
    void onTick(long now) {
        if (ended || now - deadline < 0) {
            return;
        }
        if (retriesLeft == 0) {
            context.problems().report(client.getAddress(), TftpProblemLog.Kind.TIMED_OUT, Level.INFO,
                    "TFTP {0}: gave up sending {1} after {2} timeouts in a row ({3} of its blocks acknowledged)",
                    TftpServer.describe(client), name, Integer.toString(context.retries() + 1),
                    Long.toString(lastAcked));
            end(Outcome.FAILED, new TftpError(TftpErrorCode.NOT_DEFINED, "transfer timed out"));
            return;
        }
        retriesLeft--;
        deadline = now + timeoutNanos;
        if (negotiating) {
            context.counters().retransmitted.increment();
            sendOptionAck();
        } else {
            nextToSend = lastAcked + 1;
            sendWindow();
        }
    }

    private void onStranger(InetSocketAddress from, ByteBuffer buf) {
        context.counters().badPackets.increment();
        context.problems().report(from.getAddress(), TftpProblemLog.Kind.WRONG_TRANSFER_ID, Level.INFO,
                "TFTP {0}: packet for a transfer to {1}: answered ERROR 5", TftpServer.describe(from),
                TftpServer.describe(client));
        boolean isError = buf.remaining() >= 2 && buf.getShort(0) == TftpOpcode.ERROR.code();
        if (!isError) {  // never answer an ERROR with an ERROR: two confused peers would loop
            try {
                channel.send(new TftpError(TftpErrorCode.UNKNOWN_TRANSFER_ID, "unknown transfer ID").encode(), from);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "TFTP {0}: cannot send ERROR 5: {1}", TftpServer.describe(from), e.toString());
            }
        }
    }

    private void clientError(ByteBuffer buf) {
        String detail;
        try {
            TftpError error = TftpError.decode(buf);
            detail = error.code() + " " + error.message();
        } catch (TftpPacketException e) {
            detail = e.getMessage();
        }
        // PXE ROMs ask for tsize, then end the transfer with an ERROR on purpose: not worth more than DEBUG.
        LOG.log(Level.DEBUG, "TFTP {0}: client ended the transfer of {1} with ERROR {2}",
                TftpServer.describe(client), name, detail);
        end(Outcome.ABORTED, null);
    }

    @Override
    public void onFailure(Exception failure) {
        LOG.log(Level.WARNING, "TFTP {0}: transfer of {1} failed: {2}", TftpServer.describe(client), name,
                failure.toString());
        end(Outcome.FAILED, new TftpError(TftpErrorCode.NOT_DEFINED, "server error"));
    }

    /** Ends the transfer because the server stops; tells the client. */
    void abort(String why) {
        end(Outcome.FAILED, new TftpError(TftpErrorCode.NOT_DEFINED, why));
    }

    private enum Outcome { COMPLETED, ABORTED, FAILED }

    /** Releases the port and the file and counts the outcome; sends {@code error} first if there is one. */
    private void end(Outcome outcome, TftpError error) {
        if (ended) {
            return;
        }
        ended = true;
        if (error != null) {
            send(error.encode());
        }
        if (key != null) {
            key.cancel();
        }
        loop.remove(this);
        closeQuietly();
        switch (outcome) {
            case COMPLETED -> {
                context.counters().completed.increment();
                LOG.log(Level.DEBUG, "TFTP {0}: sent {1}, {2} bytes in {3} ms", TftpServer.describe(client), name,
                        Long.toString(bytes), Long.toString((loop.now() - startedAt) / 1_000_000));
            }
            case ABORTED -> context.counters().aborted.increment();
            case FAILED -> context.counters().failed.increment();
        }
        owner.ended();
    }

    /** Closes the transfer's port and file; for a session that never reached its loop too. */
    void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "TFTP {0}: closing the port: {1}", TftpServer.describe(client), e.toString());
        }
        try {
            file.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "TFTP {0}: closing {1}: {2}", TftpServer.describe(client), name, e.toString());
        }
    }
}
