package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The server's well-known port: reads requests, refuses what it must (WRQ, unknown modes, bad options, a full
 * server), and starts each accepted read request on a virtual thread that opens the file (which may block) and hands
 * the transfer to an event loop.
 *
 * <p>Answers to requests, errors included, come from another port than the well-known one: RFC 1350 section 4 makes
 * the server's first reply choose its transfer ID, and clients (commons-net's among them) refuse a reply from the port
 * they sent the request to. Refusals share one such port, as a client never answers an ERROR. A DATA or ACK sent to
 * the well-known port belongs to no transfer and gets ERROR 5 from it.
 *
 * <p>A request identical to the one that started a transfer from the same client address and port, while that client
 * has not yet answered the transfer, is the request again (its client timed out waiting for the first answer): it is
 * ignored, and the transfer's own timer resends what was lost. Any other request from that address and port is a new
 * one (PXE ROMs abort a {@code tsize} probe and ask again from the same port) and starts a new transfer, even if the
 * old one has not noticed its end yet.
 *
 * <p>Threads: {@link #onReadable()} runs on the first event loop; the opening threads touch only the thread-safe
 * fields (the in-flight set, the counters, the refusal port).
 */
final class TftpListener implements TftpLoop.Handler {
    private static final System.Logger LOG = System.getLogger(TftpListener.class.getName());
    private static final int RECEIVE_BATCH = 64;

    private final TftpLoop loop;
    private final DatagramChannel channel;
    private final DatagramChannel replies;
    private final ProtocolFamily family;
    private final TftpFiles files;
    private final TftpServerOptions options;
    private final TftpReadSession.Context context;
    private final IntFunction<TftpLoop> loops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** The latest transfer of each client address and port, until it ends. */
    private final Map<InetSocketAddress, Transfer> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    /** Names the opening threads {@code tftp-open-N}; used by the loop thread only (builders are not thread-safe). */
    private final Thread.Builder openers = Thread.ofVirtual().name("tftp-open-", 0);

    /**
     * @param channel the well-known port, non-blocking
     * @param replies the port refusals are sent from, non-blocking
     * @param loops   event loop {@code i}, for any non-negative {@code i} (taken modulo their number)
     */
    TftpListener(TftpLoop loop, DatagramChannel channel, DatagramChannel replies, ProtocolFamily family,
            TftpFiles files, TftpServerOptions options, TftpReadSession.Context context, IntFunction<TftpLoop> loops) {
        this.loop = loop;
        this.channel = channel;
        this.replies = replies;
        this.family = family;
        this.files = files;
        this.options = options;
        this.context = context;
        this.loops = loops;
    }

    int activeTransfers() {
        return active.get();
    }

    @Override
    public void onReadable() throws IOException {
        ByteBuffer buf = loop.receiveBuffer;
        for (int i = 0; i < RECEIVE_BATCH; i++) {
            buf.clear();
            SocketAddress from = channel.receive(buf);
            if (from == null) {
                return;
            }
            buf.flip();
            onDatagram((InetSocketAddress) from, buf);
        }
    }

    @Override
    public void onFailure(Exception failure) {
        LOG.log(Level.WARNING, "TFTP: a request could not be handled: {0}", failure.toString());
    }

    private void onDatagram(InetSocketAddress from, ByteBuffer buf) {
        TftpPacket packet;
        try {
            packet = TftpPacket.decode(buf);
        } catch (TftpPacketException e) {
            onMalformed(from, e);
            return;
        }
        switch (packet) {
            case TftpRequest request when request.opcode() == TftpOpcode.WRQ -> refuse(from,
                    TftpProblemLog.Kind.WRITE_REQUEST, new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION,
                            "read-only server: " + request.filename() + " cannot be written"));
            case TftpRequest request -> onReadRequest(from, request);
            case TftpError error -> stray(from, packet, false);
            default -> stray(from, packet, true);
        }
    }

    private void onMalformed(InetSocketAddress from, TftpPacketException e) {
        context.counters().badPackets.increment();
        boolean opcodeUnknown = e.reason() == TftpPacketException.Reason.UNKNOWN_OPCODE;
        context.problems().report(from.getAddress(), opcodeUnknown ? TftpProblemLog.Kind.UNKNOWN_OPCODE
                        : TftpProblemLog.Kind.MALFORMED_PACKET, Level.INFO, "TFTP {0}: malformed packet ({1}): {2}",
                describe(from), e.reason(), e.getMessage());
        if (e.reason() != TftpPacketException.Reason.TRUNCATED) {
            // RFC 1350 has no error for a datagram too short to say what it is: those are dropped
            send(replies, from, new TftpError(TftpErrorCode.ILLEGAL_OPERATION, e.getMessage()));
        }
    }

    private void stray(InetSocketAddress from, TftpPacket packet, boolean answer) {
        context.counters().badPackets.increment();
        context.problems().report(from.getAddress(), TftpProblemLog.Kind.WRONG_TRANSFER_ID, Level.INFO,
                "TFTP {0}: {1} sent to the request port{2}", describe(from), packet.opcode(),
                answer ? ": answered ERROR 5" : "");
        if (answer) {
            send(channel, from, new TftpError(TftpErrorCode.UNKNOWN_TRANSFER_ID, "unknown transfer ID"));
        }
    }

    private void onReadRequest(InetSocketAddress from, TftpRequest request) {
        Optional<TftpMode> mode = request.transferMode().filter(m -> m != TftpMode.MAIL);
        if (mode.isEmpty()) {
            refuse(from, TftpProblemLog.Kind.BAD_MODE, new TftpRefusal(TftpErrorCode.ILLEGAL_OPERATION,
                    "transfer mode " + request.mode() + " not supported: use octet or netascii"));
            return;
        }
        TftpNegotiation negotiation;
        try {
            negotiation = TftpNegotiation.negotiate(request.options(), mode.get(), options);
        } catch (TftpRefusal refusal) {
            refuse(from, TftpProblemLog.Kind.BAD_OPTIONS, refusal);
            return;
        }
        Transfer previous = inFlight.get(from);
        if (previous != null && !previous.heard && previous.request.equals(request)) {
            LOG.log(Level.DEBUG, "TFTP {0}: repeated request for {1} ignored", describe(from), request.filename());
            return;
        }
        if (active.get() >= options.maxTransfers()) {
            refuse(from, TftpProblemLog.Kind.BUSY, new TftpRefusal(TftpErrorCode.NOT_DEFINED, "server busy"));
            return;
        }
        Transfer transfer = new Transfer(from, request);
        inFlight.put(from, transfer);
        active.incrementAndGet();
        openers.start(() -> open(transfer, mode.get(), negotiation));
    }

    /** One accepted request, from its acceptance to the end of its transfer. */
    private final class Transfer implements TftpReadSession.Owner {
        final InetSocketAddress client;
        final TftpRequest request;
        /** Written by the session's loop, read by the listener's. */
        volatile boolean heard;
        private final AtomicBoolean over = new AtomicBoolean();

        Transfer(InetSocketAddress client, TftpRequest request) {
            this.client = client;
            this.request = request;
        }

        @Override
        public void clientHeard() {
            heard = true;
        }

        /** Gives back the transfer's slot; only the first call counts, whichever thread makes it. */
        @Override
        public void ended() {
            if (over.compareAndSet(false, true)) {
                inFlight.remove(client, this);
                active.decrementAndGet();
            }
        }
    }

    /** On a virtual thread: opens the file and the transfer's port, then hands the transfer to an event loop. */
    private void open(Transfer transfer, TftpMode mode, TftpNegotiation negotiation) {
        InetSocketAddress client = transfer.client;
        String name = transfer.request.filename();
        TftpFile file = null;
        DatagramChannel port = null;
        try {
            file = files.open(name, client).orElseThrow(() -> new TftpRefusal(TftpErrorCode.FILE_NOT_FOUND,
                    "file not found: " + name));
            long size = file.size();
            port = DatagramChannel.open(family);
            port.bind(new InetSocketAddress(((InetSocketAddress) channel.getLocalAddress()).getAddress(), 0));
            port.configureBlocking(false);
            TftpLoop target = loops.apply(nextLoop.getAndIncrement() & Integer.MAX_VALUE);
            TftpReadSession session = new TftpReadSession(target, port, client, name, file, mode, negotiation, size,
                    context, transfer);
            context.counters().started.increment();
            if (!target.execute(session::start)) {  // the server is stopping
                session.closeQuietly();
                context.counters().failed.increment();
                transfer.ended();
            }
        } catch (TftpRefusal refusal) {
            close(file, port);
            transfer.ended();
            refuse(client, refusal.code() == TftpErrorCode.FILE_NOT_FOUND ? null : TftpProblemLog.Kind.REFUSED_NAME,
                    refusal);
        } catch (IOException | RuntimeException e) {
            close(file, port);
            transfer.ended();
            context.problems().report(client.getAddress(), TftpProblemLog.Kind.READ_FAILED, Level.WARNING,
                    "TFTP {0}: cannot open {1}: {2}", describe(client), name, e.toString());
            refuse(client, null, new TftpRefusal(TftpErrorCode.NOT_DEFINED, "cannot read " + name));
        }
    }

    /** Answers a request with an ERROR from the refusal port; logs it once a minute per client if {@code kind}. */
    private void refuse(InetSocketAddress client, TftpProblemLog.Kind kind, TftpRefusal refusal) {
        context.counters().refused.increment();
        if (kind != null) {
            context.problems().report(client.getAddress(), kind, kind == TftpProblemLog.Kind.REFUSED_NAME
                            ? Level.WARNING : Level.INFO, "TFTP {0}: refused with ERROR {1}: {2}", describe(client),
                    Integer.toString(refusal.code().code()), refusal.getMessage());
        } else {
            LOG.log(Level.DEBUG, "TFTP {0}: {1}", describe(client), refusal.getMessage());
        }
        send(replies, client, refusal.toPacket());
    }

    private static void send(DatagramChannel from, InetSocketAddress to, TftpError error) {
        try {
            from.send(error.encode(), to);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "TFTP {0}: cannot send ERROR {1}: {2}", describe(to), Integer.toString(error.code()),
                    e.toString());
        }
    }

    private static void close(TftpFile file, DatagramChannel port) {
        try {
            if (file != null) {
                file.close();
            }
            if (port != null) {
                port.close();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "TFTP: closing after a refusal: {0}", e.toString());
        }
    }

    private static String describe(InetSocketAddress address) {
        return TftpServer.describe(address);
    }
}
