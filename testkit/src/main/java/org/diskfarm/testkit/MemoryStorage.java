package org.diskfarm.testkit;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;
import org.diskfarm.block.StorageOpener;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A file system in memory for {@link StorageOpener} users: files are {@link MemoryStorageFile}s keyed by their
 * absolute, normalised path. Opening behaves like {@link FileStorage#open}: READ_ONLY and READ_WRITE need the file to
 * exist (else NOT_FOUND), CREATE_NEW needs it not to (else INVALID_ARGUMENT). Only the opener is in memory: code that
 * looks at the real file system itself ({@code Files.exists}) does not see these files.
 *
 * <p>Threads: all methods are synchronized.
 */
public final class MemoryStorage implements StorageOpener {
    private final Map<Path, MemoryStorageFile> files = new TreeMap<>();

    public MemoryStorage() {
    }

    /** A file system holding a copy of each of {@code images}. */
    public static MemoryStorage of(Map<Path, byte[]> images) {
        MemoryStorage storage = new MemoryStorage();
        images.forEach(storage::put);
        return storage;
    }

    @Override
    public synchronized StorageFile open(Path path, FileStorage.Mode mode) {
        Path key = key(path);
        MemoryStorageFile file = files.get(key);
        switch (mode) {
            case CREATE_NEW -> {
                if (file != null) {
                    throw new StorageException(StorageException.Kind.INVALID_ARGUMENT, path + ": file already exists");
                }
                file = MemoryStorageFile.create(path.toString());
                files.put(key, file);
                return file.view(true);
            }
            case READ_ONLY, READ_WRITE -> {
                if (file == null) {
                    throw new StorageException(StorageException.Kind.NOT_FOUND,
                            path + ": " + StorageOpener.NO_SUCH_FILE);
                }
                return file.view(mode == FileStorage.Mode.READ_WRITE);
            }
        }
        throw new AssertionError(mode);
    }

    /** Creates or replaces a file with a copy of {@code bytes}. */
    public synchronized void put(Path path, byte[] bytes) {
        files.put(key(path), MemoryStorageFile.of(path.toString(), bytes, true));
    }

    public synchronized boolean exists(Path path) {
        return files.containsKey(key(path));
    }

    /** A copy of a file's content; fails if there is no such file. */
    public synchronized byte[] content(Path path) {
        MemoryStorageFile file = files.get(key(path));
        if (file == null) {
            throw new IllegalArgumentException(path + ": no such file in memory");
        }
        return file.toByteArray();
    }

    /** A copy of every file's content, by absolute path. */
    public synchronized Map<Path, byte[]> snapshot() {
        Map<Path, byte[]> copy = new TreeMap<>();
        files.forEach((path, file) -> copy.put(path, file.toByteArray()));
        return copy;
    }

    public synchronized void delete(Path path) {
        files.remove(key(path));
    }

    static Path key(Path path) {
        return path.toAbsolutePath().normalize();
    }
}
