package org.diskfarm.nbd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.diskfarm.block.BlockDevice;

/**
 * An NBD server on Netty: one listening socket, any number of connections, each going through the fixed newstyle
 * handshake ({@link NbdHandshake}) and then serving one export's {@link BlockDevice}.
 *
 * <p>The seam: the server knows exports only through {@link NbdExports} (what the handshake shows) and an
 * {@link NbdExportOpener} that turns a chosen export into a {@link BlockDevice} for one connection. The server never
 * sees vDisks, caches or the farm.
 *
 * <p>Threads: the transport runs on Netty event loops (native epoll where {@link Epoll#isAvailable()}, NIO otherwise);
 * device calls, which may block, run on virtual threads and hand their replies back to the channel. {@link #close()}
 * may be called from any thread.
 *
 * <p>Data path: READ data that lies contiguous in a file ({@link BlockDevice#fileSpan}) goes to the socket as a file
 * region (sendfile on epoll, {@code FileChannel.transferTo} on NIO); the rest is copied. Structured READ replies send
 * holes as OFFSET_HOLE chunks ({@link NbdReadReply}).
 *
 * <p>Connections ({@link NbdServerOptions}): a client must finish the handshake within a deadline; in transmission a
 * connection may stay idle for ever, and dead peers are found by TCP keepalive and, on epoll, TCP_USER_TIMEOUT. The
 * virtual threads serving a connection are named {@code nbd-<export>-<peer>}.
 *
 * <p>Not done yet: TLS.
 */
public final class NbdServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final ExecutorService workers;

    private NbdServer(EventLoopGroup group, Channel serverChannel, ChannelGroup connections, ExecutorService workers) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.workers = workers;
    }

    /**
     * Starts a server listening on {@code bind} (port 0 picks a free port; see {@link #port()}).
     *
     * @param exports what the handshake offers
     * @param opener  opens the device of an export the client chose
     */
    public static NbdServer start(InetSocketAddress bind, NbdExports exports, NbdExportOpener opener) {
        return start(bind, exports, opener, NbdServerOptions.DEFAULTS);
    }

    /** As {@link #start(InetSocketAddress, NbdExports, NbdExportOpener)}, with these options. */
    public static NbdServer start(InetSocketAddress bind, NbdExports exports, NbdExportOpener opener,
            NbdServerOptions options) {
        return start(bind, exports, opener, options, Epoll.isAvailable());
    }

    /** As {@link #start(InetSocketAddress, NbdExports, NbdExportOpener)}, on epoll only if {@code epoll} (tests run NIO). */
    static NbdServer start(InetSocketAddress bind, NbdExports exports, NbdExportOpener opener, boolean epoll) {
        return start(bind, exports, opener, NbdServerOptions.DEFAULTS, epoll);
    }

    static NbdServer start(InetSocketAddress bind, NbdExports exports, NbdExportOpener opener,
            NbdServerOptions options, boolean epoll) {
        Objects.requireNonNull(exports);
        Objects.requireNonNull(opener);
        Objects.requireNonNull(options);
        SelectStrategyFactory waiting = PollingSelectStrategy.factory(options.pollWindow());
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory(0, waiting)
                : NioIoHandler.newFactory(SelectorProvider.provider(), waiting);
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(io);
        ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("nbd-io-", 0).factory());
        ChannelGroup connections = new DefaultChannelGroup("nbd-connections", GlobalEventExecutor.INSTANCE);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Replies of up to 32 MiB are normal: with Netty's 64 KiB default every large READ would make
                    // the channel unwritable and stop the reading of requests, serialising a client's queue.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast("nbd", new NbdConnectionHandler(exports, opener, workers,
                                    options));
                        }
                    });
            deadPeerOptions(bootstrap, options, epoll);
            Channel channel = bootstrap.bind(bind).syncUninterruptibly().channel();
            LOG.log(System.Logger.Level.INFO, "NBD server listening on {0} ({1} transport)", channel.localAddress(),
                    epoll ? "epoll" : "nio");
            return new NbdServer(group, channel, connections, workers);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownNow();
            throw e;
        }
    }

    /**
     * Finding dead peers: keepalive probes after {@code keepAliveIdle} of silence (a client that sends nothing and
     * vanished), and on epoll TCP_USER_TIMEOUT (a client that vanished while replies were unacknowledged; without it
     * Linux retransmits for about 15 minutes). The JDK has no TCP_USER_TIMEOUT, so NIO gets keepalive only.
     */
    private static void deadPeerOptions(ServerBootstrap bootstrap, NbdServerOptions options, boolean epoll) {
        int idle = (int) options.keepAliveIdle().toSeconds();
        int interval = (int) options.keepAliveInterval().toSeconds();
        if (epoll) {
            bootstrap.childOption(EpollChannelOption.TCP_USER_TIMEOUT,
                            (int) Math.min(Integer.MAX_VALUE, options.tcpUserTimeout().toMillis()))
                    .childOption(EpollChannelOption.TCP_KEEPIDLE, idle)
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, interval)
                    .childOption(EpollChannelOption.TCP_KEEPCNT, options.keepAliveProbes());
        } else {
            bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), interval)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), options.keepAliveProbes());
        }
    }

    /** The connections open now, for tests that look at their socket options. */
    List<Channel> connections() {
        return List.copyOf(connections);
    }

    /** How many client connections are open now (in the handshake or in transmission). */
    public int connectionCount() {
        return connections.size();
    }

    /** The address the server listens on, with the port actually bound. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    /**
     * Stops listening, closes every connection (their devices are closed once their requests in flight finish) and
     * stops the event loops. Requests in flight are not answered: a client sees a closed socket, which QEMU's client
     * treats as a reason to reconnect.
     */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "NBD requests still running 10 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "NBD server on {0} stopped", serverChannel.localAddress());
    }
}
