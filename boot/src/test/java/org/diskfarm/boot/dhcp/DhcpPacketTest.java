package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.diskfarm.boot.dhcp.PxePackets.ip;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Building, encoding and decoding {@link DhcpPacket}s, and the typed accessors. */
class DhcpPacketTest {

    private static DhcpPacket full() {
        return DhcpPacket.builder()
                .op(DhcpPacket.BOOTREPLY).htype(1).hardwareAddress(new byte[] {0x52, 0x54, 0, 1, 2, 3}).hops(2)
                .xid(0x01020304).secs(7).flags(DhcpPacket.FLAG_BROADCAST)
                .ciaddr(ip("10.0.0.9")).yiaddr(ip("10.0.0.10")).siaddr(ip("10.0.0.5")).giaddr(ip("10.1.0.1"))
                .sname("boot-server").file("undionly.kpxe")
                .options(DhcpOptions.builder()
                        .putByte(DhcpOptionCodes.MESSAGE_TYPE, 2)
                        .put(DhcpOptionCodes.SERVER_ID, ip("10.0.0.5").getAddress())
                        .putText(DhcpOptionCodes.VENDOR_CLASS, "PXEClient")
                        .build())
                .build();
    }

    @Test
    void everyHeaderFieldAndOptionRoundTrips() {
        DhcpPacket p = full();

        assertThat(DhcpPacket.decode(p.encode())).isEqualTo(p);
    }

    @Test
    void encodingIsPaddedToTheBootpMinimumOf300Bytes() {
        byte[] wire = full().encode();

        assertThat(wire).hasSize(DhcpPacket.MIN_ENCODED_SIZE);
        assertThat(full().encodedSize()).isEqualTo(300);
    }

    @Test
    void decodingLeavesTheBufferPositionAlone() {
        ByteBuffer b = ByteBuffer.wrap(full().encode());

        DhcpPacket.decode(b);

        assertThat(b.position()).isZero();
    }

    @Test
    void encodeToWritesAtTheBufferPosition() {
        ByteBuffer b = ByteBuffer.allocate(400);
        b.position(50);

        full().encodeTo(b);

        assertThat(b.position()).isEqualTo(350);
        assertThat(DhcpPacket.decode(b.flip().position(50))).isEqualTo(full());
    }

    @Test
    void userClassInIpxeBareFormIsOneClass() {
        DhcpPacket p = withOption(DhcpOptionCodes.USER_CLASS, "iPXE".getBytes(StandardCharsets.US_ASCII));

        assertThat(p.userClasses()).containsExactly("iPXE");
        assertThat(p.hasIpxeUserClass()).isTrue();
    }

    @Test
    void userClassInRfc3004FormIsItsList() {
        DhcpPacket p = withOption(DhcpOptionCodes.USER_CLASS,
                "\u0004iPXE\u0003lab".getBytes(StandardCharsets.US_ASCII));

        assertThat(p.userClasses()).containsExactly("iPXE", "lab");
        assertThat(p.hasIpxeUserClass()).isTrue();
    }

    @Test
    void userClassThatIsNotIpxeIsNotIpxe() {
        DhcpPacket p = withOption(DhcpOptionCodes.USER_CLASS, "gPXE".getBytes(StandardCharsets.US_ASCII));

        assertThat(p.hasIpxeUserClass()).isFalse();
    }

    @Test
    void clientArchListsEveryArchitectureAndTheFirstIsTheClients() {
        DhcpPacket p = withOption(DhcpOptionCodes.CLIENT_ARCH, new byte[] {0, 7, 0, 0x10});

        assertThat(p.clientArchs()).containsExactly(ClientArch.UEFI_X64, ClientArch.UEFI_X64_HTTP);
        assertThat(p.clientArch()).contains(ClientArch.UEFI_X64);
    }

    @Test
    void addressOptionsAreTyped() {
        DhcpPacket p = DhcpPacket.decode(DhcpPacket.builder().options(DhcpOptions.builder()
                .put(DhcpOptionCodes.REQUESTED_IP, ip("10.0.0.77").getAddress())
                .put(DhcpOptionCodes.SERVER_ID, ip("10.0.0.5").getAddress())
                .build()).build().encode());

        assertThat(p.requestedIp()).contains(ip("10.0.0.77"));
        assertThat(p.serverId()).contains(ip("10.0.0.5"));
    }

    @Test
    void absentOptionsGiveEmptyAnswers() {
        DhcpPacket p = DhcpPacket.builder().build();

        assertThat(p.messageType()).isEmpty();
        assertThat(p.clientArch()).isEmpty();
        assertThat(p.clientMachineId()).isEmpty();
        assertThat(p.vendorClass()).isEmpty();
        assertThat(p.isPxeClient()).isFalse();
        assertThat(p.userClasses()).isEmpty();
        assertThat(p.requestedIp()).isEmpty();
        assertThat(p.serverId()).isEmpty();
        assertThat(p.parameterRequestList()).isEmpty();
        assertThat(p.maxMessageSize()).isEmpty();
        assertThat(p.hasIpxeOptions()).isFalse();
    }

    @Test
    void macAddressIsOnlyForEthernet() {
        DhcpPacket ethernet = DhcpPacket.builder().hardwareAddress(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x56})
                .build();
        DhcpPacket infiniband = ethernet.toBuilder().htype(32).build();

        assertThat(ethernet.macAddress()).contains("52:54:00:12:34:56");
        assertThat(infiniband.macAddress()).isEmpty();
        assertThat(infiniband.hardwareAddress()).isEqualTo("52:54:00:12:34:56");
    }

    @Test
    void chaddrIsCopiedInAndOut() {
        byte[] field = new byte[16];
        DhcpPacket p = DhcpPacket.builder().chaddr(field).build();
        field[0] = 1;
        p.chaddr()[1] = 1;

        assertThat(p.chaddr()).containsOnly(0);
    }

    @Test
    void textThatDoesNotFitItsFieldIsRefused() {
        assertThatThrownBy(() -> DhcpPacket.builder().file("x".repeat(129)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file");
        assertThatThrownBy(() -> DhcpPacket.builder().sname("a\u0000b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
    }

    @Test
    void vendorClassGivesTheArchitectureOfClientsWithoutOption93() {
        assertThat(ClientArch.fromVendorClass("PXEClient:Arch:00000:UNDI:002001")).contains(ClientArch.BIOS_X86);
        assertThat(ClientArch.fromVendorClass("PXEClient:Arch:00009")).contains(ClientArch.UEFI_X64_ALT);
        assertThat(ClientArch.fromVendorClass("PXEClient")).isEmpty();
        assertThat(ClientArch.fromVendorClass("PXEClient:Arch:99999:UNDI:002001")).isEmpty();
        assertThat(ClientArch.fromVendorClass("PXEClient:Arch:0x7:UNDI:002001")).isEmpty();
        assertThat(ClientArch.fromVendorClass("HTTPClient:Arch:00016")).isEmpty();
    }

    private static DhcpPacket withOption(int code, byte[] value) {
        return DhcpPacket.decode(DhcpPacket.builder().options(DhcpOptions.builder().put(code, value).build())
                .build().encode());
    }
}
