package org.diskfarm.vhd;

import org.diskfarm.block.Extent;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Ranges;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.block.StorageFile;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * A fixed disk: the virtual disk's bytes are the file's first bytes, the footer follows. Reads and writes go straight
 * to the file; the footer is never rewritten.
 */
final class FixedVhdDevice extends VhdDevice {
    private final RawFileDevice data;

    FixedVhdDevice(VhdLayout layout, boolean writable) {
        super(layout, writable);
        this.data = RawFileDevice.of(new Window(layout.file, layout.footer.currentSize()));
    }

    @Override
    public VhdInfo info() {
        return info(0, size(), null);
    }

    @Override
    public boolean canTrim() {
        return writable;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        ensureOpen();
        data.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        ensureOpen();
        Ranges.checkWritable(name, this);
        data.write(offset, src, flags);
    }

    @Override
    public void flush() {
        ensureOpen();
        data.flush();
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        ensureOpen();
        Ranges.checkWritable(name, this);
        data.trim(offset, length, flags);
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        ensureOpen();
        Ranges.checkWritable(name, this);
        data.zero(offset, length, flags);
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        ensureOpen();
        return data.extents(offset, length);
    }

    /** The data is the file's first bytes: every range is one span. */
    @Override
    public FileSpan fileSpan(long offset, long length) {
        ensureOpen();
        return data.fileSpan(offset, length);
    }

    /**
     * The data part of the file, so that nothing written through the raw device can reach the footer. Closing it does
     * nothing: the VHD device owns the file.
     */
    private record Window(StorageFile file, long size) implements StorageFile {
        @Override
        public String name() {
            return file.name();
        }

        @Override
        public boolean isWritable() {
            return file.isWritable();
        }

        @Override
        public void read(long position, ByteBuffer dst) {
            file.read(position, dst);
        }

        @Override
        public void write(long position, ByteBuffer src) {
            file.write(position, src);
        }

        @Override
        public void truncate(long newSize) {
            throw new UnsupportedOperationException("a fixed disk keeps its size");
        }

        @Override
        public void force(boolean metadata) {
            file.force(metadata);
        }

        @Override
        public FileChannel channel() {
            return file.channel();
        }

        @Override
        public long nextData(long from) {
            return Math.min(file.nextData(from), size);
        }

        @Override
        public long nextHole(long from) {
            return Math.min(file.nextHole(from), size);
        }

        @Override
        public boolean punchHole(long position, long length) {
            return file.punchHole(position, length);
        }

        @Override
        public void close() {
        }
    }
}
