package org.diskfarm.vhd;

import org.diskfarm.block.StorageOpener;

import java.util.Objects;

/**
 * How to open a VHD file.
 *
 * @param writable     open for writing (parents of a differencing disk are always opened read-only)
 * @param metadataSync when a newly allocated block's BAT entry is written, see {@link MetadataSync}
 * @param opener       how files are opened; tests put crash-injecting files underneath here
 */
public record VhdOptions(boolean writable, MetadataSync metadataSync, StorageOpener opener) {

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
    }

    public static VhdOptions readOnly() {
        return new VhdOptions(false, MetadataSync.PER_ALLOCATION, StorageOpener.FILES);
    }

    public static VhdOptions readWrite() {
        return new VhdOptions(true, MetadataSync.PER_ALLOCATION, StorageOpener.FILES);
    }

    public VhdOptions withMetadataSync(MetadataSync sync) {
        return new VhdOptions(writable, sync, opener);
    }

    public VhdOptions withOpener(StorageOpener storageOpener) {
        return new VhdOptions(writable, metadataSync, storageOpener);
    }
}
