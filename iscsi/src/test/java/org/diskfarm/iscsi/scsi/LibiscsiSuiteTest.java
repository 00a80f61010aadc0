package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sequences of libiscsi's iscsi-test-cu SCSI tests (test-tool/test_*.c), replayed on the SCSI layer alone with
 * the same CDBs and the same expectations, so that the suite's verdict is known before the transport exists. One
 * method per libiscsi test family; the names say which.
 */
class LibiscsiSuiteTest {
    private static final int BLOCKS = 32768; // 16 MiB
    private static final long HIGH = 0x8000000000000000L;

    private final ThinDevice device = new ThinDevice(BLOCKS * 512);
    private final ScsiLogicalUnit unit = new ScsiLogicalUnit(IDENTITY);
    private final ScsiDisk sd = unit.attach(device, NEXUS_A);
    private final Random random = new Random(1);

    /** A read/write-style CDB of 10, 12 or 16 bytes. */
    private static byte[] rw(int size, int op10, int flags, long lba, long blocks) {
        return switch (size) {
            case 10 -> cdb10(op10, flags, lba, (int) blocks);
            case 12 -> cdb12(op10 | 0x80, flags, lba, blocks);
            default -> cdb16(op10 == 0x34 ? 0x90 : (op10 + 0x60), flags, lba, blocks);
        };
    }

    private static void oob(ScsiResponse r) {
        check(r, Sense.ILLEGAL_REQUEST, 0x2100);
    }

    private static void invalid(ScsiResponse r) {
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(Sense.key(r.sense())).isEqualTo(Sense.ILLEGAL_REQUEST);
        assertThat(Sense.ascq(r.sense())).isIn(0x2400, 0x2600);
    }

    private ScsiResponse run(byte[] cdb, ByteBuffer data) {
        return sd.execute(cdb, data == null ? null : data.duplicate());
    }

    @Test
    void readWriteVerifyBeyondEolAndZeroBlocks() {
        int[][] families = {{0x28, 0}, {0x2a, 0}, {0x2f, 0x02}, {0x2e, 0x02}}; // READ, WRITE, VERIFY, WRITE AND VERIFY
        ByteBuffer data = filled(256 * 512, 0xa6);
        for (int size : new int[] {10, 12, 16}) {
            for (int[] family : families) {
                int op = family[0];
                for (int i = 1; i <= 256; i++) {
                    oob(run(rw(size, op, family[1], BLOCKS + 1 - i, i), data));
                    if (size == 16) {
                        oob(run(rw(size, op, family[1], HIGH, i), data));
                    }
                    oob(run(rw(size, op, family[1], size == 16 ? -1 : 0xffffffffL, i), data));
                    if (i > 1) {
                        oob(run(rw(size, op, family[1], BLOCKS - 1, i), data));
                    }
                }
                good(run(rw(size, op, family[1], 0, 0), null));
                oob(run(rw(size, op, family[1], BLOCKS + 1, 0), null));
                oob(run(rw(size, op, family[1], size == 16 ? -1 : 0xffffffffL, 0), null));
                for (int i = 1; i <= 256; i++) {
                    good(run(rw(size, op, family[1], 0, i), data));
                    good(run(rw(size, op, family[1], BLOCKS - i, i), data));
                }
            }
        }
    }

    @Test
    void read6() {
        for (int i = 1; i <= 255; i++) {
            good(run(cdb(0x08, 0, 0, 0, i, 0), null));
            good(run(cdb(0x08, (BLOCKS - i) >>> 16, (BLOCKS - i) >>> 8, BLOCKS - i, i, 0), null));
            oob(run(cdb(0x08, 0x1f, 0xff, 0xff, i, 0), null));
        }
        assertThat(good(run(cdb(0x08, 0, 0, 0, 0, 0), null)).dataInLength()).isEqualTo(256 * 512);
    }

    @Test
    void protectAndDpoFua() {
        byte[] modeSense = bytes(good(run(cdb(0x1a, 0, 0x3f, 0, 255, 0), null)));
        assertThat(modeSense[2] & 0x10).as("DPOFUA").isEqualTo(0x10);
        ByteBuffer block = filled(512, 0xa6);
        for (int size : new int[] {10, 12, 16}) {
            for (int protect = 1; protect < 8; protect++) {
                invalid(run(rw(size, 0x28, protect << 5, 0, 1), null));
                invalid(run(rw(size, 0x2a, protect << 5, 0, 1), block));
                invalid(run(rw(size, 0x2f, protect << 5 | 0x02, 0, 1), block));
                invalid(run(rw(size, 0x2e, protect << 5, 0, 1), block));
            }
            for (int flags : new int[] {0x10, 0x08, 0x18}) {
                good(run(rw(size, 0x28, flags, 0, 1), null));
                good(run(rw(size, 0x2a, flags, 0, 1), block));
            }
            good(run(rw(size, 0x2f, 0x10, 0, 1), null));
            good(run(rw(size, 0x2e, 0x12, 0, 1), block));
        }
        int[][] rsoc = {{0x28, 0x18}, {0x2a, 0x18}, {0x88, 0x18}, {0x8a, 0x18}, {0x89, 0x18}, {0x8b, 0x18},
            {0x2f, 0x10}, {0x8f, 0x10}, {0x2e, 0x10}, {0x8e, 0x10}};
        for (int[] c : rsoc) {
            byte[] one = bytes(good(run(cdb(0xa3, 0x0c, 1, c[0], 0, 0, 0, 0, 0xff, 0xff, 0, 0), null)));
            assertThat(one[5] & c[1]).as("CDB usage data of %02X", c[0]).isEqualTo(c[1]);
        }
        for (int protect = 1; protect < 8; protect++) {
            invalid(run(cdb16(0x8b, protect << 5, 0, 1), block));
            invalid(run(writeSame16(protect << 5, 0, 1), block));
            invalid(run(cdb10(0x41, protect << 5, 0, 1), block));
        }
    }

    @Test
    void verifyMismatch() {
        for (int i = 1; i <= 256; i++) {
            for (long lba : new long[] {0, BLOCKS - i}) {
                byte[] data = bytes(good(run(read16(lba, i), null)));
                int offset = random.nextInt(i * 512);
                data[offset] ^= 'X';
                for (int size : new int[] {10, 12, 16}) {
                    byte[] sense = check(run(rw(size, 0x2f, 0x02, lba, i), ByteBuffer.wrap(data)), Sense.MISCOMPARE,
                            0x1d00);
                    assertThat(ByteBuffer.wrap(sense, 3, 4).getInt()).isEqualTo(offset);
                    good(run(rw(size, 0x2f, 0, lba, i), ByteBuffer.wrap(data)));
                }
            }
        }
    }

    @Test
    void writeSame() {
        ByteBuffer zero = filled(512, 0);
        for (int ten = 0; ten < 2; ten++) {
            boolean sixteen = ten == 1;
            for (int i = 1; i <= 256; i++) {
                good(run(ws(sixteen, 0, 0, i), zero));
                good(run(ws(sixteen, 0, BLOCKS - i, i), zero));
                oob(run(ws(sixteen, 0, BLOCKS - i + 1, i), zero));
                oob(run(ws(sixteen, 0, sixteen ? HIGH : 0x80000000L, i), zero));
                oob(run(ws(sixteen, 0, sixteen ? -1 : 0xffffffffL, i), zero));
                if (i > 1) {
                    oob(run(ws(sixteen, 0, BLOCKS - 1, i), zero));
                }
            }
            // 0 blocks: WSNZ is 0 and the whole LUN is under MAXIMUM WRITE SAME LENGTH
            good(run(ws(sixteen, 0, 0, 0), zero));
            oob(run(ws(sixteen, 0, BLOCKS + 1, 0), zero));
            for (int i = 1; i <= 256; i++) {
                ByteBuffer pattern = filled(512, i);
                good(run(ws(sixteen, 0, 0, i), pattern));
                assertFilled(bytes(good(run(read16(0, i), null))), (byte) i);
                good(run(ws(sixteen, 0, BLOCKS - i, i), pattern));
                assertFilled(bytes(good(run(read16(BLOCKS - i, i), null))), (byte) i);
            }
            for (int i = 1; i <= 256; i++) {
                good(run(write16(0, i), filled(i * 512, 0xff)));
                good(run(ws(sixteen, 0x08, 0, i), zero));
                assertFilled(bytes(good(run(read16(0, i), null))), 0);
                good(run(write16(BLOCKS - i, i), filled(i * 512, 0xff)));
                good(run(ws(sixteen, 0x08, BLOCKS - i, i), zero));
                assertFilled(bytes(good(run(read16(BLOCKS - i, i), null))), 0);
                good(run(write16(BLOCKS - i, i), filled(i * 512, 0xff)));
                good(run(ws(sixteen, 0x08, BLOCKS - i, 0), zero)); // unmap until the end
                assertFilled(bytes(good(run(read16(BLOCKS - i, i), null))), 0);
            }
            invalid(run(ws(sixteen, 0x10, 0, 1), zero));  // ANCHOR without UNMAP
            invalid(run(ws(sixteen, 0x18, 0, 1), zero));  // ANC_SUP is 0
            good(run(write16(0, 65536 > BLOCKS ? BLOCKS : 65536), filled(BLOCKS * 512, 0xff)));
            good(run(ws(sixteen, 0x08, 0, BLOCKS), zero));
            assertFilled(bytes(good(run(read16(0, 256), null))), 0);
        }
    }

    private static byte[] ws(boolean sixteen, int flags, long lba, long blocks) {
        return sixteen ? writeSame16(flags, lba, blocks) : cdb10(0x41, flags, lba, (int) blocks);
    }

    @Test
    void unmapAndGetLbaStatus() {
        good(run(write10(0, 256), filled(256 * 512, 'a')));
        for (int i = 1; i <= 256; i++) {
            ByteBuffer list = unmapList(0, i);
            good(run(unmap(list.remaining()), list));
            assertFilled(bytes(good(run(read10(0, i), null))), 0);
        }
        long[] descriptors = new long[512];
        for (int i = 0; i < 256; i++) {
            descriptors[2 * i] = i;
            descriptors[2 * i + 1] = 1;
            ByteBuffer list = unmapList(java.util.Arrays.copyOf(descriptors, 2 * (i + 1)));
            good(run(unmap(list.remaining()), list));
        }
        for (int i = 0; i < 256; i++) {
            ByteBuffer list = unmapList(i, 0);
            good(run(unmap(list.remaining()), list));
        }
        ByteBuffer end = unmapList(BLOCKS, 0);
        good(run(unmap(end.remaining()), end));
        for (int i = 1; i <= 256; i++) {
            good(run(getLbaStatus(i, 24), null));
            good(run(getLbaStatus(BLOCKS - i, 24), null));
        }
        oob(run(getLbaStatus(BLOCKS + 1, 24), null));
        oob(run(getLbaStatus(HIGH, 24), null));
        oob(run(getLbaStatus(-1, 24), null));
        // GetLBAStatus.UnmapSingle
        good(run(write10(0, 257), filled(257 * 512, 'A')));
        for (int i = 0; i + 1 <= 256; i++) {
            ByteBuffer list = unmapList(i, 1);
            good(run(unmap(list.remaining()), list));
            good(run(getLbaStatus(i, 24), null));
            ByteBuffer next = ByteBuffer.wrap(bytes(good(run(getLbaStatus(i + 1, 24), null))));
            assertThat(next.getLong(8)).isEqualTo(i + 1);
            assertThat(next.get(20) & 0x0f).as("mapped").isZero();
        }
    }

    @Test
    void compareAndWrite() {
        for (int i = 1; i <= 255; i++) {
            for (long lba : new long[] {0, BLOCKS - i}) {
                good(run(write16(lba, i), filled(i * 512, 'A')));
                ByteBuffer both = ByteBuffer.allocate(2 * i * 512);
                both.put(filled(i * 512, 'A')).put(filled(i * 512, 'B')).flip();
                good(run(caw(lba, i, 0), both));
                assertFilled(bytes(good(run(read16(lba, i), null))), 'B');
                good(run(write16(lba, i), filled(i * 512, 'A')));
                both.clear();
                both.put(i * 512 - 27, (byte) 'C');
                check(run(caw(lba, i, 0), both), Sense.MISCOMPARE, 0x1d00);
                assertFilled(bytes(good(run(read16(lba, i), null))), 'A');
            }
        }
        for (int flags : new int[] {0x10, 0x08, 0x18}) {
            ByteBuffer both = ByteBuffer.allocate(1024);
            both.put(bytes(good(run(read10(0, 1), null)))).put(bytes(good(run(read10(0, 1), null)))).flip();
            good(run(caw(0, 1, flags), both));
        }
        // MiscompareSense: INFORMATION is the offset of the differing byte
        good(run(write16(0, 1), filled(512, 'B')));
        for (int i = 0; i < 512; i++) {
            ByteBuffer both = ByteBuffer.allocate(1024);
            both.put(filled(512, 'B')).put(filled(512, 'C')).flip();
            both.put(i, (byte) 'Z');
            byte[] sense = check(run(caw(0, 1, 0), both), Sense.MISCOMPARE, 0x1d00);
            assertThat(sense[0] & 0x80).isEqualTo(0x80);
            assertThat(ByteBuffer.wrap(sense, 3, 4).getInt()).isEqualTo(i);
        }
    }

    private static byte[] caw(long lba, int blocks, int flags) {
        byte[] c = cdb16(0x89, flags, lba, 0);
        c[13] = (byte) blocks;
        return c;
    }

    @Test
    void orWriteAndPrefetch() {
        for (int i = 1; i <= 256; i++) {
            good(run(write10(0, i), filled(i * 512, 0)));
            good(run(cdb16(0x8b, 0, 0, i), filled(i * 512, 0xa5)));
            assertFilled(bytes(good(run(read10(0, i), null))), 0xa5);
            good(run(cdb16(0x8b, 0, 0, i), filled(i * 512, 0x5a)));
            assertFilled(bytes(good(run(read10(0, i), null))), 0xff);
            oob(run(cdb16(0x8b, 0, BLOCKS + 1 - i, i), filled(i * 512, 0)));
            oob(run(cdb16(0x8b, 0, HIGH, i), filled(i * 512, 0)));
            good(run(cdb10(0x34, 0, 0, i), null));
            good(run(cdb16(0x90, 0, BLOCKS - i, i), null));
            oob(run(cdb10(0x34, 0, BLOCKS + 1 - i, i), null));
            oob(run(cdb16(0x90, 0, -1, i), null));
        }
        good(run(cdb16(0x8b, 0, 0, 0), null));
        good(run(cdb10(0x34, 0x02, 0, 1), null));
        good(run(cdb16(0x90, 0x02, 0, 1), null));
    }

    @Test
    void inquiryAndCapacityAllocationLengths() {
        for (int i = 5; i < 256; i++) {
            assertThat(good(run(inquiry(false, 0, i), null)).dataInLength()).isEqualTo(Math.min(i, 96));
        }
        assertThat(bytes(good(run(inquiry(false, 0, 511), null))))
                .isEqualTo(bytes(good(run(inquiry(false, 0, 512), null))));
        for (int i = 0; i < 16; i++) {
            good(run(cdb16(0x9e, 0x10, 0, i), null));
        }
        check(run(inquiry(false, 1, 256), null), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void reserve6WithTwoInitiators() {
        ScsiDisk sd2 = unit.attach(device, NEXUS_B);
        byte[] reserve = cdb(0x16, 0, 0, 0, 0, 0);
        byte[] release = cdb(0x17, 0, 0, 0, 0, 0);
        good(run(reserve, null));
        good(run(reserve, null));
        conflict(sd2.execute(reserve, null));
        good(sd2.execute(release, null));
        good(run(cdb(0x1a, 0, 0x3f, 0, 255, 0), null));
        conflict(sd2.execute(cdb(0x1a, 0, 0x3f, 0, 255, 0), null));
        conflict(sd2.execute(reserve, null));
        good(run(release, null));
        good(sd2.execute(reserve, null));
        good(sd2.execute(release, null));
    }
}
