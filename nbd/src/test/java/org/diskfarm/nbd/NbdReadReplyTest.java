package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.Extent;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shapes of READ replies (nbd doc/proto.md, NBD_CMD_READ): file parts where the device's data lies in a file,
 * OFFSET_HOLE chunks for holes without DF, one OFFSET_DATA chunk with DF, and DONE never on a chunk sent from a file.
 * A sparse file with data at 0, 1 MiB and 3 MiB + 64 KiB (256 KiB each) is the device.
 */
class NbdReadReplyTest {
    private static final long SIZE = 4L << 20;
    private static final int DATA = 256 << 10;
    private static final NbdNegotiated STRUCTURED = new NbdNegotiated(TestExports.DISK,
            TestExports.DISK.transmissionFlags(true), true, true, true);
    private static final NbdNegotiated SIMPLE = new NbdNegotiated(TestExports.DISK,
            TestExports.DISK.transmissionFlags(false), false, false, true);

    @TempDir
    Path dir;
    private byte[] content;
    private RawFileDevice device;

    @BeforeEach
    void open() throws IOException {
        Path file = TestFiles.writeSparseFile(dir.resolve("sparse.img"), SIZE, 3, DATA, 0, 1L << 20,
                (3L << 20) + (64 << 10));
        content = Files.readAllBytes(file);
        device = RawFileDevice.open(file, false);
    }

    @AfterEach
    void close() {
        device.close();
    }

    @Test
    void simpleReplyIsTheHeaderThenTheDataStraightFromTheFile() {
        NbdReply reply = read(SIMPLE, 0, 1000, 2 << 20, 0);
        assertThat(reply.parts()).hasSize(2);
        assertThat(reply.parts().get(1)).isInstanceOf(FileSpan.class);
        ByteBuffer bytes = reply.toBuffer();
        assertThat(NbdSimpleReply.decode(bytes)).isEqualTo(NbdSimpleReply.ok(1));
        assertThat(remaining(bytes)).isEqualTo(Arrays.copyOfRange(content, 1000, 1000 + (2 << 20)));
    }

    @Test
    void readsShorterThanTheZeroCopyMinimumAreCopied() {
        NbdReply reply = read(SIMPLE, 0, 0, 4096, 64 << 10);
        assertThat(reply.hasFileParts()).isFalse();
        assertThat(reply.size()).isEqualTo(NbdSimpleReply.SIZE + 4096);
    }

    @Test
    void structuredReplySendsHolesAsHoleChunksAndEndsWithNoneAfterFileData() {
        long offset = 128 << 10;
        int length = (1 << 20) + (64 << 10);
        NbdReply reply = read(STRUCTURED, 0, offset, length, 0);
        List<NbdStructuredReply> chunks = chunks(reply.toBuffer());
        assertThat(chunks).extracting(c -> c.chunk().getClass().getSimpleName())
                .containsExactly("OffsetData", "OffsetHole", "OffsetData", "None");
        assertThat(chunks).extracting(NbdStructuredReply::done).containsExactly(false, false, false, true);
        assertThat(assemble(chunks, offset, length)).isEqualTo(Arrays.copyOfRange(content, (int) offset,
                (int) offset + length));
        NbdChunk.OffsetHole hole = (NbdChunk.OffsetHole) chunks.get(1).chunk();
        assertThat(hole.offset()).isEqualTo(DATA);
        assertThat(hole.holeSize()).isEqualTo((1 << 20) - DATA);
    }

    @Test
    void readEndingInAHoleMarksTheHoleChunkDone() {
        NbdReply reply = read(STRUCTURED, 0, 0, 1 << 20, 0);
        List<NbdStructuredReply> chunks = chunks(reply.toBuffer());
        assertThat(chunks).extracting(c -> c.chunk().getClass().getSimpleName())
                .containsExactly("OffsetData", "OffsetHole");
        assertThat(chunks.getLast().done()).isTrue();
    }

    @Test
    void aShortReadOverAHoleIsOneDataChunkOfZeros() {
        long offset = 512 << 10; // inside the hole between the first two data regions
        NbdReply reply = read(STRUCTURED, 0, offset, 8192, 64 << 10);
        List<NbdStructuredReply> chunks = chunks(reply.toBuffer());
        assertThat(chunks).extracting(c -> c.chunk().getClass().getSimpleName()).containsExactly("OffsetData");
        assertThat(chunks.getFirst().done()).isTrue();
        assertThat(assemble(chunks, offset, 8192)).isEqualTo(new byte[8192]);
    }

    @Test
    void copiedDataChunkCarriesDoneItself() {
        NbdReply reply = read(STRUCTURED, 0, 4096, 8192, 64 << 10);
        List<NbdStructuredReply> chunks = chunks(reply.toBuffer());
        assertThat(chunks).hasSize(1);
        assertThat(chunks.getFirst().done()).isTrue();
        assertThat(((NbdChunk.OffsetData) chunks.getFirst().chunk()).data().remaining()).isEqualTo(8192);
    }

    @Test
    void dontFragmentGivesOneDataChunkWithTheZerosPresent() {
        long offset = 128 << 10;
        int length = 2 << 20;
        NbdReply reply = read(STRUCTURED, NbdFlags.Command.DF, offset, length, 0);
        List<NbdStructuredReply> chunks = chunks(reply.toBuffer());
        assertThat(chunks).extracting(c -> c.chunk().getClass().getSimpleName())
                .containsExactly("OffsetData", "None");
        assertThat(chunks.getLast().done()).isTrue();
        assertThat(assemble(chunks, offset, length)).isEqualTo(Arrays.copyOfRange(content, (int) offset,
                (int) offset + length));
    }

    @Test
    void deviceWithoutAFileIsCopiedAndHolesStillBecomeHoleChunks() {
        BlockDevice memory = MemoryDevice.wrap(Arrays.copyOf(content, content.length), true);
        NbdReply reply = NbdReadReply.build(memory, new NbdRequest(NbdCommand.READ, 0, 1, 0, 1 << 20), STRUCTURED,
                0);
        assertThat(reply.hasFileParts()).isFalse();
        List<NbdStructuredReply> chunks = chunks(reply.toBuffer());
        assertThat(chunks).hasSize(1); // a memory device reports all data, no holes
        assertThat(assemble(chunks, 0, 1 << 20)).isEqualTo(Arrays.copyOf(content, 1 << 20));
    }

    @Test
    void zeroRunsShorterThanAFileSystemBlockAreSentAsData() {
        List<long[]> runs = NbdReadReply.runs(new ExtentsDevice(), 0, 3 * 4096);
        assertThat(runs).extracting(Arrays::toString).containsExactly("[0, 8192, 0]", "[8192, 4096, 1]");
    }

    @Test
    void deviceWhoseExtentsDoNotAdvanceGetsAnErrorInsteadOfALoop() {
        BlockDevice stuck = new ForwardingBlockDevice(MemoryDevice.of(32 * 4096)) {
            @Override
            public List<Extent> extents(long offset, long length) {
                return List.of(Extent.data(0, 512));
            }
        };
        // 64 KiB: long enough that the reply looks for holes (short reads do not ask the extents).
        ByteBuffer reply = NbdTransmission.serve(stuck, new NbdRequest(NbdCommand.READ, 0, 1, 4096, 64 << 10), null,
                STRUCTURED, 0).toBuffer();
        NbdStructuredReply decoded = NbdStructuredReply.decode(reply);
        assertThat(decoded.done()).isTrue();
        assertThat(((NbdChunk.Error) decoded.chunk()).error()).isEqualTo(NbdError.EIO.code());
    }

    /** Data, a 512-byte hole, data, then a 4 KiB hole: as a VHD with a sector bitmap may describe itself. */
    private static final class ExtentsDevice extends ForwardingBlockDevice {
        ExtentsDevice() {
            super(MemoryDevice.of(3 * 4096));
        }

        @Override
        public List<Extent> extents(long offset, long length) {
            return List.of(Extent.data(0, 4096), Extent.hole(4096, 512), Extent.data(4608, 3584),
                    Extent.hole(8192, 4096));
        }
    }

    private NbdReply read(NbdNegotiated session, int flags, long offset, int length, int zeroCopyMin) {
        return NbdTransmission.serve(device, new NbdRequest(NbdCommand.READ, flags, 1, offset, length), null, session,
                zeroCopyMin);
    }

    private static List<NbdStructuredReply> chunks(ByteBuffer bytes) {
        List<NbdStructuredReply> chunks = new ArrayList<>();
        while (bytes.hasRemaining()) {
            NbdStructuredReply chunk = NbdStructuredReply.decode(bytes);
            assertThat(chunk).as("whole chunk").isNotNull();
            assertThat(chunk.cookie()).isEqualTo(1);
            chunks.add(chunk);
        }
        return chunks;
    }

    /** The bytes the chunks describe, checking that they tile the range exactly once. */
    private static byte[] assemble(List<NbdStructuredReply> chunks, long offset, int length) {
        byte[] out = new byte[length];
        boolean[] seen = new boolean[length];
        for (NbdStructuredReply reply : chunks) {
            long at;
            int n;
            switch (reply.chunk()) {
                case NbdChunk.OffsetData data -> {
                    at = data.offset();
                    ByteBuffer bytes = data.data();
                    n = bytes.remaining();
                    bytes.get(out, (int) (at - offset), n);
                }
                case NbdChunk.OffsetHole hole -> {
                    at = hole.offset();
                    n = hole.holeSize();
                }
                default -> {
                    continue;
                }
            }
            for (int i = 0; i < n; i++) {
                assertThat(seen[(int) (at - offset) + i]).as("byte %d sent twice", at + i).isFalse();
                seen[(int) (at - offset) + i] = true;
            }
        }
        for (int i = 0; i < length; i++) {
            assertThat(seen[i]).as("byte %d not sent", offset + i).isTrue();
        }
        return out;
    }

    private static byte[] remaining(ByteBuffer bytes) {
        byte[] rest = new byte[bytes.remaining()];
        bytes.get(rest);
        return rest;
    }
}
