/**
 * SCSI for a disk logical unit (SPC-4, SBC-3) over a {@link org.diskfarm.block.BlockDevice}: CDBs in, status, sense
 * data and data out. Knows nothing of iSCSI PDUs; the transport ({@link org.diskfarm.iscsi}) moves the bytes.
 *
 * <p>The public API is what the transport uses: {@link org.diskfarm.iscsi.scsi.ScsiLogicalUnit} (one per target,
 * shared by its sessions: reservations, unit attentions, mode pages; {@code attach} and {@code reset}),
 * {@link org.diskfarm.iscsi.scsi.ScsiDisk} (one per session: {@code dataOutLength}, {@code execute},
 * {@code detach}), {@link org.diskfarm.iscsi.scsi.ScsiIdentity}, {@link org.diskfarm.iscsi.scsi.ScsiNexus},
 * {@link org.diskfarm.iscsi.scsi.ScsiResponse}, {@link org.diskfarm.iscsi.scsi.ScsiStatus} and
 * {@link org.diskfarm.iscsi.scsi.Sense}. The command families live in package-private classes: {@code Inquiry},
 * {@code ModePages}, {@code BlockIo}, {@code Provisioning}, {@code ReservationCommands} and {@code Reservations},
 * {@code Commands} (REPORT SUPPORTED OPERATION CODES), {@code Cdb} (field access and shared checks).
 */
package org.diskfarm.iscsi.scsi;
