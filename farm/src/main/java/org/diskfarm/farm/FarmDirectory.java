package org.diskfarm.farm;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The device directory of a farm server: the farm database, with this server's last good copy of it for when the
 * database cannot be reached. While the database is up every lookup asks it, so a device added through any server
 * can connect at once; while it is down ({@link Outage}), lookups answer from the copy at once, without waiting for
 * a connection, so that known devices go on reconnecting. The membership beat refreshes the copy ({@link #refresh})
 * and finds out when the database is back.
 */
public final class FarmDirectory implements DeviceDirectory {
    private final Farm farm;
    private final Outage outage;
    private volatile Map<MacAddress, TargetDevice> copy = Map.of();

    public FarmDirectory(Farm farm, Outage outage) {
        this.farm = farm;
        this.outage = outage;
    }

    @Override
    public Optional<TargetDevice> find(MacAddress mac) {
        if (!outage.isDown()) {
            try {
                Optional<TargetDevice> found = farm.devices().find(mac).flatMap(Devices.Info::target);
                remember(mac, found);
                return found;
            } catch (FarmException e) {
                if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                    throw e;
                }
                outage.failed(e, farm.now());
            }
        }
        return Optional.ofNullable(copy.get(mac));
    }

    @Override
    public List<TargetDevice> all() {
        if (!outage.isDown()) {
            try {
                return List.copyOf(refresh().values());
            } catch (FarmException e) {
                if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                    throw e;
                }
                outage.failed(e, farm.now());
            }
        }
        return List.copyOf(copy.values());
    }

    /**
     * Keeps what a lookup found in the copy, so that a device added since the last refresh can reconnect if the
     * database goes away before the next one.
     */
    private synchronized void remember(MacAddress mac, Optional<TargetDevice> found) {
        if (found.equals(Optional.ofNullable(copy.get(mac)))) {
            return;
        }
        Map<MacAddress, TargetDevice> next = new TreeMap<>(copy);
        found.ifPresentOrElse(device -> next.put(mac, device), () -> next.remove(mac));
        copy = java.util.Collections.unmodifiableMap(next);
    }

    /** True while answers come from the last good copy. */
    public boolean stale() {
        return outage.isDown();
    }

    /** Reads every device with a vDisk into the copy. */
    public synchronized Map<MacAddress, TargetDevice> refresh() {
        Map<MacAddress, TargetDevice> fresh = new TreeMap<>();
        for (Devices.Info device : farm.devices().all()) {
            device.target().ifPresent(target -> fresh.put(target.mac(), target));
        }
        copy = java.util.Collections.unmodifiableMap(fresh);
        return copy;
    }
}
