package org.diskfarm.iscsi;

import java.util.Objects;
import org.diskfarm.iscsi.scsi.ScsiIdentity;

/**
 * One target as the iSCSI layer needs to know it before a session opens its device.
 *
 * @param name     the canonical target name (IQN, lower case)
 * @param alias    TargetAlias shown to initiators (the vDisk or device name), or null
 * @param identity LUN 0's identity (INQUIRY, VPD 80h/83h): stable for the same vDisk version on every server
 * @param chap     the CHAP secrets an initiator must prove (and, for mutual CHAP, the target's), or null for none
 */
public record IscsiTargetInfo(String name, String alias, ScsiIdentity identity, IscsiChap chap) {
    public IscsiTargetInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(identity, "identity");
    }
}
