package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.boot.dhcp.PxePackets.IPXE_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.PXE_ROM_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.ip;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.diskfarm.boot.dhcp.ProxyDhcpResponder.Answer;
import org.diskfarm.boot.dhcp.ProxyDhcpResponder.Failed;
import org.diskfarm.boot.dhcp.ProxyDhcpResponder.Ignored;
import org.diskfarm.boot.dhcp.ProxyDhcpResponder.Malformed;
import org.diskfarm.boot.dhcp.ProxyDhcpResponder.Outcome;
import org.diskfarm.boot.dhcp.ProxyDhcpResponder.Port;
import org.junit.jupiter.api.Test;

/** Which datagrams the proxy answers, and where the answers go; on bytes, without sockets. */
class ProxyDhcpResponderTest {
    private static final Inet4Address SERVER = ip("10.0.0.5");
    private static final InetSocketAddress DHCP_PORT = new InetSocketAddress(DhcpPacket.ZERO, 67);
    private static final InetSocketAddress PXE_PORT = new InetSocketAddress(DhcpPacket.ZERO, 4011);
    private static final InetSocketAddress UNCONFIGURED = new InetSocketAddress(DhcpPacket.ZERO, 68);
    private static final InetSocketAddress CLIENT = new InetSocketAddress(ip("10.0.0.77"), 4011);

    private final List<BootRequest> asked = new ArrayList<>();
    private BootPolicy policy = IpxeChainPolicy.builder(SERVER, mac -> "http://10.0.0.5/boot/" + mac).build();

    private ProxyDhcpResponder responder(Optional<InetSocketAddress> replyTo) {
        BootPolicy counting = r -> {
            asked.add(r);
            return policy.answer(r);
        };
        return new ProxyDhcpResponder(SERVER, counting, replyTo, new TransactionAnswers(InstantSource.system()));
    }

    private Outcome handle(byte[] datagram, Port port, InetSocketAddress source) {
        return responder(Optional.empty()).handle(ByteBuffer.wrap(datagram), port,
                port == Port.DHCP ? DHCP_PORT : PXE_PORT, source);
    }

    private Outcome discover(byte[] datagram) {
        return handle(datagram, Port.DHCP, UNCONFIGURED);
    }

    private static Answer answer(Outcome o) {
        assertThat(o).isInstanceOf(Answer.class);
        return (Answer) o;
    }

    private static byte[] request(DhcpPacket discover, Inet4Address server) {
        return PxePackets.pxeRequest(discover, ip("10.0.0.77"), server).encode();
    }

    @Test
    void pxeDiscoverGetsAnOfferBroadcastToTheClientPort() {
        Answer a = answer(discover(PXE_ROM_DISCOVER));

        assertThat(a.reply().messageType()).contains(DhcpMessageType.OFFER);
        assertThat(a.destination()).isEqualTo(new InetSocketAddress(ip("255.255.255.255"), 68));
        assertThat(a.reply().file()).isEqualTo("undionly.kpxe");
    }

    @Test
    void relayedDiscoverIsAnsweredThroughTheRelay() {
        byte[] relayed = DhcpPacket.decode(PXE_ROM_DISCOVER).toBuilder().giaddr(ip("10.1.0.1")).build().encode();

        assertThat(answer(discover(relayed)).destination()).isEqualTo(new InetSocketAddress(ip("10.1.0.1"), 67));
    }

    @Test
    void discoverFromAClientWithAnAddressIsAnsweredToIt() {
        byte[] d = DhcpPacket.decode(PXE_ROM_DISCOVER).toBuilder().ciaddr(ip("10.0.0.77")).build().encode();

        assertThat(answer(discover(d)).destination()).isEqualTo(new InetSocketAddress(ip("10.0.0.77"), 68));
    }

    @Test
    void replyDestinationCanBeOverriddenForTests() {
        InetSocketAddress test = new InetSocketAddress(ip("127.0.0.1"), 40000);

        Outcome o = responder(Optional.of(test)).handle(ByteBuffer.wrap(PXE_ROM_DISCOVER), Port.DHCP, DHCP_PORT,
                UNCONFIGURED);

        assertThat(answer(o).destination()).isEqualTo(test);
    }

    @Test
    void requestOnThePxePortGetsAnAckBackToItsSender() {
        Answer a = answer(handle(request(DhcpPacket.decode(PXE_ROM_DISCOVER), SERVER), Port.PXE, CLIENT));

        assertThat(a.reply().messageType()).contains(DhcpMessageType.ACK);
        assertThat(a.destination()).isEqualTo(CLIENT);
        assertThat(a.request().messageType()).isEqualTo(DhcpMessageType.REQUEST);
    }

    @Test
    void requestWithoutServerIdOnThePxePortIsAnswered() {
        DhcpPacket r = DhcpPacket.decode(request(DhcpPacket.decode(PXE_ROM_DISCOVER), SERVER));
        byte[] noServerId = r.toBuilder().options(r.options().toBuilder().remove(DhcpOptionCodes.SERVER_ID).build())
                .build().encode();

        assertThat(handle(noServerId, Port.PXE, CLIENT)).isInstanceOf(Answer.class);
    }

    @Test
    void nonPxeDiscoverIsIgnored() {
        assertThat(discover(PxePackets.plainDiscover().encode())).isEqualTo(new Ignored("not a PXE client"));
        assertThat(asked).isEmpty();
    }

    @Test
    void requestOnTheDhcpPortBelongsToTheDhcpServer() {
        Outcome o = handle(request(DhcpPacket.decode(PXE_ROM_DISCOVER), ip("10.0.0.1")), Port.DHCP, UNCONFIGURED);

        assertThat(o).isEqualTo(new Ignored("REQUEST on the DHCP port"));
        assertThat(asked).isEmpty();
    }

    @Test
    void discoverOnThePxePortIsIgnored() {
        assertThat(handle(PXE_ROM_DISCOVER, Port.PXE, CLIENT)).isEqualTo(new Ignored("DISCOVER on the PXE port"));
    }

    @Test
    void pxeRequestForAnotherServerIsIgnored() {
        Outcome o = handle(request(DhcpPacket.decode(PXE_ROM_DISCOVER), ip("10.0.0.9")), Port.PXE, CLIENT);

        assertThat(o).isEqualTo(new Ignored("a REQUEST for server 10.0.0.9"));
    }

    @Test
    void repliesAndBootpAndNonEthernetAreIgnored() {
        DhcpPacket d = DhcpPacket.decode(PXE_ROM_DISCOVER);
        byte[] reply = d.toBuilder().op(DhcpPacket.BOOTREPLY).build().encode();
        byte[] bootp = d.toBuilder().options(d.options().toBuilder().remove(DhcpOptionCodes.MESSAGE_TYPE).build())
                .build().encode();
        byte[] infiniband = d.toBuilder().htype(32).hlen(0).build().encode();

        assertThat(discover(reply)).isInstanceOf(Ignored.class);
        assertThat(discover(bootp)).isInstanceOf(Ignored.class);
        assertThat(discover(infiniband)).isInstanceOf(Ignored.class);
        assertThat(asked).isEmpty();
    }

    @Test
    void malformedDatagramIsReportedWithItsFault() {
        Outcome o = discover(new byte[10]);

        assertThat(o).isInstanceOf(Malformed.class);
        assertThat(((Malformed) o).fault().kind()).isEqualTo(DhcpFormatException.Kind.TRUNCATED);
    }

    @Test
    void noAnswerFromThePolicyMeansNoReply() {
        policy = r -> Optional.empty();

        assertThat(discover(PXE_ROM_DISCOVER)).isInstanceOf(Ignored.class);
        assertThat(asked).hasSize(1);
    }

    @Test
    void failingPolicyIsReportedNotThrown() {
        policy = r -> {
            throw new IllegalStateException("database away");
        };

        Outcome o = discover(PXE_ROM_DISCOVER);

        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).mac()).isEqualTo(PxePackets.MAC);
    }

    @Test
    void bootRequestSaysWhoAsked() {
        answer(discover(IPXE_DISCOVER));

        BootRequest r = asked.getFirst();
        assertThat(r.mac()).isEqualTo(PxePackets.MAC);
        assertThat(r.arch()).contains(ClientArch.BIOS_X86);
        assertThat(r.ipxe()).isTrue();
        assertThat(r.vendorClass()).isEqualTo("PXEClient:Arch:00000:UNDI:002001");
        assertThat(r.receivedOn()).isEqualTo(DHCP_PORT);
        assertThat(r.source()).isEqualTo(UNCONFIGURED);
        assertThat(r.messageType()).isEqualTo(DhcpMessageType.DISCOVER);
    }

    @Test
    void ipxeIsRecognisedByItsEncapsulatedOptionsAlone() {
        DhcpPacket d = DhcpPacket.decode(IPXE_DISCOVER);
        byte[] noUserClass = d.toBuilder().options(d.options().toBuilder().remove(DhcpOptionCodes.USER_CLASS)
                .build()).build().encode();

        answer(discover(noUserClass));

        assertThat(asked.getFirst().ipxe()).isTrue();
    }

    @Test
    void architectureComesFromTheVendorClassWhenOption93IsMissing() {
        DhcpPacket d = PxePackets.uefiDiscover(7);
        byte[] no93 = d.toBuilder().options(d.options().toBuilder().remove(DhcpOptionCodes.CLIENT_ARCH).build())
                .build().encode();

        assertThat(answer(discover(no93)).reply().file()).isEqualTo("ipxe.efi");
    }

    @Test
    void retransmissionsOfOneTransactionGetTheSameAnswer() {
        ProxyDhcpResponder r = responder(Optional.empty());

        Answer first = answer(r.handle(ByteBuffer.wrap(IPXE_DISCOVER), Port.DHCP, DHCP_PORT, UNCONFIGURED));
        Answer again = answer(r.handle(ByteBuffer.wrap(IPXE_DISCOVER), Port.DHCP, DHCP_PORT, UNCONFIGURED));
        byte[] proxyRequest = request(DhcpPacket.decode(IPXE_DISCOVER), SERVER);
        Answer ack = answer(r.handle(ByteBuffer.wrap(proxyRequest), Port.PXE, PXE_PORT, CLIENT));

        assertThat(first.reply().file()).isEqualTo("undionly.kpxe");
        assertThat(again.reply().file()).isEqualTo("undionly.kpxe");
        assertThat(ack.reply().file()).isEqualTo("undionly.kpxe");
        assertThat(asked).hasSize(1);
    }

    @Test
    void theNextTransactionOfTheSameIpxeIsChainedToTheScript() {
        ProxyDhcpResponder r = responder(Optional.empty());
        byte[] next = DhcpPacket.decode(IPXE_DISCOVER).toBuilder().xid(0x0badcafe).build().encode();

        r.handle(ByteBuffer.wrap(IPXE_DISCOVER), Port.DHCP, DHCP_PORT, UNCONFIGURED);
        Answer a = answer(r.handle(ByteBuffer.wrap(next), Port.DHCP, DHCP_PORT, UNCONFIGURED));

        assertThat(a.reply().options().getText(DhcpOptionCodes.BOOT_FILE_NAME))
                .contains("http://10.0.0.5/boot/52:54:00:12:34:56");
        assertThat(a.reply().siaddr()).isEqualTo(SERVER);
    }
}
