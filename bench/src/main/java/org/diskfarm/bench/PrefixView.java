package org.diskfarm.bench;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Ranges;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The first {@code size} bytes of a device, as {@code diskfarm vdisk import} copies a raw image into a VHD whose size
 * was rounded up to what its CHS geometry represents. Close does nothing: the caller closes the device below.
 *
 * <p>Threads: as the device below.
 */
record PrefixView(BlockDevice below, long size) implements BlockDevice {
    PrefixView {
        if (size > below.size()) {
            throw new IllegalArgumentException("a view of " + size + " bytes over a device of " + below.size());
        }
    }

    @Override
    public boolean canWrite() {
        return below.canWrite();
    }

    @Override
    public boolean canFastZero() {
        return below.canFastZero();
    }

    @Override
    public boolean isConcurrent() {
        return below.isConcurrent();
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        Ranges.check("prefix", size, offset, dst.remaining());
        below.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        Ranges.check("prefix", size, offset, src.remaining());
        below.write(offset, src, flags);
    }

    @Override
    public void flush() {
        below.flush();
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        Ranges.check("prefix", size, offset, length);
        below.trim(offset, length, flags);
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        Ranges.check("prefix", size, offset, length);
        below.zero(offset, length, flags);
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        Ranges.check("prefix", size, offset, length);
        return below.extents(offset, length);
    }

    @Override
    public void close() {
    }
}
