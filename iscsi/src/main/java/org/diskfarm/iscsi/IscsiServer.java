package org.diskfarm.iscsi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An iSCSI target server (RFC 7143) on Netty: discovery and normal sessions, LUN 0 of each target a disk over a
 * {@link org.diskfarm.block.BlockDevice}. Start it with {@link #start}; {@link #close} closes every connection (a
 * command in flight finishes first) and every session's device.
 *
 * <p>Threads: connections run on Netty event loops (native epoll where available, NIO otherwise); login set-up and
 * SCSI commands that may block run on virtual threads and hand their results back to the connection's event loop.
 * Sessions live in a {@link SessionTable}, apart from the connection handlers ({@link IscsiConnection}).
 */
public final class IscsiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IscsiServer.class.getName());

    /** What every connection of one server shares. */
    record Context(IscsiTargets targets, IscsiTargetOpener opener, IscsiServerOptions options,
            ExecutorService workers, SessionTable sessions) {
    }

    /** A login refused once it was complete (the session could not be set up), with its status. */
    static final class LoginRefused extends RuntimeException {
        final int status;

        LoginRefused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final Context context;

    private IscsiServer(EventLoopGroup group, Channel serverChannel, ChannelGroup connections, Context context) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.context = context;
    }

    /** Binds and starts serving; port 0 picks a free port. */
    public static IscsiServer start(InetSocketAddress bind, IscsiTargets targets, IscsiTargetOpener opener,
            IscsiServerOptions options) {
        return start(bind, targets, opener, options, Epoll.isAvailable());
    }

    /** As {@link #start(InetSocketAddress, IscsiTargets, IscsiTargetOpener, IscsiServerOptions)}; NIO if not epoll. */
    static IscsiServer start(InetSocketAddress bind, IscsiTargets targets, IscsiTargetOpener opener,
            IscsiServerOptions options, boolean epoll) {
        Objects.requireNonNull(targets);
        Objects.requireNonNull(opener);
        Objects.requireNonNull(options);
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(io);
        ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("iscsi-", 0).factory());
        ChannelGroup connections = new DefaultChannelGroup("iscsi-connections", GlobalEventExecutor.INSTANCE);
        Context context = new Context(targets, opener, options, workers, new SessionTable());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Data-In of a whole large READ is queued at once: with Netty's 64 KiB default the channel would
                    // turn unwritable at every large READ and stop reading commands.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast("iscsi", new IscsiConnection(context));
                        }
                    });
            Channel channel = bootstrap.bind(bind).syncUninterruptibly().channel();
            LOG.log(System.Logger.Level.INFO, "iSCSI target listening on {0} ({1} transport)", channel.localAddress(),
                    epoll ? "epoll" : "nio");
            return new IscsiServer(group, channel, connections, context);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownNow();
            throw e;
        }
    }

    /** The address it listens on, with the port actually bound. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The port it listens on. */
    public int port() {
        return address().getPort();
    }

    /** Connections open now (discovery and normal). */
    public int connectionCount() {
        return connections.size();
    }

    /** Normal and discovery sessions now. */
    public int sessionCount() {
        return context.sessions().sessions().size();
    }

    /**
     * Asks every normal session of this initiator (every session, if null) to log out within {@code seconds}: an
     * Asynchronous Message with event 1 (RFC 7143 section 11.9.1), for moving initiators to another server.
     *
     * @return how many sessions were asked
     */
    public int requestLogout(String initiatorName, int seconds) {
        int asked = 0;
        for (IscsiSession s : context.sessions().sessions()) {
            if (!s.discovery() && (initiatorName == null || s.initiatorName.equalsIgnoreCase(initiatorName))) {
                s.requestLogout(seconds);
                asked++;
            }
        }
        return asked;
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (IscsiSession s : context.sessions().sessions()) {
            try {
                s.closed.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: session still ending at server close", s.who());
            }
        }
        context.workers().shutdown();
        try {
            if (!context.workers().awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "iSCSI commands still running 10 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "iSCSI target on {0} stopped", serverChannel.localAddress());
    }
}
