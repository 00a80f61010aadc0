package org.diskfarm.testkit.vm;

import org.diskfarm.testkit.ClientProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the build tools of the boot disk (sfdisk, mkfs.fat, syslinux, mcopy, apt-get, dpkg-deb, tar, ldd) and fails
 * with one line naming the command when one exits non-zero. Adds what {@link ClientProcess} does not do: a working
 * directory, an environment, standard input from a file, and a pipeline.
 *
 * <p>Threads: stateless.
 */
final class Commands {
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private Commands() {
    }

    /** The program's path, or null if it is not installed (the PATH, then the sbin folders). */
    static Path find(String program) {
        return ClientProcess.find(program);
    }

    /** The program's path as a string; fails with one line if it is not installed. */
    static String require(String program, String debianPackage) {
        return ClientProcess.require(program, debianPackage);
    }

    /** Runs {@code command} and fails unless it exits 0; returns its standard output. */
    static String check(List<String> command) {
        ClientProcess.Result result = ClientProcess.run(command, TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(result.describe());
        }
        return result.stdout() + result.stderr();
    }

    /**
     * Runs {@code command} in {@code dir} with extra {@code environment}, standard input from {@code stdin} (or none),
     * and fails unless it exits 0; returns what it printed (stdout and stderr together).
     */
    static String checkIn(Path dir, Map<String, String> environment, Path stdin, List<String> command) {
        Path output;
        try {
            output = Files.createTempFile("diskfarm-command-", ".out");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary file: " + e.getMessage(), e);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        try {
            int status = waitFor(builder.start(), command);
            String printed = Files.readString(output, StandardCharsets.ISO_8859_1);
            if (status != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited with status " + status
                        + (printed.isBlank() ? "" : ": " + oneLine(printed)));
            }
            return printed;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }

    /** Runs {@code first | second} in {@code dir}; fails unless both exit 0. */
    static void pipe(Path dir, List<String> first, List<String> second) {
        pipe(dir, first, second, null);
    }

    /** Runs {@code first | second} in {@code dir}; fails unless both exit 0; returns what {@code second} printed. */
    static String pipeOutput(Path dir, List<String> first, List<String> second) {
        Path output;
        try {
            output = Files.createTempFile("diskfarm-command-", ".out");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary file: " + e.getMessage(), e);
        }
        try {
            pipe(dir, first, second, output);
            return Files.readString(output, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the output of `" + String.join(" ", second) + "`: "
                    + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }

    private static void pipe(Path dir, List<String> first, List<String> second, Path output) {
        List<ProcessBuilder> builders = new ArrayList<>();
        for (List<String> command : List.of(first, second)) {
            builders.add(new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD));
        }
        builders.getFirst().redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builders.getLast().redirectOutput(output == null ? ProcessBuilder.Redirect.DISCARD
                : ProcessBuilder.Redirect.to(output.toFile()));
        String line = String.join(" ", first) + " | " + String.join(" ", second);
        try {
            List<Process> processes = ProcessBuilder.startPipeline(builders);
            for (int i = 0; i < processes.size(); i++) {
                int status = waitFor(processes.get(i), List.of(line));
                if (status != 0) {
                    throw new IllegalStateException("`" + line + "` failed: " + (i == 0 ? first : second).getFirst()
                            + " exited with status " + status);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `" + line + "`: " + e.getMessage(), e);
        }
    }

    private static int waitFor(Process process, List<String> command) {
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within " + TIMEOUT
                        + " and was killed");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
        }
    }

    /** The last lines of a program's output, joined into one line for an error message. */
    static String oneLine(String printed) {
        List<String> lines = printed.strip().lines().toList();
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
}
