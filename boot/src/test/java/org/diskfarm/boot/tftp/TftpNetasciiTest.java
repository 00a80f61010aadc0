package org.diskfarm.boot.tftp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Netascii (RFC 1350 section 1): LF as CR LF, CR as CR NUL, with pairs split across blocks and blocks re-read. */
class TftpNetasciiTest {

    @Test
    void lineEndsAndLoneCarriageReturnsAreConverted() throws IOException {
        assertThat(sendAll("a\nb\rc\r\n".getBytes(), 512)).isEqualTo("a\r\nb\r\0c\r\0\r\n".getBytes());
    }

    @Test
    void pairsSplitAcrossBlocksAreCompletedInTheNext() throws IOException {
        // with 3-byte blocks "ab\n" becomes "ab\r" + "\n..."
        TftpNetasciiSource source = new TftpNetasciiSource(TftpFile.of("ab\ncd".getBytes()), 3);
        assertThat(block(source, 1, 3)).isEqualTo("ab\r".getBytes());
        assertThat(block(source, 2, 3)).isEqualTo("\ncd".getBytes());
        assertThat(block(source, 3, 3)).isEmpty();  // exactly whole blocks: an empty block ends the transfer
    }

    @Test
    void blocksCanBeReadAgainAfterARewind() throws IOException {
        byte[] text = randomText(5000, 1);
        TftpNetasciiSource source = new TftpNetasciiSource(TftpFile.of(text), 64);
        byte[][] first = new byte[6][];
        for (int b = 1; b <= 5; b++) {
            first[b] = block(source, b, 64);
        }
        source.release(2);
        for (int b = 3; b <= 5; b++) {  // a window resent from the block after the last acknowledged
            assertThat(block(source, b, 64)).isEqualTo(first[b]);
        }
    }

    @Test
    void everyBlockSizeGivesTheSameStream() throws IOException {
        byte[] text = randomText(3000, 2);
        byte[] expected = encode(text);
        for (int blockSize : new int[] {8, 9, 10, 511, 512, 513, 1468}) {
            assertThat(sendAll(text, blockSize)).as("blksize %d", blockSize).isEqualTo(expected);
        }
    }

    @Test
    void serverSendsNetasciiWithWindowsAndRetransmissions() throws IOException {
        byte[] text = randomText(20_000, 3);
        TftpServerOptions options = TftpServerOptions.DEFAULTS.withTimeout(Duration.ofMillis(100));
        try (TftpTestServer server = TftpTestServer.start(options);
                TftpRawClient client = server.client().dropAckOf(8)) {
            java.nio.file.Files.write(server.folder.resolve("text.cfg"), text);
            TftpRawClient.Download got = client.download(TftpRequest.read("text.cfg", TftpMode.NETASCII,
                    new TftpOption("blksize", "100"), new TftpOption("windowsize", "4")));
            assertThat(got.data()).isEqualTo(encode(text));
            assertThat(server.server.stats().retransmitted()).isPositive();
        }
    }

    /** The conversion written the obvious way, to check the block-wise one against. */
    private static byte[] encode(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : text) {
            switch (b) {
                case '\n' -> out.writeBytes(new byte[] {'\r', '\n'});
                case '\r' -> out.writeBytes(new byte[] {'\r', 0});
                default -> out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static byte[] sendAll(byte[] text, int blockSize) throws IOException {
        TftpNetasciiSource source = new TftpNetasciiSource(TftpFile.of(text), blockSize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long b = 1; ; b++) {
            byte[] block = block(source, b, blockSize);
            out.writeBytes(block);
            source.release(b);
            if (block.length < blockSize) {
                return out.toByteArray();
            }
        }
    }

    private static byte[] block(TftpNetasciiSource source, long block, int blockSize) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 + blockSize + 10);
        buf.position(4);  // as the server reads it: after the DATA header
        int n = source.read(block, buf);
        return Arrays.copyOfRange(buf.array(), 4, 4 + n);
    }

    /** Text rich in CR and LF, with runs of them, and some bytes above 127. */
    private static byte[] randomText(int length, long seed) {
        Random random = new Random(seed);
        byte[] alphabet = {'a', 'b', ' ', '\n', '\r', '\r', '\n', 0, (byte) 0xc3, '~'};
        byte[] text = new byte[length];
        for (int i = 0; i < length; i++) {
            text[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return text;
    }
}
