package org.diskfarm.boot.dhcp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Which datagrams a proxy DHCP server answers, with what, and where the answer goes; no sockets, so that every rule
 * is testable on bytes. {@link ProxyDhcpServer} feeds it what its two sockets receive.
 *
 * <p>The rules (PXE 2.1 section 2.2; RFC 2131 section 4.1):
 * <ul>
 * <li>only BOOTREQUESTs from PXE clients (option 60 starting "PXEClient") with an Ethernet address; everything else
 *     belongs to the network's DHCP server and is ignored without a word;</li>
 * <li>on the DHCP port only DHCPDISCOVER, answered with a ProxyDHCPOFFER; a DHCPREQUEST there selects the DHCP
 *     server's lease, not ours, and is ignored;</li>
 * <li>on the PXE port only DHCPREQUEST, answered with a ProxyDHCPACK; one whose option 54 names another server is
 *     ignored;</li>
 * <li>the {@link BootPolicy} decides the boot file, once per transaction ({@link TransactionAnswers}); no answer
 *     from it, no reply;</li>
 * <li>an offer goes to the relay in {@code giaddr} (port 67), else to {@code ciaddr}:68, else broadcast to
 *     255.255.255.255:68 (a client without an address cannot be reached by unicast, and {@code yiaddr} is zero);
 *     an ACK goes back to the address and port it came from, so it leaves from port 4011, which iPXE checks.</li>
 * </ul>
 * Thread-safe if the policy is: it holds no state but {@link TransactionAnswers}.
 */
final class ProxyDhcpResponder {
    /** Which of the server's two sockets a datagram came in on. */
    enum Port {
        DHCP,
        PXE
    }

    /** What to do with one datagram. */
    sealed interface Outcome {
    }

    /** Send {@code reply} to {@code destination}. */
    record Answer(DhcpPacket reply, InetSocketAddress destination, BootRequest request, BootAnswer answer)
            implements Outcome {
    }

    /** Not ours to answer, or nothing to answer with; {@code why} is for debug logs. */
    record Ignored(String why) implements Outcome {
    }

    /** Not a well-formed DHCP message. */
    record Malformed(DhcpFormatException fault) implements Outcome {
    }

    /** The boot policy failed. */
    record Failed(String mac, RuntimeException fault) implements Outcome {
    }

    private static final InetSocketAddress BROADCAST = new InetSocketAddress(
            DhcpPacket.address(new byte[] {-1, -1, -1, -1}), ProxyDhcpConfig.CLIENT_PORT);

    private final Inet4Address serverId;
    private final BootPolicy policy;
    private final Optional<InetSocketAddress> dhcpReplyTo;
    private final TransactionAnswers transactions;

    ProxyDhcpResponder(Inet4Address serverId, BootPolicy policy, Optional<InetSocketAddress> dhcpReplyTo,
            TransactionAnswers transactions) {
        this.serverId = serverId;
        this.policy = policy;
        this.dhcpReplyTo = dhcpReplyTo;
        this.transactions = transactions;
    }

    /** Decides about one datagram, {@code datagram}'s remaining bytes, received on {@code port}. */
    Outcome handle(ByteBuffer datagram, Port port, InetSocketAddress receivedOn, InetSocketAddress source) {
        DhcpPacket request;
        try {
            request = DhcpPacket.decode(datagram);
        } catch (DhcpFormatException e) {
            return new Malformed(e);
        }
        if (request.op() != DhcpPacket.BOOTREQUEST) {
            return new Ignored("a BOOTREPLY");
        }
        Optional<DhcpMessageType> type = request.messageType();
        if (type.isEmpty()) {
            return new Ignored("BOOTP, or a message type RFC 2131 does not define");
        }
        if (!request.isPxeClient()) {
            return new Ignored("not a PXE client");
        }
        Optional<String> mac = request.macAddress();
        if (mac.isEmpty()) {
            return new Ignored("not an Ethernet client (htype " + request.htype() + ", hlen " + request.hlen() + ")");
        }
        DhcpMessageType expected = port == Port.DHCP ? DhcpMessageType.DISCOVER : DhcpMessageType.REQUEST;
        if (type.get() != expected) {
            return new Ignored(type.get() + " on the " + port + " port");
        }
        if (port == Port.PXE && request.serverId().filter(id -> !id.equals(serverId)).isPresent()) {
            return new Ignored("a REQUEST for server " + request.serverId().get().getHostAddress());
        }
        BootRequest boot = new BootRequest(mac.get(), arch(request), request.hasIpxeUserClass()
                || request.hasIpxeOptions(), request.vendorClass().orElseThrow(), receivedOn, source, type.get());
        Optional<BootAnswer> answer;
        try {
            answer = transactions.answer(boot.mac(), request.xid(), () -> policy.answer(boot));
        } catch (RuntimeException e) {
            return new Failed(boot.mac(), e);
        }
        if (answer.isEmpty()) {
            return new Ignored("the boot policy has no answer for " + boot.mac());
        }
        if (port == Port.DHCP) {
            return new Answer(ProxyDhcpReplies.offer(request, answer.get(), serverId), offerDestination(request),
                    boot, answer.get());
        }
        return new Answer(ProxyDhcpReplies.ack(request, answer.get(), serverId), source, boot, answer.get());
    }

    /** Option 93 if given, else the "Arch:" field of the vendor class. */
    private static Optional<ClientArch> arch(DhcpPacket request) {
        return request.clientArch().or(() -> request.vendorClass().flatMap(ClientArch::fromVendorClass));
    }

    private InetSocketAddress offerDestination(DhcpPacket request) {
        if (dhcpReplyTo.isPresent()) {
            return dhcpReplyTo.get();
        }
        if (!request.giaddr().isAnyLocalAddress()) {
            return new InetSocketAddress(request.giaddr(), ProxyDhcpConfig.DHCP_PORT);
        }
        if (!request.ciaddr().isAnyLocalAddress()) {
            return new InetSocketAddress(request.ciaddr(), ProxyDhcpConfig.CLIENT_PORT);
        }
        return BROADCAST;
    }
}
