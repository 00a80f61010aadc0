package org.diskfarm.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Batched flushes and hand-offs on an embedded channel, whose event loop runs tasks when the test says. */
class ChannelLoopTest {
    private final AtomicInteger flushes = new AtomicInteger();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes.incrementAndGet();
            ctx.flush();
        }
    }, new ChannelInboundHandlerAdapter());
    /** The loop of the last handler, as a protocol handler's: its flushes pass the counting handler. */
    private final ChannelLoop loop = new ChannelLoop(channel.pipeline().lastContext());

    @Test
    void writesQueuedBeforeTheFlushRunsLeaveInOneFlush() {
        // Writes first: an embedded channel runs its pending tasks on every write.
        for (int i = 0; i < 3; i++) {
            channel.pipeline().lastContext().write(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
        }
        flushes.set(0); // the embedded channel flushes as it starts
        for (int i = 0; i < 3; i++) {
            loop.flushSoon();
        }
        assertThat(flushes).hasValue(0);
        channel.runPendingTasks();
        assertThat(flushes).hasValue(1);
        for (int i = 0; i < 3; i++) {
            ByteBuf out = channel.readOutbound();
            assertThat(out.readByte()).isEqualTo((byte) i);
            out.release();
        }
        loop.flushSoon();
        channel.runPendingTasks();
        assertThat(flushes).hasValue(2);
    }

    @Test
    void tasksRunOnTheLoopLater() {
        StringBuilder ran = new StringBuilder();
        loop.execute(() -> ran.append("loop"), () -> ran.append("stopped"));
        assertThat(ran).isEmpty();
        channel.runPendingTasks();
        assertThat(ran).hasToString("loop");
    }

    @Test
    void failuresAreOneLineWithoutTheDecoderWrapper() {
        assertThat(ChannelLoop.oneLine(new DecoderException(new IOException("reset")))).isEqualTo("IOException: reset");
        assertThat(ChannelLoop.oneLine(new DecoderException("bad"))).isEqualTo("DecoderException: bad");
        assertThat(ChannelLoop.oneLine(new IllegalStateException("x"))).isEqualTo("IllegalStateException: x");
        assertThat(loop.peerAddress()).isEqualTo(String.valueOf(channel.remoteAddress()));
    }
}
