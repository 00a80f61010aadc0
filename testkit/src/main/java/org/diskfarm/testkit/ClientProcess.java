package org.diskfarm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client program (qemu-img, nbdinfo, ...) as a process and captures what it prints. Every run has a
 * timeout; a run that exceeds it is killed and fails. Output is read on two virtual threads so that a chatty program
 * never blocks on a full pipe.
 *
 * <p>Threads: stateless; any thread may run any number of processes.
 */
public final class ClientProcess {
    private ClientProcess() {
    }

    /**
     * What one run printed and how it ended.
     *
     * @param command  the command line as run, for messages
     * @param exitCode the process's exit status
     * @param stdout   standard output, decoded as UTF-8
     * @param stderr   standard error, decoded as UTF-8
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public String commandLine() {
            return String.join(" ", command);
        }

        /** A message naming the command, its exit status and what it printed on stderr. */
        public String describe() {
            return "`" + commandLine() + "` exited with status " + exitCode
                    + (stderr.isBlank() ? "" : "; stderr: " + stderr.strip())
                    + (stdout.isBlank() ? "" : "; stdout: " + abbreviate(stdout.strip()));
        }

        private static String abbreviate(String s) {
            return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
        }
    }

    /**
     * Runs {@code command} to its end (or kills it after {@code timeout}) and returns what happened, whatever its exit
     * status.
     */
    public static Result run(List<String> command, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close();  // no input: a program that asks for some sees end of file
        } catch (IOException e) {
            throw new IllegalStateException("cannot start `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within " + timeout
                        + " and was killed; stderr so far: " + stderr.getNow("").strip());
            }
            return new Result(List.copyOf(command), process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the output of `" + String.join(" ", command) + "`",
                    e.getCause());
        }
    }

    /** Finds {@code program} on the PATH (or in /usr/bin, /usr/local/bin); null if it is not installed. */
    public static Path find(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        // sbin too: tgtd, sfdisk, mkfs.fat, ip and dnsmasq live there, often not on a user's PATH.
        for (String dir : (path + ":/usr/bin:/usr/local/bin:/bin:/usr/sbin:/sbin:/usr/local/sbin").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The program's path as a string for a command line; fails with one line if it is not installed. */
    public static String require(String program, String debianPackage) {
        Path found = find(program);
        if (found == null) {
            throw new IllegalStateException(program + " is not installed (Debian package " + debianPackage + ")");
        }
        return found.toString();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().name("client-output").start(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return result;
    }
}
