package org.diskfarm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny TCP forwarder for tests, to cut a connection and restore it: a farm server is pointed at the proxy instead of
 * the shared PostgreSQL, and {@link #cut()} simulates a database outage (every open connection breaks, new ones are
 * refused at once) without stopping the PostgreSQL that other tests use; {@link #restore()} ends the outage.
 *
 * <p>Listens on 127.0.0.1 at a free port and forwards each accepted connection to the target over a connection of its
 * own. Plain blocking sockets, a virtual thread per direction. A half-close passes through (when one side shuts its
 * output, the proxy shuts its output to the other side, which can still answer); an error on either side closes both.
 * While cut, a new connection is accepted and reset at once, so a client's connect fails fast instead of hanging.
 * Cut and refused connections are closed with a reset (SO_LINGER 0), as a dead database host would leave them.
 *
 * <p>Threads: every method may be called from any thread.
 */
public final class TcpProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpProxy.class.getName());
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Object lock = new Object();
    /** The forwarded connections not yet closed. Added under {@link #lock}. */
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private boolean cut;      // guarded by lock
    private boolean closed;   // guarded by lock

    private TcpProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        this.acceptor = Thread.ofVirtual().name("tcp-proxy-" + listener.getLocalPort()).unstarted(this::acceptLoop);
    }

    /** Starts a proxy on 127.0.0.1 at a free port that forwards every connection to {@code target}. */
    public static TcpProxy start(InetSocketAddress target) {
        ServerSocket listener;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1 for a proxy to " + target, e);
        }
        TcpProxy proxy = new TcpProxy(target, listener);
        proxy.acceptor.start();
        return proxy;
    }

    /** The port the proxy listens on (127.0.0.1). */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Resets every forwarded connection at once and refuses new ones (each is accepted and reset at once) until
     * {@link #restore()}. Does nothing more if already cut.
     */
    public void cut() {
        List<Link> open;
        synchronized (lock) {
            cut = true;
            open = List.copyOf(links);
        }
        for (Link link : open) {
            link.close(true);
        }
    }

    /** Forwards new connections again after {@link #cut()}. Connections that the cut broke stay broken. */
    public void restore() {
        synchronized (lock) {
            cut = false;
        }
    }

    /** How many forwarded connections are open now (accepted and not yet closed on both sides). */
    public int connections() {
        return links.size();
    }

    /** Stops listening, which frees the port, and resets every forwarded connection. */
    @Override
    public void close() {
        List<Link> open;
        synchronized (lock) {
            closed = true;
            open = List.copyOf(links);
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the proxy's listener", e);
        }
        for (Link link : open) {
            link.close(true);
        }
        try {
            acceptor.join(CONNECT_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[127.0.0.1:" + port() + " -> " + target + "]";
    }

    private void acceptLoop() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "proxy to " + target + " cannot accept: " + e.getMessage());
                pause();
                continue;
            }
            Link link = new Link(client);
            boolean refused;
            synchronized (lock) {
                refused = cut || closed;
                if (!refused) {
                    links.add(link);
                }
            }
            if (refused) {
                link.close(true);
            } else {
                Thread.ofVirtual().name("tcp-proxy-link").start(link::run);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One forwarded connection: the client's socket and the proxy's own socket to the target. */
    private final class Link {
        private final Socket client;
        private Socket upstream;     // guarded by this
        private boolean done;        // guarded by this
        private int directionsLeft = 2;  // guarded by this

        Link(Socket client) {
            this.client = client;
        }

        /** Connects to the target, then forwards the target's bytes to the client here and the client's on a thread. */
        void run() {
            Socket up = new Socket();
            synchronized (this) {
                if (done) {
                    return;
                }
                upstream = up;  // from here on, a cut also closes the connection being set up
            }
            try {
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
                up.connect(target, CONNECT_TIMEOUT_MILLIS);
                if (up.getLocalSocketAddress().equals(up.getRemoteSocketAddress())) {
                    // TCP's simultaneous open: a connect to a local port where nothing listens can pick that very
                    // port as its own and reach itself; it would echo the client's bytes back
                    throw new ConnectException("connected to itself (nothing listens on " + target + ")");
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "proxy cannot connect to " + target + ": " + e.getMessage());
                close(true);  // the client sees a reset, as if the target had refused it
                return;
            }
            Thread.ofVirtual().name("tcp-proxy-link").start(() -> pump(client, up));
            pump(up, client);
        }

        /** Copies {@code from}'s input to {@code to}'s output until end of stream, then shuts {@code to}'s output. */
        private void pump(Socket from, Socket to) {
            byte[] buffer = new byte[BUFFER_BYTES];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                close(false);
                return;
            }
            boolean last;
            synchronized (this) {
                last = --directionsLeft == 0;
            }
            if (last) {
                close(false);
            }
        }

        /** Closes both sockets, with a reset if {@code abort}; only the first call does anything. */
        void close(boolean abort) {
            Socket up;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                up = upstream;
            }
            closeSocket(client, abort);
            if (up != null) {
                closeSocket(up, abort);
            }
            links.remove(this);
        }

        private static void closeSocket(Socket socket, boolean abort) {
            try {
                if (abort && !socket.isClosed()) {
                    socket.setSoLinger(true, 0);
                }
            } catch (IOException e) {
                // not connected (yet): a plain close does
            }
            try {
                socket.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing a proxied socket", e);
            }
        }
    }
}
