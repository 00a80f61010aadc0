package org.diskfarm.iscsi.scsi;

import java.util.Objects;

/**
 * An I_T nexus: the initiator port and the target port a command arrives through (SAM-5). In iSCSI the initiator port
 * is the initiator name with the session's ISID ({@code iqn...,i,0x<isid>}) and the target port the target name with
 * the portal group tag ({@code iqn...,t,0x0001}), RFC 7143 section 4.4.2. Reservations and unit attentions are kept
 * per nexus.
 */
public record ScsiNexus(String initiatorPort, String targetPort) {
    public ScsiNexus {
        Objects.requireNonNull(initiatorPort, "initiatorPort");
        Objects.requireNonNull(targetPort, "targetPort");
    }
}
