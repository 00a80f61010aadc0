package org.diskfarm.iscsi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a client program as a process with a timeout (killed when it runs over) and captures its output. */
final class Processes {
    private Processes() {
    }

    record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {
        String describe() {
            return String.join(" ", command) + " -> " + (timedOut ? "timed out" : "exit " + exitCode) + "\nstdout:\n"
                    + stdout + "\nstderr:\n" + stderr;
        }
    }

    static boolean installed(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static Result run(Duration timeout, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        boolean done;
        try {
            done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(command, done ? process.exitValue() : -1, out.get(10, TimeUnit.SECONDS),
                    err.get(10, TimeUnit.SECONDS), !done);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("running " + command + ": " + e, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("(reading failed: " + e + ")");
            }
        });
        return f;
    }
}
