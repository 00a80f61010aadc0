package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NbdCodecErrorTest {

    @Test
    void badMagicIsFatalForEveryFramedMessage() {
        List<Function<ByteBuffer, Object>> decoders = List.of(NbdServerGreeting::decode, NbdOptionRequest::decode,
                NbdOptionReply::decode, NbdRequest::decode, NbdSimpleReply::decode, NbdStructuredReply::decode);
        for (Function<ByteBuffer, Object> decoder : decoders) {
            ByteBuffer garbage = ByteBuffer.allocate(64);
            garbage.putLong(0x1122334455667788L).flip().limit(64);
            assertThatThrownBy(() -> decoder.apply(garbage))
                    .isInstanceOfSatisfying(NbdProtocolException.class, e -> {
                        assertThat(e.mustClose()).isTrue();
                        assertThat(e.getMessage()).contains("bad").contains("magic").doesNotContain("\n");
                    });
        }
    }

    @Test
    void oversizedOptionIsRejectedFromItsHeaderAlone() {
        ByteBuffer header = ByteBuffer.allocate(NbdOptionRequest.HEADER_SIZE)
                .putLong(NbdWire.IHAVEOPT).putInt(NbdOption.GO.code()).putInt(NbdOptionRequest.MAX_DATA_LENGTH + 1)
                .flip();
        assertThatThrownBy(() -> NbdOptionRequest.decode(header))
                .isInstanceOfSatisfying(NbdProtocolException.class, e -> assertThat(e.mustClose()).isTrue())
                .hasMessageContaining("NBD_OPT_GO").hasMessageContaining("more than 65536");
    }

    @Test
    void optionWithNegativeLengthIsRejected() {
        ByteBuffer header = ByteBuffer.allocate(NbdOptionRequest.HEADER_SIZE)
                .putLong(NbdWire.IHAVEOPT).putInt(99).putInt(-1).flip();
        assertThatThrownBy(() -> NbdOptionRequest.decode(header)).isInstanceOf(NbdProtocolException.class)
                .hasMessageContaining("4294967295");
    }

    @Test
    void writeLongerThan32MiBIsFatal() {
        NbdRequest write = new NbdRequest(NbdCommand.WRITE, 0, 1, 0, (32 << 20) + 1);
        assertThatThrownBy(() -> NbdRequest.decode(NbdCodecTest.encode(write)))
                .isInstanceOfSatisfying(NbdProtocolException.class, e -> assertThat(e.mustClose()).isTrue())
                .hasMessageContaining("longer than 33554432");
    }

    @Test
    void longReadIsLeftToTheServerToAnswer() {
        NbdRequest read = new NbdRequest(NbdCommand.READ, 0, 1, 0, 0xffff_ffffL);
        assertThat(NbdRequest.decode(NbdCodecTest.encode(read))).isEqualTo(read);
    }

    @Test
    void truncatedInputYieldsNothingAndConsumesNothing() {
        ByteBuffer option = NbdOptionRequest.of(NbdOption.LIST).encode();
        ByteBuffer request = NbdCodecTest.encode(new NbdRequest(NbdCommand.READ, 0, 1, 0, 512));
        ByteBuffer withData = new NbdOptionRequest(NbdOption.EXPORT_NAME.code(), ByteBuffer.wrap(new byte[] {65}))
                .encode();
        for (ByteBuffer whole : List.of(option, request, withData)) {
            for (int n = 0; n < whole.remaining(); n++) {
                ByteBuffer part = whole.duplicate().limit(n);
                assertThat(NbdOptionRequest.decode(part.duplicate().limit(Math.min(n, 15)))).isNull();
                assertThat(NbdRequest.decode(part.duplicate().limit(Math.min(n, 27)))).isNull();
            }
            assertThat(NbdOptionRequest.decode(withData.duplicate().limit(withData.remaining() - 1))).isNull();
        }
    }

    @Test
    void malformedInfoRequestIsNotFatal() {
        ByteBuffer data = ByteBuffer.allocate(6).putInt(100).putShort((short) 0).flip();
        assertThatThrownBy(() -> NbdGoRequest.decode(data))
                .isInstanceOfSatisfying(NbdProtocolException.class, e -> assertThat(e.mustClose()).isFalse());
    }

    @Test
    void malformedChunkPayloadIsFatalForTheClient() {
        ByteBuffer buf = ByteBuffer.allocate(NbdStructuredReply.HEADER_SIZE + 3);
        NbdStructuredReply.encodeHeaderTo(buf, 0, NbdReplyType.OFFSET_HOLE.code(), 1, 3);
        buf.put(new byte[3]).flip();
        assertThatThrownBy(() -> NbdStructuredReply.decode(buf))
                .isInstanceOfSatisfying(NbdProtocolException.class, e -> assertThat(e.mustClose()).isTrue());
    }

    @Test
    void unknownCodesTakeTheEmptyPath() {
        assertThat(NbdOption.fromCode(12345)).isEmpty();
        assertThat(NbdOption.describe(12345)).isEqualTo("unknown option 12345");
        assertThat(NbdOptionReplyType.fromCode(0x8000_00ff)).isEmpty();
        assertThat(NbdOptionReplyType.isError(0x8000_00ff)).isTrue();
        assertThat(NbdInfoType.fromCode(77)).isEmpty();
        assertThat(NbdCommand.fromCode(9)).isEmpty();
        assertThat(NbdCommand.fromCode(-1)).isEmpty();
        assertThat(NbdError.fromCode(4)).isEmpty();
        assertThat(NbdReplyType.fromCode(3)).isEmpty();
    }

    @Test
    void knownCodesMatchTheProtocol() {
        for (NbdOption o : NbdOption.values()) {
            assertThat(NbdOption.fromCode(o.code())).contains(o);
        }
        for (NbdCommand c : NbdCommand.values()) {
            assertThat(NbdCommand.fromCode(c.code())).contains(c);
        }
        assertThat(NbdOption.SET_META_CONTEXT.code()).isEqualTo(10);
        assertThat(NbdOptionReplyType.ERR_TOO_BIG.code()).isEqualTo((1 << 31) + 9);
        assertThat(NbdOptionReplyType.ERR_UNSUP.isError()).isTrue();
        assertThat(NbdOptionReplyType.INFO.isError()).isFalse();
        assertThat(NbdError.ESHUTDOWN.code()).isEqualTo(108);
        assertThat(NbdReplyType.ERROR_OFFSET.code()).isEqualTo(32770);
        assertThat(NbdReplyType.isError(NbdReplyType.ERROR.code())).isTrue();
        assertThat(NbdFlags.Transmission.SEND_FAST_ZERO).isEqualTo(1 << 11);
        assertThat(NbdFlags.Command.FAST_ZERO).isEqualTo(1 << 4);
    }
}
