package org.diskfarm.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.farm.DeviceStates;
import org.diskfarm.farm.MacAddress;

/**
 * Which devices have a live session here (NBD or iSCSI, any number of connections each), reported to the farm as
 * device states: {@code up} when the first connection opens, {@code down} when the last one closes. The count lives
 * here, not in the connections, so that a device's state survives its connections coming and going.
 */
final class DeviceSessions {
    private final DeviceStates states;
    private final Map<MacAddress, Integer> open = new ConcurrentHashMap<>();

    DeviceSessions(DeviceStates states) {
        this.states = states;
    }

    /** The device a connection of {@code mac} uses: {@code device}, reporting when it is closed. */
    BlockDevice opened(MacAddress mac, BlockDevice device) {
        if (open.merge(mac, 1, Integer::sum) == 1) {
            states.record(mac, "up");
        }
        return new ForwardingBlockDevice(device) {
            private boolean closed;

            @Override
            public void close() {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                }
                try {
                    super.close();
                } finally {
                    if (open.merge(mac, -1, (a, b) -> a + b == 0 ? null : a + b) == null) {
                        states.record(mac, "down");
                    }
                }
            }
        };
    }

    /** The device's boot event: it is booting now. */
    void booting(MacAddress mac) {
        states.record(mac, "booting");
    }

    /** Devices with a live session here. */
    int count() {
        return open.size();
    }
}
