package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A read-only TFTP server (RFC 1350 with the options of RFC 2347, 2348, 2349 and 7440) for the files a
 * {@link TftpFiles} offers, usually a {@link BootFolder}. Write requests are refused.
 *
 * <p>Threads: {@link TftpServerOptions#eventLoops()} platform threads named {@code tftp-loop-N} run the transfers, each
 * owning a {@link java.nio.channels.Selector} over its transfers' ports; the first also reads the well-known port.
 * Files are opened on virtual threads ({@link TftpFiles#open} may block) and read on the loops with positional reads.
 * All public methods are thread-safe.
 *
 * <p>Bad input (truncated or malformed packets, unknown opcodes, absurd options, names outside the folder, packets for
 * the wrong transfer) never stops the server: it is answered with the ERROR the RFCs call for, or dropped, and logged
 * at most once a minute per client address and kind of problem.
 */
public final class TftpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TftpServer.class.getName());
    /** Receive buffer of the well-known port: room for a burst of requests from a classroom switched on at once. */
    private static final int REQUEST_BUFFER_BYTES = 1 << 20;

    private final DatagramChannel channel;
    private final DatagramChannel replies;
    private final List<TftpLoop> loops;
    private final TftpListener listener;
    private final TftpCounters counters = new TftpCounters();
    private final InetSocketAddress localAddress;
    private boolean closed;  // guarded by this

    private TftpServer(InetSocketAddress bind, TftpFiles files, TftpServerOptions options) throws IOException {
        ProtocolFamily family = bind.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
        List<TftpLoop> started = new ArrayList<>();
        DatagramChannel requests = null;
        DatagramChannel refusals = null;
        try {
            requests = DatagramChannel.open(family);
            requests.setOption(StandardSocketOptions.SO_RCVBUF, REQUEST_BUFFER_BYTES);
            requests.bind(bind);
            requests.configureBlocking(false);
            refusals = DatagramChannel.open(family);
            refusals.bind(new InetSocketAddress(bind.getAddress(), 0));
            refusals.configureBlocking(false);
            long tick = tickNanos(options.timeout());
            for (int i = 0; i < options.eventLoops(); i++) {
                TftpLoop loop = new TftpLoop("tftp-loop-" + i, tick);
                started.add(loop);
            }
        } catch (IOException | RuntimeException e) {
            closeAll(requests, refusals);
            throw e;
        }
        this.channel = requests;
        this.replies = refusals;
        this.loops = List.copyOf(started);
        this.localAddress = (InetSocketAddress) requests.getLocalAddress();
        TftpProblemLog problems = new TftpProblemLog(LOG, Duration.ofMinutes(1).toNanos(), System::nanoTime);
        TftpReadSession.Context context = new TftpReadSession.Context(counters, problems, options.retries(),
                options.timeout().toNanos());
        this.listener = new TftpListener(loops.getFirst(), requests, refusals, family, files, options, context,
                i -> loops.get(i % loops.size()));
        loops.forEach(TftpLoop::start);
        TftpLoop first = loops.getFirst();
        first.execute(() -> {
            try {
                first.register(channel, listener);
            } catch (IOException e) {
                LOG.log(Level.ERROR, "TFTP: cannot listen on {0}: {1}", describe(localAddress), e.toString());
            }
        });
    }

    /**
     * Starts serving on {@code bind} (port 69 for clients that know no other; port 0 picks a free one).
     *
     * @throws IOException if the port cannot be bound
     */
    public static TftpServer start(InetSocketAddress bind, TftpFiles files, TftpServerOptions options)
            throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(options, "options");
        TftpServer server = new TftpServer(bind, files, options);
        LOG.log(Level.INFO, "TFTP server on {0}: blocks up to {1} bytes, windows up to {2}, {3} event loop(s)",
                describe(server.localAddress), Integer.toString(options.maxBlockSize()),
                Integer.toString(options.maxWindowSize()), Integer.toString(options.eventLoops()));
        return server;
    }

    /** The well-known port this server listens on. */
    public int port() {
        return localAddress.getPort();
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Transfers running or being opened now. */
    public int activeTransfers() {
        return listener.activeTransfers();
    }

    public TftpStats stats() {
        return counters.snapshot();
    }

    /**
     * Stops listening and ends every transfer (their clients get ERROR 0 "server stopping"); returns when the event
     * loops have stopped. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        loops.forEach(TftpLoop::stop);
        boolean interrupted = false;
        for (TftpLoop loop : loops) {
            try {
                loop.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        closeAll(channel, replies);
        LOG.log(Level.INFO, "TFTP server on {0} stopped", describe(localAddress));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code host:port}, for log lines (MessageFormat would group a port's digits). */
    static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** How often loops look for expired timeouts: a quarter of the timeout, between 5 and 100 ms. */
    private static long tickNanos(Duration timeout) {
        long quarter = timeout.toNanos() / 4;
        return Math.clamp(quarter, 5_000_000L, 100_000_000L);
    }

    private static void closeAll(DatagramChannel... channels) {
        for (DatagramChannel c : channels) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "TFTP: closing a port: {0}", e.toString());
                }
            }
        }
    }
}
