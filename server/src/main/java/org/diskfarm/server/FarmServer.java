package org.diskfarm.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.ChapSecretsFile;
import org.diskfarm.farm.DeviceDirectory;
import org.diskfarm.farm.DevicesFile;
import org.diskfarm.iscsi.IscsiServer;
import org.diskfarm.nbd.NbdServer;
import org.diskfarm.store.LocalStore;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskLock;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;

/**
 * One running farm server: the store in its data folder, the device directory, the vDisk access rules, the devices'
 * write caches, and the listeners (NBD, HTTP API). {@link #start} brings them up in that order; {@link #close} takes
 * them down in reverse, so that no connection can touch a cache or a vDisk after it was closed: connections are
 * closed first (their requests in flight finish), then the caches, then the Private-mode vDisks are flushed and their
 * locks deleted.
 */
public final class FarmServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FarmServer.class.getName());

    private final ServerSettings settings;
    private final LocalStore store;
    private final DevicesFile devices;
    private final VDiskAccess access;
    private final DeviceCaches caches;
    private final NbdServer nbd;
    private final IscsiExports targets;
    private IscsiServer iscsi;
    private HttpApi http;
    private boolean closed;

    /** A vDisk as the API shows it. */
    record VDiskState(String name, String mode, String writeCacheType, long writeCacheSize, long size,
            String lockHolder, String error) {
    }

    private FarmServer(ServerSettings settings, LocalStore store, DevicesFile devices, VDiskAccess access,
            DeviceCaches caches, NbdServer nbd, IscsiExports targets) {
        this.settings = settings;
        this.store = store;
        this.devices = devices;
        this.access = access;
        this.caches = caches;
        this.nbd = nbd;
        this.targets = targets;
    }

    /**
     * Starts a server.
     *
     * @throws StorageException or IllegalArgumentException with a one-line reason if the data folder or the devices
     *                          file is unusable, or a port cannot be bound
     */
    public static FarmServer start(ServerSettings settings) {
        try {
            Files.createDirectories(settings.store());
        } catch (IOException e) {
            throw StorageException.io(settings.store() + ": cannot create the store folder", e);
        }
        LocalStore store = new LocalStore(settings.store());
        DevicesFile devices = DevicesFile.open(settings.devicesFile());
        for (VDiskFiles files : store.vdisks()) {
            VDiskLock.removeIfStale(files);
        }
        VDiskAccess access = new VDiskAccess(settings.name());
        DeviceCaches caches = new DeviceCaches(access, settings.cache());
        Exports exports = new Exports(store, devices, access, caches);
        IscsiExports targets = new IscsiExports(exports, ChapSecretsFile.open(settings.chapSecretsFile()));
        NbdServer nbd = null;
        FarmServer server = null;
        try {
            nbd = listen("NBD", settings.nbdPort(), settings, () -> NbdServer.start(
                    new InetSocketAddress(settings.bind(), settings.nbdPort()), exports, exports, settings.nbd()));
            server = new FarmServer(settings, store, devices, access, caches, nbd, targets);
            server.iscsi = listen("iSCSI", settings.iscsiPort(), settings, () -> IscsiServer.start(
                    new InetSocketAddress(settings.bind(), settings.iscsiPort()), targets, targets, settings.iscsi()));
            FarmServer started = server;
            server.http = listen("HTTP", settings.httpPort(), settings,
                    () -> new HttpApi(started, settings.bind(), settings.httpPort()));
            server.logStore();
            return server;
        } catch (RuntimeException e) {
            if (server != null && server.iscsi != null) {
                server.iscsi.close();
            }
            if (nbd != null) {
                nbd.close();
            }
            caches.close();
            access.close();
            throw e;
        }
    }

    /** Runs {@code start}; a failure to bind (an I/O error thrown unchecked by Netty or Helidon) becomes one line. */
    private static <T> T listen(String what, int port, ServerSettings settings, java.util.function.Supplier<T> start) {
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

    DeviceDirectory devices() {
        return devices;
    }

    DeviceCaches caches() {
        return caches;
    }

    /** The vDisks of the store now, with what their properties say; a vDisk that cannot be read says why. */
    List<VDiskState> vdisks() {
        List<VDiskState> states = new ArrayList<>();
        for (VDiskFiles files : store.vdisks()) {
            String holder = VDiskLock.holder(files).map(h -> h.describe()).orElse(null);
            try {
                VDiskProperties properties = store.properties(files);
                long size = Vhd.info(files.vhd()).virtualSize();
                states.add(new VDiskState(files.name(), properties.mode().label(),
                        properties.writeCacheType().label(), properties.writeCacheSize(), size, holder, null));
            } catch (StorageException e) {
                states.add(new VDiskState(files.name(), null, null, 0, 0, holder, e.getMessage()));
            }
        }
        return states;
    }

    private void logStore() {
        List<VDiskState> states = vdisks();
        LOG.log(System.Logger.Level.INFO, "server {0}: store {1} holds {2} vDisk(s); {3} device(s) in {4}", name(),
                store.dir(), states.size(), devices.all().size(), devices.file());
        for (VDiskState state : states) {
            if (state.error() != null) {
                LOG.log(System.Logger.Level.WARNING, "vDisk {0}: {1}", state.name(), state.error());
            } else {
                LOG.log(System.Logger.Level.INFO, "vDisk {0}: {1} bytes, {2} mode{3}", state.name(),
                        Long.toString(state.size()), state.mode(),
                        state.mode().equals("standard") ? ", " + state.writeCacheType() + " write cache" : "");
            }
        }
    }

    /**
     * Stops the server: closes the listeners and every connection (requests in flight finish; clients see a closed
     * socket and may reconnect elsewhere), drops the write caches, flushes and closes the Private-mode vDisks and
     * deletes their locks. Safe to call twice.
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
        try {
            try {
                nbd.close();
            } finally {
                iscsi.close();
            }
        } finally {
            try {
                caches.close();
            } finally {
                try {
                    access.close();
                } finally {
                    http.close();
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "server {0}: stopped cleanly; acknowledged writes are on disk, "
                + "caches closed, locks released", name());
    }
}
