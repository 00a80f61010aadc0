package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** INQUIRY (SPC-4): standard data and the vital product data pages of a disk (SPC-4 and SBC-3 VPD pages). */
final class Inquiry {
    /** Supported VPD pages in ascending order, as the SUPPORTED VPD PAGES page requires. */
    private static final byte[] PAGES = {0x00, (byte) 0x80, (byte) 0x83, (byte) 0xb0, (byte) 0xb1, (byte) 0xb2};

    /** Version descriptors (SPC-4 table 34): SAM-5, iSCSI (no version), SPC-4, SBC-3. */
    private static final short[] VERSIONS = {0x00a0, 0x0960, 0x0460, 0x04c0};

    /** MAXIMUM WRITE SAME LENGTH: 1 GiB of blocks, so that one command cannot keep a worker busy for minutes. */
    static final long MAX_WRITE_SAME_BLOCKS = 1L << 21;
    /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT: as many as a 16-bit parameter list length can carry. */
    static final int MAX_UNMAP_DESCRIPTORS = (0xffff - 8) / 16;
    /** MAXIMUM COMPARE AND WRITE LENGTH: the NUMBER OF LOGICAL BLOCKS field is one byte. */
    static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;

    private Inquiry() {
    }

    static ScsiResponse execute(ScsiDisk disk, byte[] cdb) {
        int allocation = Cdb.u16(cdb, 3);
        if ((cdb[1] & 0x02) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 1)); // CMDDT, obsolete since SPC-3
        }
        if ((cdb[1] & 0x01) == 0) {
            if (cdb[2] != 0) {
                throw ScsiError.invalidField(2);
            }
            return ScsiResponse.good(Cdb.cut(standard(disk.unit().identity()), allocation));
        }
        ByteBuffer page = switch (cdb[2] & 0xff) {
            case 0x00 -> vpd(0x00, PAGES);
            case 0x80 -> vpd(0x80, disk.unit().identity().serialNumber().getBytes(StandardCharsets.US_ASCII));
            case 0x83 -> vpd(0x83, deviceIdentification(disk.unit().identity()));
            case 0xb0 -> vpd(0xb0, blockLimits(disk));
            case 0xb1 -> vpd(0xb1, blockDeviceCharacteristics());
            case 0xb2 -> vpd(0xb2, logicalBlockProvisioning(disk));
            default -> throw ScsiError.invalidField(2);
        };
        return ScsiResponse.good(Cdb.cut(page, allocation));
    }

    /** Standard INQUIRY data, 96 bytes so that the version descriptors fit (SPC-4 standard INQUIRY data). */
    static ByteBuffer standard(ScsiIdentity identity) {
        ByteBuffer b = ByteBuffer.allocate(96);
        b.put((byte) 0x00);        // peripheral qualifier 0, direct access block device
        b.put((byte) 0x00);        // not removable
        b.put((byte) 0x06);        // SPC-4
        b.put((byte) 0x12);        // HISUP, response data format 2
        b.put((byte) (96 - 5));    // additional length
        b.put((byte) 0x00);        // no SCCS, ACC, TPGS, 3PC, PROTECT
        b.put((byte) 0x00);
        b.put((byte) 0x02);        // CMDQUE
        b.put(ascii(identity.vendor(), 8)).put(ascii(identity.product(), 16)).put(ascii(identity.revision(), 4));
        b.position(58);
        for (short version : VERSIONS) {
            b.putShort(version);
        }
        return b.clear();
    }

    private static ByteBuffer vpd(int code, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put((byte) 0).put((byte) code).putShort((short) body.length).put(body);
        return b.flip();
    }

    /**
     * Device identification (SPC-4 VPD 83h): the NAA type 3 identifier, which initiators key multipath and disk
     * identity on, and a T10 vendor identifier built from the vendor and the serial number.
     */
    static byte[] deviceIdentification(ScsiIdentity identity) {
        byte[] t10 = (pad(identity.vendor(), 8) + identity.serialNumber()).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + 4 + t10.length);
        b.put((byte) 0x01).put((byte) 0x03).put((byte) 0).put((byte) 8).putLong(identity.naa());
        b.put((byte) 0x02).put((byte) 0x01).put((byte) 0).put((byte) t10.length).put(t10);
        return b.array();
    }

    /** Block limits (SBC-3 VPD B0h), page length 3Ch as SBC-3 requires. */
    private static byte[] blockLimits(ScsiDisk disk) {
        ByteBuffer b = ByteBuffer.allocate(0x3c);
        b.put((byte) 0);                                    // WSNZ 0: WRITE SAME of 0 blocks runs to the end
        b.put((byte) MAX_COMPARE_AND_WRITE_BLOCKS);
        b.putShort((short) Math.min(0xffff, disk.preferredBlocks())); // OPTIMAL TRANSFER LENGTH GRANULARITY
        b.putInt(disk.maxTransferBlocks());                 // MAXIMUM TRANSFER LENGTH
        b.putInt(0);                                        // OPTIMAL TRANSFER LENGTH: none (it would be a stripe
                                                            // width to mkfs, which a vDisk does not have)
        b.putInt(disk.maxTransferBlocks());                 // MAXIMUM PREFETCH LENGTH
        if (disk.thin()) {
            b.putInt(0xffffffff);                           // MAXIMUM UNMAP LBA COUNT: no limit
            b.putInt(MAX_UNMAP_DESCRIPTORS);
            b.putInt(disk.preferredBlocks());               // OPTIMAL UNMAP GRANULARITY
            b.putInt(0x80000000);                           // UGAVALID, alignment 0
        } else {
            b.putInt(0).putInt(0).putInt(0).putInt(0);
        }
        b.putLong(MAX_WRITE_SAME_BLOCKS);
        return b.array();
    }

    /** Block device characteristics (SBC-3 VPD B1h): not rotating, so initiators do not sort or merge for seeks. */
    private static byte[] blockDeviceCharacteristics() {
        byte[] body = new byte[0x3c];
        body[1] = 0x01; // MEDIUM ROTATION RATE: non-rotating medium
        return body;
    }

    /**
     * Logical block provisioning (SBC-3 VPD B2h): UNMAP and WRITE SAME(10)/(16) with UNMAP when the device can release
     * storage, LBPRZ when what it releases reads as zeros, provisioning type thin. Anchoring is not supported.
     */
    private static byte[] logicalBlockProvisioning(ScsiDisk disk) {
        byte[] body = new byte[4];
        if (disk.thin()) {
            body[1] = (byte) (0x80 | 0x40 | 0x20 | (disk.device().trimReadsZero() ? 0x04 : 0));
            body[2] = 0x02;
        }
        return body;
    }

    static byte[] ascii(String s, int width) {
        byte[] out = new byte[width];
        Arrays.fill(out, (byte) ' ');
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, out, 0, Math.min(width, text.length));
        return out;
    }

    private static String pad(String s, int width) {
        return new String(ascii(s, width), StandardCharsets.US_ASCII);
    }
}
