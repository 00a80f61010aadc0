package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import org.diskfarm.block.MemoryDevice;
import org.junit.jupiter.api.Test;

class ProvisioningTest {
    private static final int BLOCKS = 4096;
    private final ThinDevice device = new ThinDevice(BLOCKS * 512);
    private final ScsiDisk disk = new ScsiLogicalUnit(IDENTITY).attach(device, NEXUS_A);
    private final ScsiDisk full = new ScsiLogicalUnit(IDENTITY).attach(MemoryDevice.of(BLOCKS * 512), NEXUS_A);

    @Test
    void readCapacity() {
        ByteBuffer rc10 = ByteBuffer.wrap(bytes(good(disk.execute(cdb10(0x25, 0, 0, 0), null))));
        assertThat(rc10.getInt(0)).isEqualTo(BLOCKS - 1);
        assertThat(rc10.getInt(4)).isEqualTo(512);
        check(disk.execute(cdb10(0x25, 0, 5, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
        byte[] rc16 = bytes(good(disk.execute(cdb16(0x9e, 0x10, 0, 32), null)));
        assertThat(rc16).hasSize(32);
        assertThat(ByteBuffer.wrap(rc16).getLong(0)).isEqualTo(BLOCKS - 1);
        assertThat(ByteBuffer.wrap(rc16).getInt(8)).isEqualTo(512);
        assertThat(rc16[12]).as("no protection").isZero();
        assertThat(rc16[14] & 0xc0).as("LBPME LBPRZ").isEqualTo(0xc0);
        byte[] fullRc16 = bytes(good(full.execute(cdb16(0x9e, 0x10, 0, 32), null)));
        assertThat(fullRc16[14] & 0xc0).isZero();
        for (int allocation = 0; allocation < 40; allocation++) {
            assertThat(good(disk.execute(cdb16(0x9e, 0x10, 0, allocation), null)).dataInLength())
                    .isEqualTo(Math.min(32, allocation));
        }
        check(disk.execute(cdb16(0x9e, 0x11, 0, 32), null), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void writeSameWritesThePatternEverywhere() {
        ByteBuffer block = filled(512, 0);
        block.put(0, (byte) 7).put(511, (byte) 9);
        good(disk.execute(writeSame16(0, 100, 3000), block));
        byte[] data = bytes(good(disk.execute(read16(100, 3000), null)));
        for (int b = 0; b < 3000; b++) {
            assertThat(data[b * 512]).isEqualTo((byte) 7);
            assertThat(data[b * 512 + 511]).isEqualTo((byte) 9);
        }
        assertThat(bytes(good(disk.execute(read16(99, 1), null)))).containsOnly(0);
        good(disk.execute(cdb10(0x41, 0, 3100, 2), filled(512, 0x44)));
        assertThat(bytes(good(disk.execute(read16(3100, 2), null)))).containsOnly(0x44);
    }

    @Test
    void writeSameOfZerosWithoutUnmapKeepsBlocksAllocated() {
        good(disk.execute(writeSame16(0, 0, 16), filled(512, 0)));
        assertThat(device.lastZeroNoHole).isTrue();
        assertThat(status(0)).isEqualTo(0);
    }

    @Test
    void writeSameWithUnmapDeallocates() {
        good(disk.execute(write16(0, 64), filled(64 * 512, 0xff)));
        assertThat(status(0)).isEqualTo(0);
        good(disk.execute(writeSame16(0x08, 8, 16), filled(512, 0)));
        assertThat(bytes(good(disk.execute(read16(8, 16), null)))).containsOnly(0);
        ByteBuffer s = ByteBuffer.wrap(bytes(good(disk.execute(getLbaStatus(0, 1024), null))));
        assertThat(s.getInt(0)).as("parameter data length").isEqualTo(4 + 4 * 16);
        assertDescriptor(s, 0, 0, 8, 0);
        assertDescriptor(s, 1, 8, 16, 1);
        assertDescriptor(s, 2, 24, 40, 0);
        assertDescriptor(s, 3, 64, BLOCKS - 64, 1); // never written
        assertThat(status(8)).isEqualTo(1);
        assertThat(status(24)).isEqualTo(0);
    }

    @Test
    void writeSameOfZeroBlocksRunsToTheEnd() {
        good(disk.execute(writeSame16(0, BLOCKS - 10, 0), filled(512, 0x31)));
        assertThat(bytes(good(disk.execute(read16(BLOCKS - 10, 10), null)))).containsOnly(0x31);
        good(disk.execute(writeSame16(0, BLOCKS, 0), filled(512, 0x31)));
        check(disk.execute(writeSame16(0, BLOCKS + 1, 0), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
    }

    @Test
    void writeSameChecks() {
        check(disk.execute(writeSame16(0, BLOCKS - 1, 2), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(writeSame16(0, 0x8000000000000000L, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(cdb10(0x41, 0, 0xffffffffL, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(writeSame16(0x10, 0, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2400); // ANCHOR
        check(disk.execute(writeSame16(0x18, 0, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2400);
        check(disk.execute(writeSame16(0x20, 0, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2400); // WRPROTECT
        check(full.execute(writeSame16(0x08, 0, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2400); // no LBPWS
        check(disk.execute(writeSame16(0, 0, 1), filled(100, 0)), Sense.ILLEGAL_REQUEST, 0x0e03);
        good(disk.execute(writeSame16(0x09, 0, 4), null)); // NDOB with UNMAP
        assertThat(status(0)).isEqualTo(1);
    }

    @Test
    void unmapReleasesAndReadsZeros() {
        good(disk.execute(write16(0, 300), filled(300 * 512, 'a')));
        ByteBuffer list = unmapList(0, 10, 200, 50);
        good(disk.execute(unmap(list.remaining()), list));
        assertThat(bytes(good(disk.execute(read16(0, 10), null)))).containsOnly(0);
        assertThat(bytes(good(disk.execute(read16(10, 1), null)))).containsOnly('a');
        assertThat(status(0)).isEqualTo(1);
        assertThat(status(10)).isEqualTo(0);
        assertThat(status(200)).isEqualTo(1);
        assertThat(status(250)).isEqualTo(0);
    }

    @Test
    void unmapChecksEveryDescriptorFirst() {
        good(disk.execute(write16(0, 10), filled(10 * 512, 'a')));
        ByteBuffer list = unmapList(0, 10, BLOCKS - 1, 2);
        check(disk.execute(unmap(list.remaining()), list), Sense.ILLEGAL_REQUEST, 0x2100);
        assertThat(bytes(good(disk.execute(read16(0, 10), null)))).containsOnly('a');
        good(disk.execute(unmap(0), null));
        ByteBuffer zero = unmapList(BLOCKS, 0);
        good(disk.execute(unmap(zero.remaining()), zero));
        ByteBuffer empty = unmapList();
        good(disk.execute(unmap(empty.remaining()), empty));
        check(disk.execute(unmap(6), ByteBuffer.allocate(6)), Sense.ILLEGAL_REQUEST, 0x1a00);
        check(disk.execute(cdb(0x42, 1, 0, 0, 0, 0, 0, 0, 24, 0), unmapList(0, 1)), Sense.ILLEGAL_REQUEST, 0x2400);
        check(full.execute(unmap(24), unmapList(0, 1)), Sense.ILLEGAL_REQUEST, 0x2000);
    }

    @Test
    void getLbaStatusRange() {
        good(disk.execute(getLbaStatus(BLOCKS - 1, 24), null));
        check(disk.execute(getLbaStatus(BLOCKS, 24), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(getLbaStatus(BLOCKS + 1, 24), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(getLbaStatus(-1, 24), null), Sense.ILLEGAL_REQUEST, 0x2100);
        assertThat(good(disk.execute(getLbaStatus(0, 8), null)).dataInLength()).isEqualTo(8);
        ByteBuffer s = ByteBuffer.wrap(bytes(good(full.execute(getLbaStatus(5, 100), null))));
        assertDescriptor(s, 0, 5, BLOCKS - 5, 0);
    }

    private int status(long lba) {
        ByteBuffer s = ByteBuffer.wrap(bytes(good(disk.execute(getLbaStatus(lba, 24), null))));
        assertThat(s.getLong(8)).as("first descriptor starts at the LBA asked for").isEqualTo(lba);
        return s.get(8 + 12) & 0x0f;
    }

    private static void assertDescriptor(ByteBuffer s, int index, long lba, long blocks, int state) {
        int at = 8 + 16 * index;
        assertThat(s.getLong(at)).as("descriptor %d LBA", index).isEqualTo(lba);
        assertThat(s.getInt(at + 8) & 0xffffffffL).as("descriptor %d blocks", index).isEqualTo(blocks);
        assertThat(s.get(at + 12) & 0x0f).as("descriptor %d state", index).isEqualTo(state);
    }
}
