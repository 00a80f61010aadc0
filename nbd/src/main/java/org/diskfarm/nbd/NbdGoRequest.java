package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of NBD_OPT_INFO and NBD_OPT_GO: a 32-bit name length, the export name, a 16-bit count and that many 16-bit
 * {@link NbdInfoType} codes the client asks for.
 *
 * @param exportName   the export; empty means the server's default export
 * @param infoRequests information type codes requested, as sent (unknown ones included)
 */
public record NbdGoRequest(String exportName, List<Integer> infoRequests) {

    public NbdGoRequest {
        infoRequests = List.copyOf(infoRequests);
    }

    /** Decodes an option's whole data; malformed data is a non-fatal {@link NbdProtocolException} (ERR_INVALID). */
    public static NbdGoRequest decode(ByteBuffer data) {
        ByteBuffer buf = data.duplicate();
        String name = NbdWire.readLengthPrefixed(buf, "export name");
        NbdWire.need(buf, 2, "information request count");
        int count = Short.toUnsignedInt(buf.getShort());
        if (buf.remaining() != 2 * count) {
            throw new NbdProtocolException("information requests: " + count + " announced, " + buf.remaining()
                    + " bytes follow", false);
        }
        List<Integer> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(Short.toUnsignedInt(buf.getShort()));
        }
        return new NbdGoRequest(name, requests);
    }

    public boolean requests(NbdInfoType type) {
        return infoRequests.contains(type.code());
    }

    public ByteBuffer encode() {
        byte[] name = NbdWire.utf8(exportName);
        ByteBuffer buf = ByteBuffer.allocate(4 + name.length + 2 + 2 * infoRequests.size());
        buf.putInt(name.length).put(name).putShort((short) infoRequests.size());
        infoRequests.forEach(code -> buf.putShort(code.shortValue()));
        return buf.flip();
    }
}
