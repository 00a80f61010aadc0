package org.diskfarm.iscsi;

import io.netty.channel.epoll.Epoll;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.diskfarm.transport.TcpServer;
import org.diskfarm.transport.Transport;

/**
 * An iSCSI target server (RFC 7143) on Netty: discovery and normal sessions, LUN 0 of each target a disk over a
 * {@link org.diskfarm.block.BlockDevice}. Start it with {@link #start}; {@link #close} closes every connection (a
 * command in flight finishes first) and every session's device.
 *
 * <p>Threads: connections run on Netty event loops (native epoll where available, NIO otherwise) that poll for up to
 * {@link IscsiServerOptions#pollWindow()} before they sleep; login set-up and SCSI commands that may block run on
 * virtual threads and hand their results back to the connection's event loop.
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

    private final TcpServer server;
    private final Context context;

    private IscsiServer(TcpServer server, Context context) {
        this.server = server;
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
        Transport transport = Transport.of(epoll);
        ExecutorService workers = TcpServer.virtualWorkers("iscsi-");
        Context context = new Context(targets, opener, options, workers, new SessionTable());
        TcpServer server = TcpServer.builder("iscsi")
                .transport(transport)
                .pollWindow(options.pollWindow())
                .bind(bind, workers, () -> new IscsiConnection(context));
        LOG.log(System.Logger.Level.INFO, "iSCSI target listening on {0} ({1} transport)", server.address(),
                transport.label());
        return new IscsiServer(server, context);
    }

    /** The address it listens on, with the port actually bound. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The port it listens on. */
    public int port() {
        return address().getPort();
    }

    /** Connections open now (discovery and normal). */
    public int connectionCount() {
        return server.connectionCount();
    }

    /** How long its event loops poll before they sleep, from {@link IscsiServerOptions#pollWindow()}. */
    Duration pollWindow() {
        return server.pollWindow();
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
        server.close(this::awaitSessionsEnded,
                () -> LOG.log(System.Logger.Level.WARNING, "iSCSI commands still running 10 s after close"));
        LOG.log(System.Logger.Level.INFO, "iSCSI target on {0} stopped", server.address());
    }

    /** Once the connections are closed: waits for each session to end (its device closed). */
    private void awaitSessionsEnded() {
        for (IscsiSession s : context.sessions().sessions()) {
            try {
                s.closed.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "iSCSI {0}: session still ending at server close", s.who());
            }
        }
    }
}
