package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;

/**
 * ACK (RFC 1350 section 5): opcode 4 and the 16-bit number of the block acknowledged; block 0 acknowledges an OACK
 * (RFC 2347). Bytes after the block number are ignored: they carry nothing, and refusing them would stall a transfer.
 *
 * @param block the block number as on the wire, 0 to 65535 (numbers roll over on long transfers)
 */
public record TftpAck(int block) implements TftpPacket {
    public static final int SIZE = 4;

    public TftpAck {
        TftpData.requireBlockNumber(block);
    }

    public static TftpAck decode(ByteBuffer src) throws TftpPacketException {
        TftpPacket.requireAtLeast(src, SIZE, TftpOpcode.ACK);
        src.getShort();
        int block = Short.toUnsignedInt(src.getShort());
        src.position(src.limit());
        return new TftpAck(block);
    }

    @Override
    public TftpOpcode opcode() {
        return TftpOpcode.ACK;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void encodeTo(ByteBuffer dst) {
        dst.putShort((short) TftpOpcode.ACK.code()).putShort((short) block);
    }
}
