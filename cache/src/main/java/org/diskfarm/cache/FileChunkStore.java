package org.diskfarm.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageOpener;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdOptions;
import org.diskfarm.vhd.VhdSpec;

/**
 * The file half of a write cache: a dynamic VHD of the base's size used only as a sparse store of chunks at their own
 * offsets. Which chunks it holds is known only to the owning {@link ChunkWriteCache}, in memory; the file alone means
 * nothing, so it is created on the first chunk, and deleted on discard and on close.
 *
 * <p>Why not a differencing VHD over the vDisk file: a differencing {@link VhdDevice} opens its own parent chain, so
 * every device would hold its own copy of the base. The cache reads absent chunks from the one shared base device.
 *
 * <p>Threads: no lock of its own. The owning cache calls {@link #write}, {@link #trim}, {@link #discard} and
 * {@link #close} under its write lock, {@link #read} and {@link #flush} under its read lock.
 */
final class FileChunkStore {
    private final Path path;
    private final long size;
    private final StorageOpener opener;
    private VhdDevice vhd; // null until the first chunk; guarded by the owner's lock

    FileChunkStore(Path path, long size) {
        this(path, size, StorageOpener.FILES);
    }

    /** @param opener opens the file; tests pass one that simulates a full file system */
    FileChunkStore(Path path, long size, StorageOpener opener) {
        this.path = path;
        this.size = size;
        this.opener = opener;
    }

    Path path() {
        return path;
    }

    void write(long offset, ByteBuffer src, IoFlags flags) {
        device().write(offset, src, flags);
    }

    /** Reads bytes of chunks the owner knows to be here. */
    void read(long offset, ByteBuffer dst) {
        vhd.read(offset, dst);
    }

    /** Releases the storage of chunks the owner no longer holds (their content no longer matters). */
    void trim(long offset, long length) {
        if (vhd != null) {
            vhd.trim(offset, length, IoFlags.NONE);
        }
    }

    void flush() {
        if (vhd != null) {
            vhd.flush();
        }
    }

    /** Closes and deletes the file; the next chunk creates a new one. */
    void discard() {
        try {
            if (vhd != null) {
                vhd.close();
            }
        } finally {
            vhd = null;
            delete();
        }
    }

    void close() {
        discard();
    }

    private VhdDevice device() {
        if (vhd == null) {
            delete(); // a file left by an earlier process is useless without its chunk set
            vhd = Vhd.create(path, VhdSpec.dynamic(size),
                    VhdOptions.readWrite().withMetadataSync(VhdOptions.MetadataSync.ON_FLUSH).withOpener(opener));
            if (vhd.size() < size) {
                vhd.close();
                vhd = null;
                throw new StorageException(StorageException.Kind.IO_ERROR,
                        path.getFileName() + ": created cache file is smaller than the base (" + size + " bytes)");
            }
        }
        return vhd;
    }

    private void delete() {
        if (opener != StorageOpener.FILES) {
            return; // a test's storage, not the file system
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw StorageException.io(path.getFileName() + ": deleting the write cache file", e);
        }
    }
}
