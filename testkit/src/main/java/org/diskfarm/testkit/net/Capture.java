package org.diskfarm.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a lab VM sent and received, from the pcap file QEMU writes for it ({@code -object filter-dump}, every
 * Ethernet frame in both directions, with QEMU's time stamps): its DHCP and BOOTP messages (UDP ports 67, 68 and
 * 4011) and its TFTP read requests. Enough to assert what a PXE client did on the wire without tcpdump; open the file
 * itself in Wireshark for anything more (a virtio-net NIC's file has QEMU's virtio-net header in front of every frame,
 * which this reader skips and Wireshark does not).
 *
 * <p>Threads: immutable.
 */
public final class Capture {
    /** DHCP option numbers used in assertions. */
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int VENDOR_CLASS = 60;
    public static final int BOOTFILE = 67;
    public static final int USER_CLASS = 77;
    public static final int VENDOR_OPTIONS = 43;
    public static final int IPXE_OPTIONS = 175;

    /**
     * One DHCP or BOOTP message.
     *
     * @param seconds     time since the first frame of the capture
     * @param source      source IPv4 address
     * @param sourcePort  source UDP port
     * @param destination destination IPv4 address
     * @param destPort    destination UDP port
     * @param op          1 for a client's request, 2 for a server's reply
     * @param type        the DHCP message type (1 DISCOVER, 2 OFFER, 3 REQUEST, 5 ACK, 6 NAK; 0 for BOOTP)
     * @param xid         the transaction id
     * @param flags       the flags field (0x8000: broadcast)
     * @param ciaddr      the client's address as it says
     * @param yiaddr      the address the server gives
     * @param siaddr      the next server (BOOTP header)
     * @param file        the boot file name in the BOOTP header
     * @param options     the options by number, in order
     */
    public record Dhcp(double seconds, String source, int sourcePort, String destination, int destPort, int op,
                       int type, long xid, int flags, String ciaddr, String yiaddr, String siaddr, String file,
                       Map<Integer, byte[]> options) {
        public Dhcp {
            options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        }

        public boolean fromClient() {
            return op == 1;
        }

        /** An option as text (Latin-1, trailing NULs dropped: dnsmasq sends them), or null if absent. */
        public String text(int option) {
            byte[] value = options.get(option);
            if (value == null) {
                return null;
            }
            int length = value.length;
            while (length > 0 && value[length - 1] == 0) {
                length--;
            }
            return new String(value, 0, length, StandardCharsets.ISO_8859_1);
        }

        /** An option in hex, or null if absent. */
        public String hex(int option) {
            byte[] value = options.get(option);
            return value == null ? null : HexFormat.of().formatHex(value);
        }

        /** The boot file: option 67 if present, else the BOOTP header's file field ("" if neither). */
        public String bootFile() {
            String option = text(BOOTFILE);
            return option != null ? option : file;
        }

        public String typeName() {
            return switch (type) {
                case 0 -> "BOOTP";
                case 1 -> "DISCOVER";
                case 2 -> "OFFER";
                case 3 -> "REQUEST";
                case 4 -> "DECLINE";
                case 5 -> "ACK";
                case 6 -> "NAK";
                case 7 -> "RELEASE";
                case 8 -> "INFORM";
                default -> "TYPE" + type;
            };
        }

        /** One line: time, addresses, type, xid and the boot fields, for messages. */
        @Override
        public String toString() {
            return String.format("%7.3f %s:%d -> %s:%d %s xid=%08x%s yiaddr=%s siaddr=%s file='%s' opt67=%s "
                            + "vendor=%s user=%s", seconds, source, sourcePort, destination, destPort, typeName(), xid,
                    (flags & 0x8000) != 0 ? " broadcast" : "", yiaddr, siaddr, file, text(BOOTFILE),
                    text(VENDOR_CLASS), text(USER_CLASS));
        }
    }

    /** A TFTP read request: who asked whom for which file. */
    public record TftpRead(double seconds, String client, String server, String file) {
    }

    private final List<Dhcp> dhcp;
    private final List<TftpRead> tftpReads;

    private Capture(List<Dhcp> dhcp, List<TftpRead> tftpReads) {
        this.dhcp = List.copyOf(dhcp);
        this.tftpReads = List.copyOf(tftpReads);
    }

    /** A capture with nothing in it. */
    public static Capture empty() {
        return new Capture(List.of(), List.of());
    }

    /** Reads a pcap file (Ethernet link type, either byte order, microsecond or nanosecond stamps). */
    public static Capture read(Path pcap) {
        byte[] bytes;
        try {
            bytes = Files.exists(pcap) ? Files.readAllBytes(pcap) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Dhcp> dhcp = new ArrayList<>();
        List<TftpRead> reads = new ArrayList<>();
        if (bytes.length < 24) {
            return new Capture(dhcp, reads);
        }
        ByteBuffer file = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = file.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            file.order(ByteOrder.BIG_ENDIAN);
            magic = file.getInt(0);
        }
        double unit = magic == 0xa1b23c4d ? 1e-9 : 1e-6;
        Double first = null;
        int at = 24;
        while (at + 16 <= bytes.length) {
            long seconds = Integer.toUnsignedLong(file.getInt(at));
            long fraction = Integer.toUnsignedLong(file.getInt(at + 4));
            int length = file.getInt(at + 8);
            if (length < 0 || at + 16 + length > bytes.length) {
                break;  // QEMU was killed mid-write
            }
            double time = seconds + fraction * unit;
            if (first == null) {
                first = time;
            }
            frame(ByteBuffer.wrap(bytes, at + 16, length).slice(), time - first, dhcp, reads);
            at += 16 + length;
        }
        return new Capture(dhcp, reads);
    }

    /** Every DHCP/BOOTP message, in order. */
    public List<Dhcp> dhcp() {
        return dhcp;
    }

    /** Every TFTP read request, in order. */
    public List<TftpRead> tftpReads() {
        return tftpReads;
    }

    /** The DHCP messages, one per line, for a failure message or a report. */
    public String describeDhcp() {
        StringBuilder out = new StringBuilder();
        for (Dhcp message : dhcp) {
            out.append(message).append('\n');
        }
        for (TftpRead read : tftpReads) {
            out.append(String.format("%7.3f TFTP %s -> %s read %s%n", read.seconds(), read.client(), read.server(),
                    read.file()));
        }
        return out.toString();
    }

    private static void frame(ByteBuffer frame, double seconds, List<Dhcp> dhcp, List<TftpRead> reads) {
        int start = ethernetStart(frame);
        if (start < 0 || frame.remaining() < start + 14 + 20 || Short.toUnsignedInt(frame.getShort(start + 12))
                != 0x0800) {
            return;
        }
        frame = frame.slice(start, frame.remaining() - start);
        int ip = 14;
        int headerLength = (frame.get(ip) & 0x0f) * 4;
        if (frame.get(ip + 9) != 17) {
            return;  // not UDP
        }
        String source = address(frame, ip + 12);
        String destination = address(frame, ip + 16);
        int udp = ip + headerLength;
        if (frame.remaining() < udp + 8) {
            return;
        }
        int sourcePort = Short.toUnsignedInt(frame.getShort(udp));
        int destPort = Short.toUnsignedInt(frame.getShort(udp + 2));
        int payload = udp + 8;
        int end = Math.min(frame.remaining(), udp + Short.toUnsignedInt(frame.getShort(udp + 4)));
        if (isDhcpPort(sourcePort) && isDhcpPort(destPort) && end - payload >= 240) {
            dhcp.add(dhcp(frame, payload, end, seconds, source, sourcePort, destination, destPort));
        } else if (destPort == 69 && end - payload > 2 && frame.getShort(payload) == 1) {
            int nameEnd = payload + 2;
            while (nameEnd < end && frame.get(nameEnd) != 0) {
                nameEnd++;
            }
            reads.add(new TftpRead(seconds, source, destination, string(frame, payload + 2, nameEnd - payload - 2)));
        }
    }

    /**
     * Where the Ethernet header starts: 0, or after the virtio-net header that QEMU 7.2's filter-dump writes in front
     * of each frame of a virtio-net-pci NIC (10 bytes, or 12 with mergeable receive buffers). -1 if no known
     * EtherType (IPv4, ARP, IPv6) is found at any of these.
     */
    private static int ethernetStart(ByteBuffer frame) {
        for (int start : new int[] {0, 10, 12}) {
            if (frame.remaining() >= start + 14) {
                int type = Short.toUnsignedInt(frame.getShort(start + 12));
                if (type == 0x0800 || type == 0x0806 || type == 0x86dd) {
                    return start;
                }
            }
        }
        return -1;
    }

    private static boolean isDhcpPort(int port) {
        return port == 67 || port == 68 || port == 4011;
    }

    private static Dhcp dhcp(ByteBuffer frame, int at, int end, double seconds, String source, int sourcePort,
                             String destination, int destPort) {
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        int i = at + 240;  // after the header and the magic cookie
        while (i < end) {
            int code = Byte.toUnsignedInt(frame.get(i));
            if (code == 255) {
                break;
            }
            if (code == 0) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                break;
            }
            int length = Byte.toUnsignedInt(frame.get(i + 1));
            if (i + 2 + length > end) {
                break;
            }
            byte[] value = new byte[length];
            frame.get(i + 2, value);
            options.merge(code, value, Capture::concat);  // RFC 3396: repeated options concatenate
            i += 2 + length;
        }
        byte[] type = options.get(MESSAGE_TYPE);
        return new Dhcp(seconds, source, sourcePort, destination, destPort, frame.get(at),
                type == null || type.length == 0 ? 0 : Byte.toUnsignedInt(type[0]),
                Integer.toUnsignedLong(frame.getInt(at + 4)), Short.toUnsignedInt(frame.getShort(at + 10)),
                address(frame, at + 12), address(frame, at + 16), address(frame, at + 20),
                cString(frame, at + 108, 128), options);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String address(ByteBuffer frame, int at) {
        return Byte.toUnsignedInt(frame.get(at)) + "." + Byte.toUnsignedInt(frame.get(at + 1)) + "."
                + Byte.toUnsignedInt(frame.get(at + 2)) + "." + Byte.toUnsignedInt(frame.get(at + 3));
    }

    private static String cString(ByteBuffer frame, int at, int max) {
        int length = 0;
        while (length < max && frame.get(at + length) != 0) {
            length++;
        }
        return string(frame, at, length);
    }

    private static String string(ByteBuffer frame, int at, int length) {
        byte[] value = new byte[length];
        frame.get(at, value);
        return new String(value, StandardCharsets.ISO_8859_1);
    }
}
