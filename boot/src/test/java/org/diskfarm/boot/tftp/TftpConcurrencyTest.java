package org.diskfarm.boot.tftp;

import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** 200 clients at once, as a classroom switched on together: every download byte-exact, every port given back. */
class TftpConcurrencyTest {
    private static final int CLIENTS = 200;

    @Test
    void twoHundredConcurrentTransfersAreAllByteExact() throws IOException, InterruptedException,
            ExecutionException {
        try (TftpTestServer server = TftpTestServer.start()) {
            String small = TestFiles.sha256(server.file("undionly.kpxe", 70_000, 41));
            String large = TestFiles.sha256(server.file("ipxe.efi", 1 << 20, 42));
            List<Future<String>> results = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CLIENTS; i++) {
                    // a mix of what PXE ROMs, iPXE and modern clients ask for
                    TftpOption[] options = switch (i % 4) {
                        case 0 -> new TftpOption[] {};
                        case 1 -> new TftpOption[] {opt("blksize", "1468"), opt("tsize", "0")};
                        case 2 -> new TftpOption[] {opt("blksize", "1468"), opt("windowsize", "16")};
                        default -> new TftpOption[] {opt("blksize", "8192"), opt("windowsize", "64")};
                    };
                    String name = i % 2 == 0 ? "undionly.kpxe" : "ipxe.efi";
                    results.add(threads.submit(() -> {
                        try (TftpRawClient client = server.client()) {
                            return name + " " + TestFiles.sha256(client.download(name, options).data());
                        }
                    }));
                }
            }
            for (int i = 0; i < CLIENTS; i++) {
                String expected = i % 2 == 0 ? "undionly.kpxe " + small : "ipxe.efi " + large;
                assertThat(results.get(i).get()).as("client %d", i).isEqualTo(expected);
            }
            server.awaitIdle();
            TftpStats stats = server.server.stats();
            assertThat(stats.started()).isEqualTo(CLIENTS);
            assertThat(stats.completed()).isEqualTo(CLIENTS);
            assertThat(stats.failed()).isZero();
            assertThat(stats.bytesSent()).isGreaterThanOrEqualTo(CLIENTS / 2 * (70_000L + (1 << 20)));
        }
    }

    private static TftpOption opt(String name, String value) {
        return new TftpOption(name, value);
    }
}
