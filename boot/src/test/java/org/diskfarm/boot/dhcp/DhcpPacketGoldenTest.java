package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.boot.dhcp.PxePackets.GUID;
import static org.diskfarm.boot.dhcp.PxePackets.IPXE_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.PXE_ROM_DISCOVER;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The codec against datagrams written out byte by byte as real PXE clients send them (see {@link PxePackets}). */
class DhcpPacketGoldenTest {

    @Test
    void pxeRomDiscoverDecodesToWhatTheRomSent() {
        DhcpPacket p = DhcpPacket.decode(PXE_ROM_DISCOVER);

        assertThat(p.op()).isEqualTo(DhcpPacket.BOOTREQUEST);
        assertThat(p.xid()).isEqualTo(0xa1b2c3d4);
        assertThat(p.secs()).isEqualTo(4);
        assertThat(p.isBroadcast()).isTrue();
        assertThat(p.macAddress()).contains(PxePackets.MAC);
        assertThat(p.ciaddr()).isEqualTo(DhcpPacket.ZERO);
        assertThat(p.sname()).isEmpty();
        assertThat(p.file()).isEmpty();
        assertThat(p.options().codes()).containsExactly(53, 57, 93, 94, 97, 60, 55);
        assertThat(p.messageType()).contains(DhcpMessageType.DISCOVER);
        assertThat(p.maxMessageSize()).hasValue(1472);
        assertThat(p.clientArch()).contains(ClientArch.BIOS_X86);
        assertThat(p.clientMachineId()).hasValueSatisfying(id ->
                assertThat(HexFormat.of().formatHex(id)).isEqualTo("00" + GUID));
        assertThat(p.vendorClass()).contains("PXEClient:Arch:00000:UNDI:002001");
        assertThat(p.isPxeClient()).isTrue();
        assertThat(p.hasIpxeUserClass()).isFalse();
        assertThat(p.hasIpxeOptions()).isFalse();
        assertThat(p.parameterRequestList()).hasSize(35).contains(43, 60, 66, 67, 128, 135);
    }

    @Test
    void pxeRomDiscoverReencodesToTheSameBytesUpToItsPadding() {
        byte[] encoded = DhcpPacket.decode(PXE_ROM_DISCOVER).encode();

        assertThat(encoded).hasSize(347).isEqualTo(Arrays.copyOf(PXE_ROM_DISCOVER, encoded.length));
        assertThat(Arrays.copyOfRange(PXE_ROM_DISCOVER, encoded.length, PXE_ROM_DISCOVER.length))
                .containsOnly(0);
    }

    @Test
    void ipxeDiscoverDecodesToWhatIpxeSent() {
        DhcpPacket p = DhcpPacket.decode(IPXE_DISCOVER);

        assertThat(p.options().codes()).containsExactly(53, 57, 93, 94, 60, 77, 55, 175, 61, 97);
        assertThat(p.isBroadcast()).isFalse();
        assertThat(p.userClasses()).containsExactly("iPXE");
        assertThat(p.hasIpxeUserClass()).isTrue();
        assertThat(p.hasIpxeOptions()).isTrue();
        assertThat(p.isPxeClient()).isTrue();
        assertThat(p.clientArch()).contains(ClientArch.BIOS_X86);
        assertThat(p.parameterRequestList()).contains(175, 67);
    }

    @Test
    void ipxeDiscoverReencodesByteForByte() {
        assertThat(DhcpPacket.decode(IPXE_DISCOVER).encode()).isEqualTo(IPXE_DISCOVER);
    }

    @Test
    void uefiDiscoverCarriesItsArchitectureInOption93AndTheVendorClass() {
        DhcpPacket p = PxePackets.uefiDiscover(7);

        assertThat(p.clientArch()).contains(ClientArch.UEFI_X64);
        assertThat(p.clientArch().orElseThrow().isX64Uefi()).isTrue();
        assertThat(p.vendorClass().flatMap(ClientArch::fromVendorClass)).contains(ClientArch.UEFI_X64);
        assertThat(p.hasIpxeUserClass()).isFalse();
    }
}
