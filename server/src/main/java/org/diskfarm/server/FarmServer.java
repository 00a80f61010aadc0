package org.diskfarm.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.ChapSecretsFile;
import org.diskfarm.farm.DeviceStates;
import org.diskfarm.farm.DevicesFile;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.FarmDatabase;
import org.diskfarm.farm.FarmDirectory;
import org.diskfarm.farm.FarmException;
import org.diskfarm.farm.Membership;
import org.diskfarm.farm.Outage;
import org.diskfarm.farm.Servers;
import org.diskfarm.iscsi.IscsiServer;
import org.diskfarm.nbd.NbdServer;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskLock;

/**
 * One running farm server: its membership of the farm (the farm database, the heartbeat), the store folders and
 * their scanner, the device directory, the vDisk access rules, the devices' write caches, and the listeners (NBD,
 * iSCSI, HTTP API). {@link #start} brings them up in that order; {@link #close} takes them down in reverse, so that no
 * connection can touch a cache or a vDisk after it was closed: connections are closed first (their requests in flight
 * finish), then the caches, then the Private-mode vDisks are flushed and their locks deleted, and last the server
 * leaves the farm.
 */
public final class FarmServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FarmServer.class.getName());

    private final ServerSettings settings;
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private FarmDatabase db;
    private Farm farm;
    private Outage outage;
    private StoreFolders folders;
    private StoreScanner scanner;
    private DevicesFileImport devicesFile;
    private FarmDirectory directory;
    private DeviceStates states;
    private DeviceSessions sessions;
    private VDiskStats stats;
    private ServerMetrics metrics;
    private DeviceCaches caches;
    private NbdServer nbd;
    private IscsiServer iscsi;
    private IscsiExports targets;
    private HttpApi http;
    private Membership membership;
    private ScheduledExecutorService scans;
    private String newToken;
    private String advertised;
    private BootServices boot;
    private boolean closed;

    private FarmServer(ServerSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts a server.
     *
     * @throws IllegalArgumentException with a one-line reason if the data folder, the devices file or the farm
     *                                  database is unusable, a port cannot be bound, or this server's name is taken
     */
    public static FarmServer start(ServerSettings settings) {
        FarmServer server = new FarmServer(settings);
        try {
            server.startParts();
            return server;
        } catch (FarmException | IllegalStateException e) {
            server.close();
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startParts() {
        try {
            Files.createDirectories(settings.store());
        } catch (IOException e) {
            throw StorageException.io(settings.store() + ": cannot create the store folder", e);
        }
        DevicesFile file = DevicesFile.open(settings.devicesFile());
        db = FarmDatabase.open(settings.farm().database());
        parts.push(db);
        farm = new Farm(db, Clock.systemUTC());
        outage = new Outage(db.location().describe());
        farm.stores().ensure(ServerSettings.DEFAULT_STORE, name(), settings.store().toAbsolutePath().toString());
        folders = new StoreFolders(ServerSettings.DEFAULT_STORE, settings.store().toAbsolutePath());
        scanner = new StoreScanner(farm, name(), ServerSettings.DEFAULT_STORE, settings.store().toAbsolutePath(),
                folders, outage);
        parts.push(scanner);
        scanner.scan();
        for (VDiskFiles files : folders.vdisks()) {
            VDiskLock.removeIfStale(files);
        }
        devicesFile = new DevicesFileImport(file, farm, name());
        devicesFile.syncIfChanged();
        directory = new FarmDirectory(farm, outage);
        directory.refresh();
        states = new DeviceStates(farm, name(), outage);
        parts.push(states);
        sessions = new DeviceSessions(states);
        stats = new VDiskStats();
        VDiskAccess access = new VDiskAccess(name());
        parts.push(access);
        caches = new DeviceCaches(access, settings.cache());
        parts.push(caches);
        Exports exports = new Exports(folders, new ImportingDirectory(directory, devicesFile), access, caches,
                this::opened);
        targets = new IscsiExports(exports, ChapSecretsFile.open(settings.chapSecretsFile()));
        nbd = listen("NBD", settings.nbdPort(), () -> NbdServer.start(
                new InetSocketAddress(settings.bind(), settings.nbdPort()), exports, exports, settings.nbd()));
        parts.push(nbd);
        advertised = advertise(settings);
        iscsi = listen("iSCSI", settings.iscsiPort(), () -> IscsiServer.start(
                new InetSocketAddress(settings.bind(), settings.iscsiPort()), targets, targets,
                settings.iscsi().withAdvertisedHost(advertised)));
        parts.push(iscsi);
        metrics = new ServerMetrics(name(), stats, nbd::connectionCount, iscsi::connectionCount, this::cacheUse,
                () -> !outage.isDown());
        parts.push(metrics);
        ApiAccess apiAccess = new ApiAccess(farm, settings.farm());
        http = listen("HTTP", settings.httpPort(), () -> new HttpApi(this, apiAccess, settings.bind(),
                settings.httpPort()));
        parts.push(http);
        membership = Membership.join(farm, name(), advertised, nbd.port(), iscsi.port(), http.port(),
                settings.farm().lease(), this::load, outage);
        parts.push(membership);
        membership.onBeat(this::beat);
        boot = BootServices.start(this);
        parts.push(boot);
        newToken = settings.farm().apiToken() == null ? farm.tokens().createFirst().orElse(null) : null;
        if (newToken != null) {
            saveToken(newToken);
        }
        scans = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("store-scan")
                .factory());
        long every = settings.farm().scanInterval().toMillis();
        scans.scheduleWithFixedDelay(this::scan, every, every, TimeUnit.MILLISECONDS);
        parts.push(scans::shutdownNow);
        logStore();
    }

    /**
     * Keeps the farm's first API token in {@code DATA/api-token}, readable by its owner only, for scripts on this
     * machine ({@code diskfarm --token-file}); the farm itself keeps only its hash.
     */
    private void saveToken(String token) {
        java.nio.file.Path file = tokenFile();
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n");
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: the API token could not be saved: {1}", file, e.getMessage());
        }
    }

    /** Where the token made at the farm's first start is kept: {@code DATA/api-token}. */
    public java.nio.file.Path tokenFile() {
        return settings.data().resolve("api-token");
    }

    /**
     * Every scan interval: the store folders, and the whole copy of the farm's devices kept for outages (lookups keep
     * it current for the devices they find; this catches the rest without reading every device at every beat).
     */
    private void scan() {
        scanner.scan();
        if (!outage.isDown()) {
            try {
                directory.refresh();
            } catch (FarmException e) {
                if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                    throw e;
                }
                outage.failed(e, farm.now());
            }
        }
    }

    /** Every beat of the membership: device states, devices.csv. */
    private void beat() {
        if (outage.isDown()) {
            return;
        }
        try {
            devicesFile.syncIfChanged();
        } catch (FarmException e) {
            if (e.kind() == FarmException.Kind.UNAVAILABLE) {
                outage.failed(e, farm.now());
                return;
            }
            throw e;
        }
        states.flush();
    }

    /** What the protocol gets for an opened export: the device, counted per vDisk, and for devices their state. */
    private BlockDevice opened(Exports.Target target, BlockDevice device) {
        BlockDevice counted = stats.count(target.files().name(), device, settings.nbd().zeroCopyMinBytes());
        return target.device() == null ? counted : sessions.opened(target.device().mac(), counted);
    }

    private Servers.Load load() {
        return new Servers.Load(sessions.count(), stats.bytesRead(), stats.bytesWritten());
    }

    private Map<String, Long> cacheUse() {
        Map<String, Long> use = new HashMap<>();
        for (DeviceCaches.CacheState cache : caches.states()) {
            use.merge(cache.vdisk(), cache.usedBytes(), Long::sum);
        }
        return use;
    }

    /**
     * The address other servers and devices reach this one at, as recorded in the farm and put into boot scripts,
     * SendTargets answers and DHCP offers: {@code --advertise-address}, else the bind address, else (bound to every
     * address) the first IPv4 address of an interface that is up and not loopback.
     */
    public String address() {
        return advertised;
    }

    /** The HTTP base URL devices use: {@code http://ADDRESS:PORT}. */
    String httpBaseUrl() {
        return "http://" + (advertised.contains(":") ? "[" + advertised + "]" : advertised) + ":" + http.port();
    }

    private static String advertise(ServerSettings settings) {
        if (settings.boot().advertiseAddress() != null) {
            return settings.boot().advertiseAddress();
        }
        if (!settings.bind().equals("0.0.0.0") && !settings.bind().equals("::")) {
            return settings.bind();
        }
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(
                    java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (address instanceof java.net.Inet4Address && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (java.net.SocketException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list network interfaces: {0}", e.getMessage());
        }
        LOG.log(System.Logger.Level.WARNING, "no address to advertise but loopback: devices on the network cannot "
                + "reach this server; set --advertise-address");
        return "127.0.0.1";
    }

    /** Runs {@code start}; a failure to bind (an I/O error thrown unchecked by Netty or Helidon) becomes one line. */
    private <T> T listen(String what, int port, java.util.function.Supplier<T> start) {
        try {
            return start.get();
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException(StorageException.Kind.IO_ERROR, what + ": cannot listen on " + settings.bind()
                    + ":" + port + ": " + e.getMessage());
        }
    }

    public String name() {
        return settings.name();
    }

    public ServerSettings settings() {
        return settings;
    }

    public int nbdPort() {
        return nbd.port();
    }

    /** NBD connections open now. */
    public int nbdConnections() {
        return nbd.connectionCount();
    }

    public int iscsiPort() {
        return iscsi.port();
    }

    /** iSCSI connections open now (discovery and normal sessions). */
    public int iscsiConnections() {
        return iscsi.connectionCount();
    }

    /** The iSCSI target names this server offers now, in the order discovery lists them. */
    List<String> iscsiTargets() {
        return targets.names();
    }

    public int httpPort() {
        return http.port();
    }

    /** The TFTP port, or -1 when TFTP is off. */
    public int tftpPort() {
        return boot.tftpPort();
    }

    /** The API token this start made because the farm had none: to be shown once; else empty. */
    public Optional<String> newApiToken() {
        return Optional.ofNullable(newToken);
    }

    Farm farm() {
        return farm;
    }

    FarmDirectory directory() {
        return directory;
    }

    DeviceCaches caches() {
        return caches;
    }

    DeviceSessions sessions() {
        return sessions;
    }

    StoreFolders folders() {
        return folders;
    }

    ServerMetrics metrics() {
        return metrics;
    }

    boolean databaseUp() {
        return !outage.isDown();
    }

    /**
     * A device's boot event, wherever it comes from (its boot script, the API): recorded in the farm, so that every
     * server drops a write cache of the device made before now at its next connection there, and this server's cache
     * dropped at once. While the farm database is away only this server's cache is dropped and the state waits in
     * {@link DeviceStates}.
     *
     * @return the device as the farm (or, while it is away, this server's copy) knows it (empty without a vDisk),
     *         with whether a cache of it was dropped here
     * @throws FarmException NOT_FOUND for a device the farm does not know
     */
    BootEvent bootEvent(org.diskfarm.farm.MacAddress mac) {
        Optional<org.diskfarm.farm.TargetDevice> device = Optional.empty();
        boolean recorded = false;
        if (!outage.isDown()) {
            try {
                device = farm.devices().bootEvent(mac, name()).target();
                recorded = true;
            } catch (FarmException e) {
                if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                    throw e;
                }
                outage.failed(e, farm.now());
            }
        }
        if (!recorded) {
            device = directory.find(mac); // the last good copy, answered at once
        }
        boolean dropped = caches.bootEvent(mac);
        if (!recorded) {
            sessions.booting(mac);
        }
        return new BootEvent(device, dropped, recorded);
    }

    /** What {@link #bootEvent} did: the device, a cache dropped here, the event recorded in the farm. */
    record BootEvent(Optional<org.diskfarm.farm.TargetDevice> device, boolean cacheDropped, boolean recorded) {
    }

    /** Scans the store folders now (after a change made through this server, so that it applies at once). */
    void scanNow() {
        scanner.scan();
    }

    private void logStore() {
        List<VDiskFiles> vdisks = folders.vdisks();
        LOG.log(System.Logger.Level.INFO, "server {0}: farm database {1}; stores {2} hold {3} vDisk(s); {4} "
                + "device(s) in the farm", name(), db.location().describe(), folders.describe(), vdisks.size(),
                directory.all().size());
    }

    /**
     * Stops the server: closes the listeners and every connection (requests in flight finish; clients see a closed
     * socket and may reconnect elsewhere), drops the write caches, flushes and closes the Private-mode vDisks and
     * deletes their locks, then leaves the farm. Safe to call twice.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LOG.log(System.Logger.Level.INFO, "server {0}: stopping", name());
        // Listeners first, then what they used; membership last but one, so that others see this server down only
        // once it serves nobody; the database last.
        List<AutoCloseable> order = new java.util.ArrayList<>();
        for (AutoCloseable part : List.of(parts.toArray(AutoCloseable[]::new))) {
            if (part != membership && part != db && part != http) {
                order.add(part);
            }
        }
        if (http != null) {
            order.add(http);
        }
        if (membership != null) {
            order.add(membership);
        }
        if (db != null) {
            order.add(db);
        }
        RuntimeException failure = null;
        for (AutoCloseable part : order) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "server {0}: stopping {1}: {2}", name(), part, e.toString());
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "server {0}: stopped cleanly; acknowledged writes are on disk, "
                + "caches closed, locks released", name());
        if (failure != null) {
            throw failure;
        }
    }
}
