package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A failed operation exits 1 with one line {@code diskfarm: <reason>} naming the file; --debug adds the trace. */
class FailureTest {
    @TempDir
    Path dir;

    private void assertOneLineFailure(Cli.Result result, String expectedLine) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).isEqualTo(expectedLine + System.lineSeparator());
    }

    @Test
    void missingFileFailsWithOneLineNamingIt() {
        Path missing = dir.resolve("missing.vhd");
        String expected = "diskfarm: " + missing + ": no such file";
        for (List<String> command : List.of(
                List.of("vdisk", "info", missing.toString()),
                List.of("vdisk", "info", "--json", missing.toString()),
                List.of("vdisk", "verify", missing.toString()),
                List.of("vdisk", "hash", missing.toString()),
                List.of("vdisk", "set", missing.toString(), "--mode", "standard"),
                List.of("vdisk", "export", missing.toString(), dir.resolve("out.raw").toString()))) {
            Cli.Result result = Cli.run(command.toArray(String[]::new));
            assertOneLineFailure(result, expected);
            assertThat(result.out()).as(String.join(" ", command)).isEmpty();
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void missingImportSourceFailsNamingIt() {
        Path source = dir.resolve("master.raw");
        assertOneLineFailure(Cli.run("vdisk", "import", source.toString(), dir.resolve("x.vhd").toString()),
                "diskfarm: " + source + ": no such file");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void debugAddsTheStackTrace() {
        Path missing = dir.resolve("missing.vhd");
        for (String[] args : new String[][] {
                {"--debug", "vdisk", "info", missing.toString()},
                {"vdisk", "info", "--debug", missing.toString()}}) {
            Cli.Result result = Cli.run(args);
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).startsWith("diskfarm: " + missing + ": no such file")
                    .contains("StorageException", "\tat org.diskfarm");
        }
    }

    @Test
    void reasonsAreOneLineAndNeverATrace() {
        assertThat(ErrorHandler.reason(new CommandFailure("x.vhd: already exists\nsecond line")))
                .isEqualTo("x.vhd: already exists");
        assertThat(ErrorHandler.reason(new java.io.UncheckedIOException(
                new java.nio.file.NoSuchFileException("a.raw")))).isEqualTo("I/O error: a.raw: no such file");
        assertThat(ErrorHandler.reason(new NullPointerException()))
                .startsWith("internal error: java.lang.NullPointerException").contains("--debug");
    }
}
