package org.diskfarm.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Netty plumbing of one protocol server: its event loops, one listening socket, the connections open now, and an
 * orderly close. The protocol is a handler per connection; this class knows none.
 *
 * <p>Event loops: one group on {@link Transport epoll or NIO}, waiting for work with a
 * {@link PollingSelectStrategy poll window} (zero: Netty's default strategy).
 *
 * <p>Every connection gets TCP_NODELAY, SO_KEEPALIVE and a write-buffer water mark of 1 MiB low, 4 MiB high: replies of
 * many MiB are normal (an NBD READ of 32 MiB, an iSCSI READ's Data-In queued at once), and with Netty's 64 KiB default
 * every large reply would make the channel unwritable and stop the reading of requests, serialising a client's queue.
 * With {@link DeadPeerOptions} it also gets their keepalive times and, on epoll, TCP_USER_TIMEOUT; without, the
 * system's keepalive times.
 *
 * <p>Workers: the server's virtual threads ({@link #virtualWorkers}), made by the protocol server (its connection
 * handlers need them) and owned by this one from {@link Builder#bind}: it shuts them down when it closes or fails to
 * start.
 *
 * <p>{@link #close} may be called from any thread.
 */
public final class TcpServer implements AutoCloseable {
    private final Transport transport;
    private final Duration pollWindow;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final ExecutorService workers;

    private TcpServer(Transport transport, Duration pollWindow, EventLoopGroup group, Channel serverChannel,
            ChannelGroup connections, ExecutorService workers) {
        this.transport = transport;
        this.pollWindow = pollWindow;
        this.group = group;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.workers = workers;
    }

    /**
     * A server whose connections are called {@code name}: the pipeline handler's name, and the connection group's
     * ({@code <name>-connections}).
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** An executor that runs each task on a new virtual thread named {@code <prefix><n>}. */
    public static ExecutorService virtualWorkers(String prefix) {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix, 0).factory());
    }

    /** What a server will be; {@link #bind} starts it. */
    public static final class Builder {
        private final String name;
        private Transport transport = Transport.best();
        private Duration pollWindow = Duration.ZERO;
        private DeadPeerOptions deadPeer;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name);
        }

        /** Epoll or NIO; {@link Transport#best()} unless set. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport);
            return this;
        }

        /** How long a loop that ran dry polls before it sleeps ({@link PollingSelectStrategy}); zero unless set. */
        public Builder pollWindow(Duration window) {
            this.pollWindow = PollingSelectStrategy.requireWindow(window);
            return this;
        }

        /** Keepalive times and TCP_USER_TIMEOUT for every connection; the system's keepalive times unless set. */
        public Builder deadPeer(DeadPeerOptions options) {
            this.deadPeer = Objects.requireNonNull(options);
            return this;
        }

        /**
         * Starts the event loops and listens on {@code bind} (port 0 picks a free port), giving every connection a
         * handler from {@code handlers}. From here on the server owns {@code workers}: if binding fails they are shut
         * down with the event loops and the failure is thrown.
         */
        public TcpServer bind(InetSocketAddress bind, ExecutorService workers,
                Supplier<? extends ChannelHandler> handlers) {
            Objects.requireNonNull(bind);
            Objects.requireNonNull(workers);
            Objects.requireNonNull(handlers);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                    transport.ioHandlers(PollingSelectStrategy.factory(pollWindow)));
            ChannelGroup connections = new DefaultChannelGroup(name + "-connections", GlobalEventExecutor.INSTANCE);
            try {
                ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(group)
                        .channel(transport.serverChannel())
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                connections.add(ch);
                                ch.pipeline().addLast(name, handlers.get());
                            }
                        });
                if (deadPeer != null) {
                    deadPeer.applyTo(bootstrap, transport);
                }
                Channel channel = bootstrap.bind(bind).syncUninterruptibly().channel();
                return new TcpServer(transport, pollWindow, group, channel, connections, workers);
            } catch (Throwable e) {
                // Netty throws a failed bind's BindException unchecked: catch it too, so nothing is left running.
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                workers.shutdownNow();
                throw e;
            }
        }
    }

    /** The transport it runs on. */
    public Transport transport() {
        return transport;
    }

    /** How long its event loops poll when they run dry before they sleep (zero: they sleep at once). */
    public Duration pollWindow() {
        return pollWindow;
    }

    /** The address it listens on, with the port actually bound. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** How many connections are open now. */
    public int connectionCount() {
        return connections.size();
    }

    /** The connections open now. */
    public List<Channel> connections() {
        return List.copyOf(connections);
    }

    /** As {@link #close(Runnable, Runnable)} with nothing to do between the steps and no warning. */
    @Override
    public void close() {
        close(() -> { }, () -> { });
    }

    /**
     * Stops listening, closes every connection (waiting up to 5 s), runs {@code connectionsClosed}, lets the workers
     * finish what they run (up to 10 s; {@code workersStillRunning} runs if they did not), and stops the event loops.
     */
    public void close(Runnable connectionsClosed, Runnable workersStillRunning) {
        serverChannel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connectionsClosed.run();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workersStillRunning.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
