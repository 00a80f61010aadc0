package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.boot.dhcp.PxePackets.IPXE_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.PXE_ROM_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.ip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server on real sockets: 127.0.0.1, free ports, offers sent to the test's socket instead of broadcast.
 * "No answer" is shown without waiting for a timeout: each socket handles its datagrams in order, so when the reply
 * to a later datagram is the first to arrive, the earlier ones had none. The receive timeout only stops a hung test.
 */
class ProxyDhcpServerTest {
    private static final Inet4Address LOOPBACK = ip("127.0.0.1");

    private DatagramSocket client;
    private ProxyDhcpServer server;

    @BeforeEach
    void openClient() throws IOException {
        client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        client.setSoTimeout(30_000);
    }

    @AfterEach
    void closeAll() {
        if (server != null) {
            server.close();
        }
        client.close();
    }

    private void start(BootPolicy policy) throws IOException {
        server = ProxyDhcpServer.start(ProxyDhcpConfig.builder(LOOPBACK).bindAddress(LOOPBACK).dhcpPort(0).pxePort(0)
                .dhcpReplyTo((InetSocketAddress) client.getLocalSocketAddress()).build(), policy);
    }

    private void startChain() throws IOException {
        start(IpxeChainPolicy.builder(LOOPBACK, mac -> "http://127.0.0.1:8080/boot/" + mac + ".ipxe").build());
    }

    private void sendDhcp(byte[] datagram) throws IOException {
        client.send(new DatagramPacket(datagram, datagram.length, server.dhcpAddress()));
    }

    private void sendPxe(byte[] datagram) throws IOException {
        client.send(new DatagramPacket(datagram, datagram.length, server.pxeAddress()));
    }

    private record Received(DhcpPacket packet, InetSocketAddress from) {
    }

    private Received receive() throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        client.receive(p);
        return new Received(DhcpPacket.decode(Arrays.copyOf(p.getData(), p.getLength())),
                (InetSocketAddress) p.getSocketAddress());
    }

    private static byte[] withXid(byte[] datagram, int xid) {
        return DhcpPacket.decode(datagram).toBuilder().xid(xid).build().encode();
    }

    @Test
    void pxeDiscoverGetsAProxyOffer() throws IOException {
        startChain();

        sendDhcp(PXE_ROM_DISCOVER);
        Received r = receive();

        DhcpPacket offer = r.packet();
        assertThat(r.from()).isEqualTo(server.dhcpAddress());
        assertThat(offer.op()).isEqualTo(DhcpPacket.BOOTREPLY);
        assertThat(offer.xid()).isEqualTo(PxePackets.XID);
        assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
        assertThat(offer.yiaddr()).isEqualTo(DhcpPacket.ZERO);
        assertThat(offer.siaddr()).isEqualTo(LOOPBACK);
        assertThat(offer.file()).isEqualTo("undionly.kpxe");
        assertThat(offer.options().getText(DhcpOptionCodes.BOOT_FILE_NAME)).contains("undionly.kpxe");
        assertThat(offer.vendorClass()).contains("PXEClient");
        assertThat(offer.serverId()).contains(LOOPBACK);
        assertThat(offer.options().get(DhcpOptionCodes.VENDOR_SPECIFIC)).hasValueSatisfying(v ->
                assertThat(v).containsExactly(6, 1, 8, 0xff));
        assertThat(offer.clientMachineId()).hasValueSatisfying(id ->
                assertThat(HexFormat.of().formatHex(id)).isEqualTo("00" + PxePackets.GUID));
        assertThat(offer.macAddress()).contains(PxePackets.MAC);
    }

    @Test
    void requestOnThePxePortGetsAnAckFromThePxePort() throws IOException {
        startChain();
        byte[] request = PxePackets.pxeRequest(DhcpPacket.decode(PXE_ROM_DISCOVER), LOOPBACK, LOOPBACK).encode();

        sendPxe(request);
        Received r = receive();

        // iPXE drops a ProxyDHCPACK that does not come from port 4011 (src/net/udp/dhcp.c, dhcp_proxy_rx)
        assertThat(r.from()).isEqualTo(server.pxeAddress());
        assertThat(r.packet().messageType()).contains(DhcpMessageType.ACK);
        assertThat(r.packet().yiaddr()).isEqualTo(DhcpPacket.ZERO);
        assertThat(r.packet().siaddr()).isEqualTo(LOOPBACK);
        assertThat(r.packet().file()).isEqualTo("undionly.kpxe");
        assertThat(r.packet().serverId()).contains(LOOPBACK);
    }

    @Test
    void nonPxeDiscoverGetsNoAnswer() throws IOException {
        startChain();

        sendDhcp(withXid(PxePackets.plainDiscover().encode(), 1));
        sendDhcp(withXid(PXE_ROM_DISCOVER, 2));

        assertThat(receive().packet().xid()).isEqualTo(2);
        assertThat(server.stats().ignored()).isEqualTo(1);
    }

    @Test
    void uefiArch9GetsIpxeEfi() throws IOException {
        startChain();

        sendDhcp(PxePackets.uefiDiscover(9).encode());

        assertThat(receive().packet().file()).isEqualTo("ipxe.efi");
    }

    @Test
    void ipxeGetsTheBinaryThenTheScriptUrl() throws IOException {
        startChain();

        sendDhcp(withXid(IPXE_DISCOVER, 1));
        DhcpPacket first = receive().packet();
        sendDhcp(withXid(IPXE_DISCOVER, 1));
        DhcpPacket retransmitted = receive().packet();
        sendDhcp(withXid(IPXE_DISCOVER, 2));
        DhcpPacket next = receive().packet();

        assertThat(first.file()).isEqualTo("undionly.kpxe");
        assertThat(retransmitted.file()).isEqualTo("undionly.kpxe");
        assertThat(next.options().getText(DhcpOptionCodes.BOOT_FILE_NAME))
                .contains("http://127.0.0.1:8080/boot/52:54:00:12:34:56.ipxe");
        assertThat(next.file()).isEqualTo("http://127.0.0.1:8080/boot/52:54:00:12:34:56.ipxe");
        assertThat(next.siaddr()).isEqualTo(LOOPBACK);
    }

    @Test
    void badDatagramsAreDroppedAndTheNextGoodOneIsAnswered() throws IOException {
        startChain();
        byte[] garbage = new byte[400];
        new Random(7).nextBytes(garbage);
        byte[] loop = PxePackets.pad(0, "01 01 06 00 00000001 0000 0000", PxePackets.zeros(16), "525400123456",
                PxePackets.zeros(10 + 64), "34 01 03 ff", PxePackets.zeros(124), "63825363", "35 01 01 34 01 01 ff");

        sendDhcp(new byte[10]);
        sendDhcp(Arrays.copyOf(PXE_ROM_DISCOVER, DhcpPacket.MAX_SIZE + 28));
        sendDhcp(loop);
        sendDhcp(garbage);
        sendPxe(Arrays.copyOf(PXE_ROM_DISCOVER, 300));
        sendDhcp(withXid(PXE_ROM_DISCOVER, 42));

        assertThat(receive().packet().xid()).isEqualTo(42);
        server.close();
        assertThat(server.stats()).isEqualTo(new ProxyDhcpStats(6, 1, 0, 5, 0));
    }

    @Test
    void failingPolicyLeavesTheServerServing() throws IOException {
        start(r -> {
            if (r.mac().equals(PxePackets.MAC)) {
                throw new IllegalStateException("no farm");
            }
            return java.util.Optional.of(BootAnswer.of("undionly.kpxe", LOOPBACK));
        });
        byte[] otherMac = DhcpPacket.decode(PXE_ROM_DISCOVER).toBuilder()
                .hardwareAddress(new byte[] {0x52, 0x54, 0, 0, 0, 2}).xid(2).build().encode();

        sendDhcp(PXE_ROM_DISCOVER);
        sendDhcp(otherMac);

        assertThat(receive().packet().macAddress()).contains("52:54:00:00:00:02");
        server.close();
        assertThat(server.stats().failed()).isEqualTo(1);
    }

    @Test
    void boundToAllAddressesRepliesLeaveFromTheServerAddressAndTheDhcpPort() throws IOException {
        server = ProxyDhcpServer.start(ProxyDhcpConfig.builder(LOOPBACK).dhcpPort(0).pxePort(0)
                .dhcpReplyTo((InetSocketAddress) client.getLocalSocketAddress()).build(),
                r -> java.util.Optional.of(BootAnswer.of("undionly.kpxe", LOOPBACK)));
        int port = server.dhcpAddress().getPort();

        // 127.0.0.2 is this host too, but only the wildcard socket listens there
        byte[] d = withXid(PXE_ROM_DISCOVER, 1);
        client.send(new DatagramPacket(d, d.length, new InetSocketAddress(ip("127.0.0.2"), port)));
        Received viaWildcard = receive();
        byte[] u = withXid(PXE_ROM_DISCOVER, 2);
        client.send(new DatagramPacket(u, u.length, new InetSocketAddress(LOOPBACK, port)));
        Received viaServerAddress = receive();

        assertThat(server.dhcpAddress().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(viaWildcard.from()).isEqualTo(new InetSocketAddress(LOOPBACK, port));
        assertThat(viaWildcard.packet().xid()).isEqualTo(1);
        assertThat(viaServerAddress.from()).isEqualTo(new InetSocketAddress(LOOPBACK, port));
        assertThat(viaServerAddress.packet().xid()).isEqualTo(2);
    }

    @Test
    void closeReleasesBothPorts() throws IOException {
        startChain();
        InetSocketAddress dhcp = server.dhcpAddress();
        InetSocketAddress pxe = server.pxeAddress();

        server.close();

        try (DatagramChannel a = DatagramChannel.open().bind(dhcp); DatagramChannel b = DatagramChannel.open().bind(pxe)) {
            assertThat(a.getLocalAddress()).isEqualTo(dhcp);
            assertThat(b.getLocalAddress()).isEqualTo(pxe);
        }
        server = null;
    }
}
