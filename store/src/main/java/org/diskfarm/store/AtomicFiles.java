package org.diskfarm.store;

import org.diskfarm.block.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a small file so that readers, and the file after a crash, show either the old content or the new, never a
 * mix or nothing: write a temporary file in the same folder, fsync it, rename it over the target (an atomic rename
 * within one file system), then fsync the folder so that the rename itself is durable.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static void write(Path target, byte[] content) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = dir.resolve("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (NoSuchFileException e) {
            deleteQuietly(temp);
            throw new StorageException(StorageException.Kind.NOT_FOUND, target + ": no such folder " + dir);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw StorageException.io(target + ": cannot write", e);
        }
    }

    /** Makes a rename or creation in {@code dir} durable (Linux needs an fsync of the folder itself). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The original failure is the one to report.
        }
    }
}
