package org.diskfarm.boot.tftp;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The wire records: exact bytes, round trips, and every way a datagram can be broken. */
class TftpPacketTest {

    @Test
    void readRequestWithOptionsHasTheBytesOfRfc2347() {
        TftpRequest rrq = TftpRequest.read("undionly.kpxe", TftpMode.OCTET, new TftpOption("blksize", "1468"),
                new TftpOption("tsize", "0"));
        byte[] expected = bytes("\0\1undionly.kpxe\0octet\0blksize\0" + "1468\0tsize\0" + "0\0");
        assertThat(wire(rrq)).isEqualTo(expected);
        assertThat(rrq.size()).isEqualTo(expected.length);
    }

    @Test
    void readRequestRoundTrips() throws TftpPacketException {
        TftpRequest rrq = TftpRequest.read("dir/boot.efi", TftpMode.NETASCII, new TftpOption("WindowSize", "16"));
        assertThat(TftpPacket.decode(rrq.encode())).isEqualTo(rrq);
    }

    @Test
    void decodesFromTheBufferPositionToItsLimit() throws TftpPacketException {
        byte[] packet = wire(new TftpAck(7));
        ByteBuffer buf = ByteBuffer.allocate(20);
        buf.put(new byte[] {9, 9, 9}).put(packet).put(new byte[] {8, 8});
        buf.position(3).limit(3 + packet.length);
        assertThat(TftpPacket.decode(buf)).isEqualTo(new TftpAck(7));
        assertThat(buf.hasRemaining()).isFalse();
    }

    @Test
    void fileNameIsUtf8() throws TftpPacketException {
        TftpRequest rrq = TftpRequest.read("café.cfg", TftpMode.OCTET);
        assertThat(wire(rrq)).containsSequence("café".getBytes(StandardCharsets.UTF_8));
        assertThat(TftpPacket.decode(rrq.encode())).isEqualTo(rrq);
    }

    @Test
    void fileNameThatIsNotUtf8IsRefused() {
        byte[] packet = {0, 1, 'a', (byte) 0xff, 'b', 0, 'o', 'c', 't', 'e', 't', 0};
        assertThat(reason(packet)).isEqualTo(TftpPacketException.Reason.BAD_FILE_NAME);
    }

    @Test
    void everyTruncationOfARequestIsRefusedAsSuch() {
        byte[] whole = wire(TftpRequest.read("f", TftpMode.OCTET, new TftpOption("blksize", "512")));
        int withoutOptions = wire(TftpRequest.read("f", TftpMode.OCTET)).length;  // a whole request by itself
        for (int length = 0; length < whole.length; length++) {
            if (length == withoutOptions) {
                continue;
            }
            TftpPacketException.Reason reason = reason(Arrays.copyOf(whole, length));
            assertThat(reason).as("first %d bytes", length).isEqualTo(length < 2
                    ? TftpPacketException.Reason.TRUNCATED : TftpPacketException.Reason.MISSING_NUL);
        }
    }

    @Test
    void optionWithoutValueIsMissingItsNul() {
        assertThat(reason(bytes("\0\1f\0octet\0blksize\0"))).isEqualTo(TftpPacketException.Reason.MISSING_NUL);
    }

    @Test
    void nulPaddingAfterTheLastOptionIsAccepted() throws TftpPacketException {
        TftpPacket packet = TftpPacket.decode(ByteBuffer.wrap(bytes("\0\1f\0octet\0tsize\0" + "0\0\0\0\0")));
        assertThat(packet).isEqualTo(TftpRequest.read("f", TftpMode.OCTET, new TftpOption("tsize", "0")));
    }

    @Test
    void emptyOptionNameBeforeMoreDataIsMalformed() {
        assertThat(reason(bytes("\0\1f\0octet\0\0blksize\0" + "512\0")))
                .isEqualTo(TftpPacketException.Reason.MALFORMED_OPTIONS);
    }

    @Test
    void requestLongerThan512OctetsIsRefused() {
        String options = "x\0y\0".repeat(200);
        assertThat(reason(bytes("\0\1f\0octet\0" + options))).isEqualTo(TftpPacketException.Reason.TOO_LONG);
    }

    @Test
    void requestOf512OctetsIsAccepted() throws TftpPacketException {
        String name = "n".repeat(512 - 2 - 1 - 6);
        byte[] packet = bytes("\0\1" + name + "\0octet\0");
        assertThat(packet).hasSize(512);
        assertThat(((TftpRequest) TftpPacket.decode(ByteBuffer.wrap(packet))).filename()).isEqualTo(name);
    }

    @Test
    void unknownOpcodesAreNamed() {
        for (int opcode : new int[] {0, 7, 255, 65535}) {
            byte[] packet = {(byte) (opcode >> 8), (byte) opcode, 0, 1};
            TftpPacketException e = catchThrowableOfType(TftpPacketException.class,
                    () -> TftpPacket.decode(ByteBuffer.wrap(packet)));
            assertThat(e.reason()).isEqualTo(TftpPacketException.Reason.UNKNOWN_OPCODE);
            assertThat(e).hasMessageContaining(Integer.toString(opcode));
        }
    }

    @Test
    void ackHasFourBytesAndTrailingBytesAreIgnored() throws TftpPacketException {
        assertThat(wire(new TftpAck(0xfffe))).containsExactly(0, 4, 0xff, 0xfe);
        assertThat(TftpPacket.decode(ByteBuffer.wrap(new byte[] {0, 4, 1, 2, 0, 0}))).isEqualTo(new TftpAck(0x102));
        assertThat(reason(new byte[] {0, 4, 1})).isEqualTo(TftpPacketException.Reason.TRUNCATED);
    }

    @Test
    void dataHeaderCutsBlockNumbersTo16Bits() throws TftpPacketException {
        ByteBuffer buf = ByteBuffer.allocate(4);
        TftpData.putHeader(buf, 65536 + 3);
        TftpData data = (TftpData) TftpPacket.decode(buf.flip());
        assertThat(data.block()).isEqualTo(3);
        assertThat(data.data()).isEmpty();
    }

    @Test
    void dataCarriesItsPayload() throws TftpPacketException {
        TftpData data = (TftpData) TftpPacket.decode(ByteBuffer.wrap(new byte[] {0, 3, 0, 1, 'h', 'i'}));
        assertThat(data.block()).isEqualTo(1);
        assertThat(data.data()).containsExactly('h', 'i');
        assertThat(reason(new byte[] {0, 3, 0})).isEqualTo(TftpPacketException.Reason.TRUNCATED);
    }

    @Test
    void errorRoundTripsAndNamesItsCode() throws TftpPacketException {
        TftpError error = new TftpError(TftpErrorCode.OPTION_REFUSED, "no");
        assertThat(wire(error)).isEqualTo(bytes("\0\5\0\10no\0"));
        TftpError back = (TftpError) TftpPacket.decode(error.encode());
        assertThat(back).isEqualTo(error);
        assertThat(back.errorCode()).contains(TftpErrorCode.OPTION_REFUSED);
        assertThat(new TftpError(99, "x").errorCode()).isEmpty();
    }

    @Test
    void errorWithoutNulKeepsItsMessage() throws TftpPacketException {
        TftpError error = (TftpError) TftpPacket.decode(ByteBuffer.wrap(bytes("\0\5\0\1gone")));
        assertThat(error).isEqualTo(new TftpError(1, "gone"));
    }

    @Test
    void longErrorMessagesAreCut() {
        assertThat(new TftpError(0, "x".repeat(1000)).message()).hasSize(TftpError.MAX_MESSAGE_CHARS);
    }

    @Test
    void optionAckRoundTripsAndFindsValuesInAnyCase() throws TftpPacketException {
        TftpOptionAck oack = new TftpOptionAck(List.of(new TftpOption("BlkSize", "1468"),
                new TftpOption("tsize", "3145728")));
        assertThat(wire(oack)).isEqualTo(bytes("\0\6BlkSize\0" + "1468\0tsize\0" + "3145728\0"));
        TftpOptionAck back = (TftpOptionAck) TftpPacket.decode(oack.encode());
        assertThat(back).isEqualTo(oack);
        assertThat(back.value("blksize")).contains("1468");
        assertThat(back.value("windowsize")).isEmpty();
    }

    @Test
    void randomDatagramsDecodeOrFailWithAReason() {
        Random random = new Random(1350);
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] packet = new byte[random.nextInt(600)];
            random.nextBytes(packet);
            if (packet.length >= 2 && random.nextBoolean()) {
                packet[0] = 0;
                packet[1] = (byte) (1 + random.nextInt(6));  // a known opcode, so the body gets parsed
            }
            try {
                TftpPacket.decode(ByteBuffer.wrap(packet));
                decoded++;
            } catch (TftpPacketException e) {
                // Only this exception escapes (anything else fails the test), with a one-line message for the log.
                assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
                refused++;
            }
        }
        assertThat(decoded).as("some random datagrams are valid packets").isPositive();
        assertThat(refused).as("most are not").isPositive();
    }

    @Test
    void blockNumbersOutside16BitsAreRejectedWhenBuilt() {
        assertThatThrownBy(() -> new TftpAck(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TftpAck(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static TftpPacketException.Reason reason(byte[] packet) {
        TftpPacketException e = catchThrowableOfType(TftpPacketException.class,
                () -> TftpPacket.decode(ByteBuffer.wrap(packet)));
        assertThat(e).as("decoding %s", Arrays.toString(packet)).isNotNull();
        return e.reason();
    }

    private static byte[] wire(TftpPacket packet) {
        ByteBuffer buf = packet.encode();
        return Arrays.copyOfRange(buf.array(), 0, buf.limit());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
