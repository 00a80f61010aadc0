package org.diskfarm.boot.tftp;

import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real clients we did not write, against the server: tftp-hpa's {@code tftp} (RFC 1350 only: it sends no options),
 * curl (blksize and tsize) and commons-net's TFTPClient (RFC 1350 only). Every download is compared byte for byte with
 * the file.
 */
class TftpClientsTest {
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);
    private static TftpTestServer server;

    @TempDir
    Path local;

    @BeforeAll
    static void startServer() {
        server = TftpTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    // ---- tftp-hpa ----

    @Test
    void tftpHpaGetsRandomFileInBinaryMode() throws IOException {
        Path file = server.file("random-3m.bin", 3 << 20, 1);
        Path got = tftpHpaGet("binary", "random-3m.bin");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void tftpHpaGetsNameWithLeadingSlash() throws IOException {
        Path file = server.file("slash.bin", 70_000, 2);
        Path got = tftpHpaGet("binary", "/slash.bin");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void tftpHpaGetsEmptyFile() throws IOException {
        Path file = TestFiles.write(server.folder.resolve("empty-hpa"), new byte[0]);
        Path got = tftpHpaGet("binary", "empty-hpa");
        assertThat(Files.size(got)).isZero();
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void tftpHpaGetsFileOfWholeBlocks() throws IOException {
        Path file = server.file("blocks-hpa.bin", 512 * 100, 3);
        Path got = tftpHpaGet("binary", "blocks-hpa.bin");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void tftpHpaNetasciiTurnsLineEndsBack() throws IOException {
        byte[] text = netasciiSample();
        Path file = TestFiles.write(server.folder.resolve("text.txt"), text);
        Path got = tftpHpaGet("ascii", "text.txt");
        assertThat(Files.readAllBytes(got)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void tftpHpaReportsMissingFile() {
        ClientProcess.Result result = tftpHpa("binary", "get", "no-such-file", local.resolve("x").toString());
        assertThat(result.stdout() + result.stderr()).contains("Error code 1").contains("no-such-file");
    }

    @Test
    void tftpHpaPutIsRefused() throws IOException {
        Path upload = TestFiles.write(local.resolve("upload"), new byte[] {1, 2, 3});
        ClientProcess.Result result = tftpHpa("binary", "put", upload.toString(), "upload");
        assertThat(result.stdout() + result.stderr()).contains("Error code 2").contains("read-only");
        assertThat(server.folder.resolve("upload")).doesNotExist();
    }

    // ---- curl ----

    @Test
    void curlGetsRandomFileWithBlksize1468() throws IOException {
        Path file = server.file("random-curl.bin", 3 << 20, 4);
        Path got = curlGet("random-curl.bin", "--tftp-blksize", "1468");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void curlGetsRandomFileWithLargestBlocks() throws IOException {
        Path file = server.file("random-curl-big.bin", 3 << 20, 5);
        Path got = curlGet("random-curl-big.bin", "--tftp-blksize", "65464");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void curlGetsEmptyFileWithoutOptions() throws IOException {
        // curl 7.88 refuses an OACK with tsize 0 ("invalid tsize value in OACK", exit 71) although 0 is the true
        // size; without options the transfer is plain RFC 1350: one empty DATA block.
        TestFiles.write(server.folder.resolve("empty-curl"), new byte[0]);
        Path got = curlGet("empty-curl", "--tftp-no-options");
        assertThat(Files.size(got)).isZero();
    }

    @Test
    void curlGetsFileOfWholeBlocks() throws IOException {
        Path file = server.file("blocks-curl.bin", 1468 * 50, 6);
        Path got = curlGet("blocks-curl.bin", "--tftp-blksize", "1468");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void curlGetsFileBeyondBlockNumberRollover() throws IOException {
        // 40 MiB at 512-byte blocks is 81920 blocks: the 16-bit block number wraps from 65535 to 0
        Path file = server.file("rollover-curl.bin", 40L << 20, 7);
        Path got = curlGet("rollover-curl.bin", "--tftp-blksize", "512");
        assertThat(Files.mismatch(file, got)).isEqualTo(-1);
    }

    @Test
    void curlReportsMissingFile() {
        ClientProcess.Result result = curl("-sS", "tftp://127.0.0.1:" + server.port() + "/missing.bin", "-o",
                local.resolve("x").toString());
        // 68 is CURLE_TFTP_NOTFOUND; curl 7.88 prints a getpeername() message instead of the real one (curl#11332)
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(68);
    }

    // ---- commons-net ----

    @Test
    void commonsNetGetsFileBeyondBlockNumberRollover() throws IOException {
        Path file = server.file("rollover-cn.bin", 40L << 20, 8);
        byte[] got = commonsNetGet("rollover-cn.bin", TFTP.BINARY_MODE);
        assertThat(got).hasSize((int) Files.size(file));
        assertThat(TestFiles.sha256(got)).isEqualTo(TestFiles.sha256(file));
    }

    @Test
    void commonsNetGetsFileOfWholeBlocks() throws IOException {
        Path file = server.file("blocks-cn.bin", 512 * 64, 9);
        assertThat(commonsNetGet("blocks-cn.bin", TFTP.BINARY_MODE)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void commonsNetNetasciiTurnsLineEndsBack() throws IOException {
        // Only LF: commons-net turns CR LF back into LF but leaves CR NUL as it is (tftp-hpa turns it into CR), so a
        // file with a CR could not come back whole through it.
        byte[] text = "one\ntwo\n\nthree\n".repeat(100).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        TestFiles.write(server.folder.resolve("cn.txt"), text);
        assertThat(commonsNetGet("cn.txt", TFTP.ASCII_MODE)).isEqualTo(text);
    }

    @Test
    void commonsNetSeesMissingFileAsError1() {
        assertThatThrownBy(() -> commonsNetGet("not-here.bin", TFTP.BINARY_MODE))
                .hasMessageContaining("Error code 1");
    }

    // ---- helpers ----

    /** Text with LF, CR LF, a lone CR, a NUL and bytes above 127, spread over several 512-byte blocks. */
    static byte[] netasciiSample() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            out.writeBytes(("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            if (i % 7 == 0) {
                out.writeBytes(new byte[] {'a', '\r', 'b', 0, (byte) 0xe9, '\r', '\n'});
            }
        }
        out.write('\r');  // a CR at the very end
        return out.toByteArray();
    }

    private Path tftpHpaGet(String mode, String name) {
        Path target = local.resolve("got-" + name.replace('/', '_'));
        ClientProcess.Result result = tftpHpa(mode, "get", name, target.toString());
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout() + result.stderr()).as(result.describe()).doesNotContain("Error");
        assertThat(target).exists();
        return target;
    }

    private static ClientProcess.Result tftpHpa(String mode, String... command) {
        Path tftp = ClientProcess.find("tftp");
        assumeTrue(tftp != null, "tftp-hpa's tftp is not installed");
        List<String> line = new ArrayList<>(List.of(tftp.toString(), "-m", mode, "127.0.0.1",
                Integer.toString(server.port()), "-c"));
        line.addAll(List.of(command));
        return ClientProcess.run(line, CLIENT_TIMEOUT);
    }

    private Path curlGet(String name, String... options) {
        Path target = local.resolve("curl-" + name);
        List<String> line = new ArrayList<>(List.of("-sS", "--fail"));
        line.addAll(List.of(options));
        line.addAll(List.of("tftp://127.0.0.1:" + server.port() + "/" + name, "-o", target.toString()));
        ClientProcess.Result result = curl(line.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return target;
    }

    private static ClientProcess.Result curl(String... args) {
        Path curl = ClientProcess.find("curl");
        assumeTrue(curl != null, "curl is not installed");
        List<String> line = new ArrayList<>(List.of(curl.toString()));
        line.addAll(List.of(args));
        return ClientProcess.run(line, CLIENT_TIMEOUT);
    }

    private static byte[] commonsNetGet(String name, int mode) throws IOException {
        TFTPClient client = new TFTPClient();
        client.setDefaultTimeout(Duration.ofSeconds(5));
        client.open();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            client.receiveFile(name, mode, out, InetAddress.getLoopbackAddress(), server.port());
            return out.toByteArray();
        } finally {
            client.close();
        }
    }
}
