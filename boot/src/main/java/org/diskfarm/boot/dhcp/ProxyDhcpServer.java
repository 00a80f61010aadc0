package org.diskfarm.boot.dhcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy DHCP server for PXE (PXE 2.1 section 2.2.2): it adds boot information to the network's own DHCP service
 * without handing out addresses. It answers PXE clients' DHCPDISCOVERs on the DHCP port (67) with ProxyDHCPOFFERs
 * and their ProxyDHCPREQUESTs on the PXE port (4011) with ProxyDHCPACKs; what to boot comes from a
 * {@link BootPolicy}; the rules of what is answered are in {@link ProxyDhcpResponder}, the replies' contents in
 * {@link ProxyDhcpReplies} (see docs/proxy-dhcp.md).
 *
 * <p>Threads: one virtual thread per socket ({@code proxy-dhcp-<port>}) receives, decides and sends, one datagram at
 * a time; so the policy may be called from two threads at once. {@link #close} closes both sockets and waits for the
 * threads to end.
 *
 * <p>Bad input never ends a thread: malformed datagrams, a failing policy or a failed send are counted in
 * {@link #stats()} and logged at WARNING, at most once per kind and source address per
 * {@link ProxyDhcpConfig#badPacketLogInterval()} ({@link BadPacketLog}); non-PXE traffic is ignored silently (DEBUG).
 * Each answer is logged at INFO.
 */
public final class ProxyDhcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyDhcpServer.class.getName());
    /** Room for any UDP datagram, so that oversized ones are seen whole and refused, not cut and misread. */
    private static final int RECEIVE_BUFFER = 65_536;

    private final DatagramChannel dhcp;
    private final DatagramChannel pxe;
    private final ProxyDhcpResponder responder;
    private final BadPacketLog badPackets;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread dhcpThread;
    private final Thread pxeThread;

    private ProxyDhcpServer(DatagramChannel dhcp, DatagramChannel pxe, ProxyDhcpConfig config, BootPolicy policy) {
        this.dhcp = dhcp;
        this.pxe = pxe;
        this.responder = new ProxyDhcpResponder(config.serverAddress(), policy, config.dhcpReplyTo(),
                new TransactionAnswers(config.clock()));
        this.badPackets = new BadPacketLog(config.badPacketLogInterval(), config.clock(),
                line -> LOG.log(System.Logger.Level.WARNING, line));
        this.dhcpThread = start(dhcp, ProxyDhcpResponder.Port.DHCP);
        this.pxeThread = start(pxe, ProxyDhcpResponder.Port.PXE);
    }

    /**
     * Binds both sockets (SO_REUSEADDR, so that it can share port 67 with a DHCP server on the same host, and
     * SO_BROADCAST, to broadcast offers) and starts serving. Ports under 1024 need CAP_NET_BIND_SERVICE.
     */
    public static ProxyDhcpServer start(ProxyDhcpConfig config, BootPolicy policy) throws IOException {
        Objects.requireNonNull(policy);
        DatagramChannel dhcp = open(new InetSocketAddress(config.bindAddress(), config.dhcpPort()));
        try {
            DatagramChannel pxe = open(new InetSocketAddress(config.bindAddress(), config.pxePort()));
            ProxyDhcpServer server = new ProxyDhcpServer(dhcp, pxe, config, policy);
            LOG.log(System.Logger.Level.INFO, "proxy DHCP listening on {0} and {1} as {2}", server.dhcpAddress(),
                    server.pxeAddress(), config.serverAddress().getHostAddress());
            return server;
        } catch (IOException | RuntimeException e) {
            dhcp.close();
            throw e;
        }
    }

    private static DatagramChannel open(InetSocketAddress bind) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
            channel.bind(bind);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The address and port of the DHCP socket (port 67 unless configured otherwise). */
    public InetSocketAddress dhcpAddress() {
        return localAddress(dhcp);
    }

    /** The address and port of the PXE socket (port 4011 unless configured otherwise). */
    public InetSocketAddress pxeAddress() {
        return localAddress(pxe);
    }

    public ProxyDhcpStats stats() {
        return new ProxyDhcpStats(received.get(), answered.get(), ignored.get(), malformed.get(), failed.get());
    }

    private Thread start(DatagramChannel channel, ProxyDhcpResponder.Port port) {
        return Thread.ofVirtual().name("proxy-dhcp-" + localAddress(channel).getPort())
                .start(() -> serve(channel, port));
    }

    private void serve(DatagramChannel channel, ProxyDhcpResponder.Port port) {
        ByteBuffer buffer = ByteBuffer.allocate(RECEIVE_BUFFER);
        InetSocketAddress local = localAddress(channel);
        while (channel.isOpen()) {
            buffer.clear();
            InetSocketAddress source;
            try {
                source = (InetSocketAddress) channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                badPackets.report("receive failed", local.getAddress(), e.toString());
                continue;
            }
            buffer.flip();
            received.incrementAndGet();
            try {
                handle(channel, port, local, buffer, source);
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                badPackets.report("internal error", source.getAddress(), e.toString());
            }
        }
    }

    private void handle(DatagramChannel channel, ProxyDhcpResponder.Port port, InetSocketAddress local,
            ByteBuffer datagram, InetSocketAddress source) {
        switch (responder.handle(datagram, port, local, source)) {
            case ProxyDhcpResponder.Answer a -> send(channel, a, source);
            case ProxyDhcpResponder.Ignored i -> {
                ignored.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "proxy DHCP: ignored a datagram from {0}: {1}", source, i.why());
            }
            case ProxyDhcpResponder.Malformed m -> {
                malformed.incrementAndGet();
                badPackets.report(m.fault().kind(), source.getAddress(), m.fault().getMessage());
            }
            case ProxyDhcpResponder.Failed f -> {
                failed.incrementAndGet();
                badPackets.report("boot policy failed", source.getAddress(), f.mac() + ": " + f.fault());
            }
        }
    }

    private void send(DatagramChannel channel, ProxyDhcpResponder.Answer a, InetSocketAddress source) {
        try {
            channel.send(ByteBuffer.wrap(a.reply().encode()), a.destination());
        } catch (IOException e) {
            failed.incrementAndGet();
            badPackets.report("send failed", source.getAddress(), "to " + a.destination() + ": " + e);
            return;
        }
        answered.incrementAndGet();
        BootRequest r = a.request();
        LOG.log(System.Logger.Level.INFO, "proxy DHCP: {0} to {1} ({2}{3}) at {4}: {5} from {6}{7}",
                a.reply().messageType().orElseThrow(), r.mac(), r.arch().map(ClientArch::label).orElse("no arch"),
                r.ipxe() ? ", iPXE" : "", a.destination(), a.answer().bootFileName(),
                a.answer().tftpServer().getHostAddress(), a.answer().message().map(m -> "; " + m).orElse(""));
    }

    /** Stops listening and waits for both threads to end. */
    @Override
    public void close() {
        IOException failure = null;
        for (DatagramChannel channel : new DatagramChannel[] {dhcp, pxe}) {
            try {
                channel.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        join(dhcpThread);
        join(pxeThread);
        if (failure != null) {
            throw new UncheckedIOException(failure);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetSocketAddress localAddress(DatagramChannel channel) {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
