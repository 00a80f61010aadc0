package org.diskfarm.farm;

import java.util.Objects;

/**
 * A diskless machine the farm serves, as far as streaming needs to know it.
 *
 * @param mac   its identity
 * @param name  a name for people ({@code pc01}); unique in the farm
 * @param vdisk the name of the vDisk assigned to it
 */
public record TargetDevice(MacAddress mac, String name, String vdisk) {
    public TargetDevice {
        Objects.requireNonNull(mac);
        Objects.requireNonNull(name);
        Objects.requireNonNull(vdisk);
    }

    /** One line for logs and lock files: {@code device pc01 (52:54:00:12:34:56)}. */
    public String describe() {
        return "device " + name + " (" + mac + ")";
    }
}
