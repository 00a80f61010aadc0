package org.diskfarm.cache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Ranges;

/**
 * A shared base for tests: a patterned byte array whose first {@code holeBytes} are a zero hole; every method that
 * would change it throws {@link AssertionError}, proving a cache never writes its base.
 */
final class ReadOnlyBase implements BlockDevice {
    private final byte[] data;
    private final long holeBytes;

    private ReadOnlyBase(byte[] data, long holeBytes) {
        this.data = data;
        this.holeBytes = holeBytes;
    }

    /** {@code size} bytes of a pattern no two 4 KiB chunks share, after {@code holeBytes} zeros. */
    static ReadOnlyBase patterned(int size, int holeBytes) {
        byte[] data = new byte[size];
        for (int i = holeBytes; i < size; i++) {
            data[i] = (byte) (i * 31 + (i >>> 12) * 7 + 1);
        }
        return new ReadOnlyBase(data, holeBytes);
    }

    byte[] copyOfData() {
        return data.clone();
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public boolean canWrite() {
        return false;
    }

    @Override
    public boolean isConcurrent() {
        return true;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        Ranges.check("base", data.length, offset, dst.remaining());
        dst.put(data, (int) offset, dst.remaining());
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        throw new AssertionError("a cache wrote its base");
    }

    @Override
    public void flush() {
        throw new AssertionError("a cache flushed its base");
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        throw new AssertionError("a cache trimmed its base");
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        throw new AssertionError("a cache zeroed its base");
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        Ranges.check("base", data.length, offset, length);
        List<Extent> result = new ArrayList<>();
        long end = offset + length;
        if (offset < holeBytes) {
            result.add(Extent.hole(offset, Math.min(end, holeBytes) - offset));
        }
        if (end > holeBytes) {
            long from = Math.max(offset, holeBytes);
            result.add(Extent.data(from, end - from));
        }
        return result;
    }

    @Override
    public void close() {
        throw new AssertionError("a cache closed the shared base");
    }
}
