package org.diskfarm.farm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the states of the devices this server serves (booting, up, down) to the farm, off the data path: a
 * connection only records the change here and goes on. The latest state per device waits until it is written, so a
 * database outage loses nothing: the states are written when it returns ({@link #flush} at every membership beat).
 */
public final class DeviceStates implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceStates.class.getName());

    private record Pending(String state, long at) {
    }

    private final Farm farm;
    private final String server;
    private final Outage outage;
    private final Map<MacAddress, Pending> pending = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual()
            .name("device-states").factory());
    private final AtomicBoolean queued = new AtomicBoolean();

    public DeviceStates(Farm farm, String server, Outage outage) {
        this.farm = farm;
        this.server = server;
        this.outage = outage;
    }

    /** Records that a device is in {@code state} now; written soon. */
    public void record(MacAddress mac, String state) {
        pending.put(mac, new Pending(state, farm.now()));
        if (!outage.isDown() && queued.compareAndSet(false, true)) {
            try {
                writer.execute(() -> {
                    queued.set(false);
                    flush();
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                queued.set(false);
            }
        }
    }

    /** Writes every pending state; what cannot be written now stays pending. */
    public void flush() {
        for (Map.Entry<MacAddress, Pending> entry : pending.entrySet()) {
            Pending p = entry.getValue();
            try {
                farm.devices().recordState(entry.getKey(), p.state(), server, p.at());
                pending.remove(entry.getKey(), p);
            } catch (FarmException e) {
                if (e.kind() == FarmException.Kind.UNAVAILABLE) {
                    outage.failed(e, farm.now());
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "device {0}: state not recorded: {1}", entry.getKey(),
                        e.getMessage());
                pending.remove(entry.getKey(), p);
            }
        }
    }

    /** States not yet written. */
    public int pendingCount() {
        return pending.size();
    }

    @Override
    public void close() {
        writer.shutdown();
        flush();
    }
}
