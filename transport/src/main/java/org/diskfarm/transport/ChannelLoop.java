package org.diskfarm.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a connection handler needs around its channel's event loop: handing work to the loop from any thread (a
 * virtual thread that finished a request), flushing once per batch of writes, and naming its peer in log lines. One
 * per handler, made when the handler is added; {@link #flushSoon} on the event loop only.
 */
public final class ChannelLoop {
    private final ChannelHandlerContext ctx;
    /** A flush is queued on the event loop (see {@link #flushSoon}). */
    private boolean flushPending;

    public ChannelLoop(ChannelHandlerContext ctx) {
        this.ctx = Objects.requireNonNull(ctx);
    }

    /** Runs {@code task} on the channel's event loop, or {@code ifStopped} here if the loop no longer runs. */
    public void execute(Runnable task, Runnable ifStopped) {
        try {
            ctx.channel().eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            ifStopped.run();
        }
    }

    /**
     * Flushes once after every write that is queued now: replies that finish together (a deep queue finishes many at
     * once) leave in one writev instead of one system call each. The flush runs as the next event-loop task, after the
     * other finished requests already queued; further calls until then add nothing.
     */
    public void flushSoon() {
        if (flushPending) {
            return;
        }
        flushPending = true;
        execute(() -> {
            flushPending = false;
            ctx.flush();
        }, () -> { });
    }

    /** The peer's address as {@code host:port} (as the address says, if it is not an internet one). */
    public String peerAddress() {
        SocketAddress address = ctx.channel().remoteAddress();
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort()
                : String.valueOf(address);
    }

    /**
     * A failure in one line, {@code Class: message}, without Netty's {@link DecoderException} wrapper: what a handler
     * logs when a peer resets or sends garbage, which is not a server fault and gets no stack trace.
     */
    public static String oneLine(Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
