package org.diskfarm.boot.dhcp;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Golden datagrams written out byte by byte, as the clients the proxy meets send them, and small builders for
 * variations. The goldens follow what the clients' sources put in their packets: a PC-BIOS PXE 2.1 ROM (PXE 2.1
 * section 2.2.1: options 53, 57, 93, 94, 97, 60, 55), iPXE (src/net/udp/dhcp.c, dhcp_request_options_data and
 * dhcp_create_request: 53, 57, 93, 94, 60, 77 "iPXE", 55, then 175, 61, 97), and EDK2's UefiPxeBcDxe
 * (PxeBcBuildDhcp4Options: 53, 57, 55, 97, 94, 93, 60 "PXEClient:Arch:00007:UNDI:003000").
 */
final class PxePackets {
    static final String MAC = "52:54:00:12:34:56";
    static final int XID = 0xa1b2c3d4;
    static final String GUID = "00112233445566778899aabbccddeeff";

    /** A PXE 2.1 ROM's DHCPDISCOVER on x86 BIOS, padded to 548 bytes as such ROMs send it. */
    static final byte[] PXE_ROM_DISCOVER = pad(548,
            "01 01 06 00",                          // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
            "a1 b2 c3 d4",                          // xid
            "00 04 80 00",                          // secs 4, flags: broadcast
            "00000000 00000000 00000000 00000000",  // ciaddr, yiaddr, siaddr, giaddr
            "525400123456 00000000000000000000",    // chaddr
            zeros(64), zeros(128),                  // sname, file
            "63 82 53 63",                          // magic cookie
            "35 01 01",                             // 53 message type: DISCOVER
            "39 02 05 c0",                          // 57 maximum message size: 1472
            "5d 02 00 00",                          // 93 client architecture: x86 BIOS
            "5e 03 01 02 01",                       // 94 client NDI: UNDI 2.1
            "61 11 00" + GUID,                      // 97 client machine id: type 0, GUID
            "3c 20" + ascii("PXEClient:Arch:00000:UNDI:002001"), // 60 vendor class
            "37 23 01 02 03 05 06 0b 0c 0d 0f 10 11 12 16 17 1c 28 29 2a 2b 32 33 36 3a 3b 3c 42 43"
                    + " 80 81 82 83 84 85 86 87",       // 55 parameter request list: 35 codes
            "ff");                                  // END

    /** iPXE's DHCPDISCOVER (a PC-BIOS build: QEMU's NIC ROMs, undionly.kpxe), exactly as long as its content. */
    static final byte[] IPXE_DISCOVER = pad(0,
            "01 01 06 00", "a1 b2 c3 d4", "00 00 00 00",
            "00000000 00000000 00000000 00000000",
            "525400123456 00000000000000000000",
            zeros(64), zeros(128),
            "63 82 53 63",
            "35 01 01",                             // 53 DISCOVER
            "39 02 05 c0",                          // 57 1472
            "5d 02 00 00",                          // 93 x86 BIOS
            "5e 03 01 02 01",                       // 94 UNDI 2.1
            "3c 20" + ascii("PXEClient:Arch:00000:UNDI:002001"),
            "4d 04" + ascii("iPXE"),                // 77 user class, iPXE's bare form (not RFC 3004)
            "37 17 01 03 06 07 0c 0f 11 1a 2b 3c 42 43 77 79 80 81 82 83 84 85 86 87 af",  // 55: 23 codes
            "af 11 13 01 01 11 01 01 15 01 01 17 01 01 eb 03 01 15 01",  // 175: HTTP iSCSI TFTP DNS, version
            "3d 07 01 525400123456",                // 61 client id: htype 1 and MAC
            "61 11 00" + GUID,                      // 97
            "ff");

    private PxePackets() {
    }

    /** A DHCPDISCOVER as EDK2's UEFI PXE sends it, for {@code arch} (7 on OVMF). */
    static DhcpPacket uefiDiscover(int arch) {
        return DhcpPacket.decode(pad(0,
                "01 01 06 00", "a1 b2 c3 d4", "00 00 80 00",
                "00000000 00000000 00000000 00000000",
                "525400123456 00000000000000000000",
                zeros(64), zeros(128),
                "63 82 53 63",
                "35 01 01",
                "39 02 05 c0",
                "37 23 01 02 03 04 05 06 0c 0d 0f 11 12 16 17 1c 28 29 2a 2b 32 33 36 3a 3b 3c 42 43 61"
                        + " 80 81 82 83 84 85 86 87",
                "61 11 00" + GUID,
                "5e 03 01 03 00",
                String.format("5d 02 %04x", arch),
                "3c 20" + ascii(String.format("PXEClient:Arch:%05d:UNDI:003000", arch)),
                "ff"));
    }

    /** A DHCPDISCOVER from a machine that is not a PXE client (a Linux dhclient). */
    static DhcpPacket plainDiscover() {
        return DhcpPacket.builder().xid(XID).hardwareAddress(HexFormat.ofDelimiter(":").parseHex(MAC))
                .options(DhcpOptions.builder()
                        .putByte(DhcpOptionCodes.MESSAGE_TYPE, 1)
                        .put(DhcpOptionCodes.PARAMETER_REQUEST_LIST, new byte[] {1, 3, 6, 15})
                        .build())
                .build();
    }

    /** {@code discover} turned into the REQUEST a client sends to port 4011, from {@code ciaddr}, naming server. */
    static DhcpPacket pxeRequest(DhcpPacket discover, Inet4Address ciaddr, Inet4Address server) {
        return discover.toBuilder().ciaddr(ciaddr).flags(0)
                .options(discover.options().toBuilder()
                        .putByte(DhcpOptionCodes.MESSAGE_TYPE, 3)
                        .put(DhcpOptionCodes.SERVER_ID, server.getAddress())
                        .build())
                .build();
    }

    /** Hex pieces (spaces ignored) joined, then zero-padded to {@code size} bytes if shorter. */
    static byte[] pad(int size, String... hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String h : hex) {
            out.writeBytes(HexFormat.of().parseHex(h.replace(" ", "")));
        }
        while (out.size() < size) {
            out.write(0);
        }
        return out.toByteArray();
    }

    static String zeros(int n) {
        return "00".repeat(n);
    }

    static String ascii(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }

    static Inet4Address ip(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return DhcpPacket.address(b);
    }
}
