package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Malformed CDBs and parameter lists end in a status, never in an exception. */
class RandomCdbTest {
    private static final int[] OPCODES = {0x00, 0x03, 0x08, 0x0a, 0x12, 0x15, 0x16, 0x17, 0x1a, 0x1b, 0x1e, 0x25,
        0x37, 0xb7, 0x28, 0x2a, 0x2e, 0x2f, 0x34, 0x35, 0x41, 0x42, 0x55, 0x56, 0x57, 0x5a, 0x5e, 0x5f, 0x88, 0x89,
        0x8a, 0x8b, 0x8e, 0x8f, 0x90, 0x91, 0x93, 0x9e, 0xa0, 0xa3, 0xa8, 0xaa, 0xae, 0xaf};

    @Test
    void randomCommandsNeverThrow() {
        Random random = new Random(42);
        ThinDevice device = new ThinDevice(1 << 20);
        ScsiLogicalUnit unit = new ScsiLogicalUnit(IDENTITY);
        ScsiDisk a = unit.attach(device, NEXUS_A);
        ScsiDisk b = unit.attach(device, NEXUS_B);
        for (int n = 0; n < 50_000; n++) {
            ScsiDisk disk = random.nextBoolean() ? a : b;
            byte[] cdb = new byte[random.nextInt(4) == 0 ? random.nextInt(20) : 16];
            random.nextBytes(cdb);
            if (cdb.length > 0 && random.nextInt(8) != 0) {
                cdb[0] = (byte) OPCODES[random.nextInt(OPCODES.length)];
                // small LBAs and lengths now and then, so that commands get past the range checks
                if (cdb.length >= 10 && random.nextBoolean()) {
                    for (int i = 2; i < Math.min(cdb.length, 14); i++) {
                        cdb[i] = (byte) (i == 5 || i == 9 || i == 13 ? random.nextInt(8) : 0);
                    }
                }
            }
            int wanted = disk.dataOutLength(cdb);
            assertThat(wanted).isNotNegative();
            int length = random.nextInt(3) == 0 ? random.nextInt(64) : Math.min(wanted, 1 << 20);
            ByteBuffer dataOut = null;
            if (length > 0 || random.nextBoolean()) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                dataOut = ByteBuffer.wrap(data);
            }
            ScsiResponse r = disk.execute(cdb, dataOut);
            assertThat(r.status()).isIn(ScsiStatus.GOOD, ScsiStatus.CHECK_CONDITION, ScsiStatus.RESERVATION_CONFLICT);
            if (r.status() == ScsiStatus.CHECK_CONDITION) {
                assertThat(r.sense()).hasSize(18);
            }
            if (n % 1000 == 0) {
                unit.reset(NEXUS_A);
            }
        }
    }
}
