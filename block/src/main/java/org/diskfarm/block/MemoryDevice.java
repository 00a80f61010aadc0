package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A device held in one heap array, for tests and small scratch disks. Reports itself as fully allocated.
 *
 * <p>Threads: concurrent for reads; writes copy under the array's monitor so that a reader never sees a torn copy of
 * a single call.
 */
public final class MemoryDevice implements BlockDevice {
    private final byte[] data;
    private final boolean writable;

    private MemoryDevice(byte[] data, boolean writable) {
        this.data = data;
        this.writable = writable;
    }

    public static MemoryDevice of(int size) {
        return new MemoryDevice(new byte[size], true);
    }

    /** A device over {@code data} itself (not a copy). */
    public static MemoryDevice wrap(byte[] data, boolean writable) {
        return new MemoryDevice(data, writable);
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public boolean canWrite() {
        return writable;
    }

    @Override
    public boolean isConcurrent() {
        return true;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        Ranges.check("memory", data.length, offset, dst.remaining());
        synchronized (data) {
            dst.put(data, (int) offset, dst.remaining());
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        Ranges.checkWritable("memory", this);
        Ranges.check("memory", data.length, offset, src.remaining());
        synchronized (data) {
            src.get(data, (int) offset, src.remaining());
        }
    }

    @Override
    public boolean trimReadsZero() {
        return true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        zero(offset, length, flags);
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        Ranges.checkWritable("memory", this);
        Ranges.check("memory", data.length, offset, length);
        synchronized (data) {
            java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
        }
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        Ranges.check("memory", data.length, offset, length);
        return length == 0 ? List.of() : List.of(Extent.data(offset, length));
    }

    @Override
    public void close() {
    }
}
