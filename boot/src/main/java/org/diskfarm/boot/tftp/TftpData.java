package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * DATA (RFC 1350 section 5): opcode 3, a 16-bit block number and 0 to blksize bytes; a block shorter than the
 * negotiated size ends the transfer. The server does not build these records: it writes {@link #putHeader} and reads
 * the file straight into the buffer after it. Tests decode them.
 *
 * @param block the block number as on the wire, 0 to 65535
 * @param data  the payload (the array is not copied)
 */
public record TftpData(int block, byte[] data) implements TftpPacket {
    public static final int HEADER_SIZE = 4;

    public TftpData {
        requireBlockNumber(block);
        Objects.requireNonNull(data, "data");
    }

    public static TftpData decode(ByteBuffer src) throws TftpPacketException {
        TftpPacket.requireAtLeast(src, HEADER_SIZE, TftpOpcode.DATA);
        src.getShort();
        int block = Short.toUnsignedInt(src.getShort());
        byte[] data = new byte[src.remaining()];
        src.get(data);
        return new TftpData(block, data);
    }

    /** Writes the DATA header for {@code block}, whose number is cut to its low 16 bits (RFC 1350 blocks roll over). */
    public static void putHeader(ByteBuffer dst, long block) {
        dst.putShort((short) TftpOpcode.DATA.code()).putShort((short) block);
    }

    static void requireBlockNumber(int block) {
        if (block < 0 || block > 0xffff) {
            throw new IllegalArgumentException("block number " + block + " does not fit 16 bits");
        }
    }

    @Override
    public TftpOpcode opcode() {
        return TftpOpcode.DATA;
    }

    @Override
    public int size() {
        return HEADER_SIZE + data.length;
    }

    @Override
    public void encodeTo(ByteBuffer dst) {
        putHeader(dst, block);
        dst.put(data);
    }
}
