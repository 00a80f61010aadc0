package org.diskfarm.nbd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.Extent;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.StorageException;

/**
 * Builds the reply to a checked READ: the data sent from the device's file where {@link BlockDevice#fileSpan} says it
 * lies there (zero-copy) and read into heap buffers elsewhere; under structured replies, the ranges the device reports
 * as zeros become OFFSET_HOLE chunks.
 *
 * <p>Shapes (nbd doc/proto.md, "NBD_CMD_READ"):
 * <ul>
 * <li>Simple reply: the 16-byte header, then exactly the requested bytes (holes as zeros).</li>
 * <li>Structured with NBD_CMD_FLAG_DF: one OFFSET_DATA chunk for the whole range, zeros included ("the server MUST
 *     send at most one content chunk ... MUST use NBD_REPLY_TYPE_OFFSET_DATA with the zeroes explicitly present").</li>
 * <li>Structured without DF: OFFSET_DATA and OFFSET_HOLE chunks in order, holes of at least {@link #MIN_HOLE} bytes
 *     from {@link BlockDevice#extents}.</li>
 * </ul>
 * DONE goes on the last chunk only if nothing of it is sent from a file; otherwise a NONE chunk with DONE follows, since
 * proto.md forbids DONE on "a content chunk if it would still be possible to detect an error while transmitting the
 * chunk" (a sendfile may fail; the connection is then closed).
 *
 * <p>Every device call happens here, on the request's virtual thread, before anything is sent; a failure becomes the
 * error reply of {@link NbdTransmission}.
 */
final class NbdReadReply {
    /** Reads shorter than this go as one data chunk without looking for holes. */
    static final int SCAN_HOLES_FROM = 16 << 10;
    /** Zero runs shorter than this are sent as data: a hole chunk costs a header, and 4 KiB is a file system block. */
    static final int MIN_HOLE = 4096;

    private final BlockDevice device;
    private final int zeroCopyMin;
    private final List<Object> parts = new ArrayList<>();
    /** Index in {@link #parts} of the last chunk header written. */
    private int lastHeader = -1;

    private NbdReadReply(BlockDevice device, int zeroCopyMin) {
        this.device = device;
        this.zeroCopyMin = zeroCopyMin;
    }

    /**
     * @param zeroCopyMin reads (and file spans) shorter than this are copied: for small reads one buffer written is
     *                    cheaper than a header and a sendfile
     */
    static NbdReply build(BlockDevice device, NbdRequest request, NbdNegotiated session, int zeroCopyMin) {
        NbdReadReply reply = new NbdReadReply(device, zeroCopyMin);
        try {
            return reply.build(request, session);
        } catch (RuntimeException e) {
            NbdReply.release(reply.parts); // buffers read before the failure
            throw e;
        }
    }

    private NbdReply build(NbdRequest request, NbdNegotiated session) {
        NbdReadReply reply = this;
        long offset = request.offset();
        int length = (int) request.length(); // NbdRequestCheck keeps it within the export's maximum
        if (!session.structuredReplies()) {
            ByteBuffer header = ByteBuffer.allocate(NbdSimpleReply.SIZE);
            NbdSimpleReply.ok(request.cookie()).encodeTo(header);
            reply.parts.add(header.flip());
            reply.data(offset, length);
            return new NbdReply(reply.parts);
        }
        if (length == 0) {
            return NbdReply.of(new NbdStructuredReply(NbdFlags.Reply.DONE, request.cookie(), new NbdChunk.None())
                    .encode());
        }
        // Short reads skip the search for holes (an extents call on every 4 KiB read): a hole chunk would save the
        // client at most a few KiB of zeros.
        if (request.has(NbdFlags.Command.DF) || length < SCAN_HOLES_FROM) {
            reply.dataChunk(request.cookie(), offset, length);
        } else {
            for (long[] run : runs(device, offset, length)) {
                if (run[2] != 0) {
                    reply.holeChunk(request.cookie(), run[0], (int) run[1]);
                } else {
                    reply.dataChunk(request.cookie(), run[0], (int) run[1]);
                }
            }
        }
        return reply.finish(request.cookie());
    }

    /**
     * The range cut into runs {offset, length, 1 for a hole / 0 for data}: zero extents of at least {@link #MIN_HOLE}
     * bytes are holes, everything else (shorter zero runs included) data. Adjacent data runs are merged.
     */
    static List<long[]> runs(BlockDevice device, long offset, long length) {
        List<long[]> runs = new ArrayList<>();
        long end = offset + length;
        for (long pos = offset; pos < end; ) {
            List<Extent> extents = device.extents(pos, end - pos);
            if (extents.isEmpty() || extents.getFirst().offset() > pos || extents.getLast().end() <= pos) {
                // A device that breaks the extents contract must not make the request loop for ever.
                throw new StorageException(StorageException.Kind.IO_ERROR,
                        "the device described no extent at " + pos);
            }
            for (Extent e : extents) {
                long from = Math.max(pos, e.offset());
                long to = Math.min(end, e.end());
                if (to <= from) {
                    continue;
                }
                boolean hole = e.zero() && to - from >= MIN_HOLE;
                long[] last = runs.isEmpty() ? null : runs.getLast();
                if (last != null && last[2] == (hole ? 1 : 0) && last[0] + last[1] == from) {
                    last[1] += to - from;
                } else {
                    runs.add(new long[] {from, to - from, hole ? 1 : 0});
                }
                pos = to;
            }
        }
        return runs;
    }

    private void holeChunk(long cookie, long offset, int length) {
        ByteBuffer chunk = ByteBuffer.allocate(NbdStructuredReply.HEADER_SIZE + 12);
        NbdStructuredReply.encodeHeaderTo(chunk, 0, NbdReplyType.OFFSET_HOLE.code(), cookie, 12);
        lastHeader = parts.size();
        parts.add(chunk.putLong(offset).putInt(length).flip());
    }

    private void dataChunk(long cookie, long offset, int length) {
        ByteBuffer header = ByteBuffer.allocate(NbdStructuredReply.HEADER_SIZE + 8);
        NbdStructuredReply.encodeHeaderTo(header, 0, NbdReplyType.OFFSET_DATA.code(), cookie, 8 + length);
        lastHeader = parts.size();
        parts.add(header.putLong(offset).flip());
        data(offset, length);
    }

    /** Marks the last chunk DONE, or adds a NONE chunk with DONE if the last one is sent (partly) from a file. */
    private NbdReply finish(long cookie) {
        boolean fileAfter = parts.subList(lastHeader, parts.size()).stream().anyMatch(FileSpan.class::isInstance);
        if (fileAfter) {
            parts.add(new NbdStructuredReply(NbdFlags.Reply.DONE, cookie, new NbdChunk.None()).encode());
        } else {
            ByteBuffer header = (ByteBuffer) parts.get(lastHeader);
            header.putShort(header.position() + 4, (short) NbdFlags.Reply.DONE);
        }
        return new NbdReply(parts);
    }

    /** Appends the bytes of {@code [offset, offset + length)}: file spans where the device offers them, else copies. */
    private void data(long offset, int length) {
        if (length == 0) {
            return;
        }
        if (length < zeroCopyMin) {
            copy(offset, length);
            return;
        }
        long end = offset + length;
        long copyFrom = -1;
        for (long pos = offset; pos < end; ) {
            FileSpan span = device.fileSpan(pos, end - pos);
            long n = Math.min(span.length(), end - pos);
            if (span.isInFile() && n >= zeroCopyMin) {
                if (copyFrom >= 0) {
                    copy(copyFrom, (int) (pos - copyFrom));
                    copyFrom = -1;
                }
                parts.add(span.limit(n));
            } else if (copyFrom < 0) {
                copyFrom = pos;
            }
            pos += n;
        }
        if (copyFrom >= 0) {
            copy(copyFrom, (int) (end - copyFrom));
        }
    }

    /** Reads into a pooled direct buffer: the socket write then copies it once (a heap buffer costs one more copy). */
    private void copy(long offset, int length) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(length, length);
        try {
            device.read(offset, buffer.nioBuffer(0, length));
            buffer.writerIndex(length);
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
        parts.add(buffer);
    }
}
