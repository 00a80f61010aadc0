package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;

/**
 * One session's view of a {@link ScsiLogicalUnit}: executes that session's commands on its block device. Calls may
 * block (device I/O); the transport decides on which thread. Safe for calls from several threads at once when the
 * device is {@link BlockDevice#isConcurrent() concurrent} (the transport serialises them otherwise).
 *
 * <p>Every command goes through the same gate (SAM-5 unit attention, SPC-4 reservations): a pending unit attention
 * ends it first (except INQUIRY, REPORT LUNS and REQUEST SENSE), then a reservation held by another nexus, then the
 * command's own checks. Device failures ({@link StorageException}) become sense data; nothing but a programming
 * error escapes.
 */
public final class ScsiDisk {
    static final int BLOCK = 512;

    private final ScsiLogicalUnit unit;
    private final BlockDevice device;
    private final ScsiNexus nexus;
    private final UnitAttentions attentions;
    private final long blocks;
    private final int maxTransferBlocks;
    private volatile boolean detached;
    private volatile DataInBuffers buffers = DataInBuffers.HEAP;

    ScsiDisk(ScsiLogicalUnit unit, BlockDevice device, ScsiNexus nexus, UnitAttentions attentions) {
        this.unit = Objects.requireNonNull(unit);
        this.device = Objects.requireNonNull(device);
        this.nexus = Objects.requireNonNull(nexus);
        this.attentions = attentions;
        this.blocks = device.size() / BLOCK;
        this.maxTransferBlocks = Math.max(1, device.limits().maximum() / BLOCK);
    }

    public ScsiLogicalUnit unit() {
        return unit;
    }

    /** Where READs put their data from now on (the transport's pooled buffers); {@link DataInBuffers#HEAP} first. */
    public void useBuffers(DataInBuffers buffers) {
        this.buffers = Objects.requireNonNull(buffers);
    }

    DataInBuffers buffers() {
        return buffers;
    }

    public ScsiNexus nexus() {
        return nexus;
    }

    public BlockDevice device() {
        return device;
    }

    /**
     * The session is gone (logout, connection loss, reinstatement): what SPC-4 releases on I_T nexus loss is released
     * (the RESERVE(6)/(10) reservation once no other session shares the nexus; persistent reservations stay). Does not
     * close the device. Safe to call twice.
     */
    public void detach() {
        if (!detached) {
            detached = true;
            unit.detach(nexus, attentions);
        }
    }

    /**
     * How many bytes of data the initiator sends with this CDB (Data-Out), as the CDB itself says: the transport asks
     * for that much (within what the initiator said it would send) before it calls {@link #execute}. 0 for commands
     * without Data-Out and for CDBs it cannot parse or will refuse for their size (execute then answers CHECK
     * CONDITION).
     */
    public int dataOutLength(byte[] cdb) {
        if (cdb.length == 0 || cdb.length < Cdb.lengthOf(cdb[0] & 0xff)) {
            return 0;
        }
        int op = cdb[0] & 0xff;
        long bytes = switch (op) {
            case 0x0a, 0x2a, 0xaa, 0x8a, 0x2e, 0xae, 0x8e, 0x8b -> blockBytes(BlockIo.transferLength(cdb));
            case 0x89 -> 2 * blockBytes(Cdb.u8(cdb, 13));
            case 0x2f, 0xaf, 0x8f -> switch ((cdb[1] >>> 1) & 0x03) {
                case 1 -> blockBytes(BlockIo.transferLength(cdb));
                case 3 -> BLOCK;
                default -> 0;
            };
            case 0x41 -> BLOCK;
            case 0x93 -> (cdb[1] & 0x01) != 0 ? 0 : BLOCK;
            case 0x42 -> Cdb.u16(cdb, 7);
            case 0x15, 0x55 -> ModePages.parameterListLength(cdb);
            case 0x5f -> ReservationCommands.parameterListLength(cdb);
            default -> 0;
        };
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /** Bytes of {@code count} blocks, or 0 for a count this unit refuses anyway (no point receiving the data). */
    private long blockBytes(long count) {
        return count > maxTransferBlocks ? 0 : count * BLOCK;
    }

    /**
     * Executes one command.
     *
     * @param cdb     the command descriptor block (16 bytes from the iSCSI BHS, or longer with an extended-CDB AHS)
     * @param dataOut the Data-Out bytes the initiator sent, from position to limit; null or empty if none
     */
    public ScsiResponse execute(byte[] cdb, ByteBuffer dataOut) {
        if (cdb.length == 0) {
            return ScsiResponse.checkCondition(Sense.invalidOpcode());
        }
        int op = cdb[0] & 0xff;
        int access = Commands.access(op);
        try {
            int length = Cdb.lengthOf(op);
            if (length == 0) {
                throw ScsiError.check(Sense.invalidOpcode());
            }
            if (cdb.length < length) {
                throw ScsiError.invalidField(0);
            }
            if (op != 0x12 && op != 0xa0 && op != 0x03 && !attentions.isEmpty()) {
                byte[] attention = attentions.poll();
                if (attention != null) {
                    return ScsiResponse.checkCondition(attention);
                }
            }
            unit.reservations().checkAccess(nexus, access);
            return dispatch(op, cdb, dataOut);
        } catch (ScsiError e) {
            return e.response();
        } catch (StorageException e) {
            return storageFailure(e, access);
        }
    }

    private ScsiResponse dispatch(int op, byte[] cdb, ByteBuffer dataOut) {
        return switch (op) {
            case 0x00 -> ScsiResponse.good();
            case 0x03 -> requestSense(cdb);
            case 0x08, 0x28, 0xa8, 0x88 -> BlockIo.read(this, cdb);
            case 0x0a, 0x2a, 0xaa, 0x8a -> BlockIo.write(this, cdb, dataOut);
            case 0x2e, 0xae, 0x8e -> BlockIo.writeAndVerify(this, cdb, dataOut);
            case 0x2f, 0xaf, 0x8f -> BlockIo.verify(this, cdb, dataOut);
            case 0x89 -> BlockIo.compareAndWrite(this, cdb, dataOut);
            case 0x8b -> BlockIo.orWrite(this, cdb, dataOut);
            case 0x34, 0x90 -> BlockIo.preFetch(this, cdb);
            case 0x35, 0x91 -> BlockIo.synchronizeCache(this, cdb);
            case 0x41, 0x93 -> Provisioning.writeSame(this, cdb, dataOut);
            case 0x42 -> Provisioning.unmap(this, cdb, dataOut);
            case 0x25 -> Provisioning.readCapacity10(this, cdb);
            case 0x37, 0xb7 -> Provisioning.readDefectData(cdb);
            case 0x9e -> switch (cdb[1] & 0x1f) {
                case 0x10 -> Provisioning.readCapacity16(this, cdb);
                case 0x12 -> Provisioning.getLbaStatus(this, cdb);
                // Field pointer 1 tells initiators (libiscsi's too) that the service action is not implemented.
                default -> throw ScsiError.check(Sense.illegalField(true, 1, 4));
            };
            case 0x12 -> Inquiry.execute(this, cdb);
            case 0x1a, 0x5a -> ModePages.sense(this, cdb);
            case 0x15, 0x55 -> ModePages.select(this, cdb, dataOut);
            case 0x16, 0x56 -> ReservationCommands.reserve(this, cdb);
            case 0x17, 0x57 -> ReservationCommands.release(this, cdb);
            case 0x5e -> ReservationCommands.in(this, cdb);
            case 0x5f -> ReservationCommands.out(this, cdb, dataOut);
            case 0xa0 -> reportLuns(cdb);
            case 0xa3 -> (cdb[1] & 0x1f) == 0x0c ? Commands.reportSupported(cdb)
                    : ScsiResponse.checkCondition(Sense.illegalField(true, 1, 4));
            case 0x1b -> startStopUnit(cdb);
            case 0x1e -> ScsiResponse.good(); // PREVENT ALLOW MEDIUM REMOVAL: nothing to lock on a fixed disk
            default -> ScsiResponse.checkCondition(Sense.invalidOpcode());
        };
    }

    /** The one table from storage failures to sense data (StorageException's contract). */
    private static ScsiResponse storageFailure(StorageException e, int access) {
        return switch (e.kind()) {
            case OUT_OF_RANGE -> ScsiResponse.checkCondition(Sense.lbaOutOfRange());
            case INVALID_ARGUMENT, NOT_SUPPORTED -> ScsiResponse.checkCondition(Sense.invalidFieldInCdb());
            case READ_ONLY -> ScsiResponse.checkCondition(Sense.writeProtected());
            case NO_SPACE -> ScsiResponse.checkCondition(Sense.spaceAllocationFailed());
            case CLOSED -> ScsiResponse.checkCondition(Sense.notReady());
            case BUSY -> new ScsiResponse(ScsiStatus.BUSY, null, null);
            case CORRUPT, NOT_FOUND, IO_ERROR -> ScsiResponse.checkCondition(
                    access == Reservations.WRITE ? Sense.writeError() : Sense.unrecoveredReadError());
        };
    }

    /** REQUEST SENSE (SPC-4): the oldest unit attention, which it clears, or NO SENSE. Fixed format only. */
    private ScsiResponse requestSense(byte[] cdb) {
        if ((cdb[1] & 0x01) != 0) {
            throw ScsiError.check(Sense.illegalField(true, 1, 0)); // DESC: descriptor format is not supported
        }
        byte[] sense = attentions.poll();
        ByteBuffer data = ByteBuffer.wrap(sense != null ? sense : Sense.noSense());
        return ScsiResponse.good(Cdb.cut(data, Cdb.u8(cdb, 4)));
    }

    /** REPORT LUNS (SPC-4): LUN 0 alone; no well-known logical units. */
    private static ScsiResponse reportLuns(byte[] cdb) {
        int select = cdb[2] & 0xff;
        if (select > 2 && (select < 0x10 || select > 0x12)) {
            throw ScsiError.invalidField(2);
        }
        boolean lunZero = select != 1 && select != 0x11;
        ByteBuffer b = ByteBuffer.allocate(lunZero ? 16 : 8);
        b.putInt(lunZero ? 8 : 0).putInt(0);
        if (lunZero) {
            b.putLong(0);
        }
        return ScsiResponse.good(Cdb.cut(b.flip(), Cdb.u32(cdb, 6)));
    }

    /**
     * START STOP UNIT (SBC-3): a vDisk has no motor and no medium to eject, and a stopped state would keep a
     * rebooting machine from its disk, so the unit stays ready; stopping flushes, as a real disk does on spin-down,
     * unless NO_FLUSH is set.
     */
    private ScsiResponse startStopUnit(byte[] cdb) {
        boolean start = (cdb[4] & 0x01) != 0;
        boolean noFlush = (cdb[4] & 0x04) != 0;
        if (!start && !noFlush && device.canWrite()) {
            device.flush();
        }
        return ScsiResponse.good();
    }

    // ---- for the command families

    long blocks() {
        return blocks;
    }

    int maxTransferBlocks() {
        return maxTransferBlocks;
    }

    int preferredBlocks() {
        return Math.max(1, device.limits().preferred() / BLOCK);
    }

    /** Logical block provisioning management is enabled (READ CAPACITY(16) LBPME). */
    boolean thin() {
        return device.canTrim();
    }

    void checkWritable() {
        if (!device.canWrite()) {
            throw ScsiError.check(Sense.writeProtected());
        }
    }

    /** FUA from the CDB, or for every write while the caching page's WCE is cleared. */
    IoFlags writeFlags(boolean fua) {
        return fua || !unit.writeCache() ? IoFlags.FUA : IoFlags.NONE;
    }
}
