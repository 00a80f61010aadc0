package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.UUID;

/** CDB builders and assertions for the tests: real CDB bytes in, status and sense bytes checked. */
final class Scsi {
    static final ScsiIdentity IDENTITY = ScsiIdentity.derive(UUID.fromString("5f0c1a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"), 1,
            "test");
    static final ScsiNexus NEXUS_A = new ScsiNexus("iqn.2026-01.org.example:a,i,0x400001370001",
            "iqn.2026-01.org.diskfarm:t,t,0x0001");
    static final ScsiNexus NEXUS_B = new ScsiNexus("iqn.2026-01.org.example:b,i,0x400001370002",
            "iqn.2026-01.org.diskfarm:t,t,0x0001");

    private Scsi() {
    }

    static byte[] cdb(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    static byte[] cdb10(int op, int flags, long lba, int length) {
        return cdb(op, flags, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba, 0,
                length >>> 8, length, 0);
    }

    static byte[] cdb12(int op, int flags, long lba, long length) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) op).put((byte) flags).putInt((int) lba).putInt((int) length);
        return b.array();
    }

    static byte[] cdb16(int op, int flags, long lba, long length) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) op).put((byte) flags).putLong(lba).putInt((int) length);
        return b.array();
    }

    static byte[] read10(long lba, int blocks) {
        return cdb10(0x28, 0, lba, blocks);
    }

    static byte[] write10(long lba, int blocks) {
        return cdb10(0x2a, 0, lba, blocks);
    }

    static byte[] read16(long lba, long blocks) {
        return cdb16(0x88, 0, lba, blocks);
    }

    static byte[] write16(long lba, long blocks) {
        return cdb16(0x8a, 0, lba, blocks);
    }

    static byte[] writeSame16(int flags, long lba, long blocks) {
        return cdb16(0x93, flags, lba, blocks);
    }

    static byte[] getLbaStatus(long lba, int allocation) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put((byte) 0x9e).put((byte) 0x12).putLong(lba).putInt(allocation);
        return b.array();
    }

    static byte[] inquiry(boolean evpd, int page, int allocation) {
        return cdb(0x12, evpd ? 1 : 0, page, allocation >>> 8, allocation, 0);
    }

    static byte[] tur() {
        return cdb(0, 0, 0, 0, 0, 0);
    }

    static ByteBuffer filled(int bytes, int value) {
        byte[] b = new byte[bytes];
        java.util.Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    static ByteBuffer unmapList(long... lbaAndCount) {
        int n = lbaAndCount.length / 2;
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * n);
        b.putShort((short) (6 + 16 * n)).putShort((short) (16 * n)).putInt(0);
        for (int i = 0; i < n; i++) {
            b.putLong(lbaAndCount[2 * i]).putInt((int) lbaAndCount[2 * i + 1]).putInt(0);
        }
        return b.flip();
    }

    static byte[] unmap(int parameterLength) {
        return cdb(0x42, 0, 0, 0, 0, 0, 0, parameterLength >>> 8, parameterLength, 0);
    }

    static ByteBuffer prOutParameters(long key, long serviceActionKey) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putLong(key).putLong(serviceActionKey);
        return b.clear();
    }

    static byte[] prOut(int action, int type) {
        return cdb(0x5f, action, type, 0, 0, 0, 0, 0, 24, 0);
    }

    static byte[] prIn(int action) {
        return cdb(0x5e, action, 0, 0, 0, 0, 0, 0x40, 0, 0);
    }

    static byte[] bytes(ScsiResponse r) {
        assertThat(r.dataIn()).as("data-in").isNotNull();
        ByteBuffer d = r.dataIn().duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }

    /** Every byte of {@code data} is {@code value} (AssertJ's containsOnly is too slow for megabytes). */
    static void assertFilled(byte[] data, int value) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] != (byte) value) {
                assertThat(data[i]).as("byte %d of %d", i, data.length).isEqualTo((byte) value);
            }
        }
    }

    static ScsiResponse good(ScsiResponse r) {
        assertThat(r.status()).as("status, sense %s", senseText(r)).isEqualTo(ScsiStatus.GOOD);
        return r;
    }

    /** Asserts CHECK CONDITION with the sense key and ASC/ASCQ ({@code asc << 8 | ascq}). */
    static byte[] check(ScsiResponse r, int key, int ascq) {
        assertThat(r.status()).as("status").isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.sense()).hasSize(18);
        assertThat(r.sense()[0] & 0x7f).as("response code").isEqualTo(0x70);
        assertThat(Sense.key(r.sense())).as("sense key of %s", senseText(r)).isEqualTo(key);
        assertThat(Sense.ascq(r.sense())).as("ASC/ASCQ of %s", senseText(r)).isEqualTo(ascq);
        return r.sense();
    }

    static void conflict(ScsiResponse r) {
        assertThat(r.status()).as("status").isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
    }

    private static String senseText(ScsiResponse r) {
        return r.sense() == null ? "none"
                : String.format("key %X ASC/ASCQ %04X", Sense.key(r.sense()), Sense.ascq(r.sense()));
    }
}
