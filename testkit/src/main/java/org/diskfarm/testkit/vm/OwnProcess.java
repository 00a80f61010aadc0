package org.diskfarm.testkit.vm;

import java.util.concurrent.TimeUnit;

/**
 * A long-running child this fixture started (QEMU, tgtd), stopped by its own PID only: SIGTERM, then SIGKILL if it
 * has not ended within 5 s. A shutdown hook stops it too, so that a test JVM that dies mid-boot (a surefire timeout,
 * Ctrl-C) leaves no QEMU or tgtd behind.
 *
 * <p>Threads: {@link #close()} may be called from any thread, more than once.
 */
final class OwnProcess implements AutoCloseable {
    private final Process process;
    private final Thread hook;

    OwnProcess(Process process) {
        this.process = process;
        this.hook = new Thread(() -> stop(process), "stop-pid-" + process.pid());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Process process() {
        return process;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL at once, for a program that ignores SIGTERM (tgtd); then as {@link #close()}. */
    void kill() {
        process.destroyForcibly();
        close();
    }

    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and runs the hook itself
        }
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
