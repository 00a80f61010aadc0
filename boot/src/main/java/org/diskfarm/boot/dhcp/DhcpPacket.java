package org.diskfarm.boot.dhcp;

import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.BAD_HEADER;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.NO_MAGIC_COOKIE;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.OVERSIZED;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.TRUNCATED;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A DHCP message (RFC 2131 section 2): the BOOTP header, the magic cookie and the options, with typed accessors for
 * what a PXE proxy reads. Immutable; {@link #decode} checks a datagram strictly and {@link #encode} writes one.
 *
 * <p>Decoding reads the header, the cookie and the options, and applies option overload (52) exactly once: the
 * {@code file} and {@code sname} fields it names are read as options and come back here as empty text. Every fault
 * is a {@link DhcpFormatException} of one line naming the field or option and the byte where it went wrong.
 * Encoding writes the options field only (never overload), END, and zero padding up to the 300 bytes that BOOTP
 * relays expect (RFC 1542 section 2.1).
 *
 * @param op 1 BOOTREQUEST, 2 BOOTREPLY
 * @param htype hardware address type, 1 for Ethernet
 * @param hlen hardware address length, 0 to 16
 * @param xid transaction ID, chosen by the client and copied into replies
 * @param flags bit 15 is the broadcast flag ({@link #FLAG_BROADCAST})
 * @param chaddr the 16-byte client hardware address field (copied in and out)
 * @param sname server host name, text up to 64 bytes ("" if overloaded)
 * @param file boot file name, text up to 128 bytes ("" if overloaded)
 */
public record DhcpPacket(int op, int htype, int hlen, int hops, int xid, int secs, int flags, Inet4Address ciaddr,
        Inet4Address yiaddr, Inet4Address siaddr, Inet4Address giaddr, byte[] chaddr, String sname, String file,
        DhcpOptions options) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    /** The broadcast bit of {@code flags} (RFC 2131 section 2, figure 2). */
    public static final int FLAG_BROADCAST = 0x8000;
    /** 99.130.83.99, the four bytes that make a BOOTP vendor area DHCP options (RFC 2131 section 3). */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** The fixed BOOTP header, up to the magic cookie. */
    public static final int HEADER_SIZE = 236;
    /** Header and magic cookie: nothing shorter is a DHCP message. */
    public static final int MIN_SIZE = HEADER_SIZE + 4;
    /** What {@link #encode} pads to: the minimum BOOTP message that relays forward (RFC 1542 section 2.1). */
    public static final int MIN_ENCODED_SIZE = 300;
    /**
     * The largest datagram {@link #decode} takes: a 9000-byte jumbo frame less the IP and UDP headers. DHCP needs
     * 576 (RFC 2131 section 2); boot ROMs send about 400; anything over this is garbage or an attack.
     */
    public static final int MAX_SIZE = 9000 - 20 - 8;
    /** 0.0.0.0. */
    public static final Inet4Address ZERO = address(new byte[4]);

    private static final int SNAME_AT = 44;
    private static final int SNAME_SIZE = 64;
    private static final int FILE_AT = 108;
    private static final int FILE_SIZE = 128;
    private static final int CHADDR_SIZE = 16;

    public DhcpPacket {
        checkRange("op", op, 0, 0xff);
        checkRange("htype", htype, 0, 0xff);
        checkRange("hlen", hlen, 0, CHADDR_SIZE);
        checkRange("hops", hops, 0, 0xff);
        checkRange("secs", secs, 0, 0xffff);
        checkRange("flags", flags, 0, 0xffff);
        Objects.requireNonNull(ciaddr);
        Objects.requireNonNull(yiaddr);
        Objects.requireNonNull(siaddr);
        Objects.requireNonNull(giaddr);
        if (chaddr.length != CHADDR_SIZE) {
            throw new IllegalArgumentException("chaddr must be 16 bytes, not " + chaddr.length);
        }
        chaddr = chaddr.clone();
        checkText("sname", sname, SNAME_SIZE);
        checkText("file", file, FILE_SIZE);
        Objects.requireNonNull(options);
    }

    /** A copy of the 16-byte {@code chaddr} field. */
    @Override
    public byte[] chaddr() {
        return chaddr.clone();
    }

    // ---- decoding and encoding

    /** Decodes one datagram, from {@code datagram}'s position to its limit (the position does not move). */
    public static DhcpPacket decode(ByteBuffer datagram) {
        ByteBuffer b = datagram.slice();
        int n = b.remaining();
        if (n > MAX_SIZE) {
            throw new DhcpFormatException(OVERSIZED, "datagram of " + n + " bytes, over the limit of " + MAX_SIZE);
        }
        if (n < MIN_SIZE) {
            throw new DhcpFormatException(TRUNCATED, "datagram of " + n + " bytes, shorter than the " + MIN_SIZE
                    + " bytes of BOOTP header and magic cookie");
        }
        int op = b.get(0) & 0xff;
        if (op != BOOTREQUEST && op != BOOTREPLY) {
            throw new DhcpFormatException(BAD_HEADER, "op " + op + " is neither BOOTREQUEST (1) nor BOOTREPLY (2)");
        }
        int hlen = b.get(2) & 0xff;
        if (hlen > CHADDR_SIZE) {
            throw new DhcpFormatException(BAD_HEADER, "hlen " + hlen + " is over the 16 bytes of chaddr");
        }
        int cookie = b.getInt(HEADER_SIZE);
        if (cookie != MAGIC_COOKIE) {
            throw new DhcpFormatException(NO_MAGIC_COOKIE,
                    String.format("bytes 236-239 are 0x%08x, not the magic cookie 0x%08x", cookie, MAGIC_COOKIE));
        }
        DhcpOptions.Decoded decoded = DhcpOptions.decode(b.slice(MIN_SIZE, n - MIN_SIZE), MIN_SIZE,
                b.slice(FILE_AT, FILE_SIZE), FILE_AT, b.slice(SNAME_AT, SNAME_SIZE), SNAME_AT);
        byte[] chaddr = new byte[CHADDR_SIZE];
        b.get(28, chaddr);
        return new DhcpPacket(op, b.get(1) & 0xff, hlen, b.get(3) & 0xff, b.getInt(4), b.getShort(8) & 0xffff,
                b.getShort(10) & 0xffff, addressAt(b, 12), addressAt(b, 16), addressAt(b, 20), addressAt(b, 24),
                chaddr, decoded.snameOverloaded() ? "" : textAt(b, SNAME_AT, SNAME_SIZE),
                decoded.fileOverloaded() ? "" : textAt(b, FILE_AT, FILE_SIZE), decoded.options());
    }

    /** As {@link #decode(ByteBuffer)}. */
    public static DhcpPacket decode(byte[] datagram) {
        return decode(ByteBuffer.wrap(datagram));
    }

    /** The bytes {@link #encodeTo} writes. */
    public int encodedSize() {
        return Math.max(MIN_ENCODED_SIZE, MIN_SIZE + options.encodedSize());
    }

    /** Writes the message at {@code out}'s position. */
    public void encodeTo(ByteBuffer out) {
        int start = out.position();
        out.put((byte) op).put((byte) htype).put((byte) hlen).put((byte) hops).putInt(xid).putShort((short) secs)
                .putShort((short) flags).put(ciaddr.getAddress()).put(yiaddr.getAddress()).put(siaddr.getAddress())
                .put(giaddr.getAddress()).put(chaddr);
        putText(out, sname, SNAME_SIZE);
        putText(out, file, FILE_SIZE);
        out.putInt(MAGIC_COOKIE);
        options.encodeTo(out);
        while (out.position() - start < MIN_ENCODED_SIZE) {
            out.put((byte) DhcpOptionCodes.PAD);
        }
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedSize());
        encodeTo(out);
        return out.array();
    }

    // ---- typed accessors (values were checked by decode; a built packet may hold anything, hence the guards)

    /** Option 53. */
    public Optional<DhcpMessageType> messageType() {
        return options.get(DhcpOptionCodes.MESSAGE_TYPE).filter(v -> v.length == 1)
                .flatMap(v -> DhcpMessageType.fromCode(v[0] & 0xff));
    }

    /** Option 93, every architecture the client listed (RFC 4578 section 2.1), in order. */
    public List<ClientArch> clientArchs() {
        byte[] v = options.get(DhcpOptionCodes.CLIENT_ARCH).orElse(new byte[0]);
        List<ClientArch> archs = new ArrayList<>();
        for (int i = 0; i + 1 < v.length; i += 2) {
            archs.add(new ClientArch((v[i] & 0xff) << 8 | (v[i + 1] & 0xff)));
        }
        return archs;
    }

    /** Option 93, the first architecture listed: the one the client runs. */
    public Optional<ClientArch> clientArch() {
        List<ClientArch> archs = clientArchs();
        return archs.isEmpty() ? Optional.empty() : Optional.of(archs.getFirst());
    }

    /** Option 97, type byte and GUID (17 bytes), as the client sent it. */
    public Optional<byte[]> clientMachineId() {
        return options.get(DhcpOptionCodes.CLIENT_MACHINE_ID);
    }

    /** Option 60, e.g. "PXEClient:Arch:00000:UNDI:002001". */
    public Optional<String> vendorClass() {
        return options.getText(DhcpOptionCodes.VENDOR_CLASS);
    }

    /** Whether option 60 starts with "PXEClient", which is what makes a client a PXE client (PXE 2.1, 2.2.1). */
    public boolean isPxeClient() {
        return vendorClass().filter(v -> v.startsWith("PXEClient")).isPresent();
    }

    /**
     * Option 77: the RFC 3004 list of length-prefixed classes if the value is one, else the whole value as a single
     * class, which is how iPXE sends "iPXE".
     */
    public List<String> userClasses() {
        Optional<byte[]> value = options.get(DhcpOptionCodes.USER_CLASS);
        if (value.isEmpty()) {
            return List.of();
        }
        byte[] v = value.get();
        List<String> classes = new ArrayList<>();
        int p = 0;
        while (p < v.length && (v[p] & 0xff) > 0 && p + 1 + (v[p] & 0xff) <= v.length) {
            classes.add(new String(v, p + 1, v[p] & 0xff, StandardCharsets.ISO_8859_1));
            p += 1 + (v[p] & 0xff);
        }
        return p == v.length ? classes : List.of(new String(v, StandardCharsets.ISO_8859_1));
    }

    /** Whether a user class (option 77, either form) is "iPXE". */
    public boolean hasIpxeUserClass() {
        return userClasses().contains("iPXE");
    }

    /** Whether option 175, iPXE's encapsulated options, is present: every iPXE build sends it. */
    public boolean hasIpxeOptions() {
        return options.contains(DhcpOptionCodes.IPXE_ENCAPSULATED);
    }

    /** Option 50. */
    public Optional<Inet4Address> requestedIp() {
        return addressOption(DhcpOptionCodes.REQUESTED_IP);
    }

    /** Option 54. */
    public Optional<Inet4Address> serverId() {
        return addressOption(DhcpOptionCodes.SERVER_ID);
    }

    /** Option 55, the codes the client asks for, in its order; empty if absent. */
    public List<Integer> parameterRequestList() {
        byte[] v = options.get(DhcpOptionCodes.PARAMETER_REQUEST_LIST).orElse(new byte[0]);
        List<Integer> codes = new ArrayList<>(v.length);
        for (byte c : v) {
            codes.add(c & 0xff);
        }
        return codes;
    }

    /** Option 57. */
    public OptionalInt maxMessageSize() {
        return options.get(DhcpOptionCodes.MAX_MESSAGE_SIZE).filter(v -> v.length == 2)
                .map(v -> OptionalInt.of((v[0] & 0xff) << 8 | (v[1] & 0xff))).orElse(OptionalInt.empty());
    }

    /** The hardware address, {@code hlen} bytes of {@code chaddr}, as lower-case hex pairs joined by colons. */
    public String hardwareAddress() {
        return HexFormat.ofDelimiter(":").formatHex(chaddr, 0, hlen);
    }

    /** The hardware address if it is an Ethernet MAC address (htype 1, hlen 6), e.g. "52:54:00:12:34:56". */
    public Optional<String> macAddress() {
        return htype == 1 && hlen == 6 ? Optional.of(hardwareAddress()) : Optional.empty();
    }

    public boolean isBroadcast() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    // ---- building

    /** A builder with a zeroed header (op BOOTREQUEST, Ethernet), no text and no options. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this packet's fields. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.op = op;
        b.htype = htype;
        b.hlen = hlen;
        b.hops = hops;
        b.xid = xid;
        b.secs = secs;
        b.flags = flags;
        b.ciaddr = ciaddr;
        b.yiaddr = yiaddr;
        b.siaddr = siaddr;
        b.giaddr = giaddr;
        b.chaddr = chaddr.clone();
        b.sname = sname;
        b.file = file;
        b.options = options;
        return b;
    }

    /** Builds a {@link DhcpPacket}; checks happen in {@link #build}. Not thread-safe. */
    public static final class Builder {
        private int op = BOOTREQUEST;
        private int htype = 1;
        private int hlen = 6;
        private int hops;
        private int xid;
        private int secs;
        private int flags;
        private Inet4Address ciaddr = ZERO;
        private Inet4Address yiaddr = ZERO;
        private Inet4Address siaddr = ZERO;
        private Inet4Address giaddr = ZERO;
        private byte[] chaddr = new byte[CHADDR_SIZE];
        private String sname = "";
        private String file = "";
        private DhcpOptions options = DhcpOptions.EMPTY;

        private Builder() {
        }

        public Builder op(int op) {
            this.op = op;
            return this;
        }

        public Builder htype(int htype) {
            this.htype = htype;
            return this;
        }

        public Builder hlen(int hlen) {
            this.hlen = hlen;
            return this;
        }

        public Builder hops(int hops) {
            this.hops = hops;
            return this;
        }

        public Builder xid(int xid) {
            this.xid = xid;
            return this;
        }

        public Builder secs(int secs) {
            this.secs = secs;
            return this;
        }

        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        public Builder ciaddr(Inet4Address a) {
            this.ciaddr = a;
            return this;
        }

        public Builder yiaddr(Inet4Address a) {
            this.yiaddr = a;
            return this;
        }

        public Builder siaddr(Inet4Address a) {
            this.siaddr = a;
            return this;
        }

        public Builder giaddr(Inet4Address a) {
            this.giaddr = a;
            return this;
        }

        /** Sets {@code chaddr} to {@code address} padded with zeros, and {@code hlen} to its length. */
        public Builder hardwareAddress(byte[] address) {
            if (address.length > CHADDR_SIZE) {
                throw new IllegalArgumentException("a hardware address of " + address.length + " bytes");
            }
            this.chaddr = Arrays.copyOf(address, CHADDR_SIZE);
            this.hlen = address.length;
            return this;
        }

        /** Sets the whole 16-byte {@code chaddr} field, leaving {@code hlen} alone. */
        public Builder chaddr(byte[] field) {
            this.chaddr = field.clone();
            return this;
        }

        public Builder sname(String sname) {
            this.sname = sname;
            return this;
        }

        public Builder file(String file) {
            this.file = file;
            return this;
        }

        public Builder options(DhcpOptions options) {
            this.options = options;
            return this;
        }

        public DhcpPacket build() {
            return new DhcpPacket(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
                    sname, file, options);
        }
    }

    // ---- helpers

    /** The address of 4 bytes. */
    public static Inet4Address address(byte[] four) {
        if (four.length != 4) {
            throw new IllegalArgumentException("an IPv4 address of " + four.length + " bytes");
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private Optional<Inet4Address> addressOption(int code) {
        return options.get(code).filter(v -> v.length == 4).map(DhcpPacket::address);
    }

    private static Inet4Address addressAt(ByteBuffer b, int at) {
        byte[] a = new byte[4];
        b.get(at, a);
        return address(a);
    }

    /** Text up to the first NUL (RFC 2131: "null terminated string"), ISO-8859-1 so that any byte survives. */
    private static String textAt(ByteBuffer b, int at, int size) {
        int n = 0;
        while (n < size && b.get(at + n) != 0) {
            n++;
        }
        byte[] text = new byte[n];
        b.get(at, text);
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    private static void putText(ByteBuffer out, String text, int size) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        out.put(bytes).put(new byte[size - bytes.length]);
    }

    private static void checkRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is outside " + min + ".." + max);
        }
    }

    private static void checkText(String field, String text, int size) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == 0 || text.charAt(i) > 0xff) {
                throw new IllegalArgumentException(field + " holds a NUL or a character outside ISO-8859-1");
            }
        }
        if (text.length() > size) {
            throw new IllegalArgumentException(field + " of " + text.length() + " bytes does not fit its " + size);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpPacket p && op == p.op && htype == p.htype && hlen == p.hlen && hops == p.hops
                && xid == p.xid && secs == p.secs && flags == p.flags && ciaddr.equals(p.ciaddr)
                && yiaddr.equals(p.yiaddr) && siaddr.equals(p.siaddr) && giaddr.equals(p.giaddr)
                && Arrays.equals(chaddr, p.chaddr) && sname.equals(p.sname) && file.equals(p.file)
                && options.equals(p.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr,
                Arrays.hashCode(chaddr), sname, file, options);
    }

    @Override
    public String toString() {
        return String.format("DhcpPacket[op=%d xid=%08x chaddr=%s flags=%04x ciaddr=%s yiaddr=%s siaddr=%s giaddr=%s"
                + " sname=%s file=%s options=%s]", op, xid, hardwareAddress(), flags, ciaddr.getHostAddress(),
                yiaddr.getHostAddress(), siaddr.getHostAddress(), giaddr.getHostAddress(), sname, file, options);
    }
}
