package org.diskfarm.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link StorageFile} on a real file, through a {@link FileChannel}; holes are found and punched through
 * {@link LinuxFiles} where the platform offers it.
 */
public final class FileStorage implements StorageFile {

    /** How to open a file. */
    public enum Mode {
        READ_ONLY, READ_WRITE,
        /** Create a new file; fail if it exists. */
        CREATE_NEW
    }

    private final Path path;
    private final String name;
    private final FileChannel channel;
    private final boolean writable;
    /** A descriptor for the calls of {@link LinuxFiles}, or -1 where they are unavailable. */
    private final int nativeFd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FileStorage(Path path, FileChannel channel, boolean writable) {
        this.path = path;
        this.name = path.toString();
        this.channel = channel;
        this.writable = writable;
        this.nativeFd = LinuxFiles.open(path, writable);
    }

    public static FileStorage open(Path path, Mode mode) {
        Set<OpenOption> options = switch (mode) {
            case READ_ONLY -> Set.of(StandardOpenOption.READ);
            case READ_WRITE -> Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
            case CREATE_NEW -> Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE_NEW);
        };
        try {
            return new FileStorage(path, FileChannel.open(path, options), mode != Mode.READ_ONLY);
        } catch (NoSuchFileException e) {
            if (mode == Mode.CREATE_NEW) {
                throw new StorageException(StorageException.Kind.NOT_FOUND,
                        path + ": folder " + path.toAbsolutePath().getParent() + " does not exist");
            }
            throw new StorageException(StorageException.Kind.NOT_FOUND, path + ": " + StorageOpener.NO_SUCH_FILE);
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT, path + ": file already exists");
        } catch (AccessDeniedException e) {
            throw new StorageException(StorageException.Kind.READ_ONLY, path + ": permission denied");
        } catch (IOException e) {
            throw StorageException.io(path + ": cannot open", e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw failure("cannot read size", e);
        }
    }

    @Override
    public void read(long position, ByteBuffer dst) {
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, position);
                if (n < 0) {
                    // Past the end of the file: reads as zeros (see the interface).
                    while (dst.hasRemaining()) {
                        dst.put((byte) 0);
                    }
                    return;
                }
                position += n;
            }
        } catch (IOException e) {
            throw failure("read failed at offset " + position, e);
        }
    }

    @Override
    public void write(long position, ByteBuffer src) {
        requireWritable();
        try {
            while (src.hasRemaining()) {
                position += channel.write(src, position);
            }
        } catch (IOException e) {
            throw failure("write failed at offset " + position, e);
        }
    }

    @Override
    public void truncate(long size) {
        requireWritable();
        try {
            long current = channel.size();
            if (size < current) {
                channel.truncate(size);
            } else if (size > current) {
                // FileChannel.truncate never grows a file; one byte at the new end does, leaving a hole.
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
        } catch (IOException e) {
            throw failure("cannot set size to " + size, e);
        }
    }

    @Override
    public void force(boolean metadata) {
        if (!writable) {
            return;
        }
        try {
            channel.force(metadata);
        } catch (IOException e) {
            throw failure("fsync failed", e);
        }
    }

    @Override
    public FileChannel channel() {
        return channel;
    }

    @Override
    public long nextData(long from) {
        requireOpen();
        return LinuxFiles.seek(nativeFd, from, LinuxFiles.SEEK_DATA, size());
    }

    @Override
    public long nextHole(long from) {
        requireOpen();
        return LinuxFiles.seek(nativeFd, from, LinuxFiles.SEEK_HOLE, size());
    }

    @Override
    public boolean preallocate(long position, long length) {
        requireOpen();
        return writable && LinuxFiles.fallocate(nativeFd, 0, position, length);
    }

    @Override
    public boolean punchHole(long position, long length) {
        requireOpen();
        return writable && LinuxFiles.punchHole(nativeFd, position, length);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Once only: a descriptor number closed twice may by then belong to another file.
        LinuxFiles.close(nativeFd);
        try {
            channel.close();
        } catch (IOException e) {
            throw failure("close failed", e);
        }
    }

    /** The native descriptor must never be used after close: its number may belong to another file by then. */
    private void requireOpen() {
        if (closed.get()) {
            throw new StorageException(StorageException.Kind.CLOSED, name + ": closed");
        }
    }

    private void requireWritable() {
        if (!writable) {
            throw new StorageException(StorageException.Kind.READ_ONLY, name + ": opened read-only");
        }
    }

    private StorageException failure(String what, IOException e) {
        if (e instanceof ClosedChannelException) {
            return new StorageException(StorageException.Kind.CLOSED, name + ": closed");
        }
        return StorageException.io(name + ": " + what, e);
    }
}
