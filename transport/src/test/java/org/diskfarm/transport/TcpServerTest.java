package org.diskfarm.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A server with an echo handler on each transport: options on the accepted sockets, the group, the close order. */
class TcpServerTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final DeadPeerOptions DEAD_PEER = new DeadPeerOptions(Duration.ofMillis(12_345),
            Duration.ofSeconds(41), Duration.ofSeconds(7), 5);

    /** Echoes what it reads, each reply from a worker thread handed back to the event loop, flushed in batches. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final ExecutorService workers;
        private volatile ChannelLoop loop;

        Echo(ExecutorService workers) {
            this.workers = workers;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            loop = new ChannelLoop(ctx);
            lastLoop = loop;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            workers.execute(() -> loop.execute(() -> {
                ctx.write(bytes);
                loop.flushSoon();
            }, bytes::release));
        }
    }

    /** The loop of the connection accepted last. */
    private static volatile ChannelLoop lastLoop;

    private static TcpServer start(Transport transport, ExecutorService workers, boolean deadPeer) {
        TcpServer.Builder builder = TcpServer.builder("echo").transport(transport).pollWindow(Duration.ofNanos(50_000));
        if (deadPeer) {
            builder.deadPeer(DEAD_PEER);
        }
        return builder.bind(ANY_PORT, workers, () -> new Echo(workers));
    }

    private static void assumeAvailable(Transport transport) {
        assumeTrue(transport == Transport.NIO || Epoll.isAvailable(), "epoll is not available here");
    }

    /** Waits until the server has accepted {@code count} connections. */
    private static List<Channel> accepted(TcpServer server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.connectionCount() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(server.connectionCount()).isEqualTo(count);
        return server.connections();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void servesConnectionsThroughTheHandler(Transport transport) throws Exception {
        assumeAvailable(transport);
        ExecutorService workers = TcpServer.virtualWorkers("echo-");
        TcpServer server = start(transport, workers, false);
        try (Socket a = new Socket(); Socket b = new Socket()) {
            a.connect(server.address());
            b.connect(server.address());
            for (Socket s : List.of(a, b)) {
                OutputStream out = s.getOutputStream();
                out.write("hello".getBytes());
                out.flush();
                assertThat(s.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());
            }
            assertThat(accepted(server, 2)).hasSize(2);
            assertThat(server.transport()).isEqualTo(transport);
            assertThat(server.address().getPort()).isPositive();
        } finally {
            server.close();
        }
        assertThat(workers.isTerminated()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void connectionsGetTheCommonOptions(Transport transport) throws Exception {
        assumeAvailable(transport);
        TcpServer server = start(transport, TcpServer.virtualWorkers("echo-"), false);
        try (Socket s = new Socket()) {
            s.connect(server.address());
            Channel channel = accepted(server, 1).getFirst();
            assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
            assertThat(channel.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
            assertThat(channel.config().getWriteBufferLowWaterMark()).isEqualTo(1 << 20);
            assertThat(channel.config().getWriteBufferHighWaterMark()).isEqualTo(4 << 20);
        } finally {
            server.close();
        }
    }

    @Test
    void epollConnectionsGetTheUserTimeoutAndKeepaliveTimes() throws Exception {
        assumeAvailable(Transport.EPOLL);
        TcpServer server = start(Transport.EPOLL, TcpServer.virtualWorkers("echo-"), true);
        try (Socket s = new Socket()) {
            s.connect(server.address());
            Channel channel = accepted(server, 1).getFirst();
            assertThat(channel.config().getOption(EpollChannelOption.TCP_USER_TIMEOUT)).isEqualTo(12_345);
            assertThat(channel.config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(41);
            assertThat(channel.config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(7);
            assertThat(channel.config().getOption(EpollChannelOption.TCP_KEEPCNT)).isEqualTo(5);
        } finally {
            server.close();
        }
    }

    @Test
    void nioConnectionsGetTheKeepaliveTimes() throws Exception {
        TcpServer server = start(Transport.NIO, TcpServer.virtualWorkers("echo-"), true);
        try (Socket s = new Socket()) {
            s.connect(server.address());
            Channel channel = accepted(server, 1).getFirst();
            assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)))
                    .isEqualTo(41);
            assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)))
                    .isEqualTo(7);
            assertThat(channel.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)))
                    .isEqualTo(5);
        } finally {
            server.close();
        }
    }

    @Test
    void closeStopsListeningClosesConnectionsThenWaitsForTheWorkersAndTheLoops() throws Exception {
        ExecutorService workers = TcpServer.virtualWorkers("echo-");
        TcpServer server = start(Transport.NIO, workers, false);
        List<String> steps = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (Socket s = new Socket()) {
            s.connect(server.address());
            accepted(server, 1);
            workers.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                steps.add("worker done");
            });
            server.close(() -> {
                steps.add("connections closed: " + server.connectionCount());
                release.countDown();
            }, () -> steps.add("workers still running"));
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(steps).containsExactly("connections closed: 0", "worker done");
        assertThat(workers.isTerminated()).isTrue();
        StringBuilder ran = new StringBuilder();
        lastLoop.execute(() -> ran.append("loop"), () -> ran.append("stopped"));
        assertThat(ran).hasToString("stopped");
        assertThatThrownBy(() -> new Socket().connect(server.address())).isInstanceOf(IOException.class);
    }

    @Test
    void aFailedBindShutsTheWorkersDown() {
        TcpServer first = start(Transport.NIO, TcpServer.virtualWorkers("echo-"), false);
        try {
            ExecutorService workers = TcpServer.virtualWorkers("echo-");
            assertThatThrownBy(() -> TcpServer.builder("echo").transport(Transport.NIO)
                    .bind(first.address(), workers, () -> new Echo(workers))).isInstanceOf(Exception.class);
            assertThat(workers.isShutdown()).isTrue();
        } finally {
            first.close();
        }
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> TcpServer.builder("x").pollWindow(Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeadPeerOptions(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeadPeerOptions(Duration.ofSeconds(1), Duration.ofMillis(999),
                Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeadPeerOptions(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Transport.of(true)).isEqualTo(Transport.EPOLL);
        assertThat(Transport.of(false).label()).isEqualTo("nio");
        assertThat(Transport.best()).isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
    }
}
