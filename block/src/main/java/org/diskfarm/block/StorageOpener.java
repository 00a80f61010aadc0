package org.diskfarm.block;

import java.nio.file.Path;

/**
 * Opens the files a format needs (a VHD and its parents). Production code uses {@link #FILES}; crash and fault tests
 * pass one that wraps each file in an injecting layer.
 */
@FunctionalInterface
public interface StorageOpener {
    StorageOpener FILES = FileStorage::open;

    /** The message of a missing file: {@code "PATH: no such file"}, kind NOT_FOUND. Openers must use it. */
    String NO_SUCH_FILE = "no such file";

    StorageFile open(Path path, FileStorage.Mode mode);

    /** True if {@code path} can be opened: a format looking for a file among candidates asks this first. */
    default boolean exists(Path path) {
        try {
            open(path, FileStorage.Mode.READ_ONLY).close();
            return true;
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }
}
