package org.diskfarm.farm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This server's membership of the farm: it joins (its row in {@code servers}), renews its lease with a heartbeat a
 * few times per lease, marks down the members whose lease ran out, and leaves at a clean stop. The same beat runs the
 * server's other periodic farm work ({@link #onBeat}): refreshing its copy of the farm, writing device states.
 *
 * <p>A database that cannot be reached does not stop the beat: it is recorded in the {@link Outage} and tried again
 * at the next beat.
 */
public final class Membership implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Membership.class.getName());

    private final Farm farm;
    private final Servers.Registration registration;
    private final Supplier<Servers.Load> load;
    private final Outage outage;
    private final List<Runnable> beats = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private volatile boolean owner = true;

    private Membership(Farm farm, Servers.Registration registration, Supplier<Servers.Load> load, Outage outage) {
        this.farm = farm;
        this.registration = registration;
        this.load = load;
        this.outage = outage;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "farm-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the farm as {@code name}. If a member of that name is up, this waits one lease to see whether it still
     * beats: a crashed predecessor (kill -9) is taken over, a live one refuses the start.
     *
     * @throws FarmException CONFLICT if another live process is this server already, UNAVAILABLE without a database
     */
    public static Membership join(Farm farm, String name, String address, int nbdPort, int iscsiPort, int httpPort,
            Duration lease, Supplier<Servers.Load> load, Outage outage) {
        Optional<Long> lastBeat = farm.servers().find(name).filter(Servers.Info::up)
                .map(info -> info.lastHeartbeat().toEpochMilli());
        if (lastBeat.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "server {0} is marked up in the farm; waiting one lease ({1} ms) to "
                    + "see whether it is still running", name, Long.toString(lease.toMillis()));
            sleep(lease.plus(lease.dividedBy(3)));
            Optional<Long> now = farm.servers().heartbeatOf(name);
            if (now.isPresent() && !now.equals(lastBeat)) {
                throw FarmException.conflict("server " + name + " is running already (it renewed its lease just now);"
                        + " give this server another --name");
            }
        }
        Servers.Registration registration = new Servers.Registration(name, UUID.randomUUID().toString(), address,
                nbdPort, iscsiPort, httpPort, lease.toMillis());
        farm.servers().register(registration);
        Membership membership = new Membership(farm, registration, load, outage);
        long period = Math.max(100, lease.toMillis() / 3);
        membership.timer.scheduleWithFixedDelay(membership::beat, period, period, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "server {0} joined the farm ({1}); lease {2} ms", name,
                farm.db().location().describe(), Long.toString(lease.toMillis()));
        return membership;
    }

    /** Runs {@code task} at every beat, after the heartbeat, whether or not the database answered. */
    public void onBeat(Runnable task) {
        beats.add(task);
    }

    /** One beat: renew the lease, mark expired members down, run the server's periodic work. */
    void beat() {
        try {
            if (!farm.servers().heartbeat(registration.name(), registration.instance(), load.get())) {
                if (owner) {
                    LOG.log(System.Logger.Level.ERROR, "server {0}: another process took this name in the farm; "
                            + "this server no longer renews it", registration.name());
                }
                owner = false;
            }
            for (String expired : farm.servers().markExpired()) {
                LOG.log(System.Logger.Level.WARNING, "server {0} missed its lease: marked down", expired);
            }
            outage.succeeded(farm.now());
        } catch (FarmException e) {
            if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                LOG.log(System.Logger.Level.WARNING, "heartbeat: {0}", e.getMessage());
            }
            outage.failed(e, farm.now());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "heartbeat failed: " + e, e);
        }
        for (Runnable task : beats) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "periodic farm work failed: " + e, e);
            }
        }
    }

    public String name() {
        return registration.name();
    }

    /** Stops beating and marks this server down, so that the others need not wait for its lease. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (owner) {
                farm.servers().leave(registration.name(), registration.instance());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "server {0}: could not mark itself down in the farm: {1}",
                    registration.name(), e.getMessage());
        }
    }

    private static void sleep(Duration time) {
        try {
            Thread.sleep(time);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FarmException(FarmException.Kind.UNAVAILABLE, "interrupted while joining the farm");
        }
    }
}
