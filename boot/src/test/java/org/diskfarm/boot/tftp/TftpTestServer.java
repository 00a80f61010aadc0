package org.diskfarm.boot.tftp;

import org.diskfarm.testkit.TestFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A {@link TftpServer} on the loopback address over a fresh temporary boot folder, for tests; closing it stops the
 * server and deletes the folder.
 */
final class TftpTestServer implements AutoCloseable {
    final Path folder;
    final TftpServer server;

    private TftpTestServer(Path folder, TftpServer server) {
        this.folder = folder;
        this.server = server;
    }

    static TftpTestServer start(TftpServerOptions options) {
        Path folder = TestFiles.tempDir("tftp-");
        try {
            return new TftpTestServer(folder, TftpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    0), BootFolder.of(folder), options));
        } catch (IOException e) {
            TestFiles.deleteTree(folder);
            throw new UncheckedIOException(e);
        }
    }

    static TftpTestServer start() {
        return start(TftpServerOptions.DEFAULTS);
    }

    /** Writes a file of pseudo-random bytes into the boot folder. */
    Path file(String name, long size, long seed) {
        return TestFiles.writePatternFile(folder.resolve(name), size, seed);
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    int port() {
        return server.port();
    }

    TftpRawClient client() {
        return new TftpRawClient(address());
    }

    /** Waits until every transfer has ended (bounded: fails after 30 s). */
    void awaitIdle() {
        await(() -> server.activeTransfers() == 0, "transfers still active: " + server.activeTransfers());
    }

    static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        server.close();
        TestFiles.deleteTree(folder);
    }
}
