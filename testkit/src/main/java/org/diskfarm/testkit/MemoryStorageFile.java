package org.diskfarm.testkit;

import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;
import org.diskfarm.block.Zeros;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link StorageFile} held in memory, for crash tests and fuzzing: it grows on writes past its end and is sparse,
 * storing only the 64 KiB pages that were written, so a test may make a file of many GiB that holds little. Pages that
 * were never written (or were punched) read as zeros and are reported as holes by {@link #nextData}/{@link #nextHole}.
 *
 * <p>Several handles may share one content (see {@link #view(boolean)}), as several opens of one file share it on a
 * real file system; closing a handle leaves the content alone.
 *
 * <p>Threads: every call locks the shared content, so any thread may call anything.
 */
public final class MemoryStorageFile implements StorageFile {
    static final int PAGE = 64 << 10;

    /** The bytes of one file, shared by its handles. Guarded by its own monitor. */
    private static final class Content {
        final TreeMap<Long, byte[]> pages = new TreeMap<>();
        long size;
    }

    private final String name;
    private final boolean writable;
    private final Content content;
    private volatile boolean closed;

    private MemoryStorageFile(String name, boolean writable, Content content) {
        this.name = name;
        this.writable = writable;
        this.content = content;
    }

    /** A new empty writable file. */
    public static MemoryStorageFile create(String name) {
        return new MemoryStorageFile(name, true, new Content());
    }

    /** A new file holding a copy of {@code bytes}. */
    public static MemoryStorageFile of(String name, byte[] bytes, boolean writable) {
        Content content = new Content();
        for (int at = 0; at < bytes.length; at += PAGE) {
            int n = Math.min(PAGE, bytes.length - at);
            if (!Zeros.isAllZero(ByteBuffer.wrap(bytes, at, n))) {
                content.pages.put((long) at / PAGE, Arrays.copyOfRange(bytes, at, at + PAGE));
            }
        }
        content.size = bytes.length;
        return new MemoryStorageFile(name, writable, content);
    }

    /** Another handle on the same content, read-only or writable. */
    public MemoryStorageFile view(boolean viewWritable) {
        return new MemoryStorageFile(name, viewWritable, content);
    }

    /** A copy of the whole content (holes as zeros); fails for files larger than an array can hold. */
    public byte[] toByteArray() {
        synchronized (content) {
            if (content.size > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException(name + ": " + content.size + " bytes do not fit in an array");
            }
            byte[] bytes = new byte[(int) content.size];
            for (Map.Entry<Long, byte[]> page : content.pages.entrySet()) {
                long start = page.getKey() * PAGE;
                int n = (int) Math.min(PAGE, content.size - start);
                if (n > 0) {
                    System.arraycopy(page.getValue(), 0, bytes, (int) start, n);
                }
            }
            return bytes;
        }
    }

    /** Bytes held in pages, a measure of how much was written. */
    public long storedBytes() {
        synchronized (content) {
            return (long) content.pages.size() * PAGE;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public long size() {
        requireOpen();
        synchronized (content) {
            return content.size;
        }
    }

    @Override
    public void read(long position, ByteBuffer dst) {
        requireOpen();
        checkPosition(position);
        synchronized (content) {
            while (dst.hasRemaining()) {
                long index = position / PAGE;
                int inPage = (int) (position % PAGE);
                int n = Math.min(dst.remaining(), PAGE - inPage);
                byte[] page = position < content.size ? content.pages.get(index) : null;
                // Bytes at or past the end read as zeros, even if a page still holds older data there.
                int valid = (int) Math.max(0, Math.min(n, content.size - position));
                if (page != null) {
                    dst.put(page, inPage, valid);
                } else {
                    putZeros(dst, valid);
                }
                putZeros(dst, n - valid);
                position += n;
            }
        }
    }

    @Override
    public void write(long position, ByteBuffer src) {
        requireOpen();
        requireWritable();
        checkPosition(position);
        synchronized (content) {
            long end = position + src.remaining();
            while (src.hasRemaining()) {
                long index = position / PAGE;
                int inPage = (int) (position % PAGE);
                int n = Math.min(src.remaining(), PAGE - inPage);
                byte[] page = content.pages.computeIfAbsent(index, i -> new byte[PAGE]);
                src.get(page, inPage, n);
                position += n;
            }
            content.size = Math.max(content.size, end);
        }
    }

    @Override
    public void truncate(long size) {
        requireOpen();
        requireWritable();
        checkPosition(size);
        synchronized (content) {
            if (size < content.size) {
                // Drop whole pages past the end and zero the tail of the last one, so that growing again reads zeros.
                content.pages.tailMap((size + PAGE - 1) / PAGE, true).clear();
                byte[] last = content.pages.get(size / PAGE);
                if (last != null) {
                    java.util.Arrays.fill(last, (int) (size % PAGE), PAGE, (byte) 0);
                }
            }
            content.size = size;
        }
    }

    @Override
    public void force(boolean metadata) {
        requireOpen();
    }

    @Override
    public long nextData(long from) {
        requireOpen();
        synchronized (content) {
            if (from >= content.size) {
                return content.size;
            }
            Long index = content.pages.ceilingKey(from / PAGE);
            if (index == null) {
                return content.size;
            }
            return Math.min(content.size, Math.max(from, index * PAGE));
        }
    }

    @Override
    public long nextHole(long from) {
        requireOpen();
        synchronized (content) {
            long index = from / PAGE;
            while (index * PAGE < content.size && content.pages.containsKey(index)) {
                index++;
            }
            return Math.min(content.size, Math.max(from, index * PAGE));
        }
    }

    @Override
    public boolean punchHole(long position, long length) {
        requireOpen();
        requireWritable();
        checkPosition(position);
        synchronized (content) {
            long end = Math.min(position + length, content.size);
            for (long at = position; at < end; ) {
                long index = at / PAGE;
                int inPage = (int) (at % PAGE);
                int n = (int) Math.min(end - at, PAGE - inPage);
                byte[] page = content.pages.get(index);
                if (page != null) {
                    if (n == PAGE) {
                        content.pages.remove(index);
                    } else {
                        java.util.Arrays.fill(page, inPage, inPage + n, (byte) 0);
                    }
                }
                at += n;
            }
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void requireOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.CLOSED, name + ": closed");
        }
    }

    private void requireWritable() {
        if (!writable) {
            throw new StorageException(StorageException.Kind.READ_ONLY, name + ": opened read-only");
        }
    }

    private void checkPosition(long position) {
        if (position < 0) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT, name + ": negative position "
                    + position);
        }
    }

    private static void putZeros(ByteBuffer dst, int n) {
        for (int i = 0; i < n; i++) {
            dst.put((byte) 0);
        }
    }
}
