package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import org.diskfarm.block.MemoryDevice;
import org.junit.jupiter.api.Test;

class ModePagesTest {
    private final ThinDevice device = new ThinDevice(1 << 20);
    private final ScsiLogicalUnit unit = new ScsiLogicalUnit(IDENTITY);
    private final ScsiDisk disk = unit.attach(device, NEXUS_A);

    private static byte[] modeSense6(int dbd, int control, int page, int allocation) {
        return cdb(0x1a, dbd, control << 6 | page, 0, allocation, 0);
    }

    @Test
    void allPagesWithBlockDescriptor() {
        byte[] d = bytes(good(disk.execute(modeSense6(0, 0, 0x3f, 255), null)));
        assertThat(d).hasSize(4 + 8 + 20 + 12);
        assertThat(d[0] & 0xff).as("mode data length").isEqualTo(d.length - 1);
        assertThat(d[2] & 0xff).as("DPOFUA, not write protected").isEqualTo(0x10);
        assertThat(d[3]).as("block descriptor length").isEqualTo((byte) 8);
        assertThat(ByteBuffer.wrap(d, 4, 8).getInt()).isEqualTo(2048);
        assertThat(ByteBuffer.wrap(d, 8, 4).getInt()).isEqualTo(512);
        assertThat(d[12]).isEqualTo((byte) 0x08);
        assertThat(d[14] & 0x04).as("WCE").isEqualTo(0x04);
        assertThat(d[32]).isEqualTo((byte) 0x0a);
        assertThat(d[33]).isEqualTo((byte) 10);
        assertThat(d[34] & 0x04).as("D_SENSE").isZero();
    }

    @Test
    void controlPageAloneMatchesAllPages() {
        byte[] all = bytes(good(disk.execute(modeSense6(0x08, 0, 0x3f, 255), null)));
        byte[] control = bytes(good(disk.execute(modeSense6(0x08, 0, 0x0a, 255), null)));
        assertThat(control).hasSize(4 + 12);
        assertThat(java.util.Arrays.copyOfRange(control, 4, 16)).containsExactly(
                java.util.Arrays.copyOfRange(all, 4 + 20, 4 + 32));
        good(disk.execute(cdb(0x1a, 0, 0x3f, 0xff, 255, 0), null)); // all pages and subpages
        check(disk.execute(cdb(0x1a, 0, 0x0a, 0x01, 255, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
        check(disk.execute(modeSense6(0, 0, 0x1c, 255), null), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void pageControl() {
        byte[] changeable = bytes(good(disk.execute(modeSense6(0x08, 1, 0x3f, 255), null)));
        assertThat(changeable[4 + 2]).as("WCE changeable").isEqualTo((byte) 0x04);
        for (int i = 4 + 22; i < changeable.length; i++) {
            assertThat(changeable[i]).as("control page byte %d changeable", i).isZero();
        }
        byte[] defaults = bytes(good(disk.execute(modeSense6(0x08, 2, 0x08, 255), null)));
        assertThat(defaults[6]).isEqualTo((byte) 0x04);
        check(disk.execute(modeSense6(0, 3, 0x3f, 255), null), Sense.ILLEGAL_REQUEST, 0x3900);
    }

    @Test
    void allocationLengthCuts() {
        assertThat(good(disk.execute(modeSense6(0, 0, 0x3f, 4), null)).dataInLength()).isEqualTo(4);
        assertThat(good(disk.execute(modeSense6(0, 0, 0x3f, 0), null)).dataInLength()).isZero();
    }

    @Test
    void modeSense10WithLongDescriptor() {
        byte[] d = bytes(good(disk.execute(cdb(0x5a, 0x10, 0x08, 0, 0, 0, 0, 1, 0, 0), null)));
        assertThat(ByteBuffer.wrap(d).getShort(0)).isEqualTo((short) (d.length - 2));
        assertThat(d[4] & 0x01).as("LONGLBA").isEqualTo(1);
        assertThat(ByteBuffer.wrap(d).getShort(6)).isEqualTo((short) 16);
        assertThat(ByteBuffer.wrap(d).getLong(8)).isEqualTo(2048);
        assertThat(d).hasSize(8 + 16 + 20);
    }

    @Test
    void readOnlyDeviceSetsWp() {
        ScsiDisk ro = new ScsiLogicalUnit(IDENTITY).attach(MemoryDevice.wrap(new byte[4096], false), NEXUS_A);
        byte[] d = bytes(good(ro.execute(modeSense6(0, 0, 0x3f, 255), null)));
        assertThat(d[2] & 0x80).isEqualTo(0x80);
    }

    @Test
    void modeSelectClearsWriteCacheAndTellsTheOtherNexus() {
        ScsiDisk other = unit.attach(device, NEXUS_B);
        byte[] page = bytes(good(disk.execute(modeSense6(0x08, 0, 0x08, 255), null)));
        page[0] = 0; // mode data length is reserved in MODE SELECT
        page[6] = 0; // WCE off
        good(disk.execute(cdb(0x15, 0x10, 0, 0, page.length, 0), ByteBuffer.wrap(page)));
        good(disk.execute(write10(0, 1), filled(512, 1)));
        assertThat(device.fuaWrites).isEqualTo(1);
        check(other.execute(tur(), null), Sense.UNIT_ATTENTION, 0x2a01);
        good(other.execute(tur(), null));
        good(disk.execute(tur(), null));
        byte[] current = bytes(good(disk.execute(modeSense6(0x08, 0, 0x08, 255), null)));
        assertThat(current[6] & 0x04).isZero();
    }

    @Test
    void modeSelectRejectsChangesToFixedFields() {
        byte[] page = bytes(good(disk.execute(modeSense6(0x08, 0, 0x0a, 255), null)));
        page[0] = 0;
        page[4 + 2] |= 0x04; // D_SENSE
        byte[] sense = check(disk.execute(cdb(0x15, 0x10, 0, 0, page.length, 0), ByteBuffer.wrap(page)),
                Sense.ILLEGAL_REQUEST, 0x2600);
        assertThat(sense[15] & 0xc0).as("SKSV, in the parameter list").isEqualTo(0x80);
        assertThat(sense[17]).isEqualTo((byte) 6);
        check(disk.execute(cdb(0x15, 0x11, 0, 0, page.length, 0), ByteBuffer.wrap(page)), Sense.ILLEGAL_REQUEST,
                0x2400);
        good(disk.execute(cdb(0x15, 0x10, 0, 0, 0, 0), null));
        check(disk.execute(cdb(0x15, 0x10, 0, 0, 2, 0), ByteBuffer.allocate(2)), Sense.ILLEGAL_REQUEST, 0x1a00);
    }
}
