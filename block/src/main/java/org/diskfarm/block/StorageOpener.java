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
}
