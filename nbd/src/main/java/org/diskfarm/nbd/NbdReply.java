package org.diskfarm.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
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
 * <p>Data read by copying is held in pooled direct {@link ByteBuf}s, so that the socket write copies it once, from
 * memory the kernel can use as it is; whoever drops a reply unsent must {@link #release()} it.
 *
 * @param parts {@link ByteBuffer}s (position to limit is sent), {@link ByteBuf}s (readable bytes are sent; the reply
 *              owns them) and {@link FileSpan}s with a file
 */
record NbdReply(List<Object> parts) {

    NbdReply {
        parts = List.copyOf(parts);
        for (Object part : parts) {
            if (!(part instanceof ByteBuffer) && !(part instanceof ByteBuf)
                    && !(part instanceof FileSpan span && span.isInFile())) {
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
            size += switch (part) {
                case ByteBuffer bytes -> bytes.remaining();
                case ByteBuf buf -> buf.readableBytes();
                default -> ((FileSpan) part).length();
            };
        }
        return size;
    }

    /** Gives back the pooled buffers of a reply that will not be sent. */
    void release() {
        release(parts);
    }

    static void release(List<Object> parts) {
        for (Object part : parts) {
            if (part instanceof ByteBuf buf && buf.refCnt() > 0) {
                ReferenceCountUtil.safeRelease(buf);
            }
        }
    }

    /** All the reply's bytes in one buffer, file parts read from their files: for tests and messages. */
    ByteBuffer toBuffer() {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size()));
        for (Object part : parts) {
            if (part instanceof ByteBuffer bytes) {
                all.put(bytes.duplicate());
            } else if (part instanceof ByteBuf buf) {
                all.put(buf.nioBuffer());
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
