package org.diskfarm.vhd;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A VHD file opened as a {@link BlockDevice}: fixed, dynamic, or differencing over its opened parent chain. Get one
 * from {@link Vhd}.
 *
 * <p>Threads: concurrent (see {@link BlockDevice}). Metadata (BAT entries, sector bitmaps, the file's end) is guarded
 * by one lock per file; data goes to the file outside it.
 */
public abstract sealed class VhdDevice implements BlockDevice permits FixedVhdDevice, DynamicVhdDevice {
    final VhdLayout layout;
    final StorageFile file;
    final String name;
    final boolean writable;
    private final AtomicBoolean closed = new AtomicBoolean();

    VhdDevice(VhdLayout layout, boolean writable) {
        this.layout = layout;
        this.file = layout.file;
        this.name = file.name();
        this.writable = writable;
    }

    /** What the file and its parents say about themselves. */
    public abstract VhdInfo info();

    public VhdType type() {
        return layout.type();
    }

    /** The file's name as it was opened. */
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return layout.footer.currentSize();
    }

    @Override
    public boolean canWrite() {
        return writable;
    }

    @Override
    public boolean isConcurrent() {
        return true;
    }

    VhdInfo info(int blockSize, long allocatedBytes, VhdInfo parent) {
        VhdFooter footer = layout.footer;
        DynamicHeader header = layout.header;
        boolean differencing = footer.type() == VhdType.DIFFERENCING;
        return new VhdInfo(name, footer.type(), footer.currentSize(), footer.geometry(), blockSize, allocatedBytes,
                file.size(), footer.uniqueId(), footer.time(), footer.creatorApplication(), parent,
                differencing ? header.parentUniqueId() : null, differencing ? header.parentTime() : null,
                layout.footerRecovered);
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new StorageException(StorageException.Kind.CLOSED, name + ": closed");
        }
    }

    /** Closes this file (and, in subclasses, the parent chain) once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                closeParent();
            } finally {
                file.close();
            }
        }
    }

    void closeParent() {
    }
}
