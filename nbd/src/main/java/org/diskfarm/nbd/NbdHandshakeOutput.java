package org.diskfarm.nbd;

import java.nio.ByteBuffer;

/** Something the server sends during the handshake: the greeting, an option reply, or the EXPORT_NAME reply. */
public sealed interface NbdHandshakeOutput permits NbdServerGreeting, NbdOptionReply, NbdExportNameReply {

    /** Number of bytes {@link #encodeTo} writes. */
    int size();

    /** Writes the message at the position of {@code buf}, which must have {@link #size()} bytes remaining. */
    void encodeTo(ByteBuffer buf);

    /** The message alone in a new buffer, flipped for reading. */
    default ByteBuffer encode() {
        ByteBuffer buf = ByteBuffer.allocate(size());
        encodeTo(buf);
        return buf.flip();
    }
}
