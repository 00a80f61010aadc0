package org.diskfarm.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.FileSpan;
import org.diskfarm.transport.ChannelLoop;

/**
 * One NBD connection: sends the greeting, feeds received bytes to {@link NbdHandshake} and writes each step's replies;
 * once in transmission, decodes requests (a WRITE only when its data has arrived whole), refuses them through
 * {@link NbdRequestCheck}, and serves the rest on virtual threads with {@link NbdTransmission}. Replies go back as
 * each request finishes, so they may leave out of order (the cookie says which is which).
 *
 * <p>State, all touched only on the channel's event loop: the handshake, the negotiated session, the device (opened
 * after GO on a virtual thread), the number of requests in flight, and whether the connection is ending. A request is
 * in flight from its decoding until its reply has been written to the socket (not merely queued): a reply may send
 * data from the device's file ({@link NbdFileRegion}), so the device is closed only once the channel is inactive and no
 * request is in flight.
 *
 * <p>Deadlines: the handshake must end within {@link NbdServerOptions#handshakeTimeout()}; transmission has none.
 *
 * <p>Failures: a request failure is an error reply; a framing error ({@link NbdProtocolException} that must close), a
 * device that cannot be opened or was closed under us, a failed send, or DISC ends this connection only, with one log
 * line and no stack trace.
 */
final class NbdConnectionHandler extends ByteToMessageDecoder {
    private static final System.Logger LOG = System.getLogger(NbdConnectionHandler.class.getName());
    /**
     * Backpressure: with this many requests in flight, or while the socket's outbound buffer is over its high water
     * mark, stop decoding and reading; go on when in-flight requests drop below half of it and the socket is
     * writable again.
     */
    private static final int MAX_IN_FLIGHT = 64;

    private final NbdExports exports;
    private final NbdExportOpener opener;
    private final ExecutorService workers;
    private final NbdServerOptions options;
    private final NbdHandshake handshake;
    private final ReentrantLock serial = new ReentrantLock();

    private ChannelHandlerContext ctx;
    /** The way to the event loop from the workers, and batched flushes. */
    private ChannelLoop loop;
    private NbdNegotiated session;
    private CompletableFuture<BlockDevice> device;
    private int inFlight;
    /** No more requests are read: DISC, a fatal error, or the channel went inactive. */
    private boolean ending;
    private boolean inactive;
    /** Reading and decoding stopped for backpressure (see {@link #MAX_IN_FLIGHT}). */
    private boolean paused;
    private boolean deviceClosed;
    private ScheduledFuture<?> handshakeDeadline;
    /** Runs this connection's device calls on {@link #workers}, in threads named {@code nbd-<export>-<peer>}. */
    private Executor connectionWorkers;

    NbdConnectionHandler(NbdExports exports, NbdExportOpener opener, ExecutorService workers,
            NbdServerOptions options) {
        this.exports = exports;
        this.opener = opener;
        this.workers = workers;
        this.options = options;
        this.handshake = new NbdHandshake(exports);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = new ChannelLoop(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(handshake.greeting().encode()));
        handshakeDeadline = ctx.executor().schedule(() -> {
            if (session == null && !ending) {
                fail("no handshake within " + options.handshakeTimeout().toMillis() + " ms");
            }
        }, options.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (!ending && in.isReadable()) {
                boolean progressed = session == null ? handshakeStep(in) : requestStep(in);
                if (!progressed) {
                    return;
                }
            }
        } catch (NbdProtocolException e) {
            fail("protocol error: " + e.getMessage());
        }
        if (ending) {
            in.skipBytes(in.readableBytes());
        }
    }

    private boolean handshakeStep(ByteBuf in) {
        ByteBuffer bytes = in.nioBuffer();
        int start = bytes.position();
        NbdHandshake.Step step = handshake.consume(bytes);
        if (step == null) {
            return false;
        }
        in.skipBytes(bytes.position() - start);
        ByteBuffer reply = step.encode();
        switch (step.state()) {
            case CLOSED -> {
                LOG.log(System.Logger.Level.DEBUG, "NBD {0}: handshake ended: {1}", peer(), step.closeReason());
                ending = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(reply)).addListener(ChannelFutureListener.CLOSE);
                return false;
            }
            case TRANSMISSION -> {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(reply));
                session = step.negotiated();
                handshakeDeadline.cancel(false);
                connectionWorkers = named(workers, "nbd-" + session.export().name() + "-" + loop.peerAddress());
                openDevice();
            }
            default -> ctx.writeAndFlush(Unpooled.wrappedBuffer(reply));
        }
        return true;
    }

    private void openDevice() {
        String name = session.export().name();
        SocketAddress remote = ctx.channel().remoteAddress();
        device = CompletableFuture.supplyAsync(() -> opener.open(name, remote), connectionWorkers);
        device.whenComplete((opened, failure) -> loop.execute(() -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                fail("cannot open export " + name + ": " + cause.getMessage());
            }
            closeDeviceIfIdle();
        }, () -> {
            if (opened != null) {
                opened.close();
            }
        }));
    }

    private boolean requestStep(ByteBuf in) {
        if (paused) {
            return false;
        }
        if (in.readableBytes() < NbdRequest.SIZE) {
            return false;
        }
        NbdRequest request = NbdRequest.decode(in.nioBuffer(in.readerIndex(), NbdRequest.SIZE));
        long payload = request.payloadLength();
        if (in.readableBytes() < NbdRequest.SIZE + payload) {
            return false;
        }
        in.skipBytes(NbdRequest.SIZE);
        NbdRequestCheck.Rejection rejection = NbdRequestCheck.check(request, session);
        if (rejection != null) {
            in.skipBytes((int) payload);
            LOG.log(System.Logger.Level.DEBUG, "NBD {0}: refused: {1}", peer(), rejection.message());
            reply(NbdTransmission.error(request, session, rejection.error(), rejection.message()));
            return true;
        }
        if (request.type() == NbdCommand.DISC.code()) {
            LOG.log(System.Logger.Level.DEBUG, "NBD {0}: client disconnected", peer());
            ending = true;
            closeIfDone();
            return false;
        }
        ByteBuffer data = null;
        if (payload > 0) {
            data = ByteBuffer.allocate((int) payload);
            in.readBytes(data);
            data.flip();
        }
        submit(request, data);
        return true;
    }

    private void submit(NbdRequest request, ByteBuffer data) {
        inFlight++;
        if (inFlight >= MAX_IN_FLIGHT) {
            pause();
        }
        NbdNegotiated negotiated = session;
        if (servesInline(request)) {
            NbdReply reply;
            try {
                reply = serveOn(device.join(), request, data, negotiated, options.zeroCopyMinBytes());
            } catch (NbdTransmission.MustClose e) {
                finished(null, e.getMessage());
                return;
            }
            finished(reply, null);
            return;
        }
        // Zero-copy only for a lone request: sendfile runs on this connection's one event-loop thread, so when requests
        // queue up on the connection, copying (their preads run in parallel on virtual threads) is faster; with one
        // request at a time there is nothing to parallelise and sendfile saves the CPU of a copy (docs/nbd.md).
        int zeroCopyMin = inFlight > 1 ? Integer.MAX_VALUE : options.zeroCopyMinBytes();
        try {
            device.thenAcceptAsync(dev -> {
                NbdReply reply;
                String closeReason = null;
                try {
                    reply = serveOn(dev, request, data, negotiated, zeroCopyMin);
                } catch (NbdTransmission.MustClose e) {
                    reply = null;
                    closeReason = e.getMessage();
                }
                NbdReply done = reply;
                String reason = closeReason;
                loop.execute(() -> finished(done, reason), () -> {
                    if (done != null) {
                        done.release();
                    }
                    closeDeviceNow();
                });
            }, connectionWorkers);
        } catch (RejectedExecutionException e) {
            inFlight--;
            fail("server is stopping");
        }
    }

    /** A small READ of an open concurrent device: served here, on the event loop (see NbdServerOptions). */
    private boolean servesInline(NbdRequest request) {
        return request.type() == NbdCommand.READ.code() && request.length() <= options.inlineReadMaxBytes()
                && device.isDone() && !device.isCompletedExceptionally() && device.join().isConcurrent();
    }

    private NbdReply serveOn(BlockDevice dev, NbdRequest request, ByteBuffer data, NbdNegotiated negotiated,
            int zeroCopyMin) {
        if (dev.isConcurrent()) {
            return NbdTransmission.serve(dev, request, data, negotiated, zeroCopyMin);
        }
        serial.lock();
        try {
            return NbdTransmission.serve(dev, request, data, negotiated, zeroCopyMin);
        } finally {
            serial.unlock();
        }
    }

    /**
     * On the event loop: one request finished with this reply, or with a reason to close. The request stays in flight
     * until its reply is written: a file region reads the device's file while it is sent.
     */
    private void finished(NbdReply reply, String closeReason) {
        Channel channel = ctx.channel();
        if (closeReason != null) {
            fail("device closed: " + closeReason);
            written();
        } else if (!channel.isActive()) {
            reply.release();
            written();
        } else {
            send(reply).addListener(f -> written());
            if (!channel.isWritable()) {
                pause();
            }
        }
    }

    /** Writes every part of one reply, in order, before anything else; the future is the last part's. */
    private ChannelFuture send(NbdReply reply) {
        List<Object> parts = reply.parts();
        ChannelFuture last = null;
        for (int i = 0; i < parts.size(); i++) {
            Object message = switch (parts.get(i)) {
                case ByteBuffer bytes -> Unpooled.wrappedBuffer(bytes);
                case ByteBuf buf -> buf;
                default -> new NbdFileRegion((FileSpan) parts.get(i));
            };
            last = ctx.write(message);
            last.addListener(this::sendFailed);
        }
        // Replies that finish together leave in one flush (one writev) instead of one system call each.
        loop.flushSoon();
        return last;
    }

    private void sendFailed(Future<? super Void> future) {
        if (!future.isSuccess() && ctx.channel().isActive()) {
            Throwable cause = future.cause();
            fail("sending a reply failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    /** On the event loop: a request's reply was written (or will never be): it is no longer in flight. */
    private void written() {
        inFlight--;
        if (!ctx.channel().isWritable()) {
            pause();
        }
        resumeIfReady();
        closeIfDone();
        closeDeviceIfIdle();
    }

    private void pause() {
        paused = true;
        ctx.channel().config().setAutoRead(false);
    }

    /** Resumes reading, and decodes the requests already received, if the limits allow. */
    private void resumeIfReady() {
        Channel channel = ctx.channel();
        if (!paused || ending || inFlight >= MAX_IN_FLIGHT / 2 || !channel.isWritable()) {
            return;
        }
        paused = false;
        channel.config().setAutoRead(true);
        ByteBuf received = internalBuffer();
        if (received.isReadable()) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER); // decodes what is buffered already
            } catch (Exception e) {
                fail(e.toString());
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        resumeIfReady();
        super.channelWritabilityChanged(ctx);
    }

    private void reply(ByteBuffer reply) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(reply));
    }

    /** After DISC: close once every request in flight was answered. */
    private void closeIfDone() {
        if (ending && inFlight == 0 && ctx.channel().isActive() && session != null) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void fail(String reason) {
        if (!ending || ctx.channel().isActive()) {
            LOG.log(System.Logger.Level.WARNING, "NBD {0}: closing: {1}", peer(), reason);
        }
        ending = true;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        inactive = true;
        ending = true;
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
        }
        super.channelInactive(ctx);
        closeDeviceIfIdle();
    }

    /** One line, no stack trace: a peer that resets or sends garbage is not a server fault. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ChannelLoop.oneLine(cause));
    }

    private void closeDeviceIfIdle() {
        if (inactive && inFlight == 0 && device != null && device.isDone()) {
            closeDeviceNow();
        }
    }

    private void closeDeviceNow() {
        if (deviceClosed || device == null || !device.isDone() || device.isCompletedExceptionally()) {
            return;
        }
        deviceClosed = true;
        BlockDevice opened = device.join();
        String who = peer();
        // Closing may block (a Private-mode vDisk flushes and fsyncs): never on the event loop, unless the workers
        // no longer run because the server is stopping.
        try {
            connectionWorkers.execute(() -> closeQuietly(opened, who));
        } catch (RejectedExecutionException e) {
            closeQuietly(opened, who);
        }
    }

    private static void closeQuietly(BlockDevice opened, String who) {
        try {
            opened.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "NBD {0}: closing the device failed: {1}", who, e.toString());
        }
    }

    /** Runs tasks on {@code workers} in threads named {@code name}, so that thread dumps show whom a thread serves. */
    private static Executor named(ExecutorService workers, String name) {
        return task -> workers.execute(() -> {
            Thread.currentThread().setName(name);
            task.run();
        });
    }

    private String peer() {
        Object address = ctx.channel().remoteAddress();
        return session == null ? String.valueOf(address) : session.export().name() + "@" + address;
    }
}
