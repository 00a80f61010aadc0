package org.diskfarm.farm;

import java.util.List;
import java.util.Optional;

/**
 * Where the farm keeps its target devices and their assignments. Streaming asks it who a MAC address is; it never
 * knows where the answer comes from. Today that is {@link DevicesFile} in the data folder; the farm database will
 * implement the same interface.
 *
 * <p>Calls may come from many threads at once and must be cheap: every new connection asks.
 */
public interface DeviceDirectory {

    /** The device with this MAC address, if the farm knows it. */
    Optional<TargetDevice> find(MacAddress mac);

    /** Every device, ordered by MAC address. */
    List<TargetDevice> all();
}
