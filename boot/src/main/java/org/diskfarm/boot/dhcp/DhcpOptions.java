package org.diskfarm.boot.dhcp;

import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.BAD_OPTION_VALUE;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.BAD_OVERLOAD;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.MISSING_END;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.OPTION_OVERRUN;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of one DHCP message: code to value, in the order the codes first appeared. Immutable.
 *
 * <p>Values are whole: on the wire an option longer than 255 bytes is several instances of the same code, which
 * RFC 3396 (and RFC 2131 section 4.1) says to concatenate in the order options field, {@code file}, {@code sname};
 * {@link #decode} does so for every code, and {@link #encodeTo} splits values longer than 255 bytes again. The
 * framing codes (PAD 0, END 255, overload 52) are never values: decoding consumes them, building refuses them.
 * A value's size is bounded by the datagram's, {@link DhcpPacket#MAX_SIZE}.
 */
public final class DhcpOptions {
    /** No options. */
    public static final DhcpOptions EMPTY = new DhcpOptions(new LinkedHashMap<>());

    private static final int MAX_INSTANCE = 255;

    private final Map<Integer, byte[]> values;

    private DhcpOptions(LinkedHashMap<Integer, byte[]> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** A copy of the value of {@code code}, or empty if absent. */
    public Optional<byte[]> get(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    /** The value of {@code code} as ISO-8859-1 text (lossless for any byte), or empty if absent. */
    public Optional<String> getText(int code) {
        byte[] v = values.get(code);
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.ISO_8859_1));
    }

    public boolean contains(int code) {
        return values.containsKey(code);
    }

    /** The codes present, in order of first appearance. */
    public List<Integer> codes() {
        return List.copyOf(values.keySet());
    }

    public int size() {
        return values.size();
    }

    /** A builder that starts with these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        values.forEach((code, value) -> b.values.put(code, value));
        return b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds options; {@link #put} keeps the position of a code already present. Not thread-safe. */
    public static final class Builder {
        private final LinkedHashMap<Integer, byte[]> values = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets {@code code} to {@code value} (any length; long values are split on the wire, RFC 3396). */
        public Builder put(int code, byte[] value) {
            if (code <= DhcpOptionCodes.PAD || code >= DhcpOptionCodes.END || code == DhcpOptionCodes.OVERLOAD) {
                throw new IllegalArgumentException(DhcpOptionCodes.describe(code) + " is framing, not a value");
            }
            values.put(code, value.clone());
            return this;
        }

        public Builder putByte(int code, int value) {
            return put(code, new byte[] {(byte) value});
        }

        public Builder putShort(int code, int value) {
            return put(code, new byte[] {(byte) (value >>> 8), (byte) value});
        }

        /** Sets a text value, in ISO-8859-1 (DHCP text is ASCII; ISO-8859-1 keeps any byte). */
        public Builder putText(int code, String value) {
            return put(code, value.getBytes(StandardCharsets.ISO_8859_1));
        }

        public Builder remove(int code) {
            values.remove(code);
            return this;
        }

        public DhcpOptions build() {
            return values.isEmpty() ? EMPTY : new DhcpOptions(new LinkedHashMap<>(values));
        }
    }

    /** The bytes {@link #encodeTo} writes: every instance with its code and length, then END. */
    int encodedSize() {
        int size = 1;
        for (byte[] v : values.values()) {
            int instances = Math.max(1, (v.length + MAX_INSTANCE - 1) / MAX_INSTANCE);
            size += 2 * instances + v.length;
        }
        return size;
    }

    /** Writes the options and END; a value over 255 bytes becomes consecutive instances (RFC 3396 section 6). */
    void encodeTo(ByteBuffer out) {
        values.forEach((code, v) -> {
            int at = 0;
            do {
                int n = Math.min(MAX_INSTANCE, v.length - at);
                out.put(code.byteValue()).put((byte) n).put(v, at, n);
                at += n;
            } while (at < v.length);
        });
        out.put((byte) DhcpOptionCodes.END);
    }

    /** Decoded options, and which header fields held options instead of text. */
    record Decoded(DhcpOptions options, boolean fileOverloaded, boolean snameOverloaded) {
    }

    /**
     * Decodes the options field and, if its option 52 says so, the {@code file} then the {@code sname} field
     * (RFC 2131 section 4.1). Overload is read from the options field only and applied once: an option 52 inside
     * {@code file} or {@code sname} is refused rather than followed, so decoding cannot loop.
     *
     * @param options the options field, after the magic cookie; {@code file} and {@code sname} the header fields
     * @param optionsAt, fileAt, snameAt where each field starts in the datagram, for error messages
     */
    static Decoded decode(ByteBuffer options, int optionsAt, ByteBuffer file, int fileAt, ByteBuffer sname,
            int snameAt) {
        LinkedHashMap<Integer, ByteArrayOutputStream> acc = new LinkedHashMap<>();
        readField(options, optionsAt, "options field", acc);
        int overload = 0;
        ByteArrayOutputStream overloadValue = acc.remove(DhcpOptionCodes.OVERLOAD);
        if (overloadValue != null) {
            byte[] v = overloadValue.toByteArray();
            if (v.length != 1 || v[0] < 1 || v[0] > 3) {
                throw new DhcpFormatException(BAD_OVERLOAD, DhcpOptionCodes.describe(DhcpOptionCodes.OVERLOAD)
                        + " is " + HexFormat.ofDelimiter(" ").formatHex(v) + ", must be the single byte 1, 2 or 3");
            }
            overload = v[0];
        }
        if ((overload & 1) != 0) {
            readField(file, fileAt, "file field", acc);
        }
        if ((overload & 2) != 0) {
            readField(sname, snameAt, "sname field", acc);
        }
        LinkedHashMap<Integer, byte[]> values = new LinkedHashMap<>();
        acc.forEach((code, bytes) -> values.put(code, bytes.toByteArray()));
        values.forEach(DhcpOptions::checkValue);
        DhcpOptions decoded = values.isEmpty() ? EMPTY : new DhcpOptions(values);
        return new Decoded(decoded, (overload & 1) != 0, (overload & 2) != 0);
    }

    /** Appends the options of one field to {@code acc}; the field must end with END (RFC 2131 section 4.1). */
    private static void readField(ByteBuffer field, int fieldAt, String fieldName,
            LinkedHashMap<Integer, ByteArrayOutputStream> acc) {
        int end = field.limit();
        int p = field.position();
        while (p < end) {
            int code = field.get(p) & 0xff;
            if (code == DhcpOptionCodes.PAD) {
                p++;
                continue;
            }
            if (code == DhcpOptionCodes.END) {
                return;
            }
            int at = fieldAt + p - field.position();
            if (p + 1 >= end) {
                throw new DhcpFormatException(OPTION_OVERRUN, DhcpOptionCodes.describe(code) + " at byte " + at
                        + " has no length byte: the " + fieldName + " ends there");
            }
            int length = field.get(p + 1) & 0xff;
            if (p + 2 + length > end) {
                throw new DhcpFormatException(OPTION_OVERRUN, DhcpOptionCodes.describe(code) + " at byte " + at
                        + " claims " + length + " bytes, but the " + fieldName + " has " + (end - p - 2) + " left");
            }
            if (code == DhcpOptionCodes.OVERLOAD && !fieldName.equals("options field")) {
                throw new DhcpFormatException(BAD_OVERLOAD, DhcpOptionCodes.describe(code) + " at byte " + at
                        + " inside the " + fieldName + ": an overloaded field cannot overload again (RFC 2131 4.1)");
            }
            acc.computeIfAbsent(code, c -> new ByteArrayOutputStream()).write(bytesAt(field, p + 2, length), 0,
                    length);
            p += 2 + length;
        }
        throw new DhcpFormatException(MISSING_END, "the " + fieldName + " ends without an END option");
    }

    private static byte[] bytesAt(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }

    /** The length and value rules of the options this package reads (RFC 2132, RFC 4578). */
    private static void checkValue(int code, byte[] v) {
        String problem = switch (code) {
            case DhcpOptionCodes.MESSAGE_TYPE -> lengthMustBe(v, 1);
            case DhcpOptionCodes.REQUESTED_IP, DhcpOptionCodes.SERVER_ID -> lengthMustBe(v, 4);
            case DhcpOptionCodes.CLIENT_NDI -> lengthMustBe(v, 3);
            case DhcpOptionCodes.MAX_MESSAGE_SIZE -> v.length != 2 ? lengthMustBe(v, 2)
                    : ((v[0] & 0xff) << 8 | (v[1] & 0xff)) < 576
                            ? "holds " + ((v[0] & 0xff) << 8 | (v[1] & 0xff)) + ", under the minimum of 576" : null;
            case DhcpOptionCodes.CLIENT_ARCH -> v.length >= 2 && v.length % 2 == 0 ? null
                    : "is " + v.length + " bytes long, must be a non-zero multiple of 2";
            case DhcpOptionCodes.CLIENT_MACHINE_ID -> v.length != 17 ? lengthMustBe(v, 17)
                    : v[0] != 0 ? "has type " + (v[0] & 0xff) + ", must be 0 (a GUID)" : null;
            case DhcpOptionCodes.CLIENT_ID -> v.length >= 2 ? null
                    : "is " + v.length + " bytes long, must be at least 2";
            case DhcpOptionCodes.PARAMETER_REQUEST_LIST, DhcpOptionCodes.VENDOR_CLASS, DhcpOptionCodes.USER_CLASS ->
                    v.length >= 1 ? null : "is empty, must be at least 1 byte";
            default -> null;
        };
        if (problem != null) {
            throw new DhcpFormatException(BAD_OPTION_VALUE, DhcpOptionCodes.describe(code) + " " + problem);
        }
    }

    private static String lengthMustBe(byte[] v, int n) {
        return v.length == n ? null : "is " + v.length + " bytes long, must be " + n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DhcpOptions other) || other.values.size() != values.size()) {
            return false;
        }
        List<Map.Entry<Integer, byte[]>> a = new ArrayList<>(values.entrySet());
        List<Map.Entry<Integer, byte[]>> b = new ArrayList<>(other.values.entrySet());
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).getKey().equals(b.get(i).getKey()) || !Arrays.equals(a.get(i).getValue(),
                    b.get(i).getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            h = 31 * h + e.getKey();
            h = 31 * h + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    /** {@code 53=01 60=505845...}, for logs and test failures. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        values.forEach((code, v) -> s.append(s.length() > 1 ? " " : "").append(code).append('=')
                .append(HexFormat.of().formatHex(v)));
        return s.append('}').toString();
    }
}
