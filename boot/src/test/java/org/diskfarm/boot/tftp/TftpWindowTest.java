package org.diskfarm.boot.tftp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Options and flow control with our raw client, which (unlike tftp-hpa and commons-net) speaks windowsize: OACK
 * contents, windows, retransmission after a lost ACK or a lost block, the Sorcerer's Apprentice, giving up, and block
 * numbers rolling over inside windows.
 */
class TftpWindowTest {
    private static final TftpOption TSIZE = new TftpOption("tsize", "0");

    @Test
    void windowedDownloadIsByteExactAndTheOackSaysWhatWasGranted() throws IOException {
        try (TftpTestServer server = TftpTestServer.start(); TftpRawClient client = server.client()) {
            Path file = server.file("win.bin", 3 << 20, 11);
            TftpRawClient.Download got = client.download("win.bin", blksize(1468), windowsize(16), TSIZE);
            assertThat(got.optionAck().options()).containsExactly(blksize(1468), windowsize(16),
                    new TftpOption("tsize", Long.toString(Files.size(file))));
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
            assertThat(got.serverTid().getPort()).isNotEqualTo(server.port());
            server.awaitIdle();
            assertThat(server.server.stats().completed()).isEqualTo(1);
        }
    }

    @Test
    void windowLargerThanTheServersCapIsLowered() throws IOException {
        try (TftpTestServer server = TftpTestServer.start(TftpServerOptions.DEFAULTS.withMaxWindowSize(8));
                TftpRawClient client = server.client()) {
            Path file = server.file("cap.bin", 200_000, 12);
            TftpRawClient.Download got = client.download("cap.bin", windowsize(65535));
            assertThat(got.optionAck().value("windowsize")).contains("8");
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void lostAckMakesTheServerResendTheWindow() throws IOException {
        TftpServerOptions options = TftpServerOptions.DEFAULTS.withTimeout(Duration.ofMillis(100));
        try (TftpTestServer server = TftpTestServer.start(options);
                TftpRawClient client = server.client().dropAckOf(32)) {
            Path file = server.file("lost-ack.bin", 100 * 1024, 13);
            TftpRawClient.Download got = client.download("lost-ack.bin", blksize(1024), windowsize(16));
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
            assertThat(got.duplicateBlocks()).isPositive();
            assertThat(server.server.stats().retransmitted()).isGreaterThanOrEqualTo(16);
        }
    }

    @Test
    void lostBlockIsResentFromTheOutOfSequenceAck() throws IOException {
        // No timeout can help here: one timeout and the server gives up. Only RFC 7440's rule recovers the block.
        TftpServerOptions options = TftpServerOptions.DEFAULTS.withTimeout(Duration.ofSeconds(60)).withRetries(0);
        try (TftpTestServer server = TftpTestServer.start(options);
                TftpRawClient client = server.client().dropDataBlock(5)) {
            Path file = server.file("lost-block.bin", 64 * 1024, 14);
            TftpRawClient.Download got = client.download("lost-block.bin", blksize(1024), windowsize(16));
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
            assertThat(server.server.stats().retransmitted()).isPositive();
        }
    }

    @Test
    void lostOptionAckIsSentAgain() throws IOException {
        TftpServerOptions options = TftpServerOptions.DEFAULTS.withTimeout(Duration.ofMillis(100));
        try (TftpTestServer server = TftpTestServer.start(options); TftpRawClient client = server.client()) {
            server.file("oack.bin", 1000, 15);
            client.send(TftpRequest.read("oack.bin", TftpMode.OCTET, TSIZE));
            TftpRawClient.Received first = client.receiveOrFail();
            TftpRawClient.Received again = client.receiveOrFail();  // not acknowledged: resent after the timeout
            assertThat(first.packet()).isInstanceOf(TftpOptionAck.class);
            assertThat(again.packet()).isEqualTo(first.packet());
            assertThat(again.from()).isEqualTo(first.from());
            client.send(new TftpAck(0), first.from());
            assertThat(client.receiveOrFail().packet()).isInstanceOf(TftpData.class);
        }
    }

    @Test
    void duplicateAcksDoNotDoubleTheBlocks() throws IOException {
        // Sorcerer's Apprentice (RFC 1123 4.2.3.1): answering each copy of an ACK would send every later block twice
        TftpServerOptions options = TftpServerOptions.DEFAULTS.withTimeout(Duration.ofSeconds(60));
        try (TftpTestServer server = TftpTestServer.start(options);
                TftpRawClient client = server.client().doubleAcks()) {
            Path file = server.file("apprentice.bin", 200 * 512 + 100, 16);
            TftpRawClient.Download got = client.download("apprentice.bin");
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
            assertThat(got.duplicateBlocks()).isZero();
            assertThat(server.server.stats().retransmitted()).isZero();
        }
    }

    @Test
    void silentClientIsGivenUpAfterTheRetries() {
        TftpServerOptions options = TftpServerOptions.DEFAULTS.withTimeout(Duration.ofMillis(50)).withRetries(2);
        try (TftpTestServer server = TftpTestServer.start(options); TftpRawClient client = server.client()) {
            server.file("silent.bin", 5000, 17);
            client.send(TftpRequest.read("silent.bin", TftpMode.OCTET));
            for (int i = 0; i < 3; i++) {  // the block, then once per retry
                assertThat(((TftpData) client.receiveOrFail().packet()).block()).isEqualTo(1);
            }
            TftpError error = client.receiveOrFail().error();
            assertThat(error.errorCode()).contains(TftpErrorCode.NOT_DEFINED);
            assertThat(error.message()).contains("timed out");
            server.awaitIdle();
            assertThat(server.server.stats().failed()).isEqualTo(1);
            assertThat(server.server.stats().retransmitted()).isEqualTo(2);
        }
    }

    @Test
    void clientErrorEndsTheTransfer() {
        try (TftpTestServer server = TftpTestServer.start(); TftpRawClient client = server.client()) {
            server.file("probe.bin", 5000, 18);
            client.send(TftpRequest.read("probe.bin", TftpMode.OCTET, TSIZE));
            TftpRawClient.Received oack = client.receiveOrFail();
            assertThat(((TftpOptionAck) oack.packet()).value("tsize")).contains("5000");
            // what PXE ROMs do after learning the size
            client.send(new TftpError(TftpErrorCode.OPTION_REFUSED, "tsize query"), oack.from());
            server.awaitIdle();
            assertThat(server.server.stats().aborted()).isEqualTo(1);
        }
    }

    @Test
    void windowedTransferRollsOverBlockNumbers() throws IOException {
        try (TftpTestServer server = TftpTestServer.start(); TftpRawClient client = server.client()) {
            Path file = server.file("rollover-win.bin", 40L << 20, 19);
            TftpRawClient.Download got = client.download("rollover-win.bin", blksize(512), windowsize(64));
            assertThat(got.blocks()).isEqualTo((40L << 20) / 512 + 1);
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void windowOfOneIsLockStep() throws IOException {
        try (TftpTestServer server = TftpTestServer.start(); TftpRawClient client = server.client()) {
            Path file = server.file("one.bin", 10 * 1468, 20);
            TftpRawClient.Download got = client.download("one.bin", blksize(1468), windowsize(1));
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
            assertThat(got.blocks()).isEqualTo(11);
        }
    }

    @Test
    void timeoutOptionIsAcknowledged() throws IOException {
        try (TftpTestServer server = TftpTestServer.start(); TftpRawClient client = server.client()) {
            Path file = server.file("timeout.bin", 3000, 21);
            TftpRawClient.Download got = client.download("timeout.bin", new TftpOption("timeout", "7"));
            assertThat(got.optionAck().value("timeout")).contains("7");
            assertThat(got.data()).isEqualTo(Files.readAllBytes(file));
        }
    }

    static TftpOption blksize(int bytes) {
        return new TftpOption("blksize", Integer.toString(bytes));
    }

    static TftpOption windowsize(int blocks) {
        return new TftpOption("windowsize", Integer.toString(blocks));
    }
}
