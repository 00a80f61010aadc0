package org.diskfarm.testkit;

import org.diskfarm.block.BlockDevice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Files and content for tests: temporary directories, deterministic pseudo-random content, and SHA-256 of files and of
 * whole devices.
 *
 * <p>Content is a pure function of (seed, absolute offset): {@link #pattern(long, long, int)} gives the same bytes for
 * a range whether it is asked for at once or piece by piece, so a test can recompute what any part of a disk should
 * hold without keeping a copy. Different seeds give unrelated bytes; no 8-byte word is zero in practice, so zero
 * detection never mistakes pattern data for a hole.
 *
 * <p>Threads: stateless.
 */
public final class TestFiles {
    private static final int CHUNK = 4 << 20;

    private TestFiles() {
    }

    /** A new empty directory under the system temporary directory; delete it with {@link #deleteTree(Path)}. */
    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a file or a directory and everything in it; does nothing if it does not exist. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code length} bytes of the content of {@code seed} at {@code offset}. */
    public static byte[] pattern(long seed, long offset, int length) {
        byte[] bytes = new byte[length];
        fill(seed, offset, ByteBuffer.wrap(bytes));
        return bytes;
    }

    /** {@code length} bytes of the content of {@code seed} starting at offset 0. */
    public static byte[] pattern(long seed, int length) {
        return pattern(seed, 0, length);
    }

    /** Fills the rest of {@code dst} with the content of {@code seed} at {@code offset}; moves its position. */
    public static void fill(long seed, long offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            long word = offset >>> 3;
            int skip = (int) (offset & 7);
            long value = mix(seed, word);
            for (int i = skip; i < 8 && dst.hasRemaining(); i++) {
                dst.put((byte) (value >>> (8 * i)));
                offset++;
            }
        }
    }

    /** Writes a file of {@code size} bytes of the content of {@code seed}. */
    public static Path writePatternFile(Path file, long size, long seed) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            for (long at = 0; at < size; ) {
                int n = (int) Math.min(CHUNK, size - at);
                buffer.clear().limit(n);
                fill(seed, at, buffer);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    at += channel.write(buffer, at);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates a sparse file of {@code size} bytes (a hole) and writes {@code length} bytes of the content of
     * {@code seed} at each of {@code offsets}; the rest stays a hole.
     */
    public static Path writeSparseFile(Path file, long size, long seed, int length, long... offsets) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.truncate(0);
            if (size > 0) {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
            for (long offset : offsets) {
                int n = (int) Math.min(length, size - offset);
                ByteBuffer data = ByteBuffer.wrap(pattern(seed, offset, n));
                for (long at = offset; data.hasRemaining(); ) {
                    at += channel.write(data, at);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} as a new (or replaced) file. */
    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 of a file's bytes, as lower-case hex. */
    public static String sha256(Path file) {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 of {@code bytes}, as lower-case hex. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** SHA-256 of the whole content of {@code device}, read from offset 0 to its size in chunks. */
    public static String sha256(BlockDevice device) {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long size = device.size();
        for (long at = 0; at < size; ) {
            int n = (int) Math.min(CHUNK, size - at);
            buffer.clear().limit(n);
            device.read(at, buffer);
            buffer.flip();
            digest.update(buffer);
            at += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The whole content of a device of at most 2 GiB, read into one array. */
    public static byte[] readAll(BlockDevice device) {
        long size = device.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("device of " + size + " bytes is too large to read into an array");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        device.read(0, buffer);
        return buffer.array();
    }

    /** {@code length} bytes of {@code device} at {@code offset}. */
    public static byte[] read(BlockDevice device, long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        device.read(offset, buffer);
        return buffer.array();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SplitMix64 of (seed, word): fast, stateless, and well spread. */
    private static long mix(long seed, long word) {
        long z = seed * 0x9E3779B97F4A7C15L + word * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
