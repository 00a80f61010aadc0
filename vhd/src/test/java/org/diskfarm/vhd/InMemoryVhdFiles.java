package org.diskfarm.vhd;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;
import org.diskfarm.block.StorageOpener;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link StorageOpener} over byte arrays in memory, for fuzz and property tests that open thousands of damaged
 * files: each path maps to the bytes a test put there; any other path is NOT_FOUND, as a missing file is.
 *
 * <p>It never changes the arrays it was given: files open read-only, and every attempt to write, truncate or punch a
 * hole is counted (see {@link #writeAttempts()}) and refused with kind READ_ONLY, so a test can assert that checking or
 * reading a damaged file wrote nothing. Reads past the end return zeros, as {@link StorageFile} requires.
 *
 * <p>Threads: one test thread; not safe for concurrent use.
 */
final class InMemoryVhdFiles implements StorageOpener {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final Map<Path, byte[]> files = new HashMap<>();
    private final AtomicInteger writeAttempts = new AtomicInteger();
    private final AtomicInteger openFiles = new AtomicInteger();

    InMemoryVhdFiles put(Path path, byte[] content) {
        files.put(key(path), content);
        return this;
    }

    int writeAttempts() {
        return writeAttempts.get();
    }

    /** Files opened and not yet closed. */
    int openFiles() {
        return openFiles.get();
    }

    @Override
    public StorageFile open(Path path, FileStorage.Mode mode) {
        byte[] content = files.get(key(path));
        if (content == null) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, path + ": " + StorageOpener.NO_SUCH_FILE);
        }
        if (mode != FileStorage.Mode.READ_ONLY) {
            writeAttempts.incrementAndGet();
            throw new StorageException(StorageException.Kind.READ_ONLY, path + ": opened read-only (test)");
        }
        openFiles.incrementAndGet();
        return new MemoryFile(path.toString(), content);
    }

    private static Path key(Path path) {
        return path.toAbsolutePath().normalize();
    }

    private final class MemoryFile implements StorageFile {
        private final String name;
        private final byte[] content;
        private boolean closed;

        MemoryFile(String name, byte[] content) {
            this.name = name;
            this.content = content;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean isWritable() {
            return false;
        }

        @Override
        public long size() {
            requireOpen();
            return content.length;
        }

        @Override
        public void read(long position, ByteBuffer dst) {
            requireOpen();
            if (position < 0) {
                throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                        name + ": read at negative offset " + position);
            }
            while (dst.hasRemaining()) {
                if (position < content.length) {
                    int n = (int) Math.min(dst.remaining(), content.length - position);
                    dst.put(content, (int) position, n);
                    position += n;
                } else {
                    dst.put(ZEROS, 0, Math.min(dst.remaining(), ZEROS.length));
                }
            }
        }

        @Override
        public void write(long position, ByteBuffer src) {
            refuseWrite();
        }

        @Override
        public void truncate(long size) {
            refuseWrite();
        }

        @Override
        public void force(boolean metadata) {
            requireOpen();
        }

        @Override
        public boolean punchHole(long position, long length) {
            refuseWrite();
            return false;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                openFiles.decrementAndGet();
            }
        }

        private void refuseWrite() {
            writeAttempts.incrementAndGet();
            throw new StorageException(StorageException.Kind.READ_ONLY, name + ": opened read-only (test)");
        }

        private void requireOpen() {
            if (closed) {
                throw new StorageException(StorageException.Kind.CLOSED, name + ": closed");
            }
        }
    }
}
