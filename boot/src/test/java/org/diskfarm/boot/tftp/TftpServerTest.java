package org.diskfarm.boot.tftp;

import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's life: binding, the transfer limit, closing with transfers running, counters, generated files. */
class TftpServerTest {

    @Test
    void wildcardAddressServesLoopbackClients() throws IOException {
        Path folder = TestFiles.tempDir("tftp-any-");
        try (TftpServer server = TftpServer.start(new InetSocketAddress("0.0.0.0", 0), BootFolder.of(folder),
                TftpServerOptions.DEFAULTS)) {
            byte[] content = TestFiles.pattern(51, 3000);
            Files.write(folder.resolve("f.bin"), content);
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            try (TftpRawClient client = new TftpRawClient(loopback)) {
                assertThat(client.download("f.bin").data()).isEqualTo(content);
            }
        } finally {
            TestFiles.deleteTree(folder);
        }
    }

    @Test
    void ipv6LoopbackIsServed() throws IOException {
        Path folder = TestFiles.tempDir("tftp-v6-");
        try (TftpServer server = TftpServer.start(new InetSocketAddress("::1", 0), BootFolder.of(folder),
                TftpServerOptions.DEFAULTS); TftpRawClient client = new TftpRawClient(server.localAddress())) {
            byte[] content = TestFiles.pattern(55, 100_000);
            Files.write(folder.resolve("v6.bin"), content);
            TftpRawClient.Download got = client.download("v6.bin", new TftpOption("blksize", "1428"),
                    new TftpOption("windowsize", "8"));
            assertThat(got.data()).isEqualTo(content);
            assertThat(got.serverTid().getAddress()).isEqualTo(InetAddress.getByName("::1"));
        } finally {
            TestFiles.deleteTree(folder);
        }
    }

    @Test
    void portInUseFailsTheStart() {
        try (TftpTestServer first = TftpTestServer.start()) {
            assertThatThrownBy(() -> TftpServer.start(first.address(), BootFolder.of(first.folder),
                    TftpServerOptions.DEFAULTS)).isInstanceOf(BindException.class);
        }
    }

    @Test
    void requestBeyondTheTransferLimitIsAnsweredBusy() {
        try (TftpTestServer server = TftpTestServer.start(TftpServerOptions.DEFAULTS.withMaxTransfers(1)
                .withTimeout(Duration.ofSeconds(60)));
                TftpRawClient first = server.client(); TftpRawClient second = server.client()) {
            server.file("busy.bin", 5000, 52);
            first.send(TftpRequest.read("busy.bin", TftpMode.OCTET));
            TftpRawClient.Received block = first.receiveOrFail();  // a transfer holds the only slot
            assertThat(server.server.activeTransfers()).isEqualTo(1);
            second.send(TftpRequest.read("busy.bin", TftpMode.OCTET));
            TftpError error = second.receiveOrFail().error();
            assertThat(error.errorCode()).contains(TftpErrorCode.NOT_DEFINED);
            assertThat(error.message()).isEqualTo("server busy");
            first.send(new TftpError(TftpErrorCode.NOT_DEFINED, "bye"), block.from());
            server.awaitIdle();
            assertThat(second.download("busy.bin").data()).hasSize(5000);
        }
    }

    @Test
    void closingEndsRunningTransfersAndTellsTheirClients() {
        TftpTestServer server = TftpTestServer.start(TftpServerOptions.DEFAULTS.withTimeout(Duration.ofSeconds(60)));
        try (TftpRawClient client = server.client()) {
            server.file("long.bin", 100_000, 53);
            client.send(TftpRequest.read("long.bin", TftpMode.OCTET));
            TftpRawClient.Received block = client.receiveOrFail();
            server.close();
            TftpRawClient.Received bye = client.receiveOrFail();
            assertThat(bye.from()).isEqualTo(block.from());
            assertThat(bye.error().message()).contains("stopping");
            assertThat(server.server.activeTransfers()).isZero();
            assertThat(server.server.stats().failed()).isEqualTo(1);
        } finally {
            server.close();  // idempotent
        }
    }

    @Test
    void statsCountWhatHappened() {
        try (TftpTestServer server = TftpTestServer.start(); TftpRawClient client = server.client()) {
            server.file("a.bin", 1000, 54);
            client.download("a.bin");
            client.send(TftpRequest.read("missing", TftpMode.OCTET));
            client.receiveOrFail();
            client.sendRaw(new byte[] {0, 42}, server.address());
            client.receiveOrFail();
            server.awaitIdle();
            TftpStats stats = server.server.stats();
            assertThat(stats.started()).isEqualTo(1);
            assertThat(stats.completed()).isEqualTo(1);
            assertThat(stats.refused()).isEqualTo(1);
            assertThat(stats.badPackets()).isEqualTo(1);
            assertThat(stats.bytesSent()).isGreaterThanOrEqualTo(1000);  // more if a timeout resent a block
        }
    }

    @Test
    void generatedFilesAreServedThroughTheSeam() throws IOException {
        byte[] script = "#!ipxe\nsanboot iscsi:10.0.0.1::::iqn.x\n".getBytes();
        TftpFiles files = (name, client) -> name.equals("boot.ipxe") ? Optional.of(TftpFile.of(script))
                : Optional.empty();
        try (TftpServer server = TftpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), files,
                TftpServerOptions.DEFAULTS); TftpRawClient client = new TftpRawClient(server.localAddress())) {
            TftpRawClient.Download got = client.download("boot.ipxe", new TftpOption("tsize", "0"));
            assertThat(got.data()).isEqualTo(script);
            assertThat(got.optionAck().value("tsize")).contains(Integer.toString(script.length));
            client.send(TftpRequest.read("other", TftpMode.OCTET));
            assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.FILE_NOT_FOUND);
        }
    }

    @Test
    void filesThatFailToOpenAreAnsweredWithError0() throws IOException {
        TftpFiles files = (name, client) -> {
            throw new IOException("disk on fire");
        };
        try (TftpServer server = TftpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), files,
                TftpServerOptions.DEFAULTS); TftpRawClient client = new TftpRawClient(server.localAddress())) {
            client.send(TftpRequest.read("x", TftpMode.OCTET));
            TftpError error = client.receiveOrFail().error();
            assertThat(error.errorCode()).contains(TftpErrorCode.NOT_DEFINED);
            assertThat(error.message()).isEqualTo("cannot read x").doesNotContain("fire");
        }
    }
}
