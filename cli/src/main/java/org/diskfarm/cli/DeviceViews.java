package org.diskfarm.cli;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.BlockLimits;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Ranges;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thin views the copy commands put over a device: the first bytes of a larger device (a new vDisk whose size was
 * rounded up to its geometry), and a count of the bytes actually read from a source. Neither changes data.
 */
final class DeviceViews {
    private DeviceViews() {
    }

    /** The first {@code size} bytes of {@code device}, which stays owned by the caller (close does nothing). */
    static BlockDevice prefix(BlockDevice device, long size) {
        if (size > device.size()) {
            throw new IllegalArgumentException("a view of " + size + " bytes over a device of " + device.size());
        }
        return new View(device, size, new AtomicLong());
    }

    /** All of {@code device}, counting the bytes read into {@code readBytes}; close does nothing. */
    static BlockDevice counting(BlockDevice device, AtomicLong readBytes) {
        return new View(device, device.size(), readBytes);
    }

    /** Threads: as the device below. */
    private record View(BlockDevice below, long size, AtomicLong readBytes) implements BlockDevice {
        @Override
        public int logicalBlockSize() {
            return below.logicalBlockSize();
        }

        @Override
        public BlockLimits limits() {
            return below.limits();
        }

        @Override
        public boolean canWrite() {
            return below.canWrite();
        }

        @Override
        public boolean canTrim() {
            return below.canTrim();
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
            Ranges.check("view", size, offset, dst.remaining());
            int n = dst.remaining();
            below.read(offset, dst);
            readBytes.addAndGet(n);
        }

        @Override
        public void write(long offset, ByteBuffer src, IoFlags flags) {
            Ranges.check("view", size, offset, src.remaining());
            below.write(offset, src, flags);
        }

        @Override
        public void flush() {
            below.flush();
        }

        @Override
        public void trim(long offset, long length, IoFlags flags) {
            Ranges.check("view", size, offset, length);
            below.trim(offset, length, flags);
        }

        @Override
        public void zero(long offset, long length, IoFlags flags) {
            Ranges.check("view", size, offset, length);
            below.zero(offset, length, flags);
        }

        @Override
        public List<Extent> extents(long offset, long length) {
            Ranges.check("view", size, offset, length);
            return below.extents(offset, length);
        }

        @Override
        public void close() {
        }
    }
}
