package org.diskfarm.nbd;

import java.util.Objects;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.BlockLimits;

/**
 * What the handshake needs to know about one export, without opening anything: what NBD_OPT_INFO shows and what
 * NBD_OPT_GO promises.
 *
 * @param name        the canonical name (what NBD_INFO_NAME and LIST show)
 * @param description text for people, may be empty
 * @param size        size in bytes
 * @param readOnly    writes, trims and zeroes are refused (READ_ONLY flag)
 * @param canTrim     TRIM may release storage (SEND_TRIM)
 * @param canFastZero WRITE_ZEROES is cheaper than writing zeros (SEND_FAST_ZERO)
 * @param multiConn   several connections to this export see each other's writes and flushes (CAN_MULTI_CONN)
 * @param limits      block size constraints, always sent as NBD_INFO_BLOCK_SIZE
 */
public record NbdExportInfo(String name, String description, long size, boolean readOnly, boolean canTrim,
        boolean canFastZero, boolean multiConn, BlockLimits limits) {

    public NbdExportInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(description);
        Objects.requireNonNull(limits);
        if (size < 0) {
            throw new IllegalArgumentException("export " + name + " has negative size " + size);
        }
    }

    /** The export of a device, read-only if the device cannot write. */
    public static NbdExportInfo of(String name, String description, BlockDevice device, boolean multiConn) {
        return new NbdExportInfo(name, description, device.size(), !device.canWrite(), device.canTrim(),
                device.canFastZero(), multiConn, device.limits());
    }

    /**
     * The transmission flags for this export: HAS_FLAGS, SEND_FLUSH and SEND_FUA always; READ_ONLY for read-only
     * exports, else SEND_WRITE_ZEROES and, as the device can, SEND_TRIM and SEND_FAST_ZERO; CAN_MULTI_CONN where
     * allowed; SEND_DF when structured replies were negotiated.
     */
    public int transmissionFlags(boolean structuredReplies) {
        int flags = NbdFlags.Transmission.HAS_FLAGS | NbdFlags.Transmission.SEND_FLUSH
                | NbdFlags.Transmission.SEND_FUA;
        if (readOnly) {
            flags |= NbdFlags.Transmission.READ_ONLY;
        } else {
            flags |= NbdFlags.Transmission.SEND_WRITE_ZEROES;
            if (canTrim) {
                flags |= NbdFlags.Transmission.SEND_TRIM;
            }
            if (canFastZero) {
                flags |= NbdFlags.Transmission.SEND_FAST_ZERO;
            }
        }
        if (multiConn) {
            flags |= NbdFlags.Transmission.CAN_MULTI_CONN;
        }
        if (structuredReplies) {
            flags |= NbdFlags.Transmission.SEND_DF;
        }
        return flags;
    }
}
