package org.diskfarm.store;

import org.diskfarm.block.StorageException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The files of one vDisk in a store folder: {@code NAME.vhd} (the image), {@code NAME.pvp} (its properties) and
 * {@code NAME.lok} (present while a device holds it in Private mode). Paths only; nothing here touches the disk.
 *
 * @param vhd  the image file, {@code NAME.vhd}
 * @param pvp  the properties file beside it, {@code NAME.pvp}
 * @param lok  the lock file beside it, {@code NAME.lok}
 * @param name the vDisk's name, {@code NAME} (for a version {@code NAME.N.vhd} it is {@code NAME.N})
 */
public record VDiskFiles(Path vhd, Path pvp, Path lok, String name) {
    /** The extension of vDisk image files. */
    public static final String VHD_EXTENSION = ".vhd";

    /**
     * The files of the vDisk whose image is {@code vhd}.
     *
     * @throws StorageException of kind INVALID_ARGUMENT if the file name does not end in {@code .vhd}
     */
    public static VDiskFiles of(Path vhd) {
        if (!isVDiskImage(vhd)) {
            throw new StorageException(StorageException.Kind.INVALID_ARGUMENT,
                    vhd + ": a vDisk image is named NAME.vhd");
        }
        String fileName = vhd.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - VHD_EXTENSION.length());
        return new VDiskFiles(vhd, vhd.resolveSibling(name + ".pvp"), vhd.resolveSibling(name + ".lok"), name);
    }

    /** True if the file name has the form {@code NAME.vhd} (any case) with a non-empty NAME. */
    public static boolean isVDiskImage(Path file) {
        Path fileName = file.getFileName();
        if (fileName == null) {
            return false;
        }
        String text = fileName.toString();
        return text.length() > VHD_EXTENSION.length() && text.toLowerCase(Locale.ROOT).endsWith(VHD_EXTENSION);
    }
}
