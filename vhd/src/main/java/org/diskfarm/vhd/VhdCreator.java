package org.diskfarm.vhd;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes new VHD files. The layout of a dynamic or differencing disk: footer copy (0), dynamic header (512), BAT
 * (1536), for a differencing disk the two parent paths (relative W2ru, absolute W2ku), then blocks as they are
 * allocated, and the footer at the end. The structures are written before the footers, the footer at the end last,
 * so a file whose creation was cut short has no valid trailing footer and cannot pass for a disk.
 */
final class VhdCreator {
    /** Room reserved for each parent path: 512 bytes of UTF-16, enough for any path a store uses. */
    private static final int LOCATOR_SPACE = 8 * VhdFields.SECTOR;

    /**
     * Smallest block size of new disks. The specification allows 512 bytes, and such files open here, but QEMU sizes
     * the bitmap of blocks under 4 KiB as 0 bytes and misreads them.
     */
    static final int MIN_NEW_BLOCK_SIZE = 4096;

    private VhdCreator() {
    }

    static long roundedSize(long requested) {
        if (requested <= 0) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                    "virtual size must be positive (got " + requested + ")");
        }
        if (requested > VhdLayout.MAX_SIZE) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                    "virtual size " + requested + " is larger than the VHD format allows (2040 GiB)");
        }
        long sectors = VhdFields.roundUp(requested, VhdFields.SECTOR) / VhdFields.SECTOR;
        if (sectors >= Geometry.MAX.sectors()) {
            return sectors * VhdFields.SECTOR;
        }
        // The specification's geometry rounds down; step up until it covers the request (as QEMU does).
        for (long at = sectors; ; at++) {
            Geometry geometry = Geometry.forSectors(at);
            if (geometry.sectors() >= sectors) {
                return geometry.sectors() * VhdFields.SECTOR;
            }
        }
    }

    static void create(Path path, VhdSpec spec, VhdOptions options) {
        VhdFooter parentFooter = null;
        int parentBlockSize = 0;
        if (spec.type() == VhdType.DIFFERENCING) {
            try (VhdDevice parent = Vhd.open(spec.parent(), VhdOptions.readOnly().withOpener(options.opener()))) {
                parentFooter = parent.layout.footer;
                parentBlockSize = parent.layout.blockSize();
            }
        }
        long size;
        try {
            size = parentFooter != null ? parentFooter.currentSize() : roundedSize(spec.size());
        } catch (StorageException e) {
            throw new StorageException(e.kind(), path + ": " + e.getMessage());
        }
        int blockSize = spec.type() == VhdType.FIXED ? 0
                : parentBlockSize != 0 && spec.blockSize() == VhdSpec.DEFAULT_BLOCK_SIZE ? parentBlockSize
                : spec.blockSize();
        if (spec.type() != VhdType.FIXED && (blockSize < MIN_NEW_BLOCK_SIZE
                || blockSize > VhdLayout.MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1)) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                    path + ": block size " + blockSize + " is not a power of two from 4 KiB to 256 MiB");
        }
        if (spec.type() != VhdType.FIXED && (size + blockSize - 1) / blockSize > VhdLayout.MAX_BLOCKS) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT, path + ": " + size
                    + " bytes need more than " + VhdLayout.MAX_BLOCKS + " blocks of " + blockSize + " bytes");
        }
        Geometry geometry = parentFooter != null ? parentFooter.geometry()
                : Geometry.forSectors(size / VhdFields.SECTOR);
        VhdFooter footer = new VhdFooter(VhdFooter.FEATURES_RESERVED, VhdFooter.FORMAT_VERSION,
                spec.type() == VhdType.FIXED ? VhdFooter.NO_DATA_OFFSET : VhdFooter.SIZE,
                VhdFields.timestampOf(Instant.now()), VhdFooter.CREATOR, VhdFooter.CREATOR_VERSION,
                VhdFooter.HOST_WINDOWS, size, size, geometry, spec.type().code(), UUID.randomUUID(), false);
        StorageFile file = options.opener().open(path, FileStorage.Mode.CREATE_NEW);
        try {
            if (spec.type() == VhdType.FIXED) {
                // A fixed disk owns its space from the start, as Hyper-V's do; where fallocate is missing it is sparse.
                file.truncate(size);
                file.preallocate(0, size);
            } else {
                writeDynamicStructures(file, path, footer, blockSize, spec.parent(), parentFooter);
                file.write(0, footer.encode());
            }
            file.write(file.size(), footer.encode());
            file.force(true);
        } finally {
            file.close();
        }
    }

    private static void writeDynamicStructures(StorageFile file, Path path, VhdFooter footer, int blockSize,
                                               Path parent, VhdFooter parentFooter) {
        int entries = (int) ((footer.currentSize() + blockSize - 1) / blockSize);
        long batAt = VhdFooter.SIZE + DynamicHeader.SIZE;
        long batBytes = VhdFields.roundUp(entries * 4L, VhdFields.SECTOR);
        List<ParentLocator> locators = new ArrayList<>();
        String parentName = "";
        long end = batAt + batBytes;
        if (parent != null) {
            parentName = parent.getFileName().toString();
            Path absolute = parent.toAbsolutePath().normalize();
            Path folder = path.toAbsolutePath().normalize().getParent();
            String relative = folder.relativize(absolute).toString().replace('/', '\\');
            for (String text : List.of(".\\" + relative, absolute.toString())) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_16LE);
                if (bytes.length > LOCATOR_SPACE) {
                    throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                            path + ": parent path is longer than " + LOCATOR_SPACE / 2 + " characters");
                }
                int code = locators.isEmpty() ? ParentLocator.W2RU : ParentLocator.W2KU;
                locators.add(new ParentLocator(code, LOCATOR_SPACE / VhdFields.SECTOR, bytes.length, end));
                file.write(end, ByteBuffer.wrap(bytes));
                end += LOCATOR_SPACE;
            }
        }
        while (locators.size() < DynamicHeader.LOCATOR_COUNT) {
            locators.add(new ParentLocator(ParentLocator.NONE, 0, 0, 0));
        }
        DynamicHeader header = new DynamicHeader(batAt, DynamicHeader.HEADER_VERSION, entries, blockSize,
                parentFooter == null ? new UUID(0, 0) : parentFooter.uniqueId(),
                parentFooter == null ? 0 : parentFooter.timestamp(), parentName, locators);
        ByteBuffer bat = ByteBuffer.allocate((int) Math.min(batBytes, 1 << 20));
        while (bat.hasRemaining()) {
            bat.putInt(VhdLayout.UNALLOCATED);
        }
        for (long done = 0; done < batBytes; ) {
            int n = (int) Math.min(bat.capacity(), batBytes - done);
            file.write(batAt + done, bat.clear().limit(n));
            done += n;
        }
        file.write(VhdFooter.SIZE, header.encode());
        if (file.size() < end) {
            file.truncate(end);
        }
    }
}
