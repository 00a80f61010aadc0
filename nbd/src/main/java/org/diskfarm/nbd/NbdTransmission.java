package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;

/**
 * Serves one checked transmission request on a device and builds the reply: a simple reply, or when structured
 * replies were negotiated chunks for READ ({@link NbdReadReply}: data from the file with sendfile where it lies there,
 * OFFSET_HOLE for holes) and one chunk with DONE for BLOCK_STATUS and errors. The request must have passed
 * {@link NbdRequestCheck}; device failures become error replies through {@link NbdErrors}.
 *
 * <p>Threads: stateless; called on a virtual thread per request, since device calls may block. The caller serialises
 * calls on a device that is not {@link BlockDevice#isConcurrent() concurrent}.
 */
final class NbdTransmission {
    private static final System.Logger LOG = System.getLogger(NbdTransmission.class.getName());
    /** Longest descriptor sent: 4 GiB minus 4 KiB, so that a split extent stays aligned. */
    private static final long MAX_DESCRIPTOR = NbdBlockDescriptor.MAX_LENGTH & ~4095L;
    /** Error messages are cut to this many characters. */
    private static final int MAX_MESSAGE = 1024;

    private NbdTransmission() {
    }

    /** Thrown when the device was closed under the connection: close the socket instead of answering. */
    static final class MustClose extends RuntimeException {
        MustClose(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Serves {@code request} (its WRITE data in {@code data}, else null) and returns the whole reply, ready to send.
     *
     * @param zeroCopyMin READs and file spans shorter than this are copied rather than sent from the file
     * @throws MustClose if the device says the connection must end ({@link NbdErrors#mustClose})
     */
    static NbdReply serve(BlockDevice device, NbdRequest request, ByteBuffer data, NbdNegotiated session,
            int zeroCopyMin) {
        NbdCommand command = request.command().orElseThrow();
        try {
            if (command == NbdCommand.READ) {
                return NbdReadReply.build(device, request, session, zeroCopyMin);
            }
            return NbdReply.of(switch (command) {
                case READ -> throw new AssertionError("served above");
                case WRITE -> {
                    device.write(request.offset(), data, ioFlags(request));
                    yield ok(request);
                }
                case FLUSH -> {
                    device.flush();
                    yield ok(request);
                }
                case TRIM -> {
                    device.trim(request.offset(), request.length(), ioFlags(request));
                    yield ok(request);
                }
                case WRITE_ZEROES -> writeZeroes(device, request);
                case BLOCK_STATUS -> blockStatus(device, request);
                case DISC, CACHE, RESIZE -> error(request, session, NbdError.EINVAL, command + " is not served here");
            });
        } catch (StorageException e) {
            if (NbdErrors.mustClose(e.kind())) {
                throw new MustClose(command + ": " + e.getMessage());
            }
            return NbdReply.of(error(request, session, NbdErrors.errorFor(e, request), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "NBD {0} at {1} failed unexpectedly", command,
                    Long.toUnsignedString(request.offset()), e);
            return NbdReply.of(error(request, session, NbdError.EIO, command + " failed: " + e));
        }
    }

    /** The error reply for a request: an ERROR chunk for READ and BLOCK_STATUS under structured replies, else simple. */
    static ByteBuffer error(NbdRequest request, NbdNegotiated session, NbdError error, String message) {
        boolean chunked = session.structuredReplies() && (request.type() == NbdCommand.READ.code()
                || request.type() == NbdCommand.BLOCK_STATUS.code());
        if (!chunked) {
            return encode(NbdSimpleReply.error(error, request.cookie()));
        }
        String text = message == null ? error.name() : message;
        if (text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE);
        }
        return new NbdStructuredReply(NbdFlags.Reply.DONE, request.cookie(), new NbdChunk.Error(error.code(), text))
                .encode();
    }

    private static ByteBuffer writeZeroes(BlockDevice device, NbdRequest request) {
        if (request.has(NbdFlags.Command.FAST_ZERO) && !device.canFastZero()) {
            return encode(NbdSimpleReply.error(NbdError.ENOTSUP, request.cookie()));
        }
        IoFlags flags = ioFlags(request);
        if (request.has(NbdFlags.Command.NO_HOLE)) {
            flags = new IoFlags(flags.fua(), true);
        }
        device.zero(request.offset(), request.length(), flags);
        return ok(request);
    }

    private static ByteBuffer blockStatus(BlockDevice device, NbdRequest request) {
        if (request.length() == 0) {
            return new NbdStructuredReply(NbdFlags.Reply.DONE, request.cookie(),
                    new NbdChunk.Error(NbdError.EINVAL.code(), "BLOCK_STATUS of length 0")).encode();
        }
        List<NbdBlockDescriptor> descriptors = descriptors(device.extents(request.offset(), request.length()),
                request.offset(), request.length(), request.has(NbdFlags.Command.REQ_ONE));
        if (descriptors.isEmpty()) {
            throw new StorageException(StorageException.Kind.IO_ERROR, "the device described no extent at "
                    + request.offset());
        }
        var chunk = new NbdChunk.BlockStatus(NbdNegotiated.BASE_ALLOCATION_ID, descriptors);
        return new NbdStructuredReply(NbdFlags.Reply.DONE, request.cookie(), chunk).encode();
    }

    /** Extents clipped to {@code [offset, offset + length)}, split to fit 32 bits; only the first if {@code one}. */
    static List<NbdBlockDescriptor> descriptors(List<Extent> extents, long offset, long length, boolean one) {
        List<NbdBlockDescriptor> result = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        for (Extent extent : extents) {
            long stop = Math.min(extent.end(), end);
            while (position < stop && extent.offset() <= position) {
                long n = Math.min(stop - position, MAX_DESCRIPTOR);
                result.add(NbdBlockDescriptor.allocation(new Extent(position, n, extent.allocated(), extent.zero())));
                position += n;
                if (one) {
                    return result;
                }
            }
            if (position >= end) {
                break;
            }
        }
        return result;
    }

    private static IoFlags ioFlags(NbdRequest request) {
        return request.has(NbdFlags.Command.FUA) ? IoFlags.FUA : IoFlags.NONE;
    }

    private static ByteBuffer ok(NbdRequest request) {
        return encode(NbdSimpleReply.ok(request.cookie()));
    }

    private static ByteBuffer encode(NbdSimpleReply reply) {
        ByteBuffer buf = ByteBuffer.allocate(NbdSimpleReply.SIZE);
        reply.encodeTo(buf);
        return buf.flip();
    }
}
