package org.diskfarm.boot.tftp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken input from a raw socket: each case checks the answer (the RFC's ERROR, from the right port, or
 * nothing) and that the server still serves a good request afterwards. "Nothing" is checked without waiting: the
 * server handles one client's datagrams in order, so when the first datagram back answers the good request that
 * followed the bad one, the bad one got no answer.
 */
class TftpBadInputTest {
    private static TftpTestServer server;
    private static byte[] good;
    private TftpRawClient client;

    @BeforeAll
    static void startServer() throws IOException {
        server = TftpTestServer.start();
        good = Files.readAllBytes(server.file("good.bin", 5000, 31));
        Files.writeString(server.folder.getParent().resolve(server.folder.getFileName() + "-secret"), "secret");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void openClient() {
        client = server.client();
    }

    @AfterEach
    void serverStillServes() {
        try (TftpRawClient fresh = server.client()) {
            assertThat(fresh.download("good.bin", new TftpOption("blksize", "1468")).data()).isEqualTo(good);
        }
        client.close();
    }

    @Test
    void writeRequestIsAnAccessViolation() {
        client.send(new TftpRequest(TftpOpcode.WRQ, "good.bin", "octet", List.of()));
        TftpRawClient.Received answer = client.receiveOrFail();
        assertThat(answer.error().errorCode()).contains(TftpErrorCode.ACCESS_VIOLATION);
        assertThat(answer.error().message()).contains("read-only");
        assertThat(answer.from().getPort()).as("a reply comes from a new transfer ID").isNotEqualTo(server.port());
    }

    @Test
    void unknownOpcodeIsAnIllegalOperation() {
        client.sendRaw(new byte[] {0, 9, 'x', 0}, server.address());
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.ILLEGAL_OPERATION);
    }

    @Test
    void datagramTooShortForAnOpcodeIsDropped() {
        client.sendRaw(new byte[] {1}, server.address());
        client.sendRaw(new byte[0], server.address());
        assertFirstAnswerIsToAGoodRequest();
    }

    @Test
    void requestWithoutNulTerminatorsIsAnIllegalOperation() {
        client.sendRaw(bytes("\0\1good.bin"), server.address());
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.ILLEGAL_OPERATION);
        client.sendRaw(bytes("\0\1good.bin\0octet"), server.address());
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.ILLEGAL_OPERATION);
    }

    @Test
    void unsupportedModesAreIllegalOperations() {
        for (String mode : List.of("mail", "binary", "")) {
            client.send(new TftpRequest(TftpOpcode.RRQ, "good.bin", mode, List.of()));
            assertThat(client.receiveOrFail().error().errorCode()).as(mode)
                    .contains(TftpErrorCode.ILLEGAL_OPERATION);
        }
    }

    @Test
    void modeIsCaseInsensitive() {
        assertThat(client.download(new TftpRequest(TftpOpcode.RRQ, "good.bin", "OcTeT", List.of())).data())
                .isEqualTo(good);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "..\\..\\etc\\passwd", "//etc/passwd", "a/../../x", "bad\u0001name"})
    void namesLeavingTheFolderAreAccessViolations(String name) {
        client.send(TftpRequest.read(name, TftpMode.OCTET));
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void siblingFolderIsOutOfReach() {
        client.send(TftpRequest.read("../" + server.folder.getFileName() + "-secret", TftpMode.OCTET));
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void systemPathIsNotFoundInsideTheFolder() {
        client.send(TftpRequest.read("/etc/passwd", TftpMode.OCTET));
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void symlinkOutOfTheFolderIsAnAccessViolation() throws IOException {
        Path link = server.folder.resolve("passwd-link");
        Files.createSymbolicLink(link, Path.of("/etc/passwd"));
        try {
            client.send(TftpRequest.read("passwd-link", TftpMode.OCTET));
            assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.ACCESS_VIOLATION);
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void missingFileIsNotFound() {
        client.send(TftpRequest.read("missing.bin", TftpMode.OCTET));
        TftpError error = client.receiveOrFail().error();
        assertThat(error.errorCode()).contains(TftpErrorCode.FILE_NOT_FOUND);
        assertThat(error.message()).contains("missing.bin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blksize=0", "blksize=7", "blksize=abc", "windowsize=0", "tsize=abc", "timeout=0",
            "timeout=300", "blksize=512,BLKSIZE=1024"})
    void absurdOptionsFailTheNegotiation(String options) {
        List<TftpOption> list = new ArrayList<>();
        for (String pair : options.split(",")) {
            String[] nv = pair.split("=", 2);
            list.add(new TftpOption(nv[0], nv[1]));
        }
        client.send(new TftpRequest(TftpOpcode.RRQ, "good.bin", "octet", list));
        assertThat(client.receiveOrFail().error().errorCode()).contains(TftpErrorCode.OPTION_REFUSED);
    }

    @Test
    void hugeBlockSizeIsLoweredToTheLargest() {
        TftpRawClient.Download got = client.download("good.bin", new TftpOption("blksize", "99999999"));
        assertThat(got.optionAck().value("blksize")).contains("65464");
        assertThat(got.data()).isEqualTo(good);
    }

    @Test
    void tenKilobytesOfOptionsAreRefused() {
        StringBuilder request = new StringBuilder("\0\1good.bin\0octet\0");
        for (int i = 0; request.length() < 10_000; i++) {
            request.append("opt").append(i).append('\0').append(i).append('\0');
        }
        client.sendRaw(bytes(request.toString()), server.address());
        TftpError error = client.receiveOrFail().error();
        assertThat(error.errorCode()).contains(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(error.message()).contains("512");
    }

    @Test
    void unknownOptionsAreIgnored() {
        TftpRawClient.Download got = client.download("good.bin", new TftpOption("multicast", ""),
                new TftpOption("x".repeat(100), "y"));
        assertThat(got.optionAck()).isNull();
        assertThat(got.data()).isEqualTo(good);
    }

    @Test
    void ackToTheRequestPortIsAnUnknownTransferId() {
        client.send(new TftpAck(1), server.address());
        TftpRawClient.Received answer = client.receiveOrFail();
        assertThat(answer.error().errorCode()).contains(TftpErrorCode.UNKNOWN_TRANSFER_ID);
        assertThat(answer.from().getPort()).isEqualTo(server.port());
    }

    @Test
    void errorToTheRequestPortIsNotAnswered() {
        client.send(new TftpError(TftpErrorCode.NOT_DEFINED, "hello"), server.address());
        assertFirstAnswerIsToAGoodRequest();
    }

    @Test
    void truncatedAckToTheRequestPortIsDropped() {
        client.sendRaw(new byte[] {0, 4, 0}, server.address());
        assertFirstAnswerIsToAGoodRequest();
    }

    @Test
    void packetFromAnotherPortGetsUnknownTransferIdAndTheTransferGoesOn() throws IOException {
        Path file = server.file("tid.bin", 700, 32);  // two blocks
        client.send(TftpRequest.read("tid.bin", TftpMode.OCTET));
        TftpRawClient.Received first = client.receiveOrFail();
        assertThat(((TftpData) first.packet()).block()).isEqualTo(1);
        try (TftpRawClient intruder = server.client()) {
            intruder.send(new TftpAck(1), first.from());
            TftpRawClient.Received answer = intruder.receiveOrFail();
            assertThat(answer.error().errorCode()).contains(TftpErrorCode.UNKNOWN_TRANSFER_ID);
            assertThat(answer.from()).isEqualTo(first.from());
        }
        byte[] data = ((TftpData) first.packet()).data();
        client.send(new TftpAck(1), first.from());
        byte[] rest = ((TftpData) client.receiveOrFail().packet()).data();
        client.send(new TftpAck(2), first.from());
        assertThat(concat(data, rest)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void garbageFromTheClientDuringATransferIsIgnored() throws IOException {
        Path file = server.file("garbage.bin", 500, 33);  // one block
        client.send(TftpRequest.read("garbage.bin", TftpMode.OCTET));
        TftpRawClient.Received first = client.receiveOrFail();
        client.sendRaw(new byte[] {0}, first.from());
        client.sendRaw(new byte[] {0, 4, 0}, first.from());
        client.send(new TftpData(1, new byte[3]), first.from());
        client.send(TftpRequest.read("garbage.bin", TftpMode.OCTET), first.from());
        client.send(new TftpAck(1), first.from());
        server.awaitIdle();
        assertThat(((TftpData) first.packet()).data()).isEqualTo(Files.readAllBytes(file));
        assertThat(server.server.stats().badPackets()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void repeatedRequestStartsNoSecondTransfer() throws IOException {
        server.file("twice.bin", 3000, 34);
        server.awaitIdle();
        TftpRequest rrq = TftpRequest.read("twice.bin", TftpMode.OCTET, new TftpOption("tsize", "0"));
        client.send(rrq);
        TftpRawClient.Received oack = client.receiveOrFail();
        client.send(rrq);  // as a client does that did not hear the OACK in time
        // The listener takes one client's datagrams in order: once this is answered, the repeat has been handled.
        client.sendRaw(new byte[] {0, 9}, server.address());
        TftpRawClient.Received marker;
        do {
            marker = client.receiveOrFail();  // skipping OACKs the transfer may have resent meanwhile
        } while (marker.from().equals(oack.from()));
        assertThat(marker.error().errorCode()).contains(TftpErrorCode.ILLEGAL_OPERATION);
        assertThat(server.server.activeTransfers()).isEqualTo(1);
        client.send(new TftpAck(0), oack.from());
        TftpRawClient.Received next = client.receiveOrFail();
        assertThat(next.from()).isEqualTo(oack.from());
        assertThat(next.packet()).isInstanceOf(TftpData.class);
        client.send(new TftpError(TftpErrorCode.NOT_DEFINED, "done"), oack.from());
    }

    @Test
    void differentRequestFromTheSamePortStartsANewTransfer() throws IOException {
        // what PXE ROMs do: ask for tsize, abort, ask again with blksize, all from one port
        server.file("pxe.bin", 3000, 35);
        client.send(TftpRequest.read("pxe.bin", TftpMode.OCTET, new TftpOption("tsize", "0")));
        TftpRawClient.Received probe = client.receiveOrFail();
        client.send(new TftpError(TftpErrorCode.OPTION_REFUSED, "tsize probe"), probe.from());
        TftpRawClient.Download got = client.download("pxe.bin", new TftpOption("blksize", "1468"));
        assertThat(got.optionAck().value("blksize")).contains("1468");
        assertThat(got.serverTid()).isNotEqualTo(probe.from());
        assertThat(got.data()).isEqualTo(Files.readAllBytes(server.folder.resolve("pxe.bin")));
    }

    @Test
    void sameRequestAgainAfterAnsweringTheTransferStartsANewOne() throws IOException {
        byte[] file = Files.readAllBytes(server.file("again.bin", 3000, 36));  // several blocks: ACKs before the end
        assertThat(client.download("again.bin").data()).isEqualTo(file);
        assertThat(client.download("again.bin").data()).isEqualTo(file);
    }

    private void assertFirstAnswerIsToAGoodRequest() {
        client.send(TftpRequest.read("good.bin", TftpMode.OCTET));
        TftpRawClient.Received answer = client.receiveOrFail();
        assertThat(answer.packet()).isInstanceOf(TftpData.class);
        client.send(new TftpError(TftpErrorCode.NOT_DEFINED, "done"), answer.from());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
