package org.diskfarm.vhd;

import org.diskfarm.block.StorageOpener;

import java.util.Objects;

/**
 * How to open a VHD file.
 *
 * @param writable     open for writing (parents of a differencing disk are always opened read-only)
 * @param metadataSync when a newly allocated block's BAT entry is written, see {@link MetadataSync}
 * @param opener       how files are opened; tests put crash-injecting files underneath here
 * @param dataAlignment where the data of a new block starts in the file: on a multiple of this many bytes (a power
 *                     of two from 4 KiB to 2 MiB, capped at the block size). Aligned data lets the kernel keep the
 *                     file in the page cache in large folios, which brings reads to within a few percent of a raw
 *                     file; the price is a hole of up to this size before each block (the file's apparent size
 *                     grows, its disk usage does not), and at 2 MiB the first write of a new file also pays for memory
 *                     compaction. The default, 256 KiB, measured best on both counts (docs/benchmarks.md).
 */
public record VhdOptions(boolean writable, MetadataSync metadataSync, StorageOpener opener, int dataAlignment) {
    public static final int DEFAULT_DATA_ALIGNMENT = 256 << 10;
    public static final int MAX_DATA_ALIGNMENT = 2 << 20;

    /**
     * When the Block Allocation Table entry of a new block reaches the file. Either way a BAT entry is written only
     * after the block's bitmap and data are durable (fsync), so the file is consistent whenever the process or the
     * machine stops.
     */
    public enum MetadataSync {
        /**
         * At once, after an fsync of the block: a write survives the death of the process as soon as it returns, as
         * it would on a raw file. One fsync per new block. The default for devices that clients write to.
         */
        PER_ALLOCATION,
        /**
         * At the next {@link VhdDevice#flush()}: blocks allocated since the last flush are lost if the process dies,
         * which is all the block protocols promise for unflushed writes. For bulk copies (import) into a file that is
         * renamed into place only after the final flush.
         */
        ON_FLUSH
    }

    public VhdOptions {
        Objects.requireNonNull(metadataSync);
        Objects.requireNonNull(opener);
        if (dataAlignment < 4096 || dataAlignment > MAX_DATA_ALIGNMENT || Integer.bitCount(dataAlignment) != 1) {
            throw new IllegalArgumentException("data alignment must be a power of two from 4 KiB to 2 MiB, not "
                    + dataAlignment);
        }
    }

    public static VhdOptions readOnly() {
        return new VhdOptions(false, MetadataSync.PER_ALLOCATION, StorageOpener.FILES, DEFAULT_DATA_ALIGNMENT);
    }

    public static VhdOptions readWrite() {
        return new VhdOptions(true, MetadataSync.PER_ALLOCATION, StorageOpener.FILES, DEFAULT_DATA_ALIGNMENT);
    }

    public VhdOptions withMetadataSync(MetadataSync sync) {
        return new VhdOptions(writable, sync, opener, dataAlignment);
    }

    public VhdOptions withDataAlignment(int bytes) {
        return new VhdOptions(writable, metadataSync, opener, bytes);
    }

    /** The same options, opening for writing or not. */
    public VhdOptions withWritable(boolean value) {
        return new VhdOptions(value, metadataSync, opener, dataAlignment);
    }

    public VhdOptions withOpener(StorageOpener storageOpener) {
        return new VhdOptions(writable, metadataSync, storageOpener, dataAlignment);
    }
}
