package org.diskfarm.block;

/** Range checks every device runs before it touches anything. */
public final class Ranges {
    private Ranges() {
    }

    /**
     * Checks that {@code [offset, offset + length)} lies inside a device of {@code size} bytes.
     *
     * @param what names the device in the message, for example the file name
     */
    public static void check(String what, long size, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                    what + ": negative offset or length (offset " + offset + ", length " + length + ")");
        }
        if (offset > size || length > size - offset) {
            throw new StorageException(StorageException.Kind.OUT_OF_RANGE,
                    what + ": request at offset " + offset + " length " + length + " ends past the size " + size);
        }
    }

    /** A call that must describe at least one byte ({@link BlockDevice#fileSpan}) fails for an empty range. */
    public static void checkNotEmpty(String what, long length) {
        if (length == 0) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT, what + ": empty range");
        }
    }

    public static void checkWritable(String what, BlockDevice device) {
        if (!device.canWrite()) {
            throw new StorageException(StorageException.Kind.READ_ONLY, what + ": device is read-only");
        }
    }
}
