package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.diskfarm.block.Extent;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.MemoryDevice;

/**
 * A thin-provisioned test device: a {@link MemoryDevice} plus a map of allocated 512-byte blocks. Writes allocate,
 * trims and hole-allowed zeroing deallocate, extents report the map; counts flushes and FUA writes.
 */
final class ThinDevice extends ForwardingBlockDevice {
    private final BitSet allocated = new BitSet();
    int flushes;
    int fuaWrites;
    int writes;
    int zeroCalls;
    boolean lastZeroNoHole;

    ThinDevice(int size) {
        super(MemoryDevice.of(size));
    }

    @Override
    public boolean canTrim() {
        return true;
    }

    @Override
    public boolean trimReadsZero() {
        return true;
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, IoFlags flags) {
        long length = src.remaining();
        super.write(offset, src, flags);
        allocated.set((int) (offset / 512), (int) ((offset + length + 511) / 512));
        writes++;
        if (flags.fua()) {
            fuaWrites++;
        }
    }

    @Override
    public synchronized void flush() {
        flushes++;
    }

    @Override
    public synchronized void trim(long offset, long length, IoFlags flags) {
        super.trim(offset, length, flags);
        allocated.clear((int) (offset / 512), (int) ((offset + length) / 512));
    }

    @Override
    public synchronized void zero(long offset, long length, IoFlags flags) {
        super.zero(offset, length, flags);
        zeroCalls++;
        lastZeroNoHole = flags.noHole();
        if (flags.noHole()) {
            allocated.set((int) (offset / 512), (int) ((offset + length) / 512));
        } else {
            allocated.clear((int) (offset / 512), (int) ((offset + length) / 512));
        }
    }

    @Override
    public synchronized List<Extent> extents(long offset, long length) {
        List<Extent> out = new ArrayList<>();
        long at = offset;
        long end = offset + length;
        while (at < end) {
            boolean state = allocated.get((int) (at / 512));
            long next = at;
            while (next < end && allocated.get((int) (next / 512)) == state) {
                next = (next / 512 + 1) * 512;
            }
            next = Math.min(next, end);
            out.add(state ? Extent.data(at, next - at) : Extent.hole(at, next - at));
            at = next;
        }
        return out;
    }
}
