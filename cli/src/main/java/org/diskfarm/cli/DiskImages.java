package org.diskfarm.cli;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.FileStorage;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.vhd.Vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens a disk image the user names, whatever it is: a VHD file (recognised by the footer cookie {@code conectix} in
 * its last 512 bytes, or in its first 512 bytes, where a dynamic disk keeps a copy) or a raw image.
 */
final class DiskImages {
    /** The cookie at the start of every VHD footer. */
    private static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final int FOOTER = 512;

    private DiskImages() {
    }

    /** True if {@code file} looks like a VHD file. */
    static boolean isVhd(Path file) {
        requireFile(file);
        try (FileStorage storage = FileStorage.open(file, FileStorage.Mode.READ_ONLY)) {
            long size = storage.size();
            if (size < FOOTER) {
                return false;
            }
            return hasCookie(storage, size - FOOTER) || hasCookie(storage, 0);
        }
    }

    /** Opens {@code file} read-only: as a VHD (with its parents) if it is one, else as a raw image. */
    static BlockDevice openReadOnly(Path file) {
        return isVhd(file) ? Vhd.open(file, false) : RawFileDevice.open(file, false);
    }

    /** Fails with a clear message unless {@code file} is an existing regular file. */
    static void requireFile(Path file) {
        if (!Files.exists(file)) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT, file + ": is a folder, not a file");
        }
    }

    private static boolean hasCookie(FileStorage storage, long offset) {
        ByteBuffer buffer = ByteBuffer.allocate(COOKIE.length);
        storage.read(offset, buffer);
        return Arrays.equals(buffer.array(), COOKIE);
    }
}
