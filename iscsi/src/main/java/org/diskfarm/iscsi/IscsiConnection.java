package org.diskfarm.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.diskfarm.transport.ChannelLoop;

/**
 * One iSCSI connection (TCP socket) on Netty: decodes PDUs ({@link PduCodec}), runs the login phase
 * ({@link LoginNegotiation}), sets up the session through the server's session table (on a virtual thread: session
 * reinstatement and opening the device may block), then hands full-feature PDUs to its {@link IscsiSession}. Owns the
 * connection's StatSN, the login deadline and the NOP-In pings to a silent initiator.
 *
 * <p>Failures end this connection only, with one log line and no stack trace: a PDU stream that cannot go on
 * (ErrorRecoveryLevel 0), a login that fails or never finishes, an initiator that does not answer a ping.
 */
final class IscsiConnection extends ByteToMessageDecoder {
    private static final System.Logger LOG = System.getLogger(IscsiConnection.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum Phase { LOGIN, SETTING_UP, FULL_FEATURE, ENDING }

    private final IscsiServer.Context context;
    private final PduCodec codec = new PduCodec();
    private final LoginNegotiation login;
    private ChannelHandlerContext ctx;
    /** The way to the event loop from the workers, and batched flushes. */
    private ChannelLoop loop;
    private Phase phase = Phase.LOGIN;
    private IscsiSession session;
    private int statSN;
    private int cid;
    private boolean paused;
    private ScheduledFuture<?> loginDeadline;
    private ScheduledFuture<?> pingTimer;
    private long lastReceived = System.nanoTime();
    private int pingTtt = Pdu.RESERVED_TAG;
    private int nextPingTtt = 1;
    private long pingSentAt;

    IscsiConnection(IscsiServer.Context context) {
        this.context = context;
        this.login = new LoginNegotiation(context.targets(), RANDOM);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = new ChannelLoop(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        long timeout = context.options().loginTimeout().toNanos();
        loginDeadline = ctx.executor().schedule(() -> {
            if (phase == Phase.LOGIN || phase == Phase.SETTING_UP) {
                fail("no login within " + context.options().loginTimeout().toMillis() + " ms");
            }
        }, timeout, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable() && !paused && phase != Phase.ENDING && phase != Phase.SETTING_UP) {
                ByteBuffer view = in.nioBuffer();
                int before = view.position();
                Pdu pdu = codec.decode(view);
                if (pdu == null) {
                    break;
                }
                in.skipBytes(view.position() - before);
                lastReceived = System.nanoTime();
                if (phase == Phase.LOGIN) {
                    loginStep(pdu);
                } else {
                    session.receive(pdu);
                }
            }
        } catch (IscsiProtocolException e) {
            fail(e.getMessage());
        }
        if (phase == Phase.ENDING) {
            in.skipBytes(in.readableBytes());
        }
    }

    // ---------------------------------------------------------------- login

    private void loginStep(Pdu pdu) {
        if (pdu.opcode() != Pdu.LOGIN_REQUEST) {
            fail(String.format("opcode 0x%02x before login", pdu.opcode()));
            return;
        }
        if (pdu.dataDigestError) {
            fail("data digest error during login"); // digests are off during login: cannot happen
            return;
        }
        LoginNegotiation.Step step = login.step(pdu);
        cid = login.cid();
        switch (step.outcome()) {
            case CONTINUE -> send(step.response(), body(step.response()), true);
            case FAILED -> refuse(step.response(), step.reason());
            case FULL_FEATURE -> setUp(step.response());
        }
    }

    private static ByteBuffer body(Pdu pdu) {
        return pdu.data.length == 0 ? null : ByteBuffer.wrap(pdu.data);
    }

    private void refuse(Pdu response, String reason) {
        int status = LoginNegotiation.status(response);
        LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: login refused (status 0x{1}): {2}", peer(),
                String.format("%04x", status), reason);
        send(response, null, true);
        closeAfterFlush();
    }

    /** The login is done: set the session up off the event loop, then send the last Login Response. */
    private void setUp(Pdu response) {
        phase = Phase.SETTING_UP;
        SocketAddress remote = ctx.channel().remoteAddress();
        try {
            context.workers().execute(() -> {
                IscsiSession created;
                try {
                    created = context.sessions().open(login, remote, context);
                } catch (IscsiServer.LoginRefused e) {
                    onEventLoop(() -> refuse(login.refuse(e.status), e.getMessage()));
                    return;
                } catch (RuntimeException e) {
                    onEventLoop(() -> refuse(login.refuse(LoginStatus.TARGET_ERROR), e.toString()));
                    return;
                }
                onEventLoop(() -> started(created, response), () -> created.connectionClosed());
            });
        } catch (RejectedExecutionException e) {
            fail("server is stopping");
        }
    }

    private void started(IscsiSession created, Pdu response) {
        if (phase == Phase.ENDING || !ctx.channel().isActive()) {
            created.connectionClosed();
            return;
        }
        session = created;
        session.attach(this);
        if (created.killed) {
            fail("session reinstated by a newer login before it started");
            return;
        }
        response.u16(14, created.tsih);
        send(response, body(response), true);
        loginDeadline.cancel(false);
        codec.headerDigest = login.params.headerDigest;
        codec.dataDigest = login.params.dataDigest;
        codec.maxRecvDataSegmentLength = login.params.targetMaxRecv;
        phase = Phase.FULL_FEATURE;
        LOG.log(System.Logger.Level.DEBUG, "iSCSI {0}: session {1} in full feature phase ({2})", peer(),
                created.tsih, login.params);
        schedulePing(context.options().nopInInterval().toNanos());
        resumeDecoding();
    }

    // ---------------------------------------------------------------- NOP-In pings

    private void schedulePing(long delayNanos) {
        pingTimer = ctx.executor().schedule(this::pingCheck, Math.max(delayNanos, 1_000_000), TimeUnit.NANOSECONDS);
    }

    private void pingCheck() {
        if (phase != Phase.FULL_FEATURE) {
            return;
        }
        long now = System.nanoTime();
        long interval = context.options().nopInInterval().toNanos();
        long timeout = context.options().nopInTimeout().toNanos();
        if (pingTtt != Pdu.RESERVED_TAG) {
            long waited = now - pingSentAt;
            if (waited >= timeout) {
                fail("no answer to NOP-In within " + context.options().nopInTimeout().toMillis() + " ms");
                return;
            }
            schedulePing(timeout - waited);
            return;
        }
        long silent = now - lastReceived;
        if (silent < interval) {
            schedulePing(interval - silent);
            return;
        }
        pingTtt = nextPingTtt++;
        if (nextPingTtt == Pdu.RESERVED_TAG) {
            nextPingTtt = 1;
        }
        pingSentAt = now;
        Pdu ping = Pdu.of(Pdu.NOP_IN).flags(0x80).itt(Pdu.RESERVED_TAG).u32(20, pingTtt);
        send(ping, null, false);
        schedulePing(timeout);
    }

    void pingAnswered(int ttt) {
        if (ttt == pingTtt) {
            pingTtt = Pdu.RESERVED_TAG;
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Writes one PDU with its data (not copied), filling in StatSN, ExpCmdSN and MaxCmdSN; {@code advance} if the PDU
     * consumes a StatSN. The flush follows once the PDUs ready now are written.
     */
    void send(Pdu pdu, ByteBuffer data, boolean advance) {
        send(pdu, data, advance, null);
    }

    /** As {@link #send(Pdu, ByteBuffer, boolean)}; {@code written} runs once the PDU is written, or dropped. */
    void send(Pdu pdu, ByteBuffer data, boolean advance, Runnable written) {
        pdu.u32(24, statSN);
        if (advance) {
            statSN++;
        }
        if (session != null) {
            pdu.u32(28, session.expCmdSN());
            pdu.u32(32, session.maxCmdSN());
        }
        if (!ctx.channel().isActive()) {
            if (written != null) {
                written.run();
            }
            return;
        }
        ctx.write(codec.encodeBuf(pdu, data)).addListener(f -> {
            if (written != null) {
                written.run();
            }
            if (!f.isSuccess() && ctx.channel().isActive()) {
                fail("sending failed: " + f.cause());
            }
        });
        if (!ctx.channel().isWritable()) {
            pause();
        }
        loop.flushSoon();
    }

    /** Rejects a PDU (section 11.17): its header goes back as the data. */
    void reject(Pdu pdu, int reason) {
        LOG.log(System.Logger.Level.DEBUG, "iSCSI {0}: reject {1} (reason 0x{2})", peer(), pdu,
                Integer.toHexString(reason));
        Pdu r = Pdu.of(Pdu.REJECT).flags(0x80).u8(2, reason).itt(Pdu.RESERVED_TAG);
        send(r, ByteBuffer.wrap(pdu.bhs.clone()), true);
    }

    int cid() {
        return cid;
    }

    /**
     * This connection's portal as TargetAddress shows it: {@code host:port}, IPv6 in brackets; the host is the
     * advertised one if the server has one (RFC 7143 13.8: an address the initiator can use), else the local address.
     */
    String portal() {
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        String advertised = context.options().advertisedHost();
        if (advertised == null) {
            return IscsiSession.address(local);
        }
        return (advertised.contains(":") ? "[" + advertised + "]" : advertised) + ":" + local.getPort();
    }

    // ---------------------------------------------------------------- flow control and ending

    private void pause() {
        paused = true;
        ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && paused) {
            paused = false;
            resumeDecoding();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void resumeDecoding() {
        ctx.channel().config().setAutoRead(true);
        if (internalBuffer().isReadable()) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                fail(e.toString());
            }
        }
    }

    /** Ends the connection after what is queued is sent (logout, refused login). */
    void closeAfterFlush() {
        phase = Phase.ENDING;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection with one log line (any thread). */
    void close(String reason) {
        onEventLoop(() -> fail(reason));
    }

    void fail(String reason) {
        if (phase != Phase.ENDING || ctx.channel().isActive()) {
            LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: closing: {1}", peer(), reason);
        }
        phase = Phase.ENDING;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        phase = Phase.ENDING;
        if (loginDeadline != null) {
            loginDeadline.cancel(false);
        }
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
        super.channelInactive(ctx);
        if (session != null) {
            session.connectionClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ChannelLoop.oneLine(cause));
    }

    void onEventLoop(Runnable task) {
        onEventLoop(task, () -> { });
    }

    /** Runs {@code task} on the connection's event loop, or {@code ifStopped} here if the loop no longer runs. */
    void onEventLoop(Runnable task, Runnable ifStopped) {
        loop.execute(task, ifStopped);
    }

    private String peer() {
        String address = loop.peerAddress();
        if (session != null) {
            return session.who() + " from " + address;
        }
        return (login.initiatorName == null ? "" : login.initiatorName + " from ") + address;
    }
}
