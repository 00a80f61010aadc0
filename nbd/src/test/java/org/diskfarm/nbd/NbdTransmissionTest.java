package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.diskfarm.block.Extent;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;

class NbdTransmissionTest {
    private static final NbdNegotiated STRUCTURED = new NbdNegotiated(TestExports.DISK,
            TestExports.DISK.transmissionFlags(true), true, true, true);
    private static final NbdNegotiated SIMPLE = new NbdNegotiated(TestExports.DISK,
            TestExports.DISK.transmissionFlags(false), false, false, true);

    @Test
    void descriptorsAreClippedToTheRequestedRange() {
        List<Extent> extents = List.of(Extent.data(0, 8192), Extent.hole(8192, 8192));
        assertThat(NbdTransmission.descriptors(extents, 4096, 8192, false)).containsExactly(
                new NbdBlockDescriptor(4096, 0),
                new NbdBlockDescriptor(4096, NbdFlags.Allocation.HOLE | NbdFlags.Allocation.ZERO));
    }

    @Test
    void reqOneGivesOnlyTheFirstDescriptor() {
        List<Extent> extents = List.of(Extent.hole(0, 8192), Extent.data(8192, 8192));
        assertThat(NbdTransmission.descriptors(extents, 0, 16384, true)).containsExactly(
                new NbdBlockDescriptor(8192, NbdFlags.Allocation.HOLE | NbdFlags.Allocation.ZERO));
    }

    @Test
    void zeroDataIsDescribedAsZeroWithoutHole() {
        List<Extent> extents = List.of(new Extent(0, 4096, true, true));
        assertThat(NbdTransmission.descriptors(extents, 0, 4096, false))
                .containsExactly(new NbdBlockDescriptor(4096, NbdFlags.Allocation.ZERO));
    }

    @Test
    void extentLongerThanADescriptorIsSplit() {
        long length = 0xffff_ffffL;
        List<NbdBlockDescriptor> descriptors = NbdTransmission.descriptors(List.of(Extent.data(0, 8L << 30)), 0,
                length, false);
        assertThat(descriptors).hasSize(2);
        assertThat(descriptors.stream().mapToLong(NbdBlockDescriptor::length).sum()).isEqualTo(length);
        assertThat(descriptors.getFirst().length() % 4096).isZero();
    }

    @Test
    void structuredReadIsOneOffsetDataChunkWithDone() {
        byte[] data = new byte[8192];
        data[4096] = 7;
        var device = MemoryDevice.wrap(data, true);
        ByteBuffer reply = NbdTransmission.serve(device, new NbdRequest(NbdCommand.READ, 0, 5, 4096, 512), null,
                STRUCTURED, 0).toBuffer();
        NbdStructuredReply decoded = NbdStructuredReply.decode(reply);
        assertThat(decoded.done()).isTrue();
        assertThat(decoded.cookie()).isEqualTo(5);
        var chunk = (NbdChunk.OffsetData) decoded.chunk();
        assertThat(chunk.offset()).isEqualTo(4096);
        assertThat(chunk.data().remaining()).isEqualTo(512);
        assertThat(chunk.data().get(0)).isEqualTo((byte) 7);
        assertThat(reply.hasRemaining()).isFalse();
    }

    @Test
    void simpleReadIsHeaderThenData() {
        var device = MemoryDevice.wrap(new byte[4096], true);
        ByteBuffer reply = NbdTransmission.serve(device, new NbdRequest(NbdCommand.READ, 0, 9, 0, 1024), null,
                SIMPLE, 0).toBuffer();
        assertThat(reply.remaining()).isEqualTo(NbdSimpleReply.SIZE + 1024);
        assertThat(NbdSimpleReply.decode(reply)).isEqualTo(NbdSimpleReply.ok(9));
    }

    @Test
    void deviceFailureOnReadBecomesAnErrorChunk() {
        var device = MemoryDevice.wrap(new byte[4096], true);
        ByteBuffer reply = NbdTransmission.serve(new FailingDevice(device), new NbdRequest(NbdCommand.READ, 0, 3, 0,
                512), null, STRUCTURED, 0).toBuffer();
        NbdStructuredReply decoded = NbdStructuredReply.decode(reply);
        assertThat(decoded.done()).isTrue();
        assertThat(((NbdChunk.Error) decoded.chunk()).error()).isEqualTo(NbdError.EIO.code());
    }

    @Test
    void deviceFailureOnWriteBecomesASimpleError() {
        var device = new FailingDevice(MemoryDevice.of(4096), StorageException.Kind.NO_SPACE);
        ByteBuffer reply = NbdTransmission.serve(device, new NbdRequest(NbdCommand.WRITE, 0, 4, 0, 512),
                ByteBuffer.allocate(512), STRUCTURED, 0).toBuffer();
        assertThat(NbdSimpleReply.decode(reply)).isEqualTo(NbdSimpleReply.error(NbdError.ENOSPC, 4));
    }

    /** A memory device whose reads and writes fail with a chosen kind. */
    private static final class FailingDevice implements org.diskfarm.block.BlockDevice {
        private final MemoryDevice inner;
        private final StorageException.Kind kind;

        FailingDevice(MemoryDevice inner) {
            this(inner, StorageException.Kind.IO_ERROR);
        }

        FailingDevice(MemoryDevice inner, StorageException.Kind kind) {
            this.inner = inner;
            this.kind = kind;
        }

        public long size() {
            return inner.size();
        }

        public boolean canWrite() {
            return true;
        }

        public boolean isConcurrent() {
            return true;
        }

        public void read(long offset, ByteBuffer dst) {
            throw new StorageException(kind, "read fails");
        }

        public void write(long offset, ByteBuffer src, org.diskfarm.block.IoFlags flags) {
            throw new StorageException(kind, "write fails");
        }

        public void flush() {
        }

        public void trim(long offset, long length, org.diskfarm.block.IoFlags flags) {
        }

        public void zero(long offset, long length, org.diskfarm.block.IoFlags flags) {
        }

        public List<Extent> extents(long offset, long length) {
            return inner.extents(offset, length);
        }

        public void close() {
        }
    }
}
