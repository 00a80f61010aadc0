package org.diskfarm.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** Field codecs shared by the footer and the dynamic disk header (VHD specification, "Hard Disk Footer Format"). */
final class VhdFields {
    /** VHD time stamps count seconds from 2000-01-01 00:00:00 UTC. */
    static final long EPOCH_2000 = 946_684_800L;
    static final int SECTOR = 512;
    /** A megabyte of zeros to copy from; never written to. */
    static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private VhdFields() {
    }

    /** One's complement of the sum of all bytes of {@code buffer} except the 4-byte checksum field at {@code at}. */
    static int checksum(ByteBuffer buffer, int length, int at) {
        int sum = 0;
        for (int i = 0; i < length; i++) {
            if (i < at || i >= at + 4) {
                sum += buffer.get(i) & 0xff;
            }
        }
        return ~sum;
    }

    static Instant timestamp(long seconds) {
        return Instant.ofEpochSecond(EPOCH_2000 + (seconds & 0xffff_ffffL));
    }

    static int timestampOf(Instant instant) {
        return (int) Math.max(0, instant.getEpochSecond() - EPOCH_2000);
    }

    static UUID uuid(ByteBuffer buffer, int at) {
        return new UUID(buffer.getLong(at), buffer.getLong(at + 8));
    }

    static void putUuid(ByteBuffer buffer, int at, UUID uuid) {
        buffer.putLong(at, uuid.getMostSignificantBits());
        buffer.putLong(at + 8, uuid.getLeastSignificantBits());
    }

    static String ascii(ByteBuffer buffer, int at, int length) {
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(b >= 0x20 && b < 0x7f ? (char) b : b == 0 ? "" : "?");
        }
        return text.toString();
    }

    static void putAscii(ByteBuffer buffer, int at, String text, int length) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            buffer.put(at + i, i < bytes.length ? bytes[i] : (byte) ' ');
        }
    }

    static void fillZeros(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(ZEROS.duplicate().limit(Math.min(ZEROS.capacity(), dst.remaining())));
        }
    }

    static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
