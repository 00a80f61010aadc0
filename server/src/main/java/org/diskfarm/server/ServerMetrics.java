package org.diskfarm.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.diskfarm.block.IoStats;

/**
 * The server's metrics as {@code GET /metrics} serves them (docs/api.md, "Metrics"): Prometheus text format 0.0.4, every
 * series labelled {@code server}, the I/O and write-cache series also {@code vdisk} (never a device: that would make
 * one series per booting machine).
 *
 * <p>Nothing here is in the data path. The I/O counters are functions over the {@link VDiskStats} totals, read only
 * when Prometheus scrapes; a vDisk's meters are registered by the first {@link #scrape} after the vDisk first appears
 * (in {@link VDiskStats} or in the write-cache map), so that opening a device never waits for the metrics registry.
 *
 * <p>Micrometer names its meters with dots and the Prometheus registry turns them into Prometheus names, adding
 * {@code _total} to counters itself: meter {@code diskfarm.read.bytes} is series {@code diskfarm_read_bytes_total}.
 *
 * <p>JVM metrics: memory, GC, threads, processor, uptime. Not Micrometer's virtual-thread metrics: they start a JFR
 * recording thread that keeps the JVM alive unless closed (STACK.md, gotcha 5), and the data path's virtual threads
 * are short-lived per request, so their pinning events would say little.
 *
 * <p>Threads: safe; scrapes may run at once.
 */
public final class ServerMetrics implements AutoCloseable {
    /** The Content-Type of {@link #scrape}'s text. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final VDiskStats stats;
    private final Supplier<Map<String, Long>> cacheUsedByVDisk;
    /** The write-cache map of the last scrape, which the per-vDisk gauges read. */
    private volatile Map<String, Long> cacheUsed = Map.of();
    /** vDisks whose meters are registered; guarded by {@code this}. */
    private final Set<String> counted = new HashSet<>();
    private final Set<String> cached = new HashSet<>();
    private boolean closed;

    /**
     * @param server           this server's name, the {@code server} label of every series
     * @param stats            the per-vDisk I/O totals
     * @param nbdConnections   NBD connections open now
     * @param iscsiConnections iSCSI connections open now
     * @param cacheUsedByVDisk bytes the write caches hold now, summed per vDisk (vDisks without caches may be left
     *                         out: their gauge then reads 0); called once per scrape
     * @param databaseUp       whether the farm database answers (its last known state: this is called on every scrape
     *                         and should not wait for the database)
     */
    public ServerMetrics(String server, VDiskStats stats, IntSupplier nbdConnections, IntSupplier iscsiConnections,
            Supplier<Map<String, Long>> cacheUsedByVDisk, BooleanSupplier databaseUp) {
        Objects.requireNonNull(server);
        this.stats = Objects.requireNonNull(stats);
        this.cacheUsedByVDisk = Objects.requireNonNull(cacheUsedByVDisk);
        Objects.requireNonNull(nbdConnections);
        Objects.requireNonNull(iscsiConnections);
        Objects.requireNonNull(databaseUp);
        // Before any meter: common tags apply to meters registered after they are set.
        registry.config().commonTags("server", server);
        Gauge.builder("diskfarm.devices.connected", nbdConnections::getAsInt).tag("protocol", "nbd")
                .description("Connections open now").register(registry);
        Gauge.builder("diskfarm.devices.connected", iscsiConnections::getAsInt).tag("protocol", "iscsi")
                .description("Connections open now").register(registry);
        Gauge.builder("diskfarm.farm.database.up", () -> databaseUp.getAsBoolean() ? 1 : 0)
                .description("1 if the farm database answers, 0 if not").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The metrics now, in Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}); vDisks new since the last call included. */
    public String scrape() {
        refresh();
        return registry.scrape();
    }

    /** The registry, for meters of other parts of the server (they get the {@code server} label too). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Registers the meters of vDisks that appeared since the last scrape, and takes the write caches' usage now. */
    private synchronized void refresh() {
        for (Map.Entry<String, IoStats> e : stats.all().entrySet()) {
            if (counted.add(e.getKey())) {
                registerCounters(e.getKey(), e.getValue());
            }
        }
        Map<String, Long> used = Map.copyOf(cacheUsedByVDisk.get());
        cacheUsed = used;
        for (String vdisk : used.keySet()) {
            if (cached.add(vdisk)) {
                Gauge.builder("diskfarm.write.cache.used.bytes", () -> cacheUsed.getOrDefault(vdisk, 0L))
                        .tag("vdisk", vdisk).description("Bytes the devices' write caches hold for the vDisk")
                        .register(registry);
            }
        }
    }

    private void registerCounters(String vdisk, IoStats io) {
        counter("diskfarm.read.bytes", "Bytes read from the vDisk", vdisk, io, IoStats::bytesRead);
        counter("diskfarm.written.bytes", "Bytes written to the vDisk", vdisk, io, IoStats::bytesWritten);
        counter("diskfarm.reads", "Read operations on the vDisk", vdisk, io, IoStats::reads);
        counter("diskfarm.writes", "Write operations on the vDisk", vdisk, io, IoStats::writes);
        counter("diskfarm.io.errors", "Failed operations on the vDisk", vdisk, io, IoStats::errors);
    }

    /** A counter read from {@code io}; the registry holds {@code io} weakly, {@link VDiskStats} keeps it alive. */
    private void counter(String name, String description, String vdisk, IoStats io, ToDoubleFunction<IoStats> value) {
        FunctionCounter.builder(name, io, value).tag("vdisk", vdisk).description(description).register(registry);
    }

    /** Closes the registry and the GC listeners. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            gcMetrics.close();
        } finally {
            registry.close();
        }
    }
}
