package org.diskfarm.cli;

import org.diskfarm.block.StorageException;
import org.diskfarm.store.VDiskFiles;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on file arguments that several commands share. */
final class Arguments {
    private Arguments() {
    }

    /** The files of the vDisk {@code vhd}; a name that is not {@code NAME.vhd} is a usage error. */
    static VDiskFiles vDiskFiles(CommandSpec spec, Path vhd) {
        if (!VDiskFiles.isVDiskImage(vhd)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "A vDisk image is named NAME.vhd (its properties go to NAME.pvp): " + vhd);
        }
        return VDiskFiles.of(vhd);
    }

    /** Fails unless the folder that is to hold {@code file} exists. */
    static void requireFolderOf(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, file + ": no such folder " + folder);
        }
    }

    /** Fails unless nothing exists at {@code path}: commands never overwrite. */
    static void requireAbsent(Path path) {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new CommandFailure(path + ": already exists");
        }
    }
}
