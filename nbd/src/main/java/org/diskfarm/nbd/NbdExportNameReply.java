package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/**
 * The server's answer to NBD_OPT_EXPORT_NAME, which ends the handshake: the export size, its transmission flags and,
 * unless the client set NO_ZEROES, 124 zero bytes (busybox's nbd-client needs them).
 *
 * @param exportSize        size in bytes
 * @param transmissionFlags {@link NbdFlags.Transmission} bits
 * @param noZeroes          the client set {@link NbdFlags.Client#NO_ZEROES}: the zero bytes are left out
 */
public record NbdExportNameReply(long exportSize, int transmissionFlags, boolean noZeroes)
        implements NbdHandshakeOutput {
    public static final int SHORT_SIZE = 10;
    public static final int ZEROES = 124;

    /** Decodes the reply (the client knows whether it set NO_ZEROES), or returns null if it is not all there yet. */
    public static NbdExportNameReply decode(ByteBuffer buf, boolean noZeroes) {
        int size = SHORT_SIZE + (noZeroes ? 0 : ZEROES);
        if (buf.remaining() < size) {
            return null;
        }
        long exportSize = buf.getLong();
        int flags = Short.toUnsignedInt(buf.getShort());
        buf.position(buf.position() + size - SHORT_SIZE);
        return new NbdExportNameReply(exportSize, flags, noZeroes);
    }

    @Override
    public int size() {
        return SHORT_SIZE + (noZeroes ? 0 : ZEROES);
    }

    @Override
    public void encodeTo(ByteBuffer buf) {
        buf.putLong(exportSize).putShort((short) transmissionFlags);
        if (!noZeroes) {
            buf.put(new byte[ZEROES]);
        }
    }
}
