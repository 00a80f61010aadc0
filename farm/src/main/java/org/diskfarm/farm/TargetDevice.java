package org.diskfarm.farm;

import java.util.Objects;

/**
 * A diskless machine the farm serves, as far as streaming needs to know it.
 *
 * @param mac   its identity
 * @param name  a name for people ({@code pc01}); unique in the farm
 * @param vdisk    the name of the vDisk assigned to it
 * @param bootedAt when it last booted (epoch milliseconds; 0 if never recorded): a write cache older than this is
 *                 from an earlier boot
 */
public record TargetDevice(MacAddress mac, String name, String vdisk, long bootedAt) {
    public TargetDevice {
        Objects.requireNonNull(mac);
        Objects.requireNonNull(name);
        Objects.requireNonNull(vdisk);
    }

    /** A device whose boots the farm has not recorded. */
    public TargetDevice(MacAddress mac, String name, String vdisk) {
        this(mac, name, vdisk, 0);
    }

    /** One line for logs and lock files: {@code device pc01 (52:54:00:12:34:56)}. */
    public String describe() {
        return "device " + name + " (" + mac + ")";
    }
}
