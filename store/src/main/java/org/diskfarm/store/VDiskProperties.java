package org.diskfarm.store;

import org.diskfarm.block.ContentHash;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of one vDisk, kept in {@code NAME.pvp} beside {@code NAME.vhd}: a small TOML file that people can read
 * and edit, described key by key in {@code docs/vdisk-properties.md}.
 *
 * @param description       free text for administrators; empty by default
 * @param mode              Private (one device reads and writes) or Standard (shared read-only); Private by default
 * @param writeCacheType    where a Standard-mode device's writes go; server disk by default
 * @param writeCacheSize    bytes the write cache of one device may hold, at least 1; 4 GiB by default
 * @param loadBalancing     devices may be served by the least busy server holding a copy; false by default
 * @param highAvailability  devices fail over to another server holding a copy; false by default
 * @param version           0 for the base disk, N for the version {@code NAME.N.vhd}
 * @param contentHash       the {@link ContentHash} of the image's content when it was last computed, or null
 */
public record VDiskProperties(String description, VDiskMode mode, WriteCacheType writeCacheType,
                              long writeCacheSize, boolean loadBalancing, boolean highAvailability, int version,
                              ContentHash contentHash) {

    /** The version of the file format this code reads and writes. */
    public static final int FORMAT_VERSION = 1;
    public static final long DEFAULT_WRITE_CACHE_SIZE = 4L << 30;
    /** A new vDisk's properties. */
    public static final VDiskProperties DEFAULTS = new VDiskProperties("", VDiskMode.PRIVATE,
            WriteCacheType.SERVER_DISK, DEFAULT_WRITE_CACHE_SIZE, false, false, 0, null);

    public VDiskProperties {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(writeCacheType, "writeCacheType");
        if (writeCacheSize <= 0) {
            throw new IllegalArgumentException("write cache size must be at least 1 byte: " + writeCacheSize);
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be 0 or more: " + version);
        }
    }

    /**
     * Reads a .pvp file.
     *
     * @throws org.diskfarm.block.StorageException NOT_FOUND if it is missing, CORRUPT with a one-line message naming
     *                                              file, line and key if its content is bad, IO_ERROR otherwise
     */
    public static VDiskProperties read(Path pvp) {
        return PropertiesFile.read(pvp);
    }

    /** Reads a .pvp file if it exists. */
    public static Optional<VDiskProperties> readIfPresent(Path pvp) {
        return Files.exists(pvp) ? Optional.of(read(pvp)) : Optional.empty();
    }

    /** Writes this to {@code pvp} atomically: readers see the old file or the new one, never a mix, even after a crash. */
    public void write(Path pvp) {
        PropertiesFile.write(pvp, this);
    }

    /** The file's text, as {@link #write} stores it. */
    public String toToml() {
        return PropertiesFile.render(this);
    }

    public Optional<ContentHash> contentHashIfKnown() {
        return Optional.ofNullable(contentHash);
    }

    public VDiskProperties withDescription(String value) {
        return new VDiskProperties(value, mode, writeCacheType, writeCacheSize, loadBalancing, highAvailability,
                version, contentHash);
    }

    public VDiskProperties withMode(VDiskMode value) {
        return new VDiskProperties(description, value, writeCacheType, writeCacheSize, loadBalancing,
                highAvailability, version, contentHash);
    }

    public VDiskProperties withWriteCacheType(WriteCacheType value) {
        return new VDiskProperties(description, mode, value, writeCacheSize, loadBalancing, highAvailability,
                version, contentHash);
    }

    public VDiskProperties withWriteCacheSize(long bytes) {
        return new VDiskProperties(description, mode, writeCacheType, bytes, loadBalancing, highAvailability,
                version, contentHash);
    }

    public VDiskProperties withLoadBalancing(boolean value) {
        return new VDiskProperties(description, mode, writeCacheType, writeCacheSize, value, highAvailability,
                version, contentHash);
    }

    public VDiskProperties withHighAvailability(boolean value) {
        return new VDiskProperties(description, mode, writeCacheType, writeCacheSize, loadBalancing, value,
                version, contentHash);
    }

    public VDiskProperties withVersion(int value) {
        return new VDiskProperties(description, mode, writeCacheType, writeCacheSize, loadBalancing,
                highAvailability, value, contentHash);
    }

    /** With the content hash, or without one if {@code value} is null. */
    public VDiskProperties withContentHash(ContentHash value) {
        return new VDiskProperties(description, mode, writeCacheType, writeCacheSize, loadBalancing,
                highAvailability, version, value);
    }
}
