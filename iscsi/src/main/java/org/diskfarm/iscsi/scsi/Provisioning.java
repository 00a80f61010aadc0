package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.List;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.Zeros;

/**
 * Capacity and logical block provisioning (SBC-3): READ CAPACITY (10)/(16), READ DEFECT DATA, WRITE SAME (10)/(16)
 * with and without UNMAP, UNMAP and GET LBA STATUS. A device is thin provisioned here when it {@link
 * org.diskfarm.block.BlockDevice#canTrim() can release storage}; then READ CAPACITY(16) sets LBPME,
 * and LBPRZ if released blocks read as zeros.
 */
final class Provisioning {
    /** WRITE SAME writes its pattern from a buffer of at most this many bytes, over and over. */
    private static final int PATTERN_CHUNK = 1 << 20;
    /** GET LBA STATUS describes at most this much of the device per command; the initiator asks again from the end. */
    private static final long STATUS_SPAN = 1L << 32;
    private static final int STATUS_DESCRIPTORS = 64;

    private Provisioning() {
    }

    static ScsiResponse readCapacity10(ScsiDisk disk, byte[] cdb) {
        // SBC-3 READ CAPACITY(10): without PMI the LOGICAL BLOCK ADDRESS field must be zero.
        if ((cdb[8] & 0x01) == 0 && Cdb.u32(cdb, 2) != 0) {
            throw ScsiError.invalidField(2);
        }
        ByteBuffer b = ByteBuffer.allocate(8);
        // A capacity past 2^32 blocks reads FFFFFFFFh, which sends the initiator to READ CAPACITY(16).
        b.putInt((int) Math.min(disk.blocks() - 1, 0xffffffffL)).putInt(ScsiDisk.BLOCK);
        return ScsiResponse.good(b.flip());
    }

    static ScsiResponse readCapacity16(ScsiDisk disk, byte[] cdb) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putLong(disk.blocks() - 1).putInt(ScsiDisk.BLOCK);
        b.put((byte) 0);       // no protection information
        b.put((byte) 0);       // one logical block per physical block; LBPPBE 0
        int provisioning = disk.thin() ? 0x80 | (disk.device().trimReadsZero() ? 0x40 : 0) : 0;
        b.put((byte) provisioning).put((byte) 0);
        return ScsiResponse.good(Cdb.cut(b.clear(), Cdb.u32(cdb, 10)));
    }

    /**
     * READ DEFECT DATA (10)/(12) (SBC-3): a vDisk has no defects, so the list is empty, in the format
     * asked for, with PLISTV and GLISTV clear.
     */
    static ScsiResponse readDefectData(byte[] cdb) {
        boolean twelve = (cdb[0] & 0xff) == 0xb7;
        int format = (twelve ? cdb[1] : cdb[2]) & 0x07;
        ByteBuffer b = ByteBuffer.allocate(twelve ? 8 : 4);
        b.put((byte) 0).put((byte) format);
        return ScsiResponse.good(Cdb.cut(b.clear(), twelve ? Cdb.u32(cdb, 6) : Cdb.u16(cdb, 7)));
    }

    /**
     * WRITE SAME (SBC-3): one block of Data-Out written to every block of the range; NUMBER OF LOGICAL
     * BLOCKS 0 means up to the end of the medium (WSNZ is 0). With UNMAP and an all-zero block the range is released
     * (the device may punch holes, and reads zeros afterwards); without it zeros are written and stay allocated.
     * NDOB (WRITE SAME(16) only) means a block of zeros without Data-Out.
     */
    static ScsiResponse writeSame(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        boolean sixteen = (cdb[0] & 0xff) == 0x93;
        if ((cdb[1] & 0xe0) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 7)); // WRPROTECT: no protection information
        }
        if ((cdb[1] & 0x06) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 1)); // PBDATA, LBDATA are not supported
        }
        boolean anchor = (cdb[1] & 0x10) != 0;
        boolean unmap = (cdb[1] & 0x08) != 0;
        boolean noDataOut = sixteen && (cdb[1] & 0x01) != 0;
        if (anchor) {
            throw ScsiError.check(Sense.illegalField(true, 1, 4)); // ANC_SUP is 0
        }
        disk.checkWritable();
        if (unmap && !disk.thin()) {
            throw ScsiError.check(Sense.illegalField(true, 1, 3)); // LBPWS is 0 on a fully provisioned unit
        }
        long lba = sixteen ? Cdb.u64(cdb, 2) : Cdb.u32(cdb, 2);
        long blocks = sixteen ? Cdb.u32(cdb, 10) : Cdb.u16(cdb, 7);
        Cdb.checkRange(lba, blocks, disk.blocks());
        if (blocks == 0) {
            blocks = disk.blocks() - lba;
        }
        if (blocks > Inquiry.MAX_WRITE_SAME_BLOCKS) {
            throw ScsiError.invalidField(sixteen ? 10 : 7);
        }
        ByteBuffer block = noDataOut ? ByteBuffer.allocate(ScsiDisk.BLOCK) : Cdb.dataOut(dataOut, ScsiDisk.BLOCK);
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        long offset = lba * ScsiDisk.BLOCK;
        long length = blocks * ScsiDisk.BLOCK;
        IoFlags flags = disk.writeFlags(false);
        if (Zeros.isAllZero(block)) {
            disk.device().zero(offset, length, unmap ? flags : new IoFlags(flags.fua(), true));
            return ScsiResponse.good();
        }
        int chunkBlocks = (int) Math.min(blocks, PATTERN_CHUNK / ScsiDisk.BLOCK);
        ByteBuffer pattern = ByteBuffer.allocate(chunkBlocks * ScsiDisk.BLOCK);
        for (int i = 0; i < chunkBlocks; i++) {
            pattern.put(block.duplicate());
        }
        while (length > 0) {
            int n = (int) Math.min(length, pattern.capacity());
            disk.device().write(offset, pattern.clear().limit(n), flags);
            offset += n;
            length -= n;
        }
        return ScsiResponse.good();
    }

    /**
     * UNMAP (SBC-3): every descriptor is checked before any range is released. A PARAMETER LIST LENGTH of zero
     * is not an error; one too short for the header is.
     */
    static ScsiResponse unmap(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        if (!disk.thin()) {
            throw ScsiError.check(Sense.invalidOpcode()); // LBPU is 0
        }
        if ((cdb[1] & 0x01) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 0)); // ANCHOR: ANC_SUP is 0
        }
        int length = Cdb.u16(cdb, 7);
        disk.checkWritable();
        if (length == 0) {
            return ScsiResponse.good();
        }
        if (length < 8) {
            throw ScsiError.check(Sense.parameterListLengthError());
        }
        ByteBuffer list = Cdb.dataOut(dataOut, length);
        int descriptorBytes = Math.min(list.getShort(2) & 0xffff, length - 8);
        int count = descriptorBytes / 16;
        if (count > Inquiry.MAX_UNMAP_DESCRIPTORS) {
            throw ScsiError.invalidParameter(2);
        }
        for (int i = 0; i < count; i++) {
            Cdb.checkRange(list.getLong(8 + 16 * i), list.getInt(16 + 16 * i) & 0xffffffffL, disk.blocks());
        }
        for (int i = 0; i < count; i++) {
            long lba = list.getLong(8 + 16 * i);
            long blocks = list.getInt(16 + 16 * i) & 0xffffffffL;
            if (blocks > 0) {
                disk.device().trim(lba * ScsiDisk.BLOCK, blocks * ScsiDisk.BLOCK, IoFlags.NONE);
            }
        }
        return ScsiResponse.good();
    }

    /**
     * GET LBA STATUS (SBC-3): descriptors from the STARTING LOGICAL BLOCK ADDRESS on, built from the device's
     * extents: allocated blocks are mapped (0), holes deallocated (1). Neighbouring extents of one state merge.
     */
    static ScsiResponse getLbaStatus(ScsiDisk disk, byte[] cdb) {
        long lba = Cdb.u64(cdb, 2);
        long allocation = Cdb.u32(cdb, 10);
        long capacity = disk.blocks();
        if (lba < 0 || lba >= capacity) {
            throw ScsiError.check(Sense.lbaOutOfRange());
        }
        long offset = lba * ScsiDisk.BLOCK;
        long span = Math.min(disk.device().size() - offset, STATUS_SPAN);
        List<Extent> extents = disk.device().extents(offset, span);
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * STATUS_DESCRIPTORS);
        b.position(8);
        long start = lba;
        int state = -1;
        long end = lba;
        for (Extent e : extents) {
            int s = e.allocated() ? 0 : 1;
            long extentEnd = Math.min(capacity, (e.end() + ScsiDisk.BLOCK - 1) / ScsiDisk.BLOCK);
            if (extentEnd <= end) {
                continue;
            }
            if (state != s && state != -1) {
                if (!b.hasRemaining()) {
                    break;
                }
                descriptor(b, start, end - start, state);
                start = end;
            }
            state = s;
            end = extentEnd;
        }
        if (state == -1) {
            state = 0;
            end = lba + 1;
        }
        if (b.hasRemaining()) {
            descriptor(b, start, end - start, state);
        }
        int length = b.position();
        b.putInt(0, length - 4);
        return ScsiResponse.good(Cdb.cut(b.flip(), allocation));
    }

    private static void descriptor(ByteBuffer b, long lba, long blocks, int state) {
        b.putLong(lba).putInt((int) Math.min(blocks, 0xffffffffL)).put((byte) state).put(new byte[3]);
    }
}
