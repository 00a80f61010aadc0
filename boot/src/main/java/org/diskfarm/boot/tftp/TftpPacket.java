package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;

/**
 * A TFTP packet (RFC 1350 section 5, RFC 2347). One UDP datagram carries exactly one packet, so {@link #decode} reads
 * the buffer's remaining bytes as a whole packet; every packet starts with a 2-byte opcode in network byte order.
 *
 * <p>Threads: the records are immutable (but {@link TftpData} holds its caller's array).
 */
public sealed interface TftpPacket permits TftpRequest, TftpData, TftpAck, TftpError, TftpOptionAck {
    /** Bytes of the opcode field that starts every packet. */
    int OPCODE_SIZE = 2;

    TftpOpcode opcode();

    /** Bytes this packet takes on the wire. */
    int size();

    /** Writes the packet at the buffer's position, advancing it by {@link #size()}. */
    void encodeTo(ByteBuffer dst);

    /** The packet in a new buffer, ready to send. */
    default ByteBuffer encode() {
        ByteBuffer buf = ByteBuffer.allocate(size());
        encodeTo(buf);
        return buf.flip();
    }

    /**
     * Decodes the datagram between the buffer's position and limit, consuming it.
     *
     * @throws TftpPacketException if it is truncated, has an unknown opcode, or its fields are malformed
     */
    static TftpPacket decode(ByteBuffer src) throws TftpPacketException {
        int opcode = peekOpcode(src);
        return switch (TftpOpcode.fromCode(opcode).orElseThrow(() -> new TftpPacketException(
                TftpPacketException.Reason.UNKNOWN_OPCODE, "unknown opcode " + opcode))) {
            case RRQ, WRQ -> TftpRequest.decode(src);
            case DATA -> TftpData.decode(src);
            case ACK -> TftpAck.decode(src);
            case ERROR -> TftpError.decode(src);
            case OACK -> TftpOptionAck.decode(src);
        };
    }

    /** The opcode of the datagram at the buffer's position, consuming nothing. */
    static int peekOpcode(ByteBuffer src) throws TftpPacketException {
        if (src.remaining() < OPCODE_SIZE) {
            throw new TftpPacketException(TftpPacketException.Reason.TRUNCATED,
                    src.remaining() + "-byte datagram has no opcode");
        }
        return Short.toUnsignedInt(src.getShort(src.position()));
    }

    /** Checks the buffer holds at least {@code size} bytes for a packet of this opcode. */
    static void requireAtLeast(ByteBuffer src, int size, TftpOpcode opcode) throws TftpPacketException {
        if (src.remaining() < size) {
            throw new TftpPacketException(TftpPacketException.Reason.TRUNCATED,
                    opcode + " of " + src.remaining() + " bytes is shorter than " + size);
        }
    }
}
