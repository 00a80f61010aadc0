package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * MODE SENSE(6)/(10) and MODE SELECT(6)/(10) (SPC-4) with the caching page (SBC-3) and the control
 * page (SPC-4). The one changeable field is WCE: with it cleared every write is forced to the medium. The pages
 * are shared by all nexuses and not saveable (PS 0): page control "saved" answers SAVING PARAMETERS NOT SUPPORTED.
 */
final class ModePages {
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0a;
    static final int ALL = 0x3f;

    private static final int CURRENT = 0;
    private static final int CHANGEABLE = 1;
    private static final int DEFAULT = 2;
    private static final int SAVED = 3;

    private ModePages() {
    }

    static ScsiResponse sense(ScsiDisk disk, byte[] cdb) {
        boolean ten = (cdb[0] & 0xff) == 0x5a;
        boolean dbd = (cdb[1] & 0x08) != 0;
        boolean longLba = ten && (cdb[1] & 0x10) != 0;
        int control = (cdb[2] & 0xc0) >>> 6;
        int page = cdb[2] & 0x3f;
        int subpage = cdb[3] & 0xff;
        long allocation = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
        if (control == SAVED) {
            throw ScsiError.check(Sense.savingParametersNotSupported());
        }
        if (subpage != 0 && !(page == ALL && subpage == 0xff)) {
            throw ScsiError.invalidField(3);
        }
        byte[] pages = switch (page) {
            case CACHING -> caching(disk, control);
            case CONTROL -> control(control);
            case ALL -> concat(caching(disk, control), control(control));
            default -> throw ScsiError.invalidField(2);
        };
        int header = ten ? 8 : 4;
        int descriptor = dbd ? 0 : longLba ? 16 : 8;
        ByteBuffer b = ByteBuffer.allocate(header + descriptor + pages.length);
        int dataLength = b.capacity() - (ten ? 2 : 1);
        // Device-specific parameter (SBC-3 mode parameter header): WP for a read-only device, DPOFUA since DPO and
        // FUA are honoured.
        byte deviceSpecific = (byte) ((disk.device().canWrite() ? 0 : 0x80) | 0x10);
        if (ten) {
            b.putShort((short) dataLength).put((byte) 0).put(deviceSpecific).put((byte) (longLba ? 1 : 0))
                    .put((byte) 0).putShort((short) descriptor);
        } else {
            b.put((byte) dataLength).put((byte) 0).put(deviceSpecific).put((byte) descriptor);
        }
        if (descriptor == 8) {
            b.putInt((int) Math.min(disk.blocks(), 0xffffffffL)).putInt(ScsiDisk.BLOCK);
        } else if (descriptor == 16) {
            b.putLong(disk.blocks()).putInt(0).putInt(ScsiDisk.BLOCK);
        }
        b.put(pages);
        return ScsiResponse.good(Cdb.cut(b.flip(), allocation));
    }

    /** Caching page, 20 bytes: WCE (byte 2 bit 2) is the only field in use and the only one that may change. */
    private static byte[] caching(ScsiDisk disk, int control) {
        byte[] p = new byte[20];
        p[0] = CACHING;
        p[1] = 18;
        p[2] = switch (control) {
            case CURRENT -> (byte) (disk.unit().writeCache() ? 0x04 : 0);
            default -> 0x04; // changeable mask and default value alike
        };
        return p;
    }

    /**
     * Control page, 12 bytes: fixed-format sense (D_SENSE 0), unrestricted reordering (QUEUE ALGORITHM MODIFIER 1),
     * no software write protect, unlimited busy timeout. Nothing in it is changeable.
     */
    private static byte[] control(int control) {
        byte[] p = new byte[12];
        p[0] = CONTROL;
        p[1] = 10;
        if (control != CHANGEABLE) {
            p[3] = 0x10;
            p[8] = (byte) 0xff;
            p[9] = (byte) 0xff;
        }
        return p;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int parameterListLength(byte[] cdb) {
        return (cdb[0] & 0xff) == 0x55 ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
    }

    /**
     * MODE SELECT: checks the whole parameter list before it changes anything; every field but WCE must keep its
     * current value (SPC-4 MODE SELECT: INVALID FIELD IN PARAMETER LIST otherwise).
     */
    static ScsiResponse select(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        boolean ten = (cdb[0] & 0xff) == 0x55;
        if ((cdb[1] & 0x01) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 0)); // SP: the pages cannot be saved
        }
        int length = parameterListLength(cdb);
        if (length == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer list = Cdb.dataOut(dataOut, length);
        byte[] p = new byte[length];
        list.get(p);
        int header = ten ? 8 : 4;
        if (length < header) {
            throw ScsiError.check(Sense.parameterListLengthError());
        }
        int descriptorLength = ten ? Cdb.u16(p, 6) : Cdb.u8(p, 3);
        int at = header;
        if (descriptorLength != 0) {
            boolean longLba = ten && (p[4] & 0x01) != 0;
            int expected = longLba ? 16 : 8;
            if (descriptorLength != expected || length < header + expected) {
                throw ScsiError.invalidParameter(ten ? 6 : 3);
            }
            int blockLength = (int) Cdb.u32(p, at + expected - 4) & 0xffffff;
            if (blockLength != ScsiDisk.BLOCK) {
                throw ScsiError.invalidParameter(at + expected - 3);
            }
            at += expected;
        }
        Boolean wce = null;
        while (at < length) {
            if (length - at < 2) {
                throw ScsiError.check(Sense.parameterListLengthError());
            }
            int code = p[at] & 0x3f;
            if ((p[at] & 0x40) != 0) {
                throw ScsiError.invalidParameter(at); // SPF: no subpages here
            }
            byte[] current = switch (code) {
                case CACHING -> caching(disk, CURRENT);
                case CONTROL -> control(CURRENT);
                default -> throw ScsiError.invalidParameter(at);
            };
            byte[] changeable = code == CACHING ? caching(disk, CHANGEABLE) : control(CHANGEABLE);
            if ((p[at + 1] & 0xff) != current.length - 2) {
                throw ScsiError.invalidParameter(at + 1);
            }
            if (length - at < current.length) {
                throw ScsiError.check(Sense.parameterListLengthError());
            }
            for (int i = 2; i < current.length; i++) {
                if (((p[at + i] ^ current[i]) & ~changeable[i]) != 0) {
                    throw ScsiError.invalidParameter(at + i);
                }
            }
            if (code == CACHING) {
                wce = (p[at + 2] & 0x04) != 0;
            }
            at += current.length;
        }
        if (wce != null) {
            disk.unit().writeCache(wce, disk.nexus());
        }
        return ScsiResponse.good();
    }
}
