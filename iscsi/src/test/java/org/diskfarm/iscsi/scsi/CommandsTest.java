package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandsTest {
    private final ThinDevice device = new ThinDevice(1 << 20);
    private final ScsiDisk disk = new ScsiLogicalUnit(IDENTITY).attach(device, NEXUS_A);

    private static byte[] rsoc(int options, int opcode, int serviceAction, int allocation) {
        return cdb(0xa3, 0x0c, options, opcode, serviceAction >>> 8, serviceAction, allocation >>> 24,
                allocation >>> 16, allocation >>> 8, allocation, 0, 0);
    }

    @Test
    void testUnitReadyAndUnknownOpcodes() {
        good(disk.execute(tur(), null));
        check(disk.execute(cdb(0x04, 0, 0, 0, 0, 0), null), Sense.ILLEGAL_REQUEST, 0x2000); // FORMAT UNIT
        check(disk.execute(cdb(0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0), null), Sense.ILLEGAL_REQUEST, 0x2000);
        check(disk.execute(new byte[0], null), Sense.ILLEGAL_REQUEST, 0x2000);
        check(disk.execute(cdb(0x28, 0, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
        byte[] sense = check(disk.execute(cdb16(0x9e, 0x13, 0, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
        assertThat(sense[17]).as("field pointer 1: service action not supported").isEqualTo((byte) 1);
    }

    @Test
    void reportLuns() {
        byte[] d = bytes(good(disk.execute(cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0), null)));
        assertThat(d).hasSize(16);
        assertThat(ByteBuffer.wrap(d).getInt(0)).isEqualTo(8);
        assertThat(ByteBuffer.wrap(d).getLong(8)).isZero();
        assertThat(good(disk.execute(cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0), null)).dataInLength()).isEqualTo(8);
        byte[] wellKnown = bytes(good(disk.execute(cdb(0xa0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0), null)));
        assertThat(ByteBuffer.wrap(wellKnown).getInt(0)).isZero();
        check(disk.execute(cdb(0xa0, 0, 3, 0, 0, 0, 0, 0, 2, 0, 0, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void requestSenseWithoutPendingCondition() {
        byte[] d = bytes(good(disk.execute(cdb(0x03, 0, 0, 0, 18, 0), null)));
        assertThat(d).hasSize(18);
        assertThat(d[0]).isEqualTo((byte) 0x70);
        assertThat(d[2]).isZero();
        check(disk.execute(cdb(0x03, 1, 0, 0, 18, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void readDefectDataIsEmpty() {
        byte[] ten = bytes(good(disk.execute(cdb(0x37, 0, 0x1d, 0, 0, 0, 0, 0, 32, 0), null)));
        assertThat(ten).containsExactly(0, 5, 0, 0);
        byte[] twelve = bytes(good(disk.execute(cdb(0xb7, 0x04, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), null)));
        assertThat(twelve).containsExactly(0, 4, 0, 0, 0, 0, 0, 0);
        assertThat(good(disk.execute(cdb(0x37, 0, 0, 0, 0, 0, 0, 0, 2, 0), null)).dataInLength()).isEqualTo(2);
    }

    @Test
    void startStopAndPreventAllow() {
        good(disk.execute(cdb(0x1b, 0, 0, 0, 0, 0), null));
        assertThat(device.flushes).isEqualTo(1);
        good(disk.execute(cdb(0x1b, 0, 0, 0, 0x04, 0), null)); // NO_FLUSH
        assertThat(device.flushes).isEqualTo(1);
        good(disk.execute(cdb(0x1b, 0, 0, 0, 1, 0), null));
        good(disk.execute(tur(), null));
        good(disk.execute(cdb(0x1e, 0, 0, 0, 1, 0), null));
        good(disk.execute(cdb(0x1e, 0, 0, 0, 0, 0), null));
    }

    @Test
    void reportAllSupportedOperationCodes() {
        ByteBuffer all = ByteBuffer.wrap(bytes(good(disk.execute(rsoc(0, 0, 0, 65535), null))));
        int length = all.getInt(0);
        assertThat(length % 8).isZero();
        List<int[]> commands = new ArrayList<>();
        for (int at = 4; at < 4 + length; at += 8) {
            int op = all.get(at) & 0xff;
            int sa = all.getShort(at + 2) & 0xffff;
            boolean serviceActions = (all.get(at + 5) & 0x01) != 0;
            assertThat(serviceActions || sa == 0).isTrue();
            commands.add(new int[] {op, sa, serviceActions ? 1 : 0, all.getShort(at + 6)});
        }
        assertThat(commands).extracting(c -> c[0]).contains(0x28, 0x2a, 0x88, 0x8a, 0x89, 0x93, 0x42, 0x5e, 0x5f);
        for (int[] c : commands) {
            byte[] one = bytes(good(disk.execute(rsoc(c[2] == 1 ? 2 : 1, c[0], c[1], 65535), null)));
            assertThat(one[1] & 0x07).as("supported").isEqualTo(3);
            assertThat(ByteBuffer.wrap(one).getShort(2)).isEqualTo((short) c[3]);
            assertThat(one[4] & 0xff).isEqualTo(c[0]);
            assertThat(one).hasSize(4 + c[3]);
            // the other reporting option is an invalid field, pointing at REPORTING OPTIONS
            byte[] sense = check(disk.execute(rsoc(c[2] == 1 ? 1 : 2, c[0], c[1], 65535), null),
                    Sense.ILLEGAL_REQUEST, 0x2400);
            assertThat(sense[17]).isEqualTo((byte) 2);
        }
        assertThat(good(disk.execute(rsoc(0, 0, 0, 1024), null)).dataInLength()).isLessThanOrEqualTo(1024);
    }

    @Test
    void reportOneCommandWithDpoFuaAndTimeouts() {
        byte[] read10 = bytes(good(disk.execute(rsoc(1, 0x28, 0, 65535), null)));
        assertThat(read10[4 + 1] & 0x18).isEqualTo(0x18);
        byte[] verify16 = bytes(good(disk.execute(rsoc(1, 0x8f, 0, 65535), null)));
        assertThat(verify16[4 + 1] & 0x10).isEqualTo(0x10);
        byte[] unsupported = bytes(good(disk.execute(rsoc(1, 0x04, 0, 65535), null)));
        assertThat(unsupported[1] & 0x07).isEqualTo(1);
        ByteBuffer timeouts = ByteBuffer.wrap(bytes(good(disk.execute(rsoc(0x80, 0, 0, 65535), null))));
        assertThat(timeouts.getInt(0) % 20).isZero();
        assertThat(timeouts.get(4 + 5) & 0x02).as("CTDP").isEqualTo(2);
        assertThat(timeouts.getShort(4 + 8)).isEqualTo((short) 0x0a);
        byte[] oneWithTimeouts = bytes(good(disk.execute(rsoc(0x81, 0x28, 0, 65535), null)));
        assertThat(oneWithTimeouts[1] & 0x80).isEqualTo(0x80);
        assertThat(oneWithTimeouts).hasSize(4 + 10 + 12);
    }
}
