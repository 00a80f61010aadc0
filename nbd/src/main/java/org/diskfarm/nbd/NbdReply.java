package org.diskfarm.nbd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.diskfarm.block.FileSpan;

/**
 * One reply as it goes on the wire: encoded bytes and {@link FileSpan}s (data the transport sends from the file with
 * sendfile), in order. The transport writes all parts of a reply before any part of another, so a simple reply's
 * data and a structured reply's chunks stay whole.
 *
 * <p>A reply with file parts borrows the device's channel: the connection keeps the device open until it is written.
 *
 * @param parts {@link ByteBuffer}s (position to limit is sent) and {@link FileSpan}s with a file
 */
record NbdReply(List<Object> parts) {

    NbdReply {
        parts = List.copyOf(parts);
        for (Object part : parts) {
            if (!(part instanceof ByteBuffer) && !(part instanceof FileSpan span && span.isInFile())) {
                throw new IllegalArgumentException("a reply part must be bytes or a file span, not " + part);
            }
        }
    }

    static NbdReply of(ByteBuffer bytes) {
        return new NbdReply(List.of(bytes));
    }

    boolean hasFileParts() {
        return parts.stream().anyMatch(FileSpan.class::isInstance);
    }

    long size() {
        long size = 0;
        for (Object part : parts) {
            size += part instanceof ByteBuffer bytes ? bytes.remaining() : ((FileSpan) part).length();
        }
        return size;
    }

    /** All the reply's bytes in one buffer, file parts read from their files: for tests and messages. */
    ByteBuffer toBuffer() {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size()));
        for (Object part : parts) {
            if (part instanceof ByteBuffer bytes) {
                all.put(bytes.duplicate());
            } else {
                FileSpan span = (FileSpan) part;
                ByteBuffer dst = all.slice(all.position(), (int) span.length());
                try {
                    for (long at = span.position(); dst.hasRemaining(); ) {
                        int n = span.channel().read(dst, at);
                        if (n < 0) {
                            throw new IOException("file ends inside a span at " + at);
                        }
                        at += n;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                all.position(all.position() + (int) span.length());
            }
        }
        return all.flip();
    }
}
