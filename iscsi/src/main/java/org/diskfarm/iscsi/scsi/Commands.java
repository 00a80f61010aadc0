package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands this logical unit supports, with their CDB usage data (the bits the device server looks at), for
 * REPORT SUPPORTED OPERATION CODES (SPC-4); and the reservation class of every operation code.
 */
final class Commands {
    /** One supported command; {@code serviceAction} is -1 for operation codes without service actions. */
    record Command(int opcode, int serviceAction, byte[] usage) {
    }

    private static final int F = 0xff;
    private static final List<Command> ALL = new ArrayList<>();

    static {
        add(0x00, -1, 0, 0, 0, 0, 0);                                   // TEST UNIT READY
        add(0x03, -1, 0x01, 0, 0, F, 0);                                // REQUEST SENSE
        add(0x08, -1, 0x1f, F, F, F, 0);                                // READ(6)
        add(0x0a, -1, 0x1f, F, F, F, 0);                                // WRITE(6)
        add(0x12, -1, 0x01, F, F, F, 0);                                // INQUIRY
        add(0x15, -1, 0x11, 0, 0, F, 0);                                // MODE SELECT(6)
        add(0x16, -1, 0, 0, 0, 0, 0);                                   // RESERVE(6)
        add(0x17, -1, 0, 0, 0, 0, 0);                                   // RELEASE(6)
        add(0x1a, -1, 0x08, F, F, F, 0);                                // MODE SENSE(6)
        add(0x1b, -1, 0x01, 0, 0x0f, 0xf7, 0);                          // START STOP UNIT
        add(0x1e, -1, 0, 0, 0, 0x03, 0);                                // PREVENT ALLOW MEDIUM REMOVAL
        add(0x25, -1, 0, F, F, F, F, 0, 0, 0x01, 0);                    // READ CAPACITY(10)
        add(0x28, -1, 0x18, F, F, F, F, 0, F, F, 0);                    // READ(10)
        add(0x2a, -1, 0x18, F, F, F, F, 0, F, F, 0);                    // WRITE(10)
        add(0x2e, -1, 0x12, F, F, F, F, 0, F, F, 0);                    // WRITE AND VERIFY(10)
        add(0x2f, -1, 0x16, F, F, F, F, 0, F, F, 0);                    // VERIFY(10)
        add(0x34, -1, 0x02, F, F, F, F, 0, F, F, 0);                    // PRE-FETCH(10)
        add(0x35, -1, 0x02, F, F, F, F, 0, F, F, 0);                    // SYNCHRONIZE CACHE(10)
        add(0x37, -1, 0, 0x1f, 0, 0, 0, 0, F, F, 0);                    // READ DEFECT DATA(10)
        add(0x41, -1, 0x08, F, F, F, F, 0, F, F, 0);                    // WRITE SAME(10)
        add(0x42, -1, 0, 0, 0, 0, 0, 0, F, F, 0);                       // UNMAP
        add(0x55, -1, 0x11, 0, 0, 0, 0, 0, F, F, 0);                    // MODE SELECT(10)
        add(0x56, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0);                       // RESERVE(10)
        add(0x57, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0);                       // RELEASE(10)
        add(0x5a, -1, 0x18, F, F, 0, 0, 0, F, F, 0);                    // MODE SENSE(10)
        for (int sa = 0; sa <= 3; sa++) {
            add(0x5e, sa, sa, 0, 0, 0, 0, 0, F, F, 0);                  // PERSISTENT RESERVE IN
        }
        for (int sa = 0; sa <= 6; sa++) {
            add(0x5f, sa, sa, F, 0, 0, F, F, F, F, 0);                  // PERSISTENT RESERVE OUT
        }
        int[] sixteen = {F, F, F, F, F, F, F, F, F, F, F, F, 0, 0};
        add16(0x88, 0x18, sixteen);                                      // READ(16)
        add(0x89, -1, 0x18, F, F, F, F, F, F, F, F, 0, 0, 0, F, 0, 0);  // COMPARE AND WRITE
        add16(0x8a, 0x18, sixteen);                                      // WRITE(16)
        add16(0x8b, 0x18, sixteen);                                      // ORWRITE(16)
        add16(0x8e, 0x12, sixteen);                                      // WRITE AND VERIFY(16)
        add16(0x8f, 0x16, sixteen);                                      // VERIFY(16)
        add16(0x90, 0x02, sixteen);                                      // PRE-FETCH(16)
        add16(0x91, 0x02, sixteen);                                      // SYNCHRONIZE CACHE(16)
        add16(0x93, 0x09, sixteen);                                      // WRITE SAME(16)
        add(0x9e, 0x10, 0x10, F, F, F, F, F, F, F, F, F, F, F, F, 0, 0); // READ CAPACITY(16)
        add(0x9e, 0x12, 0x12, F, F, F, F, F, F, F, F, F, F, F, F, 0, 0); // GET LBA STATUS
        add(0xa0, -1, 0, F, 0, 0, 0, F, F, F, F, 0, 0);                 // REPORT LUNS
        add(0xa3, 0x0c, 0x0c, 0x87, F, F, F, F, F, F, F, 0, 0);         // REPORT SUPPORTED OPERATION CODES
        add(0xb7, -1, 0x1f, 0, 0, 0, 0, F, F, F, F, 0, 0);              // READ DEFECT DATA(12)
        add(0xa8, -1, 0x18, F, F, F, F, F, F, F, F, 0, 0);              // READ(12)
        add(0xaa, -1, 0x18, F, F, F, F, F, F, F, F, 0, 0);              // WRITE(12)
        add(0xae, -1, 0x12, F, F, F, F, F, F, F, F, 0, 0);              // WRITE AND VERIFY(12)
        add(0xaf, -1, 0x16, F, F, F, F, F, F, F, F, 0, 0);              // VERIFY(12)
    }

    private Commands() {
    }

    private static void add(int opcode, int serviceAction, int... rest) {
        byte[] usage = new byte[rest.length + 1];
        usage[0] = (byte) opcode;
        for (int i = 0; i < rest.length; i++) {
            usage[i + 1] = (byte) rest[i];
        }
        ALL.add(new Command(opcode, serviceAction, usage));
    }

    private static void add16(int opcode, int flags, int[] rest) {
        int[] all = new int[rest.length + 1];
        all[0] = flags;
        System.arraycopy(rest, 0, all, 1, rest.length);
        add(opcode, -1, all);
    }

    /** The reservation class ({@link Reservations}) of a command. */
    static int access(int opcode) {
        return switch (opcode) {
            case 0x12, 0xa0, 0x03 -> Reservations.EXEMPT;
            case 0x5e, 0x5f -> Reservations.PERSISTENT;
            case 0x16, 0x17, 0x56, 0x57 -> Reservations.RESERVE;
            case 0x00, 0x25, 0x9e, 0xa3 -> Reservations.METADATA;
            case 0x08, 0x28, 0xa8, 0x88, 0x2f, 0xaf, 0x8f, 0x34, 0x90, 0x1a, 0x5a, 0x37, 0xb7 -> Reservations.READ;
            default -> Reservations.WRITE;
        };
    }

    private static boolean hasServiceActions(int opcode) {
        return opcode == 0x5e || opcode == 0x5f || opcode == 0x9e || opcode == 0xa3;
    }

    /** REPORT SUPPORTED OPERATION CODES (SPC-4): all commands, or one by operation code and service action. */
    static ScsiResponse reportSupported(byte[] cdb) {
        boolean timeouts = (cdb[2] & 0x80) != 0;
        int options = cdb[2] & 0x07;
        int opcode = cdb[3] & 0xff;
        int serviceAction = Cdb.u16(cdb, 4);
        long allocation = Cdb.u32(cdb, 6);
        ByteBuffer b;
        if (options == 0) {
            int size = timeouts ? 20 : 8;
            b = ByteBuffer.allocate(4 + size * ALL.size());
            b.putInt(size * ALL.size());
            for (Command c : ALL) {
                b.put((byte) c.opcode()).put((byte) 0).putShort((short) Math.max(0, c.serviceAction()));
                b.put((byte) 0).put((byte) ((timeouts ? 0x02 : 0) | (c.serviceAction() >= 0 ? 0x01 : 0)));
                b.putShort((short) c.usage().length);
                if (timeouts) {
                    putTimeouts(b);
                }
            }
        } else if (options <= 3) {
            boolean withServiceAction = hasServiceActions(opcode);
            if ((options == 1 && withServiceAction) || (options == 2 && !withServiceAction)) {
                throw ScsiError.check(Sense.illegalField(true, 2, 2)); // the REPORTING OPTIONS field
            }
            Command found = null;
            for (Command c : ALL) {
                if (c.opcode() == opcode && (!withServiceAction || c.serviceAction() == serviceAction)) {
                    found = c;
                }
            }
            int cdbSize = found == null ? 0 : found.usage().length;
            b = ByteBuffer.allocate(4 + cdbSize + (timeouts ? 12 : 0));
            b.put((byte) 0).put((byte) ((timeouts ? 0x80 : 0) | (found == null ? 0x01 : 0x03)));
            b.putShort((short) cdbSize);
            if (found != null) {
                b.put(found.usage());
            }
            if (timeouts) {
                putTimeouts(b);
            }
        } else {
            throw ScsiError.check(Sense.illegalField(true, 2, 2));
        }
        return ScsiResponse.good(Cdb.cut(b.flip(), allocation));
    }

    /** Command timeouts descriptor (SPC-4): no nominal or recommended timeout is known. */
    private static void putTimeouts(ByteBuffer b) {
        b.putShort((short) 0x0a).put((byte) 0).put((byte) 0).putInt(0).putInt(0);
    }
}
