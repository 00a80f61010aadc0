package org.diskfarm.store;

import org.diskfarm.block.StorageException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One server's copy of a store: a folder of vDisks, each {@code NAME.vhd} with its {@code NAME.pvp}. The folder is
 * the truth: every call looks at it again, so vDisks copied in, removed, or changed with {@code vdisk set} while the
 * server runs are seen by the next lookup. No database.
 */
public final class LocalStore {
    /** Names a vDisk may have: they become NBD export names, iSCSI target names and file names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path dir;

    public LocalStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** True if {@code name} may name a vDisk (letters, digits, {@code . _ -}; at most 128 characters). */
    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    /**
     * The vDisks in the folder, by name. Files whose names are not valid vDisk names are skipped.
     *
     * @throws StorageException NOT_FOUND if the folder is missing, IO_ERROR if it cannot be listed
     */
    public List<VDiskFiles> vdisks() {
        List<VDiskFiles> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.vhd")) {
            for (Path entry : entries) {
                VDiskFiles files = VDiskFiles.of(entry);
                if (isValidName(files.name()) && Files.isRegularFile(entry)) {
                    found.add(files);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, dir + ": no such store folder");
        } catch (IOException e) {
            throw StorageException.io(dir + ": cannot list the store", e);
        }
        found.sort(Comparator.comparing(VDiskFiles::name));
        return found;
    }

    /** The vDisk called {@code name}, if its image is in the folder. */
    public Optional<VDiskFiles> find(String name) {
        if (!isValidName(name)) {
            return Optional.empty();
        }
        VDiskFiles files = VDiskFiles.of(dir.resolve(name + VDiskFiles.VHD_EXTENSION));
        return Files.isRegularFile(files.vhd()) ? Optional.of(files) : Optional.empty();
    }

    /**
     * The vDisk's properties as its {@code .pvp} says now, or the defaults if it has none.
     *
     * @throws StorageException CORRUPT with file, line and key if the file is bad
     */
    public VDiskProperties properties(VDiskFiles files) {
        return VDiskProperties.readIfPresent(files.pvp()).orElse(VDiskProperties.DEFAULTS);
    }
}
