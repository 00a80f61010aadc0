package org.diskfarm.vhd;

import org.diskfarm.block.Extent;
import org.diskfarm.block.StorageException;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The property that fuzz and mutation tests check on every damaged file: opening, reading, listing extents and
 * checking it either works or fails with a {@link StorageException} whose message is one line and names a file of the
 * chain; {@link Vhd#check} never throws and reports an error whenever open fails for damage; nothing is written; every
 * file opened is closed again; no call allocates more than {@link #ALLOCATION_LIMIT} (a header field must not size an
 * allocation unchecked; loops are bounded by the file's size, and no test here measures time).
 *
 * <p>Any violation is thrown as an {@link AssertionError} whose message says what went wrong and on which input, with
 * the unexpected throwable as its cause. Reading is bounded ({@link #READ_BUDGET}): a damaged header may claim
 * terabytes of holes, and reading them all would prove nothing more.
 */
final class VhdRobustness {
    static final long ALLOCATION_LIMIT = 256L << 20;
    static final long READ_BUDGET = 4L << 20;
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_EXTENT_CALLS = 4096;

    private VhdRobustness() {
    }

    /**
     * Opens {@code file} through {@code files} (read-only), reads and lists it, checks it, and asserts the property.
     *
     * @param names   file names (not paths) that a message may name: the file and the others of its chain
     * @param context what the input was, for the failure message (seed, edits)
     * @return the outcome, for statistics: "opened" or "refused KIND", and whether check found errors
     */
    static String assertHandlesCleanly(Path file, InMemoryVhdFiles files, Set<String> names, String context) {
        VhdOptions options = VhdOptions.readOnly().withOpener(files);
        long startBytes = allocatedBytes();

        StorageException openFailure = null;
        String stage = "open";
        try (VhdDevice device = Vhd.open(file, options)) {
            stage = "info";
            device.info();
            device.type();
            stage = "extents";
            List<Extent> allocated = listExtents(device);
            stage = "read";
            readBounded(device, allocated);
        } catch (StorageException e) {
            openFailure = e;
            assertCleanMessage(e, names, context, stage);
        } catch (Throwable t) {
            throw new AssertionError(stage + " threw " + t + " (expected only StorageException); input: " + context, t);
        }

        VhdCheckReport report;
        try {
            report = Vhd.check(file, options);
        } catch (Throwable t) {
            throw new AssertionError("check threw " + t + " (it must report, never throw); input: " + context, t);
        }
        if (report == null || report.problems() == null) {
            throw new AssertionError("check returned no report; input: " + context);
        }
        for (VhdProblem problem : report.problems()) {
            if (problem.where() == null || problem.what() == null || isMultiLine(problem.where())
                    || isMultiLine(problem.what())) {
                throw new AssertionError("check problem is not one line: " + problem + "; input: " + context);
            }
        }
        if (openFailure != null && openFailure.kind() == StorageException.Kind.CORRUPT && report.ok()) {
            throw new AssertionError("open failed with \"" + openFailure.getMessage()
                    + "\" but check reports the file ok: " + report.problems() + "; input: " + context);
        }

        long allocated = allocatedBytes() - startBytes;
        if (files.writeAttempts() != 0) {
            throw new AssertionError(files.writeAttempts() + " write attempts on a read-only open; input: " + context);
        }
        if (files.openFiles() != 0) {
            throw new AssertionError(files.openFiles() + " files left open after close/failure; input: " + context);
        }
        if (startBytes >= 0 && allocated > ALLOCATION_LIMIT) {
            throw new AssertionError("open+read+check allocated " + (allocated >> 20) + " MiB for a file of at most "
                    + "a few hundred KiB; input: " + context);
        }
        return (openFailure == null ? "opened" : "refused " + openFailure.kind())
                + (report.ok() ? ", check ok" : ", check errors");
    }

    static void assertCleanMessage(StorageException e, Set<String> names, String context, String stage) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            throw new AssertionError(stage + ": StorageException without a message; input: " + context, e);
        }
        if (isMultiLine(message)) {
            throw new AssertionError(stage + ": message is not one line: \"" + message + "\"; input: " + context, e);
        }
        if (names.stream().noneMatch(message::contains)) {
            throw new AssertionError(stage + ": message names none of " + names + ": \"" + message + "\"; input: "
                    + context, e);
        }
    }

    static boolean isMultiLine(String text) {
        return text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
    }

    /** Lists the extents of the whole device, checking the BlockDevice contract; returns the allocated ones. */
    private static List<Extent> listExtents(VhdDevice device) {
        long size = device.size();
        if (size < 0) {
            throw new AssertionError("negative size " + size);
        }
        java.util.ArrayList<Extent> allocated = new java.util.ArrayList<>();
        long at = 0;
        for (int calls = 0; at < size && calls < MAX_EXTENT_CALLS; calls++) {
            List<Extent> extents = device.extents(at, size - at);
            if (extents == null || extents.isEmpty()) {
                throw new AssertionError("extents(" + at + ", " + (size - at) + ") returned nothing");
            }
            for (Extent e : extents) {
                if (e.offset() != at || e.end() > size) {
                    throw new AssertionError("extents(" + at + ", " + (size - at) + ") returned " + extents
                            + ": not in order, with a gap, or past the end");
                }
                if (e.allocated() && allocated.size() < 1024) {
                    allocated.add(e);
                }
                at = e.end();
            }
        }
        return allocated;
    }

    /** Reads the start, the end and allocated extents of the device, up to {@link #READ_BUDGET} bytes in all. */
    private static void readBounded(VhdDevice device, List<Extent> allocated) {
        long size = device.size();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long budget = READ_BUDGET;
        budget -= readRange(device, buffer, 0, Math.min(size, 256 * 1024));
        budget -= readRange(device, buffer, Math.max(0, size - 64 * 1024), Math.min(size, 64 * 1024));
        for (Extent e : allocated) {
            if (budget <= 0) {
                break;
            }
            budget -= readRange(device, buffer, e.offset(), Math.min(e.length(), budget));
        }
        if (size > 1) {
            // An unaligned read across the middle.
            buffer.clear().limit((int) Math.min(size - 1, 1000));
            device.read(Math.min(size / 2 | 1, size - buffer.remaining()), buffer);
        }
    }

    private static long readRange(VhdDevice device, ByteBuffer buffer, long offset, long length) {
        long done = 0;
        while (done < length) {
            buffer.clear().limit((int) Math.min(CHUNK, length - done));
            device.read(offset + done, buffer);
            if (buffer.hasRemaining()) {
                throw new AssertionError("read at " + (offset + done) + " left " + buffer.remaining() + " bytes");
            }
            done += buffer.limit();
        }
        return done;
    }

    /** Bytes this thread has allocated so far, or -1 if the JVM does not say. */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled()) {
            return bean.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }
}
