package org.diskfarm.vhd;

import org.diskfarm.block.BlockDevice;

/** STUB: being written. */
public abstract sealed class VhdDevice implements BlockDevice permits VhdStub {
    public abstract VhdInfo info();

    public abstract VhdType type();
}
