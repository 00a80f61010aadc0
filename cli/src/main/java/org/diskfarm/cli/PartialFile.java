package org.diskfarm.cli;

import org.diskfarm.block.StorageException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file being written under a temporary name beside its target ({@code .NAME.partial}) and renamed into place only
 * when complete, so that a failed or interrupted command leaves no half-written file under the real name. Closing a
 * partial file that was not {@link #commit() committed} deletes it; so does the JVM's shutdown (Ctrl-C).
 *
 * <p>Threads: one command uses one instance from one thread.
 */
final class PartialFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final Thread cleanup;
    private boolean done;

    private PartialFile(Path target) {
        this.target = target;
        this.temp = target.resolveSibling("." + target.getFileName() + ".partial");
        this.cleanup = Thread.ofPlatform().unstarted(this::deleteTemp);
    }

    /**
     * Starts a new file at {@code target}, which must not exist. A leftover temporary file of an earlier run that
     * was killed is removed.
     */
    static PartialFile start(Path target) {
        if (Files.exists(target)) {
            throw new CommandFailure(target + ": already exists");
        }
        Arguments.requireFolderOf(target);
        PartialFile file = new PartialFile(target);
        file.deleteTemp();
        Runtime.getRuntime().addShutdownHook(file.cleanup);
        return file;
    }

    /** Where to write until {@link #commit()}. */
    Path temp() {
        return temp;
    }

    Path target() {
        return target;
    }

    /** Renames the finished file to its target name (the target must still not exist) and syncs the folder. */
    void commit() {
        if (Files.exists(target)) {
            throw new CommandFailure(target + ": already exists (created by someone else meanwhile)");
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CommandFailure(target + ": already exists");
        } catch (IOException e) {
            throw StorageException.io(target + ": cannot rename " + temp.getFileName() + " into place", e);
        }
        done = true;
        removeHook();
    }

    /** Deletes the temporary file unless it was committed. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            deleteTemp();
            removeHook();
        }
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway; for a committed file it finds nothing to delete.
        }
    }
}
