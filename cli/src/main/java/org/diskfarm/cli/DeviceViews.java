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
 * Thin views the copy commands put over a device: a device seen at another size (a source at the size of the vDisk
 * it is imported into, which was rounded up to its geometry), and a count of the bytes actually read from a source.
 * Neither changes data; writes past the device below fail its range check.
 */
final class DeviceViews {
    private DeviceViews() {
    }

    /**
     * {@code device} seen as {@code size} bytes: its first bytes if smaller, or followed by zeros if larger (a source
     * seen at the size of the vDisk it is imported into). The device stays owned by the caller (close does nothing).
     */
    static BlockDevice resized(BlockDevice device, long size) {
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
            long inside = Math.max(0, Math.min(dst.remaining(), below.size() - offset));
            if (inside > 0) {
                below.read(offset, dst.slice(dst.position(), (int) inside));
                readBytes.addAndGet(inside);
            }
            for (int i = dst.position() + (int) inside; i < dst.limit(); i++) {
                dst.put(i, (byte) 0);
            }
            dst.position(dst.limit());
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
            if (offset >= below.size()) {
                return length == 0 ? List.of() : List.of(Extent.hole(offset, length));
            }
            return below.extents(offset, Math.min(length, below.size() - offset));
        }

        @Override
        public void close() {
        }
    }
}
