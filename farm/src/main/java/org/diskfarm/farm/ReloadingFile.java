package org.diskfarm.farm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A small text file that administrators edit while the server runs, parsed into a value and read again whenever its
 * modification time or size changes. A missing file is the empty value. A bad file is refused as a whole with one line
 * naming the file, the line and the problem: at {@link #ReloadingFile creation} as an exception, later as one log
 * line (once per distinct error) while the last good value stays in use.
 *
 * @param <T> the parsed content
 */
final class ReloadingFile<T> {
    private static final System.Logger LOG = System.getLogger(ReloadingFile.class.getName());

    private final Path file;
    private final BiFunction<Path, List<String>, T> parser;
    private final T empty;
    private final String what;
    private volatile Snapshot<T> snapshot;

    private record Snapshot<T>(FileTime modified, long size, T value, String lastError) {
    }

    /**
     * Reads the file now.
     *
     * @param parser parses the lines; throws IllegalArgumentException with a one-line message naming file and line
     * @param what   what the log line after a reload says the file holds, e.g. "devices"
     * @throws IllegalArgumentException if the file is bad
     * @throws UncheckedIOException     if it exists and cannot be read
     */
    ReloadingFile(Path file, BiFunction<Path, List<String>, T> parser, T empty, String what) {
        this.file = file;
        this.parser = parser;
        this.empty = empty;
        this.what = what;
        this.snapshot = load();
    }

    Path file() {
        return file;
    }

    /** The content as the file says now (or the last good content, if it has turned bad). */
    T current() {
        Snapshot<T> seen = snapshot;
        FileTime modified;
        long size;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            modified = attributes.lastModifiedTime();
            size = attributes.size();
        } catch (NoSuchFileException e) {
            modified = null;
            size = -1;
        } catch (IOException e) {
            return seen.value;
        }
        if (Objects.equals(modified, seen.modified) && size == seen.size) {
            return seen.value;
        }
        synchronized (this) {
            if (snapshot != seen) {
                return snapshot.value;
            }
            try {
                snapshot = load();
                LOG.log(System.Logger.Level.INFO, "{0}: read again ({1})", file, what);
            } catch (RuntimeException e) {
                if (!e.getMessage().equals(seen.lastError)) {
                    LOG.log(System.Logger.Level.WARNING, "{0}; keeping the {1} read before", e.getMessage(), what);
                }
                snapshot = new Snapshot<>(modified, size, seen.value, e.getMessage());
            }
            return snapshot.value;
        }
    }

    private Snapshot<T> load() {
        FileTime modified;
        long size;
        List<String> lines;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            modified = attributes.lastModifiedTime();
            size = attributes.size();
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Snapshot<>(null, -1, empty, null);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        return new Snapshot<>(modified, size, parser.apply(file, lines), null);
    }
}
