package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A raw disk image: byte N of the device is byte N of the file. Holes of a sparse file are reported as unallocated
 * extents, and trim punches holes where the file system can.
 *
 * <p>Threads: concurrent; positional file I/O needs no lock.
 */
public final class RawFileDevice implements BlockDevice {
    private static final int ZERO_CHUNK = 1 << 20;

    private final StorageFile file;
    private final long size;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RawFileDevice(StorageFile file) {
        this.file = file;
        this.size = file.size();
    }

    /** A device over the whole of {@code file}, which it owns and closes. */
    public static RawFileDevice of(StorageFile file) {
        return new RawFileDevice(file);
    }

    public static RawFileDevice open(Path path, boolean writable) {
        return of(FileStorage.open(path, writable ? FileStorage.Mode.READ_WRITE : FileStorage.Mode.READ_ONLY));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean canWrite() {
        return file.isWritable();
    }

    @Override
    public boolean canTrim() {
        return file.isWritable();
    }

    @Override
    public boolean isConcurrent() {
        return true;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        Ranges.check(file.name(), size, offset, dst.remaining());
        file.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        Ranges.checkWritable(file.name(), this);
        Ranges.check(file.name(), size, offset, src.remaining());
        file.write(offset, src);
        if (flags.fua()) {
            file.force(false);
        }
    }

    @Override
    public void flush() {
        file.force(false);
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        Ranges.checkWritable(file.name(), this);
        Ranges.check(file.name(), size, offset, length);
        file.punchHole(offset, length);
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        Ranges.checkWritable(file.name(), this);
        Ranges.check(file.name(), size, offset, length);
        if (flags.noHole() || !file.punchHole(offset, length)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, Math.max(length, 1)));
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(zeros.capacity(), length - done);
                file.write(offset + done, zeros.clear().limit(n));
                done += n;
            }
        }
        if (flags.fua()) {
            file.force(false);
        }
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        Ranges.check(file.name(), size, offset, length);
        List<Extent> result = new ArrayList<>();
        long end = offset + length;
        long position = offset;
        while (position < end) {
            long data = Math.min(file.nextData(position), end);
            if (data > position) {
                result.add(Extent.hole(position, data - position));
                position = data;
                continue;
            }
            long hole = Math.min(Math.max(file.nextHole(position), position + 1), end);
            result.add(Extent.data(position, hole - position));
            position = hole;
        }
        return result;
    }

    /** The whole range is in the file as it is (holes of a sparse file read as zeros there too). */
    @Override
    public FileSpan fileSpan(long offset, long length) {
        Ranges.check(file.name(), size, offset, length);
        Ranges.checkNotEmpty(file.name(), length);
        if (closed.get()) {
            throw new StorageException(StorageException.Kind.CLOSED, file.name() + ": closed");
        }
        FileChannel channel = file.channel();
        if (channel == null) {
            return FileSpan.notInFile(length);
        }
        return FileSpan.inFile(channel, offset, length);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            file.close();
        }
    }
}
