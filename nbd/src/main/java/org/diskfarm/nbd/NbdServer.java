package org.diskfarm.nbd;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.transport.DeadPeerOptions;
import org.diskfarm.transport.TcpServer;
import org.diskfarm.transport.Transport;

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

    private final TcpServer server;

    private NbdServer(TcpServer server) {
        this.server = server;
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
        Transport transport = Transport.of(epoll);
        ExecutorService workers = TcpServer.virtualWorkers("nbd-io-");
        TcpServer server = TcpServer.builder("nbd")
                .transport(transport)
                .pollWindow(options.pollWindow())
                .deadPeer(new DeadPeerOptions(options.tcpUserTimeout(), options.keepAliveIdle(),
                        options.keepAliveInterval(), options.keepAliveProbes()))
                .bind(bind, workers, () -> new NbdConnectionHandler(exports, opener, workers, options));
        LOG.log(System.Logger.Level.INFO, "NBD server listening on {0} ({1} transport)", server.address(),
                transport.label());
        return new NbdServer(server);
    }

    /** The connections open now, for tests that look at their socket options. */
    List<Channel> connections() {
        return server.connections();
    }

    /** How many client connections are open now (in the handshake or in transmission). */
    public int connectionCount() {
        return server.connectionCount();
    }

    /** The address the server listens on, with the port actually bound. */
    public InetSocketAddress address() {
        return server.address();
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
        server.close(() -> { },
                () -> LOG.log(System.Logger.Level.WARNING, "NBD requests still running 10 s after close"));
        LOG.log(System.Logger.Level.INFO, "NBD server on {0} stopped", server.address());
    }
}
