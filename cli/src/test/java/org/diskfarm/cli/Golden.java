package org.diskfarm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files: expected command output under {@code src/test/resources/golden/}, with volatile parts (UUIDs, times,
 * temporary folders) replaced by placeholders before comparing. Run with {@code -Dgolden.update=true} to rewrite them
 * from the current output, then review the diff.
 */
final class Golden {
    private static final Path DIR = Path.of("src/test/resources/golden");

    private Golden() {
    }

    /** {@code output} with UUIDs, ISO times and {@code tempDir} replaced by {@code <uuid>}, {@code <time>}, {@code <dir>}. */
    static String filter(String output, Path tempDir) {
        return output
                .replace(tempDir.toString(), "<dir>")
                .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z", "<time>");
    }

    static void assertMatches(String name, String actual) {
        Path file = DIR.resolve(name);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(DIR);
                Files.writeString(file, actual);
            }
            assertThat(actual).as("output compared with golden file %s (-Dgolden.update=true rewrites it)", file)
                    .isEqualTo(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
