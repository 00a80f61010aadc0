package org.diskfarm.boot.dhcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A proxy DHCP server for PXE (PXE 2.1 section 2.2.2): it adds boot information to the network's own DHCP service
 * without handing out addresses. It answers PXE clients' DHCPDISCOVERs on the DHCP port (67) with ProxyDHCPOFFERs
 * and their ProxyDHCPREQUESTs on the PXE port (4011) with ProxyDHCPACKs; what to boot comes from a
 * {@link BootPolicy}; the rules of what is answered are in {@link ProxyDhcpResponder}, the replies' contents in
 * {@link ProxyDhcpReplies} (see docs/proxy-dhcp.md).
 *
 * <p>Sockets. Bound to a given address, there is one socket per port. Bound to the wildcard (the default, and the only
 * way to receive clients' broadcasts on Linux), the DHCP port has a second socket bound to the server address, which
 * sends every reply of that port and receives what is unicast to it (from relays). The JDK offers neither IP_PKTINFO
 * nor SO_BINDTODEVICE to choose the interface of a broadcast; a socket bound to the server address does it, because
 * Linux sends a limited broadcast from a bound source address out of the interface that owns that address (route.c,
 * ip_route_output_key_hash_rcu). From the wildcard socket it would follow the routing table: out of the interface of
 * the default route, or nowhere ("Network is unreachable") on a boot network without one.
 *
 * <p>Threads: one virtual thread per socket ({@code proxy-dhcp-<address>:<port>}) receives, decides and sends, one
 * datagram at a time; so the policy may be called from several threads at once. {@link #close} closes the sockets
 * and waits for the threads to end.
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

    /** A socket that receives for {@code port} and the socket that sends its replies. */
    private record Listener(DatagramChannel channel, ProxyDhcpResponder.Port port, DatagramChannel sender) {
    }

    private final DatagramChannel dhcp;
    private final DatagramChannel pxe;
    private final List<Listener> listeners;
    private final ProxyDhcpResponder responder;
    private final BadPacketLog badPackets;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    private ProxyDhcpServer(List<Listener> listeners, ProxyDhcpConfig config, BootPolicy policy) {
        this.listeners = listeners;
        this.dhcp = listeners.getFirst().channel();
        this.pxe = listeners.get(1).channel();
        this.responder = new ProxyDhcpResponder(config.serverAddress(), policy, config.dhcpReplyTo(),
                new TransactionAnswers(config.clock()));
        this.badPackets = new BadPacketLog(config.badPacketLogInterval(), config.clock(),
                line -> LOG.log(System.Logger.Level.WARNING, line));
        for (Listener l : listeners) {
            threads.add(Thread.ofVirtual().name("proxy-dhcp-" + address(l.channel())).start(() -> serve(l)));
        }
    }

    /**
     * Binds the sockets (SO_REUSEADDR, so that port 67 can be shared with a DHCP server on the same host, and
     * SO_BROADCAST, to broadcast offers) and starts serving. Ports under 1024 need CAP_NET_BIND_SERVICE.
     */
    public static ProxyDhcpServer start(ProxyDhcpConfig config, BootPolicy policy) throws IOException {
        Objects.requireNonNull(policy);
        List<DatagramChannel> opened = new ArrayList<>();
        try {
            DatagramChannel dhcp = open(new InetSocketAddress(config.bindAddress(), config.dhcpPort()), opened);
            DatagramChannel pxe = open(new InetSocketAddress(config.bindAddress(), config.pxePort()), opened);
            List<Listener> listeners = new ArrayList<>();
            if (config.bindAddress().isAnyLocalAddress()) {
                DatagramChannel local = open(new InetSocketAddress(config.serverAddress(), address(dhcp).getPort()),
                        opened);
                listeners.add(new Listener(dhcp, ProxyDhcpResponder.Port.DHCP, local));
                listeners.add(new Listener(pxe, ProxyDhcpResponder.Port.PXE, pxe));
                listeners.add(new Listener(local, ProxyDhcpResponder.Port.DHCP, local));
            } else {
                listeners.add(new Listener(dhcp, ProxyDhcpResponder.Port.DHCP, dhcp));
                listeners.add(new Listener(pxe, ProxyDhcpResponder.Port.PXE, pxe));
            }
            ProxyDhcpServer server = new ProxyDhcpServer(List.copyOf(listeners), config, policy);
            LOG.log(System.Logger.Level.INFO, "proxy DHCP listening on {0} as {1}", listeners.stream()
                    .map(l -> address(l.channel()).toString()).toList(), config.serverAddress().getHostAddress());
            return server;
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : opened) {
                c.close();
            }
            throw e;
        }
    }

    private static DatagramChannel open(InetSocketAddress bind, List<DatagramChannel> opened) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        opened.add(channel);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
        channel.bind(bind);
        return channel;
    }

    /**
     * The address and port of the DHCP socket (port 67 unless configured otherwise); bound to the wildcard, the server
     * address has a socket on the same port as well.
     */
    public InetSocketAddress dhcpAddress() {
        return address(dhcp);
    }

    /** The address and port of the PXE socket (port 4011 unless configured otherwise). */
    public InetSocketAddress pxeAddress() {
        return address(pxe);
    }

    public ProxyDhcpStats stats() {
        return new ProxyDhcpStats(received.get(), answered.get(), ignored.get(), malformed.get(), failed.get());
    }

    private void serve(Listener listener) {
        DatagramChannel channel = listener.channel();
        ByteBuffer buffer = ByteBuffer.allocate(RECEIVE_BUFFER);
        InetSocketAddress local = address(channel);
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
                handle(listener, local, buffer, source);
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                badPackets.report("internal error", source.getAddress(), e.toString());
            }
        }
    }

    private void handle(Listener listener, InetSocketAddress local, ByteBuffer datagram, InetSocketAddress source) {
        switch (responder.handle(datagram, listener.port(), local, source)) {
            case ProxyDhcpResponder.Answer a -> send(listener.sender(), a, source);
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

    /** Stops listening and waits for the threads to end. */
    @Override
    public void close() {
        IOException failure = null;
        for (Listener l : listeners) {
            try {
                l.channel().close();
            } catch (IOException e) {
                failure = e;
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure != null) {
            throw new UncheckedIOException(failure);
        }
    }

    private static InetSocketAddress address(DatagramChannel channel) {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
