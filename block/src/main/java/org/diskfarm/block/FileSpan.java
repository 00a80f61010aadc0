package org.diskfarm.block;

import java.nio.channels.FileChannel;

/**
 * Where the first bytes of a device range lie, as {@link BlockDevice#fileSpan} answers: either unchanged and contiguous
 * in one file (a protocol may send them straight from the file with sendfile), or not in a file that way (in memory,
 * zeros the device makes up, a cache's own chunk, bytes spread over several places): then the caller reads them with
 * {@link BlockDevice#read}.
 *
 * <p>The channel is borrowed from the device: it stays open while the device is open, and the caller never closes it
 * and never uses it after closing the device. Only positional calls may be made on it (transferTo, read at a position);
 * it is shared with the device's own I/O.
 *
 * @param channel  the file, or null if the bytes are not in a file
 * @param position where in the file the range's first byte is (0 if not in a file)
 * @param length   how many bytes of the range this span covers, at least 1
 */
public record FileSpan(FileChannel channel, long position, long length) {

    public FileSpan {
        if (length <= 0 || position < 0) {
            throw new IllegalArgumentException("bad file span at " + position + " length " + length);
        }
        if (channel == null && position != 0) {
            throw new IllegalArgumentException("a span outside any file has no position");
        }
    }

    /** {@code length} bytes that are not in a file as they are: read them. */
    public static FileSpan notInFile(long length) {
        return new FileSpan(null, 0, length);
    }

    public static FileSpan inFile(FileChannel channel, long position, long length) {
        if (channel == null) {
            throw new IllegalArgumentException("no channel");
        }
        return new FileSpan(channel, position, length);
    }

    public boolean isInFile() {
        return channel != null;
    }

    /** The same span cut to at most {@code max} bytes. */
    public FileSpan limit(long max) {
        return max >= length ? this : new FileSpan(channel, position, max);
    }
}
