package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.diskfarm.nbd.NbdHandshake.State;
import org.diskfarm.nbd.NbdHandshake.Step;
import org.junit.jupiter.api.Test;

class NbdHandshakeTest {
    private static final int FIXED = NbdFlags.Client.FIXED_NEWSTYLE;
    private static final int NO_ZEROES = NbdFlags.Client.NO_ZEROES;

    private final NbdHandshake handshake = new NbdHandshake(TestExports.standard());

    private void start(int clientFlags) {
        Step step = handshake.consume(ByteBuffer.allocate(4).putInt(clientFlags).flip());
        assertThat(step.replies()).isEmpty();
        assertThat(step.state()).isEqualTo(State.OPTIONS);
    }

    private Step send(NbdOptionRequest option) {
        ByteBuffer bytes = option.encode();
        Step step = handshake.consume(bytes);
        assertThat(bytes.hasRemaining()).isFalse();
        return step;
    }

    private static List<NbdOptionReply> replies(Step step) {
        return Feed.decodeAll(step.encode(), Integer.MAX_VALUE, NbdOptionReply::decode);
    }

    private static NbdOptionRequest go(NbdOption option, String name, NbdInfoType... infos) {
        List<Integer> codes = java.util.Arrays.stream(infos).map(NbdInfoType::code).toList();
        return new NbdOptionRequest(option, new NbdGoRequest(name, codes).encode());
    }

    private static NbdOptionRequest meta(NbdOption option, String name, String... queries) {
        return new NbdOptionRequest(option, new NbdMetaContextRequest(name, List.of(queries)).encode());
    }

    private static NbdInfo info(NbdOptionReply reply) {
        assertThat(reply.knownType()).contains(NbdOptionReplyType.INFO);
        return NbdInfo.decode(reply.data());
    }

    private static void assertError(List<NbdOptionReply> replies, NbdOptionReplyType type, String text) {
        assertThat(replies).hasSize(1);
        assertThat(replies.getFirst().knownType()).contains(type);
        assertThat(replies.getFirst().message()).contains(text);
    }

    @Test
    void greetingOffersFixedNewstyleAndNoZeroes() {
        assertThat(handshake.greeting().handshakeFlags())
                .isEqualTo(NbdFlags.Handshake.FIXED_NEWSTYLE | NbdFlags.Handshake.NO_ZEROES);
        assertThat(handshake.state()).isEqualTo(State.CLIENT_FLAGS);
    }

    @Test
    void qemuNegotiatesStructuredRepliesBaseAllocationAndGo() {
        start(FIXED | NO_ZEROES);
        assertThat(replies(send(NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY))))
                .containsExactly(NbdOptionReply.ack(NbdOption.STRUCTURED_REPLY.code()));

        List<NbdOptionReply> set = replies(send(meta(NbdOption.SET_META_CONTEXT, "disk", "base:allocation")));
        assertThat(set).containsExactly(
                NbdOptionReply.metaContext(NbdOption.SET_META_CONTEXT.code(), NbdNegotiated.BASE_ALLOCATION_ID,
                        "base:allocation"),
                NbdOptionReply.ack(NbdOption.SET_META_CONTEXT.code()));

        Step step = send(go(NbdOption.GO, "disk", NbdInfoType.BLOCK_SIZE));
        List<NbdOptionReply> replies = replies(step);
        int flags = TestExports.DISK.transmissionFlags(true);
        assertThat(info(replies.get(0))).isEqualTo(new NbdInfo.Export(64L << 20, flags));
        assertThat(info(replies.get(1))).isEqualTo(new NbdInfo.BlockSize(512, 4096, 32 << 20));
        assertThat(replies.get(2)).isEqualTo(NbdOptionReply.ack(NbdOption.GO.code()));
        assertThat(replies).hasSize(3);

        assertThat(step.state()).isEqualTo(State.TRANSMISSION);
        assertThat(handshake.state()).isEqualTo(State.TRANSMISSION);
        NbdNegotiated negotiated = step.negotiated();
        assertThat(negotiated.export()).isEqualTo(TestExports.DISK);
        assertThat(negotiated.structuredReplies()).isTrue();
        assertThat(negotiated.baseAllocation()).isTrue();
        assertThat(negotiated.transmissionFlags()).isEqualTo(flags);
    }

    @Test
    void writableExportAdvertisesWhatTheDeviceCan() {
        int flags = TestExports.DISK.transmissionFlags(true);
        assertThat(flags).isEqualTo(NbdFlags.Transmission.HAS_FLAGS | NbdFlags.Transmission.SEND_FLUSH
                | NbdFlags.Transmission.SEND_FUA | NbdFlags.Transmission.SEND_WRITE_ZEROES
                | NbdFlags.Transmission.SEND_TRIM | NbdFlags.Transmission.SEND_FAST_ZERO
                | NbdFlags.Transmission.SEND_DF);
    }

    @Test
    void readOnlyExportAdvertisesReadOnlyAndMultiConnWhereAllowed() {
        int flags = TestExports.GOLD.transmissionFlags(false);
        assertThat(flags).isEqualTo(NbdFlags.Transmission.HAS_FLAGS | NbdFlags.Transmission.SEND_FLUSH
                | NbdFlags.Transmission.SEND_FUA | NbdFlags.Transmission.READ_ONLY
                | NbdFlags.Transmission.CAN_MULTI_CONN);
    }

    @Test
    void blockSizeIsSentEvenWhenNotRequested() {
        start(FIXED | NO_ZEROES);
        List<NbdOptionReply> replies = replies(send(go(NbdOption.GO, "gold")));
        assertThat(replies).hasSize(3);
        assertThat(info(replies.get(0))).isInstanceOf(NbdInfo.Export.class);
        assertThat(info(replies.get(1))).isEqualTo(new NbdInfo.BlockSize(4096, 4096, 32 << 20));
    }

    @Test
    void nbdinfoListsExportsThenAsksForInfoOnEach() {
        start(FIXED | NO_ZEROES);
        List<NbdOptionReply> list = replies(send(NbdOptionRequest.of(NbdOption.LIST)));
        int code = NbdOption.LIST.code();
        assertThat(list).containsExactly(NbdOptionReply.server(code, "disk"), NbdOptionReply.server(code, "gold"),
                NbdOptionReply.ack(code));

        List<NbdOptionReply> disk = replies(send(go(NbdOption.INFO, "disk", NbdInfoType.NAME,
                NbdInfoType.DESCRIPTION, NbdInfoType.BLOCK_SIZE)));
        assertThat(disk).extracting(r -> r.knownType().orElseThrow()).containsExactly(NbdOptionReplyType.INFO,
                NbdOptionReplyType.INFO, NbdOptionReplyType.INFO, NbdOptionReplyType.INFO, NbdOptionReplyType.ACK);
        assertThat(info(disk.get(1))).isEqualTo(new NbdInfo.Name("disk"));
        assertThat(info(disk.get(2))).isEqualTo(new NbdInfo.Description("the demo vDisk"));

        Step gold = send(go(NbdOption.INFO, "gold", NbdInfoType.NAME, NbdInfoType.DESCRIPTION));
        assertThat(gold.state()).isEqualTo(State.OPTIONS);
        assertThat(replies(gold)).as("an empty description is left out").hasSize(4);

        Step abort = send(NbdOptionRequest.of(NbdOption.ABORT));
        assertThat(replies(abort)).containsExactly(NbdOptionReply.ack(NbdOption.ABORT.code()));
        assertThat(abort.state()).isEqualTo(State.CLOSED);
        assertThat(abort.closeReason()).isEqualTo("client aborted");
    }

    @Test
    void busyboxExportNameGets124ZeroBytesWithoutNoZeroes() {
        start(FIXED);
        Step step = send(new NbdOptionRequest(NbdOption.EXPORT_NAME, ByteBuffer.wrap("disk".getBytes())));
        ByteBuffer bytes = step.encode();
        assertThat(bytes.remaining()).isEqualTo(134);
        NbdExportNameReply reply = NbdExportNameReply.decode(bytes, false);
        assertThat(reply.exportSize()).isEqualTo(64L << 20);
        assertThat(reply.transmissionFlags()).isEqualTo(TestExports.DISK.transmissionFlags(false));
        assertThat(reply.transmissionFlags() & NbdFlags.Transmission.SEND_DF).isZero();
        assertThat(step.state()).isEqualTo(State.TRANSMISSION);
        assertThat(step.negotiated().structuredReplies()).isFalse();
        assertThat(step.negotiated().baseAllocation()).isFalse();
    }

    @Test
    void exportNameWithNoZeroesSendsTenBytes() {
        start(FIXED | NO_ZEROES);
        Step step = send(new NbdOptionRequest(NbdOption.EXPORT_NAME, ByteBuffer.allocate(0)));
        assertThat(step.encode().remaining()).isEqualTo(10);
        assertThat(step.negotiated().export()).as("the empty name is the default export").isEqualTo(TestExports.DISK);
    }

    @Test
    void exportNameForAnUnknownExportClosesWithoutReply() {
        start(FIXED);
        Step step = send(new NbdOptionRequest(NbdOption.EXPORT_NAME, ByteBuffer.wrap("nope".getBytes())));
        assertThat(step.replies()).isEmpty();
        assertThat(step.state()).isEqualTo(State.CLOSED);
        assertThat(step.closeReason()).contains("'nope'");
    }

    @Test
    void unknownOptionGetsErrUnsupAndTheHandshakeGoesOn() {
        start(FIXED | NO_ZEROES);
        Step step = send(new NbdOptionRequest(4242, ByteBuffer.wrap(new byte[] {1, 2})));
        assertError(replies(step), NbdOptionReplyType.ERR_UNSUP, "unknown option 4242");
        assertThat(step.state()).isEqualTo(State.OPTIONS);
        assertThat(send(go(NbdOption.GO, "disk")).state()).isEqualTo(State.TRANSMISSION);
    }

    @Test
    void unknownExportGetsErrUnknownWithItsName() {
        start(FIXED | NO_ZEROES);
        Step step = send(go(NbdOption.GO, "missing"));
        assertError(replies(step), NbdOptionReplyType.ERR_UNKNOWN, "no export named 'missing'");
        assertThat(step.state()).isEqualTo(State.OPTIONS);
    }

    @Test
    void exportHeldByAnotherClientGetsErrPolicyWithTheLockHolder() {
        start(FIXED | NO_ZEROES);
        assertError(replies(send(go(NbdOption.GO, TestExports.BUSY))), NbdOptionReplyType.ERR_POLICY,
                "held by server a");
    }

    @Test
    void noDefaultExportMakesTheEmptyNameUnknown() {
        NbdHandshake strict = new NbdHandshake(new TestExports(null, TestExports.DISK));
        strict.consume(ByteBuffer.allocate(4).putInt(FIXED).flip());
        Step step = strict.consume(go(NbdOption.GO, "").encode());
        assertError(replies(step), NbdOptionReplyType.ERR_UNKNOWN, "no default export");
    }

    @Test
    void setMetaContextBeforeStructuredRepliesIsInvalid() {
        start(FIXED | NO_ZEROES);
        assertError(replies(send(meta(NbdOption.SET_META_CONTEXT, "disk", "base:allocation"))),
                NbdOptionReplyType.ERR_INVALID, "before NBD_OPT_STRUCTURED_REPLY");
        send(NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY));
        assertThat(send(go(NbdOption.GO, "disk")).negotiated().baseAllocation()).isFalse();
    }

    @Test
    void metaContextSetForAnotherExportIsNotActive() {
        start(FIXED | NO_ZEROES);
        send(NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY));
        send(meta(NbdOption.SET_META_CONTEXT, "gold", "base:allocation"));
        NbdNegotiated negotiated = send(go(NbdOption.GO, "disk")).negotiated();
        assertThat(negotiated.structuredReplies()).isTrue();
        assertThat(negotiated.baseAllocation()).isFalse();
    }

    @Test
    void setMetaContextForTheDefaultExportCountsForGoWithItsName() {
        start(FIXED | NO_ZEROES);
        send(NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY));
        send(meta(NbdOption.SET_META_CONTEXT, "", "base:allocation"));
        assertThat(send(go(NbdOption.GO, "disk")).negotiated().baseAllocation()).isTrue();
    }

    @Test
    void laterSetMetaContextWithoutBaseAllocationClearsIt() {
        start(FIXED | NO_ZEROES);
        send(NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY));
        send(meta(NbdOption.SET_META_CONTEXT, "disk", "base:allocation"));
        List<NbdOptionReply> second = replies(send(meta(NbdOption.SET_META_CONTEXT, "disk", "qemu:dirty-bitmap:x")));
        assertThat(second).containsExactly(NbdOptionReply.ack(NbdOption.SET_META_CONTEXT.code()));
        assertThat(send(go(NbdOption.GO, "disk")).negotiated().baseAllocation()).isFalse();
    }

    @Test
    void listMetaContextWithoutQueriesListsBaseAllocationWithIdZero() {
        start(FIXED | NO_ZEROES);
        send(NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY));
        int code = NbdOption.LIST_META_CONTEXT.code();
        assertThat(replies(send(meta(NbdOption.LIST_META_CONTEXT, "disk"))))
                .containsExactly(NbdOptionReply.metaContext(code, 0, "base:allocation"), NbdOptionReply.ack(code));
        assertThat(replies(send(meta(NbdOption.LIST_META_CONTEXT, "disk", "base:"))))
                .containsExactly(NbdOptionReply.metaContext(code, 0, "base:allocation"), NbdOptionReply.ack(code));
        assertThat(replies(send(meta(NbdOption.LIST_META_CONTEXT, "disk", "qemu:"))))
                .containsExactly(NbdOptionReply.ack(code));
    }

    @Test
    void startTlsIsUnsupported() {
        start(FIXED | NO_ZEROES);
        assertError(replies(send(NbdOptionRequest.of(NbdOption.STARTTLS))), NbdOptionReplyType.ERR_UNSUP, "TLS");
    }

    @Test
    void malformedGoDataGetsErrInvalid() {
        start(FIXED | NO_ZEROES);
        Step step = send(new NbdOptionRequest(NbdOption.GO, ByteBuffer.wrap(new byte[] {0, 0, 0, 9, 'a'})));
        assertError(replies(step), NbdOptionReplyType.ERR_INVALID, "NBD_OPT_GO");
        assertThat(step.state()).isEqualTo(State.OPTIONS);
    }

    @Test
    void listWithDataIsInvalid() {
        start(FIXED | NO_ZEROES);
        assertError(replies(send(new NbdOptionRequest(NbdOption.LIST, ByteBuffer.wrap(new byte[] {1})))),
                NbdOptionReplyType.ERR_INVALID, "no data");
    }

    @Test
    void unknownClientFlagsAreFatal() {
        assertThatThrownBy(() -> handshake.consume(ByteBuffer.allocate(4).putInt(FIXED | 0x100).flip()))
                .isInstanceOfSatisfying(NbdProtocolException.class, e -> assertThat(e.mustClose()).isTrue())
                .hasMessageContaining("0x100");
    }

    @Test
    void severalOptionsInOneBufferAreHandledOneStepAtATime() {
        ByteBuffer in = Feed.concat(ByteBuffer.allocate(4).putInt(FIXED | NO_ZEROES).flip(),
                NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY).encode(), NbdOptionRequest.of(NbdOption.LIST).encode(),
                go(NbdOption.GO, "gold").encode());
        List<State> states = new java.util.ArrayList<>();
        Step step;
        while ((step = handshake.consume(in)) != null) {
            states.add(step.state());
            if (step.state() == State.TRANSMISSION) {
                break;
            }
        }
        assertThat(states).containsExactly(State.OPTIONS, State.OPTIONS, State.OPTIONS, State.TRANSMISSION);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void theHandshakeRefusesMessagesAfterItEnded() {
        start(FIXED | NO_ZEROES);
        send(go(NbdOption.GO, "disk"));
        assertThatThrownBy(() -> handshake.consume(NbdOptionRequest.of(NbdOption.LIST).encode()))
                .isInstanceOf(IllegalStateException.class);
    }
}
