package org.diskfarm.boot.dhcp;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.util.Optional;

/**
 * What a proxy DHCP reply holds: the ProxyDHCPOFFER sent for a DISCOVER on port 67 and the ProxyDHCPACK sent for a
 * REQUEST on port 4011 (PXE 2.1 section 2.2.2 and table 2-1). Both carry the same boot information:
 * <ul>
 * <li>{@code yiaddr} 0.0.0.0: a proxy never hands out addresses; that is the network's DHCP server's job, and a zero
 *     {@code yiaddr} is how clients tell a proxy offer apart (EDK2's IS_PROXY_DHCP_OFFER);</li>
 * <li>{@code siaddr} the boot server, and the boot file in {@code file} and in option 67 (EDK2 prefers 67, iPXE reads
 *     {@code file} first); iPXE takes the offer as complete, without a request to port 4011, only if both
 *     {@code siaddr} and a file name are present (ipxe src/net/udp/dhcp.c, dhcp_has_pxeopts);</li>
 * <li>option 53 OFFER or ACK, 54 the server's address (where iPXE sends its ProxyDHCPREQUEST), 60 "PXEClient"
 *     (without which neither iPXE nor EDK2 treats the reply as PXE), 97 echoed when the client sent it (PXE 2.1);</li>
 * <li>option 43 with PXE_DISCOVERY_CONTROL (sub-option 6) = 8: "if a boot file name is in the offer, download it;
 *     no menu, no prompt, no boot server discovery" (PXE 2.1 table 2-1). EDK2 reads the sub-option as a PXE 1.0 offer
 *     and, with bit 3 and a file name, skips its menu; dnsmasq's proxy mode sends the same value when it has no menu.
 *     An ACK also echoes the client's PXE_BOOT_ITEM (sub-option 71), as a boot server's reply does;</li>
 * <li>option 66, the boot server as text, only to clients that list 66 in option 55.</li>
 * </ul>
 * Header fields {@code xid}, {@code htype}, {@code hlen}, {@code chaddr}, {@code flags} and {@code giaddr} are copied
 * from the request (RFC 2131 table 3); {@code ciaddr} too in an ACK. The reply fits in 576 bytes, the least every
 * client accepts: a 255-byte file name, option 66, option 97 and an echoed boot item come to 566.
 */
final class ProxyDhcpReplies {
    /** PXE_DISCOVERY_CONTROL, sub-option 6 of option 43. */
    static final int PXE_DISCOVERY_CONTROL = 6;
    /** Bit 3: use the boot file in the offer, skip menus and boot server discovery. */
    static final int DISCOVERY_USE_BOOT_FILE = 8;
    /** PXE_BOOT_ITEM, sub-option 71: boot server type and layer. */
    static final int PXE_BOOT_ITEM = 71;

    private ProxyDhcpReplies() {
    }

    /** The ProxyDHCPOFFER for a DISCOVER. */
    static DhcpPacket offer(DhcpPacket request, BootAnswer answer, Inet4Address serverId) {
        return reply(DhcpMessageType.OFFER, request, answer, serverId, DhcpPacket.ZERO, Optional.empty());
    }

    /** The ProxyDHCPACK for a REQUEST to port 4011. */
    static DhcpPacket ack(DhcpPacket request, BootAnswer answer, Inet4Address serverId) {
        return reply(DhcpMessageType.ACK, request, answer, serverId, request.ciaddr(), bootItem(request));
    }

    private static DhcpPacket reply(DhcpMessageType type, DhcpPacket request, BootAnswer answer,
            Inet4Address serverId, Inet4Address ciaddr, Optional<byte[]> bootItem) {
        String file = answer.bootFileName();
        DhcpOptions.Builder options = DhcpOptions.builder()
                .putByte(DhcpOptionCodes.MESSAGE_TYPE, type.code())
                .put(DhcpOptionCodes.SERVER_ID, serverId.getAddress())
                .putText(DhcpOptionCodes.VENDOR_CLASS, "PXEClient");
        request.clientMachineId().ifPresent(id -> options.put(DhcpOptionCodes.CLIENT_MACHINE_ID, id));
        options.put(DhcpOptionCodes.VENDOR_SPECIFIC, pxeVendorOptions(bootItem));
        if (request.parameterRequestList().contains(DhcpOptionCodes.TFTP_SERVER_NAME)) {
            options.putText(DhcpOptionCodes.TFTP_SERVER_NAME, answer.tftpServer().getHostAddress());
        }
        options.putText(DhcpOptionCodes.BOOT_FILE_NAME, file);
        return DhcpPacket.builder()
                .op(DhcpPacket.BOOTREPLY)
                .htype(request.htype())
                .hlen(request.hlen())
                .chaddr(request.chaddr())
                .xid(request.xid())
                .flags(request.flags())
                .ciaddr(ciaddr)
                .yiaddr(DhcpPacket.ZERO)
                .siaddr(answer.tftpServer())
                .giaddr(request.giaddr())
                // the file field holds 127 bytes and a NUL; a longer name is in option 67 only
                .file(file.length() < 128 ? file : "")
                .options(options.build())
                .build();
    }

    /** Option 43 for "PXEClient": discovery control 8, the boot item if given, END (PXE 2.1 table 2-1). */
    static byte[] pxeVendorOptions(Optional<byte[]> bootItem) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(PXE_DISCOVERY_CONTROL);
        v.write(1);
        v.write(DISCOVERY_USE_BOOT_FILE);
        bootItem.ifPresent(item -> {
            v.write(PXE_BOOT_ITEM);
            v.write(item.length);
            v.writeBytes(item);
        });
        v.write(DhcpOptionCodes.END);
        return v.toByteArray();
    }

    /**
     * The client's PXE_BOOT_ITEM (4 bytes: type, layer) from its option 43, or empty if there is none or the
     * sub-options are malformed (they are not checked when the packet is decoded: only this echo reads them).
     */
    static Optional<byte[]> bootItem(DhcpPacket request) {
        if (!request.isPxeClient()) {
            return Optional.empty();
        }
        byte[] v = request.options().get(DhcpOptionCodes.VENDOR_SPECIFIC).orElse(new byte[0]);
        int p = 0;
        while (p < v.length) {
            int code = v[p] & 0xff;
            if (code == DhcpOptionCodes.PAD) {
                p++;
                continue;
            }
            if (code == DhcpOptionCodes.END || p + 1 >= v.length || p + 2 + (v[p + 1] & 0xff) > v.length) {
                return Optional.empty();
            }
            int length = v[p + 1] & 0xff;
            if (code == PXE_BOOT_ITEM && length == 4) {
                byte[] item = new byte[4];
                System.arraycopy(v, p + 2, item, 0, 4);
                return Optional.of(item);
            }
            p += 2 + length;
        }
        return Optional.empty();
    }
}
