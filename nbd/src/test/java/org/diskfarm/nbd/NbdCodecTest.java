package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.diskfarm.block.Extent;
import org.junit.jupiter.api.Test;

class NbdCodecTest {

    @Test
    void greetingRoundTripsAndHasTheFixedLayout() {
        ByteBuffer bytes = NbdServerGreeting.DEFAULT.encode();
        assertThat(bytes.remaining()).isEqualTo(NbdServerGreeting.SIZE);
        assertThat(new String(bytes.array(), 0, 16, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("NBDMAGICIHAVEOPT");
        assertThat(bytes.getShort(16)).isEqualTo((short) 3);
        Feed.roundTrip(NbdServerGreeting.DEFAULT, bytes, NbdServerGreeting::decode);
    }

    @Test
    void clientFlagsRoundTrip() {
        NbdClientFlags flags = new NbdClientFlags(NbdFlags.Client.FIXED_NEWSTYLE | NbdFlags.Client.NO_ZEROES);
        ByteBuffer buf = ByteBuffer.allocate(flags.size());
        flags.encodeTo(buf);
        Feed.roundTrip(flags, buf.flip(), NbdClientFlags::decode);
        assertThat(flags.noZeroes()).isTrue();
        assertThat(flags.fixedNewstyle()).isTrue();
    }

    @Test
    void optionRequestsRoundTripWithAndWithoutData() {
        NbdOptionRequest empty = NbdOptionRequest.of(NbdOption.STRUCTURED_REPLY);
        Feed.roundTrip(empty, empty.encode(), NbdOptionRequest::decode);
        NbdOptionRequest go = new NbdOptionRequest(NbdOption.GO,
                new NbdGoRequest("disk", List.of(NbdInfoType.BLOCK_SIZE.code())).encode());
        Feed.roundTrip(go, go.encode(), NbdOptionRequest::decode);
        NbdOptionRequest unknown = new NbdOptionRequest(4711, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Feed.roundTrip(unknown, unknown.encode(), NbdOptionRequest::decode);
        assertThat(unknown.known()).isEmpty();
    }

    @Test
    void anOptionAtTheLengthLimitIsAccepted() {
        NbdOptionRequest big = new NbdOptionRequest(NbdOption.INFO.code(),
                ByteBuffer.allocate(NbdOptionRequest.MAX_DATA_LENGTH));
        assertThat(NbdOptionRequest.decode(big.encode())).isEqualTo(big);
    }

    @Test
    void everyKindOfOptionReplyRoundTrips() {
        int go = NbdOption.GO.code();
        List<NbdOptionReply> replies = List.of(
                NbdOptionReply.ack(go),
                NbdOptionReply.error(go, NbdOptionReplyType.ERR_UNKNOWN, "no export named 'x'"),
                NbdOptionReply.server(NbdOption.LIST.code(), "disk-1"),
                NbdOptionReply.metaContext(NbdOption.SET_META_CONTEXT.code(), 1, "base:allocation"),
                NbdOptionReply.info(go, new NbdInfo.Export(1L << 40, 0x1234)),
                NbdOptionReply.info(go, new NbdInfo.Name("disk")),
                NbdOptionReply.info(go, new NbdInfo.Description("a disk")),
                NbdOptionReply.info(go, new NbdInfo.BlockSize(512, 4096, 32 << 20)));
        for (NbdOptionReply reply : replies) {
            Feed.roundTrip(reply, reply.encode(), NbdOptionReply::decode);
        }
        ByteBuffer all = Feed.concat(replies.stream().map(NbdOptionReply::encode).toArray(ByteBuffer[]::new));
        assertThat(Feed.decodeAll(all, 5, NbdOptionReply::decode)).containsExactlyElementsOf(replies);
    }

    @Test
    void infoPayloadsDecodeToWhatWasEncoded() {
        List<NbdInfo> infos = List.of(new NbdInfo.Export(12345, 7), new NbdInfo.Name("n"),
                new NbdInfo.Description(""), new NbdInfo.BlockSize(1, 4096, 1 << 25),
                new NbdInfo.Unknown(99, ByteBuffer.wrap(new byte[] {9})));
        for (NbdInfo info : infos) {
            ByteBuffer buf = ByteBuffer.allocate(info.size());
            info.encodeTo(buf);
            assertThat(NbdInfo.decode(buf.flip())).isEqualTo(info);
        }
    }

    @Test
    void exportNameReplyHas124ZeroBytesUnlessNoZeroes() {
        NbdExportNameReply withZeroes = new NbdExportNameReply(1 << 20, 0x0d, false);
        NbdExportNameReply without = new NbdExportNameReply(1 << 20, 0x0d, true);
        assertThat(withZeroes.size()).isEqualTo(134);
        assertThat(without.size()).isEqualTo(10);
        ByteBuffer bytes = withZeroes.encode();
        for (int i = 10; i < 134; i++) {
            assertThat(bytes.get(i)).isZero();
        }
        Feed.roundTrip(withZeroes, bytes, b -> NbdExportNameReply.decode(b, false));
        Feed.roundTrip(without, without.encode(), b -> NbdExportNameReply.decode(b, true));
    }

    @Test
    void requestsRoundTripWithUnsignedFields() {
        NbdRequest read = new NbdRequest(NbdCommand.READ, 0, -1L, 1L << 40, 0xffff_ffffL);
        NbdRequest write = new NbdRequest(NbdCommand.WRITE, NbdFlags.Command.FUA, 42, 4096, 32 << 20);
        NbdRequest unknown = new NbdRequest(0x1234, 0xffff, 7, 0, 0);
        for (NbdRequest request : List.of(read, write, unknown)) {
            Feed.roundTrip(request, encode(request), NbdRequest::decode);
        }
        assertThat(write.payloadLength()).isEqualTo(32 << 20);
        assertThat(read.payloadLength()).isZero();
        assertThat(unknown.command()).isEmpty();
        assertThat(write.has(NbdFlags.Command.FUA)).isTrue();
    }

    @Test
    void simpleRepliesRoundTrip() {
        NbdSimpleReply ok = NbdSimpleReply.ok(-5);
        NbdSimpleReply err = NbdSimpleReply.error(NbdError.ENOSPC, 9);
        for (NbdSimpleReply reply : List.of(ok, err)) {
            ByteBuffer buf = ByteBuffer.allocate(NbdSimpleReply.SIZE);
            reply.encodeTo(buf);
            Feed.roundTrip(reply, buf.flip(), NbdSimpleReply::decode);
        }
    }

    @Test
    void everyStructuredChunkRoundTrips() {
        List<NbdChunk> chunks = List.of(new NbdChunk.None(),
                new NbdChunk.OffsetData(4096, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})),
                new NbdChunk.OffsetHole(8192, 65536),
                new NbdChunk.BlockStatus(NbdNegotiated.BASE_ALLOCATION_ID, List.of(
                        NbdBlockDescriptor.allocation(Extent.data(0, 4096)),
                        NbdBlockDescriptor.allocation(Extent.hole(4096, 0xffff_ffffL)))),
                new NbdChunk.Error(NbdError.EIO.code(), "read failed"),
                new NbdChunk.ErrorOffset(NbdError.EIO.code(), "bad sector", 1024),
                new NbdChunk.Unknown(0x4444, ByteBuffer.wrap(new byte[] {7})));
        for (NbdChunk chunk : chunks) {
            NbdStructuredReply reply = new NbdStructuredReply(NbdFlags.Reply.DONE, 77, chunk);
            Feed.roundTrip(reply, reply.encode(), NbdStructuredReply::decode);
            assertThat(reply.done()).isTrue();
        }
    }

    @Test
    void allocationDescriptorsCarryHoleAndZeroFlags() {
        assertThat(NbdBlockDescriptor.allocation(Extent.data(0, 512)).flags()).isZero();
        assertThat(NbdBlockDescriptor.allocation(Extent.hole(0, 512)).flags())
                .isEqualTo(NbdFlags.Allocation.HOLE | NbdFlags.Allocation.ZERO);
        assertThat(NbdBlockDescriptor.allocation(new Extent(0, 512, true, true)).flags())
                .isEqualTo(NbdFlags.Allocation.ZERO);
    }

    @Test
    void structuredHeaderAloneMatchesTheFullEncoding() {
        NbdStructuredReply reply = new NbdStructuredReply(0, 3,
                new NbdChunk.OffsetData(0, ByteBuffer.wrap(new byte[] {1, 2})));
        ByteBuffer header = ByteBuffer.allocate(NbdStructuredReply.HEADER_SIZE);
        NbdStructuredReply.encodeHeaderTo(header, 0, NbdReplyType.OFFSET_DATA.code(), 3, 10);
        assertThat(header.flip()).isEqualTo(reply.encode().limit(NbdStructuredReply.HEADER_SIZE));
    }

    @Test
    void optionDataRecordsRoundTrip() {
        NbdGoRequest go = new NbdGoRequest("disk", List.of(0, 1, 2, 3, 999));
        assertThat(NbdGoRequest.decode(go.encode())).isEqualTo(go);
        NbdMetaContextRequest meta = new NbdMetaContextRequest("disk", List.of("base:allocation", "qemu:dirty"));
        assertThat(NbdMetaContextRequest.decode(meta.encode())).isEqualTo(meta);
    }

    @Test
    void transmissionMessagesOfDifferentKindsShareABuffer() {
        NbdRequest a = new NbdRequest(NbdCommand.FLUSH, 0, 1, 0, 0);
        NbdRequest b = new NbdRequest(NbdCommand.TRIM, 0, 2, 512, 1024);
        NbdRequest c = new NbdRequest(NbdCommand.DISC, 0, 3, 0, 0);
        ByteBuffer all = Feed.concat(encode(a), encode(b), encode(c));
        for (int batch : Feed.BATCHES) {
            assertThat(Feed.decodeAll(all, batch, NbdRequest::decode)).containsExactly(a, b, c);
        }
    }

    static ByteBuffer encode(NbdRequest request) {
        ByteBuffer buf = ByteBuffer.allocate(NbdRequest.SIZE);
        request.encodeTo(buf);
        return buf.flip();
    }
}
