package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A device that passes every call to the device below. Layers that change one or two behaviours (what close does,
 * whether writes are allowed, counting) extend it and override only those, so that every capability of the device
 * below, including ones added to {@link BlockDevice} later, reaches the top of the stack. A method added to
 * {@link BlockDevice} must be forwarded here too.
 *
 * <p>{@link #fileSpan} is forwarded too, so that zero-copy reads reach through the layer: a subclass that overrides
 * {@link #read} must decide whether the spans below still describe what it reads (usually not: override
 * {@link #fileSpan} as well).
 */
public abstract class ForwardingBlockDevice implements BlockDevice {
    protected final BlockDevice delegate;

    protected ForwardingBlockDevice(BlockDevice delegate) {
        this.delegate = Objects.requireNonNull(delegate);
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public int logicalBlockSize() {
        return delegate.logicalBlockSize();
    }

    @Override
    public BlockLimits limits() {
        return delegate.limits();
    }

    @Override
    public boolean canWrite() {
        return delegate.canWrite();
    }

    @Override
    public boolean canTrim() {
        return delegate.canTrim();
    }

    @Override
    public boolean trimReadsZero() {
        return delegate.trimReadsZero();
    }

    @Override
    public boolean canFastZero() {
        return delegate.canFastZero();
    }

    @Override
    public boolean isConcurrent() {
        return delegate.isConcurrent();
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        delegate.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, IoFlags flags) {
        delegate.write(offset, src, flags);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void trim(long offset, long length, IoFlags flags) {
        delegate.trim(offset, length, flags);
    }

    @Override
    public void zero(long offset, long length, IoFlags flags) {
        delegate.zero(offset, length, flags);
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        return delegate.extents(offset, length);
    }

    /**
     * Passes the span of the device below. A subclass that changes what {@link #read} returns, or that must see every
     * read (counting, throttling), overrides this too, with the default of {@link BlockDevice#fileSpan}.
     */
    @Override
    public FileSpan fileSpan(long offset, long length) {
        return delegate.fileSpan(offset, length);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
