package org.diskfarm.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.diskfarm.block.ContentHash;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.FarmException;
import org.diskfarm.farm.Outage;
import org.diskfarm.farm.Stores;
import org.diskfarm.farm.VDisks;
import org.diskfarm.store.LocalStore;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdOptions;

/**
 * Tells the farm what this server's store folders hold, at start-up and then every scan interval (and at once after
 * a change made through this server): every vDisk image with its size, its properties and the content hash of each
 * version; and brings the folders in line with the farm: a {@code .pvp} whose vDisk was changed in the farm is
 * rewritten, a vDisk taken out of the farm is no longer served.
 *
 * <p>Content hashes are computed on one background thread, only for images the farm has no hash of at their current
 * size and modification time, so a restart does not hash a store again.
 */
final class StoreScanner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StoreScanner.class.getName());

    private final Farm farm;
    private final String server;
    private final String ownStore;
    private final Path ownPath;
    private final StoreFolders folders;
    private final Outage outage;
    private final ExecutorService hasher = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("vdisk-hash")
            .factory());
    private final Set<String> hashing = ConcurrentHashMap.newKeySet();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    StoreScanner(Farm farm, String server, String ownStore, Path ownPath, StoreFolders folders, Outage outage) {
        this.farm = farm;
        this.server = server;
        this.ownStore = ownStore;
        this.ownPath = ownPath;
        this.folders = folders;
        this.outage = outage;
    }

    /** One scan; a database that does not answer leaves the folders as they were (the last good copy). */
    synchronized void scan() {
        try {
            Map<String, Path> paths = new LinkedHashMap<>();
            paths.put(ownStore, ownPath);
            for (Stores.Info store : farm.stores().list()) {
                Path path = Path.of(store.pathFor(server));
                if (!store.name().equals(ownStore) && Files.isDirectory(path)) {
                    paths.put(store.name(), path);
                }
            }
            Set<String> notInFarm = new HashSet<>();
            for (Map.Entry<String, Path> entry : paths.entrySet()) {
                notInFarm.addAll(scan(entry.getKey(), new LocalStore(entry.getValue())));
            }
            folders.update(paths, notInFarm);
            outage.succeeded(farm.now());
        } catch (FarmException e) {
            if (e.kind() == FarmException.Kind.UNAVAILABLE) {
                outage.failed(e, farm.now());
            } else {
                LOG.log(System.Logger.Level.WARNING, "store scan: {0}", e.getMessage());
            }
        }
    }

    private Set<String> scan(String storeName, LocalStore store) {
        List<VDisks.Scanned> found = new ArrayList<>();
        Map<String, VDiskFiles> byName = new LinkedHashMap<>();
        for (VDiskFiles files : listQuietly(store)) {
            try {
                VDiskProperties p = VDiskProperties.readIfPresent(files.pvp()).orElse(VDiskProperties.DEFAULTS);
                long size = Vhd.info(files.vhd()).virtualSize();
                long imageModified = Files.getLastModifiedTime(files.vhd()).toMillis();
                long propertiesModified = Files.exists(files.pvp())
                        ? Files.getLastModifiedTime(files.pvp()).toMillis() : 0;
                found.add(new VDisks.Scanned(files.name(), p.version(), size, imageModified, propertiesModified,
                        toFarm(p), null));
                byName.put(files.name(), files);
                warned.remove(files.name());
            } catch (StorageException | IOException | FarmException e) {
                if (warned.add(files.name())) {
                    LOG.log(System.Logger.Level.WARNING, "vDisk {0} in {1} is left out of the farm: {2}",
                            files.name(), store.dir(), e.getMessage());
                }
            }
        }
        VDisks.ScanResult result = farm.vdisks().recordScan(server, storeName, found);
        for (Map.Entry<String, VDisks.Properties> rewrite : result.rewrite().entrySet()) {
            VDiskFiles files = byName.get(rewrite.getKey());
            VDiskProperties before = VDiskProperties.readIfPresent(files.pvp()).orElse(VDiskProperties.DEFAULTS);
            fromFarm(before, rewrite.getValue()).write(files.pvp());
            LOG.log(System.Logger.Level.INFO, "vDisk {0}: {1} rewritten with the farm''s properties",
                    files.name(), files.pvp());
        }
        for (VDisks.Scanned s : found) {
            if (!result.notInFarm().contains(s.name())) {
                hashLater(s, byName.get(s.name()));
            }
        }
        return result.notInFarm();
    }

    private List<VDiskFiles> listQuietly(LocalStore store) {
        try {
            return store.vdisks();
        } catch (StorageException e) {
            if (warned.add(store.dir().toString())) {
                LOG.log(System.Logger.Level.WARNING, "store folder {0}: {1}", store.dir(), e.getMessage());
            }
            return List.of();
        }
    }

    /** Queues a content hash of the image unless the farm knows it for this size and time. */
    private void hashLater(VDisks.Scanned s, VDiskFiles files) {
        if (farm.vdisks().knownHash(server, s.name(), s.version(), s.size(), s.imageModified()).isPresent()
                || !hashing.add(s.name())) {
            return;
        }
        try {
            hasher.execute(() -> {
                try (VhdDevice image = Vhd.open(files.vhd(), VhdOptions.readOnly())) {
                    String hash = ContentHash.of(image).toString();
                    farm.vdisks().recordHash(server, s.name(), s.version(), s.size(), s.imageModified(), hash);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "vDisk {0}: content hash not recorded: {1}", s.name(),
                            e.getMessage());
                } finally {
                    hashing.remove(s.name());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            hashing.remove(s.name());
        }
    }

    static VDisks.Properties toFarm(VDiskProperties p) {
        return new VDisks.Properties(p.mode().label(), p.writeCacheType().label(), p.writeCacheSize(),
                p.loadBalancing(), p.highAvailability(), p.description());
    }

    static VDiskProperties fromFarm(VDiskProperties before, VDisks.Properties p) {
        return before.withMode(VDiskMode.fromLabel(p.mode()))
                .withWriteCacheType(WriteCacheType.fromLabel(p.writeCacheType()))
                .withWriteCacheSize(p.writeCacheSize()).withLoadBalancing(p.loadBalancing())
                .withHighAvailability(p.highAvailability()).withDescription(p.description());
    }

    @Override
    public void close() {
        hasher.shutdownNow();
    }
}
