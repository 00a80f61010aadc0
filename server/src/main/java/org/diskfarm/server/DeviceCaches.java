package org.diskfarm.server;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.cache.WriteCache;
import org.diskfarm.cache.WriteCaches;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;

/**
 * The write caches of Standard-mode devices, one per device, kept by MAC address. A device's cache is made at its
 * first connection after a boot event, with the type and size its vDisk's properties say then; it lives across
 * reconnections (a network blip must not lose the device's writes) and is dropped by the device's next boot event, or
 * when the device is assigned another vDisk. Every cache reads the vDisk through one shared base ({@link VDiskAccess}).
 *
 * <p>Cache files ({@code server-disk}, and {@code ram-overflow} once RAM is full) live in the cache folder, named by
 * the bare MAC address. They do not outlive the server process: at start the folder is emptied of them.
 *
 * <p>Threads: safe; one monitor guards the table, never cache I/O.
 */
final class DeviceCaches implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceCaches.class.getName());

    private final VDiskAccess access;
    private final Path folder;
    private final Map<MacAddress, Entry> caches = new TreeMap<>();
    private boolean closed;

    /** One device's cache, what it caches, and since when. */
    record CacheState(MacAddress mac, String device, String vdisk, WriteCacheType type, long capacityBytes,
            long usedBytes, Instant created) {
    }

    private record Entry(TargetDevice device, String vdisk, WriteCacheType type, long capacity, WriteCache cache,
            BlockDevice base, Path file, Instant created) {
    }

    DeviceCaches(VDiskAccess access, Path folder) {
        this.access = access;
        this.folder = folder;
        removeLeftovers();
    }

    /**
     * The device's view of its vDisk through its own write cache, made now if it has none. Closing the view leaves the
     * cache alone.
     */
    BlockDevice open(TargetDevice device, VDiskFiles files, VDiskProperties properties) {
        Entry dropped = null;
        Entry entry;
        synchronized (this) {
            if (closed) {
                throw new StorageException(StorageException.Kind.CLOSED, "the server is stopping");
            }
            entry = caches.get(device.mac());
            if (entry != null && !entry.vdisk.equals(files.name())) {
                LOG.log(System.Logger.Level.INFO, "{0} is now assigned vDisk {1}: dropping its cache of {2}",
                        device.describe(), files.name(), entry.vdisk);
                dropped = caches.remove(device.mac());
                entry = null;
            } else if (entry != null && entry.created.toEpochMilli() < device.bootedAt()) {
                // The device booted again since this cache was made, maybe through another server of the farm.
                LOG.log(System.Logger.Level.INFO, "{0} booted at {1}: dropping its cache of {2} from {3}",
                        device.describe(), Instant.ofEpochMilli(device.bootedAt()), entry.vdisk, entry.created);
                dropped = caches.remove(device.mac());
                entry = null;
            }
            if (entry == null) {
                entry = create(device, files, properties);
                caches.put(device.mac(), entry);
            }
        }
        if (dropped != null) {
            release(dropped);
        }
        return new View(entry.cache);
    }

    /**
     * The device booted: its cache starts empty. The cache is dropped now (connections still using it fail and close)
     * and made again, with the vDisk's properties of that moment, at the device's next connection.
     *
     * @return true if the device had a cache
     */
    boolean bootEvent(MacAddress mac) {
        Entry entry;
        synchronized (this) {
            entry = caches.remove(mac);
        }
        if (entry == null) {
            return false;
        }
        release(entry);
        LOG.log(System.Logger.Level.INFO, "{0} booted: its write cache of vDisk {1} was dropped",
                entry.device.describe(), entry.vdisk);
        return true;
    }

    /** The cache of one device now, if it has one. */
    synchronized Optional<CacheState> state(MacAddress mac) {
        return Optional.ofNullable(caches.get(mac)).map(DeviceCaches::state);
    }

    /** Every device's cache now. */
    synchronized List<CacheState> states() {
        return caches.values().stream().map(DeviceCaches::state).toList();
    }

    private static CacheState state(Entry entry) {
        return new CacheState(entry.device.mac(), entry.device.name(), entry.vdisk, entry.type, entry.capacity,
                entry.cache.usedBytes(), entry.created);
    }

    /** Drops every cache (their contents are lost, as for a device that reboots). */
    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(caches.values());
            caches.clear();
        }
        for (Entry entry : all) {
            release(entry);
        }
        if (!all.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "closed {0} device write cache(s)", all.size());
        }
    }

    private Entry create(TargetDevice device, VDiskFiles files, VDiskProperties properties) {
        BlockDevice base = access.openShared(files);
        WriteCacheType type = properties.writeCacheType();
        long capacity = properties.writeCacheSize();
        Path file = folder.resolve(device.mac().bare() + ".vhd");
        String name = device.describe() + " cache";
        try {
            if (type != WriteCacheType.RAM) {
                Files.createDirectories(folder);
                Files.deleteIfExists(file);
            }
            WriteCache cache = switch (type) {
                case RAM -> WriteCaches.ram(name, base, capacity);
                // RAM up to the cache size, then the file; a device never writes more than its whole disk.
                case RAM_OVERFLOW -> WriteCaches.ramOverflow(base, capacity, file, base.size());
                case SERVER_DISK -> WriteCaches.serverDisk(base, file);
            };
            LOG.log(System.Logger.Level.INFO, "{0}: new {1} write cache over vDisk {2}", device.describe(),
                    type.label(), files.name());
            return new Entry(device, files.name(), type, type == WriteCacheType.SERVER_DISK ? 0 : capacity, cache, base,
                    type == WriteCacheType.RAM ? null : file, Instant.now());
        } catch (IOException e) {
            base.close();
            throw StorageException.io(file + ": cannot prepare the write cache of " + device.describe(), e);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    private static void release(Entry entry) {
        try {
            entry.cache.close();
        } finally {
            entry.base.close();
            if (entry.file != null) {
                try {
                    Files.deleteIfExists(entry.file);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: cannot delete: {1}", entry.file, e.toString());
                }
            }
        }
    }

    private void removeLeftovers() {
        if (!Files.isDirectory(folder)) {
            return;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.vhd")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
                removed++;
            }
        } catch (IOException e) {
            throw StorageException.io(folder + ": cannot clear old write caches", e);
        }
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "{0}: removed {1} write cache file(s) left by an earlier run", folder,
                    removed);
        }
    }

    /** A connection's handle on a cache that outlives the connection. */
    private static final class View extends ForwardingBlockDevice {
        View(WriteCache cache) {
            super(cache);
        }

        @Override
        public void close() {
            // The cache stays for the device's next connection; only a boot event or the server's stop drops it.
        }
    }
}
