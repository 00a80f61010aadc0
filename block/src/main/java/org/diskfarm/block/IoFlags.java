package org.diskfarm.block;

/**
 * Protocol-neutral flags of one write, zero or trim request. The protocols translate their own flags (NBD_CMD_FLAG_FUA,
 * SCSI FUA bit, NBD_CMD_FLAG_NO_HOLE, WRITE SAME's UNMAP bit) into these in one place.
 *
 * @param fua     force unit access: the data is durable when the call returns
 * @param noHole  for {@link BlockDevice#zero}: the range must stay allocated (no hole may be punched)
 */
public record IoFlags(boolean fua, boolean noHole) {
    public static final IoFlags NONE = new IoFlags(false, false);
    public static final IoFlags FUA = new IoFlags(true, false);
    public static final IoFlags NO_HOLE = new IoFlags(false, true);

    public IoFlags withFua() {
        return new IoFlags(true, noHole);
    }
}
