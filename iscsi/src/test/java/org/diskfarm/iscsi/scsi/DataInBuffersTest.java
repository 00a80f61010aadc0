package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;

/** READs put their data in the buffers the transport lends, and every lent buffer comes back exactly once. */
class DataInBuffersTest {
    private static final int BLOCKS = 2048;

    /** Lends direct buffers and counts what is lent and given back. */
    private static final class Counting implements DataInBuffers {
        final AtomicInteger lent = new AtomicInteger();
        final AtomicInteger back = new AtomicInteger();

        @Override
        public Lease lease(int bytes) {
            lent.incrementAndGet();
            AtomicInteger once = new AtomicInteger();
            return new Lease(ByteBuffer.allocateDirect(bytes), () -> {
                assertThat(once.incrementAndGet()).as("given back once").isEqualTo(1);
                back.incrementAndGet();
            });
        }
    }

    private final Counting buffers = new Counting();

    private ScsiDisk disk(BlockDevice device) {
        ScsiDisk disk = new ScsiLogicalUnit(IDENTITY).attach(device, NEXUS_A);
        disk.useBuffers(buffers);
        return disk;
    }

    @Test
    void aReadOfDataIsInALentBufferThatTheTransportGivesBack() {
        ScsiDisk disk = disk(MemoryDevice.of(BLOCKS * 512));
        good(disk.execute(write10(10, 4), filled(4 * 512, 0x5a)));
        ScsiResponse r = good(disk.execute(read10(10, 4), null));
        assertThat(buffers.lent.get()).isEqualTo(1);
        assertThat(r.dataIn().isDirect()).isTrue();
        assertThat(bytes(r)).hasSize(4 * 512).containsOnly(0x5a);
        assertThat(buffers.back.get()).isZero();
        r.release();
        assertThat(buffers.back.get()).isEqualTo(1);
    }

    @Test
    void aHoleIsSentFromTheSharedZerosWithoutALease() {
        ScsiDisk disk = disk(new ThinDevice(BLOCKS * 512));
        ScsiResponse r = good(disk.execute(read16(256, 128), null));
        assertThat(bytes(r)).hasSize(128 * 512).containsOnly(0);
        assertThat(r.dataIn().isReadOnly()).isTrue();
        assertThat(buffers.lent.get()).isZero();
        r.release(); // nothing to give back: no effect
    }

    @Test
    void aReadThatFailsGivesItsBufferBackAtOnce() {
        BlockDevice failing = new ForwardingBlockDevice(MemoryDevice.of(BLOCKS * 512)) {
            @Override
            public void read(long offset, ByteBuffer dst) {
                throw new StorageException(StorageException.Kind.IO_ERROR, "test");
            }
        };
        ScsiDisk disk = disk(failing);
        ScsiResponse r = disk.execute(read10(0, 8), null);
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(buffers.lent.get()).isEqualTo(1);
        assertThat(buffers.back.get()).isEqualTo(1);
    }

    @Test
    void aReadOutOfRangeLendsNothing() {
        ScsiDisk disk = disk(MemoryDevice.of(BLOCKS * 512));
        assertThat(disk.execute(read10(BLOCKS, 1), null).status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(buffers.lent.get()).isZero();
    }
}
