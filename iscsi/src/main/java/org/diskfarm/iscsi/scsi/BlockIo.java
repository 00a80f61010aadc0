package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.List;
import org.diskfarm.block.Extent;
import org.diskfarm.block.IoFlags;

/**
 * The commands that move blocks (SBC-3 clause 5): READ and WRITE (6)/(10)/(12)/(16), VERIFY and WRITE AND VERIFY
 * (10)/(12)/(16), COMPARE AND WRITE, ORWRITE(16), PRE-FETCH and SYNCHRONIZE CACHE (10)/(16).
 *
 * <p>Every command checks its CDB, then its LBA range, then the transfer length, then write protection, and only then
 * looks at the Data-Out buffer or touches the device. A transfer of zero blocks is GOOD without I/O.
 */
final class BlockIo {
    private BlockIo() {
    }

    /** LOGICAL BLOCK ADDRESS of a read/write-style CDB by its length (SBC-3: the 6-byte form has 21 bits). */
    static long lba(byte[] cdb) {
        return switch (Cdb.lengthOf(cdb[0] & 0xff)) {
            case 6 -> Cdb.u24(cdb, 1) & 0x1fffff;
            case 16 -> Cdb.u64(cdb, 2);
            default -> Cdb.u32(cdb, 2);
        };
    }

    /** TRANSFER LENGTH (or VERIFICATION LENGTH, NUMBER OF LOGICAL BLOCKS) in blocks. */
    static long transferLength(byte[] cdb) {
        int op = cdb[0] & 0xff;
        return switch (Cdb.lengthOf(op)) {
            case 6 -> Cdb.u8(cdb, 4) == 0 ? 256 : Cdb.u8(cdb, 4); // SBC-3 READ(6)/WRITE(6): 0 means 256
            case 10 -> Cdb.u16(cdb, 7);
            case 12 -> Cdb.u32(cdb, 6);
            default -> op == 0x89 ? Cdb.u8(cdb, 13) : Cdb.u32(cdb, 10);
        };
    }

    /** RDPROTECT/WRPROTECT/VRPROTECT/ORPROTECT must be 0: this unit has no protection information (PROTECT 0). */
    private static void checkNoProtection(byte[] cdb) {
        if (Cdb.lengthOf(cdb[0] & 0xff) != 6 && (cdb[1] & 0xe0) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 7));
        }
    }

    /** Zeros for holes: read-only, direct (the socket write takes it as it is), shared by every session. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();
    /** Reads from this size on ask the device whether they lie in a hole. */
    private static final int HOLE_CHECK_MIN = 64 << 10;

    /** True if the device says the whole range reads as zeros: one extent (for a VHD, one BAT lookup). */
    private static boolean readsAsZeros(ScsiDisk disk, long offset, int bytes) {
        List<Extent> extents = disk.device().extents(offset, bytes);
        return extents.size() == 1 && extents.getFirst().zero() && extents.getFirst().length() >= bytes;
    }

    static ScsiResponse read(ScsiDisk disk, byte[] cdb) {
        checkNoProtection(cdb);
        long lba = lba(cdb);
        long blocks = transferLength(cdb);
        checkRange(disk, cdb, lba, blocks);
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        int bytes = (int) (blocks * ScsiDisk.BLOCK);
        if (bytes >= HOLE_CHECK_MIN && bytes <= ZEROS.capacity() && readsAsZeros(disk, lba * ScsiDisk.BLOCK, bytes)) {
            // A hole (an unallocated block of a thin vDisk): sent from one shared zero buffer, nothing read or
            // filled. A boot reads few of them, a sequential scan of a thin disk many. Small reads skip the extent
            // lookup: for them it would cost more than the zero fill it saves.
            return ScsiResponse.good(ZEROS.slice(0, bytes));
        }
        // The one buffer of a read: lent by the transport, which sends from it and takes it back.
        DataInBuffers.Lease lease = disk.buffers().lease(bytes);
        try {
            ByteBuffer data = lease.buffer();
            disk.device().read(lba * ScsiDisk.BLOCK, data);
            return new ScsiResponse(ScsiStatus.GOOD, null, data.flip(), lease);
        } catch (RuntimeException e) {
            lease.giveBack();
            throw e;
        }
    }

    static ScsiResponse write(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        checkNoProtection(cdb);
        long lba = lba(cdb);
        long blocks = transferLength(cdb);
        checkRange(disk, cdb, lba, blocks);
        disk.checkWritable();
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer data = Cdb.dataOut(dataOut, blocks * ScsiDisk.BLOCK);
        boolean fua = Cdb.lengthOf(cdb[0] & 0xff) != 6 && (cdb[1] & 0x08) != 0;
        disk.device().write(lba * ScsiDisk.BLOCK, data, disk.writeFlags(fua));
        return ScsiResponse.good();
    }

    /** WRITE AND VERIFY (SBC-3): the write reaches stable storage before GOOD, which is what verifying proves. */
    static ScsiResponse writeAndVerify(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        checkNoProtection(cdb);
        int byteCheck = (cdb[1] >>> 1) & 0x03;
        if (byteCheck > 1) {
            throw ScsiError.check(Sense.illegalField(true, 1, 2));
        }
        long lba = lba(cdb);
        long blocks = transferLength(cdb);
        checkRange(disk, cdb, lba, blocks);
        disk.checkWritable();
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer data = Cdb.dataOut(dataOut, blocks * ScsiDisk.BLOCK);
        disk.device().write(lba * ScsiDisk.BLOCK, data, IoFlags.FUA);
        return ScsiResponse.good();
    }

    /**
     * VERIFY (SBC-3 VERIFY): BYTCHK 00b checks only the range (a vDisk has no medium to scan; read errors surface on
     * reads), 01b compares the Data-Out buffer with the blocks, 11b compares its one block with each block.
     */
    static ScsiResponse verify(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        checkNoProtection(cdb);
        int byteCheck = (cdb[1] >>> 1) & 0x03;
        if (byteCheck == 2) {
            throw ScsiError.check(Sense.illegalField(true, 1, 2));
        }
        long lba = lba(cdb);
        long blocks = transferLength(cdb);
        checkRange(disk, cdb, lba, blocks);
        if (blocks == 0 || byteCheck == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer expected = Cdb.dataOut(dataOut, (byteCheck == 1 ? blocks : 1) * ScsiDisk.BLOCK);
        ByteBuffer medium = ByteBuffer.allocate((int) (blocks * ScsiDisk.BLOCK));
        disk.device().read(lba * ScsiDisk.BLOCK, medium);
        medium.flip();
        if (byteCheck == 1) {
            int at = medium.mismatch(expected);
            if (at >= 0) {
                throw ScsiError.check(Sense.miscompare(at));
            }
        } else {
            for (int block = 0; block < blocks; block++) {
                int at = medium.slice(block * ScsiDisk.BLOCK, ScsiDisk.BLOCK).mismatch(expected);
                if (at >= 0) {
                    throw ScsiError.check(Sense.miscompare((long) block * ScsiDisk.BLOCK + at));
                }
            }
        }
        return ScsiResponse.good();
    }

    /**
     * COMPARE AND WRITE (SBC-3): the Data-Out buffer holds the verify data, then the write data. On a miscompare
     * nothing is written and INFORMATION gives the offset of the first differing byte. Atomic against the other
     * read-modify-write commands of the logical unit.
     */
    static ScsiResponse compareAndWrite(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        checkNoProtection(cdb);
        long lba = Cdb.u64(cdb, 2);
        int blocks = Cdb.u8(cdb, 13);
        checkRange(disk, cdb, lba, blocks);
        disk.checkWritable();
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        int bytes = blocks * ScsiDisk.BLOCK;
        ByteBuffer data = Cdb.dataOut(dataOut, 2L * bytes);
        ByteBuffer verify = data.slice(0, bytes);
        ByteBuffer write = data.slice(bytes, bytes);
        boolean fua = (cdb[1] & 0x08) != 0;
        ByteBuffer medium = ByteBuffer.allocate(bytes);
        synchronized (disk.unit().readModifyWriteLock()) {
            disk.device().read(lba * ScsiDisk.BLOCK, medium);
            int at = medium.flip().mismatch(verify);
            if (at >= 0) {
                throw ScsiError.check(Sense.miscompare(at));
            }
            disk.device().write(lba * ScsiDisk.BLOCK, write, disk.writeFlags(fua));
        }
        return ScsiResponse.good();
    }

    /** ORWRITE(16) (SBC-3 ORWRITE): each block becomes the OR of itself and the Data-Out block. */
    static ScsiResponse orWrite(ScsiDisk disk, byte[] cdb, ByteBuffer dataOut) {
        checkNoProtection(cdb);
        long lba = lba(cdb);
        long blocks = transferLength(cdb);
        checkRange(disk, cdb, lba, blocks);
        disk.checkWritable();
        if (blocks == 0) {
            return ScsiResponse.good();
        }
        ByteBuffer data = Cdb.dataOut(dataOut, blocks * ScsiDisk.BLOCK);
        ByteBuffer medium = ByteBuffer.allocate((int) (blocks * ScsiDisk.BLOCK));
        boolean fua = (cdb[1] & 0x08) != 0;
        synchronized (disk.unit().readModifyWriteLock()) {
            disk.device().read(lba * ScsiDisk.BLOCK, medium);
            for (int i = 0; i < medium.capacity(); i++) {
                medium.put(i, (byte) (medium.get(i) | data.get(i)));
            }
            disk.device().write(lba * ScsiDisk.BLOCK, medium.clear(), disk.writeFlags(fua));
        }
        return ScsiResponse.good();
    }

    /**
     * PRE-FETCH (SBC-3 PRE-FETCH): there is no cache to load, so GOOD ("the blocks did not all fit") rather
     * than CONDITION MET.
     */
    static ScsiResponse preFetch(ScsiDisk disk, byte[] cdb) {
        Cdb.checkRange(lba(cdb), transferLength(cdb), disk.blocks());
        return ScsiResponse.good();
    }

    /**
     * SYNCHRONIZE CACHE (SBC-3): the range is checked, then the whole device is flushed; a read-only device has
     * nothing to flush (initiators send it on shutdown whatever the WP bit says).
     */
    static ScsiResponse synchronizeCache(ScsiDisk disk, byte[] cdb) {
        Cdb.checkRange(lba(cdb), transferLength(cdb), disk.blocks());
        if (disk.device().canWrite()) {
            disk.device().flush();
        }
        return ScsiResponse.good();
    }

    /** The range first (LBA OUT OF RANGE), then the transfer length against MAXIMUM TRANSFER LENGTH (B0h). */
    static void checkRange(ScsiDisk disk, byte[] cdb, long lba, long blocks) {
        Cdb.checkRange(lba, blocks, disk.blocks());
        if (blocks > disk.maxTransferBlocks()) {
            throw ScsiError.invalidField(lengthField(cdb[0] & 0xff));
        }
    }

    /** Where TRANSFER LENGTH starts in a CDB, for the field pointer. */
    private static int lengthField(int opcode) {
        return switch (Cdb.lengthOf(opcode)) {
            case 6 -> 4;
            case 10 -> 7;
            case 12 -> 6;
            default -> opcode == 0x89 ? 13 : 10;
        };
    }
}
