package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.boot.dhcp.PxePackets.GUID;
import static org.diskfarm.boot.dhcp.PxePackets.PXE_ROM_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.ascii;
import static org.diskfarm.boot.dhcp.PxePackets.ip;
import static org.diskfarm.boot.dhcp.PxePackets.zeros;

import java.net.Inet4Address;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** What proxy replies hold, down to the byte. */
class ProxyDhcpRepliesTest {
    private static final Inet4Address SERVER = ip("10.0.0.5");

    @Test
    void offerToAPxeRomIsExactlyTheseBytes() {
        DhcpPacket offer = ProxyDhcpReplies.offer(DhcpPacket.decode(PXE_ROM_DISCOVER),
                BootAnswer.of("undionly.kpxe", SERVER), SERVER);

        byte[] expected = PxePackets.pad(0,
                "02 01 06 00",                          // BOOTREPLY, Ethernet, hlen 6, hops 0
                "a1 b2 c3 d4",                          // the client's xid
                "00 00 80 00",                          // secs 0, the client's flags (broadcast)
                "00000000",                             // ciaddr
                "00000000",                             // yiaddr: a proxy hands out no address
                "0a 00 00 05",                          // siaddr: the TFTP server
                "00000000",                             // giaddr
                "525400123456 00000000000000000000",    // the client's chaddr
                zeros(64),                              // sname
                ascii("undionly.kpxe") + zeros(128 - 13), // file
                "63 82 53 63",
                "35 01 02",                             // 53 OFFER
                "36 04 0a 00 00 05",                    // 54 server identifier
                "3c 09" + ascii("PXEClient"),           // 60
                "61 11 00" + GUID,                      // 97 echoed
                "2b 04 06 01 08 ff",                    // 43: PXE_DISCOVERY_CONTROL = 8, END
                "42 08" + ascii("10.0.0.5"),            // 66, because the ROM asked for it in 55
                "43 0d" + ascii("undionly.kpxe"),       // 67
                "ff");
        assertThat(HexFormat.of().formatHex(offer.encode())).isEqualTo(HexFormat.of().formatHex(expected));
    }

    @Test
    void offerHandsOutNoAddressAndCopiesTheClientsFields() {
        DhcpPacket request = DhcpPacket.decode(PxePackets.IPXE_DISCOVER).toBuilder().giaddr(ip("10.1.0.1")).build();

        DhcpPacket offer = ProxyDhcpReplies.offer(request, BootAnswer.of("undionly.kpxe", SERVER), SERVER);

        assertThat(offer.op()).isEqualTo(DhcpPacket.BOOTREPLY);
        assertThat(offer.yiaddr()).isEqualTo(DhcpPacket.ZERO);
        assertThat(offer.ciaddr()).isEqualTo(DhcpPacket.ZERO);
        assertThat(offer.giaddr()).isEqualTo(ip("10.1.0.1"));
        assertThat(offer.xid()).isEqualTo(request.xid());
        assertThat(offer.chaddr()).isEqualTo(request.chaddr());
        assertThat(offer.flags()).isEqualTo(request.flags());
        assertThat(offer.messageType()).contains(DhcpMessageType.OFFER);
    }

    @Test
    void ackCarriesTheSameBootInformationAndTheClientsAddress() {
        DhcpPacket request = PxePackets.pxeRequest(DhcpPacket.decode(PXE_ROM_DISCOVER), ip("10.0.0.77"), SERVER);

        DhcpPacket ack = ProxyDhcpReplies.ack(request, BootAnswer.of("undionly.kpxe", SERVER), SERVER);

        assertThat(ack.messageType()).contains(DhcpMessageType.ACK);
        assertThat(ack.ciaddr()).isEqualTo(ip("10.0.0.77"));
        assertThat(ack.yiaddr()).isEqualTo(DhcpPacket.ZERO);
        assertThat(ack.siaddr()).isEqualTo(SERVER);
        assertThat(ack.file()).isEqualTo("undionly.kpxe");
        assertThat(ack.options().getText(DhcpOptionCodes.BOOT_FILE_NAME)).contains("undionly.kpxe");
        assertThat(ack.serverId()).contains(SERVER);
        assertThat(ack.vendorClass()).contains("PXEClient");
        assertThat(ack.options().get(DhcpOptionCodes.VENDOR_SPECIFIC)).hasValueSatisfying(v ->
                assertThat(v).containsExactly(6, 1, 8, 0xff));
    }

    @Test
    void ackEchoesTheClientsBootItem() {
        DhcpPacket discover = DhcpPacket.decode(PXE_ROM_DISCOVER);
        DhcpPacket request = PxePackets.pxeRequest(discover, ip("10.0.0.77"), SERVER).toBuilder()
                .options(PxePackets.pxeRequest(discover, ip("10.0.0.77"), SERVER).options().toBuilder()
                        .put(DhcpOptionCodes.VENDOR_SPECIFIC, new byte[] {71, 4, (byte) 0x80, 0, 0, 0, (byte) 0xff})
                        .build())
                .build();

        DhcpPacket ack = ProxyDhcpReplies.ack(request, BootAnswer.of("undionly.kpxe", SERVER), SERVER);

        assertThat(ack.options().get(DhcpOptionCodes.VENDOR_SPECIFIC)).hasValueSatisfying(v ->
                assertThat(v).containsExactly(6, 1, 8, 71, 4, 0x80, 0, 0, 0, 0xff));
    }

    @Test
    void malformedVendorOptionsAreNotEchoed() {
        DhcpPacket request = DhcpPacket.decode(PXE_ROM_DISCOVER).toBuilder()
                .options(DhcpPacket.decode(PXE_ROM_DISCOVER).options().toBuilder()
                        .put(DhcpOptionCodes.VENDOR_SPECIFIC, new byte[] {71, 9, 1, 2})
                        .build())
                .build();

        assertThat(ProxyDhcpReplies.bootItem(request)).isEmpty();
    }

    @Test
    void urlTooLongForTheFileFieldGoesInOption67Only() {
        String url = "http://10.0.0.5:8080/boot/" + "x".repeat(120) + ".ipxe";

        DhcpPacket offer = ProxyDhcpReplies.offer(DhcpPacket.decode(PXE_ROM_DISCOVER), BootAnswer.of(url, SERVER),
                SERVER);

        assertThat(offer.file()).isEmpty();
        assertThat(offer.options().getText(DhcpOptionCodes.BOOT_FILE_NAME)).contains(url);
    }

    @Test
    void option66GoesOnlyToClientsThatAskForIt() {
        DhcpPacket offer = ProxyDhcpReplies.offer(PxePackets.uefiDiscover(7).toBuilder()
                .options(PxePackets.uefiDiscover(7).options().toBuilder()
                        .put(DhcpOptionCodes.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 67}).build()).build(),
                BootAnswer.of("ipxe.efi", SERVER), SERVER);

        assertThat(offer.options().contains(DhcpOptionCodes.TFTP_SERVER_NAME)).isFalse();
        assertThat(offer.options().contains(DhcpOptionCodes.BOOT_FILE_NAME)).isTrue();
    }

    @Test
    void noMachineIdIsInventedForClientsThatSentNone() {
        DhcpPacket offer = ProxyDhcpReplies.offer(DhcpPacket.builder().build(), BootAnswer.of("a", SERVER), SERVER);

        assertThat(offer.clientMachineId()).isEmpty();
    }

    @Test
    void theLargestReplyFitsTheMinimumEveryClientAccepts() {
        DhcpPacket discover = DhcpPacket.decode(PXE_ROM_DISCOVER);
        DhcpPacket request = PxePackets.pxeRequest(discover, ip("10.0.0.77"), ip("255.255.255.255")).toBuilder()
                .options(PxePackets.pxeRequest(discover, ip("10.0.0.77"), SERVER).options().toBuilder()
                        .put(DhcpOptionCodes.VENDOR_SPECIFIC, new byte[] {71, 4, 0, 0, 0, 0, (byte) 0xff}).build())
                .build();

        DhcpPacket ack = ProxyDhcpReplies.ack(request, BootAnswer.of("x".repeat(255), ip("255.255.255.254")),
                SERVER);

        assertThat(ack.encodedSize()).isEqualTo(566).isLessThanOrEqualTo(576);
    }
}
