package org.diskfarm.iscsi;

import java.net.SocketAddress;
import org.diskfarm.block.BlockDevice;

/**
 * Opens LUN 0's block device for one new normal session. The session owns the device and closes it when the session
 * ends; an opener that shares one device between sessions hands out a wrapper whose close does not close the shared
 * device.
 *
 * <p>Called on a virtual thread: it may block (open a file, take a Private-mode lock). It may throw a
 * {@link org.diskfarm.block.StorageException}; the login is then refused with status 0x0301 (service unavailable,
 * RFC 7143 section 11.13.5) and one log line naming the reason (for BUSY, who holds the vDisk).
 */
@FunctionalInterface
public interface IscsiTargetOpener {

    /**
     * @param target        the canonical target name, as {@link IscsiTargets#lookup} returned it
     * @param initiatorName the InitiatorName key of the login
     * @param initiator     the initiator's address, for locks and logs that must say who holds what
     */
    BlockDevice open(String target, String initiatorName, SocketAddress initiator);
}
