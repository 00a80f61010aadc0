package org.diskfarm.iscsi;

/**
 * The little the transport reads in CDBs beyond what {@link org.diskfarm.iscsi.scsi.ScsiDisk} tells it: where WRITE
 * commands keep their transfer length, to cut a write whose Expected Data Transfer Length is shorter than the CDB says.
 * TODO: move into the SCSI layer (a ScsiDisk method that truncates a CDB) once it offers one.
 */
final class Cdbs {
    private Cdbs() {
    }

    /**
     * A copy of a WRITE or WRITE AND VERIFY (10, 12, 16) CDB that transfers only the whole blocks in {@code bytes}, or
     * null for any other command.
     */
    static byte[] truncateWrite(byte[] cdb, long bytes, int blockSize) {
        if (cdb.length == 0 || blockSize <= 0) {
            return null;
        }
        long blocks = bytes / blockSize;
        byte[] out = cdb.clone();
        switch (cdb[0] & 0xff) {
            case 0x2a, 0x2e -> {
                if (cdb.length < 10) {
                    return null;
                }
                out[7] = (byte) (blocks >>> 8);
                out[8] = (byte) blocks;
            }
            case 0xaa, 0xae -> {
                if (cdb.length < 12) {
                    return null;
                }
                putInt(out, 6, blocks);
            }
            case 0x8a, 0x8e -> {
                if (cdb.length < 16) {
                    return null;
                }
                putInt(out, 10, blocks);
            }
            default -> {
                return null;
            }
        }
        return out;
    }

    private static void putInt(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
