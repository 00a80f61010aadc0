package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;

class BlockIoTest {
    private static final int BLOCKS = 2048;
    private final ThinDevice device = new ThinDevice(BLOCKS * 512);
    private final ScsiDisk disk = new ScsiLogicalUnit(IDENTITY).attach(device, NEXUS_A);

    @Test
    void writeThenReadEveryCdbSize() {
        good(disk.execute(cdb(0x0a, 0, 0, 1, 2, 0), filled(1024, 0x11)));          // WRITE(6) LBA 1, 2 blocks
        good(disk.execute(write10(3, 1), filled(512, 0x22)));
        good(disk.execute(cdb12(0xaa, 0, 4, 1), filled(512, 0x33)));
        good(disk.execute(write16(5, 1), filled(512, 0x44)));
        assertThat(bytes(good(disk.execute(cdb(0x08, 0, 0, 1, 2, 0), null)))).hasSize(1024).containsOnly(0x11);
        assertThat(bytes(good(disk.execute(read10(3, 1), null)))).hasSize(512).containsOnly(0x22);
        assertThat(bytes(good(disk.execute(cdb12(0xa8, 0, 4, 1), null)))).containsOnly(0x33);
        assertThat(bytes(good(disk.execute(read16(5, 1), null)))).containsOnly(0x44);
        assertThat(device.fuaWrites).isZero();
    }

    @Test
    void read6OfZeroBlocksReadsTwoHundredFiftySix() {
        assertThat(good(disk.execute(cdb(0x08, 0, 0, 0, 0, 0), null)).dataInLength()).isEqualTo(256 * 512);
    }

    @Test
    void readAllocatesExactlyTheTransfer() {
        ScsiResponse r = good(disk.execute(read10(0, 8), null));
        assertThat(r.dataIn().capacity()).isEqualTo(8 * 512);
        assertThat(r.dataIn().position()).isZero();
    }

    @Test
    void fuaReachesTheDevice() {
        good(disk.execute(cdb10(0x2a, 0x08, 0, 1), filled(512, 1)));
        good(disk.execute(cdb16(0x8a, 0x18, 0, 1), filled(512, 1)));
        assertThat(device.fuaWrites).isEqualTo(2);
        good(disk.execute(cdb10(0x28, 0x18, 0, 1), null)); // DPO and FUA on a read are accepted
    }

    @Test
    void zeroLengthTransfersAreGoodWithoutIo() {
        assertThat(good(disk.execute(read10(0, 0), null)).dataIn()).isNull();
        good(disk.execute(write10(BLOCKS, 0), null));
        good(disk.execute(write16(0, 0), null));
        assertThat(device.writes).isZero();
        check(disk.execute(write10(BLOCKS + 1, 0), null), Sense.ILLEGAL_REQUEST, 0x2100);
    }

    @Test
    void outOfRangeBeforeAnyIo() {
        check(disk.execute(read10(BLOCKS - 1, 2), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(read10(BLOCKS, 1), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(read16(0x8000000000000000L, 1), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(read16(-1, 1), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(write16(-1, 256), filled(256 * 512, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(cdb12(0xa8, 0, 0xffffffffL, 1), null), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(cdb(0x08, 0x1f, 0xff, 0xff, 1, 0), null), Sense.ILLEGAL_REQUEST, 0x2100);
        assertThat(device.writes).isZero();
    }

    @Test
    void transferAboveTheMaximumIsAnInvalidField() {
        BlockDevice big = MemoryDevice.of(80 << 20);
        ScsiDisk bigDisk = new ScsiLogicalUnit(IDENTITY).attach(big, NEXUS_A);
        byte[] sense = check(bigDisk.execute(read16(0, 65537), null), Sense.ILLEGAL_REQUEST, 0x2400);
        assertThat(sense[15] & 0xff).as("SKSV, C/D").isEqualTo(0xc0);
        assertThat(sense[17]).as("field pointer: TRANSFER LENGTH").isEqualTo((byte) 10);
        assertThat(bigDisk.dataOutLength(write16(0, 65537))).isZero();
        assertThat(good(bigDisk.execute(read16(0, 65536), null)).dataInLength()).isEqualTo(32 << 20);
    }

    @Test
    void protectionFieldsAreInvalid() {
        for (int protect = 1; protect < 8; protect++) {
            check(disk.execute(cdb10(0x28, protect << 5, 0, 1), null), Sense.ILLEGAL_REQUEST, 0x2400);
            check(disk.execute(cdb16(0x8a, protect << 5, 0, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2400);
            check(disk.execute(cdb16(0x8f, protect << 5 | 0x02, 0, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST,
                    0x2400);
        }
    }

    @Test
    void shortDataOutIsACheckConditionNotAnException() {
        check(disk.execute(write10(0, 2), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x0e03);
        check(disk.execute(write10(0, 1), null), Sense.ILLEGAL_REQUEST, 0x0e03);
        byte[] cw = cdb16(0x89, 0, 0, 0);
        cw[13] = 1;
        check(disk.execute(cw, filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x0e03);
        check(disk.execute(cdb(0x15, 0x10, 0, 0, 12, 0), null), Sense.ILLEGAL_REQUEST, 0x0e03);
    }

    @Test
    void readOnlyDeviceIsWriteProtected() {
        ScsiDisk ro = new ScsiLogicalUnit(IDENTITY).attach(MemoryDevice.wrap(new byte[BLOCKS * 512], false),
                NEXUS_A);
        check(ro.execute(write10(0, 1), filled(512, 0)), Sense.DATA_PROTECT, 0x2700);
        check(ro.execute(cdb16(0x8e, 0x02, 0, 1), filled(512, 0)), Sense.DATA_PROTECT, 0x2700);
        check(ro.execute(writeSame16(0, 0, 1), filled(512, 0)), Sense.DATA_PROTECT, 0x2700);
        byte[] cw = cdb16(0x89, 0, 0, 0);
        cw[13] = 1;
        check(ro.execute(cw, filled(1024, 0)), Sense.DATA_PROTECT, 0x2700);
        good(ro.execute(read10(0, 1), null));
        good(ro.execute(cdb10(0x35, 0, 0, 0), null));
        good(ro.execute(cdb10(0x2f, 0, 0, 1), null));
    }

    @Test
    void storageFailuresBecomeSense() {
        BlockDevice failing = new ForwardingBlockDevice(MemoryDevice.of(BLOCKS * 512)) {
            @Override
            public void write(long offset, ByteBuffer src, IoFlags flags) {
                throw new StorageException(offset == 0 ? StorageException.Kind.NO_SPACE
                        : StorageException.Kind.IO_ERROR, "test");
            }

            @Override
            public void read(long offset, ByteBuffer dst) {
                throw new StorageException(StorageException.Kind.IO_ERROR, "test");
            }
        };
        ScsiDisk d = new ScsiLogicalUnit(IDENTITY).attach(failing, NEXUS_A);
        check(d.execute(write10(0, 1), filled(512, 1)), Sense.DATA_PROTECT, 0x2707);
        check(d.execute(write10(1, 1), filled(512, 1)), Sense.MEDIUM_ERROR, 0x0c00);
        check(d.execute(read10(1, 1), null), Sense.MEDIUM_ERROR, 0x1100);
    }

    @Test
    void verifyComparesAndReportsTheOffsetOfTheFirstDifference() {
        good(disk.execute(write10(10, 2), filled(1024, 0x5a)));
        good(disk.execute(cdb10(0x2f, 0x02, 10, 2), filled(1024, 0x5a)));
        ByteBuffer wrong = filled(1024, 0x5a);
        wrong.put(700, (byte) 0);
        byte[] sense = check(disk.execute(cdb10(0x2f, 0x02, 10, 2), wrong), Sense.MISCOMPARE, 0x1d00);
        assertThat(sense[0] & 0x80).as("VALID").isEqualTo(0x80);
        assertThat(ByteBuffer.wrap(sense, 3, 4).getInt()).isEqualTo(700);
        good(disk.execute(cdb16(0x8f, 0, 10, 2), wrong)); // BYTCHK 0: no compare
        good(disk.execute(cdb12(0xaf, 0x06, 10, 2), filled(512, 0x5a))); // BYTCHK 11b: one block against each
        check(disk.execute(cdb10(0x2f, 0x02, BLOCKS - 1, 2), filled(1024, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
        check(disk.execute(cdb10(0x2f, 0x04, 10, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2400);
        assertThat(disk.dataOutLength(cdb10(0x2f, 0x02, 10, 2))).isEqualTo(1024);
        assertThat(disk.dataOutLength(cdb10(0x2f, 0x06, 10, 2))).isEqualTo(512);
        assertThat(disk.dataOutLength(cdb10(0x2f, 0, 10, 2))).isZero();
    }

    @Test
    void writeAndVerifyWritesThrough() {
        good(disk.execute(cdb16(0x8e, 0x02, 7, 1), filled(512, 0x77)));
        good(disk.execute(cdb10(0x2e, 0x12, 8, 1), filled(512, 0x78)));
        assertThat(device.fuaWrites).isEqualTo(2);
        assertThat(bytes(disk.execute(read10(7, 2), null))).startsWith(filled(512, 0x77).array());
        good(disk.execute(cdb10(0x2e, 0, 0, 0), null));
    }

    @Test
    void compareAndWrite() {
        good(disk.execute(write10(20, 2), filled(1024, 'A')));
        ByteBuffer both = ByteBuffer.allocate(2048);
        both.put(filled(1024, 'A')).put(filled(1024, 'B')).flip();
        byte[] cw = cdb16(0x89, 0, 20, 0);
        cw[13] = 2;
        assertThat(disk.dataOutLength(cw)).isEqualTo(2048);
        good(disk.execute(cw, both));
        assertThat(bytes(disk.execute(read10(20, 2), null))).containsOnly('B');
        both.clear();
        both.put(5, (byte) 'Z');
        byte[] sense = check(disk.execute(cw, both), Sense.MISCOMPARE, 0x1d00);
        assertThat(ByteBuffer.wrap(sense, 3, 4).getInt()).isEqualTo(0);
        assertThat(bytes(disk.execute(read10(20, 2), null))).containsOnly('B');
        check(disk.execute(cw, filled(1024, 'B')), Sense.ILLEGAL_REQUEST, 0x0e03);
    }

    @Test
    void compareAndWriteIsAtomicAcrossSessions() throws Exception {
        ScsiLogicalUnit unit = new ScsiLogicalUnit(IDENTITY);
        MemoryDevice shared = MemoryDevice.of(BLOCKS * 512);
        ScsiDisk[] sessions = {unit.attach(shared, NEXUS_A), unit.attach(shared, NEXUS_B)};
        byte[] cw = cdb16(0x89, 0, 0, 0);
        cw[13] = 1;
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            ScsiDisk session = sessions[t];
            threads[t] = new Thread(() -> {
                for (int done = 0; done < 500;) {
                    ByteBuffer seen = good(session.execute(read10(0, 1), null)).dataIn();
                    int value = seen.getInt(0);
                    ByteBuffer both = ByteBuffer.allocate(1024);
                    both.put(seen.duplicate()).putInt(512, value + 1);
                    ScsiResponse r = session.execute(cw, both.clear());
                    if (r.status() == ScsiStatus.GOOD) {
                        done++;
                    } else {
                        check(r, Sense.MISCOMPARE, 0x1d00);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(good(sessions[0].execute(read10(0, 1), null)).dataIn().getInt(0)).isEqualTo(1000);
    }

    @Test
    void orWrite() {
        good(disk.execute(write10(30, 1), filled(512, 0xa5)));
        good(disk.execute(cdb16(0x8b, 0, 30, 1), filled(512, 0x5a)));
        assertThat(bytes(disk.execute(read10(30, 1), null))).containsOnly(0xff);
        check(disk.execute(cdb16(0x8b, 0, BLOCKS, 1), filled(512, 0)), Sense.ILLEGAL_REQUEST, 0x2100);
    }

    @Test
    void preFetchAndSynchronizeCache() {
        good(disk.execute(cdb10(0x34, 0x02, 0, 256), null));
        good(disk.execute(cdb16(0x90, 0, BLOCKS - 1, 1), null));
        check(disk.execute(cdb16(0x90, 0, BLOCKS, 1), null), Sense.ILLEGAL_REQUEST, 0x2100);
        good(disk.execute(cdb10(0x35, 0, 0, 0), null));
        good(disk.execute(cdb16(0x91, 0, 0, 0), null));
        assertThat(device.flushes).isEqualTo(2);
        check(disk.execute(cdb16(0x91, 0, -1, 1), null), Sense.ILLEGAL_REQUEST, 0x2100);
    }

    @Test
    void dataOutLengthFollowsTheCdb() {
        assertThat(disk.dataOutLength(write10(0, 3))).isEqualTo(1536);
        assertThat(disk.dataOutLength(cdb(0x0a, 0, 0, 0, 0, 0))).isEqualTo(256 * 512);
        assertThat(disk.dataOutLength(read10(0, 3))).isZero();
        assertThat(disk.dataOutLength(writeSame16(0x01, 0, 8))).isZero(); // NDOB
        assertThat(disk.dataOutLength(writeSame16(0, 0, 8))).isEqualTo(512);
        assertThat(disk.dataOutLength(unmap(24))).isEqualTo(24);
        assertThat(disk.dataOutLength(prOut(0, 0))).isEqualTo(24);
        assertThat(disk.dataOutLength(new byte[0])).isZero();
        assertThat(disk.dataOutLength(cdb(0x2a, 0))).isZero();
    }
}
