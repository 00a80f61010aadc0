package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: a length-prefixed export name, a 32-bit count
 * and that many length-prefixed queries.
 *
 * @param exportName the export the contexts are for
 * @param queries    context names or queries ({@code "base:allocation"}, {@code "base:"})
 */
public record NbdMetaContextRequest(String exportName, List<String> queries) {
    /** More queries than any client sends; a larger count is a protocol error (ERR_INVALID). */
    public static final int MAX_QUERIES = 256;

    public NbdMetaContextRequest {
        queries = List.copyOf(queries);
    }

    /** Decodes an option's whole data; malformed data is a non-fatal {@link NbdProtocolException} (ERR_INVALID). */
    public static NbdMetaContextRequest decode(ByteBuffer data) {
        ByteBuffer buf = data.duplicate();
        String name = NbdWire.readLengthPrefixed(buf, "export name");
        NbdWire.need(buf, 4, "query count");
        int count = buf.getInt();
        if (count < 0 || count > MAX_QUERIES) {
            throw new NbdProtocolException(Integer.toUnsignedString(count) + " queries, more than " + MAX_QUERIES,
                    false);
        }
        List<String> queries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            queries.add(NbdWire.readLengthPrefixed(buf, "query " + i));
        }
        if (buf.hasRemaining()) {
            throw new NbdProtocolException(buf.remaining() + " bytes after the last query", false);
        }
        return new NbdMetaContextRequest(name, queries);
    }

    public ByteBuffer encode() {
        byte[] name = NbdWire.utf8(exportName);
        List<byte[]> encoded = queries.stream().map(NbdWire::utf8).toList();
        int size = 4 + name.length + 4 + encoded.stream().mapToInt(q -> 4 + q.length).sum();
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(name.length).put(name).putInt(encoded.size());
        encoded.forEach(q -> buf.putInt(q.length).put(q));
        return buf.flip();
    }
}
